//! The plan both stores share: the walk (guarded destroy, validation, subnet lookup), what the
//! plan logic is given and answers, the guard's refusal, the key and subnet checks, and the
//! helpers planning defaults and computed values.

use std::collections::{BTreeMap, BTreeSet};

use super::{StoreConfig, StoreState};
use crate::framework::decode::Tri;
use crate::framework::resource::{PlanRequest, PlanResponse, Planned, PRIVATE_CREATE_INCOMPLETE};
use crate::framework::{AttrPath, Diagnostic, Diagnostics, Value};
use crate::provider::aws::Place;
use crate::provider::ec2::{self, SubnetFacts};
use crate::provider::profile::{Environment, TierDefaults};
use crate::provider::ProviderData;
use crate::resources::lifecycle::{self, Lifecycle};

/// What a data store's plan logic is given.
pub struct PlanInput<'a> {
    pub config: &'a Value,
    pub prior: &'a Value,
    pub proposed: &'a Value,
    /// The prior create never finished (nothing to protect yet).
    pub create_incomplete: bool,
    /// The provider's environment, for a configuration naming none.
    pub default_env: Environment,
    /// The provider block's `log_retention` tiers.
    pub log_defaults: TierDefaults,
    pub default_tags: &'a BTreeMap<String, String>,
    pub place: Option<&'a Place>,
    /// The configured subnets as AWS has them (`None` while unknown).
    pub subnets: Option<&'a [SubnetFacts]>,
}

/// A data store's plan logic: its input → planned state.
pub type PlanFn = fn(&PlanInput) -> Planned;

/// The plan's answer: the `planned` values (keeping the proposed state's refinements, the id being
/// the `name`), what forces a replacement, and the diagnostics.
pub fn planned(
    planned: Value,
    input: &PlanInput,
    name: &Tri<String>,
    requires_replace: Vec<AttrPath>,
    diagnostics: Diagnostics,
) -> Planned {
    let mut state = crate::framework::attrs::keep_refinements(planned, input.proposed);
    state.set("id", crate::framework::attrs::write_tri::<String>(name));
    Planned {
        state,
        requires_replace,
        diagnostics,
    }
}

/// The plan walk both stores share: a destroy refused by `guard` while protected; otherwise
/// `validate`, then the subnets looked up, then `plan`. `C` reads the store's configuration.
pub async fn plan<L: Lifecycle, C: StoreConfig>(
    ctx: &ProviderData,
    req: PlanRequest,
    validate: fn(&Value) -> Diagnostics,
    guard: Diagnostic,
    plan: PlanFn,
) -> PlanResponse
where
    L::State: StoreState,
{
    if req.proposed_new_state.is_null() {
        return plan_guarded_destroy::<L::State>(req, guard);
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
    let subnets = match lookup_subnets::<L>(ctx, &C::read(&req.config).subnet_ids()).await {
        Ok(s) => s,
        Err(e) => {
            diagnostics.push(e);
            return PlanResponse {
                diagnostics,
                ..Default::default()
            };
        }
    };
    let p = plan(&PlanInput {
        config: &req.config,
        prior: &req.prior_state,
        proposed: &req.proposed_new_state,
        create_incomplete: incomplete,
        default_env: ctx.environment,
        log_defaults: ctx.log_retention,
        default_tags: &ctx.default_tags,
        place: place.as_ref(),
        subnets: subnets.as_deref(),
    });
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

/// Does `kms_key_arn` force a new store: a different key `given`, or the key of its own asked for
/// where it had none? `prior_key` and `prior_components` are the prior state's.
pub fn key_replaced(
    given: &Tri<String>,
    prior_key: Option<&str>,
    prior_components: &BTreeMap<String, String>,
) -> bool {
    let own_before = prior_components.contains_key("kms_key");
    match given {
        Tri::Known(k) => prior_key != Some(k.as_str()),
        Tri::Null => !own_before,
        Tri::Unknown => false,
    }
}

/// The planned `kms_key_arn`: the `given` key, else the store's own (`kept`: the prior's key while
/// the store is kept).
pub fn planned_key(given: &Tri<String>, kept: Option<&String>) -> Tri<String> {
    match given {
        Tri::Null => kept.cloned().map_or(Tri::Unknown, Tri::Known),
        other => other.clone(),
    }
}

pub use crate::framework::attrs::{by_env, configured_or, whole_list, whole_map};

/// The planned components of a store with `roles`: each `fixed` where its identifier is known
/// before AWS answers, else the `prior` one (the prior's while the store is kept), else unknown.
pub fn planned_components<R: AsRef<str>>(
    roles: impl IntoIterator<Item = R>,
    prior: &BTreeMap<String, String>,
    fixed: impl Fn(&str) -> Option<String>,
) -> BTreeMap<String, Tri<String>> {
    let mut c = BTreeMap::new();
    for role in roles {
        let role = role.as_ref();
        let v = match (fixed(role), prior.get(role)) {
            (Some(f), _) => Tri::Known(f),
            (None, Some(p)) => Tri::Known(p.clone()),
            (None, None) => Tri::Unknown,
        };
        c.insert(role.to_string(), v);
    }
    c
}

/// Component `role` of the planned `components` (unknown where they or it are).
pub fn planned_component(
    components: &Tri<BTreeMap<String, Tri<String>>>,
    role: &str,
) -> Tri<String> {
    match components {
        Tri::Known(m) => m.get(role).cloned().unwrap_or(Tri::Unknown),
        _ => Tri::Unknown,
    }
}

/// The plan of a destroy, refused with `guard` while `deletion_protection` is on (contract rule 12),
/// unless the create never finished (nothing to protect yet).
fn plan_guarded_destroy<S: StoreState>(req: PlanRequest, guard: Diagnostic) -> PlanResponse {
    let incomplete = req.prior_private == PRIVATE_CREATE_INCOMPLETE;
    let protected = S::from_value(&req.prior_state).deletion_protection();
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
    subnet_ids: &Tri<Vec<String>>,
) -> Result<Option<Vec<SubnetFacts>>, Diagnostic> {
    let Some(ids) = subnet_ids.known() else {
        return Ok(None);
    };
    match ec2::subnets(ctx, ids).await {
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

/// Plan-time subnet checks of the configured `subnet_ids` (known, else none): each exists, one
/// VPC, at least 2 zones (3 preferred in production).
pub fn check_subnets(
    subnet_ids: &Tri<Vec<String>>,
    facts: &[SubnetFacts],
    env: Environment,
    why: &ZoneReasons,
    d: &mut Diagnostics,
) {
    let ids = subnet_ids.known().cloned().unwrap_or_default();
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
