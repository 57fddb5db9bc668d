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
  subscription whose topic was deleted reports Status `topic-not-exist`. Tags (CreateEventSubscription's,
  and Add/Remove/ListTagsForResource on the `arn:aws:rds:<region>:<account>:es:<name>` ARN, as
  for every taggable RDS resource: API_AddTagsToResource) are moto's own, which routes `es` ARNs to
  the subscription: nothing to fill.
- DeleteEventSubscription (moto: the subscription gone at once): it answers with Status
  `deleting`, and the subscription stays, `deleting`, for the next DescribeEventSubscriptions that
  lists it (under the timing mode of local_aws_timing.py: for `DELETE_SECONDS` scaled); it is gone
  at the describe after. Until then its name is taken (CreateEventSubscription:
  SubscriptionAlreadyExist) and a second delete is refused (InvalidEventSubscriptionState).
- ElastiCache notifications (moto: the topic given to CreateReplicationGroup is kept and never
  shown; ModifyReplicationGroup is the project's own, which ignored it): ModifyReplicationGroup's
  NotificationTopicArn / NotificationTopicStatus set the notification configuration of the
  group's cache clusters, and DescribeCacheClusters reports it for each member; a change of them
  puts the group in `modifying` as any other change does (local_aws_elasticache.py).
"""
import time

import local_aws_elasticache  # the ElastiCache overrides wrapped below come first
from moto.core.responses import ActionResult
from moto.elasticache.exceptions import InvalidParameterValueException, ReplicationGroupNotFound
from moto.elasticache.responses import ElastiCacheResponse
from moto.rds.exceptions import RDSClientError, SubscriptionAlreadyExistError, SubscriptionNotFoundError
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


class InvalidEventSubscriptionState(RDSClientError):
    def __init__(self, name: str):
        # API_DeleteEventSubscription: "This error can occur if someone else is modifying a
        # subscription. You should retry the action." (400)
        super().__init__(
            "InvalidEventSubscriptionState",
            f"Subscription {name} is being deleted. You should retry the action.",
        )


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


# ---- a deleted subscription, `deleting` for a while ----
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteEventSubscription.html answers
# with the EventSubscription, Status `deleting`; DescribeEventSubscriptions goes on listing it as
# `deleting` until RDS has removed it (terraform-provider-aws's aws_db_event_subscription waits for
# that after its delete), and until then the name is not free again: CreateEventSubscription answers
# SubscriptionAlreadyExist (400), as for any subscription of that name
# (API_CreateEventSubscription), and a second DeleteEventSubscription InvalidEventSubscriptionState
# (400, API_DeleteEventSubscription). Without timing, the next describe lists it `deleting` and the
# describe after it no longer; under the timing mode of local_aws_timing.py, it is gone after
# DELETE_SECONDS scaled as that mode scales (AWS documents no duration: about a minute is commonly
# seen).
DELETE_SECONDS = 60.0


def _deleting(backend, describing: bool = False) -> dict:  # type: ignore[no-untyped-def]
    """The subscriptions being deleted, kept on the backend (a reset wipes them): name ->
    {"sub", "shown" (describes that listed it), "until" (timing mode: when it is gone, else None)}.
    Those whose time is up are dropped first; without timing, that is at the first describe after
    one that listed it (a create or delete in between is still refused)."""
    store = backend.__dict__.setdefault("_prod_deleting_subscriptions", {})
    now = time.time()
    for name, e in list(store.items()):
        shown = e["until"] is None and describing and e["shown"] >= 1
        if shown or (e["until"] is not None and now >= e["until"]):
            del store[name]
    return store


_moto_create_event_subscription = RDSBackend.create_event_subscription


def _create_event_subscription(self, kwargs):  # type: ignore[no-untyped-def]
    if kwargs.get("subscription_name") in _deleting(self):
        raise SubscriptionAlreadyExistError(kwargs["subscription_name"])
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


def _delete_event_subscription(self):  # type: ignore[no-untyped-def]
    name = self.params.get("SubscriptionName")
    deleting = _deleting(self.backend)
    if name in deleting:
        raise InvalidEventSubscriptionState(name)
    sub = self.backend.delete_event_subscription(name)  # moto's: SubscriptionNotFound if none
    sub.status = "deleting"
    scale = local_aws_elasticache.caller_timing_scale(self)
    until = None if scale is None else time.time() + DELETE_SECONDS * scale
    deleting[name] = {"sub": sub, "shown": 0, "until": until}
    return ActionResult({"EventSubscription": sub})


_moto_describe_event_subscriptions = RDSBackend.describe_event_subscriptions


def _describe_event_subscriptions(self, subscription_name):  # type: ignore[no-untyped-def]
    deleting = _deleting(self, describing=True)
    if subscription_name and subscription_name in deleting:
        entry = deleting[subscription_name]
        entry["shown"] += 1
        return [entry["sub"]]
    listed = list(_moto_describe_event_subscriptions(self, subscription_name))
    if not subscription_name:
        for entry in deleting.values():
            entry["shown"] += 1
            listed.append(entry["sub"])
    return listed


RDSBackend.describe_event_subscriptions = _describe_event_subscriptions
RDSResponse.delete_event_subscription = _delete_event_subscription
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
    before = _notification(rg)
    result = _project_modify_replication_group(self)  # refuses a group not `available`
    config = dict(before or {})
    if topic:
        config = {"TopicArn": topic, "TopicStatus": status or "active"}
    elif status is not None and config:
        config["TopicStatus"] = status
    if config:
        rg.prod_notification = config
    if (config or None) != before and rg.status == "available":
        # A new topic or topic status is a change like any other: the group is `modifying`.
        local_aws_elasticache.begin_modifying(rg, self)
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
