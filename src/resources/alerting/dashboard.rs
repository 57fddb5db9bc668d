//! The CloudWatch dashboard `<name>`: an alarm-status widget of every alarm the resource owns,
//! then one row per watched resource with a graph per pack metric, its warning and critical
//! thresholds drawn as horizontal annotations. Pure: the body is a function of the alarms and
//! the packs, so apply puts it and read compares it (a hand edit is drift).

pub mod aws;

use serde_json::{json, Value as Json};

use super::packs::{Measure, PackAlarm};
use crate::provider::aws::{partition, Place};

/// Component role of the dashboard.
pub const ROLE: &str = "dashboard";
/// Widgets per row (CloudWatch's grid is 24 units wide).
const WIDTH: i64 = 6;
const HEIGHT: i64 = 6;
/// Alarms one alarm-status widget may show (CloudWatch's limit).
const ALARMS_PER_WIDGET: usize = 100;

/// The dashboard's ARN (dashboards are global: no region).
pub fn arn(place: &Place, name: &str) -> String {
    format!(
        "arn:{}:cloudwatch::{}:dashboard/{name}",
        partition(&place.region),
        place.account
    )
}

/// The console address of the dashboard, on its partition's console (China and GovCloud regions
/// have their own).
pub fn url(region: &str, name: &str) -> String {
    let console = match partition(region) {
        "aws-cn" => "console.amazonaws.cn",
        "aws-us-gov" => "console.amazonaws-us-gov.com",
        _ => "console.aws.amazon.com",
    };
    format!("https://{region}.{console}/cloudwatch/home?region={region}#dashboards:name={name}")
}

/// A pack alarm's graph key: its name without the tier (`cluster-web-cpu`).
fn graph_key(a: &PackAlarm) -> &str {
    a.short
        .strip_suffix(&format!("-{}", a.severity))
        .unwrap_or(&a.short)
}

/// The metrics of a graph: one metric with its statistic, or the math and its inputs.
fn graph_metrics(m: &Measure) -> Json {
    let metric = |ns: &str, name: &str, dims: &std::collections::BTreeMap<String, String>| {
        let mut row = vec![json!(ns), json!(name)];
        for (k, v) in dims {
            row.push(json!(k));
            row.push(json!(v));
        }
        row
    };
    match m {
        Measure::Metric {
            namespace,
            metric: name,
            dimensions,
            statistic,
        } => {
            let mut row = metric(namespace, name, dimensions);
            row.push(json!({ "stat": statistic }));
            json!([row])
        }
        Measure::Math {
            id,
            expression,
            inputs,
            ..
        } => {
            let mut rows = vec![json!([{ "expression": expression, "id": id, "label": id }])];
            for i in inputs {
                let mut row = metric(&i.namespace, &i.metric, &i.dimensions);
                row.push(json!({ "stat": i.statistic, "id": i.id, "visible": false }));
                rows.push(json!(row));
            }
            json!(rows)
        }
    }
}

/// One graph of a pack metric, with the thresholds of its tiers.
fn graph(key: &str, tiers: &[&PackAlarm], region: &str, x: i64, y: i64) -> Option<Json> {
    let first = tiers.first()?;
    let measure = &first.measure;
    let annotations: Vec<Json> = tiers
        .iter()
        .map(|a| {
            let color = if a.severity == "critical" {
                "#d62728"
            } else {
                "#ff7f0e"
            };
            json!({ "label": a.severity, "value": a.threshold, "color": color })
        })
        .collect();
    Some(json!({
        "type": "metric",
        "x": x, "y": y, "width": WIDTH, "height": HEIGHT,
        "properties": {
            "title": key,
            "region": region,
            "view": "timeSeries",
            "period": first.period,
            "metrics": graph_metrics(measure),
            "annotations": { "horizontal": annotations }
        }
    }))
}

/// The dashboard body: alarm status first, then a row per watched resource (pack and target, in
/// the packs' order), a graph per metric in the pack's order.
pub fn body(region: &str, alarm_arns: &[String], packs: &[PackAlarm]) -> String {
    let mut arns = alarm_arns.to_vec();
    arns.sort();
    let mut widgets: Vec<Json> = Vec::new();
    let mut y = 0;
    for chunk in arns.chunks(ALARMS_PER_WIDGET) {
        widgets.push(json!({
            "type": "alarm",
            "x": 0, "y": y, "width": 24, "height": HEIGHT,
            "properties": { "title": "Alarms", "alarms": chunk, "sortBy": "stateUpdatedTimestamp" }
        }));
        y += HEIGHT;
    }
    let mut resources: Vec<(&str, &str)> = Vec::new();
    for a in packs {
        if !resources.contains(&(a.kind.as_str(), a.target.as_str())) {
            resources.push((&a.kind, &a.target));
        }
    }
    for (kind, target) in resources {
        let mut keys: Vec<&str> = Vec::new();
        for a in packs
            .iter()
            .filter(|a| a.kind == kind && a.target == target)
        {
            if !keys.contains(&graph_key(a)) {
                keys.push(graph_key(a));
            }
        }
        let per_row = 24 / WIDTH;
        for (i, key) in keys.iter().enumerate() {
            let tiers: Vec<&PackAlarm> = packs.iter().filter(|a| graph_key(a) == *key).collect();
            let (col, row) = (i as i64 % per_row, i as i64 / per_row);
            widgets.extend(graph(key, &tiers, region, col * WIDTH, y + row * HEIGHT));
        }
        y += (keys.len() as i64 + per_row - 1) / per_row * HEIGHT;
    }
    json!({ "widgets": widgets }).to_string()
}

/// Is the live body the wanted one (as JSON, whatever its spacing)?
pub fn same_body(live: &str, want: &str) -> bool {
    match (
        serde_json::from_str::<Json>(live),
        serde_json::from_str::<Json>(want),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => live == want,
    }
}

#[cfg(test)]
mod tests;
