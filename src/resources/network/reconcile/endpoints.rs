//! VPC endpoints: the interface endpoints' security group (HTTPS from the VPC only), each endpoint
//! `endpoints` names made or put back (route tables, subnets, private DNS, security group), those
//! no longer named deleted, and the waits AWS needs: an interface endpoint is `pending` until its
//! network interfaces are up, and holds them in the subnets until it is deleted.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_ec2::types::VpcEndpoint;

use super::super::aws as api;
use super::super::blueprint::endpoints::{self as ep, Kind};
use super::super::blueprint::hardening;
use super::super::model::State;
use super::Desired;
use crate::framework::wait::{wait_until, Backoff};
use crate::provider::aws::Place;
use crate::provider::ec2;
use crate::provider::error::AwsError;
use crate::provider::retry;
use crate::provider::ProviderData;
use crate::resources::concurrent::{all_ok, Made};

/// Every route table of the network (public first), from its components.
pub fn route_tables(components: &BTreeMap<String, String>, zones: usize) -> Vec<String> {
    std::iter::once("route_table_public".to_string())
        .chain((0..zones).map(|i| format!("route_table_private_{i}")))
        .filter_map(|role| components.get(&role).cloned())
        .collect()
}

/// The live endpoint of `service`: the one recorded in `components`, else one named as this
/// network's (a create cut short before the state was saved); never one being deleted.
pub fn find<'a>(
    live: &'a [VpcEndpoint],
    components: &BTreeMap<String, String>,
    name: &str,
    service: &str,
) -> Option<&'a VpcEndpoint> {
    let live_ones = || live.iter().filter(|e| !api::ended(e));
    let recorded = components.get(&ep::role(service));
    live_ones()
        .find(|e| recorded.is_some() && e.vpc_endpoint_id.as_ref() == recorded)
        .or_else(|| {
            let label = ep::endpoint_name(name, service);
            live_ones().find(|e| api::name_tag(e.tags.as_ref()).as_deref() == Some(label.as_str()))
        })
}

/// Converges the endpoints to `d.endpoints` (`live`: the VPC's endpoints before this apply),
/// recording each object made in `p` before the next call.
pub async fn endpoints(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
    vpc: &str,
    live: &[VpcEndpoint],
    limit: Duration,
) -> Result<(), AwsError> {
    p.endpoints = d.endpoints.clone();
    let sg = if ep::needs_sg(&d.endpoints) {
        let made = Made::new();
        let sg = security_group(ctx, d, vpc, &made).await;
        made.merge_into(&mut p.components);
        Some(sg?)
    } else {
        None
    };
    let tables = route_tables(&p.components, d.zones.len());
    let at = Spots {
        vpc,
        region: &place.region,
        tables: &tables,
        subnets: &p.private_subnet_ids,
        sg: sg.as_deref(),
    };
    let made = Made::new();
    let recorded = p.components.clone();
    let jobs = d.endpoints.iter().map(|service| {
        let current = find(live, &recorded, &d.name, service);
        one(ctx, d, &at, service, current, &made)
    });
    let results = futures::future::join_all(jobs).await;
    made.merge_into(&mut p.components);
    let waiting: Vec<String> = all_ok(results)?.into_iter().flatten().collect();
    wait_for(ctx, vpc, &waiting, false, limit).await?;

    // Endpoints no longer named: deleted, and waited for (their interfaces hold the subnets and
    // the group).
    let dropped: Vec<(String, String)> = p
        .components
        .iter()
        .filter_map(|(role, id)| {
            let service = role.strip_prefix("endpoint_")?;
            (role != ep::SG_ROLE && !d.endpoints.iter().any(|s| s == service))
                .then(|| (role.clone(), id.clone()))
        })
        .collect();
    let ids: Vec<String> = dropped.iter().map(|(_, id)| id.clone()).collect();
    api::delete_endpoints(ctx, &ids).await?;
    wait_for(ctx, vpc, &ids, true, limit).await?;
    for (role, _) in &dropped {
        p.components.remove(role);
    }
    if sg.is_none() {
        if let Some(id) = p.components.get(ep::SG_ROLE).cloned() {
            delete_group(ctx, &id, limit).await?;
            p.components.remove(ep::SG_ROLE);
        }
    }
    p.endpoint_ids = d
        .endpoints
        .iter()
        .filter_map(|s| Some((s.clone(), p.components.get(&ep::role(s))?.clone())))
        .collect();
    Ok(())
}

/// Where the endpoints go.
struct Spots<'a> {
    vpc: &'a str,
    region: &'a str,
    tables: &'a [String],
    subnets: &'a [String],
    sg: Option<&'a str>,
}

/// The endpoint of `service`: made when missing, else put back as the blueprint has it. Returns
/// its id when it must be waited for (made now, or still pending).
async fn one(
    ctx: &ProviderData,
    d: &Desired,
    at: &Spots<'_>,
    service: &str,
    current: Option<&VpcEndpoint>,
    made: &Made,
) -> Result<Option<String>, AwsError> {
    let kind = ep::kind(service).ok_or_else(|| AwsError::Invalid {
        component: ep::role(service),
        message: format!("no endpoint is known for service {service:?}"),
    })?;
    let aws_name = ep::service_name(at.region, service);
    let label = ep::endpoint_name(&d.name, service);
    let private_dns = hardening().endpoint_private_dns;
    let Some(e) = current else {
        let id = match (kind, at.sg) {
            (Kind::Gateway, _) => {
                api::create_gateway(ctx, at.vpc, &aws_name, at.tables, &d.tags, &label).await?
            }
            (Kind::Interface, Some(sg)) => {
                let spec = api::Interface {
                    vpc: at.vpc,
                    service: &aws_name,
                    subnets: at.subnets,
                    security_group: sg,
                    private_dns,
                };
                api::create_interface(ctx, &spec, &d.tags, &label).await?
            }
            (Kind::Interface, None) => {
                return Err(AwsError::Invalid {
                    component: ep::role(service),
                    message: "no security group for the interface endpoint".into(),
                })
            }
        };
        made.record(ep::role(service), id.clone());
        return Ok((kind == Kind::Interface).then_some(id));
    };
    let id = e.vpc_endpoint_id.clone().unwrap_or_default();
    made.record(ep::role(service), id.clone());
    let fix = repair_of(e, kind, at, private_dns);
    if !fix.is_empty() {
        api::repair(ctx, &id, &fix).await?;
    }
    let pending = api::state(e) != "available" || fix.private_dns.is_some();
    Ok((pending && kind == Kind::Interface).then_some(id))
}

/// What endpoint `e` lacks of the blueprint: route tables (gateway); subnets, private DNS and the
/// endpoints' group alone (interface).
fn repair_of(e: &VpcEndpoint, kind: Kind, at: &Spots<'_>, private_dns: bool) -> api::Repair {
    let missing = |want: &[String], have: Option<&Vec<String>>| -> Vec<String> {
        want.iter()
            .filter(|w| !have.is_some_and(|h| h.contains(w)))
            .cloned()
            .collect()
    };
    match kind {
        Kind::Gateway => api::Repair {
            add_route_tables: missing(at.tables, e.route_table_ids.as_ref()),
            ..Default::default()
        },
        Kind::Interface => {
            let groups = api::group_ids(e);
            let own: Vec<String> = at.sg.iter().map(|s| s.to_string()).collect();
            api::Repair {
                add_subnets: missing(at.subnets, e.subnet_ids.as_ref()),
                add_groups: missing(&own, Some(&groups)),
                remove_groups: groups
                    .iter()
                    .filter(|g| !own.contains(g))
                    .cloned()
                    .collect(),
                private_dns: (e.private_dns_enabled != Some(private_dns)).then_some(private_dns),
                ..Default::default()
            }
        }
    }
}

/// The endpoints' security group (found by name, or made and recorded), with exactly HTTPS from
/// the VPC in and nothing out. Returns its id.
async fn security_group(
    ctx: &ProviderData,
    d: &Desired,
    vpc: &str,
    made: &Made,
) -> Result<String, AwsError> {
    let name = ep::sg_name(&d.name);
    let sg = match ec2::find_sg(ctx, vpc, &name).await? {
        Some(id) => id,
        None => ec2::create_sg(ctx, vpc, &name, ep::SG_DESCRIPTION, &d.tags).await?,
    };
    made.record(ep::SG_ROLE, sg.clone());
    let (want_in, want_out) = ep::sg_rules(&d.cidr_block);
    let (have_in, have_out) = ec2::sg_rules(ctx, std::slice::from_ref(&sg))
        .await?
        .remove(&sg)
        .unwrap_or_default();
    let (inbound, outbound) = tokio::join!(
        ec2::sync_rules(ctx, &sg, true, &want_in, &have_in),
        ec2::sync_rules(ctx, &sg, false, &want_out, &have_out)
    );
    inbound.and(outbound)?;
    Ok(sg)
}

/// Deletes the endpoints' group, retrying while endpoint interfaces AWS has not yet released
/// still use it.
pub async fn delete_group(ctx: &ProviderData, id: &str, limit: Duration) -> Result<(), AwsError> {
    retry::while_in_use(ctx, "endpoints security group deletion", limit, || {
        ec2::delete_sg(ctx, id)
    })
    .await
}

/// Waits until every endpoint of `ids` in `vpc` is available (or, with `gone`, deleted).
pub async fn wait_for(
    ctx: &ProviderData,
    vpc: &str,
    ids: &[String],
    gone: bool,
    limit: Duration,
) -> Result<(), AwsError> {
    if ids.is_empty() {
        return Ok(());
    }
    let what = format!(
        "vpc endpoints {} to be {}",
        ids.join(", "),
        if gone { "deleted" } else { "available" }
    );
    let poll = || async {
        let live = api::vpc_endpoints(ctx, vpc).await?;
        let mut done = true;
        for id in ids {
            let e = live
                .iter()
                .find(|e| e.vpc_endpoint_id.as_deref() == Some(id.as_str()));
            let state = e.map(api::state).unwrap_or_else(|| "deleted".into());
            match (gone, state.as_str()) {
                (true, "deleted") | (false, "available") => {}
                (false, "failed" | "rejected" | "expired" | "deleted") => {
                    return Err(AwsError::Invalid {
                        component: format!("vpc endpoint {id}"),
                        message: format!("it is {state}; the next apply makes it again"),
                    })
                }
                _ => done = false,
            }
        }
        Ok(done.then_some(()))
    };
    wait_until(&what, ctx.stop_token(), limit, Backoff::polling(), poll)
        .await
        .map_err(|e| AwsError::from_wait("vpc endpoint", e))
}

/// Destroy: every endpoint of the VPC not already deleted or being deleted (failed ones too: they
/// still hold the VPC), waited for until deleted, then the endpoints' group (recorded, or found by
/// name after a create cut short).
pub async fn delete_all(
    ctx: &ProviderData,
    s: &mut State,
    vpc: &str,
    live: &[VpcEndpoint],
    limit: Duration,
) -> Result<(), AwsError> {
    let ids: Vec<String> = live
        .iter()
        .filter(|e| !matches!(api::state(e).as_str(), "deleting" | "deleted"))
        .filter_map(|e| e.vpc_endpoint_id.clone())
        .collect();
    api::delete_endpoints(ctx, &ids).await?;
    wait_for(ctx, vpc, &ids, true, limit).await?;
    s.components
        .retain(|k, _| !k.starts_with("endpoint_") || k == ep::SG_ROLE);
    s.endpoint_ids.clear();
    let group = match s.components.get(ep::SG_ROLE).cloned() {
        Some(id) => Some(id),
        None => ec2::find_sg(ctx, vpc, &ep::sg_name(&s.name)).await?,
    };
    if let Some(id) = group {
        delete_group(ctx, &id, limit).await?;
    }
    s.components.remove(ep::SG_ROLE);
    Ok(())
}
