//! Network ACLs: the two of the subnets (public, private), their entries and associations, and
//! the VPC's default one stripped.

use aws_sdk_ec2::types::{NetworkAcl, NetworkAclEntry, PortRange, ResourceType, RuleAction};

use super::{filter, tag_spec, Tags};
use crate::provider::ec2::{created, removed, sent};
use crate::provider::error::AwsError;
use crate::provider::ProviderData;
use crate::resources::network::blueprint::AclEntry;

/// The VPC's network ACLs, with their entries and subnet associations.
pub async fn network_acls(ctx: &ProviderData, vpc: &str) -> Result<Vec<NetworkAcl>, AwsError> {
    let out = ctx
        .call(
            "network acls",
            ctx.ec2()
                .describe_network_acls()
                .filters(filter("vpc-id", vpc))
                .send(),
        )
        .await?;
    Ok(out.network_acls.unwrap_or_default())
}

/// Creates network ACL `name` in `vpc`; returns its id.
pub async fn create_acl(
    ctx: &ProviderData,
    vpc: &str,
    tags: &Tags,
    name: &str,
) -> Result<String, AwsError> {
    let create = ctx
        .ec2()
        .create_network_acl()
        .vpc_id(vpc)
        .tag_specifications(tag_spec(ResourceType::NetworkAcl, tags, name))
        .send();
    created(
        ctx,
        "network acl",
        create,
        |o| o.network_acl.and_then(|a| a.network_acl_id),
        "no id",
    )
    .await
}

/// Deletes network ACL `id` (done when it is already gone).
pub async fn delete_acl(ctx: &ProviderData, id: &str) -> Result<(), AwsError> {
    let delete = ctx.ec2().delete_network_acl().network_acl_id(id);
    removed(ctx, "network acl", delete.send()).await
}

/// Adds entry `e` to ACL `acl`, or (with `replace`) rewrites the entry of its number.
pub async fn put_entry(
    ctx: &ProviderData,
    acl: &str,
    e: &AclEntry,
    replace: bool,
) -> Result<(), AwsError> {
    let ports = e
        .ports
        .map(|(from, to)| PortRange::builder().from(from).to(to).build());
    let action = if e.allow {
        RuleAction::Allow
    } else {
        RuleAction::Deny
    };
    // Create and replace take the same fields.
    macro_rules! entry {
        ($builder:expr) => {
            $builder
                .network_acl_id(acl)
                .rule_number(e.rule)
                .egress(e.egress)
                .protocol(&e.protocol)
                .set_port_range(ports)
                .cidr_block(&e.cidr)
                .rule_action(action)
                .send()
        };
    }
    let c = "network acl entry";
    if replace {
        sent(ctx, c, entry!(ctx.ec2().replace_network_acl_entry())).await
    } else {
        sent(ctx, c, entry!(ctx.ec2().create_network_acl_entry())).await
    }
}

/// Removes the entry `rule` (in or `egress`) of ACL `acl` (done when it is already gone).
pub async fn delete_entry(
    ctx: &ProviderData,
    acl: &str,
    rule: i32,
    egress: bool,
) -> Result<(), AwsError> {
    let delete = ctx
        .ec2()
        .delete_network_acl_entry()
        .network_acl_id(acl)
        .rule_number(rule)
        .egress(egress);
    removed(ctx, "network acl entry", delete.send()).await
}

/// Moves the subnet of association `association` to ACL `acl`.
pub async fn associate_acl(
    ctx: &ProviderData,
    association: &str,
    acl: &str,
) -> Result<(), AwsError> {
    let call = ctx
        .ec2()
        .replace_network_acl_association()
        .association_id(association)
        .network_acl_id(acl);
    sent(ctx, "network acl association", call.send()).await
}

/// An entry as AWS reports it, in the blueprint's terms (IPv6 entries keep their range as `cidr`).
pub fn entry_of(e: &NetworkAclEntry) -> AclEntry {
    AclEntry {
        rule: e.rule_number.unwrap_or_default(),
        egress: e.egress.unwrap_or_default(),
        protocol: e.protocol.clone().unwrap_or_default(),
        ports: e
            .port_range
            .as_ref()
            .map(|p| (p.from.unwrap_or_default(), p.to.unwrap_or_default()))
            .filter(|_| e.protocol.as_deref() != Some("-1")),
        cidr: e
            .cidr_block
            .clone()
            .or_else(|| e.ipv6_cidr_block.clone())
            .unwrap_or_default(),
        allow: e.rule_action == Some(RuleAction::Allow),
    }
}
