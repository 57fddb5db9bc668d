//! Connection pooling (`pooling`): the RDS Proxy in front of the database. Its security group is
//! made with the database's (the database's group admits it); once the primary (Aurora: the
//! cluster) and its master secret exist, the role, the proxy, its pool, its target and Aurora's
//! read-only endpoint are brought to the blueprint (`pooling.rs`). Pooling turned off removes
//! them, and so does destroy.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::framework::wait::{wait_until, Backoff};
use crate::provider::aws::Place;
use crate::provider::ec2::{self, Peer};
use crate::provider::error::AwsError;
use crate::provider::{iam, retry, ProviderData};
use crate::resources::concurrent::Made;
use crate::resources::database::aws::proxy::{self as api, ProxySpec};
use crate::resources::database::blueprint as bp;
use crate::resources::database::model::State;
use crate::resources::database::pooling::{
    self, Pool, PROXY_COMPONENT, READER_COMPONENT, ROLE_COMPONENT, SG_COMPONENT,
};
use crate::resources::datastore::invalid;

use super::Desired;

/// What the proxy's walk records: its components, apart from the database's (so that it runs beside
/// the replicas' walk), and the endpoints.
#[derive(Clone, Debug, Default)]
pub struct Progress {
    pub components: BTreeMap<String, String>,
    pub proxy_endpoint: Option<String>,
    pub proxy_reader_endpoint: Option<String>,
}

const ROLES: [&str; 4] = [
    PROXY_COMPONENT,
    READER_COMPONENT,
    ROLE_COMPONENT,
    SG_COMPONENT,
];

impl Progress {
    /// The proxy's part of `s`.
    pub fn of(s: &State) -> Progress {
        Progress {
            components: s
                .components
                .iter()
                .filter(|(k, _)| ROLES.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            proxy_endpoint: s.proxy_endpoint.clone(),
            proxy_reader_endpoint: s.proxy_reader_endpoint.clone(),
        }
    }

    /// Puts the proxy's part back into `s`.
    pub fn merge_into(self, s: &mut State) {
        s.components.retain(|k, _| !ROLES.contains(&k.as_str()));
        s.components.extend(self.components);
        s.proxy_endpoint = self.proxy_endpoint;
        s.proxy_reader_endpoint = self.proxy_reader_endpoint;
    }
}

/// Converge's proxy step on the whole state (run on its own, not beside the replicas).
#[allow(clippy::too_many_arguments)]
pub async fn ensure_in(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    s: &mut State,
    secret: Option<&str>,
    key: &str,
    db_sg: &str,
    limit: Duration,
) -> Result<(), AwsError> {
    let mut progress = Progress::of(s);
    let r = ensure(ctx, place, d, &mut progress, secret, key, db_sg, limit).await;
    progress.merge_into(s);
    r
}

/// Destroy's proxy step: everything of the proxy `s` records, removed.
pub async fn remove_from(
    ctx: &ProviderData,
    s: &mut State,
    limit: Duration,
) -> Result<(), AwsError> {
    let mut progress = Progress::of(s);
    let db_sg = s.components.get("security_group").cloned();
    let n = s.name.clone();
    let r = remove(ctx, &mut progress, &n, db_sg.as_deref(), limit).await;
    progress.merge_into(s);
    r
}

/// The pool in force for `d`: `None` when pooling is off.
pub fn wanted(d: &Desired) -> Option<Pool> {
    pooling::effective(d.args.pooling.as_ref(), d.environment)
}

/// The proxy's security group, found or made in `vpc` while pooling is on, and recorded; its rules
/// are set once the database's group exists (`ensure`).
pub async fn ensure_group(
    ctx: &ProviderData,
    vpc: &str,
    d: &Desired,
    made: &Made,
) -> Result<Option<String>, AwsError> {
    if wanted(d).is_none() {
        return Ok(None);
    }
    let name = pooling::sg_name(&d.args.name);
    let sg = match ec2::find_sg(ctx, vpc, &name).await? {
        Some(id) => id,
        None => ec2::create_sg(
            ctx,
            vpc,
            &name,
            "prod_database_ha proxy: engine port from the allowed groups, out to the database only",
            &d.tags,
        )
        .await?,
    };
    made.record(SG_COMPONENT, sg.clone());
    Ok(Some(sg))
}

/// The proxy group's rules: the proxy's port from the allowed groups in, the database's port to
/// the database's group out, nothing else.
async fn group_rules(
    ctx: &ProviderData,
    d: &Desired,
    sg: &str,
    db_sg: &str,
) -> Result<(), AwsError> {
    let (want_in, want_out) = pooling::group_rules(
        &d.args.engine,
        bp::port_of(&d.args),
        &d.args.allowed_security_group_ids,
        db_sg,
    );
    let (have_in, have_out) = ec2::sg_rules(ctx, &[sg.to_string()])
        .await?
        .remove(sg)
        .unwrap_or_default();
    ec2::sync_rules(ctx, sg, true, &want_in, &have_in).await?;
    ec2::sync_rules(ctx, sg, false, &want_out, &have_out).await
}

/// Converge, once the primary (Aurora: the cluster) is available with its master `secret`: the
/// proxy's group rules, role, the proxy, its pool, its target and Aurora's read-only endpoint; or,
/// pooling off, none of them.
#[allow(clippy::too_many_arguments)]
pub async fn ensure(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut Progress,
    secret: Option<&str>,
    key: &str,
    db_sg: &str,
    limit: Duration,
) -> Result<(), AwsError> {
    let n = d.args.name.as_str();
    let Some(pool) = wanted(d) else {
        // Only what this database made (recorded) is removed: nothing is looked up otherwise.
        return remove(ctx, p, n, Some(db_sg), limit).await;
    };
    let Some(secret) = secret else {
        return Err(invalid(
            "db proxy",
            "the database reports no master secret for the proxy to log in with",
        ));
    };
    let Some(sg) = p.components.get(SG_COMPONENT).cloned() else {
        return Err(invalid("db proxy", "its security group was not made"));
    };
    group_rules(ctx, d, &sg, db_sg).await?;
    let role = iam::ensure_role(
        ctx,
        &iam::RoleSpec {
            name: &pooling::role_name(n),
            trust: pooling::trust_policy(place),
            inline: vec![(
                "read-master-secret",
                pooling::role_policy(place, secret, key),
            )],
            managed: vec![],
        },
        &d.tags,
    )
    .await?;
    p.components.insert(ROLE_COMPONENT.into(), role.clone());
    let subnets = d.args.subnet_ids.clone();
    let spec = ProxySpec {
        name: &pooling::proxy_name(n),
        postgres: bp::is_postgres(&d.args.engine),
        role_arn: &role,
        secret_arn: secret,
        subnets: &subnets,
        security_group: &sg,
        idle_client_timeout: pool.idle_client_timeout,
    };
    let existing = match api::proxy(ctx, spec.name).await? {
        Some(px) if !pooling::same_subnets(&px.subnets, &subnets) => {
            // RDS Proxy cannot move to other subnets: it is made anew in the database's.
            api::delete_proxy(ctx, spec.name).await?;
            wait_gone(ctx, spec.name, limit).await?;
            p.components.remove(PROXY_COMPONENT);
            p.components.remove(READER_COMPONENT);
            None
        }
        other => other,
    };
    match existing {
        Some(px) => {
            p.components.insert(PROXY_COMPONENT.into(), px.arn.clone());
            let want = pooling::Want {
                pool,
                engine: &d.args.engine,
                name: n,
                secret: Some(secret),
                security_group: Some(&sg),
                rules: None,
                readers: false,
                subnets: None,
            };
            // What ModifyDBProxy sets (the pool, target and endpoint are brought back below).
            let differs = pooling::role_difference(&want, &px, Some(&role)).is_some()
                || !pooling::settings_differences(&want, &px).is_empty();
            if differs {
                wait_proxy(ctx, spec.name, limit).await?;
                api::modify_proxy(ctx, &spec).await?;
            }
        }
        None => {
            let arn = crate::provider::retry::settle(ctx, "db proxy", || {
                api::create_proxy(ctx, &spec, &d.tags)
            })
            .await?;
            p.components.insert(PROXY_COMPONENT.into(), arn);
        }
    }
    let px = wait_proxy(ctx, spec.name, limit).await?;
    p.components.insert(PROXY_COMPONENT.into(), px.arn.clone());
    // The pool.
    let want_pool = pool.target_group();
    if api::pool(ctx, spec.name).await? != Some(want_pool.clone()) {
        api::set_pool(ctx, spec.name, &want_pool).await?;
    }
    // The target: the primary, or Aurora's cluster; any other deregistered.
    let cluster = pooling::targets_cluster(&d.args.engine);
    let target = pooling::target_id(n);
    let targets = api::targets(ctx, spec.name).await?;
    for t in targets.iter().filter(|t| t.id != target) {
        api::deregister(ctx, spec.name, &t.id, cluster).await?;
    }
    if !targets.iter().any(|t| t.id == target) {
        api::register(ctx, spec.name, &target, cluster).await?;
    }
    // Serving only once RDS Proxy can reach and log in to it.
    wait_target(ctx, spec.name, &target, limit).await?;
    p.proxy_endpoint = px
        .endpoint
        .as_ref()
        .map(|h| pooling::address(h, &d.args.engine));
    // Aurora's read-only endpoint over the readers (none over a writer alone).
    let reader = pooling::reader_name(n);
    if cluster && !pooling::has_reader(&d.args.engine, d.args.replicas) {
        if api::endpoints(ctx, spec.name)
            .await?
            .iter()
            .any(|e| e.name == reader)
        {
            api::delete_endpoint(ctx, &reader).await?;
            wait_reader_gone(ctx, spec.name, &reader, limit).await?;
        }
        p.components.remove(READER_COMPONENT);
        p.proxy_reader_endpoint = None;
    } else if cluster {
        let have = api::endpoints(ctx, spec.name).await?;
        let arn = match have.iter().find(|e| e.name == reader) {
            Some(e) => e.arn.clone(),
            None => api::create_reader(ctx, spec.name, &reader, &subnets, &sg, &d.tags).await?,
        };
        p.components.insert(READER_COMPONENT.into(), arn);
        let e = wait_reader(ctx, spec.name, &reader, limit).await?;
        p.proxy_reader_endpoint = e
            .host
            .as_deref()
            .map(|h| pooling::address(h, &d.args.engine));
    } else {
        p.proxy_reader_endpoint = None;
    }
    Ok(())
}

/// Waits until the proxy is `available` (RDS refuses changes while it is `creating` or
/// `modifying`); gives it.
async fn wait_proxy(
    ctx: &ProviderData,
    name: &str,
    limit: Duration,
) -> Result<api::Proxy, AwsError> {
    wait_until(
        &format!("db proxy {name} to be available"),
        ctx.stop_token(),
        limit,
        Backoff::polling(),
        || async {
            match api::proxy(ctx, name).await? {
                Some(p) if p.status.eq_ignore_ascii_case("available") => Ok(Some(p)),
                Some(p) if is_broken(&p.status) => Err(invalid(
                    &format!("db proxy {name}"),
                    format!("status {}", p.status),
                )),
                Some(_) => Ok(None),
                None => Err(invalid(&format!("db proxy {name}"), "it is gone")),
            }
        },
    )
    .await
    .map_err(|e| AwsError::from_wait("db proxy", e))
}

/// A status from which a proxy does not become available by itself.
fn is_broken(status: &str) -> bool {
    let s = status.to_ascii_lowercase();
    s.starts_with("incompatible") || s.starts_with("insufficient") || s == "deleting"
}

/// Waits until the endpoint `endpoint` of proxy `name` is `available`; gives it.
async fn wait_reader(
    ctx: &ProviderData,
    name: &str,
    endpoint: &str,
    limit: Duration,
) -> Result<api::Endpoint, AwsError> {
    wait_until(
        &format!("db proxy endpoint {endpoint} to be available"),
        ctx.stop_token(),
        limit,
        Backoff::polling(),
        || async {
            let all = api::endpoints(ctx, name).await?;
            match all.into_iter().find(|e| e.name == endpoint) {
                Some(e) if e.status.eq_ignore_ascii_case("available") => Ok(Some(e)),
                Some(e) if is_broken(&e.status) => Err(invalid(
                    &format!("db proxy endpoint {endpoint}"),
                    format!("status {}", e.status),
                )),
                _ => Ok(None),
            }
        },
    )
    .await
    .map_err(|e| AwsError::from_wait("db proxy endpoint", e))
}

/// Waits until the proxy's target `target` is `AVAILABLE` (registering takes a while; a target
/// RDS Proxy cannot log in to stays `UNAVAILABLE`, its reason logged while it waits).
async fn wait_target(
    ctx: &ProviderData,
    name: &str,
    target: &str,
    limit: Duration,
) -> Result<(), AwsError> {
    wait_until(
        &format!("db proxy {name}'s target {target} to be available"),
        ctx.stop_token(),
        limit,
        Backoff::polling(),
        || async {
            let all = api::targets(ctx, name).await?;
            let t = all.iter().find(|t| t.id == target);
            let state = t.and_then(|t| t.state.clone());
            let pending = match state.as_deref() {
                None | Some("AVAILABLE") if t.is_some() => vec![],
                _ => vec![(
                    target.to_string(),
                    format!(
                        "{}{}",
                        state.as_deref().unwrap_or("not registered"),
                        t.and_then(|t| t.reason.as_deref())
                            .map(|r| format!(" ({r})"))
                            .unwrap_or_default()
                    ),
                )],
            };
            crate::framework::wait::log_progress("db proxy targets", "available", 1, &pending);
            Ok(pending.is_empty().then_some(()))
        },
    )
    .await
    .map_err(|e| AwsError::from_wait("db proxy target", e))
}

/// Waits until the endpoint `endpoint` of proxy `name` is gone.
async fn wait_reader_gone(
    ctx: &ProviderData,
    name: &str,
    endpoint: &str,
    limit: Duration,
) -> Result<(), AwsError> {
    wait_until(
        &format!("db proxy endpoint {endpoint} to be deleted"),
        ctx.stop_token(),
        limit,
        Backoff::polling(),
        || async {
            let all = api::endpoints(ctx, name).await?;
            Ok((!all.iter().any(|e| e.name == endpoint)).then_some(()))
        },
    )
    .await
    .map_err(|e| AwsError::from_wait("db proxy endpoint", e))
}

/// Waits until the proxy `name` is gone.
async fn wait_gone(ctx: &ProviderData, name: &str, limit: Duration) -> Result<(), AwsError> {
    wait_until(
        &format!("db proxy {name} to be deleted"),
        ctx.stop_token(),
        limit,
        Backoff::polling(),
        || async { Ok(api::proxy(ctx, name).await?.is_none().then_some(())) },
    )
    .await
    .map_err(|e| AwsError::from_wait("db proxy", e))
}

/// Pooling off, or destroy: the proxy (with its endpoint and target), then its group (its rules
/// and the database group's rule admitting it revoked first: each names the other), then its role.
pub async fn remove(
    ctx: &ProviderData,
    p: &mut Progress,
    n: &str,
    db_sg: Option<&str>,
    limit: Duration,
) -> Result<(), AwsError> {
    let name = pooling::proxy_name(n);
    if p.components.contains_key(PROXY_COMPONENT) {
        api::delete_proxy(ctx, &name).await?;
        wait_gone(ctx, &name, limit).await?;
    }
    p.components.remove(PROXY_COMPONENT);
    p.components.remove(READER_COMPONENT);
    p.proxy_endpoint = None;
    p.proxy_reader_endpoint = None;
    if let Some(sg) = p.components.get(SG_COMPONENT).cloned() {
        let db_sg = db_sg.map(str::to_string);
        let mut ids = vec![sg.clone()];
        ids.extend(db_sg.clone());
        let mut rules = ec2::sg_rules(ctx, &ids).await?;
        if let Some((have_in, have_out)) = rules.remove(&sg) {
            let none = Default::default();
            ec2::sync_rules(ctx, &sg, true, &none, &have_in).await?;
            ec2::sync_rules(ctx, &sg, false, &none, &have_out).await?;
        }
        if let (Some(db), Some((have_in, _))) =
            (&db_sg, db_sg.as_ref().and_then(|d| rules.remove(d)))
        {
            let keep = have_in
                .iter()
                .filter(|r| r.peer != Peer::Group(sg.clone()))
                .cloned()
                .collect();
            ec2::sync_rules(ctx, db, true, &keep, &have_in).await?;
        }
        // RDS Proxy releases its network interfaces some minutes after the proxy is gone.
        retry::while_in_use(ctx, "db proxy security group deletion", limit, || {
            ec2::delete_sg(ctx, &sg)
        })
        .await?;
    }
    p.components.remove(SG_COMPONENT);
    if p.components.contains_key(ROLE_COMPONENT) {
        iam::delete_role(ctx, &pooling::role_name(n)).await?;
    }
    p.components.remove(ROLE_COMPONENT);
    Ok(())
}

/// Import: the database's proxy, where there is one, and its security group, recorded so that the
/// read judges them (and tells the proxy's group from the allowed ones).
pub async fn imported(
    ctx: &ProviderData,
    n: &str,
    components: &mut BTreeMap<String, String>,
) -> Result<(), AwsError> {
    let Some(px) = api::proxy(ctx, &pooling::proxy_name(n)).await? else {
        return Ok(());
    };
    components.insert(PROXY_COMPONENT.into(), px.arn);
    // Its own group only (`<name>-proxy`), never another group the proxy was put in.
    if let Some(vpc) = &px.vpc {
        if let Some(sg) = ec2::find_sg(ctx, vpc, &pooling::sg_name(n)).await? {
            components.insert(SG_COMPONENT.into(), sg);
        }
    }
    if let Some(role) = iam::role_arn(ctx, &pooling::role_name(n)).await? {
        components.insert(ROLE_COMPONENT.into(), role);
    }
    Ok(())
}
