//! What the data stores (`prod_database_ha`, `prod_redis_cluster`) share: the guarded destroy plan,
//! the subnet lookup and checks at plan, the placement and the security group at apply.

use std::collections::{BTreeMap, BTreeSet};

use crate::framework::decode::{self, Tri};
use crate::framework::resource::{PlanRequest, PlanResponse, PRIVATE_CREATE_INCOMPLETE};
use crate::framework::{AttrPath, Diagnostic, Diagnostics, Value};
use crate::provider::ec2::{self, SubnetFacts};
use crate::provider::error::AwsError;
use crate::provider::ProviderData;
use crate::resources::lifecycle::{self, Lifecycle};

/// The plan of a destroy, refused with `guard` while `deletion_protection` is on (contract rule 12),
/// unless the create never finished (nothing to protect yet).
pub fn plan_guarded_destroy(req: PlanRequest, guard: Diagnostic) -> PlanResponse {
    let incomplete = req.prior_private == PRIVATE_CREATE_INCOMPLETE;
    let protected = decode::boolean(req.prior_state.get("deletion_protection")) == Tri::Known(true);
    if protected && !incomplete {
        return PlanResponse {
            diagnostics: guard.into(),
            ..Default::default()
        };
    }
    lifecycle::plan_destroy(req)
}

/// The configured subnets as AWS has them (`None` while unknown; empty when none exists).
pub async fn lookup_subnets<L: Lifecycle>(
    ctx: &ProviderData,
    config: &Value,
) -> Result<Option<Vec<SubnetFacts>>, Diagnostic> {
    let Some(ids) = decode::string_list(config.get("subnet_ids")).into_known() else {
        return Ok(None);
    };
    match ec2::subnets(ctx, &ids).await {
        Ok(f) => Ok(Some(f)),
        Err(e) if e.is_not_found() => Ok(Some(vec![])),
        Err(e) => Err(lifecycle::aws_diag::<L>(&e, "looking up the subnets")),
    }
}

/// Plan-time subnet checks: each exists, one VPC; `zones` judges the zone count.
pub fn check_subnets(
    config: &Value,
    facts: &[SubnetFacts],
    zones: impl FnOnce(usize, &mut Diagnostics),
    d: &mut Diagnostics,
) {
    let ids = decode::string_list(config.get("subnet_ids"))
        .into_known()
        .unwrap_or_default();
    for (i, id) in ids.iter().enumerate() {
        if !facts.iter().any(|f| &f.id == id) {
            d.error_at(
                AttrPath::attr("subnet_ids").then_index(i),
                "No such subnet",
                format!("Subnet {id} does not exist in this account and region."),
            );
        }
    }
    zones(
        facts
            .iter()
            .map(|f| f.zone.as_str())
            .collect::<BTreeSet<_>>()
            .len(),
        d,
    );
    let vpcs: BTreeSet<&str> = facts.iter().map(|f| f.vpc.as_str()).collect();
    if vpcs.len() > 1 {
        d.error_at(
            AttrPath::attr("subnet_ids"),
            "Subnets in different VPCs",
            "A subnet group lives in one VPC; list subnets of one VPC.",
        );
    }
}

fn invalid(component: &str, message: impl Into<String>) -> AwsError {
    AwsError::Invalid {
        component: component.to_string(),
        message: message.into(),
    }
}

/// Apply-time placement, checked before anything is made: the subnets' VPC and their zones
/// (sorted), at least 2.
pub async fn placement(
    ctx: &ProviderData,
    subnet_ids: &[String],
) -> Result<(String, Vec<String>), AwsError> {
    let facts = ec2::subnets(ctx, subnet_ids).await?;
    for id in subnet_ids {
        if !facts.iter().any(|f| &f.id == id) {
            return Err(invalid("subnet_ids", format!("subnet {id} does not exist")));
        }
    }
    let vpcs: BTreeSet<&str> = facts.iter().map(|f| f.vpc.as_str()).collect();
    let zones: Vec<String> = facts
        .iter()
        .map(|f| f.zone.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if vpcs.len() != 1 || zones.len() < 2 {
        return Err(invalid(
            "subnet_ids",
            "the subnets must be in one VPC and span at least 2 availability zones",
        ));
    }
    let vpc = facts[0].vpc.clone();
    Ok((vpc, zones))
}

/// The store's security group `name` in `vpc` (found or made), with exactly `port` from the allowed
/// groups in and nothing out. Returns its id.
pub async fn ensure_security_group(
    ctx: &ProviderData,
    vpc: &str,
    name: &str,
    description: &str,
    port: i64,
    allowed: &[String],
    tags: &BTreeMap<String, String>,
) -> Result<String, AwsError> {
    let sg = match ec2::find_sg(ctx, vpc, name).await? {
        Some(id) => id,
        None => ec2::create_sg(ctx, vpc, name, description, tags).await?,
    };
    let (want_in, want_out) = ec2::port_from_groups(port, allowed);
    let (have_in, have_out) = ec2::sg_rules(ctx, std::slice::from_ref(&sg))
        .await?
        .remove(&sg)
        .unwrap_or_default();
    ec2::sync_rules(ctx, &sg, true, &want_in, &have_in).await?;
    ec2::sync_rules(ctx, &sg, false, &want_out, &have_out).await?;
    Ok(sg)
}
