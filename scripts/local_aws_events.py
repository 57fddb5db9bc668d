"""Event notification extensions of the project's local AWS (imported by local_aws_server.py).

The provider sends the events of the data stores it watches to an SNS topic: an RDS event
subscription per database, and the notification topic of each ElastiCache Redis group. moto 5.2.5
has part of each; the patches below fill the rest the way AWS behaves (its documented errors
included), so that the provider is tested against AWS's behaviour, not moto's:

- RDS event subscriptions (moto: create, describe and delete only, `Enabled` false unless given):
  ModifyEventSubscription, AddSourceIdentifierToSubscription and
  RemoveSourceIdentifierFromSubscription; `Enabled` defaults to true; CustomerAwsId and
  SubscriptionCreationTime are reported; the topic, the sources and the categories are checked as
  AWS checks them (SNSTopicArnNotFound, SourceNotFound, SubscriptionCategoryNotFound); a
  subscription whose topic was deleted reports Status `topic-not-exist`.
- ElastiCache notifications (moto: the topic given to CreateReplicationGroup is kept and never
  shown; ModifyReplicationGroup is the project's own, which ignored it): ModifyReplicationGroup's
  NotificationTopicArn / NotificationTopicStatus set the notification configuration of the
  group's cache clusters, and DescribeCacheClusters reports it for each member.
"""
import datetime

import local_aws_elasticache  # noqa: F401 - the ElastiCache overrides wrapped below come first
from moto.core.responses import ActionResult
from moto.elasticache.exceptions import InvalidParameterValueException, ReplicationGroupNotFound
from moto.elasticache.responses import ElastiCacheResponse
from moto.rds.exceptions import RDSClientError, SubscriptionNotFoundError
from moto.rds.models import EventSubscription, RDSBackend
from moto.rds.responses import RDSResponse
from moto.sns.models import sns_backends


# ---- RDS event subscriptions ----
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateEventSubscription.html and
# API_ModifyEventSubscription, API_AddSourceIdentifierToSubscription,
# API_RemoveSourceIdentifierFromSubscription. AWS's faults: SNSTopicArnNotFound (404) for a topic
# that does not exist, SourceNotFound (404) for a source identifier that names nothing of the
# subscription's source type (or, on remove, is not in the subscription), SubscriptionCategoryNotFound
# (404) for a category the source type does not have, SubscriptionNotFound (404) for an unknown
# name, SubscriptionAlreadyExist (400, moto's) for a name taken.


class SNSTopicArnNotFound(RDSClientError):
    def __init__(self, arn: str):
        super().__init__("SNSTopicArnNotFound", f"Topic ARN {arn} not found.")


class SourceNotFound(RDSClientError):
    def __init__(self, source_id: str, source_type: str):
        super().__init__("SourceNotFound", f"Source {source_id} of type {source_type} not found.")


class SubscriptionCategoryNotFound(RDSClientError):
    def __init__(self, category: str, source_type: str):
        super().__init__(
            "SubscriptionCategoryNotFound",
            f"Category {category} not found for source type {source_type}.",
        )


# The categories DescribeEventCategories lists for the two source types the provider subscribes to
# ("Amazon RDS event categories and event messages" in the RDS and Aurora user guides). A cluster
# has no `low storage` or `recovery`: Aurora storage grows by itself. Other source types are not
# checked.
_CATEGORIES = {
    "db-instance": {
        "availability", "backtrack", "backup", "configuration change", "creation", "deletion",
        "failover", "failure", "low storage", "maintenance", "notification", "read replica",
        "recovery", "restoration", "security", "security patching",
    },
    "db-cluster": {
        "configuration change", "creation", "deletion", "failover", "failure", "global-failover",
        "maintenance", "migration", "notification", "serverless",
    },
}


def _sources(backend, source_type):  # type: ignore[no-untyped-def]
    """What names a source of `source_type` (None: a type whose sources are not checked)."""
    return {
        "db-instance": backend.databases,
        "db-cluster": backend.clusters,
        "db-parameter-group": backend.db_parameter_groups,
        "db-security-group": backend.security_groups,
        "db-snapshot": backend.database_snapshots,
        "db-cluster-snapshot": backend.cluster_snapshots,
        "db-proxy": backend.db_proxies,
    }.get(source_type or "")


def _topic_exists(arn) -> bool:  # type: ignore[no-untyped-def]
    parts = (arn or "").split(":")
    if len(parts) != 6 or parts[2] != "sns":
        return False
    region, account = parts[3], parts[4]
    try:
        return arn in sns_backends[account][region].topics
    except KeyError:
        return False


def _check_topic(arn) -> None:  # type: ignore[no-untyped-def]
    if not _topic_exists(arn):
        raise SNSTopicArnNotFound(arn)


def _check_sources(backend, source_type, source_ids) -> None:  # type: ignore[no-untyped-def]
    known = _sources(backend, source_type)
    if known is None:
        return
    for sid in source_ids or []:
        if sid not in known:
            raise SourceNotFound(sid, source_type)


def _check_categories(source_type, categories) -> None:  # type: ignore[no-untyped-def]
    valid = _CATEGORIES.get(source_type or "")
    if valid is None:
        return
    for c in categories or []:
        if str(c).lower() not in valid:
            raise SubscriptionCategoryNotFound(c, source_type)


def _subscription(backend, name) -> EventSubscription:  # type: ignore[no-untyped-def]
    sub = backend.event_subscriptions.get(name)
    if sub is None:
        raise SubscriptionNotFoundError(name)
    return sub


def _bool(v) -> bool:  # type: ignore[no-untyped-def]
    return v if isinstance(v, bool) else str(v).lower() == "true"


# What moto's EventSubscription lacks of AWS's EventSubscription shape.
def _customer_aws_id(self) -> str:  # type: ignore[no-untyped-def]
    return self.account_id


def _subscription_creation_time(self) -> str:  # type: ignore[no-untyped-def]
    # A string in AWS's shape, as AWS writes it: "2018-07-31 23:22:01.893".
    return self.created_at.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def _status(self) -> str:  # type: ignore[no-untyped-def]
    if self.__dict__.get("_prod_status"):
        return self.__dict__["_prod_status"]
    return "active" if _topic_exists(self.sns_topic_arn) else "topic-not-exist"


def _set_status(self, value) -> None:  # type: ignore[no-untyped-def]
    # moto sets "active" when it makes one; only another value (deleting) is kept.
    self.__dict__["_prod_status"] = None if value == "active" else value


EventSubscription.customer_aws_id = property(_customer_aws_id)
EventSubscription.subscription_creation_time = property(_subscription_creation_time)
EventSubscription.status = property(_status, _set_status)


_moto_create_event_subscription = RDSBackend.create_event_subscription


def _create_event_subscription(self, kwargs):  # type: ignore[no-untyped-def]
    if kwargs.get("subscription_name") not in self.event_subscriptions:
        _check_topic(kwargs.get("sns_topic_arn"))
        _check_sources(self, kwargs.get("source_type"), kwargs.get("source_ids"))
        _check_categories(kwargs.get("source_type"), kwargs.get("event_categories"))
    # Enabled: "Default: true" (moto: false).
    enabled = kwargs.get("enabled")
    kwargs["enabled"] = True if enabled is None else _bool(enabled)
    kwargs["source_ids"] = list(kwargs.get("source_ids") or [])
    kwargs["event_categories"] = list(kwargs.get("event_categories") or [])
    return _moto_create_event_subscription(self, kwargs)


RDSBackend.create_event_subscription = _create_event_subscription


def _modify_event_subscription(self):  # type: ignore[no-untyped-def]
    """Changes only what it is given; source identifiers are changed by Add/Remove
    SourceIdentifier (ModifyEventSubscription has none)."""
    sub = _subscription(self.backend, self.params.get("SubscriptionName"))
    topic = self.params.get("SnsTopicArn")
    source_type = self.params.get("SourceType")
    categories = self.params.get("EventCategories")
    enabled = self.params.get("Enabled")
    if topic is not None:
        _check_topic(topic)
    if categories is not None:
        _check_categories(source_type or sub.source_type, categories)
    if topic is not None:
        sub.sns_topic_arn = topic
    if source_type is not None:
        sub.source_type = source_type
    if categories is not None:
        sub.event_categories = list(categories)
    if enabled is not None:
        sub.enabled = _bool(enabled)
    return ActionResult({"EventSubscription": sub})


def _add_source_identifier_to_subscription(self):  # type: ignore[no-untyped-def]
    sub = _subscription(self.backend, self.params.get("SubscriptionName"))
    sid = self.params.get("SourceIdentifier")
    _check_sources(self.backend, sub.source_type, [sid])
    if sid not in sub.source_ids:
        sub.source_ids = list(sub.source_ids) + [sid]
    return ActionResult({"EventSubscription": sub})


def _remove_source_identifier_from_subscription(self):  # type: ignore[no-untyped-def]
    sub = _subscription(self.backend, self.params.get("SubscriptionName"))
    sid = self.params.get("SourceIdentifier")
    if sid not in sub.source_ids:
        raise SourceNotFound(sid, sub.source_type or "any")
    sub.source_ids = [s for s in sub.source_ids if s != sid]
    return ActionResult({"EventSubscription": sub})


_moto_delete_event_subscription = RDSBackend.delete_event_subscription


def _delete_event_subscription(self, subscription_name):  # type: ignore[no-untyped-def]
    # AWS answers with the subscription as it goes: Status "deleting".
    sub = _moto_delete_event_subscription(self, subscription_name)
    sub.status = "deleting"
    return sub


RDSBackend.delete_event_subscription = _delete_event_subscription
RDSResponse.modify_event_subscription = _modify_event_subscription
RDSResponse.add_source_identifier_to_subscription = _add_source_identifier_to_subscription
RDSResponse.remove_source_identifier_from_subscription = _remove_source_identifier_from_subscription


# ---- ElastiCache notification topic of a replication group ----
# https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_ModifyReplicationGroup.html:
# NotificationTopicArn is the SNS topic the group's events go to; NotificationTopicStatus
# (active | inactive) whether they are sent. AWS keeps the setting on the group's cache clusters:
# DescribeCacheClusters reports NotificationConfiguration {TopicArn, TopicStatus} for each member
# (a replica added later gets it too); the ReplicationGroup itself has no notification field. A new
# topic is `active` unless the call says otherwise; a status alone changes only the status.


def _notification(rg):  # type: ignore[no-untyped-def]
    config = getattr(rg, "prod_notification", None)
    if config is None and getattr(rg, "notification_topic_arn", None):
        # The topic given to CreateReplicationGroup (kept by moto, never shown).
        config = {"TopicArn": rg.notification_topic_arn, "TopicStatus": "active"}
    return config


_project_modify_replication_group = ElastiCacheResponse.modify_replication_group


def _modify_replication_group(self):  # type: ignore[no-untyped-def]
    rid = self._get_param("ReplicationGroupId")
    rg = self.elasticache_backend.replication_groups.get(rid)
    if rg is None:
        raise ReplicationGroupNotFound(rid)
    topic = self._get_param("NotificationTopicArn")
    status = self._get_param("NotificationTopicStatus")
    if status is not None and status not in ("active", "inactive"):
        raise InvalidParameterValueException(
            f"Invalid value for NotificationTopicStatus: {status}. Valid values: active, inactive."
        )
    result = _project_modify_replication_group(self)
    config = dict(_notification(rg) or {})
    if topic:
        config = {"TopicArn": topic, "TopicStatus": status or "active"}
    elif status is not None and config:
        config["TopicStatus"] = status
    if config:
        rg.prod_notification = config
    return result


_project_describe_cache_clusters = ElastiCacheResponse.describe_cache_clusters


def _describe_cache_clusters(self):  # type: ignore[no-untyped-def]
    result = _project_describe_cache_clusters(self)
    groups = self.elasticache_backend.replication_groups
    body = result.result if isinstance(result, ActionResult) else None
    clusters = body.get("CacheClusters", []) if isinstance(body, dict) else []
    for c in clusters:
        if isinstance(c, dict) and c.get("ReplicationGroupId") in groups:
            config = _notification(groups[c["ReplicationGroupId"]])
            if config:
                c["NotificationConfiguration"] = dict(config)
    return result


ElastiCacheResponse.modify_replication_group = _modify_replication_group
ElastiCacheResponse.describe_cache_clusters = _describe_cache_clusters
