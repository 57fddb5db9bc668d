//! Plan: every computed value as apply will leave it. Zones are chosen at plan (the first
//! `az_count` available, by name) and kept for the network's life; ids are unknown until AWS
//! assigns them.

use std::collections::BTreeMap;

use super::blueprint as bp;
use super::schema::{DEFAULT_CIDR, TYPE_NAME};
use crate::framework::decode::{self, Tri};
use crate::framework::resource::Planned;
use crate::framework::{AttrPath, Diagnostics, Value};
use crate::provider::aws::Place;
use crate::provider::profile::{self, Environment};
use crate::provider::tags;

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

/// `zones`: the region's available zones, sorted (looked up only when the plan needs new ones).
pub fn plan(
    config: &Value,
    prior: &Value,
    proposed: &Value,
    default_env: Environment,
    default_tags: &BTreeMap<String, String>,
    place: Option<&Place>,
    zones: Option<&[String]>,
) -> Planned {
    let mut d = Diagnostics::new();
    let mut planned = proposed.clone();
    let name = decode::string(config.get("name"));
    let env = profile::planned(config.get("environment"), default_env);
    let cidr = decode::string(config.get("cidr_block")).or(DEFAULT_CIDR.to_string());
    let az_count = match (decode::int(config.get("az_count")), &env) {
        (Tri::Null, Tri::Known(e)) => Tri::Known(e.az_count()),
        (Tri::Null, _) => Tri::Unknown,
        (other, _) => other,
    };
    planned.set("id", config.get("name").clone());
    planned.set("environment", profile::planned_value(&env));
    planned.set(
        "cidr_block",
        cidr.clone()
            .map(Value::String)
            .into_known()
            .unwrap_or_else(Value::unknown),
    );
    planned.set(
        "az_count",
        az_count
            .clone()
            .map(Value::int)
            .into_known()
            .unwrap_or_else(Value::unknown),
    );
    let tags_all = tags::planned_all(default_tags, config.get("tags"), TYPE_NAME, &name, &env);
    planned.set("tags_all", tags_all);

    // Replacement: name, range and zone count cannot change in place.
    let mut requires_replace = Vec::new();
    if !prior.is_null() {
        let changed = |attr: &str, planned_v: Value| prior.get(attr) != &planned_v;
        if changed("name", config.get("name").clone()) {
            requires_replace.push(AttrPath::attr("name"));
        }
        if changed("cidr_block", planned.get("cidr_block").clone()) {
            requires_replace.push(AttrPath::attr("cidr_block"));
        }
        if changed("az_count", planned.get("az_count").clone()) {
            requires_replace.push(AttrPath::attr("az_count"));
        }
    }
    let keep_prior = !prior.is_null() && requires_replace.is_empty();

    let zone_list: Tri<Vec<String>> = if keep_prior {
        Tri::Known(
            decode::elements(prior.get("availability_zones"))
                .iter()
                .filter_map(|z| z.as_str().map(str::to_string))
                .collect(),
        )
    } else {
        match (&az_count, zones) {
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
    };
    planned.set(
        "availability_zones",
        zone_list
            .clone()
            .map(Value::string_list)
            .into_known()
            .unwrap_or_else(Value::unknown),
    );

    // Components: every role known at plan; values from the prior where the object exists.
    let prior_c = if keep_prior {
        decode::string_map(prior.get("components"))
            .into_known()
            .unwrap_or_default()
    } else {
        BTreeMap::new()
    };
    let (components, complete) = match (&name, &env, &zone_list) {
        (Tri::Known(n), Tri::Known(e), Tri::Known(z)) => {
            let mut c = BTreeMap::new();
            let mut complete = true;
            for role in roles(*e, z.len()) {
                let fixed = place.and_then(|pl| match role.as_str() {
                    "kms_alias" => Some(pl.arn("kms", &bp::alias_name(n))),
                    "log_group" => Some(pl.log_group_arn(&bp::log_group_name(n))),
                    "flow_log_role" => Some(pl.iam_arn(&format!("role/{}", bp::role_name(n)))),
                    _ => None,
                });
                let v = match (prior_c.get(&role), fixed) {
                    (_, Some(f)) => Value::string(f),
                    (Some(p), None) => Value::string(p),
                    (None, None) => {
                        complete = false;
                        Value::unknown()
                    }
                };
                c.insert(role, v);
            }
            (Value::Map(c), complete)
        }
        _ => (Value::unknown(), false),
    };
    planned.set("components", components.clone());

    // Ids: the prior's while every object is there; unknown where something is (re)made.
    let component = |role: &str| match &components {
        Value::Map(m) => m.get(role).cloned().unwrap_or_else(Value::unknown),
        _ => Value::unknown(),
    };
    let zones_n = zone_list.known().map_or(0, Vec::len);
    if keep_prior && complete {
        for a in ["vpc_id", "public_subnet_ids", "private_subnet_ids"] {
            planned.set(a, prior.get(a).clone());
        }
    } else {
        planned.set("vpc_id", component("vpc"));
        for (attr, kind) in [
            ("public_subnet_ids", "public"),
            ("private_subnet_ids", "private"),
        ] {
            let ids: Vec<Value> = (0..zones_n)
                .map(|i| component(&format!("subnet_{kind}_{i}")))
                .collect();
            let v = if zone_list.is_unknown() {
                Value::unknown()
            } else {
                Value::List(ids)
            };
            planned.set(attr, v);
        }
    }
    planned.set(
        "posture",
        env.clone()
            .map(|e| Value::string_map(bp::planned_posture(e)))
            .into_known()
            .unwrap_or_else(Value::unknown),
    );

    if env == Tri::Known(Environment::Production) && az_count.known().is_some_and(|a| *a < 3) {
        d.warning_at(
            AttrPath::attr("az_count"),
            "Fewer than 3 availability zones in production",
            "Production networks span 3 zones so that losing one leaves two; set az_count = 3 unless the region has only 2.",
        );
    }
    Planned {
        state: planned,
        requires_replace,
        diagnostics: d,
    }
}
