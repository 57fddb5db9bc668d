//! Alarm packs: the alarms `prod_alerting` makes for the resources it watches (`cluster_ids`), in a
//! warning and a critical tier, with thresholds derived only from configured values (the cluster's
//! pinned minimum and its configured desired capacity), never from values AWS manages.
//!
//! Names: `<alerting name>-<target name>-<metric>-<tier>`.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, Metric, MetricAlarm, MetricDataQuery, MetricStat, Statistic,
};

use crate::provider::error::AwsError;
use crate::provider::ProviderData;

pub const CLUSTER_METRICS: [&str; 5] = [
    "5xx-share",
    "unhealthy-hosts",
    "p99-latency",
    "in-service",
    "cpu",
];
pub const TIERS: [&str; 2] = ["warning", "critical"];
pub const PERIOD: i32 = 60;

/// Alarm names of a cluster's pack, without the alerting prefix, in a fixed order.
pub fn cluster_shorts(cluster: &str) -> Vec<String> {
    CLUSTER_METRICS
        .iter()
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
}

#[derive(Clone, Debug, PartialEq)]
pub enum Measure {
    /// One metric with a statistic (`Average`, `Maximum`…) or a percentile (`p99`).
    Metric {
        namespace: String,
        metric: String,
        dimensions: BTreeMap<String, String>,
        statistic: String,
    },
    /// Metric math over `Sum`s of the named metrics (`m1`, `m2`, … in order).
    Math {
        expression: String,
        namespace: String,
        metrics: Vec<String>,
        dimensions: BTreeMap<String, String>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct PackAlarm {
    /// Name without the alerting prefix: `<target>-<metric>-<tier>`.
    pub short: String,
    pub target: String,
    /// `cluster` or `database`: which pack.
    pub kind: String,
    pub severity: String,
    pub measure: Measure,
    pub comparison: String,
    pub threshold: f64,
    pub evaluation_periods: i32,
    pub treat_missing_data: String,
}

pub(super) fn dims(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// One tier of an alarm: (tier, comparison, threshold, evaluation periods).
type Tier<'a> = (&'a str, &'a str, f64, i32);

/// The compute pack of `../profiles.md`: 5xx share, unhealthy hosts, p99 latency, in-service
/// instances and group CPU, each in two tiers.
pub fn cluster_pack(f: &ClusterFacts) -> Vec<PackAlarm> {
    let lb = dims(&[("LoadBalancer", &f.load_balancer)]);
    let tg = dims(&[
        ("LoadBalancer", &f.load_balancer),
        ("TargetGroup", &f.target_group),
    ]);
    let group = dims(&[("AutoScalingGroupName", &f.name)]);
    let metric = |ns: &str, m: &str, d: &BTreeMap<String, String>, stat: &str| Measure::Metric {
        namespace: ns.into(),
        metric: m.into(),
        dimensions: d.clone(),
        statistic: stat.into(),
    };
    let share = Measure::Math {
        expression: "100 * (FILL(m1, 0) + FILL(m2, 0)) / m3".into(),
        namespace: "AWS/ApplicationELB".into(),
        metrics: vec![
            "HTTPCode_Target_5XX_Count".into(),
            "HTTPCode_ELB_5XX_Count".into(),
            "RequestCount".into(),
        ],
        dimensions: lb.clone(),
    };
    let half = (f.desired_capacity + 1) / 2;
    // (metric, measure, [(tier, comparison, threshold, periods)], missing data)
    let rows: Vec<(&str, Measure, [Tier; 2], &str)> = vec![
        (
            "5xx-share",
            share,
            [
                ("warning", "GreaterThanThreshold", 1.0, 5),
                ("critical", "GreaterThanThreshold", 5.0, 5),
            ],
            "notBreaching",
        ),
        (
            "unhealthy-hosts",
            metric("AWS/ApplicationELB", "UnHealthyHostCount", &tg, "Average"),
            [
                ("warning", "GreaterThanThreshold", 0.0, 2),
                (
                    "critical",
                    "GreaterThanOrEqualToThreshold",
                    half.max(1) as f64,
                    2,
                ),
            ],
            "notBreaching",
        ),
        (
            "p99-latency",
            metric("AWS/ApplicationELB", "TargetResponseTime", &lb, "p99"),
            [
                ("warning", "GreaterThanThreshold", 0.1, 5),
                ("critical", "GreaterThanThreshold", 0.5, 5),
            ],
            "notBreaching",
        ),
        (
            "in-service",
            metric(
                "AWS/AutoScaling",
                "GroupInServiceInstances",
                &group,
                "Average",
            ),
            [
                ("warning", "LessThanThreshold", f.desired_capacity as f64, 5),
                ("critical", "LessThanThreshold", f.min_size as f64, 2),
            ],
            "breaching",
        ),
        (
            "cpu",
            metric("AWS/EC2", "CPUUtilization", &group, "Average"),
            [
                ("warning", "GreaterThanThreshold", 80.0, 5),
                ("critical", "GreaterThanThreshold", 95.0, 5),
            ],
            "notBreaching",
        ),
    ];
    let mut out = Vec::new();
    for (m, measure, tiers, missing) in rows {
        for (tier, comparison, threshold, periods) in tiers {
            out.push(PackAlarm {
                short: format!("cluster-{}-{m}-{tier}", f.name),
                target: f.name.clone(),
                kind: "cluster".into(),
                severity: tier.into(),
                measure: measure.clone(),
                comparison: comparison.into(),
                threshold,
                evaluation_periods: periods,
                treat_missing_data: missing.into(),
            });
        }
    }
    out
}

/// The description an alarm of a pack carries (import finds the resources watched through it).
pub fn description(alerting: &str, kind: &str, target: &str) -> String {
    format!("prod_alerting {alerting}: {kind} pack of {target}")
}
/// (kind, target) of a pack alarm's description.
pub fn target_of_description(d: &str) -> Option<(&str, &str)> {
    let (_, rest) = d.split_once(": ")?;
    let (kind, target) = rest.split_once(" pack of ")?;
    Some((kind, target))
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
    pub engine: String,
    pub instance_class: String,
    /// Configured storage in GiB.
    pub allocated_gib: i64,
    /// The configured `max_connections` parameter; `None`: the engine's default for the class.
    pub max_connections: Option<f64>,
    pub replicas: Vec<String>,
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

/// The database pack of profiles.md, in two tiers each.
pub fn database_pack(f: &DatabaseFacts) -> Vec<PackAlarm> {
    let db = dims(&[("DBInstanceIdentifier", &f.name)]);
    let metric = |m: &str, d: &BTreeMap<String, String>, stat: &str| Measure::Metric {
        namespace: "AWS/RDS".into(),
        metric: m.into(),
        dimensions: d.clone(),
        statistic: stat.into(),
    };
    let gib = 1024.0 * 1024.0 * 1024.0;
    let storage = f.allocated_gib as f64 * gib;
    let conns = f
        .max_connections
        .unwrap_or_else(|| max_connections(&f.engine, &f.instance_class));
    let mib = 1024.0 * 1024.0;
    let rows: Vec<(&str, Measure, [Tier; 2])> = vec![
        (
            "cpu",
            metric("CPUUtilization", &db, "Average"),
            [
                ("warning", "GreaterThanThreshold", 80.0, 5),
                ("critical", "GreaterThanThreshold", 90.0, 5),
            ],
        ),
        (
            "free-storage",
            metric("FreeStorageSpace", &db, "Average"),
            [
                ("warning", "LessThanThreshold", (storage * 0.2).round(), 5),
                ("critical", "LessThanThreshold", (storage * 0.1).round(), 5),
            ],
        ),
        (
            "freeable-memory",
            metric("FreeableMemory", &db, "Average"),
            [
                ("warning", "LessThanThreshold", 256.0 * mib, 5),
                ("critical", "LessThanThreshold", 128.0 * mib, 5),
            ],
        ),
        (
            "connections",
            metric("DatabaseConnections", &db, "Average"),
            [
                ("warning", "GreaterThanThreshold", (conns * 0.8).floor(), 5),
                (
                    "critical",
                    "GreaterThanThreshold",
                    (conns * 0.95).floor(),
                    5,
                ),
            ],
        ),
        (
            "write-latency",
            metric("WriteLatency", &db, "Average"),
            [
                ("warning", "GreaterThanThreshold", 0.02, 5),
                ("critical", "GreaterThanThreshold", 0.1, 5),
            ],
        ),
    ];
    let mut out = Vec::new();
    for (m, measure, tiers) in rows {
        for (tier, comparison, threshold, periods) in tiers {
            out.push(PackAlarm {
                short: format!("db-{}-{m}-{tier}", f.name),
                target: f.name.clone(),
                kind: "database".into(),
                severity: tier.into(),
                measure: measure.clone(),
                comparison: comparison.into(),
                threshold,
                evaluation_periods: periods,
                treat_missing_data: "notBreaching".into(),
            });
        }
    }
    for (i, replica) in f.replicas.iter().enumerate() {
        let lag = metric(
            "ReplicaLag",
            &dims(&[("DBInstanceIdentifier", replica)]),
            "Maximum",
        );
        for (tier, threshold) in [("warning", 30.0), ("critical", 300.0)] {
            out.push(PackAlarm {
                short: format!("db-{}-replica-{}-lag-{tier}", f.name, i + 1),
                target: f.name.clone(),
                kind: "database".into(),
                severity: tier.into(),
                measure: lag.clone(),
                comparison: "GreaterThanThreshold".into(),
                threshold,
                evaluation_periods: 5,
                treat_missing_data: "notBreaching".into(),
            });
        }
    }
    out
}

/// The facts of every database named, in one call (per 20 databases): the primaries and, through
/// them, their replicas. A database that does not exist is absent from the answer.
pub async fn database_facts(
    ctx: &ProviderData,
    ids: &[String],
) -> Result<Vec<DatabaseFacts>, AwsError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(20) {
        let found = ctx
            .call(
                "db instances",
                ctx.rds()
                    .describe_db_instances()
                    .filters(
                        aws_sdk_rds::types::Filter::builder()
                            .name("db-instance-id")
                            .set_values(Some(chunk.to_vec()))
                            .build(),
                    )
                    .send(),
            )
            .await?
            .db_instances
            .unwrap_or_default();
        for id in chunk {
            let Some(i) = found
                .iter()
                .find(|i| i.db_instance_identifier.as_deref() == Some(id.as_str()))
            else {
                continue;
            };
            let configured = i
                .tag_list
                .iter()
                .flatten()
                .find(|t| t.key.as_deref() == Some(crate::provider::tags::TAG_ALLOCATED_STORAGE))
                .and_then(|t| t.value.as_deref()?.parse().ok());
            let conns = i
                .tag_list
                .iter()
                .flatten()
                .find(|t| t.key.as_deref() == Some(crate::provider::tags::TAG_MAX_CONNECTIONS))
                .and_then(|t| t.value.as_deref()?.parse().ok());
            let mut replicas = i
                .read_replica_db_instance_identifiers
                .clone()
                .unwrap_or_default();
            replicas.sort();
            out.push(DatabaseFacts {
                name: id.clone(),
                engine: i.engine.clone().unwrap_or_default(),
                instance_class: i.db_instance_class.clone().unwrap_or_default(),
                allocated_gib: configured.unwrap_or(i.allocated_storage.unwrap_or_default() as i64),
                max_connections: conns,
                replicas,
            });
        }
    }
    Ok(out)
}

/// Every pack alarm the watched resources want; an error names a resource that does not exist.
pub async fn wanted(
    ctx: &ProviderData,
    cluster_ids: Option<&Vec<String>>,
    database_ids: Option<&Vec<String>>,
    redis_ids: Option<&Vec<String>>,
) -> Result<Vec<PackAlarm>, AwsError> {
    // The three kinds are looked up at once; each lookup is a fixed number of calls.
    let (clusters, databases, redis) = futures::future::join3(
        async {
            match cluster_ids.filter(|i| !i.is_empty()) {
                Some(ids) => cluster_facts(ctx, ids).await.map(Some),
                None => Ok(None),
            }
        },
        async {
            match database_ids.filter(|i| !i.is_empty()) {
                Some(ids) => all_database_facts(ctx, ids).await.map(Some),
                None => Ok(None),
            }
        },
        async {
            match redis_ids.filter(|i| !i.is_empty()) {
                Some(ids) => super::redis_pack::redis_facts(ctx, ids).await.map(Some),
                None => Ok(None),
            }
        },
    )
    .await;
    let mut out = Vec::new();
    if let Some(facts) = clusters? {
        out.extend(facts.iter().flat_map(cluster_pack));
    }
    if let Some(facts) = databases? {
        out.extend(facts.iter().flat_map(database_pack));
    }
    if let (Some(facts), Some(ids)) = (redis?, redis_ids) {
        if let Some(missing) = ids.iter().find(|id| !facts.iter().any(|f| &f.name == *id)) {
            return Err(invalid(&format!("redis cluster {missing}"), format!("no prod_redis_cluster named {missing} exists in this account and region (redis_cluster_ids takes prod_redis_cluster ids)")));
        }
        out.extend(facts.iter().flat_map(super::redis_pack::redis_pack));
    }
    Ok(out)
}

/// Every database named, or an error naming the first missing one.
pub async fn all_database_facts(
    ctx: &ProviderData,
    ids: &[String],
) -> Result<Vec<DatabaseFacts>, AwsError> {
    let facts = database_facts(ctx, ids).await?;
    if let Some(missing) = ids.iter().find(|id| !facts.iter().any(|f| &f.name == *id)) {
        return Err(invalid(&format!("database {missing}"), format!("no prod_database_ha named {missing} exists in this account and region (database_ids takes prod_database_ha ids)")));
    }
    Ok(facts)
}

// ---- AWS ----

fn invalid(component: &str, message: String) -> AwsError {
    AwsError::Invalid {
        component: component.to_string(),
        message,
    }
}

/// The facts of every cluster named, in three calls whatever their number (per 20 clusters).
/// A cluster that does not exist is an error naming it.
pub async fn cluster_facts(
    ctx: &ProviderData,
    ids: &[String],
) -> Result<Vec<ClusterFacts>, AwsError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(20) {
        let groups = async {
            Ok(ctx
                .call(
                    "auto scaling groups",
                    ctx.autoscaling()
                        .describe_auto_scaling_groups()
                        .set_auto_scaling_group_names(Some(chunk.to_vec()))
                        .send(),
                )
                .await?
                .auto_scaling_groups
                .unwrap_or_default())
        };
        let lbs = async {
            match ctx
                .call(
                    "load balancers",
                    ctx.elbv2()
                        .describe_load_balancers()
                        .set_names(Some(chunk.to_vec()))
                        .send(),
                )
                .await
            {
                Ok(o) => Ok(o.load_balancers.unwrap_or_default()),
                Err(e) if e.is_not_found() => Ok(vec![]),
                Err(e) => Err(e),
            }
        };
        let tgs = async {
            match ctx
                .call(
                    "target groups",
                    ctx.elbv2()
                        .describe_target_groups()
                        .set_names(Some(chunk.iter().map(|c| format!("{c}-tg")).collect()))
                        .send(),
                )
                .await
            {
                Ok(o) => Ok(o.target_groups.unwrap_or_default()),
                Err(e) if e.is_not_found() => Ok(vec![]),
                Err(e) => Err(e),
            }
        };
        // Reads only: nothing to record, so the first error may end the others.
        let (groups, lbs, tgs) = futures::future::try_join3(groups, lbs, tgs).await?;
        for id in chunk {
            let c = format!("cluster {id}");
            let missing = || {
                invalid(&c, format!("no prod_cluster named {id} exists in this account and region (cluster_ids takes prod_cluster ids)"))
            };
            let g = groups
                .iter()
                .find(|g| g.auto_scaling_group_name.as_deref() == Some(id.as_str()))
                .ok_or_else(missing)?;
            let lb = lbs
                .iter()
                .find(|l| l.load_balancer_name.as_deref() == Some(id.as_str()))
                .and_then(|l| l.load_balancer_arn.clone())
                .ok_or_else(missing)?;
            let tg = tgs
                .iter()
                .find(|t| t.target_group_name.as_deref() == Some(format!("{id}-tg").as_str()))
                .and_then(|t| t.target_group_arn.clone())
                .ok_or_else(missing)?;
            let desired = g
                .tags
                .iter()
                .flatten()
                .find(|t| t.key.as_deref() == Some(crate::provider::tags::TAG_DESIRED_CAPACITY))
                .and_then(|t| t.value.as_deref()?.parse().ok())
                .unwrap_or(g.desired_capacity.unwrap_or_default() as i64);
            out.push(ClusterFacts {
                name: id.clone(),
                load_balancer: lb
                    .split_once(":loadbalancer/")
                    .map(|(_, s)| s.to_string())
                    .unwrap_or_default(),
                target_group: tg
                    .rsplit_once(':')
                    .map(|(_, s)| s.to_string())
                    .unwrap_or_default(),
                min_size: g
                    .tags
                    .iter()
                    .flatten()
                    .find(|t| t.key.as_deref() == Some(crate::provider::tags::TAG_MIN_SIZE))
                    .and_then(|t| t.value.as_deref()?.parse().ok())
                    .unwrap_or(g.min_size.unwrap_or_default() as i64),
                desired_capacity: desired,
            });
        }
    }
    Ok(out)
}

fn dimensions(d: &BTreeMap<String, String>) -> Vec<Dimension> {
    d.iter()
        .map(|(k, v)| Dimension::builder().name(k).value(v).build())
        .collect()
}

pub async fn put(
    ctx: &ProviderData,
    alerting: &str,
    full_name: &str,
    a: &PackAlarm,
    topic: &str,
    tags: &BTreeMap<String, String>,
) -> Result<(), AwsError> {
    let c = format!("cloudwatch alarm {full_name}");
    let cw_tags: Vec<_> = tags
        .iter()
        .map(|(k, v)| {
            aws_sdk_cloudwatch::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
        })
        .collect();
    let mut req = ctx
        .cloudwatch()
        .put_metric_alarm()
        .alarm_name(full_name)
        .alarm_description(description(alerting, &a.kind, &a.target))
        .evaluation_periods(a.evaluation_periods)
        .comparison_operator(ComparisonOperator::from(a.comparison.as_str()))
        .threshold(a.threshold)
        .treat_missing_data(&a.treat_missing_data)
        .actions_enabled(true)
        .alarm_actions(topic)
        .ok_actions(topic)
        .set_tags(Some(cw_tags));
    match &a.measure {
        Measure::Metric {
            namespace,
            metric,
            dimensions: d,
            statistic,
        } => {
            req = req
                .namespace(namespace)
                .metric_name(metric)
                .set_dimensions(Some(dimensions(d)))
                .period(PERIOD);
            req = if statistic.starts_with('p') {
                req.extended_statistic(statistic)
            } else {
                req.statistic(Statistic::from(statistic.as_str()))
            };
        }
        Measure::Math {
            expression,
            namespace,
            metrics,
            dimensions: d,
        } => {
            for (i, m) in metrics.iter().enumerate() {
                req = req.metrics(
                    MetricDataQuery::builder()
                        .id(format!("m{}", i + 1))
                        .return_data(false)
                        .metric_stat(
                            MetricStat::builder()
                                .metric(
                                    Metric::builder()
                                        .namespace(namespace)
                                        .metric_name(m)
                                        .set_dimensions(Some(dimensions(d)))
                                        .build(),
                                )
                                .period(PERIOD)
                                .stat("Sum")
                                .build(),
                        )
                        .build(),
                );
            }
            req = req.metrics(
                MetricDataQuery::builder()
                    .id("share")
                    .expression(expression)
                    .label("5xx share of requests (%)")
                    .return_data(true)
                    .build(),
            );
        }
    }
    ctx.call(&c, req.send()).await.map(|_| ())
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
    if let Measure::Metric {
        metric,
        dimensions: d,
        statistic,
        ..
    } = &want.measure
    {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> ClusterFacts {
        ClusterFacts {
            name: "web".into(),
            load_balancer: "app/web/abc".into(),
            target_group: "targetgroup/web-tg/def".into(),
            min_size: 3,
            desired_capacity: 5,
        }
    }

    #[test]
    fn a_drifted_alarm_is_described_in_words_not_rust_debug_text() {
        let want = cluster_pack(&facts())
            .into_iter()
            .find(|a| a.short == "cluster-web-in-service-critical")
            .unwrap_or_else(|| panic!("in-service alarm"));
        let live = MetricAlarm::builder()
            .threshold(5.0)
            .comparison_operator(aws_sdk_cloudwatch::types::ComparisonOperator::LessThanThreshold)
            .build();
        let diff = difference(&live, &want).unwrap_or_default();
        assert!(diff.contains("threshold 5, the pack sets 3"), "{diff}");
        assert!(
            diff.contains("none evaluation periods, the pack sets 2"),
            "{diff}"
        );
        assert!(!diff.contains("Some(") && !diff.contains("None"), "{diff}");
    }

    #[test]
    fn pack_follows_the_profile_table() {
        let p = cluster_pack(&facts());
        assert_eq!(p.len(), 10);
        assert_eq!(
            p.iter().map(|a| a.short.clone()).collect::<Vec<_>>(),
            cluster_shorts("web")
        );
        let by = |s: &str| {
            p.iter()
                .find(|a| a.short == s)
                .cloned()
                .unwrap_or_else(|| panic!("{s}"))
        };
        let inservice = by("cluster-web-in-service-critical");
        assert_eq!(
            (
                inservice.comparison.as_str(),
                inservice.threshold,
                inservice.evaluation_periods
            ),
            ("LessThanThreshold", 3.0, 2)
        );
        assert_eq!(inservice.treat_missing_data, "breaching");
        assert_eq!(by("cluster-web-in-service-warning").threshold, 5.0);
        let unhealthy = by("cluster-web-unhealthy-hosts-critical");
        assert_eq!(
            (unhealthy.comparison.as_str(), unhealthy.threshold),
            ("GreaterThanOrEqualToThreshold", 3.0)
        );
        assert_eq!(
            by("cluster-web-unhealthy-hosts-warning").evaluation_periods,
            2
        );
        match by("cluster-web-p99-latency-critical").measure {
            Measure::Metric {
                statistic,
                dimensions,
                ..
            } => {
                assert_eq!(statistic, "p99");
                assert_eq!(dimensions["LoadBalancer"], "app/web/abc");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(by("cluster-web-p99-latency-warning").threshold, 0.1);
        assert!(matches!(
            by("cluster-web-5xx-share-warning").measure,
            Measure::Math { .. }
        ));
        assert_eq!(
            (
                by("cluster-web-5xx-share-warning").threshold,
                by("cluster-web-5xx-share-critical").threshold
            ),
            (1.0, 5.0)
        );
        assert_eq!(
            (
                by("cluster-web-cpu-warning").threshold,
                by("cluster-web-cpu-critical").threshold
            ),
            (80.0, 95.0)
        );
        assert_eq!(by("cluster-web-cpu-critical").severity, "critical");
    }

    #[test]
    fn descriptions_name_the_target() {
        assert_eq!(
            target_of_description(&description("ops", "cluster", "web")),
            Some(("cluster", "web"))
        );
        assert_eq!(
            target_of_description(&description("ops", "database", "pay")),
            Some(("database", "pay"))
        );
        assert_eq!(
            target_of_description("prod_alerting ops-cpu (critical)"),
            None
        );
    }

    #[test]
    fn database_pack_follows_the_profile_table() {
        let f = DatabaseFacts {
            name: "pay".into(),
            engine: "postgres".into(),
            instance_class: "db.r6g.large".into(),
            allocated_gib: 100,
            max_connections: None,
            replicas: vec!["pay-replica-1".into(), "pay-replica-2".into()],
        };
        let p = database_pack(&f);
        assert_eq!(
            p.iter().map(|a| a.short.clone()).collect::<Vec<_>>(),
            database_shorts("pay", 2)
        );
        let by = |s: &str| {
            p.iter()
                .find(|a| a.short == s)
                .cloned()
                .unwrap_or_else(|| panic!("{s}"))
        };
        let gib = 1024.0 * 1024.0 * 1024.0;
        assert_eq!(
            by("db-pay-free-storage-warning").threshold,
            (100.0 * gib * 0.2_f64).round()
        );
        assert_eq!(
            by("db-pay-free-storage-critical").threshold,
            (100.0 * gib * 0.1_f64).round()
        );
        assert_eq!(
            by("db-pay-freeable-memory-critical").threshold,
            128.0 * 1024.0 * 1024.0
        );
        // 16 GiB / 9531392 = 1802 connections by default.
        assert_eq!(max_connections("postgres", "db.r6g.large"), 1802.0);
        assert_eq!(
            by("db-pay-connections-warning").threshold,
            (1802.0_f64 * 0.8).floor()
        );
        assert_eq!(
            by("db-pay-connections-critical").threshold,
            (1802.0_f64 * 0.95).floor()
        );
        let lag = by("db-pay-replica-2-lag-critical");
        assert_eq!(lag.threshold, 300.0);
        match lag.measure {
            Measure::Metric {
                statistic,
                dimensions,
                ..
            } => {
                assert_eq!(statistic, "Maximum");
                assert_eq!(dimensions["DBInstanceIdentifier"], "pay-replica-2");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(by("db-pay-write-latency-critical").threshold, 0.1);
        assert_eq!(class_memory_gib("db.t4g.medium"), 4.0);
        assert_eq!(class_memory_gib("db.m6g.2xlarge"), 32.0);
        assert_eq!(max_connections("mysql", "db.t4g.medium"), 341.0);
    }

    #[test]
    fn connections_alarms_follow_the_configured_max_connections() {
        let cases = [
            ("configured 100", Some(100.0), (80.0, 95.0)),
            ("engine default for db.r6g.large", None, (1441.0, 1711.0)),
        ];
        for (name, configured, (warning, critical)) in cases {
            let p = database_pack(&DatabaseFacts {
                name: "pay".into(),
                engine: "postgres".into(),
                instance_class: "db.r6g.large".into(),
                allocated_gib: 100,
                max_connections: configured,
                replicas: vec![],
            });
            let t = |s: &str| p.iter().find(|a| a.short == s).map(|a| a.threshold);
            assert_eq!(t("db-pay-connections-warning"), Some(warning), "{name}");
            assert_eq!(t("db-pay-connections-critical"), Some(critical), "{name}");
        }
    }
}
