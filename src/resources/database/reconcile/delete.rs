//! The delete of an RDS database: replicas, the primary (with its final snapshot), the parameter
//! groups, then the objects RDS and Aurora share.

use std::time::Duration;

use super::{remove_replicas, wait_for};
use crate::provider::ec2;
use crate::provider::error::AwsError;
use crate::provider::{iam, kms, logs, tags, ProviderData};
use crate::resources::database::aws::{self as api, Changes, GroupKind, Instance};
use crate::resources::database::blueprint as bp;
use crate::resources::database::model::State;

/// Deletes everything, replicas first, then the primary (with its final snapshot unless the
/// create never finished or the profile takes none), then the side objects.
pub async fn delete(
    ctx: &ProviderData,
    s: &mut State,
    limit: Duration,
    create_incomplete: bool,
) -> Result<(), AwsError> {
    let n = s.name.clone();
    let mut ids: Vec<String> = vec![n.clone()];
    ids.extend(
        s.components
            .keys()
            .filter_map(|k| {
                k.strip_prefix("replica_")
                    .and_then(|i| i.parse::<usize>().ok())
            })
            .map(|i| bp::replica_id(&n, i)),
    );
    let live = api::instances(ctx, &ids).await?;
    let primary = live.iter().find(|i| i.id == n);
    let create_incomplete =
        create_incomplete || primary.is_some_and(|p| p.tags.contains_key(tags::TAG_CREATING));
    if primary.is_some_and(|p| p.deletion_protection) && !create_incomplete {
        return Err(protected(&format!("db instance {n}")));
    }
    // The proxy first: it holds connections to the instances.
    super::proxy::remove_from(ctx, s, limit).await?;
    // Restore verification next: no backup or restore test starts on a database going away.
    let retain = s.retain_automated_backups && !create_incomplete;
    super::backup::remove(ctx, s, retain, limit).await?;
    let replicas: Vec<Instance> = live.iter().filter(|i| i.id != n).cloned().collect();
    remove_replicas(ctx, s, &replicas, limit).await?;
    if let Some(primary) = primary {
        if primary.deletion_protection {
            // A half-made database holds no data yet: its protection does not stand in the way.
            api::modify(
                ctx,
                &n,
                &Changes {
                    deletion_protection: Some(false),
                    ..Default::default()
                },
            )
            .await?;
        }
        let snapshot = (s.final_snapshot && !create_incomplete)
            .then(|| bp::final_snapshot_id(&n, time::OffsetDateTime::now_utc()));
        let retain = s.retain_automated_backups && !create_incomplete;
        super::replication::delete(ctx, s, true, retain, limit).await?;
        api::delete_instance(ctx, &n, snapshot.as_deref(), retain).await?;
        wait_for(ctx, std::slice::from_ref(&n), true, limit).await?;
    }
    if primary.is_none() {
        let retain = s.retain_automated_backups && !create_incomplete;
        super::replication::delete(ctx, s, false, retain, limit).await?;
    }
    s.components.remove("primary");
    let ours = bp::parameter_group_names(&n, &s.engine);
    for pg in api::parameter_groups_with_prefix(ctx, &format!("{n}-")).await? {
        if ours.contains(&pg) {
            api::delete_parameter_group(ctx, GroupKind::Instance, &pg).await?;
        }
    }
    s.components.remove("parameter_group");
    // The audit option groups: one a final snapshot or kept backups were taken with stays, as AWS
    // keeps it for their restore (deleted with them).
    if bp::uses_option_group(&s.engine) {
        for og in api::own_option_groups(ctx, &n).await? {
            api::delete_option_group(ctx, &og).await?;
        }
    }
    s.components.remove("option_group");
    let keep_logs = s.final_snapshot && !create_incomplete;
    delete_side_objects(ctx, s, keep_logs).await
}

/// The refusal to delete a finished database whose AWS deletion protection is on (a replacement the
/// plan's guard could not see, e.g. `-replace` or a tainted finished database): nothing is touched.
pub fn protected(component: &str) -> AwsError {
    AwsError::Refused {
        component: component.to_string(),
        message: "AWS deletion protection is on and the database holds data, so it is not deleted. If that is intended, first apply deletion_protection = false (the decommission step), then destroy or replace it".to_string(),
    }
}

/// The objects the RDS and Aurora walks share, once the instances are gone: the exported logs'
/// groups (unless `keep_logs`: kept with the final snapshot, as its audit trail), subnet group,
/// security group, monitoring role, alias, and the key (scheduled for deletion).
pub async fn delete_side_objects(
    ctx: &ProviderData,
    s: &mut State,
    keep_logs: bool,
) -> Result<(), AwsError> {
    let n = s.name.clone();
    // Every group of the database's, those no longer written to (auditing turned off, a replica
    // removed) too, and no other database's.
    if !keep_logs {
        let prefix = bp::log_group_prefix(&s.engine, &n);
        for group in logs::groups_under(ctx, &prefix).await?.into_keys() {
            if bp::is_own_log_group(&s.engine, &n, &group) {
                logs::delete_group(ctx, &group).await?;
            }
        }
    }
    s.components
        .retain(|k, _| !k.starts_with(bp::LOG_GROUP_COMPONENT));
    api::delete_subnet_group(ctx, &n).await?;
    s.components.remove("subnet_group");
    if let Some(sg) = s.components.get("security_group").cloned() {
        ec2::delete_sg(ctx, &sg).await?;
    }
    s.components.remove("security_group");
    iam::delete_role(ctx, &bp::monitoring_role_name(&n)).await?;
    s.components.remove("monitoring_role");
    kms::delete_own_key(ctx, &bp::alias_name(&n), &mut s.components, &s.environment).await?;
    Ok(())
}
