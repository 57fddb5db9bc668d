//! Plan: every argument as apply will leave it (configuration, else the profile's default), the
//! computed values known before AWS answers, and the replacement guard (contract rule 12).

use std::collections::{BTreeMap, BTreeSet};

use super::blueprint as bp;
use super::schema::TYPE_NAME;
use super::validate;
use crate::framework::decode::{self, Tri};
use crate::framework::resource::Planned;
use crate::framework::{AttrPath, Diagnostic, Diagnostics, Value};
use crate::provider::aws::Place;
use crate::provider::ec2::SubnetFacts;
use crate::provider::profile::{self, Environment};
use crate::provider::tags;
use crate::resources::datastore;

/// The component roles of a group: what it always makes, its own key unless given, and the
/// parameter group when `parameters` are set.
pub fn roles(own_key: bool, custom_parameters: bool) -> Vec<&'static str> {
    let mut r = vec![
        "auth_secret",
        "replication_group",
        "security_group",
        "subnet_group",
    ];
    if own_key {
        r.extend(["kms_alias", "kms_key"]);
    }
    if custom_parameters {
        r.push("parameter_group");
    }
    r
}

/// The guard's refusal: the replication group holds data and `deletion_protection` is on.
pub fn guard_diagnostic(what: &str, attr: Option<&AttrPath>) -> Diagnostic {
    datastore::guard_diagnostic(TYPE_NAME, "the replication group", what, attr)
}

fn int_of(v: &Value, a: &str) -> Option<i64> {
    decode::int(v.get(a)).into_known()
}

/// The attributes whose change forces a new replication group.
fn replacing(config: &Value, prior: &Value, planned: &Value) -> Vec<AttrPath> {
    let mut out = Vec::new();
    if !config.get("name").is_unknown() && prior.get("name") != config.get("name") {
        out.push(AttrPath::attr("name"));
    }
    let engine = (
        decode::string(prior.get("engine")),
        decode::string(planned.get("engine")),
    );
    if let (Tri::Known(old), Tri::Known(new)) = engine {
        // redis → valkey upgrades in place; the way back does not exist.
        if old != new && !(old == "redis" && new == "valkey") {
            out.push(AttrPath::attr("engine"));
        }
    }
    let subnets = |v: &Value| {
        decode::string_list(v.get("subnet_ids"))
            .into_known()
            .map(|l| l.into_iter().collect::<BTreeSet<_>>())
    };
    if let (Some(a), Some(b)) = (subnets(prior), subnets(config)) {
        if a != b {
            out.push(AttrPath::attr("subnet_ids"));
        }
    }
    if let (Some(a), Some(b)) = (int_of(prior, "shards"), int_of(planned, "shards")) {
        if bp::clustered(a) != bp::clustered(b) {
            out.push(AttrPath::attr("shards"));
        }
    }
    let (cfg, p) = (
        super::model::Config::decode(config),
        super::model::State::decode(prior),
    );
    if datastore::key_replaced(&cfg.kms_key_arn, p.kms_key_arn.as_deref(), &p.components) {
        out.push(AttrPath::attr("kms_key_arn"));
    }
    out
}

#[allow(clippy::too_many_arguments)]
pub fn plan(
    config: &Value,
    prior: &Value,
    proposed: &Value,
    create_incomplete: bool,
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
    let by_env = |f: fn(Environment) -> Value| profile::by_env(&env, f);
    let engine = match decode::string(config.get("engine")) {
        Tri::Null => Tri::Known(bp::DEFAULT_ENGINE.to_string()),
        other => other,
    };
    let version_default = match &engine {
        Tri::Known(e) => Value::string(bp::default_version(e)),
        _ => Value::unknown(),
    };
    let defaults: [(&str, Value); 10] = [
        ("engine", Value::string(bp::DEFAULT_ENGINE)),
        ("engine_version", version_default),
        ("node_type", by_env(|e| Value::string(e.redis_node_type()))),
        ("shards", by_env(|e| Value::int(e.redis_shards()))),
        (
            "replicas_per_shard",
            by_env(|e| Value::int(e.redis_replicas_per_shard())),
        ),
        (
            "snapshot_retention_days",
            by_env(|e| Value::int(e.redis_snapshot_retention_days())),
        ),
        (
            "snapshot_window",
            Value::string(bp::DEFAULT_SNAPSHOT_WINDOW),
        ),
        (
            "maintenance_window",
            Value::string(bp::DEFAULT_MAINTENANCE_WINDOW),
        ),
        (
            "deletion_protection",
            by_env(|e| Value::Bool(e.redis_deletion_protection())),
        ),
        (
            "tags_all",
            crate::framework::attrs::write_tri::<BTreeMap<String, String>>(&tags::planned_all(
                default_tags,
                &crate::framework::decode::string_map(config.get("tags")),
                TYPE_NAME,
                &name,
                &env,
            )),
        ),
    ];
    for (attr, default) in defaults {
        let v = config.get(attr);
        planned.set(
            attr,
            if v.is_null() || attr == "tags_all" {
                default
            } else {
                v.clone()
            },
        );
    }

    // Subnets: at least 2 zones, one VPC.
    if let (Some(facts), Tri::Known(e)) = (subnets, &env) {
        let ids = datastore::whole_list(&super::model::Config::decode(config).subnet_ids);
        datastore::check_subnets(&ids, facts, *e, &validate::ZONES, &mut d);
    }

    // Versions only move forward.
    if let (Tri::Known(old), Tri::Known(new), false) = (
        decode::string(prior.get("engine_version")),
        decode::string(planned.get("engine_version")),
        prior.is_null(),
    ) {
        if prior.get("engine") == planned.get("engine") && bp::version_less(&new, &old) {
            d.error_at(
                AttrPath::attr("engine_version"),
                "Engine versions cannot go back",
                format!("engine_version {old} → {new}: ElastiCache upgrades only. Keep {old} or pick a newer version."),
            );
        }
    }

    // Replacement where AWS forces it; refused while the data is protected.
    let requires_replace = if prior.is_null() {
        Vec::new()
    } else {
        replacing(config, prior, &planned)
    };
    let protected = decode::boolean(prior.get("deletion_protection")) == Tri::Known(true);
    if protected && !create_incomplete {
        if let Some(a) = requires_replace.first() {
            d.push(guard_diagnostic("replacement", Some(a)));
        }
    }
    let keep = !prior.is_null() && requires_replace.is_empty();
    let own_key = config.get("kms_key_arn").is_null();
    let (cfg, p) = (
        super::model::Config::decode(config),
        super::model::State::decode(prior),
    );
    let kept = p.kms_key_arn.as_ref().filter(|_| keep);
    planned.set(
        "kms_key_arn",
        crate::framework::attrs::write_tri::<String>(&datastore::planned_key(
            &cfg.kms_key_arn,
            kept,
        )),
    );

    // Computed: fixed by the name where it decides them, the prior's where nothing changes them.
    let custom = match decode::string_map(config.get("parameters")) {
        Tri::Known(_) => Some(true),
        Tri::Null => Some(false),
        Tri::Unknown => None,
    };
    planned.set("port", Value::int(bp::PORT));
    planned.set("subnet_group_name", config.get("name").clone());
    planned.set(
        "parameter_group_name",
        match custom {
            Some(true) => config.get("name").clone(),
            Some(false) => Value::Null,
            None => Value::unknown(),
        },
    );
    let prior_c = if keep {
        decode::string_map(prior.get("components"))
            .into_known()
            .unwrap_or_default()
    } else {
        BTreeMap::new()
    };
    let components = match (&name, custom) {
        (Tri::Known(n), Some(custom)) => {
            let mut c = BTreeMap::new();
            for role in roles(own_key, custom) {
                let fixed = place.and_then(|pl| match role {
                    "kms_alias" => Some(pl.arn("kms", &bp::alias_name(n))),
                    "replication_group" => {
                        Some(pl.arn("elasticache", &format!("replicationgroup:{n}")))
                    }
                    "subnet_group" => Some(pl.arn("elasticache", &format!("subnetgroup:{n}"))),
                    "parameter_group" => {
                        Some(pl.arn("elasticache", &format!("parametergroup:{n}")))
                    }
                    _ => None,
                });
                let v = match (fixed, prior_c.get(role)) {
                    (Some(f), _) => Value::string(f),
                    (None, Some(p)) => Value::string(p),
                    (None, None) => Value::unknown(),
                };
                c.insert(role.to_string(), v);
            }
            Value::Map(c)
        }
        _ => Value::unknown(),
    };
    planned.set("components", components.clone());
    let component = |role: &str| match &components {
        Value::Map(m) => m.get(role).cloned().unwrap_or_else(Value::unknown),
        _ => Value::unknown(),
    };
    planned.set("security_group_id", component("security_group"));
    planned.set("auth_secret_arn", component("auth_secret"));

    // Endpoints and nodes: AWS's, kept while nothing that moves them changes.
    let same = |planned: &Value, a: &str| keep && prior.get(a) == planned.get(a);
    let shards = int_of(&planned, "shards");
    let mode_known = shards.map(bp::clustered);
    for (attr, in_cluster_mode) in [
        ("primary_endpoint", false),
        ("reader_endpoint", false),
        ("configuration_endpoint", true),
    ] {
        planned.set(
            attr,
            match mode_known {
                Some(c) if c != in_cluster_mode => Value::Null,
                Some(_) if keep => prior.get(attr).clone(),
                _ => Value::unknown(),
            },
        );
    }
    planned.set(
        "member_clusters",
        if same(&planned, "shards") && same(&planned, "replicas_per_shard") {
            prior.get("member_clusters").clone()
        } else {
            Value::unknown()
        },
    );
    planned.set(
        "engine_version_actual",
        if same(&planned, "engine_version") && same(&planned, "engine") {
            prior.get("engine_version_actual").clone()
        } else {
            Value::unknown()
        },
    );

    // Posture: what apply enforces, with what the profile relaxes on purpose.
    let posture = match (
        &env,
        int_of(&planned, "snapshot_retention_days"),
        int_of(&planned, "replicas_per_shard"),
    ) {
        (Tri::Known(e), Some(retention), Some(replicas)) => Value::string_map(bp::posture(
            *e,
            &bp::planned_facts(retention, replicas, own_key),
        )),
        _ => Value::unknown(),
    };
    planned.set("posture", posture);
    Planned {
        state: planned,
        requires_replace,
        diagnostics: d,
    }
}
