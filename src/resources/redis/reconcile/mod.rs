//! Apply: converge AWS to the blueprint (one walk for create and update, reusing or adopting every
//! object by its name and repairing drift), sequencing multi-step changes (replicas before failover
//! is turned on, failover off before the last replica goes, an engine family change through the
//! default group), and the ordered delete.
//!
//! Each object created is recorded in `progress.components` before the next call (contract rule 14).
//! The walk is here; the objects around the group (key, AUTH token, security and subnet groups) in
//! `side`, the delete in `delete`.

mod delete;
mod side;

pub use delete::delete;
use side::{rotate_token, side_objects, Side};

use std::time::Duration;

use super::aws::{self as api, Changes, Group, GroupSpec, MemberFacts, Tags};
use super::blueprint as bp;
use super::model::State;
use crate::framework::wait::{log_one, wait_until, Backoff};
use crate::provider::aws::Place;
use crate::provider::ec2;
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::secrets::SecretValue;
use crate::provider::{kms, secrets, ProviderData};
use crate::resources::datastore::invalid;

pub struct Desired {
    /// The arguments as planned (every default filled in).
    pub args: State,
    pub environment: Environment,
    /// A key the user gave; `None` makes (or keeps) the group's own.
    pub kms_key_arn: Option<String>,
    pub tags: Tags,
    /// The user's AUTH token (`auth_token_wo`, read from the configuration) when apply must send
    /// it: on create, or when `auth_token_wo_version` changed. `None` keeps the token there is.
    pub auth_token: Option<SecretValue>,
    /// The generated token is due for rotation (`auth_token_rotation_days`): apply makes a new one.
    pub rotate_generated: bool,
}

impl Desired {
    fn clustered(&self) -> bool {
        bp::clustered(self.args.shards)
    }
    /// The parameter group the group should use: its own when `parameters` are set.
    fn parameter_group(&self) -> String {
        match &self.args.parameters {
            Some(_) => self.args.name.clone(),
            None => bp::default_parameter_group(
                &self.args.engine,
                &self.args.engine_version,
                self.clustered(),
            ),
        }
    }
}

/// How long a group may go unlisted after a wait starts (AWS lists a new group within seconds);
/// past it, a group never seen is missing, not late.
const UNLISTED_GRACE: Duration = Duration::from_secs(120);

/// Waits until the group is `available` (or, with `gone`, no longer listed).
pub async fn wait_for(
    ctx: &ProviderData,
    id: &str,
    gone: bool,
    limit: Duration,
) -> Result<Option<Group>, AwsError> {
    let what = format!(
        "replication group {id} to be {}",
        if gone { "deleted" } else { "available" }
    );
    // A group made moments ago may not be listed yet: only one seen before has vanished, and one
    // never seen is missing once AWS has had [`UNLISTED_GRACE`] to list it.
    let seen = std::sync::atomic::AtomicBool::new(false);
    let started = std::time::Instant::now();
    wait_until(&what, ctx.stop_token(), limit, Backoff::polling(), || {
        poll(ctx, id, gone, &seen, started)
    })
    .await
    .map_err(|e| AwsError::from_wait("replication group", e))
}

/// One look of [`wait_for`]: `Some` once done (the group, or `None` when gone), `None` to look again.
async fn poll(
    ctx: &ProviderData,
    id: &str,
    gone: bool,
    seen: &std::sync::atomic::AtomicBool,
    started: std::time::Instant,
) -> Result<Option<Option<Group>>, AwsError> {
    use std::sync::atomic::Ordering::Relaxed;
    let listed = api::listed(ctx, id).await?;
    // Deleted once AWS no longer lists it, `deleting` included.
    let done = match &listed {
        None => gone,
        Some(g) => !gone && g.status == "available",
    };
    if !done {
        let state = listed.as_ref().map(|g| g.status.as_str());
        log_one("replication group", gone, id, state);
    }
    if gone {
        return Ok(done.then_some(None));
    }
    let g = listed.filter(|g| g.status != "deleting");
    if g.is_some() {
        seen.store(true, Relaxed);
    }
    match g {
        None if !seen.load(Relaxed) && started.elapsed() < UNLISTED_GRACE => Ok(None),
        None if !seen.load(Relaxed) => Err(invalid(
            &format!("replication group {id}"),
            "not listed by AWS (deleted outside Terraform?)",
        )),
        None => Err(invalid(
            &format!("replication group {id}"),
            "vanished while being waited for",
        )),
        Some(g) if g.status == "create-failed" => Err(invalid(
            &format!("replication group {id}"),
            format!("status {}", g.status),
        )),
        Some(g) if g.status == "available" => Ok(Some(Some(g))),
        Some(_) => Ok(None),
    }
}

/// The settings `modify` must change on a live group (failover as the replica count will be once
/// the increase step is done).
fn changes(live: &Group, member: &MemberFacts, d: &Desired, sg: &str) -> Changes {
    let differs = |a: &str, b: &str| (a != b).then(|| b.to_string());
    let failover = bp::failover(d.args.replicas_per_shard);
    let minor = bp::hardening(d.environment).auto_minor_upgrade;
    let pg = d.parameter_group();
    Changes {
        node_type: differs(&live.node_type, &d.args.node_type),
        engine: differs(&live.engine, &d.args.engine),
        engine_version: (live.engine != d.args.engine
            || !bp::version_matches(&d.args.engine_version, &member.engine_version))
        .then(|| d.args.engine_version.clone()),
        parameter_group: match &member.parameter_group {
            Some(g) => differs(g, &pg),
            None => Some(pg),
        },
        failover: (live.automatic_failover != failover).then_some(failover),
        multi_az: (live.multi_az != failover).then_some(failover),
        snapshot_retention_days: (live.snapshot_retention_days != d.args.snapshot_retention_days)
            .then_some(d.args.snapshot_retention_days),
        snapshot_window: differs(&live.snapshot_window, &d.args.snapshot_window),
        maintenance_window: differs(&member.maintenance_window, &d.args.maintenance_window),
        security_group: (member.security_groups != [sg.to_string()]).then(|| sg.to_string()),
        auto_minor_upgrade: (live.auto_minor_upgrade != minor).then_some(minor),
    }
}

/// The walk for create and update: the side objects, the replication group (made, or brought to
/// the blueprint step by step), a parameter group no longer wanted removed, then the tags.
pub async fn converge(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
    limit: Duration,
) -> Result<(), AwsError> {
    let old_tags = std::mem::replace(&mut p.tags_all, d.tags.clone());
    let n = d.args.name.as_str();
    let side = side_objects(ctx, place, d, p).await?;

    // 5. The replication group.
    let live = api::describe(ctx, n).await?;
    let family = bp::family(&d.args.engine, &d.args.engine_version);
    match live {
        None => {
            ensure_parameter_group(ctx, place, d, &family, p).await?;
            let mut side = side;
            if let Some(t) = &d.auth_token {
                // A secret left by an earlier try may hold another value: the given token wins.
                if t.expose() != side.token.expose() {
                    secrets::put(ctx, &bp::secret_name(n), t).await?;
                    side.token = SecretValue::new(t.expose().to_string());
                }
            }
            let g = create(ctx, d, &side).await?;
            p.components.insert("replication_group".into(), g.arn);
            wait_for(ctx, n, false, limit).await?;
        }
        Some(g) => {
            p.components
                .insert("replication_group".into(), g.arn.clone());
            update(ctx, place, d, p, g, &side.sg, &family, limit).await?;
            if let Some(t) = &d.auth_token {
                rotate_token(ctx, n, t, &side.token, limit).await?;
            } else if d.rotate_generated {
                let length = bp::hardening(d.environment).auth_token_length;
                let t = secrets::random(ctx, length).await?;
                rotate_token(ctx, n, &t, &side.token, limit).await?;
            }
        }
    }
    p.auth_token_wo_version = d.args.auth_token_wo_version;

    // 6. A parameter group no longer wanted (the group is on the engine's default by now).
    if d.args.parameters.is_none() && p.components.contains_key("parameter_group") {
        api::delete_parameter_group(ctx, n).await?;
        p.components.remove("parameter_group");
    }

    retag(ctx, p, d, &old_tags).await
}

/// The replication group made to the blueprint.
async fn create(ctx: &ProviderData, d: &Desired, side: &Side) -> Result<Group, AwsError> {
    let n = d.args.name.as_str();
    let spec = GroupSpec {
        id: n,
        description: &format!("prod_redis_cluster {n}"),
        engine: &d.args.engine,
        engine_version: &d.args.engine_version,
        node_type: &d.args.node_type,
        zones: bp::node_zones(&side.zones, d.args.shards, d.args.replicas_per_shard),
        replicas: d.args.replicas_per_shard,
        failover: bp::failover(d.args.replicas_per_shard),
        clustered: d.clustered(),
        parameter_group: &d.parameter_group(),
        subnet_group: n,
        security_group: &side.sg,
        kms_key: &side.key,
        snapshot_retention_days: d.args.snapshot_retention_days,
        snapshot_window: &d.args.snapshot_window,
        maintenance_window: &d.args.maintenance_window,
        port: bp::port_of(&d.args),
        hardening: bp::hardening(d.environment),
    };
    // Marked until the create finishes: Terraform replaces a tainted group without the private
    // state that says so, and the delete must know (no final snapshot of a half-made group).
    api::create(
        ctx,
        &spec,
        &side.token,
        &crate::provider::tags::creating(&d.tags),
    )
    .await
}

/// The parameter group `<name>` with the user's values, when `parameters` are set; a group of
/// another family (an engine upgrade) is replaced by the caller first.
async fn ensure_parameter_group(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    family: &str,
    p: &mut State,
) -> Result<(), AwsError> {
    let Some(user) = &d.args.parameters else {
        p.parameter_group_name = None;
        return Ok(());
    };
    let n = d.args.name.as_str();
    if api::parameter_group_family(ctx, n).await?.is_none() {
        api::create_parameter_group(ctx, n, family, &d.tags).await?;
    }
    p.components.insert(
        "parameter_group".into(),
        place.arn("elasticache", &format!("parametergroup:{n}")),
    );
    p.parameter_group_name = Some(n.to_string());
    api::sync_parameters(ctx, n, &bp::parameters(user, d.clustered())).await
}

/// An existing group brought to the blueprint, one step at a time.
#[allow(clippy::too_many_arguments)]
async fn update(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
    live: Group,
    sg: &str,
    family: &str,
    limit: Duration,
) -> Result<(), AwsError> {
    let n = d.args.name.as_str();
    let mut live = if live.status == "available" {
        live
    } else {
        wait_for(ctx, n, false, limit).await?.unwrap_or(live)
    };

    // a. An engine family change with our own group: move to the new family's default group
    //    together with the upgrade, then remake `<name>` in the new family.
    if d.args.parameters.is_some() {
        let have_family = api::parameter_group_family(ctx, n).await?;
        if have_family.as_deref().is_some_and(|f| f != family) {
            let step = Changes {
                engine: (live.engine != d.args.engine).then(|| d.args.engine.clone()),
                engine_version: Some(d.args.engine_version.clone()),
                parameter_group: Some(bp::default_parameter_group(
                    &d.args.engine,
                    &d.args.engine_version,
                    d.clustered(),
                )),
                ..Default::default()
            };
            api::modify(ctx, n, &step).await?;
            live = wait_for(ctx, n, false, limit).await?.unwrap_or(live);
            api::delete_parameter_group(ctx, n).await?;
            p.components.remove("parameter_group");
        }
    }
    ensure_parameter_group(ctx, place, d, family, p).await?;
    // Version, groups and window live on the members (they share them): read after step a.
    let first = live.member_clusters.first().cloned().unwrap_or_default();
    let member = api::member(ctx, &first).await?.unwrap_or_default();

    // b. More replicas first (failover needs one).
    let have = live.replicas_per_shard();
    if d.args.replicas_per_shard > have {
        api::set_replicas(ctx, n, have, d.args.replicas_per_shard).await?;
        wait_for(ctx, n, false, limit).await?;
    }
    // c. The shard count, in cluster mode.
    if d.clustered() && live.shards.len() as i64 != d.args.shards {
        api::set_shards(ctx, n, &live.shards, d.args.shards).await?;
        wait_for(ctx, n, false, limit).await?;
    }
    // d. Every setting (failover off here before the last replica goes).
    let ch = changes(&live, &member, d, sg);
    if !ch.is_empty() {
        api::modify(ctx, n, &ch).await?;
        wait_for(ctx, n, false, limit).await?;
    }
    // e. Fewer replicas last.
    if d.args.replicas_per_shard < have {
        api::set_replicas(ctx, n, have, d.args.replicas_per_shard).await?;
        wait_for(ctx, n, false, limit).await?;
    }
    Ok(())
}

/// After a tag change: the replication group, subnet and parameter groups, security group, key and
/// secret move from `old` to the desired tags.
async fn retag(ctx: &ProviderData, p: &State, d: &Desired, old: &Tags) -> Result<(), AwsError> {
    if old.is_empty() || *old == d.tags {
        return Ok(());
    }
    for role in ["replication_group", "subnet_group", "parameter_group"] {
        if let Some(arn) = p.components.get(role) {
            api::retag(ctx, arn, old, &d.tags).await?;
        }
    }
    if let Some(sg) = p.components.get("security_group") {
        ec2::retag(ctx, vec![sg.clone()], old, &d.tags).await?;
    }
    if let Some(k) = p.components.get("kms_key") {
        kms::tag_key(ctx, k, old, &d.tags).await?;
    }
    secrets::tag(ctx, &bp::secret_name(&d.args.name), old, &d.tags).await
}
