"""WAFv2 extensions of the project's local AWS (imported by local_aws_server.py).

moto 5.2.5 stores web ACLs, IP sets, associations and logging configurations but checks almost
nothing AWS checks. Each patch below adds one of AWS's documented refusals, so that the provider is
tested against AWS's behaviour, not moto's:

- CreateWebACL/UpdateWebACL: a rate-based statement's Limit is 10 to 2,000,000,000 (the API model's
  RateLimit); a rule with a rule group statement takes OverrideAction and no Action, any other rule
  Action and no OverrideAction; an IP set reference names an existing IP set. UpdateWebACL with an
  empty Rules list empties the rules (moto keeps the old ones).
- PutLoggingConfiguration: the web ACL exists; the destination is a CloudWatch Logs group that
  exists and whose name starts with `aws-waf-logs-`.
- AssociateWebACL: the load balancer exists; a resource has one web ACL (a new association replaces
  the old one; moto listed the resource under both).
- DeleteWebACL refuses a web ACL still associated with a resource, DeleteIPSet an IP set a web ACL
  still refers to (WAFAssociatedItemException); a deleted web ACL takes its logging configuration.
"""
import json

from moto.elbv2.models import elbv2_backends
from moto.logs.models import logs_backends
from moto.wafv2.exceptions import WAFNonexistentItemException, WAFv2ClientError
from moto.wafv2.models import WAFV2Backend

RATE_LIMIT_MIN = 10
RATE_LIMIT_MAX = 2_000_000_000
LOG_GROUP_PREFIX = "aws-waf-logs-"


class WAFInvalidParameterException(WAFv2ClientError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(
            "WAFInvalidParameterException",
            f"Error reason: {message}, field: {field}",
        )


class WAFAssociatedItemException(WAFv2ClientError):
    def __init__(self) -> None:
        super().__init__(
            "WAFAssociatedItemException",
            "AWS WAF couldn’t perform the operation because your resource is being used by another resource or it’s associated with another resource.",
        )


def _statements(statement):  # type: ignore[no-untyped-def]
    """The statement and every statement nested in it."""
    yield statement
    for key in ("AndStatement", "OrStatement"):
        for s in (statement.get(key) or {}).get("Statements", []):
            yield from _statements(s)
    for key in ("NotStatement",):
        inner = (statement.get(key) or {}).get("Statement")
        if inner:
            yield from _statements(inner)
    for key in ("RateBasedStatement", "ManagedRuleGroupStatement"):
        inner = (statement.get(key) or {}).get("ScopeDownStatement")
        if inner:
            yield from _statements(inner)


def _check_rules(backend, rules):  # type: ignore[no-untyped-def]
    for rule in rules or []:
        statement = rule.get("Statement") or {}
        group = "ManagedRuleGroupStatement" in statement or "RuleGroupReferenceStatement" in statement
        if group and (rule.get("Action") or not rule.get("OverrideAction")):
            raise WAFInvalidParameterException(
                "RULE", "A rule with a rule group statement takes OverrideAction, not Action"
            )
        if not group and (rule.get("OverrideAction") or not rule.get("Action")):
            raise WAFInvalidParameterException(
                "RULE", "A rule without a rule group statement takes Action, not OverrideAction"
            )
        for s in _statements(statement):
            rate = s.get("RateBasedStatement")
            if rate is not None:
                limit = int(rate.get("Limit", 0))
                if not RATE_LIMIT_MIN <= limit <= RATE_LIMIT_MAX:
                    raise WAFInvalidParameterException(
                        "RATE_BASED_STATEMENT_LIMIT",
                        f"Your statement has a limit outside {RATE_LIMIT_MIN} to {RATE_LIMIT_MAX}",
                    )
            ref = s.get("IPSetReferenceStatement")
            if ref is not None and ref.get("ARN") not in backend.ip_sets:
                raise WAFNonexistentItemException()


_create_web_acl = WAFV2Backend.create_web_acl
_update_web_acl = WAFV2Backend.update_web_acl
_delete_web_acl = WAFV2Backend.delete_web_acl
_delete_ip_set = WAFV2Backend.delete_ip_set
_associate_web_acl = WAFV2Backend.associate_web_acl
_put_logging_configuration = WAFV2Backend.put_logging_configuration


def _create(self, name, visibility_config, default_action, scope, description, tags, rules, *args, **kwargs):  # type: ignore[no-untyped-def]
    _check_rules(self, rules)
    return _create_web_acl(self, name, visibility_config, default_action, scope, description, tags, rules, *args, **kwargs)


def _update(self, name, _id, default_action, rules, *args, **kwargs):  # type: ignore[no-untyped-def]
    _check_rules(self, rules)
    token = _update_web_acl(self, name, _id, default_action, rules, *args, **kwargs)
    if rules == []:
        self.get_web_acl(None, name, _id).rules = []
    return token


def _delete(self, name, scope, _id, lock_token):  # type: ignore[no-untyped-def]
    for acl in self.wacls.values():
        if acl.name == name and acl.id == _id:
            if acl.associated_resources:
                raise WAFAssociatedItemException()
            _delete_web_acl(self, name, scope, _id, lock_token)
            self.logging_configurations.pop(acl.arn, None)
            return
    _delete_web_acl(self, name, scope, _id, lock_token)


def _delete_set(self, name, scope, _id, lock_token):  # type: ignore[no-untyped-def]
    for arn, ip_set in self.ip_sets.items():
        if ip_set.name == name and ip_set.ip_set_id == _id:
            used = json.dumps([r.statement for acl in self.wacls.values() for r in acl.rules])
            if f'"{arn}"' in used:
                raise WAFAssociatedItemException()
    return _delete_ip_set(self, name, scope, _id, lock_token)


def _associate(self, web_acl_arn, resource_arn):  # type: ignore[no-untyped-def]
    if ":elasticloadbalancing:" in resource_arn:
        region = resource_arn.split(":")[3]
        if resource_arn not in elbv2_backends[self.account_id][region].load_balancers:
            raise WAFNonexistentItemException()
    if web_acl_arn not in self.wacls:
        raise WAFNonexistentItemException()
    self.disassociate_web_acl(resource_arn)
    return _associate_web_acl(self, web_acl_arn, resource_arn)


def _put_logging(self, arn, log_destination_configs, *args, **kwargs):  # type: ignore[no-untyped-def]
    if arn not in self.wacls:
        raise WAFNonexistentItemException()
    for dest in log_destination_configs or []:
        parts = dest.split(":")
        if len(parts) < 7 or parts[2] != "logs":
            continue
        name = parts[6]
        if not name.startswith(LOG_GROUP_PREFIX):
            raise WAFInvalidParameterException(
                "LOG_DESTINATION", f"The log group name must start with {LOG_GROUP_PREFIX}"
            )
        if name not in logs_backends[self.account_id][parts[3]].groups:
            raise WAFNonexistentItemException()
    return _put_logging_configuration(self, arn, log_destination_configs, *args, **kwargs)


WAFV2Backend.create_web_acl = _create
WAFV2Backend.update_web_acl = _update
WAFV2Backend.delete_web_acl = _delete
WAFV2Backend.delete_ip_set = _delete_set
WAFV2Backend.associate_web_acl = _associate
WAFV2Backend.put_logging_configuration = _put_logging
