//! The provider's functions. `profile(environment)` gives a profile's defaults and floors as an
//! object, so that a module can size or check its inputs at plan time by the same table the
//! resources use (`profile.rs`).

use crate::framework::function::{CallError, Function, Parameter};
use crate::framework::{decode, Type, Value};

use super::profile::{environment_hint, Environment};

/// Every function the provider serves.
pub fn all() -> Vec<Function> {
    vec![Function {
        name: "profile",
        summary: "An environment profile's defaults and floors",
        description: "The defaults and production floors the resources apply in `environment` (`development`, `staging` or `production`), as an object: `log_retention` (days kept of `application`, `audit` and `metrics` logs), `log_retention_days` (the audit tier, as earlier versions named it), `kms_key_deletion_window_days`, and `network`, `cluster`, `database` and `redis` objects (e.g. `provider::prod::profile(\"production\").database.replicas` is 2). Values are those of this provider version.",
        parameters: vec![Parameter {
            name: "environment",
            ty: Type::String,
            description: "`development`, `staging` or `production`.",
        }],
        returns: profile_object(Environment::Production).1,
        call: profile,
    }]
}

fn profile(args: &[Value]) -> Result<Value, CallError> {
    let given = args
        .first()
        .and_then(|v| decode::string(v).into_known())
        .unwrap_or_default();
    // Terraform ends the sentence itself ("Invalid value for \"environment\" parameter: ….").
    let env = Environment::parse(&given).ok_or_else(|| CallError {
        text: environment_hint(&given).trim_end_matches('.').to_string(),
        argument: Some(0),
    })?;
    Ok(profile_object(env).0)
}

/// A field of the result: its name, value and type, built together so they cannot disagree.
struct Field(&'static str, Value, Type);

fn num(name: &'static str, n: i64) -> Field {
    Field(name, Value::int(n), Type::Number)
}
fn flag(name: &'static str, b: bool) -> Field {
    Field(name, Value::Bool(b), Type::Bool)
}
fn text(name: &'static str, s: &str) -> Field {
    Field(name, Value::string(s), Type::String)
}
fn object(name: &'static str, fields: Vec<Field>) -> Field {
    let (v, t) = whole(fields);
    Field(name, v, t)
}
fn whole(fields: Vec<Field>) -> (Value, Type) {
    let ty = Type::object(fields.iter().map(|f| (f.0, f.2.clone())));
    let v = Value::Map(fields.into_iter().map(|f| (f.0.to_string(), f.1)).collect());
    (v, ty)
}

/// The profile of `env` as a value and its type.
fn profile_object(env: Environment) -> (Value, Type) {
    let (min, desired, max) = env.cluster_capacity();
    let (storage, max_storage) = env.db_storage_gib();
    let tiers = env.log_retention();
    whole(vec![
        text("environment", env.as_str()),
        num("log_retention_days", tiers.audit),
        object(
            "log_retention",
            vec![
                num("application", tiers.application),
                num("audit", tiers.audit),
                num("metrics", tiers.metrics),
            ],
        ),
        num(
            "kms_key_deletion_window_days",
            i64::from(env.key_deletion_window_days()),
        ),
        object(
            "network",
            vec![
                num("az_count", env.az_count()),
                flag("nat_per_az", env.nat_per_az()),
            ],
        ),
        object(
            "cluster",
            vec![
                num("min_size", min),
                num("desired_capacity", desired),
                num("max_size", max),
                num("min_size_floor", env.cluster_min_floor()),
                text("instance_type", env.cluster_instance_type()),
                num("root_volume_size", env.cluster_root_volume_gib()),
                flag(
                    "load_balancer_deletion_protection",
                    env.load_balancer_deletion_protection(),
                ),
            ],
        ),
        object(
            "database",
            vec![
                text("instance_class", env.db_instance_class()),
                num("allocated_storage", storage),
                num("max_allocated_storage", max_storage),
                num("replicas", env.db_replicas()),
                flag("multi_az", env.db_multi_az()),
                num("backup_retention_days", env.db_backup_retention_days()),
                num("backup_retention_floor", env.db_backup_retention_floor()),
                flag("deletion_protection", env.db_deletion_protection()),
                flag("final_snapshot", env.db_final_snapshot()),
                flag("audit_logging", env.db_audit_logging()),
                flag("enhanced_monitoring", env.db_monitoring()),
            ],
        ),
        object(
            "redis",
            vec![
                text("node_type", env.redis_node_type()),
                num("shards", env.redis_shards()),
                num("replicas_per_shard", env.redis_replicas_per_shard()),
                num("replicas_floor", env.redis_replicas_floor()),
                num(
                    "snapshot_retention_days",
                    env.redis_snapshot_retention_days(),
                ),
                num(
                    "snapshot_retention_floor",
                    env.redis_snapshot_retention_floor(),
                ),
                flag("deletion_protection", env.redis_deletion_protection()),
            ],
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_gives_the_table_the_resources_use() {
        struct Case {
            name: &'static str,
            env: &'static str,
            group: &'static str,
            field: &'static str,
            want: Value,
        }
        for c in [
            Case {
                name: "production keeps two database replicas",
                env: "production",
                group: "database",
                field: "replicas",
                want: Value::int(2),
            },
            Case {
                name: "development has none",
                env: "development",
                group: "database",
                field: "replicas",
                want: Value::int(0),
            },
            Case {
                name: "production NAT per zone",
                env: "production",
                group: "network",
                field: "nat_per_az",
                want: Value::Bool(true),
            },
            Case {
                name: "staging cluster floor",
                env: "staging",
                group: "cluster",
                field: "min_size_floor",
                want: Value::int(1),
            },
            Case {
                name: "production Redis keeps a replica at least",
                env: "production",
                group: "redis",
                field: "replicas_floor",
                want: Value::int(1),
            },
        ] {
            let v = profile(&[Value::string(c.env)]).unwrap();
            assert_eq!(v.get(c.group).get(c.field), &c.want, "{}", c.name);
        }
    }

    #[test]
    fn every_profile_has_the_declared_type_and_a_bad_name_blames_the_argument() {
        let ty = &all()[0].returns;
        for env in ["development", "staging", "production"] {
            let (v, t) = profile_object(Environment::parse(env).unwrap());
            assert_eq!(&t, ty, "{env}");
            assert_eq!(v.get("environment"), &Value::string(env));
        }
        let err = profile(&[Value::string("prod")]).unwrap_err();
        assert_eq!(err.argument, Some(0));
        assert!(err.text.contains("production"), "{}", err.text);
    }
}
