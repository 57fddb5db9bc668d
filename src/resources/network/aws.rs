//! The AWS calls `prod_network` makes: EC2 (VPC, subnets, gateways, routes, flow logs), CloudWatch
//! Logs and IAM. One small function per call, named for the component.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{
    AttributeBooleanValue, DomainType, Filter, FlowLogsResourceType, LogDestinationType,
    NatGatewayState, ResourceType, Tag, TagSpecification, TrafficType,
};

use crate::provider::error::{found, ok_if_missing as ignore_missing, AwsError};
use crate::provider::ProviderData;

pub type Tags = BTreeMap<String, String>;

fn invalid(component: &str, message: &str) -> AwsError {
    AwsError::Invalid {
        component: component.to_string(),
        message: message.to_string(),
    }
}

fn ec2_tags(tags: &Tags, name: &str) -> Vec<Tag> {
    let mut v: Vec<Tag> = tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect();
    v.push(Tag::builder().key("Name").value(name).build());
    v
}

fn spec(kind: ResourceType, tags: &Tags, name: &str) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(kind)
        .set_tags(Some(ec2_tags(tags, name)))
        .build()
}

fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

pub async fn zones(ctx: &ProviderData) -> Result<Vec<String>, AwsError> {
    let out = ctx
        .call(
            "availability zones",
            ctx.ec2()
                .describe_availability_zones()
                .filters(filter("state", "available"))
                .send(),
        )
        .await?;
    let mut z: Vec<String> = out
        .availability_zones
        .unwrap_or_default()
        .into_iter()
        .filter(|z| {
            z.zone_type
                .as_deref()
                .is_none_or(|t| t == "availability-zone")
        })
        .filter_map(|z| z.zone_name)
        .collect();
    z.sort();
    Ok(z)
}

/// Creates the VPC; returns its id.
pub async fn create_vpc(
    ctx: &ProviderData,
    cidr: &str,
    tags: &Tags,
    name: &str,
) -> Result<String, AwsError> {
    let c = "vpc";
    let out = ctx
        .call(
            c,
            ctx.ec2()
                .create_vpc()
                .cidr_block(cidr)
                .tag_specifications(spec(ResourceType::Vpc, tags, name))
                .send(),
        )
        .await?;
    out.vpc
        .and_then(|v| v.vpc_id)
        .ok_or_else(|| invalid(c, "CreateVpc returned no id"))
}

/// DNS support and hostnames on (separate from the create, so that the caller records the VPC
/// before anything else can fail).
pub async fn enable_vpc_dns(ctx: &ProviderData, id: &str) -> Result<(), AwsError> {
    // One attribute per call; the two at once.
    let set = |hostnames: bool| {
        let on = AttributeBooleanValue::builder().value(true).build();
        let req = ctx.ec2().modify_vpc_attribute().vpc_id(id);
        let req = if hostnames {
            req.enable_dns_hostnames(on)
        } else {
            req.enable_dns_support(on)
        };
        ctx.call("vpc dns attributes", req.send())
    };
    let (support, hostnames) = tokio::join!(set(false), set(true));
    support.and(hostnames).map(|_| ())
}

pub async fn vpc_exists(ctx: &ProviderData, id: &str) -> Result<bool, AwsError> {
    Ok(found(
        ctx.call("vpc", ctx.ec2().describe_vpcs().vpc_ids(id).send())
            .await,
    )?
    .is_some_and(|out| !out.vpcs.unwrap_or_default().is_empty()))
}

pub struct DefaultSg {
    pub id: String,
    pub ingress: Vec<aws_sdk_ec2::types::IpPermission>,
    pub egress: Vec<aws_sdk_ec2::types::IpPermission>,
}

pub async fn default_sg(ctx: &ProviderData, vpc: &str) -> Result<Option<DefaultSg>, AwsError> {
    let out = ctx
        .call(
            "default security group",
            ctx.ec2()
                .describe_security_groups()
                .filters(filter("vpc-id", vpc))
                .filters(filter("group-name", "default"))
                .send(),
        )
        .await?;
    Ok(out
        .security_groups
        .unwrap_or_default()
        .into_iter()
        .next()
        .map(|g| DefaultSg {
            id: g.group_id.unwrap_or_default(),
            ingress: g.ip_permissions.unwrap_or_default(),
            egress: g.ip_permissions_egress.unwrap_or_default(),
        }))
}

pub async fn strip_default_sg(ctx: &ProviderData, sg: &DefaultSg) -> Result<(), AwsError> {
    let c = "default security group rules";
    if !sg.ingress.is_empty() {
        ctx.call(
            c,
            ctx.ec2()
                .revoke_security_group_ingress()
                .group_id(&sg.id)
                .set_ip_permissions(Some(sg.ingress.clone()))
                .send(),
        )
        .await?;
    }
    if !sg.egress.is_empty() {
        ctx.call(
            c,
            ctx.ec2()
                .revoke_security_group_egress()
                .group_id(&sg.id)
                .set_ip_permissions(Some(sg.egress.clone()))
                .send(),
        )
        .await?;
    }
    Ok(())
}

pub async fn create_igw(ctx: &ProviderData, tags: &Tags, name: &str) -> Result<String, AwsError> {
    let c = "internet gateway";
    let out = ctx
        .call(
            c,
            ctx.ec2()
                .create_internet_gateway()
                .tag_specifications(spec(ResourceType::InternetGateway, tags, name))
                .send(),
        )
        .await?;
    out.internet_gateway
        .and_then(|g| g.internet_gateway_id)
        .ok_or_else(|| invalid(c, "no id"))
}

pub async fn attach_igw(ctx: &ProviderData, id: &str, vpc: &str) -> Result<(), AwsError> {
    ctx.call(
        "internet gateway",
        ctx.ec2()
            .attach_internet_gateway()
            .internet_gateway_id(id)
            .vpc_id(vpc)
            .send(),
    )
    .await
    .map(|_| ())
}

/// Internet gateways and elastic IPs tagged as network `name`, attached or not: what a create cut
/// short may have left outside the VPC's view (an address whose NAT gateway was never made, a
/// gateway never attached). Returns (gateway ids, allocation ids).
pub async fn tagged_loose_objects(
    ctx: &ProviderData,
    name: &str,
) -> Result<(Vec<String>, Vec<String>), AwsError> {
    let want = format!("{}.{name}", super::schema::TYPE_NAME);
    let ours = |tags: Option<&Vec<Tag>>| {
        tags.into_iter().flatten().any(|t| {
            t.key.as_deref() == Some("prod:resource") && t.value.as_deref() == Some(want.as_str())
        })
    };
    let igws = ctx
        .call(
            "internet gateways",
            ctx.ec2()
                .describe_internet_gateways()
                .filters(filter("tag:prod:resource", &want))
                .send(),
        )
        .await?
        .internet_gateways
        .unwrap_or_default()
        .into_iter()
        .filter(|g| ours(g.tags.as_ref()))
        .filter_map(|g| g.internet_gateway_id)
        .collect();
    let eips = ctx
        .call(
            "elastic ips",
            ctx.ec2()
                .describe_addresses()
                .filters(filter("tag:prod:resource", &want))
                .send(),
        )
        .await?
        .addresses
        .unwrap_or_default()
        .into_iter()
        .filter(|a| ours(a.tags.as_ref()))
        .filter_map(|a| a.allocation_id)
        .collect();
    Ok((igws, eips))
}

pub async fn create_subnet(
    ctx: &ProviderData,
    vpc: &str,
    cidr: &str,
    az: &str,
    tags: &Tags,
    name: &str,
) -> Result<String, AwsError> {
    let c = format!("subnet {name}");
    let out = ctx
        .call(
            &c,
            ctx.ec2()
                .create_subnet()
                .vpc_id(vpc)
                .cidr_block(cidr)
                .availability_zone(az)
                .tag_specifications(spec(ResourceType::Subnet, tags, name))
                .send(),
        )
        .await?;
    out.subnet
        .and_then(|s| s.subnet_id)
        .ok_or_else(|| invalid(&c, "no id"))
}

pub async fn create_route_table(
    ctx: &ProviderData,
    vpc: &str,
    tags: &Tags,
    name: &str,
) -> Result<String, AwsError> {
    let c = format!("route table {name}");
    let out = ctx
        .call(
            &c,
            ctx.ec2()
                .create_route_table()
                .vpc_id(vpc)
                .tag_specifications(spec(ResourceType::RouteTable, tags, name))
                .send(),
        )
        .await?;
    out.route_table
        .and_then(|r| r.route_table_id)
        .ok_or_else(|| invalid(&c, "no id"))
}

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
    if exists {
        let req = ctx
            .ec2()
            .replace_route()
            .route_table_id(rt)
            .destination_cidr_block("0.0.0.0/0");
        let req = match target {
            Target::Gateway(g) => req.gateway_id(g),
            Target::Nat(n) => req.nat_gateway_id(n),
        };
        ctx.call(&c, req.send()).await.map(|_| ())
    } else {
        let req = ctx
            .ec2()
            .create_route()
            .route_table_id(rt)
            .destination_cidr_block("0.0.0.0/0");
        let req = match target {
            Target::Gateway(g) => req.gateway_id(g),
            Target::Nat(n) => req.nat_gateway_id(n),
        };
        ctx.call(&c, req.send()).await.map(|_| ())
    }
}

pub async fn delete_route(ctx: &ProviderData, rt: &str, cidr: &str) -> Result<(), AwsError> {
    ignore_missing(
        ctx.call(
            &format!("route {cidr} of {rt}"),
            ctx.ec2()
                .delete_route()
                .route_table_id(rt)
                .destination_cidr_block(cidr)
                .send(),
        )
        .await
        .map(|_| ()),
    )
}

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

pub async fn allocate_eip(ctx: &ProviderData, tags: &Tags, name: &str) -> Result<String, AwsError> {
    let c = format!("elastic ip {name}");
    let out = ctx
        .call(
            &c,
            ctx.ec2()
                .allocate_address()
                .domain(DomainType::Vpc)
                .tag_specifications(spec(ResourceType::ElasticIp, tags, name))
                .send(),
        )
        .await?;
    out.allocation_id
        .ok_or_else(|| invalid(&c, "no allocation id"))
}

pub async fn release_eip(ctx: &ProviderData, allocation: &str) -> Result<(), AwsError> {
    ignore_missing(
        ctx.call(
            "elastic ip",
            ctx.ec2().release_address().allocation_id(allocation).send(),
        )
        .await
        .map(|_| ()),
    )
}

pub async fn create_nat(
    ctx: &ProviderData,
    subnet: &str,
    allocation: &str,
    tags: &Tags,
    name: &str,
) -> Result<String, AwsError> {
    let c = format!("nat gateway {name}");
    let out = ctx
        .call(
            &c,
            ctx.ec2()
                .create_nat_gateway()
                .subnet_id(subnet)
                .allocation_id(allocation)
                .tag_specifications(spec(ResourceType::Natgateway, tags, name))
                .send(),
        )
        .await?;
    out.nat_gateway
        .and_then(|n| n.nat_gateway_id)
        .ok_or_else(|| invalid(&c, "no id"))
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

pub async fn delete_nat(ctx: &ProviderData, id: &str) -> Result<(), AwsError> {
    ignore_missing(
        ctx.call(
            "nat gateway",
            ctx.ec2().delete_nat_gateway().nat_gateway_id(id).send(),
        )
        .await
        .map(|_| ()),
    )
}

pub async fn create_flow_log(
    ctx: &ProviderData,
    vpc: &str,
    group: &str,
    role_arn: &str,
    tags: &Tags,
    name: &str,
) -> Result<String, AwsError> {
    let c = "vpc flow log";
    let out = ctx
        .call(
            c,
            ctx.ec2()
                .create_flow_logs()
                .resource_ids(vpc)
                .resource_type(FlowLogsResourceType::Vpc)
                .traffic_type(TrafficType::All)
                .log_destination_type(LogDestinationType::CloudWatchLogs)
                .log_group_name(group)
                .deliver_logs_permission_arn(role_arn)
                .tag_specifications(spec(ResourceType::VpcFlowLog, tags, name))
                .send(),
        )
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

pub async fn delete_flow_log(ctx: &ProviderData, id: &str) -> Result<(), AwsError> {
    ignore_missing(
        ctx.call(
            "vpc flow log",
            ctx.ec2().delete_flow_logs().flow_log_ids(id).send(),
        )
        .await
        .map(|_| ()),
    )
}

// ---- the describes of a refresh ----

pub struct Live {
    pub subnets: Vec<aws_sdk_ec2::types::Subnet>,
    pub route_tables: Vec<aws_sdk_ec2::types::RouteTable>,
    pub nats: Vec<aws_sdk_ec2::types::NatGateway>,
    pub igws: Vec<aws_sdk_ec2::types::InternetGateway>,
    pub flow_logs: Vec<aws_sdk_ec2::types::FlowLog>,
    pub tags: Tags,
}

pub async fn live(ctx: &ProviderData, vpc: &str) -> Result<Live, AwsError> {
    // Six independent describes, at once.
    let (subnets, route_tables, nats, igws, flow_logs, vpcs) = tokio::join!(
        ctx.call(
            "subnets",
            ctx.ec2()
                .describe_subnets()
                .filters(filter("vpc-id", vpc))
                .send()
        ),
        ctx.call(
            "route tables",
            ctx.ec2()
                .describe_route_tables()
                .filters(filter("vpc-id", vpc))
                .send()
        ),
        ctx.call(
            "nat gateways",
            ctx.ec2()
                .describe_nat_gateways()
                .filter(filter("vpc-id", vpc))
                .send()
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
        tags,
    })
}

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
            ignore_missing(
                ctx.call(
                    "route table association",
                    ctx.ec2()
                        .disassociate_route_table()
                        .association_id(assoc)
                        .send(),
                )
                .await
                .map(|_| ()),
            )?;
        }
    }
    ignore_missing(
        ctx.call(
            &format!("route table {id}"),
            ctx.ec2().delete_route_table().route_table_id(&id).send(),
        )
        .await
        .map(|_| ()),
    )
}

pub async fn delete_subnet(ctx: &ProviderData, id: &str) -> Result<(), AwsError> {
    ignore_missing(
        ctx.call(
            &format!("subnet {id}"),
            ctx.ec2().delete_subnet().subnet_id(id).send(),
        )
        .await
        .map(|_| ()),
    )
}

/// Detaches the gateway from `vpc` (when given) and deletes it.
pub async fn delete_igw(ctx: &ProviderData, id: &str, vpc: Option<&str>) -> Result<(), AwsError> {
    if let Some(vpc) = vpc {
        ignore_missing(
            ctx.call(
                "internet gateway",
                ctx.ec2()
                    .detach_internet_gateway()
                    .internet_gateway_id(id)
                    .vpc_id(vpc)
                    .send(),
            )
            .await
            .map(|_| ()),
        )?;
    }
    ignore_missing(
        ctx.call(
            "internet gateway",
            ctx.ec2()
                .delete_internet_gateway()
                .internet_gateway_id(id)
                .send(),
        )
        .await
        .map(|_| ()),
    )
}

pub async fn delete_vpc(ctx: &ProviderData, id: &str) -> Result<(), AwsError> {
    ignore_missing(
        ctx.call("vpc", ctx.ec2().delete_vpc().vpc_id(id).send())
            .await
            .map(|_| ()),
    )
}

/// The VPC tagged as network `name`: (id, CIDR, tags without `Name`).
pub async fn find_vpc(
    ctx: &ProviderData,
    name: &str,
) -> Result<Option<(String, String, Tags)>, AwsError> {
    let want = format!("{}.{name}", super::schema::TYPE_NAME);
    let out = ctx
        .call(
            "vpc",
            ctx.ec2()
                .describe_vpcs()
                .filters(filter("tag:prod:resource", &want))
                .send(),
        )
        .await?;
    Ok(out.vpcs.unwrap_or_default().into_iter().find_map(|v| {
        let tags: Tags = v
            .tags
            .unwrap_or_default()
            .into_iter()
            .filter_map(|t| Some((t.key?, t.value?)))
            .collect();
        // Checked here too: a tag filter is a request, not a guarantee.
        (tags.get("prod:resource") == Some(&want)).then(|| {
            let t = tags.into_iter().filter(|(k, _)| k != "Name").collect();
            (
                v.vpc_id.unwrap_or_default(),
                v.cidr_block.unwrap_or_default(),
                t,
            )
        })
    }))
}

/// The `Name` tag of an EC2 object.
pub fn name_tag(tags: Option<&Vec<Tag>>) -> Option<String> {
    tags.into_iter()
        .flatten()
        .find(|t| t.key.as_deref() == Some("Name"))
        .and_then(|t| t.value.clone())
}
