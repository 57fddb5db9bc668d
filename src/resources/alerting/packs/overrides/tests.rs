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
    let cases: [(&str, Vec<PackOverride>, &str, f64); 7] = [
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
            85.0,
        ),
        (
            "a tier no block gives keeps the pack's",
            vec![block(Some("database"), "cpu", Some(60), None)],
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

/// A named set of blocks and the rows they turn around: (block, row), in alarm order.
type TurnCase = (&'static str, Vec<PackOverride>, Vec<(usize, &'static str)>);

#[test]
fn one_tier_overrides_that_turn_the_tiers_around_are_found() {
    // cluster `shop`: cpu 80 / 95, in-service below 4 / below 2; database `shop`: cpu 80 / 90.
    let all: Vec<PackAlarm> = web().into_iter().chain(db()).collect();
    let cases: Vec<TurnCase> = vec![
        (
            "warning inside both packs' critical",
            vec![block(None, "cpu", Some(85), None)],
            vec![],
        ),
        (
            "warning past the database's critical only",
            vec![block(None, "cpu", Some(92), None)],
            vec![(0, "db-shop-cpu")],
        ),
        (
            "warning past both packs' critical",
            vec![block(None, "cpu", Some(96), None)],
            vec![(0, "cluster-shop-cpu"), (0, "db-shop-cpu")],
        ),
        (
            "critical under the pack's warning, scoped",
            vec![block(Some("database"), "cpu", None, Some(70))],
            vec![(0, "db-shop-cpu")],
        ),
        (
            "a falling metric: critical above the pack's warning",
            vec![block(Some("cluster"), "in-service", None, Some(5))],
            vec![(0, "cluster-shop-in-service")],
        ),
        (
            "a falling metric: warning under the pack's critical",
            vec![block(Some("cluster"), "in-service", Some(1), None)],
            vec![(0, "cluster-shop-in-service")],
        ),
        (
            "the block giving the critical tier is named",
            vec![
                block(None, "cpu", Some(70), None),
                block(Some("database"), "cpu", None, Some(60)),
            ],
            vec![(1, "db-shop-cpu")],
        ),
        (
            "both tiers given in order",
            vec![block(None, "cpu", Some(70), Some(85))],
            vec![],
        ),
        ("no override", vec![], vec![]),
    ];
    for (name, blocks, want) in cases {
        let got: Vec<(usize, String)> = inversions(&all, &blocks)
            .into_iter()
            .map(|v| (v.block, v.row))
            .collect();
        let want: Vec<(usize, String)> = want.into_iter().map(|(b, r)| (b, r.into())).collect();
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn pack_tiers_that_meet_are_not_an_inversion() {
    // min_size equal to desired_capacity: in-service's two tiers meet, and no override is involved.
    use crate::resources::alerting::packs::{cluster_pack, ClusterFacts};
    let even = cluster_pack(&ClusterFacts {
        name: "even".into(),
        load_balancer: "app/even/1".into(),
        target_group: "targetgroup/even-tg/1".into(),
        min_size: 2,
        desired_capacity: 2,
        web_acl: None,
        certificate: None,
    });
    assert_eq!(inversions(&even, &[]), vec![]);
    assert_eq!(
        inversions(&even, &[block(None, "cpu", Some(85), None)]),
        vec![]
    );
}

#[test]
fn an_inversion_is_an_error_on_its_block_with_both_thresholds() {
    let all = web();
    let turned = inversions(&all, &[block(None, "cpu", Some(96), None)]);
    let mut d = Diagnostics::new();
    report_inversions(&mut d, &turned);
    let errs = cases::errors(&d);
    assert_eq!(
        errs,
        vec![(
            "pack_override[0].warning".to_string(),
            "Critical before warning".to_string()
        )]
    );
    let detail: String = d.iter().map(|x| x.detail.clone()).collect();
    assert!(
        detail.contains("warning threshold of 96") && detail.contains("critical one of 95"),
        "{detail}"
    );
}
