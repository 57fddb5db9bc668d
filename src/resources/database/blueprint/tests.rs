use super::*;

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
        Some(&[("work_mem".to_string(), "65536".to_string())].into()),
    );
    assert_eq!(pg["rds.force_ssl"], "1");
    assert_eq!(pg["work_mem"], "65536");
    assert_eq!(parameters("mysql", None)["require_secure_transport"], "ON");
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
                controls(engine).len(),
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
