//! Plan: every argument as apply will leave it (configuration, else the profile's default), the
//! computed values known before AWS answers, and the replacement guard (contract rule 12).

use std::collections::BTreeMap;

use super::blueprint::{self as bp, Facts};
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

/// The component roles of a database in `env` with `replicas` replicas (Aurora: a cluster and its
/// writer instead of a primary).
pub fn roles(env: Environment, replicas: i64, own_key: bool, aurora: bool) -> Vec<String> {
    let main: &[&str] = if aurora {
        &["cluster", "writer"]
    } else {
        &["primary"]
    };
    let mut r: Vec<String> = ["parameter_group", "security_group", "subnet_group"]
        .iter()
        .chain(main)
        .map(|s| s.to_string())
        .collect();
    if own_key {
        r.extend(["kms_alias".to_string(), "kms_key".to_string()]);
    }
    if env.db_monitoring() {
        r.push("monitoring_role".into());
    }
    r.extend((1..=replicas.max(0)).map(|i| format!("replica_{i}")));
    r
}

/// The guard's refusal: the database holds data and `deletion_protection` is on.
pub fn guard_diagnostic(what: &str, attr: Option<&AttrPath>) -> Diagnostic {
    datastore::guard_diagnostic(TYPE_NAME, "the database", what, attr)
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
    let engine = decode::string(config.get("engine"));
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
    let version_default = match &engine {
        Tri::Known(e) => Value::string(bp::default_version(e)),
        _ => Value::unknown(),
    };
    let defaults: [(&str, Value); 13] = [
        ("engine_version", version_default),
        (
            "instance_class",
            by_env(|e| Value::string(e.db_instance_class())),
        ),
        (
            "allocated_storage",
            by_env(|e| Value::int(e.db_storage_gib().0)),
        ),
        (
            "max_allocated_storage",
            by_env(|e| Value::int(e.db_storage_gib().1)),
        ),
        ("replicas", by_env(|e| Value::int(e.db_replicas()))),
        ("multi_az", by_env(|e| Value::Bool(e.db_multi_az()))),
        (
            "backup_retention_days",
            by_env(|e| Value::int(e.db_backup_retention_days())),
        ),
        ("backup_window", Value::string(bp::DEFAULT_BACKUP_WINDOW)),
        (
            "maintenance_window",
            Value::string(bp::DEFAULT_MAINTENANCE_WINDOW),
        ),
        (
            "deletion_protection",
            by_env(|e| Value::Bool(e.db_deletion_protection())),
        ),
        (
            "final_snapshot",
            by_env(|e| Value::Bool(e.db_final_snapshot())),
        ),
        (
            "master_username",
            Value::string(bp::DEFAULT_MASTER_USERNAME),
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
    // A max below a configured allocation follows it (autoscaling off rather than an error).
    fn int_of(v: &Value, a: &str) -> Option<i64> {
        decode::int(v.get(a)).into_known()
    }
    if let (Some(a), Some(m)) = (
        int_of(&planned, "allocated_storage"),
        int_of(&planned, "max_allocated_storage"),
    ) {
        if config.get("max_allocated_storage").is_null() && m < a {
            planned.set("max_allocated_storage", Value::int(a));
        }
    }
    let replicas = int_of(&planned, "replicas");
    // Aurora: storage grows by itself (0), and Multi-AZ means readers in the other zones.
    let aurora = matches!(&engine, Tri::Known(e) if bp::is_aurora(e));
    if aurora {
        planned.set("allocated_storage", Value::int(0));
        planned.set("max_allocated_storage", Value::int(0));
        if let Some(r) = replicas {
            if r == 0 && env == Tri::Known(Environment::Production) {
                d.error_at(
                    AttrPath::attr("replicas"),
                    "Multi-AZ is required in production",
                    "An Aurora cluster is Multi-AZ through its readers in other zones; production keeps at least one. Set replicas to 1 or more (2 is the default).",
                );
            }
            match decode::boolean(config.get("multi_az")) {
                Tri::Null => planned.set("multi_az", Value::Bool(r > 0)),
                Tri::Known(m) if m != (r > 0) => d.error_at(
                    AttrPath::attr("multi_az"),
                    "Aurora's Multi-AZ is its readers",
                    format!("An Aurora cluster is Multi-AZ when it has readers in other zones: with replicas = {r}, set multi_az = {} (or leave it unset).", r > 0),
                ),
                _ => {}
            }
        }
    }

    // Subnets: at least 2 zones, one VPC.
    if let (Some(facts), Tri::Known(e)) = (subnets, &env) {
        datastore::check_subnets(config, facts, *e, &validate::ZONES, &mut d);
    }
    if let (Some(want), false) = (int_of(&planned, "allocated_storage"), prior.is_null()) {
        if let Some(have) = decode::int(prior.get("allocated_storage")).into_known() {
            if want < have {
                d.error_at(AttrPath::attr("allocated_storage"), "Storage cannot shrink", format!("allocated_storage {have} → {want}: RDS storage only grows. Keep {have} or more."));
            }
        }
    }

    // Replacement where AWS forces it; refused while the data is protected.
    let mut requires_replace = Vec::new();
    if !prior.is_null() {
        for attr in ["name", "engine"] {
            if !config.get(attr).is_unknown() && prior.get(attr) != config.get(attr) {
                requires_replace.push(AttrPath::attr(attr));
            }
        }
        if datastore::key_replaced(config, prior) {
            requires_replace.push(AttrPath::attr("kms_key_arn"));
        }
        let protected = decode::boolean(prior.get("deletion_protection")) == Tri::Known(true);
        if protected && !create_incomplete {
            if let Some(a) = requires_replace.first() {
                d.push(guard_diagnostic("replacement", Some(a)));
            }
        }
    }
    let keep = !prior.is_null() && requires_replace.is_empty();
    let own_key = config.get("kms_key_arn").is_null();
    planned.set("kms_key_arn", datastore::planned_key(config, prior, keep));

    // Computed: fixed by the name where it decides them, the prior's where nothing changes them.
    let prior_c = if keep {
        decode::string_map(prior.get("components"))
            .into_known()
            .unwrap_or_default()
    } else {
        BTreeMap::new()
    };
    let version = decode::string(planned.get("engine_version"));
    let pg_name = match (&name, &engine, &version) {
        (Tri::Known(n), Tri::Known(e), Tri::Known(v)) => Some(bp::parameter_group_name(n, e, v)),
        _ => None,
    };
    planned.set(
        "parameter_group_name",
        pg_name.clone().map_or_else(Value::unknown, Value::string),
    );
    planned.set("subnet_group_name", config.get("name").clone());
    planned.set(
        "port",
        match &engine {
            Tri::Known(e) => Value::int(bp::port(e)),
            _ => Value::unknown(),
        },
    );
    let components = match (&name, &env, replicas) {
        (Tri::Known(n), Tri::Known(e), Some(r)) => {
            let mut c = BTreeMap::new();
            for role in roles(*e, r, own_key, aurora) {
                let fixed = place.and_then(|pl| match role.as_str() {
                    "kms_alias" => Some(pl.arn("kms", &bp::alias_name(n))),
                    "monitoring_role" => {
                        Some(pl.iam_arn(&format!("role/{}", bp::monitoring_role_name(n))))
                    }
                    "subnet_group" => Some(pl.arn("rds", &format!("subgrp:{n}"))),
                    "parameter_group" if aurora => pg_name
                        .as_ref()
                        .map(|g| pl.arn("rds", &format!("cluster-pg:{g}"))),
                    "parameter_group" => {
                        pg_name.as_ref().map(|g| pl.arn("rds", &format!("pg:{g}")))
                    }
                    "primary" => Some(pl.arn("rds", &format!("db:{n}"))),
                    "cluster" => Some(pl.arn("rds", &format!("cluster:{n}"))),
                    "writer" => Some(pl.arn("rds", &format!("db:{}", bp::writer_id(n)))),
                    r if r.starts_with("replica_") => Some(pl.arn(
                        "rds",
                        &format!(
                            "db:{}",
                            bp::replica_id(
                                n,
                                r.trim_start_matches("replica_").parse().unwrap_or(0)
                            )
                        ),
                    )),
                    _ => None,
                });
                let v = match (fixed, prior_c.get(&role)) {
                    (Some(f), _) => Value::string(f),
                    (None, Some(p)) => Value::string(p),
                    (None, None) => Value::unknown(),
                };
                c.insert(role, v);
            }
            Value::Map(c)
        }
        _ => Value::unknown(),
    };
    planned.set("components", components.clone());
    planned.set(
        "security_group_id",
        match &components {
            Value::Map(m) => m
                .get("security_group")
                .cloned()
                .unwrap_or_else(Value::unknown),
            _ => Value::unknown(),
        },
    );
    planned.set(
        "instance_ids",
        match (&name, replicas) {
            (Tri::Known(n), Some(r)) => {
                let first = if aurora { bp::writer_id(n) } else { n.clone() };
                Value::string_list(
                    std::iter::once(first)
                        .chain((1..=r.max(0) as usize).map(|i| bp::replica_id(n, i))),
                )
            }
            _ => Value::unknown(),
        },
    );
    // Endpoints and the secret: AWS's, kept while nothing that moves them changes.
    let same_replicas = keep && prior.get("replicas") == planned.get("replicas");
    for attr in ["endpoint", "master_secret_arn"] {
        planned.set(
            attr,
            if keep {
                prior.get(attr).clone()
            } else {
                Value::unknown()
            },
        );
    }
    for attr in ["reader_endpoint", "replica_endpoints"] {
        planned.set(
            attr,
            if same_replicas {
                prior.get(attr).clone()
            } else {
                Value::unknown()
            },
        );
    }
    let version_same = keep && prior.get("engine_version") == planned.get("engine_version");
    planned.set(
        "engine_version_actual",
        if version_same {
            prior.get("engine_version_actual").clone()
        } else {
            Value::unknown()
        },
    );

    // Posture: what apply enforces, with what the profile or the configuration relaxes on purpose.
    let b = |a: &str| decode::boolean(planned.get(a)).into_known();
    let posture = match (
        &env,
        b("multi_az"),
        b("deletion_protection"),
        int_of(&planned, "backup_retention_days"),
        decode::string(planned.get("master_username")),
        decode::string(planned.get("engine")),
    ) {
        (
            Tri::Known(e),
            Some(multi_az),
            Some(dp),
            Some(retention),
            Tri::Known(user),
            Tri::Known(engine),
        ) => {
            let h = bp::hardening(*e);
            Value::string_map(bp::posture(
                *e,
                &engine,
                &Facts {
                    multi_az,
                    monitoring: e.db_monitoring(),
                    deletion_protection: dp,
                    backup_retention_days: retention,
                    encrypted: h.storage_encrypted,
                    public: h.publicly_accessible,
                    log_exports: true,
                    iam_auth: h.iam_auth,
                    auto_minor_upgrade: h.auto_minor_upgrade,
                    copy_tags: h.copy_tags_to_snapshot,
                    in_vpc: true,
                    master_username: user,
                    tls: true,
                    ingress: None,
                    key_rotation: own_key.then_some(true),
                },
            ))
        }
        _ => Value::unknown(),
    };
    planned.set("posture", posture);
    Planned {
        state: planned,
        requires_replace,
        diagnostics: d,
    }
}
