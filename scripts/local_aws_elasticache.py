"""ElastiCache extensions of the project's local AWS (imported by local_aws_server.py).

moto 5.2.5 models replication groups but lacks what a hardened Redis/Valkey needs to be tested end to
end. Each function below fills one gap the way AWS behaves (its documented errors included), so the
provider is tested against AWS's behaviour, not moto's:

- DescribeCacheClusters knows a replication group's members (moto lists only bare clusters): engine
  version, parameter group, subnet group, security groups and maintenance window live there in AWS.
- A non-clustered group has a reader endpoint, and its nodes go to the zones asked for in
  NodeGroupConfiguration.
- CreateReplicationGroup/ModifyReplicationGroup refuse automatic failover or Multi-AZ without a replica
  and AUTH without TLS (as AWS does); ModifyReplicationGroup applies every setting it is given.
- AUTH tokens: AWS's character rules; a new token on ModifyReplicationGroup is ROTATEd in (the
  default: the previous token stays valid beside it) or SET (only the new one, allowed only after it
  was rotated in), and AuthTokenLastModifiedDate moves.
- IncreaseReplicaCount / DecreaseReplicaCount, ModifyReplicationGroupShardConfiguration.
- Cache parameter groups: create, describe, modify, reset, delete, describe parameters.
- DeleteCacheSubnetGroup (refused while a group uses it); DeleteReplicationGroup really deletes (moto
  keeps the group `deleting` for ever) and takes the final snapshot it is asked for.
- ModifyReplicationGroup (moto: the group stays `available` and takes any change at once): a modify
  that changes something puts the group in `modifying` (its answer shows it, and so does the next
  DescribeReplicationGroups that lists it; the describe after shows `available`; timing mode: for
  the scaled `cache_modify` of local_aws_timing.py), and a ModifyReplicationGroup on a group that is
  not `available` is refused (InvalidReplicationGroupState).
"""
import copy
import datetime
import time
from typing import Optional

import local_aws_faults as faults
import local_aws_timing as timing
from moto.core.responses import ActionResult, EmptyResult
from moto.elasticache.exceptions import (
    CacheSubnetGroupNotFound,
    ElastiCacheException,
    InvalidParameterCombinationException,
    InvalidParameterValueException,
    ReplicationGroupNotFound,
)
from moto.elasticache.models import ReplicationGroup
from moto.elasticache.responses import ElastiCacheResponse


class CacheParameterGroupNotFound(ElastiCacheException):
    code = "CacheParameterGroupNotFound"

    def __init__(self, name: str):
        super().__init__(f"CacheParameterGroup {name} not found.")


class CacheParameterGroupAlreadyExists(ElastiCacheException):
    code = "CacheParameterGroupAlreadyExists"

    def __init__(self, name: str):
        super().__init__(f"Parameter group {name} already exists.")


class InvalidCacheParameterGroupState(ElastiCacheException):
    code = "InvalidCacheParameterGroupState"

    def __init__(self, name: str):
        super().__init__(f"Parameter group {name} is in use by a replication group.")


class CacheSubnetGroupInUse(ElastiCacheException):
    code = "CacheSubnetGroupInUse"

    def __init__(self, name: str):
        super().__init__(f"Cache subnet group {name} is currently in use by a replication group.")


class InvalidReplicationGroupState(ElastiCacheException):
    code = "InvalidReplicationGroupState"

    def __init__(self, message: str):
        super().__init__(message)


def caller_timing_scale(response) -> Optional[float]:  # type: ignore[no-untyped-def]
    """The timing scale of the caller of `response` (None: no timing), as the fault layer decides
    it: the `"timing"` rule of the caller's access key, else PROD_LOCAL_AWS_TIMING=realistic."""
    auth = response.headers.get("Authorization", "") if response.headers else ""
    key = faults._credential({"HTTP_AUTHORIZATION": auth})[0]
    with faults._LOCK:
        rules = faults._RULES.get(key)
    rule = (rules or {}).get("timing") or timing.server_rule()
    return float(rule.get("scale", timing.SCALE_DEFAULT)) if rule else None


# ---- `modifying` after a modify; no modify unless `available` ----
# https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_ModifyReplicationGroup.html:
# InvalidReplicationGroupState (400), "The requested replication group is not in the available
# state." The group's Status (API_ReplicationGroup: creating | available | modifying | deleting |
# create-failed | snapshotting) is `modifying` while a change is applied; ModifyReplicationGroup's
# answer already shows it. Without timing, the next DescribeReplicationGroups that lists the group
# shows `modifying` and the describe after it `available` (a modify in between is refused); under
# the timing mode, the group is `modifying` for `cache_modify` scaled (as the timing layer shows it).


def begin_modifying(rg: ReplicationGroup, response) -> None:  # type: ignore[no-untyped-def]
    """Group `rg` is `modifying` from now on (for a describe, or a scaled time)."""
    scale = caller_timing_scale(response)
    until = None if scale is None else time.time() + timing.DURATIONS["cache_modify"] * scale
    rg.status = "modifying"
    rg.prod_modifying = {"shown": 0, "until": until}


def _settle(rg: ReplicationGroup, describing: bool) -> None:
    """`available` again once its time has passed (timing mode) or, without timing, at the first
    describe after one that showed it `modifying` (so a modify in between is still refused)."""
    m = getattr(rg, "prod_modifying", None)
    if m is None:
        return
    shown = m["until"] is None and describing and m["shown"] >= 1
    if shown or (m["until"] is not None and time.time() >= m["until"]):
        rg.prod_modifying = None
        if rg.status == "modifying":
            rg.status = "available"


def _check_available(rg: ReplicationGroup) -> None:
    _settle(rg, describing=False)
    if rg.status != "available":
        raise InvalidReplicationGroupState(
            f"Replication group {rg.replication_group_id} is not in available state."
        )


_MODIFIABLE = (
    "automatic_failover", "multi_az", "cache_node_type", "engine", "engine_version", "snapshot_window",
    "preferred_maintenance_window", "cache_parameter_group_name", "snapshot_retention_limit",
    "auto_minor_version_upgrade", "description", "security_group_ids", "prod_auth_tokens",
    "auth_token_enabled", "auth_token_last_modified_date",
)


def _settings(rg: ReplicationGroup) -> tuple:
    return tuple(copy.deepcopy(getattr(rg, a, None)) for a in _MODIFIABLE)


_moto_describe_groups = ElastiCacheResponse.describe_replication_groups


def _describe_replication_groups(self):  # type: ignore[no-untyped-def]
    groups = self.elasticache_backend.replication_groups
    for rg in groups.values():
        _settle(rg, describing=True)
    result = _moto_describe_groups(self)
    wanted = self._get_param("ReplicationGroupId")
    for rid, rg in groups.items():
        m = getattr(rg, "prod_modifying", None)
        if m is not None and (not wanted or rid == wanted):
            m["shown"] += 1
    return result


def _groups(self) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """Parameter groups, kept on the backend (so a reset wipes them): name -> family, description,
    params {name: value}, arn."""
    return self.elasticache_backend.__dict__.setdefault("_prod_parameter_groups", {})


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _default_parameter_group(rg: ReplicationGroup) -> str:
    major = (rg.engine_version or ("8.0" if rg.engine == "valkey" else "7.1")).split(".")[0]
    suffix = ".cluster.on" if rg.cluster_mode == "enabled" else ""
    return f"default.{rg.engine}{major}{suffix}"


def _replica_count(rg: ReplicationGroup) -> int:
    return max(len(rg.node_groups[0]["node_group_members"]) - 1, 0) if rg.node_groups else 0


def _zones_of(rg: ReplicationGroup) -> list[str]:
    return [m.get("preferred_availability_zone", "us-east-1a") for g in rg.node_groups for m in g["node_group_members"]]


def _member(rg: ReplicationGroup, group: dict, index: int, zone: str) -> dict:
    """Member `index` (0 = primary) of node group `group`, named as AWS names it."""
    if rg.cluster_mode == "enabled":
        cid = f"{rg.replication_group_id}-{group['node_group_id']}-{index + 1:0>3}"
        return {"cache_cluster_id": cid, "cache_node_id": "0001", "preferred_availability_zone": zone}
    cid = f"{rg.replication_group_id}-{index + 1:0>3}"
    domain = group["primary_endpoint_address"].split(".", 1)[1]
    return {
        "cache_cluster_id": cid,
        "cache_node_id": "0001",
        "read_endpoint": {"address": f"{cid}.{domain}", "port": rg.port},
        "preferred_availability_zone": zone,
        "current_role": "primary" if index == 0 else "replica",
    }


def _rebuild_members(rg: ReplicationGroup) -> None:
    rg.member_clusters = [m["cache_cluster_id"] for g in rg.node_groups for m in g["node_group_members"]]


def _check_failover(failover: bool, multi_az: bool, replicas: int, auth: bool, tls: bool) -> None:
    if (failover or multi_az) and replicas < 1:
        raise InvalidParameterCombinationException(
            "Automatic failover and Multi-AZ need at least one replica in every node group."
        )
    if multi_az and not failover:
        raise InvalidParameterCombinationException("Multi-AZ requires automatic failover to be enabled.")
    if auth and not tls:
        raise InvalidParameterCombinationException("AuthToken requires TransitEncryptionEnabled.")


# ---- AUTH tokens: AWS's rules; the tokens accepted are kept (never returned, as in AWS) ----

_TOKEN_PUNCTUATION = set("!&#$^<>-")


def _check_token(token: str) -> None:
    ok = 16 <= len(token) <= 128 and all(
        (c.isascii() and c.isalnum()) or c in _TOKEN_PUNCTUATION for c in token
    )
    if not ok:
        raise InvalidParameterValueException(
            "Invalid AuthToken: 16 to 128 printable characters; the only special characters allowed are !, &, #, $, ^, <, > and -."
        )


def _tokens(rg: ReplicationGroup) -> list[str]:
    return list(getattr(rg, "prod_auth_tokens", []))


# ---- create: AWS's checks, zones for non-clustered groups, the reader endpoint ----

_moto_create = ElastiCacheResponse.create_replication_group


def _create_replication_group(self):  # type: ignore[no-untyped-def]
    replicas = self._get_int_param("ReplicasPerNodeGroup") or 0
    config = self._get_param("NodeGroupConfiguration", []) or []
    if config and config[0].get("ReplicaCount") is not None:
        replicas = int(config[0]["ReplicaCount"])
    _check_failover(
        bool(self._get_bool_param("AutomaticFailoverEnabled")),
        bool(self._get_bool_param("MultiAZEnabled")),
        replicas,
        bool(self._get_param("AuthToken")),
        bool(self._get_bool_param("TransitEncryptionEnabled")),
    )
    group = self._get_param("CacheParameterGroupName")
    if group and not group.startswith("default.") and group not in _groups(self):
        raise CacheParameterGroupNotFound(group)
    subnet_group = self._get_param("CacheSubnetGroupName")
    if subnet_group and subnet_group not in self.elasticache_backend.cache_subnet_groups:
        raise CacheSubnetGroupNotFound(subnet_group)
    token = self._get_param("AuthToken")
    if token:
        _check_token(token)
    result = _moto_create(self)
    rg = self.elasticache_backend.replication_groups[self._get_param("ReplicationGroupId")]
    rg.prod_auth_tokens = [token] if token else []
    if rg.cluster_mode != "enabled":
        g = rg.node_groups[0]
        g["reader_endpoint"] = {"address": g["reader_endpoint_address"], "port": rg.port}
        if config:
            zones = [config[0].get("PrimaryAvailabilityZone")] + list(config[0].get("ReplicaAvailabilityZones") or [])
            for m, z in zip(g["node_group_members"], zones):
                if z:
                    m["preferred_availability_zone"] = z
    rg.cache_parameter_group_name = group or _default_parameter_group(rg)
    rg.preferred_maintenance_window = rg.preferred_maintenance_window or "sun:05:00-sun:06:00"
    if rg.auto_minor_version_upgrade is None:
        rg.auto_minor_version_upgrade = True
    return result


# ---- members as cache clusters ----

_moto_describe_clusters = ElastiCacheResponse.describe_cache_clusters


def _member_cluster(rg: ReplicationGroup, member: dict) -> dict:
    return {
        "CacheClusterId": member["cache_cluster_id"],
        "ReplicationGroupId": rg.replication_group_id,
        "ARN": rg.arn.replace(":replicationgroup:", ":cluster:").rsplit(":", 1)[0] + ":" + member["cache_cluster_id"],
        "CacheClusterStatus": "available" if rg.status == "available" else rg.status,
        "CacheNodeType": rg.cache_node_type,
        "Engine": rg.engine,
        "EngineVersion": rg.engine_version or ("8.0.1" if rg.engine == "valkey" else "7.1.0"),
        "NumCacheNodes": 1,
        "PreferredAvailabilityZone": member.get("preferred_availability_zone"),
        "PreferredMaintenanceWindow": rg.preferred_maintenance_window,
        "CacheParameterGroup": {
            "CacheParameterGroupName": rg.cache_parameter_group_name,
            "ParameterApplyStatus": "in-sync",
        },
        "CacheSubnetGroupName": rg.cache_subnet_group_name,
        "SecurityGroups": [{"SecurityGroupId": s, "Status": "active"} for s in (rg.security_group_ids or [])],
        "AutoMinorVersionUpgrade": bool(rg.auto_minor_version_upgrade),
        "SnapshotRetentionLimit": rg.snapshot_retention_limit,
        "SnapshotWindow": rg.snapshot_window,
        "AuthTokenEnabled": rg.auth_token_enabled,
        "TransitEncryptionEnabled": rg.transit_encryption_enabled,
        "AtRestEncryptionEnabled": rg.at_rest_encryption_enabled,
        "CacheClusterCreateTime": rg.replication_group_create_time,
    }


def _describe_cache_clusters(self):  # type: ignore[no-untyped-def]
    for rg in self.elasticache_backend.replication_groups.values():
        _settle(rg, describing=True)
    wanted = self._get_param("CacheClusterId")
    members = [
        _member_cluster(rg, m)
        for rg in self.elasticache_backend.replication_groups.values()
        for g in rg.node_groups
        for m in g["node_group_members"]
    ]
    if wanted:
        found = [m for m in members if m["CacheClusterId"] == wanted]
        if found:
            return ActionResult({"CacheClusters": found})
        return _moto_describe_clusters(self)
    bare = self.elasticache_backend.describe_cache_clusters()
    return ActionResult({"CacheClusters": list(bare) + members})


# ---- modify: every setting ----

def _modify_replication_group(self):  # type: ignore[no-untyped-def]
    rid = self._get_param("ReplicationGroupId")
    rg = self.elasticache_backend.replication_groups.get(rid)
    if rg is None:
        raise ReplicationGroupNotFound(rid)
    _check_available(rg)
    before = _settings(rg)
    failover = self._get_bool_param("AutomaticFailoverEnabled")
    multi_az = self._get_bool_param("MultiAZEnabled")
    want_failover = rg.automatic_failover == "enabled" if failover is None else failover
    want_multi_az = rg.multi_az == "enabled" if multi_az is None else multi_az
    if failover is not None or multi_az is not None:
        _check_failover(want_failover, want_multi_az, _replica_count(rg), False, True)
    token = self._get_param("AuthToken")
    if token and not rg.transit_encryption_enabled:
        raise InvalidParameterCombinationException("AuthToken requires TransitEncryptionEnabled.")
    strategy = self._get_param("AuthTokenUpdateStrategy") or "ROTATE"
    if token:
        _check_token(token)
        if strategy not in ("ROTATE", "SET"):
            raise InvalidParameterValueException(
                "AuthTokenUpdateStrategy must be ROTATE or SET when AuthToken is given."
            )
        if strategy == "SET" and token not in _tokens(rg):
            raise InvalidParameterCombinationException(
                "SET only finalizes a rotation: ROTATE to this AuthToken first."
            )
    group = self._get_param("CacheParameterGroupName")
    if group and not group.startswith("default.") and group not in _groups(self):
        raise CacheParameterGroupNotFound(group)
    rg.automatic_failover = "enabled" if want_failover else "disabled"
    rg.multi_az = "enabled" if want_multi_az else "disabled"
    for param, attr, kind in [
        ("CacheNodeType", "cache_node_type", str),
        ("Engine", "engine", str),
        ("EngineVersion", "engine_version", str),
        ("SnapshotWindow", "snapshot_window", str),
        ("PreferredMaintenanceWindow", "preferred_maintenance_window", str),
        ("CacheParameterGroupName", "cache_parameter_group_name", str),
        ("SnapshotRetentionLimit", "snapshot_retention_limit", int),
        ("AutoMinorVersionUpgrade", "auto_minor_version_upgrade", bool),
        ("ReplicationGroupDescription", "description", str),
    ]:
        v = self._get_bool_param(param) if kind is bool else self._get_int_param(param) if kind is int else self._get_param(param)
        if v is not None:
            setattr(rg, attr, v)
    sgs = self._get_param("SecurityGroupIds")
    if sgs:
        rg.security_group_ids = sgs
    if token:
        # ROTATE: the new token beside the newest old one; SET: the new token alone.
        rg.prod_auth_tokens = _tokens(rg)[-1:] + [token] if strategy == "ROTATE" else [token]
        rg.auth_token_enabled = True
        rg.auth_token_last_modified_date = _now()
    if _settings(rg) != before:
        begin_modifying(rg, self)
    return ActionResult({"ReplicationGroup": rg})


# ---- replica counts ----

def _set_replicas(rg: ReplicationGroup, count: int, zones: list[str]) -> None:
    for g in rg.node_groups:
        members = g["node_group_members"]
        while len(members) - 1 > count:
            members.pop()
        while len(members) - 1 < count:
            i = len(members)
            members.append(_member(rg, g, i, zones[i % len(zones)] if zones else "us-east-1b"))
    _rebuild_members(rg)
    if rg.cluster_mode != "enabled" and rg.snapshot_retention_limit:
        rg.snapshotting_cluster_id = rg.member_clusters[-1]


def _increase_replica_count(self):  # type: ignore[no-untyped-def]
    rid = self._get_param("ReplicationGroupId")
    rg = self.elasticache_backend.replication_groups.get(rid)
    if rg is None:
        raise ReplicationGroupNotFound(rid)
    count = self._get_int_param("NewReplicaCount")
    if count is None or count <= _replica_count(rg) or count > 5:
        raise InvalidParameterValueException(f"NewReplicaCount must be above the current count and at most 5, got {count}.")
    _set_replicas(rg, count, sorted(set(_zones_of(rg))) or ["us-east-1a", "us-east-1b"])
    return ActionResult({"ReplicationGroup": rg})


def _decrease_replica_count(self):  # type: ignore[no-untyped-def]
    rid = self._get_param("ReplicationGroupId")
    rg = self.elasticache_backend.replication_groups.get(rid)
    if rg is None:
        raise ReplicationGroupNotFound(rid)
    count = self._get_int_param("NewReplicaCount")
    if count is None or count >= _replica_count(rg) or count < 0:
        raise InvalidParameterValueException(f"NewReplicaCount must be below the current count, got {count}.")
    if count == 0 and (rg.automatic_failover == "enabled" or rg.multi_az == "enabled"):
        raise InvalidParameterCombinationException(
            "Cannot remove the last replica while automatic failover or Multi-AZ is enabled."
        )
    _set_replicas(rg, count, [])
    return ActionResult({"ReplicationGroup": rg})


# ---- shard count (cluster mode) ----

def _modify_shard_configuration(self):  # type: ignore[no-untyped-def]
    rid = self._get_param("ReplicationGroupId")
    rg = self.elasticache_backend.replication_groups.get(rid)
    if rg is None:
        raise ReplicationGroupNotFound(rid)
    if rg.cluster_mode != "enabled":
        raise InvalidReplicationGroupState("Shard configuration can be changed only in cluster mode.")
    count = self._get_int_param("NodeGroupCount")
    if not count or count < 1 or count > 500:
        raise InvalidParameterValueException(f"NodeGroupCount {count} is out of range.")
    replicas = _replica_count(rg)
    zones = sorted(set(_zones_of(rg))) or ["us-east-1a", "us-east-1b"]
    if count < len(rg.node_groups):
        if not (self._get_param("NodeGroupsToRemove") or self._get_param("NodeGroupsToRetain")):
            raise InvalidParameterValueException("NodeGroupsToRemove or NodeGroupsToRetain is required when removing shards.")
        rg.node_groups = rg.node_groups[:count]
    while len(rg.node_groups) < count:
        i = len(rg.node_groups)
        g = {"node_group_id": f"{i + 1:0>4}", "status": "available", "node_group_members": []}
        for r in range(replicas + 1):
            g["node_group_members"].append(_member(rg, g, r, zones[(i + r) % len(zones)]))
        rg.node_groups.append(g)
    width = 16384 // count
    for i, g in enumerate(rg.node_groups):
        g["slots"] = f"{i * width}-{16383 if i == count - 1 else (i + 1) * width - 1}"
    _rebuild_members(rg)
    return ActionResult({"ReplicationGroup": rg})


# ---- parameter groups ----

def _parameter_group_view(name: str, g: dict) -> dict:
    return {
        "CacheParameterGroupName": name,
        "CacheParameterGroupFamily": g["family"],
        "Description": g["description"],
        "IsGlobal": False,
        "ARN": g["arn"],
    }


def _create_cache_parameter_group(self):  # type: ignore[no-untyped-def]
    name = self._get_param("CacheParameterGroupName")
    groups = _groups(self)
    if name in groups:
        raise CacheParameterGroupAlreadyExists(name)
    b = self.elasticache_backend
    arn = f"arn:aws:elasticache:{b.region_name}:{b.account_id}:parametergroup:{name}"
    groups[name] = {
        "family": self._get_param("CacheParameterGroupFamily"),
        "description": self._get_param("Description"),
        "params": {},
        "arn": arn,
    }
    tags = self._get_param("Tags", [])
    if tags:
        b.tagging_service.tag_resource(arn, tags)
    return ActionResult({"CacheParameterGroup": _parameter_group_view(name, groups[name])})


def _describe_cache_parameter_groups(self):  # type: ignore[no-untyped-def]
    name = self._get_param("CacheParameterGroupName")
    groups = _groups(self)
    if name:
        if name not in groups:
            raise CacheParameterGroupNotFound(name)
        return ActionResult({"CacheParameterGroups": [_parameter_group_view(name, groups[name])]})
    return ActionResult({"CacheParameterGroups": [_parameter_group_view(n, g) for n, g in groups.items()]})


def _modify_cache_parameter_group(self):  # type: ignore[no-untyped-def]
    name = self._get_param("CacheParameterGroupName")
    groups = _groups(self)
    if name not in groups:
        raise CacheParameterGroupNotFound(name)
    for p in self._get_param("ParameterNameValues", []) or []:
        groups[name]["params"][p["ParameterName"]] = p.get("ParameterValue")
    return ActionResult({"CacheParameterGroupName": name})


def _reset_cache_parameter_group(self):  # type: ignore[no-untyped-def]
    name = self._get_param("CacheParameterGroupName")
    groups = _groups(self)
    if name not in groups:
        raise CacheParameterGroupNotFound(name)
    if self._get_bool_param("ResetAllParameters"):
        groups[name]["params"] = {}
    for p in self._get_param("ParameterNameValues", []) or []:
        groups[name]["params"].pop(p["ParameterName"], None)
    return ActionResult({"CacheParameterGroupName": name})


def _delete_cache_parameter_group(self):  # type: ignore[no-untyped-def]
    name = self._get_param("CacheParameterGroupName")
    groups = _groups(self)
    if name not in groups:
        raise CacheParameterGroupNotFound(name)
    if any(rg.cache_parameter_group_name == name for rg in self.elasticache_backend.replication_groups.values()):
        raise InvalidCacheParameterGroupState(name)
    del groups[name]
    return EmptyResult()


def _describe_cache_parameters(self):  # type: ignore[no-untyped-def]
    name = self._get_param("CacheParameterGroupName")
    groups = _groups(self)
    if name not in groups:
        raise CacheParameterGroupNotFound(name)
    params = [
        {"ParameterName": k, "ParameterValue": v, "Source": "user", "IsModifiable": True}
        for k, v in sorted(groups[name]["params"].items())
    ]
    return ActionResult({"Parameters": params})


# ---- deletes ----

def _delete_cache_subnet_group(self):  # type: ignore[no-untyped-def]
    name = self._get_param("CacheSubnetGroupName")
    b = self.elasticache_backend
    if name not in b.cache_subnet_groups:
        raise CacheSubnetGroupNotFound(name)
    if any(rg.cache_subnet_group_name == name for rg in b.replication_groups.values()):
        raise CacheSubnetGroupInUse(name)
    del b.cache_subnet_groups[name]
    return EmptyResult()


def _delete_replication_group(self):  # type: ignore[no-untyped-def]
    rid = self._get_param("ReplicationGroupId")
    b = self.elasticache_backend
    rg = b.replication_groups.get(rid)
    if rg is None:
        raise ReplicationGroupNotFound(rid)
    final = self._get_param("FinalSnapshotIdentifier")
    if final:
        b.create_snapshot(
            snapshot_name=final,
            replication_group_id=rid,
            cache_cluster_id=None,
            kms_key_id=rg.kms_key_id,
            tags=None,
        )
    rg.status = "deleting"
    del b.replication_groups[rid]
    return ActionResult({"ReplicationGroup": rg})


for _name, _fn in {
    "create_replication_group": _create_replication_group,
    "describe_replication_groups": _describe_replication_groups,
    "describe_cache_clusters": _describe_cache_clusters,
    "modify_replication_group": _modify_replication_group,
    "increase_replica_count": _increase_replica_count,
    "decrease_replica_count": _decrease_replica_count,
    "modify_replication_group_shard_configuration": _modify_shard_configuration,
    "create_cache_parameter_group": _create_cache_parameter_group,
    "describe_cache_parameter_groups": _describe_cache_parameter_groups,
    "modify_cache_parameter_group": _modify_cache_parameter_group,
    "reset_cache_parameter_group": _reset_cache_parameter_group,
    "delete_cache_parameter_group": _delete_cache_parameter_group,
    "describe_cache_parameters": _describe_cache_parameters,
    "delete_cache_subnet_group": _delete_cache_subnet_group,
    "delete_replication_group": _delete_replication_group,
}.items():
    setattr(ElastiCacheResponse, _name, _fn)


# ---- time passing for a group's AUTH token (tests of auth_token_rotation_days) ----
# POST /_elasticache/age-auth-token?group=<id>&days=<n> moves the group's AuthTokenLastModifiedDate
# n days back, as if that time had passed since the token last changed: what a rotation period
# measures cannot be waited for in a test.


class ClockLayer:
    def __init__(self, app):  # type: ignore[no-untyped-def]
        self.app = app

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        if environ.get("PATH_INFO", "").rstrip("/") != "/_elasticache/age-auth-token":
            return self.app(environ, start_response)
        import json
        import urllib.parse

        from moto.elasticache.models import elasticache_backends

        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        group = (query.get("group") or [""])[0]
        days = int((query.get("days") or ["0"])[0])
        aged = []
        for account in elasticache_backends.values():
            for backend in account.values():
                rg = backend.replication_groups.get(group)
                if rg is not None:
                    changed = getattr(rg, "auth_token_last_modified_date", None) or _now()
                    rg.auth_token_last_modified_date = changed - datetime.timedelta(days=days)
                    aged.append(str(rg.auth_token_last_modified_date))
        status = "200 OK" if aged else "404 Not Found"
        body = json.dumps({"group": group, "auth_token_last_modified": aged}).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]
