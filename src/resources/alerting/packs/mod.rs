//! Alarm packs: the alarms `prod_alerting` makes for the resources it watches (`watch`), in a
//! warning and a critical tier, with thresholds derived only from configured values (the cluster's
//! pinned minimum and its configured desired capacity), never from values AWS manages.
//!
//! Names: `<alerting name>-<kind>-<target name>-<metric>-<tier>`, kind `cluster`, `db` or `redis`.
//! This module holds the tables and thresholds (pure); `aws` looks the watched resources up and puts
//! the alarms.

mod aws;
pub mod overrides;

pub use aws::{
    alarm_request, all_database_facts, cluster_facts, database_facts, measured, put, wanted,
};

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::types::MetricAlarm;

pub const CLUSTER_METRICS: [&str; 9] = [
    "5xx-share",
    "unhealthy-hosts",
    "p99-latency",
    "in-service",
    "cpu",
    "memory",
    "disk",
    "blocked-requests",
    "certificate-expiry",
];
/// The compute pack's rows that need the edge keys of a watch map (the web ACL, the certificate).
pub const EDGE_METRICS: [&str; 2] = ["blocked-requests", "certificate-expiry"];
pub const TIERS: [&str; 2] = ["warning", "critical"];
pub const PERIOD: i32 = 60;
/// ACM publishes `DaysToExpiry` once a day.
pub const DAY: i32 = 86_400;

/// Alarm names of a cluster's pack, without the alerting prefix, in a fixed order (`edge`: with
/// the web ACL's `blocked-requests` and the listener certificate's `certificate-expiry`, which a
/// watch map from before them and the deprecated `cluster_ids` do not give).
pub fn cluster_shorts(cluster: &str, edge: bool) -> Vec<String> {
    CLUSTER_METRICS
        .iter()
        .filter(|m| edge || !EDGE_METRICS.contains(m))
        .flat_map(|m| {
            TIERS
                .iter()
                .map(move |t| format!("cluster-{cluster}-{m}-{t}"))
        })
        .collect()
}

/// What the pack needs to know of a cluster.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterFacts {
    pub name: String,
    /// The `LoadBalancer` dimension: `app/<name>/<id>`.
    pub load_balancer: String,
    /// The `TargetGroup` dimension: `targetgroup/<name>-tg/<id>`.
    pub target_group: String,
    pub min_size: i64,
    pub desired_capacity: i64,
    /// The web ACL in front of the load balancer (`None`: a watch map from before it had one).
    pub web_acl: Option<WebAcl>,
    /// The HTTPS listener's ACM certificate (`None`: a watch map from before it had one).
    pub certificate: Option<String>,
}

/// The dimensions of a web ACL's metrics (`AWS/WAFV2`).
#[derive(Clone, Debug, PartialEq)]
pub struct WebAcl {
    /// The web ACL's metric name.
    pub name: String,
    /// The rate-based rule's metric name.
    pub rate_rule: String,
    pub region: String,
}

/// Blocked requests a minute at which the rate rule's blocking pages (critical).
pub const RATE_BLOCKS_PER_MINUTE: f64 = 600.0;
/// How far over three times the last hour's per-minute average a minute's blocked requests go
/// before a warning.
pub const BLOCK_SPIKE: f64 = 50.0;

#[derive(Clone, Debug, PartialEq)]
pub enum Measure {
    /// One metric with a statistic (`Average`, `Maximum`…) or a percentile (`p99`).
    Metric {
        namespace: String,
        metric: String,
        dimensions: BTreeMap<String, String>,
        statistic: String,
    },
    /// Metric math: `expression` (the query the alarm watches, under `id`) over `inputs`.
    Math {
        id: String,
        label: Option<String>,
        expression: String,
        inputs: Vec<Input>,
    },
}

/// One input of metric math: a metric's statistic per period, named `id` in the expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    pub id: String,
    pub namespace: String,
    pub metric: String,
    pub dimensions: BTreeMap<String, String>,
    pub statistic: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PackAlarm {
    /// Name without the alerting prefix: `<target>-<metric>-<tier>`.
    pub short: String,
    pub target: String,
    /// `cluster`, `database` or `redis`: which pack.
    pub kind: String,
    /// The row of the pack's table, as alarm names show it (`cpu`, `replica-1-lag`).
    pub metric: String,
    pub severity: String,
    pub measure: Measure,
    pub comparison: String,
    pub threshold: f64,
    /// Seconds per evaluation period.
    pub period: i32,
    pub evaluation_periods: i32,
    /// Breaching periods among `evaluation_periods` that alarm (`None`: all of them).
    pub datapoints_to_alarm: Option<i32>,
    pub treat_missing_data: String,
    /// Watched through `watch` (else through the deprecated `*_ids`); the description says so,
    /// so that an import gives back the argument the configuration uses.
    pub by_watch: bool,
}

pub(super) fn dims(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// One tier of an alarm: (tier, comparison, threshold, evaluation periods).
pub(super) type Tier<'a> = (&'a str, &'a str, f64, i32);

/// Two tiers firing above `warning` and `critical`, over 5 periods.
pub(super) fn above(warning: f64, critical: f64) -> [Tier<'static>; 2] {
    [
        ("warning", "GreaterThanThreshold", warning, 5),
        ("critical", "GreaterThanThreshold", critical, 5),
    ]
}

/// Two tiers firing below `warning` and `critical`, over 5 periods.
fn below(warning: f64, critical: f64) -> [Tier<'static>; 2] {
    [
        ("warning", "LessThanThreshold", warning, 5),
        ("critical", "LessThanThreshold", critical, 5),
    ]
}

/// One metric with a statistic (`Average`, `Maximum`…) or a percentile (`p99`).
pub(super) fn metric(
    namespace: &str,
    metric: &str,
    dimensions: &BTreeMap<String, String>,
    statistic: &str,
) -> Measure {
    Measure::Metric {
        namespace: namespace.into(),
        metric: metric.into(),
        dimensions: dimensions.clone(),
        statistic: statistic.into(),
    }
}

/// A row of a pack's table: the metric as alarm names show it, what is measured, its tiers
/// (two, or one where the tiers measure different things), how missing data counts, and how many
/// breaching periods alarm (`None`: all).
pub(super) struct Row {
    pub metric: String,
    pub measure: Measure,
    pub tiers: Vec<Tier<'static>>,
    pub missing: &'static str,
    pub datapoints: Option<i32>,
    /// Seconds per period ([`PERIOD`] but for metrics published more rarely).
    pub period: i32,
}

/// A row that treats missing data as `notBreaching` (most do).
pub(super) fn row(metric: &str, measure: Measure, tiers: impl Into<Vec<Tier<'static>>>) -> Row {
    Row {
        metric: metric.into(),
        measure,
        tiers: tiers.into(),
        missing: "notBreaching",
        datapoints: None,
        period: PERIOD,
    }
}

/// The alarms of a pack's `rows` watching `target` (of pack `kind`): per row, per tier, named
/// `<prefix>-<metric>-<tier>`.
pub(super) fn tiered(kind: &str, prefix: &str, target: &str, rows: Vec<Row>) -> Vec<PackAlarm> {
    let mut out = Vec::new();
    for r in rows {
        for (tier, comparison, threshold, periods) in r.tiers {
            out.push(PackAlarm {
                short: format!("{prefix}-{}-{tier}", r.metric),
                target: target.to_string(),
                kind: kind.into(),
                metric: r.metric.clone(),
                severity: tier.into(),
                measure: r.measure.clone(),
                comparison: comparison.into(),
                threshold,
                period: r.period,
                evaluation_periods: periods,
                datapoints_to_alarm: r.datapoints,
                treat_missing_data: r.missing.into(),
                by_watch: false,
            });
        }
    }
    out
}

/// The compute pack (the README's alarm table): 5xx share, unhealthy hosts, p99 latency, in-service
/// instances, group CPU, the hosts' memory and root disk (the CloudWatch agent's), the web ACL's
/// blocked requests and the certificate's expiry, each in two tiers.
pub fn cluster_pack(f: &ClusterFacts) -> Vec<PackAlarm> {
    let prefix = format!("cluster-{}", f.name);
    tiered("cluster", &prefix, &f.name, cluster_rows(f))
}

/// The compute pack's table for one cluster.
fn cluster_rows(f: &ClusterFacts) -> Vec<Row> {
    let lb = dims(&[("LoadBalancer", &f.load_balancer)]);
    let tg = dims(&[
        ("LoadBalancer", &f.load_balancer),
        ("TargetGroup", &f.target_group),
    ]);
    let group = dims(&[("AutoScalingGroupName", &f.name)]);
    let sum = |i: usize, metric: &str| Input {
        id: format!("m{i}"),
        namespace: "AWS/ApplicationELB".into(),
        metric: metric.into(),
        dimensions: lb.clone(),
        statistic: "Sum".into(),
    };
    let share = Measure::Math {
        id: "share".into(),
        label: Some("5xx share of requests (%)".into()),
        expression: "100 * (FILL(m1, 0) + FILL(m2, 0)) / m3".into(),
        inputs: vec![
            sum(1, "HTTPCode_Target_5XX_Count"),
            sum(2, "HTTPCode_ELB_5XX_Count"),
            sum(3, "RequestCount"),
        ],
    };
    let half = (f.desired_capacity + 1) / 2;
    let unhealthy = [
        ("warning", "GreaterThanThreshold", 0.0, 2),
        (
            "critical",
            "GreaterThanOrEqualToThreshold",
            half.max(1) as f64,
            2,
        ),
    ];
    let in_service = [
        ("warning", "LessThanThreshold", f.desired_capacity as f64, 5),
        ("critical", "LessThanThreshold", f.min_size as f64, 2),
    ];
    let elb = "AWS/ApplicationELB";
    vec![
        row("5xx-share", share, above(1.0, 5.0)),
        row(
            "unhealthy-hosts",
            metric(elb, "UnHealthyHostCount", &tg, "Average"),
            unhealthy,
        ),
        row(
            "p99-latency",
            metric(elb, "TargetResponseTime", &lb, "p99"),
            above(0.1, 0.5),
        ),
        Row {
            missing: "breaching",
            ..row(
                "in-service",
                metric(
                    "AWS/AutoScaling",
                    "GroupInServiceInstances",
                    &group,
                    "Average",
                ),
                in_service,
            )
        },
        row(
            "cpu",
            metric("AWS/EC2", "CPUUtilization", &group, "Average"),
            above(80.0, 95.0),
        ),
        // The fullest host of the group, as the agent publishes it (aggregated by group).
        row(
            "memory",
            metric("CWAgent", "mem_used_percent", &group, "Maximum"),
            [
                ("warning", "GreaterThanThreshold", 85.0, 2),
                ("critical", "GreaterThanThreshold", 95.0, 2),
            ],
        ),
        row(
            "disk",
            metric("CWAgent", "disk_used_percent", &group, "Maximum"),
            above(80.0, 90.0),
        ),
    ]
    .into_iter()
    .chain(f.web_acl.iter().flat_map(blocked_requests))
    .chain(f.certificate.as_deref().map(certificate_expiry))
    .collect()
}

/// The listener certificate's `certificate-expiry`: ACM's daily `DaysToExpiry` below 30 days warns
/// (time to renew or re-import), below 7 pages.
fn certificate_expiry(certificate: &str) -> Row {
    Row {
        period: DAY,
        ..row(
            "certificate-expiry",
            metric(
                "AWS/CertificateManager",
                "DaysToExpiry",
                &dims(&[("CertificateArn", certificate)]),
                "Minimum",
            ),
            [
                ("warning", "LessThanThreshold", 30.0, 1),
                ("critical", "LessThanThreshold", 7.0, 1),
            ],
        )
    }
}

/// The web ACL's `blocked-requests`: a warning when a minute's blocked requests spike over the
/// last hour's baseline (more than [`BLOCK_SPIKE`] over three times its per-minute average: one
/// breaching minute of the 60 evaluated, so the warning holds for the hour after a spike), and a
/// critical alarm while the rate rule blocks more than [`RATE_BLOCKS_PER_MINUTE`] a minute (two
/// minutes running): a rate-limit storm.
fn blocked_requests(acl: &WebAcl) -> [Row; 2] {
    let blocked = |rule: &str| {
        dims(&[
            ("WebACL", acl.name.as_str()),
            ("Region", acl.region.as_str()),
            ("Rule", rule),
        ])
    };
    let all = blocked("ALL");
    let spike = Measure::Math {
        id: "spike".into(),
        label: Some("blocked requests over 3x the hour's average (per minute)".into()),
        expression: "FILL(m1, 0) - 3 * AVG(FILL(m1, 0))".into(),
        inputs: vec![Input {
            id: "m1".into(),
            namespace: "AWS/WAFV2".into(),
            metric: "BlockedRequests".into(),
            dimensions: all,
            statistic: "Sum".into(),
        }],
    };
    [
        Row {
            datapoints: Some(1),
            ..row(
                "blocked-requests",
                spike,
                [("warning", "GreaterThanThreshold", BLOCK_SPIKE, 60)],
            )
        },
        row(
            "blocked-requests",
            metric(
                "AWS/WAFV2",
                "BlockedRequests",
                &blocked(&acl.rate_rule),
                "Sum",
            ),
            [(
                "critical",
                "GreaterThanThreshold",
                RATE_BLOCKS_PER_MINUTE,
                2,
            )],
        ),
    ]
}

/// The description an alarm of a pack carries (import finds the resources watched through it,
/// and whether `watch` named them).
pub fn description(alerting: &str, kind: &str, target: &str, by_watch: bool) -> String {
    let by = if by_watch { WATCH_SUFFIX } else { "" };
    format!("prod_alerting {alerting}: {kind} pack of {target}{by}")
}
const WATCH_SUFFIX: &str = " (watch)";
/// Whether an alarm's description says another of the provider's resources made it (a cluster's
/// rollout gate, `prod_cluster <name>: …`): import leaves it to its owner, even where its name
/// shares this resource's prefix (the parts of one service named alike).
pub fn made_by_another(d: &str) -> bool {
    d.split_once(' ')
        .is_some_and(|(owner, _)| owner.starts_with("prod_") && owner != "prod_alerting")
}

/// (kind, target, named by `watch`) of a pack alarm's description.
pub fn target_of_description(d: &str) -> Option<(&str, &str, bool)> {
    let (_, rest) = d.split_once(": ")?;
    let (kind, target) = rest.split_once(" pack of ")?;
    Some(match target.strip_suffix(WATCH_SUFFIX) {
        Some(t) => (kind, t, true),
        None => (kind, target, false),
    })
}

// ---- the database pack ----

pub const DATABASE_METRICS: [&str; 5] = [
    "cpu",
    "free-storage",
    "freeable-memory",
    "connections",
    "write-latency",
];

/// Alarm names of a database's pack, without the alerting prefix: the primary's metrics, then the
/// replication lag of each replica.
pub fn database_shorts(db: &str, replicas: usize) -> Vec<String> {
    let mut out: Vec<String> = DATABASE_METRICS
        .iter()
        .flat_map(|m| TIERS.iter().map(move |t| format!("db-{db}-{m}-{t}")))
        .collect();
    for r in 1..=replicas {
        out.extend(TIERS.iter().map(|t| format!("db-{db}-replica-{r}-lag-{t}")));
    }
    out
}

/// What the pack needs to know of a database.
#[derive(Clone, Debug, PartialEq)]
pub struct DatabaseFacts {
    pub name: String,
    /// The instance the primary's metrics are published under (Aurora: the writer).
    pub instance: String,
    pub engine: String,
    pub instance_class: String,
    /// Configured storage in GiB.
    pub allocated_gib: i64,
    /// The configured `max_connections` parameter; `None`: the engine's default for the class.
    pub max_connections: Option<f64>,
    pub replicas: Vec<String>,
    /// The RDS Proxy in front of it (`pooling`): its name and the share of `max_connections` its
    /// pool may open.
    pub proxy: Option<ProxyWatch>,
    /// With restore verification (`restore_check`): the resource type AWS Backup counts its
    /// restore jobs under (`RDS` or `Aurora`).
    pub restore_check: Option<String>,
}

/// A database's proxy, as the pack watches it.
#[derive(Clone, Debug, PartialEq)]
pub struct ProxyWatch {
    pub name: String,
    pub max_connections_percent: i64,
}

/// The proxy's metrics: a pooled connection's borrow latency, and the pool's connections against
/// its limit (exhaustion).
pub const PROXY_METRICS: [&str; 2] = ["proxy-borrow-latency", "proxy-connections"];

/// Alarm names of a database's proxy, without the alerting prefix.
pub fn proxy_shorts(db: &str) -> Vec<String> {
    PROXY_METRICS
        .iter()
        .flat_map(|m| TIERS.iter().map(move |t| format!("db-{db}-{m}-{t}")))
        .collect()
}

/// The restore check's metric: a failed restore job of AWS Backup.
pub const RESTORE_CHECK_METRIC: &str = "restore-check-failed";

/// Alarm names of a database's restore check, without the alerting prefix (critical only).
pub fn restore_check_shorts(db: &str) -> Vec<String> {
    vec![format!("db-{db}-{RESTORE_CHECK_METRIC}-critical")]
}

/// The restore check's row: any restore job of the database's resource type that AWS Backup
/// could not complete within the hour (AWS Backup publishes restore jobs by resource type only),
/// critical at the first.
fn restore_check_row(kind: &str) -> Row {
    Row {
        period: 3600,
        ..row(
            RESTORE_CHECK_METRIC,
            metric(
                "AWS/Backup",
                "NumberOfRestoreJobsFailed",
                &dims(&[("ResourceType", kind)]),
                "Sum",
            ),
            vec![("critical", "GreaterThanOrEqualToThreshold", 1.0, 1)],
        )
    }
}

/// Memory of an instance class in GiB: burstable classes by size, others by vCPUs (2 for `large`,
/// 4 per `xlarge`) times the family's GiB per vCPU (r and x memory-optimised, m general purpose).
pub fn class_memory_gib(class: &str) -> f64 {
    let mut parts = class.split('.').skip(1);
    let (family, size) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if family.starts_with('t') {
        return match size {
            "micro" => 1.0,
            "small" => 2.0,
            "medium" => 4.0,
            "large" => 8.0,
            "xlarge" => 16.0,
            "2xlarge" => 32.0,
            _ => 4.0,
        };
    }
    let vcpus = match size {
        "large" => 2.0,
        "xlarge" => 4.0,
        s => s
            .trim_end_matches("xlarge")
            .parse::<f64>()
            .map(|n| n * 4.0)
            .unwrap_or(2.0),
    };
    let per_vcpu = match family.chars().next() {
        Some('r') => 8.0,
        Some('x') => 16.0,
        _ => 4.0,
    };
    vcpus * per_vcpu
}

/// The engine's default `max_connections` for the class (RDS's formulas over DBInstanceClassMemory).
pub fn max_connections(engine: &str, class: &str) -> f64 {
    let bytes = class_memory_gib(class) * 1024.0 * 1024.0 * 1024.0;
    if engine.contains("postgres") {
        (bytes / 9_531_392.0).floor().min(5000.0)
    } else {
        (bytes / 12_582_880.0).floor()
    }
}

/// The database pack (the README's alarm table), in two tiers each: the primary's metrics, then each replica's
/// lag.
pub fn database_pack(f: &DatabaseFacts) -> Vec<PackAlarm> {
    let mut rows = database_rows(f);
    rows.extend(f.replicas.iter().enumerate().map(|(i, replica)| {
        let lag = metric(
            "AWS/RDS",
            "ReplicaLag",
            &dims(&[("DBInstanceIdentifier", replica)]),
            "Maximum",
        );
        row(&format!("replica-{}-lag", i + 1), lag, above(30.0, 300.0))
    }));
    if let Some(px) = &f.proxy {
        rows.extend(proxy_rows(f, px));
    }
    if let Some(kind) = &f.restore_check {
        rows.push(restore_check_row(kind));
    }
    let prefix = format!("db-{}", f.name);
    tiered("database", &prefix, &f.name, rows)
}

/// The database pack's table for the primary: thresholds from its configured storage and
/// connections.
fn database_rows(f: &DatabaseFacts) -> Vec<Row> {
    let db = dims(&[("DBInstanceIdentifier", &f.instance)]);
    let rds = |m: &str| metric("AWS/RDS", m, &db, "Average");
    let gib = 1024.0 * 1024.0 * 1024.0;
    let storage = f.allocated_gib as f64 * gib;
    let conns = f
        .max_connections
        .unwrap_or_else(|| max_connections(&f.engine, &f.instance_class));
    let mib = 1024.0 * 1024.0;
    vec![
        row("cpu", rds("CPUUtilization"), above(80.0, 90.0)),
        row(
            "free-storage",
            rds("FreeStorageSpace"),
            below((storage * 0.2).round(), (storage * 0.1).round()),
        ),
        row(
            "freeable-memory",
            rds("FreeableMemory"),
            below(256.0 * mib, 128.0 * mib),
        ),
        row(
            "connections",
            rds("DatabaseConnections"),
            above((conns * 0.8).floor(), (conns * 0.95).floor()),
        ),
        row("write-latency", rds("WriteLatency"), above(0.02, 0.1)),
    ]
}

/// The proxy's rows: the time a client waits for a pooled connection (microseconds: 100 ms, then
/// 1 s), and the connections the pool holds open to the database against its limit
/// (`max_connections_percent` of `max_connections`: 80 %, then 95 %).
fn proxy_rows(f: &DatabaseFacts, px: &ProxyWatch) -> Vec<Row> {
    let by_proxy = dims(&[("ProxyName", &px.name)]);
    // The writer's connections (Aurora's readers have pools of their own).
    let writer = dims(&[
        ("ProxyName", &px.name),
        ("TargetGroup", "default"),
        ("TargetRole", "READ_WRITE"),
    ]);
    let conns = f
        .max_connections
        .unwrap_or_else(|| max_connections(&f.engine, &f.instance_class));
    let limit = (conns * px.max_connections_percent as f64 / 100.0).floor();
    vec![
        row(
            "proxy-borrow-latency",
            metric(
                "AWS/RDS",
                "DatabaseConnectionsBorrowLatency",
                &by_proxy,
                "Average",
            ),
            above(100_000.0, 1_000_000.0),
        ),
        row(
            "proxy-connections",
            metric("AWS/RDS", "DatabaseConnections", &writer, "Maximum"),
            above((limit * 0.8).floor(), (limit * 0.95).floor()),
        ),
    ]
}

/// A value AWS may leave out, as a user reads it.
fn shown<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "none".to_string(), |v| v.to_string())
}

/// Where the live alarm differs from the pack's, in words; `None` when it matches.
pub fn difference(live: &MetricAlarm, want: &PackAlarm) -> Option<String> {
    let mut diffs = Vec::new();
    if live.threshold != Some(want.threshold) {
        diffs.push(format!(
            "threshold {}, the pack sets {}",
            shown(live.threshold),
            want.threshold
        ));
    }
    if live.comparison_operator.as_ref().map(|c| c.as_str()) != Some(want.comparison.as_str()) {
        diffs.push("comparison changed".to_string());
    }
    if live.evaluation_periods != Some(want.evaluation_periods) {
        diffs.push(format!(
            "{} evaluation periods, the pack sets {}",
            shown(live.evaluation_periods),
            want.evaluation_periods
        ));
    }
    if live.datapoints_to_alarm.or(live.evaluation_periods)
        != want.datapoints_to_alarm.or(Some(want.evaluation_periods))
    {
        diffs.push(format!(
            "{} breaching periods alarm, the pack sets {}",
            shown(live.datapoints_to_alarm.or(live.evaluation_periods)),
            want.datapoints_to_alarm.unwrap_or(want.evaluation_periods)
        ));
    }
    if let Measure::Metric {
        metric,
        dimensions: d,
        statistic,
        ..
    } = &want.measure
    {
        if live.period != Some(want.period) {
            diffs.push(format!(
                "period {} s, the pack sets {} s",
                shown(live.period),
                want.period
            ));
        }
        let live_dims: BTreeMap<String, String> = live
            .dimensions
            .iter()
            .flatten()
            .map(|x| {
                (
                    x.name.clone().unwrap_or_default(),
                    x.value.clone().unwrap_or_default(),
                )
            })
            .collect();
        if live.metric_name.as_deref() != Some(metric.as_str()) || &live_dims != d {
            diffs.push("watches another metric".to_string());
        }
        let live_stat = live
            .extended_statistic
            .clone()
            .or_else(|| live.statistic.as_ref().map(|s| s.as_str().to_string()));
        if live_stat.as_deref() != Some(statistic.as_str()) {
            diffs.push(format!(
                "statistic {}, the pack uses {statistic}",
                shown(live_stat)
            ));
        }
    }
    (!diffs.is_empty()).then(|| diffs.join(", "))
}

/// Test support: the packs of a cluster and a database named `shop`.
#[cfg(test)]
pub mod fixtures {
    use super::*;

    /// The compute pack of cluster `shop` (min 2, desired 4).
    pub fn shop_cluster() -> Vec<PackAlarm> {
        cluster_pack(&ClusterFacts {
            name: "shop".into(),
            load_balancer: "app/shop/1".into(),
            target_group: "targetgroup/shop-tg/1".into(),
            min_size: 2,
            desired_capacity: 4,
            web_acl: None,
            certificate: None,
        })
    }

    /// The database pack of `shop` (100 GiB, `max_connections` 100) with `replicas`.
    pub fn shop_database(replicas: &[&str]) -> Vec<PackAlarm> {
        database_pack(&DatabaseFacts {
            name: "shop".into(),
            instance: "shop".into(),
            engine: "postgres".into(),
            instance_class: "db.r6g.large".into(),
            allocated_gib: 100,
            max_connections: Some(100.0),
            replicas: replicas.iter().map(|r| r.to_string()).collect(),
            proxy: None,
            restore_check: None,
        })
    }
}

#[cfg(test)]
mod tests;
