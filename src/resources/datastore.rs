//! What the data stores (`prod_database_ha`, `prod_redis_cluster`) share: the plan walk (guarded
//! destroy, validation, subnet lookup), the guard's refusal, the subnet and key checks at plan, the
//! placement and the security group at apply.

use std::collections::{BTreeMap, BTreeSet};

use crate::framework::decode::Tri;
use crate::framework::resource::{
    ApplyRequest, PlanRequest, PlanResponse, Planned, PRIVATE_CREATE_INCOMPLETE,
};
use crate::framework::{AttrPath, Diagnostic, Diagnostics, Value};
use crate::provider::aws::Place;
use crate::provider::ec2::{self, SubnetFacts};
use crate::provider::error::{ok_if_missing, AwsError};
use crate::provider::profile::Environment;
use crate::provider::ProviderData;
use crate::resources::concurrent::Made;
use crate::resources::lifecycle::{self, Lifecycle, ResourceState};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// What the plan walk and apply's start read of a store's typed configuration.
pub trait StoreConfig: Sized {
    /// The configuration held in a cty object.
    fn read(config: &Value) -> Self;
    /// The configured subnets: known once every id is.
    fn subnet_ids(&self) -> Tri<Vec<String>>;
    /// The `timeouts` block as configured.
    fn timeouts(&self) -> &Value;
    /// The key configured (`None`: the store's own).
    fn given_key(&self) -> Option<String>;
}

/// What the plan walk and apply's start read and write of a store's typed state.
pub trait StoreState: ResourceState + Clone {
    /// Whether the guard refuses destroy and replacement.
    fn deletion_protection(&self) -> bool;
    /// The environment as planned or recorded.
    fn environment(&self) -> &str;
    /// Apply's progress as it starts from these planned values: the environment `env`, the
    /// `prior`'s components and tags (until apply makes them), the configured `timeouts`, and the
    /// prior's own key where no key is `given`.
    fn start_progress(
        &self,
        prior: &Self,
        env: Environment,
        timeouts: &Value,
        given: Option<&String>,
    ) -> Self;
}

/// [`StoreConfig`] for `$Config` and [`StoreState`] for `$State`, declared by `attributes!` with
/// the fields both stores share (`subnet_ids`, `kms_key_arn`, `deletion_protection`,
/// `environment`, `components`, `tags_all`, `timeouts`).
#[macro_export]
macro_rules! store_model {
    ($Config:ident, $State:ident) => {
        impl $crate::resources::datastore::StoreConfig for $Config {
            fn read(config: &$crate::framework::Value) -> $Config {
                $Config::decode(config)
            }
            fn subnet_ids(&self) -> $crate::framework::decode::Tri<Vec<String>> {
                $crate::resources::datastore::whole_list(&self.subnet_ids)
            }
            fn timeouts(&self) -> &$crate::framework::Value {
                &self.timeouts
            }
            fn given_key(&self) -> Option<String> {
                self.kms_key_arn.clone().into_known()
            }
        }

        impl $crate::resources::datastore::StoreState for $State {
            fn deletion_protection(&self) -> bool {
                self.deletion_protection
            }
            fn environment(&self) -> &str {
                &self.environment
            }
            fn start_progress(
                &self,
                prior: &$State,
                env: $crate::provider::profile::Environment,
                timeouts: &$crate::framework::Value,
                given: Option<&String>,
            ) -> $State {
                let mut progress = self.clone();
                progress.environment = env.as_str().to_string();
                progress.components = prior.components.clone();
                progress.tags_all = prior.tags_all.clone();
                progress.timeouts = timeouts.clone();
                if given.is_none() {
                    progress.kms_key_arn = prior
                        .kms_key_arn
                        .clone()
                        .filter(|_| prior.components.contains_key("kms_key"));
                }
                progress
            }
        }
    };
}

/// Where both stores' apply starts: the planned and prior states, the progress begun, the
/// environment, the key given, and the warnings found so far.
pub struct ApplyStart<S> {
    pub planned: S,
    pub prior: S,
    pub progress: S,
    pub env: Environment,
    /// The key configured (`None`: the store's own).
    pub given_key: Option<String>,
    pub diagnostics: Diagnostics,
}

/// Apply's first step, the same for both stores: the configuration validated again, the profile's
/// floors checked on the planned values (errors refuse the apply), then the progress begun.
/// `default_env` serves where the plan names no environment.
pub fn start_apply<C: StoreConfig, S: StoreState>(
    default_env: Environment,
    req: &ApplyRequest,
    validate: fn(&Value) -> Diagnostics,
    validate_profile: fn(&C, Environment, &mut Diagnostics),
) -> Result<ApplyStart<S>, Diagnostics> {
    let mut diagnostics = validate(&req.config);
    let config = C::read(&req.config);
    let planned = S::from_value(&req.planned_state);
    let env = Environment::parse(planned.environment()).unwrap_or(default_env);
    validate_profile(&C::read(&req.planned_state), env, &mut diagnostics);
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    let prior = S::from_value(&req.prior_state);
    let given_key = config.given_key();
    let progress = planned.start_progress(&prior, env, config.timeouts(), given_key.as_ref());
    Ok(ApplyStart {
        planned,
        prior,
        progress,
        env,
        given_key,
        diagnostics,
    })
}

/// What a data store's plan logic is given.
pub struct PlanInput<'a> {
    pub config: &'a Value,
    pub prior: &'a Value,
    pub proposed: &'a Value,
    /// The prior create never finished (nothing to protect yet).
    pub create_incomplete: bool,
    /// The provider's environment, for a configuration naming none.
    pub default_env: Environment,
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

/// The configured value, else `default` where the configuration leaves it null.
pub fn configured_or<T: Clone>(given: &Tri<T>, default: Tri<T>) -> Tri<T> {
    match given {
        Tri::Null => default,
        other => other.clone(),
    }
}

/// `f` of the planned environment; unknown while the environment is.
pub fn by_env<T>(env: &Tri<Environment>, f: impl FnOnce(Environment) -> T) -> Tri<T> {
    match env {
        Tri::Known(e) => Tri::Known(f(*e)),
        _ => Tri::Unknown,
    }
}

pub use crate::framework::attrs::{whole_list, whole_map};

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

/// A store's security group: `name`, with `port` open to the `allowed` groups only.
pub struct SecurityGroup<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub port: i64,
    pub allowed: &'a [String],
    pub tags: &'a BTreeMap<String, String>,
}

/// The store's security group `sg` in `vpc` (found or made), with exactly its port from the allowed
/// groups in and nothing out, recorded in `made` as `security_group`. Returns its id.
pub async fn ensure_security_group(
    ctx: &ProviderData,
    vpc: &str,
    spec: &SecurityGroup<'_>,
    made: &Made,
) -> Result<String, AwsError> {
    let sg = match ec2::find_sg(ctx, vpc, spec.name).await? {
        Some(id) => id,
        None => ec2::create_sg(ctx, vpc, spec.name, spec.description, spec.tags).await?,
    };
    let (want_in, want_out) = ec2::port_from_groups(spec.port, spec.allowed);
    let (have_in, have_out) = ec2::sg_rules(ctx, std::slice::from_ref(&sg))
        .await?
        .remove(&sg)
        .unwrap_or_default();
    ec2::sync_rules(ctx, &sg, true, &want_in, &have_in).await?;
    ec2::sync_rules(ctx, &sg, false, &want_out, &have_out).await?;
    made.record("security_group", sg.clone());
    Ok(sg)
}

/// The subnets of the first subnet group a describe answered with (`None` without one): `subnets`
/// opens a group, `id` names a subnet.
pub fn first_group_subnets<G, S>(
    groups: Option<Vec<G>>,
    subnets: impl FnOnce(G) -> Option<Vec<S>>,
    id: impl Fn(S) -> Option<String>,
) -> Option<Vec<String>> {
    groups.unwrap_or_default().into_iter().next().map(|g| {
        subnets(g)
            .unwrap_or_default()
            .into_iter()
            .filter_map(id)
            .collect()
    })
}

/// The subnets a read records: the configured ones (in the user's order) while the `live` group
/// holds the same set, else the live ones.
pub fn read_subnets(configured: &[String], live: &[String]) -> Vec<String> {
    let same = live.iter().collect::<BTreeSet<_>>() == configured.iter().collect();
    if same {
        configured.to_vec()
    } else {
        live.to_vec()
    }
}

/// A delete call for `component`: done, also when the object is gone already.
pub async fn delete_call<T, E, F>(
    ctx: &ProviderData,
    component: &str,
    call: F,
) -> Result<(), AwsError>
where
    F: std::future::Future<Output = Result<T, E>>,
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    ok_if_missing(ctx.call(component, call).await.map(|_| ()))
}
