"""CloudWatch Logs extensions of the project's local AWS (imported by local_aws_server.py).

- RDS publishes exported logs: an instance (or Aurora cluster) with log exports on writes each
  exported log to `/aws/rds/instance/<id>/<log>` (`/aws/rds/cluster/<id>/<log>`), and when that
  group does not exist RDS makes it itself, unencrypted and never expiring ("Publishing database
  logs to Amazon CloudWatch Logs", RDS user guide: "Amazon RDS creates a log group ... if one
  doesn't already exist"; the retention is "Never expire" until changed). moto keeps the list of
  exports and writes nothing. Here the group appears as the instance or cluster is created or its
  exports are changed; one that already exists is left as it is (its key, its retention).
- AssociateKmsKey: moto 5.2.5 lacks it. AWS encrypts the group's data from then on with the key
  (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_AssociateKmsKey.html);
  ResourceNotFoundException when the group does not exist. DescribeLogGroups then reports the key.
"""
from moto.logs.exceptions import ResourceNotFoundException
from moto.logs.models import LogsBackend, logs_backends
from moto.logs.responses import LogsResponse
from moto.rds.models import RDSBackend


def _publish_exports(account_id, region, kind, identifier, exports):  # type: ignore[no-untyped-def]
    """Makes the group of each exported log that has none, as RDS does when it first writes."""
    backend = logs_backends[account_id][region]
    for log in exports or []:
        backend.ensure_log_group(f"/aws/rds/{kind}/{identifier}/{log}")


def _instance_exports(instance):  # type: ignore[no-untyped-def]
    # An Aurora instance publishes nothing of its own: its cluster does.
    if getattr(instance, "db_cluster_identifier", None):
        return
    _publish_exports(
        instance.account_id,
        instance.region,
        "instance",
        instance.db_instance_identifier,
        getattr(instance, "enabled_cloudwatch_logs_exports", None),
    )


def _cluster_exports(backend, cluster):  # type: ignore[no-untyped-def]
    _publish_exports(
        backend.account_id,
        backend.region_name,
        "cluster",
        cluster.db_cluster_identifier,
        getattr(cluster, "enabled_cloudwatch_logs_exports", None),
    )


_moto_create_db_instance = RDSBackend.create_db_instance
_moto_create_read_replica = RDSBackend.create_db_instance_read_replica
_moto_modify_db_instance = RDSBackend.modify_db_instance
_moto_create_db_cluster = RDSBackend.create_db_cluster
_moto_modify_db_cluster = RDSBackend.modify_db_cluster


def _create_db_instance(self, db_kwargs):  # type: ignore[no-untyped-def]
    instance = _moto_create_db_instance(self, db_kwargs)
    _instance_exports(instance)
    return instance


def _create_db_instance_read_replica(self, db_kwargs):  # type: ignore[no-untyped-def]
    instance = _moto_create_read_replica(self, db_kwargs)
    _instance_exports(instance)
    return instance


def _modify_db_instance(self, db_instance_identifier, db_kwargs):  # type: ignore[no-untyped-def]
    instance = _moto_modify_db_instance(self, db_instance_identifier, db_kwargs)
    _instance_exports(instance)
    return instance


def _create_db_cluster(self, kwargs):  # type: ignore[no-untyped-def]
    cluster = _moto_create_db_cluster(self, kwargs)
    _cluster_exports(self, cluster)
    return cluster


def _modify_db_cluster(self, kwargs):  # type: ignore[no-untyped-def]
    cluster = _moto_modify_db_cluster(self, kwargs)
    _cluster_exports(self, cluster)
    return cluster


RDSBackend.create_db_instance = _create_db_instance
RDSBackend.create_db_instance_read_replica = _create_db_instance_read_replica
RDSBackend.modify_db_instance = _modify_db_instance
RDSBackend.create_db_cluster = _create_db_cluster
RDSBackend.modify_db_cluster = _modify_db_cluster


# ---- AssociateKmsKey / DisassociateKmsKey ----


def _associate_kms_key(self, log_group_name, kms_key_id):  # type: ignore[no-untyped-def]
    group = self.groups.get(log_group_name)
    if group is None:
        raise ResourceNotFoundException()
    group.kms_key_id = kms_key_id


def _disassociate_kms_key(self, log_group_name):  # type: ignore[no-untyped-def]
    group = self.groups.get(log_group_name)
    if group is None:
        raise ResourceNotFoundException()
    group.kms_key_id = None


LogsBackend.associate_kms_key = _associate_kms_key
LogsBackend.disassociate_kms_key = _disassociate_kms_key


def _response_associate_kms_key(self):  # type: ignore[no-untyped-def]
    self.logs_backend.associate_kms_key(self._get_param("logGroupName"), self._get_param("kmsKeyId"))
    return ""


def _response_disassociate_kms_key(self):  # type: ignore[no-untyped-def]
    self.logs_backend.disassociate_kms_key(self._get_param("logGroupName"))
    return ""


LogsResponse.associate_kms_key = _response_associate_kms_key
LogsResponse.disassociate_kms_key = _response_disassociate_kms_key
