//! The dashboard body, by named cases.

use super::*;
use crate::resources::alerting::packs::fixtures;

fn web() -> Vec<PackAlarm> {
    fixtures::shop_cluster()
}

fn db() -> Vec<PackAlarm> {
    fixtures::shop_database(&["shop-r1"])
}

fn widgets(body: &str) -> Vec<Json> {
    let v: Json = serde_json::from_str(body).unwrap();
    v["widgets"].as_array().unwrap().clone()
}

fn titled<'a>(w: &'a [Json], title: &str) -> &'a Json {
    w.iter()
        .find(|w| w["properties"]["title"] == title)
        .unwrap_or_else(|| panic!("no widget {title}"))
}

#[test]
fn one_row_per_watched_resource_with_thresholds_as_lines() {
    let packs: Vec<PackAlarm> = web().into_iter().chain(db()).collect();
    let arns = vec!["arn:b".to_string(), "arn:a".to_string()];
    let w = widgets(&body("us-east-1", &arns, &packs));
    // Alarm status, then the cluster's 7 graphs (2 rows of 4) and the database's 6 (2 rows).
    assert_eq!(w.len(), 1 + 7 + 6);
    assert_eq!(w[0]["type"], "alarm");
    assert_eq!(
        w[0]["properties"]["alarms"],
        json!(["arn:a", "arn:b"]),
        "sorted"
    );
    let cases = [
        (
            "cluster cpu, the fifth graph",
            "cluster-shop-cpu",
            80.0,
            95.0,
            12,
        ),
        ("database cpu, the next row", "db-shop-cpu", 80.0, 90.0, 18),
        ("replica lag", "db-shop-replica-1-lag", 30.0, 300.0, 24),
    ];
    for (name, title, warning, critical, y) in cases {
        let g = titled(&w, title);
        let lines = &g["properties"]["annotations"]["horizontal"];
        assert_eq!(lines[0]["label"], "warning", "{name}");
        assert_eq!(lines[0]["value"], warning, "{name}");
        assert_eq!(lines[1]["value"], critical, "{name}");
        assert_eq!(g["y"], y, "{name}");
    }
    let share = titled(&w, "cluster-shop-5xx-share");
    assert_eq!(
        share["properties"]["metrics"][0][0]["expression"],
        "100 * (FILL(m1, 0) + FILL(m2, 0)) / m3",
        "metric math graphs its expression"
    );
    let latency = titled(&w, "cluster-shop-p99-latency");
    assert_eq!(latency["properties"]["metrics"][0][4]["stat"], "p99");
}

#[test]
fn many_alarms_take_several_status_widgets_and_no_packs_none_of_graphs() {
    let arns: Vec<String> = (0..150).map(|i| format!("arn:{i:03}")).collect();
    let w = widgets(&body("eu-west-1", &arns, &[]));
    assert_eq!(w.len(), 2);
    assert_eq!(w[1]["y"], HEIGHT);
}

#[test]
fn bodies_compare_as_json() {
    let cases = [
        ("same", r#"{"widgets":[]}"#, r#"{"widgets":[]}"#, true),
        ("spacing", "{ \"widgets\": [] }", r#"{"widgets":[]}"#, true),
        (
            "edited",
            r#"{"widgets":[{"type":"text"}]}"#,
            r#"{"widgets":[]}"#,
            false,
        ),
        ("not json", "x", r#"{"widgets":[]}"#, false),
    ];
    for (name, live, want, same) in cases {
        assert_eq!(same_body(live, want), same, "{name}");
    }
}

#[test]
fn address_and_arn() {
    let place = Place {
        region: "eu-west-1".into(),
        account: "123456789012".into(),
    };
    assert_eq!(
        arn(&place, "ops"),
        "arn:aws:cloudwatch::123456789012:dashboard/ops"
    );
    assert_eq!(
        url("eu-west-1", "ops"),
        "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=ops"
    );
    assert_eq!(
        url("cn-north-1", "ops"),
        "https://cn-north-1.console.amazonaws.cn/cloudwatch/home?region=cn-north-1#dashboards:name=ops"
    );
    assert_eq!(
        url("us-gov-west-1", "ops"),
        "https://us-gov-west-1.console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#dashboards:name=ops"
    );
}
