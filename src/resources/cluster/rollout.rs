//! Rollouts gated by alarms: the optional `rollout { strategy, checkpoints, bake_time }` block, its
//! profile defaults, the instance refresh it stands for, the gate alarms the cluster makes for it,
//! and how a refresh AWS reports reads as `rollout_status`.

use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Diagnostics, Number};
use crate::provider::profile::Environment;
use crate::resources::alerting::packs::{self, ClusterFacts, PackAlarm};

pub const BLOCK: &str = "rollout";
/// The one strategy this version has: the instances are replaced in place, in steps.
pub const ROLLING: &str = "rolling";
const BLUE_GREEN: &str = "blue_green";
/// AWS's longest checkpoint delay (two days).
const MAX_BAKE_SECONDS: i64 = 172_800;
/// The pack rows that gate a rollout (their critical tier), and the short name each gate gets.
const GATES: [(&str, &str); 2] = [("5xx-share", "5xx"), ("unhealthy-hosts", "unhealthy")];
/// `rollout_status` when no refresh runs and the last one (if any) finished well.
pub const IDLE: &str = "idle";

crate::attributes! {
    /// The block in state: every attribute as planned or read back (`None`: null).
    pub struct Stated;
    /// The block as configured or planned: each attribute known, null or unknown.
    pub struct Given;
    fields {
        strategy: Option<String> = defaulted("How a new launch template version reaches the instances: `rolling` (the default and, in this version, the only strategy): an instance refresh replaces them in place, in the steps of `checkpoints`, gated by the alarms of `gate_alarm_names` with automatic rollback."),
        checkpoints: Option<Vec<i64>> = defaulted("Percentages of the group replaced at which the refresh pauses for `bake_time` while the gate alarms watch, strictly ascending, 1 to 100, ending at 100 (profile default: `[100]` in development, `[50, 100]` in staging, `[10, 50, 100]` in production). `[]`: no pause."),
        bake_time: Option<String> = defaulted("How long the refresh waits at each checkpoint, e.g. `30s`, `5m`, `1h` (0 to 48 h; profile default `0s` in development, `2m` in staging, `5m` in production)."),
    }
}

/// The block's description in the schema.
pub const DESCRIPTION: &str = "How a change of the instances (image, instance type, user data, instance types …) rolls out. Always, in every profile: an instance refresh that skips instances already matching, gated by two alarms the cluster makes for it (`<name>-rollout-5xx`: the 5xx share of requests above 5 % for 5 minutes; `<name>-rollout-unhealthy`: half the desired capacity or more unhealthy for 2 minutes), with automatic rollback. A refresh whose gate fires rolls back: apply fails naming the alarm and the version serving again, and the next plan shows the rollout again. Without the block the profile's checkpoints and bake time apply.";

/// How a rollout proceeds, from the block (or the profile).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rollout {
    /// Percentages at which the refresh pauses; empty: none.
    pub checkpoints: Vec<i64>,
    /// Seconds of each pause (the refresh's checkpoint delay).
    pub bake_seconds: i64,
}

fn path(attr: &str) -> AttrPath {
    AttrPath::attr(BLOCK).then_attr(attr)
}

/// A bake time in seconds: `0s` or a duration such as `90s`, `5m`, `1h30m`.
pub fn bake_seconds(s: &str) -> Option<i64> {
    if s.starts_with('0')
        && s.trim_end_matches(['s', 'm', 'h'])
            .trim_start_matches('0')
            .is_empty()
    {
        return Some(0);
    }
    crate::framework::wait::parse_duration(s).and_then(|d| i64::try_from(d.as_secs()).ok())
}

/// The profile's rollout: each step longer where more is at stake.
pub fn profile(env: Environment) -> Rollout {
    Rollout {
        checkpoints: env.rollout_checkpoints(),
        bake_seconds: env.rollout_bake_seconds(),
    }
}

/// The profile's bake time as the block shows it.
fn bake_text(seconds: i64) -> String {
    match seconds {
        s if s > 0 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s > 0 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// The strategy, checkpoints and bake time, each diagnostic on its attribute.
pub fn validate(block: &Tri<Given>, d: &mut Diagnostics) {
    let Tri::Known(g) = block else {
        return;
    };
    match g.strategy.known().map(String::as_str) {
        None | Some(ROLLING) => {}
        Some(BLUE_GREEN) => d.error_at(
            path("strategy"),
            "Blue/green is not available yet",
            "This version rolls out in place: strategy = \"rolling\" (gated by alarms, with automatic rollback). Remove the attribute or set \"rolling\".",
        ),
        Some(other) => d.error_at(
            path("strategy"),
            "Unknown rollout strategy",
            format!("strategy = {other:?}: use \"rolling\"."),
        ),
    }
    if let Tri::Known(points) = &g.checkpoints {
        let mut whole = Vec::new();
        for (i, n) in points.iter().enumerate() {
            let p = path("checkpoints").then_index(i);
            if let Tri::Known(v) = d.whole(p.clone(), &Tri::Known(n.clone())) {
                if !(1..=100).contains(&v) {
                    d.error_at(
                        p,
                        "Checkpoint out of range",
                        format!("{v}: give a percentage from 1 to 100."),
                    );
                }
                whole.push(v);
            }
        }
        if whole.windows(2).any(|w| w[0] >= w[1]) {
            d.error_at(
                path("checkpoints"),
                "Checkpoints out of order",
                "Give the percentages strictly ascending, e.g. [10, 50, 100].",
            );
        } else if whole.last().is_some_and(|l| *l != 100) {
            d.error_at(
                path("checkpoints"),
                "Checkpoints stop short",
                "End the list at 100, so that the last step is watched too: e.g. [10, 50, 100].",
            );
        }
    }
    if let Tri::Known(b) = &g.bake_time {
        match bake_seconds(b) {
            Some(s) if s <= MAX_BAKE_SECONDS => {}
            Some(_) => d.error_at(
                path("bake_time"),
                "Bake time too long",
                format!("bake_time = {b:?}: AWS waits at a checkpoint for 48 h at the most."),
            ),
            None => d.error_at(
                path("bake_time"),
                "Not a duration",
                format!("bake_time = {b:?}: give a duration such as \"30s\", \"5m\" or \"1h\"."),
            ),
        }
    }
}

/// The planned block: null stays null (the profile's rollout applies); every unset attribute
/// takes the profile's value, so that the plan shows what the apply does.
pub fn plan(block: &Tri<Given>, env: &Tri<Environment>) -> Tri<Given> {
    let Tri::Known(g) = block else {
        return block.clone();
    };
    // While the environment is unknown, so are the profile's values (the block stays a block).
    let p = env.known().map(|e| profile(*e));
    let or = |v: &Tri<String>, default: Option<String>| match v {
        Tri::Null => default.map_or(Tri::Unknown, Tri::Known),
        v => v.clone(),
    };
    Tri::Known(Given {
        strategy: or(&g.strategy, Some(ROLLING.into())),
        checkpoints: match (&g.checkpoints, &p) {
            (Tri::Null, Some(p)) => {
                Tri::Known(p.checkpoints.iter().map(|c| Number::Int(*c)).collect())
            }
            (Tri::Null, None) => Tri::Unknown,
            (v, _) => v.clone(),
        },
        bake_time: or(&g.bake_time, p.map(|p| bake_text(p.bake_seconds))),
    })
}

/// The rollout apply runs, from a planned (or prior) block and the profile.
pub fn effective(block: &Option<Stated>, env: Environment) -> Rollout {
    let p = profile(env);
    match block {
        None => p,
        Some(b) => Rollout {
            checkpoints: b.checkpoints.clone().unwrap_or(p.checkpoints),
            bake_seconds: b
                .bake_time
                .as_deref()
                .and_then(bake_seconds)
                .unwrap_or(p.bake_seconds),
        },
    }
}

/// The names of the cluster's gate alarms, in a fixed order.
pub fn gate_names(cluster: &str) -> Vec<String> {
    GATES
        .iter()
        .map(|(_, short)| format!("{cluster}-rollout-{short}"))
        .collect()
}

/// The gate alarms' roles in `components`, in the order of [`gate_names`].
pub const GATE_ROLES: [&str; 2] = ["gate_alarm_5xx", "gate_alarm_unhealthy"];

/// Each gate alarm's role in `components` and its name.
pub fn gate_components(cluster: &str) -> Vec<(&'static str, String)> {
    GATE_ROLES.into_iter().zip(gate_names(cluster)).collect()
}

/// The gate alarms: the compute pack's critical 5xx share and unhealthy hosts of this cluster
/// (the same measures and thresholds `prod_alerting` uses), named for the cluster, without
/// actions (the refresh watches them; `prod_alerting` pages).
pub fn gates(
    cluster: &str,
    load_balancer: &str,
    target_group: &str,
    desired: i64,
) -> Vec<PackAlarm> {
    let pack = packs::cluster_pack(&ClusterFacts {
        name: cluster.to_string(),
        load_balancer: load_balancer.to_string(),
        target_group: target_group.to_string(),
        min_size: 0,
        desired_capacity: desired,
        web_acl: None,
        certificate: None,
    });
    GATES
        .iter()
        .zip(gate_names(cluster))
        .filter_map(|((metric, _), name)| {
            pack.iter()
                .find(|a| a.metric == *metric && a.severity == "critical")
                .map(|a| PackAlarm {
                    short: name,
                    ..a.clone()
                })
        })
        .collect()
}

/// A gate alarm's description.
pub fn gate_description(cluster: &str) -> String {
    format!("prod_cluster {cluster}: rollout gate (an instance refresh rolls back while this alarm is in ALARM)")
}

/// Where an instance refresh stands, from its AWS status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Still replacing instances (or waiting at a checkpoint).
    Running,
    Succeeded,
    /// Rolled back (or rolling back, or failed to): the old version serves.
    RolledBack,
    Failed,
    Cancelled,
}

/// The outcome of a refresh in status `status`.
pub fn outcome(status: &str) -> Outcome {
    match status {
        "Successful" => Outcome::Succeeded,
        "RollbackInProgress" | "RollbackSuccessful" | "RollbackFailed" => Outcome::RolledBack,
        "Failed" => Outcome::Failed,
        "Cancelling" | "Cancelled" => Outcome::Cancelled,
        _ => Outcome::Running,
    }
}

/// Whether a refresh in status `status` has ended (a rollback in progress has not).
pub fn ended(status: &str) -> bool {
    matches!(
        status,
        "Successful" | "Failed" | "Cancelled" | "RollbackSuccessful" | "RollbackFailed"
    )
}

/// The gate alarms a refresh's reason names (AWS names the alarms that fired); the reason itself
/// when it names none of them.
pub fn fired(reason: &str, gates: &[String]) -> String {
    let named: Vec<&str> = gates
        .iter()
        .filter(|g| reason.contains(g.as_str()))
        .map(String::as_str)
        .collect();
    if named.is_empty() {
        reason.to_string()
    } else {
        named.join(", ")
    }
}

/// `rollout_status` of a cluster whose newest refresh is in `status` with `reason`:
/// `idle`, `in_progress`, `rolled_back: <alarm>`, `failed: <reason>` or `cancelled`.
pub fn status_text(status: Option<&str>, reason: &str, gates: &[String]) -> String {
    match status.map(outcome) {
        None | Some(Outcome::Succeeded) => IDLE.to_string(),
        Some(Outcome::Running) => "in_progress".to_string(),
        Some(Outcome::RolledBack) => format!("rolled_back: {}", fired(reason, gates)),
        Some(Outcome::Failed) => format!("failed: {}", fired(reason, gates)),
        Some(Outcome::Cancelled) => "cancelled".to_string(),
    }
}

#[cfg(test)]
mod tests;
