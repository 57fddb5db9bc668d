//! The `prod_alerting` schema.

use super::model::State;
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
pub const MISSING_DATA: [&str; 4] = ["breaching", "notBreaching", "ignore", "missing"];

pub const DEFAULT_STATISTIC: &str = "Average";
pub const DEFAULT_PERIOD: i64 = 60;
pub const DEFAULT_EVALUATION_PERIODS: i64 = 5;
pub const DEFAULT_MISSING_DATA: &str = "missing";
/// Alerting objects are made in seconds; the limit guards against an endpoint that hangs.
pub const DEFAULT_TIMEOUT: &str = "10m";

pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block::new(
            "Alerting for a production stack: a KMS-encrypted SNS topic per severity (`critical`, `warning`), subscriptions, and CloudWatch alarms routed to them.",
        )
        .attr(Attribute::computed("id", Type::String, "Same as `name`."))
        .attrs(State::attributes())
        .list_blocks(State::blocks())
        .single_block("timeouts", crate::framework::schema::timeouts_block(DEFAULT_TIMEOUT)),
    }
}
