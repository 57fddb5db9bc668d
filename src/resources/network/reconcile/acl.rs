//! Network ACLs (EC2.21): the public and the private subnets' ACLs with the blueprint's entries,
//! each subnet associated with its own, and the VPC's default ACL stripped of its entries. An
//! entry added outside Terraform is removed, a changed one rewritten.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::NetworkAcl;

use super::super::aws as api;
use super::super::blueprint::{self as bp, AclEntry};
use super::Desired;
use crate::provider::error::AwsError;
use crate::provider::ProviderData;
use crate::resources::concurrent::{all_ok, Made};

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

/// Converges the VPC's ACLs to the blueprint (`recorded`: the components in state), recording each
/// ACL made in `made` before the next call.
pub async fn network_acls(
    ctx: &ProviderData,
    d: &Desired,
    recorded: &BTreeMap<String, String>,
    made: &Made,
    vpc: &str,
    public_ids: &[String],
    private_ids: &[String],
) -> Result<(), AwsError> {
    let live = api::network_acls(ctx, vpc).await?;
    // The two ACLs and the default one at once; within each, every entry and association at once.
    let subnets = |public: bool| if public { public_ids } else { private_ids };
    let own = [true, false].map(|public| {
        let live = &live;
        async move {
            let role = acl_role(public);
            let found = recorded
                .get(&role)
                .and_then(|id| live.iter().find(|a| a.network_acl_id.as_ref() == Some(id)));
            let (id, entries) = match found {
                Some(a) => (a.network_acl_id.clone().unwrap_or_default(), entries_of(a)),
                None => {
                    let name = bp::acl_name(&d.name, public);
                    let id = api::create_acl(ctx, vpc, &d.tags, &name).await?;
                    made.record(role, id.clone());
                    (id, Vec::new())
                }
            };
            let want = bp::acl_entries(&d.cidr_block, public);
            let moves = subnets(public).iter().filter_map(|s| {
                let (assoc, current) = association(live, s)?;
                (current != id).then(|| api::associate_acl(ctx, assoc, &id))
            });
            let (synced, moved) = tokio::join!(
                sync_entries(ctx, &id, &entries, &want),
                futures::future::join_all(moves)
            );
            synced?;
            all_ok(moved).map(|_| ())
        }
    });
    let default = async {
        match live.iter().find(|a| a.is_default == Some(true)) {
            Some(a) => {
                let id = a.network_acl_id.clone().unwrap_or_default();
                sync_entries(ctx, &id, &entries_of(a), &[]).await?;
                made.record("default_network_acl", id);
                Ok(())
            }
            None => Ok(()),
        }
    };
    let (own, default) = tokio::join!(futures::future::join_all(own), default);
    all_ok(own)?;
    default
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
    let removed = have
        .iter()
        .filter(|e| !want.iter().any(|w| same_slot(w, e)))
        .map(|e| api::delete_entry(ctx, acl, e.rule, e.egress));
    all_ok(futures::future::join_all(removed).await)?;
    let put = want
        .iter()
        .filter_map(|w| match have.iter().find(|e| same_slot(e, w)) {
            Some(e) if e == w => None,
            found => Some(api::put_entry(ctx, acl, w, found.is_some())),
        });
    all_ok(futures::future::join_all(put).await).map(|_| ())
}
