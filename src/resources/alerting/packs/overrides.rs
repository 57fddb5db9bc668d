//! `pack_override` blocks: a metric's warning and critical thresholds in place of the pack's.
//! Pure: which metrics each pack has and which way each alarms (the checks), and the packs'
//! alarms with the overrides applied (used by apply and by read, so both want the same alarms).
//!
//! Metric names collide across packs (`cpu` in all three, `connections` in database and Redis):
//! a block without `kind` applies to every pack with the metric, one with `kind` to that pack
//! only, and wins there over one without.

use std::collections::BTreeSet;

use super::PackAlarm;
use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Diagnostics};
use crate::resources::alerting::model::{PackOverride, PackOverrideConfig};

/// Which way a metric alarms: when it rises above its thresholds, or falls below them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Direction {
    Above,
    Below,
}

/// Each pack (`kind`), with its metrics and their directions, as `pack_override` names them.
pub const PACKS: [(&str, &[(&str, Direction)]); 3] = [
    (
        "cluster",
        &[
            ("5xx-share", Direction::Above),
            ("unhealthy-hosts", Direction::Above),
            ("p99-latency", Direction::Above),
            ("in-service", Direction::Below),
            ("cpu", Direction::Above),
        ],
    ),
    (
        "database",
        &[
            ("cpu", Direction::Above),
            ("free-storage", Direction::Below),
            ("freeable-memory", Direction::Below),
            ("connections", Direction::Above),
            ("write-latency", Direction::Above),
            ("replica-lag", Direction::Above),
        ],
    ),
    (
        "redis",
        &[
            ("cpu", Direction::Above),
            ("memory", Direction::Above),
            ("evictions", Direction::Above),
            ("connections", Direction::Above),
            ("lag", Direction::Above),
        ],
    ),
];

/// The metrics of `kind` (every pack's when `None`), each once, in table order.
pub fn metrics(kind: Option<&str>) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for (k, rows) in PACKS {
        if kind.is_none_or(|want| want == k) {
            for (m, _) in rows {
                if !out.contains(m) {
                    out.push(m);
                }
            }
        }
    }
    out
}

/// The direction of `metric` in `kind`'s pack (any pack's when `None`: they agree).
pub fn direction(kind: Option<&str>, metric: &str) -> Option<Direction> {
    PACKS
        .iter()
        .filter(|(k, _)| kind.is_none_or(|want| want == *k))
        .flat_map(|(_, rows)| rows.iter())
        .find(|(m, _)| *m == metric)
        .map(|(_, d)| *d)
}

/// The metric an alarm of a pack overrides under: its row, every replica's lag as one.
fn override_metric(alarm_metric: &str) -> &str {
    match alarm_metric.strip_prefix("replica-") {
        Some(rest) if rest.ends_with("-lag") => "replica-lag",
        _ => alarm_metric,
    }
}

/// The block that sets `a`'s threshold, with the threshold: a block scoped to its pack that gives
/// the alarm's tier, else an unscoped one that does.
fn source(a: &PackAlarm, overrides: &[PackOverride]) -> Option<(usize, f64)> {
    let metric = override_metric(&a.metric);
    let critical = a.severity == "critical";
    let gives = |scoped: bool| {
        overrides.iter().enumerate().find_map(|(i, o)| {
            let matches = o.metric == metric
                && match &o.kind {
                    Some(k) => scoped && *k == a.kind,
                    None => !scoped,
                };
            let t = if critical { &o.critical } else { &o.warning };
            match (matches, t.as_ref().and_then(|n| n.as_f64())) {
                (true, Some(t)) => Some((i, t)),
                _ => None,
            }
        })
    };
    gives(true).or_else(|| gives(false))
}

/// The packs' alarms with `overrides` applied, tier by tier: the alarm's tier from a block scoped to
/// its pack, else from an unscoped block, else the pack's own threshold.
pub fn apply(alarms: Vec<PackAlarm>, overrides: &[PackOverride]) -> Vec<PackAlarm> {
    alarms
        .into_iter()
        .map(|mut a| {
            if let Some((_, t)) = source(&a, overrides) {
                a.threshold = t;
            }
            a
        })
        .collect()
}

/// An alarm row whose tiers an override turned around: its critical threshold no longer lies
/// beyond its warning one (a block giving one tier, against the pack's other).
#[derive(Clone, Debug, PartialEq)]
pub struct Inversion {
    /// The `pack_override` block that set one of the two thresholds, and which (`warning` or
    /// `critical`): the diagnostic points at it.
    pub block: usize,
    pub tier: &'static str,
    /// The alarms' name without the tier, e.g. `db-shop-cpu`.
    pub row: String,
    pub warning: f64,
    pub critical: f64,
    pub direction: Direction,
}

/// The rows of `alarms` (the packs' own, before `apply`) whose tiers `overrides` would turn around.
/// A row the overrides leave alone is never one, even where the pack's tiers meet (in-service
/// with `min_size` equal to `desired_capacity`).
pub fn inversions(alarms: &[PackAlarm], overrides: &[PackOverride]) -> Vec<Inversion> {
    let mut out = Vec::new();
    for w in alarms.iter().filter(|a| a.severity == "warning") {
        let Some(row) = w.short.strip_suffix("-warning") else {
            continue;
        };
        let Some(c) = alarms
            .iter()
            .find(|c| c.severity == "critical" && c.short == format!("{row}-critical"))
        else {
            continue;
        };
        let (ws, cs) = (source(w, overrides), source(c, overrides));
        let Some((block, tier)) = cs
            .map(|(i, _)| (i, "critical"))
            .or(ws.map(|(i, _)| (i, "warning")))
        else {
            continue;
        };
        let warning = ws.map_or(w.threshold, |(_, t)| t);
        let critical = cs.map_or(c.threshold, |(_, t)| t);
        let direction = if w.comparison.starts_with("Less") {
            Direction::Below
        } else {
            Direction::Above
        };
        let turned = match direction {
            Direction::Above => critical < warning,
            Direction::Below => critical > warning,
        };
        if turned {
            out.push(Inversion {
                block,
                tier,
                row: row.to_string(),
                warning,
                critical,
                direction,
            });
        }
    }
    out
}

/// Reports the [`inversions`] of `alarms` under `overrides`; true when there was one.
pub fn refused(d: &mut Diagnostics, alarms: &[PackAlarm], overrides: &[PackOverride]) -> bool {
    let turned = inversions(alarms, overrides);
    report_inversions(d, &turned);
    !turned.is_empty()
}

/// Each inversion as an error on the block that made it, with the fix.
pub fn report_inversions(d: &mut Diagnostics, inversions: &[Inversion]) {
    for v in inversions {
        let way = match v.direction {
            Direction::Above => "above",
            Direction::Below => "below",
        };
        d.error_at(
            AttrPath::attr("pack_override")
                .then_index(v.block)
                .then_attr(v.tier),
            "Critical before warning",
            format!(
                "With this override the alarms `{}` would have a warning threshold of {} and a critical one of {}, but this metric alarms when it goes {way} its thresholds, so critical must lie {way} warning. Give both `warning` and `critical` in this block, or move the one it gives.",
                v.row, v.warning, v.critical
            ),
        );
    }
}

/// Every check of the `pack_override` blocks: a known pack, a metric it has (the hint lists
/// them), at least one tier, the tiers in the metric's direction, each (kind, metric) once.
pub fn validate(d: &mut Diagnostics, blocks: &[PackOverrideConfig]) {
    let mut seen = BTreeSet::new();
    for (i, o) in blocks.iter().enumerate() {
        let p = AttrPath::attr("pack_override").then_index(i);
        let kind = match &o.kind {
            Tri::Known(k) if !PACKS.iter().any(|(name, _)| name == k) => {
                d.error_at(
                    p.then_attr("kind"),
                    "Invalid pack kind",
                    format!("\"{k}\" is not a pack; use \"cluster\", \"database\" or \"redis\", or leave `kind` unset for every pack with the metric."),
                );
                continue;
            }
            Tri::Known(k) => Some(k.as_str()),
            Tri::Null => None,
            Tri::Unknown => continue,
        };
        let Tri::Known(metric) = &o.metric else {
            continue;
        };
        let Some(dir) = direction(kind, metric) else {
            let within = kind.map_or("any pack".to_string(), |k| format!("the {k} pack"));
            d.error_at(
                p.then_attr("metric"),
                "Unknown pack metric",
                format!(
                    "\"{metric}\" is not a metric of {within}; use one of {}.",
                    metrics(kind).join(", ")
                ),
            );
            continue;
        };
        if !seen.insert((kind.map(str::to_string), metric.clone())) {
            d.error_at(
                p.clone(),
                "Duplicate pack_override",
                format!(
                    "Another block already overrides \"{metric}\"{}; merge them into one.",
                    kind.map_or(String::new(), |k| format!(" of the {k} pack"))
                ),
            );
        }
        check_tiers(d, o, dir, &p);
    }
}

/// At least one tier; both finite; critical beyond warning in `dir`.
fn check_tiers(d: &mut Diagnostics, o: &PackOverrideConfig, dir: Direction, p: &AttrPath) {
    if o.warning.is_null() && o.critical.is_null() {
        d.error_at(
            p.clone(),
            "Nothing to override",
            "Give `warning`, `critical` or both; without them the pack's thresholds stand.",
        );
        return;
    }
    let value = |t: &Tri<crate::framework::Number>| t.known().and_then(|n| n.as_f64());
    for (attr, t) in [("warning", &o.warning), ("critical", &o.critical)] {
        if let Tri::Known(n) = t {
            if !n.as_f64().is_some_and(f64::is_finite) {
                d.error_at(
                    p.then_attr(attr),
                    "Invalid threshold",
                    format!("{n} is not a finite number CloudWatch can store."),
                );
            }
        }
    }
    let (Some(w), Some(c)) = (value(&o.warning), value(&o.critical)) else {
        return;
    };
    let (ordered, way) = match dir {
        Direction::Above => (c > w, "above"),
        Direction::Below => (c < w, "below"),
    };
    if !ordered {
        d.error_at(
            p.then_attr("critical"),
            "Critical before warning",
            format!("This metric alarms when it goes {way} its thresholds, so the critical one ({c}) must lie {way} the warning one ({w}); swap them or move one."),
        );
    }
}

#[cfg(test)]
mod tests;
