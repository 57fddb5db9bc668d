//! Aurora: the cluster `<name>` with its writer `<name>-writer` and readers `<name>-replica-<n>` in
//! the other zones, a cluster parameter group forcing TLS, and the objects RDS shares (key, role,
//! security group, subnet group). Converge, read and delete for the two Aurora engines.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_rds::types::{CloudwatchLogsExportConfiguration, DbCluster, Filter, Tag};

use super::aws::{self as api, Changes, GroupKind, Tags};
use super::blueprint::{self as bp, Facts};
use super::model::State;
use super::read::{endpoint, ingress, Side};
use super::reconcile::{
    delete_side_objects, prepare, protected, retag, wait_for, Desired, Prepared,
};
use crate::framework::wait::{wait_until, Backoff, WaitError, MAX_POLL_INTERVAL};
use crate::provider::aws::Place;
use crate::provider::error::{found, ok_if_missing, AwsError};
use crate::provider::profile::Environment;
use crate::provider::{tags, ProviderData};

fn invalid(component: &str, message: impl Into<String>) -> AwsError {
    AwsError::Invalid {
        component: component.to_string(),
        message: message.into(),
    }
}

fn rds_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// A cluster as read.
#[derive(Clone, Debug, Default)]
pub struct Cluster {
    pub arn: String,
    pub engine: String,
    pub status: String,
    pub engine_version: String,
    pub endpoint: Option<String>,
    pub reader_endpoint: Option<String>,
    pub port: Option<i64>,
    pub encrypted: bool,
    pub kms_key: Option<String>,
    pub backup_retention_days: i64,
    pub backup_window: String,
    pub maintenance_window: String,
    pub deletion_protection: bool,
    pub copy_tags: bool,
    pub iam_auth: bool,
    pub log_exports: Vec<String>,
    pub parameter_group: Option<String>,
    pub security_groups: Vec<String>,
    pub subnet_group: Option<String>,
    pub master_secret_arn: Option<String>,
    pub master_username: String,
    pub tags: Tags,
}

fn cluster_of(c: DbCluster) -> Cluster {
    Cluster {
        arn: c.db_cluster_arn.unwrap_or_default(),
        engine: c.engine.unwrap_or_default(),
        status: c.status.unwrap_or_default(),
        engine_version: c.engine_version.unwrap_or_default(),
        endpoint: c.endpoint,
        reader_endpoint: c.reader_endpoint,
        port: c.port.map(i64::from),
        encrypted: c.storage_encrypted.unwrap_or(false),
        kms_key: c.kms_key_id,
        backup_retention_days: c.backup_retention_period.unwrap_or_default() as i64,
        backup_window: c.preferred_backup_window.unwrap_or_default(),
        maintenance_window: c.preferred_maintenance_window.unwrap_or_default(),
        deletion_protection: c.deletion_protection.unwrap_or(false),
        copy_tags: c.copy_tags_to_snapshot.unwrap_or(false),
        iam_auth: c.iam_database_authentication_enabled.unwrap_or(false),
        log_exports: c.enabled_cloudwatch_logs_exports.unwrap_or_default(),
        parameter_group: c.db_cluster_parameter_group,
        security_groups: c
            .vpc_security_groups
            .unwrap_or_default()
            .into_iter()
            .filter_map(|g| g.vpc_security_group_id)
            .collect(),
        subnet_group: c.db_subnet_group,
        master_secret_arn: c.master_user_secret.and_then(|s| s.secret_arn),
        master_username: c.master_username.unwrap_or_default(),
        tags: c
            .tag_list
            .unwrap_or_default()
            .into_iter()
            .filter_map(|t| Some((t.key?, t.value?)))
            .collect(),
    }
}

pub async fn cluster(ctx: &ProviderData, name: &str) -> Result<Option<Cluster>, AwsError> {
    Ok(found(
        ctx.call(
            &format!("db cluster {name}"),
            ctx.rds()
                .describe_db_clusters()
                .filters(Filter::builder().name("db-cluster-id").values(name).build())
                .send(),
        )
        .await,
    )?
    .and_then(|out| {
        out.db_clusters
            .unwrap_or_default()
            .into_iter()
            .find(|c| c.db_cluster_identifier.as_deref() == Some(name))
            .map(cluster_of)
            .filter(|c| c.status != "deleted")
    }))
}

async fn wait_cluster(
    ctx: &ProviderData,
    name: &str,
    gone: bool,
    limit: Duration,
) -> Result<(), AwsError> {
    let what = format!(
        "db cluster {name} to be {}",
        if gone { "deleted" } else { "available" }
    );
    wait_until(
        &what,
        ctx.stop_token(),
        limit,
        Backoff::new(Duration::from_secs(15), MAX_POLL_INTERVAL),
        || async {
            let c = cluster(ctx, name).await?;
            Ok(match (gone, c) {
                (true, None) => Some(()),
                (false, Some(c)) if c.status == "available" => Some(()),
                (false, Some(c))
                    if c.status == "failed" || c.status.starts_with("incompatible") =>
                {
                    return Err(invalid(
                        &format!("db cluster {name}"),
                        format!("status {}", c.status),
                    ))
                }
                _ => None,
            })
        },
    )
    .await
    .map_err(|e| match e {
        WaitError::Failed(e) => e,
        other => invalid("db cluster", other.to_string()),
    })
}

// ---- instances ----

async fn create_instance(
    ctx: &ProviderData,
    id: &str,
    d: &Desired,
    zone: Option<&str>,
    monitoring_role: Option<&str>,
    key: &str,
) -> Result<api::Instance, AwsError> {
    let h = bp::hardening(d.environment);
    let c = format!("db instance {id}");
    let out = ctx
        .call(
            &c,
            ctx.rds()
                .create_db_instance()
                .db_instance_identifier(id)
                .db_cluster_identifier(&d.name)
                .engine(&d.engine)
                .db_instance_class(&d.instance_class)
                .set_availability_zone(zone.map(str::to_string))
                .enable_performance_insights(monitoring_role.is_some())
                .set_performance_insights_kms_key_id(monitoring_role.map(|_| key.to_string()))
                .monitoring_interval(if monitoring_role.is_some() {
                    bp::MONITORING_INTERVAL
                } else {
                    0
                })
                .set_monitoring_role_arn(monitoring_role.map(str::to_string))
                .auto_minor_version_upgrade(h.auto_minor_upgrade)
                .publicly_accessible(h.publicly_accessible)
                .copy_tags_to_snapshot(h.copy_tags_to_snapshot)
                .set_tags(Some(rds_tags(&d.tags)))
                .send(),
        )
        .await?;
    let i = out
        .db_instance
        .ok_or_else(|| invalid(&c, "no instance returned"))?;
    Ok(
        api::instances(ctx, &[i.db_instance_identifier.unwrap_or_default()])
            .await?
            .into_iter()
            .next()
            .unwrap_or_default(),
    )
}

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

/// The live state of an Aurora database, or `None` when nothing of it is left.
pub async fn read(
    ctx: &ProviderData,
    place: &Place,
    prior: &State,
) -> Result<Option<State>, AwsError> {
    let n = prior.name.as_str();
    let env = Environment::parse(&prior.environment).unwrap_or(ctx.environment);
    let engine = prior.engine.clone();
    let mut st = prior.clone();
    let mut comp: BTreeMap<String, String> = BTreeMap::new();
    let live_cluster = cluster(ctx, n).await?;
    let recorded = prior
        .components
        .keys()
        .filter_map(|k| {
            k.strip_prefix("replica_")
                .and_then(|i| i.parse::<usize>().ok())
        })
        .max()
        .unwrap_or(0)
        .max(prior.replicas.max(0) as usize);
    let mut ids = vec![bp::writer_id(n)];
    ids.extend((1..=recorded).map(|r| bp::replica_id(n, r)));
    let live = api::instances(ctx, &ids).await?;
    let writer = live.iter().find(|i| i.id == bp::writer_id(n));
    let readers: Vec<&api::Instance> = (1..=recorded)
        .filter_map(|r| live.iter().find(|i| i.id == bp::replica_id(n, r)))
        .collect();
    let side = Side::read(ctx, prior, env).await?;
    let pg_name = live_cluster
        .as_ref()
        .and_then(|c| c.parameter_group.clone())
        .or(prior.parameter_group_name.clone());
    let params = match &pg_name {
        Some(g) => api::user_parameters(ctx, GroupKind::Cluster, g).await?,
        None => None,
    };
    if live_cluster.is_none() && live.is_empty() && params.is_none() && side.is_empty() {
        return Ok(None);
    }
    side.record(place, prior, &mut st, &mut comp);
    if let Some(g) = pg_name.as_ref().filter(|_| params.is_some()) {
        comp.insert(
            "parameter_group".into(),
            place.arn("rds", &format!("cluster-pg:{g}")),
        );
        st.parameter_group_name = Some(g.clone());
    }

    let mut facts = Facts {
        key_rotation: side.key_rotation(prior),
        master_username: prior.master_username.clone(),
        ..Default::default()
    };
    if let Some(c) = &live_cluster {
        comp.insert("cluster".into(), c.arn.clone());
        st.backup_retention_days = c.backup_retention_days;
        st.backup_window = c.backup_window.clone();
        st.maintenance_window = c.maintenance_window.clone();
        st.deletion_protection = c.deletion_protection;
        st.engine_version_actual = Some(c.engine_version.clone());
        if !bp::version_matches(&prior.engine_version, &c.engine_version) {
            st.engine_version = bp::major(&engine, &c.engine_version);
        }
        if c.kms_key != prior.kms_key_arn {
            st.kms_key_arn = c.kms_key.clone();
        }
        if !c.master_username.is_empty() {
            st.master_username = c.master_username.clone();
        }
        st.master_secret_arn = c.master_secret_arn.clone();
        st.endpoint = c
            .endpoint
            .as_ref()
            .zip(c.port)
            .map(|(e, p)| format!("{e}:{p}"));
        st.port = c.port;
        st.tags_all = c.tags.clone();
        st.create_incomplete = st.tags_all.remove(tags::TAG_CREATING).is_some();
        facts.deletion_protection = c.deletion_protection;
        facts.backup_retention_days = c.backup_retention_days;
        facts.encrypted = c.encrypted;
        facts.log_exports = bp::log_exports(&engine)
            .iter()
            .all(|l| c.log_exports.contains(l));
        facts.iam_auth = c.iam_auth;
        facts.copy_tags = c.copy_tags;
        facts.in_vpc = c.subnet_group.as_deref() == Some(n);
        facts.master_username = c.master_username.clone();
        if !readers.is_empty() {
            st.reader_endpoint = c
                .reader_endpoint
                .as_ref()
                .zip(c.port)
                .map(|(e, p)| format!("{e}:{p}"));
        } else {
            st.reader_endpoint = None;
        }
    } else {
        st.endpoint = None;
        st.reader_endpoint = None;
    }
    if let Some(w) = writer {
        comp.insert("writer".into(), w.arn.clone());
        st.instance_class = w.class.clone();
        facts.monitoring = w.monitoring_interval > 0;
        facts.public = w.public || readers.iter().any(|r| r.public);
        facts.auto_minor_upgrade =
            w.auto_minor_upgrade && readers.iter().all(|r| r.auto_minor_upgrade);
    }
    facts.multi_az = readers
        .iter()
        .any(|r| r.zone.is_some() && r.zone != writer.and_then(|w| w.zone.clone()));
    st.multi_az = facts.multi_az;
    st.replicas = readers.len() as i64;
    st.replica_endpoints = readers.iter().filter_map(|r| endpoint(r)).collect();
    for r in &readers {
        if let Some(k) = r.id.rsplit('-').next() {
            comp.insert(format!("replica_{k}"), r.arn.clone());
        }
    }
    st.instance_ids = writer
        .into_iter()
        .chain(readers.iter().copied())
        .map(|i| i.id.clone())
        .collect();
    let live_params = params.unwrap_or_default();
    if let Some(user) = &prior.parameters {
        st.parameters = Some(
            user.keys()
                .filter_map(|k| live_params.get(k).map(|v| (k.clone(), v.clone())))
                .collect(),
        );
    }
    let (tls, _) = bp::tls_parameter(&engine);
    facts.tls = live_params
        .get(tls)
        .is_some_and(|v| bp::tls_value_on(&engine, v));
    let (why, allowed) = ingress(
        &engine,
        &prior.allowed_security_group_ids,
        side.sg_rules.as_ref(),
    );
    facts.ingress = why;
    if let Some(a) = allowed {
        st.allowed_security_group_ids = a;
    }
    st.allocated_storage = 0;
    st.max_allocated_storage = 0;
    st.posture = bp::posture(env, &engine, &facts);
    st.components = comp;
    Ok(Some(st))
}
