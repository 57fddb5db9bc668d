use super::*;
use std::collections::BTreeMap;

fn place() -> Place {
    Place {
        region: "eu-west-1".into(),
        account: "111122223333".into(),
    }
}

#[test]
fn engine_facts() {
    assert_eq!(
        (port("postgres"), port("mysql"), port("aurora-postgresql")),
        (5432, 3306, 5432)
    );
    assert_eq!(major("postgres", "16.4"), "16");
    assert_eq!(major("mysql", "8.0.35"), "8.0");
    assert!(
        version_matches("16", "16.4")
            && version_matches("8.0", "8.0.35")
            && !version_matches("16", "161.0")
    );
    assert_eq!(family("postgres", "16.4"), "postgres16");
    assert_eq!(parameter_group_name("pay", "mysql", "8.0"), "pay-mysql8-0");
    assert!(parameter_group_names("pay", "postgres").contains(&"pay-postgres16".to_string()));
    let t = time::macros::datetime!(2026-11-25 02:03:04 UTC);
    assert_eq!(final_snapshot_id("pay", t), "pay-final-20261125-020304");
}

#[test]
fn default_port_per_profile() {
    struct Case {
        name: &'static str,
        engine: &'static str,
        env: Environment,
        port: i64,
    }
    for c in [
        Case {
            name: "development postgres keeps the engine's port",
            engine: "postgres",
            env: Environment::Development,
            port: 5432,
        },
        Case {
            name: "development mysql keeps the engine's port",
            engine: "mysql",
            env: Environment::Development,
            port: 3306,
        },
        Case {
            name: "staging postgres moves off it",
            engine: "postgres",
            env: Environment::Staging,
            port: 5433,
        },
        Case {
            name: "production postgres moves off it",
            engine: "postgres",
            env: Environment::Production,
            port: 5433,
        },
        Case {
            name: "production mysql moves off it",
            engine: "mysql",
            env: Environment::Production,
            port: 3307,
        },
        Case {
            name: "production aurora mysql moves off it",
            engine: "aurora-mysql",
            env: Environment::Production,
            port: 3307,
        },
    ] {
        assert_eq!(default_port(c.engine, c.env), c.port, "{}", c.name);
        assert!((PORTS.0..=PORTS.1).contains(&c.port), "{}", c.name);
    }
}

#[test]
fn rds_23_reports_the_engine_port() {
    struct Case {
        name: &'static str,
        env: Environment,
        port: Option<i64>,
        rds_23: &'static str,
    }
    for c in [
        Case {
            name: "moved off the engine's port",
            env: Environment::Production,
            port: Some(5433),
            rds_23: "pass",
        },
        Case {
            name: "not known (no primary)",
            env: Environment::Production,
            port: None,
            rds_23: "pass",
        },
        Case {
            name: "development relaxes it",
            env: Environment::Development,
            port: Some(5432),
            rds_23: "fail: the engine's default port 5432 (relaxed by development profile)",
        },
        Case {
            name: "production names the fix",
            env: Environment::Production,
            port: Some(5432),
            rds_23: "fail: the engine's default port 5432; set `port` (e.g. 5433) to move it",
        },
    ] {
        let f = Facts {
            exposure: Exposure {
                port: c.port,
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(
            posture(c.env, "postgres", &f)["RDS.23"],
            c.rds_23,
            "{}",
            c.name
        );
    }
}

#[test]
fn parameters_force_tls_and_merge_the_users() {
    let pg = parameters(
        "postgres",
        false,
        Some(&[("work_mem".to_string(), "65536".to_string())].into()),
    );
    assert_eq!(pg["rds.force_ssl"], "1");
    assert_eq!(pg["work_mem"], "65536");
    assert_eq!(
        parameters("mysql", false, None)["require_secure_transport"],
        "ON"
    );
    assert!(
        tls_value_on("mysql", "on")
            && !tls_value_on("mysql", "OFF")
            && !tls_value_on("postgres", "0")
    );
}

#[test]
fn key_policy_lets_rds_and_secrets_manager_use_it() {
    let kp: serde_json::Value =
        serde_json::from_str(&key_policy(&place(), "pay")).unwrap_or_default();
    let via = kp["Statement"][1]["Condition"]["StringEquals"]["kms:ViaService"].to_string();
    assert!(
        via.contains("rds.eu-west-1.amazonaws.com")
            && via.contains("secretsmanager.eu-west-1.amazonaws.com")
    );
    assert_eq!(
        kp["Statement"][1]["Condition"]["StringEquals"]["kms:CallerAccount"],
        "111122223333"
    );
    let trust: serde_json::Value =
        serde_json::from_str(&monitoring_trust_policy(&place(), "pay")).unwrap();
    let st = &trust["Statement"][0];
    assert_eq!(st["Principal"]["Service"], "monitoring.rds.amazonaws.com");
    assert_eq!(
        st["Condition"]["StringEquals"]["aws:SourceAccount"],
        "111122223333"
    );
    assert_eq!(
        st["Condition"]["ArnLike"]["aws:SourceArn"],
        "arn:aws:rds:eu-west-1:111122223333:db:pay*"
    );
    assert!(
        monitoring_policy_arn(&place()).ends_with("service-role/AmazonRDSEnhancedMonitoringRole")
    );
}

fn hardened() -> Facts {
    Facts {
        multi_az: true,
        monitoring: true,
        deletion_protection: true,
        backup_retention_days: 30,
        encrypted: true,
        public: false,
        log_exports: true,
        iam_auth: true,
        auto_minor_upgrade: true,
        copy_tags: true,
        in_vpc: true,
        master_username: "app_admin".into(),
        tls: true,
        exposure: Exposure {
            ingress: None,
            key_rotation: Some(true),
            port: Some(5433),
        },
        secret_policy: true,
        audit: true,
        recovery: "pass".into(),
        logs: "pass".into(),
        pooling: Some("pass".into()),
        restore_check: None,
    }
}

#[test]
fn posture_names_each_weakening() {
    assert!(posture(Environment::Production, "postgres", &hardened())
        .values()
        .all(|v| v == PASS));
    let dev = posture(
        Environment::Development,
        "postgres",
        &Facts {
            multi_az: false,
            monitoring: false,
            deletion_protection: false,
            backup_retention_days: 1,
            ..hardened()
        },
    );
    assert_eq!(
        dev["RDS.5"],
        "fail: no Multi-AZ standby (relaxed by development profile)"
    );
    assert_eq!(
        dev["RDS.11"],
        "fail: backups kept 1 day(s) (relaxed by development profile)"
    );
    let decommission = posture(
        Environment::Production,
        "postgres",
        &Facts {
            deletion_protection: false,
            ..hardened()
        },
    );
    assert_eq!(
        decommission["RDS.8"],
        "fail: deletion protection off (decommission)"
    );
    let drift = posture(
        Environment::Production,
        "postgres",
        &Facts {
            tls: false,
            exposure: Exposure {
                ingress: Some("0.0.0.0/0".into()),
                ..hardened().exposure
            },
            master_username: "postgres".into(),
            ..hardened()
        },
    );
    assert!(
        drift["TLS"].starts_with("fail")
            && drift["ingress"].starts_with("fail")
            && drift["RDS.25"].starts_with("fail")
    );
    assert!(!posture(
        Environment::Production,
        "postgres",
        &Facts {
            exposure: Exposure {
                key_rotation: None,
                ..hardened().exposure
            },
            ..hardened()
        }
    )
    .contains_key("KMS.4"));
}

/// One weakening of a production database, and the control it must fail under for an RDS instance
/// and for an Aurora cluster (Security Hub's RDS controls differ between the two).
struct ControlCase {
    name: &'static str,
    weaken: fn(&mut Facts),
    instance: &'static str,
    aurora_postgresql: &'static str,
    aurora_mysql: &'static str,
}

/// A [`ControlCase`]: `name`, `weaken`, then the control an instance, an Aurora PostgreSQL and an
/// Aurora MySQL cluster fail.
fn case(
    name: &'static str,
    weaken: fn(&mut Facts),
    instance: &'static str,
    aurora_postgresql: &'static str,
    aurora_mysql: &'static str,
) -> ControlCase {
    ControlCase {
        name,
        weaken,
        instance,
        aurora_postgresql,
        aurora_mysql,
    }
}

/// Every weakening of a production database, with its controls.
fn control_cases() -> Vec<ControlCase> {
    vec![
        case(
            "deletion protection off",
            |f| f.deletion_protection = false,
            "RDS.8",
            "RDS.7",
            "RDS.7",
        ),
        case(
            "unencrypted",
            |f| f.encrypted = false,
            "RDS.3",
            "RDS.27",
            "RDS.27",
        ),
        case(
            "no Multi-AZ",
            |f| f.multi_az = false,
            "RDS.5",
            "RDS.15",
            "RDS.15",
        ),
        case(
            "IAM authentication off",
            |f| f.iam_auth = false,
            "RDS.10",
            "RDS.12",
            "RDS.12",
        ),
        case(
            "minor upgrades off",
            |f| f.auto_minor_upgrade = false,
            "RDS.13",
            "RDS.35",
            "RDS.35",
        ),
        case(
            "tags not copied to snapshots",
            |f| f.copy_tags = false,
            "RDS.17",
            "RDS.16",
            "RDS.16",
        ),
        case(
            "default administrator name",
            |f| f.master_username = "admin".into(),
            "RDS.25",
            "RDS.24",
            "RDS.24",
        ),
        case(
            "logs not exported",
            |f| f.log_exports = false,
            "RDS.9",
            "RDS.37",
            "RDS.34",
        ),
        case(
            "backups kept one day",
            |f| f.backup_retention_days = 1,
            "RDS.11",
            "backups",
            "backups",
        ),
        case(
            "publicly accessible",
            |f| f.public = true,
            "RDS.2",
            "RDS.2",
            "RDS.2",
        ),
        case(
            "no enhanced monitoring",
            |f| f.monitoring = false,
            "RDS.6",
            "RDS.6",
            "RDS.6",
        ),
        case(
            "audit logging off or narrowed",
            |f| f.audit = false,
            "audit",
            "audit",
            "audit",
        ),
        case(
            "master secret open to other accounts or plain HTTP",
            |f| f.secret_policy = false,
            "master_secret",
            "master_secret",
            "master_secret",
        ),
    ]
}

#[test]
fn each_weakening_fails_the_control_of_the_object_at_hand() {
    for c in &control_cases() {
        let mut f = hardened();
        (c.weaken)(&mut f);
        for (engine, want) in [
            ("postgres", c.instance),
            ("mysql", c.instance),
            ("aurora-postgresql", c.aurora_postgresql),
            ("aurora-mysql", c.aurora_mysql),
        ] {
            let p = posture(Environment::Production, engine, &f);
            let failed: Vec<&String> = p
                .iter()
                .filter(|(_, v)| v.starts_with("fail"))
                .map(|(k, _)| k)
                .collect();
            assert_eq!(failed, vec![want], "{}: {engine}", c.name);
            assert_eq!(
                p.keys().map(String::as_str).collect::<Vec<_>>().len(),
                controls(engine).len() + usize::from(f.pooling.is_some()),
                "{}: {engine} reports every control once",
                c.name
            );
        }
    }
    // No control of the other kind of object is reported.
    let instance = controls("postgres");
    let cluster = controls("aurora-postgresql");
    for id in [
        "RDS.7", "RDS.16", "RDS.24", "RDS.27", "RDS.15", "RDS.12", "RDS.35",
    ] {
        assert!(!instance.contains(&id), "instances do not report {id}");
    }
    for id in [
        "RDS.8", "RDS.17", "RDS.25", "RDS.3", "RDS.5", "RDS.10", "RDS.13", "RDS.11",
    ] {
        assert!(!cluster.contains(&id), "Aurora clusters do not report {id}");
    }
}

#[test]
fn every_profile_gets_the_hardening_no_profile_relaxes() {
    for env in [
        Environment::Development,
        Environment::Staging,
        Environment::Production,
    ] {
        let h = hardening(env);
        assert_eq!(h.storage_type, "gp3", "{env}: gp3 volumes");
        assert!(
            h.storage_encrypted,
            "{env}: storage encrypted (RDS.3/RDS.27)"
        );
        assert!(!h.publicly_accessible, "{env}: not public (RDS.2)");
        assert!(
            h.managed_master_password,
            "{env}: the password stays in Secrets Manager"
        );
        assert!(h.iam_auth, "{env}: IAM authentication (RDS.10/RDS.12)");
        assert!(
            h.auto_minor_upgrade,
            "{env}: minor upgrades (RDS.13/RDS.35)"
        );
        assert!(
            h.copy_tags_to_snapshot,
            "{env}: tags copied to snapshots (RDS.17/RDS.16)"
        );
    }
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn audit_logging_adds_each_engines_mechanism() {
    struct Case {
        name: &'static str,
        engine: &'static str,
        user: &'static [(&'static str, &'static str)],
        want: &'static [(&'static str, &'static str)],
    }
    let cases = [
        Case {
            name: "postgres loads pgaudit beside the default pg_stat_statements",
            engine: "postgres",
            user: &[],
            want: &[
                ("shared_preload_libraries", "pg_stat_statements,pgaudit"),
                ("pgaudit.log", "ddl,role,write"),
            ],
        },
        Case {
            name: "pgaudit joins the user's libraries",
            engine: "aurora-postgresql",
            user: &[("shared_preload_libraries", "pg_cron")],
            want: &[
                ("shared_preload_libraries", "pg_cron,pgaudit"),
                ("pgaudit.log", "ddl,role,write"),
            ],
        },
        Case {
            name: "libraries naming pgaudit already stay as written",
            engine: "postgres",
            user: &[("shared_preload_libraries", "pgaudit,pg_cron")],
            want: &[("shared_preload_libraries", "pgaudit,pg_cron")],
        },
        Case {
            name: "a wider class list of the user's stands",
            engine: "postgres",
            user: &[("pgaudit.log", "all")],
            want: &[("pgaudit.log", "all")],
        },
        Case {
            name: "aurora mysql turns advanced auditing on",
            engine: "aurora-mysql",
            user: &[],
            want: &[
                ("server_audit_logging", "1"),
                // Aurora has no QUERY_DML_NO_SELECT (RDS MySQL's plugin has).
                (
                    "server_audit_events",
                    "CONNECT,QUERY_DCL,QUERY_DDL,QUERY_DML",
                ),
            ],
        },
    ];
    for c in &cases {
        let user = map(c.user);
        let p = parameters(c.engine, true, Some(&user));
        for (k, v) in c.want {
            assert_eq!(p.get(*k).map(String::as_str), Some(*v), "{}: {k}", c.name);
        }
        assert!(
            parameters_audit(c.engine, &p),
            "{}: reads as auditing",
            c.name
        );
        let off = parameters(c.engine, false, None);
        assert!(
            !parameters_audit(c.engine, &off),
            "{}: off sets auditing off",
            c.name
        );
    }
    // Off, the group is told so (it keeps what it was given): the libraries back to the
    // engine's default, pgAudit logging nothing, Aurora's auditing off.
    let pg_off = parameters("postgres", false, None);
    assert_eq!(
        (
            pg_off["shared_preload_libraries"].as_str(),
            pg_off["pgaudit.log"].as_str()
        ),
        ("pg_stat_statements", "none")
    );
    assert_eq!(
        parameters("aurora-mysql", false, None)["server_audit_logging"],
        "0"
    );
    let users = map(&[
        ("shared_preload_libraries", "pg_cron"),
        ("pgaudit.log", "all"),
    ]);
    let mine = parameters("postgres", false, Some(&users));
    assert_eq!(
        (
            mine["shared_preload_libraries"].as_str(),
            mine["pgaudit.log"].as_str()
        ),
        ("pg_cron", "all"),
        "off, the user's own values stand"
    );
    // RDS MySQL audits through its option group, not parameters.
    assert_eq!(audit_parameters("mysql", true, None), BTreeMap::new());
    assert!(log_exports("mysql", true).contains(&"audit".to_string()));
    assert!(!log_exports("mysql", false).contains(&"audit".to_string()));
}

/// A named case of parameters as AWS holds or the user writes them.
struct ParamCase {
    name: &'static str,
    engine: &'static str,
    params: &'static [(&'static str, &'static str)],
}

const fn pc(
    name: &'static str,
    engine: &'static str,
    params: &'static [(&'static str, &'static str)],
) -> ParamCase {
    ParamCase {
        name,
        engine,
        params,
    }
}

#[test]
fn audit_reads_back_only_when_it_still_covers_what_it_records() {
    let holds = [
        pc(
            "postgres as applied",
            "postgres",
            &[
                ("shared_preload_libraries", "pg_stat_statements,pgaudit"),
                ("pgaudit.log", "ddl,role,write"),
            ],
        ),
        pc(
            "aurora mysql as applied",
            "aurora-mysql",
            &[
                ("server_audit_logging", "1"),
                (
                    "server_audit_events",
                    "CONNECT,QUERY_DCL,QUERY_DDL,QUERY_DML",
                ),
            ],
        ),
        pc(
            "aurora mysql, every query",
            "aurora-mysql",
            &[
                ("server_audit_logging", "1"),
                ("server_audit_events", "CONNECT,QUERY"),
            ],
        ),
    ];
    let broken = [
        pc(
            "postgres, library dropped",
            "postgres",
            &[
                ("shared_preload_libraries", "pg_stat_statements"),
                ("pgaudit.log", "ddl,role,write"),
            ],
        ),
        pc(
            "postgres, classes narrowed",
            "postgres",
            &[
                ("shared_preload_libraries", "pgaudit"),
                ("pgaudit.log", "ddl"),
            ],
        ),
        pc(
            "postgres, all but writes",
            "postgres",
            &[
                ("shared_preload_libraries", "pgaudit"),
                ("pgaudit.log", "all,-write"),
            ],
        ),
        pc(
            "postgres, log parameter removed",
            "postgres",
            &[("shared_preload_libraries", "pgaudit")],
        ),
        pc(
            "aurora mysql, switched off",
            "aurora-mysql",
            &[
                ("server_audit_logging", "0"),
                ("server_audit_events", "CONNECT,QUERY"),
            ],
        ),
        pc(
            "aurora mysql, users left out",
            "aurora-mysql",
            &[
                ("server_audit_logging", "1"),
                ("server_audit_events", "CONNECT,QUERY"),
                ("server_audit_excl_users", "etl"),
            ],
        ),
    ];
    for c in &holds {
        assert!(parameters_audit(c.engine, &map(c.params)), "{}", c.name);
    }
    for c in &broken {
        assert!(!parameters_audit(c.engine, &map(c.params)), "{}", c.name);
    }
}

#[test]
fn narrowing_audit_parameters_are_named() {
    let refused = [
        (
            pc(
                "postgres, fewer classes",
                "postgres",
                &[("pgaudit.log", "ddl")],
            ),
            "pgaudit.log",
        ),
        (
            pc("postgres, none", "postgres", &[("pgaudit.log", "none")]),
            "pgaudit.log",
        ),
        (
            pc(
                "aurora mysql, switched off",
                "aurora-mysql",
                &[("server_audit_logging", "0")],
            ),
            "server_audit_logging",
        ),
        (
            pc(
                "aurora mysql, logins only",
                "aurora-mysql",
                &[("server_audit_events", "CONNECT")],
            ),
            "server_audit_events",
        ),
        (
            pc(
                "aurora mysql, some users only",
                "aurora-mysql",
                &[("server_audit_incl_users", "app")],
            ),
            "server_audit_incl_users",
        ),
        (
            pc(
                "aurora mysql, users left out",
                "aurora-mysql",
                &[("server_audit_excl_users", "etl")],
            ),
            "server_audit_excl_users",
        ),
    ];
    for (c, key) in &refused {
        assert_eq!(
            weakening_parameter(c.engine, &map(c.params))
                .map(|(k, _)| k)
                .as_deref(),
            Some(*key),
            "{}",
            c.name
        );
    }
    let wider = pc("postgres, all", "postgres", &[("pgaudit.log", "all")]);
    assert_eq!(
        weakening_parameter(wider.engine, &map(wider.params)),
        None,
        "{}",
        wider.name
    );
}

#[test]
fn mysql_audit_option_group_follows_the_major_version_and_the_switch() {
    struct Case {
        name: &'static str,
        version: &'static str,
        audit: bool,
        live: Option<&'static str>,
        move_to: Option<&'static str>,
    }
    let cases = [
        Case {
            name: "new instance joins the group",
            version: "8.0",
            audit: true,
            live: Some("default:mysql-8-0"),
            move_to: Some("ledger-audit-mysql8-0"),
        },
        Case {
            name: "in the group already",
            version: "8.0.39",
            audit: true,
            live: Some("ledger-audit-mysql8-0"),
            move_to: None,
        },
        Case {
            name: "major upgrade moves to the new major's group",
            version: "8.4",
            audit: true,
            live: Some("ledger-audit-mysql8-0"),
            move_to: Some("ledger-audit-mysql8-4"),
        },
        Case {
            name: "audit off leaves ours for the default",
            version: "8.0",
            audit: false,
            live: Some("ledger-audit-mysql8-0"),
            move_to: Some("default:mysql-8-0"),
        },
        Case {
            name: "audit off in the default stays",
            version: "8.0",
            audit: false,
            live: Some("default:mysql-8-0"),
            move_to: None,
        },
        Case {
            name: "audit off keeps a group of someone else's",
            version: "8.0",
            audit: false,
            live: Some("shared-og"),
            move_to: None,
        },
    ];
    for c in &cases {
        assert_eq!(
            option_group_change("ledger", "mysql", c.version, c.audit, c.live).as_deref(),
            c.move_to,
            "{}",
            c.name
        );
    }
    assert_eq!(
        option_group_change("ledger", "postgres", "16", true, None),
        None
    );
    let held = OptionFacts {
        group: Some("ledger-audit-mysql8-0".into()),
        audit_settings: Some(option_settings()),
    };
    assert!(option_audits(&held, "ledger-audit-mysql8-0"));
    let removed = OptionFacts {
        audit_settings: None,
        ..held.clone()
    };
    assert!(
        !option_audits(&removed, "ledger-audit-mysql8-0"),
        "option removed"
    );
    let left = OptionFacts {
        group: Some("default:mysql-8-0".into()),
        ..held
    };
    assert!(
        !option_audits(&left, "ledger-audit-mysql8-0"),
        "instance left the group"
    );
    let mut narrowed = option_settings();
    narrowed.insert("SERVER_AUDIT_INCL_USERS".into(), "app".into());
    let some_users = OptionFacts {
        group: Some("ledger-audit-mysql8-0".into()),
        audit_settings: Some(narrowed),
    };
    assert!(
        !option_audits(&some_users, "ledger-audit-mysql8-0"),
        "some users only"
    );
    // AWS lists every setting of the option, defaults included: only ours are compared.
    let listed = map(&[
        (
            "SERVER_AUDIT_EVENTS",
            "CONNECT,QUERY_DCL,QUERY_DDL,QUERY_DML_NO_SELECT",
        ),
        ("SERVER_AUDIT_FILE_ROTATIONS", "9"),
        ("SERVER_AUDIT_INCL_USERS", ""),
    ]);
    assert!(settings_hold(&listed, &option_settings()));
    assert!(!settings_hold(
        &map(&[("SERVER_AUDIT_EVENTS", "CONNECT")]),
        &option_settings()
    ));
    for (group, own) in [
        ("ledger-audit-mysql8-0", true),
        ("ledger-audit-mysql8-4", true),
        ("ledger-audit-mysql5-audit-mysql8-0", false),
        ("ledger-audit-mysql8", false),
        ("ledger-x-audit-mysql8-0", false),
    ] {
        assert_eq!(is_own_option_group("ledger", group), own, "{group}");
    }
}

/// One database's exported logs: the groups RDS writes to, and the tier each is kept.
struct LogsCase {
    name: &'static str,
    engine: &'static str,
    replicas: usize,
    audit: bool,
    /// group → class.
    want: &'static [(&'static str, &'static str)],
}

#[test]
fn exported_logs_go_to_one_group_per_instance_and_log_kept_by_class() {
    for c in [
        LogsCase {
            name: "postgres audited: its log is the audit trail",
            engine: "postgres",
            replicas: 1,
            audit: true,
            want: &[
                ("/aws/rds/instance/ledger/postgresql", "audit"),
                ("/aws/rds/instance/ledger/upgrade", "application"),
                ("/aws/rds/instance/ledger-replica-1/postgresql", "audit"),
                ("/aws/rds/instance/ledger-replica-1/upgrade", "application"),
            ],
        },
        LogsCase {
            name: "postgres unaudited: engine logs only",
            engine: "postgres",
            replicas: 0,
            audit: false,
            want: &[
                ("/aws/rds/instance/ledger/postgresql", "application"),
                ("/aws/rds/instance/ledger/upgrade", "application"),
            ],
        },
        LogsCase {
            name: "mysql audited: the audit log apart",
            engine: "mysql",
            replicas: 0,
            audit: true,
            want: &[
                ("/aws/rds/instance/ledger/audit", "audit"),
                ("/aws/rds/instance/ledger/error", "application"),
                ("/aws/rds/instance/ledger/general", "application"),
                ("/aws/rds/instance/ledger/slowquery", "application"),
            ],
        },
        LogsCase {
            name: "aurora postgresql: the cluster's groups, not the instances'",
            engine: "aurora-postgresql",
            replicas: 2,
            audit: true,
            want: &[("/aws/rds/cluster/ledger/postgresql", "audit")],
        },
    ] {
        let got: Vec<(String, &str)> = log_groups(c.engine, "ledger", c.replicas, c.audit)
            .into_iter()
            .map(|g| (g.name, g.class.as_str()))
            .collect();
        let want: Vec<(String, &str)> = c.want.iter().map(|(g, k)| (g.to_string(), *k)).collect();
        assert_eq!(got, want, "{}", c.name);
    }
}

#[test]
fn a_databases_log_groups_are_listed_apart_from_another_named_alike() {
    assert_eq!(
        log_group_prefix("postgres", "ledger"),
        "/aws/rds/instance/ledger"
    );
    assert_eq!(
        log_group_prefix("aurora-mysql", "ledger"),
        "/aws/rds/cluster/ledger/"
    );
    for (engine, group, own) in [
        ("postgres", "/aws/rds/instance/ledger/postgresql", true),
        (
            "postgres",
            "/aws/rds/instance/ledger-replica-2/upgrade",
            true,
        ),
        ("postgres", "/aws/rds/instance/ledger2/postgresql", false),
        (
            "postgres",
            "/aws/rds/instance/ledger-replica-6/postgresql",
            false,
        ),
        (
            "postgres",
            "/aws/rds/instance/ledger-replica-12/postgresql",
            false,
        ),
        ("postgres", "/aws/rds/instance/ledger-api/postgresql", false),
        ("aurora-mysql", "/aws/rds/cluster/ledger/audit", true),
        ("aurora-mysql", "/aws/rds/cluster/ledger-api/audit", false),
    ] {
        assert_eq!(is_own_log_group(engine, "ledger", group), own, "{group}");
    }
    // So no database may be named as a replica is.
    for (id, replica) in [
        ("ledger-replica-1", true),
        ("ledger-replica-12", true),
        ("ledger-replicas", false),
        ("ledger-replica-x", false),
        ("ledger", false),
    ] {
        assert_eq!(is_replica_name(id), replica, "{id}");
    }
}

/// One verdict of CloudWatch.16 over the database's groups.
struct LogsPostureCase {
    name: &'static str,
    env: Environment,
    /// Changes to the groups as apply leaves them.
    change: fn(&mut BTreeMap<String, crate::provider::logs::GroupFacts>),
    want: &'static str,
}

#[test]
fn the_exported_logs_posture_passes_relaxes_and_names_the_group_that_drifted() {
    const PG_LOG: &str = "/aws/rds/instance/ledger/postgresql";
    for c in [
        LogsPostureCase {
            name: "production as applied",
            env: Environment::Production,
            change: |_| {},
            want: "pass",
        },
        LogsPostureCase {
            name: "development keeps a week",
            env: Environment::Development,
            change: |_| {},
            want: "fail: relaxed by development profile (7 days)",
        },
        LogsPostureCase {
            name: "the audit trail cut to a month",
            env: Environment::Production,
            change: |g| {
                if let Some(f) = g.get_mut(PG_LOG) {
                    f.retention_days = Some(30);
                }
            },
            want: "fail: /aws/rds/instance/ledger/postgresql: log retention is 30 days, the profile keeps 2557",
        },
        LogsPostureCase {
            name: "a group RDS made itself",
            env: Environment::Production,
            change: |g| {
                if let Some(f) = g.get_mut(PG_LOG) {
                    f.kms_key = None;
                    f.retention_days = None;
                }
            },
            want: "fail: log group /aws/rds/instance/ledger/postgresql is not encrypted",
        },
        LogsPostureCase {
            name: "a replica's group deleted",
            env: Environment::Staging,
            change: |g| {
                g.remove("/aws/rds/instance/ledger-replica-1/upgrade");
            },
            want: "fail: log group /aws/rds/instance/ledger-replica-1/upgrade is missing",
        },
    ] {
        let tiers = c.env.log_retention();
        let groups = log_groups("postgres", "ledger", 1, true);
        let mut live = logs_as_applied(&tiers, &groups);
        (c.change)(&mut live);
        assert_eq!(
            logs_posture(c.env, &tiers, &groups, &live, None),
            c.want,
            "{}",
            c.name
        );
    }
    // Read knows the database's key: a group encrypted with another one fails.
    let tiers = Environment::Production.log_retention();
    let groups = log_groups("postgres", "ledger", 0, true);
    let mut live = logs_as_applied(&tiers, &groups);
    for f in live.values_mut() {
        f.kms_key = Some("arn:aws:kms:us-east-1:1:key/ours".into());
    }
    let ours = Some("arn:aws:kms:us-east-1:1:key/ours");
    assert_eq!(
        logs_posture(Environment::Production, &tiers, &groups, &live, ours),
        "pass"
    );
    if let Some(f) = live.get_mut(PG_LOG) {
        f.kms_key = Some("arn:aws:kms:us-east-1:1:key/theirs".into());
    }
    assert_eq!(
        logs_posture(Environment::Production, &tiers, &groups, &live, ours),
        "fail: log group /aws/rds/instance/ledger/postgresql is encrypted with another key"
    );
}

#[test]
fn the_key_lets_cloudwatch_logs_encrypt_only_this_databases_groups() {
    let place = crate::provider::aws::Place {
        region: "us-east-1".into(),
        account: "123456789012".into(),
    };
    let policy: serde_json::Value = serde_json::from_str(&key_policy(&place, "ledger")).unwrap();
    let logs = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "LogsEncryptDatabaseLogs")
        .unwrap();
    assert_eq!(logs["Principal"]["Service"], "logs.us-east-1.amazonaws.com");
    assert_eq!(
        logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"],
        serde_json::json!([
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/rds/instance/ledger/*",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/rds/instance/ledger-replica-1/*",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/rds/instance/ledger-replica-2/*",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/rds/instance/ledger-replica-3/*",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/rds/instance/ledger-replica-4/*",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/rds/instance/ledger-replica-5/*",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/rds/cluster/ledger/*"
        ])
    );
}
