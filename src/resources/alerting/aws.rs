//! The AWS calls `prod_alerting` makes, one small function each, named for the component.

use std::collections::HashMap;

use aws_sdk_cloudwatch::operation::put_metric_alarm::builders::PutMetricAlarmFluentBuilder;
use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, MetricAlarm, StandardUnit};

use super::blueprint::Hardening;
use super::model::Alarm;
use super::{custom, packs};
use crate::framework::{Number, Value};
use crate::provider::aws::Place;
use crate::provider::error::{found, AwsError};
use crate::provider::ProviderData;

pub type Tags = std::collections::BTreeMap<String, String>;

pub use crate::provider::kms::{
    create_key, delete_alias, describe_key, enable_rotation, ensure_alias, key_id, put_key_policy,
    schedule_key_deletion,
};

fn invalid(component: &str, message: &str) -> AwsError {
    AwsError::Invalid {
        component: component.to_string(),
        message: message.to_string(),
    }
}

// ---- SNS ----

fn sns_tags(tags: &Tags) -> Vec<aws_sdk_sns::types::Tag> {
    tags.iter()
        .filter_map(|(k, v)| {
            aws_sdk_sns::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
                .ok()
        })
        .collect()
}

/// Creates topic `name` with `attributes` ([`crate::resources::alerting::blueprint::topic_attributes`]);
/// returns its ARN.
pub async fn create_topic(
    ctx: &ProviderData,
    name: &str,
    attributes: Vec<(&str, String)>,
    tags: &Tags,
) -> Result<String, AwsError> {
    let c = format!("sns topic {name}");
    let attributes = attributes
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let out = ctx
        .call(
            &c,
            ctx.sns()
                .create_topic()
                .name(name)
                .set_attributes(Some(attributes))
                .set_tags(Some(sns_tags(tags)))
                .send(),
        )
        .await?;
    out.topic_arn
        .ok_or_else(|| invalid(&c, "CreateTopic returned no ARN"))
}

pub async fn set_topic_attribute(
    ctx: &ProviderData,
    arn: &str,
    name: &str,
    value: &str,
) -> Result<(), AwsError> {
    ctx.call(
        &format!("sns topic {arn} {name}"),
        ctx.sns()
            .set_topic_attributes()
            .topic_arn(arn)
            .attribute_name(name)
            .attribute_value(value)
            .send(),
    )
    .await
    .map(|_| ())
}

pub async fn retag_topic(
    ctx: &ProviderData,
    arn: &str,
    old: &Tags,
    new: &Tags,
) -> Result<(), AwsError> {
    let c = format!("sns topic {arn} tags");
    let stale: Vec<String> = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    if !stale.is_empty() {
        ctx.call(
            &c,
            ctx.sns()
                .untag_resource()
                .resource_arn(arn)
                .set_tag_keys(Some(stale))
                .send(),
        )
        .await?;
    }
    ctx.call(
        &c,
        ctx.sns()
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(sns_tags(new)))
            .send(),
    )
    .await
    .map(|_| ())
}

/// The tags of alarms `names` (in this account and region) brought from `old` to `new`: keys no
/// longer given removed, the others put. PutMetricAlarm sets tags only when it creates an alarm.
pub async fn retag_alarms(
    ctx: &ProviderData,
    place: &Place,
    names: &[String],
    old: &Tags,
    new: &Tags,
) -> Result<(), AwsError> {
    let stale: Vec<String> = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    for name in names {
        let arn = place.arn("cloudwatch", &format!("alarm:{name}"));
        let c = format!("cloudwatch alarm {name} tags");
        if !stale.is_empty() {
            ctx.call(
                &c,
                ctx.cloudwatch()
                    .untag_resource()
                    .resource_arn(&arn)
                    .set_tag_keys(Some(stale.clone()))
                    .send(),
            )
            .await?;
        }
        ctx.call(
            &c,
            ctx.cloudwatch()
                .tag_resource()
                .resource_arn(&arn)
                .set_tags(Some(cw_tags(new)))
                .send(),
        )
        .await?;
    }
    Ok(())
}

/// Topic attributes, `None` when the topic does not exist.
pub async fn topic_attributes(
    ctx: &ProviderData,
    arn: &str,
) -> Result<Option<HashMap<String, String>>, AwsError> {
    Ok(found(
        ctx.call(
            &format!("sns topic {arn}"),
            ctx.sns().get_topic_attributes().topic_arn(arn).send(),
        )
        .await,
    )?
    .map(|out| out.attributes.unwrap_or_default()))
}

pub async fn topic_tags(ctx: &ProviderData, arn: &str) -> Result<Tags, AwsError> {
    let out = ctx
        .call(
            &format!("sns topic {arn} tags"),
            ctx.sns().list_tags_for_resource().resource_arn(arn).send(),
        )
        .await?;
    Ok(out
        .tags
        .unwrap_or_default()
        .into_iter()
        .map(|t| (t.key, t.value))
        .collect())
}

pub async fn delete_topic(ctx: &ProviderData, arn: &str) -> Result<(), AwsError> {
    match ctx
        .call(
            &format!("sns topic {arn}"),
            ctx.sns().delete_topic().topic_arn(arn).send(),
        )
        .await
    {
        Err(e) if !e.is_not_found() => Err(e),
        _ => Ok(()),
    }
}

#[derive(Clone, Debug)]
pub struct Sub {
    pub arn: String,
    pub protocol: String,
    pub endpoint: String,
}

impl Sub {
    /// An email subscription nobody has confirmed yet has no ARN; that is not drift.
    pub fn pending(&self) -> bool {
        self.arn.eq_ignore_ascii_case("PendingConfirmation")
            || self.arn.eq_ignore_ascii_case("pending confirmation")
    }
}

pub async fn subscriptions(ctx: &ProviderData, topic: &str) -> Result<Vec<Sub>, AwsError> {
    let c = format!("sns subscriptions of {topic}");
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = ctx
            .call(
                &c,
                ctx.sns()
                    .list_subscriptions_by_topic()
                    .topic_arn(topic)
                    .set_next_token(token.take())
                    .send(),
            )
            .await?;
        for s in page.subscriptions.unwrap_or_default() {
            out.push(Sub {
                arn: s.subscription_arn.unwrap_or_default(),
                protocol: s.protocol.unwrap_or_default(),
                endpoint: s.endpoint.unwrap_or_default(),
            });
        }
        match page.next_token {
            Some(t) if !t.is_empty() => token = Some(t),
            _ => return Ok(out),
        }
    }
}

pub async fn subscribe(
    ctx: &ProviderData,
    topic: &str,
    protocol: &str,
    endpoint: &str,
) -> Result<String, AwsError> {
    let c = format!("sns subscription {protocol} on {topic}");
    let out = ctx
        .call(
            &c,
            ctx.sns()
                .subscribe()
                .topic_arn(topic)
                .protocol(protocol)
                .endpoint(endpoint)
                .return_subscription_arn(true)
                .send(),
        )
        .await?;
    out.subscription_arn
        .ok_or_else(|| invalid(&c, "Subscribe returned no ARN"))
}

pub async fn unsubscribe(ctx: &ProviderData, arn: &str) -> Result<(), AwsError> {
    match ctx
        .call(
            &format!("sns subscription {arn}"),
            ctx.sns().unsubscribe().subscription_arn(arn).send(),
        )
        .await
    {
        Err(e) if !e.is_not_found() => Err(e),
        _ => Ok(()),
    }
}

// ---- CloudWatch ----

/// Tags as CloudWatch takes them.
pub(super) fn cw_tags(tags: &Tags) -> Vec<aws_sdk_cloudwatch::types::Tag> {
    tags.iter()
        .map(|(k, v)| {
            aws_sdk_cloudwatch::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
        })
        .collect()
}

/// Metric dimensions as CloudWatch takes them.
pub(super) fn cw_dimensions(d: &Tags) -> Vec<Dimension> {
    d.iter()
        .map(|(k, v)| Dimension::builder().name(k).value(v).build())
        .collect()
}

/// The actions of an alarm as `h` sets them: enabled (CloudWatch.17), notifying `topic` on alarm
/// and, when `h` says, on recovery (CloudWatch.15).
pub(super) fn routed(
    req: PutMetricAlarmFluentBuilder,
    h: &Hardening,
    topic: &str,
) -> PutMetricAlarmFluentBuilder {
    req.actions_enabled(h.alarm_actions_enabled)
        .alarm_actions(topic)
        .set_ok_actions(h.ok_actions.then(|| vec![topic.to_string()]))
}

pub async fn put_alarm(
    ctx: &ProviderData,
    full_name: &str,
    a: &Alarm,
    topic: &str,
    h: &Hardening,
    tags: &Tags,
) -> Result<(), AwsError> {
    let c = format!("cloudwatch alarm {full_name}");
    let threshold = a
        .threshold
        .as_f64()
        .ok_or_else(|| invalid(&c, "threshold is not a finite number"))?;
    let req = ctx
        .cloudwatch()
        .put_metric_alarm()
        .alarm_name(full_name)
        .alarm_description(format!("prod_alerting {} ({})", a.name, a.severity))
        .evaluation_periods(a.evaluation_periods as i32)
        .set_datapoints_to_alarm(a.datapoints_to_alarm.map(|n| n as i32))
        .set_unit(a.unit.as_deref().map(StandardUnit::from))
        .comparison_operator(ComparisonOperator::from(a.comparison.as_str()))
        .threshold(threshold)
        .treat_missing_data(&a.treat_missing_data);
    let req = packs::measured(req, &custom::measure(a), a.period as i32);
    let req = routed(req, h, topic).set_tags(Some(cw_tags(tags)));
    ctx.call(&c, req.send()).await.map(|_| ())
}

/// DescribeAlarms for a list of names, 100 per call.
pub async fn describe_alarms(
    ctx: &ProviderData,
    names: &[String],
) -> Result<Vec<MetricAlarm>, AwsError> {
    let mut out = Vec::new();
    for chunk in names.chunks(100) {
        let page = ctx
            .call(
                "cloudwatch alarms",
                ctx.cloudwatch()
                    .describe_alarms()
                    .set_alarm_names(Some(chunk.to_vec()))
                    .max_records(100)
                    .send(),
            )
            .await?;
        out.extend(page.metric_alarms.unwrap_or_default());
    }
    Ok(out)
}

/// Every metric alarm whose name starts with `prefix` (for import).
pub async fn alarms_with_prefix(
    ctx: &ProviderData,
    prefix: &str,
) -> Result<Vec<MetricAlarm>, AwsError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = ctx
            .call(
                "cloudwatch alarms",
                ctx.cloudwatch()
                    .describe_alarms()
                    .alarm_name_prefix(prefix)
                    .set_next_token(token.take())
                    .send(),
            )
            .await?;
        out.extend(page.metric_alarms.unwrap_or_default());
        match page.next_token {
            Some(t) if !t.is_empty() => token = Some(t),
            _ => return Ok(out),
        }
    }
}

pub async fn delete_alarms(ctx: &ProviderData, names: &[String]) -> Result<(), AwsError> {
    for chunk in names.chunks(100) {
        match ctx
            .call(
                "cloudwatch alarms",
                ctx.cloudwatch()
                    .delete_alarms()
                    .set_alarm_names(Some(chunk.to_vec()))
                    .send(),
            )
            .await
        {
            Err(e) if !e.is_not_found() => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// An alarm's threshold as AWS reports it (absent reads as 0), as the `alarm` block holds it.
pub fn threshold_from_aws(m: &MetricAlarm) -> Number {
    Number::from_f64(m.threshold.unwrap_or_default())
}

/// The alarm block AWS reports, under the configured `name` (without the resource prefix);
/// `prior`, the block as it was, says whether an empty dimensions map was written.
pub fn alarm_from_aws(
    m: &MetricAlarm,
    short_name: &str,
    severity: &str,
    prior: Option<&Alarm>,
) -> Alarm {
    let had_dimensions = prior.is_some_and(|a| a.dimensions.is_some());
    let dims: Tags = m
        .dimensions
        .iter()
        .flatten()
        .map(|d| {
            (
                d.name.clone().unwrap_or_default(),
                d.value.clone().unwrap_or_default(),
            )
        })
        .collect();
    let math = custom::math_from_aws(m, prior);
    let period = match &math {
        Some((_, _, p)) => *p,
        None => m.period.unwrap_or_default() as i64,
    };
    let (expression, metric) =
        math.map_or((None, Value::List(Vec::new())), |(e, b, _)| (Some(e), b));
    Alarm {
        name: short_name.to_string(),
        namespace: m.namespace.clone(),
        metric_name: m.metric_name.clone(),
        dimensions: if dims.is_empty() && !had_dimensions {
            None
        } else {
            Some(dims)
        },
        statistic: m
            .statistic
            .as_ref()
            .map(|s| s.as_str().to_string())
            .or_else(|| m.extended_statistic.clone()),
        expression,
        period,
        evaluation_periods: m.evaluation_periods.unwrap_or_default() as i64,
        datapoints_to_alarm: m.datapoints_to_alarm.map(i64::from),
        unit: m.unit.as_ref().map(|u| u.as_str().to_string()),
        comparison: m
            .comparison_operator
            .as_ref()
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        threshold: threshold_from_aws(m),
        severity: severity.to_string(),
        treat_missing_data: m
            .treat_missing_data
            .clone()
            .unwrap_or_else(|| "missing".to_string()),
        metric,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unconfirmed_subscriptions_are_pending_not_drift() {
        let sub = |arn: &str| Sub {
            arn: arn.into(),
            protocol: "email".into(),
            endpoint: "a@example.com".into(),
        };
        assert!(sub("PendingConfirmation").pending());
        assert!(sub("pending confirmation").pending());
        assert!(!sub("arn:aws:sns:us-east-1:123456789012:ops-critical:1f2e").pending());
    }

    #[test]
    fn key_ids_from_arns() {
        assert_eq!(
            key_id("arn:aws:kms:us-east-1:123456789012:key/abcd-1234"),
            "abcd-1234"
        );
        assert_eq!(key_id("abcd-1234"), "abcd-1234");
    }
}
