//! The `prod_alerting` schema.

use super::model::{MetricInput, State};
use crate::framework::{Attribute, Block, Schema, Type};

pub const TYPE_NAME: &str = "prod_alerting";

pub const SEVERITIES: [&str; 2] = ["critical", "warning"];
pub const PROTOCOLS: [&str; 5] = ["email", "https", "sqs", "lambda", "sms"];
pub const STATISTICS: [&str; 5] = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"];
pub const COMPARISONS: [&str; 4] = [
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
];
/// CloudWatch's standard units (an alarm's `unit`).
pub const UNITS: [&str; 27] = [
    "Seconds",
    "Microseconds",
    "Milliseconds",
    "Bytes",
    "Kilobytes",
    "Megabytes",
    "Gigabytes",
    "Terabytes",
    "Bits",
    "Kilobits",
    "Megabits",
    "Gigabits",
    "Terabits",
    "Percent",
    "Count",
    "Bytes/Second",
    "Kilobytes/Second",
    "Megabytes/Second",
    "Gigabytes/Second",
    "Terabytes/Second",
    "Bits/Second",
    "Kilobits/Second",
    "Megabits/Second",
    "Gigabits/Second",
    "Terabits/Second",
    "Count/Second",
    "None",
];
/// The id of the query an alarm's `expression` becomes (the one whose data the alarm watches);
/// a `metric` block may not take it.
pub const EXPRESSION_ID: &str = "expression";
/// Most metrics one alarm's metric math may name (CloudWatch's limit on an alarm's queries, less
/// the expression itself).
pub const MAX_METRICS: usize = 10;
pub const MISSING_DATA: [&str; 4] = ["breaching", "notBreaching", "ignore", "missing"];

pub const DEFAULT_STATISTIC: &str = "Average";
pub const DEFAULT_PERIOD: i64 = 60;
pub const DEFAULT_EVALUATION_PERIODS: i64 = 5;
pub const DEFAULT_MISSING_DATA: &str = "missing";
/// Alerting objects are made in seconds; the limit guards against an endpoint that hangs.
pub const DEFAULT_TIMEOUT: &str = "10m";

/// The `alarm` block holds the `metric` blocks of its metric math (the declaration macro gives a
/// block's attributes only, so they are added here).
fn with_metric_block((name, block): (&'static str, Block)) -> (&'static str, Block) {
    if name != "alarm" {
        return (name, block);
    }
    let metric = Block::new("One metric that the alarm's `expression` names by `id` (up to 10).")
        .attrs(MetricInput::attributes());
    (name, block.list_block("metric", metric))
}

pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block::new(
            "Alerting for a production stack: a KMS-encrypted SNS topic per severity (`critical`, `warning`), subscriptions, and CloudWatch alarms routed to them.",
        )
        .attr(Attribute::computed("id", Type::String, "Same as `name`."))
        .attrs(State::attributes())
        .list_blocks(State::blocks().into_iter().map(with_metric_block))
        .single_block("timeouts", crate::framework::schema::timeouts_block(DEFAULT_TIMEOUT)),
    }
}
