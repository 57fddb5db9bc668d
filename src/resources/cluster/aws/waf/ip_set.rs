//! The IP set of the addresses that bypass the web ACL's other rules: find, get, create, update,
//! delete.

use aws_sdk_wafv2::types::IpAddressVersion;

use super::super::invalid;
use super::{aws_tags, find_named, found, get, page, removed, Ref, Tags, SCOPE};
use crate::provider::ec2::sent;
use crate::provider::error::AwsError;
use crate::provider::ProviderData;

/// The IP set named `name`, `None` when there is none.
pub async fn find_ip_set(ctx: &ProviderData, name: &str) -> Result<Option<Ref>, AwsError> {
    find_named(name, |marker| async move {
        page!(ctx, "ip set", ctx.wafv2().list_ip_sets(), ip_sets, marker)
    })
    .await
}

/// The IP set's addresses (sorted) and lock token, `None` when it is gone.
pub async fn get_ip_set(
    ctx: &ProviderData,
    r: &Ref,
) -> Result<Option<(Vec<String>, String)>, AwsError> {
    let out = get!(ctx, "ip set", ctx.wafv2().get_ip_set(), r)?;
    Ok(out.and_then(|o| {
        let mut a = o.ip_set?.addresses().to_vec();
        a.sort();
        Some((a, o.lock_token.unwrap_or_default()))
    }))
}

pub async fn create_ip_set(
    ctx: &ProviderData,
    name: &str,
    addresses: &[String],
    tags: &Tags,
) -> Result<Ref, AwsError> {
    let out = ctx
        .call(
            "ip set",
            ctx.wafv2()
                .create_ip_set()
                .name(name)
                .scope(SCOPE)
                .ip_address_version(IpAddressVersion::Ipv4)
                .set_addresses(Some(addresses.to_vec()))
                .description("addresses that bypass the web ACL's other rules")
                .set_tags(Some(aws_tags(tags)?))
                .send(),
        )
        .await?;
    let s = out
        .summary
        .ok_or_else(|| invalid("ip set", "CreateIPSet returned no summary"))?;
    Ok(Ref::made(name, s.id(), s.arn()))
}

pub async fn update_ip_set(
    ctx: &ProviderData,
    r: &Ref,
    addresses: &[String],
    lock: &str,
) -> Result<(), AwsError> {
    sent(
        ctx,
        "ip set",
        ctx.wafv2()
            .update_ip_set()
            .name(&r.name)
            .id(&r.id)
            .scope(SCOPE)
            .set_addresses(Some(addresses.to_vec()))
            .description("addresses that bypass the web ACL's other rules")
            .lock_token(lock)
            .send(),
    )
    .await
}

pub async fn delete_ip_set(ctx: &ProviderData, r: &Ref, lock: &str) -> Result<(), AwsError> {
    removed(
        ctx,
        "ip set",
        ctx.wafv2()
            .delete_ip_set()
            .name(&r.name)
            .id(&r.id)
            .scope(SCOPE)
            .lock_token(lock)
            .send(),
    )
    .await
}
