"""Auto Scaling instance refresh for the project's local AWS (imported by local_aws_server.py).

moto 5.2.5 has no instance refresh: StartInstanceRefresh, DescribeInstanceRefreshes,
CancelInstanceRefresh and RollbackInstanceRefresh are not implemented. This module models them as
the Auto Scaling API reference and user guide describe them
(https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_StartInstanceRefresh.html,
API_RefreshPreferences, API_RollbackInstanceRefresh; user guide "Add checkpoints to an instance
refresh", "Undo changes with a manual or auto rollback"):

- StartInstanceRefresh checks what AWS checks: the group exists; MinHealthyPercentage 0-100,
  MaxHealthyPercentage 100-200 (with MinHealthyPercentage, at most 100 apart), InstanceWarmup >= 0,
  CheckpointPercentages unique integers 1-100 in ascending order, CheckpointDelay 0-172800 and only
  with CheckpointPercentages, BakeTime 0-172800, at most 10 alarms and each of them existing in
  CloudWatch; a DesiredConfiguration names one launch template (or mixed instances policy) and an
  existing version; AutoRollback needs a DesiredConfiguration, a group on a launch template, and
  numbered versions (not $Latest or $Default) both on the group and in the desired configuration.
  One refresh at a time per group (InstanceRefreshInProgress).
- The group's configuration at the start is kept as the rollback target. The group itself does not
  change while the refresh runs: the desired configuration becomes the group's only when the refresh
  succeeds.
- A refresh moves on when it is described (each DescribeInstanceRefreshes that returns it makes one
  transition): Pending -> InProgress at the first checkpoint reached (the only one, 100, without
  checkpoints) -> InProgress at each later checkpoint (the poll at a checkpoint is its
  CheckpointDelay; StatusReason says so) -> [Baking, with a BakeTime] -> Successful. Checkpoints
  count instances, as AWS does: a group of 2 with checkpoints [10, 50, 100] replaces one instance
  and is at 50 %, the 10 % checkpoint skipped. A refresh with nothing to replace (no instances, or
  SkipMatching and every instance already on the desired configuration) is Successful at its first
  poll. Replaced instances carry the new launch template version (their `aws:ec2launchtemplate:*`
  tags, which Auto Scaling now reports per instance; they are not relaunched).
- Under the timing mode (the fault layer's `"timing"` rule for the caller's key, or
  PROD_LOCAL_AWS_TIMING=realistic: see local_aws_timing.py) transitions follow the clock instead:
  a replacement step takes the instance warm-up scaled (1 to 5 s), a checkpoint wait the
  CheckpointDelay scaled (at most 30 s), a bake the BakeTime scaled.
- Before a Pending, InProgress or Baking refresh moves on, its alarms are read from moto's
  CloudWatch (the request's account and Region). One in ALARM: with AutoRollback the refresh goes to
  RollbackInProgress (RollbackDetails set), then RollbackSuccessful, the replaced instances back on
  the old version; without it, Failed.
- CancelInstanceRefresh (a refresh or a rollback in progress): Cancelling, then Cancelled; what was
  replaced stays. RollbackInstanceRefresh: RollbackInProgress, then RollbackSuccessful;
  IrreversibleInstanceRefresh (AWS's error) without a desired configuration or with $Latest/$Default.
- DescribeInstanceRefreshes lists newest first (InstanceRefreshIds, MaxRecords, NextToken), with
  Preferences typed as the API types them (AWS's documented defaults filled in: MinHealthyPercentage
  90, SkipMatching and AutoRollback false, CheckpointDelay 3600 with checkpoints),
  DesiredConfiguration and RollbackDetails.
- DeleteAutoScalingGroup drops the group's refreshes (and a group re-created under the same name, or
  after a reset, starts with none).
- While a refresh with a DesiredConfiguration is Pending, InProgress, Baking or RollbackInProgress,
  UpdateAutoScalingGroup refuses (ValidationError) a LaunchTemplate, MixedInstancesPolicy or
  LaunchConfigurationName that changes the group's: what the desired configuration sets is AWS's
  to change while the refresh runs. The same configuration given again, and every other setting,
  are updated as usual.

Not modelled: instances are not actually terminated and relaunched (ids and other settings stay;
only the launch template version they report changes), MinHealthyPercentage/MaxHealthyPercentage
do not pace anything, ScaleInProtectedInstances/StandbyInstances never wait, warm pools
(ProgressDetails), refreshes that fail on their own (only alarms fail them), and the six-week
history limit.
"""
import copy
import datetime
import math
import threading
import time
import uuid
from typing import Any, Optional

import local_aws_autoscaling  # noqa: F401 - its DeleteAutoScalingGroup patch is wrapped below
import local_aws_faults as faults
import local_aws_timing as timing
from moto.autoscaling.exceptions import AutoscalingClientError, ValidationError
from moto.autoscaling.models import AutoScalingBackend, InstanceState
from moto.autoscaling.responses import AutoScalingResponse
from moto.cloudwatch.models import cloudwatch_backends
from moto.core.responses import ActionResult


class InstanceRefreshInProgress(AutoscalingClientError):
    code = "InstanceRefreshInProgress"


class ActiveInstanceRefreshNotFound(AutoscalingClientError):
    code = "ActiveInstanceRefreshNotFound"


class IrreversibleInstanceRefresh(AutoscalingClientError):
    code = "IrreversibleInstanceRefresh"


# (account, Region, group name) -> the group's refreshes, newest first. Each refresh is a dict of
# the API's fields plus private ones (leading underscore) that are never rendered.
_REFRESHES: dict[tuple[str, str, str], list[dict]] = {}
_LOCK = threading.RLock()

# A refresh another may not start beside (AWS: "An instance refresh is already in progress.").
BUSY = ("Pending", "InProgress", "Cancelling", "RollbackInProgress", "Baking")
# What CancelInstanceRefresh cancels (a refresh or a rollback in progress), and what
# RollbackInstanceRefresh rolls back.
CANCELLABLE = ("Pending", "InProgress", "Baking", "RollbackInProgress")
ROLLABLE = ("Pending", "InProgress", "Baking")
# The states whose alarms are watched.
WATCHED = ("Pending", "InProgress", "Baking")

MAX_ALARMS = 10
MAX_DELAY = 172800  # CheckpointDelay and BakeTime, seconds
DEFAULT_CHECKPOINT_DELAY = 3600
DEFAULT_MIN_HEALTHY = 90
# Timing mode: a replacement step (the warm-up scaled) lasts 1-5 s; a checkpoint wait or a bake at
# most 30 s, so that a test rolling through a few checkpoints ends within a minute.
STEP_MIN, STEP_MAX, WAIT_MAX = 1.0, 5.0, 30.0

_INT_PREFS = ("MinHealthyPercentage", "MaxHealthyPercentage", "InstanceWarmup", "CheckpointDelay", "BakeTime")
_BOOL_PREFS = ("SkipMatching", "AutoRollback")
_LT_ID_TAG = "aws:ec2launchtemplate:id"
_LT_VERSION_TAG = "aws:ec2launchtemplate:version"


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


# ---- parameters ----


def _int(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise ValidationError(f"{name} must be an integer: {value!r}")
    try:
        return int(str(value))
    except ValueError:
        raise ValidationError(f"{name} must be an integer: {value!r}")


def _bool(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).lower() == "true"


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, dict):  # `member` lists parsed as {"member": [...]} by older parsers
        value = value.get("member", list(value.values()))
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    return [v for v in items if v is not None and v != ""]  # an empty list arrives as `Name=`


def _preferences(raw: dict) -> dict:
    """The preferences, typed and checked as AWS checks them (AWS's defaults are added later)."""
    prefs: dict[str, Any] = {}
    for name, value in raw.items():
        if value is None:
            continue
        if name in _INT_PREFS:
            prefs[name] = _int(name, value)
        elif name in _BOOL_PREFS:
            prefs[name] = _bool(value)
        elif name == "CheckpointPercentages":
            prefs[name] = [_int(name, v) for v in _as_list(value)]
        elif name == "AlarmSpecification":
            spec = value if isinstance(value, dict) else {}
            prefs[name] = {"Alarms": [str(a) for a in _as_list(spec.get("Alarms"))]}
        else:
            prefs[name] = value
    low = prefs.get("MinHealthyPercentage")
    if low is not None and not 0 <= low <= 100:
        raise ValidationError(f"MinHealthyPercentage must be between 0 and 100: {low}")
    high = prefs.get("MaxHealthyPercentage")
    if high is not None:
        if not 100 <= high <= 200:
            raise ValidationError(f"MaxHealthyPercentage must be between 100 and 200: {high}")
        if low is None:
            raise ValidationError("MaxHealthyPercentage can only be specified together with MinHealthyPercentage.")
        if high - low > 100:
            raise ValidationError(
                "The difference between MaxHealthyPercentage and MinHealthyPercentage cannot be greater than 100."
            )
    if prefs.get("InstanceWarmup", 0) < 0:
        raise ValidationError(f"InstanceWarmup must be 0 or greater: {prefs['InstanceWarmup']}")
    points = prefs.get("CheckpointPercentages")
    if points is not None:
        if not points or any(not 1 <= p <= 100 for p in points) or any(
            a >= b for a, b in zip(points, points[1:])
        ):
            raise ValidationError(
                "CheckpointPercentages must be unique integers between 1 and 100 in ascending order: "
                f"{points}"
            )
    delay = prefs.get("CheckpointDelay")
    if delay is not None:
        if not 0 <= delay <= MAX_DELAY:
            raise ValidationError(f"CheckpointDelay must be between 0 and {MAX_DELAY} seconds: {delay}")
        if points is None:
            raise ValidationError("CheckpointDelay can only be specified together with CheckpointPercentages.")
    bake = prefs.get("BakeTime")
    if bake is not None and not 0 <= bake <= MAX_DELAY:
        raise ValidationError(f"BakeTime must be between 0 and {MAX_DELAY} seconds: {bake}")
    alarms = (prefs.get("AlarmSpecification") or {}).get("Alarms") or []
    if len(alarms) > MAX_ALARMS:
        raise ValidationError(
            f"AlarmSpecification can contain at most {MAX_ALARMS} alarms; {len(alarms)} were specified."
        )
    return prefs


def _with_defaults(prefs: dict, group) -> dict:  # type: ignore[no-untyped-def]
    """The preferences as DescribeInstanceRefreshes reports them: AWS's documented defaults added."""
    out = dict(prefs)
    out.setdefault("MinHealthyPercentage", DEFAULT_MIN_HEALTHY)
    if "InstanceWarmup" not in out:
        warmup = getattr(group, "default_instance_warmup", None)
        if warmup is None:
            warmup = group.health_check_grace_period
        if warmup is not None:
            out["InstanceWarmup"] = int(warmup)
    if "CheckpointPercentages" in out:
        out.setdefault("CheckpointDelay", DEFAULT_CHECKPOINT_DELAY)
    out.setdefault("SkipMatching", False)
    out.setdefault("AutoRollback", False)
    return out


# ---- configurations: {"LaunchTemplate": spec} | {"MixedInstancesPolicy": policy} |
# {"LaunchConfigurationName": name} ----


def _template(ec2, spec: dict):  # type: ignore[no-untyped-def]
    """The launch template and version number a specification names (ValidationError if none)."""
    tid, name = spec.get("LaunchTemplateId"), spec.get("LaunchTemplateName")
    if bool(tid) == bool(name):
        raise ValidationError("Valid requests must contain either launchTemplateId or LaunchTemplateName")
    template = ec2.launch_templates.get(tid) if tid else None
    if template is None and name:
        found = ec2.launch_template_name_to_ids.get(name)
        template = ec2.launch_templates.get(found) if found else None
    if template is None:
        what = f"template ID {tid}" if tid else f"template name {name}"
        raise ValidationError(
            f"You must use a valid fully-formed launch template. The specified launch template, with {what}, "
            "does not exist."
        )
    version = str(spec.get("Version") or "$Default")
    if version.lower() == "$latest":
        return template, template.latest_version_number
    if version.lower() == "$default":
        return template, template.default_version_number
    number = int(version) if version.isdigit() else 0
    if not 1 <= number <= len(template.versions):
        raise ValidationError(
            f"You must use a valid fully-formed launch template. The specified launch template, with template "
            f"ID {template.id}, does not have version {version}."
        )
    return template, number


def _spec_of(config: Optional[dict]) -> Optional[dict]:
    """The launch template specification of a configuration (None: a launch configuration)."""
    if not config:
        return None
    if config.get("LaunchTemplate"):
        return config["LaunchTemplate"]
    policy = config.get("MixedInstancesPolicy") or {}
    return (policy.get("LaunchTemplate") or {}).get("LaunchTemplateSpecification")


def _symbolic(spec: Optional[dict]) -> bool:
    return str((spec or {}).get("Version") or "$Default").lower() in ("$latest", "$default")


def _group_config(group) -> dict:  # type: ignore[no-untyped-def]
    """The group's configuration as moto holds it."""
    if group.mixed_instances_policy:
        return {"MixedInstancesPolicy": copy.deepcopy(group.mixed_instances_policy)}
    if group.ec2_launch_template is not None:
        spec = {"LaunchTemplateId": group.ec2_launch_template.id}
        version = getattr(group, "provided_launch_template_version", None)
        if version:
            spec["Version"] = version
        return {"LaunchTemplate": spec}
    return {"LaunchConfigurationName": getattr(group, "launch_configuration_name", None)}


def _launched(ec2, config: Optional[dict]) -> tuple[Optional[str], Optional[str]]:  # type: ignore[no-untyped-def]
    """The launch template id and version number (as the instances' tags hold them) a configuration
    launches; (None, None) for a launch configuration."""
    spec = _spec_of(config)
    if spec is None:
        return None, None
    template, number = _template(ec2, spec)
    return template.id, str(number)


def _apply(group, config: dict) -> None:  # type: ignore[no-untyped-def]
    """Sets the group's configuration, as UpdateAutoScalingGroup would."""
    policy = copy.deepcopy(config.get("MixedInstancesPolicy"))
    lt = copy.deepcopy(config.get("LaunchTemplate")) or {}
    if policy:
        spec = policy["LaunchTemplate"]["LaunchTemplateSpecification"]
        if spec.get("LaunchTemplateId"):
            spec.pop("LaunchTemplateName", None)  # moto writes both back; it takes one
        policy.setdefault(
            "InstancesDistribution",
            {
                "OnDemandAllocationStrategy": "prioritized",
                "OnDemandBaseCapacity": 0,
                "OnDemandPercentageAboveBaseCapacity": 100,
                "SpotAllocationStrategy": "lowest-price",
            },
        )
        policy["LaunchTemplate"].setdefault("Overrides", [])
    if lt.get("LaunchTemplateId"):
        lt.pop("LaunchTemplateName", None)
    group.mixed_instances_policy = policy or None
    if policy or lt:
        group._set_launch_configuration(None, lt, policy or None)
    elif config.get("LaunchConfigurationName"):
        group.ec2_launch_template = None
        group._set_launch_configuration(config["LaunchConfigurationName"], {}, None)


# ---- instances: the launch template version each carries ----


def _instance_version(instance) -> tuple[Optional[str], Optional[str]]:  # type: ignore[no-untyped-def]
    tags = instance.ec2_backend.tags.get(instance.id, {})
    return tags.get(_LT_ID_TAG), tags.get(_LT_VERSION_TAG)


def _tag_instance(instance, tid: Optional[str], version: Optional[str]) -> None:  # type: ignore[no-untyped-def]
    if tid and version:
        instance.add_tags({_LT_ID_TAG: tid, _LT_VERSION_TAG: str(version)})


_moto_instance_launch_template = InstanceState.launch_template


def _instance_launch_template(self):  # type: ignore[no-untyped-def]
    """moto reports the group's template at its default version for every instance; AWS reports the
    template and version the instance was launched with (or replaced to)."""
    tid, version = _instance_version(self.instance)
    template = self.instance.ec2_backend.launch_templates.get(tid) if tid else None
    if template is None or not version:
        return _moto_instance_launch_template.fget(self)
    return {"LaunchTemplateId": template.id, "LaunchTemplateName": template.name, "Version": version}


# ---- the refresh's progress ----


def _scale(response) -> Optional[float]:  # type: ignore[no-untyped-def]
    """The caller's timing scale (None: progress by polls), as the fault layer decides it."""
    auth = response.headers.get("Authorization", "") if response.headers else ""
    key = faults._credential({"HTTP_AUTHORIZATION": auth})[0]
    with faults._LOCK:
        rules = faults._RULES.get(key)
    rule = (rules or {}).get("timing") or timing.server_rule()
    return float(rule.get("scale", timing.SCALE_DEFAULT)) if rule else None


def _alarms_in_alarm(r: dict) -> list[str]:
    names = (r["Preferences"].get("AlarmSpecification") or {}).get("Alarms") or []
    if not names:
        return []
    alarms = cloudwatch_backends[r["_account"]][r["_region"]].alarms
    return [n for n in names if n in alarms and alarms[n].state_value == "ALARM"]


def _step_seconds(r: dict) -> float:
    warmup = r["Preferences"].get("InstanceWarmup") or 0
    return min(max(warmup * r["_scale"], STEP_MIN), STEP_MAX)


def _wait_seconds(seconds: int, r: dict) -> float:
    return min(seconds * r["_scale"], WAIT_MAX)


def _set(r: dict, status: str, reason: Optional[str] = None, lasts: float = 0.0) -> None:
    r["Status"] = status
    if reason is None:
        r.pop("StatusReason", None)
    else:
        r["StatusReason"] = reason
    r["_since"] = r.get("_until", time.time()) if r["_scale"] is not None else time.time()
    r["_until"] = r["_since"] + lasts


def _finish(r: dict, status: str, reason: Optional[str] = None) -> None:
    _set(r, status, reason)
    r["EndTime"] = _now()


def _replace(r: dict, group, upto: int) -> None:  # type: ignore[no-untyped-def]
    """Puts the first `upto` instances to replace on the desired launch template version."""
    tid, number = r["_target"]
    live = {s.instance.id: s.instance for s in group.instance_states}
    for iid in r["_to_replace"][:upto]:
        if iid in r["_replaced"]:
            continue
        instance = live.get(iid)
        # An instance gone since the start (scaled in, terminated) needs no replacing.
        r["_replaced"][iid] = _instance_version(instance) if instance is not None else (None, None)
        if instance is not None:
            _tag_instance(instance, tid, number)


def _percent(r: dict) -> int:
    total = len(r["_to_replace"])
    return 100 if total == 0 else math.floor(len(r["_replaced"]) * 100 / total)


def _advance(r: dict, group) -> None:  # type: ignore[no-untyped-def]
    """One transition of a refresh that is not waiting on an alarm."""
    status = r["Status"]
    total = len(r["_to_replace"])
    if status == "Cancelling":
        _finish(r, "Cancelled")
        return
    if status == "RollbackInProgress":
        live = {s.instance.id: s.instance for s in group.instance_states}
        for iid, (tid, version) in r["_replaced"].items():
            if iid in live:
                _tag_instance(live[iid], tid, version)
        r["_replaced"] = {}
        if _group_config(group) != r["_rollback_config"]:
            _apply(group, r["_rollback_config"])
        r["PercentageComplete"] = 0
        _finish(r, "RollbackSuccessful", r.get("StatusReason"))
        return
    if status == "Baking" or (status == "InProgress" and r["_reached"] == r["_points"][-1]) or total == 0:
        _succeed(r, group)
        return
    # A replacement step (Pending or InProgress): on to the next checkpoint not yet reached.
    points = r["_points"]
    nxt = next(p for p in points if p > r["_reached"])
    _replace(r, group, min(total, max(math.ceil(total * nxt / 100), len(r["_replaced"]) + 1)))
    pct = _percent(r)
    r["_reached"] = max(p for p in points if p <= pct) if any(p <= pct for p in points) else nxt
    r["PercentageComplete"] = pct
    r["InstancesToUpdate"] = total - len(r["_replaced"])
    step = _step_seconds(r) if r["_scale"] is not None else 0.0
    if r["_reached"] == points[-1]:
        _set(r, "InProgress", None, step)
        return
    delay = r["Preferences"].get("CheckpointDelay", DEFAULT_CHECKPOINT_DELAY)
    wait = _wait_seconds(delay, r) if r["_scale"] is not None else 0.0
    _set(
        r,
        "InProgress",
        f"Waiting at checkpoint {r['_reached']}% for the checkpoint delay of {delay} seconds.",
        wait + step,
    )


def _succeed(r: dict, group) -> None:  # type: ignore[no-untyped-def]
    bake = r["Preferences"].get("BakeTime") or 0
    if bake and r["Status"] != "Baking":
        wait = _wait_seconds(bake, r) if r["_scale"] is not None else 0.0
        _set(r, "Baking", f"Waiting for the bake time of {bake} seconds.", wait)
        return
    r["PercentageComplete"] = _percent(r)
    r["InstancesToUpdate"] = len(r["_to_replace"]) - len(r["_replaced"])
    if r.get("DesiredConfiguration"):
        _apply(group, r["DesiredConfiguration"])
    _finish(r, "Successful")


def _trip(r: dict, names: list[str]) -> None:
    """An alarm in ALARM: rolled back (AutoRollback) or failed."""
    listed = ", ".join(names)
    if r["Preferences"].get("AutoRollback"):
        _roll_back(r, f"Automatic rollback initiated: alarm(s) {listed} went into ALARM state.")
    else:
        _finish(r, "Failed", f"Instance refresh failed: alarm(s) {listed} went into ALARM state.")


def _roll_back(r: dict, reason: str) -> None:
    r["RollbackDetails"] = {
        "RollbackReason": reason,
        "RollbackStartTime": _now(),
        "PercentageCompleteOnRollback": r["PercentageComplete"],
        "InstancesToUpdateOnRollback": r["InstancesToUpdate"],
    }
    r["_until"] = time.time()
    _set(r, "RollbackInProgress", reason, _step_seconds(r) if r["_scale"] is not None else 0.0)


def _evaluate(r: dict, group) -> None:  # type: ignore[no-untyped-def]
    """What a describe does to a refresh: alarms first, then one transition (by polls) or every
    transition whose time has come (timing mode)."""
    if r["Status"] not in BUSY:
        return
    if r["Status"] in WATCHED:
        tripped = _alarms_in_alarm(r)
        if tripped:
            _trip(r, tripped)
            return
    if r["_scale"] is None:
        _advance(r, group)
        return
    while r["Status"] in BUSY and time.time() >= r["_until"]:
        _advance(r, group)


# ---- the calls ----


def _key(response, group_name: str) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    return response.current_account, response.region, group_name


def _group_refreshes(response, group_name: str):  # type: ignore[no-untyped-def]
    """The group (None if missing) and its refreshes (those of an earlier group of that name dropped)."""
    group = response.autoscaling_backend.autoscaling_groups.get(group_name)
    key = _key(response, group_name)
    kept = [r for r in _REFRESHES.get(key, []) if group is not None and r["_group_id"] == group._id]
    if kept:
        _REFRESHES[key] = kept
    else:
        _REFRESHES.pop(key, None)
    return group, kept


def _start_instance_refresh(self):  # type: ignore[no-untyped-def]
    group_name = self._get_param("AutoScalingGroupName")
    with _LOCK:
        group, refreshes = _group_refreshes(self, group_name)
        if group is None:
            raise ValidationError(f"AutoScalingGroup name not found - {group_name}")
        prefs = _preferences(self._get_param("Preferences") or {})
        ec2 = self.autoscaling_backend.ec2_backend
        desired = self._get_param("DesiredConfiguration") or None
        if desired is not None:
            given = [k for k in ("LaunchTemplate", "MixedInstancesPolicy") if desired.get(k)]
            if len(given) != 1:
                raise ValidationError(
                    "A DesiredConfiguration must specify either a LaunchTemplate or a MixedInstancesPolicy."
                )
            desired = {given[0]: copy.deepcopy(desired[given[0]])}
            if given[0] == "MixedInstancesPolicy" and not _spec_of(desired):
                raise ValidationError(
                    "A MixedInstancesPolicy must specify a LaunchTemplate with a LaunchTemplateSpecification."
                )
            _template(ec2, _spec_of(desired) or {})
        current = _group_config(group)
        if prefs.get("AutoRollback"):
            if desired is None:
                raise ValidationError(
                    "The request isn't valid. The AutoRollback parameter cannot be set to true when the "
                    "DesiredConfiguration parameter is empty. Set AutoRollback to false or specify a desired "
                    "configuration and try again."
                )
            if _spec_of(current) is None:
                raise ValidationError(
                    "The request isn't valid. The AutoRollback parameter cannot be set to true when the Auto "
                    "Scaling group uses a launch configuration."
                )
            for which, spec in (
                ("desired configuration", _spec_of(desired)),
                ("Auto Scaling group", _spec_of(current)),
            ):
                if _symbolic(spec):
                    raise ValidationError(
                        "The request isn't valid. The AutoRollback parameter cannot be set to true when the "
                        f"{which} uses the launch template version $Latest or $Default. Specify a launch "
                        "template version number and try again."
                    )
        names = (prefs.get("AlarmSpecification") or {}).get("Alarms") or []
        alarms = cloudwatch_backends[self.current_account][self.region].alarms
        missing = [n for n in names if n not in alarms]
        if missing:
            raise ValidationError(
                f"The following alarms in the AlarmSpecification do not exist: {', '.join(missing)}."
            )
        if any(r["Status"] in BUSY for r in refreshes):
            raise InstanceRefreshInProgress("An instance refresh is already in progress.")

        # The instances to replace: all, or with SkipMatching those not already on the desired (else
        # the group's) launch template version.
        target = _launched(ec2, desired or current)
        instances = [s.instance for s in group.instance_states]
        to_replace = [i.id for i in instances]
        if prefs.get("SkipMatching"):
            if target[0] is None:  # a launch configuration: instances match it unless one is desired
                to_replace = to_replace if desired else []
            else:
                to_replace = [i.id for i in instances if _instance_version(i) != target]
        refresh = {
            "InstanceRefreshId": str(uuid.uuid4()),
            "AutoScalingGroupName": group_name,
            "Strategy": self._get_param("Strategy") or "Rolling",
            "Status": "Pending",
            "StartTime": _now(),
            "PercentageComplete": 0,
            "InstancesToUpdate": len(to_replace),
            "Preferences": _with_defaults(prefs, group),
            "_account": self.current_account,
            "_region": self.region,
            "_group_id": group._id,
            "_scale": _scale(self),
            "_rollback_config": current,
            "_target": target,
            "_to_replace": to_replace,
            "_replaced": {},
            "_points": prefs.get("CheckpointPercentages") or [100],
            "_reached": 0,
        }
        if desired is not None:
            refresh["DesiredConfiguration"] = desired
        _set(refresh, "Pending", None, _step_seconds(refresh) if refresh["_scale"] is not None else 0.0)
        _REFRESHES.setdefault(_key(self, group_name), []).insert(0, refresh)
        return ActionResult({"InstanceRefreshId": refresh["InstanceRefreshId"]})


def _public(r: dict) -> dict:
    return {k: copy.deepcopy(v) for k, v in r.items() if not k.startswith("_")}


def _describe_instance_refreshes(self):  # type: ignore[no-untyped-def]
    group_name = self._get_param("AutoScalingGroupName")
    wanted = [str(i) for i in _as_list(self._get_param("InstanceRefreshIds"))]
    max_records = _int("MaxRecords", self._get_param("MaxRecords") or 50)
    if not 1 <= max_records <= 100:
        raise ValidationError(f"MaxRecords must be between 1 and 100: {max_records}")
    token = self._get_param("NextToken")
    with _LOCK:
        group, refreshes = _group_refreshes(self, group_name)
        chosen = [r for r in refreshes if not wanted or r["InstanceRefreshId"] in wanted]
        start = 0
        if token:
            ids = [r["InstanceRefreshId"] for r in chosen]
            if token not in ids:
                raise ValidationError(f"The NextToken is not valid: {token}")
            start = ids.index(token) + 1
        page = chosen[start : start + max_records]
        for r in page:
            _evaluate(r, group)
        result: dict[str, Any] = {"InstanceRefreshes": [_public(r) for r in page]}
        if len(chosen) > start + max_records:
            result["NextToken"] = page[-1]["InstanceRefreshId"]
        return ActionResult(result)


def _active(self, statuses: tuple[str, ...]):  # type: ignore[no-untyped-def]
    group_name = self._get_param("AutoScalingGroupName")
    group, refreshes = _group_refreshes(self, group_name)
    if group is None:
        raise ValidationError(f"AutoScalingGroup name not found - {group_name}")
    for r in refreshes:
        if r["Status"] in statuses:
            return group, r
    raise ActiveInstanceRefreshNotFound(
        f"No in progress or pending Instance Refresh found for Auto Scaling group {group_name}"
    )


def _cancel_instance_refresh(self):  # type: ignore[no-untyped-def]
    with _LOCK:
        _, r = _active(self, CANCELLABLE)
        r["_until"] = time.time()
        _set(r, "Cancelling", None, _step_seconds(r) if r["_scale"] is not None else 0.0)
        return ActionResult({"InstanceRefreshId": r["InstanceRefreshId"]})


def _rollback_instance_refresh(self):  # type: ignore[no-untyped-def]
    with _LOCK:
        _, r = _active(self, ROLLABLE)
        if not r.get("DesiredConfiguration"):
            raise IrreversibleInstanceRefresh(
                "The instance refresh cannot be rolled back: it was started without a desired configuration."
            )
        if _symbolic(_spec_of(r["_rollback_config"])) or _symbolic(_spec_of(r["DesiredConfiguration"])):
            raise IrreversibleInstanceRefresh(
                "The instance refresh cannot be rolled back: the launch template version is $Latest or $Default."
            )
        _roll_back(r, "Rollback initiated by RollbackInstanceRefresh API.")
        return ActionResult({"InstanceRefreshId": r["InstanceRefreshId"]})


# ---- no change of what the desired configuration sets while its refresh is active ----
# https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_StartInstanceRefresh.html
# (DesiredConfiguration: "Once the instance refresh succeeds, Amazon EC2 Auto Scaling updates the
# settings of the Auto Scaling group to reflect the new desired configuration"): until then those
# settings are the refresh's. An UpdateAutoScalingGroup
# (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_UpdateAutoScalingGroup.html) that
# changes the launch template or mixed instances policy while such a refresh is Pending, InProgress,
# Baking or RollbackInProgress is answered with a ValidationError (400), in AWS's words
# (DESIRED_ACTIVE). Other settings (sizes, health checks, subnets, warm-up) are updated as usual, and
# so is the same launch source given again (an update that sends every setting). A launch
# configuration given instead changes the launch source too.
ACTIVE_WITH_DESIRED = ("Pending", "InProgress", "Baking", "RollbackInProgress")
DESIRED_ACTIVE = (
    "An active instance refresh with a desired configuration exists. All configuration options derived from the "
    "desired configuration are not available for update while the instance refresh is active."
)
_DISTRIBUTION_DEFAULTS = {
    "OnDemandAllocationStrategy": "prioritized",
    "OnDemandBaseCapacity": 0,
    "OnDemandPercentageAboveBaseCapacity": 100,
    "SpotAllocationStrategy": "lowest-price",
}


def _plain(value: Any) -> Any:
    """A parameter's value with every scalar as text (query strings and stored values compare); an
    empty value (`SpotMaxPrice=`: no cap) is no value."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None and v != ""}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _source(ec2, config: dict) -> Any:  # type: ignore[no-untyped-def]
    """A configuration's launch source, comparable: the template by id (a name resolved), its
    version as given ($Default when none), a mixed policy's distribution with AWS's defaults."""

    def spec(s: Optional[dict]) -> tuple:
        s = s or {}
        tid = s.get("LaunchTemplateId")
        if not tid and s.get("LaunchTemplateName"):
            tid = ec2.launch_template_name_to_ids.get(s["LaunchTemplateName"], s["LaunchTemplateName"])
        return tid, str(s.get("Version") or "$Default")

    if config.get("MixedInstancesPolicy"):
        policy = copy.deepcopy(config["MixedInstancesPolicy"])
        lt = policy.get("LaunchTemplate") or {}
        template = spec(lt.get("LaunchTemplateSpecification"))
        overrides = _plain(_as_list(lt.get("Overrides")))
        distribution = _plain({**_DISTRIBUTION_DEFAULTS, **(policy.get("InstancesDistribution") or {})})
        return "mixed", template, overrides, distribution
    if config.get("LaunchTemplate"):
        return "template", spec(config["LaunchTemplate"])
    return "configuration", config.get("LaunchConfigurationName")


def _refuse_desired_changes(original):  # type: ignore[no-untyped-def]
    def handler(self):  # type: ignore[no-untyped-def]
        group_name = self._get_param("AutoScalingGroupName")
        given = {
            k: self._get_param(k)
            for k in ("LaunchTemplate", "MixedInstancesPolicy", "LaunchConfigurationName")
            if self._get_param(k)
        }
        if given:
            with _LOCK:
                group, refreshes = _group_refreshes(self, group_name)
                for r in refreshes:
                    if r["_scale"] is not None:
                        _evaluate(r, group)  # timing mode: where the clock has brought it
                if any(r["Status"] in ACTIVE_WITH_DESIRED and r.get("DesiredConfiguration") for r in refreshes):
                    ec2 = self.autoscaling_backend.ec2_backend
                    if _source(ec2, given) != _source(ec2, _group_config(group)):
                        raise ValidationError(DESIRED_ACTIVE)
        return original(self)

    return handler


_moto_delete_group = AutoScalingBackend.delete_auto_scaling_group


def _delete_auto_scaling_group(self, group_name):  # type: ignore[no-untyped-def]
    _moto_delete_group(self, group_name)
    with _LOCK:
        _REFRESHES.pop((self.account_id, self.region_name, group_name), None)


AutoScalingResponse.start_instance_refresh = _start_instance_refresh
AutoScalingResponse.describe_instance_refreshes = _describe_instance_refreshes
AutoScalingResponse.cancel_instance_refresh = _cancel_instance_refresh
AutoScalingResponse.rollback_instance_refresh = _rollback_instance_refresh
AutoScalingBackend.delete_auto_scaling_group = _delete_auto_scaling_group
# Around local_aws_autoscaling.py's (imported above), which keeps the mix and the warm-up.
AutoScalingResponse.update_auto_scaling_group = _refuse_desired_changes(AutoScalingResponse.update_auto_scaling_group)
InstanceState.launch_template = property(_instance_launch_template)
