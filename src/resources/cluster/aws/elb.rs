//! Elastic Load Balancing v2: the application load balancer, its attributes and listeners, and the
//! target group.

use std::collections::BTreeMap;

use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, Certificate, LoadBalancerAttribute, LoadBalancerSchemeEnum,
    LoadBalancerTypeEnum, Matcher, ProtocolEnum, RedirectActionConfig,
    RedirectActionStatusCodeEnum, Tag, TargetTypeEnum,
};

use super::{invalid, Tags};
use crate::provider::error::{found, ok_if_missing, AwsError};
use crate::provider::ProviderData;

fn elb_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

#[derive(Clone, Debug, Default)]
pub struct LbFacts {
    pub arn: String,
    pub dns_name: String,
    pub subnets: Vec<String>,
    pub zones: Vec<String>,
    pub security_groups: Vec<String>,
    pub internet_facing: bool,
}

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

pub async fn create_lb(
    ctx: &ProviderData,
    name: &str,
    subnets: &[String],
    sg: &str,
    tags: &Tags,
) -> Result<LbFacts, AwsError> {
    let c = format!("load balancer {name}");
    let out = ctx
        .call(
            &c,
            ctx.elbv2()
                .create_load_balancer()
                .name(name)
                .r#type(LoadBalancerTypeEnum::Application)
                .scheme(LoadBalancerSchemeEnum::InternetFacing)
                .set_subnets(Some(subnets.to_vec()))
                .security_groups(sg)
                .set_tags(Some(elb_tags(tags)))
                .send(),
        )
        .await?;
    out.load_balancers
        .unwrap_or_default()
        .into_iter()
        .next()
        .map(lb_facts)
        .ok_or_else(|| invalid(&c, "no load balancer returned"))
}

pub async fn set_lb_subnets(
    ctx: &ProviderData,
    arn: &str,
    subnets: &[String],
) -> Result<(), AwsError> {
    ctx.call(
        "load balancer subnets",
        ctx.elbv2()
            .set_subnets()
            .load_balancer_arn(arn)
            .set_subnets(Some(subnets.to_vec()))
            .send(),
    )
    .await
    .map(|_| ())
}

pub async fn set_lb_security_group(
    ctx: &ProviderData,
    arn: &str,
    sg: &str,
) -> Result<(), AwsError> {
    ctx.call(
        "load balancer security groups",
        ctx.elbv2()
            .set_security_groups()
            .load_balancer_arn(arn)
            .security_groups(sg)
            .send(),
    )
    .await
    .map(|_| ())
}

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

pub async fn set_lb_attributes(
    ctx: &ProviderData,
    arn: &str,
    attrs: &[(&str, String)],
) -> Result<(), AwsError> {
    ctx.call(
        "load balancer attributes",
        ctx.elbv2()
            .modify_load_balancer_attributes()
            .load_balancer_arn(arn)
            .set_attributes(Some(
                attrs
                    .iter()
                    .map(|(k, v)| LoadBalancerAttribute::builder().key(*k).value(v).build())
                    .collect(),
            ))
            .send(),
    )
    .await
    .map(|_| ())
}

pub async fn delete_lb(ctx: &ProviderData, arn: &str) -> Result<(), AwsError> {
    ok_if_missing(
        ctx.call(
            "load balancer",
            ctx.elbv2()
                .delete_load_balancer()
                .load_balancer_arn(arn)
                .send(),
        )
        .await
        .map(|_| ()),
    )
}

// ---- target group ----

#[derive(Clone, Debug, Default)]
pub struct TgFacts {
    pub arn: String,
    pub port: i32,
    pub health_check_path: String,
    pub load_balancers: Vec<String>,
}

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
                health_check_path: t.health_check_path.unwrap_or_default(),
                load_balancers: t.load_balancer_arns.unwrap_or_default(),
            })
    }))
}

pub async fn create_tg(
    ctx: &ProviderData,
    name: &str,
    vpc: &str,
    port: i32,
    path: &str,
    tags: &Tags,
) -> Result<String, AwsError> {
    let c = format!("target group {name}");
    let out = ctx
        .call(
            &c,
            ctx.elbv2()
                .create_target_group()
                .name(name)
                .protocol(ProtocolEnum::Http)
                .port(port)
                .vpc_id(vpc)
                .target_type(TargetTypeEnum::Instance)
                .health_check_enabled(true)
                .health_check_path(path)
                .health_check_interval_seconds(15)
                .healthy_threshold_count(2)
                .unhealthy_threshold_count(3)
                .matcher(Matcher::builder().http_code("200-399").build())
                .set_tags(Some(elb_tags(tags)))
                .send(),
        )
        .await?;
    out.target_groups
        .unwrap_or_default()
        .into_iter()
        .next()
        .and_then(|t| t.target_group_arn)
        .ok_or_else(|| invalid(&c, "no target group returned"))
}

pub async fn set_health_check_path(
    ctx: &ProviderData,
    arn: &str,
    path: &str,
) -> Result<(), AwsError> {
    ctx.call(
        "target group",
        ctx.elbv2()
            .modify_target_group()
            .target_group_arn(arn)
            .health_check_path(path)
            .send(),
    )
    .await
    .map(|_| ())
}

pub async fn delete_tg(ctx: &ProviderData, arn: &str) -> Result<(), AwsError> {
    ok_if_missing(
        ctx.call(
            "target group",
            ctx.elbv2()
                .delete_target_group()
                .target_group_arn(arn)
                .send(),
        )
        .await
        .map(|_| ()),
    )
}

// ---- listeners ----

/// What a listener does by default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Default {
    Forward(String),
    RedirectHttps,
    Other(String),
}

#[derive(Clone, Debug)]
pub struct ListenerFacts {
    pub arn: String,
    pub port: i32,
    pub protocol: String,
    pub ssl_policy: Option<String>,
    pub certificate: Option<String>,
    pub default: Default,
}

fn default_of(actions: &[Action]) -> Default {
    match actions.first() {
        Some(a) if a.r#type == Some(ActionTypeEnum::Forward) => {
            Default::Forward(a.target_group_arn.clone().unwrap_or_default())
        }
        Some(a) if a.r#type == Some(ActionTypeEnum::Redirect) => {
            let r = a.redirect_config.as_ref();
            let https = r.and_then(|r| r.protocol.as_deref()) == Some("HTTPS")
                && r.and_then(|r| r.port.as_deref()).is_none_or(|p| p == "443");
            if https {
                Default::RedirectHttps
            } else {
                Default::Other("redirect to another target".into())
            }
        }
        Some(a) => Default::Other(
            a.r#type
                .as_ref()
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
        ),
        None => Default::Other("no action".into()),
    }
}

pub async fn listeners(ctx: &ProviderData, lb_arn: &str) -> Result<Vec<ListenerFacts>, AwsError> {
    // None when the load balancer is gone: no listeners.
    Ok(found(
        ctx.call(
            "listeners",
            ctx.elbv2()
                .describe_listeners()
                .load_balancer_arn(lb_arn)
                .send(),
        )
        .await,
    )?
    .map(|out| {
        out.listeners
            .unwrap_or_default()
            .into_iter()
            .map(|l| ListenerFacts {
                arn: l.listener_arn.clone().unwrap_or_default(),
                port: l.port.unwrap_or_default(),
                protocol: l
                    .protocol
                    .as_ref()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default(),
                ssl_policy: l.ssl_policy.clone(),
                certificate: l
                    .certificates
                    .iter()
                    .flatten()
                    .find_map(|c| c.certificate_arn.clone()),
                default: default_of(l.default_actions()),
            })
            .collect()
    })
    .unwrap_or_default())
}

fn forward(tg: &str) -> Action {
    Action::builder()
        .r#type(ActionTypeEnum::Forward)
        .target_group_arn(tg)
        .build()
}

fn redirect_https() -> Action {
    Action::builder()
        .r#type(ActionTypeEnum::Redirect)
        .redirect_config(
            RedirectActionConfig::builder()
                .protocol("HTTPS")
                .port("443")
                .status_code(RedirectActionStatusCodeEnum::Http301)
                .build(),
        )
        .build()
}

pub async fn create_https(
    ctx: &ProviderData,
    lb_arn: &str,
    cert: &str,
    policy: &str,
    tg: &str,
    tags: &Tags,
) -> Result<String, AwsError> {
    let out = ctx
        .call(
            "https listener",
            ctx.elbv2()
                .create_listener()
                .load_balancer_arn(lb_arn)
                .protocol(ProtocolEnum::Https)
                .port(443)
                .ssl_policy(policy)
                .certificates(Certificate::builder().certificate_arn(cert).build())
                .default_actions(forward(tg))
                .set_tags(Some(elb_tags(tags)))
                .send(),
        )
        .await?;
    out.listeners
        .unwrap_or_default()
        .into_iter()
        .next()
        .and_then(|l| l.listener_arn)
        .ok_or_else(|| invalid("https listener", "no listener returned"))
}

pub async fn modify_https(
    ctx: &ProviderData,
    arn: &str,
    cert: &str,
    policy: &str,
    tg: &str,
) -> Result<(), AwsError> {
    ctx.call(
        "https listener",
        ctx.elbv2()
            .modify_listener()
            .listener_arn(arn)
            .protocol(ProtocolEnum::Https)
            .port(443)
            .ssl_policy(policy)
            .certificates(Certificate::builder().certificate_arn(cert).build())
            .default_actions(forward(tg))
            .send(),
    )
    .await
    .map(|_| ())
}

pub async fn create_http_redirect(
    ctx: &ProviderData,
    lb_arn: &str,
    tags: &Tags,
) -> Result<String, AwsError> {
    let out = ctx
        .call(
            "http listener",
            ctx.elbv2()
                .create_listener()
                .load_balancer_arn(lb_arn)
                .protocol(ProtocolEnum::Http)
                .port(80)
                .default_actions(redirect_https())
                .set_tags(Some(elb_tags(tags)))
                .send(),
        )
        .await?;
    out.listeners
        .unwrap_or_default()
        .into_iter()
        .next()
        .and_then(|l| l.listener_arn)
        .ok_or_else(|| invalid("http listener", "no listener returned"))
}

pub async fn modify_http_redirect(ctx: &ProviderData, arn: &str) -> Result<(), AwsError> {
    ctx.call(
        "http listener",
        ctx.elbv2()
            .modify_listener()
            .listener_arn(arn)
            .protocol(ProtocolEnum::Http)
            .port(80)
            .default_actions(redirect_https())
            .send(),
    )
    .await
    .map(|_| ())
}

pub async fn delete_listener(ctx: &ProviderData, arn: &str) -> Result<(), AwsError> {
    ok_if_missing(
        ctx.call(
            "listener",
            ctx.elbv2().delete_listener().listener_arn(arn).send(),
        )
        .await
        .map(|_| ()),
    )
}

// ---- tags ----

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
