//! The target group's health check as the deployment guides state it: the optional
//! `health_check { path, interval, timeout, healthy_threshold, unhealthy_threshold, matcher }` block,
//! its defaults (the values every cluster had before the block), AWS's limits, the plan of the
//! block, and the read-back that makes a change outside Terraform drift.

use std::collections::BTreeMap;

use crate::framework::decode::{self, Tri};
use crate::framework::{AttrPath, Attribute, Block, Diagnostics, Type, Value};

pub const BLOCK: &str = "health_check";

/// A target group's health check, as the blueprint wants it or AWS reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthCheck {
    pub path: String,
    pub interval: i64,
    pub timeout: i64,
    pub healthy_threshold: i64,
    pub unhealthy_threshold: i64,
    pub matcher: String,
}

impl Default for HealthCheck {
    /// What every cluster's target group had before the block existed.
    fn default() -> HealthCheck {
        HealthCheck {
            path: super::schema::DEFAULT_HEALTH_CHECK_PATH.to_string(),
            interval: 15,
            timeout: 5,
            healthy_threshold: 2,
            unhealthy_threshold: 3,
            matcher: "200-399".to_string(),
        }
    }
}

/// The block's schema: every attribute optional, the plan shows the default of those unset.
pub fn block() -> Block {
    let d = HealthCheck::default();
    Block::new("The target group's HTTP health check. Unset attributes (or no block) take the defaults; a change modifies the target group in place, and a change made outside Terraform is drift, repaired by apply.")
        .attr(Attribute::defaulted("path", Type::String, &format!("Path checked (default `{}`); starts with `/`. Replaces the older `health_check_path` (both set to different paths is refused).", d.path)))
        .attr(Attribute::defaulted("interval", Type::Number, &format!("Seconds between checks, 5 to 300 (default {}).", d.interval)))
        .attr(Attribute::defaulted("timeout", Type::Number, &format!("Seconds without an answer that fail a check, 2 to 120 and below `interval` (default {}).", d.timeout)))
        .attr(Attribute::defaulted("healthy_threshold", Type::Number, &format!("Consecutive successes before an instance is healthy, 2 to 10 (default {}).", d.healthy_threshold)))
        .attr(Attribute::defaulted("unhealthy_threshold", Type::Number, &format!("Consecutive failures before an instance is unhealthy, 2 to 10 (default {}).", d.unhealthy_threshold)))
        .attr(Attribute::defaulted("matcher", Type::String, &format!("HTTP codes that mean healthy, 200 to 499: one (`200`), several (`200,302`) or a range (`200-299`) (default `{}`).", d.matcher)))
}

/// The block as configured or planned: each attribute known, null or unknown.
#[derive(Clone, Debug, PartialEq)]
struct Given {
    path: Tri<String>,
    interval: Tri<i64>,
    timeout: Tri<i64>,
    healthy_threshold: Tri<i64>,
    unhealthy_threshold: Tri<i64>,
    matcher: Tri<String>,
}

fn given(v: &Value) -> Given {
    Given {
        path: decode::string(v.get("path")),
        interval: decode::int(v.get("interval")),
        timeout: decode::int(v.get("timeout")),
        healthy_threshold: decode::int(v.get("healthy_threshold")),
        unhealthy_threshold: decode::int(v.get("unhealthy_threshold")),
        matcher: decode::string(v.get("matcher")),
    }
}

fn path(attr: &str) -> AttrPath {
    AttrPath::attr(BLOCK).then_attr(attr)
}

/// AWS's limits on an ALB target group's HTTP health check, each diagnostic on its attribute.
pub fn validate(block: &Value, legacy_path: &Tri<String>, d: &mut Diagnostics) {
    if block.is_null() || block.is_unknown() {
        return;
    }
    let g = given(block);
    if let (Tri::Known(p), Tri::Known(l)) = (&g.path, legacy_path) {
        if p != l {
            d.error_at(
                path("path"),
                "Two health check paths",
                format!("health_check.path = {p:?} and health_check_path = {l:?}: remove health_check_path (the block's path replaces it)."),
            );
        }
    }
    if let Tri::Known(p) = &g.path {
        if !p.starts_with('/') || p.len() > 1024 {
            d.error_at(
                path("path"),
                "Invalid health check path",
                format!(
                    "{p:?} must start with \"/\" and be at most 1024 characters, e.g. \"/health\"."
                ),
            );
        }
    }
    let ranges = [
        ("interval", &g.interval, 5, 300),
        ("timeout", &g.timeout, 2, 120),
        ("healthy_threshold", &g.healthy_threshold, 2, 10),
        ("unhealthy_threshold", &g.unhealthy_threshold, 2, 10),
    ];
    for (attr, value, lo, hi) in ranges {
        if let Tri::Known(v) = value {
            if !(lo..=hi).contains(v) {
                d.error_at(
                    path(attr),
                    "Health check setting out of range",
                    format!("{attr} = {v}: AWS accepts {lo} to {hi}."),
                );
            }
        }
    }
    let d_ = HealthCheck::default();
    let interval = g.interval.known().copied().unwrap_or(d_.interval);
    if let Tri::Known(t) = &g.timeout {
        if !g.interval.is_unknown() && *t >= interval {
            d.error_at(
                path("timeout"),
                "Health check timeout not below the interval",
                format!("timeout = {t} must be less than interval = {interval}: a check must end before the next starts."),
            );
        }
    }
    if let Tri::Known(m) = &g.matcher {
        if !matcher_ok(m) {
            d.error_at(
                path("matcher"),
                "Invalid health check matcher",
                format!("{m:?}: give HTTP codes from 200 to 499, one (\"200\"), several (\"200,302\") or a range (\"200-299\")."),
            );
        }
    }
}

/// `200`, `200,302` or `200-299`, codes 200 to 499, a range low to high.
pub fn matcher_ok(m: &str) -> bool {
    let code = |s: &str| s.len() == 3 && s.parse::<u16>().is_ok_and(|c| (200..=499).contains(&c));
    match m.split_once('-') {
        Some((lo, hi)) => code(lo) && code(hi) && lo < hi,
        None => !m.is_empty() && m.split(',').all(code),
    }
}

/// The planned block: null stays null (a block is never added by the plan); every unset attribute
/// takes its default, so that a value changed outside Terraform is a diff. `path` falls back to
/// `legacy_path` (the `health_check_path` argument) before the default.
pub fn plan(block: &Value, legacy_path: &Tri<String>) -> Value {
    if block.is_null() || block.is_unknown() {
        return block.clone();
    }
    let d = HealthCheck::default();
    let or_str = |v: &Value, default: Tri<String>| match v {
        Value::Null => match default {
            Tri::Known(s) => Value::string(s),
            Tri::Unknown => Value::unknown(),
            Tri::Null => Value::Null,
        },
        other => other.clone(),
    };
    let or_int = |v: &Value, default: i64| match v {
        Value::Null => Value::int(default),
        other => other.clone(),
    };
    let legacy = match legacy_path {
        Tri::Null => Tri::Known(d.path.clone()),
        other => other.clone(),
    };
    Value::Map(BTreeMap::from([
        ("path".to_string(), or_str(block.get("path"), legacy)),
        (
            "interval".to_string(),
            or_int(block.get("interval"), d.interval),
        ),
        (
            "timeout".to_string(),
            or_int(block.get("timeout"), d.timeout),
        ),
        (
            "healthy_threshold".to_string(),
            or_int(block.get("healthy_threshold"), d.healthy_threshold),
        ),
        (
            "unhealthy_threshold".to_string(),
            or_int(block.get("unhealthy_threshold"), d.unhealthy_threshold),
        ),
        (
            "matcher".to_string(),
            or_str(block.get("matcher"), Tri::Known(d.matcher)),
        ),
    ]))
}

/// The path a configuration asks for: the block's, else `health_check_path`; `Unknown` while it is.
pub fn planned_path(block: &Value, legacy_path: &Tri<String>) -> Tri<String> {
    match decode::string(block.get("path")) {
        Tri::Null => legacy_path.clone(),
        other => other,
    }
}

/// The health check apply converges to, from a planned (or prior) block and `health_check_path`.
pub fn effective(block: &Value, legacy_path: &str) -> HealthCheck {
    let g = given(block);
    let d = HealthCheck::default();
    HealthCheck {
        path: g
            .path
            .into_known()
            .unwrap_or_else(|| legacy_path.to_string()),
        interval: g.interval.into_known().unwrap_or(d.interval),
        timeout: g.timeout.into_known().unwrap_or(d.timeout),
        healthy_threshold: g
            .healthy_threshold
            .into_known()
            .unwrap_or(d.healthy_threshold),
        unhealthy_threshold: g
            .unhealthy_threshold
            .into_known()
            .unwrap_or(d.unhealthy_threshold),
        matcher: g.matcher.into_known().unwrap_or(d.matcher),
    }
}

/// The block in state after a read: what AWS reports where the configuration has a block; null
/// where it has none (then a change outside Terraform shows in posture's `health_check`).
pub fn read_back(prior: &Value, live: &HealthCheck) -> Value {
    if prior.is_null() {
        return Value::Null;
    }
    Value::Map(BTreeMap::from([
        ("path".to_string(), Value::string(live.path.clone())),
        ("interval".to_string(), Value::int(live.interval)),
        ("timeout".to_string(), Value::int(live.timeout)),
        (
            "healthy_threshold".to_string(),
            Value::int(live.healthy_threshold),
        ),
        (
            "unhealthy_threshold".to_string(),
            Value::int(live.unhealthy_threshold),
        ),
        ("matcher".to_string(), Value::string(live.matcher.clone())),
    ]))
}

/// How `live` differs from `want`, for posture's `health_check`; empty when it does not.
pub fn differences(want: &HealthCheck, live: &HealthCheck) -> Vec<String> {
    let mut out = Vec::new();
    let mut cmp = |what: &str, w: String, l: String| {
        if w != l {
            out.push(format!("{what} is {l}, the configuration says {w}"));
        }
    };
    cmp("path", want.path.clone(), live.path.clone());
    cmp(
        "interval",
        want.interval.to_string(),
        live.interval.to_string(),
    );
    cmp(
        "timeout",
        want.timeout.to_string(),
        live.timeout.to_string(),
    );
    let (wh, lh) = (want.healthy_threshold, live.healthy_threshold);
    cmp("healthy_threshold", wh.to_string(), lh.to_string());
    let (wu, lu) = (want.unhealthy_threshold, live.unhealthy_threshold);
    cmp("unhealthy_threshold", wu.to_string(), lu.to_string());
    cmp("matcher", want.matcher.clone(), live.matcher.clone());
    out
}

#[cfg(test)]
mod tests;
