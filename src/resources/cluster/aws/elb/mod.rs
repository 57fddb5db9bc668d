//! Elastic Load Balancing v2: the application load balancer, its attributes and listeners (in
//! `listeners`), and the target group.

use std::collections::BTreeMap;

use aws_sdk_elasticloadbalancingv2::types::{
    LoadBalancerAttribute, LoadBalancerSchemeEnum, LoadBalancerTypeEnum, Matcher, ProtocolEnum,
    Tag, TargetTypeEnum,
};

mod listeners;

pub use listeners::{
    create_http_redirect, create_https, delete_listener, listeners, modify_http_redirect,
    modify_https, Default, ListenerFacts,
};

use super::Tags;
use crate::provider::ec2::{created, removed, sent};
use crate::provider::error::{found, AwsError};
use crate::provider::ProviderData;
use crate::resources::cluster::health_check::HealthCheck;

/// Tags as load balancing takes them.
fn elb_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// A load balancer as read.
#[derive(Clone, Debug, Default)]
pub struct LbFacts {
    pub arn: String,
    pub dns_name: String,
    pub subnets: Vec<String>,
    pub zones: Vec<String>,
    pub security_groups: Vec<String>,
    pub internet_facing: bool,
}

/// The facts of a load balancer AWS described.
fn lb_facts(lb: aws_sdk_elasticloadbalancingv2::types::LoadBalancer) -> LbFacts {
    let azs = lb.availability_zones.unwrap_or_default();
    LbFacts {
        arn: lb.load_balancer_arn.unwrap_or_default(),
        dns_name: lb.dns_name.unwrap_or_default(),
        subnets: azs.iter().filter_map(|a| a.subnet_id.clone()).collect(),
        zones: azs.iter().filter_map(|a| a.zone_name.clone()).collect(),
        security_groups: lb.security_groups.unwrap_or_default(),
        internet_facing: lb.scheme == Some(LoadBalancerSchemeEnum::InternetFacing),
    }
}

/// The load balancer named, `None` when there is none.
pub async fn find_lb(ctx: &ProviderData, name: &str) -> Result<Option<LbFacts>, AwsError> {
    Ok(found(
        ctx.call(
            &format!("load balancer {name}"),
            ctx.elbv2().describe_load_balancers().names(name).send(),
        )
        .await,
    )?
    .and_then(|out| {
        out.load_balancers
            .unwrap_or_default()
            .into_iter()
            .next()
            .map(lb_facts)
    }))
}

/// Returns once DescribeLoadBalancers lists the load balancer `name` made moments ago (AWS's
/// eventual consistency: rule 2 of `provider::retry`).
pub async fn visible(ctx: &ProviderData, name: &str) -> Result<(), AwsError> {
    let what = format!("load balancer {name}");
    crate::provider::retry::settle(ctx, &what, || async {
        match find_lb(ctx, name).await? {
            Some(_) => Ok(()),
            None => Err(AwsError::Api {
                component: what.clone(),
                code: "LoadBalancerNotFound".into(),
                message: "not listed yet".into(),
            }),
        }
    })
    .await
}

/// Creates the internet-facing application load balancer; returns its facts.
pub async fn create_lb(
    ctx: &ProviderData,
    name: &str,
    subnets: &[String],
    sg: &str,
    tags: &Tags,
) -> Result<LbFacts, AwsError> {
    created(
        ctx,
        &format!("load balancer {name}"),
        ctx.elbv2()
            .create_load_balancer()
            .name(name)
            .r#type(LoadBalancerTypeEnum::Application)
            .scheme(LoadBalancerSchemeEnum::InternetFacing)
            .set_subnets(Some(subnets.to_vec()))
            .security_groups(sg)
            .set_tags(Some(elb_tags(tags)))
            .send(),
        |out| {
            out.load_balancers
                .unwrap_or_default()
                .into_iter()
                .next()
                .map(lb_facts)
        },
        "no load balancer returned",
    )
    .await
}

/// Moves the load balancer to `subnets`.
pub async fn set_lb_subnets(
    ctx: &ProviderData,
    arn: &str,
    subnets: &[String],
) -> Result<(), AwsError> {
    let set = ctx.elbv2().set_subnets().load_balancer_arn(arn);
    let set = set.set_subnets(Some(subnets.to_vec()));
    sent(ctx, "load balancer subnets", set.send()).await
}

/// Puts the load balancer in security group `sg` (and no other).
pub async fn set_lb_security_group(
    ctx: &ProviderData,
    arn: &str,
    sg: &str,
) -> Result<(), AwsError> {
    let set = ctx.elbv2().set_security_groups().load_balancer_arn(arn);
    sent(
        ctx,
        "load balancer security groups",
        set.security_groups(sg).send(),
    )
    .await
}

/// The load balancer's attributes, by key.
pub async fn lb_attributes(
    ctx: &ProviderData,
    arn: &str,
) -> Result<BTreeMap<String, String>, AwsError> {
    let out = ctx
        .call(
            "load balancer attributes",
            ctx.elbv2()
                .describe_load_balancer_attributes()
                .load_balancer_arn(arn)
                .send(),
        )
        .await?;
    Ok(out
        .attributes
        .unwrap_or_default()
        .into_iter()
        .filter_map(|a| Some((a.key?, a.value?)))
        .collect())
}

/// Sets the load balancer's attributes named.
pub async fn set_lb_attributes(
    ctx: &ProviderData,
    arn: &str,
    attrs: &[(&str, String)],
) -> Result<(), AwsError> {
    let attrs = attrs
        .iter()
        .map(|(k, v)| LoadBalancerAttribute::builder().key(*k).value(v).build())
        .collect();
    let modify = ctx.elbv2().modify_load_balancer_attributes();
    let modify = modify.load_balancer_arn(arn).set_attributes(Some(attrs));
    sent(ctx, "load balancer attributes", modify.send()).await
}

/// Deletes the load balancer (done when it is already gone).
pub async fn delete_lb(ctx: &ProviderData, arn: &str) -> Result<(), AwsError> {
    let delete = ctx.elbv2().delete_load_balancer().load_balancer_arn(arn);
    removed(ctx, "load balancer", delete.send()).await
}

// ---- target group ----

/// `$b` (a create or modify target group call) with every health check setting of `$hc`: the two
/// calls' builders are different types with the same setters.
macro_rules! health_check {
    ($b:expr, $hc:expr) => {{
        let hc: &HealthCheck = $hc;
        $b.health_check_enabled(true)
            .health_check_path(&hc.path)
            .health_check_interval_seconds(seconds(hc.interval))
            .health_check_timeout_seconds(seconds(hc.timeout))
            .healthy_threshold_count(seconds(hc.healthy_threshold))
            .unhealthy_threshold_count(seconds(hc.unhealthy_threshold))
            .matcher(Matcher::builder().http_code(&hc.matcher).build())
    }};
}

/// A target group as read.
#[derive(Clone, Debug, Default)]
pub struct TgFacts {
    pub arn: String,
    pub port: i32,
    pub health_check: HealthCheck,
    pub load_balancers: Vec<String>,
}

/// The target group named, `None` when there is none.
pub async fn find_tg(ctx: &ProviderData, name: &str) -> Result<Option<TgFacts>, AwsError> {
    Ok(found(
        ctx.call(
            &format!("target group {name}"),
            ctx.elbv2().describe_target_groups().names(name).send(),
        )
        .await,
    )?
    .and_then(|out| {
        out.target_groups
            .unwrap_or_default()
            .into_iter()
            .next()
            .map(|t| TgFacts {
                arn: t.target_group_arn.unwrap_or_default(),
                port: t.port.unwrap_or_default(),
                health_check: HealthCheck {
                    path: t.health_check_path.unwrap_or_default(),
                    interval: t
                        .health_check_interval_seconds
                        .map(i64::from)
                        .unwrap_or_default(),
                    timeout: t
                        .health_check_timeout_seconds
                        .map(i64::from)
                        .unwrap_or_default(),
                    healthy_threshold: t.healthy_threshold_count.map(i64::from).unwrap_or_default(),
                    unhealthy_threshold: t
                        .unhealthy_threshold_count
                        .map(i64::from)
                        .unwrap_or_default(),
                    matcher: t.matcher.and_then(|m| m.http_code).unwrap_or_default(),
                },
                load_balancers: t.load_balancer_arns.unwrap_or_default(),
            })
    }))
}

/// Creates the target group (HTTP to the instances, health checked as `hc` says); returns its ARN.
pub async fn create_tg(
    ctx: &ProviderData,
    name: &str,
    vpc: &str,
    port: i32,
    hc: &HealthCheck,
    tags: &Tags,
) -> Result<String, AwsError> {
    let create = ctx.elbv2().create_target_group();
    created(
        ctx,
        &format!("target group {name}"),
        health_check!(create, hc)
            .name(name)
            .protocol(ProtocolEnum::Http)
            .port(port)
            .vpc_id(vpc)
            .target_type(TargetTypeEnum::Instance)
            .set_tags(Some(elb_tags(tags)))
            .send(),
        |out| {
            out.target_groups
                .unwrap_or_default()
                .into_iter()
                .next()
                .and_then(|t| t.target_group_arn)
        },
        "no target group returned",
    )
    .await
}

/// Sets every setting of the target group's health check to `hc`'s.
pub async fn set_health_check(
    ctx: &ProviderData,
    arn: &str,
    hc: &HealthCheck,
) -> Result<(), AwsError> {
    let modify = ctx.elbv2().modify_target_group().target_group_arn(arn);
    sent(ctx, "target group", health_check!(modify, hc).send()).await
}

/// A validated health check number (validation keeps them within AWS's small ranges).
fn seconds(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// Deletes the target group (done when it is already gone).
pub async fn delete_tg(ctx: &ProviderData, arn: &str) -> Result<(), AwsError> {
    let delete = ctx.elbv2().delete_target_group().target_group_arn(arn);
    removed(ctx, "target group", delete.send()).await
}

// ---- tags ----

/// A load-balancing object's tags.
pub async fn tags_of(ctx: &ProviderData, arn: &str) -> Result<Tags, AwsError> {
    let out = ctx
        .call(
            "load balancer tags",
            ctx.elbv2().describe_tags().resource_arns(arn).send(),
        )
        .await?;
    Ok(out
        .tag_descriptions
        .unwrap_or_default()
        .into_iter()
        .flat_map(|d| d.tags.unwrap_or_default())
        .filter_map(|t| Some((t.key?, t.value?)))
        .collect())
}

/// Retags load-balancing objects from `old` to `new` (keys no longer wanted are removed).
pub async fn tag(
    ctx: &ProviderData,
    arns: Vec<String>,
    old: &Tags,
    new: &Tags,
) -> Result<(), AwsError> {
    if arns.is_empty() {
        return Ok(());
    }
    let stale = crate::provider::tags::stale_keys(old, new);
    if !stale.is_empty() {
        ctx.call(
            "load balancer tags",
            ctx.elbv2()
                .remove_tags()
                .set_resource_arns(Some(arns.clone()))
                .set_tag_keys(Some(stale))
                .send(),
        )
        .await?;
    }
    ctx.call(
        "load balancer tags",
        ctx.elbv2()
            .add_tags()
            .set_resource_arns(Some(arns))
            .set_tags(Some(elb_tags(new)))
            .send(),
    )
    .await
    .map(|_| ())
}
