//! The cache subnet group and the group's own parameter group.

use aws_sdk_elasticache::types::ParameterNameValue;

use super::{ec_tags, Tags};
use crate::provider::ec2::removed;
use crate::provider::error::{found, AwsError};
use crate::provider::ProviderData;
use crate::resources::datastore;

// ---- subnet group ----

/// The subnet group's subnets, or `None` when it does not exist.
pub async fn subnet_group(ctx: &ProviderData, name: &str) -> Result<Option<Vec<String>>, AwsError> {
    Ok(found(
        ctx.call(
            "cache subnet group",
            ctx.elasticache()
                .describe_cache_subnet_groups()
                .cache_subnet_group_name(name)
                .send(),
        )
        .await,
    )?
    .and_then(|out| {
        datastore::first_group_subnets(
            out.cache_subnet_groups,
            |g| g.subnets,
            |s| s.subnet_identifier,
        )
    }))
}

/// Cache subnet group `name` over `subnets`, made when missing.
pub async fn ensure_subnet_group(
    ctx: &ProviderData,
    name: &str,
    subnets: &[String],
    tags: &Tags,
) -> Result<(), AwsError> {
    if subnet_group(ctx, name).await?.is_some() {
        return Ok(());
    }
    ctx.call(
        "cache subnet group",
        ctx.elasticache()
            .create_cache_subnet_group()
            .cache_subnet_group_name(name)
            .cache_subnet_group_description(format!("prod_redis_cluster {name}"))
            .set_subnet_ids(Some(subnets.to_vec()))
            .set_tags(Some(ec_tags(tags)))
            .send(),
    )
    .await?;
    Ok(())
}

/// Deletes cache subnet group `name` (done when gone already).
pub async fn delete_subnet_group(ctx: &ProviderData, name: &str) -> Result<(), AwsError> {
    let delete = ctx.elasticache().delete_cache_subnet_group();
    removed(
        ctx,
        "cache subnet group",
        delete.cache_subnet_group_name(name).send(),
    )
    .await
}

// ---- parameter group ----

/// The family of parameter group `name`, or `None` when it does not exist.
pub async fn parameter_group_family(
    ctx: &ProviderData,
    name: &str,
) -> Result<Option<String>, AwsError> {
    Ok(found(
        ctx.call(
            "cache parameter group",
            ctx.elasticache()
                .describe_cache_parameter_groups()
                .cache_parameter_group_name(name)
                .send(),
        )
        .await,
    )?
    .and_then(|out| {
        out.cache_parameter_groups
            .unwrap_or_default()
            .into_iter()
            .next()
            .and_then(|g| g.cache_parameter_group_family)
    }))
}

/// The values set in group `name` (not the engine's defaults), or `None` when it does not exist.
pub async fn user_parameters(ctx: &ProviderData, name: &str) -> Result<Option<Tags>, AwsError> {
    Ok(found(
        ctx.call(
            "cache parameter group",
            ctx.elasticache()
                .describe_cache_parameters()
                .cache_parameter_group_name(name)
                .source("user")
                .send(),
        )
        .await,
    )?
    .map(|out| {
        out.parameters
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| Some((p.parameter_name?, p.parameter_value?)))
            .collect()
    }))
}

/// Creates parameter group `name` in `family`.
pub async fn create_parameter_group(
    ctx: &ProviderData,
    name: &str,
    family: &str,
    tags: &Tags,
) -> Result<(), AwsError> {
    ctx.call(
        "cache parameter group",
        ctx.elasticache()
            .create_cache_parameter_group()
            .cache_parameter_group_name(name)
            .cache_parameter_group_family(family)
            .description(format!("prod_redis_cluster {name}"))
            .set_tags(Some(ec_tags(tags)))
            .send(),
    )
    .await?;
    Ok(())
}

/// Makes group `name` hold exactly `want` among the values set by hand: differing ones set, ones no
/// longer wanted reset to the engine's default.
pub async fn sync_parameters(ctx: &ProviderData, name: &str, want: &Tags) -> Result<(), AwsError> {
    let c = "cache parameter group";
    let have = user_parameters(ctx, name).await?.unwrap_or_default();
    let set: Vec<ParameterNameValue> = want
        .iter()
        .filter(|(k, v)| have.get(*k) != Some(*v))
        .map(|(k, v)| {
            ParameterNameValue::builder()
                .parameter_name(k)
                .parameter_value(v)
                .build()
        })
        .collect();
    // AWS takes at most 20 parameters per call.
    for chunk in set.chunks(20) {
        ctx.call(
            c,
            ctx.elasticache()
                .modify_cache_parameter_group()
                .cache_parameter_group_name(name)
                .set_parameter_name_values(Some(chunk.to_vec()))
                .send(),
        )
        .await?;
    }
    let reset: Vec<ParameterNameValue> = have
        .keys()
        .filter(|k| !want.contains_key(*k))
        .map(|k| ParameterNameValue::builder().parameter_name(k).build())
        .collect();
    for chunk in reset.chunks(20) {
        ctx.call(
            c,
            ctx.elasticache()
                .reset_cache_parameter_group()
                .cache_parameter_group_name(name)
                .set_parameter_name_values(Some(chunk.to_vec()))
                .send(),
        )
        .await?;
    }
    Ok(())
}

/// Deletes parameter group `name` (done when gone already).
pub async fn delete_parameter_group(ctx: &ProviderData, name: &str) -> Result<(), AwsError> {
    let delete = ctx.elasticache().delete_cache_parameter_group();
    let delete = delete.cache_parameter_group_name(name);
    removed(ctx, "cache parameter group", delete.send()).await
}
