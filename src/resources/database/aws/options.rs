//! The option group of an RDS MySQL database: the MariaDB audit plugin (`audit_logging`).

use std::collections::BTreeMap;

use aws_sdk_rds::types::{OptionConfiguration, OptionSetting};

use super::{rds_tags, Tags};
use crate::provider::error::{found, ok_if_missing, AwsError};
use crate::provider::ProviderData;

/// Option group `name`'s options: option → its settings; `None` when the group does not exist.
pub async fn option_group(
    ctx: &ProviderData,
    name: &str,
) -> Result<Option<BTreeMap<String, BTreeMap<String, String>>>, AwsError> {
    let out = found(
        ctx.call(
            "db option group",
            ctx.rds()
                .describe_option_groups()
                .option_group_name(name)
                .send(),
        )
        .await,
    )?;
    Ok(out.and_then(|o| {
        o.option_groups_list
            .unwrap_or_default()
            .into_iter()
            .find(|g| g.option_group_name.as_deref() == Some(name))
            .map(|g| {
                g.options
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|o| {
                        let settings = o
                            .option_settings
                            .unwrap_or_default()
                            .into_iter()
                            .filter_map(|s| Some((s.name?, s.value?)))
                            .collect();
                        Some((o.option_name?, settings))
                    })
                    .collect()
            })
    }))
}

/// Option group `name` for MySQL `major`, made when missing, holding `option` with `settings`
/// (set again where they differ).
pub async fn ensure_option_group(
    ctx: &ProviderData,
    name: &str,
    major: &str,
    option: &str,
    settings: &BTreeMap<String, String>,
    tags: &Tags,
) -> Result<(), AwsError> {
    let c = format!("db option group {name}");
    let have = match option_group(ctx, name).await? {
        Some(h) => h,
        None => {
            ctx.call(
                &c,
                ctx.rds()
                    .create_option_group()
                    .option_group_name(name)
                    .engine_name("mysql")
                    .major_engine_version(major)
                    .option_group_description(format!("prod_database_ha: audit logging ({option})"))
                    .set_tags(Some(rds_tags(tags)))
                    .send(),
            )
            .await?;
            BTreeMap::new()
        }
    };
    let current = have.get(option);
    if current.is_some_and(|h| crate::resources::database::blueprint::settings_hold(h, settings)) {
        return Ok(());
    }
    // An empty setting is AWS's default: sent only to clear a value set outside Terraform.
    let set_elsewhere = |k: &str| {
        current
            .and_then(|h| h.get(k))
            .is_some_and(|v| !v.is_empty())
    };
    let config = OptionConfiguration::builder()
        .option_name(option)
        .set_option_settings(Some(
            settings
                .iter()
                .filter(|(k, v)| !v.is_empty() || set_elsewhere(k))
                .map(|(k, v)| OptionSetting::builder().name(k).value(v).build())
                .collect(),
        ))
        .build();
    ctx.call(
        &c,
        ctx.rds()
            .modify_option_group()
            .option_group_name(name)
            .options_to_include(config)
            .apply_immediately(true)
            .send(),
    )
    .await
    .map(|_| ())
}

/// Deletes option group `name`: done when gone already. AWS keeps a group a snapshot was taken with
/// (a final snapshot, kept automated backups) for that snapshot's restore: `Ok(false)` then.
pub async fn delete_option_group(ctx: &ProviderData, name: &str) -> Result<bool, AwsError> {
    let r = ctx
        .call(
            "db option group",
            ctx.rds()
                .delete_option_group()
                .option_group_name(name)
                .send(),
        )
        .await
        .map(|_| ());
    match r {
        Err(e) if e.code() == Some("InvalidOptionGroupStateFault") => Ok(false),
        r => ok_if_missing(r).map(|()| true),
    }
}

/// Database `name`'s audit option groups, every page of them (to remove those of an earlier
/// major version, or all of them).
pub async fn own_option_groups(ctx: &ProviderData, name: &str) -> Result<Vec<String>, AwsError> {
    let mut groups = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let out = ctx
            .call(
                "db option groups",
                ctx.rds()
                    .describe_option_groups()
                    .engine_name("mysql")
                    .set_marker(marker.clone())
                    .send(),
            )
            .await?;
        groups.extend(
            out.option_groups_list
                .unwrap_or_default()
                .into_iter()
                .filter_map(|g| g.option_group_name)
                .filter(|g| crate::resources::database::blueprint::is_own_option_group(name, g)),
        );
        marker = out.marker.filter(|m| !m.is_empty());
        if marker.is_none() {
            return Ok(groups);
        }
    }
}
