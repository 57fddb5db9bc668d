//! Apply: converge AWS to the blueprint (one walk for create and update, reusing or adopting every
//! object by its name and repairing drift), and the ordered delete with the final snapshot.
//!
//! Each object created is recorded in `progress.components` before the next call (contract rule 14).

use std::collections::BTreeMap;
use std::time::Duration;

use super::aws::{self as api, Changes, GroupKind, Instance, PrimarySpec, ReplicaSpec, Tags};
use super::blueprint as bp;
use super::model::State;
use crate::framework::wait::{wait_until, Backoff, WaitError, MAX_POLL_INTERVAL};
use crate::provider::aws::Place;
use crate::provider::ec2;
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::{iam, kms, tags, ProviderData};
use crate::resources::concurrent::{keep_key_components, Made};
use crate::resources::datastore;

pub struct Desired {
    pub name: String,
    pub environment: Environment,
    pub engine: String,
    pub subnet_ids: Vec<String>,
    pub allowed_security_group_ids: Vec<String>,
    pub engine_version: String,
    pub instance_class: String,
    pub allocated_storage: i64,
    pub max_allocated_storage: i64,
    pub replicas: i64,
    pub multi_az: bool,
    pub backup_retention_days: i64,
    pub backup_window: String,
    pub maintenance_window: String,
    pub deletion_protection: bool,
    /// A key the user gave; `None` makes (or keeps) the database's own.
    pub kms_key_arn: Option<String>,
    pub master_username: String,
    pub parameters: BTreeMap<String, String>,
    pub tags: Tags,
}

const POLL: Duration = Duration::from_secs(15);

fn invalid(component: &str, message: impl Into<String>) -> AwsError {
    AwsError::Invalid {
        component: component.to_string(),
        message: message.into(),
    }
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
        Backoff::new(POLL, MAX_POLL_INTERVAL),
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
            Ok(if gone {
                live.is_empty().then_some(())
            } else {
                (live.len() == ids.len() && live.iter().all(|i| i.status == "available"))
                    .then_some(())
            })
        },
    )
    .await
    .map_err(|e| match e {
        WaitError::Failed(e) => e,
        other => invalid("db instances", other.to_string()),
    })
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
    c.class = differs(&live.class, &d.instance_class);
    c.deletion_protection =
        (live.deletion_protection != d.deletion_protection).then_some(d.deletion_protection);
    c.parameter_group = live
        .parameter_group
        .as_deref()
        .map_or(Some(pg.to_string()), |g| differs(g, pg));
    c.security_group = (live.security_groups != [sg.to_string()]).then(|| sg.to_string());
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
    if primary {
        c.allocated_storage =
            (live.allocated_storage < d.allocated_storage).then_some(d.allocated_storage);
        c.max_allocated_storage = (live.max_allocated_storage != Some(d.max_allocated_storage))
            .then_some(d.max_allocated_storage);
        c.multi_az = (live.multi_az != d.multi_az).then_some(d.multi_az);
        c.backup_retention_days = (live.backup_retention_days != d.backup_retention_days)
            .then_some(d.backup_retention_days);
        c.backup_window = differs(&live.backup_window, &d.backup_window);
        c.maintenance_window = differs(&live.maintenance_window, &d.maintenance_window);
        if !bp::version_matches(&d.engine_version, &live.engine_version) {
            c.engine_version = Some(d.engine_version.clone());
        }
        let want = bp::log_exports(&d.engine);
        let enable: Vec<String> = want
            .iter()
            .filter(|l| !live.log_exports.contains(l))
            .cloned()
            .collect();
        let disable: Vec<String> = live
            .log_exports
            .iter()
            .filter(|l| !want.contains(l))
            .cloned()
            .collect();
        if !enable.is_empty() || !disable.is_empty() {
            c.log_exports = Some((enable, disable));
        }
    }
    c
}

/// What the RDS and Aurora walks share: the subnets checked, the key, the monitoring role, the
/// security group with its rules, and the subnet group.
pub struct Prepared {
    pub zones: Vec<String>,
    pub key: String,
    pub monitoring_role: Option<String>,
    pub sg: String,
    pub old_tags: Tags,
}

pub async fn prepare(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
) -> Result<Prepared, AwsError> {
    let old_tags = std::mem::replace(&mut p.tags_all, d.tags.clone());
    let n = d.name.as_str();

    // 0. Where: the subnets' VPC and zones (checked before anything is made).
    let (vpc, zones) = datastore::placement(ctx, &d.subnet_ids).await?;

    // 1–4 at once: the key (the user's, or the database's own); the enhanced-monitoring role, where
    // the profile monitors; the security group (the engine port from the allowed groups only); the
    // subnet group. Each is recorded once made, whatever the others do.
    let made = Made::new();
    let mut key_components = p.components.clone();
    let key = async {
        match &d.kms_key_arn {
            Some(k) => Ok(k.clone()),
            None => {
                kms::ensure_owned_key(
                    ctx,
                    place,
                    &mut key_components,
                    &bp::alias_name(n),
                    &format!(
                        "prod_database_ha {n}: encrypts storage, snapshots and the master secret"
                    ),
                    bp::key_policy(place, n),
                    &d.tags,
                )
                .await
            }
        }
    };
    let monitoring_role = async {
        if !d.environment.db_monitoring() {
            return Ok(None);
        }
        let arn = iam::ensure_role(
            ctx,
            &iam::RoleSpec {
                name: &bp::monitoring_role_name(n),
                trust: bp::monitoring_trust_policy(),
                inline: vec![],
                managed: vec![bp::monitoring_policy_arn(place)],
            },
            &d.tags,
        )
        .await?;
        made.record("monitoring_role", arn.clone());
        Ok::<_, AwsError>(Some(arn))
    };
    let sg = async {
        let sg = datastore::ensure_security_group(
            ctx,
            &vpc,
            &bp::sg_name(n),
            "prod_database_ha: engine port from the allowed groups only",
            bp::port(&d.engine),
            &d.allowed_security_group_ids,
            &d.tags,
        )
        .await?;
        made.record("security_group", sg.clone());
        Ok::<_, AwsError>(sg)
    };
    let subnet_group = async {
        api::ensure_subnet_group(ctx, n, &d.subnet_ids, &d.tags).await?;
        made.record("subnet_group", place.arn("rds", &format!("subgrp:{n}")));
        Ok::<_, AwsError>(())
    };
    let (key, monitoring_role, sg, subnet_group) =
        tokio::join!(key, monitoring_role, sg, subnet_group);
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
    Ok(Prepared {
        zones,
        key,
        monitoring_role,
        sg,
        old_tags,
    })
}

/// The RDS walk: the shared objects, the parameter group, the primary and its replicas.
pub async fn converge(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
    limit: Duration,
) -> Result<(), AwsError> {
    let Prepared {
        zones,
        key,
        monitoring_role,
        sg,
        old_tags,
    } = prepare(ctx, place, d, p).await?;
    let n = d.name.as_str();
    let port = bp::port(&d.engine);
    let pg = bp::parameter_group_name(n, &d.engine, &d.engine_version);
    api::ensure_parameter_group(
        ctx,
        GroupKind::Instance,
        &pg,
        &bp::family(&d.engine, &d.engine_version),
        &d.parameters,
        &d.tags,
    )
    .await?;
    p.components.insert(
        "parameter_group".into(),
        place.arn("rds", &format!("pg:{pg}")),
    );
    p.parameter_group_name = Some(pg.clone());

    // 5. The primary.
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
    ids.extend((1..=d.replicas.max(0) as usize).map(|i| bp::replica_id(n, i)));
    ids.extend(existing);
    ids.sort();
    ids.dedup();
    let live = api::instances(ctx, &ids).await?;
    let find = |id: &str| live.iter().find(|i| i.id == id).cloned();
    let primary = match find(n) {
        Some(i) => {
            p.components.insert("primary".into(), i.arn.clone());
            let ch = changes(&i, d, true, monitoring_role.as_deref(), &pg, &sg);
            if !ch.is_empty() {
                api::modify(ctx, n, &ch).await?;
                wait_for(ctx, &[n.to_string()], false, limit).await?;
            }
            i
        }
        None => {
            let spec = PrimarySpec {
                hardening: bp::hardening(d.environment),
                id: n,
                engine: &d.engine,
                engine_version: &d.engine_version,
                class: &d.instance_class,
                allocated_storage: d.allocated_storage,
                max_allocated_storage: d.max_allocated_storage,
                master_username: &d.master_username,
                kms_key: &key,
                multi_az: d.multi_az,
                backup_retention_days: d.backup_retention_days,
                backup_window: &d.backup_window,
                maintenance_window: &d.maintenance_window,
                deletion_protection: d.deletion_protection,
                monitoring_role: monitoring_role.as_deref(),
                log_exports: bp::log_exports(&d.engine),
                parameter_group: &pg,
                subnet_group: n,
                security_group: &sg,
                port,
            };
            // Made with its markers: an unfinished create, and the configured storage.
            let mut t = tags::creating(&d.tags);
            t.extend(
                bp::marker_tags(d)
                    .into_iter()
                    .filter_map(|(k, v)| Some((k.to_string(), v?))),
            );
            let i = api::create_primary(ctx, &spec, &t).await?;
            p.components.insert("primary".into(), i.arn.clone());
            wait_for(ctx, &[n.to_string()], false, limit).await?;
            i
        }
    };

    // The configured values alarm packs derive thresholds from, as marker tags on the primary.
    for (key, want) in bp::marker_tags(d) {
        match (primary.tags.get(key), want) {
            (have, Some(w)) if have != Some(&w) => {
                api::tag_marker(ctx, &primary.arn, key, &w).await?
            }
            (Some(_), None) => api::untag(ctx, &primary.arn, &[key]).await?,
            _ => {}
        }
    }

    // 6. Replicas `1..=replicas` in the other zones; extra ones removed (protection lifted first).
    let mut made = Vec::new();
    for r in 1..=d.replicas.max(0) as usize {
        let id = bp::replica_id(n, r);
        match find(&id) {
            Some(i) => {
                p.components.insert(format!("replica_{r}"), i.arn.clone());
                let ch = changes(&i, d, false, monitoring_role.as_deref(), &pg, &sg);
                api::modify(ctx, &id, &ch).await?;
            }
            None => {
                let zone = replica_zone(&zones, primary.zone.as_deref(), r);
                let spec = ReplicaSpec {
                    hardening: bp::hardening(d.environment),
                    id: &id,
                    source: n,
                    class: &d.instance_class,
                    zone: zone.as_deref(),
                    kms_key: &key,
                    deletion_protection: d.deletion_protection,
                    monitoring_role: monitoring_role.as_deref(),
                    parameter_group: &pg,
                    security_group: &sg,
                };
                let i = api::create_replica(ctx, &spec, &d.tags).await?;
                p.components.insert(format!("replica_{r}"), i.arn.clone());
                made.push(id);
            }
        }
    }
    wait_for(ctx, &made, false, limit).await?;
    let extra: Vec<Instance> = live
        .iter()
        .filter(|i| {
            i.replica_of.as_deref() == Some(n) || i.id.starts_with(&format!("{n}-replica-"))
        })
        .filter(|i| {
            i.id.rsplit('-')
                .next()
                .and_then(|x| x.parse::<i64>().ok())
                .is_some_and(|x| x > d.replicas)
        })
        .cloned()
        .collect();
    remove_replicas(ctx, p, &extra, limit).await?;

    // 7. Leftover parameter groups of an earlier major version.
    let ours = bp::parameter_group_names(n, &d.engine);
    for old in api::parameter_groups_with_prefix(ctx, &format!("{n}-")).await? {
        if ours.contains(&old) && old != pg {
            api::delete_parameter_group(ctx, GroupKind::Instance, &old).await?;
        }
    }

    retag(ctx, p, d, &old_tags, &sg).await
}

/// After a tag change: every instance (and Aurora's cluster), the security group, the key and the
/// monitoring role move from `old` to the desired tags.
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
            matches!(k.as_str(), "primary" | "cluster" | "writer") || k.starts_with("replica_")
        })
        .map(|(_, v)| v.clone())
        .collect();
    for arn in arns {
        api::tag(ctx, &arn, old, &d.tags).await?;
    }
    ec2::retag(ctx, vec![sg.to_string()], old, &d.tags).await?;
    if let Some(k) = p.components.get("kms_key") {
        kms::tag_key(ctx, k, old, &d.tags).await?;
    }
    if p.components.contains_key("monitoring_role") {
        iam::tag_role(ctx, &bp::monitoring_role_name(&d.name), old, &d.tags).await?;
    }
    Ok(())
}

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
        api::delete_instance(ctx, &i.id, None).await?;
    }
    wait_for(ctx, &ids, true, limit).await?;
    for id in &ids {
        if let Some(r) = id.rsplit('-').next() {
            p.components.remove(&format!("replica_{r}"));
        }
    }
    Ok(())
}

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
        api::delete_instance(ctx, &n, snapshot.as_deref()).await?;
        wait_for(ctx, std::slice::from_ref(&n), true, limit).await?;
    }
    s.components.remove("primary");
    let ours = bp::parameter_group_names(&n, &s.engine);
    for pg in api::parameter_groups_with_prefix(ctx, &format!("{n}-")).await? {
        if ours.contains(&pg) {
            api::delete_parameter_group(ctx, GroupKind::Instance, &pg).await?;
        }
    }
    s.components.remove("parameter_group");
    delete_side_objects(ctx, s).await
}

/// The refusal to delete a finished database whose AWS deletion protection is on (a replacement the
/// plan's guard could not see, e.g. `-replace` or a tainted finished database): nothing is touched.
pub fn protected(component: &str) -> AwsError {
    AwsError::Refused {
        component: component.to_string(),
        message: "AWS deletion protection is on and the database holds data, so it is not deleted. If that is intended, first apply deletion_protection = false (the decommission step), then destroy or replace it".to_string(),
    }
}

/// The objects the RDS and Aurora walks share, once the instances are gone: subnet group, security
/// group, monitoring role, alias, and the key (scheduled for deletion).
pub async fn delete_side_objects(ctx: &ProviderData, s: &mut State) -> Result<(), AwsError> {
    let n = s.name.clone();
    api::delete_subnet_group(ctx, &n).await?;
    s.components.remove("subnet_group");
    if let Some(sg) = s.components.get("security_group").cloned() {
        ec2::delete_sg(ctx, &sg).await?;
    }
    s.components.remove("security_group");
    iam::delete_role(ctx, &bp::monitoring_role_name(&n)).await?;
    s.components.remove("monitoring_role");
    kms::delete_alias(ctx, &bp::alias_name(&n)).await?;
    s.components.remove("kms_alias");
    if let Some(k) = s.components.remove("kms_key") {
        let env = Environment::parse(&s.environment).unwrap_or(Environment::Production);
        kms::schedule_key_deletion(ctx, &k, env.key_deletion_window_days()).await?;
    }
    Ok(())
}
