//! The web ACL's calls: find, get, create, update, delete, and its association with the load
//! balancer.

use super::super::invalid;
use super::rules::{allow_by_default, live_rules, sdk_rules, visibility};
use super::{aws_tags, find_named, found, get, page, removed, wbp, Ref, Tags, WebAcl, SCOPE};
use crate::provider::ec2::sent;
use crate::provider::error::AwsError;
use crate::provider::ProviderData;

/// The web ACL named `name`, `None` when there is none.
pub async fn find_web_acl(ctx: &ProviderData, name: &str) -> Result<Option<Ref>, AwsError> {
    find_named(name, |marker| async move {
        page!(
            ctx,
            "web acl",
            ctx.wafv2().list_web_acls(),
            web_acls,
            marker
        )
    })
    .await
}

/// The web ACL `r`, `None` when it is gone.
pub async fn get_web_acl(ctx: &ProviderData, r: &Ref) -> Result<Option<WebAcl>, AwsError> {
    let out = get!(ctx, "web acl", ctx.wafv2().get_web_acl(), r)?;
    Ok(out.and_then(|o| {
        let acl = o.web_acl?;
        Some(WebAcl {
            r: r.clone(),
            rules: live_rules(acl.rules()),
            lock: o.lock_token.unwrap_or_default(),
        })
    }))
}

pub async fn create_web_acl(
    ctx: &ProviderData,
    name: &str,
    rules: &[wbp::Rule],
    tags: &Tags,
) -> Result<Ref, AwsError> {
    let out = ctx
        .call(
            "web acl",
            ctx.wafv2()
                .create_web_acl()
                .name(name)
                .scope(SCOPE)
                .default_action(allow_by_default())
                .description(format!("prod_cluster {name}"))
                .set_rules(Some(sdk_rules(name, rules)?))
                .visibility_config(visibility(name)?)
                .set_tags(Some(aws_tags(tags)?))
                .send(),
        )
        .await?;
    let s = out
        .summary
        .ok_or_else(|| invalid("web acl", "CreateWebACL returned no summary"))?;
    Ok(Ref::made(name, s.id(), s.arn()))
}

/// Puts `rules` on the web ACL (everything else as the blueprint makes it).
pub async fn update_web_acl(
    ctx: &ProviderData,
    acl: &WebAcl,
    rules: &[wbp::Rule],
) -> Result<(), AwsError> {
    let name = acl.r.name.as_str();
    sent(
        ctx,
        "web acl",
        ctx.wafv2()
            .update_web_acl()
            .name(name)
            .id(&acl.r.id)
            .scope(SCOPE)
            .lock_token(&acl.lock)
            .default_action(allow_by_default())
            .description(format!("prod_cluster {name}"))
            .set_rules(Some(sdk_rules(name, rules)?))
            .visibility_config(visibility(name)?)
            .send(),
    )
    .await
}

pub async fn delete_web_acl(ctx: &ProviderData, acl: &WebAcl) -> Result<(), AwsError> {
    removed(
        ctx,
        "web acl",
        ctx.wafv2()
            .delete_web_acl()
            .name(&acl.r.name)
            .id(&acl.r.id)
            .scope(SCOPE)
            .lock_token(&acl.lock)
            .send(),
    )
    .await
}

/// The ARN of the web ACL associated with resource `arn`, if any.
pub async fn web_acl_for(ctx: &ProviderData, arn: &str) -> Result<Option<String>, AwsError> {
    let out = found(
        ctx.call(
            "web acl association",
            ctx.wafv2()
                .get_web_acl_for_resource()
                .resource_arn(arn)
                .send(),
        )
        .await,
    )?;
    Ok(out.and_then(|o| o.web_acl).map(|a| a.arn().to_string()))
}

pub async fn associate(ctx: &ProviderData, acl: &str, resource: &str) -> Result<(), AwsError> {
    let associate = ctx.wafv2().associate_web_acl().web_acl_arn(acl);
    let c = "web acl association";
    sent(ctx, c, associate.resource_arn(resource).send()).await
}

pub async fn disassociate(ctx: &ProviderData, resource: &str) -> Result<(), AwsError> {
    let disassociate = ctx.wafv2().disassociate_web_acl();
    let c = "web acl association";
    removed(ctx, c, disassociate.resource_arn(resource).send()).await
}
