//! The packs' AWS side: what the watched resources are (looked up at plan and apply) and the
//! `PutMetricAlarm` of a pack alarm. The tables and thresholds are in the parent module.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::operation::put_metric_alarm::builders::PutMetricAlarmFluentBuilder;
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Metric, MetricDataQuery, MetricStat, Statistic,
};

use super::*;
use aws_sdk_autoscaling::types::AutoScalingGroup;
use aws_sdk_elasticloadbalancingv2::types::{LoadBalancer, TargetGroup};

use crate::provider::error::{found, AwsError};
use crate::provider::{tags, ProviderData};
use crate::resources::alerting::aws::{cw_dimensions, cw_tags, routed};
use crate::resources::alerting::blueprint::Hardening;
use crate::resources::alerting::custom::is_extended;
use crate::resources::alerting::watch;

/// The value of the provider's marker tag `key` (`prod:*`, a configured value recorded on the
/// object) among `tags`, as (key, value) pairs of whichever service's tag type.
fn marker<'a, T: std::str::FromStr>(
    tags: impl Iterator<Item = (Option<&'a str>, Option<&'a str>)>,
    key: &str,
) -> Option<T> {
    tags.into_iter()
        .find(|(k, _)| *k == Some(key))
        .and_then(|(_, v)| v?.parse().ok())
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
            let tags = || {
                i.tag_list
                    .iter()
                    .flatten()
                    .map(|t| (t.key.as_deref(), t.value.as_deref()))
            };
            let configured = marker(tags(), tags::TAG_ALLOCATED_STORAGE);
            let conns = marker(tags(), tags::TAG_MAX_CONNECTIONS);
            let mut replicas = i
                .read_replica_db_instance_identifiers
                .clone()
                .unwrap_or_default();
            replicas.sort();
            out.push(DatabaseFacts {
                name: id.clone(),
                instance: id.clone(),
                engine: i.engine.clone().unwrap_or_default(),
                instance_class: i.db_instance_class.clone().unwrap_or_default(),
                allocated_gib: configured.unwrap_or(i.allocated_storage.unwrap_or_default() as i64),
                max_connections: conns,
                replicas,
                proxy: None,
                restore_check: None,
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
                Some(ids) => crate::resources::alerting::redis_pack::redis_facts(ctx, ids)
                    .await
                    .map(Some),
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
        out.extend(
            facts
                .iter()
                .flat_map(crate::resources::alerting::redis_pack::redis_pack),
        );
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
        let (groups, lbs, tgs) = cluster_parts(ctx, chunk).await?;
        for id in chunk {
            out.push(one_cluster(id, &groups, &lbs, &tgs)?);
        }
    }
    Ok(out)
}

/// The groups, load balancers and target groups of the clusters named, asked at once (reads only:
/// nothing to record, so the first error may end the others).
async fn cluster_parts(
    ctx: &ProviderData,
    chunk: &[String],
) -> Result<(Vec<AutoScalingGroup>, Vec<LoadBalancer>, Vec<TargetGroup>), AwsError> {
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
        let out = found(
            ctx.call(
                "load balancers",
                ctx.elbv2()
                    .describe_load_balancers()
                    .set_names(Some(chunk.to_vec()))
                    .send(),
            )
            .await,
        )?;
        Ok(out.and_then(|o| o.load_balancers).unwrap_or_default())
    };
    let tgs = async {
        let out = found(
            ctx.call(
                "target groups",
                ctx.elbv2()
                    .describe_target_groups()
                    .set_names(Some(chunk.iter().map(|c| format!("{c}-tg")).collect()))
                    .send(),
            )
            .await,
        )?;
        Ok(out.and_then(|o| o.target_groups).unwrap_or_default())
    };
    futures::future::try_join3(groups, lbs, tgs).await
}

/// The facts of cluster `id` among the parts found; an error naming it when a part is missing.
fn one_cluster(
    id: &str,
    groups: &[AutoScalingGroup],
    lbs: &[LoadBalancer],
    tgs: &[TargetGroup],
) -> Result<ClusterFacts, AwsError> {
    let c = format!("cluster {id}");
    let missing = || {
        invalid(&c, format!("no prod_cluster named {id} exists in this account and region (cluster_ids takes prod_cluster ids)"))
    };
    let g = groups
        .iter()
        .find(|g| g.auto_scaling_group_name.as_deref() == Some(id))
        .ok_or_else(missing)?;
    let lb = lbs
        .iter()
        .find(|l| l.load_balancer_name.as_deref() == Some(id))
        .and_then(|l| l.load_balancer_arn.clone())
        .ok_or_else(missing)?;
    let tg = tgs
        .iter()
        .find(|t| t.target_group_name.as_deref() == Some(format!("{id}-tg").as_str()))
        .and_then(|t| t.target_group_arn.clone())
        .ok_or_else(missing)?;
    let tags = || {
        g.tags
            .iter()
            .flatten()
            .map(|t| (t.key.as_deref(), t.value.as_deref()))
    };
    let desired = marker(tags(), tags::TAG_DESIRED_CAPACITY)
        .unwrap_or(g.desired_capacity.unwrap_or_default() as i64);
    Ok(ClusterFacts {
        name: id.to_string(),
        load_balancer: watch::load_balancer_suffix(&lb),
        target_group: watch::target_group_suffix(&tg),
        min_size: marker(tags(), tags::TAG_MIN_SIZE)
            .unwrap_or(g.min_size.unwrap_or_default() as i64),
        desired_capacity: desired,
        web_acl: None,
        certificate: None,
    })
}

/// The `PutMetricAlarm` of a pack alarm, routed to `topic`.
pub async fn put(
    ctx: &ProviderData,
    alerting: &str,
    full_name: &str,
    a: &PackAlarm,
    topic: &str,
    h: &Hardening,
    tags: &BTreeMap<String, String>,
) -> Result<(), AwsError> {
    let c = format!("cloudwatch alarm {full_name}");
    let about = description(alerting, &a.kind, &a.target, a.by_watch);
    let req = routed(alarm_request(ctx, full_name, &about, a, tags), h, topic);
    ctx.call(&c, req.send()).await.map(|_| ())
}

/// The `PutMetricAlarm` of alarm `a` named `full_name`, without actions: what it watches, how it
/// judges, its description and tags.
pub fn alarm_request(
    ctx: &ProviderData,
    full_name: &str,
    about: &str,
    a: &PackAlarm,
    tags: &BTreeMap<String, String>,
) -> PutMetricAlarmFluentBuilder {
    let req = ctx
        .cloudwatch()
        .put_metric_alarm()
        .alarm_name(full_name)
        .alarm_description(about)
        .evaluation_periods(a.evaluation_periods)
        .set_datapoints_to_alarm(a.datapoints_to_alarm)
        .comparison_operator(ComparisonOperator::from(a.comparison.as_str()))
        .threshold(a.threshold)
        .treat_missing_data(&a.treat_missing_data)
        .set_tags(Some(cw_tags(tags)));
    measured(req, &a.measure, a.period)
}

/// The alarm request `req` watching `measure`, per `period` seconds: one metric (a statistic, or
/// an extended one such as `p99`), or metric math whose expression is the one query returned.
pub fn measured(
    req: PutMetricAlarmFluentBuilder,
    measure: &Measure,
    period: i32,
) -> PutMetricAlarmFluentBuilder {
    match measure {
        Measure::Metric {
            namespace,
            metric,
            dimensions: d,
            statistic,
        } => {
            let req = req
                .namespace(namespace)
                .metric_name(metric)
                .set_dimensions(Some(cw_dimensions(d)))
                .period(period);
            if is_extended(statistic) {
                req.extended_statistic(statistic)
            } else {
                req.statistic(Statistic::from(statistic.as_str()))
            }
        }
        Measure::Math {
            id,
            label,
            expression,
            inputs,
        } => inputs
            .iter()
            .fold(req, |req, i| req.metrics(input_query(i, period)))
            .metrics(
                MetricDataQuery::builder()
                    .id(id)
                    .expression(expression)
                    .set_label(label.clone())
                    .return_data(true)
                    .build(),
            ),
    }
}

/// A metric math input: its statistic per period, under its id, not itself returned.
fn input_query(i: &Input, period: i32) -> MetricDataQuery {
    MetricDataQuery::builder()
        .id(&i.id)
        .return_data(false)
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace(&i.namespace)
                        .metric_name(&i.metric)
                        .set_dimensions(Some(cw_dimensions(&i.dimensions)))
                        .build(),
                )
                .period(period)
                .stat(&i.statistic)
                .build(),
        )
        .build()
}
