//! Subnets, route tables and their routes, NAT gateways and their addresses.

use aws_sdk_ec2::types::{DomainType, NatGatewayState, ResourceType};

use super::{tag_spec, Tags};
use crate::provider::ec2::{created, removed};
use crate::provider::error::{found, AwsError};
use crate::provider::ProviderData;

/// Creates a subnet of `cidr` in zone `az`; returns its id.
pub async fn create_subnet(
    ctx: &ProviderData,
    vpc: &str,
    cidr: &str,
    az: &str,
    tags: &Tags,
    name: &str,
) -> Result<String, AwsError> {
    created(
        ctx,
        &format!("subnet {name}"),
        ctx.ec2()
            .create_subnet()
            .vpc_id(vpc)
            .cidr_block(cidr)
            .availability_zone(az)
            .tag_specifications(tag_spec(ResourceType::Subnet, tags, name))
            .send(),
        |out| out.subnet.and_then(|s| s.subnet_id),
        "no id",
    )
    .await
}

/// Deletes a subnet (done when it is already gone).
pub async fn delete_subnet(ctx: &ProviderData, id: &str) -> Result<(), AwsError> {
    let delete = ctx.ec2().delete_subnet().subnet_id(id);
    removed(ctx, &format!("subnet {id}"), delete.send()).await
}

/// Creates a route table; returns its id.
pub async fn create_route_table(
    ctx: &ProviderData,
    vpc: &str,
    tags: &Tags,
    name: &str,
) -> Result<String, AwsError> {
    created(
        ctx,
        &format!("route table {name}"),
        ctx.ec2()
            .create_route_table()
            .vpc_id(vpc)
            .tag_specifications(tag_spec(ResourceType::RouteTable, tags, name))
            .send(),
        |out| out.route_table.and_then(|r| r.route_table_id),
        "no id",
    )
    .await
}

/// Where a default route goes.
pub enum Target<'a> {
    Gateway(&'a str),
    Nat(&'a str),
}

/// Points the table's default route at `target`, creating or replacing it.
pub async fn set_default_route(
    ctx: &ProviderData,
    rt: &str,
    target: Target<'_>,
    exists: bool,
) -> Result<(), AwsError> {
    let c = format!("default route of {rt}");
    // Replace and create take the same fields.
    macro_rules! route {
        ($builder:expr) => {{
            let req = $builder
                .route_table_id(rt)
                .destination_cidr_block("0.0.0.0/0");
            let req = match target {
                Target::Gateway(g) => req.gateway_id(g),
                Target::Nat(n) => req.nat_gateway_id(n),
            };
            ctx.call(&c, req.send()).await.map(|_| ())
        }};
    }
    if exists {
        route!(ctx.ec2().replace_route())
    } else {
        route!(ctx.ec2().create_route())
    }
}

/// Deletes the table's route to `cidr` (done when it is already gone).
pub async fn delete_route(ctx: &ProviderData, rt: &str, cidr: &str) -> Result<(), AwsError> {
    let delete = ctx.ec2().delete_route().route_table_id(rt);
    removed(
        ctx,
        &format!("route {cidr} of {rt}"),
        delete.destination_cidr_block(cidr).send(),
    )
    .await
}

/// Associates the subnet with the table.
pub async fn associate(ctx: &ProviderData, rt: &str, subnet: &str) -> Result<(), AwsError> {
    ctx.call(
        &format!("route table {rt} association"),
        ctx.ec2()
            .associate_route_table()
            .route_table_id(rt)
            .subnet_id(subnet)
            .send(),
    )
    .await
    .map(|_| ())
}

/// Disassociates a route table from its subnets and deletes it; the main table is left to go
/// with the VPC.
pub async fn delete_route_table(
    ctx: &ProviderData,
    rt: &aws_sdk_ec2::types::RouteTable,
) -> Result<(), AwsError> {
    let id = rt.route_table_id.clone().unwrap_or_default();
    for a in rt.associations.iter().flatten() {
        if a.main == Some(true) {
            return Ok(()); // the main table goes with the VPC
        }
        if let Some(assoc) = &a.route_table_association_id {
            let disassociate = ctx.ec2().disassociate_route_table().association_id(assoc);
            removed(ctx, "route table association", disassociate.send()).await?;
        }
    }
    let delete = ctx.ec2().delete_route_table().route_table_id(&id);
    removed(ctx, &format!("route table {id}"), delete.send()).await
}

/// Allocates an elastic IP; returns its allocation id.
pub async fn allocate_eip(ctx: &ProviderData, tags: &Tags, name: &str) -> Result<String, AwsError> {
    created(
        ctx,
        &format!("elastic ip {name}"),
        ctx.ec2()
            .allocate_address()
            .domain(DomainType::Vpc)
            .tag_specifications(tag_spec(ResourceType::ElasticIp, tags, name))
            .send(),
        |out| out.allocation_id,
        "no allocation id",
    )
    .await
}

/// Releases an elastic IP (done when it is already gone).
pub async fn release_eip(ctx: &ProviderData, allocation: &str) -> Result<(), AwsError> {
    let release = ctx.ec2().release_address().allocation_id(allocation);
    removed(ctx, "elastic ip", release.send()).await
}

/// Creates a NAT gateway in the subnet with the address; returns its id.
pub async fn create_nat(
    ctx: &ProviderData,
    subnet: &str,
    allocation: &str,
    tags: &Tags,
    name: &str,
) -> Result<String, AwsError> {
    created(
        ctx,
        &format!("nat gateway {name}"),
        ctx.ec2()
            .create_nat_gateway()
            .subnet_id(subnet)
            .allocation_id(allocation)
            .tag_specifications(tag_spec(ResourceType::Natgateway, tags, name))
            .send(),
        |out| out.nat_gateway.and_then(|n| n.nat_gateway_id),
        "no id",
    )
    .await
}

/// The NAT gateway's state; `None` when it does not exist.
pub async fn nat_state(ctx: &ProviderData, id: &str) -> Result<Option<NatGatewayState>, AwsError> {
    Ok(found(
        ctx.call(
            "nat gateway",
            ctx.ec2().describe_nat_gateways().nat_gateway_ids(id).send(),
        )
        .await,
    )?
    .and_then(|out| {
        out.nat_gateways
            .unwrap_or_default()
            .into_iter()
            .next()
            .and_then(|n| n.state)
    }))
}

/// Deletes a NAT gateway (done when it is already gone).
pub async fn delete_nat(ctx: &ProviderData, id: &str) -> Result<(), AwsError> {
    let delete = ctx.ec2().delete_nat_gateway().nat_gateway_id(id);
    removed(ctx, "nat gateway", delete.send()).await
}
