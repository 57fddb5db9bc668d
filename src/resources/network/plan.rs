//! Plan: every computed value as apply will leave it. Zones are chosen at plan (the first
//! `az_count` available, by name) and kept for the network's life; ids are unknown until AWS
//! assigns them.

use std::collections::BTreeMap;

use super::blueprint as bp;
use super::model::{Config, State};
use super::schema::{DEFAULT_CIDR, TYPE_NAME};
use crate::framework::attrs::{keep_refinements, write_tri};
use crate::framework::decode::Tri;
use crate::framework::resource::Planned;
use crate::framework::{AttrPath, Diagnostics, Number, Value};
use crate::provider::aws::Place;
use crate::provider::profile::{self, Defaults, Environment};
use crate::provider::tags;
use crate::resources::log_retention;

/// The component roles a network of `zones` zones has in `env`.
pub fn roles(env: Environment, zones: usize) -> Vec<String> {
    let mut r: Vec<String> = [
        "kms_key",
        "kms_alias",
        "log_group",
        "flow_log_role",
        "flow_log",
        "vpc",
        "default_security_group",
        "internet_gateway",
        "route_table_public",
        "network_acl_public",
        "network_acl_private",
        "default_network_acl",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for i in 0..zones {
        r.push(format!("subnet_public_{i}"));
        r.push(format!("subnet_private_{i}"));
        r.push(format!("route_table_private_{i}"));
    }
    for j in 0..bp::nat_count(env, zones) {
        r.push(format!("nat_{j}"));
        r.push(format!("eip_{j}"));
    }
    r
}

/// The zones to span: the configured count, else the profile's; unknown while either is (or when
/// the count is not whole).
fn planned_az_count(given: &Tri<Number>, env: &Tri<Environment>) -> Tri<i64> {
    match (given, env) {
        (Tri::Null, Tri::Known(e)) => Tri::Known(e.az_count()),
        (Tri::Null, _) => Tri::Unknown,
        (Tri::Known(n), _) => n.as_i64().map_or(Tri::Unknown, Tri::Known),
        (Tri::Unknown, _) => Tri::Unknown,
    }
}

/// Each endpoint service's id: the one `prior_c` records, unknown for one still to make; unknown
/// while the services are.
fn planned_endpoint_ids(
    services: Option<&[String]>,
    prior_c: &BTreeMap<String, String>,
) -> Tri<BTreeMap<String, Tri<String>>> {
    match services {
        Some(svcs) => Tri::Known(
            svcs.iter()
                .map(|s| {
                    let id = prior_c.get(&bp::endpoints::role(s)).cloned();
                    (s.clone(), id.map_or(Tri::Unknown, Tri::Known))
                })
                .collect(),
        ),
        None => Tri::Unknown,
    }
}

/// A production network over fewer than 3 zones is allowed (some regions have 2) but warned of.
fn warn_few_zones(env: &Tri<Environment>, az_count: &Tri<i64>, d: &mut Diagnostics) {
    if *env == Tri::Known(Environment::Production) && az_count.known().is_some_and(|a| *a < 3) {
        d.warning_at(
            AttrPath::attr("az_count"),
            "Fewer than 3 availability zones in production",
            "Production networks span 3 zones so that losing one leaves two; set az_count = 3 unless the region has only 2.",
        );
    }
}

/// `zones`: the region's available zones, sorted (looked up only when the plan needs new ones).
pub fn plan(
    config: &Value,
    prior: &Value,
    proposed: &Value,
    defaults: Defaults,
    default_tags: &BTreeMap<String, String>,
    place: Option<&Place>,
    zones: Option<&[String]>,
) -> Planned {
    let cfg = Config::decode(config);
    let prior = (!prior.is_null()).then(|| State::decode(prior));
    let mut d = Diagnostics::new();
    let mut planned = Config::decode(proposed);
    let name = cfg.name.clone();
    let env = profile::planned(&cfg.environment, defaults.environment);
    let cidr = cfg.cidr_block.clone().or(DEFAULT_CIDR.to_string());
    let az_count = planned_az_count(&cfg.az_count, &env);
    planned.environment = env.clone().map(|e| e.as_str().to_string());
    planned.cidr_block = cidr.clone().into_known().map_or(Tri::Unknown, Tri::Known);
    planned.az_count = az_count.clone().map(Number::Int);

    let requires_replace = match &prior {
        Some(p) => replacements(&cfg, p, &planned, &az_count),
        None => Vec::new(),
    };
    let kept = prior.as_ref().filter(|_| requires_replace.is_empty());
    let zone_list: Tri<Vec<String>> = match kept {
        Some(p) => Tri::Known(p.availability_zones.clone()),
        None => new_zones(&az_count, zones, &mut d),
    };
    planned.availability_zones = zone_list
        .clone()
        .into_known()
        .map_or(Tri::Unknown, Tri::Known);
    let endpoints = planned_endpoints(&cfg.endpoints, &env);
    planned.endpoints = endpoints.clone();
    let services = endpoints.known().and_then(|l| {
        l.iter()
            .map(|e| e.known().cloned())
            .collect::<Option<Vec<String>>>()
    });
    let prior_c = kept.map(|p| p.components.clone()).unwrap_or_default();
    let (components, complete) = match &services {
        Some(svcs) => plan_components(&name, &env, &zone_list, place, &prior_c, svcs),
        None => (Tri::Unknown, false),
    };
    plan_ids(
        kept.filter(|_| complete),
        &components,
        &zone_list,
        &mut planned,
    );
    planned.endpoint_ids = planned_endpoint_ids(services.as_deref(), &prior_c);
    planned.components = components;
    planned.posture = match (&env, &services) {
        (Tri::Known(e), Some(svcs)) => {
            log_retention::given(&planned.log_retention, defaults.log_tiers(*e))
                .map(|tiers| super::posture::planned(*e, &tiers, svcs))
        }
        _ => Tri::Unknown,
    };
    if let Tri::Known(e) = &env {
        log_retention::check_profile(&cfg.log_retention, *e, &mut d);
        log_retention::check_provider_tiers(
            &cfg.log_retention,
            *e,
            &defaults.log_retention,
            &mut d,
        );
    }

    warn_few_zones(&env, &az_count, &mut d);
    planned.tags_all = tags::planned_all(default_tags, &cfg.tags, TYPE_NAME, &name, &env);
    let mut state = keep_refinements(planned.encode(), proposed);
    state.set("id", write_tri::<String>(&name));
    Planned {
        state,
        requires_replace,
        diagnostics: d,
    }
}

/// Replacement: name, range and zone count cannot change in place.
fn replacements(cfg: &Config, p: &State, planned: &Config, az_count: &Tri<i64>) -> Vec<AttrPath> {
    let mut requires_replace = Vec::new();
    if cfg.name != Tri::Known(p.name.clone()) {
        requires_replace.push(AttrPath::attr("name"));
    }
    if planned.cidr_block != Tri::Known(p.cidr_block.clone()) {
        requires_replace.push(AttrPath::attr("cidr_block"));
    }
    if *az_count != Tri::Known(p.az_count) {
        requires_replace.push(AttrPath::attr("az_count"));
    }
    requires_replace
}

/// The zones of a new network: the first `az_count` of the region's (an error when it has fewer).
fn new_zones(
    az_count: &Tri<i64>,
    zones: Option<&[String]>,
    d: &mut Diagnostics,
) -> Tri<Vec<String>> {
    match (az_count, zones) {
        (Tri::Known(k), Some(all)) => {
            let k = *k as usize;
            if all.len() < k {
                d.error_at(
                    AttrPath::attr("az_count"),
                    "Not enough availability zones",
                    format!(
                        "The region has {} available zones; set az_count to at most {}.",
                        all.len(),
                        all.len()
                    ),
                );
            }
            Tri::Known(all.iter().take(k).cloned().collect())
        }
        _ => Tri::Unknown,
    }
}

/// Components: every role known at plan; values from the prior where the object exists. Also
/// whether every value is known.
fn plan_components(
    name: &Tri<String>,
    env: &Tri<Environment>,
    zone_list: &Tri<Vec<String>>,
    place: Option<&Place>,
    prior_c: &BTreeMap<String, String>,
    services: &[String],
) -> (Tri<BTreeMap<String, Tri<String>>>, bool) {
    let (Tri::Known(n), Tri::Known(e), Tri::Known(z)) = (name, env, zone_list) else {
        return (Tri::Unknown, false);
    };
    let mut c = BTreeMap::new();
    let mut complete = true;
    let mut all = roles(*e, z.len());
    all.extend(bp::endpoints::roles(services));
    for role in all {
        let fixed = place.and_then(|pl| match role.as_str() {
            "kms_alias" => Some(pl.arn("kms", &bp::alias_name(n))),
            "log_group" => Some(pl.log_group_arn(&bp::log_group_name(n))),
            "flow_log_role" => Some(pl.iam_arn(&format!("role/{}", bp::role_name(n)))),
            _ => None,
        });
        let v = match (prior_c.get(&role), fixed) {
            (_, Some(f)) => Tri::Known(f),
            (Some(p), None) => Tri::Known(p.clone()),
            (None, None) => {
                complete = false;
                Tri::Unknown
            }
        };
        c.insert(role, v);
    }
    (Tri::Known(c), complete)
}

/// Ids: the prior's (`kept`) while every object is there; unknown where something is (re)made.
fn plan_ids(
    kept: Option<&State>,
    components: &Tri<BTreeMap<String, Tri<String>>>,
    zone_list: &Tri<Vec<String>>,
    planned: &mut Config,
) {
    let component = |role: &str| match components {
        Tri::Known(m) => m.get(role).cloned().unwrap_or(Tri::Unknown),
        _ => Tri::Unknown,
    };
    let zones_n = zone_list.known().map_or(0, Vec::len);
    match kept {
        Some(p) => {
            planned.vpc_id = p.vpc_id.clone().map_or(Tri::Null, Tri::Known);
            planned.public_subnet_ids = Tri::Known(known_each(&p.public_subnet_ids));
            planned.private_subnet_ids = Tri::Known(known_each(&p.private_subnet_ids));
        }
        None => {
            planned.vpc_id = component("vpc");
            let ids = |kind: &str| {
                if zone_list.is_unknown() {
                    Tri::Unknown
                } else {
                    Tri::Known(
                        (0..zones_n)
                            .map(|i| component(&format!("subnet_{kind}_{i}")))
                            .collect(),
                    )
                }
            };
            planned.public_subnet_ids = ids("public");
            planned.private_subnet_ids = ids("private");
        }
    }
}

/// Each id, known.
fn known_each(v: &[String]) -> Vec<Tri<String>> {
    v.iter().cloned().map(Tri::Known).collect()
}

/// The endpoints: as configured, else the profile's (unknown while the environment is).
fn planned_endpoints(
    configured: &Tri<Vec<Tri<String>>>,
    env: &Tri<Environment>,
) -> Tri<Vec<Tri<String>>> {
    match (configured, env) {
        (Tri::Null, Tri::Known(e)) => Tri::Known(
            e.network_endpoints()
                .iter()
                .map(|s| Tri::Known(s.to_string()))
                .collect(),
        ),
        (Tri::Null, _) => Tri::Unknown,
        (other, _) => other.clone(),
    }
}
