//! Read: the database as AWS has it, with the posture computed from it. A fixed set of calls however
//! many replicas: one filtered DescribeDBInstances for every instance, DescribeDBParameters
//! (user-set values only), DescribeDBSubnetGroups, DescribeSecurityGroups, GetRole when the profile
//! monitors, for the database's own key DescribeKey + GetKeyRotationStatus, GetResourcePolicy
//! of the master secret recorded, and DescribeLogGroups under the exported logs' prefix.

use std::collections::BTreeMap;

use super::aws::{self as api, GroupKind};
use super::blueprint::{self as bp, Exposure, Facts};
use super::model::State;
use super::pooling;
use super::reconcile::replication;
use super::recovery;
use super::restore_check;
use crate::provider::aws::Place;
use crate::provider::ec2;
use crate::provider::error::AwsError;
use crate::provider::logs::{self, GroupFacts};
use crate::provider::profile::{Environment, LogRetention};
use crate::provider::{iam, kms, secrets, tags, ProviderData};
use crate::resources::datastore;
use crate::resources::datastore::recovery as rec;
use crate::resources::log_retention;

/// The objects around the instances, read and recorded the same way for RDS and Aurora: the
/// security group's rules, the subnet group, the key and the monitoring role.
pub struct Side {
    pub sg: Option<String>,
    pub sg_rules: Option<ec2::Rules>,
    pub subnets: Option<Vec<String>>,
    pub key: Option<kms::KeyFacts>,
    pub role: Option<String>,
    /// The master secret's resource policy, where a secret is recorded (`Some(None)`: it has none).
    pub secret_policy: Option<Option<String>>,
    /// The log groups under the database's prefix: name → (facts, ARN).
    pub log_groups: BTreeMap<String, (GroupFacts, String)>,
    /// The tiers the database's logs keep unless its `log_retention` says otherwise.
    pub log_tiers: LogRetention,
    /// The second region (declared, else the one recorded) and the database's automated backups
    /// there.
    pub replicated: Option<(String, Vec<api::Replicated>)>,
    /// The proxy and what goes with it, where pooling is on or a proxy is recorded.
    pub proxy: Option<pooling::Live>,
    /// Restore verification, where it is on or a part of it is recorded.
    pub backup: Option<restore_check::Live>,
}

impl Side {
    pub async fn read(
        ctx: &ProviderData,
        prior: &State,
        env: Environment,
    ) -> Result<Side, AwsError> {
        let n = prior.name.as_str();
        let sg = prior.components.get("security_group").cloned();
        let key_id = prior.components.get("kms_key").cloned();
        let watch_role = env.db_monitoring() || prior.components.contains_key("monitoring_role");
        let role_name = bp::monitoring_role_name(n);
        let secret = prior.master_secret_arn.clone();
        let log_prefix = bp::log_group_prefix(&prior.engine, n);
        let second = replication::region_of(prior);
        let proxy_sg = prior.components.get(pooling::SG_COMPONENT).cloned();
        let pooled = pooling::effective(prior.pooling.as_ref(), env).is_some()
            || [
                pooling::PROXY_COMPONENT,
                pooling::SG_COMPONENT,
                pooling::ROLE_COMPONENT,
            ]
            .iter()
            .any(|c| prior.components.contains_key(*c));
        let check_sg = prior.components.get(restore_check::SG_COMPONENT).cloned();
        let remote_vault_region = bp::declared_region(prior).map(str::to_string).or_else(|| {
            prior
                .components
                .get(restore_check::REMOTE_VAULT_COMPONENT)
                .and_then(|a| crate::provider::aws::arn_region(a))
                .map(str::to_string)
        });
        let checked = restore_check::needed(
            prior.restore_check.as_ref(),
            env,
            bp::declared_region(prior).is_some(),
        ) || restore_check::COMPONENTS
            .iter()
            .chain(&[restore_check::REMOTE_VAULT_COMPONENT])
            .any(|c| prior.components.contains_key(*c));
        // Nine independent questions, at once.
        let (rules, subnets, key, role, secret_policy, log_groups, replicated, proxy, backup) = tokio::join!(
            async {
                let ids: Vec<String> = sg
                    .iter()
                    .chain(proxy_sg.iter())
                    .chain(check_sg.iter())
                    .cloned()
                    .collect();
                ec2::sg_rules(ctx, &ids).await
            },
            api::subnet_group(ctx, n),
            async {
                match &key_id {
                    Some(k) => Ok(kms::describe_key(ctx, k).await?.filter(|f| f.usable)),
                    None => Ok::<_, AwsError>(None),
                }
            },
            async {
                if watch_role {
                    iam::role_arn(ctx, &role_name).await
                } else {
                    Ok(None)
                }
            },
            async {
                match &secret {
                    Some(arn) => Ok(Some(secrets::policy(ctx, arn).await?)),
                    None => Ok::<_, AwsError>(None),
                }
            },
            logs::groups_under(ctx, &log_prefix),
            async {
                match &second {
                    Some(r) => {
                        let remote = ctx.in_region(r);
                        Ok(Some((
                            r.clone(),
                            api::replicated_backups(&remote, n).await?,
                        )))
                    }
                    None => Ok::<_, AwsError>(None),
                }
            },
            async {
                if pooled {
                    read_proxy(ctx, prior).await.map(Some)
                } else {
                    Ok(None)
                }
            },
            async {
                if checked {
                    read_backup(ctx, n, remote_vault_region.as_deref())
                        .await
                        .map(Some)
                } else {
                    Ok(None)
                }
            },
        );
        let mut rules = rules?;
        let sg_rules = sg.as_ref().and_then(|id| rules.remove(id));
        let mut proxy = proxy?;
        if let Some(live) = proxy.as_mut() {
            live.sg_rules = proxy_sg.as_ref().and_then(|id| rules.remove(id));
        }
        let mut backup = backup?;
        if let Some(live) = backup.as_mut() {
            live.sg_rules = check_sg.as_ref().and_then(|id| rules.remove(id));
        }
        Ok(Side {
            sg,
            sg_rules,
            proxy,
            backup,
            subnets: subnets?,
            key: key?,
            role: role?,
            secret_policy: secret_policy?,
            log_groups: log_groups?,
            log_tiers: ctx.log_tiers(env),
            replicated: replicated?,
        })
    }

    pub fn is_empty(&self) -> bool {
        if self.proxy.as_ref().is_some_and(|p| p.proxy.is_some()) {
            return false;
        }
        self.sg_rules.is_none()
            && self.subnets.is_none()
            && self.key.is_none()
            && self.role.is_none()
    }

    /// Records what exists in `comp` and in the state (subnets keep the user's order), with the
    /// parameter group `group` where it exists; gives the facts these objects establish (KMS.4's).
    pub fn record(
        &self,
        place: &Place,
        prior: &State,
        group: Option<(GroupKind, &String)>,
        st: &mut State,
        comp: &mut BTreeMap<String, String>,
    ) -> Facts {
        let n = prior.name.as_str();
        if let Some(k) = &self.key {
            comp.insert("kms_key".into(), k.arn.clone());
            comp.insert("kms_alias".into(), place.arn("kms", &bp::alias_name(n)));
        }
        if let Some(r) = &self.role {
            comp.insert("monitoring_role".into(), r.clone());
        }
        st.security_group_id = self.sg.clone().filter(|_| self.sg_rules.is_some());
        if let Some(id) = &st.security_group_id {
            comp.insert("security_group".into(), id.clone());
        }
        st.subnet_group_name = self.subnets.as_ref().map(|_| n.to_string());
        if let Some(live) = &self.subnets {
            comp.insert(
                "subnet_group".into(),
                place.arn("rds", &format!("subgrp:{n}")),
            );
            st.subnet_ids = crate::resources::datastore::read_subnets(&prior.subnet_ids, live);
        }
        record_parameter_group(place, group, st, comp);
        let key_rotation = self.key_rotation(prior);
        let exposure = Exposure {
            key_rotation,
            ..Default::default()
        };
        let secret_policy = self
            .secret_policy
            .as_ref()
            .is_none_or(|p| datastore::secret_policy_holds(p.as_deref(), &place.account));
        Facts {
            exposure,
            secret_policy,
            ..Default::default()
        }
    }

    /// KMS.4's fact: `None` for a key the user gave.
    fn key_rotation(&self, prior: &State) -> Option<bool> {
        prior
            .components
            .contains_key("kms_key")
            .then(|| self.key.as_ref().and_then(|k| k.rotation) == Some(true))
    }
}

/// Restore verification of database `n` as AWS has it: vault, role, backup plan and selection,
/// restore testing plan and selection, at once.
async fn read_backup(
    ctx: &ProviderData,
    n: &str,
    remote_region: Option<&str>,
) -> Result<restore_check::Live, AwsError> {
    use super::aws::backup as b;
    let remote = remote_region.map(|r| ctx.in_region(r));
    let test_name = restore_check::test_plan_name(n);
    let (vault_name, role_name) = (restore_check::vault_name(n), restore_check::role_name(n));
    let plan_name = restore_check::plan_name(n);
    let (vault, role, plan, test_plan, test_selection, remote_vault) = tokio::join!(
        b::vault(ctx, &vault_name),
        iam::role_arn(ctx, &role_name),
        async {
            let Some(id) = b::plan_id(ctx, &plan_name).await? else {
                return Ok::<_, AwsError>((None, None));
            };
            let (plan, selection) = tokio::join!(
                b::plan(ctx, &id),
                b::selection(ctx, &id, restore_check::SELECTION_NAME)
            );
            Ok((plan?, selection?))
        },
        b::test_plan(ctx, &test_name),
        b::test_selection(ctx, &test_name, restore_check::SELECTION_NAME),
        async {
            match &remote {
                Some(r) => b::vault(r, &vault_name).await,
                None => Ok(None),
            }
        },
    );
    let (plan, selection) = plan?;
    Ok(restore_check::Live {
        vault: vault?,
        role: role?,
        plan,
        selection,
        test_plan: test_plan?,
        test_selection: test_selection?,
        sg_rules: None,
        remote_vault: remote_vault?,
    })
}

/// The proxy of `prior`, its pool, targets, Aurora's read-only endpoint and its role, at once.
async fn read_proxy(ctx: &ProviderData, prior: &State) -> Result<pooling::Live, AwsError> {
    let name = pooling::proxy_name(&prior.name);
    let role_name = pooling::role_name(&prior.name);
    let aurora = bp::is_aurora(&prior.engine);
    let (proxy, pool, targets, endpoints, role) = tokio::join!(
        api::proxy::proxy(ctx, &name),
        api::proxy::pool(ctx, &name),
        api::proxy::targets(ctx, &name),
        async {
            if aurora {
                api::proxy::endpoints(ctx, &name).await
            } else {
                Ok(vec![])
            }
        },
        iam::role_arn(ctx, &role_name),
    );
    let reader = pooling::reader_name(&prior.name);
    Ok(pooling::Live {
        proxy: proxy?,
        pool: pool?,
        targets: targets?,
        // One being deleted is gone already (an Aurora database left without readers).
        reader: endpoints?
            .into_iter()
            .find(|e| e.name == reader && !e.status.eq_ignore_ascii_case("deleting")),
        role: role?,
        sg_rules: None,
    })
}

/// The `ingress` fact (why the rules are not exactly the engine port from the allowed groups), and,
/// on import (no allowed groups known), the groups the rules admit.
pub fn ingress(
    port: i64,
    allowed: &[String],
    sg_rules: Option<&ec2::Rules>,
) -> (Option<String>, Option<Vec<String>>) {
    ec2::ingress_fact("the database's", port, allowed, sg_rules)
}

pub fn endpoint(i: &api::Instance) -> Option<String> {
    Some(format!("{}:{}", i.endpoint.clone()?, i.port?))
}

/// The highest replica number recorded or planned: the instances a read looks for.
pub fn recorded_replicas(prior: &State) -> usize {
    prior
        .components
        .keys()
        .filter_map(|k| {
            k.strip_prefix("replica_")
                .and_then(|i| i.parse::<usize>().ok())
        })
        .max()
        .unwrap_or(0)
        .max(prior.replicas.max(0) as usize)
}

/// Records the parameter group `group` (its kind and name) where it exists.
fn record_parameter_group(
    place: &Place,
    group: Option<(GroupKind, &String)>,
    st: &mut State,
    comp: &mut BTreeMap<String, String>,
) {
    let Some((kind, g)) = group else {
        return;
    };
    let arn = match kind {
        GroupKind::Instance => place.arn("rds", &format!("pg:{g}")),
        GroupKind::Cluster => place.arn("rds", &format!("cluster-pg:{g}")),
    };
    comp.insert("parameter_group".into(), arn);
    st.parameter_group_name = Some(g.clone());
}

/// Records the instances found: the `first` (primary or writer) and the `replicas`, in order.
pub fn record_instances(
    st: &mut State,
    comp: &mut BTreeMap<String, String>,
    first: Option<&api::Instance>,
    replicas: &[&api::Instance],
) {
    st.replicas = replicas.len() as i64;
    st.replica_endpoints = replicas.iter().filter_map(|r| endpoint(r)).collect();
    for r in replicas {
        if let Some(k) = r.id.rsplit('-').next() {
            comp.insert(format!("replica_{k}"), r.arn.clone());
        }
    }
    st.instance_ids = first
        .into_iter()
        .chain(replicas.iter().copied())
        .map(|i| i.id.clone())
        .collect();
}

/// The last steps RDS and Aurora share: the user's parameters as AWS has them (`params`: the
/// group's user-set values) and TLS from them, the ingress, the posture and the components.
pub fn finish(
    env: Environment,
    prior: &State,
    mut st: State,
    mut facts: Facts,
    side: &Side,
    params: Option<BTreeMap<String, String>>,
    mut comp: BTreeMap<String, String>,
) -> State {
    let engine = prior.engine.as_str();
    let live_params = params.unwrap_or_default();
    if let Some(user) = &prior.parameters {
        st.parameters = Some(
            user.iter()
                .filter_map(|(k, mine)| {
                    let live = live_params.get(k)?;
                    // The libraries as configured where AWS holds them plus pgAudit (auditing's).
                    let v = if prior.audit_logging && k == bp::PG_PRELOAD {
                        bp::user_libraries(mine, live)
                    } else {
                        live.clone()
                    };
                    Some((k.clone(), v))
                })
                .collect(),
        );
    }
    if !bp::uses_option_group(engine) {
        facts.audit = bp::parameters_audit(engine, &live_params);
    }
    // Auditing holds where it is configured and its mechanism and exports are in place; off as
    // configured, it reads off (the relaxation plan reported), whatever the parameters say.
    facts.audit = prior.audit_logging && facts.audit && facts.log_exports;
    st.audit_logging = facts.audit;
    // Recovery: the objectives in force against what AWS reports (the second region's copy is
    // the RDS primary's; Aurora has none).
    let primary_arn = comp.get("primary").cloned();
    let regional = replication::record(prior, primary_arn.as_deref(), side, &mut comp);
    let regional = with_copies(env, prior, &st, side, regional);
    let objectives = rec::effective(
        &rec::stated(prior.recovery.as_ref()),
        recovery::profile(env),
    );
    let aurora = bp::is_aurora(engine);
    let gives = recovery::gives(
        aurora,
        if aurora { st.replicas > 0 } else { st.multi_az },
        st.backup_retention_days,
        &regional,
    );
    facts.recovery = rec::posture(&objectives, &gives);
    st.recovery_plan = rec::recovery_plan(&objectives, &gives);
    facts.pooling = record_proxy(env, prior, &mut st, side, &mut comp);
    facts.restore_check = record_backup(env, prior, &st, side, &mut comp);
    // The exported logs' groups: those of the instances read (the cluster's), kept their tiers.
    let tiers = log_retention::effective(prior.log_retention.as_ref(), side.log_tiers);
    let replicas = usize::try_from(st.replicas).unwrap_or(0);
    let groups = bp::log_groups(engine, &prior.name, replicas, prior.audit_logging);
    let live: BTreeMap<String, GroupFacts> = side
        .log_groups
        .iter()
        .map(|(name, (f, _))| (name.clone(), f.clone()))
        .collect();
    for g in &groups {
        if let Some((_, arn)) = side.log_groups.get(&g.name) {
            comp.insert(g.component.clone(), arn.clone());
        }
    }
    facts.logs = bp::logs_posture(env, &tiers, &groups, &live, st.kms_key_arn.as_deref());
    let (tls, _) = bp::tls_parameter(engine);
    facts.tls = live_params
        .get(tls)
        .is_some_and(|v| bp::tls_value_on(engine, v));
    // The database's group admits the allowed groups, and the proxy's while there is one.
    let proxy_sg = prior.components.get(pooling::SG_COMPONENT);
    let mut admitted = prior.allowed_security_group_ids.clone();
    if !admitted.is_empty() {
        admitted.extend(proxy_sg.cloned());
    }
    let (why, allowed) = ingress(bp::port_of(&st), &admitted, side.sg_rules.as_ref());
    facts.exposure.ingress = why;
    if let Some(a) = allowed {
        st.allowed_security_group_ids = a.into_iter().filter(|g| Some(g) != proxy_sg).collect();
    }
    st.posture = bp::posture(env, engine, &facts);
    st.components = comp;
    st
}

/// What survives the region's loss, AWS Backup's copies counted: RDS's replication holds only
/// with its daily copies (`Replicated` with their days), Aurora's recovery is the copies alone.
fn with_copies(
    env: Environment,
    prior: &State,
    st: &State,
    side: &Side,
    regional: recovery::Regional,
) -> recovery::Regional {
    use recovery::Regional;
    let Some(region) = bp::declared_region(prior) else {
        return regional;
    };
    let empty = restore_check::Live::default();
    let live = side.backup.as_ref().unwrap_or(&empty);
    let copied = copy_of(env, prior, st, live)
        .filter(|c| restore_check::copying(live, c))
        .and_then(|c| c.delete_after_days);
    match (regional, copied) {
        (Regional::Replicated { region, days, .. }, Some(copies)) => Regional::Replicated {
            region,
            days,
            copies,
        },
        (Regional::None, Some(days)) if bp::is_aurora(&prior.engine) => Regional::Copied {
            region: region.to_string(),
            days,
        },
        _ => Regional::Stopped {
            region: region.to_string(),
        },
    }
}

/// Restore verification as AWS has it, recorded in `comp`; gives posture `restore_check` where
/// it is on (`None`: off, no control).
fn record_backup(
    env: Environment,
    prior: &State,
    st: &State,
    side: &Side,
    comp: &mut BTreeMap<String, String>,
) -> Option<String> {
    use restore_check as rc;
    let empty = rc::Live::default();
    let live = side.backup.as_ref().unwrap_or(&empty);
    let n = prior.name.as_str();
    if let Some(v) = &live.vault {
        comp.insert(rc::VAULT_COMPONENT.into(), v.arn.clone());
    }
    if let Some(r) = &live.role {
        comp.insert(rc::ROLE_COMPONENT.into(), r.clone());
    }
    if let Some(p) = &live.plan {
        comp.insert(rc::PLAN_COMPONENT.into(), p.arn.clone());
    }
    let resource = comp
        .get(if bp::is_aurora(&prior.engine) {
            "cluster"
        } else {
            "primary"
        })
        .cloned();
    // A selection of another resource or role is made anew by apply (with a new id): not
    // recorded, so that the plan leaves its id unknown.
    let selects = |s: &super::aws::backup::Selection| {
        resource.as_ref().is_none_or(|r| s.resources == [r.clone()])
            && (live.role.is_none() || s.role == live.role)
    };
    if let Some(s) = live.selection.as_ref().filter(|s| selects(s)) {
        comp.insert(rc::SELECTION_COMPONENT.into(), s.id.clone());
    }
    if let Some(t) = &live.test_plan {
        comp.insert(rc::TEST_PLAN_COMPONENT.into(), t.arn.clone());
    }
    if live.test_selection.is_some() {
        comp.insert(
            rc::TEST_SELECTION_COMPONENT.into(),
            rc::SELECTION_NAME.into(),
        );
    }
    let sg = prior.components.get(rc::SG_COMPONENT);
    if let (Some(sg), Some(_)) = (sg, &live.sg_rules) {
        comp.insert(rc::SG_COMPONENT.into(), sg.clone());
    }
    if let Some(v) = &live.remote_vault {
        comp.insert(rc::REMOTE_VAULT_COMPONENT.into(), v.arn.clone());
    }
    let cron = rc::effective(prior.restore_check.as_ref(), env)?;
    let want = rc::Want {
        name: n,
        engine: &prior.engine,
        cron: Some(cron.as_str()),
        copy: copy_of(env, prior, st, live),
        retention_days: st.backup_retention_days,
        locked: env == Environment::Production,
        resource: resource.as_deref(),
        security_group: sg.map(String::as_str),
    };
    Some(rc::posture(&want, live, n))
}

/// The copy of each recovery point to the second region the database is to have: to its vault
/// there as AWS reports it, kept `remote_retention_days`; `None` without a declared region (or
/// without its vault, which then shows as a missing copy).
fn copy_of(
    env: Environment,
    prior: &State,
    st: &State,
    live: &restore_check::Live,
) -> Option<super::aws::backup::CopyTo> {
    bp::declared_region(prior)?;
    let vault_arn = live
        .remote_vault
        .as_ref()
        .map(|v| v.arn.clone())
        .unwrap_or_default();
    Some(super::aws::backup::CopyTo {
        vault_arn,
        delete_after_days: Some(restore_check::remote_days(
            prior.remote_retention_days,
            env,
            st.backup_retention_days,
        )),
    })
}

/// The proxy as AWS has it, recorded in `comp` and the endpoints; gives posture `pooling` where
/// pooling is on (`None`: off, no control).
fn record_proxy(
    env: Environment,
    prior: &State,
    st: &mut State,
    side: &Side,
    comp: &mut BTreeMap<String, String>,
) -> Option<String> {
    st.proxy_endpoint = None;
    st.proxy_reader_endpoint = None;
    let empty = pooling::Live::default();
    let live = side.proxy.as_ref().unwrap_or(&empty);
    if let Some(px) = &live.proxy {
        comp.insert(pooling::PROXY_COMPONENT.into(), px.arn.clone());
        st.proxy_endpoint = px
            .endpoint
            .as_deref()
            .map(|h| pooling::address(h, &prior.engine));
    }
    if let Some(r) = &live.reader {
        comp.insert(pooling::READER_COMPONENT.into(), r.arn.clone());
        st.proxy_reader_endpoint = r
            .host
            .as_deref()
            .map(|h| pooling::address(h, &prior.engine));
    }
    if let Some(r) = &live.role {
        comp.insert(pooling::ROLE_COMPONENT.into(), r.clone());
    }
    let proxy_sg = prior.components.get(pooling::SG_COMPONENT);
    if let (Some(sg), Some(_)) = (proxy_sg, &live.sg_rules) {
        comp.insert(pooling::SG_COMPONENT.into(), sg.clone());
    }
    let pool = pooling::effective(prior.pooling.as_ref(), env)?;
    let rules = match (proxy_sg, &side.sg) {
        (Some(_), Some(db_sg)) => Some(pooling::group_rules(
            &prior.engine,
            bp::port_of(st),
            &prior.allowed_security_group_ids,
            db_sg,
        )),
        _ => None,
    };
    let want = pooling::Want {
        pool,
        engine: &prior.engine,
        name: &prior.name,
        secret: st.master_secret_arn.as_deref(),
        security_group: proxy_sg.map(String::as_str),
        rules,
        readers: pooling::has_reader(&prior.engine, st.replicas),
        subnets: Some(&prior.subnet_ids),
    };
    Some(pooling::posture(&want, live))
}

/// The live state, or `None` when nothing of the database is left.
pub async fn read(
    ctx: &ProviderData,
    place: &Place,
    prior: &State,
) -> Result<Option<State>, AwsError> {
    let n = prior.name.as_str();
    let env = Environment::parse(&prior.environment).unwrap_or(ctx.environment);
    let mut st = prior.clone();
    let mut c: BTreeMap<String, String> = BTreeMap::new();

    // Every instance in one call: the primary, the replicas recorded and those the plan wants.
    let recorded = recorded_replicas(prior);
    let mut ids = vec![n.to_string()];
    ids.extend((1..=recorded).map(|r| bp::replica_id(n, r)));
    // The instances (then the parameter group the primary names) and the side objects, at once.
    let (instances, side) = tokio::join!(
        instances_and_parameters(ctx, prior, &ids),
        Side::read(ctx, prior, env)
    );
    let (live, pg_name, params) = instances?;
    let side = side?;
    let primary = live.iter().find(|i| i.id == n);
    let replicas: Vec<&api::Instance> = (1..=recorded)
        .filter_map(|r| live.iter().find(|i| i.id == bp::replica_id(n, r)))
        .collect();
    if primary.is_none() && replicas.is_empty() && params.is_none() && side.is_empty() {
        return Ok(None);
    }
    // The arguments as AWS has them (a configured value keeps its spelling where AWS's is equivalent).
    let group = pg_name.as_ref().filter(|_| params.is_some());
    let group = group.map(|g| (GroupKind::Instance, g));
    let mut facts = side.record(place, prior, group, &mut st, &mut c);
    match primary {
        Some(p) => {
            c.insert("primary".into(), p.arn.clone());
            record_primary(p, prior, &mut st);
            primary_facts(p, &replicas, prior, &mut facts);
            facts.exposure.port = p.port;
        }
        None => {
            st.endpoint = None;
            facts.in_vpc = false;
            facts.master_username = prior.master_username.clone();
            facts.encrypted = true;
            facts.log_exports = true;
            facts.iam_auth = true;
            facts.auto_minor_upgrade = true;
            facts.copy_tags = true;
            facts.backup_retention_days = 0;
        }
    }
    record_instances(&mut st, &mut c, primary, &replicas);
    st.reader_endpoint = st.replica_endpoints.first().cloned();
    if bp::uses_option_group(&prior.engine) && prior.audit_logging {
        facts.audit = audit_option(ctx, place, prior, primary, &replicas, &mut c).await?;
    }
    Ok(Some(finish(env, prior, st, facts, &side, params, c)))
}

/// Whether an RDS MySQL database audits: every instance in the audit option group, which holds the
/// audit plugin as the blueprint sets it; the group recorded where it exists.
async fn audit_option(
    ctx: &ProviderData,
    place: &Place,
    prior: &State,
    primary: Option<&api::Instance>,
    replicas: &[&api::Instance],
    c: &mut BTreeMap<String, String>,
) -> Result<bool, AwsError> {
    let want = bp::option_group_name(&prior.name, &prior.engine_version);
    let Some(options) = api::option_group(ctx, &want).await? else {
        return Ok(false);
    };
    c.insert(
        "option_group".into(),
        place.arn("rds", &format!("og:{want}")),
    );
    let members = primary
        .into_iter()
        .chain(replicas.iter().copied())
        .all(|i| i.option_group.as_deref() == Some(want.as_str()));
    let f = bp::OptionFacts {
        group: members.then(|| want.clone()),
        audit_settings: options.get(bp::MYSQL_OPTION).cloned(),
    };
    Ok(primary.is_some() && bp::option_audits(&f, &want))
}

/// The instances named `ids`, then the parameter group the primary names (else the recorded one)
/// with its user-set values.
async fn instances_and_parameters(
    ctx: &ProviderData,
    prior: &State,
    ids: &[String],
) -> Result<
    (
        Vec<api::Instance>,
        Option<String>,
        Option<BTreeMap<String, String>>,
    ),
    AwsError,
> {
    let live = api::instances(ctx, ids).await?;
    let pg_name = live
        .iter()
        .find(|i| i.id == prior.name)
        .and_then(|p| p.parameter_group.clone())
        .or(prior.parameter_group_name.clone());
    let params = match &pg_name {
        Some(g) => api::user_parameters(ctx, GroupKind::Instance, g).await?,
        None => None,
    };
    Ok((live, pg_name, params))
}

/// The primary's arguments and computed values as AWS has them.
fn record_primary(p: &api::Instance, prior: &State, st: &mut State) {
    st.instance_class = p.class.clone();
    st.allocated_storage = p.allocated_storage;
    st.max_allocated_storage = p.max_allocated_storage.unwrap_or(p.allocated_storage);
    st.multi_az = p.multi_az;
    st.backup_retention_days = p.backup_retention_days;
    st.backup_window = p.backup_window.clone();
    st.maintenance_window = p.maintenance_window.clone();
    st.deletion_protection = p.deletion_protection;
    st.engine_version_actual = Some(p.engine_version.clone());
    if !bp::version_matches(&prior.engine_version, &p.engine_version) {
        st.engine_version = bp::major(&prior.engine, &p.engine_version);
    }
    if p.kms_key != prior.kms_key_arn {
        st.kms_key_arn = p.kms_key.clone();
    }
    if !p.master_username.is_empty() {
        st.master_username = p.master_username.clone();
    }
    st.master_secret_arn = p.master_secret_arn.clone();
    st.endpoint = endpoint(p);
    // `port` is the argument (what apply sets); the port AWS reports is in `endpoint` and RDS.23.
    st.port = prior.port.or(p.port);
    st.tags_all = p.tags.clone();
    st.tags_all.remove(tags::TAG_ALLOCATED_STORAGE);
    st.tags_all.remove(tags::TAG_MAX_CONNECTIONS);
    st.tags_all.remove(tags::TAG_RTO_SECONDS);
    st.create_incomplete = st.tags_all.remove(tags::TAG_CREATING).is_some();
}

/// The posture's facts from the primary `p` and its `replicas`.
fn primary_facts(p: &api::Instance, replicas: &[&api::Instance], prior: &State, facts: &mut Facts) {
    facts.multi_az = p.multi_az;
    facts.monitoring = p.monitoring_interval > 0;
    facts.deletion_protection =
        p.deletion_protection && replicas.iter().all(|r| r.deletion_protection);
    facts.backup_retention_days = p.backup_retention_days;
    facts.encrypted = p.encrypted && replicas.iter().all(|r| r.encrypted);
    facts.public = p.public || replicas.iter().any(|r| r.public);
    let want_logs = bp::log_exports(&prior.engine, prior.audit_logging);
    // Every instance exports (a replica's audit log is its own).
    facts.log_exports = std::iter::once(p)
        .chain(replicas.iter().copied())
        .all(|i| want_logs.iter().all(|l| i.log_exports.contains(l)));
    facts.iam_auth = p.iam_auth;
    facts.auto_minor_upgrade =
        p.auto_minor_upgrade && replicas.iter().all(|r| r.auto_minor_upgrade);
    facts.copy_tags = p.copy_tags;
    facts.in_vpc = p.subnet_group.as_deref() == Some(prior.name.as_str());
    facts.master_username = p.master_username.clone();
}
