//! Custom alarms as CloudWatch's own: extended statistics (`p99.9`, `tm99`, `TM(10%:90%)`),
//! metric math (`expression` over `metric` blocks), `datapoints_to_alarm` and `unit`. Pure: the
//! checks an `alarm` block gets, what it asks CloudWatch to watch (the packs' [`Measure`], so
//! both go through one request builder), and the block as `DescribeAlarms` reports it.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_cloudwatch::types::MetricAlarm;

use super::model::{Alarm, AlarmConfig, MetricInput, MetricInputConfig};
use super::packs::{Input, Measure};
use super::schema::{DEFAULT_STATISTIC, EXPRESSION_ID, MAX_METRICS, STATISTICS, UNITS};
use crate::framework::attrs::planned_blocks;
use crate::framework::decode::{elements, Tri};
use crate::framework::{AttrPath, Diagnostics, Value};

/// What a statistic may be, for hints.
pub const STATISTIC_HINT: &str = "use `SampleCount`, `Average`, `Sum`, `Minimum` or `Maximum`, or an extended statistic: `p95`, `p99.9` (percentile), `tm99` (trimmed mean), `wm99` (winsorized mean), `tc99` (trimmed count), `ts99` (trimmed sum), `IQM`, or a range such as `TM(10%:90%)` or `PR(:0.5)`";

/// A number from 0 to 100 with at most two decimals (`99`, `99.9`, `100`).
fn is_percent(s: &str) -> bool {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    let whole_ok = !whole.is_empty() && whole.len() <= 3 && digits(whole);
    let frac_ok = frac.len() <= 2 && digits(frac) && (s.contains('.') != frac.is_empty());
    whole_ok && frac_ok && s.parse::<f64>().is_ok_and(|v| (0.0..=100.0).contains(&v))
}

/// A bound of a range statistic: a percentage (`10%`) or, for `PR`, an absolute value (`0.5`).
fn bound(s: &str, absolute: bool) -> Option<f64> {
    match s.strip_suffix('%') {
        Some(p) if is_percent(p) => p.parse().ok(),
        Some(_) => None,
        None if absolute => s.parse::<f64>().ok().filter(|v| v.is_finite()),
        None => None,
    }
}

/// A range statistic: `TM(10%:90%)`, `WM(:95%)`, `TC(5%:)`, `TS(…)`, `PR(100:2000)`; the lower
/// bound below the upper one, at least one given.
fn is_range(s: &str) -> bool {
    let Some((kind, rest)) = s.split_once('(') else {
        return false;
    };
    let Some(inner) = rest.strip_suffix(')') else {
        return false;
    };
    let absolute = kind == "PR";
    if !(absolute || ["TM", "WM", "TC", "TS"].contains(&kind)) {
        return false;
    }
    let Some((lo, hi)) = inner.split_once(':') else {
        return false;
    };
    let parse = |b: &str| (!b.is_empty()).then(|| bound(b, absolute));
    match (parse(lo), parse(hi)) {
        (None, None) | (Some(None), _) | (_, Some(None)) => false,
        (Some(Some(l)), Some(Some(h))) => l < h,
        _ => true,
    }
}

/// Is `s` one of CloudWatch's extended statistics (sent as `ExtendedStatistic`)?
pub fn is_extended(s: &str) -> bool {
    if s == "IQM" || is_range(s) {
        return true;
    }
    ["p", "tm", "wm", "tc", "ts"]
        .iter()
        .any(|k| s.strip_prefix(k).is_some_and(is_percent))
}

/// Is `s` a statistic CloudWatch accepts on an alarm?
pub fn is_statistic(s: &str) -> bool {
    STATISTICS.contains(&s) || is_extended(s)
}

/// A metric math id: a lowercase letter, then letters, digits and underscores (at most 255).
pub fn is_query_id(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s.len() <= 255
}

/// The ids an expression names: its words that start with a lowercase letter (functions and
/// keywords are upper case: `FILL`, `SUM`, `REPEAT`), outside quoted strings.
pub fn expression_ids(expr: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut chars = expr.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' || c == '\'' {
            for q in chars.by_ref() {
                if q == c {
                    break;
                }
            }
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let mut word = c.to_string();
            let number = c.is_ascii_digit();
            while let Some(n) =
                chars.next_if(|n| n.is_ascii_alphanumeric() || *n == '_' || (number && *n == '.'))
            {
                word.push(n);
            }
            if c.is_ascii_lowercase() && !out.contains(&word) {
                out.push(word);
            }
        }
    }
    out
}

/// One id as users read it in a list.
fn quoted(ids: &[String]) -> String {
    if ids.is_empty() {
        return "none".to_string();
    }
    ids.iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `metric` blocks of a configured alarm.
pub fn metric_configs(a: &AlarmConfig) -> Tri<Vec<MetricInputConfig>> {
    planned_blocks(&a.metric, MetricInputConfig::decode)
}

/// The `metric` blocks of an alarm in state.
pub fn metrics(a: &Alarm) -> Vec<MetricInput> {
    elements(&a.metric)
        .iter()
        .map(MetricInput::decode)
        .collect()
}

/// The checks of an `alarm` block at `p` beyond single values: one metric or metric math, the
/// statistic, the `metric` blocks and their ids, `datapoints_to_alarm` and `unit`.
pub fn check(d: &mut Diagnostics, a: &AlarmConfig, p: &AttrPath) {
    if let Tri::Known(s) = &a.statistic {
        if !is_statistic(s) {
            d.error_at(
                p.then_attr("statistic"),
                "Invalid statistic",
                format!("\"{s}\" is not a CloudWatch statistic; {STATISTIC_HINT}."),
            );
        }
    }
    if let Tri::Known(u) = &a.unit {
        if !UNITS.contains(&u.as_str()) {
            d.error_at(
                p.then_attr("unit"),
                "Invalid unit",
                format!(
                    "\"{u}\" is not a CloudWatch unit; use one of {}.",
                    UNITS.join(", ")
                ),
            );
        }
    }
    check_datapoints(d, a, p);
    match &a.expression {
        Tri::Known(expr) => check_math(d, a, expr, p),
        Tri::Null => check_single_metric(d, a, p),
        Tri::Unknown => {}
    }
}

/// `datapoints_to_alarm`: from 1 to the evaluation periods (5 when unset).
fn check_datapoints(d: &mut Diagnostics, a: &AlarmConfig, p: &AttrPath) {
    let Tri::Known(n) = &a.datapoints_to_alarm else {
        return;
    };
    let periods = match &a.evaluation_periods {
        Tri::Known(e) => e.as_i64(),
        Tri::Null => Some(super::schema::DEFAULT_EVALUATION_PERIODS),
        Tri::Unknown => None,
    };
    let Some(periods) = periods else {
        return;
    };
    if !n.as_i64().is_some_and(|v| (1..=periods).contains(&v)) {
        d.error_at(
            p.then_attr("datapoints_to_alarm"),
            "Invalid datapoints_to_alarm",
            format!("{n} breaching data points cannot be found in {periods} evaluation periods; use a whole number from 1 to `evaluation_periods` ({periods}), or raise `evaluation_periods`."),
        );
    }
}

/// An alarm on one metric: `metric_name` and `namespace` set, no `metric` blocks.
fn check_single_metric(d: &mut Diagnostics, a: &AlarmConfig, p: &AttrPath) {
    if a.metric_name.is_null() {
        d.error_at(
            p.then_attr("metric_name"),
            "Missing metric",
            "An alarm watches one metric or metric math: set `namespace` and `metric_name`, or `expression` with `metric` blocks.",
        );
    } else if a.namespace.is_null() {
        d.error_at(
            p.then_attr("namespace"),
            "Missing namespace",
            "`metric_name` needs its `namespace`, e.g. \"AWS/EC2\".",
        );
    }
    if matches!(&a.metric, Value::List(l) if !l.is_empty()) {
        d.error_at(
            p.then_attr("metric").then_index(0),
            "Metric block without expression",
            "`metric` blocks are the inputs of `expression`: set `expression` (e.g. \"m1 + m2\") and remove `metric_name`, or remove the `metric` blocks.",
        );
    }
}

/// An alarm on metric math: no single-metric arguments; `metric` blocks with valid, distinct ids,
/// each id the expression names among them.
fn check_math(d: &mut Diagnostics, a: &AlarmConfig, expr: &str, p: &AttrPath) {
    for (attr, set) in [
        ("namespace", !a.namespace.is_null()),
        ("metric_name", !a.metric_name.is_null()),
        ("dimensions", !a.dimensions.is_null()),
        ("statistic", !a.statistic.is_null()),
        ("unit", !a.unit.is_null()),
    ] {
        if set {
            d.error_at(
                p.then_attr(attr),
                format!("`{attr}` does not go with `expression`"),
                format!("An alarm on metric math takes its metrics from the `metric` blocks: move `{attr}` into them (units follow the metrics), or remove `expression`."),
            );
        }
    }
    if expr.trim().is_empty() || expr.len() > 2048 {
        d.error_at(
            p.then_attr("expression"),
            "Invalid expression",
            "Write 1 to 2048 characters of metric math, e.g. \"100 * errors / requests\".",
        );
    }
    let Tri::Known(blocks) = metric_configs(a) else {
        return;
    };
    if blocks.is_empty() || blocks.len() > MAX_METRICS {
        d.error_at(
            p.then_attr("expression"),
            "Metric math needs metric blocks",
            format!("`expression` names its inputs by id: add 1 to {MAX_METRICS} `metric` blocks (`id`, `namespace`, `metric_name`, `statistic`)."),
        );
    }
    let ids = check_metric_blocks(d, &blocks, p);
    if blocks.iter().any(|b| b.id.known().is_none()) {
        return;
    }
    for id in expression_ids(expr) {
        if !ids.contains(&id) {
            d.error_at(
                p.then_attr("expression"),
                "Unknown metric id",
                format!("`{id}` names no `metric` block; the ids are {}. Add a `metric` block with `id = \"{id}\"` or fix the expression.", quoted(&ids)),
            );
        }
    }
}

/// Each `metric` block's id (valid, not reserved, once) and statistic; returns the ids known.
fn check_metric_blocks(
    d: &mut Diagnostics,
    blocks: &[MetricInputConfig],
    p: &AttrPath,
) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut ids = Vec::new();
    for (j, b) in blocks.iter().enumerate() {
        let bp = p.then_attr("metric").then_index(j);
        if let Tri::Known(id) = &b.id {
            if !is_query_id(id) || id == EXPRESSION_ID {
                d.error_at(
                    bp.then_attr("id"),
                    "Invalid metric id",
                    format!("\"{id}\" cannot name a metric: start with a lowercase letter, then letters, digits and underscores (e.g. \"m1\", \"errors\"); \"{EXPRESSION_ID}\" is the alarm's own."),
                );
            } else if !seen.insert(id.clone()) {
                d.error_at(
                    bp.then_attr("id"),
                    "Duplicate metric id",
                    format!("Another `metric` block is already \"{id}\"; give each its own id."),
                );
            }
            ids.push(id.clone());
        }
        if let Tri::Known(s) = &b.statistic {
            if !is_statistic(s) {
                d.error_at(
                    bp.then_attr("statistic"),
                    "Invalid statistic",
                    format!("\"{s}\" is not a CloudWatch statistic; {STATISTIC_HINT}."),
                );
            }
        }
    }
    ids
}

/// What an alarm block asks CloudWatch to watch: its metric math, or its one metric.
pub fn measure(a: &Alarm) -> Measure {
    match &a.expression {
        Some(expression) => Measure::Math {
            id: EXPRESSION_ID.to_string(),
            label: None,
            expression: expression.clone(),
            inputs: metrics(a)
                .into_iter()
                .map(|m| Input {
                    id: m.id,
                    namespace: m.namespace,
                    metric: m.metric_name,
                    dimensions: m.dimensions.unwrap_or_default(),
                    statistic: m.statistic,
                })
                .collect(),
        },
        None => Measure::Metric {
            namespace: a.namespace.clone().unwrap_or_default(),
            metric: a.metric_name.clone().unwrap_or_default(),
            dimensions: a.dimensions.clone().unwrap_or_default(),
            statistic: a
                .statistic
                .clone()
                .unwrap_or_else(|| DEFAULT_STATISTIC.to_string()),
        },
    }
}

/// Dimensions as AWS reports them; empty ones read as unset unless the block had a map.
fn dims_of(
    d: &[aws_sdk_cloudwatch::types::Dimension],
    had: bool,
) -> Option<BTreeMap<String, String>> {
    let m: BTreeMap<String, String> = d
        .iter()
        .map(|x| {
            (
                x.name.clone().unwrap_or_default(),
                x.value.clone().unwrap_or_default(),
            )
        })
        .collect();
    (had || !m.is_empty()).then_some(m)
}

/// The metric math of a live alarm: the returned expression, the `metric` blocks (in AWS's order)
/// and their period; `None` for an alarm on one metric. `prior` says which blocks had a
/// dimensions map.
pub fn math_from_aws(m: &MetricAlarm, prior: Option<&Alarm>) -> Option<(String, Value, i64)> {
    let queries = m.metrics.as_deref().filter(|q| !q.is_empty())?;
    let had_dims: Vec<String> = prior
        .map(metrics)
        .unwrap_or_default()
        .into_iter()
        .filter(|b| b.dimensions.is_some())
        .map(|b| b.id)
        .collect();
    let mut expression = String::new();
    let mut period = 0;
    let mut blocks = Vec::new();
    for q in queries {
        let id = q.id.clone().unwrap_or_default();
        match (&q.expression, &q.metric_stat) {
            (Some(e), _) if q.return_data != Some(false) => expression = e.clone(),
            (_, Some(stat)) => {
                let metric = stat.metric.as_ref();
                period = stat.period.map_or(period, i64::from);
                blocks.push(
                    MetricInput {
                        namespace: metric.and_then(|x| x.namespace.clone()).unwrap_or_default(),
                        metric_name: metric
                            .and_then(|x| x.metric_name.clone())
                            .unwrap_or_default(),
                        dimensions: dims_of(
                            metric
                                .and_then(|x| x.dimensions.as_deref())
                                .unwrap_or_default(),
                            had_dims.contains(&id),
                        ),
                        statistic: stat.stat.clone().unwrap_or_default(),
                        id,
                    }
                    .encode(),
                );
            }
            _ => {}
        }
    }
    Some((expression, Value::List(blocks), period))
}

#[cfg(test)]
mod tests;
