//! The RDS walk: the shared objects, the parameter group, the primary (with its marker tags) and
//! its replicas in the other zones, extra replicas and leftover parameter groups removed.

use super::{
    ensure_parameter_group, log_export_changes, prepare, remove_replicas, retag,
    secure_master_secret, wait_for, Desired, Prepared,
};
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::{tags, ProviderData};
use crate::resources::database::aws::{
    self as api, Changes, GroupKind, Instance, PrimarySpec, ReplicaSpec,
};
use crate::resources::database::blueprint as bp;
use crate::resources::database::model::State;
use std::time::Duration;

/// The RDS walk: the shared objects, the parameter group, the primary and its replicas.
pub async fn converge(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
    limit: Duration,
) -> Result<(), AwsError> {
    let shared = prepare(ctx, place, d, p).await?;
    let n = d.args.name.as_str();
    let pg = ensure_parameter_group(ctx, place, d, p, GroupKind::Instance).await?;
    let og = ensure_audit_option_group(ctx, place, d, p).await?;

    // 5. The primary, with the configured values alarm packs derive thresholds from as marker tags.
    let live = api::instances(ctx, &instance_ids(d, p)).await?;
    let groups = Groups {
        pg: &pg,
        og: og.as_deref(),
    };
    let primary = ensure_primary(ctx, d, p, &live, &shared, groups, limit).await?;
    sync_marker_tags(ctx, d, &primary).await?;
    secure_master_secret(ctx, place, p, primary.master_secret_arn.as_deref()).await?;

    // 6. Replicas `1..=replicas` in the other zones; extra ones removed (protection lifted first).
    let wanted = Wanted {
        shared: &shared,
        groups,
        primary_zone: primary.zone.as_deref(),
    };
    // 6b. Beside them, the proxy in front of the primary (pooling), or none: it needs only the
    // primary and its secret, and its create and target registration take minutes of their own.
    let secret = primary.master_secret_arn.as_deref();
    let mut proxy = super::proxy::Progress::of(p);
    let (replicas, proxied) = tokio::join!(
        ensure_replicas(ctx, d, p, &live, &wanted, limit),
        super::proxy::ensure(
            ctx,
            place,
            d,
            &mut proxy,
            secret,
            &shared.key,
            &shared.sg,
            limit
        ),
    );
    proxy.merge_into(p);
    replicas?;
    proxied?;
    remove_replicas(ctx, p, &extra_replicas(&live, d), limit).await?;
    // 6c. The second region's copy of the backups, once the primary is available.
    let remote_key = super::replication::ensure(ctx, place, d, p, &primary, limit).await?;
    // 6d. AWS Backup's daily recovery points of the primary, copied to the second region, and
    // their restore test (restore_check), or none.
    let arn = p.components.get("primary").cloned().unwrap_or_default();
    let at = super::backup::Where {
        resource: &arn,
        key: &shared.key,
        vpc: &shared.vpc,
        remote_key: remote_key.as_deref(),
    };
    super::backup::ensure(ctx, place, d, p, &at, limit).await?;

    // 7. Leftover parameter groups of an earlier major version.
    let ours = bp::parameter_group_names(n, &d.args.engine);
    for old in api::parameter_groups_with_prefix(ctx, &format!("{n}-")).await? {
        if ours.contains(&old) && old != pg {
            api::delete_parameter_group(ctx, GroupKind::Instance, &old).await?;
        }
    }
    // 8. Option groups no instance is to be in any more (an earlier major's, or auditing's when
    // off); one a snapshot was taken with stays for its restore.
    if bp::uses_option_group(&d.args.engine) {
        for old in api::own_option_groups(ctx, n).await? {
            if og.as_deref() != Some(old.as_str()) {
                api::delete_option_group(ctx, &old).await?;
            }
        }
    }

    retag(ctx, p, d, &shared.old_tags, &shared.sg).await
}

/// RDS MySQL's audit option group, made or brought back while `audit_logging` is on, and recorded;
/// its name, `None` where instances stay in AWS's default group.
async fn ensure_audit_option_group(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
) -> Result<Option<String>, AwsError> {
    if !(d.args.audit_logging && bp::uses_option_group(&d.args.engine)) {
        p.components.remove("option_group");
        return Ok(None);
    }
    let og = bp::option_group_name(&d.args.name, &d.args.engine_version);
    api::ensure_option_group(
        ctx,
        &og,
        &bp::option_group_major(&d.args.engine_version),
        bp::MYSQL_OPTION,
        &bp::option_settings(),
        &d.tags,
    )
    .await?;
    p.components
        .insert("option_group".into(), place.arn("rds", &format!("og:{og}")));
    Ok(Some(og))
}

/// Every instance to look at in one call: the primary, the replicas wanted and those recorded.
fn instance_ids(d: &Desired, p: &State) -> Vec<String> {
    let n = d.args.name.as_str();
    let mut ids: Vec<String> = vec![n.to_string()];
    let existing: Vec<String> = p
        .components
        .keys()
        .filter_map(|k| {
            k.strip_prefix("replica_")
                .and_then(|i| i.parse::<usize>().ok())
        })
        .map(|i| bp::replica_id(n, i))
        .collect();
    ids.extend((1..=d.args.replicas.max(0) as usize).map(|i| bp::replica_id(n, i)));
    ids.extend(existing);
    ids.sort();
    ids.dedup();
    ids
}

/// The primary: the `live` one brought to the blueprint, else made (with its markers: an
/// unfinished create, and the configured storage); recorded either way.
async fn ensure_primary(
    ctx: &ProviderData,
    d: &Desired,
    p: &mut State,
    live: &[Instance],
    shared: &Prepared,
    Groups { pg, og }: Groups<'_>,
    limit: Duration,
) -> Result<Instance, AwsError> {
    let n = d.args.name.as_str();
    let monitoring_role = shared.monitoring_role.as_deref();
    if let Some(i) = live.iter().find(|i| i.id == n).cloned() {
        p.components.insert("primary".into(), i.arn.clone());
        let ch = changes(&i, d, true, monitoring_role, pg, &shared.sg);
        if !ch.is_empty() {
            api::modify(ctx, n, &ch).await?;
            wait_for(ctx, &[n.to_string()], false, limit).await?;
        }
        return Ok(i);
    }
    let spec = PrimarySpec {
        hardening: bp::hardening(d.environment),
        id: n,
        engine: &d.args.engine,
        engine_version: &d.args.engine_version,
        class: &d.args.instance_class,
        allocated_storage: d.args.allocated_storage,
        max_allocated_storage: d.args.max_allocated_storage,
        master_username: &d.args.master_username,
        kms_key: &shared.key,
        multi_az: d.args.multi_az,
        backup_retention_days: d.args.backup_retention_days,
        backup_window: &d.args.backup_window,
        maintenance_window: &d.args.maintenance_window,
        deletion_protection: d.args.deletion_protection,
        monitoring_role,
        log_exports: bp::log_exports(&d.args.engine, d.args.audit_logging),
        parameter_group: pg,
        option_group: og,
        subnet_group: n,
        security_group: &shared.sg,
        port: bp::port_of(&d.args),
    };
    let mut t = tags::creating(&d.tags);
    t.extend(
        bp::marker_tags(d)
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_string(), v?))),
    );
    let i = api::create_primary(ctx, &spec, &t).await?;
    p.components.insert("primary".into(), i.arn.clone());
    wait_for(ctx, &[n.to_string()], false, limit).await?;
    Ok(i)
}

/// The marker tags on the primary set to the configured values (removed where none is wanted).
async fn sync_marker_tags(
    ctx: &ProviderData,
    d: &Desired,
    primary: &Instance,
) -> Result<(), AwsError> {
    for (key, want) in bp::marker_tags(d) {
        match (primary.tags.get(key), want) {
            (have, Some(w)) if have != Some(&w) => {
                api::tag_marker(ctx, &primary.arn, key, &w).await?
            }
            (Some(_), None) => api::untag(ctx, &primary.arn, &[key]).await?,
            _ => {}
        }
    }
    Ok(())
}

/// The groups every instance is in: the parameter group, and RDS MySQL's audit option group.
#[derive(Clone, Copy)]
struct Groups<'a> {
    pg: &'a str,
    og: Option<&'a str>,
}

/// What every replica is made with: the shared objects, the parameter group, and the primary's
/// zone (replicas go to the others).
struct Wanted<'a> {
    shared: &'a Prepared,
    groups: Groups<'a>,
    primary_zone: Option<&'a str>,
}

/// Replicas `1..=replicas`: the `live` ones brought to the blueprint, the missing ones made in the
/// other zones (waited for together); each recorded.
async fn ensure_replicas(
    ctx: &ProviderData,
    d: &Desired,
    p: &mut State,
    live: &[Instance],
    w: &Wanted<'_>,
    limit: Duration,
) -> Result<(), AwsError> {
    let n = d.args.name.as_str();
    let monitoring_role = w.shared.monitoring_role.as_deref();
    let mut made = Vec::new();
    for r in 1..=d.args.replicas.max(0) as usize {
        let id = bp::replica_id(n, r);
        match live.iter().find(|i| i.id == id) {
            Some(i) => {
                p.components.insert(format!("replica_{r}"), i.arn.clone());
                let ch = changes(i, d, false, monitoring_role, w.groups.pg, &w.shared.sg);
                api::modify(ctx, &id, &ch).await?;
                // Moved to another option group: waited for, so that the group it left is free
                // to delete.
                if ch.option_group.is_some() {
                    made.push(id);
                }
            }
            None => {
                let zone = replica_zone(&w.shared.zones, w.primary_zone, r);
                let spec = ReplicaSpec {
                    hardening: bp::hardening(d.environment),
                    id: &id,
                    source: n,
                    class: &d.args.instance_class,
                    zone: zone.as_deref(),
                    kms_key: &w.shared.key,
                    deletion_protection: d.args.deletion_protection,
                    monitoring_role,
                    parameter_group: w.groups.pg,
                    option_group: w.groups.og,
                    log_exports: bp::log_exports(&d.args.engine, d.args.audit_logging),
                    security_group: &w.shared.sg,
                    port: bp::port_of(&d.args),
                };
                let i = api::create_replica(ctx, &spec, &d.tags).await?;
                p.components.insert(format!("replica_{r}"), i.arn.clone());
                made.push(id);
            }
        }
    }
    wait_for(ctx, &made, false, limit).await
}

/// The `live` replicas beyond the count wanted.
fn extra_replicas(live: &[Instance], d: &Desired) -> Vec<Instance> {
    let n = d.args.name.as_str();
    live.iter()
        .filter(|i| {
            i.replica_of.as_deref() == Some(n) || i.id.starts_with(&format!("{n}-replica-"))
        })
        .filter(|i| {
            i.id.rsplit('-')
                .next()
                .and_then(|x| x.parse::<i64>().ok())
                .is_some_and(|x| x > d.args.replicas)
        })
        .cloned()
        .collect()
}

/// Replica `n` (1-based) goes to the zones other than the primary's, in turn.
fn replica_zone(zones: &[String], primary: Option<&str>, n: usize) -> Option<String> {
    let others: Vec<&String> = zones
        .iter()
        .filter(|z| Some(z.as_str()) != primary)
        .collect();
    if others.is_empty() {
        return None;
    }
    others.get((n - 1) % others.len()).map(|z| z.to_string())
}

/// What must change on a live instance to match the blueprint.
fn changes(
    live: &Instance,
    d: &Desired,
    primary: bool,
    monitoring_role: Option<&str>,
    pg: &str,
    sg: &str,
) -> Changes {
    let mut c = Changes::default();
    let differs = |a: &str, b: &str| (a != b).then(|| b.to_string());
    c.class = differs(&live.class, &d.args.instance_class);
    c.deletion_protection = (live.deletion_protection != d.args.deletion_protection)
        .then_some(d.args.deletion_protection);
    c.parameter_group = live
        .parameter_group
        .as_deref()
        .map_or(Some(pg.to_string()), |g| differs(g, pg));
    c.security_group = (live.security_groups != [sg.to_string()]).then(|| sg.to_string());
    c.option_group = bp::option_group_change(
        &d.args.name,
        &d.args.engine,
        &d.args.engine_version,
        d.args.audit_logging,
        live.option_group.as_deref(),
    );
    let want_interval = if monitoring_role.is_some() {
        bp::MONITORING_INTERVAL
    } else {
        0
    };
    c.monitoring_role =
        (live.monitoring_interval != want_interval).then(|| monitoring_role.map(str::to_string));
    let h = bp::hardening(d.environment);
    c.copy_tags = (live.copy_tags != h.copy_tags_to_snapshot).then_some(h.copy_tags_to_snapshot);
    c.iam_auth = (live.iam_auth != h.iam_auth).then_some(h.iam_auth);
    c.auto_minor_upgrade =
        (live.auto_minor_upgrade != h.auto_minor_upgrade).then_some(h.auto_minor_upgrade);
    c.public = (live.public != h.publicly_accessible).then_some(h.publicly_accessible);
    let port = bp::port_of(&d.args);
    c.port = (live.port != Some(port)).then_some(port);
    if primary {
        c.allocated_storage =
            (live.allocated_storage < d.args.allocated_storage).then_some(d.args.allocated_storage);
        c.max_allocated_storage = (live.max_allocated_storage
            != Some(d.args.max_allocated_storage))
        .then_some(d.args.max_allocated_storage);
        c.multi_az = (live.multi_az != d.args.multi_az).then_some(d.args.multi_az);
        c.backup_retention_days = (live.backup_retention_days != d.args.backup_retention_days)
            .then_some(d.args.backup_retention_days);
        c.backup_window = differs(&live.backup_window, &d.args.backup_window);
        c.maintenance_window = differs(&live.maintenance_window, &d.args.maintenance_window);
        if !bp::version_matches(&d.args.engine_version, &live.engine_version) {
            c.engine_version = Some(d.args.engine_version.clone());
        }
    }
    // Every instance exports its logs (a replica's audit log is its own).
    c.log_exports = log_export_changes(
        &bp::log_exports(&d.args.engine, d.args.audit_logging),
        &live.log_exports,
    );
    c
}
