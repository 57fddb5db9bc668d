//! The load balancer's listeners: HTTPS on 443 forwarding to the target group, HTTP on 80
//! redirecting to it.

use aws_sdk_elasticloadbalancingv2::operation::create_listener::builders::CreateListenerFluentBuilder;
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, Certificate, ProtocolEnum, RedirectActionConfig,
    RedirectActionStatusCodeEnum,
};

use super::{elb_tags, Tags};
use crate::provider::ec2::{created, removed, sent};
use crate::provider::error::{found, AwsError};
use crate::provider::ProviderData;

/// What a listener does by default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Default {
    Forward(String),
    RedirectHttps,
    Other(String),
}

/// A listener as read.
#[derive(Clone, Debug)]
pub struct ListenerFacts {
    pub arn: String,
    pub port: i32,
    pub protocol: String,
    pub ssl_policy: Option<String>,
    pub certificate: Option<String>,
    pub default: Default,
}

/// What the first of a listener's default actions does.
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

/// The load balancer's listeners.
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

/// Forward to the target group.
fn forward(tg: &str) -> Action {
    Action::builder()
        .r#type(ActionTypeEnum::Forward)
        .target_group_arn(tg)
        .build()
}

/// Redirect to HTTPS on 443 (301).
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

/// Creates the HTTPS listener on 443, forwarding to the target group; returns its ARN.
pub async fn create_https(
    ctx: &ProviderData,
    lb_arn: &str,
    cert: &str,
    policy: &str,
    tg: &str,
    tags: &Tags,
) -> Result<String, AwsError> {
    let create = ctx.elbv2().create_listener().load_balancer_arn(lb_arn);
    let create = create
        .protocol(ProtocolEnum::Https)
        .port(443)
        .ssl_policy(policy)
        .certificates(Certificate::builder().certificate_arn(cert).build())
        .default_actions(forward(tg));
    create_listener(ctx, "https listener", create, tags).await
}

/// Brings the HTTPS listener back to 443, the certificate, the policy and the target group.
pub async fn modify_https(
    ctx: &ProviderData,
    arn: &str,
    cert: &str,
    policy: &str,
    tg: &str,
) -> Result<(), AwsError> {
    sent(
        ctx,
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
}

/// Creates the HTTP listener on 80 that redirects to HTTPS; returns its ARN.
pub async fn create_http_redirect(
    ctx: &ProviderData,
    lb_arn: &str,
    tags: &Tags,
) -> Result<String, AwsError> {
    let create = ctx.elbv2().create_listener().load_balancer_arn(lb_arn);
    let create = create
        .protocol(ProtocolEnum::Http)
        .port(80)
        .default_actions(redirect_https());
    create_listener(ctx, "http listener", create, tags).await
}

/// Brings the HTTP listener back to redirecting to HTTPS.
pub async fn modify_http_redirect(ctx: &ProviderData, arn: &str) -> Result<(), AwsError> {
    sent(
        ctx,
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
}

/// Deletes a listener (done when it is already gone).
pub async fn delete_listener(ctx: &ProviderData, arn: &str) -> Result<(), AwsError> {
    let delete = ctx.elbv2().delete_listener().listener_arn(arn);
    removed(ctx, "listener", delete.send()).await
}

/// Creates the listener `create` describes (its port, protocol and action), with the tags; returns
/// its ARN.
async fn create_listener(
    ctx: &ProviderData,
    c: &str,
    create: CreateListenerFluentBuilder,
    tags: &Tags,
) -> Result<String, AwsError> {
    created(
        ctx,
        c,
        create.set_tags(Some(elb_tags(tags))).send(),
        |out| {
            out.listeners
                .unwrap_or_default()
                .into_iter()
                .next()
                .and_then(|l| l.listener_arn)
        },
        "no listener returned",
    )
    .await
}
