//! The VPC's flow log, and the describes of a refresh: everything a VPC holds, at once.

use aws_sdk_ec2::types::{
    FlowLogsResourceType, LogDestinationType, NatGatewayState, ResourceType, TrafficType,
};

use super::{filter, invalid, tag_spec, Tags};
use crate::provider::ec2::removed;
use crate::provider::error::AwsError;
use crate::provider::ProviderData;
use crate::resources::network::blueprint::Hardening;

/// Creates the VPC's flow log (the traffic and destination `h` names, to the log group); returns
/// its id.
pub async fn create_flow_log(
    ctx: &ProviderData,
    vpc: &str,
    group: &str,
    role_arn: &str,
    h: &Hardening,
    tags: &Tags,
    name: &str,
) -> Result<String, AwsError> {
    let c = "vpc flow log";
    // The role was made moments ago: AWS may not be able to assume it yet.
    let out = crate::provider::retry::settle(ctx, c, || {
        ctx.call(
            c,
            ctx.ec2()
                .create_flow_logs()
                .resource_ids(vpc)
                .resource_type(FlowLogsResourceType::Vpc)
                .traffic_type(TrafficType::from(h.flow_log_traffic))
                .log_destination_type(LogDestinationType::from(h.flow_log_destination))
                .log_group_name(group)
                .deliver_logs_permission_arn(role_arn)
                .tag_specifications(tag_spec(ResourceType::VpcFlowLog, tags, name))
                .send(),
        )
    })
    .await?;
    if let Some(u) = out.unsuccessful.unwrap_or_default().into_iter().next() {
        let msg = u
            .error
            .and_then(|e| e.message)
            .unwrap_or_else(|| "refused".into());
        return Err(invalid(c, &msg));
    }
    out.flow_log_ids
        .unwrap_or_default()
        .into_iter()
        .next()
        .ok_or_else(|| invalid(c, "no id"))
}

/// Deletes a flow log (done when it is already gone).
pub async fn delete_flow_log(ctx: &ProviderData, id: &str) -> Result<(), AwsError> {
    let delete = ctx.ec2().delete_flow_logs().flow_log_ids(id);
    removed(ctx, "vpc flow log", delete.send()).await
}

/// What a VPC holds, as one refresh describes it.
pub struct Live {
    pub subnets: Vec<aws_sdk_ec2::types::Subnet>,
    pub route_tables: Vec<aws_sdk_ec2::types::RouteTable>,
    pub nats: Vec<aws_sdk_ec2::types::NatGateway>,
    pub igws: Vec<aws_sdk_ec2::types::InternetGateway>,
    pub flow_logs: Vec<aws_sdk_ec2::types::FlowLog>,
    pub network_acls: Vec<aws_sdk_ec2::types::NetworkAcl>,
    pub endpoints: Vec<aws_sdk_ec2::types::VpcEndpoint>,
    pub tags: Tags,
}

/// The VPC's subnets, route tables, live NAT gateways, attached gateways, flow logs, network ACLs,
/// endpoints and tags.
pub async fn live(ctx: &ProviderData, vpc: &str) -> Result<Live, AwsError> {
    // Eight independent describes, at once.
    let in_vpc = || filter("vpc-id", vpc);
    let (subnets, route_tables, nats, igws, flow_logs, network_acls, endpoints, vpcs) = tokio::join!(
        ctx.call(
            "subnets",
            ctx.ec2().describe_subnets().filters(in_vpc()).send()
        ),
        ctx.call(
            "route tables",
            ctx.ec2().describe_route_tables().filters(in_vpc()).send()
        ),
        ctx.call(
            "nat gateways",
            ctx.ec2().describe_nat_gateways().filter(in_vpc()).send()
        ),
        ctx.call(
            "internet gateways",
            ctx.ec2()
                .describe_internet_gateways()
                .filters(filter("attachment.vpc-id", vpc))
                .send()
        ),
        ctx.call(
            "flow logs",
            ctx.ec2()
                .describe_flow_logs()
                .filter(filter("resource-id", vpc))
                .send()
        ),
        super::network_acls(ctx, vpc),
        super::vpc_endpoints(ctx, vpc),
        ctx.call("vpc", ctx.ec2().describe_vpcs().vpc_ids(vpc).send()),
    );
    let subnets = subnets?.subnets.unwrap_or_default();
    let route_tables = route_tables?.route_tables.unwrap_or_default();
    let nats = nats?
        .nat_gateways
        .unwrap_or_default()
        .into_iter()
        .filter(|n| {
            matches!(
                n.state,
                Some(NatGatewayState::Available | NatGatewayState::Pending)
            )
        })
        .collect();
    let igws = igws?.internet_gateways.unwrap_or_default();
    let flow_logs = flow_logs?.flow_logs.unwrap_or_default();
    let network_acls = network_acls?;
    let endpoints = endpoints?;
    let vpcs = vpcs?.vpcs.unwrap_or_default();
    let tags = vpcs
        .into_iter()
        .next()
        .and_then(|v| v.tags)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|t| Some((t.key?, t.value?)))
        .filter(|(k, _)| k != "Name")
        .collect();
    Ok(Live {
        subnets,
        route_tables,
        nats,
        igws,
        flow_logs,
        network_acls,
        endpoints,
        tags,
    })
}
