//! Apply: converge AWS to the blueprint (one walk for create and update, reusing or adopting every
//! object by its name and repairing drift), and the ordered delete with the final snapshot.
//!
//! Each object created is recorded in `progress.components` before the next call (contract rule 14).
//! The shared first steps and helpers are here; the RDS walk in `rds`, the delete in `delete`.

pub mod backup;
mod delete;
pub mod proxy;
mod rds;
pub mod replication;

pub use delete::{delete, delete_side_objects, protected};
pub use rds::converge;

use std::collections::BTreeMap;
use std::time::Duration;

use super::aws::{self as api, Changes, GroupKind, Instance, Tags};
use super::blueprint as bp;
use super::model::State;
use crate::framework::wait::{log_progress, wait_until, Backoff};
use crate::provider::aws::Place;
use crate::provider::ec2;
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::{iam, kms, logs, ProviderData};
use crate::resources::concurrent::{keep_key_components, Made};
use crate::resources::database::pooling;
use crate::resources::database::restore_check;
use crate::resources::datastore::{self, invalid};
use crate::resources::log_retention;

pub struct Desired {
    /// The arguments as planned (every default filled in).
    pub args: State,
    pub environment: Environment,
    /// A key the user gave; `None` makes (or keeps) the database's own.
    pub kms_key_arn: Option<String>,
    /// Every parameter the group holds: the blueprint's, then the user's.
    pub parameters: BTreeMap<String, String>,
    pub tags: Tags,
}

/// Waits until every instance named is `available` (or, with `gone`, no longer listed).
pub async fn wait_for(
    ctx: &ProviderData,
    ids: &[String],
    gone: bool,
    limit: Duration,
) -> Result<(), AwsError> {
    if ids.is_empty() {
        return Ok(());
    }
    let what = format!(
        "db instances {} to be {}",
        ids.join(", "),
        if gone { "deleted" } else { "available" }
    );
    wait_until(
        &what,
        ctx.stop_token(),
        limit,
        Backoff::polling(),
        || async {
            let live = api::instances(ctx, ids).await?;
            if let Some(bad) = live
                .iter()
                .find(|i| i.status == "failed" || i.status.starts_with("incompatible"))
            {
                return Err(invalid(
                    &format!("db instance {}", bad.id),
                    format!("status {}", bad.status),
                ));
            }
            let pending: Vec<(String, String)> = ids
                .iter()
                .filter_map(|id| {
                    let status = live.iter().find(|i| &i.id == id).map(|i| i.status.clone());
                    match (gone, status) {
                        (true, None) => None,
                        (false, Some(s)) if s == "available" => None,
                        (_, Some(s)) => Some((id.clone(), s)),
                        (false, None) => Some((id.clone(), "not listed yet".into())),
                    }
                })
                .collect();
            let word = if gone { "deleted" } else { "available" };
            log_progress("db instances", word, ids.len(), &pending);
            Ok(pending.is_empty().then_some(()))
        },
    )
    .await
    .map_err(|e| AwsError::from_wait("db instances", e))
}

/// The master secret `arn` (RDS makes and rotates it) closed to other accounts and plain HTTP: on
/// create, and wherever the last read found its policy weakened (posture `master_secret`).
pub async fn secure_master_secret(
    ctx: &ProviderData,
    place: &Place,
    p: &State,
    arn: Option<&str>,
) -> Result<(), AwsError> {
    match arn {
        Some(arn) => datastore::secure_secret(ctx, place, &p.posture, "master_secret", arn).await,
        None => Ok(()),
    }
}

/// What the RDS and Aurora walks share: the subnets checked, the key, the monitoring role, the
/// security group with its rules, and the subnet group.
pub struct Prepared {
    pub zones: Vec<String>,
    /// The subnets' VPC.
    pub vpc: String,
    pub key: String,
    pub monitoring_role: Option<String>,
    pub sg: String,
    pub old_tags: Tags,
}

/// The shared first steps of both walks: the tags moved to the desired ones (the old returned),
/// the subnets checked, then the key, the monitoring role, the security group and the subnet group
/// at once, each recorded once made, whatever the others do.
pub async fn prepare(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
) -> Result<Prepared, AwsError> {
    let old_tags = std::mem::replace(&mut p.tags_all, d.tags.clone());
    let n = d.args.name.as_str();

    // 0. Where: the subnets' VPC and zones (checked before anything is made).
    let (vpc, zones) = datastore::placement(ctx, &d.args.subnet_ids).await?;

    // 1–4 at once.
    // The proxy's group first (pooling on): the database's group admits it.
    let first = Made::new();
    let proxy_sg = proxy::ensure_group(ctx, &vpc, d, &first).await;
    first.merge_into(&mut p.components);
    let proxy_sg = proxy_sg?;
    let made = Made::new();
    let mut allowed = d.args.allowed_security_group_ids.clone();
    allowed.extend(proxy_sg);
    let mut key_components = p.components.clone();
    let sg_name = bp::sg_name(n);
    let sg = datastore::SecurityGroup {
        name: &sg_name,
        description: "prod_database_ha: engine port from the allowed groups only",
        port: bp::port_of(&d.args),
        allowed: &allowed,
        tags: &d.tags,
    };
    let (key, monitoring_role, sg, subnet_group) = tokio::join!(
        key(ctx, place, d, &mut key_components),
        monitoring_role(ctx, place, d, &made),
        datastore::ensure_security_group(ctx, &vpc, &sg, &made),
        subnet_group(ctx, place, d, &made),
    );
    keep_key_components(&key_components, &mut p.components);
    made.merge_into(&mut p.components);
    if let Some(sg) = p.components.get("security_group") {
        p.security_group_id = Some(sg.clone());
    }
    if p.components.contains_key("subnet_group") {
        p.subnet_group_name = Some(n.to_string());
    }
    let key = key?;
    p.kms_key_arn = Some(key.clone());
    let monitoring_role = monitoring_role?;
    let sg = sg?;
    subnet_group?;
    // 5. The exported logs' groups, before RDS first writes to them.
    log_groups(ctx, place, d, &key, p).await?;
    Ok(Prepared {
        zones,
        vpc,
        key,
        monitoring_role,
        sg,
        old_tags,
    })
}

/// The key: the user's, or the database's own (found or made, its parts in `components`).
async fn key(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    components: &mut BTreeMap<String, String>,
) -> Result<String, AwsError> {
    let n = d.args.name.as_str();
    match &d.kms_key_arn {
        Some(k) => Ok(k.clone()),
        None => {
            kms::ensure_owned_key(
                ctx,
                place,
                components,
                &bp::alias_name(n),
                &format!("prod_database_ha {n}: encrypts storage, snapshots and the master secret"),
                bp::key_policy(place, n),
                &d.tags,
            )
            .await
        }
    }
}

/// The groups the exported logs go to, made before RDS writes to them (it would make them itself,
/// unencrypted and kept forever): encrypted with the database's key, each kept its class's tier of
/// `log_retention`, and each recorded before it is made. A group already there (RDS's, from
/// before) is encrypted and given its tier.
async fn log_groups(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    key: &str,
    p: &mut State,
) -> Result<(), AwsError> {
    let tiers =
        log_retention::effective(d.args.log_retention.as_ref(), ctx.log_tiers(d.environment));
    let replicas = usize::try_from(d.args.replicas).unwrap_or(0);
    let groups = bp::log_groups(&d.args.engine, &d.args.name, replicas, d.args.audit_logging);
    // Recorded before they are made, so that a create failing half way (the group made, its
    // retention not yet set) leaves nothing the delete does not know of.
    for g in &groups {
        p.components
            .insert(g.component.clone(), place.log_group_arn(&g.name));
    }
    let results = futures::future::join_all(groups.iter().map(|g| {
        let days = logs::retention_days(g.class, &tiers);
        logs::ensure_group(ctx, &g.name, Some(key), days, &d.tags)
    }))
    .await;
    results.into_iter().collect()
}

/// The enhanced-monitoring role, where the profile monitors.
async fn monitoring_role(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    made: &Made,
) -> Result<Option<String>, AwsError> {
    if !d.environment.db_monitoring() {
        return Ok(None);
    }
    let arn = iam::ensure_role(
        ctx,
        &iam::RoleSpec {
            name: &bp::monitoring_role_name(&d.args.name),
            trust: bp::monitoring_trust_policy(place, &d.args.name),
            inline: vec![],
            managed: vec![bp::monitoring_policy_arn(place)],
        },
        &d.tags,
    )
    .await?;
    made.record("monitoring_role", arn.clone());
    Ok(Some(arn))
}

/// The DB subnet group `<name>` over the configured subnets.
async fn subnet_group(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    made: &Made,
) -> Result<(), AwsError> {
    let n = d.args.name.as_str();
    api::ensure_subnet_group(ctx, n, &d.args.subnet_ids, &d.tags).await?;
    made.record("subnet_group", place.arn("rds", &format!("subgrp:{n}")));
    Ok(())
}

/// The parameter group of `kind` for the engine and version, with the hardened parameters and the
/// user's; recorded as a component. Returns its name.
pub async fn ensure_parameter_group(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
    kind: GroupKind,
) -> Result<String, AwsError> {
    let pg = bp::parameter_group_name(&d.args.name, &d.args.engine, &d.args.engine_version);
    api::ensure_parameter_group(
        ctx,
        kind,
        &pg,
        &bp::family(&d.args.engine, &d.args.engine_version),
        &d.parameters,
        |k| bp::is_static_parameter(&d.args.engine, k),
        &d.tags,
    )
    .await?;
    let arn = match kind {
        GroupKind::Instance => place.arn("rds", &format!("pg:{pg}")),
        GroupKind::Cluster => place.arn("rds", &format!("cluster-pg:{pg}")),
    };
    p.components.insert("parameter_group".into(), arn);
    p.parameter_group_name = Some(pg.clone());
    Ok(pg)
}

/// The log exports to turn on and off so that `have` becomes `want` (`None`: nothing to change).
pub fn log_export_changes(want: &[String], have: &[String]) -> Option<(Vec<String>, Vec<String>)> {
    let enable: Vec<String> = want.iter().filter(|l| !have.contains(l)).cloned().collect();
    let disable: Vec<String> = have.iter().filter(|l| !want.contains(l)).cloned().collect();
    (!enable.is_empty() || !disable.is_empty()).then_some((enable, disable))
}

/// After a tag change: every instance (and Aurora's cluster), the security group, the key, the
/// monitoring role and the log groups move from `old` to the desired tags.
pub async fn retag(
    ctx: &ProviderData,
    p: &State,
    d: &Desired,
    old: &Tags,
    sg: &str,
) -> Result<(), AwsError> {
    if old.is_empty() || *old == d.tags {
        return Ok(());
    }
    let arns: Vec<String> = p
        .components
        .iter()
        .filter(|(k, _)| {
            matches!(
                k.as_str(),
                "primary"
                    | "cluster"
                    | "writer"
                    | "option_group"
                    | pooling::PROXY_COMPONENT
                    | pooling::READER_COMPONENT
            ) || k.starts_with("replica_")
        })
        .map(|(_, v)| v.clone())
        .collect();
    for arn in arns {
        api::tag(ctx, &arn, old, &d.tags).await?;
    }
    for (_, arn) in p.components.iter().filter(|(k, _)| {
        [
            restore_check::VAULT_COMPONENT,
            restore_check::PLAN_COMPONENT,
            restore_check::TEST_PLAN_COMPONENT,
        ]
        .contains(&k.as_str())
    }) {
        api::backup::retag(ctx, arn, old, &d.tags).await?;
    }
    let mut groups = vec![sg.to_string()];
    groups.extend(p.components.get(pooling::SG_COMPONENT).cloned());
    groups.extend(p.components.get(restore_check::SG_COMPONENT).cloned());
    ec2::retag(ctx, groups, old, &d.tags).await?;
    if p.components.contains_key(pooling::ROLE_COMPONENT) {
        iam::tag_role(ctx, &pooling::role_name(&d.args.name), old, &d.tags).await?;
    }
    if p.components.contains_key(restore_check::ROLE_COMPONENT) {
        iam::tag_role(ctx, &restore_check::role_name(&d.args.name), old, &d.tags).await?;
    }
    if let Some(k) = p.components.get("kms_key") {
        kms::tag_key(ctx, k, old, &d.tags).await?;
    }
    if p.components.contains_key("monitoring_role") {
        iam::tag_role(ctx, &bp::monitoring_role_name(&d.args.name), old, &d.tags).await?;
    }
    for (_, arn) in p
        .components
        .iter()
        .filter(|(k, _)| k.starts_with(bp::LOG_GROUP_COMPONENT))
    {
        logs::tag_group(ctx, arn, old, &d.tags).await?;
    }
    Ok(())
}

/// Deletes `replicas` (their protection lifted first), waits until they are gone, and drops their
/// records.
async fn remove_replicas(
    ctx: &ProviderData,
    p: &mut State,
    replicas: &[Instance],
    limit: Duration,
) -> Result<(), AwsError> {
    let ids: Vec<String> = replicas.iter().map(|i| i.id.clone()).collect();
    for i in replicas {
        if i.deletion_protection {
            api::modify(
                ctx,
                &i.id,
                &Changes {
                    deletion_protection: Some(false),
                    ..Default::default()
                },
            )
            .await?;
        }
        api::delete_instance(ctx, &i.id, None, false).await?;
    }
    wait_for(ctx, &ids, true, limit).await?;
    for id in &ids {
        if let Some(r) = id.rsplit('-').next() {
            p.components.remove(&format!("replica_{r}"));
        }
    }
    Ok(())
}
