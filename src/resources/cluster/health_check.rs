//! The target group's health check as the deployment guides state it: the optional
//! `health_check { path, interval, timeout, healthy_threshold, unhealthy_threshold, matcher }` block,
//! its defaults (the values every cluster had before the block), AWS's limits, the plan of the
//! block, and the read-back that makes a change outside Terraform drift.

use crate::framework::attrs::configured_or;
use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Diagnostics, Number};

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

crate::attributes! {
    /// The block in state: every attribute as planned or read back (`None`: null).
    pub struct Stated;
    /// The block as configured or planned: each attribute known, null or unknown.
    pub struct Given;
    fields {
        path: Option<String> = defaulted(&format!("Path checked (default `{}`); starts with `/`. Replaces the older `health_check_path` (both set to different paths is refused).", HealthCheck::default().path)),
        interval: Option<i64> = defaulted(&format!("Seconds between checks, 5 to 300 (default {}).", HealthCheck::default().interval)),
        timeout: Option<i64> = defaulted(&format!("Seconds without an answer that fail a check, 2 to 120 and below `interval` (default {}).", HealthCheck::default().timeout)),
        healthy_threshold: Option<i64> = defaulted(&format!("Consecutive successes before an instance is healthy, 2 to 10 (default {}).", HealthCheck::default().healthy_threshold)),
        unhealthy_threshold: Option<i64> = defaulted(&format!("Consecutive failures before an instance is unhealthy, 2 to 10 (default {}).", HealthCheck::default().unhealthy_threshold)),
        matcher: Option<String> = defaulted(&format!("HTTP codes that mean healthy, 200 to 499: one (`200`), several (`200,302`) or a range (`200-299`) (default `{}`).", HealthCheck::default().matcher)),
    }
}

/// The block's description in the schema: every attribute optional, the plan shows the default
/// of those unset.
pub const DESCRIPTION: &str = "The target group's HTTP health check. Unset attributes (or no block) take the defaults; a change modifies the target group in place, and a change made outside Terraform is drift, repaired by apply.";

fn path(attr: &str) -> AttrPath {
    AttrPath::attr(BLOCK).then_attr(attr)
}

/// AWS's limits on an ALB target group's HTTP health check, each diagnostic on its attribute.
pub fn validate(block: &Tri<Given>, legacy_path: &Tri<String>, d: &mut Diagnostics) {
    let Tri::Known(g) = block else {
        return;
    };
    let (interval, timeout) = (g.interval.whole(), g.timeout.whole());
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
        ("interval", &interval, 5, 300),
        ("timeout", &timeout, 2, 120),
        ("healthy_threshold", &g.healthy_threshold.whole(), 2, 10),
        ("unhealthy_threshold", &g.unhealthy_threshold.whole(), 2, 10),
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
    let known_interval = interval.known().copied().unwrap_or(d_.interval);
    if let Tri::Known(t) = &timeout {
        if !interval.is_unknown() && *t >= known_interval {
            d.error_at(
                path("timeout"),
                "Health check timeout not below the interval",
                format!("timeout = {t} must be less than interval = {known_interval}: a check must end before the next starts."),
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
pub fn plan(block: &Tri<Given>, legacy_path: &Tri<String>) -> Tri<Given> {
    let Tri::Known(g) = block else {
        return block.clone();
    };
    let d = HealthCheck::default();
    let or_int = |v: &Tri<Number>, default: i64| configured_or(v, Tri::Known(Number::Int(default)));
    let legacy = match legacy_path {
        Tri::Null => Tri::Known(d.path.clone()),
        other => other.clone(),
    };
    Tri::Known(Given {
        path: configured_or(&g.path, legacy),
        interval: or_int(&g.interval, d.interval),
        timeout: or_int(&g.timeout, d.timeout),
        healthy_threshold: or_int(&g.healthy_threshold, d.healthy_threshold),
        unhealthy_threshold: or_int(&g.unhealthy_threshold, d.unhealthy_threshold),
        matcher: configured_or(&g.matcher, Tri::Known(d.matcher)),
    })
}

/// The path a configuration asks for: the block's, else `health_check_path`; `Unknown` while it is.
pub fn planned_path(block: &Tri<Given>, legacy_path: &Tri<String>) -> Tri<String> {
    match block.known().map_or(Tri::Null, |g| g.path.clone()) {
        Tri::Null => legacy_path.clone(),
        other => other,
    }
}

/// The health check apply converges to, from a planned (or prior) block and `health_check_path`.
pub fn effective(block: &Option<Stated>, legacy_path: &str) -> HealthCheck {
    let d = HealthCheck::default();
    let Some(b) = block else {
        return HealthCheck {
            path: legacy_path.to_string(),
            ..d
        };
    };
    HealthCheck {
        path: b.path.clone().unwrap_or_else(|| legacy_path.to_string()),
        interval: b.interval.unwrap_or(d.interval),
        timeout: b.timeout.unwrap_or(d.timeout),
        healthy_threshold: b.healthy_threshold.unwrap_or(d.healthy_threshold),
        unhealthy_threshold: b.unhealthy_threshold.unwrap_or(d.unhealthy_threshold),
        matcher: b.matcher.clone().unwrap_or(d.matcher),
    }
}

/// The block in state after a read: what AWS reports where the configuration has a block; none
/// where it has none (then a change outside Terraform shows in posture's `health_check`).
pub fn read_back(prior: &Option<Stated>, live: &HealthCheck) -> Option<Stated> {
    prior.as_ref().map(|_| Stated {
        path: Some(live.path.clone()),
        interval: Some(live.interval),
        timeout: Some(live.timeout),
        healthy_threshold: Some(live.healthy_threshold),
        unhealthy_threshold: Some(live.unhealthy_threshold),
        matcher: Some(live.matcher.clone()),
    })
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
