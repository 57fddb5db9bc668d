"""The project's local AWS: moto's server, plus the extensions the provider's tests need.

moto answers every service on one port. Where it lacks an operation the provider uses, the gap is
filled here (never by weakening the provider or a test); each extension says what it fills.
"""
import argparse
import random
import json
import secrets
import uuid

from moto.autoscaling.models import ASG_NAME_TAG, FakeAutoScalingGroup, InstanceState
from moto.core.exceptions import ServiceException
from moto.elbv2.exceptions import ELBClientError as RESTError
from moto.ec2.models.subnets import SubnetBackend
from moto.elbv2.responses import ELBV2Response
from moto.rds.exceptions import InvalidParameterCombination
from moto.rds.models import DBInstance, MasterUserSecret, RDSBackend, rds_backends
from moto.rds.responses import RDSResponse
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

import local_aws_autoscaling  # noqa: F401 - Auto Scaling extensions (see that file)
import local_aws_elasticache  # noqa: F401 - ElastiCache extensions (see that file)
import local_aws_endpoints  # noqa: F401 - VPC endpoint extensions (see that file)
import local_aws_events  # noqa: F401 - RDS event subscriptions, ElastiCache notifications (see that file)
import local_aws_logs  # noqa: F401 - RDS log exports, AssociateKmsKey (see that file)
import local_aws_backup  # noqa: F401 - AWS Backup: vaults, plans, jobs, copies, restore testing (see that file)
import local_aws_backup_replication  # noqa: F401 - RDS cross-region backup replication (see that file)
import local_aws_options  # noqa: F401 - RDS option groups (see that file)
import local_aws_rds_proxy  # noqa: F401 - RDS Proxy: proxies, targets, endpoints (see that file)
import local_aws_refresh  # noqa: F401 - Auto Scaling instance refresh (see that file)
import local_aws_wafv2  # noqa: F401 - WAFv2 extensions (see that file)
from local_aws_faults import REQUEST, FaultLayer


# ---- Instances an Auto Scaling group launches carry its launch template's settings ----
# moto launches them with its own defaults: IMDSv1 allowed, no instance profile, monitoring off, and
# a default unencrypted 8 GiB root beside the template's volumes; it also ignores the group's template
# version. AWS launches from the version the group names, with the template's metadata options,
# instance profile, detailed monitoring, block device mappings (the AMI's root device replaced, not
# doubled), network interface settings and tags.


def _truthy(v) -> bool:  # type: ignore[no-untyped-def]
    return str(v).lower() == "true"


def _template_version(group):  # type: ignore[no-untyped-def]
    lt = group.ec2_launch_template
    if lt is None:
        return None
    return lt.get_version(getattr(group, "launch_template_version", None) or "$Default")


def _first_override(group):  # type: ignore[no-untyped-def]
    """The type a mixed-instances group launches on demand ("prioritized": the first override)."""
    hidden = getattr(group, "_mix_launch_type", None)
    if hidden:
        return hidden
    policy = group.mixed_instances_policy or {}
    overrides = (policy.get("LaunchTemplate") or {}).get("Overrides") or []
    return overrides[0].get("InstanceType") if overrides else None


def _replace_autoscaling_group_instances(self, count_needed, propagated_tags):  # type: ignore[no-untyped-def]
    version = _template_version(self)
    if version is None:
        return _moto_replace_instances(self, count_needed, propagated_tags)
    data = version.data
    propagated_tags[ASG_NAME_TAG] = self.name
    propagated_tags.update(self.instance_tags)
    tags = {"instance": dict(propagated_tags)}
    for spec in data.get("TagSpecifications", []) or []:
        kind = spec.get("ResourceType")
        if kind in ("instance", "volume"):
            for t in spec.get("Tag", spec.get("Tags", [])) or []:
                tags.setdefault(kind, {})[t["Key"]] = t["Value"]
    subnet_id = self.vpc_zone_identifier.split(",")[0] if self.vpc_zone_identifier else None
    kwargs = {
        "instance_type": _first_override(self) or data.get("InstanceType") or self.instance_type,
        "tags": tags,
        "placement": random.choice(self.availability_zones),
        "launch_template": {"LaunchTemplateId": version.template.id, "Version": str(version.number)},
        "is_instance_type_default": False,
        "subnet_id": subnet_id,
        "metadata_options": data.get("MetadataOptions") or {},
        "monitoring_state": "enabled" if _truthy((data.get("Monitoring") or {}).get("Enabled")) else "disabled",
    }
    interfaces = data.get("NetworkInterface", data.get("NetworkInterfaces")) or []
    if interfaces:
        kwargs["associate_public_ip"] = _truthy(interfaces[0].get("AssociatePublicIpAddress"))
        groups = interfaces[0].get("SecurityGroupId", interfaces[0].get("Groups")) or []
        if groups:
            kwargs["security_group_ids"] = list(groups)
    mappings = data.get("BlockDeviceMapping", data.get("BlockDeviceMappings")) or []
    if mappings:
        kwargs["block_device_mappings"] = [
            {**m, "Ebs": {**(m.get("Ebs") or {}), "Encrypted": _truthy((m.get("Ebs") or {}).get("Encrypted"))}}
            for m in mappings
        ]
    ec2 = self.autoscaling_backend.ec2_backend
    reservation = ec2.run_instances(
        data.get("ImageId") or self.image_id,
        count_needed,
        data.get("UserData") or self.user_data,
        [],
        **kwargs,
    )
    profile = data.get("IamInstanceProfile") or {}
    for instance in reservation.instances:
        if profile.get("Arn") or profile.get("Name"):
            ec2.associate_iam_instance_profile(
                instance.id,
                iam_instance_profile_name=profile.get("Name"),
                iam_instance_profile_arn=profile.get("Arn"),
            )
        instance.autoscaling_group = self
        self.instance_states.append(
            InstanceState(instance, protected_from_scale_in=self.new_instances_protected_from_scale_in)
        )


_moto_replace_instances = FakeAutoScalingGroup.replace_autoscaling_group_instances
FakeAutoScalingGroup.replace_autoscaling_group_instances = _replace_autoscaling_group_instances


# ---- ELBv2 deletion protection (moto deletes a protected load balancer; AWS refuses) ----

class OperationNotPermitted(ServiceException):
    code = "OperationNotPermitted"


_moto_delete_load_balancer = ELBV2Response.delete_load_balancer


def _delete_load_balancer(self):  # type: ignore[no-untyped-def]
    arn = self._get_param("LoadBalancerArn")
    lb = self.elbv2_backend.load_balancers.get(arn)
    if lb is not None and lb.attrs.get("deletion_protection.enabled") == "true":
        raise OperationNotPermitted(
            f"Load balancer '{arn}' cannot be deleted because deletion protection is enabled"
        )
    return _moto_delete_load_balancer(self)


ELBV2Response.delete_load_balancer = _delete_load_balancer


# ---- ELBv2 access and connection logs (moto stores the attributes without the checks AWS makes) ----
# AWS refuses to turn on access or connection logs unless the bucket exists in the load balancer's
# Region and its policy lets the Region's log writer put objects under `<prefix>/AWSLogs/<account>/`;
# it then writes a test object there. The Regions opened before August 2022 write as an ELB account
# (the ELB user guide's table; the ones the tests use are listed), the others as the
# `logdelivery.elasticloadbalancing.amazonaws.com` service principal.

_ELB_LOG_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "eu-west-1": "156460612806",
    "eu-central-1": "054676820928",
}
_LOG_KINDS = ("access_logs", "connection_logs")


def _log_writer_allowed(principal, region):  # type: ignore[no-untyped-def]
    account = _ELB_LOG_ACCOUNTS.get(region)
    if account is None:
        wanted = ("Service", "logdelivery.elasticloadbalancing.amazonaws.com")
    else:
        wanted = ("AWS", f"arn:aws:iam::{account}:root")
    if principal == "*" or not isinstance(principal, dict):
        return principal == "*"
    values = principal.get(wanted[0], [])
    values = values if isinstance(values, list) else [values]
    return wanted[1] in values or (wanted[0] == "AWS" and account in values)


def _policy_lets_elb_write(policy_text, region, resource):  # type: ignore[no-untyped-def]
    import fnmatch

    try:
        policy = json.loads(policy_text)
    except (TypeError, ValueError):
        return False
    statements = policy.get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    allowed = False
    for st in statements:
        actions = st.get("Action", [])
        actions = actions if isinstance(actions, list) else [actions]
        resources = st.get("Resource", [])
        resources = resources if isinstance(resources, list) else [resources]
        if not any(a in ("s3:PutObject", "s3:*", "*") for a in actions):
            continue
        if not any(fnmatch.fnmatchcase(resource, r) for r in resources):
            continue
        if not _log_writer_allowed(st.get("Principal"), region):
            continue
        if st.get("Effect") == "Deny":
            # Log delivery uses TLS: a deny of plain HTTP does not apply to it.
            cond = st.get("Condition", {}).get("Bool", {})
            if str(cond.get("aws:SecureTransport", "")).lower() == "false":
                continue
            return False
        if st.get("Effect") == "Allow" and not st.get("Condition"):
            allowed = True
    return allowed


_moto_modify_load_balancer_attributes = ELBV2Response.modify_load_balancer_attributes


def _modify_load_balancer_attributes(self):  # type: ignore[no-untyped-def]
    from moto.s3.models import s3_backends

    arn = self._get_param("LoadBalancerArn")
    lb = self.elbv2_backend.load_balancers.get(arn)
    given = {a["Key"]: a["Value"] for a in self._get_param("Attributes", [])}
    if lb is not None:
        merged = {**lb.attrs, **given}
        account = self.current_account
        region = self.region
        s3 = s3_backends[account]["global"]
        for kind in _LOG_KINDS:
            if str(merged.get(f"{kind}.s3.enabled", "false")).lower() != "true":
                continue
            # Checked (and the test object written) when a call turns logs on or moves them.
            if not any(k.startswith(f"{kind}.s3.") for k in given):
                continue
            bucket_name = merged.get(f"{kind}.s3.bucket", "")
            prefix = merged.get(f"{kind}.s3.prefix", "")
            bucket = s3.buckets.get(bucket_name)
            if not bucket_name or bucket is None:
                raise RESTError(
                    "InvalidConfigurationRequest",
                    f"The specified bucket does not exist: {bucket_name}",
                )
            if bucket.region_name != region:
                raise RESTError(
                    "InvalidConfigurationRequest",
                    f"The bucket {bucket_name} is not in the load balancer's Region {region}",
                )
            under = f"{prefix}/AWSLogs/{account}/" if prefix else f"AWSLogs/{account}/"
            key = under + "ELBAccessLogTestFile"
            policy = bucket.policy.decode() if bucket.policy else None
            if not _policy_lets_elb_write(policy, region, f"arn:aws:s3:::{bucket_name}/{key}"):
                raise RESTError(
                    "InvalidConfigurationRequest",
                    f"Access Denied for bucket: {bucket_name}. Please check S3bucket permission",
                )
            s3.put_object(bucket_name, key, b"Enable AccessLog for ELB: test file")
    return _moto_modify_load_balancer_attributes(self)


ELBV2Response.modify_load_balancer_attributes = _modify_load_balancer_attributes


# ---- S3 IAM action names (moto checks some bucket calls against the wrong action) ----
# With IAM enforcement on, moto names the action of each S3 call from its method and query string.
# Where its table differs from the action AWS authorizes (the S3 "actions, resources and condition
# keys" reference), the AWS name is used, so that the documented policy is checked as AWS checks it:
# HeadBucket is s3:ListBucket; the public access block, encryption and ownership controls calls have
# their own actions (moto files them under ListBucket/CreateBucket).

from moto.s3.responses import ACTION_MAP as _S3_ACTION_MAP  # noqa: E402
from moto.s3.responses import S3Response  # noqa: E402

_S3_ACTION_MAP["BUCKET"]["HEAD"]["DEFAULT"] = "ListBucket"
_S3_ACTION_MAP["BUCKET"]["GET"].update(
    {
        "publicAccessBlock": "GetBucketPublicAccessBlock",
        "encryption": "GetEncryptionConfiguration",
        "ownershipControls": "GetBucketOwnershipControls",
    }
)
_S3_ACTION_MAP["BUCKET"]["PUT"].update(
    {
        "publicAccessBlock": "PutBucketPublicAccessBlock",
        "encryption": "PutEncryptionConfiguration",
        "ownershipControls": "PutBucketOwnershipControls",
    }
)
_S3_ACTION_MAP["BUCKET"]["DELETE"].update(
    {
        "publicAccessBlock": "PutBucketPublicAccessBlock",
        "encryption": "PutEncryptionConfiguration",
        "ownershipControls": "PutBucketOwnershipControls",
    }
)


# ---- RDS managed master password (moto: the same fixed 9-character password for every database) ----
# AWS generates a random password per database; so does this, so that a test searching state, plans
# and logs for the password searches for something only the database's secret holds.


def _generate_master_secret_string(self):  # type: ignore[no-untyped-def]
    username = getattr(self.resource, "master_username", None) or "admin"
    return json.dumps({"username": username, "password": secrets.token_urlsafe(30)})


MasterUserSecret._generate_secret_string = _generate_master_secret_string


# ---- RDS read replicas do not own the master secret (moto: a replica copies the primary's) ----
# The managed master secret belongs to the source instance; a read replica reports none, and
# deleting a replica leaves the source's secret alone (moto deleted it with the copy).

_moto_create_db_instance_read_replica = RDSBackend.create_db_instance_read_replica


def _create_db_instance_read_replica(self, db_kwargs):  # type: ignore[no-untyped-def]
    replica = _moto_create_db_instance_read_replica(self, db_kwargs)
    if hasattr(replica, "master_user_secret"):
        del replica.master_user_secret
    replica.manage_master_user_password = False
    return replica


RDSBackend.create_db_instance_read_replica = _create_db_instance_read_replica


# ---- RDS cluster automated backups (moto keeps them after DeleteDBCluster; AWS removes them) ----
# DeleteDBCluster's DeleteAutomatedBackups defaults to true: the cluster's automated snapshots go
# with it (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBCluster.html).
# Kept, they made a cluster re-created under the same name within the minute collide with its own
# `rds:<cluster>-<yyyy-mm-dd-hh-mm>` snapshot.

_moto_delete_db_cluster = RDSResponse.delete_db_cluster


def _delete_db_cluster(self):  # type: ignore[no-untyped-def]
    cluster_id = self.params.get("DBClusterIdentifier")
    keep = str(self.params.get("DeleteAutomatedBackups", "true")).lower() == "false"
    result = _moto_delete_db_cluster(self)
    if not keep:
        snapshots = self.backend.cluster_snapshots
        for sid, snap in list(snapshots.items()):
            if snap.snapshot_type == "automated" and snap.cluster.db_cluster_identifier == cluster_id:
                del snapshots[sid]
    return result


RDSResponse.delete_db_cluster = _delete_db_cluster


# ---- EC2: a deleted subnet leaves its network ACL ----
# AWS drops a subnet's network ACL association when the subnet is deleted, so the ACL can then be
# deleted; moto keeps the association, and DeleteNetworkAcl answers DependencyViolation for good.

_moto_delete_subnet = SubnetBackend.delete_subnet


def _delete_subnet(self, subnet_id):  # type: ignore[no-untyped-def]
    subnet = _moto_delete_subnet(self, subnet_id)
    for acl in self.network_acls.values():
        for assoc_id, assoc in list(acl._associations.items()):
            if assoc.subnet_id == subnet_id:
                del acl._associations[assoc_id]
    return subnet


SubnetBackend.delete_subnet = _delete_subnet


# ---- RDS parameter groups: static parameters cannot be applied immediately ----
# AWS refuses ModifyDB(Cluster)ParameterGroup with ApplyMethod=immediate for a parameter whose apply
# type is `static` (the engine reads it only when it starts): InvalidParameterCombination, "cannot
# use immediate apply method for static parameter". moto accepts anything; this holds the rule for
# the static parameters of the PostgreSQL and MySQL families (a subset of AWS's: the common ones).

_STATIC = {
    "postgres": {
        "autovacuum_freeze_max_age", "autovacuum_max_workers", "huge_pages", "max_connections",
        "max_files_per_process", "max_locks_per_transaction", "max_logical_replication_workers",
        "max_pred_locks_per_transaction", "max_prepared_transactions", "max_replication_slots",
        "max_wal_senders", "max_worker_processes", "pg_stat_statements.max",
        "rds.logical_replication", "shared_buffers", "shared_preload_libraries",
        "superuser_reserved_connections", "track_activity_query_size", "track_commit_timestamp",
        "wal_buffers",
    },
    "mysql": {
        "back_log", "innodb_buffer_pool_instances", "innodb_log_buffer_size", "innodb_log_file_size",
        "innodb_open_files", "innodb_read_io_threads", "innodb_write_io_threads",
        "lower_case_table_names", "performance_schema", "skip_name_resolve", "thread_stack",
    },
}


def _refuse_immediate_static(family, params):  # type: ignore[no-untyped-def]
    engine = "postgres" if "postgres" in (family or "") else "mysql"
    for p in params:
        d = p.original_dict() if hasattr(p, "original_dict") else p
        if d.get("ApplyMethod") == "immediate" and d.get("ParameterName") in _STATIC[engine]:
            raise InvalidParameterCombination(
                "cannot use immediate apply method for static parameter"
            )


_moto_modify_db_parameter_group = RDSResponse.modify_db_parameter_group
_moto_modify_db_cluster_parameter_group = RDSResponse.modify_db_cluster_parameter_group


def _modify_db_parameter_group(self):  # type: ignore[no-untyped-def]
    group = self.backend.db_parameter_groups.get(self.params.get("DBParameterGroupName"))
    if group is not None:
        _refuse_immediate_static(group.family, self.params.get("Parameters", []))
    return _moto_modify_db_parameter_group(self)


def _modify_db_cluster_parameter_group(self):  # type: ignore[no-untyped-def]
    group = self.backend.db_cluster_parameter_groups.get(
        self.params.get("DBClusterParameterGroupName")
    )
    if group is not None:
        _refuse_immediate_static(group.db_parameter_group_family, self.params.get("Parameters", []))
    return _moto_modify_db_cluster_parameter_group(self)


RDSResponse.modify_db_parameter_group = _modify_db_parameter_group
RDSResponse.modify_db_cluster_parameter_group = _modify_db_cluster_parameter_group


# ---- RDS instances: their own resource id, their own log exports, and the enhanced-monitoring
# stream they write to ----
# moto gives every instance the same DbiResourceId and never reports EnhancedMonitoringResourceArn.
# AWS gives each instance its own `db-…` id, and with monitoring on (MonitoringInterval > 0) reports
# the log stream of RDSOSMetrics it writes to, named after that id.

_moto_db_instance_init = DBInstance.__init__


def _db_instance_init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    _moto_db_instance_init(self, *args, **kwargs)
    self.dbi_resource_id = "db-" + uuid.uuid4().hex[:26].upper()
    # An Aurora instance listens on its cluster's port (moto gives it the engine's default).
    cluster_id = getattr(self, "db_cluster_identifier", None)
    if cluster_id:
        cluster = rds_backends[self.account_id][self.region].clusters.get(cluster_id)
        if cluster is not None:
            self.port = cluster.port


def _enhanced_monitoring_resource_arn(self):  # type: ignore[no-untyped-def]
    if not getattr(self, "monitoring_interval", 0):
        return None
    return (
        f"arn:{self.partition}:logs:{self.region}:{self.account_id}:log-group:RDSOSMetrics"
        f":log-stream:{self.dbi_resource_id}"
    )


DBInstance.__init__ = _db_instance_init

# Each instance's log exports are its own: moto hands a read replica its source's list itself, so
# a change to one changed both, and the other's next change failed (a type disabled twice). The
# list is made the instance's own before a change.
_moto_db_instance_update = DBInstance.update


def _db_instance_update(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    self.enabled_cloudwatch_logs_exports = list(self.enabled_cloudwatch_logs_exports or [])
    return _moto_db_instance_update(self, *args, **kwargs)


DBInstance.update = _db_instance_update
DBInstance.enhanced_monitoring_resource_arn = property(_enhanced_monitoring_resource_arn)


# ---- RDS: ModifyDBInstance's DBPortNumber moves the instance ----
# AWS restarts the instance on the new port and reports it in Endpoint.Port
# (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html); moto stores
# the value under another name and keeps reporting the old port.

_moto_backend_modify_db_instance = RDSBackend.modify_db_instance


def _backend_modify_db_instance(self, db_instance_identifier, db_kwargs):  # type: ignore[no-untyped-def]
    port = db_kwargs.pop("DBPortNumber", None) if "DBPortNumber" in db_kwargs else None
    database = _moto_backend_modify_db_instance(self, db_instance_identifier, db_kwargs)
    if port is not None:
        database.port = int(port)
    return database


RDSBackend.modify_db_instance = _backend_modify_db_instance

# ModifyDBCluster's Port moves every instance of the cluster with it, as in AWS.
_moto_backend_modify_db_cluster = RDSBackend.modify_db_cluster


def _backend_modify_db_cluster(self, kwargs):  # type: ignore[no-untyped-def]
    cluster_id = kwargs.get("db_cluster_identifier")
    cluster = _moto_backend_modify_db_cluster(self, kwargs)
    if kwargs.get("port") is not None:
        cluster.port = int(kwargs["port"])
        for instance in self.databases.values():
            if getattr(instance, "db_cluster_identifier", None) == cluster_id:
                instance.port = cluster.port
    return cluster


RDSBackend.modify_db_cluster = _backend_modify_db_cluster


# ---- IAM enforcement: signatures of form-encoded calls (moto re-encodes the parsed form, so a body the
# SDK signed with %20 for spaces fails as AuthFailure / SignatureDoesNotMatch) ----
# The check uses the bytes the caller sent, which the fault layer keeps for the request's thread.

from moto.iam.access_control import IAMRequestBase  # noqa: E402

_moto_create_aws_request = IAMRequestBase._create_aws_request


def _create_aws_request(self):  # type: ignore[no-untyped-def]
    raw = getattr(REQUEST, "raw_body", b"")
    if not self._body and raw:
        self._body = raw
    # AWS Backup's REST calls: moto's body is its parsed JSON re-encoded ("{}" for a GET), never
    # what was signed.
    if self._service == "backup":
        self._body = raw
        if not raw:
            # Not the parsed parameters in place of an empty body.
            self._data = b""
    return _moto_create_aws_request(self)


IAMRequestBase._create_aws_request = _create_aws_request

# moto names CloudWatch's actions by the signing name (`monitoring:PutMetricAlarm`); IAM policies name
# them `cloudwatch:PutMetricAlarm`, as AWS evaluates them.
_moto_iam_request_init = IAMRequestBase.__init__


def _iam_request_init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    _moto_iam_request_init(self, *args, **kwargs)
    if self._action.startswith("monitoring:"):
        self._action = "cloudwatch:" + self._action.split(":", 1)[1]


IAMRequestBase.__init__ = _iam_request_init



# ---- S3 GetBucketVersioning (moto answers with a <GetBucketVersioningResponse> root) ----
# AWS's answer is a <VersioningConfiguration> document; boto3 reads either, the Rust SDK only that.


def _get_bucket_versioning(self):  # type: ignore[no-untyped-def]
    status = self.backend.get_bucket_versioning(self.bucket_name)
    self.data["Action"] = "GetBucketVersioning"
    inner = f"<Status>{status}</Status>" if status else ""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        f"{inner}</VersioningConfiguration>"
    )
    return 200, {"Content-Type": "application/xml"}, body


S3Response.get_bucket_versioning = _get_bucket_versioning


# ---- S3 bucket policy conditions (moto ignores `Bool`, and denies when a condition fails) ----
# moto evaluates a bucket policy on object calls without the request's context: a statement whose
# condition operator it does not know applies unconditionally, and one whose condition does not hold
# denies. In IAM a statement applies only when its conditions hold. The local AWS stands in for AWS's
# HTTPS endpoints, which are all the SDKs use, so requests carry `aws:SecureTransport = true` (a
# TLS-only policy then denies nothing, as on AWS).

from moto.iam import policy_conditions  # noqa: E402
from moto.iam.access_control import IAMPolicyStatement, PermissionResult  # noqa: E402
from moto.s3.models import FakeBucket  # noqa: E402

_REQUEST_CONTEXT = {"aws:SecureTransport": "true"}


def _bool_condition(expected, actual):  # type: ignore[no-untyped-def]
    values = expected if isinstance(expected, list) else [expected]
    return str(actual).lower() in [str(v).lower() for v in values]


policy_conditions.CONDITION_OPERATIONS.setdefault("Bool", _bool_condition)


def _bucket_get_permission(self, action, resource):  # type: ignore[no-untyped-def]
    if self.policy is None:
        return PermissionResult.NEUTRAL
    try:
        doc = json.loads(self.policy.decode())
    except ValueError:
        return PermissionResult.NEUTRAL
    statements = doc.get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    permitted = False
    for st in statements:
        if not IAMPolicyStatement(st)._check_conditions(_REQUEST_CONTEXT):
            continue
        bare = IAMPolicyStatement({k: v for k, v in st.items() if k != "Condition"})
        result = bare.is_action_permitted(action, resource)
        if result == PermissionResult.DENIED:
            return result
        permitted = permitted or result == PermissionResult.PERMITTED
    return PermissionResult.PERMITTED if permitted else PermissionResult.NEUTRAL


FakeBucket.get_permission = _bucket_get_permission



def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    # moto's own server, behind the fault layer (see local_aws_faults.py).
    app = local_aws_elasticache.ClockLayer(FaultLayer(DomainDispatcherApplication(create_backend_app)))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()
