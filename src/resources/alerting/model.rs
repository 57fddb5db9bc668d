//! The `prod_alerting` attributes and blocks, declared once: schema, typed state and typed
//! configuration.

use std::collections::BTreeMap;

use crate::framework::attrs::{PartialList, PartialMap, PartialMaps};
use crate::framework::Number;

use super::schema::{DEFAULT_EVALUATION_PERIODS, DEFAULT_MISSING_DATA, DEFAULT_PERIOD};

crate::attributes! {
    /// A `notify` block: a subscription to the topic of one severity.
    pub struct Notify;
    /// A `notify` block as configured.
    pub struct NotifyConfig;
    fields {
        severity: String = required("`critical` or `warning`: the topic this subscription listens to."),
        protocol: String = required("`email`, `https`, `sqs`, `lambda` or `sms`."),
        endpoint: String = required("Where notifications go: an address, an https:// URL, a queue or function ARN, or an E.164 phone number. An unconfirmed email subscription is not drift."),
    }
}

crate::attributes! {
    /// A `metric` block of an alarm: one input of its metric math `expression`.
    pub struct MetricInput;
    /// A `metric` block as configured.
    pub struct MetricInputConfig;
    fields {
        id: String = required("The name `expression` uses for this metric: a lowercase letter, then letters, digits and underscores (`m1`, `errors`)."),
        namespace: String = required("Metric namespace, e.g. `AWS/ApplicationELB`."),
        metric_name: String = required("Metric name, e.g. `RequestCount`."),
        dimensions: Option<BTreeMap<String, String>> = optional("Metric dimensions."),
        statistic: String = required("`SampleCount`, `Average`, `Sum`, `Minimum`, `Maximum`, or an extended statistic such as `p99` or `tm90`, over the alarm's `period`."),
    }
}

crate::attributes! {
    /// An `alarm` block; unset optional arguments read as their defaults.
    pub struct Alarm;
    /// An `alarm` block as configured.
    pub struct AlarmConfig;
    fields {
        name: String = required("Alarm name within this resource; the AWS name is `<name>-<alarm name>`. Names starting `rollout-` are refused: a `prod_cluster` of the same name keeps its rollout gates there."),
        namespace: Option<String> = optional("Metric namespace, e.g. `AWS/RDS`; with `metric_name`, not with `expression`."),
        metric_name: Option<String> = optional("Metric name, e.g. `CPUUtilization`. An alarm watches either one metric (`metric_name`) or metric math (`expression`)."),
        dimensions: Option<BTreeMap<String, String>> = optional("Metric dimensions (with `metric_name`)."),
        statistic: Option<String> = defaulted("With `metric_name`: `SampleCount`, `Average` (default), `Sum`, `Minimum`, `Maximum`, or an extended statistic: a percentile `p0`–`p100` (`p95`, `p99.9`), a trimmed mean `tm99`, a winsorized mean `wm99`, a trimmed count `tc99` or a trimmed sum `ts99`, or a range such as `TM(10%:90%)`. Unset with `expression` (each `metric` block has its own)."),
        expression: Option<String> = optional("Metric math over the `metric` blocks' ids, e.g. `100 * errors / requests`; the alarm watches its result. Each id must name a `metric` block."),
        period: i64 = defaulted("Seconds per evaluation period: 10, 30 or a multiple of 60 (default 60); with `expression`, the period of every `metric` block.") or DEFAULT_PERIOD,
        evaluation_periods: i64 = defaulted("Periods evaluated before the alarm fires (default 5).") or DEFAULT_EVALUATION_PERIODS,
        datapoints_to_alarm: Option<i64> = optional("Breaching data points within the last `evaluation_periods` that fire the alarm (\"M out of N\"); from 1 to `evaluation_periods`. Unset: all of them."),
        unit: Option<String> = optional("The metric's unit, when it is published in several (e.g. `Seconds`, `Percent`, `Count`); CloudWatch's standard units. With `metric_name` only."),
        comparison: String = required("CloudWatch's comparison operator, e.g. `GreaterThanThreshold`."),
        threshold: Number = required("The threshold; changing it updates the alarm in place."),
        severity: String = required("`critical` or `warning`: which topic is notified."),
        treat_missing_data: String = defaulted("`breaching`, `notBreaching`, `ignore` or `missing` (default).") or DEFAULT_MISSING_DATA.to_string(),
    }
    raw { metric }
}

crate::attributes! {
    /// A `pack_override` block: the thresholds of one metric of the packs.
    pub struct PackOverride;
    /// A `pack_override` block as configured.
    pub struct PackOverrideConfig;
    fields {
        metric: String = required("The pack metric, as alarm names show it: compute `5xx-share`, `unhealthy-hosts`, `p99-latency`, `in-service`, `cpu`; database `cpu`, `free-storage`, `freeable-memory`, `connections`, `write-latency`, `replica-lag` (every replica); Redis `cpu`, `memory`, `evictions`, `connections`, `lag`."),
        kind: Option<String> = optional("`cluster`, `database` or `redis`: the pack this override is for. Unset: every pack with this metric (`cpu` is in all three, `connections` in database and Redis); a block with `kind` wins over one without for its pack, tier by tier: a tier it leaves unset comes from the block without `kind`, else from the pack."),
        warning: Option<Number> = optional("The warning tier's threshold, in the metric's CloudWatch unit (percent, bytes, seconds, count). Unset: the pack's."),
        critical: Option<Number> = optional("The critical tier's threshold, in the same unit. Unset: the pack's. Must lie beyond `warning` in the metric's direction (above it for metrics that alarm when high; below for `free-storage`, `freeable-memory`, `in-service`); a block giving one tier must keep it beyond (or before) the pack's other tier, checked at plan when `watch` is known then, otherwise at apply before any alarm changes."),
    }
}

crate::attributes! {
    resource "prod_alerting";
    common {
        tags = "Tags for every AWS object of this resource.",
        components = "Every AWS object this resource owns: role → identifier (`event_subscription_<database>`: an RDS event subscription's ARN; `notification_<group>`: a Redis group whose events go to the critical topic).",
        posture as PartialMap = "Security controls (SNS.1, SNS.4, CloudWatch.15, CloudWatch.17, KMS.4, alarms, dashboard, events: the watched data stores' events reach the critical topic) → `pass` or `fail: <reason>`, from what AWS reports.",
    }
    fields {
        name: String = required("Name of this alerting set; AWS names derive from it. Changing it replaces the resource."),
        kms_key_arn: Option<String> = defaulted("KMS key for the topics. Unset, the resource makes its own customer-managed key with rotation, whose policy lets CloudWatch publish to the encrypted topics."),
        critical_topic_arn: Option<String> = computed("ARN of the `<name>-critical` topic."),
        warning_topic_arn: Option<String> = computed("ARN of the `<name>-warning` topic."),
        watch: Option<Vec<BTreeMap<String, String>>> as PartialMaps = optional("The resources to watch with their alarm packs: the `watch` attribute of each, e.g. `[prod_cluster.web.watch, prod_database_ha.main.watch, prod_redis_cluster.cache.watch]`. Thresholds come from these values alone, which follow each resource's configuration: a change to a watched resource moves its alarms in the same apply, and a change made outside Terraform never does (an alarm changed outside Terraform is drift that apply repairs). The packs are those of `cluster_ids`, `database_ids` and `redis_cluster_ids`, which this replaces. A watched database's events (failover, failure, low storage, maintenance, recovery; for Aurora failover, failure, maintenance) reach the critical topic through an RDS event subscription `<name>-db-<database>`, and a watched Redis group's ElastiCache events (failover, node replaced and the others) through its notification topic; both are read back and repaired (posture `events`), and undone on destroy. ElastiCache keeps one notification topic per group: watch a Redis group from one `prod_alerting` only."),
        cluster_ids: Option<Vec<String>> as PartialList = optional("Deprecated: use `watch` (this keeps working for one release, with a warning; the two may not watch the same resource). `prod_cluster` ids to watch with the compute alarm pack: per cluster, in a warning and a critical tier, the 5xx share of requests, unhealthy hosts, p99 response time, in-service instances and group CPU, named `<name>-cluster-<cluster>-<metric>-<tier>`. Thresholds follow the cluster's configured minimum and desired capacity."),
        database_ids: Option<Vec<String>> as PartialList = optional("Deprecated: use `watch`. `prod_database_ha` ids to watch with the database alarm pack: per database, in a warning and a critical tier, CPU, free storage (share of the configured allocation), freeable memory, connections (share of the configured `max_connections`, else of the engine's default maximum for the instance class), write latency, and each replica's lag, named `<name>-db-<database>-<metric>-<tier>` (replica lag: `<name>-db-<database>-replica-<n>-lag-<tier>`)."),
        redis_cluster_ids: Option<Vec<String>> as PartialList = optional("Deprecated: use `watch`. `prod_redis_cluster` ids to watch with the Redis alarm pack: per node, in a warning and a critical tier, engine CPU, memory use, evictions, connections (share of `maxclients` 65000) and replication lag, named `<name>-redis-<node>-<metric>-<tier>` (nodes are the group's `member_clusters`, e.g. `sessions-001`)."),
        dashboard: bool = defaulted("Make the CloudWatch dashboard `<name>` (default `true`): an alarm-status widget of every alarm this resource owns, then a row per watched resource with a graph per pack metric, its warning and critical thresholds drawn as horizontal lines. A hand edit of the dashboard is drift that apply repairs; `false` deletes it.") or true,
        dashboard_url: Option<String> = computed("The console address of the dashboard; null when `dashboard = false`."),
        alarm_names: Vec<String> = computed("AWS names of the alarms: the `alarm` blocks' in block order, then the packs'."),
    }
    blocks {
        notify: Notify / NotifyConfig = list("A subscription to the topic of one severity."),
        alarm: Alarm / AlarmConfig = list("A CloudWatch metric alarm routed to its severity's topic (alarm and OK actions)."),
        pack_override: PackOverride / PackOverrideConfig = list("Thresholds of one pack metric in place of the pack's (e.g. `metric = \"cpu\"`, `warning = 70`, `critical = 85`); the alarms are updated in place."),
    }
    raw { timeouts }
}

crate::resource_state!(State);

impl State {
    /// The ARN of the topic of `severity` (`critical` or `warning`).
    pub fn topic_arn(&self, severity: &str) -> Option<&str> {
        match severity {
            "critical" => self.critical_topic_arn.as_deref(),
            _ => self.warning_topic_arn.as_deref(),
        }
    }
    /// Sets the ARN of the topic of `severity` (`critical` or `warning`).
    pub fn set_topic_arn(&mut self, severity: &str, arn: Option<String>) {
        match severity {
            "critical" => self.critical_topic_arn = arn,
            _ => self.warning_topic_arn = arn,
        }
    }
}
