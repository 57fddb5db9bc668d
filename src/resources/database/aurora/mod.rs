//! Aurora: the cluster `<name>` with its writer `<name>-writer` and readers `<name>-replica-<n>` in
//! the other zones, a cluster parameter group forcing TLS, and the objects RDS shares (key, role,
//! security group, subnet group). Converge, read and delete for the two Aurora engines.
//! Converge and delete are here; the SDK calls in `aws`, the read in `read`.

mod aws;
mod read;

pub use aws::{cluster, Cluster};
pub use read::read;

use std::time::Duration;

use aws_sdk_rds::types::CloudwatchLogsExportConfiguration;

use super::aws::{self as api, Changes, GroupKind, Instance};
use super::blueprint as bp;
use super::model::State;
use super::reconcile::{
    delete_side_objects, ensure_parameter_group, log_export_changes, prepare, protected, retag,
    secure_master_secret, wait_for, Desired, Prepared,
};
use crate::provider::aws::Place;
use crate::provider::error::{ok_if_missing, AwsError};
use crate::provider::{tags, ProviderData};
use aws::*;

/// The Aurora walk: the shared objects, the cluster parameter group, the cluster, the writer, then
/// readers in the other zones; readers beyond the count removed.
pub async fn converge(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
    limit: Duration,
) -> Result<(), AwsError> {
    let shared = prepare(ctx, place, d, p).await?;
    let pg = ensure_parameter_group(ctx, place, d, p, GroupKind::Cluster).await?;
    let secret = match cluster(ctx, &d.args.name).await? {
        None => create_cluster(ctx, place, d, p, &shared, &pg, limit).await?,
        Some(live) => {
            p.components.insert("cluster".into(), live.arn.clone());
            update_cluster(ctx, d, &live, &shared.sg, &pg, limit).await?;
            live.master_secret_arn
        }
    };
    secure_master_secret(ctx, place, p, secret.as_deref()).await?;

    // The writer, then readers in the other zones; readers beyond the count removed.
    let n = d.args.name.as_str();
    let mut ids = vec![bp::writer_id(n)];
    ids.extend((1..=5).map(|r| bp::replica_id(n, r)));
    let live = api::instances(ctx, &ids).await?;
    let writer_zone = ensure_writer(ctx, d, p, &live, &shared).await?;
    ensure_readers(ctx, d, p, &live, &shared, writer_zone.as_ref(), limit).await?;
    remove_extra_readers(ctx, d, p, &live, limit).await?;
    // The proxy in front of the cluster, with its read-only endpoint (pooling), or none.
    super::reconcile::proxy::ensure_in(
        ctx,
        place,
        d,
        p,
        secret.as_deref(),
        &shared.key,
        &shared.sg,
        limit,
    )
    .await?;
    // AWS Backup's daily recovery points of the cluster, copied to the second region with its
    // key there, and their restore test (restore_check), or none.
    let remote_key = super::reconcile::replication::ensure_aurora_key(ctx, place, d, p).await?;
    let arn = p.components.get("cluster").cloned().unwrap_or_default();
    let at = super::reconcile::backup::Where {
        resource: &arn,
        key: &shared.key,
        vpc: &shared.vpc,
        remote_key: remote_key.as_deref(),
    };
    super::reconcile::backup::ensure(ctx, place, d, p, &at, limit).await?;
    retag(ctx, p, d, &shared.old_tags, &shared.sg).await
}

/// The cluster made to the blueprint (marked as an unfinished create), recorded, waited for; gives
/// its master secret.
async fn create_cluster(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
    shared: &Prepared,
    pg: &str,
    limit: Duration,
) -> Result<Option<String>, AwsError> {
    let n = d.args.name.as_str();
    let h = bp::hardening(d.environment);
    let key = &shared.key;
    let out = ctx
        .call(
            &format!("db cluster {n}"),
            ctx.rds()
                .create_db_cluster()
                .db_cluster_identifier(n)
                .engine(&d.args.engine)
                .engine_version(&d.args.engine_version)
                .master_username(&d.args.master_username)
                .manage_master_user_password(h.managed_master_password)
                .master_user_secret_kms_key_id(key)
                .storage_encrypted(h.storage_encrypted)
                .kms_key_id(key)
                .backup_retention_period(d.args.backup_retention_days as i32)
                .preferred_backup_window(&d.args.backup_window)
                .preferred_maintenance_window(&d.args.maintenance_window)
                .deletion_protection(d.args.deletion_protection)
                .copy_tags_to_snapshot(h.copy_tags_to_snapshot)
                .enable_iam_database_authentication(h.iam_auth)
                .set_enable_cloudwatch_logs_exports(Some(bp::log_exports(
                    &d.args.engine,
                    d.args.audit_logging,
                )))
                .db_cluster_parameter_group_name(pg)
                .db_subnet_group_name(n)
                .vpc_security_group_ids(&shared.sg)
                .port(bp::port_of(&d.args) as i32)
                .set_tags(Some(rds_tags(&tags::creating(&d.tags))))
                .send(),
        )
        .await?;
    let (arn, secret) = out.db_cluster.map_or((None, None), |c| {
        let secret = c.master_user_secret.and_then(|s| s.secret_arn);
        (c.db_cluster_arn, secret)
    });
    let arn = arn.unwrap_or_else(|| place.arn("rds", &format!("cluster:{n}")));
    p.components.insert("cluster".into(), arn);
    wait_cluster(ctx, n, false, limit).await?;
    Ok(secret)
}

/// The `live` cluster brought to the blueprint (one modify, waited for) where it differs.
async fn update_cluster(
    ctx: &ProviderData,
    d: &Desired,
    live: &Cluster,
    sg: &str,
    pg: &str,
    limit: Duration,
) -> Result<(), AwsError> {
    let n = d.args.name.as_str();
    let h = bp::hardening(d.environment);
    let logs = log_export_changes(
        &bp::log_exports(&d.args.engine, d.args.audit_logging),
        &live.log_exports,
    );
    let version = (!bp::version_matches(&d.args.engine_version, &live.engine_version))
        .then(|| d.args.engine_version.clone());
    let port = Some(bp::port_of(&d.args)).filter(|p| live.port != Some(*p));
    let needs = live.backup_retention_days != d.args.backup_retention_days
        || live.backup_window != d.args.backup_window
        || live.maintenance_window != d.args.maintenance_window
        || live.deletion_protection != d.args.deletion_protection
        || !live.copy_tags
        || !live.iam_auth
        || live.parameter_group.as_deref() != Some(pg)
        || live.security_groups != [sg.to_string()]
        || version.is_some()
        || logs.is_some()
        || port.is_some();
    if !needs {
        return Ok(());
    }
    let mut req = ctx
        .rds()
        .modify_db_cluster()
        .db_cluster_identifier(n)
        .apply_immediately(true)
        .backup_retention_period(d.args.backup_retention_days as i32)
        .preferred_backup_window(&d.args.backup_window)
        .preferred_maintenance_window(&d.args.maintenance_window)
        .deletion_protection(d.args.deletion_protection)
        .copy_tags_to_snapshot(h.copy_tags_to_snapshot)
        .enable_iam_database_authentication(h.iam_auth)
        .db_cluster_parameter_group_name(pg)
        .vpc_security_group_ids(sg)
        .set_port(port.map(|p| p as i32));
    if let Some(v) = version {
        req = req.engine_version(v).allow_major_version_upgrade(true);
    }
    if let Some((enable, disable)) = logs {
        req = req.cloudwatch_logs_export_configuration(
            CloudwatchLogsExportConfiguration::builder()
                .set_enable_log_types(Some(enable))
                .set_disable_log_types(Some(disable))
                .build(),
        );
    }
    ctx.call(&format!("db cluster {n}"), req.send()).await?;
    wait_cluster(ctx, n, false, limit).await
}

/// The writer: the `live` one brought to the blueprint, else made in the first zone; recorded.
/// Returns its zone.
async fn ensure_writer(
    ctx: &ProviderData,
    d: &Desired,
    p: &mut State,
    live: &[Instance],
    shared: &Prepared,
) -> Result<Option<String>, AwsError> {
    let h = bp::hardening(d.environment);
    let id = bp::writer_id(&d.args.name);
    let monitoring_role = &shared.monitoring_role;
    if let Some(w) = live.iter().find(|i| i.id == id).cloned() {
        p.components.insert("writer".into(), w.arn.clone());
        let want_interval = if monitoring_role.is_some() {
            bp::MONITORING_INTERVAL
        } else {
            0
        };
        let ch = Changes {
            class: (w.class != d.args.instance_class).then(|| d.args.instance_class.clone()),
            monitoring_role: (w.monitoring_interval != want_interval)
                .then(|| monitoring_role.clone()),
            auto_minor_upgrade: (w.auto_minor_upgrade != h.auto_minor_upgrade)
                .then_some(h.auto_minor_upgrade),
            public: (w.public != h.publicly_accessible).then_some(h.publicly_accessible),
            ..Default::default()
        };
        api::modify(ctx, &w.id, &ch).await?;
        return Ok(w.zone);
    }
    let zones = &shared.zones;
    let w = create_instance(
        ctx,
        &id,
        d,
        zones.first().map(String::as_str),
        monitoring_role.as_deref(),
        &shared.key,
    )
    .await?;
    p.components.insert("writer".into(), w.arn.clone());
    Ok(w.zone.or(zones.first().cloned()))
}

/// Readers `1..=replicas`: the `live` ones at the wanted class, the missing ones made in the zones
/// other than the writer's, in turn; recorded, then waited for with the writer.
async fn ensure_readers(
    ctx: &ProviderData,
    d: &Desired,
    p: &mut State,
    live: &[Instance],
    shared: &Prepared,
    writer_zone: Option<&String>,
    limit: Duration,
) -> Result<(), AwsError> {
    let n = d.args.name.as_str();
    let others: Vec<&String> = shared
        .zones
        .iter()
        .filter(|z| Some(*z) != writer_zone)
        .collect();
    let mut made = vec![];
    for r in 1..=d.args.replicas.max(0) as usize {
        let id = bp::replica_id(n, r);
        match live.iter().find(|i| i.id == id) {
            Some(i) => {
                p.components.insert(format!("replica_{r}"), i.arn.clone());
                let ch = Changes {
                    class: (i.class != d.args.instance_class)
                        .then(|| d.args.instance_class.clone()),
                    ..Default::default()
                };
                api::modify(ctx, &id, &ch).await?;
            }
            None => {
                let zone = others
                    .get((r - 1) % others.len().max(1))
                    .map(|z| z.as_str());
                let role = shared.monitoring_role.as_deref();
                let i = create_instance(ctx, &id, d, zone, role, &shared.key).await?;
                p.components.insert(format!("replica_{r}"), i.arn.clone());
                made.push(id);
            }
        }
    }
    made.push(bp::writer_id(n));
    wait_for(ctx, &made, false, limit).await
}

/// The `live` readers beyond the count, deleted and waited for; their records dropped.
async fn remove_extra_readers(
    ctx: &ProviderData,
    d: &Desired,
    p: &mut State,
    live: &[Instance],
    limit: Duration,
) -> Result<(), AwsError> {
    let n = d.args.name.as_str();
    let extra: Vec<String> = live
        .iter()
        .filter(|i| {
            i.id.strip_prefix(&format!("{n}-replica-"))
                .and_then(|x| x.parse::<i64>().ok())
                .is_some_and(|x| x > d.args.replicas)
        })
        .map(|i| i.id.clone())
        .collect();
    for id in &extra {
        api::delete_instance(ctx, id, None, false).await?;
    }
    wait_for(ctx, &extra, true, limit).await?;
    for id in &extra {
        if let Some(r) = id.rsplit('-').next() {
            p.components.remove(&format!("replica_{r}"));
        }
    }
    Ok(())
}

/// Deletes readers and writer, then the cluster (with its final snapshot unless the create never
/// finished or the profile takes none), its parameter group and the shared objects.
pub async fn delete(
    ctx: &ProviderData,
    s: &mut State,
    limit: Duration,
    create_incomplete: bool,
) -> Result<(), AwsError> {
    let n = s.name.clone();
    let live_cluster = cluster(ctx, &n).await?;
    let create_incomplete = create_incomplete
        || live_cluster
            .as_ref()
            .is_some_and(|c| c.tags.contains_key(tags::TAG_CREATING));
    if live_cluster.as_ref().is_some_and(|c| c.deletion_protection) && !create_incomplete {
        return Err(protected(&format!("db cluster {n}")));
    }
    // The proxy first: it holds connections to the instances.
    super::reconcile::proxy::remove_from(ctx, s, limit).await?;
    let retain = s.retain_automated_backups && !create_incomplete;
    super::reconcile::backup::remove(ctx, s, retain, limit).await?;
    // The second region's key: kept for the copies there, or scheduled for deletion with them.
    if let Some(region) = super::reconcile::replication::aurora_region_of(s) {
        super::reconcile::replication::delete_key(ctx, s, &region, retain).await?;
    }
    let mut ids = vec![bp::writer_id(&n)];
    ids.extend((1..=5).map(|r| bp::replica_id(&n, r)));
    let live: Vec<String> = api::instances(ctx, &ids)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    for id in &live {
        api::delete_instance(ctx, id, None, false).await?;
    }
    wait_for(ctx, &live, true, limit).await?;
    s.components
        .retain(|k, _| k != "writer" && !k.starts_with("replica_"));
    if let Some(c) = live_cluster {
        if c.deletion_protection {
            ctx.call(
                "db cluster",
                ctx.rds()
                    .modify_db_cluster()
                    .db_cluster_identifier(&n)
                    .deletion_protection(false)
                    .apply_immediately(true)
                    .send(),
            )
            .await?;
        }
        let snapshot = (s.final_snapshot && !create_incomplete)
            .then(|| bp::final_snapshot_id(&n, time::OffsetDateTime::now_utc()));
        let retain = s.retain_automated_backups && !create_incomplete;
        let r = ctx
            .call(
                &format!("db cluster {n}"),
                ctx.rds()
                    .delete_db_cluster()
                    .db_cluster_identifier(&n)
                    .skip_final_snapshot(snapshot.is_none())
                    .set_final_db_snapshot_identifier(snapshot)
                    .delete_automated_backups(!retain)
                    .send(),
            )
            .await;
        ok_if_missing(r.map(|_| ()))?;
        wait_cluster(ctx, &n, true, limit).await?;
    }
    s.components.remove("cluster");
    for pg in bp::parameter_group_names(&n, &s.engine) {
        api::delete_parameter_group(ctx, GroupKind::Cluster, &pg).await?;
    }
    s.components.remove("parameter_group");
    let keep_logs = s.final_snapshot && !create_incomplete;
    delete_side_objects(ctx, s, keep_logs).await
}
