//! Scaling that holds the line: the optional `scaling { cpu_target, requests_per_target,
//! scale_in_protection_minutes }` block, its profile defaults, the target-tracking policies it
//! stands for, the plan of the block, and the read-back that makes a change outside Terraform
//! drift. Scaling's own choices (the live desired capacity) never are.

use crate::framework::attrs::configured_or;
use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Diagnostics, Number};
use crate::provider::profile::Environment;

pub const BLOCK: &str = "scaling";

/// The CPU target a `scaling` block without `cpu_target` holds, in any profile.
pub const DEFAULT_CPU_TARGET: i64 = 60;
/// Minutes a new instance warms up before it counts in the metrics and before dynamic scale-in
/// may happen again (the group's default instance warmup).
pub const DEFAULT_PROTECTION_MINUTES: i64 = 5;
/// The CPU targets accepted: below 10 % keeps idle instances, above 90 % leaves no headroom for
/// the minutes a new instance takes.
const CPU_TARGETS: (i64, i64) = (10, 90);
/// AWS's range of the default instance warmup (0 to 3600 seconds), in minutes.
const PROTECTION_MINUTES: (i64, i64) = (0, 60);
const REQUESTS_PER_TARGET: (i64, i64) = (1, 1_000_000);

/// The target-tracking AWS metrics a policy follows.
pub const CPU_METRIC: &str = "ASGAverageCPUUtilization";
pub const REQUESTS_METRIC: &str = "ALBRequestCountPerTarget";

/// What the group's scaling is, as the blueprint wants it or AWS reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scaling {
    /// The average CPU % the group is held at; `None`: no CPU policy.
    pub cpu_target: Option<i64>,
    /// Load balancer requests per instance per minute; `None`: no request policy.
    pub requests_per_target: Option<i64>,
    /// The group's default instance warmup, in minutes.
    pub protection_minutes: i64,
}

crate::attributes! {
    /// The block in state: every attribute as planned or read back (`None`: null).
    pub struct Stated;
    /// The block as configured or planned: each attribute known, null or unknown.
    pub struct Given;
    fields {
        cpu_target: Option<i64> = defaulted(&format!("Average CPU % a target-tracking policy holds the group at ({} to {}; default {DEFAULT_CPU_TARGET}). `0`: no CPU policy, refused in production.", CPU_TARGETS.0, CPU_TARGETS.1)),
        requests_per_target: Option<i64> = optional("Load balancer requests per instance per minute a second target-tracking policy holds (the target group's `RequestCountPerTarget`). Unset, no request policy."),
        scale_in_protection_minutes: Option<i64> = defaulted(&format!("Minutes a new instance warms up: until then its metrics stay out of the policies' sums and the group does not scale in ({} to {}; default {DEFAULT_PROTECTION_MINUTES}). The group's default instance warmup.", PROTECTION_MINUTES.0, PROTECTION_MINUTES.1)),
    }
}

/// The block's description in the schema.
pub const DESCRIPTION: &str = "Target-tracking scaling between `min_size` and `max_size`. Without the block: a CPU policy `<name>-cpu` at 60 % in staging and production, none in development (the sizes stay as set). With it, in any profile: the CPU policy (unless `cpu_target = 0`), a request policy `<name>-requests` when `requests_per_target` is set. These two are exactly as configured: changed, disabled or removed outside Terraform is drift, repaired by apply (policies of other names on the group are left alone); the capacity scaling chooses never is drift.";

fn path(attr: &str) -> AttrPath {
    AttrPath::attr(BLOCK).then_attr(attr)
}

/// Production refuses a group that does not follow its load.
pub fn check_profile(block: &Tri<Given>, env: Environment, d: &mut Diagnostics) {
    let Tri::Known(g) = block else {
        return;
    };
    if env == Environment::Production && g.cpu_target.whole() == Tri::Known(0) {
        d.error_at(
            path("cpu_target"),
            "Production scales on CPU",
            "cpu_target = 0 turns the CPU policy off, which production refuses: a service whose load grows must grow with it. Set a target (e.g. 60) or remove the attribute.",
        );
    }
}

/// The ranges, each diagnostic on its attribute.
pub fn validate(block: &Tri<Given>, d: &mut Diagnostics) {
    let Tri::Known(g) = block else {
        return;
    };
    let cpu = d.whole(path("cpu_target"), &g.cpu_target);
    let requests = d.whole(path("requests_per_target"), &g.requests_per_target);
    let minutes = d.whole(
        path("scale_in_protection_minutes"),
        &g.scale_in_protection_minutes,
    );
    let ranges = [
        (
            "cpu_target",
            cpu.known().copied().filter(|c| *c != 0),
            CPU_TARGETS,
        ),
        (
            "requests_per_target",
            requests.known().copied(),
            REQUESTS_PER_TARGET,
        ),
        (
            "scale_in_protection_minutes",
            minutes.known().copied(),
            PROTECTION_MINUTES,
        ),
    ];
    for (attr, value, (lo, hi)) in ranges {
        if let Some(v) = value.filter(|v| !(lo..=hi).contains(v)) {
            let zero = if attr == "cpu_target" {
                " (or 0: no CPU policy)"
            } else {
                ""
            };
            d.error_at(
                path(attr),
                "Scaling setting out of range",
                format!("{attr} = {v}: give {lo} to {hi}{zero}."),
            );
        }
    }
}

/// The planned block: null stays null (a block is never added by the plan; the profile's
/// defaults apply); every unset attribute takes its default, so that a value changed outside
/// Terraform is a diff.
pub fn plan(block: &Tri<Given>) -> Tri<Given> {
    let Tri::Known(g) = block else {
        return block.clone();
    };
    let int = |v: &Tri<Number>, default: i64| configured_or(v, Tri::Known(Number::Int(default)));
    Tri::Known(Given {
        cpu_target: int(&g.cpu_target, DEFAULT_CPU_TARGET),
        requests_per_target: g.requests_per_target.clone(),
        scale_in_protection_minutes: int(
            &g.scale_in_protection_minutes,
            DEFAULT_PROTECTION_MINUTES,
        ),
    })
}

/// The scaling apply converges to, from a planned (or prior) block and the profile.
pub fn effective(block: &Option<Stated>, env: Environment) -> Scaling {
    match block {
        None => Scaling {
            cpu_target: env.cluster_cpu_target(),
            requests_per_target: None,
            protection_minutes: DEFAULT_PROTECTION_MINUTES,
        },
        Some(b) => Scaling {
            cpu_target: b
                .cpu_target
                .or(Some(DEFAULT_CPU_TARGET))
                .filter(|c| *c != 0),
            requests_per_target: b.requests_per_target,
            protection_minutes: b
                .scale_in_protection_minutes
                .unwrap_or(DEFAULT_PROTECTION_MINUTES),
        },
    }
}

/// One target-tracking policy, as the blueprint wants it or AWS reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub name: String,
    /// `TargetTrackingScaling`, or whatever other type AWS reports.
    pub kind: String,
    /// The predefined metric (`None` for a customised one).
    pub metric: Option<String>,
    /// The load balancer and target group of a request policy.
    pub resource_label: Option<String>,
    pub target: f64,
    pub disable_scale_in: bool,
    pub enabled: bool,
}

pub fn cpu_policy_name(cluster: &str) -> String {
    format!("{cluster}-cpu")
}

pub fn requests_policy_name(cluster: &str) -> String {
    format!("{cluster}-requests")
}

/// The request policy's resource label, `app/<lb>/<id>/targetgroup/<tg>/<id>`, from the two ARN
/// suffixes.
pub fn resource_label(lb_suffix: &str, tg_suffix: &str) -> String {
    format!("{lb_suffix}/{tg_suffix}")
}

/// The policies the group should have: the CPU one, and the request one once `label` (the load
/// balancer and target group) is known. Scale-in is never disabled: the group shrinks back.
pub fn policies(cluster: &str, s: &Scaling, label: Option<&str>) -> Vec<Policy> {
    let tracking = |name: String, metric: &str, label: Option<String>, target: i64| Policy {
        name,
        kind: "TargetTrackingScaling".into(),
        metric: Some(metric.into()),
        resource_label: label,
        target: target as f64,
        disable_scale_in: false,
        enabled: true,
    };
    let mut out = Vec::new();
    if let Some(c) = s.cpu_target {
        out.push(tracking(cpu_policy_name(cluster), CPU_METRIC, None, c));
    }
    if let (Some(r), Some(l)) = (s.requests_per_target, label) {
        let name = requests_policy_name(cluster);
        out.push(tracking(name, REQUESTS_METRIC, Some(l.to_string()), r));
    }
    out
}

/// Whether a policy on the group is one of the cluster's own (by its name); policies of other
/// names are someone else's and left alone.
pub fn owned(cluster: &str, policy: &str) -> bool {
    policy == cpu_policy_name(cluster) || policy == requests_policy_name(cluster)
}

/// The cluster's own policies on the group that `want` no longer has.
pub fn stale<'a>(cluster: &str, want: &[Policy], live: &'a [Policy]) -> Vec<&'a Policy> {
    live.iter()
        .filter(|l| owned(cluster, &l.name) && !want.iter().any(|w| w.name == l.name))
        .collect()
}

/// The scaling AWS has, read back as the block would say it (an unknown policy counts for
/// nothing here; [`differences`] names it).
pub fn live(cluster: &str, policies: &[Policy], protection_minutes: i64) -> Scaling {
    let target = |name: String, metric: &str| {
        policies
            .iter()
            .find(|p| p.name == name && p.metric.as_deref() == Some(metric))
            .map(|p| p.target.round() as i64)
    };
    Scaling {
        cpu_target: target(cpu_policy_name(cluster), CPU_METRIC),
        requests_per_target: target(requests_policy_name(cluster), REQUESTS_METRIC),
        protection_minutes,
    }
}

/// The block in state after a read: what AWS reports where the configuration has a block; none
/// where it has none (then a change outside Terraform shows in posture's `scaling`).
pub fn read_back(prior: &Option<Stated>, live: &Scaling) -> Option<Stated> {
    prior.as_ref().map(|_| Stated {
        cpu_target: Some(live.cpu_target.unwrap_or(0)),
        requests_per_target: live.requests_per_target,
        scale_in_protection_minutes: Some(live.protection_minutes),
    })
}

/// How the live policies and warmup differ from those wanted, for posture's `scaling`; empty
/// when they do not.
pub fn differences(
    cluster: &str,
    want: &[Policy],
    live: &[Policy],
    want_minutes: i64,
    live_seconds: Option<i64>,
) -> Vec<String> {
    let mut out = Vec::new();
    for w in want {
        match live.iter().find(|l| l.name == w.name) {
            None => out.push(format!("policy {} is missing", w.name)),
            Some(l) if l != w => out.push(format!(
                "policy {} {}tracks {} at {}{}, the configuration says {} at {}",
                w.name,
                if l.enabled { "" } else { "is disabled; it " },
                l.metric.as_deref().unwrap_or(&l.kind),
                l.target,
                if l.disable_scale_in {
                    " without scale-in"
                } else {
                    ""
                },
                w.metric.as_deref().unwrap_or(&w.kind),
                w.target
            )),
            Some(_) => {}
        }
    }
    for l in stale(cluster, want, live) {
        out.push(format!("policy {} is not in the configuration", l.name));
    }
    match live_seconds {
        Some(s) if s == want_minutes * 60 => {}
        Some(s) => out.push(format!(
            "new instances warm up for {s} s, the configuration says {want_minutes} min"
        )),
        None => out.push(format!(
            "no instance warmup is set, the configuration says {want_minutes} min"
        )),
    }
    out
}

#[cfg(test)]
mod tests;
