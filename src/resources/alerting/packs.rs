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
        .flat_map(|m| TIERS.iter().map(move |t| format!("{cluster}-{m}-{t}")))
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
    /// Name without the alerting prefix: `<cluster>-<metric>-<tier>`.
    pub short: String,
    pub target: String,
    pub severity: String,
    pub measure: Measure,
    pub comparison: String,
    pub threshold: f64,
    pub evaluation_periods: i32,
    pub treat_missing_data: String,
}

fn dims(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
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
                short: format!("{}-{m}-{tier}", f.name),
                target: f.name.clone(),
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

/// The description an alarm of a pack carries (import finds the clusters watched through it).
pub fn description(alerting: &str, cluster: &str) -> String {
    format!("prod_alerting {alerting}: cluster pack of {cluster}")
}
pub fn cluster_of_description(d: &str) -> Option<&str> {
    d.split_once(": cluster pack of ").map(|(_, c)| c)
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
        let groups = ctx
            .call(
                "auto scaling groups",
                ctx.autoscaling
                    .describe_auto_scaling_groups()
                    .set_auto_scaling_group_names(Some(chunk.to_vec()))
                    .send(),
            )
            .await?
            .auto_scaling_groups
            .unwrap_or_default();
        let lbs = match ctx
            .call(
                "load balancers",
                ctx.elbv2
                    .describe_load_balancers()
                    .set_names(Some(chunk.to_vec()))
                    .send(),
            )
            .await
        {
            Ok(o) => o.load_balancers.unwrap_or_default(),
            Err(e) if e.is_not_found() => vec![],
            Err(e) => return Err(e),
        };
        let tgs = match ctx
            .call(
                "target groups",
                ctx.elbv2
                    .describe_target_groups()
                    .set_names(Some(chunk.iter().map(|c| format!("{c}-tg")).collect()))
                    .send(),
            )
            .await
        {
            Ok(o) => o.target_groups.unwrap_or_default(),
            Err(e) if e.is_not_found() => vec![],
            Err(e) => return Err(e),
        };
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
                min_size: g.min_size.unwrap_or_default() as i64,
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
        .cloudwatch
        .put_metric_alarm()
        .alarm_name(full_name)
        .alarm_description(description(alerting, &a.target))
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

/// Where the live alarm differs from the pack's, in words; `None` when it matches.
pub fn difference(live: &MetricAlarm, want: &PackAlarm) -> Option<String> {
    let mut diffs = Vec::new();
    if live.threshold != Some(want.threshold) {
        diffs.push(format!(
            "threshold {:?}, the pack sets {}",
            live.threshold, want.threshold
        ));
    }
    if live.comparison_operator.as_ref().map(|c| c.as_str()) != Some(want.comparison.as_str()) {
        diffs.push("comparison changed".to_string());
    }
    if live.evaluation_periods != Some(want.evaluation_periods) {
        diffs.push(format!(
            "{:?} evaluation periods, the pack sets {}",
            live.evaluation_periods, want.evaluation_periods
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
                "statistic {live_stat:?}, the pack uses {statistic}"
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
        let inservice = by("web-in-service-critical");
        assert_eq!(
            (
                inservice.comparison.as_str(),
                inservice.threshold,
                inservice.evaluation_periods
            ),
            ("LessThanThreshold", 3.0, 2)
        );
        assert_eq!(inservice.treat_missing_data, "breaching");
        assert_eq!(by("web-in-service-warning").threshold, 5.0);
        let unhealthy = by("web-unhealthy-hosts-critical");
        assert_eq!(
            (unhealthy.comparison.as_str(), unhealthy.threshold),
            ("GreaterThanOrEqualToThreshold", 3.0)
        );
        assert_eq!(by("web-unhealthy-hosts-warning").evaluation_periods, 2);
        match by("web-p99-latency-critical").measure {
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
        assert_eq!(by("web-p99-latency-warning").threshold, 0.1);
        assert!(matches!(
            by("web-5xx-share-warning").measure,
            Measure::Math { .. }
        ));
        assert_eq!(
            (
                by("web-5xx-share-warning").threshold,
                by("web-5xx-share-critical").threshold
            ),
            (1.0, 5.0)
        );
        assert_eq!(
            (
                by("web-cpu-warning").threshold,
                by("web-cpu-critical").threshold
            ),
            (80.0, 95.0)
        );
        assert_eq!(by("web-cpu-critical").severity, "critical");
    }

    #[test]
    fn descriptions_name_the_cluster() {
        assert_eq!(
            cluster_of_description(&description("ops", "web")),
            Some("web")
        );
        assert_eq!(
            cluster_of_description("prod_alerting ops-cpu (critical)"),
            None
        );
    }
}
