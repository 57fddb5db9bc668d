//! Custom alarms: statistics, metric math ids and checks, by named cases.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::types::{Metric, MetricAlarm, MetricDataQuery, MetricStat};

use super::*;
use crate::framework::Number;
use crate::resources::alerting::validate::cases::{self, expect};

#[test]
fn statistics_cloudwatch_accepts() {
    let cases = [
        ("standard", "Average", true),
        ("sample count", "SampleCount", true),
        ("percentile", "p95", true),
        ("percentile with a decimal", "p99.9", true),
        ("percentile with two decimals", "p99.99", true),
        ("percentile 100", "p100", true),
        ("percentile 0", "p0", true),
        ("trimmed mean", "tm99", true),
        ("winsorized mean", "wm90", true),
        ("trimmed count", "tc95", true),
        ("trimmed sum", "ts95", true),
        ("interquartile mean", "IQM", true),
        ("trimmed mean range", "TM(10%:90%)", true),
        ("open range", "WM(:95%)", true),
        ("percentile rank, absolute", "PR(:0.5)", true),
        ("lower case word", "average", false),
        ("percentile over 100", "p101", false),
        ("three decimals", "p99.999", false),
        ("no number", "p", false),
        ("dangling dot", "p99.", false),
        ("upper case short form", "P99", false),
        ("range upside down", "TM(90%:10%)", false),
        ("empty range", "TM(:)", false),
        ("absolute bound where a percentage goes", "TM(10:90)", false),
        ("unknown range kind", "XX(10%:90%)", false),
        ("empty", "", false),
    ];
    for (name, s, ok) in cases {
        assert_eq!(is_statistic(s), ok, "{name}: {s}");
    }
    assert!(!is_extended("Maximum"), "standard ones go as Statistic");
}

#[test]
fn metric_math_ids() {
    let cases = [
        ("short", "m1", true),
        ("word with underscore", "error_count", true),
        ("camel case", "errorsPerMinute", true),
        ("upper case first", "M1", false),
        ("digit first", "1m", false),
        ("hyphen", "m-1", false),
        ("empty", "", false),
    ];
    for (name, id, ok) in cases {
        assert_eq!(is_query_id(id), ok, "{name}: {id}");
    }
}

#[test]
fn ids_an_expression_names() {
    let cases: [(&str, &str, &[&str]); 5] = [
        ("sum", "m1 + m2", &["m1", "m2"]),
        (
            "functions are upper case",
            "100 * (FILL(m1, 0) + FILL(m2, REPEAT)) / m3",
            &["m1", "m2", "m3"],
        ),
        ("numbers are not ids", "errors / 1.5e3 * 60", &["errors"]),
        (
            "quoted text is not an id",
            "IF(m1 > 0, m1, 'none')",
            &["m1"],
        ),
        ("each once", "m1 / m1", &["m1"]),
    ];
    for (name, expr, want) in cases {
        assert_eq!(expression_ids(expr), want, "{name}");
    }
}

fn metric_block(id: &str, statistic: &str) -> Value {
    MetricInput {
        id: id.into(),
        namespace: "AWS/ApplicationELB".into(),
        metric_name: "RequestCount".into(),
        dimensions: None,
        statistic: statistic.into(),
    }
    .encode()
}

/// A single-metric alarm configuration, changed by `f`.
fn alarm(f: impl FnOnce(&mut Alarm)) -> AlarmConfig {
    let mut a = Alarm {
        name: "latency".into(),
        namespace: Some("AWS/ApplicationELB".into()),
        metric_name: Some("TargetResponseTime".into()),
        statistic: Some("p99".into()),
        period: 60,
        evaluation_periods: 5,
        comparison: "GreaterThanThreshold".into(),
        threshold: Number::Int(1),
        severity: "critical".into(),
        treat_missing_data: "missing".into(),
        metric: Value::List(Vec::new()),
        ..Default::default()
    };
    f(&mut a);
    AlarmConfig::decode(&a.encode())
}

/// A metric math alarm over `blocks`.
fn math(expr: &str, blocks: Vec<Value>) -> AlarmConfig {
    alarm(|a| {
        a.namespace = None;
        a.metric_name = None;
        a.statistic = None;
        a.expression = Some(expr.into());
        a.metric = Value::List(blocks);
    })
}

/// The (path, summary) of each error `check` finds.
fn errors(a: &AlarmConfig) -> Vec<(String, String)> {
    let mut d = Diagnostics::new();
    check(&mut d, a, &AttrPath::attr("alarm").then_index(0));
    cases::errors(&d)
}

/// A named alarm block and the error it gets (path, summary), if any.
type Case = (
    &'static str,
    AlarmConfig,
    Option<(&'static str, &'static str)>,
);

#[test]
fn alarm_blocks_are_checked_as_cloudwatch_checks_them() {
    let cases: Vec<Case> = vec![
        ("percentile alarm", alarm(|_| {}), None),
        (
            "unknown statistic",
            alarm(|a| a.statistic = Some("p999".into())),
            Some(("alarm[0].statistic", "Invalid statistic")),
        ),
        (
            "M out of N",
            alarm(|a| a.datapoints_to_alarm = Some(3)),
            None,
        ),
        (
            "more data points than periods",
            alarm(|a| a.datapoints_to_alarm = Some(6)),
            Some((
                "alarm[0].datapoints_to_alarm",
                "Invalid datapoints_to_alarm",
            )),
        ),
        (
            "no data points",
            alarm(|a| a.datapoints_to_alarm = Some(0)),
            Some((
                "alarm[0].datapoints_to_alarm",
                "Invalid datapoints_to_alarm",
            )),
        ),
        ("unit", alarm(|a| a.unit = Some("Seconds".into())), None),
        (
            "unknown unit",
            alarm(|a| a.unit = Some("Hours".into())),
            Some(("alarm[0].unit", "Invalid unit")),
        ),
        (
            "neither metric nor math",
            alarm(|a| a.metric_name = None),
            Some(("alarm[0].metric_name", "Missing metric")),
        ),
        (
            "metric without namespace",
            alarm(|a| a.namespace = None),
            Some(("alarm[0].namespace", "Missing namespace")),
        ),
        (
            "metric blocks without expression",
            alarm(|a| a.metric = Value::List(vec![metric_block("m1", "Sum")])),
            Some(("alarm[0].metric[0]", "Metric block without expression")),
        ),
        (
            "metric math",
            math(
                "100 * errors / requests",
                vec![
                    metric_block("errors", "Sum"),
                    metric_block("requests", "Sum"),
                ],
            ),
            None,
        ),
        (
            "math with a statistic of its own",
            alarm(|a| {
                a.expression = Some("m1".into());
                a.namespace = None;
                a.metric_name = None;
                a.metric = Value::List(vec![metric_block("m1", "Sum")]);
            }),
            Some((
                "alarm[0].statistic",
                "`statistic` does not go with `expression`",
            )),
        ),
        (
            "math without metric blocks",
            math("m1", vec![]),
            Some(("alarm[0].expression", "Metric math needs metric blocks")),
        ),
        (
            "expression names a missing id",
            math("m1 + m2", vec![metric_block("m1", "Sum")]),
            Some(("alarm[0].expression", "Unknown metric id")),
        ),
        (
            "id upper case",
            math("M1", vec![metric_block("M1", "Sum")]),
            Some(("alarm[0].metric[0].id", "Invalid metric id")),
        ),
        (
            "id reserved for the alarm's expression",
            math("expression", vec![metric_block("expression", "Sum")]),
            Some(("alarm[0].metric[0].id", "Invalid metric id")),
        ),
        (
            "duplicate id",
            math(
                "m1",
                vec![metric_block("m1", "Sum"), metric_block("m1", "Sum")],
            ),
            Some(("alarm[0].metric[1].id", "Duplicate metric id")),
        ),
        (
            "metric block statistic",
            math("m1", vec![metric_block("m1", "median")]),
            Some(("alarm[0].metric[0].statistic", "Invalid statistic")),
        ),
        (
            "too many metrics",
            math(
                "m1",
                (1..=11)
                    .map(|i| metric_block(&format!("m{i}"), "Sum"))
                    .collect(),
            ),
            Some(("alarm[0].expression", "Metric math needs metric blocks")),
        ),
    ];
    for (name, cfg, want) in cases {
        let got = errors(&cfg);
        expect(name, &got, want);
    }
}

#[test]
fn diagnostics_say_what_to_write_without_rust_text() {
    let got = {
        let mut d = Diagnostics::new();
        let a = alarm(|a| a.datapoints_to_alarm = Some(9));
        check(&mut d, &a, &AttrPath::attr("alarm").then_index(0));
        d.iter()
            .map(|x| x.detail.clone())
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(got.contains("from 1 to `evaluation_periods` (5)"), "{got}");
    assert!(!got.contains("Some("), "{got}");
}

#[test]
fn math_alarm_reads_back_as_configured() {
    let query = |id: &str| {
        MetricDataQuery::builder()
            .id(id)
            .return_data(false)
            .metric_stat(
                MetricStat::builder()
                    .metric(
                        Metric::builder()
                            .namespace("AWS/ApplicationELB")
                            .metric_name("RequestCount")
                            .build(),
                    )
                    .period(300)
                    .stat("Sum")
                    .build(),
            )
            .build()
    };
    let live = MetricAlarm::builder()
        .metrics(query("m1"))
        .metrics(query("m2"))
        .metrics(
            MetricDataQuery::builder()
                .id(EXPRESSION_ID)
                .expression("m1 / m2")
                .return_data(true)
                .build(),
        )
        .build();
    let (expr, blocks, period) = math_from_aws(&live, None).unwrap();
    assert_eq!((expr.as_str(), period), ("m1 / m2", 300));
    let ids: Vec<String> = elements(&blocks)
        .iter()
        .map(|b| MetricInput::decode(b).id)
        .collect();
    assert_eq!(ids, ["m1", "m2"]);
    assert_eq!(
        MetricInput::decode(&elements(&blocks)[0]).dimensions,
        None::<BTreeMap<_, _>>
    );
    assert!(math_from_aws(&MetricAlarm::builder().build(), None).is_none());
}

#[test]
fn a_block_becomes_the_measure_packs_send() {
    let mut a = Alarm {
        expression: Some("m1 * 2".into()),
        metric: Value::List(vec![metric_block("m1", "p90")]),
        ..Default::default()
    };
    match measure(&a) {
        Measure::Math { id, inputs, .. } => {
            assert_eq!(id, EXPRESSION_ID);
            assert_eq!(inputs[0].statistic, "p90");
        }
        other => panic!("{other:?}"),
    }
    a.expression = None;
    a.metric_name = Some("CPUUtilization".into());
    match measure(&a) {
        Measure::Metric { statistic, .. } => assert_eq!(statistic, DEFAULT_STATISTIC),
        other => panic!("{other:?}"),
    }
}
