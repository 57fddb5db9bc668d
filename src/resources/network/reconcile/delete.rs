//! Delete: everything, in dependency order. On error `s.components` still names what exists.

use std::time::Duration;

use super::super::aws as api;
use super::super::blueprint as bp;
use super::super::model::State;
use super::wait_nats;
use crate::provider::error::AwsError;
use crate::provider::ProviderData;
use crate::provider::{iam, kms, logs};

/// Deletes everything, in dependency order. On error `s.components` still names what exists.
pub async fn delete(ctx: &ProviderData, s: &mut State, limit: Duration) -> Result<(), AwsError> {
    let n = s.name.clone();
    if let Some(vpc) = s.components.get("vpc").cloned() {
        if api::vpc_exists(ctx, &vpc).await? {
            delete_vpc(ctx, s, &vpc, limit).await?;
        } else {
            // The VPC is gone; its addresses may not be.
            let eips: Vec<String> = s
                .components
                .iter()
                .filter(|(k, _)| k.starts_with("eip_"))
                .map(|(_, v)| v.clone())
                .collect();
            for a in eips {
                api::release_eip(ctx, &a).await?;
            }
        }
    }
    // What a create cut short may have left outside the VPC: a detached gateway, an address
    // whose NAT gateway was never made (found by tag, not by state).
    let (igws, eips) = api::tagged_loose_objects(ctx, &n).await?;
    for g in igws {
        api::delete_igw(ctx, &g, None).await?;
    }
    for a in eips {
        api::release_eip(ctx, &a).await?;
    }
    s.components.retain(|k, _| {
        matches!(
            k.as_str(),
            "kms_key" | "kms_alias" | "log_group" | "flow_log_role"
        )
    });
    s.vpc_id = None;
    delete_outside_vpc(ctx, s, &n).await
}

/// The VPC and everything in it: flow logs, endpoints and their group, NAT gateways and their addresses, route tables,
/// subnets, their network ACLs, the internet gateway, then the VPC.
async fn delete_vpc(
    ctx: &ProviderData,
    s: &mut State,
    vpc: &str,
    limit: Duration,
) -> Result<(), AwsError> {
    let live = api::live(ctx, vpc).await?;
    for f in &live.flow_logs {
        api::delete_flow_log(ctx, f.flow_log_id.as_deref().unwrap_or_default()).await?;
    }
    s.components.remove("flow_log");
    // The endpoints first: interface endpoints hold network interfaces in the subnets and use the
    // endpoints' group until AWS has deleted them.
    super::endpoints::delete_all(ctx, s, vpc, &live.endpoints, limit).await?;
    let nats: Vec<String> = live
        .nats
        .iter()
        .filter_map(|x| x.nat_gateway_id.clone())
        .collect();
    for id in &nats {
        api::delete_nat(ctx, id).await?;
    }
    wait_nats(ctx, &nats, true, limit).await?;
    s.components.retain(|k, _| !k.starts_with("nat_"));
    let eips: Vec<(String, String)> = s
        .components
        .iter()
        .filter(|(k, _)| k.starts_with("eip_"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, a) in eips {
        api::release_eip(ctx, &a).await?;
        s.components.remove(&k);
    }
    for rt in &live.route_tables {
        api::delete_route_table(ctx, rt).await?;
    }
    s.components.retain(|k, _| !k.starts_with("route_table_"));
    for sn in &live.subnets {
        api::delete_subnet(ctx, sn.subnet_id.as_deref().unwrap_or_default()).await?;
    }
    s.components.retain(|k, _| !k.starts_with("subnet_"));
    // The subnets gone, their ACLs have no associations left (the default one goes with the VPC).
    for a in live
        .network_acls
        .iter()
        .filter(|a| a.is_default != Some(true))
    {
        api::delete_acl(ctx, a.network_acl_id.as_deref().unwrap_or_default()).await?;
    }
    s.components.retain(|k, _| !k.starts_with("network_acl_"));
    for g in &live.igws {
        api::delete_igw(
            ctx,
            g.internet_gateway_id.as_deref().unwrap_or_default(),
            Some(vpc),
        )
        .await?;
    }
    s.components.remove("internet_gateway");
    api::delete_vpc(ctx, vpc).await?;
    s.components.remove("vpc");
    Ok(())
}

/// The log group, the flow-log role, the key's alias, and the key (scheduled for deletion).
async fn delete_outside_vpc(ctx: &ProviderData, s: &mut State, n: &str) -> Result<(), AwsError> {
    logs::delete_group(ctx, &bp::log_group_name(n)).await?;
    s.components.remove("log_group");
    iam::delete_role(ctx, &bp::role_name(n)).await?;
    s.components.remove("flow_log_role");
    kms::delete_own_key(ctx, &bp::alias_name(n), &mut s.components, &s.environment).await?;
    Ok(())
}
