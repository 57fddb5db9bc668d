//! Apply, steps 5–8 and 11: route tables and NAT gateways, the VPC endpoints while the NAT
//! gateways come up, routes and associations, and NAT gateways no longer wanted.

use std::time::Duration;

use super::super::aws::{self as api, Target};
use super::super::blueprint as bp;
use super::super::model::State;
use super::{wait_nats, Desired};
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::ProviderData;
use crate::resources::concurrent::{all_ok, Made};

/// Where the routing goes: the VPC, its gateway, the subnets, and what the VPC held before.
pub(super) struct Layout<'a> {
    pub vpc: &'a str,
    pub igw: &'a str,
    pub public: &'a [String],
    pub private: &'a [String],
    pub live: &'a api::Live,
}

/// Steps 5–8 and 11: route tables and NAT gateways; the VPC endpoints while the NAT gateways come
/// up (they need only the route tables, the private subnets and their own group, and an interface
/// endpoint takes about as long as a NAT gateway); then routes and associations, and NAT gateways
/// no longer wanted. Each object is recorded in `p` as it is made.
pub(super) async fn routing(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
    at: &Layout<'_>,
    limit: Duration,
) -> Result<(), AwsError> {
    let nats_wanted = bp::nat_count(d.environment, d.zones.len());
    let (tables, new_nats) = tables_and_nats(ctx, d, p, at, nats_wanted).await?;
    let public_rt = tables[0].clone();
    let private_rts: Vec<String> = tables[1..].to_vec();
    let (up, endpoints) = tokio::join!(
        wait_nats(ctx, &new_nats, false, limit),
        super::endpoints::endpoints(ctx, place, d, p, at.vpc, &at.live.endpoints, limit)
    );
    up?;
    endpoints?;
    routes(ctx, d, p, at, &public_rt, &private_rts, nats_wanted).await?;
    drop_extra_nats(ctx, p, nats_wanted, limit).await
}

/// 5–6 at once: the route tables (public; private, one per zone) and the NAT gateways (one per
/// zone in production, one shared otherwise), each with its address. Returns the tables (public
/// first) and the NAT gateways made now.
async fn tables_and_nats(
    ctx: &ProviderData,
    d: &Desired,
    p: &mut State,
    at: &Layout<'_>,
    nats_wanted: usize,
) -> Result<(Vec<String>, Vec<String>), AwsError> {
    let n = &d.name;
    let (vpc, public, live) = (at.vpc, at.public, at.live);
    let live_nat = |id: &str| {
        live.nats
            .iter()
            .any(|x| x.nat_gateway_id.as_deref() == Some(id))
    };
    let made = Made::new();
    let mut tables_wanted = vec![("route_table_public".to_string(), format!("{n}-public"))];
    for (i, zone) in d.zones.iter().enumerate() {
        tables_wanted.push((
            format!("route_table_private_{i}"),
            format!("{n}-private-{zone}"),
        ));
    }
    let table_jobs = tables_wanted.iter().map(|(role, label)| {
        let recorded = p.components.get(role).cloned();
        let (made, vpc) = (&made, &vpc);
        async move {
            if let Some(r) = recorded {
                return Ok(r);
            }
            let r = api::create_route_table(ctx, vpc, &d.tags, label).await?;
            made.record(role.clone(), r.clone());
            Ok(r)
        }
    });
    let nat_jobs = public
        .iter()
        .zip(&d.zones)
        .take(nats_wanted)
        .enumerate()
        .map(|(j, (subnet, zone))| {
            let recorded_eip = p.components.get(&format!("eip_{j}")).cloned();
            let nat_ok = p
                .components
                .get(&format!("nat_{j}"))
                .is_some_and(|id| live_nat(id));
            let made = &made;
            async move {
                let eip = match recorded_eip {
                    Some(a) => a,
                    None => {
                        let a = api::allocate_eip(ctx, &d.tags, &format!("{n}-nat-{j}")).await?;
                        made.record(format!("eip_{j}"), a.clone());
                        a
                    }
                };
                if nat_ok {
                    return Ok(None);
                }
                let id =
                    api::create_nat(ctx, subnet, &eip, &d.tags, &format!("{n}-nat-{zone}")).await?;
                made.record(format!("nat_{j}"), id.clone());
                Ok(Some(id))
            }
        });
    let (tables, nats) = tokio::join!(
        futures::future::join_all(table_jobs),
        futures::future::join_all(nat_jobs)
    );
    made.merge_into(&mut p.components);
    let tables = all_ok(tables)?;
    let new_nats: Vec<String> = all_ok(nats)?.into_iter().flatten().collect();
    Ok((tables, new_nats))
}

/// Step 7, routes: public → internet gateway; private i → its NAT, and nothing else (each table
/// at once).
async fn routes(
    ctx: &ProviderData,
    d: &Desired,
    p: &State,
    at: &Layout<'_>,
    public_rt: &str,
    private_rts: &[String],
    nats_wanted: usize,
) -> Result<(), AwsError> {
    let (igw, public, private, live) = (at.igw, at.public, at.private, at.live);
    let table = |id: &str| {
        live.route_tables
            .iter()
            .find(|t| t.route_table_id.as_deref() == Some(id))
            .cloned()
    };
    let mut plan: Vec<(String, Vec<String>, Target)> =
        vec![(public_rt.to_string(), public.to_vec(), Target::Gateway(igw))];
    let nat_ids: Vec<String> = (0..nats_wanted)
        .map(|j| {
            p.components
                .get(&format!("nat_{j}"))
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    for (i, rt) in private_rts.iter().enumerate() {
        let nat = nat_ids
            .get(bp::nat_for(d.environment, i))
            .ok_or_else(|| AwsError::Invalid {
                component: format!("route_table_private_{i}"),
                message: "no NAT gateway to route through".into(),
            })?;
        plan.push((rt.clone(), vec![private[i].clone()], Target::Nat(nat)));
    }
    let route_jobs = plan.into_iter().map(|(rt, subnets, target)| {
        let live_rt = table(&rt);
        route_table(ctx, rt, subnets, target, live_rt)
    });
    all_ok(futures::future::join_all(route_jobs).await)?;
    Ok(())
}

/// One table: its default route to `target`, no other route but the local one, and `subnets`
/// associated.
async fn route_table(
    ctx: &ProviderData,
    rt: String,
    subnets: Vec<String>,
    target: Target<'_>,
    live_rt: Option<aws_sdk_ec2::types::RouteTable>,
) -> Result<(), AwsError> {
    let routes = live_rt
        .as_ref()
        .and_then(|t| t.routes.clone())
        .unwrap_or_default();
    let default = routes
        .iter()
        .find(|r| r.destination_cidr_block.as_deref() == Some("0.0.0.0/0"));
    let right = match (&target, default) {
        (Target::Gateway(g), Some(r)) => r.gateway_id.as_deref() == Some(*g),
        (Target::Nat(nat), Some(r)) => r.nat_gateway_id.as_deref() == Some(*nat),
        _ => false,
    };
    if !right {
        api::set_default_route(ctx, &rt, target, default.is_some()).await?;
    }
    for r in &routes {
        let dest = r.destination_cidr_block.clone().unwrap_or_default();
        let local = r.gateway_id.as_deref() == Some("local");
        if !local && dest != "0.0.0.0/0" && !dest.is_empty() {
            api::delete_route(ctx, &rt, &dest).await?;
        }
    }
    let associated: Vec<String> = live_rt
        .iter()
        .flat_map(|t| t.associations.iter().flatten())
        .filter_map(|a| a.subnet_id.clone())
        .collect();
    let associations = subnets
        .iter()
        .filter(|s| !associated.contains(s))
        .map(|s| api::associate(ctx, &rt, s));
    all_ok(futures::future::join_all(associations).await)?;
    Ok(())
}

/// Step 8: NAT gateways no longer wanted (production → a smaller profile), after routes moved off
/// them.
async fn drop_extra_nats(
    ctx: &ProviderData,
    p: &mut State,
    nats_wanted: usize,
    limit: Duration,
) -> Result<(), AwsError> {
    let extra: Vec<usize> = p
        .components
        .keys()
        .filter_map(|k| k.strip_prefix("nat_").and_then(|j| j.parse().ok()))
        .filter(|j| *j >= nats_wanted)
        .collect();
    let extra_ids: Vec<String> = extra
        .iter()
        .filter_map(|j| p.components.get(&format!("nat_{j}")).cloned())
        .collect();
    for id in &extra_ids {
        api::delete_nat(ctx, id).await?;
    }
    wait_nats(ctx, &extra_ids, true, limit).await?;
    for j in extra {
        p.components.remove(&format!("nat_{j}"));
        if let Some(a) = p.components.remove(&format!("eip_{j}")) {
            api::release_eip(ctx, &a).await?;
        }
    }
    Ok(())
}
