//! The VPC, its DNS attributes and default security group, the internet gateway, and what a
//! create cut short may have left outside the VPC.

use aws_sdk_ec2::types::{AttributeBooleanValue, ResourceType, Tag};

use super::{filter, tag_spec, Tags};
use crate::provider::ec2::{created, removed};
use crate::provider::error::{found, AwsError};
use crate::provider::ProviderData;

/// Creates the VPC; returns its id.
pub async fn create_vpc(
    ctx: &ProviderData,
    cidr: &str,
    tags: &Tags,
    name: &str,
) -> Result<String, AwsError> {
    created(
        ctx,
        "vpc",
        ctx.ec2()
            .create_vpc()
            .cidr_block(cidr)
            .tag_specifications(tag_spec(ResourceType::Vpc, tags, name))
            .send(),
        |out| out.vpc.and_then(|v| v.vpc_id),
        "CreateVpc returned no id",
    )
    .await
}

/// DNS support and hostnames set to `support` and `hostnames` (separate from the create, so that
/// the caller records the VPC before anything else can fail).
pub async fn set_vpc_dns(
    ctx: &ProviderData,
    id: &str,
    support: bool,
    hostnames: bool,
) -> Result<(), AwsError> {
    // One attribute per call; the two at once.
    let set = |is_hostnames: bool, value: bool| {
        let v = AttributeBooleanValue::builder().value(value).build();
        let req = ctx.ec2().modify_vpc_attribute().vpc_id(id);
        let req = if is_hostnames {
            req.enable_dns_hostnames(v)
        } else {
            req.enable_dns_support(v)
        };
        ctx.call("vpc dns attributes", req.send())
    };
    let (support, hostnames) = tokio::join!(set(false, support), set(true, hostnames));
    support.and(hostnames).map(|_| ())
}

/// Whether the VPC exists.
pub async fn vpc_exists(ctx: &ProviderData, id: &str) -> Result<bool, AwsError> {
    Ok(found(
        ctx.call("vpc", ctx.ec2().describe_vpcs().vpc_ids(id).send())
            .await,
    )?
    .is_some_and(|out| !out.vpcs.unwrap_or_default().is_empty()))
}

/// Deletes the VPC (done when it is already gone).
pub async fn delete_vpc(ctx: &ProviderData, id: &str) -> Result<(), AwsError> {
    removed(ctx, "vpc", ctx.ec2().delete_vpc().vpc_id(id).send()).await
}

/// The VPC tagged as network `name`: (id, CIDR, tags without `Name`).
pub async fn find_vpc(
    ctx: &ProviderData,
    name: &str,
) -> Result<Option<(String, String, Tags)>, AwsError> {
    let want = format!("{}.{name}", super::super::schema::TYPE_NAME);
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

/// The VPC's default security group and its rules.
pub struct DefaultSg {
    pub id: String,
    pub ingress: Vec<aws_sdk_ec2::types::IpPermission>,
    pub egress: Vec<aws_sdk_ec2::types::IpPermission>,
}

/// The VPC's default security group, `None` when it has none.
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

/// Revokes every rule of the default security group (EC2.2).
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

/// Creates an internet gateway; returns its id.
pub async fn create_igw(ctx: &ProviderData, tags: &Tags, name: &str) -> Result<String, AwsError> {
    created(
        ctx,
        "internet gateway",
        ctx.ec2()
            .create_internet_gateway()
            .tag_specifications(tag_spec(ResourceType::InternetGateway, tags, name))
            .send(),
        |out| out.internet_gateway.and_then(|g| g.internet_gateway_id),
        "no id",
    )
    .await
}

/// Attaches the gateway to the VPC.
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

/// Detaches the gateway from `vpc` (when given) and deletes it.
pub async fn delete_igw(ctx: &ProviderData, id: &str, vpc: Option<&str>) -> Result<(), AwsError> {
    let c = "internet gateway";
    if let Some(vpc) = vpc {
        let detach = ctx.ec2().detach_internet_gateway().internet_gateway_id(id);
        removed(ctx, c, detach.vpc_id(vpc).send()).await?;
    }
    let delete = ctx.ec2().delete_internet_gateway().internet_gateway_id(id);
    removed(ctx, c, delete.send()).await
}

/// Internet gateways and elastic IPs tagged as network `name`, attached or not: what a create cut
/// short may have left outside the VPC's view (an address whose NAT gateway was never made, a
/// gateway never attached). Returns (gateway ids, allocation ids).
pub async fn tagged_loose_objects(
    ctx: &ProviderData,
    name: &str,
) -> Result<(Vec<String>, Vec<String>), AwsError> {
    let want = format!("{}.{name}", super::super::schema::TYPE_NAME);
    let tagged = || filter("tag:prod:resource", &want);
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
                .filters(tagged())
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
            ctx.ec2().describe_addresses().filters(tagged()).send(),
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
