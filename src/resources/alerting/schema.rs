//! The `prod_alerting` schema.

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
    let notify = Block::new("A subscription to the topic of one severity.")
        .attr(Attribute::required("severity", Type::String, "`critical` or `warning`: the topic this subscription listens to."))
        .attr(Attribute::required("protocol", Type::String, "`email`, `https`, `sqs`, `lambda` or `sms`."))
        .attr(Attribute::required(
            "endpoint",
            Type::String,
            "Where notifications go: an address, an https:// URL, a queue or function ARN, or an E.164 phone number. An unconfirmed email subscription is not drift.",
        ));
    let alarm = Block::new(
        "A CloudWatch metric alarm routed to its severity's topic (alarm and OK actions).",
    )
    .attr(Attribute::required(
        "name",
        Type::String,
        "Alarm name within this resource; the AWS name is `<name>-<alarm name>`.",
    ))
    .attr(Attribute::required(
        "namespace",
        Type::String,
        "Metric namespace, e.g. `AWS/RDS`.",
    ))
    .attr(Attribute::required(
        "metric_name",
        Type::String,
        "Metric name, e.g. `CPUUtilization`.",
    ))
    .attr(Attribute::optional(
        "dimensions",
        Type::map(Type::String),
        "Metric dimensions.",
    ))
    .attr(Attribute::defaulted(
        "statistic",
        Type::String,
        "`SampleCount`, `Average` (default), `Sum`, `Minimum` or `Maximum`.",
    ))
    .attr(Attribute::defaulted(
        "period",
        Type::Number,
        "Seconds per evaluation period: 10, 30 or a multiple of 60 (default 60).",
    ))
    .attr(Attribute::defaulted(
        "evaluation_periods",
        Type::Number,
        "Periods that must breach before the alarm fires (default 5).",
    ))
    .attr(Attribute::required(
        "comparison",
        Type::String,
        "CloudWatch's comparison operator, e.g. `GreaterThanThreshold`.",
    ))
    .attr(Attribute::required(
        "threshold",
        Type::Number,
        "The threshold; changing it updates the alarm in place.",
    ))
    .attr(Attribute::required(
        "severity",
        Type::String,
        "`critical` or `warning`: which topic is notified.",
    ))
    .attr(Attribute::defaulted(
        "treat_missing_data",
        Type::String,
        "`breaching`, `notBreaching`, `ignore` or `missing` (default).",
    ));
    Schema {
        version: 0,
        block: Block::new(
            "Alerting for a production stack: a KMS-encrypted SNS topic per severity (`critical`, `warning`), subscriptions, and CloudWatch alarms routed to them.",
        )
        .attr(Attribute::computed("id", Type::String, "Same as `name`."))
        .attr(Attribute::required(
            "name",
            Type::String,
            "Name of this alerting set; AWS names derive from it. Changing it replaces the resource.",
        ))
        .attr(Attribute::defaulted(
            "environment",
            Type::String,
            "Environment profile: `development`, `staging` or `production`. Defaults to the provider's.",
        ))
        .attr(Attribute::optional("tags", Type::map(Type::String), "Tags for every AWS object of this resource."))
        .attr(Attribute::computed("tags_all", Type::map(Type::String), "Effective tags: provider `default_tags`, `tags`, and the provider's `prod:*` tags."))
        .attr(Attribute::defaulted(
            "kms_key_arn",
            Type::String,
            "KMS key for the topics. Unset, the resource makes its own customer-managed key with rotation, whose policy lets CloudWatch publish to the encrypted topics.",
        ))
        .attr(Attribute::computed("critical_topic_arn", Type::String, "ARN of the `<name>-critical` topic."))
        .attr(Attribute::computed("warning_topic_arn", Type::String, "ARN of the `<name>-warning` topic."))
        .attr(Attribute::optional("cluster_ids", Type::list(Type::String), "`prod_cluster` ids to watch with the compute alarm pack: per cluster, in a warning and a critical tier, the 5xx share of requests, unhealthy hosts, p99 response time, in-service instances and group CPU, named `<name>-cluster-<cluster>-<metric>-<tier>`. Thresholds follow the cluster's configured minimum and desired capacity."))
        .attr(Attribute::optional("database_ids", Type::list(Type::String), "`prod_database_ha` ids to watch with the database alarm pack: per database, in a warning and a critical tier, CPU, free storage (share of the configured allocation), freeable memory, connections (share of the configured `max_connections`, else of the engine's default maximum for the instance class), write latency, and each replica's lag, named `<name>-db-<database>-<metric>-<tier>` (replica lag: `<name>-db-<database>-replica-<n>-lag-<tier>`)."))
        .attr(Attribute::optional("redis_cluster_ids", Type::list(Type::String), "`prod_redis_cluster` ids to watch with the Redis alarm pack: per node, in a warning and a critical tier, engine CPU, memory use, evictions, connections (share of `maxclients` 65000) and replication lag, named `<name>-redis-<node>-<metric>-<tier>` (nodes are the group's `member_clusters`, e.g. `sessions-001`)."))
        .attr(Attribute::computed("alarm_names", Type::list(Type::String), "AWS names of the alarms: the `alarm` blocks' in block order, then the packs'."))
        .attr(Attribute::computed("components", Type::map(Type::String), "Every AWS object this resource owns: role → identifier."))
        .attr(Attribute::computed(
            "posture",
            Type::map(Type::String),
            "Security controls (SNS.1, SNS.4, CloudWatch.15, CloudWatch.17, KMS.4, alarms) → `pass` or `fail: <reason>`, from what AWS reports.",
        ))
        .list_block("notify", notify)
        .list_block("alarm", alarm)
        .single_block("timeouts", crate::framework::schema::timeouts_block(DEFAULT_TIMEOUT)),
    }
}
