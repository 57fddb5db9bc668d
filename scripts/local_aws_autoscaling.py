"""Auto Scaling extensions of the project's local AWS (imported by local_aws_server.py).

moto 5.2.5 keeps scaling policies in one account-wide table keyed by policy name, so two groups
with a policy of the same name overwrite each other, DeletePolicy ignores the group, and a deleted
group leaves its policies behind; it checks nothing PutScalingPolicy gets; and it drops a group's
DefaultInstanceWarmup. Each patch below restores what AWS does:

- Policies belong to their group: keyed by (group, name); DescribePolicies, DeletePolicy and
  ExecutePolicy find them by both; DeleteAutoScalingGroup deletes the group's policies.
- PutScalingPolicy refuses (ValidationError) a group that does not exist; a target-tracking policy
  without TargetValue or without a metric, or with an unknown predefined metric; an
  ALBRequestCountPerTarget policy without a ResourceLabel of the form
  `app/<lb>/<id>/targetgroup/<tg>/<id>`, or whose target group is not attached to the group.
- UpdateAutoScalingGroup without MixedInstancesPolicy or LaunchTemplate keeps the group's
  mixed-instances policy (moto dropped it); one given without InstancesDistribution gets AWS's
  defaults, as on create. (A mixed group launches its first override: local_aws_server.py.)
- A mixed group without weights runs its desired capacity: moto split it into on-demand and
  spot with truncation and launched one instance too few (desired 2, base 1, half spot above it:
  1); AWS rounds the on-demand share up and fills the rest with spot.
- PutScalingPolicy keeps Enabled (default true), reported by DescribePolicies.
- CreateAutoScalingGroup/UpdateAutoScalingGroup keep DefaultInstanceWarmup (0 to 3600 seconds; -1
  on update removes it), and DescribeAutoScalingGroups reports it.

Not modelled: the CloudWatch alarms AWS makes for a target-tracking policy (AWS owns and deletes
them with the policy), and the scaling itself (no metrics flow here).
"""
from moto.autoscaling.exceptions import ValidationError
from moto.autoscaling.models import AutoScalingBackend, FakeAutoScalingGroup
from moto.autoscaling.responses import AutoScalingResponse
from moto.core.responses import EmptyResult

PREDEFINED_METRICS = {
    "ASGAverageCPUUtilization",
    "ASGAverageNetworkIn",
    "ASGAverageNetworkOut",
    "ALBRequestCountPerTarget",
}
WARMUP_MAX = 3600


def _key(group: str, name: str) -> str:
    return f"{group}\x00{name}"


def _check_target_tracking(backend, group, config) -> None:  # type: ignore[no-untyped-def]
    if config.get("TargetValue") in (None, ""):
        raise ValidationError("TargetValue is required for a target tracking scaling policy")
    predefined = config.get("PredefinedMetricSpecification")
    customized = config.get("CustomizedMetricSpecification")
    if not predefined and not customized:
        raise ValidationError(
            "Either PredefinedMetricSpecification or CustomizedMetricSpecification must be specified"
        )
    if not predefined:
        return
    metric = predefined.get("PredefinedMetricType")
    if metric not in PREDEFINED_METRICS:
        raise ValidationError(f"Unsupported predefined metric type: {metric}")
    if metric != "ALBRequestCountPerTarget":
        return
    label = predefined.get("ResourceLabel") or ""
    parts = label.split("/")
    if len(parts) != 6 or parts[0] != "app" or parts[3] != "targetgroup":
        raise ValidationError(
            "ResourceLabel must be of the form app/<load-balancer-name>/<load-balancer-id>/"
            f"targetgroup/<target-group-name>/<target-group-id>: {label!r}"
        )
    suffix = "/".join(parts[3:])
    if not any(arn.endswith(":" + suffix) for arn in group.target_group_arns):
        raise ValidationError(
            f"The target group {suffix} in ResourceLabel is not attached to the Auto Scaling group {group.name}"
        )


_moto_put_scaling_policy = AutoScalingBackend.put_scaling_policy


def _put_scaling_policy(self, name, policy_type, metric_aggregation_type, adjustment_type, as_name, *args, **kwargs):  # type: ignore[no-untyped-def]
    group = self.autoscaling_groups.get(as_name)
    if group is None:
        raise ValidationError(f"AutoScalingGroup name not found - {as_name}")
    if policy_type == "TargetTrackingScaling":
        config = kwargs.get("target_tracking_config")
        if config is None and len(args) >= 4:
            config = args[3]
        _check_target_tracking(self, group, config or {})
    policy = _moto_put_scaling_policy(
        self, name, policy_type, metric_aggregation_type, adjustment_type, as_name, *args, **kwargs
    )
    # moto stored it under its name alone: keep it under its group too.
    if self.policies.get(name) is policy:
        del self.policies[name]
    self.policies[_key(as_name, name)] = policy
    return policy


def _delete_policy_response(self):  # type: ignore[no-untyped-def]
    group = self._get_param("AutoScalingGroupName")
    name = self._get_param("PolicyName")
    backend = self.autoscaling_backend
    key = _key(group, name) if group else None
    if key is None:
        # AWS accepts a policy ARN alone; find the policy by it.
        key = next((k for k, p in backend.policies.items() if p.arn == name), None)
    if key is None or key not in backend.policies:
        raise ValidationError(f"Policy {name} not found for group {group}")
    del backend.policies[key]
    return EmptyResult()


def _execute_policy_response(self):  # type: ignore[no-untyped-def]
    group = self._get_param("AutoScalingGroupName")
    name = self._get_param("PolicyName")
    policy = self.autoscaling_backend.policies.get(_key(group, name))
    if policy is None:
        raise ValidationError(f"Policy {name} not found for group {group}")
    policy.execute()
    return EmptyResult()


_moto_delete_group = AutoScalingBackend.delete_auto_scaling_group


def _delete_auto_scaling_group(self, group_name):  # type: ignore[no-untyped-def]
    _moto_delete_group(self, group_name)
    for key in [k for k, p in self.policies.items() if p.auto_scaling_group_name == group_name]:
        del self.policies[key]


def _warmup_param(response, updating: bool):  # type: ignore[no-untyped-def]
    raw = response._get_param("DefaultInstanceWarmup")
    if raw in (None, ""):
        return None
    value = int(raw)
    if value == -1 and updating:
        return -1
    if not 0 <= value <= WARMUP_MAX:
        raise ValidationError(f"DefaultInstanceWarmup must be between 0 and {WARMUP_MAX}: {value}")
    return value


def _with_warmup(original, updating: bool):  # type: ignore[no-untyped-def]
    def handler(self):  # type: ignore[no-untyped-def]
        warmup = _warmup_param(self, updating)
        result = original(self)
        group = self.autoscaling_backend.autoscaling_groups.get(self._get_param("AutoScalingGroupName"))
        if group is not None and warmup is not None:
            group.default_instance_warmup = None if warmup == -1 else warmup
        return result

    return handler


def _keeping_mix(original):  # type: ignore[no-untyped-def]
    def handler(self):  # type: ignore[no-untyped-def]
        group = self.autoscaling_backend.autoscaling_groups.get(self._get_param("AutoScalingGroupName"))
        given = self._get_param("MixedInstancesPolicy")
        kept = None
        if group is not None and not given and not self._get_param("LaunchTemplate"):
            kept = group.mixed_instances_policy
        result = original(self)
        if group is not None:
            if kept is not None:
                group.mixed_instances_policy = kept
            elif given and "InstancesDistribution" not in (group.mixed_instances_policy or {}):
                group.mixed_instances_policy["InstancesDistribution"] = {
                    "OnDemandAllocationStrategy": "prioritized",
                    "OnDemandBaseCapacity": 0,
                    "OnDemandPercentageAboveBaseCapacity": 100,
                    "SpotAllocationStrategy": "lowest-price",
                }
        return result

    return handler


_moto_set_desired = FakeAutoScalingGroup.set_desired_capacity


def _set_desired_capacity(self, new_capacity):  # type: ignore[no-untyped-def]
    policy = self.mixed_instances_policy
    overrides = ((policy or {}).get("LaunchTemplate") or {}).get("Overrides") or []
    if not overrides or any(o.get("WeightedCapacity") for o in overrides):
        return _moto_set_desired(self, new_capacity)
    # Every instance counts one: the group runs its desired capacity, launched as the first type.
    self._mix_launch_type = overrides[0].get("InstanceType")
    self.mixed_instances_policy = None
    try:
        return _moto_set_desired(self, new_capacity)
    finally:
        self.mixed_instances_policy = policy
        self._mix_launch_type = None


_moto_put_response = AutoScalingResponse.put_scaling_policy


def _put_scaling_policy_response(self):  # type: ignore[no-untyped-def]
    result = _moto_put_response(self)
    key = _key(self._get_param("AutoScalingGroupName"), self._get_param("PolicyName"))
    policy = self.autoscaling_backend.policies.get(key)
    if policy is not None:
        policy.enabled = str(self._get_param("Enabled", "true")).lower() != "false"
    return result


FakeAutoScalingGroup.set_desired_capacity = _set_desired_capacity
AutoScalingResponse.put_scaling_policy = _put_scaling_policy_response
AutoScalingBackend.put_scaling_policy = _put_scaling_policy
AutoScalingBackend.delete_auto_scaling_group = _delete_auto_scaling_group
AutoScalingResponse.delete_policy = _delete_policy_response
AutoScalingResponse.execute_policy = _execute_policy_response
AutoScalingResponse.create_auto_scaling_group = _with_warmup(AutoScalingResponse.create_auto_scaling_group, False)
AutoScalingResponse.update_auto_scaling_group = _keeping_mix(
    _with_warmup(AutoScalingResponse.update_auto_scaling_group, True)
)
