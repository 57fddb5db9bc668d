//! Unit tests of the Redis blueprint, validation and plan, per profile and mode.

use std::collections::BTreeMap;

use super::blueprint::{self as bp, Exposure, Facts};
use super::model::Config;
use super::plan::plan;
use super::validate::validate;
use crate::framework::decode::Tri;
use crate::framework::diag::Severity;
use crate::framework::{Number, Value};
use crate::provider::aws::Place;
use crate::provider::ec2::SubnetFacts;
use crate::provider::profile::Environment;
use crate::resources::datastore::PlanInput;

fn place() -> Place {
    Place {
        region: "us-east-1".into(),
        account: "123456789012".into(),
    }
}

fn subnets(zones: &[&str]) -> Vec<SubnetFacts> {
    zones
        .iter()
        .enumerate()
        .map(|(i, z)| SubnetFacts {
            id: format!("subnet-{i}"),
            vpc: "vpc-1".into(),
            zone: z.to_string(),
        })
        .collect()
}

fn config(extra: &[(&str, Value)]) -> Value {
    let mut m: BTreeMap<String, Value> = BTreeMap::new();
    m.insert("name".into(), Value::string("sessions"));
    m.insert("engine".into(), Value::string("valkey"));
    m.insert(
        "subnet_ids".into(),
        Value::string_list(["subnet-0", "subnet-1", "subnet-2"].map(String::from)),
    );
    m.insert(
        "allowed_security_group_ids".into(),
        Value::string_list(["sg-1".to_string()]),
    );
    for (k, v) in extra {
        m.insert(k.to_string(), v.clone());
    }
    Value::Map(m)
}

/// The known value `v`.
fn known(v: &str) -> Tri<String> {
    Tri::Known(v.to_string())
}

/// The known whole number `n`.
fn int(n: i64) -> Tri<Number> {
    Tri::Known(Number::Int(n))
}

fn planned(cfg: &Value, prior: &Value, env: Environment) -> crate::framework::resource::Planned {
    let zones = subnets(&["us-east-1a", "us-east-1b", "us-east-1c"]);
    plan(&PlanInput {
        config: cfg,
        prior,
        proposed: cfg,
        create_incomplete: false,
        default_env: env,
        log_defaults: Default::default(),
        default_tags: &BTreeMap::new(),
        place: Some(&place()),
        subnets: Some(&zones),
    })
}

#[test]
fn profiles_choose_the_defaults() {
    for (env, replicas, node, retention, guard) in [
        (Environment::Development, 0, "cache.t4g.small", 1, false),
        (Environment::Staging, 1, "cache.r6g.large", 3, true),
        (Environment::Production, 2, "cache.r6g.large", 7, true),
    ] {
        let p = planned(&config(&[]), &Value::Null, env);
        assert!(!p.diagnostics.has_errors(), "{env}: {:?}", p.diagnostics);
        let s = Config::decode(&p.state);
        assert_eq!(s.replicas_per_shard, int(replicas), "{env}");
        assert_eq!(s.node_type, known(node), "{env}");
        assert_eq!(s.snapshot_retention_days, int(retention));
        assert_eq!(s.deletion_protection, Tri::Known(guard));
        let rotation = if env == Environment::Development {
            0
        } else {
            90
        };
        assert_eq!(
            s.auth_token_rotation_days,
            int(rotation),
            "{env}: rotation days"
        );
        assert!(
            s.auth_token_rotated_at.is_unknown(),
            "{env}: known once made"
        );
        assert_eq!(s.shards, int(1));
        assert_eq!(s.engine_version, known("8.0"));
        assert_eq!(s.snapshot_window, known("02:00-03:00"));
        assert_eq!(s.configuration_endpoint, Tri::Null);
        assert_eq!(s.parameter_group_name, Tri::Null);
        let port = if env == Environment::Development {
            6379
        } else {
            6380
        };
        assert_eq!(
            s.port,
            int(port),
            "{env}: not the engine's port outside development"
        );
        let posture = s.posture.into_known().unwrap();
        let failover = posture.get("ElastiCache.3").unwrap();
        assert_eq!(failover == "pass", replicas > 0, "{env}: {failover}");
        for c in ["ElastiCache.4", "ElastiCache.5", "ElastiCache.6", "ingress"] {
            assert_eq!(posture.get(c).map(String::as_str), Some("pass"));
        }
    }
}

#[test]
fn redis_defaults_to_its_own_version_and_cluster_mode_has_only_a_configuration_endpoint() {
    let p = planned(
        &config(&[
            ("engine", Value::string("redis")),
            ("shards", Value::int(3)),
            (
                "parameters",
                Value::string_map([("maxmemory-policy", "allkeys-lru")]),
            ),
        ]),
        &Value::Null,
        Environment::Staging,
    );
    let s = Config::decode(&p.state);
    assert_eq!(s.engine_version, known("7.1"));
    assert_eq!(s.primary_endpoint, Tri::Null);
    assert_eq!(s.reader_endpoint, Tri::Null);
    assert!(s.configuration_endpoint.is_unknown());
    assert_eq!(s.parameter_group_name, known("sessions"));
    let comps = match s.components {
        Tri::Known(m) => m,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        comps.get("parameter_group"),
        Some(&known(
            "arn:aws:elasticache:us-east-1:123456789012:parametergroup:sessions"
        ))
    );
    assert!(comps.get("auth_secret").is_some_and(Tri::is_unknown));
}

#[test]
fn production_refuses_weakening_on_the_attribute() {
    for (attr, v) in [
        ("replicas_per_shard", Value::int(0)),
        ("snapshot_retention_days", Value::int(0)),
        ("port", Value::int(6379)),
        ("auth_token_rotation_days", Value::int(0)),
    ] {
        let p = planned(
            &config(&[(attr, v.clone())]),
            &Value::Null,
            Environment::Production,
        );
        let errs: Vec<_> = p
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert_eq!(errs.len(), 1, "{attr}");
        assert_eq!(
            errs[0].path.as_ref().map(|a| a.to_string()),
            Some(attr.to_string())
        );
        // The same values are fine in development.
        let p = planned(
            &config(&[(attr, v)]),
            &Value::Null,
            Environment::Development,
        );
        assert!(!p.diagnostics.has_errors(), "{attr}");
    }
    let one_zone = subnets(&["us-east-1a", "us-east-1a"]);
    let cfg = config(&[(
        "subnet_ids",
        Value::string_list(["subnet-0", "subnet-1"].map(String::from)),
    )]);
    let p = plan(&PlanInput {
        config: &cfg,
        prior: &Value::Null,
        proposed: &cfg,
        create_incomplete: false,
        default_env: Environment::Production,
        log_defaults: Default::default(),
        default_tags: &BTreeMap::new(),
        place: Some(&place()),
        subnets: Some(&one_zone),
    });
    assert!(p.diagnostics.has_errors());
}

#[test]
fn decommission_is_allowed_in_production() {
    let p = planned(
        &config(&[("deletion_protection", Value::Bool(false))]),
        &Value::Null,
        Environment::Production,
    );
    assert!(!p.diagnostics.has_errors());
}

#[test]
fn replacement_is_named_and_guarded() {
    let prior = planned(&config(&[]), &Value::Null, Environment::Production).state;
    let mut prior = prior;
    prior.set(
        "kms_key_arn",
        Value::string("arn:aws:kms:us-east-1:123456789012:key/k"),
    );
    prior.set(
        "components",
        Value::string_map([("kms_key", "arn:aws:kms:us-east-1:123456789012:key/k")]),
    );
    // In place: node type, replicas, retention.
    let p = planned(
        &config(&[
            ("node_type", Value::string("cache.r6g.xlarge")),
            ("replicas_per_shard", Value::int(3)),
        ]),
        &prior,
        Environment::Production,
    );
    assert!(p.requires_replace.is_empty());
    assert!(!p.diagnostics.has_errors());
    // Replacement: valkey → redis and cluster mode on, refused while guarded.
    let p = planned(
        &config(&[("engine", Value::string("redis"))]),
        &prior,
        Environment::Production,
    );
    assert_eq!(
        p.requires_replace
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>(),
        ["engine"]
    );
    assert!(p.diagnostics.has_errors());
    let p = planned(
        &config(&[("shards", Value::int(2))]),
        &prior,
        Environment::Production,
    );
    assert_eq!(
        p.requires_replace
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>(),
        ["shards"]
    );
    // Unguarded, the replacement plans.
    prior.set("deletion_protection", Value::Bool(false));
    let p = planned(
        &config(&[("shards", Value::int(2))]),
        &prior,
        Environment::Production,
    );
    assert!(!p.diagnostics.has_errors());
    // Port: ElastiCache cannot move a group; a group that exists keeps the port it has.
    struct Case {
        name: &'static str,
        prior_port: i64,
        port: Option<i64>,
        planned: i64,
        replaced: bool,
    }
    for c in [
        Case {
            name: "unset keeps the engine's port of an existing group",
            prior_port: 6379,
            port: None,
            planned: 6379,
            replaced: false,
        },
        Case {
            name: "unset keeps a moved port",
            prior_port: 6380,
            port: None,
            planned: 6380,
            replaced: false,
        },
        Case {
            name: "configured as it is",
            prior_port: 6380,
            port: Some(6380),
            planned: 6380,
            replaced: false,
        },
        Case {
            name: "a new port replaces",
            prior_port: 6380,
            port: Some(7000),
            planned: 7000,
            replaced: true,
        },
    ] {
        let mut existing = prior.clone();
        existing.set("port", Value::int(c.prior_port));
        let extra: Vec<(&str, Value)> = c
            .port
            .map(|p| ("port", Value::int(p)))
            .into_iter()
            .collect();
        let p = planned(&config(&extra), &existing, Environment::Production);
        assert_eq!(Config::decode(&p.state).port, int(c.planned), "{}", c.name);
        let replaced: Vec<String> = p.requires_replace.iter().map(|a| a.to_string()).collect();
        assert_eq!(replaced == ["port"], c.replaced, "{}: {replaced:?}", c.name);
    }
    // The generated token: rotated when older than auth_token_rotation_days, with a warning.
    for (name, changed, rotates) in [
        ("a token changed long ago", "2001-01-01T00:00:00Z", true),
        (
            "a token changed in the far future is young",
            "2999-01-01T00:00:00Z",
            false,
        ),
    ] {
        let mut existing = prior.clone();
        existing.set("auth_token_rotated_at", Value::string(changed));
        existing.set("auth_token_rotation_days", Value::int(90));
        let p = planned(&config(&[]), &existing, Environment::Production);
        let s = Config::decode(&p.state);
        assert_eq!(s.auth_token_rotated_at.is_unknown(), rotates, "{name}");
        assert_eq!(
            p.diagnostics
                .iter()
                .any(|d| d.summary == "The AUTH token is due for rotation"
                    && d.path
                        == Some(crate::framework::AttrPath::attr("auth_token_rotation_days"))),
            rotates,
            "{name}: {:?}",
            p.diagnostics
        );
        assert!(p.requires_replace.is_empty(), "{name}: in place");
    }
    // Downgrades are refused.
    let p = planned(
        &config(&[("engine_version", Value::string("7.2"))]),
        &prior,
        Environment::Production,
    );
    assert!(p.diagnostics.has_errors());
}

#[test]
fn validation_names_the_attribute() {
    for (attr, v) in [
        ("name", Value::string("Sessions")),
        ("name", Value::string("a".repeat(41))),
        ("engine", Value::string("memcached")),
        ("engine_version", Value::string("8")),
        ("node_type", Value::string("r6g.large")),
        ("replicas_per_shard", Value::int(6)),
        ("shards", Value::int(0)),
        ("snapshot_retention_days", Value::int(36)),
        ("snapshot_window", Value::string("2am")),
        ("maintenance_window", Value::string("03:30-04:30")),
        ("kms_key_arn", Value::string("alias/x")),
        ("port", Value::int(80)),
        ("auth_token_rotation_days", Value::int(366)),
    ] {
        let d = validate(&config(&[(attr, v)]));
        let errs: Vec<_> = d.iter().filter(|d| d.severity == Severity::Error).collect();
        assert_eq!(errs.len(), 1, "{attr}: {d:?}");
        assert_eq!(
            errs[0].path.as_ref().map(|a| a.to_string()),
            Some(attr.to_string())
        );
    }
    let d = validate(&config(&[(
        "parameters",
        Value::string_map([("cluster-enabled", "yes")]),
    )]));
    assert!(d.has_errors());
}

#[test]
fn posture_reports_weakening() {
    for (env, port, want) in [
        (Environment::Production, Some(6380), "pass"),
        (Environment::Production, None, "pass"),
        (Environment::Development, Some(6379), "fail: the engine's default port 6379 (relaxed by development profile)"),
        (Environment::Production, Some(6379), "fail: the engine's default port 6379; set `port` (e.g. 6380) on a new group to move it"),
    ] {
        let f = bp::planned_facts(env, 7, 2, true, port);
        assert_eq!(bp::posture(env, &f)["port"], want, "{env} {port:?}");
    }
    let ok = bp::planned_facts(Environment::Production, 7, 2, true, Some(6380));
    assert!(bp::posture(Environment::Production, &ok)
        .values()
        .all(|v| v == "pass"));
    let f = Facts {
        automatic_failover: false,
        ..ok.clone()
    };
    assert_eq!(
        bp::posture(Environment::Production, &f)["ElastiCache.3"],
        "fail: automatic failover is off"
    );
    let f = Facts {
        multi_az: false,
        ..ok.clone()
    };
    assert_eq!(
        bp::posture(Environment::Production, &f)["ElastiCache.3"],
        "fail: Multi-AZ is off"
    );
    let f = Facts {
        exposure: Exposure {
            ingress: Some("tcp 22".into()),
            ..ok.exposure.clone()
        },
        ..ok.clone()
    };
    assert!(bp::posture(Environment::Production, &f)["ingress"].starts_with("fail: "));
    let f = Facts {
        exposure: Exposure {
            key_rotation: None,
            ..ok.exposure.clone()
        },
        ..ok
    };
    assert!(!bp::posture(Environment::Production, &f).contains_key("KMS.4"));
}

#[test]
fn nodes_spread_across_zones() {
    let z: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
    assert_eq!(
        bp::node_zones(&z, 1, 2),
        vec![("a".to_string(), vec!["b".to_string(), "c".to_string()])]
    );
    let three = bp::node_zones(&z, 3, 1);
    assert_eq!(
        three.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
        ["a", "b", "c"]
    );
    assert!(three.iter().all(|(p, r)| !r.contains(p)));
    assert_eq!(
        bp::default_parameter_group("valkey", "8.0", true),
        "default.valkey8.cluster.on"
    );
    assert_eq!(
        bp::default_parameter_group("redis", "7.1", false),
        "default.redis7"
    );
    assert!(bp::version_less("7.2", "7.10"));
    assert!(bp::version_matches("7.1", "7.1.0"));
    assert!(!bp::version_matches("7.1", "7.10.0"));
}

#[test]
fn auth_token_wo_is_checked_as_elasticache_does_without_repeating_it() {
    let good = "Str0ng-token&with#allowed$chars";
    let version = ("auth_token_wo_version", Value::int(1));
    // (case, token, version given, the attribute an error is on, what the detail says)
    let long = "a".repeat(129);
    let cases = [
        ("a good token and its version", Some(good), true, None, ""),
        ("neither", None, false, None, ""),
        (
            "15 characters",
            Some("abcdefghijklmno"),
            true,
            Some("auth_token_wo"),
            "has 15 characters",
        ),
        (
            "129 characters",
            Some(long.as_str()),
            true,
            Some("auth_token_wo"),
            "has 129 characters",
        ),
        (
            "an @",
            Some("abcdefghijklmnop@"),
            true,
            Some("auth_token_wo"),
            "`@`",
        ),
        (
            "a quote",
            Some("abcdefghijklmnop\""),
            true,
            Some("auth_token_wo"),
            "`\"`",
        ),
        (
            "a slash",
            Some("abcdefghijklmnop/"),
            true,
            Some("auth_token_wo"),
            "`/`",
        ),
        (
            "a space",
            Some("abcdefgh ijklmnop"),
            true,
            Some("auth_token_wo"),
            "a space",
        ),
        (
            "a token without a version",
            Some(good),
            false,
            Some("auth_token_wo_version"),
            "Set auth_token_wo_version = 1",
        ),
        (
            "a version without a token",
            None,
            true,
            Some("auth_token_wo_version"),
            "Set auth_token_wo too",
        ),
    ];
    for (case, token, with_version, attr, says) in cases {
        let mut extra = Vec::new();
        if let Some(t) = token {
            extra.push(("auth_token_wo", Value::string(t)));
        }
        if with_version {
            extra.push(version.clone());
        }
        let d = validate(&config(&extra));
        let errs: Vec<_> = d.iter().filter(|d| d.severity == Severity::Error).collect();
        match attr {
            None => assert!(errs.is_empty(), "{case}: {d:?}"),
            Some(attr) => {
                assert_eq!(errs.len(), 1, "{case}: {d:?}");
                assert_eq!(
                    errs[0].path.as_ref().map(|a| a.to_string()).as_deref(),
                    Some(attr),
                    "{case}"
                );
                assert!(errs[0].detail.contains(says), "{case}: {}", errs[0].detail);
                if let Some(t) = token {
                    assert!(!errs[0].detail.contains(t), "{case}: the token is repeated");
                }
            }
        }
    }
    let d = validate(&config(&[
        ("auth_token_wo", Value::string(good)),
        ("auth_token_wo_version", Value::Number(Number::Float(1.5))),
    ]));
    assert!(d.has_errors(), "a version that is not whole: {d:?}");
    // Unknown (an ephemeral value during validate) is neither checked nor missing.
    let d = validate(&config(&[
        ("auth_token_wo", Value::unknown()),
        ("auth_token_wo_version", Value::int(1)),
    ]));
    assert!(!d.has_errors(), "{d:?}");
}

#[test]
fn auth_token_wo_is_never_planned_and_its_version_is() {
    let cfg = config(&[
        ("auth_token_wo", Value::string("Str0ng-token-0123456789")),
        ("auth_token_wo_version", Value::int(2)),
    ]);
    for env in [Environment::Development, Environment::Production] {
        let p = planned(&cfg, &Value::Null, env);
        let s = Config::decode(&p.state);
        assert!(s.auth_token_wo.is_null(), "{env:?}");
        assert_eq!(s.auth_token_wo_version.whole(), Tri::Known(2));
        // Production keeps its floors with a token brought from outside.
        assert!(!p.diagnostics.has_errors(), "{env:?}: {:?}", p.diagnostics);
    }
    let schema = super::schema::schema();
    let a = schema.block.attribute("auth_token_wo").unwrap();
    assert!(a.write_only && a.sensitive && a.optional && !a.computed);
    let v = schema.block.attribute("auth_token_wo_version").unwrap();
    assert!(!v.write_only && v.optional && !v.computed);
    assert!(schema.block.internal_problems("").is_empty());
}

#[test]
fn watch_names_the_members_once_they_are_known() {
    let p = planned(&config(&[]), &Value::Null, Environment::Production);
    let w = crate::resources::redis::model::Config::decode(&p.state)
        .watch
        .into_known()
        .unwrap();
    assert_eq!(w["kind"], Tri::Known("redis".to_string()));
    assert_eq!(w["name"], Tri::Known("sessions".to_string()));
    assert!(w["members"].is_unknown(), "nodes not made yet");
}
