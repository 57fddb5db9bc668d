//! The DB subnet group and the parameter groups (instance ones for RDS, cluster ones for Aurora).

use std::collections::BTreeMap;

use aws_sdk_rds::types::Parameter;

use super::{rds_tags, Tags};
use crate::provider::ec2::removed;
use crate::provider::error::{found, ok_if_missing, AwsError};
use crate::provider::ProviderData;
use crate::resources::datastore;

// ---- subnet group ----

/// The DB subnet group's subnets, or `None` when it does not exist.
pub async fn subnet_group(ctx: &ProviderData, name: &str) -> Result<Option<Vec<String>>, AwsError> {
    Ok(found(
        ctx.call(
            "db subnet group",
            ctx.rds()
                .describe_db_subnet_groups()
                .db_subnet_group_name(name)
                .send(),
        )
        .await,
    )?
    .and_then(|out| {
        datastore::first_group_subnets(out.db_subnet_groups, |g| g.subnets, |s| s.subnet_identifier)
    }))
}

/// DB subnet group `name` over exactly `subnets` (made, or its subnets changed).
pub async fn ensure_subnet_group(
    ctx: &ProviderData,
    name: &str,
    subnets: &[String],
    tags: &Tags,
) -> Result<(), AwsError> {
    let c = "db subnet group";
    match subnet_group(ctx, name).await? {
        None => ctx
            .call(
                c,
                ctx.rds()
                    .create_db_subnet_group()
                    .db_subnet_group_name(name)
                    .db_subnet_group_description(format!("prod_database_ha {name}"))
                    .set_subnet_ids(Some(subnets.to_vec()))
                    .set_tags(Some(rds_tags(tags)))
                    .send(),
            )
            .await
            .map(|_| ()),
        Some(have) => {
            let mut a = have.clone();
            let mut b = subnets.to_vec();
            a.sort();
            b.sort();
            if a == b {
                return Ok(());
            }
            ctx.call(
                c,
                ctx.rds()
                    .modify_db_subnet_group()
                    .db_subnet_group_name(name)
                    .set_subnet_ids(Some(subnets.to_vec()))
                    .send(),
            )
            .await
            .map(|_| ())
        }
    }
}

/// Deletes DB subnet group `name` (done when gone already).
pub async fn delete_subnet_group(ctx: &ProviderData, name: &str) -> Result<(), AwsError> {
    let delete = ctx.rds().delete_db_subnet_group();
    removed(
        ctx,
        "db subnet group",
        delete.db_subnet_group_name(name).send(),
    )
    .await
}

// ---- parameter groups (instance ones for RDS, cluster ones for Aurora) ----

/// Which kind of parameter group: RDS instances take DB parameter groups, Aurora clusters DB
/// cluster parameter groups. Same shape, different calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupKind {
    Instance,
    Cluster,
}

impl GroupKind {
    fn label(self) -> &'static str {
        match self {
            GroupKind::Instance => "db parameter group",
            GroupKind::Cluster => "db cluster parameter group",
        }
    }
}

/// The parameters a user set on the group (`Source = user`: one page, whatever the engine's total),
/// or `None` when the group does not exist.
pub async fn user_parameters(
    ctx: &ProviderData,
    kind: GroupKind,
    group: &str,
) -> Result<Option<BTreeMap<String, String>>, AwsError> {
    let c = kind.label();
    let params = match kind {
        GroupKind::Instance => ctx
            .call(
                c,
                ctx.rds()
                    .describe_db_parameters()
                    .db_parameter_group_name(group)
                    .source("user")
                    .send(),
            )
            .await
            .map(|o| o.parameters),
        GroupKind::Cluster => ctx
            .call(
                c,
                ctx.rds()
                    .describe_db_cluster_parameters()
                    .db_cluster_parameter_group_name(group)
                    .source("user")
                    .send(),
            )
            .await
            .map(|o| o.parameters),
    };
    Ok(found(params)?.map(|p| {
        p.unwrap_or_default()
            .into_iter()
            .filter_map(|p| Some((p.parameter_name?, p.parameter_value?)))
            .collect()
    }))
}

/// Creates the group when missing and sets `params` on it: applied immediately, except those
/// `is_static` names (the engine reads them only when it starts), applied at the next reboot.
pub async fn ensure_parameter_group(
    ctx: &ProviderData,
    kind: GroupKind,
    name: &str,
    family: &str,
    params: &BTreeMap<String, String>,
    is_static: impl Fn(&str) -> bool,
    tags: &Tags,
) -> Result<(), AwsError> {
    let have = match user_parameters(ctx, kind, name).await? {
        Some(h) => h,
        None => {
            create_parameter_group(ctx, kind, name, family, tags).await?;
            BTreeMap::new()
        }
    };
    let changed: Vec<Parameter> = params
        .iter()
        .filter(|(k, v)| have.get(*k) != Some(*v))
        .map(|(k, v)| {
            Parameter::builder()
                .parameter_name(k)
                .parameter_value(v)
                .apply_method(if is_static(k) {
                    aws_sdk_rds::types::ApplyMethod::PendingReboot
                } else {
                    aws_sdk_rds::types::ApplyMethod::Immediate
                })
                .build()
        })
        .collect();
    for chunk in changed.chunks(20) {
        set_parameters(ctx, kind, name, chunk.to_vec()).await?;
    }
    Ok(())
}

/// Creates parameter group `name` of `kind` in `family`.
async fn create_parameter_group(
    ctx: &ProviderData,
    kind: GroupKind,
    name: &str,
    family: &str,
    tags: &Tags,
) -> Result<(), AwsError> {
    let c = format!("{} {name}", kind.label());
    let description = format!("prod_database_ha: TLS required, logging on ({family})");
    // The two kinds of group are made by two calls of one shape.
    macro_rules! create {
        ($builder:expr) => {
            ctx.call(
                &c,
                $builder
                    .db_parameter_group_family(family)
                    .description(description)
                    .set_tags(Some(rds_tags(tags)))
                    .send(),
            )
            .await
            .map(|_| ())
        };
    }
    match kind {
        GroupKind::Instance => create!(ctx
            .rds()
            .create_db_parameter_group()
            .db_parameter_group_name(name)),
        GroupKind::Cluster => create!(ctx
            .rds()
            .create_db_cluster_parameter_group()
            .db_cluster_parameter_group_name(name)),
    }
}

/// Sets `parameters` (at most 20, AWS's limit per call) on group `name` of `kind`.
async fn set_parameters(
    ctx: &ProviderData,
    kind: GroupKind,
    name: &str,
    parameters: Vec<Parameter>,
) -> Result<(), AwsError> {
    let c = format!("{} {name}", kind.label());
    let chunk = Some(parameters);
    match kind {
        GroupKind::Instance => ctx
            .call(
                &c,
                ctx.rds()
                    .modify_db_parameter_group()
                    .db_parameter_group_name(name)
                    .set_parameters(chunk)
                    .send(),
            )
            .await
            .map(|_| ()),
        GroupKind::Cluster => ctx
            .call(
                &c,
                ctx.rds()
                    .modify_db_cluster_parameter_group()
                    .db_cluster_parameter_group_name(name)
                    .set_parameters(chunk)
                    .send(),
            )
            .await
            .map(|_| ()),
    }
}

/// Deletes parameter group `name` of `kind` (done when gone already).
pub async fn delete_parameter_group(
    ctx: &ProviderData,
    kind: GroupKind,
    name: &str,
) -> Result<(), AwsError> {
    let c = kind.label();
    let r = match kind {
        GroupKind::Instance => ctx
            .call(
                c,
                ctx.rds()
                    .delete_db_parameter_group()
                    .db_parameter_group_name(name)
                    .send(),
            )
            .await
            .map(|_| ()),
        GroupKind::Cluster => ctx
            .call(
                c,
                ctx.rds()
                    .delete_db_cluster_parameter_group()
                    .db_cluster_parameter_group_name(name)
                    .send(),
            )
            .await
            .map(|_| ()),
    };
    ok_if_missing(r)
}

/// Parameter groups named `<prefix>…` (to remove the one a major upgrade left behind).
pub async fn parameter_groups_with_prefix(
    ctx: &ProviderData,
    prefix: &str,
) -> Result<Vec<String>, AwsError> {
    let out = ctx
        .call(
            "db parameter groups",
            ctx.rds().describe_db_parameter_groups().send(),
        )
        .await?;
    Ok(out
        .db_parameter_groups
        .unwrap_or_default()
        .into_iter()
        .filter_map(|g| g.db_parameter_group_name)
        .filter(|n| n.starts_with(prefix))
        .collect())
}
