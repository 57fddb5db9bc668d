//! The AWS calls `prod_network` makes: EC2 (VPC, subnets, gateways, routes, flow logs), CloudWatch
//! Logs and IAM. One small function per call, named for the component: the VPC and its gateway in
//! `vpc`, subnets, routes and NAT gateways in `routes`, flow logs and the describes of a refresh in
//! `live`, VPC endpoints in `endpoints`.

mod acl;
mod endpoints;
mod live;
mod routes;
mod vpc;

use std::collections::BTreeMap;

use aws_sdk_ec2::types::Tag;

use crate::provider::ec2::{filter, tag_spec};
use crate::provider::error::AwsError;
use crate::provider::ProviderData;
pub use acl::{
    associate_acl, create_acl, delete_acl, delete_entry, entry_of, network_acls, put_entry,
};
pub use endpoints::{
    create_gateway, create_interface, delete_endpoints, ended, group_ids, repair, state,
    vpc_endpoints, vpc_groups, Interface, Repair,
};
pub use live::{create_flow_log, delete_flow_log, live, Live};
pub use routes::{
    allocate_eip, associate, create_nat, create_route_table, create_subnet, delete_nat,
    delete_route, delete_route_table, delete_subnet, nat_state, release_eip, set_default_route,
    Target,
};
pub use vpc::{
    attach_igw, create_igw, create_vpc, default_sg, delete_igw, delete_vpc, find_vpc, set_vpc_dns,
    strip_default_sg, tagged_loose_objects, vpc_exists, DefaultSg,
};

pub type Tags = BTreeMap<String, String>;

fn invalid(component: &str, message: &str) -> AwsError {
    AwsError::Invalid {
        component: component.to_string(),
        message: message.to_string(),
    }
}

/// The region's available zones (not local or wavelength zones), sorted.
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

/// The `Name` tag of an EC2 object.
pub fn name_tag(tags: Option<&Vec<Tag>>) -> Option<String> {
    tags.into_iter()
        .flatten()
        .find(|t| t.key.as_deref() == Some("Name"))
        .and_then(|t| t.value.clone())
}
