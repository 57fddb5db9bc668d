//! What the data stores (`prod_database_ha`, `prod_redis_cluster`) share: the plan walk (guarded
//! destroy, validation, subnet lookup), the guard's refusal, the subnet and key checks at plan, the
//! placement and the security group at apply.

use std::collections::{BTreeMap, BTreeSet};

use crate::framework::decode::{self, Tri};
use crate::framework::resource::{PlanRequest, PlanResponse, Planned, PRIVATE_CREATE_INCOMPLETE};
use crate::framework::{AttrPath, Diagnostic, Diagnostics, Value};
use crate::provider::aws::Place;
use crate::provider::ec2::{self, SubnetFacts};
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::ProviderData;
use crate::resources::lifecycle::{self, Lifecycle};

/// A data store's plan logic: (config, prior, proposed, create incomplete, provider environment,
/// default tags, place, subnets) → planned state.
pub type PlanFn = fn(
    &Value,
    &Value,
    &Value,
    bool,
    Environment,
    &BTreeMap<String, String>,
    Option<&Place>,
    Option<&[SubnetFacts]>,
) -> Planned;

/// The plan walk both stores share: a destroy refused by `guard` while protected; otherwise
/// `validate`, then the subnets looked up, then `plan`.
pub async fn plan<L: Lifecycle>(
    ctx: &ProviderData,
    req: PlanRequest,
    validate: fn(&Value) -> Diagnostics,
    guard: Diagnostic,
    plan: PlanFn,
) -> PlanResponse {
    if req.proposed_new_state.is_null() {
        return plan_guarded_destroy(req, guard);
    }
    let incomplete = req.prior_private == PRIVATE_CREATE_INCOMPLETE;
    let mut diagnostics = validate(&req.config);
    if diagnostics.has_errors() {
        return PlanResponse {
            diagnostics,
            ..Default::default()
        };
    }
    let place = ctx.place().await.ok();
    let subnets = match lookup_subnets::<L>(ctx, &req.config).await {
        Ok(s) => s,
        Err(e) => {
            diagnostics.push(e);
            return PlanResponse {
                diagnostics,
                ..Default::default()
            };
        }
    };
    let p = plan(
        &req.config,
        &req.prior_state,
        &req.proposed_new_state,
        incomplete,
        ctx.environment,
        &ctx.default_tags,
        place.as_ref(),
        subnets.as_deref(),
    );
    lifecycle::planned(diagnostics, p, req.prior_private)
}

/// The guard's refusal of `what` ("destroy", "replacement") for `thing` ("the database"), on the
/// attribute forcing the replacement, else on `deletion_protection`.
pub fn guard_diagnostic(
    type_name: &str,
    thing: &str,
    what: &str,
    attr: Option<&AttrPath>,
) -> Diagnostic {
    let d = Diagnostic::error(
        format!("{type_name} is protected from {what}"),
        match attr {
            Some(a) => format!("Changing {a} replaces {thing}, which would delete its data. If that is intended, first apply deletion_protection = false (the decommission step), then apply this change."),
            None => format!("Destroying {thing} deletes its data. If that is intended, first apply deletion_protection = false (the decommission step), then destroy."),
        },
    );
    d.at(attr
        .cloned()
        .unwrap_or_else(|| AttrPath::attr("deletion_protection")))
}

/// Does `kms_key_arn` force a new store: a different key given, or the key of its own asked for
/// where it had none?
pub fn key_replaced(config: &Value, prior: &Value) -> bool {
    let given = config.get("kms_key_arn");
    let own_before = decode::string_map(prior.get("components"))
        .into_known()
        .unwrap_or_default()
        .contains_key("kms_key");
    (!given.is_null() && !given.is_unknown() && prior.get("kms_key_arn") != given)
        || (given.is_null() && !own_before)
}

/// The planned `kms_key_arn`: the given key, else the store's own (known when `keep`ing it).
pub fn planned_key(config: &Value, prior: &Value, keep: bool) -> Value {
    if !config.get("kms_key_arn").is_null() {
        config.get("kms_key_arn").clone()
    } else if keep && !prior.get("kms_key_arn").is_null() {
        prior.get("kms_key_arn").clone()
    } else {
        Value::unknown()
    }
}

/// The plan of a destroy, refused with `guard` while `deletion_protection` is on (contract rule 12),
/// unless the create never finished (nothing to protect yet).
fn plan_guarded_destroy(req: PlanRequest, guard: Diagnostic) -> PlanResponse {
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
async fn lookup_subnets<L: Lifecycle>(
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

/// Why a store wants its zones, for the zone-count diagnostics: `too_few` follows "The subnets span
/// N zone(s); " (error below 2), `prefer` follows "The subnets span N zones; " (warning below 3 in
/// production).
pub struct ZoneReasons {
    pub too_few: &'static str,
    pub prefer: &'static str,
}

/// Plan-time subnet checks: each exists, one VPC, at least 2 zones (3 preferred in production).
pub fn check_subnets(
    config: &Value,
    facts: &[SubnetFacts],
    env: Environment,
    why: &ZoneReasons,
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
    let zones = facts
        .iter()
        .map(|f| f.zone.as_str())
        .collect::<BTreeSet<_>>()
        .len();
    if zones < 2 {
        d.error_at(
            AttrPath::attr("subnet_ids"),
            "Fewer than 2 availability zones",
            format!("The subnets span {zones} zone(s); {}", why.too_few),
        );
    } else if zones < 3 && env == Environment::Production {
        d.warning_at(
            AttrPath::attr("subnet_ids"),
            "Fewer than 3 availability zones in production",
            format!("The subnets span {zones} zones; {}", why.prefer),
        );
    }
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
