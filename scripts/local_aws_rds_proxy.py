"""RDS Proxy in the project's local AWS (imported by local_aws_server.py).

The provider pools a database's connections through RDS Proxy: a proxy (TLS and IAM authentication
required, the master secret), its default target group's connection pool, its target (the primary
instance, or Aurora's cluster) and, for Aurora, a read-only proxy endpoint. moto 5.2.5 has half of
that API, and what it has is not AWS's:

- no ModifyDBProxy, CreateDBProxyEndpoint, DescribeDBProxyEndpoints, ModifyDBProxyEndpoint or
  DeleteDBProxyEndpoint at all;
- CreateDBProxy checks nothing of Auth, RoleArn, the subnets' Availability Zones or the security
  groups, clamps an IdleClientTimeout out of range, answers an invalid name with
  InvalidDBInstanceIdentifier and a full account with `DBProxyQuotaExceeded` (AWS:
  DBProxyQuotaExceededFault, at 20 proxies), makes the proxy `available` at once with the endpoint
  `<name>.db-proxy-<id>` (AWS: `<name>.proxy-<id>`) and a lowercase-alphanumeric id (AWS: `prx-`
  and 17 hex digits);
- DeleteDBProxy removes the proxy at once (AWS: `deleting` first, its endpoints with it), and every
  call but DescribeDBProxies naming an unknown proxy answers HTTP 500 (a KeyError) instead of
  DBProxyNotFoundFault;
- RegisterDBProxyTargets registers anything, existing or not, any engine, any number of times, as
  many targets as asked, on port 5432 without ARN, role or endpoint for an instance, and never lists
  a cluster's instances; DescribeDBProxyTargets ignores TargetGroupName; DeregisterDBProxyTargets
  answers success for a target that is not registered; deleting a DB instance or cluster leaves it
  registered;
- ModifyDBProxyTargetGroup takes any values (AWS: MaxConnectionsPercent 1-100,
  MaxIdleConnectionsPercent 0-MaxConnectionsPercent, ConnectionBorrowTimeout 0-3600, the only
  SessionPinningFilters value EXCLUDE_VARIABLE_SETS), drops InitQuery, silently halves
  MaxIdleConnectionsPercent when it is not given, and ignores TargetGroupName;
- tags of a proxy endpoint (`db-proxy-endpoint:` ARNs) cannot be read or set, and tags of a proxy
  that does not exist read as none (AWS: DBProxyNotFoundFault).

Filled here as AWS behaves (RDS API reference of each action below; RDS user guide, "Amazon RDS
Proxy", "Working with Amazon RDS Proxy endpoints" and its "Limitations for proxy endpoints").

Pending states. A proxy is `creating` after CreateDBProxy, `modifying` after ModifyDBProxy and
`deleting` after DeleteDBProxy (still described, then gone with its endpoints and target group); a
proxy endpoint likewise (`creating`, `modifying`, `deleting`); a target is `REGISTERING` after
RegisterDBProxyTargets, then `AVAILABLE`. Each lasts TRANSITION_SECONDS (long enough that the
provider must wait, short enough for the tests), or, under the timing mode of local_aws_timing.py
(the caller's `"timing"` rule or PROD_LOCAL_AWS_TIMING=realistic), the scaled `proxy_*` rows of its
DURATIONS. While a proxy is `creating` or `deleting`, the calls that change it or its targets,
target group or endpoints are refused (InvalidDBProxyStateFault), and ModifyDBProxy also while it is
`modifying`; ModifyDBProxyEndpoint likewise waits for its endpoint (InvalidDBProxyEndpointStateFault).

A proxy or proxy endpoint holds network interfaces in its subnets with its security groups until it
is gone: DeleteSubnet and DeleteSecurityGroup of one it uses answer DependencyViolation (moto deletes
them under it).

DescribeDBProxyEndpoints lists the endpoints made with CreateDBProxyEndpoint only, not the proxy's
default endpoint: the user guide's limitations say the default endpoint can be neither created nor
deleted, names are unique per Region (so `default` names none), the CLI reference's examples list
only user-defined ones, and DescribeDBProxies gives the default endpoint's host.

The state is moto's RDS backend's (per account and Region): proxies in its `db_proxies` (so the
Resource Groups Tagging API sees them), endpoints beside them; a reset of the backend clears both.
Not emulated: DescribeDBProxies/-Endpoints/-Targets `Filters` (AWS: "not currently supported"),
whether RoleArn and SecretArn name an IAM role and a secret that exist (their form is checked),
IPv6 (EndpointNetworkType and TargetConnectionNetworkType are stored as given), target health
other than REGISTERING/AVAILABLE (a stopped instance: UNAVAILABLE), and, under the timing mode, the
eventual consistency the timing layer gives its own kinds (a new proxy is described at once).
"""
import random
import re
import threading
import time

import local_aws_timing as timing
from local_aws_elasticache import caller_timing_scale
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.ec2.exceptions import DependencyViolationError
from moto.ec2.models import ec2_backends
from moto.ec2.models.security_groups import SecurityGroupBackend
from moto.ec2.models.subnets import SubnetBackend
from moto.rds.exceptions import RDSClientError
from moto.rds.models import RDSBackend, TaggingMixin, rds_backends
from moto.rds.responses import RDSResponse

# How long a proxy, endpoint or target stays pending without the timing mode.
TRANSITION_SECONDS = 1.0
# AWS's default quotas: "Proxies" per account and Region (Service Quotas, RDS), and user-defined
# endpoints per proxy ("Limitations for proxy endpoints": "The maximum number of user-defined
# endpoints for a proxy is 20").
PROXY_QUOTA = 20
ENDPOINT_QUOTA = 20
DEFAULT_TARGET_GROUP = "default"

ENGINE_FAMILIES = ("MYSQL", "POSTGRESQL", "SQLSERVER")
# API_UserAuthConfig: ClientPasswordAuthType's values by engine family, the first the default
# ("RDS for MySQL: MYSQL_CACHING_SHA2_PASSWORD; RDS for SQL Server: SQL_SERVER_AUTHENTICATION; RDS
# for PostgreSQL: POSTGRES_SCRAM_SHA2_256").
CLIENT_AUTH = {
    "MYSQL": ("MYSQL_CACHING_SHA2_PASSWORD", "MYSQL_NATIVE_PASSWORD"),
    "POSTGRESQL": ("POSTGRES_SCRAM_SHA_256", "POSTGRES_MD5"),
    "SQLSERVER": ("SQL_SERVER_AUTHENTICATION",),
}
IAM_AUTH = ("DISABLED", "REQUIRED", "ENABLED")
PINNING_FILTERS = ("EXCLUDE_VARIABLE_SETS",)

_LOCK = threading.RLock()
_NAME = re.compile(r"^[a-zA-Z](?:-?[a-zA-Z0-9]+)*$")  # the DBProxyName / DBProxyEndpointName shapes
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")
_SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$")
_RESOURCE_ARN = re.compile(
    r"^arn:aws[a-z-]*:rds:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<kind>db-proxy|db-proxy-endpoint|target-group):(?P<id>.+)$"
)


# ---- AWS's faults (the RDS service model: code, HTTP status) ----


def _fault(code: str, message: str) -> RDSClientError:
    return RDSClientError(code, message)


def _proxy_not_found(name):  # type: ignore[no-untyped-def]
    return _fault("DBProxyNotFoundFault", f"DBProxy {name} not found.")  # 404


def _endpoint_not_found(name):  # type: ignore[no-untyped-def]
    return _fault("DBProxyEndpointNotFoundFault", f"DBProxyEndpoint {name} not found.")  # 404


def _group_not_found(proxy, group):  # type: ignore[no-untyped-def]
    return _fault("DBProxyTargetGroupNotFoundFault", f"DBProxyTargetGroup {group} not found for DBProxy {proxy}.")  # 404


def _invalid(message):  # type: ignore[no-untyped-def]
    return _fault("InvalidParameterValue", message)  # 400


def _missing(name):  # type: ignore[no-untyped-def]
    return _fault("MissingParameter", f"The request must contain the parameter {name}.")  # 400


def _proxy_state(proxy):  # type: ignore[no-untyped-def]
    # InvalidDBProxyStateFault, 400: "The requested operation can't be performed while the proxy is
    # in this state."
    return _fault(
        "InvalidDBProxyStateFault",
        f"The requested operation can't be performed while DBProxy {proxy.name} is in the {proxy.status} state.",
    )


# ---- the records ----


def _hex17() -> str:
    return "".join(random.choices("0123456789abcdef", k=17))


class Proxy(TaggingMixin):
    resource_type = "db-proxy"

    def __init__(self, backend, name, family):  # type: ignore[no-untyped-def]
        self.backend = backend
        self.name = name
        self.family = family
        self.resource_id = f"prx-{_hex17()}"
        self.host_id = "".join(random.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=12))
        self.arn = f"arn:{backend.partition}:rds:{backend.region_name}:{backend.account_id}:db-proxy:{self.resource_id}"
        self.status = "creating"
        self.settle_at = 0.0
        self.created = self.updated = utcnow()
        self.default_auth_scheme = "NONE"
        self.auth: list = []
        self.role_arn = ""
        self.vpc_id = ""
        self.subnets: list = []
        self.security_groups: list = []
        self.require_tls = False
        self.idle_client_timeout = 1800
        self.debug_logging = False
        self.endpoint_network_type = "IPV4"
        self.target_network_type = "IPV4"
        self.tags = []
        self.group = TargetGroup(self)
        self.targets: list = []  # at most one: {"kind": "instance"|"cluster", "id", "healthy_at"}

    @property
    def host(self) -> str:
        return f"{self.name}.proxy-{self.host_id}.{self.backend.region_name}.rds.amazonaws.com"

    def view(self) -> dict:
        return {
            "DBProxyName": self.name,
            "DBProxyArn": self.arn,
            "Status": self.status,
            "EngineFamily": self.family,
            "VpcId": self.vpc_id,
            "VpcSecurityGroupIds": list(self.security_groups),
            "VpcSubnetIds": list(self.subnets),
            "DefaultAuthScheme": self.default_auth_scheme,
            "Auth": [dict(a) for a in self.auth],
            "RoleArn": self.role_arn,
            "Endpoint": self.host,
            "RequireTLS": self.require_tls,
            "IdleClientTimeout": self.idle_client_timeout,
            "DebugLogging": self.debug_logging,
            "CreatedDate": self.created,
            "UpdatedDate": self.updated,
            "EndpointNetworkType": self.endpoint_network_type,
            "TargetConnectionNetworkType": self.target_network_type,
        }


class TargetGroup(TaggingMixin):
    resource_type = "target-group"

    def __init__(self, proxy):  # type: ignore[no-untyped-def]
        backend = proxy.backend
        self.proxy = proxy
        self.resource_id = f"prx-tg-{_hex17()}"
        self.arn = f"arn:{backend.partition}:rds:{backend.region_name}:{backend.account_id}:target-group:{self.resource_id}"
        self.created = self.updated = utcnow()
        # API_ConnectionPoolConfiguration's defaults.
        self.max_connections = 100
        self.max_idle_connections = 50
        self.borrow_timeout = 120
        self.pinning_filters: list = []
        self.init_query = None
        self.tags = []

    def view(self) -> dict:
        pool = {
            "MaxConnectionsPercent": self.max_connections,
            "MaxIdleConnectionsPercent": self.max_idle_connections,
            "ConnectionBorrowTimeout": self.borrow_timeout,
            "SessionPinningFilters": list(self.pinning_filters),
        }
        if self.init_query is not None:
            pool["InitQuery"] = self.init_query
        return {
            "DBProxyName": self.proxy.name,
            "TargetGroupName": DEFAULT_TARGET_GROUP,
            "TargetGroupArn": self.arn,
            "IsDefault": True,
            "Status": "available",
            "ConnectionPoolConfig": pool,
            "CreatedDate": self.created,
            "UpdatedDate": self.updated,
        }


class ProxyEndpoint(TaggingMixin):
    resource_type = "db-proxy-endpoint"

    def __init__(self, proxy, name):  # type: ignore[no-untyped-def]
        backend = proxy.backend
        self.backend = backend
        self.proxy = proxy
        self.name = name
        self.resource_id = f"prx-endpoint-{_hex17()}"
        self.arn = f"arn:{backend.partition}:rds:{backend.region_name}:{backend.account_id}:db-proxy-endpoint:{self.resource_id}"
        self.status = "creating"
        self.settle_at = 0.0
        self.created = utcnow()
        self.vpc_id = ""
        self.subnets: list = []
        self.security_groups: list = []
        self.target_role = "READ_WRITE"
        self.network_type = "IPV4"
        self.tags = []

    @property
    def host(self) -> str:
        return f"{self.name}.endpoint.proxy-{self.proxy.host_id}.{self.backend.region_name}.rds.amazonaws.com"

    def view(self) -> dict:
        return {
            "DBProxyEndpointName": self.name,
            "DBProxyEndpointArn": self.arn,
            "DBProxyName": self.proxy.name,
            "Status": self.status,
            "VpcId": self.vpc_id,
            "VpcSecurityGroupIds": list(self.security_groups),
            "VpcSubnetIds": list(self.subnets),
            "Endpoint": self.host,
            "CreatedDate": self.created,
            "TargetRole": self.target_role,
            "IsDefault": False,
            "EndpointNetworkType": self.network_type,
        }


# ---- the store: moto's backend, per account and Region ----


def _proxies(backend) -> dict:  # type: ignore[no-untyped-def]
    return backend.db_proxies


def _endpoints(backend) -> dict:  # type: ignore[no-untyped-def]
    return backend.__dict__.setdefault("prod_proxy_endpoints", {})


def _settle(backend) -> None:  # type: ignore[no-untyped-def]
    """Pending states that have run their time: `creating`/`modifying` become `available`,
    `deleting` objects are gone (a proxy with its endpoints)."""
    now = time.time()
    proxies, endpoints = _proxies(backend), _endpoints(backend)
    for name, proxy in list(proxies.items()):
        if not isinstance(proxy, Proxy) or proxy.status == "available" or now < proxy.settle_at:
            continue
        if proxy.status == "deleting":
            del proxies[name]
            for ep_name, ep in list(endpoints.items()):
                if ep.proxy is proxy:
                    del endpoints[ep_name]
        else:
            proxy.status = "available"
    for name, ep in list(endpoints.items()):
        if ep.status == "available" or now < ep.settle_at:
            continue
        if ep.status == "deleting":
            del endpoints[name]
        else:
            ep.status = "available"


def _pending_until(response, row) -> float:  # type: ignore[no-untyped-def]
    """When a pending state begun now ends: TRANSITION_SECONDS, or the timing mode's scaled row."""
    scale = caller_timing_scale(response)
    return time.time() + (TRANSITION_SECONDS if scale is None else timing.DURATIONS[row] * scale)


def _proxy(backend, name):  # type: ignore[no-untyped-def]
    if not name:
        raise _missing("DBProxyName")
    proxy = _proxies(backend).get(name)
    if not isinstance(proxy, Proxy):
        raise _proxy_not_found(name)
    return proxy


def _changeable(proxy, *refused) -> None:  # type: ignore[no-untyped-def]
    if proxy.status in refused:
        raise _proxy_state(proxy)


def _group(proxy, name):  # type: ignore[no-untyped-def]
    """The target group `name` (default: the default one); every proxy has only `default`."""
    if name not in (None, "", DEFAULT_TARGET_GROUP):
        raise _group_not_found(proxy.name, name)
    return proxy.group


def _page(items, params):  # type: ignore[no-untyped-def]
    """MaxRecords (20-100, default 100) and Marker, as the Describe actions take them."""
    size = params.get("MaxRecords")
    size = 100 if size in (None, "") else int(size)
    if not 20 <= size <= 100:
        raise _invalid(f"Invalid value {size} for MaxRecords. Must be between 20 and 100.")
    marker = params.get("Marker")
    try:
        start = int(marker) if marker else 0
    except ValueError:
        raise _invalid(f"Invalid Marker: {marker}") from None
    page = items[start:start + size]
    more = start + size < len(items)
    return page, (str(start + size) if more else None)


def _truthy(value) -> bool:  # type: ignore[no-untyped-def]
    return value is True or str(value).lower() == "true"


def _check_name(value, what) -> None:  # type: ignore[no-untyped-def]
    if not isinstance(value, str) or len(value) > 63 or not _NAME.match(value):
        raise _invalid(
            f"The parameter {what} is not a valid identifier. Identifiers must begin with a letter; must "
            f"contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain "
            f"two consecutive hyphens."
        )


def _check_idle_timeout(value) -> int:  # type: ignore[no-untyped-def]
    seconds = int(value)
    if not 1 <= seconds <= 28800:
        raise _invalid(f"Invalid value {seconds} for IdleClientTimeout. It must be between 1 and 28,800 seconds.")
    return seconds


def _check_role(arn) -> str:  # type: ignore[no-untyped-def]
    if not isinstance(arn, str) or not _ROLE_ARN.match(arn):
        raise _invalid(f"The parameter RoleArn is not a valid IAM role ARN: {arn}")
    return arn


def _auth(entries, family, default_scheme):  # type: ignore[no-untyped-def]
    """The proxy's Auth (UserAuthConfigInfo list) from UserAuthConfig entries, checked as AWS does."""
    entries = list(entries or [])
    if not entries and default_scheme != "IAM_AUTH":
        raise _invalid("Auth must contain at least one authentication entry when DefaultAuthScheme is not IAM_AUTH.")
    out = []
    for entry in entries:
        scheme = entry.get("AuthScheme") or "SECRETS"
        if scheme != "SECRETS":
            raise _invalid(f"Invalid value {scheme} for AuthScheme. Valid values: SECRETS.")
        secret = entry.get("SecretArn")
        if not secret:
            raise _invalid("SecretArn must be specified for the SECRETS authentication scheme.")
        if not _SECRET_ARN.match(secret):
            raise _invalid(f"The parameter SecretArn is not a valid Secrets Manager secret ARN: {secret}")
        iam = entry.get("IAMAuth") or "DISABLED"
        if iam not in IAM_AUTH:
            raise _invalid(f"Invalid value {iam} for IAMAuth. Valid values: DISABLED, REQUIRED, ENABLED.")
        if iam == "ENABLED" and family != "SQLSERVER":
            raise _invalid("The ENABLED value for IAMAuth is valid only for proxies with RDS for Microsoft SQL Server.")
        client = entry.get("ClientPasswordAuthType") or CLIENT_AUTH[family][0]
        if client not in CLIENT_AUTH[family]:
            raise _invalid(
                f"ClientPasswordAuthType {client} is not valid for engine family {family}. Valid values: "
                f"{', '.join(CLIENT_AUTH[family])}."
            )
        info = {
            "Description": entry.get("Description"),
            "UserName": entry.get("UserName"),
            "AuthScheme": scheme,
            "SecretArn": secret,
            "IAMAuth": iam,
            "ClientPasswordAuthType": client,
        }
        out.append({k: v for k, v in info.items() if v is not None})
    return out


def _subnets(account_id, region, subnet_ids):  # type: ignore[no-untyped-def]
    """The VPC of `subnet_ids`: they must exist, share one VPC, and span two Availability Zones
    (API_CreateDBProxy, InvalidSubnet: "The requested subnet is invalid, or multiple subnets were
    requested that are not all in a common VPC"; RDS user guide, "Setting up network prerequisites":
    subnets in at least two Availability Zones)."""
    ec2 = ec2_backends[account_id][region]
    subnet_ids = list(subnet_ids or [])
    if not subnet_ids:
        raise _missing("VpcSubnetIds")
    found = []
    for sid in subnet_ids:
        try:
            found.append(ec2.get_subnet(sid))
        except Exception:  # noqa: BLE001 - InvalidSubnetID.NotFound
            raise _fault("InvalidSubnet", f"The requested subnet {sid} is invalid.") from None
    vpcs = {s.vpc_id for s in found}
    if len(vpcs) > 1:
        raise _fault(
            "InvalidSubnet",
            "The requested subnets are invalid: multiple subnets were requested that are not all in a common VPC.",
        )
    if len({s.availability_zone for s in found}) < 2:
        raise _fault(
            "InvalidSubnet",
            "The requested subnets are invalid: specify subnets in at least two different Availability Zones.",
        )
    return found[0].vpc_id, subnet_ids


def _security_groups(account_id, region, vpc_id, group_ids, default_if_none=True):  # type: ignore[no-untyped-def]
    """Security groups of the VPC `vpc_id` (default: the VPC's default group)."""
    ec2 = ec2_backends[account_id][region]
    group_ids = list(group_ids or [])
    if not group_ids:
        if not default_if_none:
            return []
        default = ec2.get_default_security_group(vpc_id)
        return [default.id] if default is not None else []
    for gid in group_ids:
        group = ec2.get_security_group_from_id(gid)
        if group is None:
            raise _invalid(f"The security group {gid} does not exist.")
        if group.vpc_id != vpc_id:
            raise _invalid(f"The security group {gid} does not belong to VPC {vpc_id}.")
    return group_ids


# ---- CreateDBProxy ----
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBProxy.html
# Errors: DBProxyAlreadyExistsFault (400) for a name in use (a proxy still `deleting` included),
# InvalidSubnet (400), DBProxyQuotaExceededFault (400) past PROXY_QUOTA proxies, InvalidParameterValue
# for a bad name, EngineFamily, RoleArn, Auth entry, security group or IdleClientTimeout (1-28800),
# MissingParameter for a required parameter left out.


def _create_db_proxy(self):  # type: ignore[no-untyped-def]
    p = self.params
    backend = self.backend
    name = p.get("DBProxyName")
    for required in ("DBProxyName", "EngineFamily", "RoleArn", "VpcSubnetIds"):
        if not p.get(required):
            raise _missing(required)
    _check_name(name, "DBProxyName")
    family = p.get("EngineFamily")
    if family not in ENGINE_FAMILIES:
        raise _invalid(f"Invalid value {family} for EngineFamily. Valid values: MYSQL, POSTGRESQL, SQLSERVER.")
    scheme = p.get("DefaultAuthScheme") or "NONE"
    if scheme not in ("NONE", "IAM_AUTH"):
        raise _invalid(f"Invalid value {scheme} for DefaultAuthScheme. Valid values: IAM_AUTH, NONE.")
    auth = _auth(p.get("Auth"), family, scheme)
    role = _check_role(p.get("RoleArn"))
    vpc_id, subnets = _subnets(self.current_account, self.region, p.get("VpcSubnetIds"))
    groups = _security_groups(self.current_account, self.region, vpc_id, p.get("VpcSecurityGroupIds"))
    idle = 1800 if p.get("IdleClientTimeout") in (None, "") else _check_idle_timeout(p.get("IdleClientTimeout"))
    with _LOCK:
        _settle(backend)
        proxies = _proxies(backend)
        if name in proxies:
            raise _fault(
                "DBProxyAlreadyExistsFault",
                f"Cannot create the DBProxy because a DBProxy with the identifier {name} already exists.",
            )
        if len(proxies) >= PROXY_QUOTA:
            raise _fault(
                "DBProxyQuotaExceededFault",
                "Your Amazon Web Services account already has the maximum number of proxies in the specified Region.",
            )
        proxy = Proxy(backend, name, family)
        proxy.default_auth_scheme = scheme
        proxy.auth = auth
        proxy.role_arn = role
        proxy.vpc_id, proxy.subnets, proxy.security_groups = vpc_id, subnets, groups
        proxy.require_tls = _truthy(p.get("RequireTLS"))
        proxy.idle_client_timeout = idle
        proxy.debug_logging = _truthy(p.get("DebugLogging"))
        proxy.endpoint_network_type = p.get("EndpointNetworkType") or "IPV4"
        proxy.target_network_type = p.get("TargetConnectionNetworkType") or "IPV4"
        proxy.tags = p.get("Tags") or []
        proxy.settle_at = _pending_until(self, "proxy_create")
        proxies[name] = proxy
        return ActionResult({"DBProxy": proxy.view()})


# ---- DescribeDBProxies ----
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBProxies.html
# DBProxyNotFoundFault (404) for a DBProxyName that names none. A `deleting` proxy is listed until it
# is gone.


def _describe_db_proxies(self):  # type: ignore[no-untyped-def]
    p = self.params
    backend = self.backend
    with _LOCK:
        _settle(backend)
        name = p.get("DBProxyName")
        proxies = [_proxy(backend, name)] if name else [x for x in _proxies(backend).values() if isinstance(x, Proxy)]
        page, marker = _page(proxies, p)
        out = {"DBProxies": [x.view() for x in page]}
        if marker:
            out["Marker"] = marker
        return ActionResult(out)


# ---- ModifyDBProxy ----
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBProxy.html
# NewDBProxyName, Auth (the whole list replaced), RequireTLS, IdleClientTimeout, DebugLogging,
# RoleArn, SecurityGroups, DefaultAuthScheme. The new values are described at once; the proxy is
# `modifying` for `proxy_modify` (the AWS CLI reference's example answers `modifying`). Errors:
# DBProxyNotFoundFault (404), DBProxyAlreadyExistsFault (400) for a NewDBProxyName in use,
# InvalidDBProxyStateFault (400) unless the proxy is `available`, InvalidParameterValue as
# CreateDBProxy. A rename moves the proxy's host name (`<new name>.proxy-<id>...`) and keeps its ARN.


def _modify_db_proxy(self):  # type: ignore[no-untyped-def]
    p = self.params
    backend = self.backend
    with _LOCK:
        _settle(backend)
        proxy = _proxy(backend, p.get("DBProxyName"))
        if proxy.status != "available":
            raise _proxy_state(proxy)
        new_name = p.get("NewDBProxyName")
        if new_name and new_name != proxy.name:
            _check_name(new_name, "NewDBProxyName")
            if new_name in _proxies(backend):
                raise _fault(
                    "DBProxyAlreadyExistsFault",
                    f"Cannot rename the DBProxy because a DBProxy with the identifier {new_name} already exists.",
                )
        scheme = p.get("DefaultAuthScheme") or proxy.default_auth_scheme
        if scheme not in ("NONE", "IAM_AUTH"):
            raise _invalid(f"Invalid value {scheme} for DefaultAuthScheme. Valid values: IAM_AUTH, NONE.")
        auth = _auth(p.get("Auth"), proxy.family, scheme) if p.get("Auth") is not None else None
        if scheme != "IAM_AUTH" and not (proxy.auth if auth is None else auth):
            raise _invalid("Auth must contain at least one authentication entry when DefaultAuthScheme is not IAM_AUTH.")
        role = _check_role(p.get("RoleArn")) if p.get("RoleArn") else None
        idle = _check_idle_timeout(p.get("IdleClientTimeout")) if p.get("IdleClientTimeout") not in (None, "") else None
        groups = None
        if p.get("SecurityGroups"):
            groups = _security_groups(self.current_account, self.region, proxy.vpc_id, p.get("SecurityGroups"))

        proxy.default_auth_scheme = scheme
        if auth is not None:
            proxy.auth = auth
        if role is not None:
            proxy.role_arn = role
        if idle is not None:
            proxy.idle_client_timeout = idle
        if groups is not None:
            proxy.security_groups = groups
        if p.get("RequireTLS") is not None:
            proxy.require_tls = _truthy(p.get("RequireTLS"))
        if p.get("DebugLogging") is not None:
            proxy.debug_logging = _truthy(p.get("DebugLogging"))
        if new_name and new_name != proxy.name:
            proxies = _proxies(backend)
            del proxies[proxy.name]
            proxy.name = new_name
            proxies[new_name] = proxy
        proxy.updated = utcnow()
        proxy.status = "modifying"
        proxy.settle_at = _pending_until(self, "proxy_modify")
        return ActionResult({"DBProxy": proxy.view()})


# ---- DeleteDBProxy ----
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBProxy.html
# Answers the proxy `deleting`; it is described so until `proxy_delete` has passed, then gone with its
# endpoints (user guide: "When you delete a proxy, RDS Proxy automatically deletes all the associated
# endpoints") and its target group and targets. DBProxyNotFoundFault (404) for an unknown name. A
# second DeleteDBProxy while it is deleting answers it `deleting` again (not a fault).


def _delete_db_proxy(self):  # type: ignore[no-untyped-def]
    backend = self.backend
    with _LOCK:
        _settle(backend)
        proxy = _proxy(backend, self.params.get("DBProxyName"))
        if proxy.status != "deleting":
            proxy.status = "deleting"
            proxy.settle_at = _pending_until(self, "proxy_delete")
            for ep in _endpoints(backend).values():
                if ep.proxy is proxy:
                    ep.status = "deleting"
                    ep.settle_at = proxy.settle_at
        return ActionResult({"DBProxy": proxy.view()})


# ---- Target groups ----
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBProxyTargetGroups.html
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBProxyTargetGroup.html
# Every proxy has one target group, `default` (IsDefault, `available`). ConnectionPoolConfig:
# MaxConnectionsPercent 1-100 (default 100), MaxIdleConnectionsPercent 0-MaxConnectionsPercent
# (default 50, half the default maximum), ConnectionBorrowTimeout 0-3600 (default 120),
# SessionPinningFilters (only EXCLUDE_VARIABLE_SETS), InitQuery (absent until set). A value left out
# keeps its current one; one that would leave MaxIdleConnectionsPercent above MaxConnectionsPercent
# is refused (InvalidParameterValue). NewName: the default target group cannot be renamed
# (InvalidParameterValue). Errors: DBProxyNotFoundFault (404), DBProxyTargetGroupNotFoundFault (404)
# for another group name, InvalidDBProxyStateFault (400) while the proxy is `creating` or `deleting`.


def _describe_db_proxy_target_groups(self):  # type: ignore[no-untyped-def]
    p = self.params
    backend = self.backend
    with _LOCK:
        _settle(backend)
        proxy = _proxy(backend, p.get("DBProxyName"))
        group = _group(proxy, p.get("TargetGroupName"))
        page, marker = _page([group], p)
        out = {"TargetGroups": [g.view() for g in page]}
        if marker:
            out["Marker"] = marker
        return ActionResult(out)


def _int_in(config, key, low, high, current):  # type: ignore[no-untyped-def]
    value = config.get(key)
    if value in (None, ""):
        return current
    value = int(value)
    if not low <= value <= high:
        raise _invalid(f"Invalid value {value} for {key}. It must be between {low} and {high}.")
    return value


def _modify_db_proxy_target_group(self):  # type: ignore[no-untyped-def]
    p = self.params
    backend = self.backend
    with _LOCK:
        _settle(backend)
        if not p.get("TargetGroupName"):
            raise _missing("TargetGroupName")
        proxy = _proxy(backend, p.get("DBProxyName"))
        group = _group(proxy, p.get("TargetGroupName"))
        _changeable(proxy, "creating", "deleting")
        new_name = p.get("NewName")
        if new_name and new_name != DEFAULT_TARGET_GROUP:
            raise _invalid("You can't rename the default target group.")
        config = p.get("ConnectionPoolConfig") or {}
        max_conn = _int_in(config, "MaxConnectionsPercent", 1, 100, group.max_connections)
        max_idle = _int_in(config, "MaxIdleConnectionsPercent", 0, max_conn, group.max_idle_connections)
        if max_idle > max_conn:
            raise _invalid(
                f"MaxIdleConnectionsPercent ({max_idle}) must not be greater than MaxConnectionsPercent ({max_conn})."
            )
        borrow = _int_in(config, "ConnectionBorrowTimeout", 0, 3600, group.borrow_timeout)
        filters = config.get("SessionPinningFilters")
        if filters is not None:
            for f in filters:
                if f not in PINNING_FILTERS:
                    raise _invalid(f"Invalid value {f} for SessionPinningFilters. Valid values: EXCLUDE_VARIABLE_SETS.")
        group.max_connections, group.max_idle_connections, group.borrow_timeout = max_conn, max_idle, borrow
        if filters is not None:
            group.pinning_filters = list(filters)
        if config.get("InitQuery") is not None:
            group.init_query = config.get("InitQuery") or None
        group.updated = utcnow()
        return ActionResult({"DBProxyTargetGroup": group.view()})


# ---- Targets ----
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RegisterDBProxyTargets.html
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBProxyTargets.html
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeregisterDBProxyTargets.html
# A target group has one target: an RDS DB instance (Type RDS_INSTANCE, Role READ_WRITE) or an Aurora
# DB cluster (Type TRACKED_CLUSTER, and each of its instances as RDS_INSTANCE with TrackedClusterId,
# the writer READ_WRITE and the readers READ_ONLY, as the cluster's members are now). The register
# answer shows them REGISTERING (the AWS CLI reference's example); they are AVAILABLE after
# `proxy_target`. RegisterDBProxyTargets' errors: DBInstanceNotFound / DBClusterNotFoundFault (404)
# for an instance or cluster that does not exist; InvalidDBInstanceState / InvalidDBClusterStateFault
# (400) for one whose engine is not of the proxy's family (postgres, aurora-postgresql: POSTGRESQL;
# mysql, mariadb, aurora-mysql: MYSQL; sqlserver-*: SQLSERVER), in another VPC ("RDS Proxy must be in
# the same VPC as the database"), a read replica or an Aurora cluster's member instance (its cluster
# is registered instead); DBProxyTargetAlreadyRegisteredFault (400) for a target already registered;
# InvalidParameterValue for none, or more than one, instance or cluster in the target group ("You can
# only associate one DB instance or Aurora cluster with a proxy's target group");
# InvalidDBProxyStateFault (400) while the proxy is `creating` or `deleting`. Deregistering a target
# not registered is DBProxyTargetNotFoundFault (404). A DB instance or cluster deleted leaves the
# target group with it.


_NOT_REGISTRABLE = ("creating", "deleting", "stopped", "stopping", "starting", "failed", "inaccessible-encryption-credentials")


def _family_of(engine) -> str:  # type: ignore[no-untyped-def]
    engine = (engine or "").lower()
    if "postgres" in engine:
        return "POSTGRESQL"
    if engine.startswith("sqlserver"):
        return "SQLSERVER"
    if engine in ("mysql", "mariadb", "aurora", "aurora-mysql"):
        return "MYSQL"
    return engine.upper()


def _health(target, database=None) -> dict:  # type: ignore[no-untyped-def]
    if time.time() < target["healthy_at"]:
        return {"State": "REGISTERING"}
    if database is not None and getattr(database, "status", "available") in ("stopped", "stopping"):
        return {
            "State": "UNAVAILABLE",
            "Reason": "UNREACHABLE",
            "Description": f"DB instance {database.db_instance_identifier} is {database.status}.",
        }
    return {"State": "AVAILABLE"}


def _instance_view(target, instance, cluster_id=None) -> dict:  # type: ignore[no-untyped-def]
    view = {
        "TargetArn": instance.db_instance_arn,
        "Endpoint": instance.address,
        "RdsResourceId": instance.db_instance_identifier,
        "Port": int(instance.port),
        "Type": "RDS_INSTANCE",
        "Role": "READ_WRITE",
        "TargetHealth": _health(target, instance),
    }
    if cluster_id is not None:
        view["TrackedClusterId"] = cluster_id
        view["Role"] = "READ_WRITE" if getattr(instance, "is_cluster_writer", False) else "READ_ONLY"
    return view


def _target_views(backend, targets) -> list:  # type: ignore[no-untyped-def]
    views = []
    for target in targets:
        if target["kind"] == "instance":
            instance = backend.databases.get(target["id"])
            if instance is not None:
                views.append(_instance_view(target, instance))
            continue
        cluster = backend.clusters.get(target["id"])
        if cluster is None:
            continue
        cid = cluster.db_cluster_identifier
        views.append({
            "TargetArn": cluster.db_cluster_arn,
            "TrackedClusterId": cid,
            "RdsResourceId": cid,
            "Port": int(cluster.port),
            "Type": "TRACKED_CLUSTER",
            "TargetHealth": _health(target),
        })
        for member in cluster.members:
            views.append(_instance_view(target, member, cid))
    return views


def _identifiers(p, key) -> list:  # type: ignore[no-untyped-def]
    return [str(v) for v in (p.get(key) or [])]


def _vpc_of_instance(backend, instance):  # type: ignore[no-untyped-def]
    group = getattr(instance, "db_subnet_group", None)
    return getattr(group, "vpc_id", None)


def _vpc_of_cluster(backend, cluster):  # type: ignore[no-untyped-def]
    group = backend.subnet_groups.get(getattr(cluster, "db_subnet_group_name", None) or "")
    return getattr(group, "vpc_id", None)


def _register_db_proxy_targets(self):  # type: ignore[no-untyped-def]
    p = self.params
    backend = self.backend
    instance_ids = _identifiers(p, "DBInstanceIdentifiers")
    cluster_ids = _identifiers(p, "DBClusterIdentifiers")
    with _LOCK:
        _settle(backend)
        proxy = _proxy(backend, p.get("DBProxyName"))
        _group(proxy, p.get("TargetGroupName"))
        _changeable(proxy, "creating", "deleting")
        if not instance_ids and not cluster_ids:
            raise _invalid("Specify DBInstanceIdentifiers or DBClusterIdentifiers.")
        new = []
        for iid in instance_ids:
            instance = backend.databases.get(iid)
            if instance is None:
                raise _fault("DBInstanceNotFound", f"DBInstance {iid} not found.")
            wrong = None
            if _family_of(instance.engine) != proxy.family:
                wrong = f"its engine {instance.engine} is not of the proxy's engine family {proxy.family}"
            elif getattr(instance, "db_cluster_identifier", None):
                wrong = f"it is a member of DB cluster {instance.db_cluster_identifier}; register the cluster"
            elif getattr(instance, "source_db_instance_identifier", None):
                wrong = "it is a read replica"
            elif _vpc_of_instance(backend, instance) not in (None, proxy.vpc_id):
                wrong = f"it is not in the proxy's VPC {proxy.vpc_id}"
            elif instance.status in _NOT_REGISTRABLE:
                wrong = f"it is {instance.status}"
            if wrong:
                raise _fault(
                    "InvalidDBInstanceState",
                    f"DB instance {iid} can't be registered with DBProxy {proxy.name}: {wrong}.",
                )
            new.append(("instance", instance.db_instance_identifier))
        for cid in cluster_ids:
            cluster = backend.clusters.get(cid)
            if cluster is None:
                raise _fault("DBClusterNotFoundFault", f"DBCluster {cid} not found.")
            wrong = None
            if _family_of(cluster.engine) != proxy.family:
                wrong = f"its engine {cluster.engine} is not of the proxy's engine family {proxy.family}"
            elif _vpc_of_cluster(backend, cluster) not in (None, proxy.vpc_id):
                wrong = f"it is not in the proxy's VPC {proxy.vpc_id}"
            elif cluster.status in _NOT_REGISTRABLE:
                wrong = f"it is {cluster.status}"
            if wrong:
                raise _fault(
                    "InvalidDBClusterStateFault",
                    f"DB cluster {cid} can't be registered with DBProxy {proxy.name}: {wrong}.",
                )
            new.append(("cluster", cluster.db_cluster_identifier))
        registered = {(t["kind"], t["id"].lower()) for t in proxy.targets}
        for kind, rid in new:
            if (kind, rid.lower()) in registered:
                raise _fault(
                    "DBProxyTargetAlreadyRegisteredFault",
                    f"The proxy {proxy.name} is already associated with the {'DB cluster' if kind == 'cluster' else 'DB instance'} {rid}.",
                )
        if len(new) + len(proxy.targets) > 1:
            raise _invalid(
                f"The target group {DEFAULT_TARGET_GROUP} of DBProxy {proxy.name} can have only one DB "
                f"instance or Aurora DB cluster target."
            )
        healthy_at = _pending_until(self, "proxy_target")
        added = []
        for kind, rid in new:
            target = {"kind": kind, "id": rid, "healthy_at": healthy_at}
            proxy.targets.append(target)
            added.append(target)
        return ActionResult({"DBProxyTargets": _target_views(backend, added)})


def _describe_db_proxy_targets(self):  # type: ignore[no-untyped-def]
    p = self.params
    backend = self.backend
    with _LOCK:
        _settle(backend)
        proxy = _proxy(backend, p.get("DBProxyName"))
        _group(proxy, p.get("TargetGroupName"))
        page, marker = _page(_target_views(backend, proxy.targets), p)
        out = {"Targets": page}
        if marker:
            out["Marker"] = marker
        return ActionResult(out)


def _deregister_db_proxy_targets(self):  # type: ignore[no-untyped-def]
    p = self.params
    backend = self.backend
    wanted = [("instance", i) for i in _identifiers(p, "DBInstanceIdentifiers")]
    wanted += [("cluster", c) for c in _identifiers(p, "DBClusterIdentifiers")]
    with _LOCK:
        _settle(backend)
        proxy = _proxy(backend, p.get("DBProxyName"))
        _group(proxy, p.get("TargetGroupName"))
        _changeable(proxy, "creating", "deleting")
        for kind, rid in wanted:
            if not any(t["kind"] == kind and t["id"].lower() == rid.lower() for t in proxy.targets):
                raise _fault(
                    "DBProxyTargetNotFoundFault",
                    f"The {'DB cluster' if kind == 'cluster' else 'DB instance'} {rid} is not registered with DBProxy {proxy.name}.",
                )
        proxy.targets = [
            t for t in proxy.targets if not any(t["kind"] == k and t["id"].lower() == r.lower() for k, r in wanted)
        ]
        return EmptyResult()


# A deleted DB instance or cluster leaves the proxies it was registered with.

_moto_delete_db_instance = RDSBackend.delete_db_instance
_moto_delete_db_cluster = RDSBackend.delete_db_cluster


def _forget_target(backend, kind, rid) -> None:  # type: ignore[no-untyped-def]
    with _LOCK:
        for proxy in _proxies(backend).values():
            if isinstance(proxy, Proxy):
                proxy.targets = [t for t in proxy.targets if not (t["kind"] == kind and t["id"].lower() == rid.lower())]


def _delete_db_instance(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    deleted = _moto_delete_db_instance(self, *args, **kwargs)
    if deleted is not None:
        _forget_target(self, "instance", deleted.db_instance_identifier)
    return deleted


def _delete_db_cluster(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    deleted = _moto_delete_db_cluster(self, *args, **kwargs)
    if deleted is not None:
        _forget_target(self, "cluster", deleted.db_cluster_identifier)
    return deleted


RDSBackend.delete_db_instance = _delete_db_instance
RDSBackend.delete_db_cluster = _delete_db_cluster


# ---- Proxy endpoints ----
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBProxyEndpoint.html
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBProxyEndpoints.html
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBProxyEndpoint.html
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBProxyEndpoint.html
# An endpoint's name is unique in the account and Region; its host is
# `<name>.endpoint.proxy-<the proxy's id>.<region>.rds.amazonaws.com`; it may be in another VPC than
# its proxy's (its subnets': two Availability Zones, as a proxy's; InvalidSubnet otherwise); its
# security groups default to its VPC's default group; TargetRole defaults to READ_WRITE. READ_ONLY is
# refused (InvalidDBProxyStateFault) while the proxy's target is an RDS DB instance or an Aurora
# cluster with no reader (user guide, CreatingEndpoint: "When the proxy is associated with an RDS
# instance or with an Aurora cluster that only contains a writer DB instance, you can't specify
# READ_ONLY"); a proxy with no target yet takes it. Errors: DBProxyNotFoundFault (404),
# DBProxyEndpointAlreadyExistsFault (400), DBProxyEndpointQuotaExceededFault (400) past
# ENDPOINT_QUOTA endpoints of a proxy, InvalidDBProxyStateFault (400) while the proxy is `creating` or
# `deleting`, DBProxyEndpointNotFoundFault (404) for an endpoint name that names none (a
# DBProxyName given with it must be its proxy's), InvalidDBProxyEndpointStateFault (400) for a modify
# of an endpoint that is not `available`. A second DeleteDBProxyEndpoint while it is deleting answers
# it `deleting` again.


def _endpoint(backend, name, proxy_name=None):  # type: ignore[no-untyped-def]
    if not name:
        raise _missing("DBProxyEndpointName")
    ep = _endpoints(backend).get(name)
    if ep is None or (proxy_name and ep.proxy.name != proxy_name):
        raise _endpoint_not_found(name)
    return ep


def _has_reader(backend, proxy) -> bool:  # type: ignore[no-untyped-def]
    for target in proxy.targets:
        if target["kind"] == "cluster":
            cluster = backend.clusters.get(target["id"])
            if cluster is not None and any(not getattr(m, "is_cluster_writer", False) for m in cluster.members):
                return True
    return False


def _create_db_proxy_endpoint(self):  # type: ignore[no-untyped-def]
    p = self.params
    backend = self.backend
    for required in ("DBProxyName", "DBProxyEndpointName", "VpcSubnetIds"):
        if not p.get(required):
            raise _missing(required)
    name = p.get("DBProxyEndpointName")
    _check_name(name, "DBProxyEndpointName")
    if name.lower() == DEFAULT_TARGET_GROUP:
        raise _invalid("The name default is reserved for the proxy's default endpoint.")
    role = p.get("TargetRole") or "READ_WRITE"
    if role not in ("READ_WRITE", "READ_ONLY"):
        raise _invalid(f"Invalid value {role} for TargetRole. Valid values: READ_WRITE, READ_ONLY.")
    with _LOCK:
        _settle(backend)
        proxy = _proxy(backend, p.get("DBProxyName"))
        _changeable(proxy, "creating", "deleting")
        vpc_id, subnets = _subnets(self.current_account, self.region, p.get("VpcSubnetIds"))
        groups = _security_groups(self.current_account, self.region, vpc_id, p.get("VpcSecurityGroupIds"))
        endpoints = _endpoints(backend)
        if name in endpoints:
            raise _fault(
                "DBProxyEndpointAlreadyExistsFault",
                f"Cannot create the DBProxyEndpoint because a DBProxyEndpoint with the identifier {name} already exists.",
            )
        if sum(1 for ep in endpoints.values() if ep.proxy is proxy) >= ENDPOINT_QUOTA:
            raise _fault(
                "DBProxyEndpointQuotaExceededFault",
                f"DBProxy {proxy.name} already has the maximum number of {ENDPOINT_QUOTA} user-defined endpoints.",
            )
        if role == "READ_ONLY" and proxy.targets and not _has_reader(backend, proxy):
            raise _fault(
                "InvalidDBProxyStateFault",
                f"A READ_ONLY endpoint needs DBProxy {proxy.name} to target an Aurora DB cluster with at least "
                f"one reader DB instance.",
            )
        ep = ProxyEndpoint(proxy, name)
        ep.vpc_id, ep.subnets, ep.security_groups = vpc_id, subnets, groups
        ep.target_role = role
        ep.network_type = p.get("EndpointNetworkType") or "IPV4"
        ep.tags = p.get("Tags") or []
        ep.settle_at = _pending_until(self, "proxy_endpoint_create")
        endpoints[name] = ep
        return ActionResult({"DBProxyEndpoint": ep.view()})


def _describe_db_proxy_endpoints(self):  # type: ignore[no-untyped-def]
    p = self.params
    backend = self.backend
    with _LOCK:
        _settle(backend)
        proxy_name = p.get("DBProxyName")
        if proxy_name:
            _proxy(backend, proxy_name)
        name = p.get("DBProxyEndpointName")
        if name:
            found = [_endpoint(backend, name, proxy_name)]
        else:
            found = [ep for ep in _endpoints(backend).values() if not proxy_name or ep.proxy.name == proxy_name]
        page, marker = _page(found, p)
        out = {"DBProxyEndpoints": [ep.view() for ep in page]}
        if marker:
            out["Marker"] = marker
        return ActionResult(out)


def _modify_db_proxy_endpoint(self):  # type: ignore[no-untyped-def]
    p = self.params
    backend = self.backend
    with _LOCK:
        _settle(backend)
        ep = _endpoint(backend, p.get("DBProxyEndpointName"))
        _changeable(ep.proxy, "creating", "deleting")
        if ep.status != "available":
            raise _fault(
                "InvalidDBProxyEndpointStateFault",
                f"The requested operation can't be performed while DBProxyEndpoint {ep.name} is in the {ep.status} state.",
            )
        new_name = p.get("NewDBProxyEndpointName")
        endpoints = _endpoints(backend)
        if new_name and new_name != ep.name:
            _check_name(new_name, "NewDBProxyEndpointName")
            if new_name.lower() == DEFAULT_TARGET_GROUP:
                raise _invalid("The name default is reserved for the proxy's default endpoint.")
            if new_name in endpoints:
                raise _fault(
                    "DBProxyEndpointAlreadyExistsFault",
                    f"Cannot rename the DBProxyEndpoint because a DBProxyEndpoint with the identifier {new_name} already exists.",
                )
        groups = None
        if p.get("VpcSecurityGroupIds"):
            groups = _security_groups(self.current_account, self.region, ep.vpc_id, p.get("VpcSecurityGroupIds"))
        if groups is not None:
            ep.security_groups = groups
        if new_name and new_name != ep.name:
            del endpoints[ep.name]
            ep.name = new_name
            endpoints[new_name] = ep
        ep.status = "modifying"
        ep.settle_at = _pending_until(self, "proxy_endpoint_modify")
        return ActionResult({"DBProxyEndpoint": ep.view()})


def _delete_db_proxy_endpoint(self):  # type: ignore[no-untyped-def]
    backend = self.backend
    with _LOCK:
        _settle(backend)
        ep = _endpoint(backend, self.params.get("DBProxyEndpointName"))
        if ep.status != "deleting":
            ep.status = "deleting"
            ep.settle_at = _pending_until(self, "proxy_endpoint_delete")
        return ActionResult({"DBProxyEndpoint": ep.view()})


RDSResponse.create_db_proxy = _create_db_proxy
RDSResponse.describe_db_proxies = _describe_db_proxies
RDSResponse.modify_db_proxy = _modify_db_proxy
RDSResponse.delete_db_proxy = _delete_db_proxy
RDSResponse.describe_db_proxy_target_groups = _describe_db_proxy_target_groups
RDSResponse.modify_db_proxy_target_group = _modify_db_proxy_target_group
RDSResponse.register_db_proxy_targets = _register_db_proxy_targets
RDSResponse.describe_db_proxy_targets = _describe_db_proxy_targets
RDSResponse.deregister_db_proxy_targets = _deregister_db_proxy_targets
RDSResponse.create_db_proxy_endpoint = _create_db_proxy_endpoint
RDSResponse.describe_db_proxy_endpoints = _describe_db_proxy_endpoints
RDSResponse.modify_db_proxy_endpoint = _modify_db_proxy_endpoint
RDSResponse.delete_db_proxy_endpoint = _delete_db_proxy_endpoint


# ---- Tags: ListTagsForResource / AddTagsToResource / RemoveTagsFromResource ----
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ListTagsForResource.html: a proxy
# (`db-proxy:prx-...`), a proxy endpoint (`db-proxy-endpoint:prx-endpoint-...`) and a proxy target
# group (`target-group:prx-tg-...`) carry tags; one that does not exist is DBProxyNotFoundFault,
# DBProxyEndpointNotFoundFault or DBProxyTargetGroupNotFoundFault (404).

_moto_resource_for_tagging = RDSBackend._get_resource_for_tagging


def _resource_for_tagging(self, arn):  # type: ignore[no-untyped-def]
    m = _RESOURCE_ARN.match(arn or "")
    if m is None:
        return _moto_resource_for_tagging(self, arn)
    kind, rid = m.group("kind"), m.group("id")
    backend = self
    if (m.group("account"), m.group("region")) != (self.account_id, self.region_name):
        try:
            backend = rds_backends[m.group("account")][m.group("region")]
        except KeyError:
            backend = None
    if backend is None:
        raise _endpoint_not_found(rid) if kind == "db-proxy-endpoint" else _proxy_not_found(rid)
    with _LOCK:
        _settle(backend)
        if kind == "db-proxy-endpoint":
            for ep in _endpoints(backend).values():
                if ep.resource_id == rid:
                    return ep
            raise _endpoint_not_found(rid)
        for proxy in _proxies(backend).values():
            if not isinstance(proxy, Proxy):
                continue
            if kind == "db-proxy" and proxy.resource_id == rid:
                return proxy
            if kind == "target-group" and proxy.group.resource_id == rid:
                return proxy.group
    if kind == "target-group":
        raise _fault("DBProxyTargetGroupNotFoundFault", f"DBProxyTargetGroup {rid} not found.")
    raise _proxy_not_found(rid)


RDSBackend._get_resource_for_tagging = _resource_for_tagging

_moto_iter_tagged_resources = RDSBackend.iter_tagged_resources


def _iter_tagged_resources(self):  # type: ignore[no-untyped-def]
    from moto.core.resource_tagging import TaggedResource

    yield from _moto_iter_tagged_resources(self)
    for ep in list(_endpoints(self).values()):
        yield TaggedResource(
            arn=ep.arn,
            tags={t["Key"]: t["Value"] for t in ep.get_tags()},
            resource_type="rds:db-proxy-endpoint",
        )


RDSBackend.iter_tagged_resources = _iter_tagged_resources


# ---- A proxy's subnets and security groups are in use until it is gone ----
# The proxy and each endpoint hold network interfaces in their subnets, with their security groups:
# EC2 refuses to delete either while they do (DependencyViolation, as for any group or subnet with
# network interfaces). The messages are EC2's.


def _holders(account_id, region):  # type: ignore[no-untyped-def]
    try:
        backend = rds_backends[account_id][region]
    except KeyError:  # a Region without RDS
        return []
    with _LOCK:
        _settle(backend)
        return [x for x in _proxies(backend).values() if isinstance(x, Proxy)] + list(_endpoints(backend).values())


_moto_delete_subnet = SubnetBackend.delete_subnet
_moto_delete_security_group = SecurityGroupBackend.delete_security_group


def _delete_subnet(self, subnet_id):  # type: ignore[no-untyped-def]
    for holder in _holders(self.account_id, self.region_name):
        if subnet_id in holder.subnets:
            raise DependencyViolationError(f"The subnet '{subnet_id}' has dependencies and cannot be deleted.")
    return _moto_delete_subnet(self, subnet_id)


def _delete_security_group(self, name=None, group_id=None):  # type: ignore[no-untyped-def]
    if group_id is not None:
        for holder in _holders(self.account_id, self.region_name):
            if group_id in holder.security_groups:
                raise DependencyViolationError(f"resource {group_id} has a dependent object")
    return _moto_delete_security_group(self, name=name, group_id=group_id)


SubnetBackend.delete_subnet = _delete_subnet
SecurityGroupBackend.delete_security_group = _delete_security_group
