//! Read: the group as AWS has it, with the posture computed from it. A fixed set of calls however
//! many shards and nodes: DescribeReplicationGroups, DescribeCacheClusters of its first member
//! (engine version, groups and window live there), ListTagsForResource, DescribeCacheSubnetGroups,
//! DescribeSecurityGroups, DescribeSecret, DescribeCacheParameters when it has its own group, and for
//! its own key DescribeKey + GetKeyRotationStatus.

use std::collections::BTreeMap;

use super::aws as api;
use super::blueprint::{self as bp, Exposure, Facts};
use super::model::State;
use super::recovery;
use crate::framework::decode::Tri;
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::{ec2, kms, secrets, ProviderData};
use crate::resources::alerting::watch;
use crate::resources::datastore::recovery::{self as rec, Objectives};

/// What the first, independent questions found: the group and its first member, the subnet group's
/// subnets, the AUTH secret and the group's own key.
struct Found {
    group: Option<api::Group>,
    member: Option<api::MemberFacts>,
    subnets: Option<Vec<String>>,
    secret: Option<String>,
    secret_policy: Option<String>,
    key: Option<kms::KeyFacts>,
}

/// The live state, or `None` when nothing of the group is left.
pub async fn read(
    ctx: &ProviderData,
    place: &Place,
    prior: &State,
) -> Result<Option<State>, AwsError> {
    let env = Environment::parse(&prior.environment).unwrap_or(ctx.environment);
    let mut st = prior.clone();
    let mut c: BTreeMap<String, String> = BTreeMap::new();
    let found = find(ctx, prior).await?;
    let (sg, sg_rules) = security_group(ctx, prior, found.member.as_ref()).await?;
    let (own_group, params) = parameters(ctx, prior, found.member.as_ref()).await?;
    if found.group.is_none()
        && found.subnets.is_none()
        && sg_rules.is_none()
        && found.secret.is_none()
        && found.key.is_none()
        && params.is_none()
    {
        return Ok(None);
    }

    // Side objects.
    record_side(
        place,
        prior,
        &found,
        sg.filter(|_| sg_rules.is_some()),
        &mut st,
        &mut c,
    );
    record_parameters(place, prior, own_group, params, &mut st, &mut c);

    let key_rotation = prior
        .components
        .contains_key("kms_key")
        .then(|| found.key.as_ref().and_then(|k| k.rotation) == Some(true));
    let mut facts = Facts {
        exposure: Exposure {
            key_rotation,
            ..Default::default()
        },
        secret_policy: bp::secret_policy_holds(found.secret_policy.as_deref(), &place.account),
        ..Default::default()
    };
    match &found.group {
        Some(g) => {
            c.insert("replication_group".into(), g.arn.clone());
            record_group(g, prior, &mut st, &mut facts);
            st.tags_all = api::tags(ctx, &g.arn).await?;
            st.create_incomplete = st
                .tags_all
                .remove(crate::provider::tags::TAG_CREATING)
                .is_some();
        }
        None => no_group(prior, &mut st, &mut facts),
    }
    if let Some(m) = &found.member {
        record_member(m, prior, &mut st, &mut facts);
    }

    let (ingress, allowed) = ec2::ingress_fact(
        "the group's",
        bp::port_of(&st),
        &prior.allowed_security_group_ids,
        sg_rules.as_ref(),
    );
    facts.exposure.ingress = ingress;
    if let Some(a) = allowed {
        st.allowed_security_group_ids = a;
    }
    // Recovery: the objectives declared against what AWS reports.
    let objectives = rec::effective(&rec::stated(prior.recovery.as_ref()), Objectives::default());
    let gives = recovery::gives(
        facts.replicas > 0 && facts.automatic_failover,
        st.snapshot_retention_days,
        &st.snapshot_window,
    );
    facts.recovery = rec::posture(&objectives, &gives);
    st.recovery_plan = rec::recovery_plan(&objectives, &gives);
    st.posture = bp::posture(env, &facts);
    st.watch = watch::settled(watch::redis(
        &Tri::Known(st.name.clone()),
        &Tri::Known(st.member_clusters.clone()),
    ));
    st.components = c;
    Ok(Some(st))
}

/// Independent questions at once: the group and its first member; the subnet group; the AUTH
/// secret; the key.
async fn find(ctx: &ProviderData, prior: &State) -> Result<Found, AwsError> {
    let n = prior.name.as_str();
    let key_id = prior.components.get("kms_key").cloned();
    let secret_name = bp::secret_name(n);
    let (group_and_member, subnets, secret, secret_policy, key) = tokio::join!(
        async {
            let group = api::describe(ctx, n).await?;
            let member = match group.as_ref().and_then(|g| g.member_clusters.first()) {
                Some(m) => api::member(ctx, m).await?,
                None => None,
            };
            Ok::<_, AwsError>((group, member))
        },
        api::subnet_group(ctx, n),
        secrets::arn(ctx, &secret_name),
        secrets::policy(ctx, &secret_name),
        async {
            match &key_id {
                Some(k) => Ok(kms::describe_key(ctx, k).await?.filter(|f| f.usable)),
                None => Ok::<_, AwsError>(None),
            }
        },
    );
    let (group, member) = group_and_member?;
    Ok(Found {
        group,
        member,
        subnets: subnets?,
        secret: secret?,
        secret_policy: secret_policy?,
        key: key?,
    })
}

/// The security group (the recorded one, else the member's) and its rules, where it exists.
async fn security_group(
    ctx: &ProviderData,
    prior: &State,
    member: Option<&api::MemberFacts>,
) -> Result<(Option<String>, Option<ec2::Rules>), AwsError> {
    let sg = prior
        .components
        .get("security_group")
        .cloned()
        .or_else(|| member.and_then(|m| m.security_groups.first().cloned()));
    let sg_rules = match &sg {
        Some(id) => ec2::sg_rules(ctx, std::slice::from_ref(id))
            .await?
            .remove(id),
        None => None,
    };
    Ok((sg, sg_rules))
}

/// Whether the group uses its own parameter group `<name>`, and that group's user-set values where
/// it exists (looked up while used or recorded).
async fn parameters(
    ctx: &ProviderData,
    prior: &State,
    member: Option<&api::MemberFacts>,
) -> Result<(bool, Option<BTreeMap<String, String>>), AwsError> {
    let n = prior.name.as_str();
    let own_group = member
        .and_then(|m| m.parameter_group.clone())
        .filter(|g| g == n);
    let params = match &own_group {
        Some(g) => api::user_parameters(ctx, g).await?,
        None if prior.components.contains_key("parameter_group") => {
            api::user_parameters(ctx, n).await?
        }
        None => None,
    };
    Ok((own_group.is_some(), params))
}

/// Records the side objects that exist: the key and alias, the security group (`sg`: where its
/// rules were read), the subnet group (subnets keep the user's order) and the AUTH secret.
fn record_side(
    place: &Place,
    prior: &State,
    found: &Found,
    sg: Option<String>,
    st: &mut State,
    c: &mut BTreeMap<String, String>,
) {
    let n = prior.name.as_str();
    if let Some(k) = &found.key {
        c.insert("kms_key".into(), k.arn.clone());
        c.insert("kms_alias".into(), place.arn("kms", &bp::alias_name(n)));
    }
    st.security_group_id = sg;
    if let Some(id) = &st.security_group_id {
        c.insert("security_group".into(), id.clone());
    }
    st.subnet_group_name = found.subnets.as_ref().map(|_| n.to_string());
    if let Some(live) = &found.subnets {
        c.insert(
            "subnet_group".into(),
            place.arn("elasticache", &format!("subnetgroup:{n}")),
        );
        st.subnet_ids = crate::resources::datastore::read_subnets(&prior.subnet_ids, live);
    }
    st.auth_secret_arn = found.secret.clone();
    if let Some(s) = &found.secret {
        c.insert("auth_secret".into(), s.clone());
    }
}

/// Records the parameter group `<name>` where it exists (`params`: its user-set values), named in
/// state while the group uses it (`own_group`), and the user's parameters as it has them (none when
/// on the engine's default).
fn record_parameters(
    place: &Place,
    prior: &State,
    own_group: bool,
    params: Option<BTreeMap<String, String>>,
    st: &mut State,
    c: &mut BTreeMap<String, String>,
) {
    let n = prior.name.as_str();
    st.parameter_group_name = None;
    if params.is_some() {
        c.insert(
            "parameter_group".into(),
            place.arn("elasticache", &format!("parametergroup:{n}")),
        );
        if own_group {
            st.parameter_group_name = Some(n.to_string());
        }
    }
    let mut live_params = params.filter(|_| own_group);
    if let Some(p) = live_params.as_mut() {
        p.remove("cluster-enabled");
    }
    st.parameters = match (&prior.parameters, live_params) {
        (Some(user), Some(live)) => Some(
            user.keys()
                .filter_map(|k| live.get(k).map(|v| (k.clone(), v.clone())))
                .collect(),
        ),
        (None, Some(live)) if !live.is_empty() => Some(live),
        (Some(_), None) => Some(BTreeMap::new()),
        _ => None,
    };
}

/// The group's arguments, endpoints and posture facts as AWS has them.
fn record_group(g: &api::Group, prior: &State, st: &mut State, facts: &mut Facts) {
    st.engine = g.engine.clone();
    st.node_type = g.node_type.clone();
    st.shards = g.shards.len() as i64;
    st.replicas_per_shard = g.replicas_per_shard();
    st.snapshot_retention_days = g.snapshot_retention_days;
    st.snapshot_window = g.snapshot_window.clone();
    st.member_clusters = g.member_clusters.clone();
    st.port = g.port.or(prior.port);
    st.auth_token_rotated_at = g.auth_token_changed.clone();
    facts.exposure.port = g.port;
    if g.clustered {
        st.configuration_endpoint = g.configuration_endpoint.clone();
        st.primary_endpoint = None;
        st.reader_endpoint = None;
    } else {
        let shard = g.shards.first();
        st.configuration_endpoint = None;
        st.primary_endpoint = shard.and_then(|s| s.primary_endpoint.clone());
        st.reader_endpoint = shard.and_then(|s| s.reader_endpoint.clone());
    }
    if g.kms_key != prior.kms_key_arn {
        st.kms_key_arn = g.kms_key.clone();
    }
    facts.snapshot_retention_days = g.snapshot_retention_days;
    facts.auto_minor_upgrade = g.auto_minor_upgrade;
    facts.replicas = g.replicas_per_shard();
    facts.automatic_failover = g.automatic_failover;
    facts.multi_az = g.multi_az;
    facts.at_rest = g.at_rest;
    facts.in_transit = g.in_transit;
    facts.auth = g.auth;
}

/// With no group left: no endpoints or nodes, and facts that fail nothing the group would decide.
fn no_group(prior: &State, st: &mut State, facts: &mut Facts) {
    st.primary_endpoint = None;
    st.reader_endpoint = None;
    st.configuration_endpoint = None;
    st.member_clusters = vec![];
    facts.auto_minor_upgrade = true;
    facts.at_rest = true;
    facts.in_transit = true;
    facts.auth = true;
    facts.automatic_failover = true;
    facts.multi_az = true;
    facts.replicas = prior.replicas_per_shard;
}

/// What the first member holds for every node: the running version, the window, the subnet group.
fn record_member(m: &api::MemberFacts, prior: &State, st: &mut State, facts: &mut Facts) {
    st.engine_version_actual = Some(m.engine_version.clone());
    if !bp::version_matches(&prior.engine_version, &m.engine_version) {
        st.engine_version = bp::major_minor(&m.engine_version);
    }
    st.maintenance_window = m.maintenance_window.clone();
    facts.own_subnet_group = m.subnet_group.as_deref() == Some(prior.name.as_str());
}
