//! Read of an Aurora database: the cluster, its writer and readers, and the shared objects.

use std::collections::BTreeMap;

use super::super::aws::{self as api, GroupKind};
use super::super::blueprint::{self as bp, Facts};
use super::super::model::State;
use super::super::read::{finish, record_instances, recorded_replicas, Side};
use super::aws::*;
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::{tags, ProviderData};

/// The live state of an Aurora database, or `None` when nothing of it is left.
pub async fn read(
    ctx: &ProviderData,
    place: &Place,
    prior: &State,
) -> Result<Option<State>, AwsError> {
    let n = prior.name.as_str();
    let env = Environment::parse(&prior.environment).unwrap_or(ctx.environment);
    let mut st = prior.clone();
    let mut comp: BTreeMap<String, String> = BTreeMap::new();
    let live_cluster = cluster(ctx, n).await?;
    let recorded = recorded_replicas(prior);
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
    let group = pg_name.as_ref().filter(|_| params.is_some());
    let group = group.map(|g| (GroupKind::Cluster, g));
    let mut facts = side.record(place, prior, group, &mut st, &mut comp);
    facts.master_username = prior.master_username.clone();
    match &live_cluster {
        Some(c) => {
            comp.insert("cluster".into(), c.arn.clone());
            record_cluster(c, prior, !readers.is_empty(), &mut st, &mut facts);
        }
        None => {
            st.endpoint = None;
            st.reader_endpoint = None;
        }
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
    record_instances(&mut st, &mut comp, writer, &readers);
    st.allocated_storage = 0;
    st.max_allocated_storage = 0;
    Ok(Some(finish(env, prior, st, facts, &side, params, comp)))
}

/// The cluster's arguments, computed values and posture facts as AWS has them (`has_readers`: the
/// reader endpoint is null without readers).
fn record_cluster(
    c: &Cluster,
    prior: &State,
    has_readers: bool,
    st: &mut State,
    facts: &mut Facts,
) {
    let engine = prior.engine.as_str();
    st.backup_retention_days = c.backup_retention_days;
    st.backup_window = c.backup_window.clone();
    st.maintenance_window = c.maintenance_window.clone();
    st.deletion_protection = c.deletion_protection;
    st.engine_version_actual = Some(c.engine_version.clone());
    if !bp::version_matches(&prior.engine_version, &c.engine_version) {
        st.engine_version = bp::major(engine, &c.engine_version);
    }
    if c.kms_key != prior.kms_key_arn {
        st.kms_key_arn = c.kms_key.clone();
    }
    if !c.master_username.is_empty() {
        st.master_username = c.master_username.clone();
    }
    st.master_secret_arn = c.master_secret_arn.clone();
    let host_port = |e: &Option<String>| e.as_ref().zip(c.port).map(|(e, p)| format!("{e}:{p}"));
    st.endpoint = host_port(&c.endpoint);
    st.port = prior.port.or(c.port);
    facts.exposure.port = c.port;
    st.tags_all = c.tags.clone();
    st.create_incomplete = st.tags_all.remove(tags::TAG_CREATING).is_some();
    facts.deletion_protection = c.deletion_protection;
    facts.backup_retention_days = c.backup_retention_days;
    facts.encrypted = c.encrypted;
    facts.log_exports = bp::log_exports(engine, prior.audit_logging)
        .iter()
        .all(|l| c.log_exports.contains(l));
    facts.iam_auth = c.iam_auth;
    facts.copy_tags = c.copy_tags;
    facts.in_vpc = c.subnet_group.as_deref() == Some(prior.name.as_str());
    facts.master_username = c.master_username.clone();
    st.reader_endpoint = if has_readers {
        host_port(&c.reader_endpoint)
    } else {
        None
    };
}
