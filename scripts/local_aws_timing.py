"""Timing like AWS for the local AWS (issue 23): moto answers at once; AWS takes minutes.

Turned on per access key by the fault layer's rule `"timing": {"scale": 0.01}`, or for every caller
by `PROD_LOCAL_AWS_TIMING=realistic` (scale from `PROD_LOCAL_AWS_TIMING_SCALE`, default 0.02: a
15-minute Multi-AZ database takes 18 s). Under it:

- each create/modify/delete in `MUTATIONS` keeps its object in AWS's pending state for the scaled
  duration in `DURATIONS`: the object's own element in the describe answer is rewritten (the XML is
  scanned element by element; nothing else in the body changes), and a deleted object is still
  described, as deleting, until its time has passed;
- the first describe after a create misses the new object (AWS's eventual consistency);
- calls AWS refuses on a pending object are refused with AWS's error (`REFUSALS`), and so are deletes
  of what a deleting object still uses (its security groups, subnets, subnet groups);
- an IAM role handed to a service (`PASSED_ROLES`) cannot be assumed until `iam_role` has passed
  since its CreateRole.
"""
import os
import re
import threading
import time
import urllib.parse
from typing import Optional

MIN = 60.0
# Unscaled seconds, each with its source.
DURATIONS = {
    # NAT gateway: "pending" to "available" in 1-3 min (commonly observed; terraform-provider-aws's
    # aws_nat_gateway waits up to 10 min); delete ~1 min (VPC user guide, "Delete a NAT gateway":
    # it stays `deleting`, then `deleted` for about an hour).
    "nat_create": 2 * MIN,
    "nat_delete": 1 * MIN,
    # RDS Multi-AZ instance: ~15 min commonly observed (the standby is built and synchronised);
    # Single-AZ ~7 min; read replica ~10 min (a snapshot of the source restored: RDS user guide,
    # "Working with DB instance read replicas"); modify applied immediately: minutes (ModifyDBInstance
    # reference, "modifying"); delete ~5 min (commonly observed, Multi-AZ).
    "db_multi_az": 15 * MIN,
    "db_single_az": 7 * MIN,
    "db_replica": 10 * MIN,
    # Restore to a point in time (RestoreDBInstanceToPointInTime, also from a replicated backup): a new
    # instance is created and the backup and logs applied (RDS user guide, "Restoring a DB instance to
    # a specified time"): about a Single-AZ create; a Multi-AZ restore takes `db_multi_az`.
    "db_restore": 7 * MIN,
    "db_modify": 3 * MIN,
    "db_delete": 5 * MIN,
    # Aurora: the cluster ~2 min, the writer instance ~10 min, each reader ~8 min (commonly observed;
    # Aurora user guide, "Creating an Amazon Aurora DB cluster": "takes several minutes").
    "aurora_cluster": 2 * MIN,
    "aurora_writer": 10 * MIN,
    "aurora_reader": 8 * MIN,
    "aurora_modify": 2 * MIN,
    "aurora_delete": 2 * MIN,
    # ElastiCache replication group: ~12 min for a Multi-AZ group (commonly observed; ElastiCache
    # user guide, "Creating a replication group": "may take several minutes"); replica count changes
    # and modifies ~5-10 min; delete ~5 min.
    "cache_create": 12 * MIN,
    "cache_modify": 5 * MIN,
    "cache_replicas": 8 * MIN,
    "cache_delete": 5 * MIN,
    # Application Load Balancer: "provisioning" ~3 min (commonly observed; ELB user guide: "it can
    # take a few minutes for your load balancer to be fully set up"). Its delete is at once in the API.
    "lb_create": 3 * MIN,
    # RDS Proxy (local_aws_rds_proxy.py keeps these states itself): a proxy is `creating` ~5 min
    # (commonly observed; terraform-provider-aws's aws_db_proxy waits up to 30 min), `modifying`
    # ~1 min (ModifyDBProxy answers `modifying`), `deleting` ~2 min; a proxy endpoint ~3 min to
    # create, ~1 min to modify, ~2 min to delete; a registered target is REGISTERING ~2 min before
    # AVAILABLE (the proxy connects to it: RDS user guide, "Troubleshooting for RDS Proxy").
    "proxy_create": 5 * MIN,
    "proxy_modify": 1 * MIN,
    "proxy_delete": 2 * MIN,
    "proxy_endpoint_create": 3 * MIN,
    "proxy_endpoint_modify": 1 * MIN,
    "proxy_endpoint_delete": 2 * MIN,
    "proxy_target": 2 * MIN,
    # AWS Backup (local_aws_backup.py keeps these states itself): an on-demand backup job of an RDS
    # instance ~10 min from CREATED to COMPLETED (the snapshot of a small instance; commonly
    # observed); a copy job to another Region ~15 min (the whole snapshot copied across Regions:
    # longer than the backup, commonly observed); a restore test's restore job of an RDS snapshot
    # about a point-in-time restore (`db_restore`), its restored instance deleted afterwards in
    # about `db_delete`; a deleted recovery point (an RDS snapshot) DELETING ~1 min.
    "backup_job": 10 * MIN,
    "backup_copy_job": 15 * MIN,
    "backup_restore_job": 7 * MIN,
    "backup_restore_cleanup": 5 * MIN,
    "backup_recovery_point_delete": 1 * MIN,
    # IAM: a new role is not usable by another service for some seconds (IAM user guide,
    # "Changes that I make are not always immediately visible": eventual consistency; ~10 s seen).
    "iam_role": 10.0,
}
SCALE_DEFAULT = 0.02


class Kind:
    """How one kind of object is described: the describe action, the list and element tags, the
    element's id tag, the path to its status, the parameters that ask for given objects (AWS answers
    `not_found` when one of them is missing)."""

    def __init__(self, describe, container, child, id_tag, status, single, not_found):  # type: ignore[no-untyped-def]
        self.describe, self.container, self.child = describe, container, child
        self.id_tag, self.status, self.single, self.not_found = id_tag, status, single, not_found


KINDS = {
    "nat": Kind("DescribeNatGateways", "natGatewaySet", "item", "natGatewayId", ["state"],
                ("NatGatewayId.",), (400, "NatGatewayNotFound", "NAT gateway {} was not found")),
    "db": Kind("DescribeDBInstances", "DBInstances", "DBInstance", "DBInstanceIdentifier",
               ["DBInstanceStatus"], ("DBInstanceIdentifier",), (404, "DBInstanceNotFound", "DBInstance {} not found.")),
    "cluster": Kind("DescribeDBClusters", "DBClusters", "DBCluster", "DBClusterIdentifier", ["Status"],
                    ("DBClusterIdentifier",), (404, "DBClusterNotFoundFault", "DBCluster {} not found.")),
    "cache": Kind("DescribeReplicationGroups", "ReplicationGroups", "ReplicationGroup", "ReplicationGroupId",
                  ["Status"], ("ReplicationGroupId",),
                  (404, "ReplicationGroupNotFoundFault", "ReplicationGroup {} not found.")),
    "lb": Kind("DescribeLoadBalancers", "LoadBalancers", "member", "LoadBalancerArn", ["State", "Code"],
               ("LoadBalancerArns.member.", "Names.member."), (400, "LoadBalancerNotFound", "One or more load balancers not found")),
}
BY_DESCRIBE = {k.describe: name for name, k in KINDS.items()}


def _db_create(p: dict, clock: "Clock") -> str:
    cluster = p.get("DBClusterIdentifier")
    if cluster:
        first = cluster not in clock.clusters_with_writer
        clock.clusters_with_writer.add(cluster)
        return "aurora_writer" if first else "aurora_reader"
    return "db_multi_az" if p.get("MultiAZ", "").lower() == "true" else "db_single_az"


def _db_restore(p: dict, clock: "Clock") -> str:
    return "db_multi_az" if p.get("MultiAZ", "").lower() == "true" else "db_restore"


# action -> (kind, where the id is: request parameter or "response:<tag>", phase, duration row).
MUTATIONS = {
    "CreateNatGateway": ("nat", "response:natGatewayId", "pending", "nat_create"),
    "DeleteNatGateway": ("nat", "NatGatewayId", "deleting", "nat_delete"),
    "CreateDBInstance": ("db", "DBInstanceIdentifier", "creating", _db_create),
    "CreateDBInstanceReadReplica": ("db", "DBInstanceIdentifier", "creating", "db_replica"),
    "RestoreDBInstanceToPointInTime": ("db", "TargetDBInstanceIdentifier", "creating", _db_restore),
    "ModifyDBInstance": ("db", "DBInstanceIdentifier", "modifying", "db_modify"),
    "DeleteDBInstance": ("db", "DBInstanceIdentifier", "deleting", "db_delete"),
    "CreateDBCluster": ("cluster", "DBClusterIdentifier", "creating", "aurora_cluster"),
    "ModifyDBCluster": ("cluster", "DBClusterIdentifier", "modifying", "aurora_modify"),
    "DeleteDBCluster": ("cluster", "DBClusterIdentifier", "deleting", "aurora_delete"),
    "CreateReplicationGroup": ("cache", "ReplicationGroupId", "creating", "cache_create"),
    "ModifyReplicationGroup": ("cache", "ReplicationGroupId", "modifying", "cache_modify"),
    "IncreaseReplicaCount": ("cache", "ReplicationGroupId", "modifying", "cache_replicas"),
    "DecreaseReplicaCount": ("cache", "ReplicationGroupId", "modifying", "cache_replicas"),
    "DeleteReplicationGroup": ("cache", "ReplicationGroupId", "deleting", "cache_delete"),
    "CreateLoadBalancer": ("lb", "response:LoadBalancerArn", "provisioning", "lb_create"),
}

# Calls AWS refuses while the object named by the parameter is pending: (kind, parameter, error).
_NOT_AVAILABLE = (400, "InvalidDBInstanceState", "DB instance {} is not in available state.")
REFUSALS = {
    "CreateDBInstanceReadReplica": ("db", "SourceDBInstanceIdentifier", _NOT_AVAILABLE),
    "ModifyDBInstance": ("db", "DBInstanceIdentifier", _NOT_AVAILABLE),
    "RebootDBInstance": ("db", "DBInstanceIdentifier", _NOT_AVAILABLE),
    "ModifyDBCluster": ("cluster", "DBClusterIdentifier",
                        (400, "InvalidDBClusterStateFault", "DBCluster {} is not in available state.")),
    "ModifyReplicationGroup": ("cache", "ReplicationGroupId",
                               (400, "InvalidReplicationGroupState", "Replication group {} is not in available state.")),
    "IncreaseReplicaCount": ("cache", "ReplicationGroupId",
                             (400, "InvalidReplicationGroupState", "Replication group {} is not in available state.")),
}

# Deletes refused while a deleting object still uses what they delete:
# action -> (parameter, the use's prefix in `_uses`, error).
IN_USE = {
    "DeleteSecurityGroup": ("GroupId", "sg:", (400, "DependencyViolation", "resource {} has a dependent object")),
    "DeleteSubnet": ("SubnetId", "subnet:", (400, "DependencyViolation",
                                  "The subnet '{}' has dependencies and cannot be deleted.")),
    "DeleteDBSubnetGroup": ("DBSubnetGroupName", "dbsubnetgroup:", (400, "InvalidDBSubnetGroupStateFault",
                                                  "Cannot delete the subnet group '{}' because at least one "
                                                  "database instance is still using it.")),
    "DeleteCacheSubnetGroup": ("CacheSubnetGroupName", "cachesubnetgroup:", (400, "CacheSubnetGroupInUse",
                                                        "Cache subnet group {} is currently in use by a cluster.")),
}

# Roles handed to a service: action -> (parameter, error).
PASSED_ROLES = {
    "CreateDBInstance": ("MonitoringRoleArn", (400, "InvalidParameterValue",
                                               "IAM role ARN value is invalid or does not include the required "
                                               "permissions for: ENHANCED_MONITORING")),
    "CreateDBInstanceReadReplica": ("MonitoringRoleArn", (400, "InvalidParameterValue",
                                                          "IAM role ARN value is invalid or does not include the "
                                                          "required permissions for: ENHANCED_MONITORING")),
    "CreateFlowLogs": ("DeliverLogsPermissionArn", (400, "InvalidParameter", "Unable to assume given IAM role: '{}'")),
}


def server_rule() -> Optional[dict]:
    """The server-wide timing rule, from the environment (None: off)."""
    if os.environ.get("PROD_LOCAL_AWS_TIMING", "") != "realistic":
        return None
    return {"scale": float(os.environ.get("PROD_LOCAL_AWS_TIMING_SCALE", SCALE_DEFAULT))}


# ---- XML, element by element ----
_TAG = re.compile(r"<(/?)([A-Za-z_][\w.:-]*)[^>]*?(/?)>")


def _children(xml: str, tag: str, start: int = 0, end: Optional[int] = None) -> list[tuple[int, int, int, int]]:
    """The `tag` elements directly inside xml[start:end] (depth 0 there): (open start, inner start,
    inner end, close end) each."""
    out, depth, opened = [], 0, None
    for m in _TAG.finditer(xml, start, len(xml) if end is None else end):
        close, name, empty = m.groups()
        if empty:
            if depth == 0 and name == tag:
                out.append((m.start(), m.end(), m.end(), m.end()))
        elif close:
            depth -= 1
            if depth == 0 and opened is not None and name == tag:
                out.append((opened[0], opened[1], m.start(), m.end()))
                opened = None
        else:
            if depth == 0 and name == tag:
                opened = (m.start(), m.end())
            depth += 1
    return out


def _container(xml: str, tag: str) -> Optional[tuple[int, int]]:
    """The inner span of the first `<tag>` element anywhere in the body."""
    m = re.search(rf"<{re.escape(tag)}(\s[^>]*)?(/?)>", xml)
    if m is None:
        return None
    if m.group(2):
        return m.end(), m.end()
    found = _children(xml, tag, m.start())
    return (found[0][1], found[0][2]) if found else None


def _text(elem: str, path: list[str]) -> Optional[tuple[int, int]]:
    """The span of the text at `path` (direct children, level by level) inside an element's inner XML."""
    start, end = 0, len(elem)
    for tag in path:
        found = _children(elem, tag, start, end)
        if not found:
            return None
        start, end = found[0][1], found[0][2]
    return start, end


def _get(elem: str, path: list[str]) -> str:
    span = _text(elem, path)
    return elem[span[0]:span[1]] if span else ""


def _set(elem: str, path: list[str], value: str) -> str:
    span = _text(elem, path)
    return elem if span is None else elem[: span[0]] + value + elem[span[1]:]


# What a deleting object holds on to, typed (a DB and a cache subnet group may share a name):
# (prefix of the use, the XML tags or request parameters naming it).
_USE_KINDS = (
    ("sg:", ("VpcSecurityGroupId", "SecurityGroupId")),
    ("subnet:", ("subnetId", "SubnetIdentifier", "SubnetId")),
    ("dbsubnetgroup:", ("DBSubnetGroupName",)),
    ("cachesubnetgroup:", ("CacheSubnetGroupName",)),
)


def _uses(elem: str, params: dict) -> set[str]:
    """What an object uses that AWS will not delete under it: security groups, subnets, subnet groups."""
    found = set()
    for prefix, names in _USE_KINDS:
        for tag in names:
            found.update(prefix + v for v in re.findall(rf"<{tag}>([^<]+)</{tag}>", elem))
        for name, value in params.items():
            if any(name == n or name.startswith(n + "s.") for n in names):
                found.add(prefix + value)
    return found


# ---- the clock of one access key ----
_CREATING = ("creating", "pending", "provisioning")
Error = tuple[int, str, str]


def params(query: str, body: bytes) -> dict[str, str]:
    """A query-protocol call's parameters (first value of each)."""
    out: dict[str, str] = {}
    for text in (query, body.decode("utf-8", "replace")):
        for name, values in urllib.parse.parse_qs(text, keep_blank_values=True).items():
            out.setdefault(name, values[0])
    return out


class Clock:
    def __init__(self, scale: float) -> None:
        self.scale = scale
        self.objects: dict[tuple[str, str], dict] = {}  # (kind, id) -> phase, until, misses, uses
        self.seen: dict[tuple[str, str], str] = {}  # (kind, id) -> its element as last described
        self.envelope: dict[str, tuple[str, str]] = {}  # kind -> a describe answer around its list
        self.roles: dict[str, float] = {}  # role name -> when created
        self.clusters_with_writer: set[str] = set()
        self.lock = threading.Lock()

    def _live(self, kind: str, oid: str) -> Optional[dict]:
        o = self.objects.get((kind, oid))
        return o if o is not None and time.time() < o["until"] else None

    # -- before a call reaches moto --
    def refuse(self, action: str, p: dict) -> Optional[Error]:
        with self.lock:
            return self._role_not_assumable(action, p) or self._pending(action, p) or self._in_use(action, p)

    def _role_not_assumable(self, action: str, p: dict) -> Optional[Error]:
        param, (status, code, message) = PASSED_ROLES.get(action, ("", (0, "", "")))
        arn = p.get(param, "") if param else ""
        created = self.roles.get(arn.rsplit("/", 1)[-1]) if arn else None
        if created is None or time.time() - created >= DURATIONS["iam_role"] * self.scale:
            return None
        return status, code, message.format(arn)

    def _pending(self, action: str, p: dict) -> Optional[Error]:
        kind, param, (status, code, message) = REFUSALS.get(action, ("", "", (0, "", "")))
        o = self._live(kind, p.get(param, "")) if kind else None
        if o is None or (kind == "db" and o["phase"] == "modifying"):
            return None
        return status, code, message.format(p[param])

    def _in_use(self, action: str, p: dict) -> Optional[Error]:
        param, prefix, (status, code, message) = IN_USE.get(action, ("", "", (0, "", "")))
        value = p.get(param) if param else None
        for (kind, oid), o in self.objects.items():
            if value and o["phase"] == "deleting" and prefix + value in o["uses"] and self._live(kind, oid):
                return status, code, message.format(value)
        return None

    # -- after moto answered --
    def after(self, action: str, p: dict, status: int, body: str):  # type: ignore[no-untyped-def]
        """None (answer unchanged), ("body", new body, [id=state answered]) or ("error", Error,
        [id=state answered])."""
        with self.lock:
            if action == "CreateRole" and status == 200:
                self.roles[p.get("RoleName", "")] = time.time()
            elif action in MUTATIONS and status == 200:
                self._mutated(action, p, body)
            elif action in BY_DESCRIBE:
                return self._described(BY_DESCRIBE[action], p, status, body)
        return None

    def _mutated(self, action: str, p: dict, body: str) -> None:
        kind, where, phase, row = MUTATIONS[action]
        if where.startswith("response:"):
            m = re.search(rf"<{where[9:]}>([^<]+)</", body)
            oid = m.group(1) if m else ""
        else:
            oid = p.get(where, "")
        row = row(p, self) if callable(row) else row
        before = self.objects.get((kind, oid), {}).get("uses", set())
        self.objects[(kind, oid)] = {
            "phase": phase,
            "until": time.time() + DURATIONS[row] * self.scale,
            "misses": 1 if phase in _CREATING else 0,
            "uses": before | _uses(self.seen.get((kind, oid), ""), p),
        }

    def _described(self, kind: str, p: dict, status: int, body: str):  # type: ignore[no-untyped-def]
        k = KINDS[kind]
        asked = [v for n, v in p.items() if n.startswith(k.single) or ".Value" in n]
        if status != 200:
            return self._still_deleting(kind, asked)
        body = re.sub(rf"<{k.container}\s*/>", f"<{k.container}></{k.container}>", body, count=1)
        span = _container(body, k.container)
        if span is None:
            return None
        self.envelope[kind] = (body[: span[0]], body[span[1]:])
        parts, rewritten, present, missed = [], [], set(), False
        for e in _children(body, k.child, *span):
            whole, inner = body[e[0]:e[3]], body[e[1]:e[2]]
            oid = _get(inner, [k.id_tag])
            present.add(oid)
            self.seen[(kind, oid)] = whole
            o = self._live(kind, oid)
            if o is not None and o["misses"] > 0:
                o["misses"] -= 1
                missed = True
                rewritten.append(f"{oid}=missing")
                continue
            if o is not None:
                whole = body[e[0]:e[1]] + _set(inner, k.status, o["phase"]) + body[e[2]:e[3]]
                rewritten.append(f"{oid}={o['phase']}")
            parts.append(whole)
        for (kd, oid), o in self.objects.items():
            if kd == kind and oid not in present and o["phase"] == "deleting" and self._live(kd, oid):
                if (kd, oid) in self.seen and (not asked or oid in asked):
                    parts.append(_set_whole(self.seen[(kd, oid)], k, "deleting"))
                    rewritten.append(f"{oid}=deleting")
        if missed and not parts and any(n.startswith(k.single) for n in p):
            status, code, message = k.not_found
            return "error", (status, code, message.format(asked[0] if asked else "")), rewritten
        return "body", body[: span[0]] + "".join(parts) + body[span[1]:], rewritten

    def _still_deleting(self, kind: str, asked: list[str]):  # type: ignore[no-untyped-def]
        """A NotFound for one object AWS is still deleting: answered with its last description."""
        k = KINDS[kind]
        for oid in asked:
            o = self._live(kind, oid)
            if o is not None and o["phase"] == "deleting" and (kind, oid) in self.seen and kind in self.envelope:
                head, tail = self.envelope[kind]
                return "body", head + _set_whole(self.seen[(kind, oid)], k, "deleting") + tail, [f"{oid}=deleting"]
        return None


def _set_whole(whole: str, k: Kind, state: str) -> str:
    """An element (with its own tags) with its status set."""
    e = _children(whole, k.child)[0]
    return whole[: e[1]] + _set(whole[e[1]:e[2]], k.status, state) + whole[e[2]:]


_CLOCKS: dict[str, Clock] = {}
_CLOCKS_LOCK = threading.Lock()


def clock(key: str, rule: dict) -> Clock:
    """The key's clock under its timing rule (a new one when the scale changes)."""
    scale = float(rule.get("scale", SCALE_DEFAULT))
    with _CLOCKS_LOCK:
        c = _CLOCKS.get(key)
        if c is None or c.scale != scale:
            c = _CLOCKS[key] = Clock(scale)
        return c


def forget(key: str) -> None:
    with _CLOCKS_LOCK:
        _CLOCKS.pop(key, None)
