//! Plan: every argument as apply will leave it (the configuration, else the profile's default) and
//! every computed value that is known before AWS answers; ids unknown where something is (re)made.

use std::collections::{BTreeMap, BTreeSet};

use super::aws::ec2::SubnetFacts;
use super::blueprint as bp;
use super::schema::{DEFAULT_APP_PORT, DEFAULT_HEALTH_CHECK_PATH, DEFAULT_INGRESS, TYPE_NAME};
use super::validate;
use crate::framework::decode::{self, Tri};
use crate::framework::resource::Planned;
use crate::framework::{AttrPath, Diagnostics, Value};
use crate::provider::aws::Place;
use crate::provider::profile::{self, Environment};
use crate::provider::tags;

/// The component roles a cluster has (with its own key unless one is given).
pub fn roles(own_key: bool) -> Vec<&'static str> {
    let mut r = vec![
        "autoscaling_group",
        "instance_profile",
        "instance_role",
        "launch_template",
        "listener_http",
        "listener_https",
        "load_balancer",
        "log_group",
        "security_group_app",
        "security_group_lb",
        "target_group",
    ];
    if own_key {
        r.extend(["kms_alias", "kms_key"]);
    }
    r
}

/// Arguments whose change rebuilds the launch template and rolls the instances.
const TEMPLATE_ARGS: [&str; 7] = [
    "image_id",
    "instance_type",
    "user_data",
    "root_volume_size",
    "metadata_http_tokens",
    "root_volume_encrypted",
    "kms_key_arn",
];
/// Posture entries read from the launch template: a failure means apply makes a new version.
const TEMPLATE_CONTROLS: [&str; 5] = [
    "EC2.8",
    "AutoScaling.3",
    "AutoScaling.4",
    "AutoScaling.5",
    "EC2.3",
];

/// `subnets`: the facts of every subnet in both lists, when both are known (looked up by the caller).
#[allow(clippy::too_many_arguments)]
pub fn plan(
    config: &Value,
    prior: &Value,
    proposed: &Value,
    default_env: Environment,
    default_tags: &BTreeMap<String, String>,
    place: Option<&Place>,
    subnets: Option<&[SubnetFacts]>,
) -> Planned {
    let mut d = Diagnostics::new();
    let mut planned = proposed.clone();
    let name = decode::string(config.get("name"));
    let env = profile::planned(
        &crate::framework::decode::string(config.get("environment")),
        default_env,
    );
    if let Tri::Known(e) = env {
        validate::validate_profile(config, e, &mut d);
    }
    planned.set("id", config.get("name").clone());
    planned.set("environment", profile::planned_value(&env));

    // Arguments: configuration, else the profile's default.
    let by_env = |f: fn(Environment) -> Value| profile::by_env(&env, f);
    let defaults: [(&str, Value); 11] = [
        (
            "instance_type",
            by_env(|e| Value::string(e.cluster_instance_type())),
        ),
        ("min_size", by_env(|e| Value::int(e.cluster_capacity().0))),
        (
            "desired_capacity",
            by_env(|e| Value::int(e.cluster_capacity().1)),
        ),
        ("max_size", by_env(|e| Value::int(e.cluster_capacity().2))),
        (
            "root_volume_size",
            by_env(|e| Value::int(e.cluster_root_volume_gib())),
        ),
        ("app_port", Value::int(DEFAULT_APP_PORT)),
        (
            "health_check_path",
            Value::string(DEFAULT_HEALTH_CHECK_PATH),
        ),
        ("ingress_cidr_blocks", Value::string_list([DEFAULT_INGRESS])),
        ("metadata_http_tokens", Value::string("required")),
        ("tls_policy", Value::string(bp::DEFAULT_TLS_POLICY)),
        ("root_volume_encrypted", Value::Bool(true)),
    ];
    for (attr, default) in defaults {
        let v = config.get(attr);
        planned.set(attr, if v.is_null() { default } else { v.clone() });
    }
    // Unset, desired_capacity is set on create only: afterwards scaling owns it, so the plan keeps
    // the prior value (within the planned bounds).
    // On create the profile's default is likewise kept within configured bounds.
    if config.get("desired_capacity").is_null() {
        let base = if prior.is_null() {
            planned.get("desired_capacity")
        } else {
            prior.get("desired_capacity")
        };
        let bound = |a: &str| decode::int(planned.get(a)).into_known();
        if let (Some(p), Some(lo), Some(hi)) = (
            decode::int(base).into_known(),
            bound("min_size"),
            bound("max_size"),
        ) {
            planned.set("desired_capacity", Value::int(p.clamp(lo, hi.max(lo))));
        }
    }
    // A configured size is checked against the profile's defaults for the others.
    let int = |a: &str| decode::int(planned.get(a)).into_known();
    if let (Some(lo), Some(hi), Some(want)) =
        (int("min_size"), int("max_size"), int("desired_capacity"))
    {
        if lo > hi {
            d.error_at(
                AttrPath::attr("max_size"),
                "max_size is below min_size",
                format!(
                    "min_size = {lo} and max_size = {hi}: set both so that min_size ≤ max_size."
                ),
            );
        } else if want < lo || want > hi {
            d.error_at(AttrPath::attr("desired_capacity"), "desired_capacity outside min_size..max_size", format!("desired_capacity = {want} must lie between min_size = {lo} and max_size = {hi}."));
        }
    }
    planned.set(
        "tags_all",
        crate::framework::attrs::write_tri::<BTreeMap<String, String>>(&tags::planned_all(
            default_tags,
            &crate::framework::decode::string_map(config.get("tags")),
            TYPE_NAME,
            &name,
            &env,
        )),
    );

    // Where the subnets are: one VPC, at least 2 zones each (3 recommended in production).
    let mut vpc: Tri<String> = Tri::Unknown;
    if let (Some(facts), Tri::Known(e)) = (subnets, &env) {
        for attr in ["subnet_ids", "public_subnet_ids"] {
            let ids = decode::string_list(config.get(attr))
                .into_known()
                .unwrap_or_default();
            for (i, id) in ids.iter().enumerate() {
                if !facts.iter().any(|f| &f.id == id) {
                    d.error_at(
                        AttrPath::attr(attr).then_index(i),
                        "No such subnet",
                        format!("Subnet {id} does not exist in this account and region."),
                    );
                }
            }
            let zones: BTreeSet<&str> = facts
                .iter()
                .filter(|f| ids.contains(&f.id))
                .map(|f| f.zone.as_str())
                .collect();
            validate::check_zones(attr, zones.len(), *e, &mut d);
        }
        let vpcs: BTreeSet<&str> = facts.iter().map(|f| f.vpc.as_str()).collect();
        if vpcs.len() > 1 {
            d.error_at(
                AttrPath::attr("public_subnet_ids"),
                "Subnets in different VPCs",
                format!(
                    "subnet_ids and public_subnet_ids must all be in one VPC; they span {}.",
                    vpcs.into_iter().collect::<Vec<_>>().join(", ")
                ),
            );
        } else if let Some(v) = vpcs.into_iter().next() {
            vpc = Tri::Known(v.to_string());
        }
    }

    // Replacement: the name, the application port (the target group's port is fixed), the key,
    // and a move to another VPC (security groups and target group belong to one).
    let mut requires_replace = Vec::new();
    if !prior.is_null() {
        let changed =
            |attr: &str| !planned.get(attr).is_unknown() && prior.get(attr) != planned.get(attr);
        for attr in ["name", "app_port"] {
            if changed(attr) {
                requires_replace.push(AttrPath::attr(attr));
            }
        }
        if !config.get("kms_key_arn").is_null() && changed("kms_key_arn") {
            requires_replace.push(AttrPath::attr("kms_key_arn"));
        }
        if config.get("kms_key_arn").is_null()
            && !decode::string_map(prior.get("components"))
                .into_known()
                .unwrap_or_default()
                .contains_key("kms_key")
        {
            // From a given key back to an own one.
            requires_replace.push(AttrPath::attr("kms_key_arn"));
        }
        if let (Tri::Known(v), Some(pv)) = (&vpc, prior.get("vpc_id").as_str()) {
            if v != pv {
                requires_replace.push(AttrPath::attr("subnet_ids"));
            }
        }
    }
    let keep_prior = !prior.is_null() && requires_replace.is_empty();
    let own_key = config.get("kms_key_arn").is_null();
    planned.set(
        "kms_key_arn",
        if !own_key {
            config.get("kms_key_arn").clone()
        } else if keep_prior && !prior.get("kms_key_arn").is_null() {
            prior.get("kms_key_arn").clone()
        } else {
            Value::unknown()
        },
    );
    planned.set(
        "vpc_id",
        match (&vpc, keep_prior) {
            (Tri::Known(v), _) => Value::string(v),
            (_, true) => prior.get("vpc_id").clone(),
            _ => Value::unknown(),
        },
    );

    // Components: every role known at plan; values fixed where the name decides them, else the
    // prior's where the object exists, else unknown.
    let prior_c = if keep_prior {
        decode::string_map(prior.get("components"))
            .into_known()
            .unwrap_or_default()
    } else {
        BTreeMap::new()
    };
    let mut complete = true;
    let components = match &name {
        Tri::Known(n) => {
            let mut c = BTreeMap::new();
            for role in roles(own_key) {
                let fixed = match role {
                    "autoscaling_group" => Some(n.clone()),
                    _ => place.and_then(|pl| match role {
                        "kms_alias" => Some(pl.arn("kms", &bp::alias_name(n))),
                        "log_group" => Some(pl.log_group_arn(&bp::log_group_name(n))),
                        "instance_role" => Some(pl.iam_arn(&format!("role/{}", bp::role_name(n)))),
                        "instance_profile" => {
                            Some(pl.iam_arn(&format!("instance-profile/{}", bp::role_name(n))))
                        }
                        _ => None,
                    }),
                };
                let v = match (fixed, prior_c.get(role)) {
                    (Some(f), _) => Value::string(f),
                    (None, Some(p)) => Value::string(p),
                    (None, None) => {
                        complete = false;
                        Value::unknown()
                    }
                };
                c.insert(role.to_string(), v);
            }
            Value::Map(c.into_iter().collect())
        }
        _ => {
            complete = false;
            Value::unknown()
        }
    };
    planned.set("components", components.clone());
    let component = |role: &str| match &components {
        Value::Map(m) => m.get(role).cloned().unwrap_or_else(Value::unknown),
        _ => Value::unknown(),
    };
    planned.set("autoscaling_group_name", config.get("name").clone());
    planned.set("security_group_id", component("security_group_app"));
    planned.set(
        "load_balancer_security_group_id",
        component("security_group_lb"),
    );
    planned.set("load_balancer_arn", component("load_balancer"));
    planned.set("target_group_arn", component("target_group"));
    planned.set("launch_template_id", component("launch_template"));
    planned.set(
        "load_balancer_dns_name",
        if keep_prior && complete {
            prior.get("load_balancer_dns_name").clone()
        } else {
            Value::unknown()
        },
    );

    // The template version stays unless the template's settings change or its posture is failing.
    let prior_posture = decode::string_map(prior.get("posture"))
        .into_known()
        .unwrap_or_default();
    let template_drift = TEMPLATE_CONTROLS.iter().any(|c| {
        prior_posture
            .get(*c)
            .is_some_and(|v| v.starts_with("fail") && **v != bp::imdsv1_allowed())
    });
    let template_same = keep_prior
        && complete
        && !template_drift
        && TEMPLATE_ARGS.iter().all(|a| prior.get(a) == planned.get(a));
    planned.set(
        "launch_template_version",
        if template_same {
            prior.get("launch_template_version").clone()
        } else {
            Value::unknown()
        },
    );
    // Scaling owns the live capacity: it only moves when the user changes desired_capacity.
    let desired_changed =
        prior.is_null() || prior.get("desired_capacity") != planned.get("desired_capacity");
    let bounds_same = !prior.is_null()
        && ["min_size", "max_size"]
            .iter()
            .all(|a| prior.get(a) == planned.get(a));
    planned.set(
        "desired_capacity_actual",
        if desired_changed {
            planned.get("desired_capacity").clone()
        } else if bounds_same {
            prior.get("desired_capacity_actual").clone()
        } else {
            Value::unknown()
        },
    );
    planned.set(
        "posture",
        match &env {
            Tri::Known(e) => {
                let tokens = decode::string(planned.get("metadata_http_tokens"))
                    .into_known()
                    .unwrap_or_else(|| "required".into());
                Value::string_map(bp::planned_posture(*e, &tokens, own_key))
            }
            _ => Value::unknown(),
        },
    );
    Planned {
        state: planned,
        requires_replace,
        diagnostics: d,
    }
}
