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
    assert!(monitoring_trust_policy().contains("monitoring.rds.amazonaws.com"));
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
        ingress: None,
        key_rotation: Some(true),
    }
}

#[test]
fn posture_names_each_weakening() {
    assert!(posture(Environment::Production, &hardened())
        .values()
        .all(|v| v == PASS));
    let dev = posture(
        Environment::Development,
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
        &Facts {
            deletion_protection: false,
            ..hardened()
        },
    );
    assert_eq!(
        decommission["RDS.7"],
        "fail: deletion protection off (decommission)"
    );
    let drift = posture(
        Environment::Production,
        &Facts {
            tls: false,
            ingress: Some("0.0.0.0/0".into()),
            master_username: "postgres".into(),
            ..hardened()
        },
    );
    assert!(
        drift["TLS"].starts_with("fail")
            && drift["ingress"].starts_with("fail")
            && drift["RDS.24"].starts_with("fail")
    );
    assert!(!posture(
        Environment::Production,
        &Facts {
            key_rotation: None,
            ..hardened()
        }
    )
    .contains_key("KMS.4"));
}
