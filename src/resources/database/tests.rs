//! Plan and validation of `prod_database_ha`, per profile and engine, without AWS.

use std::collections::BTreeMap;

use super::blueprint as bp;
use super::model::Config;
use super::plan::{plan, roles};
use super::validate::validate;
use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Number, Value};
use crate::provider::aws::Place;
use crate::provider::ec2::SubnetFacts;
use crate::provider::profile::Environment;
use crate::resources::datastore::PlanInput;

const NULLABLE: [&str; 18] = [
    "engine_version",
    "instance_class",
    "allocated_storage",
    "max_allocated_storage",
    "replicas",
    "multi_az",
    "backup_retention_days",
    "backup_window",
    "maintenance_window",
    "deletion_protection",
    "final_snapshot",
    "kms_key_arn",
    "master_username",
    "parameters",
    "port",
    "environment",
    "tags",
    "timeouts",
];

fn config(engine: &str, extra: Vec<(&str, Value)>) -> Value {
    let mut m: BTreeMap<String, Value> = NULLABLE
        .iter()
        .map(|k| (k.to_string(), Value::Null))
        .collect();
    m.insert("name".into(), Value::string("pay"));
    m.insert("engine".into(), Value::string(engine));
    m.insert(
        "subnet_ids".into(),
        Value::string_list(["subnet-a", "subnet-b", "subnet-c"]),
    );
    m.insert(
        "allowed_security_group_ids".into(),
        Value::string_list(["sg-app"]),
    );
    for (k, v) in extra {
        m.insert(k.into(), v);
    }
    Value::Map(m)
}

fn place() -> Place {
    Place {
        region: "us-east-1".into(),
        account: "123456789012".into(),
    }
}

fn subnets() -> Vec<SubnetFacts> {
    ["a", "b", "c"]
        .iter()
        .map(|z| SubnetFacts {
            id: format!("subnet-{z}"),
            vpc: "vpc-1".into(),
            zone: format!("us-east-1{z}"),
        })
        .collect()
}

fn run(cfg: &Value, prior: &Value, env: Environment) -> crate::framework::resource::Planned {
    plan(&PlanInput {
        config: cfg,
        prior,
        proposed: cfg,
        create_incomplete: false,
        default_env: env,
        log_defaults: Default::default(),
        default_tags: &BTreeMap::new(),
        place: Some(&place()),
        subnets: Some(&subnets()),
    })
}

#[test]
fn profile_and_engine_decide_the_defaults() {
    for engine in ["postgres", "mysql"] {
        for (env, class, storage, replicas, retention, multi_az, protect) in [
            (
                Environment::Development,
                "db.t4g.medium",
                (20, 100),
                0,
                1,
                false,
                false,
            ),
            (
                Environment::Staging,
                "db.r6g.large",
                (50, 500),
                1,
                7,
                true,
                true,
            ),
            (
                Environment::Production,
                "db.r6g.large",
                (100, 1000),
                2,
                30,
                true,
                true,
            ),
        ] {
            let p = run(&config(engine, vec![]), &Value::Null, env);
            assert!(
                !p.diagnostics.has_errors(),
                "{engine} {env}: {:?}",
                p.diagnostics
            );
            let s = Config::decode(&p.state);
            assert_eq!(s.instance_class, known(class));
            assert_eq!(
                (s.allocated_storage, s.max_allocated_storage),
                (int(storage.0), int(storage.1))
            );
            assert_eq!(s.replicas, int(replicas));
            assert_eq!(s.backup_retention_days, int(retention));
            assert_eq!(s.multi_az, Tri::Known(multi_az));
            assert_eq!(s.deletion_protection, Tri::Known(protect));
            assert_eq!(s.backup_window, known("02:00-03:00"));
            assert_eq!(s.master_username, known("app_admin"));
            let version = if engine == "postgres" { "16" } else { "8.0" };
            assert_eq!(s.engine_version, known(version));
            let engine_port = if engine == "postgres" { 5432 } else { 3306 };
            let moved = usize::from(env != Environment::Development);
            assert_eq!(
                s.port,
                int(engine_port + moved as i64),
                "{engine} {env}: RDS.23"
            );
            assert_eq!(s.audit_logging, Tri::Known(env.db_audit_logging()));
            let c = s.components.into_known().unwrap_or_default();
            // MySQL audits through an option group of its own.
            let audit_group = engine == "mysql" && env.db_audit_logging();
            // And a group per instance and exported log.
            let groups = bp::log_groups(engine, "pay", replicas as usize, env.db_audit_logging());
            assert_eq!(
                c.len(),
                roles(env, replicas, true, false, audit_group).len()
                    + groups.len()
                    + if env.db_pooling() { 3 } else { 0 }
                    + if env == Environment::Production {
                        crate::resources::database::restore_check::COMPONENTS.len()
                    } else {
                        0
                    },
                "{engine} {env}"
            );
            // Pooling outside development: the proxy, its role and group, and posture `pooling`.
            for role in ["proxy", "proxy_role", "proxy_security_group"] {
                assert_eq!(
                    c.contains_key(role),
                    env.db_pooling(),
                    "{engine} {env}: {role}"
                );
            }
            let posture = s.posture.into_known().unwrap_or_default();
            assert_eq!(
                posture.get("pooling").cloned(),
                env.db_pooling().then(|| "pass".to_string()),
                "{engine} {env}: posture pooling"
            );
            assert_eq!(
                c.get(&groups[0].component),
                Some(&known(&format!(
                    "arn:aws:logs:us-east-1:123456789012:log-group:{}",
                    groups[0].name
                ))),
                "{engine} {env}"
            );
            assert_eq!(
                c.get("option_group"),
                audit_group
                    .then(|| known("arn:aws:rds:us-east-1:123456789012:og:pay-audit-mysql8-0"))
                    .as_ref(),
                "{engine} {env}"
            );
            assert_eq!(
                c["primary"],
                known("arn:aws:rds:us-east-1:123456789012:db:pay")
            );
            let ids = s.instance_ids.known().map(|l| l.len()).unwrap_or(0);
            assert_eq!(ids as i64, 1 + replicas);
        }
    }
}

#[test]
fn production_refuses_weakening_on_the_attribute() {
    for (attr, v) in [
        ("backup_retention_days", Value::int(3)),
        ("multi_az", Value::Bool(false)),
        ("final_snapshot", Value::Bool(false)),
        ("audit_logging", Value::Bool(false)),
        ("port", Value::int(5432)),
    ] {
        let p = run(
            &config("postgres", vec![(attr, v.clone())]),
            &Value::Null,
            Environment::Production,
        );
        assert!(
            p.diagnostics
                .iter()
                .any(|d| d.path == Some(AttrPath::attr(attr))),
            "{attr}"
        );
        assert!(!run(
            &config("postgres", vec![(attr, v)]),
            &Value::Null,
            Environment::Development
        )
        .diagnostics
        .has_errors());
    }
    // Decommission is allowed everywhere.
    let p = run(
        &config(
            "postgres",
            vec![("deletion_protection", Value::Bool(false))],
        ),
        &Value::Null,
        Environment::Production,
    );
    assert!(!p.diagnostics.has_errors());
    let posture = Config::decode(&p.state)
        .posture
        .into_known()
        .unwrap_or_default();
    assert_eq!(
        posture["RDS.8"],
        "fail: deletion protection off (decommission)"
    );
}

/// The known value `v`.
fn known(v: &str) -> Tri<String> {
    Tri::Known(v.to_string())
}

/// The known whole number `n`.
fn int(n: i64) -> Tri<Number> {
    Tri::Known(Number::Int(n))
}

fn applied(env: Environment) -> Value {
    let planned = run(&config("postgres", vec![]), &Value::Null, env).state;
    let mut s = Config::decode(&planned);
    let comps: BTreeMap<String, Tri<String>> = s
        .components
        .into_known()
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| {
            let id = v.into_known().unwrap_or_else(|| format!("id-{k}"));
            (k, Tri::Known(id))
        })
        .collect();
    s.kms_key_arn = comps["kms_key"].clone();
    s.security_group_id = comps["security_group"].clone();
    s.components = Tri::Known(comps);
    s.endpoint = known("x-endpoint");
    s.master_secret_arn = known("x-master_secret_arn");
    s.engine_version_actual = known("x-engine_version_actual");
    s.reader_endpoint = known("x-reader_endpoint");
    s.replica_endpoints = Tri::Known(vec!["a".to_string(), "b".to_string()]);
    if env.db_pooling() {
        s.proxy_endpoint = known("x-proxy_endpoint");
    }
    let mut v = s.encode();
    v.set("id", Value::string("pay"));
    v
}

#[test]
fn unchanged_configuration_plans_the_prior_state() {
    // Development's state is also what a database made before pooling existed holds: no proxy
    // keys in `watch`, no posture `pooling`, no proxy components.
    for env in [
        Environment::Development,
        Environment::Staging,
        Environment::Production,
    ] {
        let prior = applied(env);
        let p = run(&config("postgres", vec![]), &prior, env);
        assert!(
            p.requires_replace.is_empty() && !p.diagnostics.has_errors(),
            "{env}"
        );
        assert_eq!(p.state, prior, "{env}");
        let s = Config::decode(&p.state);
        let watch = s.watch.into_known().unwrap_or_default();
        assert_eq!(watch.contains_key("proxy"), env.db_pooling(), "{env}");
    }
}

#[test]
fn aurora_with_readers_plans_a_read_only_proxy_endpoint_and_without_none() {
    for (replicas, reader) in [(2, true), (0, false)] {
        let p = run(
            &config(
                "aurora-postgresql",
                vec![
                    ("replicas", Value::Number(Number::Int(replicas))),
                    ("multi_az", Value::Bool(replicas > 0)),
                ],
            ),
            &Value::Null,
            Environment::Staging,
        );
        assert!(!p.diagnostics.has_errors(), "{:?}", p.diagnostics);
        let s = Config::decode(&p.state);
        let c = s.components.into_known().unwrap_or_default();
        assert_eq!(c.contains_key("proxy_reader"), reader, "{replicas} readers");
        assert_eq!(
            s.proxy_reader_endpoint.is_null(),
            !reader,
            "{replicas} readers"
        );
        assert!(s.proxy_endpoint.is_unknown());
    }
}

#[test]
fn replacement_is_refused_while_protected() {
    let prior = applied(Environment::Production);
    let p = run(&config("mysql", vec![]), &prior, Environment::Production);
    assert_eq!(p.requires_replace, vec![AttrPath::attr("engine")]);
    let guard = p
        .diagnostics
        .iter()
        .find(|d| d.summary.contains("protected"))
        .expect("guard");
    assert_eq!(guard.path, Some(AttrPath::attr("engine")));
    assert!(guard.detail.contains("deletion_protection = false"));
    let mut open = prior.clone();
    open.set("deletion_protection", Value::Bool(false));
    let p = run(
        &config("mysql", vec![("deletion_protection", Value::Bool(false))]),
        &open,
        Environment::Production,
    );
    assert!(
        !p.diagnostics.has_errors(),
        "decommissioned: replacement allowed"
    );
    let incomplete = plan(&PlanInput {
        config: &config("mysql", vec![]),
        prior: &prior,
        proposed: &config("mysql", vec![]),
        create_incomplete: true,
        default_env: Environment::Production,
        log_defaults: Default::default(),
        default_tags: &BTreeMap::new(),
        place: Some(&place()),
        subnets: Some(&subnets()),
    });
    assert!(
        !incomplete.diagnostics.has_errors(),
        "a create that never finished holds no data"
    );
}

#[test]
fn in_place_changes_and_what_they_leave_unknown() {
    let prior = applied(Environment::Production);
    let p = run(
        &config(
            "postgres",
            vec![
                ("replicas", Value::int(3)),
                ("instance_class", Value::string("db.r6g.xlarge")),
            ],
        ),
        &prior,
        Environment::Production,
    );
    assert!(p.requires_replace.is_empty());
    let s = Config::decode(&p.state);
    assert_eq!(
        s.endpoint,
        Config::decode(&prior).endpoint,
        "the writer endpoint stays"
    );
    assert!(s.replica_endpoints.is_unknown());
    let p = run(
        &config("postgres", vec![("allocated_storage", Value::int(50))]),
        &prior,
        Environment::Production,
    );
    assert!(p
        .diagnostics
        .iter()
        .any(|d| d.summary == "Storage cannot shrink"));
}

#[test]
fn port_is_the_profiles_for_a_new_database_and_kept_for_one_that_exists() {
    struct Case {
        name: &'static str,
        env: Environment,
        port: Option<i64>,
        /// The prior's `port` and endpoint (`None`: a create).
        prior: Option<(i64, &'static str)>,
        planned: i64,
        endpoint_kept: bool,
        warning: Option<&'static str>,
    }
    let cases = [
        Case {
            name: "new in production",
            env: Environment::Production,
            port: None,
            prior: None,
            planned: 5433,
            endpoint_kept: false,
            warning: None,
        },
        Case {
            name: "new in development",
            env: Environment::Development,
            port: None,
            prior: None,
            planned: 5432,
            endpoint_kept: false,
            warning: None,
        },
        Case {
            name: "configured",
            env: Environment::Production,
            port: Some(6000),
            prior: None,
            planned: 6000,
            endpoint_kept: false,
            warning: None,
        },
        Case {
            name: "existing on the engine's port keeps it",
            env: Environment::Production,
            port: None,
            prior: Some((5432, "pay.rds:5432")),
            planned: 5432,
            endpoint_kept: true,
            warning: None,
        },
        Case {
            name: "a configured move",
            env: Environment::Production,
            port: Some(6000),
            prior: Some((5433, "pay.rds:5433")),
            planned: 6000,
            endpoint_kept: false,
            warning: Some("port 5433 → 6000."),
        },
        Case {
            name: "moved outside Terraform goes back",
            env: Environment::Production,
            port: None,
            prior: Some((5433, "pay.rds:5432")),
            planned: 5433,
            endpoint_kept: false,
            warning: Some("changed outside Terraform"),
        },
    ];
    for c in cases {
        let extra = c
            .port
            .map(|p| vec![("port", Value::int(p))])
            .unwrap_or_default();
        let prior = match c.prior {
            Some((port, endpoint)) => {
                let mut v = applied(c.env);
                v.set("port", Value::int(port));
                v.set("endpoint", Value::string(endpoint));
                v.set(
                    "replica_endpoints",
                    Value::string_list(Vec::<String>::new()),
                );
                v
            }
            None => Value::Null,
        };
        let p = run(&config("postgres", extra), &prior, c.env);
        assert!(
            !p.diagnostics.has_errors(),
            "{}: {:?}",
            c.name,
            p.diagnostics
        );
        let s = Config::decode(&p.state);
        assert_eq!(s.port, int(c.planned), "{}", c.name);
        assert_eq!(!s.endpoint.is_unknown(), c.endpoint_kept, "{}", c.name);
        let warning = p
            .diagnostics
            .iter()
            .find(|d| d.path == Some(AttrPath::attr("port")));
        match c.warning {
            Some(w) => assert!(
                warning.is_some_and(|d| d.detail.contains(w)),
                "{}: {:?}",
                c.name,
                p.diagnostics
            ),
            None => assert!(warning.is_none(), "{}: {:?}", c.name, p.diagnostics),
        }
        if c.name.starts_with("existing") {
            // Refresh reads RDS.23 failing before this plan; nothing else moves.
            let mut refreshed = Config::decode(&prior);
            refreshed.posture = s.posture.clone();
            assert_eq!(s, refreshed, "{}: no diff", c.name);
            let posture = s.posture.known().cloned().unwrap_or_default();
            assert!(
                posture["RDS.23"].starts_with("fail: the engine's default port 5432"),
                "{}",
                c.name
            );
        }
    }
}

#[test]
fn validation_names_the_attribute() {
    let bad = [
        ("name", Value::string("9lives")),
        ("engine", Value::string("oracle")),
        ("subnet_ids", Value::string_list(["vpc-1"])),
        ("allowed_security_group_ids", Value::string_list(["app"])),
        ("engine_version", Value::string("sixteen")),
        ("instance_class", Value::string("r6g.large")),
        ("allocated_storage", Value::int(5)),
        ("replicas", Value::int(9)),
        ("backup_retention_days", Value::int(0)),
        ("backup_window", Value::string("2am")),
        ("maintenance_window", Value::string("03:30-04:30")),
        ("master_username", Value::string("postgres")),
        ("kms_key_arn", Value::string("alias/x")),
        ("parameters", Value::string_map([("rds.force_ssl", "0")])),
        ("port", Value::int(80)),
    ];
    for (attr, v) in bad {
        let d = validate(&config("postgres", vec![(attr, v)]));
        assert!(
            d.iter().any(|x| x
                .path
                .as_ref()
                .is_some_and(|p| p.to_string().starts_with(attr))),
            "{attr}: {d:?}"
        );
    }
    let d = validate(&config(
        "mysql",
        vec![(
            "parameters",
            Value::string_map([("require_secure_transport", "OFF")]),
        )],
    ));
    assert!(d.has_errors());
    assert!(!validate(&config("postgres", vec![])).has_errors());
}

#[test]
fn parameters_narrowing_audit_are_refused_while_it_is_on() {
    let cases = [
        ("postgres", "pgaudit.log", "ddl", true, true),
        ("aurora-postgresql", "pgaudit.log", "none", true, true),
        ("aurora-mysql", "server_audit_logging", "0", true, true),
        ("postgres", "pgaudit.log", "all", true, false),
        ("postgres", "pgaudit.log", "ddl", false, false),
    ];
    for (engine, key, value, audit, refused) in cases {
        let d = validate(&config(
            engine,
            vec![
                ("parameters", Value::string_map([(key, value)])),
                ("audit_logging", Value::Bool(audit)),
            ],
        ));
        let named = d.iter().any(|x| {
            x.path.as_ref().map(ToString::to_string).as_deref()
                == Some(&format!("parameters[\"{key}\"]"))
        });
        assert_eq!(
            named, refused,
            "{engine} {key}={value} audit={audit}: {d:?}"
        );
    }
}

#[test]
fn aurora_plans_a_cluster_with_a_writer_and_readers() {
    let p = run(
        &config("aurora-postgresql", vec![]),
        &Value::Null,
        Environment::Production,
    );
    assert!(!p.diagnostics.has_errors(), "{:?}", p.diagnostics);
    let s = Config::decode(&p.state);
    assert_eq!(
        (&s.allocated_storage, &s.max_allocated_storage),
        (&int(0), &int(0))
    );
    assert_eq!(s.multi_az, Tri::Known(true), "readers in other zones");
    assert_eq!(s.port, int(5433), "not the engine's port in production");
    assert_eq!(s.parameter_group_name, known("pay-aurora-postgresql16"));
    let c = s.components.known().cloned().unwrap_or_default();
    assert_eq!(
        c["cluster"],
        known("arn:aws:rds:us-east-1:123456789012:cluster:pay")
    );
    assert_eq!(
        c["writer"],
        known("arn:aws:rds:us-east-1:123456789012:db:pay-writer")
    );
    assert!(!c.contains_key("primary"));
    assert_eq!(
        s.instance_ids,
        Tri::Known(
            ["pay-writer", "pay-replica-1", "pay-replica-2"]
                .map(String::from)
                .to_vec()
        )
    );
    // Multi-AZ is the readers: a production cluster without one is refused on replicas.
    let p = run(
        &config("aurora-mysql", vec![("replicas", Value::int(0))]),
        &Value::Null,
        Environment::Production,
    );
    assert!(
        p.diagnostics
            .iter()
            .any(|d| d.path == Some(AttrPath::attr("replicas"))),
        "{:?}",
        p.diagnostics
    );
    let p = run(
        &config(
            "aurora-mysql",
            vec![("replicas", Value::int(0)), ("multi_az", Value::Bool(true))],
        ),
        &Value::Null,
        Environment::Development,
    );
    assert!(p
        .diagnostics
        .iter()
        .any(|d| d.summary == "Aurora's Multi-AZ is its readers"));
    let d = validate(&config(
        "aurora-postgresql",
        vec![("allocated_storage", Value::int(100))],
    ));
    assert!(d
        .iter()
        .any(|x| x.path == Some(AttrPath::attr("allocated_storage"))));
}

#[test]
fn automated_backups_are_kept_with_a_final_snapshot_unless_told_otherwise() {
    struct Case {
        name: &'static str,
        env: Environment,
        given: Vec<(&'static str, Value)>,
        want: bool,
    }
    for c in [
        Case {
            name: "development: no final snapshot, no backups kept",
            env: Environment::Development,
            given: vec![],
            want: false,
        },
        Case {
            name: "production: kept beside the final snapshot",
            env: Environment::Production,
            given: vec![],
            want: true,
        },
        Case {
            name: "staging, told not to keep them",
            env: Environment::Staging,
            given: vec![("retain_automated_backups", Value::Bool(false))],
            want: false,
        },
        Case {
            name: "development, told to keep them",
            env: Environment::Development,
            given: vec![("retain_automated_backups", Value::Bool(true))],
            want: true,
        },
    ] {
        let p = run(&config("postgres", c.given), &Value::Null, c.env);
        assert!(
            !p.diagnostics.has_errors(),
            "{}: {:?}",
            c.name,
            p.diagnostics
        );
        assert_eq!(
            Config::decode(&p.state).retain_automated_backups,
            Tri::Known(c.want),
            "{}",
            c.name
        );
    }
}

#[test]
fn watch_is_as_configured() {
    let conns = |v: &str| {
        (
            "parameters",
            Value::string_map([("max_connections", v.to_string())]),
        )
    };
    let cases = [
        (
            "postgres, configured",
            "postgres",
            vec![conns("100")],
            "pay",
            "100",
            "pay-replica-1,pay-replica-2",
        ),
        (
            "postgres, the formula",
            "postgres",
            vec![],
            "pay",
            "1802",
            "pay-replica-1,pay-replica-2",
        ),
        (
            "aurora, configured",
            "aurora-postgresql",
            vec![conns("100")],
            "pay-writer",
            "100",
            "",
        ),
    ];
    for (case, engine, extra, instance, max, replicas) in cases {
        let p = run(
            &config(engine, extra),
            &Value::Null,
            Environment::Production,
        );
        let w = crate::resources::database::model::Config::decode(&p.state)
            .watch
            .into_known()
            .unwrap();
        let known = |k: &str| w[k].known().cloned().unwrap_or_default();
        assert_eq!(known("kind"), "database", "{case}");
        assert_eq!(known("name"), "pay", "{case}");
        assert_eq!(known("instance"), instance, "{case}");
        assert_eq!(known("max_connections"), max, "{case}");
        assert_eq!(known("replicas"), replicas, "{case}");
        assert_eq!(known("instance_class"), "db.r6g.large", "{case}");
    }
}

#[test]
fn a_new_database_is_not_named_as_a_replica_is() {
    let cfg = config(
        "postgres",
        vec![("name", Value::string("ledger-replica-1"))],
    );
    let p = run(&cfg, &Value::Null, Environment::Production);
    let e = p.diagnostics.iter().next().expect("refused");
    assert_eq!(
        (e.path.as_ref().map(|p| p.to_string()), e.summary.as_str()),
        (Some("name".to_string()), "A replica's name")
    );
    // One that exists keeps its name.
    let kept = run(&cfg, &cfg, Environment::Production);
    assert!(
        !kept
            .diagnostics
            .iter()
            .any(|d| d.summary == "A replica's name"),
        "{:?}",
        kept.diagnostics
    );
}

/// A `recovery` block naming only a second region.
fn second_region(region: &str) -> Value {
    let mut m = BTreeMap::new();
    m.insert("rpo".to_string(), Value::Null);
    m.insert("rto".to_string(), Value::Null);
    m.insert("region".to_string(), Value::string(region));
    Value::Map(m)
}

#[test]
fn a_second_region_plans_aws_backups_copies_there_for_both_engines() {
    struct Case {
        name: &'static str,
        engine: &'static str,
        env: Environment,
        days: Option<i64>,
        want_days: i64,
        regional_loss: &'static str,
    }
    let cases = [
        Case {
            name: "production postgres: 90 days there, beside the replication",
            engine: "postgres",
            env: Environment::Production,
            days: None,
            want_days: 90,
            regional_loss: "point-in-time restore in us-west-2 from the replicated backups (within 30 day(s)), or from a daily copy (kept 90 day(s)): ≈ 45m",
        },
        Case {
            name: "staging Aurora: as long as here, copies only",
            engine: "aurora-postgresql",
            env: Environment::Staging,
            days: None,
            want_days: 7,
            regional_loss: "a restore in us-west-2 from the latest daily copy (kept 7 day(s); up to a day of changes lost): ≈ 45m",
        },
        Case {
            name: "development Aurora, stated",
            engine: "aurora-mysql",
            env: Environment::Development,
            days: Some(30),
            want_days: 30,
            regional_loss: "a restore in us-west-2 from the latest daily copy (kept 30 day(s); up to a day of changes lost): ≈ 45m",
        },
    ];
    for c in cases {
        let mut extra = vec![("recovery", second_region("us-west-2"))];
        if let Some(d) = c.days {
            extra.push(("remote_retention_days", Value::Number(Number::Int(d))));
        }
        let p = run(&config(c.engine, extra), &Value::Null, c.env);
        assert!(
            !p.diagnostics.has_errors(),
            "{}: {:?}",
            c.name,
            p.diagnostics
        );
        let s = Config::decode(&p.state);
        assert_eq!(s.remote_retention_days, int(c.want_days), "{}", c.name);
        let plan = s.recovery_plan.into_known().unwrap_or_default();
        assert_eq!(
            plan.get("regional_loss"),
            Some(&Tri::Known(c.regional_loss.to_string())),
            "{}",
            c.name
        );
        let comp = s.components.into_known().unwrap_or_default();
        for role in [
            "remote_kms_key",
            "remote_kms_alias",
            "remote_backup_vault",
            "backup_vault",
            "backup_plan",
            "backup_selection",
            "backup_role",
        ] {
            assert!(comp.contains_key(role), "{}: {role}", c.name);
        }
        assert_eq!(
            comp.get("remote_backup_vault"),
            Some(&known(
                "arn:aws:backup:us-west-2:123456789012:backup-vault:pay"
            )),
            "{}",
            c.name
        );
        let aurora = c.engine.starts_with("aurora");
        assert_eq!(
            comp.contains_key("backup_replication"),
            !aurora,
            "{}",
            c.name
        );
        // Restore tests in production only.
        assert_eq!(
            comp.contains_key("restore_testing_plan"),
            c.env == Environment::Production,
            "{}",
            c.name
        );
    }
    // Without a second region: none, and days of copies refused on the attribute.
    let p = run(
        &config("postgres", vec![]),
        &Value::Null,
        Environment::Staging,
    );
    let s = Config::decode(&p.state);
    assert!(s.remote_retention_days.is_null());
    assert!(!s
        .components
        .into_known()
        .unwrap_or_default()
        .contains_key("backup_vault"));
    let d = validate(&config(
        "postgres",
        vec![("remote_retention_days", Value::Number(Number::Int(90)))],
    ));
    let text = format!("{d:?}");
    assert!(
        text.contains("remote_retention_days") && text.contains("No second region"),
        "{text}"
    );
}
