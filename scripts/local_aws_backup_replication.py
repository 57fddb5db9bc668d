"""RDS cross-Region automated backup replication for the project's local AWS (imported by
local_aws_server.py).

moto 5.2.5 has none of it: no StartDBInstanceAutomatedBackupsReplication, no
StopDBInstanceAutomatedBackupsReplication, no DeleteDBInstanceAutomatedBackup, a
DescribeDBInstanceAutomatedBackups that lists only the Region's own automated snapshots (and ignores
DbiResourceId, DBInstanceAutomatedBackupsArn and Filters), and a DBInstance without
DBInstanceAutomatedBackupsReplications. Filled here as AWS behaves (RDS user guide, "Replicating
automated backups to another AWS Region" and its pages "Enabling cross-Region automated backups",
"Stopping automated backup replication", "Deleting replicated backups", "Troubleshooting stopped
cross-Region automated backups"; the API reference of each action below):

- StartDBInstanceAutomatedBackupsReplication, called in the destination Region (the caller's
  signing Region), makes the destination's replicated backup of the source instance
  (`arn:aws:rds:<dest>:<account>:auto-backup:ab-<26 lowercase alnum>`), Status `pending`, then
  `replicating` (first DescribeDBInstanceAutomatedBackups once REPLICATION_START_SECONDS have
  passed). The source's DescribeDBInstances lists it under DBInstanceAutomatedBackupsReplications
  while it replicates (and so does the source Region's own automated backup of it).
- StopDBInstanceAutomatedBackupsReplication ends it, in the background: once REPLICATION_STOP_SECONDS
  have passed (until then it still runs, and a new start is refused as already replicating) the
  source no longer lists it, and the replicated backup is kept in the destination as `retained` ("Replicated backups are retained, subject to the
  backup retention period set when they were created"). So does deleting the source instance, and
  so does disabling or deleting the destination KMS key of an encrypted backup (troubleshooting page).
- DeleteDBInstanceAutomatedBackup deletes a retained backup (replicated, or a Region's own kept by
  DeleteDBInstance DeleteAutomatedBackups=false); not one still replicating or of a live instance.
- DescribeDBInstanceAutomatedBackups lists the destination's replicated backups after moto's own,
  filtered by DBInstanceIdentifier, DbiResourceId, DBInstanceAutomatedBackupsArn and the Filters
  `db-instance-id`, `dbi-resource-id`, `status`.

- RestoreDBInstanceToPointInTime restores from a replicated backup of the Region
  (SourceDBInstanceAutomatedBackupsArn), running or retained, within its RestoreWindow; and, for a
  restore from an instance of the Region, is made to follow AWS where moto does not (see below).

Tags (StartDBInstanceAutomatedBackupsReplication's Tags) and quotas are not emulated. The state is
the server's (module-level, per account and destination Region), cleared when that Region's RDS
backend is reset.
"""
import datetime
import random
import re
import string
import threading
import time

from moto.core.parse import XFormedDict
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.ec2.models import ec2_backends
from moto.kms.models import kms_backends
from moto.rds.exceptions import (
    DBInstanceNotFoundError,
    InvalidParameterCombination,
    InvalidParameterValue,
    KMSKeyNotAccessibleFault,
    RDSClientError,
)
from moto.rds.models import DBInstance, DBInstanceAutomatedBackup, RDSBackend, rds_backends
from moto.rds.responses import RDSResponse

# Seconds between StartDBInstanceAutomatedBackupsReplication and the first describe that shows the
# backup `replicating` (AWS: minutes, the time to copy the first snapshot to the destination).
REPLICATION_START_SECONDS = 2.0
# A stop is not at once either: the replication runs on (the source lists it, a new start is refused
# as "already replicating") until it has wound down (terraform-provider-aws waits for the source to
# stop listing it after StopDBInstanceAutomatedBackupsReplication).
REPLICATION_STOP_SECONDS = 2.0
DEFAULT_RETENTION = 7  # without BackupRetentionPeriod (the console's default; terraform-provider-aws's too)
ACTIVE = ("pending", "replicating")

_LOCK = threading.RLock()
# (account_id, destination Region) -> {auto-backup ARN: record}
_REPLICATIONS: dict = {}

_SOURCE_ARN = re.compile(r"^arn:(?P<partition>aws[a-z-]*):rds:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):db:(?P<id>.+)$")
_KMS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):(key|alias)/")


# ---- AWS's faults (the RDS service model: code, HTTP status) ----


class DBInstanceAutomatedBackupNotFound(RDSClientError):
    # DBInstanceAutomatedBackupNotFoundFault, 404: "No automated backup for this DB instance was found."
    def __init__(self, what: str):
        super().__init__("DBInstanceAutomatedBackupNotFound", f"Automated backup {what} not found.")


class InvalidDBInstanceAutomatedBackupState(RDSClientError):
    # InvalidDBInstanceAutomatedBackupStateFault, 400: "The automated backup is in an invalid state.
    # For example, this automated backup is associated with an active instance."
    def __init__(self, message: str):
        super().__init__("InvalidDBInstanceAutomatedBackupState", message)


class InvalidDBInstanceState(RDSClientError):
    # InvalidDBInstanceStateFault, 400: "The DB instance isn't in a valid state."
    def __init__(self, message: str):
        super().__init__("InvalidDBInstanceState", message)


# ---- the store ----


def _store(account_id, region):  # type: ignore[no-untyped-def]
    return _REPLICATIONS.setdefault((account_id, region), {})


def _new_arn(partition, region, account_id) -> str:  # type: ignore[no-untyped-def]
    suffix = "".join(random.choices(string.ascii_lowercase + string.digits, k=26))
    return f"arn:{partition}:rds:{region}:{account_id}:auto-backup:ab-{suffix}"


def _key_usable(account_id, region, key_arn) -> bool:  # type: ignore[no-untyped-def]
    try:
        key = kms_backends[account_id][region].describe_key(key_arn)
    except Exception:  # noqa: BLE001 - any lookup failure: the key is gone
        return False
    return key.key_state == "Enabled"


def _check_key(record) -> None:  # type: ignore[no-untyped-def]
    """An encrypted replication stops by itself when its destination key is disabled or deleted
    (troubleshooting page, "AWS KMS key issues": the backups already replicated are kept)."""
    stopping = record.get("stopping")
    if stopping is not None and time.time() - stopping >= REPLICATION_STOP_SECONDS:
        _retain(record)
    if record["status"] in ACTIVE and record["kms_key_id"]:
        if not _key_usable(record["account_id"], record["dest_region"], record["kms_key_id"]):
            _retain(record)


def _retain(record) -> None:  # type: ignore[no-untyped-def]
    record.pop("stopping", None)
    if record["status"] == "replicating":
        record["latest_time"] = utcnow()
    record["status"] = "retained"


def _advance(record) -> None:  # type: ignore[no-untyped-def]
    """`pending` becomes `replicating` once the first snapshot would have been copied."""
    _check_key(record)
    if record["status"] == "pending" and time.time() - record["started"] >= REPLICATION_START_SECONDS:
        record["status"] = "replicating"
        if record["earliest_time"] is None:
            record["earliest_time"] = utcnow()


def _view(record, status=None):  # type: ignore[no-untyped-def]
    """The DBInstanceAutomatedBackup shape (API_DBInstanceAutomatedBackup) of a record."""
    status = status or record["status"]
    window = {}
    if record["earliest_time"] is not None:
        latest = utcnow() if status == "replicating" else record["latest_time"] or record["earliest_time"]
        window = {"EarliestTime": record["earliest_time"], "LatestTime": latest}
    view = {
        "DBInstanceArn": record["source_arn"],
        "DbiResourceId": record["dbi_resource_id"],
        "Region": record["source_region"],
        "DBInstanceIdentifier": record["source_id"],
        "RestoreWindow": window,
        "AllocatedStorage": record["allocated_storage"],
        "Status": status,
        "Port": record["port"],
        "InstanceCreateTime": record["instance_create_time"],
        "MasterUsername": record["master_username"],
        "Engine": record["engine"],
        "EngineVersion": record["engine_version"],
        "LicenseModel": record["license_model"],
        "Iops": record["iops"],
        "OptionGroupName": record["option_group_name"],
        "Encrypted": record["encrypted"],
        "StorageType": record["storage_type"],
        "IAMDatabaseAuthenticationEnabled": record["iam_auth"],
        "BackupRetentionPeriod": record["retention"],
        "DBInstanceAutomatedBackupsArn": record["arn"],
    }
    if record["kms_key_id"]:
        view["KmsKeyId"] = record["kms_key_id"]
    return {k: v for k, v in view.items() if v is not None}


def _parse_source_arn(arn):  # type: ignore[no-untyped-def]
    m = _SOURCE_ARN.match(arn or "")
    if m is None:
        raise InvalidParameterValue(f"The parameter SourceDBInstanceArn is not a valid DB instance ARN: {arn}")
    return m


def _source_instance(account_id, m):  # type: ignore[no-untyped-def]
    """The source instance the ARN names, in its own Region's backend (DBInstanceNotFound if none)."""
    if m.group("account") != account_id:
        raise DBInstanceNotFoundError(m.group("id"))
    try:
        backend = rds_backends[account_id][m.group("region")]
    except KeyError:
        raise DBInstanceNotFoundError(m.group("id")) from None
    instance = backend.databases.get(m.group("id"))
    if instance is None:
        raise DBInstanceNotFoundError(m.group("id"))
    return instance


def _destination_key(account_id, region, key_id) -> str:  # type: ignore[no-untyped-def]
    """The ARN of the destination Region's key `key_id` (a key ARN, key id, alias or alias ARN);
    KMSKeyNotAccessibleFault when it is another Region's or account's, missing, or not Enabled."""
    m = _KMS_ARN.match(key_id)
    if m is not None and (m.group("region") != region or m.group("account") != account_id):
        raise KMSKeyNotAccessibleFault(key_id)
    try:
        key = kms_backends[account_id][region].describe_key(key_id)
    except Exception:  # noqa: BLE001 - unknown id or alias
        raise KMSKeyNotAccessibleFault(key_id) from None
    if key.key_state != "Enabled":
        raise KMSKeyNotAccessibleFault(key_id)
    return key.arn


def _of_source(records, region, dbi_resource_id):  # type: ignore[no-untyped-def]
    return [r for r in records.values() if r["source_region"] == region and r["dbi_resource_id"] == dbi_resource_id]


# ---- StartDBInstanceAutomatedBackupsReplication ----
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartDBInstanceAutomatedBackupsReplication.html
# Errors: DBInstanceNotFound (404) for a source that does not exist; InvalidDBInstanceState (400) for
# a source without automated backups (BackupRetentionPeriod 0), not `available`, or already
# replicating to this Region; KMSKeyNotAccessibleFault (400) for a key that is not an enabled key of
# the destination Region; InvalidParameterValue for a source in the destination Region itself or a
# retention outside 1-35 (the automated backup retention range); InvalidParameterCombination for an
# encrypted source without KmsKeyId ("the KMS key ID ... in the destination AWS Region" is what the
# replicated backups are encrypted with); InvalidDBInstanceAutomatedBackupState for a retained backup
# of the source here that was encrypted with another key (troubleshooting page: "If using a new AWS
# KMS key, delete existing replicated backup in the destination AWS Region"). A retained backup of
# the same source otherwise resumes replicating: DbiResourceId names one automated backup per Region.


def _start_replication(self):  # type: ignore[no-untyped-def]
    account_id, region = self.current_account, self.region
    source_arn = self.params.get("SourceDBInstanceArn")
    m = _parse_source_arn(source_arn)
    if m.group("region") == region:
        raise InvalidParameterValue(
            "The source DB instance must be in a different AWS Region than the replicated automated backups."
        )
    retention = self.params.get("BackupRetentionPeriod")
    retention = DEFAULT_RETENTION if retention is None else int(retention)
    if not 1 <= retention <= 35:
        raise InvalidParameterValue(
            f"Invalid value {retention} for BackupRetentionPeriod. Valid values are 1-35."
        )
    source = _source_instance(account_id, m)
    if not source.backup_retention_period:
        raise InvalidDBInstanceState(
            f"Automated backups are not enabled for DB instance {source.db_instance_identifier}."
        )
    if source.status != "available":
        raise InvalidDBInstanceState(
            f"DB instance {source.db_instance_identifier} is not in the available state."
        )
    encrypted = bool(getattr(source, "storage_encrypted", False))
    key_id = self.params.get("KmsKeyId")
    if encrypted and not key_id:
        raise InvalidParameterCombination(
            "KmsKeyId must be specified to replicate the automated backups of an encrypted DB instance."
        )
    key_arn = _destination_key(account_id, region, key_id) if key_id else None
    with _LOCK:
        records = _store(account_id, region)
        for existing in _of_source(records, source.region, source.dbi_resource_id):
            _check_key(existing)
            if existing["status"] in ACTIVE:
                raise InvalidDBInstanceState(
                    f"DB instance {source.db_instance_identifier} is already replicating automated "
                    f"backups to the current region."
                )
            if encrypted and existing["kms_key_id"] != key_arn:
                raise InvalidDBInstanceAutomatedBackupState(
                    f"The retained automated backup {existing['arn']} was encrypted with another KMS "
                    f"key. Delete it before replicating with a new key."
                )
            existing.update(status="pending", started=time.time(), retention=retention, latest_time=None)
            return ActionResult({"DBInstanceAutomatedBackup": _view(existing)})
        record = {
            "arn": _new_arn(m.group("partition"), region, account_id),
            "account_id": account_id,
            "dest_region": region,
            "source_region": source.region,
            "source_arn": source.db_instance_arn,
            "source_id": source.db_instance_identifier,
            "dbi_resource_id": source.dbi_resource_id,
            "allocated_storage": source.allocated_storage,
            "port": source.port,
            "instance_create_time": source.instance_create_time,
            "master_username": source.master_username,
            "engine": source.engine,
            "engine_version": source.engine_version,
            "license_model": getattr(source, "license_model", None),
            "iops": int(source.iops) if getattr(source, "iops", None) else None,
            "option_group_name": getattr(source, "option_group_name", None),
            "encrypted": encrypted,
            "kms_key_id": key_arn if encrypted else None,
            "storage_type": source.storage_type,
            "iam_auth": bool(getattr(source, "enable_iam_database_authentication", False)),
            # Not in the DBInstanceAutomatedBackup shape, but a restore from the backup takes them
            # (RestoreDBInstanceToPointInTime: "Default: The same DB instance class as the original").
            "db_instance_class": source.db_instance_class,
            "db_name": getattr(source, "db_name", None),
            "retention": retention,
            "status": "pending",
            "started": time.time(),
            "earliest_time": None,
            "latest_time": None,
        }
        records[record["arn"]] = record
        return ActionResult({"DBInstanceAutomatedBackup": _view(record)})


# ---- StopDBInstanceAutomatedBackupsReplication ----
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StopDBInstanceAutomatedBackupsReplication.html
# Errors: DBInstanceNotFound (404), InvalidDBInstanceState (400). AWS answers the latter, "... not
# replicating to the current region", for a source that does not replicate here (terraform-provider-aws
# matches that text to treat the replication as already stopped). The answer is the backup as it was
# when the stop was accepted (the AWS CLI example shows Status `replicating`); it is `retained` once
# REPLICATION_STOP_SECONDS have passed.


def _stop_replication(self):  # type: ignore[no-untyped-def]
    account_id, region = self.current_account, self.region
    source_arn = self.params.get("SourceDBInstanceArn")
    m = _parse_source_arn(source_arn)
    source = _source_instance(account_id, m)
    with _LOCK:
        for record in _of_source(_store(account_id, region), source.region, source.dbi_resource_id):
            _check_key(record)
            if record["status"] in ACTIVE:
                record.setdefault("stopping", time.time())
                return ActionResult({"DBInstanceAutomatedBackup": _view(record)})
    raise InvalidDBInstanceState(
        f"Automated backups of DB instance {source_arn} are not replicating to the current region."
    )


# ---- DescribeDBInstanceAutomatedBackups ----
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstanceAutomatedBackups.html
# Lists the Region's automated backups, of current and deleted instances, and the backups replicated
# to it; DBInstanceAutomatedBackupNotFound (404) when a DbiResourceId or DBInstanceAutomatedBackupsArn
# names none. moto's own (local) ones have no ARN: a DBInstanceAutomatedBackupsArn never names them.


def _local_dbi(backup):  # type: ignore[no-untyped-def]
    snapshots = backup.automated_snapshots
    return getattr(snapshots[0].database, "dbi_resource_id", None) if snapshots else None


def _matches(values, *candidates) -> bool:  # type: ignore[no-untyped-def]
    wanted = {str(v).lower() for v in values}
    return any(c is not None and str(c).lower() in wanted for c in candidates)


_moto_describe_automated_backups = RDSResponse.describe_db_instance_automated_backups


def _describe_automated_backups(self):  # type: ignore[no-untyped-def]
    account_id, region = self.current_account, self.region
    identifier = self.params.get("DBInstanceIdentifier")
    dbi = self.params.get("DbiResourceId")
    arn = self.params.get("DBInstanceAutomatedBackupsArn")
    filters = {f["Name"]: f.get("Values") or [] for f in self.params.get("Filters") or []}
    backend = self.backend

    local = []
    if not arn:
        for backup in backend.describe_db_instance_automated_backups(db_instance_identifier=identifier):
            instance_arn = f"arn:{backend.partition}:rds:{region}:{account_id}:db:{backup.db_instance_identifier}"
            if dbi and not _matches([dbi], _local_dbi(backup)):
                continue
            if "db-instance-id" in filters and not _matches(
                filters["db-instance-id"], backup.db_instance_identifier, instance_arn
            ):
                continue
            if "dbi-resource-id" in filters and not _matches(filters["dbi-resource-id"], _local_dbi(backup)):
                continue
            if "status" in filters and not _matches(filters["status"], backup.status):
                continue
            local.append(backup)

    replicated = []
    with _LOCK:
        for record in list(_store(account_id, region).values()):
            _advance(record)
            if identifier and not _matches([identifier], record["source_id"]):
                continue
            if dbi and not _matches([dbi], record["dbi_resource_id"]):
                continue
            if arn and record["arn"] != arn:
                continue
            if "db-instance-id" in filters and not _matches(
                filters["db-instance-id"], record["source_id"], record["source_arn"]
            ):
                continue
            if "dbi-resource-id" in filters and not _matches(
                filters["dbi-resource-id"], record["dbi_resource_id"], record["arn"]
            ):
                continue
            if "status" in filters and not _matches(filters["status"], record["status"]):
                continue
            replicated.append(_view(record))

    if (arn or dbi) and not local and not replicated:
        raise DBInstanceAutomatedBackupNotFound(arn or dbi)
    return ActionResult({"DBInstanceAutomatedBackups": local + replicated})


# ---- DeleteDBInstanceAutomatedBackup ----
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBInstanceAutomatedBackup.html
# (DbiResourceId or DBInstanceAutomatedBackupsArn). Errors: DBInstanceAutomatedBackupNotFound (404),
# InvalidDBInstanceAutomatedBackupState (400) for a backup still in use: one replicating ("Deleting
# replicated backups": stop the replication first) or the automated backup of a live instance. The
# answer shows Status `deleting`; the backup is gone from the next describe. moto 5.2.5 has no
# DeleteDBInstanceAutomatedBackup: a Region's own retained backup (its instance deleted with
# DeleteAutomatedBackups=false) is deleted here too, by DbiResourceId, with its automated snapshots.

_moto_delete_automated_backup = getattr(RDSResponse, "delete_db_instance_automated_backup", None)


def _delete_automated_backup(self):  # type: ignore[no-untyped-def]
    account_id, region = self.current_account, self.region
    dbi = self.params.get("DbiResourceId")
    arn = self.params.get("DBInstanceAutomatedBackupsArn")
    if not dbi and not arn:
        raise InvalidParameterCombination("Either DbiResourceId or DBInstanceAutomatedBackupsArn must be specified.")
    with _LOCK:
        records = _store(account_id, region)
        for record in list(records.values()):
            if (arn and record["arn"] == arn) or (not arn and dbi and _matches([dbi], record["dbi_resource_id"])):
                _check_key(record)
                if record["status"] in ACTIVE:
                    raise InvalidDBInstanceAutomatedBackupState(
                        f"The automated backup {record['arn']} is replicating. Stop the replication "
                        f"before deleting it."
                    )
                del records[record["arn"]]
                return ActionResult({"DBInstanceAutomatedBackup": _view(record, status="deleting")})
    if _moto_delete_automated_backup is not None:
        return _moto_delete_automated_backup(self)
    backend = self.backend
    if dbi and not arn:
        for backup in backend.describe_db_instance_automated_backups():
            if not _matches([dbi], _local_dbi(backup)):
                continue
            if backup.status != "retained":
                raise InvalidDBInstanceAutomatedBackupState(
                    f"The automated backup of DB instance {backup.db_instance_identifier} belongs to a "
                    f"current DB instance and cannot be deleted."
                )
            database = backup.automated_snapshots[0].database
            for snapshot in backup.automated_snapshots:
                backend.database_snapshots.pop(snapshot.db_snapshot_identifier, None)
            view = {
                "DBInstanceArn": database.db_instance_arn,
                "DbiResourceId": database.dbi_resource_id,
                "Region": region,
                "DBInstanceIdentifier": backup.db_instance_identifier,
                "AllocatedStorage": database.allocated_storage,
                "Status": "deleting",
                "Port": database.port,
                "Engine": database.engine,
                "EngineVersion": database.engine_version,
                "MasterUsername": database.master_username,
                "Encrypted": bool(database.storage_encrypted),
                "StorageType": database.storage_type,
                "BackupRetentionPeriod": database.backup_retention_period,
            }
            return ActionResult({"DBInstanceAutomatedBackup": view})
    raise DBInstanceAutomatedBackupNotFound(arn or dbi)


RDSResponse.start_db_instance_automated_backups_replication = _start_replication
RDSResponse.stop_db_instance_automated_backups_replication = _stop_replication
RDSResponse.describe_db_instance_automated_backups = _describe_automated_backups
RDSResponse.delete_db_instance_automated_backup = _delete_automated_backup


# ---- The source's DBInstanceAutomatedBackupsReplications ----
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBInstance.html:
# DBInstanceAutomatedBackupsReplications, "The list of replicated automated backups associated with
# the DB instance" (each a DBInstanceAutomatedBackupsArn), for as long as the replication runs.
# moto's serializer reads the snake_case attribute of the shape member.


def _instance_replications(self):  # type: ignore[no-untyped-def]
    arns = []
    with _LOCK:
        for (account_id, _), records in _REPLICATIONS.items():
            if account_id != self.account_id:
                continue
            for record in _of_source(records, self.region, getattr(self, "dbi_resource_id", None)):
                _check_key(record)
                if record["status"] in ACTIVE:
                    arns.append(record["arn"])
    # None (the member left out) when there is none, as for the other lists moto leaves empty.
    return [{"DBInstanceAutomatedBackupsArn": arn} for arn in arns] or None


def _local_backup_replications(self):  # type: ignore[no-untyped-def]
    # The source Region's own automated backup of a live instance lists them too (user guide,
    # "Finding information about replicated backups": describe-db-instance-automated-backups
    # --db-instance-identifier in the source Region).
    instance = self.backend.databases.get(self.db_instance_identifier)
    return None if instance is None else _instance_replications(instance)


DBInstance.db_instance_automated_backups_replications = property(_instance_replications)
DBInstanceAutomatedBackup.db_instance_automated_backups_replications = property(_local_backup_replications)


# ---- The source deleted: its replicated backups are retained ----
# "Stopping automated backup replication" / "Deleting replicated backups": when the source instance
# is deleted, replication stops and the backups already replicated are kept for their retention
# period (listed as retained in the destination).

_moto_delete_db_instance = RDSBackend.delete_db_instance


def _delete_db_instance(self, db_instance_identifier, *args, **kwargs):  # type: ignore[no-untyped-def]
    instance = self.databases.get(db_instance_identifier)
    deleted = _moto_delete_db_instance(self, db_instance_identifier, *args, **kwargs)
    if instance is not None:
        with _LOCK:
            for (account_id, _), records in _REPLICATIONS.items():
                if account_id != self.account_id:
                    continue
                for record in _of_source(records, self.region_name, instance.dbi_resource_id):
                    if record["status"] in ACTIVE:
                        _retain(record)
    return deleted


RDSBackend.delete_db_instance = _delete_db_instance


# ---- moto's reset wipes the destination Region's replicated backups with its backend ----

_moto_reset = RDSBackend.reset


def _reset(self):  # type: ignore[no-untyped-def]
    with _LOCK:
        _REPLICATIONS.pop((self.account_id, self.region_name), None)
    _moto_reset(self)


RDSBackend.reset = _reset


# ---- RestoreDBInstanceToPointInTime ----
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceToPointInTime.html:
# "The target database is created with most of the original configuration, but in a system-selected
# Availability Zone, with the default security group, the default subnet group, and the default DB
# parameter group. By default, the new DB instance is created as a single-AZ deployment."
# DeletionProtection, CopyTagsToSnapshot and IAM database authentication are off unless asked for
# ("By default, ... isn't enabled"); the instance class, port, engine and storage are the source's
# ("Default: The same ... as the original DB instance"); VpcSecurityGroupIds defaults to "the default
# EC2 VPC security group for the DB subnet group's VPC".
#
# The source is exactly one of SourceDBInstanceIdentifier, SourceDbiResourceId (an instance of this
# Region) and SourceDBInstanceAutomatedBackupsArn (a backup replicated to this Region, replicating or
# retained: user guide, "Restoring to a specified time from a replicated backup"), and the time is
# exactly one of RestoreTime and UseLatestRestorableTime ("Can't be specified if the
# UseLatestRestorableTime parameter is enabled"): otherwise InvalidParameterCombination. Errors:
# DBInstanceNotFound (404) for an unknown SourceDBInstanceIdentifier; DBInstanceAutomatedBackupNotFound
# (404) for a SourceDBInstanceAutomatedBackupsArn or SourceDbiResourceId that names no backup here;
# PointInTimeRestoreNotEnabled (400) for a source with BackupRetentionPeriod 0; InvalidRestoreFault
# (400) for a RestoreTime outside the restorable time range (the source's earliest restorable time,
# its first backup, no older than its retention, to its LatestRestorableTime; a replicated backup's
# RestoreWindow), and for a replicated backup that has none yet (`pending`); KMSKeyNotAccessibleFault
# (400) for a replicated backup whose key is disabled or gone (there is no KmsKeyId parameter: the
# instance is encrypted with the backup's key); InvalidParameterCombination for MultiAZ with an
# AvailabilityZone; InvalidParameterValue for an AllocatedStorage below the source's.
#
# moto 5.2.5 got it wrong: it copied every attribute of the source and then applied only the truthy
# request values, so MultiAZ=false, PubliclyAccessible=false and DeletionProtection=false were
# ignored (a Multi-AZ or protected source's kept); the source's subnet group, security groups,
# parameter group, tags, monitoring and CopyTagsToSnapshot came along unasked; the restored instance
# was reported as a read replica of its source (ReadReplicaSourceDBInstanceIdentifier); the restore
# time was never checked (either bound, or both ways of giving it at once), nor the source's
# retention; without SourceDBInstanceIdentifier it restored whichever instance came first; and it
# knew no replicated backup.

_RESTORE_OVERRIDES = (
    "db_instance_class", "port", "availability_zone", "db_subnet_group_name", "multi_az",
    "publicly_accessible", "auto_minor_version_upgrade", "license_model", "db_name", "engine", "iops",
    "storage_throughput", "option_group_name", "copy_tags_to_snapshot", "tags", "storage_type",
    "vpc_security_group_ids", "db_parameter_group_name", "deletion_protection",
    "enable_iam_database_authentication", "enable_cloudwatch_logs_exports", "max_allocated_storage",
    "allocated_storage", "backup_retention_period", "ca_certificate_identifier",
    "manage_master_user_password", "master_user_secret_kms_key_id", "domain", "domain_iam_role_name",
    "domain_ou", "domain_fqdn", "domain_auth_secret_arn", "domain_dns_ips",
)


class InvalidRestoreFault(RDSClientError):
    # InvalidRestoreFault, 400.
    def __init__(self, message: str):
        super().__init__("InvalidRestoreFault", message)


class PointInTimeRestoreNotEnabled(RDSClientError):
    # PointInTimeRestoreNotEnabledFault, 400: "SourceDBInstanceIdentifier refers to a DB instance with
    # BackupRetentionPeriod equal to 0."
    def __init__(self, identifier: str):
        super().__init__(
            "PointInTimeRestoreNotEnabled",
            f"Point-in-time restore is not enabled for DB instance {identifier}: its BackupRetentionPeriod is 0.",
        )


def _utc(value):  # type: ignore[no-untyped-def]
    """A naive UTC datetime (moto's clock) from a parsed or textual timestamp."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if isinstance(value, (int, float)):
        value = datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


def _truthy(value) -> bool:  # type: ignore[no-untyped-def]
    return value is True or str(value).lower() == "true"


def _instance_window(instance):  # type: ignore[no-untyped-def]
    """An instance's restorable time range: from its first backup (its creation), no older than its
    retention, to its LatestRestorableTime."""
    latest = _utc(instance.latest_restorable_time)
    earliest = _utc(instance.instance_create_time)
    floor = latest - datetime.timedelta(days=int(instance.backup_retention_period or 0))
    return max(earliest, floor), latest


def _check_restore_time(params, earliest, latest) -> None:  # type: ignore[no-untyped-def]
    if _truthy(params.get("UseLatestRestorableTime")):
        return
    when = _utc(params.get("RestoreTime"))
    if not earliest <= when <= latest:
        raise InvalidRestoreFault(
            f"The restore time {when.isoformat()}Z is not within the restorable time range "
            f"{earliest.isoformat()}Z - {latest.isoformat()}Z."
        )


def _restore_to_point_in_time(self):  # type: ignore[no-untyped-def]
    account_id, region = self.current_account, self.region
    p = self.params
    backend = self.backend
    source_id = p.get("SourceDBInstanceIdentifier")
    dbi = p.get("SourceDbiResourceId")
    backup_arn = p.get("SourceDBInstanceAutomatedBackupsArn")
    if sum(1 for v in (source_id, dbi, backup_arn) if v) != 1:
        raise InvalidParameterCombination(
            "Exactly one of SourceDBInstanceIdentifier, SourceDbiResourceId and "
            "SourceDBInstanceAutomatedBackupsArn must be specified."
        )
    use_latest = _truthy(p.get("UseLatestRestorableTime"))
    if use_latest and p.get("RestoreTime") is not None:
        raise InvalidParameterCombination("Cannot specify both RestoreTime and UseLatestRestorableTime.")
    if not use_latest and p.get("RestoreTime") is None:
        raise InvalidParameterCombination("Either RestoreTime or UseLatestRestorableTime must be specified.")

    if backup_arn:
        with _LOCK:
            record = _store(account_id, region).get(backup_arn)
            if record is None:
                raise DBInstanceAutomatedBackupNotFound(backup_arn)
            _advance(record)
            window = _view(record).get("RestoreWindow") or {}
        if not window:
            raise InvalidRestoreFault(
                f"The automated backup {backup_arn} has no restorable time range yet: its first "
                f"backup has not been replicated."
            )
        _check_restore_time(p, _utc(window["EarliestTime"]), _utc(window["LatestTime"]))
        if record["kms_key_id"] and not _key_usable(account_id, region, record["kms_key_id"]):
            raise KMSKeyNotAccessibleFault(record["kms_key_id"])
        props = {
            "db_instance_class": record.get("db_instance_class"),
            "engine": record["engine"],
            "engine_version": record["engine_version"],
            "port": record["port"],
            "allocated_storage": record["allocated_storage"],
            "storage_type": record["storage_type"],
            "iops": record["iops"],
            "master_username": record["master_username"],
            "db_name": record.get("db_name"),
            "license_model": record["license_model"],
            "storage_encrypted": bool(record["encrypted"]),
            "kms_key_id": record["kms_key_id"],
            "backup_retention_period": record["retention"],
        }
    else:
        if source_id:
            source = backend.describe_db_instances(db_instance_identifier=source_id)[0]
        else:
            source = next((i for i in backend.databases.values() if _matches([dbi], i.dbi_resource_id)), None)
            if source is None:
                raise DBInstanceAutomatedBackupNotFound(dbi)
        if not source.backup_retention_period:
            raise PointInTimeRestoreNotEnabled(source.db_instance_identifier)
        _check_restore_time(p, *_instance_window(source))
        props = {
            "db_instance_class": source.db_instance_class,
            "engine": source.engine,
            "engine_version": source.engine_version,
            "port": source.port,
            "allocated_storage": source.allocated_storage,
            "storage_type": source.storage_type,
            "iops": source.iops,
            "storage_throughput": getattr(source, "storage_throughput", None),
            "master_username": source.master_username,
            "db_name": source.db_name,
            "license_model": source.license_model,
            "character_set_name": getattr(source, "character_set_name", None),
            "storage_encrypted": bool(source.storage_encrypted),
            "kms_key_id": source.kms_key_id,
            "backup_retention_period": source.backup_retention_period,
        }
        if getattr(source, "option_group_supplied", False):
            props["option_group_name"] = source.option_group_name

    base_storage = props["allocated_storage"]
    for key in _RESTORE_OVERRIDES:
        value = p.get(key)
        if value is not None:
            props[key] = value
    if props.get("db_instance_class") is None:
        raise InvalidParameterValue("DBInstanceClass must be specified to restore this automated backup.")
    if base_storage and int(props["allocated_storage"]) < int(base_storage):
        raise InvalidParameterValue(
            "The allocated storage size can't be less than the source snapshot or backup size."
        )
    if _truthy(props.get("multi_az")) and props.get("availability_zone"):
        raise InvalidParameterCombination("Requesting a specific availability zone is not valid for Multi-AZ instances.")
    group = props.get("db_subnet_group_name")
    if group and not props.get("vpc_security_group_ids"):
        vpc_id = backend.describe_db_subnet_groups(group)[0].vpc_id
        default_sg = ec2_backends[account_id][region].get_default_security_group(vpc_id)
        if default_sg is not None:
            props["vpc_security_group_ids"] = [default_sg.id]
    props["db_instance_identifier"] = p.get("TargetDBInstanceIdentifier")
    instance = backend.create_db_instance(XFormedDict(props))
    return ActionResult({"DBInstance": instance})


RDSResponse.restore_db_instance_to_point_in_time = _restore_to_point_in_time


# A Region's own automated backup of a live instance shows its restorable time range, as the restore
# above checks it (API_DBInstanceAutomatedBackup, RestoreWindow); moto gave none.


def _local_restore_window(self):  # type: ignore[no-untyped-def]
    instance = self.backend.databases.get(self.db_instance_identifier)
    if instance is None or not instance.backup_retention_period:
        return None
    earliest, latest = _instance_window(instance)
    return {"EarliestTime": earliest, "LatestTime": latest}


DBInstanceAutomatedBackup.restore_window = property(_local_restore_window)
