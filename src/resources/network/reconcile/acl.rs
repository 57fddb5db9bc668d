//! Network ACLs (EC2.21): the public and the private subnets' ACLs with the blueprint's entries,
//! each subnet associated with its own, and the VPC's default ACL stripped of its entries. An
//! entry added outside Terraform is removed, a changed one rewritten.

use aws_sdk_ec2::types::NetworkAcl;

use super::super::aws as api;
use super::super::blueprint::{self as bp, AclEntry};
use super::super::model::State;
use super::Desired;
use crate::provider::error::AwsError;
use crate::provider::ProviderData;

/// The entries of `acl` AWS reports, without the last rule AWS keeps.
pub fn entries_of(acl: &NetworkAcl) -> Vec<AclEntry> {
    acl.entries
        .iter()
        .flatten()
        .map(api::entry_of)
        .filter(|e| e.rule != bp::ACL_LAST_RULE)
        .collect()
}

/// The ACL (and its association) `subnet` is associated with in `acls`.
pub fn association<'a>(acls: &'a [NetworkAcl], subnet: &str) -> Option<(&'a str, &'a str)> {
    acls.iter().find_map(|a| {
        let assoc = a
            .associations
            .iter()
            .flatten()
            .find(|x| x.subnet_id.as_deref() == Some(subnet))?;
        Some((
            assoc.network_acl_association_id.as_deref()?,
            a.network_acl_id.as_deref()?,
        ))
    })
}

/// Converges the VPC's ACLs to the blueprint, recording each ACL made in `p` before the next call.
pub async fn network_acls(
    ctx: &ProviderData,
    d: &Desired,
    p: &mut State,
    vpc: &str,
    public: &[String],
    private: &[String],
) -> Result<(), AwsError> {
    let live = api::network_acls(ctx, vpc).await?;
    for (is_public, subnets) in [(true, public), (false, private)] {
        let role = acl_role(is_public);
        let found = p
            .components
            .get(&role)
            .and_then(|id| live.iter().find(|a| a.network_acl_id.as_ref() == Some(id)));
        let (id, entries) = match found {
            Some(a) => (a.network_acl_id.clone().unwrap_or_default(), entries_of(a)),
            None => {
                let name = bp::acl_name(&d.name, is_public);
                let id = api::create_acl(ctx, vpc, &d.tags, &name).await?;
                p.components.insert(role, id.clone());
                (id, Vec::new())
            }
        };
        sync_entries(
            ctx,
            &id,
            &entries,
            &bp::acl_entries(&d.cidr_block, is_public),
        )
        .await?;
        for subnet in subnets {
            if let Some((assoc, current)) = association(&live, subnet) {
                if current != id {
                    api::associate_acl(ctx, assoc, &id).await?;
                }
            }
        }
    }
    if let Some(default) = live.iter().find(|a| a.is_default == Some(true)) {
        let id = default.network_acl_id.clone().unwrap_or_default();
        sync_entries(ctx, &id, &entries_of(default), &[]).await?;
        p.components.insert("default_network_acl".into(), id);
    }
    Ok(())
}

/// The component role of the `public` or private subnets' ACL.
pub fn acl_role(public: bool) -> String {
    format!("network_acl_{}", if public { "public" } else { "private" })
}

/// Makes the entries of `acl` (now `have`) exactly `want`: extra ones removed, changed ones
/// rewritten, missing ones added.
async fn sync_entries(
    ctx: &ProviderData,
    acl: &str,
    have: &[AclEntry],
    want: &[AclEntry],
) -> Result<(), AwsError> {
    let same_slot = |a: &AclEntry, b: &AclEntry| a.rule == b.rule && a.egress == b.egress;
    for e in have
        .iter()
        .filter(|e| !want.iter().any(|w| same_slot(w, e)))
    {
        api::delete_entry(ctx, acl, e.rule, e.egress).await?;
    }
    for w in want {
        match have.iter().find(|e| same_slot(e, w)) {
            Some(e) if e == w => {}
            Some(_) => api::put_entry(ctx, acl, w, true).await?,
            None => api::put_entry(ctx, acl, w, false).await?,
        }
    }
    Ok(())
}
