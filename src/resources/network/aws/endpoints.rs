//! VPC endpoints (gateway and interface), and the one security-group describe of a refresh: the
//! VPC's default group and the endpoints' group at once.

use aws_sdk_ec2::operation::create_vpc_endpoint::builders::CreateVpcEndpointFluentBuilder;
use aws_sdk_ec2::operation::create_vpc_endpoint::CreateVpcEndpointOutput;
use aws_sdk_ec2::types::{ResourceType, VpcEndpoint, VpcEndpointType};

use super::vpc::DefaultSg;
use super::{filter, invalid, tag_spec, Tags};
use crate::provider::ec2::{created, rules_of, sent, Rules};
use crate::provider::error::AwsError;
use crate::provider::ProviderData;

const C: &str = "vpc endpoint";

/// The VPC's endpoints, in one call.
pub async fn vpc_endpoints(ctx: &ProviderData, vpc: &str) -> Result<Vec<VpcEndpoint>, AwsError> {
    let out = ctx
        .call(
            "vpc endpoints",
            ctx.ec2()
                .describe_vpc_endpoints()
                .filters(filter("vpc-id", vpc))
                .send(),
        )
        .await?;
    Ok(out.vpc_endpoints.unwrap_or_default())
}

/// An endpoint's state as EC2 reports it, lower case (`available`, `pending`, `deleting`…; the
/// API's enum is capitalised, its answers are not).
pub fn state(e: &VpcEndpoint) -> String {
    e.state
        .as_ref()
        .map(|s| s.as_str().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Whether an endpoint is gone or going: deleted, being deleted, or failed/rejected/expired.
pub fn ended(e: &VpcEndpoint) -> bool {
    matches!(
        state(e).as_str(),
        "deleting" | "deleted" | "failed" | "rejected" | "expired"
    )
}

/// Makes the endpoint `create` describes (type, VPC and placement set) to `service` (its AWS
/// name), tagged; returns its id.
async fn create(
    ctx: &ProviderData,
    create: CreateVpcEndpointFluentBuilder,
    service: &str,
    tags: &Tags,
    name: &str,
) -> Result<String, AwsError> {
    let send = create
        .service_name(service)
        .tag_specifications(tag_spec(ResourceType::VpcEndpoint, tags, name))
        .send();
    let id = |o: CreateVpcEndpointOutput| o.vpc_endpoint.and_then(|e| e.vpc_endpoint_id);
    created(ctx, C, send, id, "no id").await
}

/// Creates a gateway endpoint to `service` (its AWS name) on `route_tables`; returns its id.
pub async fn create_gateway(
    ctx: &ProviderData,
    vpc: &str,
    service: &str,
    route_tables: &[String],
    tags: &Tags,
    name: &str,
) -> Result<String, AwsError> {
    let gateway = ctx
        .ec2()
        .create_vpc_endpoint()
        .vpc_endpoint_type(VpcEndpointType::Gateway)
        .vpc_id(vpc)
        .set_route_table_ids(Some(route_tables.to_vec()));
    create(ctx, gateway, service, tags, name).await
}

/// An interface endpoint to make.
pub struct Interface<'a> {
    pub vpc: &'a str,
    /// The service's AWS name.
    pub service: &'a str,
    pub subnets: &'a [String],
    pub security_group: &'a str,
    pub private_dns: bool,
}

/// Creates an interface endpoint; returns its id.
pub async fn create_interface(
    ctx: &ProviderData,
    i: &Interface<'_>,
    tags: &Tags,
    name: &str,
) -> Result<String, AwsError> {
    let interface = ctx
        .ec2()
        .create_vpc_endpoint()
        .vpc_endpoint_type(VpcEndpointType::Interface)
        .vpc_id(i.vpc)
        .set_subnet_ids(Some(i.subnets.to_vec()))
        .security_group_ids(i.security_group)
        .private_dns_enabled(i.private_dns);
    create(ctx, interface, i.service, tags, name).await
}

/// The security groups an interface endpoint is behind.
pub fn group_ids(e: &VpcEndpoint) -> Vec<String> {
    e.groups
        .iter()
        .flatten()
        .filter_map(|g| g.group_id.clone())
        .collect()
}

/// What a repair changes on an endpoint.
#[derive(Debug, Default, PartialEq)]
pub struct Repair {
    pub add_route_tables: Vec<String>,
    pub add_subnets: Vec<String>,
    pub add_groups: Vec<String>,
    pub remove_groups: Vec<String>,
    /// `Some(true)` turns private DNS back on.
    pub private_dns: Option<bool>,
}

impl Repair {
    pub fn is_empty(&self) -> bool {
        *self == Repair::default()
    }
}

/// Puts endpoint `id` back as the blueprint has it, in one call.
pub async fn repair(ctx: &ProviderData, id: &str, r: &Repair) -> Result<(), AwsError> {
    let some = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
    let modify = ctx
        .ec2()
        .modify_vpc_endpoint()
        .vpc_endpoint_id(id)
        .set_add_route_table_ids(some(&r.add_route_tables))
        .set_add_subnet_ids(some(&r.add_subnets))
        .set_add_security_group_ids(some(&r.add_groups))
        .set_remove_security_group_ids(some(&r.remove_groups))
        .set_private_dns_enabled(r.private_dns)
        .send();
    sent(ctx, C, modify).await
}

/// Deletes the endpoints named, in one call (done for those already gone). AWS answers a refusal
/// per endpoint in `Unsuccessful`, which is an error here.
pub async fn delete_endpoints(ctx: &ProviderData, ids: &[String]) -> Result<(), AwsError> {
    if ids.is_empty() {
        return Ok(());
    }
    let delete = ctx
        .ec2()
        .delete_vpc_endpoints()
        .set_vpc_endpoint_ids(Some(ids.to_vec()))
        .send();
    let out = match ctx.call(C, delete).await {
        Ok(o) => o,
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => return Err(e),
    };
    let refused: Vec<String> = out
        .unsuccessful
        .unwrap_or_default()
        .into_iter()
        .filter_map(|u| {
            let e = u.error?;
            let code = e.code.unwrap_or_default();
            (!code.contains("NotFound")).then(|| {
                format!(
                    "{}: {code} {}",
                    u.resource_id.unwrap_or_default(),
                    e.message.unwrap_or_default()
                )
            })
        })
        .collect();
    if refused.is_empty() {
        Ok(())
    } else {
        Err(invalid(C, &refused.join("; ")))
    }
}

/// The VPC's default security group and the group named `endpoints_sg` with its rules, in one
/// describe.
pub async fn vpc_groups(
    ctx: &ProviderData,
    vpc: &str,
    endpoints_sg: &str,
) -> Result<(Option<DefaultSg>, Option<(String, Rules)>), AwsError> {
    let names = aws_sdk_ec2::types::Filter::builder()
        .name("group-name")
        .values("default")
        .values(endpoints_sg)
        .build();
    let out = ctx
        .call(
            "security groups",
            ctx.ec2()
                .describe_security_groups()
                .filters(filter("vpc-id", vpc))
                .filters(names)
                .send(),
        )
        .await?;
    let mut default = None;
    let mut endpoints = None;
    for g in out.security_groups.unwrap_or_default() {
        if g.vpc_id.as_deref() != Some(vpc) {
            continue;
        }
        let id = g.group_id.clone().unwrap_or_default();
        match g.group_name.as_deref() {
            Some("default") => {
                default = Some(DefaultSg {
                    id,
                    ingress: g.ip_permissions.unwrap_or_default(),
                    egress: g.ip_permissions_egress.unwrap_or_default(),
                })
            }
            Some(n) if n == endpoints_sg => {
                let rules = (
                    rules_of(g.ip_permissions()),
                    rules_of(g.ip_permissions_egress()),
                );
                endpoints = Some((id, rules));
            }
            _ => {}
        }
    }
    Ok((default, endpoints))
}
