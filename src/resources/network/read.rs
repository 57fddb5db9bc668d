//! Read: the network as AWS has it, with the posture computed from it. A fixed set of calls
//! however many zones and endpoints: DescribeVpcs (twice), DescribeSubnets, DescribeRouteTables,
//! DescribeNatGateways, DescribeInternetGateways, DescribeFlowLogs, DescribeNetworkAcls,
//! DescribeVpcEndpoints, DescribeSecurityGroups (the default group and the endpoints' at once),
//! DescribeLogGroups, GetRole, DescribeKey and GetKeyRotationStatus.

mod endpoints;

use std::collections::BTreeMap;

use super::aws as api;
use super::blueprint as bp;
use super::model::State;
use super::posture::{self, AclFacts, Facts, Key};
use super::reconcile::{acl_role, association, entries_of};
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::ProviderData;
use crate::provider::{iam, kms, logs};
use crate::resources::log_retention;

/// Without a VPC, whatever of the key, log group and role still exists (a create that failed
/// half way, or a VPC deleted outside Terraform): kept in state so that a destroy removes it and
/// an apply rebuilds around it. `None` when nothing is left.
async fn remnants(
    ctx: &ProviderData,
    place: &Place,
    prior: &State,
) -> Result<Option<State>, AwsError> {
    let n = &prior.name;
    let mut c = BTreeMap::new();
    if let Some(k) = prior.components.get("kms_key") {
        let key = kms::describe_key(ctx, k).await?;
        kms::record_usable(key, place.arn("kms", &bp::alias_name(n)), &mut c);
    }
    let group = bp::log_group_name(n);
    if logs::group(ctx, &group).await?.is_some() {
        c.insert("log_group".to_string(), place.log_group_arn(&group));
    }
    if let Some(arn) = iam::role_arn(ctx, &bp::role_name(n)).await? {
        c.insert("flow_log_role".to_string(), arn);
    }
    if c.is_empty() {
        return Ok(None);
    }
    let mut st = prior.clone();
    st.vpc_id = None;
    st.public_subnet_ids.clear();
    st.private_subnet_ids.clear();
    st.endpoints.clear();
    st.endpoint_ids.clear();
    st.components = c;
    st.posture = posture::without_vpc();
    Ok(Some(st))
}

/// The live state, or `None` when nothing of the network is left.
pub async fn read(
    ctx: &ProviderData,
    place: &Place,
    prior: &State,
) -> Result<Option<State>, AwsError> {
    let Some(vpc) = live_vpc(ctx, prior).await? else {
        return remnants(ctx, place, prior).await;
    };
    let env = Environment::parse(&prior.environment).unwrap_or(ctx.environment);
    let n = &prior.name;
    let mut st = prior.clone();
    let mut c: BTreeMap<String, String> = BTreeMap::new();
    c.insert("vpc".into(), vpc.clone());

    // Everything AWS is asked, at once; then compared with the blueprint in order.
    let key_id = prior.components.get("kms_key").cloned();
    let group = bp::log_group_name(n);
    let role_name = bp::role_name(n);
    let endpoints_sg = bp::endpoints::sg_name(n);
    let (key_facts, group_facts, role_arn, live, groups) = tokio::join!(
        async {
            match &key_id {
                Some(k) => kms::describe_key(ctx, k).await,
                None => Ok(None),
            }
        },
        logs::group(ctx, &group),
        iam::role_arn(ctx, &role_name),
        api::live(ctx, &vpc),
        api::vpc_groups(ctx, &vpc, &endpoints_sg),
    );
    let (key_facts, group_facts, role_arn, live, (default_sg, endpoints_sg)) =
        (key_facts?, group_facts?, role_arn?, live?, groups?);

    // Key, log group, role.
    let mut facts = Facts {
        vpc: vpc.clone(),
        log_group: group.clone(),
        ..Facts::default()
    };
    if key_id.is_some() {
        let alias = place.arn("kms", &bp::alias_name(n));
        let rotation = kms::record_usable(key_facts, alias, &mut c);
        facts.key = Some(rotation.map_or(Key::Gone, |rotation| Key::Usable { rotation }));
    }
    if group_facts.is_some() {
        c.insert("log_group".into(), place.log_group_arn(&group));
    }
    facts.group = group_facts;
    if let Some(arn) = role_arn {
        c.insert("flow_log_role".into(), arn);
    }

    st.tags_all = live.tags.clone();
    read_gateways(&live, default_sg, &mut c, &mut facts);
    read_subnets(prior, &live, &mut st, &mut c);
    read_nats(prior, &live, &mut c);
    read_route_tables(prior, &live, env, &mut c, &mut facts);
    read_flow_log(&live, &group, &mut c, &mut facts);
    read_network_acls(prior, &st, &live, &mut c, &mut facts);
    endpoints::read_endpoints(
        place,
        prior,
        &mut st,
        &live,
        endpoints_sg,
        &mut c,
        &mut facts,
    );

    st.components = c;
    let tiers = log_retention::effective(st.log_retention.as_ref(), ctx.log_tiers(env));
    st.posture = posture::posture(env, &tiers, &facts);
    Ok(Some(st))
}

/// The VPC state records, while it exists.
async fn live_vpc(ctx: &ProviderData, prior: &State) -> Result<Option<String>, AwsError> {
    let vpc = prior
        .vpc_id
        .clone()
        .or_else(|| prior.components.get("vpc").cloned());
    let alive = match &vpc {
        Some(v) => api::vpc_exists(ctx, v).await?,
        None => false,
    };
    Ok(vpc.filter(|_| alive))
}

/// The default security group, which must have no rules at all (EC2.2), and the internet gateway.
fn read_gateways(
    live: &api::Live,
    default_sg: Option<api::DefaultSg>,
    c: &mut BTreeMap<String, String>,
    facts: &mut Facts,
) {
    if let Some(sg) = default_sg {
        facts.default_sg = Some((sg.id.clone(), sg.ingress.len(), sg.egress.len()));
        c.insert("default_security_group".into(), sg.id);
    }
    if let Some(g) = live
        .igws
        .first()
        .and_then(|g| g.internet_gateway_id.clone())
    {
        c.insert("internet_gateway".into(), g);
    }
}

/// Subnets that still exist, in zone order.
fn read_subnets(prior: &State, live: &api::Live, st: &mut State, c: &mut BTreeMap<String, String>) {
    let exists = |id: &str| {
        live.subnets
            .iter()
            .any(|s| s.subnet_id.as_deref() == Some(id))
    };
    for (kind, ids) in [
        ("public", &mut st.public_subnet_ids),
        ("private", &mut st.private_subnet_ids),
    ] {
        ids.retain(|id| exists(id));
        for i in 0..prior.availability_zones.len() {
            let role = format!("subnet_{kind}_{i}");
            if let Some(id) = prior.components.get(&role).filter(|id| exists(id)) {
                c.insert(role, id.clone());
            }
        }
    }
}

/// NAT gateways (their addresses are trusted from state: one describe fewer per refresh).
fn read_nats(prior: &State, live: &api::Live, c: &mut BTreeMap<String, String>) {
    for (role, id) in prior
        .components
        .iter()
        .filter(|(k, _)| k.starts_with("nat_"))
    {
        if live
            .nats
            .iter()
            .any(|x| x.nat_gateway_id.as_deref() == Some(id.as_str()))
        {
            c.insert(role.clone(), id.clone());
            let j = role.trim_start_matches("nat_");
            if let Some(a) = prior.components.get(&format!("eip_{j}")) {
                c.insert(format!("eip_{j}"), a.clone());
            }
        }
    }
}

/// Route tables: private ones route only through their NAT ("routes").
fn read_route_tables(
    prior: &State,
    live: &api::Live,
    env: Environment,
    c: &mut BTreeMap<String, String>,
    facts: &mut Facts,
) {
    let table = |id: &str| {
        live.route_tables
            .iter()
            .find(|t| t.route_table_id.as_deref() == Some(id))
    };
    if let Some(rt) = prior
        .components
        .get("route_table_public")
        .filter(|id| table(id).is_some())
    {
        c.insert("route_table_public".into(), rt.clone());
    }
    for i in 0..prior.availability_zones.len() {
        let role = format!("route_table_private_{i}");
        let Some(rt) = prior.components.get(&role) else {
            continue;
        };
        let t = table(rt);
        if t.is_some() {
            c.insert(role, rt.clone());
        }
        facts.private_route_tables.push(posture::RouteTable {
            id: rt.clone(),
            routes: t.map(|t| {
                t.routes
                    .iter()
                    .flatten()
                    .map(|r| posture::Route {
                        destination: r.destination_cidr_block.clone().unwrap_or_default(),
                        gateway: r.gateway_id.clone(),
                        nat: r.nat_gateway_id.clone(),
                    })
                    .collect()
            }),
            nat: c.get(&format!("nat_{}", bp::nat_for(env, i))).cloned(),
        });
    }
}

/// Flow logs (EC2.6).
fn read_flow_log(
    live: &api::Live,
    group: &str,
    c: &mut BTreeMap<String, String>,
    facts: &mut Facts,
) {
    match live
        .flow_logs
        .iter()
        .find(|f| f.log_group_name.as_deref() == Some(group))
    {
        Some(f) if f.flow_log_status.as_deref().is_none_or(|s| s == "ACTIVE") => {
            c.insert("flow_log".into(), f.flow_log_id.clone().unwrap_or_default());
            facts.flow_log_active = true;
        }
        _ => {}
    }
}

/// Network ACLs: the subnets' two (recorded in state) and the VPC's default one, each beside the
/// blueprint's entries; each subnet's association; every entry, for EC2.21.
fn read_network_acls(
    prior: &State,
    st: &State,
    live: &api::Live,
    c: &mut BTreeMap<String, String>,
    facts: &mut Facts,
) {
    let acls = &live.network_acls;
    let by_id = |id: &str| {
        acls.iter()
            .find(|a| a.network_acl_id.as_deref() == Some(id))
    };
    for (public, subnets) in [
        (true, &st.public_subnet_ids),
        (false, &st.private_subnet_ids),
    ] {
        let role = acl_role(public);
        let found = prior.components.get(&role).and_then(|id| by_id(id));
        let id = found.and_then(|a| a.network_acl_id.clone());
        if let Some(id) = &id {
            c.insert(role, id.clone());
            for s in subnets.iter() {
                if association(acls, s).map(|(_, acl)| acl) != Some(id.as_str()) {
                    facts.acls.misassociated.push((s.clone(), id.clone()));
                }
            }
        }
        facts.acls.acls.push(AclFacts {
            label: if public { "public" } else { "private" }.into(),
            id,
            have: found.map(entries_of).unwrap_or_default(),
            want: bp::acl_entries(&prior.cidr_block, public),
        });
    }
    if let Some(d) = acls.iter().find(|a| a.is_default == Some(true)) {
        let id = d.network_acl_id.clone().unwrap_or_default();
        c.insert("default_network_acl".into(), id.clone());
        facts.acls.acls.push(AclFacts {
            label: "default".into(),
            id: Some(id),
            have: entries_of(d),
            want: Vec::new(),
        });
    }
    for a in acls {
        let id = a.network_acl_id.clone().unwrap_or_default();
        for e in entries_of(a) {
            facts.acls.all_entries.push((id.clone(), e));
        }
    }
}
