//! `pack_override`: checks and application, by named cases.

use super::*;
use crate::framework::{Number, Value};
use crate::resources::alerting::packs::fixtures;
use crate::resources::alerting::validate::cases::{self, expect};

fn block(
    kind: Option<&str>,
    metric: &str,
    warning: Option<i64>,
    critical: Option<i64>,
) -> PackOverride {
    PackOverride {
        metric: metric.into(),
        kind: kind.map(str::to_string),
        warning: warning.map(Number::Int),
        critical: critical.map(Number::Int),
    }
}

fn config(b: PackOverride) -> PackOverrideConfig {
    PackOverrideConfig::decode(&b.encode())
}

/// The (path, summary) of the errors the blocks get.
fn errors(blocks: Vec<PackOverride>) -> Vec<(String, String)> {
    let cfgs: Vec<PackOverrideConfig> = blocks.into_iter().map(config).collect();
    let mut d = Diagnostics::new();
    validate(&mut d, &cfgs);
    cases::errors(&d)
}

/// A named set of blocks and the error the last gets (path, summary), if any.
type Case = (
    &'static str,
    Vec<PackOverride>,
    Option<(&'static str, &'static str)>,
);

#[test]
fn overrides_are_checked_per_metric_and_direction() {
    let cases: Vec<Case> = vec![
        (
            "cpu everywhere",
            vec![block(None, "cpu", Some(70), Some(85))],
            None,
        ),
        (
            "one tier",
            vec![block(Some("database"), "connections", None, Some(90))],
            None,
        ),
        (
            "below metric",
            vec![block(Some("database"), "free-storage", Some(20), Some(10))],
            None,
        ),
        (
            "every replica's lag",
            vec![block(None, "replica-lag", Some(10), Some(60))],
            None,
        ),
        (
            "scoped and unscoped of one metric",
            vec![
                block(None, "cpu", Some(70), Some(85)),
                block(Some("redis"), "cpu", Some(60), Some(75)),
            ],
            None,
        ),
        (
            "unknown metric",
            vec![block(None, "disk", Some(70), Some(85))],
            Some(("pack_override[0].metric", "Unknown pack metric")),
        ),
        (
            "metric of another pack",
            vec![block(Some("redis"), "free-storage", Some(20), Some(10))],
            Some(("pack_override[0].metric", "Unknown pack metric")),
        ),
        (
            "unknown kind",
            vec![block(Some("queue"), "cpu", Some(70), Some(85))],
            Some(("pack_override[0].kind", "Invalid pack kind")),
        ),
        (
            "critical under warning for a rising metric",
            vec![block(None, "cpu", Some(90), Some(85))],
            Some(("pack_override[0].critical", "Critical before warning")),
        ),
        (
            "equal tiers",
            vec![block(None, "cpu", Some(85), Some(85))],
            Some(("pack_override[0].critical", "Critical before warning")),
        ),
        (
            "critical over warning for a falling metric",
            vec![block(Some("cluster"), "in-service", Some(1), Some(2))],
            Some(("pack_override[0].critical", "Critical before warning")),
        ),
        (
            "no tier",
            vec![block(None, "cpu", None, None)],
            Some(("pack_override[0]", "Nothing to override")),
        ),
        (
            "twice",
            vec![
                block(None, "cpu", Some(70), None),
                block(None, "cpu", None, Some(85)),
            ],
            Some(("pack_override[1]", "Duplicate pack_override")),
        ),
    ];
    for (name, blocks, want) in cases {
        let got = errors(blocks);
        expect(name, &got, want);
    }
}

#[test]
fn an_unknown_metric_lists_the_valid_ones() {
    let cfgs = [config(block(Some("redis"), "disk", Some(1), Some(2)))];
    let mut d = Diagnostics::new();
    validate(&mut d, &cfgs);
    let detail = &d.iter().next().unwrap().detail;
    assert!(
        detail.contains("the redis pack; use one of cpu, memory, evictions, connections, lag."),
        "{detail}"
    );
    // Unknowns wait for apply.
    let unknown = PackOverrideConfig::decode(&Value::Map(
        [("metric".to_string(), Value::unknown())].into(),
    ));
    let mut d = Diagnostics::new();
    validate(&mut d, &[unknown]);
    assert!(!d.has_errors());
}

fn web() -> Vec<PackAlarm> {
    fixtures::shop_cluster()
}

fn db() -> Vec<PackAlarm> {
    fixtures::shop_database(&["shop-r1", "shop-r2"])
}

fn threshold(alarms: &[PackAlarm], short: &str) -> f64 {
    alarms.iter().find(|a| a.short == short).unwrap().threshold
}

#[test]
fn overrides_move_the_alarms_of_their_metric() {
    let all: Vec<PackAlarm> = web().into_iter().chain(db()).collect();
    let cases: [(&str, Vec<PackOverride>, &str, f64); 6] = [
        (
            "unscoped cpu: the cluster's",
            vec![block(None, "cpu", Some(70), Some(85))],
            "cluster-shop-cpu-warning",
            70.0,
        ),
        (
            "unscoped cpu: the database's too",
            vec![block(None, "cpu", Some(70), Some(85))],
            "db-shop-cpu-critical",
            85.0,
        ),
        (
            "scoped wins for its pack",
            vec![
                block(None, "cpu", Some(70), Some(85)),
                block(Some("database"), "cpu", Some(60), None),
            ],
            "db-shop-cpu-warning",
            60.0,
        ),
        (
            "the unscoped one still sets the other tier",
            vec![
                block(None, "cpu", Some(70), Some(85)),
                block(Some("database"), "cpu", Some(60), None),
            ],
            "db-shop-cpu-critical",
            90.0,
        ),
        (
            "replica lag: every replica",
            vec![block(None, "replica-lag", None, Some(60))],
            "db-shop-replica-2-lag-critical",
            60.0,
        ),
        (
            "another metric stays",
            vec![block(None, "cpu", Some(70), Some(85))],
            "db-shop-connections-warning",
            80.0,
        ),
    ];
    for (name, overrides, short, want) in cases {
        assert_eq!(
            threshold(&apply(all.clone(), &overrides), short),
            want,
            "{name}"
        );
    }
    assert_eq!(
        apply(all.clone(), &[]),
        all,
        "no override: the packs as they are"
    );
}
