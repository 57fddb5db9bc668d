"""VPC endpoints in the local AWS, as AWS has them where moto (5.2.5) falls short.

- An interface endpoint is `pending` for a moment after it is made (AWS: a minute or two while its
  network interfaces come up), and again after its private DNS is switched; a gateway endpoint is
  `available` at once. moto makes every endpoint `available` at once.
- Deleting an interface endpoint leaves it `deleting`, still holding its network interfaces, for a
  moment before it is `deleted`; meanwhile its subnets and security groups cannot be deleted
  (DependencyViolation). moto drops the interfaces and reports `deleted` at once, and deletes a subnet
  or group an endpoint still uses.
- `ModifyVpcEndpoint` with `PrivateDnsEnabled` switches private DNS (moto ignores it), and a gateway
  endpoint reports private DNS off (moto reports the create call's default, on).
"""
import time

from moto.ec2.exceptions import DependencyViolationError
from moto.ec2.models.security_groups import SecurityGroupBackend
from moto.ec2.models.subnets import SubnetBackend
from moto.ec2.models.vpcs import VPCBackend, VPCEndPoint
from moto.ec2.responses.vpcs import VPCs

# How long an interface endpoint stays pending or deleting here: long enough that the provider
# must wait for it, short enough for the tests.
TRANSITION_SECONDS = 1.0


def _is_interface(ep) -> bool:  # type: ignore[no-untyped-def]
    return (ep.vpc_endpoint_type or "").lower() == "interface"


def _state_get(self):  # type: ignore[no-untyped-def]
    now = time.monotonic()
    gone_at = self.__dict__.get("_gone_at")
    if gone_at is not None:
        if now < gone_at:
            return "deleting"
        for eni_id in self.network_interface_ids:
            self.ec2_backend.enis.pop(eni_id, None)
        self.network_interface_ids = []
        return "deleted"
    ready_at = self.__dict__.get("_ready_at")
    if ready_at is not None and now < ready_at:
        return "pending"
    return self.__dict__.get("_state", "available")


def _state_set(self, value):  # type: ignore[no-untyped-def]
    self.__dict__["_state"] = value


VPCEndPoint.state = property(_state_get, _state_set)


def _holds(ep, subnet_id=None, group_id=None) -> bool:  # type: ignore[no-untyped-def]
    """Whether an endpoint not yet deleted uses the subnet or group."""
    if not _is_interface(ep) or ep.state == "deleted":
        return False
    if subnet_id is not None:
        return subnet_id in (ep.subnet_ids or [])
    return group_id in (ep.security_group_ids or [])


_moto_create = VPCBackend.create_vpc_endpoint


def _create_vpc_endpoint(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    ep = _moto_create(self, *args, **kwargs)
    if _is_interface(ep):
        ep.__dict__["_ready_at"] = time.monotonic() + TRANSITION_SECONDS
    else:
        ep.private_dns_enabled = False
    return ep


VPCBackend.create_vpc_endpoint = _create_vpc_endpoint


def _delete_vpc_endpoints(self, vpce_ids=None):  # type: ignore[no-untyped-def]
    for vpce_id in vpce_ids or []:
        ep = self.vpc_end_points.get(vpce_id)
        if ep is None or ep.state in ("deleting", "deleted"):
            continue
        if _is_interface(ep):
            ep.__dict__["_gone_at"] = time.monotonic() + TRANSITION_SECONDS
        else:
            for route_table_id in ep.route_table_ids:
                self.delete_route(route_table_id, ep.destination_prefix_list_id)
            ep.state = "deleted"


VPCBackend.delete_vpc_endpoints = _delete_vpc_endpoints

_moto_modify_response = VPCs.modify_vpc_endpoint


def _modify_vpc_endpoint(self):  # type: ignore[no-untyped-def]
    result = _moto_modify_response(self)
    private_dns = self._get_param("PrivateDnsEnabled")
    if private_dns is not None:
        ep = self.ec2_backend.describe_vpc_endpoints(
            vpc_end_point_ids=[self._get_param("VpcEndpointId")]
        )[0]
        want = str(private_dns).lower() == "true"
        if _is_interface(ep) and ep.private_dns_enabled != want:
            ep.private_dns_enabled = want
            ep.__dict__["_ready_at"] = time.monotonic() + TRANSITION_SECONDS
    return result


VPCs.modify_vpc_endpoint = _modify_vpc_endpoint

_moto_delete_subnet = SubnetBackend.delete_subnet


def _delete_subnet(self, subnet_id):  # type: ignore[no-untyped-def]
    for ep in self.vpc_end_points.values():
        if _holds(ep, subnet_id=subnet_id):
            raise DependencyViolationError(
                f"The subnet '{subnet_id}' has dependencies and cannot be deleted."
            )
    return _moto_delete_subnet(self, subnet_id)


SubnetBackend.delete_subnet = _delete_subnet

_moto_delete_group = SecurityGroupBackend.delete_security_group


def _delete_security_group(self, name=None, group_id=None):  # type: ignore[no-untyped-def]
    for ep in self.vpc_end_points.values():
        if group_id is not None and _holds(ep, group_id=group_id):
            raise DependencyViolationError(
                f"resource {group_id} has a dependent object"
            )
    return _moto_delete_group(self, name=name, group_id=group_id)


SecurityGroupBackend.delete_security_group = _delete_security_group
