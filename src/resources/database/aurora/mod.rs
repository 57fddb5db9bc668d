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

use super::aws::{self as api, Changes, GroupKind};
use super::blueprint as bp;
use super::model::State;
use super::reconcile::{
    delete_side_objects, prepare, protected, retag, wait_for, Desired, Prepared,
};
use crate::provider::aws::Place;
use crate::provider::error::{ok_if_missing, AwsError};
use crate::provider::{tags, ProviderData};
use aws::*;

/// The Aurora walk.
pub async fn converge(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
    limit: Duration,
) -> Result<(), AwsError> {
    let h = bp::hardening(d.environment);
    let Prepared {
        zones,
        key,
        monitoring_role,
        sg,
        old_tags,
    } = prepare(ctx, place, d, p).await?;
    let n = d.name.as_str();
    let pg = bp::parameter_group_name(n, &d.engine, &d.engine_version);
    api::ensure_parameter_group(
        ctx,
        GroupKind::Cluster,
        &pg,
        &bp::family(&d.engine, &d.engine_version),
        &d.parameters,
        &d.tags,
    )
    .await?;
    p.components.insert(
        "parameter_group".into(),
        place.arn("rds", &format!("cluster-pg:{pg}")),
    );
    p.parameter_group_name = Some(pg.clone());

    // The cluster.
    let c = format!("db cluster {n}");
    match cluster(ctx, n).await? {
        None => {
            let out = ctx
                .call(
                    &c,
                    ctx.rds()
                        .create_db_cluster()
                        .db_cluster_identifier(n)
                        .engine(&d.engine)
                        .engine_version(&d.engine_version)
                        .master_username(&d.master_username)
                        .manage_master_user_password(h.managed_master_password)
                        .master_user_secret_kms_key_id(&key)
                        .storage_encrypted(h.storage_encrypted)
                        .kms_key_id(&key)
                        .backup_retention_period(d.backup_retention_days as i32)
                        .preferred_backup_window(&d.backup_window)
                        .preferred_maintenance_window(&d.maintenance_window)
                        .deletion_protection(d.deletion_protection)
                        .copy_tags_to_snapshot(h.copy_tags_to_snapshot)
                        .enable_iam_database_authentication(h.iam_auth)
                        .set_enable_cloudwatch_logs_exports(Some(bp::log_exports(&d.engine)))
                        .db_cluster_parameter_group_name(&pg)
                        .db_subnet_group_name(n)
                        .vpc_security_group_ids(&sg)
                        .port(bp::port(&d.engine) as i32)
                        .set_tags(Some(rds_tags(&tags::creating(&d.tags))))
                        .send(),
                )
                .await?;
            let arn = out
                .db_cluster
                .and_then(|c| c.db_cluster_arn)
                .unwrap_or_else(|| place.arn("rds", &format!("cluster:{n}")));
            p.components.insert("cluster".into(), arn);
            wait_cluster(ctx, n, false, limit).await?;
        }
        Some(live) => {
            p.components.insert("cluster".into(), live.arn.clone());
            let want_logs = bp::log_exports(&d.engine);
            let enable: Vec<String> = want_logs
                .iter()
                .filter(|l| !live.log_exports.contains(l))
                .cloned()
                .collect();
            let disable: Vec<String> = live
                .log_exports
                .iter()
                .filter(|l| !want_logs.contains(l))
                .cloned()
                .collect();
            let version = (!bp::version_matches(&d.engine_version, &live.engine_version))
                .then(|| d.engine_version.clone());
            let needs = live.backup_retention_days != d.backup_retention_days
                || live.backup_window != d.backup_window
                || live.maintenance_window != d.maintenance_window
                || live.deletion_protection != d.deletion_protection
                || !live.copy_tags
                || !live.iam_auth
                || live.parameter_group.as_deref() != Some(pg.as_str())
                || live.security_groups != [sg.clone()]
                || version.is_some()
                || !enable.is_empty()
                || !disable.is_empty();
            if needs {
                let mut req = ctx
                    .rds()
                    .modify_db_cluster()
                    .db_cluster_identifier(n)
                    .apply_immediately(true)
                    .backup_retention_period(d.backup_retention_days as i32)
                    .preferred_backup_window(&d.backup_window)
                    .preferred_maintenance_window(&d.maintenance_window)
                    .deletion_protection(d.deletion_protection)
                    .copy_tags_to_snapshot(h.copy_tags_to_snapshot)
                    .enable_iam_database_authentication(h.iam_auth)
                    .db_cluster_parameter_group_name(&pg)
                    .vpc_security_group_ids(&sg);
                if let Some(v) = version {
                    req = req.engine_version(v).allow_major_version_upgrade(true);
                }
                if !enable.is_empty() || !disable.is_empty() {
                    req = req.cloudwatch_logs_export_configuration(
                        CloudwatchLogsExportConfiguration::builder()
                            .set_enable_log_types(Some(enable))
                            .set_disable_log_types(Some(disable))
                            .build(),
                    );
                }
                ctx.call(&c, req.send()).await?;
                wait_cluster(ctx, n, false, limit).await?;
            }
        }
    }

    // The writer, then readers in the other zones; readers beyond the count removed.
    let mut ids = vec![bp::writer_id(n)];
    ids.extend((1..=5).map(|r| bp::replica_id(n, r)));
    let live = api::instances(ctx, &ids).await?;
    let find = |id: &str| live.iter().find(|i| i.id == id).cloned();
    let writer_zone = match find(&bp::writer_id(n)) {
        Some(w) => {
            p.components.insert("writer".into(), w.arn.clone());
            let ch = Changes {
                class: (w.class != d.instance_class).then(|| d.instance_class.clone()),
                monitoring_role: (w.monitoring_interval
                    != if monitoring_role.is_some() {
                        bp::MONITORING_INTERVAL
                    } else {
                        0
                    })
                .then(|| monitoring_role.clone()),
                auto_minor_upgrade: (w.auto_minor_upgrade != h.auto_minor_upgrade)
                    .then_some(h.auto_minor_upgrade),
                public: (w.public != h.publicly_accessible).then_some(h.publicly_accessible),
                ..Default::default()
            };
            api::modify(ctx, &w.id, &ch).await?;
            w.zone
        }
        None => {
            let w = create_instance(
                ctx,
                &bp::writer_id(n),
                d,
                zones.first().map(String::as_str),
                monitoring_role.as_deref(),
                &key,
            )
            .await?;
            p.components.insert("writer".into(), w.arn.clone());
            w.zone.or(zones.first().cloned())
        }
    };
    let others: Vec<&String> = zones
        .iter()
        .filter(|z| Some(*z) != writer_zone.as_ref())
        .collect();
    let mut made = vec![];
    for r in 1..=d.replicas.max(0) as usize {
        let id = bp::replica_id(n, r);
        match find(&id) {
            Some(i) => {
                p.components.insert(format!("replica_{r}"), i.arn.clone());
                let ch = Changes {
                    class: (i.class != d.instance_class).then(|| d.instance_class.clone()),
                    ..Default::default()
                };
                api::modify(ctx, &id, &ch).await?;
            }
            None => {
                let zone = others
                    .get((r - 1) % others.len().max(1))
                    .map(|z| z.as_str());
                let i =
                    create_instance(ctx, &id, d, zone, monitoring_role.as_deref(), &key).await?;
                p.components.insert(format!("replica_{r}"), i.arn.clone());
                made.push(id);
            }
        }
    }
    made.push(bp::writer_id(n));
    wait_for(ctx, &made, false, limit).await?;
    let extra: Vec<String> = live
        .iter()
        .filter(|i| {
            i.id.strip_prefix(&format!("{n}-replica-"))
                .and_then(|x| x.parse::<i64>().ok())
                .is_some_and(|x| x > d.replicas)
        })
        .map(|i| i.id.clone())
        .collect();
    for id in &extra {
        api::delete_instance(ctx, id, None).await?;
    }
    wait_for(ctx, &extra, true, limit).await?;
    for id in &extra {
        if let Some(r) = id.rsplit('-').next() {
            p.components.remove(&format!("replica_{r}"));
        }
    }

    retag(ctx, p, d, &old_tags, &sg).await
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
    let mut ids = vec![bp::writer_id(&n)];
    ids.extend((1..=5).map(|r| bp::replica_id(&n, r)));
    let live: Vec<String> = api::instances(ctx, &ids)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    for id in &live {
        api::delete_instance(ctx, id, None).await?;
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
        let r = ctx
            .call(
                &format!("db cluster {n}"),
                ctx.rds()
                    .delete_db_cluster()
                    .db_cluster_identifier(&n)
                    .skip_final_snapshot(snapshot.is_none())
                    .set_final_db_snapshot_identifier(snapshot)
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
    delete_side_objects(ctx, s).await
}
