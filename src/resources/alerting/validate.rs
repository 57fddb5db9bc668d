//! Static checks of a `prod_alerting` configuration (known values only; unknowns wait for apply).

use std::collections::BTreeSet;

use super::model::{AlarmConfig, Config, NotifyConfig};
use crate::framework::attrs::blocks;
use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Diagnostics, Value};
use crate::provider::profile;
use crate::provider::tags;

use super::schema::{COMPARISONS, MISSING_DATA, PROTOCOLS, SEVERITIES};

/// Longest `name`: `<name>-critical` must fit SNS's 256 and `alias/<name>-alerting` KMS's 256, and
/// alarm names (`<name>-<alarm>`) CloudWatch's 255, with room for the alarm's own name.
pub const MAX_NAME: usize = 64;
pub const MAX_ALARM_NAME: usize = 128;

fn one_of(d: &mut Diagnostics, v: &Tri<String>, path: AttrPath, what: &str, allowed: &[&str]) {
    if let Tri::Known(s) = v {
        if !allowed.contains(&s.as_str()) {
            let list = allowed
                .iter()
                .map(|a| format!("\"{a}\""))
                .collect::<Vec<_>>()
                .join(", ");
            d.error_at(
                path,
                format!("Invalid {what}"),
                format!("{s:?} is not allowed here; use one of {list}."),
            );
        }
    }
}

fn is_name(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn check_name(d: &mut Diagnostics, v: &Tri<String>, path: AttrPath, max: usize) {
    if let Tri::Known(s) = v {
        if s.is_empty() || s.len() > max || !is_name(s) {
            d.error_at(
                path,
                "Invalid name",
                format!("{s:?} must be 1 to {max} characters of letters, digits, hyphens and underscores, because AWS object names derive from it."),
            );
        }
    }
}

/// A list of watched resources' ids: each a valid name of `type_name`, each once.
fn watched_ids(
    ids: &Tri<Vec<Tri<String>>>,
    attr: &str,
    type_name: &str,
    max: usize,
    d: &mut Diagnostics,
) {
    let mut seen = BTreeSet::new();
    let ids = ids.known().map_or(&[][..], Vec::as_slice);
    for (i, c) in ids.iter().enumerate() {
        if let Tri::Known(id) = c {
            let p = AttrPath::attr(attr).then_index(i);
            if id.is_empty()
                || id.len() > max
                || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                d.error_at(
                    p,
                    "Invalid id",
                    format!("{id:?} is not a {type_name} id; pass {type_name}.<name>.id."),
                );
            } else if !seen.insert(id.clone()) {
                d.error_at(
                    p,
                    "Duplicate id",
                    format!("{id} is listed twice in {attr}; list each once."),
                );
            }
        }
    }
}

/// Every static check of a configuration, in attribute order.
pub fn validate(cfg: &Value) -> Diagnostics {
    let cfg = Config::decode(cfg);
    let mut d = Diagnostics::new();
    check_name(&mut d, &cfg.name, AttrPath::attr("name"), MAX_NAME);
    profile::validate_attr(&cfg.environment, &mut d);
    if let Tri::Known(t) = &cfg.tags {
        tags::validate(t, &AttrPath::attr("tags"), &mut d);
    }
    if let Tri::Known(k) = &cfg.kms_key_arn {
        check_kms_key(&mut d, k);
    }

    crate::framework::wait::validate_timeouts(&cfg.timeouts, &mut d);

    watched_ids(&cfg.cluster_ids, "cluster_ids", "prod_cluster", 28, &mut d);
    watched_ids(
        &cfg.database_ids,
        "database_ids",
        "prod_database_ha",
        50,
        &mut d,
    );
    watched_ids(
        &cfg.redis_cluster_ids,
        "redis_cluster_ids",
        "prod_redis_cluster",
        40,
        &mut d,
    );

    let mut seen_notify = BTreeSet::new();
    for (i, n) in blocks(&cfg.notify).iter().enumerate() {
        check_notify(
            &mut d,
            n,
            AttrPath::attr("notify").then_index(i),
            &mut seen_notify,
        );
    }
    super::packs::overrides::validate(&mut d, blocks(&cfg.pack_override));
    let mut seen_alarms = BTreeSet::new();
    for (i, a) in blocks(&cfg.alarm).iter().enumerate() {
        check_alarm(
            &mut d,
            a,
            AttrPath::attr("alarm").then_index(i),
            &mut seen_alarms,
        );
    }
    d
}

/// `kms_key_arn`: a key ARN, a key id or an alias.
fn check_kms_key(d: &mut Diagnostics, k: &str) {
    let looks_like_key = (k.starts_with("arn:") && k.contains(":kms:"))
        || k.starts_with("alias/")
        || (k.len() >= 32
            && k.chars()
                .all(|c| c.is_ascii_hexdigit() || c == '-' || c == 'm' || c == 'r' || c == 'k'));
    if !looks_like_key {
        d.error_at(
            AttrPath::attr("kms_key_arn"),
            "Invalid KMS key",
            format!("{k:?} is not a KMS key ARN, key id or alias; give e.g. \"arn:aws:kms:us-east-1:123456789012:key/…\", or leave it unset and the resource makes its own key."),
        );
    }
}

/// A `notify` block at `p`: severity, protocol, an endpoint of that protocol, and not the same
/// subscription as an earlier block (`seen`).
fn check_notify(
    d: &mut Diagnostics,
    n: &NotifyConfig,
    p: AttrPath,
    seen: &mut BTreeSet<(String, String, String)>,
) {
    one_of(
        d,
        &n.severity,
        p.then_attr("severity"),
        "severity",
        &SEVERITIES,
    );
    one_of(
        d,
        &n.protocol,
        p.then_attr("protocol"),
        "protocol",
        &PROTOCOLS,
    );
    if let (Tri::Known(proto), Tri::Known(ep)) = (&n.protocol, &n.endpoint) {
        if let Some(hint) = endpoint_problem(proto, ep) {
            d.error_at(
                p.then_attr("endpoint"),
                "Invalid endpoint",
                format!("{ep:?} is not a valid {proto} endpoint: {hint}"),
            );
        }
        let sev = n.severity.known().cloned().unwrap_or_default();
        if !seen.insert((sev.clone(), proto.clone(), ep.clone())) {
            d.error_at(p, "Duplicate notify block", format!("{proto} {ep:?} already subscribes to the {sev} topic; remove one of the blocks."));
        }
    }
}

/// An `alarm` block at `p`: its name (unique among the blocks, `seen`), metric, and the values
/// CloudWatch accepts.
fn check_alarm(d: &mut Diagnostics, a: &AlarmConfig, p: AttrPath, seen: &mut BTreeSet<String>) {
    check_name(d, &a.name, p.then_attr("name"), MAX_ALARM_NAME);
    if let Tri::Known(n) = &a.name {
        if !seen.insert(n.clone()) {
            d.error_at(
                p.then_attr("name"),
                "Duplicate alarm name",
                format!("Another alarm block is already named {n:?}; alarm names must be unique."),
            );
        }
        if n.starts_with("rollout-") {
            d.error_at(
                p.then_attr("name"),
                "Reserved alarm name",
                format!("{n:?}: `<name>-rollout-…` is where a prod_cluster of the same name keeps its rollout gates; the two would write one alarm. Name it otherwise (e.g. \"deploy-{}\").", n.trim_start_matches("rollout-")),
            );
        }
    }
    super::custom::check(d, a, &p);
    for (f, v) in [("namespace", &a.namespace), ("metric_name", &a.metric_name)] {
        if let Tri::Known(s) = v {
            if s.is_empty() || s.len() > 255 {
                d.error_at(
                    p.then_attr(f),
                    format!("Invalid {f}"),
                    "Must be 1 to 255 characters.",
                );
            }
        }
    }
    for (attr, what, v, allowed) in [
        (
            "comparison",
            "comparison operator",
            &a.comparison,
            &COMPARISONS[..],
        ),
        ("severity", "severity", &a.severity, &SEVERITIES[..]),
        (
            "treat_missing_data",
            "treat_missing_data",
            &a.treat_missing_data,
            &MISSING_DATA[..],
        ),
    ] {
        one_of(d, v, p.then_attr(attr), what, allowed);
    }
    check_alarm_numbers(d, a, &p);
}

/// An `alarm` block's period, evaluation periods, threshold and dimensions, within CloudWatch's
/// limits.
fn check_alarm_numbers(d: &mut Diagnostics, a: &AlarmConfig, p: &AttrPath) {
    if let Tri::Known(n) = &a.period {
        let ok = n
            .as_i64()
            .is_some_and(|s| s == 10 || s == 30 || (s > 0 && s % 60 == 0 && s <= 86_400));
        if !ok {
            d.error_at(p.then_attr("period"), "Invalid period", format!("{n} seconds is not a CloudWatch period; use 10, 30, or a multiple of 60 up to 86400."));
        }
    }
    if let Tri::Known(n) = &a.evaluation_periods {
        if !n.as_i64().is_some_and(|e| (1..=100).contains(&e)) {
            d.error_at(
                p.then_attr("evaluation_periods"),
                "Invalid evaluation_periods",
                format!("{n}: use a whole number from 1 to 100."),
            );
        }
    }
    if let Tri::Known(n) = &a.threshold {
        if !n.as_f64().is_some_and(f64::is_finite) {
            d.error_at(
                p.then_attr("threshold"),
                "Invalid threshold",
                format!("{n} is not a finite number CloudWatch can store."),
            );
        }
    }
    if let Tri::Known(dims) = &a.dimensions {
        if dims.len() > 30 {
            d.error_at(
                p.then_attr("dimensions"),
                "Too many dimensions",
                "CloudWatch allows at most 30 dimensions per metric.",
            );
        }
    }
}

fn endpoint_problem(protocol: &str, ep: &str) -> Option<&'static str> {
    match protocol {
        "email" => (!(ep.contains('@') && !ep.starts_with('@') && !ep.ends_with('@')))
            .then_some("write an address such as \"oncall@example.com\"."),
        "https" => (!ep.starts_with("https://"))
            .then_some("write an https:// URL (plain http is not allowed)."),
        "sqs" => (!(ep.starts_with("arn:") && ep.contains(":sqs:")))
            .then_some("write the queue's ARN (arn:aws:sqs:…)."),
        "lambda" => (!(ep.starts_with("arn:") && ep.contains(":lambda:")))
            .then_some("write the function's ARN (arn:aws:lambda:…)."),
        "sms" => {
            (!(ep.starts_with('+') && ep.len() > 4 && ep[1..].chars().all(|c| c.is_ascii_digit())))
                .then_some("write an E.164 phone number such as \"+15555550100\".")
        }
        _ => None,
    }
}

/// Test support: the (path, summary) of each diagnostic, and a named table case's check.
#[cfg(test)]
pub mod cases {
    use crate::framework::Diagnostics;

    /// The (path, summary) of each diagnostic.
    pub fn errors(d: &Diagnostics) -> Vec<(String, String)> {
        d.iter()
            .map(|x| {
                let path = x.path.as_ref().map(|p| p.to_string()).unwrap_or_default();
                (path, x.summary.clone())
            })
            .collect()
    }

    /// Case `name` got `got`: nothing when `want` is `None`, else `want`'s (path, summary) among it.
    pub fn expect(name: &str, got: &[(String, String)], want: Option<(&str, &str)>) {
        match want {
            None => assert!(got.is_empty(), "{name}: {got:?}"),
            Some((path, summary)) => assert!(
                got.iter().any(|(p, s)| p == path && s == summary),
                "{name}: want {summary} at {path}, got {got:?}"
            ),
        }
    }
}
