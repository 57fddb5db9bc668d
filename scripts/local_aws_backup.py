"""AWS Backup in the project's local AWS (imported by local_aws_server.py).

The provider verifies an RDS database's backups with AWS Backup: a vault (its KMS key, a Vault
Lock), a backup plan whose rule copies each recovery point to a vault in another Region, the
plan's selection of the database, backup jobs, and a restore testing plan that restores the latest
recovery point and reports whether the restore worked. moto 5.2.5 has a sliver of AWS Backup (REST
JSON, service `backup`), and what it has is not AWS's:

- no backup selections, backup jobs, recovery points, copy jobs, protected resources, restore
  testing plans or selections, or restore jobs at all, and no UpdateBackupPlan;
- CreateBackupVault takes any name, and without EncryptionKeyArn has no key (AWS: the Region's AWS
  managed key `aws/backup`); DescribeBackupVault leaves out EncryptionKeyArn and
  NumberOfRecoveryPoints, and answers an unknown vault with its bare name as the message;
  DeleteBackupVault answers success for a vault that does not exist and deletes a vault under a
  compliance lock;
- CreateBackupPlan checks nothing (a rule's vault may not exist, names, schedules, lifecycles and
  continuous backup are not looked at); DeleteBackupPlan deletes a plan that still has selections;
- ListTags answers {} and TagResource succeeds for any ARN, existing or not;
- its errors are readable (the code in `X-Amzn-ErrorType`, a `{"__type", "message"}` body), all 400.

Filled here as AWS behaves (AWS Backup API reference of each action; developer guide, "Backup
vaults", "AWS Backup Vault Lock", "Creating backup copies across AWS Regions", "Restore testing"),
each section below saying what it does. Errors are AWS Backup's (all HTTP 400, as its API reference
gives them, ServiceUnavailable aside): the code in the `X-Amzn-ErrorType` header, where the SDKs
read it first, and a body `{"__type", "Code", "Message", "Type"}` (AWS's own `Code` is an internal
`ERROR_nnnn`; the exception name is given instead, so a reader of the body alone gets it too).

Pending states. A backup job is CREATED, then RUNNING, then COMPLETED (or FAILED) after
JOB_SECONDS; a copy job likewise; a restore job PENDING, RUNNING, then COMPLETED or FAILED; a
restored resource is deleted afterwards (DeletionStatus DELETING, then SUCCESSFUL, STEP_SECONDS);
a deleted recovery point is DELETING for STEP_SECONDS, and counts in its vault (DeleteBackupVault
refuses the vault) until it is gone. Under the timing mode of local_aws_timing.py (the caller's
`"timing"` rule or PROD_LOCAL_AWS_TIMING=realistic) each lasts its scaled `backup_*` row of
DURATIONS instead. The states move on when any AWS Backup call or local hook looks (lazily, all
Regions and accounts at once, so a copy finished in us-west-2 shows there whichever Region was
called last).

Backup plans do not run on their schedule. A StartBackupJob of a resource that a plan selects
(Resources/NotResources, ListOfTags, Conditions; tags of RDS instances and clusters) into the vault
a rule of that plan targets is taken as that rule's run: the job is CreatedBy the plan and rule
(lifecycle and recovery point tags from the rule unless the call gives its own), and the rule's
CopyActions are carried out once it completes: a copy job per action, in the source Region, whose
recovery point goes into the destination vault in the destination vault's own Region and account
(StartCopyJob copies on demand the same way).

Restore testing plans do not run on their schedule either. A run is started with the local-only hook

  POST /_local/backup/restore-testing/<plan name>/run?region=<Region>&account=<account>&fail=true
       (plain HTTP, unsigned; region defaults to us-east-1, account to moto's 123456789012;
       fail=true makes every restore job of the run fail; key=<access key id> uses that key's
       timing rule)

which answers {"RestoreTestingPlanArn", "RestoreJobIds": [...], "Skipped": [{"ProtectedResourceArn",
"Reason"}]} (404 for an unknown plan). A run restores, for each selection of the plan, each selected
protected resource's latest (LATEST_WITHIN_WINDOW) or a random (RANDOM_WITHIN_WINDOW) COMPLETED
recovery point of the selection's resource type created within SelectionWindowDays in an included
(and not excluded) vault of the plan's Region; a resource without one gets no job. A restore job
fails (FAILED with a StatusMessage) when the run is asked to fail, or when the selection's
RestoreMetadataOverrides name a `vpcSecurityGroupIds` security group or a `dbSubnetGroupName` that
does not exist in the Region. A completed job has ValidationStatus SUCCESSFUL (AWS takes it from
PutRestoreValidationResult, which is emulated too and overrides it), then its restored resource is
deleted (after the selection's ValidationWindowHours: scaled under the timing mode; otherwise
JOB_SECONDS when it is not 0). The restored resource is named (CreatedResourceArn, an
`awsbackup-restore-test-...` identifier) but not made in the service.

  POST /_local/backup/age?days=<n>&region=<Region>&account=<account>&vault=<name>

moves the vault's (without `vault`: every vault's of the Region) Vault Lock date and its recovery
points' dates n days back, as if that time had passed: a compliance lock's grace time, a minimum
retention, a selection window or a lifecycle cannot be waited for in a test. Recovery points whose
lifecycle's DeleteAt has passed are deleted.

The fault layer (local_aws_faults.py) names a REST call by its method and path, and answers a
throttled or failed one in the query protocol's XML: for `backup` it is made here to name the
operation (`CreateBackupVault`, from the service model, as its "fail" rules and record expect) and to
answer in AWS Backup's JSON (400 ThrottlingException when throttled).

The state is moto's backup backend's (per account and Region): vaults in its `vaults` (the Resource
Groups Tagging API sees them), tags in its tagger, the rest beside them; a reset clears it all.
Not emulated: scheduled runs of backup plans and restore testing plans (see above), continuous
backups (EnableContinuousBackup is stored and checked; no CONTINUOUS recovery point is made), the
RDS snapshot behind an RDS recovery point and the restored database (neither is in RDS), cold
storage (StorageClass stays WARM), the encryption key of an RDS recovery point (AWS keeps the source
instance's key for the original backup; it is the vault's here, as for fully managed resource
types), IAM (roles are checked for their form only), legal holds, logically air-gapped vaults,
frameworks, report plans (moto's), backup vault policies and notifications.
"""
import base64
import datetime
import fnmatch
import json
import random
import re
import string
import threading
import time
import urllib.parse
import uuid

import local_aws_faults as faults
import local_aws_timing as timing
from local_aws_elasticache import caller_timing_scale
from moto.backup import urls as backup_urls
from moto.backup.models import backup_backends
from moto.backup.responses import BackupResponse
from moto.core.exceptions import JsonRESTError
from moto.ec2.models import ec2_backends
from moto.kms.models import kms_backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.rds.models import rds_backends

# How long a job or a deletion runs without the timing mode: long enough that the provider must
# wait, short enough for the tests. The first quarter of a job is CREATED / PENDING.
JOB_SECONDS = 2.0
STEP_SECONDS = 1.0
FIRST_PHASE = 0.25
# AWS Backup's default quotas (Service Quotas, AWS Backup): backup vaults and backup plans per
# account and Region 100, selections per backup plan 50, restore testing plans 100, selections per
# restore testing plan 30.
VAULT_QUOTA = 100
PLAN_QUOTA = 100
SELECTION_QUOTA = 50
RT_PLAN_QUOTA = 100
RT_SELECTION_QUOTA = 30
# Defaults (API_BackupRule / API_BackupRuleInput; API_RestoreTestingPlanForCreate,
# API_RestoreTestingRecoveryPointSelection).
DEFAULT_SCHEDULE = "cron(0 5 ? * * *)"
DEFAULT_TIMEZONE = "Etc/UTC"
DEFAULT_START_WINDOW = 480
DEFAULT_COMPLETION_WINDOW = 10080
DEFAULT_START_WINDOW_HOURS = 24
DEFAULT_SELECTION_WINDOW_DAYS = 30
DAY = 86400.0
DEFAULT_ACCOUNT = "123456789012"
# Resource types a restore testing selection can name (API_RestoreTestingSelectionForCreate).
RESTORE_TEST_TYPES = ("Aurora", "DocumentDB", "DynamoDB", "EBS", "EC2", "EFS", "FSx", "Neptune", "RDS", "S3")

_LOCK = threading.RLock()
_VAULT_NAME = re.compile(r"^[a-zA-Z0-9\-_]{2,50}$")
_NAME = re.compile(r"^[a-zA-Z0-9\-_.]{1,50}$")  # BackupPlanName, BackupRuleName, BackupSelectionName
_RT_NAME = re.compile(r"^[a-zA-Z0-9_]{1,50}$")  # restore testing plan and selection names
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")
_VAULT_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):backup:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"backup-vault:(?P<name>[a-zA-Z0-9\-_]{2,50})$"
)
_VAULT_ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:backup:[a-z0-9*?-]+:[0-9*?]+:backup-vault:[a-zA-Z0-9\-_*?]+$")
_KMS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):(key|alias)/.+$")
_CRON = re.compile(r"^cron\(\s*\S+(\s+\S+){5}\s*\)$")
_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*):(?P<account>\d{12})?:(?P<resource>.+)$"
)


# ---- AWS Backup's errors ----


class BackupError(JsonRESTError):
    def __init__(self, code: str, message: str, **extra):  # type: ignore[no-untyped-def]
        super().__init__(code, message)
        self.code = 400  # the HTTP status
        self.description = json.dumps({"__type": code, "Code": code, "Message": message, "Type": "User", **extra})
        self.content_type = "application/json"


def _not_found(message):  # type: ignore[no-untyped-def]
    return BackupError("ResourceNotFoundException", message)


def _invalid(message):  # type: ignore[no-untyped-def]
    return BackupError("InvalidParameterValueException", message)


def _request(message):  # type: ignore[no-untyped-def]
    return BackupError("InvalidRequestException", message)


def _missing(name):  # type: ignore[no-untyped-def]
    return BackupError("MissingParameterValueException", f"Missing required parameter: {name}")


def _exists(message, arn=None, creator=None):  # type: ignore[no-untyped-def]
    extra = {k: v for k, v in (("Arn", arn), ("CreatorRequestId", creator)) if v}
    return BackupError("AlreadyExistsException", message, **extra)


def _limit(message):  # type: ignore[no-untyped-def]
    return BackupError("LimitExceededException", message)


def _state(message):  # type: ignore[no-untyped-def]
    return BackupError("InvalidResourceStateException", message)


# ---- small helpers ----


def _ts(t):  # type: ignore[no-untyped-def]
    """A timestamp as the REST JSON protocol sends it: epoch seconds."""
    return None if t is None else round(t, 3)


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def _job_id() -> str:
    return str(uuid.uuid4()).upper()


def _alnum(n: int) -> str:
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=n))


def _parse_time(value):  # type: ignore[no-untyped-def]
    """A query-string timestamp (ISO 8601, as the SDKs send it, or epoch seconds) as epoch seconds."""
    if value in (None, ""):
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        dt = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise _invalid(f"Invalid timestamp: {value}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return dt.timestamp()


def _int(value, what, low=None, high=None):  # type: ignore[no-untyped-def]
    if value is None:
        return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise _invalid(f"Invalid value {value} for {what}.") from None
    if (low is not None and n < low) or (high is not None and n > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise _invalid(f"Invalid value {n} for {what}: it must be {bounds}.")
    return n


def _page(items, q, size_key="maxResults", token_key="nextToken"):  # type: ignore[no-untyped-def]
    """MaxResults (1-1000) and NextToken, as the List actions take them."""
    size = _int(q.get(size_key), "MaxResults", 1, 1000) or 1000
    token = q.get(token_key)
    start = 0
    if token:
        try:
            start = int(base64.b64decode(token.encode()).decode())
        except (ValueError, UnicodeDecodeError):
            raise _invalid(f"Invalid NextToken: {token}") from None
    end = start + size
    more = base64.b64encode(str(end).encode()).decode() if end < len(items) else None
    return items[start:end], more


def _arn_match(pattern: str, arn: str) -> bool:
    return pattern == "*" or fnmatch.fnmatchcase(arn, pattern)


def _tag_key(key: str) -> str:
    return key[len("aws:ResourceTag/"):] if key.startswith("aws:ResourceTag/") else key


def _scale_of_key(key):  # type: ignore[no-untyped-def]
    """The timing scale of an access key (None: no timing), as the fault layer decides it (for a
    local hook, which carries no signature)."""
    with faults._LOCK:
        rules = faults._RULES.get(key or "")
    rule = (rules or {}).get("timing") or timing.server_rule()
    return float(rule.get("scale", timing.SCALE_DEFAULT)) if rule else None


_scale = caller_timing_scale  # the caller's, for a call


def _seconds(scale, row, plain=JOB_SECONDS) -> float:  # type: ignore[no-untyped-def]
    return plain if scale is None else timing.DURATIONS[row] * scale


# ---- resources AWS Backup protects ----


def _resource(arn):  # type: ignore[no-untyped-def]
    """(type, name, region, account, RDS object or None) of a resource ARN; InvalidParameterValue for
    one AWS Backup does not back up, ResourceNotFound for an RDS instance or cluster that does not
    exist."""
    m = _ARN.match(arn or "")
    if m is None:
        raise _invalid(f"Invalid ARN: {arn}")
    service, resource = m.group("service"), m.group("resource")
    region, account = m.group("region"), m.group("account") or ""
    if service == "rds" and resource.startswith(("db:", "cluster:")):
        kind, name = resource.split(":", 1)
        try:
            backend = rds_backends[account][region]
        except KeyError:
            raise _not_found(f"Resource {arn} does not exist.") from None
        obj = (backend.databases if kind == "db" else backend.clusters).get(name)
        if obj is None:
            raise _not_found(f"Resource {arn} does not exist.")
        if kind == "db":
            return "RDS", name, region, account, obj
        engine = str(getattr(obj, "engine", ""))
        kind_name = "DocumentDB" if engine == "docdb" else "Neptune" if engine == "neptune" else "Aurora"
        return kind_name, name, region, account, obj
    types = {
        ("dynamodb", "table/"): "DynamoDB",
        ("ec2", "volume/"): "EBS",
        ("ec2", "instance/"): "EC2",
        ("elasticfilesystem", "file-system/"): "EFS",
        ("fsx", "file-system/"): "FSx",
        ("s3", ""): "S3",
    }
    for (svc, prefix), kind_name in types.items():
        if service == svc and resource.startswith(prefix):
            return kind_name, resource[len(prefix):].split("/")[0], region, account, None
    raise _invalid(f"Resource type of {arn} is not supported by AWS Backup.")


def _resource_tags(arn) -> dict:  # type: ignore[no-untyped-def]
    """An RDS instance's or cluster's tags (other types: none known here)."""
    try:
        obj = _resource(arn)[4]
    except BackupError:
        return {}
    tags = getattr(obj, "tags", None) or []
    return {t.get("Key"): t.get("Value") for t in tags if isinstance(t, dict)}


def _point_arn(kind, partition, region, account, job_id, copy=False) -> str:  # type: ignore[no-untyped-def]
    """A recovery point's ARN as AWS Backup names it: the service's own snapshot for RDS and the
    cluster engines (`awsbackup:job-<id>`, a copy `awsbackup:copyjob-<id>`), EBS and EC2; a backup
    ARN otherwise."""
    prefix = "copyjob" if copy else "job"
    hex17 = "".join(random.choices("0123456789abcdef", k=17))
    if kind == "RDS":
        return f"arn:{partition}:rds:{region}:{account}:snapshot:awsbackup:{prefix}-{job_id.lower()}"
    if kind in ("Aurora", "DocumentDB", "Neptune"):
        return f"arn:{partition}:rds:{region}:{account}:cluster-snapshot:awsbackup:{prefix}-{job_id.lower()}"
    if kind == "EBS":
        return f"arn:{partition}:ec2:{region}::snapshot/snap-{hex17}"
    if kind == "EC2":
        return f"arn:{partition}:ec2:{region}::image/ami-{hex17}"
    return f"arn:{partition}:backup:{region}:{account}:recovery-point:{str(uuid.uuid4()).upper()}"


def _restored_arn(kind, partition, region, account) -> str:  # type: ignore[no-untyped-def]
    name = f"awsbackup-restore-test-{_alnum(12)}"
    hex17 = "".join(random.choices("0123456789abcdef", k=17))
    return {
        "RDS": f"arn:{partition}:rds:{region}:{account}:db:{name}",
        "Aurora": f"arn:{partition}:rds:{region}:{account}:cluster:{name}",
        "DocumentDB": f"arn:{partition}:rds:{region}:{account}:cluster:{name}",
        "Neptune": f"arn:{partition}:rds:{region}:{account}:cluster:{name}",
        "DynamoDB": f"arn:{partition}:dynamodb:{region}:{account}:table/{name}",
        "EBS": f"arn:{partition}:ec2:{region}:{account}:volume/vol-{hex17}",
        "EC2": f"arn:{partition}:ec2:{region}:{account}:instance/i-{hex17}",
        "EFS": f"arn:{partition}:elasticfilesystem:{region}:{account}:file-system/fs-{hex17[:8]}",
        "S3": f"arn:{partition}:s3:::{name}",
    }.get(kind, f"arn:{partition}:fsx:{region}:{account}:file-system/fs-{hex17}")


def _size(obj) -> int:  # type: ignore[no-untyped-def]
    gib = getattr(obj, "allocated_storage", None) if obj is not None else None
    try:
        return int(gib) * 1024 ** 3 if gib else 1024 ** 3
    except (TypeError, ValueError):
        return 1024 ** 3


# ---- the records ----


class Vault:
    def __init__(self, backend, name, key_arn, creator):  # type: ignore[no-untyped-def]
        self.account_id, self.region, self.partition = backend.account_id, backend.region_name, backend.partition
        self.name = self.backup_vault_name = name
        self.backup_vault_arn = f"arn:{self.partition}:backup:{self.region}:{self.account_id}:backup-vault:{name}"
        self.key_arn = key_arn
        self.creator = creator
        self.created = time.time()
        self.locked = False
        self.min_days = None
        self.max_days = None
        self.lock_date = None  # compliance mode: when the grace time ends

    def immutable(self, now) -> bool:  # type: ignore[no-untyped-def]
        """A compliance-mode lock past its grace time: neither the lock nor the vault can go."""
        return self.lock_date is not None and now >= self.lock_date

    def view(self, count) -> dict:  # type: ignore[no-untyped-def]
        return _clean({
            "BackupVaultName": self.name,
            "BackupVaultArn": self.backup_vault_arn,
            "VaultType": "BACKUP_VAULT",
            "VaultState": "AVAILABLE",
            "EncryptionKeyArn": self.key_arn,
            "CreationDate": _ts(self.created),
            "CreatorRequestId": self.creator,
            "NumberOfRecoveryPoints": count,
            "Locked": self.locked,
            "MinRetentionDays": self.min_days,
            "MaxRetentionDays": self.max_days,
            "LockDate": _ts(self.lock_date),
        })


class Plan:
    def __init__(self, backend, document, creator):  # type: ignore[no-untyped-def]
        self.id = str(uuid.uuid4())
        self.arn = f"arn:{backend.partition}:backup:{backend.region_name}:{backend.account_id}:backup-plan:{self.id}"
        self.creator = creator
        self.created = time.time()
        self.deleted = None
        self.last_execution = None
        self.versions: list = []  # [(version id, document, when)], the newest last
        self.add_version(document)

    def add_version(self, document) -> None:  # type: ignore[no-untyped-def]
        version = base64.b64encode(str(uuid.uuid4()).encode()).decode()[:48]
        self.versions.append((version, document, time.time()))

    @property
    def version(self) -> str:
        return self.versions[-1][0]

    @property
    def document(self) -> dict:
        return self.versions[-1][1]

    def summary(self, version=None) -> dict:  # type: ignore[no-untyped-def]
        vid, document, when = next((v for v in self.versions if v[0] == version), self.versions[-1])
        return _clean({
            "BackupPlanArn": self.arn,
            "BackupPlanId": self.id,
            "CreationDate": _ts(when),
            "DeletionDate": _ts(self.deleted),
            "VersionId": vid,
            "BackupPlanName": document["BackupPlanName"],
            "CreatorRequestId": self.creator,
            "LastExecutionDate": _ts(self.last_execution),
            "AdvancedBackupSettings": document.get("AdvancedBackupSettings"),
        })


class RecoveryPoint:
    def __init__(self, vault, resource_arn, kind, name, arn):  # type: ignore[no-untyped-def]
        self.arn = arn
        self.vault_name, self.vault_arn = vault.name, vault.backup_vault_arn
        self.key_arn = vault.key_arn
        self.source_vault_arn = None
        self.resource_arn, self.kind, self.resource_name = resource_arn, kind, name
        self.created_by = None
        self.role = None
        self.status = "COMPLETED"
        self.created = self.initiated = self.completed = time.time()
        self.size = 0
        self.lifecycle = None
        self.last_restore = None
        self.gone_at = None  # DELETING until then

    def calculated(self):  # type: ignore[no-untyped-def]
        lc = self.lifecycle or {}
        out = {}
        if lc.get("MoveToColdStorageAfterDays") is not None:
            out["MoveToColdStorageAt"] = _ts(self.created + lc["MoveToColdStorageAfterDays"] * DAY)
        if lc.get("DeleteAfterDays") is not None:
            out["DeleteAt"] = _ts(self.created + lc["DeleteAfterDays"] * DAY)
        return out or None

    def view(self, listed=False) -> dict:
        """DescribeRecoveryPoint's shape; ListRecoveryPointsByBackupVault's has no StorageClass."""
        return _clean({
            "RecoveryPointArn": self.arn,
            "BackupVaultName": self.vault_name,
            "BackupVaultArn": self.vault_arn,
            "SourceBackupVaultArn": self.source_vault_arn,
            "ResourceArn": self.resource_arn,
            "ResourceType": self.kind,
            "CreatedBy": self.created_by,
            "IamRoleArn": self.role,
            "Status": self.status,
            "CreationDate": _ts(self.created),
            "InitiationDate": _ts(self.initiated),
            "CompletionDate": _ts(self.completed),
            "BackupSizeInBytes": self.size,
            "CalculatedLifecycle": self.calculated(),
            "Lifecycle": self.lifecycle,
            "EncryptionKeyArn": self.key_arn,
            "IsEncrypted": bool(self.key_arn),
            "StorageClass": None if listed else "WARM",
            "LastRestoreTime": _ts(self.last_restore),
            "IsParent": False,
            "ResourceName": self.resource_name,
            "VaultType": "BACKUP_VAULT",
        })

    def by_resource(self) -> dict:
        return _clean({
            "RecoveryPointArn": self.arn,
            "CreationDate": _ts(self.created),
            "Status": self.status,
            "EncryptionKeyArn": self.key_arn,
            "BackupSizeBytes": self.size,
            "BackupVaultName": self.vault_name,
            "IsParent": False,
            "ResourceName": self.resource_name,
            "VaultType": "BACKUP_VAULT",
        })


class Job:
    """What backup, copy and restore jobs share: their phases in time."""

    first_state = "CREATED"

    def __init__(self, account_id, region, scale, row):  # type: ignore[no-untyped-def]
        self.id = _job_id()
        self.account_id, self.region = account_id, region
        self.scale = scale
        self.created = time.time()
        total = _seconds(scale, row)
        self.running_at = self.created + total * FIRST_PHASE
        self.done_at = self.created + total
        self.state = self.first_state
        self.message = None
        self.completed = None
        self.fail = None  # the StatusMessage it fails with, decided when it starts

    def percent(self) -> str:
        if self.completed is not None:
            return "100.0" if self.state == "COMPLETED" else "0.0"
        span = max(self.done_at - self.created, 1e-6)
        return f"{min(99.0, 100.0 * (time.time() - self.created) / span):.1f}"


class BackupJob(Job):
    def view(self) -> dict:
        return _clean({
            "AccountId": self.account_id,
            "BackupJobId": self.id,
            "BackupVaultName": self.vault_name,
            "BackupVaultArn": self.vault_arn,
            "VaultType": "BACKUP_VAULT",
            "RecoveryPointArn": self.point_arn,
            "RecoveryPointLifecycle": self.lifecycle,
            "EncryptionKeyArn": self.key_arn,
            "IsEncrypted": bool(self.key_arn),
            "ResourceArn": self.resource_arn,
            "CreationDate": _ts(self.created),
            "CompletionDate": _ts(self.completed),
            "State": self.state,
            "StatusMessage": self.message,
            "PercentDone": self.percent(),
            "BackupSizeInBytes": self.size if self.state == "COMPLETED" else None,
            "IamRoleArn": self.role,
            "CreatedBy": self.created_by,
            "ExpectedCompletionDate": _ts(self.done_at),
            "StartBy": _ts(self.created + self.start_window * 60),
            "ResourceType": self.kind,
            "BytesTransferred": self.size if self.state == "COMPLETED" else 0,
            "IsParent": False,
            "ResourceName": self.resource_name,
            "InitiationDate": _ts(self.created),
        })


class CopyJob(Job):
    def view(self) -> dict:
        return _clean({
            "AccountId": self.account_id,
            "CopyJobId": self.id,
            "SourceBackupVaultArn": self.source_vault_arn,
            "SourceRecoveryPointArn": self.source_point_arn,
            "DestinationBackupVaultArn": self.dest_vault_arn,
            "DestinationVaultType": "BACKUP_VAULT",
            "DestinationRecoveryPointArn": self.dest_point_arn,
            "DestinationEncryptionKeyArn": self.dest_key_arn,
            "DestinationRecoveryPointLifecycle": self.lifecycle,
            "ResourceArn": self.resource_arn,
            "CreationDate": _ts(self.created),
            "CompletionDate": _ts(self.completed),
            "State": self.state,
            "StatusMessage": self.message,
            "BackupSizeInBytes": self.size,
            "IamRoleArn": self.role,
            "CreatedBy": self.created_by,
            "CreatedByBackupJobId": self.backup_job_id,
            "ResourceType": self.kind,
            "IsParent": False,
            "ResourceName": self.resource_name,
        })


class RestoreJob(Job):
    first_state = "PENDING"

    def view(self) -> dict:
        minutes = int((self.done_at - self.created + 59) // 60) or 1
        return _clean({
            "AccountId": self.account_id,
            "RestoreJobId": self.id,
            "RecoveryPointArn": self.point_arn,
            "SourceResourceArn": self.source_arn,
            "BackupVaultArn": self.vault_arn,
            "CreationDate": _ts(self.created),
            "CompletionDate": _ts(self.completed),
            "Status": self.state,
            "StatusMessage": self.message,
            "PercentDone": self.percent(),
            "BackupSizeInBytes": self.size,
            "IamRoleArn": self.role,
            "ExpectedCompletionTimeMinutes": minutes,
            "CreatedResourceArn": self.created_arn if self.state == "COMPLETED" else None,
            "ResourceType": self.kind,
            "RecoveryPointCreationDate": _ts(self.point_created),
            "CreatedBy": {"RestoreTestingPlanArn": self.plan_arn} if self.plan_arn else None,
            "ValidationStatus": self.validation,
            "ValidationStatusMessage": self.validation_message,
            "DeletionStatus": self.deletion,
            "DeletionStatusMessage": self.deletion_message,
            "IsParent": False,
        })


class RestoreTestingPlan:
    def __init__(self, backend, name):  # type: ignore[no-untyped-def]
        self.name = name
        self.arn = (
            f"arn:{backend.partition}:backup:{backend.region_name}:{backend.account_id}:"
            f"restore-testing-plan:{name}-{_alnum(6)}"
        )
        self.created = time.time()
        self.updated = None
        self.last_execution = None
        self.creator = None
        self.schedule = ""
        self.timezone = DEFAULT_TIMEZONE
        self.start_window = DEFAULT_START_WINDOW_HOURS
        self.selection: dict = {}

    def summary(self) -> dict:
        return _clean({
            "CreationTime": _ts(self.created),
            "LastExecutionTime": _ts(self.last_execution),
            "LastUpdateTime": _ts(self.updated),
            "RestoreTestingPlanArn": self.arn,
            "RestoreTestingPlanName": self.name,
            "ScheduleExpression": self.schedule,
            "ScheduleExpressionTimezone": self.timezone,
            "StartWindowHours": self.start_window,
        })

    def view(self) -> dict:
        return _clean({**self.summary(), "CreatorRequestId": self.creator, "RecoveryPointSelection": self.selection})


class RestoreTestingSelection:
    def __init__(self, plan, name):  # type: ignore[no-untyped-def]
        self.plan = plan
        self.name = name
        self.created = time.time()
        self.updated = None
        self.creator = None
        self.kind = ""
        self.role = ""
        self.arns: list = []
        self.conditions = None
        self.overrides: dict = {}
        self.validation_hours = 0

    def summary(self) -> dict:
        return {
            "CreationTime": _ts(self.created),
            "IamRoleArn": self.role,
            "ProtectedResourceType": self.kind,
            "RestoreTestingPlanName": self.plan.name,
            "RestoreTestingSelectionName": self.name,
            "ValidationWindowHours": self.validation_hours,
        }

    def view(self) -> dict:
        return _clean({
            **self.summary(),
            "CreatorRequestId": self.creator,
            "ProtectedResourceArns": list(self.arns) or None,
            "ProtectedResourceConditions": self.conditions,
            "RestoreMetadataOverrides": dict(self.overrides) or None,
        })


class Store:
    """One account's and Region's AWS Backup, beside moto's backend (vaults are in its `vaults`)."""

    def __init__(self) -> None:
        self.plans: dict = {}  # id -> Plan
        self.selections: dict = {}  # selection id -> (plan id, document, created, creator)
        self.jobs: dict = {}  # backup job id -> BackupJob
        self.copy_jobs: dict = {}
        self.points: dict = {}  # recovery point ARN -> RecoveryPoint (of any vault of the Region)
        self.rt_plans: dict = {}  # name -> RestoreTestingPlan
        self.rt_selections: dict = {}  # (plan name, selection name) -> RestoreTestingSelection
        self.restore_jobs: dict = {}


def _store(backend) -> Store:  # type: ignore[no-untyped-def]
    return backend.__dict__.setdefault("prod_backup", Store())


def _backend(account_id, region):  # type: ignore[no-untyped-def]
    return backup_backends[account_id][region]


def _all_backends():  # type: ignore[no-untyped-def]
    for account_id in list(backup_backends.keys()):
        for backend in list(backup_backends[account_id].values()):
            if "prod_backup" in backend.__dict__:
                yield backend


def _vault(backend, name):  # type: ignore[no-untyped-def]
    if not name:
        raise _missing("BackupVaultName")
    vault = backend.vaults.get(name)
    if not isinstance(vault, Vault):
        raise _not_found(f"Backup vault {name} does not exist.")
    return vault


def _vault_points(store, vault):  # type: ignore[no-untyped-def]
    return [p for p in store.points.values() if p.vault_name == vault.name]


# ---- time passing: jobs finish, copies land, deleted recovery points go ----


def _settle() -> None:
    now = time.time()
    for backend in list(_all_backends()):
        store = _store(backend)
        for job in list(store.jobs.values()):
            _advance_backup(backend, store, job, now)
        for job in list(store.copy_jobs.values()):
            _advance_copy(job, now)
        for job in list(store.restore_jobs.values()):
            _advance_restore(store, job, now)
    for backend in list(_all_backends()):
        store = _store(backend)
        for arn, point in list(store.points.items()):
            if point.gone_at is not None and now >= point.gone_at:
                del store.points[arn]
            elif (point.lifecycle or {}).get("DeleteAfterDays") is not None:
                if now >= point.created + point.lifecycle["DeleteAfterDays"] * DAY:
                    del store.points[arn]


def _phase(job, now) -> bool:  # type: ignore[no-untyped-def]
    """Moves a job to its running state; True when its time is up (it ends now)."""
    if job.completed is not None:
        return False
    if now >= job.running_at and job.state == job.first_state:
        job.state = "RUNNING"
    return now >= job.done_at


def _lock_violation(vault, lifecycle):  # type: ignore[no-untyped-def]
    """The StatusMessage of a backup or copy into a locked vault whose retention is outside the lock's
    range (Vault Lock: such jobs fail), else None."""
    if not vault.locked:
        return None
    days = (lifecycle or {}).get("DeleteAfterDays")
    if vault.min_days is not None and days is not None and days < vault.min_days:
        return (f"The retention period of {days} days is shorter than the minimum retention period of "
                f"{vault.min_days} days of backup vault {vault.name} (Vault Lock).")
    if vault.max_days is not None and (days is None or days > vault.max_days):
        kept = "no retention period" if days is None else f"a retention period of {days} days"
        return (f"The recovery point has {kept}; backup vault {vault.name} is locked with a maximum "
                f"retention period of {vault.max_days} days (Vault Lock).")
    return None


def _advance_backup(backend, store, job, now) -> None:  # type: ignore[no-untyped-def]
    if job.state == "ABORTED" or not _phase(job, now):
        return
    job.completed = job.done_at
    vault = backend.vaults.get(job.vault_name)
    message = job.fail or (None if isinstance(vault, Vault) else f"Backup vault {job.vault_name} was deleted.")
    if message is None:
        message = _lock_violation(vault, job.lifecycle)
    if message is not None:
        job.state, job.message = "FAILED", message
        return
    job.state = "COMPLETED"
    point = RecoveryPoint(vault, job.resource_arn, job.kind, job.resource_name, job.point_arn)
    point.created_by, point.role, point.lifecycle = job.created_by, job.role, job.lifecycle
    point.created = point.initiated = job.created
    point.completed = job.completed
    point.size = job.size
    store.points[point.arn] = point
    if job.tags:
        backend.tag_resource(point.arn, job.tags)
    for action in job.copy_actions:
        _start_copy(backend, store, point, action.get("DestinationBackupVaultArn"), action.get("Lifecycle"),
                    job.role, job.created_by, job.scale, backup_job_id=job.id, created=job.completed)


def _start_copy(backend, store, point, dest_arn, lifecycle, role, created_by, scale, backup_job_id=None, created=None):  # type: ignore[no-untyped-def]
    job = CopyJob(backend.account_id, backend.region_name, scale, "backup_copy_job")
    if created is not None:  # a plan's copy starts when its backup completes
        shift = created - job.created
        job.created, job.running_at, job.done_at = created, job.running_at + shift, job.done_at + shift
    job.source_vault_arn, job.source_point_arn = point.vault_arn, point.arn
    job.dest_vault_arn, job.dest_point_arn, job.dest_key_arn = dest_arn, None, None
    job.lifecycle, job.role, job.created_by, job.backup_job_id = lifecycle, role, created_by, backup_job_id
    job.resource_arn, job.kind, job.resource_name, job.size = point.resource_arn, point.kind, point.resource_name, point.size
    job.point = point
    m = _VAULT_ARN.match(dest_arn or "")
    if m is not None:
        job.dest_point_arn = _point_arn(point.kind, m.group("partition"), m.group("region"), m.group("account"),
                                        job.id, copy=True)
    store.copy_jobs[job.id] = job
    return job


def _advance_copy(job, now) -> None:  # type: ignore[no-untyped-def]
    if not _phase(job, now):
        return
    job.completed = job.done_at
    m = _VAULT_ARN.match(job.dest_vault_arn or "")
    vault = None
    if m is not None:
        try:
            vault = _backend(m.group("account"), m.group("region")).vaults.get(m.group("name"))
        except Exception:  # noqa: BLE001 - a Region moto does not know: no such vault
            vault = None
    if not isinstance(vault, Vault):
        job.state, job.message = "FAILED", f"Destination backup vault {job.dest_vault_arn} does not exist."
        return
    message = job.fail or _lock_violation(vault, job.lifecycle)
    if message is not None:
        job.state, job.message = "FAILED", message
        return
    job.state = "COMPLETED"
    job.dest_key_arn = vault.key_arn
    source = job.point
    point = RecoveryPoint(vault, source.resource_arn, source.kind, source.resource_name, job.dest_point_arn)
    point.source_vault_arn = job.source_vault_arn
    point.created_by, point.role, point.lifecycle, point.size = job.created_by, job.role, job.lifecycle, source.size
    point.created = point.initiated = job.created
    point.completed = job.completed
    _store(_backend(m.group("account"), m.group("region"))).points[point.arn] = point


def _advance_restore(store, job, now) -> None:  # type: ignore[no-untyped-def]
    if _phase(job, now):
        job.completed = job.done_at
        if job.fail is not None:
            job.state, job.message = "FAILED", job.fail
        else:
            job.state = "COMPLETED"
            job.validation = "SUCCESSFUL"
            point = store.points.get(job.point_arn)
            if point is not None:
                point.last_restore = job.completed
            if job.delete_from is None:
                job.delete_from = job.completed + job.validation_window
    if job.state != "COMPLETED" or job.delete_from is None:
        return
    if job.deletion is None and now >= job.delete_from:
        job.deletion = "DELETING"
    if job.deletion == "DELETING" and now >= job.delete_from + _seconds(job.scale, "backup_restore_cleanup", STEP_SECONDS):
        job.deletion = "SUCCESSFUL"


# ---- Backup vaults ----
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupVault.html and the
# Describe/Delete/List pages. A name is 2-50 of [a-zA-Z0-9-_] (InvalidParameterValueException),
# unique in the account and Region (AlreadyExistsException). Without EncryptionKeyArn the vault is
# encrypted with the Region's AWS managed key `aws/backup` (made in KMS on first use, as AWS does); a
# key given must be a KMS key ARN of the vault's Region (and, in the same account, a key KMS knows).
# DeleteBackupVault: ResourceNotFoundException for no vault; InvalidRequestException while the vault
# holds recovery points ("Backup vault cannot be deleted because it contains recovery points.", also
# while a deleted one is still DELETING) and once a compliance-mode lock's grace time has passed.


def _default_key(backend) -> str:  # type: ignore[no-untyped-def]
    kms = kms_backends[backend.account_id][backend.region_name]
    key_id = kms.get_key_id_from_alias("alias/aws/backup")
    if key_id is None:
        key = kms.create_key(None, "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT",
                             "Default key that protects my backups when no other key is defined", None)
        if hasattr(key, "key_manager"):
            key.key_manager = "AWS"
        kms.create_alias(key.id, "alias/aws/backup")
        key_id = key.id
    return kms.describe_key(key_id).arn


def _check_key(backend, key_arn) -> str:  # type: ignore[no-untyped-def]
    m = _KMS_ARN.match(key_arn or "")
    if m is None:
        raise _invalid(f"Invalid EncryptionKeyArn: {key_arn}. It must be the ARN of a KMS key.")
    if m.group("region") != backend.region_name:
        raise _invalid(f"The KMS key {key_arn} is not in the backup vault's Region {backend.region_name}.")
    if m.group("account") == backend.account_id:
        try:
            kms_backends[backend.account_id][backend.region_name].describe_key(key_arn)
        except Exception:  # noqa: BLE001 - unknown key or alias
            raise _invalid(f"The KMS key {key_arn} does not exist.") from None
    return key_arn


def _create_backup_vault(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    body = _json(self)
    name = self.uri_match.get("backupVaultName")
    if not name or not _VAULT_NAME.match(name):
        raise _invalid(f"Invalid backup vault name {name}: it must be 2-50 characters of a-z, A-Z, 0-9, - and _.")
    with _LOCK:
        _settle()
        if isinstance(backend.vaults.get(name), Vault):
            raise _exists("Backup vault with the same name already exists", arn=backend.vaults[name].backup_vault_arn,
                          creator=body.get("CreatorRequestId"))
        if sum(1 for v in backend.vaults.values() if isinstance(v, Vault)) >= VAULT_QUOTA:
            raise _limit(f"The maximum number of backup vaults ({VAULT_QUOTA}) has been reached.")
        key = body.get("EncryptionKeyArn")
        key = _check_key(backend, key) if key else _default_key(backend)
        vault = Vault(backend, name, key, body.get("CreatorRequestId"))
        backend.vaults[name] = vault
        if body.get("BackupVaultTags"):
            backend.tag_resource(vault.backup_vault_arn, body["BackupVaultTags"])
        return _ok({"BackupVaultName": name, "BackupVaultArn": vault.backup_vault_arn, "CreationDate": _ts(vault.created)})


def _describe_backup_vault(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    with _LOCK:
        _settle()
        vault = _vault(backend, self.uri_match.get("backupVaultName"))
        return _ok(vault.view(len(_vault_points(store, vault))))


def _delete_backup_vault(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    with _LOCK:
        _settle()
        vault = _vault(backend, self.uri_match.get("backupVaultName"))
        if _vault_points(store, vault):
            raise _request("Backup vault cannot be deleted because it contains recovery points.")
        if vault.immutable(time.time()):
            raise _request(
                f"Backup vault {vault.name} is locked in compliance mode and its grace time has ended: it "
                f"cannot be deleted."
            )
        del backend.vaults[vault.name]
        backend.tagger.delete_all_tags_for_resource(vault.backup_vault_arn)
        return _ok()


def _list_backup_vaults(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    q = _query(self)
    with _LOCK:
        _settle()
        vaults = [v for v in backend.vaults.values() if isinstance(v, Vault)]
        if q.get("vaultType") not in (None, "", "BACKUP_VAULT"):
            vaults = []
        page, token = _page(vaults, q)
        return _ok(_clean({"BackupVaultList": [v.view(len(_vault_points(store, v))) for v in page], "NextToken": token}))


# ---- Vault Lock ----
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_PutBackupVaultLockConfiguration.html,
# developer guide "AWS Backup Vault Lock". Without ChangeableForDays the lock is in governance mode
# (it can be changed or removed at any time); with it (3 days at least) in compliance mode: LockDate
# is now + ChangeableForDays, the grace time, after which the lock can be neither changed nor
# removed (InvalidRequestException) and the vault not deleted. MinRetentionDays at least 1,
# MaxRetentionDays at most 36500 and not below MinRetentionDays (InvalidParameterValueException).
# While a lock has a MinRetentionDays, a recovery point younger than that cannot be deleted; backup
# and copy jobs whose retention is outside the lock's range fail.


def _put_lock(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    body = _json(self)
    low = _int(body.get("MinRetentionDays"), "MinRetentionDays", 1, 36500)
    high = _int(body.get("MaxRetentionDays"), "MaxRetentionDays", 1, 36500)
    grace = _int(body.get("ChangeableForDays"), "ChangeableForDays", 3, 36500)
    if low is not None and high is not None and low > high:
        raise _invalid("MinRetentionDays cannot be greater than MaxRetentionDays.")
    with _LOCK:
        _settle()
        vault = _vault(backend, self.uri_match.get("backupVaultName"))
        if vault.immutable(time.time()):
            raise _request("Vault Lock configuration is immutable and cannot be modified once the grace time has ended.")
        vault.locked = True
        vault.min_days, vault.max_days = low, high
        vault.lock_date = time.time() + grace * DAY if grace is not None else None
        return _ok()


def _delete_lock(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    with _LOCK:
        _settle()
        vault = _vault(backend, self.uri_match.get("backupVaultName"))
        if vault.immutable(time.time()):
            raise _request("Vault Lock configuration is immutable and cannot be deleted once the grace time has ended.")
        vault.locked = False
        vault.min_days = vault.max_days = vault.lock_date = None
        return _ok()


# ---- Tags ----
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_ListTags.html: vaults, backup plans,
# restore testing plans and recovery points carry tags; an ARN that names none of them of the
# Region is ResourceNotFoundException, one that is not an ARN InvalidParameterValueException.


def _taggable(backend, store, arn) -> None:  # type: ignore[no-untyped-def]
    if not arn:
        raise _missing("ResourceArn")
    if _ARN.match(arn) is None:
        raise _invalid(f"Invalid ARN: {arn}")
    known = any(isinstance(v, Vault) and v.backup_vault_arn == arn for v in backend.vaults.values())
    known = known or any(p.arn == arn and p.deleted is None for p in store.plans.values())
    known = known or any(p.arn == arn for p in store.rt_plans.values()) or arn in store.points
    if not known:
        raise _not_found(f"Resource {arn} does not exist.")


def _list_tags(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    with _LOCK:
        _settle()
        arn = self.uri_match.get("resourceArn")
        _taggable(backend, store, arn)
        return _ok({"Tags": backend.tagger.get_tag_dict_for_resource(arn)})


def _tag_resource(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    body = _json(self)
    with _LOCK:
        _settle()
        arn = self.uri_match.get("resourceArn")
        _taggable(backend, store, arn)
        if body.get("Tags") is None:
            raise _missing("Tags")
        if len({**backend.tagger.get_tag_dict_for_resource(arn), **body["Tags"]}) > 50:
            raise _limit("A resource can have at most 50 tags.")
        backend.tag_resource(arn, body["Tags"])
        return _ok()


def _untag_resource(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    body = _json(self)
    with _LOCK:
        _settle()
        arn = self.uri_match.get("resourceArn")
        _taggable(backend, store, arn)
        if body.get("TagKeyList") is None:
            raise _missing("TagKeyList")
        backend.untag_resource(arn, body["TagKeyList"])
        return _ok()


# ---- Backup plans ----
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupPlan.html and the
# Get/Update/Delete/List/ListBackupPlanVersions pages; API_BackupRuleInput, API_Lifecycle,
# API_CopyAction. Checked as AWS does (InvalidParameterValueException): the plan's and rules' names
# (1-50 of [a-zA-Z0-9-_.], rule names unique in the plan), each rule's target vault exists in the
# Region, ScheduleExpression is a cron() expression, StartWindowMinutes at least 60, a lifecycle's
# DeleteAfterDays at least 90 days after MoveToColdStorageAfterDays when both are set, continuous
# backup (EnableContinuousBackup) kept 1-35 days and never moved to cold storage, a copy action's
# destination a backup vault ARN. A plan name is unique among the Region's plans
# (AlreadyExistsException). GetBackupPlan gives the plan as stored with each rule's RuleId and the
# defaults filled in (schedule cron(0 5 ? * * *), start window 480, completion window 10080,
# timezone Etc/UTC); every UpdateBackupPlan is a new VersionId (a rule keeps its RuleId by name);
# GetBackupPlan with VersionId gives that version. DeleteBackupPlan refuses a plan that still has
# selections (InvalidRequestException); a deleted plan is still answered by GetBackupPlan, with its
# DeletionDate, and listed by ListBackupPlans only with IncludeDeleted.


def _check_lifecycle(lifecycle, continuous=False, where="Lifecycle") -> None:  # type: ignore[no-untyped-def]
    if not lifecycle:
        return
    delete = _int(lifecycle.get("DeleteAfterDays"), f"{where}.DeleteAfterDays", 1)
    cold = _int(lifecycle.get("MoveToColdStorageAfterDays"), f"{where}.MoveToColdStorageAfterDays", 1)
    if delete is not None and cold is not None and delete < cold + 90:
        raise _invalid(
            f"Invalid {where}: DeleteAfterDays ({delete}) must be at least 90 days greater than "
            f"MoveToColdStorageAfterDays ({cold})."
        )
    if continuous and delete is not None and delete > 35:
        raise _invalid(
            f"Invalid {where}: a rule with EnableContinuousBackup keeps its continuous backups 1 to 35 days; "
            f"DeleteAfterDays is {delete}."
        )
    if continuous and cold is not None:
        raise _invalid(f"Invalid {where}: continuous backups cannot be moved to cold storage.")


def _plan_document(backend, document, previous=None):  # type: ignore[no-untyped-def]
    """The plan document as AWS stores it (defaults, RuleIds), after AWS's checks."""
    if not isinstance(document, dict):
        raise _missing("BackupPlan")
    name = document.get("BackupPlanName")
    if not name:
        raise _missing("BackupPlan.BackupPlanName")
    if not _NAME.match(name):
        raise _invalid(f"Invalid BackupPlanName {name}: it must be 1-50 characters of a-z, A-Z, 0-9, -, _ and .")
    rules = document.get("Rules")
    if not rules:
        raise _missing("BackupPlan.Rules")
    old_ids = {r["RuleName"]: r["RuleId"] for r in (previous or {}).get("Rules", [])}
    seen, out_rules = set(), []
    for rule in rules:
        rule_name = rule.get("RuleName")
        if not rule_name:
            raise _missing("RuleName")
        if not _NAME.match(rule_name):
            raise _invalid(f"Invalid RuleName {rule_name}: it must be 1-50 characters of a-z, A-Z, 0-9, -, _ and .")
        if rule_name in seen:
            raise _invalid(f"Rule names must be unique within a backup plan: {rule_name} is repeated.")
        seen.add(rule_name)
        vault_name = rule.get("TargetBackupVaultName")
        if not vault_name:
            raise _missing("TargetBackupVaultName")
        if not isinstance(backend.vaults.get(vault_name), Vault):
            raise _invalid(f"Backup vault {vault_name} does not exist in {backend.region_name}.")
        schedule = rule.get("ScheduleExpression") or DEFAULT_SCHEDULE
        if not _CRON.match(schedule):
            raise _invalid(f"Invalid ScheduleExpression {schedule}: it must be a cron expression, e.g. {DEFAULT_SCHEDULE}.")
        start = _int(rule.get("StartWindowMinutes"), "StartWindowMinutes", 60)
        completion = _int(rule.get("CompletionWindowMinutes"), "CompletionWindowMinutes", 1)
        continuous = bool(rule.get("EnableContinuousBackup"))
        _check_lifecycle(rule.get("Lifecycle"), continuous, f"Lifecycle of rule {rule_name}")
        for action in rule.get("CopyActions") or []:
            dest = action.get("DestinationBackupVaultArn")
            if not dest:
                raise _missing("DestinationBackupVaultArn")
            if not _VAULT_ARN.match(dest):
                raise _invalid(f"Invalid DestinationBackupVaultArn {dest}: it must be a backup vault ARN.")
            _check_lifecycle(action.get("Lifecycle"), False, f"Lifecycle of a copy action of rule {rule_name}")
        stored = dict(rule)
        stored["ScheduleExpression"] = schedule
        stored["StartWindowMinutes"] = start if start is not None else DEFAULT_START_WINDOW
        stored["CompletionWindowMinutes"] = completion if completion is not None else DEFAULT_COMPLETION_WINDOW
        stored["ScheduleExpressionTimezone"] = rule.get("ScheduleExpressionTimezone") or DEFAULT_TIMEZONE
        stored["RuleId"] = old_ids.get(rule_name) or str(uuid.uuid4())
        out_rules.append(stored)
    out = {k: v for k, v in document.items() if k != "Rules"}
    out["Rules"] = out_rules
    return out


def _plan(store, plan_id, live=False):  # type: ignore[no-untyped-def]
    if not plan_id:
        raise _missing("BackupPlanId")
    plan = store.plans.get(plan_id)
    if plan is None or (live and plan.deleted is not None):
        raise _not_found("Failed reading Backup plan with provided version")
    return plan


def _create_backup_plan(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    body = _json(self)
    with _LOCK:
        _settle()
        document = _plan_document(backend, body.get("BackupPlan"))
        name = document["BackupPlanName"]
        live = [p for p in store.plans.values() if p.deleted is None]
        for plan in live:
            if plan.document["BackupPlanName"] == name:
                raise _exists("Backup plan with the same plan document already exists", arn=plan.arn,
                              creator=plan.creator)
        if len(live) >= PLAN_QUOTA:
            raise _limit(f"The maximum number of backup plans ({PLAN_QUOTA}) has been reached.")
        plan = Plan(backend, document, body.get("CreatorRequestId"))
        store.plans[plan.id] = plan
        if body.get("BackupPlanTags"):
            backend.tag_resource(plan.arn, body["BackupPlanTags"])
        return _ok(_clean({
            "BackupPlanId": plan.id,
            "BackupPlanArn": plan.arn,
            "CreationDate": _ts(plan.created),
            "VersionId": plan.version,
            "AdvancedBackupSettings": document.get("AdvancedBackupSettings"),
        }))


def _get_backup_plan(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    q = _query(self)
    with _LOCK:
        _settle()
        plan = _plan(store, self.uri_match.get("backupPlanId"))
        version = q.get("versionId")
        if version and not any(v[0] == version for v in plan.versions):
            raise _not_found("Failed reading Backup plan with provided version")
        document = next((v[1] for v in plan.versions if v[0] == version), plan.document)
        out = plan.summary(version)
        out.pop("BackupPlanName", None)
        out["BackupPlan"] = document
        return _ok(out)


def _update_backup_plan(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    body = _json(self)
    with _LOCK:
        _settle()
        plan = _plan(store, self.uri_match.get("backupPlanId"), live=True)
        document = _plan_document(backend, body.get("BackupPlan"), previous=plan.document)
        for other in store.plans.values():
            if other is not plan and other.deleted is None and other.document["BackupPlanName"] == document["BackupPlanName"]:
                raise _exists("Backup plan with the same plan document already exists", arn=other.arn)
        plan.add_version(document)
        return _ok(_clean({
            "BackupPlanId": plan.id,
            "BackupPlanArn": plan.arn,
            "CreationDate": _ts(plan.versions[-1][2]),
            "VersionId": plan.version,
            "AdvancedBackupSettings": document.get("AdvancedBackupSettings"),
        }))


def _delete_backup_plan(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    with _LOCK:
        _settle()
        plan = _plan(store, self.uri_match.get("backupPlanId"), live=True)
        if any(s[0] == plan.id for s in store.selections.values()):
            raise _request("Related backup plan selections must be deleted prior to backup plan deletion.")
        plan.deleted = time.time()
        backend.tagger.delete_all_tags_for_resource(plan.arn)
        return _ok({"BackupPlanId": plan.id, "BackupPlanArn": plan.arn, "DeletionDate": _ts(plan.deleted),
                    "VersionId": plan.version})


def _list_backup_plans(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    q = _query(self)
    with _LOCK:
        _settle()
        include_deleted = str(q.get("includeDeleted", "")).lower() == "true"
        plans = [p for p in store.plans.values() if include_deleted or p.deleted is None]
        page, token = _page(plans, q)
        return _ok(_clean({"BackupPlansList": [p.summary() for p in page], "NextToken": token}))


def _list_backup_plan_versions(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    q = _query(self)
    with _LOCK:
        _settle()
        plan = _plan(store, self.uri_match.get("backupPlanId"))
        versions = [plan.summary(v[0]) for v in reversed(plan.versions)]
        page, token = _page(versions, q)
        return _ok(_clean({"BackupPlanVersionsList": page, "NextToken": token}))


# ---- Backup selections ----
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupSelection.html and the
# Get/List/Delete pages. The plan must exist and not be deleted (ResourceNotFoundException); the
# selection's name is 1-50 of [a-zA-Z0-9-_.] and unique in the plan (AlreadyExistsException);
# IamRoleArn is an IAM role ARN; at most SELECTION_QUOTA selections a plan (LimitExceededException).
# GetBackupSelection gives the selection as it was created.


def _check_role(arn, what="IamRoleArn") -> None:  # type: ignore[no-untyped-def]
    if not arn:
        raise _missing(what)
    if not _ROLE_ARN.match(arn):
        raise _invalid(f"Invalid {what} {arn}: it must be the ARN of an IAM role.")


def _create_backup_selection(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    body = _json(self)
    selection = body.get("BackupSelection")
    if not isinstance(selection, dict):
        raise _missing("BackupSelection")
    name = selection.get("SelectionName")
    if not name:
        raise _missing("SelectionName")
    if not _NAME.match(name):
        raise _invalid(f"Invalid SelectionName {name}: it must be 1-50 characters of a-z, A-Z, 0-9, -, _ and .")
    _check_role(selection.get("IamRoleArn"))
    for tag in selection.get("ListOfTags") or []:
        if tag.get("ConditionType") != "STRINGEQUALS":
            raise _invalid(f"Invalid ConditionType {tag.get('ConditionType')}: the only value is STRINGEQUALS.")
    with _LOCK:
        _settle()
        plan = _plan(store, self.uri_match.get("backupPlanId"), live=True)
        mine = [s for s in store.selections.values() if s[0] == plan.id]
        if any(s[1]["SelectionName"] == name for s in mine):
            raise _exists(f"Backup selection with name {name} already exists in backup plan {plan.id}",
                          creator=body.get("CreatorRequestId"))
        if len(mine) >= SELECTION_QUOTA:
            raise _limit(f"A backup plan can have at most {SELECTION_QUOTA} selections.")
        selection_id = str(uuid.uuid4())
        created = time.time()
        store.selections[selection_id] = (plan.id, dict(selection), created, body.get("CreatorRequestId"))
        return _ok({"SelectionId": selection_id, "BackupPlanId": plan.id, "CreationDate": _ts(created)})


def _selection(store, plan_id, selection_id):  # type: ignore[no-untyped-def]
    found = store.selections.get(selection_id or "")
    if found is None or found[0] != plan_id or store.plans.get(plan_id or "") is None:
        raise _not_found(f"Backup selection {selection_id} of backup plan {plan_id} does not exist.")
    return found


def _get_backup_selection(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    with _LOCK:
        _settle()
        plan_id, selection_id = self.uri_match.get("backupPlanId"), self.uri_match.get("selectionId")
        _, document, created, creator = _selection(store, plan_id, selection_id)
        return _ok(_clean({"BackupSelection": document, "SelectionId": selection_id, "BackupPlanId": plan_id,
                           "CreationDate": _ts(created), "CreatorRequestId": creator}))


def _list_backup_selections(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    q = _query(self)
    with _LOCK:
        _settle()
        plan = _plan(store, self.uri_match.get("backupPlanId"))
        items = [
            _clean({"SelectionId": sid, "SelectionName": s[1]["SelectionName"], "BackupPlanId": plan.id,
                    "CreationDate": _ts(s[2]), "CreatorRequestId": s[3], "IamRoleArn": s[1].get("IamRoleArn")})
            for sid, s in store.selections.items() if s[0] == plan.id
        ]
        page, token = _page(items, q)
        return _ok(_clean({"BackupSelectionsList": page, "NextToken": token}))


def _delete_backup_selection(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    with _LOCK:
        _settle()
        plan_id, selection_id = self.uri_match.get("backupPlanId"), self.uri_match.get("selectionId")
        _selection(store, plan_id, selection_id)
        del store.selections[selection_id]
        return _ok()


def _selects(document, arn, tags) -> bool:  # type: ignore[no-untyped-def]
    """Whether a backup selection selects a resource: its Resources or ListOfTags (either), all its
    Conditions, and none of its NotResources (developer guide, "Assigning resources to a backup plan")."""
    if any(_arn_match(p, arn) for p in document.get("NotResources") or []):
        return False
    resources = document.get("Resources") or []
    by_tag = document.get("ListOfTags") or []
    if (resources or by_tag) and not (
        any(_arn_match(p, arn) for p in resources)
        or any(tags.get(_tag_key(t.get("ConditionKey", ""))) == t.get("ConditionValue") for t in by_tag)
    ):
        return False
    conditions = document.get("Conditions") or {}
    for c in conditions.get("StringEquals") or []:
        if tags.get(_tag_key(c.get("ConditionKey", ""))) != c.get("ConditionValue"):
            return False
    for c in conditions.get("StringNotEquals") or []:
        if tags.get(_tag_key(c.get("ConditionKey", ""))) == c.get("ConditionValue"):
            return False
    for c in conditions.get("StringLike") or []:
        if not fnmatch.fnmatchcase(tags.get(_tag_key(c.get("ConditionKey", ""))) or "", c.get("ConditionValue") or ""):
            return False
    for c in conditions.get("StringNotLike") or []:
        if fnmatch.fnmatchcase(tags.get(_tag_key(c.get("ConditionKey", ""))) or "", c.get("ConditionValue") or ""):
            return False
    return bool(resources or by_tag or conditions)


def _rule_for(store, vault_name, arn):  # type: ignore[no-untyped-def]
    """(plan, rule) whose rule targets the vault in a plan that selects the resource, or None."""
    tags = _resource_tags(arn)
    for plan in store.plans.values():
        if plan.deleted is not None:
            continue
        if not any(s[0] == plan.id and _selects(s[1], arn, tags) for s in store.selections.values()):
            continue
        for rule in plan.document["Rules"]:
            if rule["TargetBackupVaultName"] == vault_name:
                return plan, rule
    return None


# ---- Backup jobs ----
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_StartBackupJob.html and the
# Describe/List/Stop pages. The vault and the resource (an RDS instance or cluster must exist in its
# Region) must exist (ResourceNotFoundException); the resource must be of the Region and of a type
# AWS Backup backs up, IamRoleArn an IAM role ARN, the lifecycle as a rule's
# (InvalidParameterValueException). The job is CREATED, RUNNING, then COMPLETED (see the header for
# its time) with its recovery point in the vault: RecoveryPointArn (given at once) is, for an RDS
# instance, `arn:aws:rds:<region>:<account>:snapshot:awsbackup:job-<id>`. A job into a locked vault
# whose retention is outside the lock's range FAILS. StopBackupJob aborts a job not yet ended
# (InvalidRequestException otherwise).


def _start_backup_job(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    body = _json(self)
    vault_name, arn = body.get("BackupVaultName"), body.get("ResourceArn")
    if not arn:
        raise _missing("ResourceArn")
    _check_role(body.get("IamRoleArn"))
    _check_lifecycle(body.get("Lifecycle"))
    start_window = _int(body.get("StartWindowMinutes"), "StartWindowMinutes", 60)
    _int(body.get("CompleteWindowMinutes"), "CompleteWindowMinutes", 1)
    with _LOCK:
        _settle()
        vault = _vault(backend, vault_name)
        kind, name, region, account, obj = _resource(arn)
        if region not in ("", backend.region_name) or account not in ("", backend.account_id):
            raise _invalid(f"Resource {arn} is not in this account and Region ({backend.account_id}, {backend.region_name}).")
        job = BackupJob(backend.account_id, backend.region_name, _scale(self), "backup_job")
        job.vault_name, job.vault_arn, job.key_arn = vault.name, vault.backup_vault_arn, vault.key_arn
        job.resource_arn, job.kind, job.resource_name = arn, kind, name
        job.role = body["IamRoleArn"]
        job.size = _size(obj)
        job.start_window = start_window or DEFAULT_START_WINDOW
        job.point_arn = _point_arn(kind, backend.partition, backend.region_name, backend.account_id, job.id)
        job.lifecycle, job.tags, job.created_by, job.copy_actions = body.get("Lifecycle"), body.get("RecoveryPointTags"), None, []
        found = _rule_for(store, vault.name, arn)
        if found is not None:
            plan, rule = found
            plan.last_execution = job.created
            job.created_by = _clean({
                "BackupPlanId": plan.id, "BackupPlanArn": plan.arn, "BackupPlanName": plan.document["BackupPlanName"],
                "BackupPlanVersion": plan.version, "BackupRuleId": rule["RuleId"], "BackupRuleName": rule["RuleName"],
                "BackupRuleCron": rule["ScheduleExpression"], "BackupRuleTimezone": rule["ScheduleExpressionTimezone"],
            })
            job.lifecycle = job.lifecycle or rule.get("Lifecycle")
            job.tags = {**(rule.get("RecoveryPointTags") or {}), **(job.tags or {})}
            job.copy_actions = [dict(a) for a in rule.get("CopyActions") or []]
        store.jobs[job.id] = job
        return _ok({"BackupJobId": job.id, "RecoveryPointArn": job.point_arn, "CreationDate": _ts(job.created),
                    "IsParent": False})


def _job(jobs, job_id, what):  # type: ignore[no-untyped-def]
    job = jobs.get(job_id or "")
    if job is None:
        raise _not_found(f"{what} {job_id} does not exist.")
    return job


def _describe_backup_job(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    with _LOCK:
        _settle()
        return _ok(_job(store.jobs, self.uri_match.get("backupJobId"), "Backup job").view())


def _stop_backup_job(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    with _LOCK:
        _settle()
        job = _job(store.jobs, self.uri_match.get("backupJobId"), "Backup job")
        if job.completed is not None or job.state == "ABORTED":
            raise _request(f"Backup job {job.id} is {job.state} and cannot be stopped.")
        job.state, job.completed, job.message = "ABORTED", time.time(), "Backup job was stopped by the user."
        return _ok()


def _within(t, q, after, before) -> bool:  # type: ignore[no-untyped-def]
    low, high = _parse_time(q.get(after)), _parse_time(q.get(before))
    if low is not None and (t is None or t < low):
        return False
    return not (high is not None and (t is None or t > high))


def _newest_first(items):  # type: ignore[no-untyped-def]
    return sorted(items, key=lambda j: j.created, reverse=True)


def _list_backup_jobs(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    q = _query(self)
    with _LOCK:
        _settle()
        jobs = [
            j for j in _newest_first(store.jobs.values())
            if q.get("resourceArn") in (None, "", j.resource_arn)
            and q.get("state") in (None, "", j.state)
            and q.get("backupVaultName") in (None, "", j.vault_name)
            and q.get("resourceType") in (None, "", j.kind)
            and q.get("accountId") in (None, "", j.account_id)
            and _within(j.created, q, "createdAfter", "createdBefore")
            and (not (q.get("completeAfter") or q.get("completeBefore")) or _within(j.completed, q, "completeAfter", "completeBefore"))
        ]
        page, token = _page(jobs, q)
        return _ok(_clean({"BackupJobs": [j.view() for j in page], "NextToken": token}))


# ---- Copy jobs ----
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_ListCopyJobs.html, API_DescribeCopyJob,
# API_StartCopyJob; developer guide "Creating backup copies across AWS Regions". A copy job is the
# source Region's (listed and described there); CREATED, RUNNING, then COMPLETED with its recovery
# point in the destination vault, in that vault's Region and account (an RDS snapshot copy:
# `...:snapshot:awsbackup:copyjob-<id>`, encrypted with the destination vault's key, with the copy
# action's lifecycle), or FAILED when the destination vault does not exist or its lock refuses the
# retention. StartCopyJob: the source vault and its recovery point must exist
# (ResourceNotFoundException), the destination be a backup vault ARN (InvalidParameterValueException).


def _start_copy_job(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    body = _json(self)
    for required in ("RecoveryPointArn", "SourceBackupVaultName", "DestinationBackupVaultArn"):
        if not body.get(required):
            raise _missing(required)
    _check_role(body.get("IamRoleArn"))
    dest = body["DestinationBackupVaultArn"]
    if not _VAULT_ARN.match(dest):
        raise _invalid(f"Invalid DestinationBackupVaultArn {dest}: it must be a backup vault ARN.")
    _check_lifecycle(body.get("Lifecycle"))
    with _LOCK:
        _settle()
        vault = _vault(backend, body["SourceBackupVaultName"])
        point = store.points.get(body["RecoveryPointArn"])
        if point is None or point.vault_name != vault.name:
            raise _not_found(f"Recovery point {body['RecoveryPointArn']} does not exist in backup vault {vault.name}.")
        if point.status != "COMPLETED":
            raise _state(f"Recovery point {point.arn} is {point.status}.")
        job = _start_copy(backend, store, point, dest, body.get("Lifecycle"), body["IamRoleArn"], None, _scale(self))
        return _ok({"CopyJobId": job.id, "CreationDate": _ts(job.created), "IsParent": False})


def _describe_copy_job(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    with _LOCK:
        _settle()
        return _ok({"CopyJob": _job(store.copy_jobs, self.uri_match.get("copyJobId"), "Copy job").view()})


def _list_copy_jobs(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    q = _query(self)
    with _LOCK:
        _settle()
        jobs = [
            j for j in _newest_first(store.copy_jobs.values())
            if q.get("resourceArn") in (None, "", j.resource_arn)
            and q.get("state") in (None, "", j.state)
            and q.get("resourceType") in (None, "", j.kind)
            and q.get("destinationVaultArn") in (None, "", j.dest_vault_arn)
            and q.get("sourceRecoveryPointArn") in (None, "", j.source_point_arn)
            and q.get("accountId") in (None, "", j.account_id)
            and _within(j.created, q, "createdAfter", "createdBefore")
            and (not (q.get("completeAfter") or q.get("completeBefore")) or _within(j.completed, q, "completeAfter", "completeBefore"))
        ]
        page, token = _page(jobs, q)
        return _ok(_clean({"CopyJobs": [j.view() for j in page], "NextToken": token}))


# ---- Recovery points ----
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_ListRecoveryPointsByBackupVault.html,
# API_ListRecoveryPointsByResource, API_DescribeRecoveryPoint, API_DeleteRecoveryPoint.
# DescribeRecoveryPoint: ResourceNotFoundException for a vault or a point not in it. DeleteRecoveryPoint
# is asynchronous: the point is DELETING (still listed, still counted by its vault), then gone.
# A vault lock with MinRetentionDays refuses to delete a point younger than that
# (InvalidRequestException); a point already DELETING is InvalidResourceStateException.


def _list_points_by_vault(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    q = _query(self)
    with _LOCK:
        _settle()
        vault = _vault(backend, self.uri_match.get("backupVaultName"))
        points = [
            p for p in sorted(_vault_points(store, vault), key=lambda p: p.created, reverse=True)
            if q.get("resourceArn") in (None, "", p.resource_arn)
            and q.get("resourceType") in (None, "", p.kind)
            and q.get("backupPlanId") in (None, "", (p.created_by or {}).get("BackupPlanId"))
            and _within(p.created, q, "createdAfter", "createdBefore")
        ]
        page, token = _page(points, q)
        return _ok(_clean({"RecoveryPoints": [p.view(listed=True) for p in page], "NextToken": token}))


def _list_points_by_resource(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    q = _query(self)
    with _LOCK:
        _settle()
        arn = self.uri_match.get("resourceArn")
        if not arn:
            raise _missing("ResourceArn")
        points = sorted((p for p in store.points.values() if p.resource_arn == arn), key=lambda p: p.created, reverse=True)
        page, token = _page(points, q)
        return _ok(_clean({"RecoveryPoints": [p.by_resource() for p in page], "NextToken": token}))


def _point(backend, store, vault_name, arn):  # type: ignore[no-untyped-def]
    vault = _vault(backend, vault_name)
    point = store.points.get(arn or "")
    if point is None or point.vault_name != vault.name:
        raise _not_found(f"Recovery point {arn} does not exist in backup vault {vault.name}.")
    return vault, point


def _describe_point(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    with _LOCK:
        _settle()
        _, point = _point(backend, store, self.uri_match.get("backupVaultName"), self.uri_match.get("recoveryPointArn"))
        return _ok(point.view())


def _delete_point(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    with _LOCK:
        _settle()
        vault, point = _point(backend, store, self.uri_match.get("backupVaultName"), self.uri_match.get("recoveryPointArn"))
        if point.status == "DELETING":
            raise _state(f"Recovery point {point.arn} is already being deleted.")
        now = time.time()
        if vault.locked and vault.min_days is not None and now < point.created + vault.min_days * DAY:
            raise _request(
                f"Recovery point {point.arn} cannot be deleted: backup vault {vault.name} is locked with a "
                f"minimum retention period of {vault.min_days} days, which has not passed."
            )
        point.status = "DELETING"
        point.gone_at = now + _seconds(_scale(self), "backup_recovery_point_delete", STEP_SECONDS)
        return _ok()


# ---- Protected resources ----
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_ListProtectedResources.html,
# API_DescribeProtectedResource: the resources with a recovery point in the Region (the latest
# one's vault and ARN), and the latest restore of one; ResourceNotFoundException for a resource with
# none.


def _protected(store):  # type: ignore[no-untyped-def]
    latest: dict = {}
    for p in store.points.values():
        if p.status == "COMPLETED" and (p.resource_arn not in latest or p.created > latest[p.resource_arn].created):
            latest[p.resource_arn] = p
    return latest


def _protected_view(point) -> dict:  # type: ignore[no-untyped-def]
    return {"ResourceArn": point.resource_arn, "ResourceType": point.kind, "LastBackupTime": _ts(point.created),
            "ResourceName": point.resource_name, "LastBackupVaultArn": point.vault_arn,
            "LastRecoveryPointArn": point.arn}


def _list_protected_resources(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    q = _query(self)
    with _LOCK:
        _settle()
        items = [_protected_view(p) for _, p in sorted(_protected(store).items())]
        page, token = _page(items, q)
        return _ok(_clean({"Results": page, "NextToken": token}))


def _describe_protected_resource(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    with _LOCK:
        _settle()
        arn = self.uri_match.get("resourceArn")
        point = _protected(store).get(arn or "")
        if point is None:
            raise _not_found(f"Resource {arn} is not protected by AWS Backup in {backend.region_name}.")
        out = _protected_view(point)
        restores = [j for j in store.restore_jobs.values() if j.source_arn == arn and j.state == "COMPLETED"]
        if restores:
            last = max(restores, key=lambda j: j.created)
            out.update(LatestRestoreExecutionTimeMinutes=max(1, int((last.completed - last.created) // 60)),
                       LatestRestoreJobCreationDate=_ts(last.created),
                       LatestRestoreRecoveryPointCreationDate=_ts(last.point_created))
        return _ok(out)


# ---- Restore testing plans ----
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateRestoreTestingPlan.html and the
# Get/Update/Delete/List pages; API_RestoreTestingRecoveryPointSelection. The name is letters,
# digits and underscores, at most 50, unique in the Region (AlreadyExistsException), and cannot
# change; ScheduleExpression is a cron() expression; StartWindowHours 1-168 (default 24);
# RecoveryPointSelection: Algorithm LATEST_WITHIN_WINDOW or RANDOM_WITHIN_WINDOW, IncludeVaults
# (required: "*" or backup vault ARNs, wildcards allowed) and ExcludeVaults, RecoveryPointTypes
# (required: CONTINUOUS and/or SNAPSHOT), SelectionWindowDays 1-365 (default 30). Missing required
# members are MissingParameterValueException, bad values InvalidParameterValueException. The ARN is
# `...:restore-testing-plan:<name>-<id>`. Create answers 201, Delete 204; Delete refuses a plan with
# selections (InvalidRequestException).


def _check_point_selection(selection, partial=False) -> dict:  # type: ignore[no-untyped-def]
    if not isinstance(selection, dict):
        raise _missing("RecoveryPointSelection")
    out = dict(selection)
    algorithm = selection.get("Algorithm")
    if algorithm is None and not partial:
        raise _missing("RecoveryPointSelection.Algorithm")
    if algorithm is not None and algorithm not in ("LATEST_WITHIN_WINDOW", "RANDOM_WITHIN_WINDOW"):
        raise _invalid(f"Invalid Algorithm {algorithm}: LATEST_WITHIN_WINDOW or RANDOM_WITHIN_WINDOW.")
    for key in ("IncludeVaults", "ExcludeVaults"):
        values = selection.get(key)
        if values is None:
            if key == "IncludeVaults" and not partial:
                raise _missing("RecoveryPointSelection.IncludeVaults")
            continue
        if key == "IncludeVaults" and not values:
            raise _invalid("IncludeVaults must name at least one backup vault ARN, or *.")
        for v in values:
            if v != "*" and not _VAULT_ARN_PATTERN.match(v):
                raise _invalid(f"Invalid {key} value {v}: it must be * or a backup vault ARN.")
    types = selection.get("RecoveryPointTypes")
    if types is None and not partial:
        raise _missing("RecoveryPointSelection.RecoveryPointTypes")
    if types is not None and (not types or any(t not in ("CONTINUOUS", "SNAPSHOT") for t in types)):
        raise _invalid(f"Invalid RecoveryPointTypes {types}: CONTINUOUS and/or SNAPSHOT.")
    days = _int(selection.get("SelectionWindowDays"), "SelectionWindowDays", 1, 365)
    if days is None and not partial:
        out["SelectionWindowDays"] = DEFAULT_SELECTION_WINDOW_DAYS
    return out


def _check_schedule(schedule, what="ScheduleExpression") -> None:  # type: ignore[no-untyped-def]
    if not schedule:
        raise _missing(what)
    if not _CRON.match(schedule):
        raise _invalid(f"Invalid {what} {schedule}: it must be a cron expression, e.g. {DEFAULT_SCHEDULE}.")


def _rt_plan(store, name):  # type: ignore[no-untyped-def]
    if not name:
        raise _missing("RestoreTestingPlanName")
    plan = store.rt_plans.get(name)
    if plan is None:
        raise _not_found(f"Restore testing plan {name} does not exist.")
    return plan


def _create_rt_plan(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    body = _json(self)
    doc = body.get("RestoreTestingPlan")
    if not isinstance(doc, dict):
        raise _missing("RestoreTestingPlan")
    name = doc.get("RestoreTestingPlanName")
    if not name:
        raise _missing("RestoreTestingPlanName")
    if not _RT_NAME.match(name):
        raise _invalid(f"Invalid RestoreTestingPlanName {name}: at most 50 letters, digits and underscores.")
    _check_schedule(doc.get("ScheduleExpression"))
    hours = _int(doc.get("StartWindowHours"), "StartWindowHours", 1, 168)
    selection = _check_point_selection(doc.get("RecoveryPointSelection"))
    with _LOCK:
        _settle()
        if name in store.rt_plans:
            raise _exists(f"Restore testing plan {name} already exists.", arn=store.rt_plans[name].arn,
                          creator=body.get("CreatorRequestId"))
        if len(store.rt_plans) >= RT_PLAN_QUOTA:
            raise _limit(f"The maximum number of restore testing plans ({RT_PLAN_QUOTA}) has been reached.")
        plan = RestoreTestingPlan(backend, name)
        plan.creator = body.get("CreatorRequestId")
        plan.schedule = doc["ScheduleExpression"]
        plan.timezone = doc.get("ScheduleExpressionTimezone") or DEFAULT_TIMEZONE
        plan.start_window = hours if hours is not None else DEFAULT_START_WINDOW_HOURS
        plan.selection = selection
        store.rt_plans[name] = plan
        if body.get("Tags"):
            backend.tag_resource(plan.arn, body["Tags"])
        return _ok({"CreationTime": _ts(plan.created), "RestoreTestingPlanArn": plan.arn,
                    "RestoreTestingPlanName": name}, 201)


def _get_rt_plan(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    with _LOCK:
        _settle()
        return _ok({"RestoreTestingPlan": _rt_plan(store, self.uri_match.get("RestoreTestingPlanName")).view()})


def _update_rt_plan(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    doc = _json(self).get("RestoreTestingPlan")
    if not isinstance(doc, dict):
        raise _missing("RestoreTestingPlan")
    if doc.get("ScheduleExpression") is not None:
        _check_schedule(doc["ScheduleExpression"])
    hours = _int(doc.get("StartWindowHours"), "StartWindowHours", 1, 168)
    selection = None
    if doc.get("RecoveryPointSelection") is not None:
        selection = _check_point_selection(doc["RecoveryPointSelection"], partial=True)
    with _LOCK:
        _settle()
        plan = _rt_plan(store, self.uri_match.get("RestoreTestingPlanName"))
        if doc.get("ScheduleExpression") is not None:
            plan.schedule = doc["ScheduleExpression"]
        if doc.get("ScheduleExpressionTimezone"):
            plan.timezone = doc["ScheduleExpressionTimezone"]
        if hours is not None:
            plan.start_window = hours
        if selection is not None:
            plan.selection = {**plan.selection, **selection}
        plan.updated = time.time()
        return _ok({"CreationTime": _ts(plan.created), "RestoreTestingPlanArn": plan.arn,
                    "RestoreTestingPlanName": plan.name, "UpdateTime": _ts(plan.updated)})


def _delete_rt_plan(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    with _LOCK:
        _settle()
        plan = _rt_plan(store, self.uri_match.get("RestoreTestingPlanName"))
        if any(k[0] == plan.name for k in store.rt_selections):
            raise _request(
                f"Restore testing plan {plan.name} has restore testing selections: delete them before the plan."
            )
        del store.rt_plans[plan.name]
        backend.tagger.delete_all_tags_for_resource(plan.arn)
        return _ok(status=204)


def _list_rt_plans(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    q = _query(self)
    with _LOCK:
        _settle()
        page, token = _page(list(store.rt_plans.values()), q, "MaxResults", "NextToken")
        return _ok(_clean({"RestoreTestingPlans": [p.summary() for p in page], "NextToken": token}))


# ---- Restore testing selections ----
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateRestoreTestingSelection.html and
# the Get/Update/Delete/List pages. The plan must exist (ResourceNotFoundException); the name is
# letters, digits and underscores, at most 50, unique in the plan (AlreadyExistsException);
# ProtectedResourceType one AWS Backup restores (RESTORE_TEST_TYPES); IamRoleArn an IAM role ARN;
# ProtectedResourceArns either specific ARNs or ["*"], and ProtectedResourceConditions only with
# ["*"] (one of them is required); ValidationWindowHours 0-168; at most RT_SELECTION_QUOTA a plan
# (LimitExceededException). RestoreMetadataOverrides (keys case-insensitive) are kept as given and
# returned by GetRestoreTestingSelection. Create answers 201, Delete 204.


def _apply_rt_selection(selection, doc, partial=False) -> None:  # type: ignore[no-untyped-def]
    kind = doc.get("ProtectedResourceType")
    if kind is None and not partial:
        raise _missing("ProtectedResourceType")
    if kind is not None and kind not in RESTORE_TEST_TYPES:
        raise _invalid(f"Invalid ProtectedResourceType {kind}: one of {', '.join(RESTORE_TEST_TYPES)}.")
    if doc.get("IamRoleArn") is not None or not partial:
        _check_role(doc.get("IamRoleArn"))
    arns = doc.get("ProtectedResourceArns") if doc.get("ProtectedResourceArns") is not None else selection.arns
    arns = list(arns or [])
    conditions = doc.get("ProtectedResourceConditions")
    if conditions is None and arns == ["*"]:
        conditions = selection.conditions  # kept by an update that does not give them
    if not arns and not conditions:
        raise _missing("ProtectedResourceArns")
    if "*" in arns and len(arns) > 1:
        raise _invalid('ProtectedResourceArns is either ["*"] or a list of resource ARNs, not both.')
    if conditions and arns and arns != ["*"]:
        raise _invalid('ProtectedResourceConditions can only be given with ProtectedResourceArns ["*"].')
    for arn in arns:
        if arn != "*" and _ARN.match(arn) is None:
            raise _invalid(f"Invalid ProtectedResourceArns value {arn}.")
    hours = _int(doc.get("ValidationWindowHours"), "ValidationWindowHours", 0, 168)
    overrides = doc.get("RestoreMetadataOverrides")
    if overrides is not None and not isinstance(overrides, dict):
        raise _invalid("RestoreMetadataOverrides must be a map of strings.")
    if kind is not None:
        selection.kind = kind
    if doc.get("IamRoleArn") is not None:
        selection.role = doc["IamRoleArn"]
    selection.arns = arns or ["*"]  # conditions alone apply to every resource of the type
    selection.conditions = conditions
    if hours is not None:
        selection.validation_hours = hours
    if overrides is not None:
        selection.overrides = dict(overrides)


def _rt_selection(store, plan_name, name):  # type: ignore[no-untyped-def]
    _rt_plan(store, plan_name)
    selection = store.rt_selections.get((plan_name, name or ""))
    if selection is None:
        raise _not_found(f"Restore testing selection {name} of restore testing plan {plan_name} does not exist.")
    return selection


def _create_rt_selection(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    body = _json(self)
    doc = body.get("RestoreTestingSelection")
    if not isinstance(doc, dict):
        raise _missing("RestoreTestingSelection")
    name = doc.get("RestoreTestingSelectionName")
    if not name:
        raise _missing("RestoreTestingSelectionName")
    if not _RT_NAME.match(name):
        raise _invalid(f"Invalid RestoreTestingSelectionName {name}: at most 50 letters, digits and underscores.")
    with _LOCK:
        _settle()
        plan = _rt_plan(store, self.uri_match.get("RestoreTestingPlanName"))
        if (plan.name, name) in store.rt_selections:
            raise _exists(f"Restore testing selection {name} already exists in restore testing plan {plan.name}.",
                          creator=body.get("CreatorRequestId"))
        if sum(1 for k in store.rt_selections if k[0] == plan.name) >= RT_SELECTION_QUOTA:
            raise _limit(f"A restore testing plan can have at most {RT_SELECTION_QUOTA} selections.")
        selection = RestoreTestingSelection(plan, name)
        _apply_rt_selection(selection, doc)
        selection.creator = body.get("CreatorRequestId")
        store.rt_selections[(plan.name, name)] = selection
        return _ok({"CreationTime": _ts(selection.created), "RestoreTestingPlanArn": plan.arn,
                    "RestoreTestingPlanName": plan.name, "RestoreTestingSelectionName": name}, 201)


def _get_rt_selection(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    with _LOCK:
        _settle()
        selection = _rt_selection(store, self.uri_match.get("RestoreTestingPlanName"),
                                  self.uri_match.get("RestoreTestingSelectionName"))
        return _ok({"RestoreTestingSelection": selection.view()})


def _update_rt_selection(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    doc = _json(self).get("RestoreTestingSelection")
    if not isinstance(doc, dict):
        raise _missing("RestoreTestingSelection")
    with _LOCK:
        _settle()
        selection = _rt_selection(store, self.uri_match.get("RestoreTestingPlanName"),
                                  self.uri_match.get("RestoreTestingSelectionName"))
        _apply_rt_selection(selection, doc, partial=True)
        selection.updated = time.time()
        return _ok({"CreationTime": _ts(selection.created), "RestoreTestingPlanArn": selection.plan.arn,
                    "RestoreTestingPlanName": selection.plan.name,
                    "RestoreTestingSelectionName": selection.name, "UpdateTime": _ts(selection.updated)})


def _delete_rt_selection(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    with _LOCK:
        _settle()
        selection = _rt_selection(store, self.uri_match.get("RestoreTestingPlanName"),
                                  self.uri_match.get("RestoreTestingSelectionName"))
        del store.rt_selections[(selection.plan.name, selection.name)]
        return _ok(status=204)


def _list_rt_selections(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    q = _query(self)
    with _LOCK:
        _settle()
        plan = _rt_plan(store, self.uri_match.get("RestoreTestingPlanName"))
        items = [s.summary() for k, s in store.rt_selections.items() if k[0] == plan.name]
        page, token = _page(items, q, "MaxResults", "NextToken")
        return _ok(_clean({"RestoreTestingSelections": page, "NextToken": token}))


# ---- Restore jobs ----
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_ListRestoreJobs.html,
# API_DescribeRestoreJob, API_ListRestoreJobsByProtectedResource, API_PutRestoreValidationResult.
# Restore jobs are made by a restore testing run (the local hook, see the header). DescribeRestoreJob
# of an unknown id is ResourceNotFoundException. PutRestoreValidationResult (204) records a
# restore test's validation (SUCCESSFUL, FAILED, SKIPPED...) on a COMPLETED job of a restore testing
# plan, and starts the restored resource's deletion if the validation window still runs
# (InvalidRequestException for a job that is not such, or not completed).


def _list_restore_jobs(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    q = _query(self)
    with _LOCK:
        _settle()
        jobs = [
            j for j in _newest_first(store.restore_jobs.values())
            if q.get("status") in (None, "", j.state)
            and q.get("resourceType") in (None, "", j.kind)
            and q.get("accountId") in (None, "", j.account_id)
            and q.get("restoreTestingPlanArn") in (None, "", j.plan_arn)
            and _within(j.created, q, "createdAfter", "createdBefore")
            and (not (q.get("completeAfter") or q.get("completeBefore")) or _within(j.completed, q, "completeAfter", "completeBefore"))
        ]
        page, token = _page(jobs, q)
        return _ok(_clean({"RestoreJobs": [j.view() for j in page], "NextToken": token}))


def _list_restore_jobs_by_resource(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    q = _query(self)
    with _LOCK:
        _settle()
        arn = self.uri_match.get("resourceArn")
        if not arn:
            raise _missing("ResourceArn")
        jobs = [
            j for j in _newest_first(store.restore_jobs.values())
            if j.source_arn == arn
            and q.get("status") in (None, "", j.state)
            and _within(j.point_created, q, "recoveryPointCreationDateAfter", "recoveryPointCreationDateBefore")
        ]
        page, token = _page(jobs, q)
        return _ok(_clean({"RestoreJobs": [j.view() for j in page], "NextToken": token}))


def _describe_restore_job(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    with _LOCK:
        _settle()
        return _ok(_job(store.restore_jobs, self.uri_match.get("restoreJobId"), "Restore job").view())


def _put_restore_validation(self):  # type: ignore[no-untyped-def]
    backend, store = _ctx(self)
    body = _json(self)
    status = body.get("ValidationStatus")
    if not status:
        raise _missing("ValidationStatus")
    if status not in ("FAILED", "SUCCESSFUL", "TIMED_OUT", "VALIDATING", "SKIPPED"):
        raise _invalid(f"Invalid ValidationStatus {status}.")
    with _LOCK:
        _settle()
        job = _job(store.restore_jobs, self.uri_match.get("restoreJobId"), "Restore job")
        if job.plan_arn is None or job.state != "COMPLETED":
            raise _request(f"Restore job {job.id} is not a completed restore test: its validation cannot be set.")
        job.validation, job.validation_message = status, body.get("ValidationStatusMessage")
        if job.deletion is None:
            job.delete_from = min(job.delete_from or time.time(), time.time())
        _advance_restore(store, job, time.time())
        return _ok(status=204)


# ---- A restore testing run (the local hook) ----


def _override(overrides, key):  # type: ignore[no-untyped-def]
    for k, v in overrides.items():
        if k.lower() == key.lower():
            return v
    return None


def _override_failure(account_id, region, overrides):  # type: ignore[no-untyped-def]
    """The StatusMessage of a restore whose metadata overrides name what does not exist, else None."""
    groups = _override(overrides, "vpcSecurityGroupIds")
    if groups:
        try:
            ids = json.loads(groups) if groups.strip().startswith("[") else groups.split(",")
        except ValueError:
            ids = [groups]
        ec2 = ec2_backends[account_id][region]
        for group in (str(i).strip() for i in ids):
            if group and ec2.get_security_group_from_id(group) is None:
                return f"Restore failed: the security group '{group}' does not exist (vpcSecurityGroupIds)."
    subnet_group = _override(overrides, "dbSubnetGroupName")
    if subnet_group and subnet_group not in rds_backends[account_id][region].subnet_groups:
        return f"Restore failed: DB subnet group '{subnet_group}' does not exist (dbSubnetGroupName)."
    return None


def _vault_included(selection, vault_arn) -> bool:  # type: ignore[no-untyped-def]
    if not any(_arn_match(p, vault_arn) for p in selection.get("IncludeVaults") or []):
        return False
    return not any(_arn_match(p, vault_arn) for p in selection.get("ExcludeVaults") or [])


def _conditions_hold(conditions, tags) -> bool:  # type: ignore[no-untyped-def]
    for c in (conditions or {}).get("StringEquals") or []:
        if tags.get(_tag_key(c.get("Key", ""))) != c.get("Value"):
            return False
    for c in (conditions or {}).get("StringNotEquals") or []:
        if tags.get(_tag_key(c.get("Key", ""))) == c.get("Value"):
            return False
    return True


def _run_restore_test(backend, store, plan, fail, scale):  # type: ignore[no-untyped-def]
    now = time.time()
    window = plan.selection.get("SelectionWindowDays") or DEFAULT_SELECTION_WINDOW_DAYS
    eligible = [
        p for p in store.points.values()
        if p.status == "COMPLETED"
        and "SNAPSHOT" in (plan.selection.get("RecoveryPointTypes") or [])
        and _vault_included(plan.selection, p.vault_arn)
        and p.created >= now - window * DAY
    ]
    started, skipped = [], []
    for (plan_name, _), selection in list(store.rt_selections.items()):
        if plan_name != plan.name:
            continue
        mine = [p for p in eligible if p.kind == selection.kind]
        if selection.arns == ["*"]:
            arns = sorted({p.resource_arn for p in mine})
            arns = [a for a in arns if _conditions_hold(selection.conditions, _resource_tags(a))]
        else:
            arns = list(selection.arns)
        for arn in arns:
            points = [p for p in mine if p.resource_arn == arn]
            if not points:
                skipped.append({"ProtectedResourceArn": arn, "RestoreTestingSelectionName": selection.name,
                                "Reason": f"No {selection.kind} recovery point within the last {window} days in the included vaults."})
                continue
            if plan.selection.get("Algorithm") == "RANDOM_WITHIN_WINDOW":
                point = random.choice(points)
            else:
                point = max(points, key=lambda p: p.created)
            job = RestoreJob(backend.account_id, backend.region_name, scale, "backup_restore_job")
            job.point_arn, job.point_created, job.vault_arn = point.arn, point.created, point.vault_arn
            job.source_arn, job.kind, job.size = arn, point.kind, point.size
            job.role, job.plan_arn = selection.role, plan.arn
            job.created_arn = _restored_arn(point.kind, backend.partition, backend.region_name, backend.account_id)
            job.validation = job.validation_message = job.deletion = job.deletion_message = None
            job.delete_from = None
            hours = selection.validation_hours
            job.validation_window = (hours * 3600.0 * scale if scale is not None else JOB_SECONDS) if hours else 0.0
            job.fail = (
                "Restore failed: the restore test run was asked to fail (local AWS hook, fail=true)." if fail
                else _override_failure(backend.account_id, backend.region_name, selection.overrides)
            )
            store.restore_jobs[job.id] = job
            started.append(job.id)
    plan.last_execution = now
    return started, skipped


# ---- the local-only hooks: /_local/backup/... (see the header) ----


def _hook_answer(start_response, status, payload):  # type: ignore[no-untyped-def]
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def _local_hook(environ, start_response):  # type: ignore[no-untyped-def]
    path = environ.get("PATH_INFO", "").rstrip("/")
    q = {k: v[0] for k, v in urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).items()}
    if environ.get("REQUEST_METHOD") != "POST":
        return _hook_answer(start_response, "405 Method Not Allowed", {"message": "POST only"})
    account_id = q.get("account") or DEFAULT_ACCOUNT
    region = q.get("region") or "us-east-1"
    try:
        backend = _backend(account_id, region)
    except KeyError:
        return _hook_answer(start_response, "400 Bad Request", {"message": f"unknown Region {region}"})
    store = _store(backend)
    m = re.match(r"^/_local/backup/restore-testing/([^/]+)/run$", path)
    with _LOCK:
        _settle()
        if m is not None:
            name = urllib.parse.unquote(m.group(1))
            plan = store.rt_plans.get(name)
            if plan is None:
                return _hook_answer(start_response, "404 Not Found",
                                    {"message": f"Restore testing plan {name} does not exist in {account_id} {region}."})
            fail = str(q.get("fail", "")).lower() == "true"
            scale = _scale_of_key(q.get("key")) if q.get("key") else _scale_of_key(
                faults._credential({"HTTP_AUTHORIZATION": environ.get("HTTP_AUTHORIZATION", "")})[0])
            started, skipped = _run_restore_test(backend, store, plan, fail, scale)
            return _hook_answer(start_response, "200 OK", {"RestoreTestingPlanName": plan.name,
                                                           "RestoreTestingPlanArn": plan.arn,
                                                           "RestoreJobIds": started, "Skipped": skipped})
        if path == "/_local/backup/age":
            try:
                days = float(q.get("days", "0"))
            except ValueError:
                return _hook_answer(start_response, "400 Bad Request", {"message": "days must be a number"})
            shift = days * DAY
            names = [q["vault"]] if q.get("vault") else [n for n, v in backend.vaults.items() if isinstance(v, Vault)]
            aged = []
            for name in names:
                vault = backend.vaults.get(name)
                if not isinstance(vault, Vault):
                    return _hook_answer(start_response, "404 Not Found", {"message": f"Backup vault {name} does not exist."})
                if vault.lock_date is not None:
                    vault.lock_date -= shift
                for point in _vault_points(store, vault):
                    point.created -= shift
                    point.initiated -= shift
                    point.completed -= shift
                aged.append(name)
            _settle()
            return _hook_answer(start_response, "200 OK", {"aged": aged, "days": days})
    return _hook_answer(start_response, "404 Not Found", {"message": f"no local hook {path}"})


_moto_dispatcher_call = DomainDispatcherApplication.__call__


def _dispatcher_call(self, environ, start_response):  # type: ignore[no-untyped-def]
    if environ.get("PATH_INFO", "").startswith("/_local/backup/"):
        return _local_hook(environ, start_response)
    return _moto_dispatcher_call(self, environ, start_response)


DomainDispatcherApplication.__call__ = _dispatcher_call


# ---- wiring into moto's backup service ----


def _ctx(self):  # type: ignore[no-untyped-def]
    backend = backup_backends[self.current_account][self.region]
    return backend, _store(backend)


def _json(self) -> dict:  # type: ignore[no-untyped-def]
    if not self.body:
        return {}
    try:
        body = json.loads(self.body)
    except ValueError:
        raise _invalid("The request body is not valid JSON.") from None
    return body if isinstance(body, dict) else {}


def _query(self) -> dict:  # type: ignore[no-untyped-def]
    # Not self.querystring: moto fills that with the request headers when there is no query string.
    pairs = urllib.parse.parse_qs(self.parsed_url.query, keep_blank_values=True)
    return {k: v[0] for k, v in pairs.items()}


def _ok(payload=None, status=200):  # type: ignore[no-untyped-def]
    body = "" if payload is None or status == 204 else json.dumps(payload)
    return body, {"status": status, "Content-Type": "application/json"}


_HANDLERS = {
    "create_backup_vault": _create_backup_vault,
    "describe_backup_vault": _describe_backup_vault,
    "delete_backup_vault": _delete_backup_vault,
    "list_backup_vaults": _list_backup_vaults,
    "put_backup_vault_lock_configuration": _put_lock,
    "delete_backup_vault_lock_configuration": _delete_lock,
    "list_tags": _list_tags,
    "tag_resource": _tag_resource,
    "untag_resource": _untag_resource,
    "create_backup_plan": _create_backup_plan,
    "get_backup_plan": _get_backup_plan,
    "update_backup_plan": _update_backup_plan,
    "delete_backup_plan": _delete_backup_plan,
    "list_backup_plans": _list_backup_plans,
    "list_backup_plan_versions": _list_backup_plan_versions,
    "create_backup_selection": _create_backup_selection,
    "get_backup_selection": _get_backup_selection,
    "list_backup_selections": _list_backup_selections,
    "delete_backup_selection": _delete_backup_selection,
    "start_backup_job": _start_backup_job,
    "describe_backup_job": _describe_backup_job,
    "stop_backup_job": _stop_backup_job,
    "list_backup_jobs": _list_backup_jobs,
    "start_copy_job": _start_copy_job,
    "describe_copy_job": _describe_copy_job,
    "list_copy_jobs": _list_copy_jobs,
    "list_recovery_points_by_backup_vault": _list_points_by_vault,
    "list_recovery_points_by_resource": _list_points_by_resource,
    "describe_recovery_point": _describe_point,
    "delete_recovery_point": _delete_point,
    "create_restore_testing_plan": _create_rt_plan,
    "get_restore_testing_plan": _get_rt_plan,
    "update_restore_testing_plan": _update_rt_plan,
    "delete_restore_testing_plan": _delete_rt_plan,
    "list_restore_testing_plans": _list_rt_plans,
    "create_restore_testing_selection": _create_rt_selection,
    "get_restore_testing_selection": _get_rt_selection,
    "update_restore_testing_selection": _update_rt_selection,
    "delete_restore_testing_selection": _delete_rt_selection,
    "list_restore_testing_selections": _list_rt_selections,
    "list_restore_jobs": _list_restore_jobs,
    "list_restore_jobs_by_protected_resource": _list_restore_jobs_by_resource,
    "describe_restore_job": _describe_restore_job,
    "put_restore_validation_result": _put_restore_validation,
    "list_protected_resources": _list_protected_resources,
    "describe_protected_resource": _describe_protected_resource,
}
for _name, _handler in _HANDLERS.items():
    setattr(BackupResponse, _name, _handler)

# moto routes only its own paths to the backup service; the others answer 404 before reaching it.
for _path in (
    "{0}/backup-jobs$", "{0}/backup-jobs/$", "{0}/backup-jobs/(?P<backup_job_id>.+)$",
    "{0}/copy-jobs$", "{0}/copy-jobs/$", "{0}/copy-jobs/(?P<copy_job_id>.+)$",
    "{0}/restore-jobs$", "{0}/restore-jobs/$", "{0}/restore-jobs/(?P<restore_job_id>.+)$",
    "{0}/resources$", "{0}/resources/$", "{0}/resources/(?P<protected_resource>.+)$",
    "{0}/restore-testing/plans$", "{0}/restore-testing/plans/$", "{0}/restore-testing/plans/(?P<rt_plan>.+)$",
    "{0}/backup-vaults$", "{0}/backup-vaults/(?P<vault_and_more>[^/]+/.+)$",
    "{0}/backup/plans/(?P<plan_and_more>.+)$",
):
    backup_urls.url_paths.setdefault(_path, BackupResponse.dispatch)


# ---- the fault layer: `backup` calls named by their operation, answered in JSON ----

_faults_action = faults._action
_faults_error = faults._error
_faults_throttle = faults._throttle


def _operation(environ):  # type: ignore[no-untyped-def]
    from moto.core.request import Request
    from moto.core.routing import get_service_router

    try:
        operation, _ = get_service_router("backup").match(Request(dict(environ)))
        return operation.name
    except Exception:  # noqa: BLE001 - not an operation of the model: named as before
        return None


def _fault_action(environ, body, service=""):  # type: ignore[no-untyped-def]
    if service == "backup" and not environ.get("HTTP_X_AMZ_TARGET"):
        name = _operation(environ)
        if name:
            return name, "rest-json"
    return _faults_action(environ, body, service)


def _fault_error(service, protocol, status, code, message):  # type: ignore[no-untyped-def]
    if protocol != "rest-json":
        return _faults_error(service, protocol, status, code, message)
    rid = str(uuid.uuid4())
    body = json.dumps({"__type": code, "Code": code, "Message": message}).encode()
    headers = [("Content-Type", "application/json"), ("x-amzn-RequestId", rid), ("x-amzn-ErrorType", code)]
    reason = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests",
              500: "Internal Server Error", 503: "Service Unavailable"}
    return f"{status} {reason.get(status, 'Error')}", headers + [("Content-Length", str(len(body)))], body


def _fault_throttle(service, protocol):  # type: ignore[no-untyped-def]
    if protocol == "rest-json":
        return _fault_error(service, protocol, 400, "ThrottlingException", "Rate exceeded")
    return _faults_throttle(service, protocol)


faults._action = _fault_action
faults._error = _fault_error
faults._throttle = _fault_throttle
