//! End to end: `prod_database_ha` with the real `terraform` against the local AWS: the hardened
//! primary and replicas asserted through the AWS API, in-place change, drift repaired, import, the
//! deletion guard, decommission and destroy with a final snapshot, and a sweep.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::sweep::{aws, Aws};
use common::tf::Tf;
use common::{env, sweep};

/// A VPC with a subnet in each of three zones, and an application security group.
async fn network(aws: &Aws) -> (Vec<String>, String) {
    env::vpc_with_app(&aws.ec2, 77).await
}

fn config(
    name: &str,
    environment: &str,
    engine: &str,
    subnets: &[String],
    app: &str,
    extra: &str,
) -> String {
    let list = subnets
        .iter()
        .map(|s| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let provider = env::provider_block(environment);
    format!(
        r#"
{provider}
resource "prod_database_ha" "main" {{
  name                       = "{name}"
  engine                     = "{engine}"
  subnet_ids                 = [{list}]
  allowed_security_group_ids = ["{app}"]
  tags                       = {{ service = "payments" }}
  {extra}
}}
"#
    )
}

fn state(tf: &Tf) -> serde_json::Value {
    let s: serde_json::Value = tf.state();
    s["resources"][0]["instances"][0]["attributes"].clone()
}

impl Aws {
    /// RDS MySQL database `name` audits: every instance of `ids` in option group `og`, the
    /// primary exporting its `audit` log.
    async fn assert_audited(&self, name: &str, og: &str, ids: &[String]) {
        for id in ids {
            assert_eq!(self.option_group_of(id).await.as_deref(), Some(og), "{id}");
        }
        let exports = self
            .instance(name)
            .await
            .unwrap()
            .enabled_cloudwatch_logs_exports
            .unwrap_or_default();
        assert!(exports.contains(&"audit".to_string()), "{exports:?}");
    }

    /// The option group instance `id` is in.
    async fn option_group_of(&self, id: &str) -> Option<String> {
        self.instance(id)
            .await?
            .option_group_memberships?
            .into_iter()
            .find_map(|m| m.option_group_name)
    }

    /// Option group `name`: `None` when it does not exist, else its audit plugin's
    /// `SERVER_AUDIT_EVENTS` (`None` without the plugin).
    async fn audit_option(&self, name: &str) -> Option<Option<String>> {
        let g = self
            .rds
            .describe_option_groups()
            .option_group_name(name)
            .send()
            .await
            .ok()?
            .option_groups_list?
            .into_iter()
            .next()?;
        Some(
            g.options
                .unwrap_or_default()
                .into_iter()
                .find(|o| o.option_name.as_deref() == Some("MARIADB_AUDIT_PLUGIN"))
                .and_then(|o| {
                    o.option_settings?
                        .into_iter()
                        .find(|s| s.name.as_deref() == Some("SERVER_AUDIT_EVENTS"))?
                        .value
                }),
        )
    }

    async fn instance(&self, id: &str) -> Option<aws_sdk_rds::types::DbInstance> {
        self.rds
            .describe_db_instances()
            .db_instance_identifier(id)
            .send()
            .await
            .ok()?
            .db_instances?
            .into_iter()
            .next()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn production_postgres_hardened_drift_repaired_guarded_and_swept() {
    let aws = aws().await;
    let name = env::unique("e2e-db");
    let (subnets, app) = network(&aws).await;
    let tf = Tf::new(&config(&name, "production", "postgres", &subnets, &app, ""));
    tf.init();
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2, "{}", p.all());
    assert!(
        p.stdout.contains("\"replica_2\"") && p.shows("backup_retention_days", "30"),
        "{}",
        p.stdout
    );
    tf.apply(&[]);
    let s = state(&tf);
    let key = s["kms_key_arn"].as_str().unwrap().to_string();
    assert!(env::all_pass(&s["posture"]), "{}", s["posture"]);
    assert_eq!(
        s["instance_ids"],
        serde_json::json!([
            name.clone(),
            format!("{name}-replica-1"),
            format!("{name}-replica-2")
        ])
    );
    // Not the engine's well-known port in production (RDS.23).
    assert_eq!(s["port"], 5433);
    assert!(s["endpoint"].as_str().unwrap().ends_with(":5433"));
    assert_eq!(s["posture"]["RDS.23"], "pass");
    assert_eq!(s["replica_endpoints"].as_array().unwrap().len(), 2);
    assert_eq!(s["reader_endpoint"], s["replica_endpoints"][0]);
    assert!(s["master_secret_arn"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws:secretsmanager:"));
    // The password itself (RDS keeps it in the managed secret) is nowhere in the state.
    let secret = aws
        .sm
        .get_secret_value()
        .secret_id(s["master_secret_arn"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .secret_string
        .unwrap();
    let password: serde_json::Value = serde_json::from_str(&secret).unwrap();
    let password = password["password"].as_str().unwrap();
    assert!(password.len() >= 16, "a real password: {password:?}");
    let raw = std::fs::read_to_string(tf.state_file()).unwrap();
    assert!(!raw.contains(password), "no password in state");

    // The primary: every hardened flag.
    let p = aws.instance(&name).await.unwrap();
    assert_eq!(p.multi_az, Some(true));
    // Enhanced monitoring writes to the instance's own RDSOSMetrics stream.
    assert_eq!(
        p.enhanced_monitoring_resource_arn
            .as_deref()
            .map(|a| a.rsplit(':').next()),
        Some(p.dbi_resource_id.as_deref()),
        "{p:?}"
    );
    assert!(p
        .enhanced_monitoring_resource_arn
        .as_deref()
        .is_some_and(|a| a.contains(":log-group:RDSOSMetrics:")));
    assert_eq!(
        (p.storage_encrypted, p.kms_key_id.as_deref()),
        (Some(true), Some(key.as_str()))
    );
    assert_eq!(
        (
            p.backup_retention_period,
            p.preferred_backup_window.as_deref()
        ),
        (Some(30), Some("02:00-03:00"))
    );
    assert_eq!(
        p.preferred_maintenance_window.as_deref(),
        Some("sun:03:30-sun:04:30")
    );
    assert_eq!(
        (p.deletion_protection, p.copy_tags_to_snapshot),
        (Some(true), Some(true))
    );
    assert_eq!(
        (
            p.iam_database_authentication_enabled,
            p.auto_minor_version_upgrade,
            p.publicly_accessible
        ),
        (Some(true), Some(true), Some(false))
    );
    assert_eq!(p.monitoring_interval, Some(60));
    assert_eq!(
        p.monitoring_role_arn.as_deref(),
        s["components"]["monitoring_role"].as_str()
    );
    assert_eq!(
        p.enabled_cloudwatch_logs_exports.clone().unwrap(),
        vec!["postgresql".to_string(), "upgrade".to_string()]
    );
    assert_eq!(
        (
            p.db_instance_class.as_deref(),
            p.allocated_storage,
            p.max_allocated_storage
        ),
        (Some("db.r6g.large"), Some(100), Some(1000))
    );
    assert_eq!(p.master_username.as_deref(), Some("app_admin"));
    assert_eq!(
        p.db_subnet_group.unwrap().db_subnet_group_name.as_deref(),
        Some(name.as_str())
    );
    let pg = p.db_parameter_groups.unwrap()[0]
        .db_parameter_group_name
        .clone()
        .unwrap();
    assert_eq!(pg, format!("{name}-postgres16"));
    let params = aws
        .rds
        .describe_db_parameters()
        .db_parameter_group_name(&pg)
        .send()
        .await
        .unwrap()
        .parameters
        .unwrap();
    assert!(params
        .iter()
        .any(|x| x.parameter_name.as_deref() == Some("rds.force_ssl")
            && x.parameter_value.as_deref() == Some("1")));
    // Audit logging, on in production: pgAudit preloaded, logging DDL, role changes and writes.
    assert_eq!(
        parameter(&aws, &pg, "shared_preload_libraries")
            .await
            .0
            .as_deref(),
        Some("pg_stat_statements,pgaudit")
    );
    assert_eq!(
        parameter(&aws, &pg, "pgaudit.log").await.0.as_deref(),
        Some("ddl,role,write")
    );
    assert_eq!(
        (&s["audit_logging"], &s["posture"]["audit"]),
        (&serde_json::json!(true), &serde_json::json!("pass"))
    );
    // The production profile's recovery objectives, and what meets them.
    assert_eq!(
        s["recovery_plan"],
        serde_json::json!({
            "objectives": "rpo 5m, rto 15m: met",
            "regional_loss": "not covered: the backups stay in this region",
            "rpo": "point-in-time restore within 30 day(s) of backups: ≤ 5m",
            "rto": "Multi-AZ failover: ≤ 2m",
        })
    );
    assert_eq!(s["posture"]["recovery"], "pass");
    // Replicas in the other zones, encrypted with the key.
    let zone = p.availability_zone.clone().unwrap();
    for r in 1..=2 {
        let i = aws.instance(&format!("{name}-replica-{r}")).await.unwrap();
        assert_eq!(
            i.read_replica_source_db_instance_identifier.as_deref(),
            Some(name.as_str())
        );
        assert_ne!(
            i.availability_zone.as_deref(),
            Some(zone.as_str()),
            "replica {r} away from the primary"
        );
        assert_eq!(i.storage_encrypted, Some(true));
        assert_eq!(i.endpoint.and_then(|e| e.port), Some(5433), "replica {r}");
    }
    // Security group: the engine port from the app group and the proxy's only, nothing out.
    let sg = aws
        .ec2
        .describe_security_groups()
        .group_ids(s["security_group_id"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .security_groups
        .unwrap()
        .remove(0);
    let perms = sg.ip_permissions.unwrap();
    assert_eq!(perms.len(), 1);
    assert_eq!(
        (perms[0].from_port, perms[0].to_port),
        (Some(5433), Some(5433))
    );
    assert_eq!(p.endpoint.clone().and_then(|e| e.port), Some(5433));
    let mut peers: Vec<String> = perms[0]
        .user_id_group_pairs
        .clone()
        .unwrap()
        .into_iter()
        .filter_map(|g| g.group_id)
        .collect();
    peers.sort();
    let mut want = vec![
        app.clone(),
        s["components"]["proxy_security_group"]
            .as_str()
            .unwrap()
            .to_string(),
    ];
    want.sort();
    assert_eq!(peers, want);
    assert!(sg.ip_permissions_egress.unwrap_or_default().is_empty());
    // Key policy and rotation; the monitoring role.
    let kid = key.rsplit('/').next().unwrap();
    let (policy, rotation) = env::key_policy_and_rotation(&aws.kms, kid).await;
    assert!(
        policy.contains("rds.us-east-1.amazonaws.com")
            && policy.contains("secretsmanager.us-east-1.amazonaws.com"),
        "{policy}"
    );
    assert!(rotation, "key rotation is on");
    // The exported logs' groups, made before RDS wrote to them: encrypted with the key, the
    // audit trail (pgAudit's `postgresql` log) kept seven years, the upgrade log a month.
    assert!(policy.contains("logs.us-east-1.amazonaws.com"), "{policy}");
    let mut groups = Vec::new();
    for id in [
        name.clone(),
        format!("{name}-replica-1"),
        format!("{name}-replica-2"),
    ] {
        for (log, days) in [("postgresql", 2557), ("upgrade", 30)] {
            let g = format!("/aws/rds/instance/{id}/{log}");
            let lg = sweep::aws().await.log_groups(&g).await;
            assert_eq!(lg.len(), 1, "{g}");
            assert_eq!(
                (lg[0].kms_key_id.as_deref(), lg[0].retention_in_days),
                (Some(key.as_str()), Some(days)),
                "{g}"
            );
            groups.push(g);
        }
    }
    assert_eq!(s["posture"]["CloudWatch.16"], "pass");
    assert!(
        s["components"][format!("log_group:{name}-replica-2/postgresql")].is_string(),
        "{}",
        s["components"]
    );
    let role = aws
        .iam
        .get_role()
        .role_name(format!("{name}-rds-monitoring"))
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    // Only RDS monitoring, for this account's instances of this database (no confused deputy).
    let trust: serde_json::Value = serde_json::from_str(&env::urlencoding_decode(
        role.assume_role_policy_document.as_deref().unwrap(),
    ))
    .unwrap();
    let st = &trust["Statement"][0];
    assert_eq!(st["Principal"]["Service"], "monitoring.rds.amazonaws.com");
    let account = role.arn.split(':').nth(4).unwrap();
    assert_eq!(
        st["Condition"]["StringEquals"]["aws:SourceAccount"],
        account
    );
    assert!(
        st["Condition"]["ArnLike"]["aws:SourceArn"]
            .as_str()
            .is_some_and(|a| a.ends_with(&format!(":db:{name}*"))),
        "{trust}"
    );
    let attached: Vec<String> = aws
        .iam
        .list_attached_role_policies()
        .role_name(format!("{name}-rds-monitoring"))
        .send()
        .await
        .unwrap()
        .attached_policies
        .unwrap()
        .into_iter()
        .filter_map(|p| p.policy_name)
        .collect();
    assert_eq!(attached, ["AmazonRDSEnhancedMonitoringRole"]);

    assert_eq!(tf.plan_code(&[]).code, 0, "second plan");

    // In place: retention and class.
    tf.write(&config(
        &name,
        "production",
        "postgres",
        &subnets,
        &app,
        "backup_retention_days = 14\n  instance_class = \"db.r6g.xlarge\"",
    ));
    let p = tf.plan_code(&[]);
    assert!(
        p.stdout.contains("1 to change, 0 to destroy"),
        "{}",
        p.stdout
    );
    tf.apply(&[]);
    let i = aws.instance(&name).await.unwrap();
    assert_eq!(
        (i.backup_retention_period, i.db_instance_class.as_deref()),
        (Some(14), Some("db.r6g.xlarge"))
    );
    assert_eq!(tf.plan_code(&[]).code, 0);

    // Drift: retention lowered, protection off, Multi-AZ off, a replica deleted, TLS off, 0.0.0.0/0.
    aws.rds
        .modify_db_instance()
        .db_instance_identifier(&name)
        .backup_retention_period(3)
        .deletion_protection(false)
        .multi_az(false)
        .db_port_number(5432)
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    aws.rds
        .modify_db_instance()
        .db_instance_identifier(format!("{name}-replica-2"))
        .deletion_protection(false)
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    aws.rds
        .delete_db_instance()
        .db_instance_identifier(format!("{name}-replica-2"))
        .skip_final_snapshot(true)
        .send()
        .await
        .unwrap();
    aws.rds
        .modify_db_parameter_group()
        .db_parameter_group_name(&pg)
        .parameters(
            aws_sdk_rds::types::Parameter::builder()
                .parameter_name("rds.force_ssl")
                .parameter_value("0")
                .apply_method(aws_sdk_rds::types::ApplyMethod::Immediate)
                .build(),
        )
        // Auditing narrowed to DDL: role changes and writes no longer recorded.
        .parameters(
            aws_sdk_rds::types::Parameter::builder()
                .parameter_name("pgaudit.log")
                .parameter_value("ddl")
                .apply_method(aws_sdk_rds::types::ApplyMethod::Immediate)
                .build(),
        )
        .send()
        .await
        .unwrap();
    env::open_to_world(&aws.ec2, s["security_group_id"].as_str().unwrap(), 5433).await;
    // The audit trail's retention cut to a day; the upgrade log's group deleted and made again
    // as RDS makes one (unencrypted, never expiring), as a database from before this version has.
    aws.logs
        .put_retention_policy()
        .log_group_name(&groups[0])
        .retention_in_days(1)
        .send()
        .await
        .unwrap();
    aws.logs
        .delete_log_group()
        .log_group_name(&groups[1])
        .send()
        .await
        .unwrap();
    aws.logs
        .create_log_group()
        .log_group_name(&groups[1])
        .send()
        .await
        .unwrap();
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2, "{}", p.all());
    assert!(p.shows("backup_retention_days", "3 -> 14"), "{}", p.stdout);
    assert!(
        p.shows(
            "\"CloudWatch.16\"",
            &format!(
                "\"fail: {}: log retention is 1 days, the profile keeps 2557\" -> \"pass\"",
                groups[0]
            )
        ),
        "{}",
        p.stdout
    );
    assert!(
        p.shows("deletion_protection", "false -> true")
            && p.shows("multi_az", "false -> true")
            && p.shows("replicas", "1 -> 2"),
        "{}",
        p.stdout
    );
    assert!(
        p.shows("\"TLS\"", "-> \"pass\"") && p.shows("\"ingress\"", "-> \"pass\""),
        "{}",
        p.stdout
    );
    assert!(
        p.shows("audit_logging", "false -> true") && p.shows("\"audit\"", "-> \"pass\""),
        "{}",
        p.stdout
    );
    // Multi-AZ off breaks the RTO: posture `recovery` and the plan say so.
    assert!(
        p.shows("\"recovery\"", "-> \"pass\"")
            && p.shows(
                "\"rto\"",
                "\"a restore from backup: ≈ 45m\" -> \"Multi-AZ failover: ≤ 2m\""
            ),
        "{}",
        p.stdout
    );
    // The port moved to the engine's: the endpoint is planned anew, RDS.23 back to pass, and a
    // warning on `port` says why.
    assert!(
        p.shows("endpoint", "(known after apply)")
            && p.shows("\"RDS.23\"", "-> \"pass\"")
            && p.all().contains("The database moves to another port"),
        "{}",
        p.all()
    );
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0, "plan after repair");
    assert_eq!(
        aws.instance(&name)
            .await
            .unwrap()
            .endpoint
            .and_then(|e| e.port),
        Some(5433),
        "the port is back"
    );
    let i = aws.instance(&name).await.unwrap();
    assert_eq!(
        (i.backup_retention_period, i.deletion_protection, i.multi_az),
        (Some(14), Some(true), Some(true))
    );
    assert!(
        aws.instance(&format!("{name}-replica-2")).await.is_some(),
        "the replica is back"
    );
    assert_eq!(
        parameter(&aws, &pg, "pgaudit.log").await.0.as_deref(),
        Some("ddl,role,write"),
        "auditing is back"
    );
    assert_eq!(
        sweep::aws().await.log_groups(&groups[0]).await[0].retention_in_days,
        Some(2557),
        "the audit trail's retention is back"
    );
    let adopted = sweep::aws().await.log_groups(&groups[1]).await.remove(0);
    assert_eq!(
        (adopted.kms_key_id.as_deref(), adopted.retention_in_days),
        (Some(key.as_str()), Some(30)),
        "RDS's own group encrypted and given its tier"
    );
    assert!(env::all_pass(&state(&tf)["posture"]));

    // The RDS-managed master secret: other accounts and plain HTTP denied; its policy removed
    // outside Terraform shows in the plan and is put back.
    let secret = s["master_secret_arn"].as_str().unwrap();
    env::secret_policy_drift_repaired(&tf, &aws.sm, secret, "master_secret").await;

    // Import adopts the primary and its replicas.
    tf.run(&["state", "rm", "prod_database_ha.main"]).ok();
    tf.run(&["import", "-no-color", "prod_database_ha.main", &name])
        .ok();
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 0, "plan after import: {}", p.all());

    // The guard: destroy and replacement are refused while protected.
    let r = tf.run(&["destroy", "-auto-approve", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(
        r.all().contains("protected from destroy")
            && r.all().contains("deletion_protection = false"),
        "{}",
        r.all()
    );
    tf.plan_refused(
        &config(
            &name,
            "production",
            "mysql",
            &subnets,
            &app,
            "backup_retention_days = 14\n  instance_class = \"db.r6g.xlarge\"",
        ),
        "protected from replacement",
    );
    assert!(aws.instance(&name).await.is_some(), "nothing touched");

    // Decommission, then destroy: a final snapshot, nothing else left.
    tf.write(&config(&name, "production", "postgres", &subnets, &app, "backup_retention_days = 14\n  instance_class = \"db.r6g.xlarge\"\n  deletion_protection = false"));
    tf.apply(&[]);
    assert_eq!(
        state(&tf)["posture"]["RDS.8"],
        "fail: deletion protection off (decommission)"
    );
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    let snaps = sweep::aws().await.final_snapshots(&name).await;
    assert_eq!(snaps.len(), 1, "one final snapshot: {snaps:?}");
    // retain_automated_backups follows final_snapshot: the automated backups stay beside it.
    assert_eq!(
        automated_backups(&aws, &name).await,
        ["retained"],
        "automated backups kept after destroy"
    );
    assert_eq!(
        sweep::aws().await.database(&name).await,
        Vec::<String>::new()
    );
    // The logs are kept beside the final snapshot, for their retention.
    for g in &groups {
        assert_eq!(sweep::aws().await.log_groups(g).await.len(), 1, "{g} kept");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn development_mysql_is_smaller_never_open() {
    let aws = aws().await;
    let name = env::unique("e2e-dmy");
    let (subnets, app) = network(&aws).await;
    let tf = Tf::new(&config(
        &name,
        "development",
        "mysql",
        &subnets,
        &app,
        "parameters = { max_connections = \"200\" }",
    ));
    tf.init();
    // Refused on the attribute: TLS off, production floors, recovery objectives the configuration
    // cannot meet and a second region.
    struct Refused {
        environment: &'static str,
        extra: &'static str,
        /// The configuration's line the diagnostic points at, where the case checks it.
        on: Option<&'static str>,
        says: &'static str,
    }
    for case in [
        Refused {
            environment: "development",
            extra: "parameters = { require_secure_transport = \"OFF\" }",
            on: None,
            says: "TLS cannot be turned off",
        },
        Refused {
            environment: "development",
            extra: "recovery {\n    rto = \"15m\"\n  }",
            on: Some("rto = \"15m\""),
            says: "RTO 15m: without a standby",
        },
        Refused {
            environment: "staging",
            extra: "recovery {\n    rpo = \"1m\"\n  }",
            on: Some("rpo = \"1m\""),
            says: "point-in-time restore loses up to 5m",
        },
        Refused {
            environment: "production",
            extra: "recovery {\n    region = \"us-east-1\"\n  }",
            on: Some("region = \"us-east-1\""),
            says: "The second region is this one",
        },
        Refused {
            environment: "production",
            extra: "backup_retention_days = 3",
            on: Some("backup_retention_days = 3"),
            says: "Backup retention below the production floor",
        },
        Refused {
            environment: "production",
            extra: "log_retention {\n    audit = 90\n  }",
            on: Some("audit = 90"),
            says: "Production keeps its logs longer",
        },
        Refused {
            environment: "development",
            extra: "log_retention {\n    application = 45\n  }",
            on: Some("application = 45"),
            says: "Give 30 or 60.",
        },
    ] {
        let refused = config(&name, case.environment, "mysql", &subnets, &app, case.extra);
        match case.on {
            Some(on) => tf.plan_refused_on(&refused, on, case.says),
            None => tf.plan_refused(&refused, case.says),
        }
    }

    tf.write(&config(
        &name,
        "development",
        "mysql",
        &subnets,
        &app,
        "parameters = { max_connections = \"200\" }",
    ));
    tf.apply(&[]);
    let s = state(&tf);
    assert_eq!(
        (
            s["replicas"].as_i64(),
            s["multi_az"].as_bool(),
            s["deletion_protection"].as_bool()
        ),
        (Some(0), Some(false), Some(false))
    );
    assert_eq!(s["engine_version"], "8.0");
    assert_eq!(s["port"], 3306);
    assert!(s["reader_endpoint"].is_null());
    assert_eq!(
        s["posture"]["RDS.5"],
        "fail: no Multi-AZ standby (relaxed by development profile)"
    );
    assert_eq!(s["posture"]["TLS"], "pass");
    assert_eq!(
        s["posture"]["CloudWatch.16"],
        "fail: relaxed by development profile (7 days)"
    );
    assert_eq!(s["parameters"]["max_connections"], "200");
    let i = aws.instance(&name).await.unwrap();
    assert_eq!(
        (
            i.storage_encrypted,
            i.monitoring_interval,
            i.backup_retention_period
        ),
        (Some(true), Some(0), Some(1))
    );
    let pg = i.db_parameter_groups.unwrap()[0]
        .db_parameter_group_name
        .clone()
        .unwrap();
    assert_eq!(pg, format!("{name}-mysql8-0"));
    let params = aws
        .rds
        .describe_db_parameters()
        .db_parameter_group_name(&pg)
        .send()
        .await
        .unwrap()
        .parameters
        .unwrap();
    let get = |k: &str| {
        params
            .iter()
            .find(|x| x.parameter_name.as_deref() == Some(k))
            .and_then(|x| x.parameter_value.clone())
    };
    assert_eq!(
        (
            get("require_secure_transport").as_deref(),
            get("max_connections").as_deref()
        ),
        (Some("ON"), Some("200"))
    );
    assert_eq!(tf.plan_code(&[]).code, 0);

    // A replica added in place.
    tf.write(&config(
        &name,
        "development",
        "mysql",
        &subnets,
        &app,
        "parameters = { max_connections = \"200\" }\n  replicas = 1\n  log_retention {\n    application = 90\n  }",
    ));
    tf.apply(&[]);
    assert!(state(&tf)["reader_endpoint"]
        .as_str()
        .unwrap()
        .contains("replica-1"));
    assert_eq!(tf.plan_code(&[]).code, 0);
    // The engine's logs, the replica's too, kept as `log_retention` says, encrypted with the key.
    let key = state(&tf)["kms_key_arn"].as_str().unwrap().to_string();
    for id in [name.clone(), format!("{name}-replica-1")] {
        for log in ["error", "general", "slowquery"] {
            let g = format!("/aws/rds/instance/{id}/{log}");
            let lg = sweep::aws().await.log_groups(&g).await;
            assert_eq!(
                lg.iter()
                    .map(|g| (g.kms_key_id.as_deref(), g.retention_in_days))
                    .collect::<Vec<_>>(),
                [(Some(key.as_str()), Some(90))],
                "{g}"
            );
        }
    }
    assert_eq!(
        state(&tf)["posture"]["CloudWatch.16"],
        "pass",
        "no audit log without audit_logging: the application tier's 90 days pass"
    );

    // Day 2: the port moves in place, primary, replica and security group together, in one apply.
    assert_eq!(
        state(&tf)["port"],
        3306,
        "development keeps the engine's port"
    );
    tf.write(&config(
        &name,
        "development",
        "mysql",
        &subnets,
        &app,
        "parameters = { max_connections = \"200\" }\n  replicas = 1\n  port = 3310",
    ));
    let p = tf.plan_code(&[]);
    assert!(
        p.shows("port", "3306 -> 3310") && p.stdout.contains("1 to change, 0 to destroy"),
        "{}",
        p.all()
    );
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0, "one apply moves the port");
    let s = state(&tf);
    assert!(s["endpoint"].as_str().unwrap().ends_with(":3310"), "{s}");
    for id in [name.clone(), format!("{name}-replica-1")] {
        let i = aws.instance(&id).await.unwrap();
        assert_eq!(i.endpoint.and_then(|e| e.port), Some(3310), "{id}");
    }
    assert_eq!(
        env::ingress_ports(&aws.ec2, s["security_group_id"].as_str().unwrap()).await,
        [(Some(3310), Some(3310))],
        "only the new port is open"
    );
    assert_eq!(
        s["posture"]["audit"],
        "fail: audit logging off (relaxed by development profile)"
    );
    assert_eq!(
        aws.option_group_of(&name).await.as_deref(),
        Some("default:mysql-8-0")
    );

    // Day 2: audit logging turned on, then off again, each in one apply.
    let og = format!("{name}-audit-mysql8-0");
    let base = "parameters = { max_connections = \"200\" }\n  replicas = 1\n  port = 3310";
    let with_audit = |on: bool| {
        let extra = format!("{base}\n  audit_logging = {on}");
        config(&name, "development", "mysql", &subnets, &app, &extra)
    };
    tf.write(&with_audit(true));
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0, "one apply turns auditing on");
    assert_eq!(
        aws.audit_option(&og).await,
        Some(Some(
            "CONNECT,QUERY_DCL,QUERY_DDL,QUERY_DML_NO_SELECT".to_string()
        ))
    );
    aws.assert_audited(&name, &og, &[name.clone(), format!("{name}-replica-1")])
        .await;
    assert_eq!(state(&tf)["posture"]["audit"], "pass");
    tf.write(&with_audit(false));
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0, "one apply turns auditing off");
    for id in [name.clone(), format!("{name}-replica-1")] {
        assert_eq!(
            aws.option_group_of(&id).await.as_deref(),
            Some("default:mysql-8-0"),
            "{id}"
        );
    }
    assert_eq!(
        aws.audit_option(&og).await,
        None,
        "the option group is removed"
    );
    let exports = aws
        .instance(&name)
        .await
        .unwrap()
        .enabled_cloudwatch_logs_exports
        .unwrap_or_default();
    assert!(!exports.contains(&"audit".to_string()), "{exports:?}");

    // Development takes no final snapshot and is not protected: destroy leaves nothing.
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    let snaps = aws.db_snapshots().await;
    assert!(!snaps.iter().any(|s| s
        .db_snapshot_identifier
        .as_deref()
        .is_some_and(|i| i.starts_with(&name))));
    assert_eq!(
        automated_backups(&aws, &name).await,
        Vec::<String>::new(),
        "no final snapshot, so retain_automated_backups is false: the backups go too"
    );
    assert_eq!(
        sweep::aws().await.database(&name).await,
        Vec::<String>::new()
    );
}

/// The value and apply method of parameter `key` in parameter group `group`.
async fn parameter(aws: &Aws, group: &str, key: &str) -> (Option<String>, Option<String>) {
    let params = aws
        .rds
        .describe_db_parameters()
        .db_parameter_group_name(group)
        .send()
        .await
        .unwrap()
        .parameters
        .unwrap_or_default();
    let p = params
        .into_iter()
        .find(|p| p.parameter_name.as_deref() == Some(key));
    (
        p.as_ref().and_then(|p| p.parameter_value.clone()),
        p.and_then(|p| p.apply_method)
            .map(|m| m.as_str().to_string()),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn static_parameters_are_set_for_the_next_reboot() {
    // AWS refuses a static parameter (read only when the engine starts) applied `immediate`; the
    // local AWS holds the same rule. Applied `pending-reboot`, a new database starts with it, and a
    // change to an existing one is planned with a warning that it waits for a reboot.
    let aws = aws().await;
    let name = env::unique("e2e-dsp");
    let (subnets, app) = network(&aws).await;
    let params = |buffers: &str| {
        format!("parameters = {{ shared_buffers = \"{buffers}\", work_mem = \"8192\" }}")
    };
    let tf = Tf::new(&config(
        &name,
        "development",
        "postgres",
        &subnets,
        &app,
        &params("16384"),
    ));
    tf.init();
    tf.apply(&[]);
    let group = state(&tf)["parameter_group_name"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        parameter(&aws, &group, "shared_buffers").await,
        (Some("16384".into()), Some("pending-reboot".into()))
    );
    assert_eq!(
        parameter(&aws, &group, "work_mem").await,
        (Some("8192".into()), Some("immediate".into()))
    );
    assert_eq!(tf.plan_code(&[]).code, 0);

    // A day-2 change: one apply, a warning naming the attribute, then an empty plan.
    tf.write(&config(
        &name,
        "development",
        "postgres",
        &subnets,
        &app,
        &params("32768"),
    ));
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2, "{}", p.all());
    assert!(
        p.all().contains("Takes effect at the next reboot") && p.all().contains("shared_buffers"),
        "{}",
        p.all()
    );
    tf.apply(&[]);
    assert_eq!(
        parameter(&aws, &group, "shared_buffers").await,
        (Some("32768".into()), Some("pending-reboot".into()))
    );
    assert_eq!(tf.plan_code(&[]).code, 0);
    // Development does not audit, and tells the group so.
    assert_eq!(
        parameter(&aws, &group, "pgaudit.log").await.0.as_deref(),
        Some("none")
    );

    // Auditing turned on: pgAudit joins the default libraries for the next reboot, and the plan
    // says that it records nothing until then.
    let audited = format!("{}\n  audit_logging = true", params("32768"));
    tf.write(&config(
        &name,
        "development",
        "postgres",
        &subnets,
        &app,
        &audited,
    ));
    let p = tf.plan_code(&[]);
    assert!(
        p.shows("audit_logging", "false -> true")
            && p.all().contains("Auditing starts at the next reboot"),
        "{}",
        p.all()
    );
    tf.apply(&[]);
    assert_eq!(
        parameter(&aws, &group, "shared_preload_libraries").await,
        (
            Some("pg_stat_statements,pgaudit".into()),
            Some("pending-reboot".into())
        )
    );
    assert_eq!(
        parameter(&aws, &group, "pgaudit.log").await.0.as_deref(),
        Some("ddl,role,write")
    );
    assert_eq!(tf.plan_code(&[]).code, 0);

    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        sweep::aws().await.database(&name).await,
        Vec::<String>::new()
    );
}

/// The statuses of the automated backups RDS holds for instance `name` (after a destroy:
/// `retained` ones).
async fn automated_backups(aws: &Aws, name: &str) -> Vec<String> {
    match aws
        .rds
        .describe_db_instance_automated_backups()
        .db_instance_identifier(name)
        .send()
        .await
    {
        Ok(o) => o
            .db_instance_automated_backups
            .unwrap_or_default()
            .into_iter()
            .filter_map(|b| b.status)
            .collect(),
        Err(e) if format!("{e:?}").contains("NotFound") => Vec::new(),
        Err(e) => panic!("describing automated backups of {name}: {e:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn failure_half_way_through_create_loses_nothing() {
    let aws = aws().await;
    let name = env::unique("e2e-pdb");
    let (subnets, app) = network(&aws).await;
    // RDS unreachable: the key, the monitoring role and the security group get made, then it fails.
    let good = config(
        &name,
        "production",
        "postgres",
        &subnets,
        &app,
        "replicas = 0",
    );
    let broken = env::with_unreachable(&good, "production", "rds");
    let tf = Tf::new(&broken);
    tf.init();
    let r = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(
        r.all().contains("prod_database_ha: create failed") && r.all().contains("db subnet group"),
        "{}",
        r.all()
    );
    let inst = &tf.first_instance();
    assert_eq!(inst["status"], "tainted", "{inst}");
    for role in ["kms_key", "monitoring_role", "security_group"] {
        assert!(
            inst["attributes"]["components"][role].is_string(),
            "{role} recorded: {inst}"
        );
    }
    // The half-made database is protected on paper, but holds no data: its replacement is not refused.
    tf.write(&good);
    let r = tf.apply(&[]);
    assert!(
        r.stdout.contains("1 added, 0 changed, 1 destroyed"),
        "{}",
        r.stdout
    );
    assert_eq!(tf.plan_code(&[]).code, 0);
    tf.write(&good.replace(
        "replicas = 0",
        "replicas = 0\n  deletion_protection = false",
    ));
    tf.apply(&[]);
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        sweep::aws().await.database(&name).await,
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn alerting_watches_a_database_with_the_database_pack() {
    let aws = aws().await;
    let cw = aws_sdk_cloudwatch::Client::new(&env::sdk_config().await);
    let name = env::unique("e2e-wdb");
    let (subnets, app) = network(&aws).await;
    let watched = |replicas: i64, extra: &str| {
        config(
            &name,
            "development",
            "postgres",
            &subnets,
            &app,
            &format!("replicas = {replicas}\n  {extra}"),
        ) + &format!(
            r#"
resource "prod_alerting" "ops" {{
  name         = "{name}-ops"
  database_ids = [prod_database_ha.main.id]
}}
"#
        )
    };
    let tf = Tf::new(&watched(1, ""));
    tf.init();
    tf.apply(&[]);
    let s: serde_json::Value = tf.state();
    let ops = s["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "prod_alerting")
        .unwrap()["instances"][0]["attributes"]
        .clone();
    assert_eq!(
        ops["alarm_names"].as_array().unwrap().len(),
        12,
        "{}",
        ops["alarm_names"]
    );
    assert!(env::all_pass(&ops["posture"]), "{}", ops["posture"]);
    let alarm = |suffix: &str| {
        let (cw, full) = (cw.clone(), format!("{name}-ops-db-{name}-{suffix}"));
        async move { env::alarm(&cw, &full).await }
    };
    let gib = 1024.0 * 1024.0 * 1024.0;
    let a = alarm("free-storage-warning").await;
    assert_eq!(
        (a.metric_name.as_deref(), a.threshold),
        (
            Some("FreeStorageSpace"),
            Some((20.0 * gib * 0.2_f64).round())
        )
    );
    // db.t4g.medium, PostgreSQL: 4 GiB / 9531392 = 450 connections by default.
    assert_eq!(alarm("connections-warning").await.threshold, Some(360.0));
    assert_eq!(alarm("connections-critical").await.threshold, Some(427.0));
    let lag = alarm("replica-1-lag-critical").await;
    assert_eq!(
        (lag.threshold, lag.statistic.unwrap().as_str()),
        (Some(300.0), "Maximum")
    );
    assert_eq!(
        lag.dimensions.unwrap()[0].value.as_deref(),
        Some(format!("{name}-replica-1").as_str())
    );
    assert_eq!(
        alarm("cpu-critical").await.alarm_actions.unwrap(),
        vec![ops["critical_topic_arn"].as_str().unwrap().to_string()]
    );
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 0, "second plan: {}", p.all());

    // A second replica: the next plan adds its lag alarms.
    tf.write(&watched(2, ""));
    tf.apply(&[]);
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2, "{}", p.all());
    assert!(p.stdout.contains("replica-2-lag-critical"), "{}", p.stdout);
    tf.apply(&[]);
    assert_eq!(alarm("replica-2-lag-warning").await.threshold, Some(30.0));
    assert_eq!(tf.plan_code(&[]).code, 0);

    // A configured max_connections: the connections alarms follow it (80 % and 95 % of 100). A
    // change to an existing database reaches the pack at the next plan, like a new replica.
    tf.write(&watched(2, "parameters = { max_connections = \"100\" }"));
    tf.apply(&[]);
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2, "{}", p.all());
    tf.apply(&[]);
    assert_eq!(alarm("connections-warning").await.threshold, Some(80.0));
    assert_eq!(alarm("connections-critical").await.threshold, Some(95.0));
    assert_eq!(tf.plan_code(&[]).code, 0);

    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        env::alarm_names(&cw, &format!("{name}-ops-")).await,
        Vec::<String>::new(),
        "alarms left"
    );
    assert_eq!(
        sweep::aws().await.database(&name).await,
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn aurora_postgresql_cluster_created_read_and_destroyed() {
    let aws = aws().await;
    let name = env::unique("e2e-au");
    let (subnets, app) = network(&aws).await;
    let tf = Tf::new(&config(
        &name,
        "production",
        "aurora-postgresql",
        &subnets,
        &app,
        "replicas = 1",
    ));
    tf.init();
    tf.apply(&[]);
    let s = state(&tf);
    assert!(env::all_pass(&s["posture"]), "{}", s["posture"]);
    // Production pools through a proxy whose target is the cluster, with a read-only endpoint
    // over the reader.
    assert_eq!(s["posture"]["pooling"], "pass");
    let targets = aws.proxy_targets(&name).await;
    assert!(
        targets.contains(&("TRACKED_CLUSTER".to_string(), name.clone())),
        "{targets:?}"
    );
    let readers = aws
        .rds
        .describe_db_proxy_endpoints()
        .db_proxy_name(&name)
        .send()
        .await
        .unwrap()
        .db_proxy_endpoints
        .unwrap_or_default();
    let reader = readers
        .iter()
        .find(|e| e.db_proxy_endpoint_name.as_deref() == Some(&format!("{name}-read")))
        .expect("the read-only endpoint");
    assert_eq!(
        reader.target_role.as_ref().map(|r| r.as_str()),
        Some("READ_ONLY")
    );
    assert_eq!(
        s["proxy_reader_endpoint"],
        format!("{}:5432", reader.endpoint.clone().unwrap())
    );
    assert_eq!(
        s["instance_ids"],
        serde_json::json!([format!("{name}-writer"), format!("{name}-replica-1")])
    );
    // The reader is the standby: production's objectives met by a failover to it.
    assert_eq!(
        (
            s["recovery_plan"]["rto"].as_str(),
            s["recovery_plan"]["objectives"].as_str()
        ),
        (
            Some("failover to a reader: ≤ 2m"),
            Some("rpo 5m, rto 15m: met")
        )
    );
    // Audit logging in the cluster parameter group: pgAudit preloaded, DDL, roles and writes.
    let cluster_params: std::collections::BTreeMap<String, String> = aws
        .rds
        .describe_db_cluster_parameters()
        .db_cluster_parameter_group_name(format!("{name}-aurora-postgresql16"))
        .source("user")
        .send()
        .await
        .unwrap()
        .parameters
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| Some((p.parameter_name?, p.parameter_value?)))
        .collect();
    assert_eq!(
        (
            cluster_params
                .get("shared_preload_libraries")
                .map(String::as_str),
            cluster_params.get("pgaudit.log").map(String::as_str)
        ),
        (Some("pg_stat_statements,pgaudit"), Some("ddl,role,write")),
        "{cluster_params:?}"
    );
    assert_eq!(s["posture"]["audit"], "pass");
    let secret = s["master_secret_arn"].as_str().unwrap();
    assert!(
        env::secret_policy(&aws.sm, secret)
            .await
            .contains("aws:SecureTransport"),
        "the cluster's master secret is closed to plain HTTP"
    );
    assert_eq!(
        (s["allocated_storage"].as_i64(), s["multi_az"].as_bool()),
        (Some(0), Some(true))
    );
    assert!(
        s["endpoint"].as_str().unwrap().contains(".cluster-"),
        "{}",
        s["endpoint"]
    );
    assert!(
        s["reader_endpoint"]
            .as_str()
            .unwrap()
            .contains(".cluster-ro-"),
        "{}",
        s["reader_endpoint"]
    );
    assert!(s["master_secret_arn"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws:secretsmanager:"));
    let c = aws
        .rds
        .describe_db_clusters()
        .db_cluster_identifier(&name)
        .send()
        .await
        .unwrap()
        .db_clusters
        .unwrap()
        .remove(0);
    assert_eq!(
        (c.storage_encrypted, c.kms_key_id.as_deref()),
        (Some(true), s["kms_key_arn"].as_str())
    );
    assert_eq!(
        (
            c.backup_retention_period,
            c.preferred_backup_window.as_deref()
        ),
        (Some(30), Some("02:00-03:00"))
    );
    assert_eq!(
        (
            c.deletion_protection,
            c.copy_tags_to_snapshot,
            c.iam_database_authentication_enabled
        ),
        (Some(true), Some(true), Some(true))
    );
    assert_eq!(
        c.db_cluster_parameter_group.as_deref(),
        Some(format!("{name}-aurora-postgresql16").as_str())
    );
    assert_eq!(
        cluster_params.get("rds.force_ssl").map(String::as_str),
        Some("1"),
        "{cluster_params:?}"
    );
    let members: Vec<(String, bool)> = c
        .db_cluster_members
        .unwrap()
        .into_iter()
        .map(|m| {
            (
                m.db_instance_identifier.unwrap(),
                m.is_cluster_writer.unwrap_or(false),
            )
        })
        .collect();
    assert!(
        members.contains(&(format!("{name}-writer"), true))
            && members.contains(&(format!("{name}-replica-1"), false)),
        "{members:?}"
    );
    let w = aws.instance(&format!("{name}-writer")).await.unwrap();
    let r = aws.instance(&format!("{name}-replica-1")).await.unwrap();
    assert_ne!(
        w.availability_zone, r.availability_zone,
        "the reader sits in another zone"
    );
    assert_eq!(w.monitoring_interval, Some(60));
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 0, "second plan: {}", p.all());

    // Drift: retention lowered on the cluster.
    aws.rds
        .modify_db_cluster()
        .db_cluster_identifier(&name)
        .backup_retention_period(3)
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    let p = tf.plan_code(&[]);
    assert!(
        p.code == 2 && p.shows("backup_retention_days", "3 -> 30"),
        "{}",
        p.all()
    );
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0);

    // Import adopts the cluster, its writer and reader.
    tf.run(&["state", "rm", "prod_database_ha.main"]).ok();
    tf.run(&["import", "-no-color", "prod_database_ha.main", &name])
        .ok();
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 0, "plan after import: {}", p.all());

    // Guarded; decommissioned then destroyed with a final cluster snapshot.
    let r = tf.run(&["destroy", "-auto-approve", "-no-color"]);
    assert!(
        r.code != 0 && r.all().contains("protected from destroy"),
        "{}",
        r.all()
    );
    tf.write(&config(
        &name,
        "production",
        "aurora-postgresql",
        &subnets,
        &app,
        "replicas = 1\n  deletion_protection = false",
    ));
    tf.apply(&[]);
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    let snaps = sweep::aws().await.final_snapshots(&name).await;
    assert_eq!(snaps.len(), 1, "{snaps:?}");
    assert_eq!(
        sweep::aws().await.database(&name).await,
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn production_mysql_audits_through_its_option_group_repaired_and_kept_with_the_snapshot() {
    let aws = aws().await;
    let name = env::unique("e2e-amy");
    let (subnets, app) = network(&aws).await;
    let og = format!("{name}-audit-mysql8-0");
    let events = Some(Some(
        "CONNECT,QUERY_DCL,QUERY_DDL,QUERY_DML_NO_SELECT".to_string(),
    ));
    let tf = Tf::new(&config(&name, "production", "mysql", &subnets, &app, ""));
    tf.init();
    // Production refuses auditing off, on the attribute.
    tf.plan_refused(
        &config(
            &name,
            "production",
            "mysql",
            &subnets,
            &app,
            "audit_logging = false",
        ),
        "Audit logging is required in production",
    );
    tf.write(&config(&name, "production", "mysql", &subnets, &app, ""));
    tf.apply(&[]);
    let s = state(&tf);
    assert_eq!(s["audit_logging"], true);
    assert_eq!(s["posture"]["audit"], "pass");
    assert!(env::all_pass(&s["posture"]), "{}", s["posture"]);
    assert!(s["components"]["option_group"]
        .as_str()
        .is_some_and(|a| a.ends_with(&format!(":og:{og}"))));
    // What AWS holds: the plugin with its events, every instance in the group, the audit log exported.
    assert_eq!(aws.audit_option(&og).await, events);
    let ids = [
        name.clone(),
        format!("{name}-replica-1"),
        format!("{name}-replica-2"),
    ];
    aws.assert_audited(&name, &og, &ids).await;
    assert_eq!(tf.plan_code(&[]).code, 0, "second plan");

    // Drift: the plugin taken out of the group, shown and put back by one apply.
    aws.rds
        .modify_option_group()
        .option_group_name(&og)
        .options_to_remove("MARIADB_AUDIT_PLUGIN")
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    tf.drift_repaired(&[
        ("audit_logging", "false -> true"),
        ("\"audit\"", "-> \"pass\""),
    ]);
    assert_eq!(aws.audit_option(&og).await, events, "the plugin is back");

    // Drift: a replica moved out of the group, shown and moved back.
    aws.rds
        .modify_db_instance()
        .db_instance_identifier(&ids[1])
        .option_group_name("default:mysql-8-0")
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    tf.drift_repaired(&[("\"audit\"", "-> \"pass\"")]);
    assert_eq!(
        aws.option_group_of(&ids[1]).await.as_deref(),
        Some(og.as_str())
    );

    // Import finds the group again.
    tf.run(&["state", "rm", "prod_database_ha.main"]).ok();
    tf.run(&["import", "-no-color", "prod_database_ha.main", &name])
        .ok();
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 0, "plan after import: {}", p.all());

    // Decommission and destroy (backups not kept): the final snapshot was taken with the group, so
    // AWS keeps it (as the decommissioning guide lists); it goes once the snapshot does.
    tf.write(&config(
        &name,
        "production",
        "mysql",
        &subnets,
        &app,
        "deletion_protection = false\n  retain_automated_backups = false",
    ));
    tf.apply(&[]);
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        sweep::aws().await.database(&name).await,
        Vec::<String>::new()
    );
    assert_eq!(
        aws.audit_option(&og).await,
        events,
        "kept for the snapshot's restore"
    );
    let refused = aws
        .rds
        .delete_option_group()
        .option_group_name(&og)
        .send()
        .await;
    assert!(
        format!("{refused:?}").contains("InvalidOptionGroupStateFault"),
        "{refused:?}"
    );
    for snap in sweep::aws().await.final_snapshots(&name).await {
        aws.rds
            .delete_db_snapshot()
            .db_snapshot_identifier(snap)
            .send()
            .await
            .unwrap();
    }
    let freed = aws
        .rds
        .delete_option_group()
        .option_group_name(&og)
        .send()
        .await;
    let holders: Vec<_> = aws
        .db_snapshots()
        .await
        .into_iter()
        .filter(|s| s.option_group_name.as_deref() == Some(og.as_str()))
        .map(|s| {
            (
                s.db_snapshot_identifier,
                s.snapshot_type,
                s.db_instance_identifier,
            )
        })
        .collect();
    assert!(
        freed.is_ok(),
        "freed once the snapshots are gone: {freed:?}, held by {holders:?}"
    );
}

/// The database's automated backups replicated to `region` (running or retained there).
async fn replicated(west: &Aws, name: &str) -> Vec<aws_sdk_rds::types::DbInstanceAutomatedBackup> {
    west.rds
        .describe_db_instance_automated_backups()
        .db_instance_identifier(name)
        .send()
        .await
        .unwrap()
        .db_instance_automated_backups
        .unwrap_or_default()
}

/// Those of them that replicate (`pending` or `replicating`).
async fn replicating(west: &Aws, name: &str) -> Vec<aws_sdk_rds::types::DbInstanceAutomatedBackup> {
    replicated(west, name)
        .await
        .into_iter()
        .filter(|b| matches!(b.status.as_deref(), Some("pending" | "replicating")))
        .collect()
}

#[tokio::test]
async fn production_backups_replicated_to_a_second_region_repaired_and_kept() {
    let aws = aws().await;
    let west = sweep::aws_in("us-west-2").await;
    let name = env::unique("e2e-dr");
    let (subnets, app) = network(&aws).await;
    let second = "recovery {\n    region = \"us-west-2\"\n  }";
    let db = |extra: &str| config(&name, "production", "postgres", &subnets, &app, extra);
    let tf = Tf::new(&db(second));
    tf.init();
    // Refused on the attribute: the provider's own region, a name that is no region, days of
    // copies without a second region.
    tf.plan_refused_on(
        &db("recovery {\n    region = \"us-east-1\"\n  }"),
        "region = \"us-east-1\"",
        "The second region is this one",
    );
    tf.plan_refused_on(
        &db("recovery {\n    region = \"west\"\n  }"),
        "region = \"west\"",
        "Not a region",
    );
    tf.plan_refused_on(
        &db("remote_retention_days = 90"),
        "remote_retention_days = 90",
        "No second region to keep copies in",
    );
    tf.write(&db(second));
    tf.apply(&[]);
    let s = state(&tf);
    assert_eq!(s["posture"]["recovery"], "pass");
    assert!(env::all_pass(&s["posture"]), "{}", s["posture"]);
    assert_eq!(s["remote_retention_days"], 90);
    assert_eq!(
        s["recovery_plan"]["regional_loss"],
        "point-in-time restore in us-west-2 from the replicated backups (within 30 day(s)), or from a daily copy (kept 90 day(s)): ≈ 45m"
    );
    assert_eq!(
        s["recovery_plan"]["objectives"],
        "rpo 5m, rto 15m, region us-west-2: met"
    );

    // What AWS holds: the primary replicating to us-west-2, there encrypted with the database's
    // own key of that region (rotating), kept as long as the backups here.
    let key = west
        .kms
        .describe_key()
        .key_id(format!("alias/{name}-db-backups"))
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    let rotation = west
        .kms
        .get_key_rotation_status()
        .key_id(&key.key_id)
        .send()
        .await
        .unwrap();
    assert!(rotation.key_rotation_enabled);
    let primary = aws.instance(&name).await.unwrap();
    let backups = replicated(&west, &name).await;
    assert_eq!(backups.len(), 1, "{backups:?}");
    let b = &backups[0];
    assert_eq!(b.db_instance_arn, primary.db_instance_arn);
    assert_eq!(b.region.as_deref(), Some("us-east-1"));
    assert_eq!(b.backup_retention_period, Some(30));
    assert_eq!(b.kms_key_id, key.arn);
    assert!(
        matches!(b.status.as_deref(), Some("pending" | "replicating")),
        "{b:?}"
    );
    let listed: Vec<String> = primary
        .db_instance_automated_backups_replications
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| r.db_instance_automated_backups_arn)
        .collect();
    assert_eq!(
        listed,
        [b.db_instance_automated_backups_arn.clone().unwrap()]
    );
    assert_eq!(
        s["components"]["backup_replication"],
        b.db_instance_automated_backups_arn.clone().unwrap()
    );
    assert_eq!(s["components"]["remote_kms_key"], key.arn.clone().unwrap());
    // AWS Backup copies each day's recovery point to the vault there, under that key, kept 90
    // days behind a Vault Lock of as many.
    let remote_vault = west.vault(&name).await;
    assert_eq!(remote_vault.encryption_key_arn, key.arn);
    assert_eq!(
        (remote_vault.locked, remote_vault.min_retention_days),
        (Some(true), Some(90))
    );
    let remote_vault_arn = remote_vault.backup_vault_arn.unwrap();
    assert_eq!(s["components"]["remote_backup_vault"], remote_vault_arn);
    let copies = aws.backup_copies(&name).await;
    assert_eq!(copies, [(remote_vault_arn.clone(), Some(90))]);
    assert_eq!(tf.plan_code(&[]).code, 0, "second plan");
    // A day's run: the recovery point here, then its copy there.
    aws.backup_now(
        &name,
        primary.db_instance_arn.as_deref().unwrap(),
        s["components"]["backup_role"].as_str().unwrap(),
    )
    .await;
    west.points_arrive(&name, 1).await;

    // Drift: the copy taken out of the plan's rule in the console; one apply puts it back.
    aws.drop_backup_copies(&name).await;
    tf.drift_repaired(&[("\"recovery\"", "-> \"pass\"")]);
    assert_eq!(
        aws.backup_copies(&name).await,
        [(remote_vault_arn.clone(), Some(90))]
    );

    // Drift: replication stopped in the console; the plan shows the region lost, one apply
    // replicates again.
    west.rds
        .stop_db_instance_automated_backups_replication()
        .source_db_instance_arn(primary.db_instance_arn.clone().unwrap())
        .send()
        .await
        .unwrap();
    // AWS winds the replication down in the background.
    for _ in 0..60 {
        if replicating(&west, &name).await.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert!(replicating(&west, &name).await.is_empty(), "stopped");
    tf.drift_repaired(&[("\"recovery\"", "-> \"pass\"")]);
    let running = replicating(&west, &name).await;
    assert_eq!(running.len(), 1, "replicating again: {running:?}");

    // Day 2: fewer days of backups, one apply, the copy kept as long, an empty plan after.
    let fourteen = format!("backup_retention_days = 14\n  {second}");
    tf.write(&db(&fourteen));
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0, "one apply");
    let running = replicating(&west, &name).await;
    assert_eq!(running.len(), 1, "{running:?}");
    assert_eq!(running[0].backup_retention_period, Some(14));

    // Decommission and destroy: the backups kept here are kept in us-west-2 too, with their key
    // (the decommissioning guide lists both).
    let decommission = format!("deletion_protection = false\n  {fourteen}");
    tf.write(&db(&decommission));
    tf.apply(&[]);
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        sweep::aws().await.database(&name).await,
        Vec::<String>::new()
    );
    let kept = replicated(&west, &name).await;
    assert!(
        !kept.is_empty() && kept.iter().all(|b| b.status.as_deref() == Some("retained")),
        "{kept:?}"
    );
    // The day's copy stays there too, behind its Vault Lock, for its 90 days.
    let kept_vault = west.vault(&name).await;
    assert_eq!(
        (kept_vault.number_of_recovery_points, kept_vault.locked),
        (1, Some(true))
    );
    west.empty_vault(&name).await;
    // And here, the day's recovery point in its vault, behind its lock.
    let here = aws.vault(&name).await;
    assert_eq!(
        (here.number_of_recovery_points, here.locked),
        (1, Some(true))
    );
    aws.empty_vault(&name).await;
    let key_state = west
        .kms
        .describe_key()
        .key_id(key.key_id.clone())
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap()
        .key_state;
    assert_eq!(key_state, Some(aws_sdk_kms::types::KeyState::Enabled));
    // What an operator does when their retention has passed.
    for b in kept {
        west.rds
            .delete_db_instance_automated_backup()
            .set_db_instance_automated_backups_arn(b.db_instance_automated_backups_arn)
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn development_second_region_copy_goes_with_the_database() {
    let aws = aws().await;
    let west = sweep::aws_in("us-west-2").await;
    let name = env::unique("e2e-drd");
    let (subnets, app) = network(&aws).await;
    let second = "recovery {\n    region = \"us-west-2\"\n  }";
    let db = |extra: &str| config(&name, "development", "postgres", &subnets, &app, extra);
    let tf = Tf::new(&db(second));
    tf.init();
    tf.apply(&[]);
    let s = state(&tf);
    assert_eq!(s["posture"]["recovery"], "pass");
    assert_eq!(replicated(&west, &name).await.len(), 1);
    assert_eq!(tf.plan_code(&[]).code, 0, "second plan");
    // The region taken out of the block: the replication stops, its backups stay there.
    tf.write(&db(""));
    tf.apply(&[]);
    assert_eq!(
        tf.plan_code(&[]).code,
        0,
        "plan after the region is removed"
    );
    let s = state(&tf);
    assert!(
        s["components"].get("backup_replication").is_none(),
        "{}",
        s["components"]
    );
    let left = replicated(&west, &name).await;
    assert!(
        !left.is_empty() && left.iter().all(|b| b.status.as_deref() == Some("retained")),
        "{left:?}"
    );
    // Another region: one apply, an empty plan, the copy and its key there.
    let eu = sweep::aws_in("eu-west-1").await;
    tf.write(&db("recovery {\n    region = \"eu-west-1\"\n  }"));
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0, "plan after the region moved");
    let s = state(&tf);
    let eu_key = eu
        .kms
        .describe_key()
        .key_id(format!("alias/{name}-db-backups"))
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    assert_eq!(
        s["components"]["remote_kms_key"],
        eu_key.arn.clone().unwrap()
    );
    assert_eq!(replicating(&eu, &name).await.len(), 1);
    // Destroy: development keeps no backups, here or there, and schedules the key for deletion.
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        replicated(&eu, &name).await.len(),
        0,
        "no backups left there"
    );
    let key_state = eu
        .kms
        .describe_key()
        .key_id(&eu_key.key_id)
        .send()
        .await
        .unwrap()
        .key_metadata
        .and_then(|m| m.key_state);
    assert_eq!(
        key_state,
        Some(aws_sdk_kms::types::KeyState::PendingDeletion)
    );
    // The region left earlier keeps what it copied, for its retention (the decommissioning guide).
    let kept = replicated(&west, &name).await;
    assert!(!kept.is_empty(), "{kept:?}");
    for b in kept {
        west.rds
            .delete_db_instance_automated_backup()
            .set_db_instance_automated_backups_arn(b.db_instance_automated_backups_arn)
            .send()
            .await
            .unwrap();
    }
}

/// The attributes of the first resource of `type_name` in state.
fn resource_state(tf: &Tf, type_name: &str) -> serde_json::Value {
    let s: serde_json::Value = tf.state();
    s["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["type"] == type_name)
        .map(|r| r["instances"][0]["attributes"].clone())
        .unwrap_or_default()
}

/// What a drill of `name` left in `at`: instances and security groups named `<name>-drill-…`.
async fn drill_leftovers(at: &Aws, name: &str) -> Vec<String> {
    let prefix = format!("{name}-drill-");
    let instances = at.db_instances(&prefix).await;
    let mut left: Vec<String> = instances
        .into_iter()
        .filter_map(|i| i.db_instance_identifier)
        .collect();
    let groups = at.ec2.describe_security_groups().send().await.unwrap();
    left.extend(
        groups
            .security_groups
            .unwrap_or_default()
            .into_iter()
            .filter_map(|g| g.group_name)
            .filter(|g| g.starts_with(&prefix)),
    );
    left
}

#[tokio::test]
async fn a_restore_drill_restores_measures_and_leaves_nothing_here_or_in_the_second_region() {
    let aws = aws().await;
    let west = sweep::aws_in("us-west-2").await;
    let name = env::unique("e2e-drl");
    let (subnets, app) = network(&aws).await;
    let database = |extra: &str| {
        config(
            &name,
            "production",
            "postgres",
            &subnets,
            &app,
            &format!("recovery {{\n    region = \"us-west-2\"\n  }}\n  {extra}"),
        )
    };
    let with_drill = |drill: &str| {
        format!(
            "{}\nresource \"prod_restore_drill\" \"quarterly\" {{\n  database_id = prod_database_ha.main.id\n  {drill}\n}}\n",
            database("")
        )
    };
    let tf = Tf::new(&with_drill(""));
    tf.init();
    // Refused on the attribute.
    tf.plan_refused_on(
        &with_drill("restore_time = \"yesterday\""),
        "restore_time = \"yesterday\"",
        "Not a point in time",
    );
    tf.plan_refused_on(
        &with_drill("region = \"us-east-1\""),
        "region = \"us-east-1\"",
        "The drill's region is the provider's",
    );

    // The drill of the latest recovery point, here.
    tf.write(&with_drill(""));
    tf.apply(&[]);
    let d = resource_state(&tf, "prod_restore_drill");
    let first = d["name"].as_str().unwrap().to_string();
    assert!(first.starts_with(&format!("{name}-drill-")), "{d}");
    assert_eq!(d["id"], first);
    assert!(
        d["measured_rto_seconds"].as_i64().is_some_and(|s| s >= 0),
        "{d}"
    );
    assert_eq!(
        d["rto_seconds"], 900,
        "production's RTO, from the database's tag"
    );
    assert_eq!(d["met_rto"], true);
    let from = d["restored_from"].as_str().unwrap();
    assert!(
        from.starts_with(&format!(
            "{name} in us-east-1, restored to the latest restorable time"
        )),
        "{from}"
    );
    assert!(env::all_pass(&d["posture"]), "{}", d["posture"]);
    assert_eq!(
        d["components"],
        serde_json::json!({}),
        "nothing of the drill left"
    );
    assert_eq!(drill_leftovers(&aws, &name).await, Vec::<String>::new());
    let primary = aws.instance(&name).await.unwrap();
    let rto_tag = primary
        .tag_list
        .unwrap_or_default()
        .into_iter()
        .find(|t| t.key.as_deref() == Some("prod:rto_seconds"))
        .and_then(|t| t.value);
    assert_eq!(rto_tag.as_deref(), Some("900"));
    assert_eq!(tf.plan_code(&[]).code, 0, "a drill's record plans empty");

    // A drill AWS refuses half way (a time outside the backups kept): the apply fails naming why,
    // the group it had made is in the tainted record, and the next apply deletes it.
    tf.write(&with_drill("restore_time = \"2001-01-01T00:00:00Z\""));
    let failed = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_ne!(failed.code, 0);
    assert!(
        failed.all().contains("InvalidRestoreFault"),
        "{}",
        failed.all()
    );
    let left = resource_state(&tf, "prod_restore_drill");
    assert!(left["components"].get("security_group").is_some(), "{left}");
    assert_eq!(drill_leftovers(&aws, &name).await.len(), 1, "its group");
    tf.write(&with_drill(""));
    tf.apply(&[]);
    assert_eq!(drill_leftovers(&aws, &name).await, Vec::<String>::new());
    assert_eq!(tf.plan_code(&[]).code, 0);

    // The next quarter's drill: -replace runs it again.
    std::thread::sleep(std::time::Duration::from_secs(1));
    tf.apply(&["-replace=prod_restore_drill.quarterly"]);
    let again = resource_state(&tf, "prod_restore_drill");
    assert_ne!(again["name"], first, "a new drill");
    assert_eq!(drill_leftovers(&aws, &name).await, Vec::<String>::new());

    // In the second region, from the replicated backups, into its default VPC.
    tf.write(&with_drill("region = \"us-west-2\""));
    tf.apply(&[]);
    let remote = resource_state(&tf, "prod_restore_drill");
    let from = remote["restored_from"].as_str().unwrap();
    assert!(
        from.starts_with(&format!(
            "{name}'s backups replicated to us-west-2 (arn:aws:rds:us-west-2:"
        )),
        "{from}"
    );
    assert!(env::all_pass(&remote["posture"]), "{}", remote["posture"]);
    assert_eq!(drill_leftovers(&west, &name).await, Vec::<String>::new());
    assert_eq!(tf.plan_code(&[]).code, 0);

    // Decommission and destroy: the drill's record goes with nothing to delete.
    tf.write(&format!(
        "{}\nresource \"prod_restore_drill\" \"quarterly\" {{\n  database_id = prod_database_ha.main.id\n  region = \"us-west-2\"\n}}\n",
        database("deletion_protection = false\n  retain_automated_backups = false")
    ));
    tf.apply(&[]);
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        sweep::aws().await.database(&name).await,
        Vec::<String>::new()
    );
    assert_eq!(replicated(&west, &name).await.len(), 0);
}

impl Aws {
    /// The RDS Proxy `name`, `None` when RDS says there is none (any other error fails the test).
    async fn proxy(&self, name: &str) -> Option<aws_sdk_rds::types::DbProxy> {
        match self
            .rds
            .describe_db_proxies()
            .db_proxy_name(name)
            .send()
            .await
        {
            Ok(o) => o.db_proxies?.into_iter().next(),
            // `exists` fails the test on any error but "not found".
            Err(e) => {
                sweep::exists(Err::<(), _>(e));
                None
            }
        }
    }

    /// The proxy's pool: (max connections %, max idle %, borrow timeout s).
    async fn proxy_pool(&self, name: &str) -> (i32, i32, i32) {
        let g = self
            .rds
            .describe_db_proxy_target_groups()
            .db_proxy_name(name)
            .target_group_name("default")
            .send()
            .await
            .unwrap()
            .target_groups
            .unwrap_or_default()
            .into_iter()
            .next()
            .unwrap()
            .connection_pool_config
            .unwrap();
        (
            g.max_connections_percent.unwrap_or_default(),
            g.max_idle_connections_percent.unwrap_or_default(),
            g.connection_borrow_timeout.unwrap_or_default(),
        )
    }

    /// The proxy's targets: (type, id).
    async fn proxy_targets(&self, name: &str) -> Vec<(String, String)> {
        self.rds
            .describe_db_proxy_targets()
            .db_proxy_name(name)
            .target_group_name("default")
            .send()
            .await
            .unwrap()
            .targets
            .unwrap_or_default()
            .into_iter()
            .map(|t| {
                (
                    t.r#type.map(|k| k.as_str().to_string()).unwrap_or_default(),
                    t.tracked_cluster_id
                        .or(t.rds_resource_id)
                        .unwrap_or_default(),
                )
            })
            .collect()
    }

    /// A security group's rules: (ingress, egress), each as (port, peer group).
    async fn group_rules(&self, id: &str) -> (Vec<(i32, String)>, Vec<(i32, String)>) {
        let g = self
            .ec2
            .describe_security_groups()
            .group_ids(id)
            .send()
            .await
            .unwrap()
            .security_groups
            .unwrap_or_default()
            .into_iter()
            .next()
            .unwrap();
        let rules = |perms: &[aws_sdk_ec2::types::IpPermission]| {
            let mut out: Vec<(i32, String)> = perms
                .iter()
                .flat_map(|p| {
                    let port = p.from_port.unwrap_or(-1);
                    let groups = p
                        .user_id_group_pairs()
                        .iter()
                        .filter_map(|g| g.group_id.clone())
                        .map(move |g| (port, g));
                    let cidrs = p
                        .ip_ranges()
                        .iter()
                        .filter_map(|r| r.cidr_ip.clone())
                        .map(move |c| (port, c));
                    groups.chain(cidrs).collect::<Vec<_>>()
                })
                .collect();
            out.sort();
            out
        };
        (rules(g.ip_permissions()), rules(g.ip_permissions_egress()))
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn production_pooling_through_a_proxy_repaired_resized_and_removed() {
    let aws = aws().await;
    let name = env::unique("e2e-pool");
    let (subnets, app) = network(&aws).await;
    let pooling = |extra: &str| {
        format!("pooling {{\n    max_connections_percent = 80\n    idle_client_timeout = \"20m\"\n    {extra}\n  }}")
    };
    let db = |extra: &str| config(&name, "production", "postgres", &subnets, &app, extra);
    let tf = Tf::new(&db(&pooling("")));
    tf.init();
    // Refused on the attribute: values RDS Proxy does not take.
    tf.plan_refused_on(
        &db("pooling {\n    max_connections_percent = 0\n  }"),
        "max_connections_percent = 0",
        "Not a percentage RDS Proxy accepts",
    );
    tf.plan_refused_on(
        &db("pooling {\n    idle_client_timeout = \"9h\"\n  }"),
        "idle_client_timeout = \"9h\"",
        "Idle timeout out of range",
    );
    tf.write(&db(&pooling("")));
    tf.apply(&[]);
    let s = state(&tf);
    assert_eq!(s["posture"]["pooling"], "pass", "{}", s["posture"]);
    assert!(env::all_pass(&s["posture"]), "{}", s["posture"]);
    assert!(
        s["proxy_reader_endpoint"].is_null(),
        "{}",
        s["proxy_reader_endpoint"]
    );

    // What AWS holds: the proxy requires TLS and IAM authentication, logs in with the master
    // secret through its own role, fronts the primary with a pool of 80 % (40 % idle).
    let px = aws.proxy(&name).await.expect("the proxy");
    assert_eq!(px.require_tls, Some(true));
    assert_eq!(px.idle_client_timeout, Some(1200));
    assert_eq!(px.debug_logging, Some(false));
    assert_eq!(px.engine_family.as_deref(), Some("POSTGRESQL"));
    let auth = px.auth.clone().unwrap_or_default();
    assert_eq!(auth.len(), 1, "{auth:?}");
    assert_eq!(
        auth[0].iam_auth.as_ref().map(|m| m.as_str()),
        Some("REQUIRED")
    );
    let primary = aws.instance(&name).await.unwrap();
    let secret = primary.master_user_secret.unwrap().secret_arn.unwrap();
    assert_eq!(auth[0].secret_arn.as_deref(), Some(secret.as_str()));
    assert_eq!(
        s["proxy_endpoint"],
        format!("{}:5432", px.endpoint.clone().unwrap())
    );
    let role = aws
        .iam
        .get_role()
        .role_name(format!("{name}-rds-proxy"))
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    assert_eq!(px.role_arn.as_deref(), Some(role.arn.as_str()));
    let policy = aws
        .iam
        .get_role_policy()
        .role_name(format!("{name}-rds-proxy"))
        .policy_name("read-master-secret")
        .send()
        .await
        .unwrap()
        .policy_document;
    let policy = env::urlencoding_decode(&policy);
    assert!(policy.contains(&secret), "{policy}");
    assert_eq!(aws.proxy_pool(&name).await, (80, 40, 120));
    assert_eq!(
        aws.proxy_targets(&name).await,
        vec![("RDS_INSTANCE".to_string(), name.clone())]
    );
    // The proxy's group admits the application on 5432 and reaches the database on its port and
    // Secrets Manager over HTTPS; the database's group admits the application and the proxy.
    let proxy_sg = px.vpc_security_group_ids.clone().unwrap_or_default();
    assert_eq!(proxy_sg.len(), 1);
    let db_sg = s["security_group_id"].as_str().unwrap().to_string();
    assert_eq!(s["components"]["proxy_security_group"], proxy_sg[0]);
    assert_eq!(
        aws.group_rules(&proxy_sg[0]).await,
        (
            vec![(5432, app.clone())],
            vec![(443, "0.0.0.0/0".to_string()), (5433, db_sg.clone())]
        )
    );
    let mut admitted = vec![(5433, app.clone()), (5433, proxy_sg[0].clone())];
    admitted.sort();
    assert_eq!(aws.group_rules(&db_sg).await, (admitted, vec![]));
    assert_eq!(tf.plan_code(&[]).code, 0, "second plan");

    // Drift: TLS relaxed in the console; the plan shows it, one apply requires it again.
    aws.rds
        .modify_db_proxy()
        .db_proxy_name(&name)
        .require_tls(false)
        .send()
        .await
        .unwrap();
    tf.drift_repaired(&[("\"pooling\"", "-> \"pass\"")]);
    assert_eq!(aws.proxy(&name).await.unwrap().require_tls, Some(true));
    // Drift: the pool widened and the target deregistered.
    aws.rds
        .modify_db_proxy_target_group()
        .db_proxy_name(&name)
        .target_group_name("default")
        .connection_pool_config(
            aws_sdk_rds::types::ConnectionPoolConfiguration::builder()
                .max_connections_percent(100)
                .build(),
        )
        .send()
        .await
        .unwrap();
    aws.rds
        .deregister_db_proxy_targets()
        .db_proxy_name(&name)
        .target_group_name("default")
        .db_instance_identifiers(&name)
        .send()
        .await
        .unwrap();
    tf.drift_repaired(&[("\"pooling\"", "-> \"pass\"")]);
    assert_eq!(aws.proxy_pool(&name).await, (80, 40, 120));
    assert_eq!(aws.proxy_targets(&name).await.len(), 1);

    // Day 2: a smaller pool and a shorter timeout, one apply, an empty plan after.
    let smaller = "pooling {\n    max_connections_percent = 60\n    idle_client_timeout = 600\n  }";
    tf.write(&db(smaller));
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0, "one apply");
    assert_eq!(aws.proxy_pool(&name).await, (60, 30, 120));
    assert_eq!(
        aws.proxy(&name).await.unwrap().idle_client_timeout,
        Some(600)
    );

    // Pooling off: the proxy, its group and role go; the database's group admits the
    // application only.
    tf.write(&db("pooling {\n    enabled = false\n  }"));
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0, "off in one apply");
    let s = state(&tf);
    assert!(s["proxy_endpoint"].is_null());
    assert!(s["posture"].get("pooling").is_none(), "{}", s["posture"]);
    assert!(aws.proxy(&name).await.is_none());
    assert_eq!(
        aws.group_rules(&db_sg).await,
        (vec![(5433, app.clone())], vec![])
    );
    assert!(!sweep::exists(
        aws.iam
            .get_role()
            .role_name(format!("{name}-rds-proxy"))
            .send()
            .await
    ));

    // Back on, then decommission and destroy: nothing of the proxy is left.
    tf.write(&db(&format!(
        "deletion_protection = false\n  {}",
        pooling("")
    )));
    tf.apply(&[]);
    assert!(aws.proxy(&name).await.is_some());
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        sweep::aws().await.database(&name).await,
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn development_aurora_pooled_on_request_loses_its_read_only_endpoint_with_its_last_reader() {
    let aws = aws().await;
    let name = env::unique("e2e-apool");
    let (subnets, app) = network(&aws).await;
    let db = |replicas: u8| {
        config(
            &name,
            "development",
            "aurora-mysql",
            &subnets,
            &app,
            &format!("replicas = {replicas}\n  pooling {{\n    enabled = true\n  }}"),
        )
    };
    let tf = Tf::new(&db(1));
    tf.init();
    tf.apply(&[]);
    let s = state(&tf);
    assert_eq!(s["posture"]["pooling"], "pass", "{}", s["posture"]);
    assert!(s["proxy_reader_endpoint"].as_str().is_some_and(|e| e
        .starts_with(&format!("{name}-read.endpoint.proxy-"))
        && e.ends_with(":3306")));
    let px = aws.proxy(&name).await.expect("the proxy");
    assert_eq!(px.engine_family.as_deref(), Some("MYSQL"));
    // The cluster is the target (its writer and reader listed as its members).
    let targets = aws.proxy_targets(&name).await;
    assert!(
        targets.contains(&("TRACKED_CLUSTER".to_string(), name.clone())),
        "{targets:?}"
    );
    assert_eq!(tf.plan_code(&[]).code, 0, "second plan");

    // Its last reader removed: RDS Proxy keeps no read-only endpoint over a writer alone; one
    // apply, an empty plan after.
    tf.write(&db(0));
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0, "one apply");
    let s = state(&tf);
    assert!(
        s["proxy_reader_endpoint"].is_null(),
        "{}",
        s["proxy_reader_endpoint"]
    );
    assert!(s["components"].get("proxy_reader").is_none());
    let endpoints = aws
        .rds
        .describe_db_proxy_endpoints()
        .db_proxy_name(&name)
        .send()
        .await
        .unwrap()
        .db_proxy_endpoints
        .unwrap_or_default();
    assert!(endpoints.is_empty(), "{endpoints:?}");

    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        sweep::aws().await.database(&name).await,
        Vec::<String>::new()
    );
}

/// A POST to the local AWS's own hooks (plain HTTP, no signature); the answer's body.
fn local_hook(path: &str) -> serde_json::Value {
    use std::io::{Read, Write};
    let host = env::endpoint()
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(
        head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"),
        "{answer}"
    );
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

impl Aws {
    /// The vault `name` as AWS Backup describes it (it must exist).
    async fn vault(
        &self,
        name: &str,
    ) -> aws_sdk_backup::operation::describe_backup_vault::DescribeBackupVaultOutput {
        self.backup
            .describe_backup_vault()
            .backup_vault_name(name)
            .send()
            .await
            .unwrap()
    }

    /// The copies the backup plan `name`'s rules make: (destination vault, days kept).
    async fn backup_copies(&self, name: &str) -> Vec<(String, Option<i64>)> {
        let id = self.backup_plan_id(name).await.expect("the backup plan");
        let plan = self
            .backup
            .get_backup_plan()
            .backup_plan_id(id)
            .send()
            .await
            .unwrap()
            .backup_plan
            .unwrap();
        plan.rules
            .into_iter()
            .flat_map(|r| r.copy_actions.unwrap_or_default())
            .map(|c| {
                (
                    c.destination_backup_vault_arn,
                    c.lifecycle.and_then(|l| l.delete_after_days),
                )
            })
            .collect()
    }

    /// Takes the copies out of the backup plan `name`'s rules, as in the console.
    async fn drop_backup_copies(&self, name: &str) {
        let id = self.backup_plan_id(name).await.unwrap();
        let plan = self
            .backup
            .get_backup_plan()
            .backup_plan_id(&id)
            .send()
            .await
            .unwrap()
            .backup_plan
            .unwrap();
        let rules = plan
            .rules
            .into_iter()
            .map(|r| {
                aws_sdk_backup::types::BackupRuleInput::builder()
                    .rule_name(r.rule_name)
                    .target_backup_vault_name(r.target_backup_vault_name)
                    .set_schedule_expression(r.schedule_expression)
                    .set_start_window_minutes(r.start_window_minutes)
                    .set_completion_window_minutes(r.completion_window_minutes)
                    .set_lifecycle(r.lifecycle)
                    .build()
                    .unwrap()
            })
            .collect();
        self.backup
            .update_backup_plan()
            .backup_plan_id(id)
            .backup_plan(
                aws_sdk_backup::types::BackupPlanInput::builder()
                    .backup_plan_name(plan.backup_plan_name)
                    .set_rules(Some(rules))
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }

    /// Waits (up to a minute) until the vault `name` holds `n` recovery points.
    async fn points_arrive(&self, name: &str, n: i64) {
        for _ in 0..120 {
            let v = self.vault(name).await;
            if v.number_of_recovery_points == n {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        panic!("vault {name} did not get {n} recovery point(s)");
    }

    /// What an operator does once a kept vault's retention has passed: lock lifted, points and
    /// vault deleted.
    async fn empty_vault(&self, name: &str) {
        self.backup
            .delete_backup_vault_lock_configuration()
            .backup_vault_name(name)
            .send()
            .await
            .unwrap();
        let points = self
            .backup
            .list_recovery_points_by_backup_vault()
            .backup_vault_name(name)
            .send()
            .await
            .unwrap()
            .recovery_points
            .unwrap_or_default();
        for p in points {
            self.backup
                .delete_recovery_point()
                .backup_vault_name(name)
                .recovery_point_arn(p.recovery_point_arn.unwrap())
                .send()
                .await
                .unwrap();
        }
        self.points_arrive(name, 0).await;
        self.backup
            .delete_backup_vault()
            .backup_vault_name(name)
            .send()
            .await
            .unwrap();
    }

    /// The backup plan named `name`: its id.
    async fn backup_plan_id(&self, name: &str) -> Option<String> {
        self.backup
            .list_backup_plans()
            .send()
            .await
            .unwrap()
            .backup_plans_list
            .unwrap_or_default()
            .into_iter()
            .find(|p| p.backup_plan_name.as_deref() == Some(name))
            .and_then(|p| p.backup_plan_id)
    }

    /// A day's run of the backup plan: a backup job of `resource` into the vault `vault` (the
    /// local AWS takes it as the plan's rule, copies included), waited for until it completes.
    async fn backup_now(&self, vault: &str, resource: &str, role: &str) {
        let job = self
            .backup
            .start_backup_job()
            .backup_vault_name(vault)
            .resource_arn(resource)
            .iam_role_arn(role)
            .send()
            .await
            .unwrap()
            .backup_job_id
            .unwrap();
        self.backup_completed(&job).await;
    }

    /// Waits (up to a minute) until backup job `id` has completed.
    async fn backup_completed(&self, id: &str) {
        for _ in 0..120 {
            let j = self
                .backup
                .describe_backup_job()
                .backup_job_id(id)
                .send()
                .await
                .unwrap();
            match j.state.as_ref().map(|s| s.as_str()) {
                Some("COMPLETED") => return,
                Some("FAILED") | Some("ABORTED") => panic!("backup job {id}: {j:?}"),
                _ => tokio::time::sleep(std::time::Duration::from_millis(500)).await,
            }
        }
        panic!("backup job {id} did not finish");
    }

    /// Waits (up to a minute) until restore job `id` has finished; its status.
    async fn restore_job_status(&self, id: &str) -> String {
        for _ in 0..120 {
            let j = self
                .backup
                .describe_restore_job()
                .restore_job_id(id)
                .send()
                .await
                .unwrap();
            let status = j.status.map(|s| s.as_str().to_string()).unwrap_or_default();
            if status == "COMPLETED" || status == "FAILED" || status == "ABORTED" {
                return status;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        panic!("restore job {id} did not finish");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn production_restore_check_restores_in_isolation_repaired_rescheduled_and_removed() {
    let aws = aws().await;
    let name = env::unique("e2e-rchk");
    let (subnets, app) = network(&aws).await;
    let db = |extra: &str| config(&name, "production", "postgres", &subnets, &app, extra);
    let tf = Tf::new(&db(""));
    tf.init();
    tf.plan_refused_on(
        &db("restore_check {\n    schedule = \"fortnightly\"\n  }"),
        "schedule = \"fortnightly\"",
        "Not a schedule",
    );
    // Production verifies its backups without being asked.
    tf.write(&db(""));
    tf.apply(&[]);
    let s = state(&tf);
    assert_eq!(s["posture"]["restore_check"], "pass", "{}", s["posture"]);
    assert!(env::all_pass(&s["posture"]), "{}", s["posture"]);
    let primary = s["components"]["primary"].as_str().unwrap().to_string();
    let key = s["kms_key_arn"].as_str().unwrap().to_string();

    // What AWS holds: the vault under the database's key and a 30-day Vault Lock.
    let v = aws.vault(&name).await;
    assert_eq!(v.encryption_key_arn.as_deref(), Some(key.as_str()));
    assert_eq!((v.locked, v.min_retention_days), (Some(true), Some(30)));
    let vault_arn = v.backup_vault_arn.unwrap();
    assert_eq!(s["components"]["backup_vault"], vault_arn);
    // The plan's daily rule keeps each recovery point 30 days; its selection is the primary.
    let plan_id = aws.backup_plan_id(&name).await.expect("the backup plan");
    let plan = aws
        .backup
        .get_backup_plan()
        .backup_plan_id(&plan_id)
        .send()
        .await
        .unwrap()
        .backup_plan
        .unwrap();
    assert_eq!(plan.rules.len(), 1);
    let rule = &plan.rules[0];
    assert_eq!(rule.target_backup_vault_name, name);
    assert_eq!(
        rule.schedule_expression.as_deref(),
        Some("cron(0 5 * * ? *)")
    );
    assert_eq!(
        rule.lifecycle.as_ref().and_then(|l| l.delete_after_days),
        Some(30)
    );
    let selections = aws
        .backup
        .list_backup_selections()
        .backup_plan_id(&plan_id)
        .send()
        .await
        .unwrap()
        .backup_selections_list
        .unwrap_or_default();
    assert_eq!(selections.len(), 1);
    let role = format!("{name}-db-backup");
    let role_arn = aws
        .iam
        .get_role()
        .role_name(&role)
        .send()
        .await
        .unwrap()
        .role
        .unwrap()
        .arn;
    let sel = aws
        .backup
        .get_backup_selection()
        .backup_plan_id(&plan_id)
        .selection_id(selections[0].selection_id.clone().unwrap())
        .send()
        .await
        .unwrap()
        .backup_selection
        .unwrap();
    assert_eq!(sel.resources.unwrap_or_default(), vec![primary.clone()]);
    assert_eq!(sel.iam_role_arn, role_arn);
    // The restore test: monthly, the latest recovery point of the vault, into the isolated group.
    let test_plan = name.replace('-', "_");
    let tp = aws
        .backup
        .get_restore_testing_plan()
        .restore_testing_plan_name(&test_plan)
        .send()
        .await
        .unwrap()
        .restore_testing_plan
        .unwrap();
    assert_eq!(tp.schedule_expression, "cron(0 6 1 * ? *)");
    let rps = tp.recovery_point_selection.unwrap();
    assert_eq!(
        rps.include_vaults.unwrap_or_default(),
        vec![vault_arn.clone()]
    );
    assert_eq!(
        rps.algorithm.map(|a| a.as_str().to_string()).as_deref(),
        Some("LATEST_WITHIN_WINDOW")
    );
    let ts = aws
        .backup
        .get_restore_testing_selection()
        .restore_testing_plan_name(&test_plan)
        .restore_testing_selection_name("database")
        .send()
        .await
        .unwrap()
        .restore_testing_selection
        .unwrap();
    assert_eq!(ts.protected_resource_type, "RDS");
    assert_eq!(
        ts.protected_resource_arns.unwrap_or_default(),
        vec![primary.clone()]
    );
    let isolated = s["components"]["restore_check_security_group"]
        .as_str()
        .unwrap()
        .to_string();
    let overrides = ts.restore_metadata_overrides.unwrap_or_default();
    assert_eq!(
        overrides.get("vpcSecurityGroupIds"),
        Some(&format!("[\"{isolated}\"]"))
    );
    assert_eq!(overrides.get("dbSubnetGroupName"), Some(&name));
    assert_eq!(aws.group_rules(&isolated).await, (vec![], vec![]));
    assert_eq!(tf.plan_code(&[]).code, 0, "second plan");

    // A run: the day's recovery point (as the plan's rule makes it), then the test restores it
    // into the isolated group and the subnet group, which exist, so the restore completes.
    aws.backup_now(&name, &primary, &role_arn).await;
    let run = local_hook(&format!("/_local/backup/restore-testing/{test_plan}/run"));
    let jobs = run["RestoreJobIds"].as_array().cloned().unwrap_or_default();
    assert_eq!(jobs.len(), 1, "{run}");
    let job_id = jobs[0].as_str().unwrap();
    assert_eq!(aws.restore_job_status(job_id).await, "COMPLETED");

    // Drift: the restore test deleted and the Vault Lock lifted in the console; one apply.
    aws.backup
        .delete_restore_testing_selection()
        .restore_testing_plan_name(&test_plan)
        .restore_testing_selection_name("database")
        .send()
        .await
        .unwrap();
    aws.backup
        .delete_restore_testing_plan()
        .restore_testing_plan_name(&test_plan)
        .send()
        .await
        .unwrap();
    aws.backup
        .delete_backup_vault_lock_configuration()
        .backup_vault_name(&name)
        .send()
        .await
        .unwrap();
    tf.drift_repaired(&[("\"restore_check\"", "-> \"pass\"")]);
    let v = aws.vault(&name).await;
    assert_eq!(v.min_retention_days, Some(30));
    // Drift: the isolated group opened.
    env::open_to_world(&aws.ec2, &isolated, 5433).await;
    tf.drift_repaired(&[("\"restore_check\"", "-> \"pass\"")]);
    assert_eq!(aws.group_rules(&isolated).await, (vec![], vec![]));

    // Day 2: quarterly, one apply, an empty plan after.
    tf.write(&db("restore_check {\n    schedule = \"quarterly\"\n  }"));
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0, "one apply");
    let tp = aws
        .backup
        .get_restore_testing_plan()
        .restore_testing_plan_name(&test_plan)
        .send()
        .await
        .unwrap()
        .restore_testing_plan
        .unwrap();
    assert_eq!(tp.schedule_expression, "cron(0 6 1 1,4,7,10 ? *)");

    // Off: the test, the plan, the group and the role go; the vault stays with its recovery
    // point (production keeps backups for their retention).
    tf.write(&db("restore_check {\n    enabled = false\n  }"));
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0, "off in one apply");
    let s = state(&tf);
    assert!(
        s["posture"].get("restore_check").is_none(),
        "{}",
        s["posture"]
    );
    assert!(aws.backup_plan_id(&name).await.is_none());
    assert_eq!(
        aws.restore_check_leftovers(&name).await,
        Vec::<String>::new()
    );
    assert!(!sweep::exists(
        aws.iam.get_role().role_name(&role).send().await
    ));
    let kept = aws.vault(&name).await;
    assert_eq!(kept.number_of_recovery_points, 1);

    // Decommission and destroy: nothing is left but the kept recovery point's vault.
    tf.write(&db(
        "deletion_protection = false\n  restore_check {\n    enabled = false\n  }",
    ));
    tf.apply(&[]);
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        sweep::aws().await.database(&name).await,
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn development_restore_check_on_request_goes_with_the_database() {
    let aws = aws().await;
    let name = env::unique("e2e-rchkd");
    let (subnets, app) = network(&aws).await;
    let db = |extra: &str| config(&name, "development", "postgres", &subnets, &app, extra);
    // Development: none without the block.
    let tf = Tf::new(&db(""));
    tf.init();
    tf.apply(&[]);
    let s = state(&tf);
    assert!(
        s["posture"].get("restore_check").is_none(),
        "{}",
        s["posture"]
    );
    assert!(aws.backup_plan_id(&name).await.is_none());
    // On request, weekly; no Vault Lock outside production.
    tf.write(&db(
        "restore_check {\n    enabled = true\n    schedule = \"weekly\"\n  }",
    ));
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0, "one apply");
    let s = state(&tf);
    assert_eq!(s["posture"]["restore_check"], "pass", "{}", s["posture"]);
    let v = aws.vault(&name).await;
    assert_eq!(v.locked, Some(false));
    let primary = s["components"]["primary"].as_str().unwrap().to_string();
    let role_arn = s["components"]["backup_role"].as_str().unwrap().to_string();
    // A recovery point in the vault: development deletes it with the database.
    aws.backup_now(&name, &primary, &role_arn).await;
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert!(!sweep::exists(
        aws.backup
            .describe_backup_vault()
            .backup_vault_name(&name)
            .send()
            .await
    ));
    assert_eq!(
        sweep::aws().await.database(&name).await,
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn aurora_copies_its_backups_to_a_second_region_repaired_and_gone_with_it() {
    let aws = aws().await;
    let west = sweep::aws_in("us-west-2").await;
    let name = env::unique("e2e-adr");
    let (subnets, app) = network(&aws).await;
    let second = "remote_retention_days = 14\n  recovery {\n    region = \"us-west-2\"\n  }";
    let db = |extra: &str| {
        config(
            &name,
            "development",
            "aurora-postgresql",
            &subnets,
            &app,
            extra,
        )
    };
    let tf = Tf::new(&db(second));
    tf.init();
    tf.apply(&[]);
    let s = state(&tf);
    assert_eq!(s["posture"]["recovery"], "pass", "{}", s["posture"]);
    assert_eq!(
        s["recovery_plan"]["regional_loss"],
        "a restore in us-west-2 from the latest daily copy (kept 14 day(s); up to a day of changes lost): ≈ 45m"
    );
    // No restore test in development: AWS Backup only copies, the cluster selected.
    assert!(
        s["posture"].get("restore_check").is_none(),
        "{}",
        s["posture"]
    );
    assert!(s["components"].get("restore_testing_plan").is_none());
    let key = west
        .kms
        .describe_key()
        .key_id(format!("alias/{name}-db-backups"))
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    let remote_vault = west.vault(&name).await;
    assert_eq!(remote_vault.encryption_key_arn, key.arn);
    assert_eq!(remote_vault.locked, Some(false));
    let remote_vault_arn = remote_vault.backup_vault_arn.unwrap();
    assert_eq!(
        aws.backup_copies(&name).await,
        [(remote_vault_arn.clone(), Some(14))]
    );
    let plan = aws.backup_plan_id(&name).await.unwrap();
    let selections = aws
        .backup
        .list_backup_selections()
        .backup_plan_id(&plan)
        .send()
        .await
        .unwrap()
        .backup_selections_list
        .unwrap_or_default();
    let sel = aws
        .backup
        .get_backup_selection()
        .backup_plan_id(&plan)
        .selection_id(selections[0].selection_id.clone().unwrap())
        .send()
        .await
        .unwrap()
        .backup_selection
        .unwrap();
    assert_eq!(
        sel.resources.unwrap_or_default(),
        vec![s["components"]["cluster"].as_str().unwrap().to_string()]
    );
    assert_eq!(tf.plan_code(&[]).code, 0, "second plan");

    // Drift: the copies stopped in the console; the plan shows the region lost, one apply.
    aws.drop_backup_copies(&name).await;
    tf.drift_repaired(&[("\"recovery\"", "-> \"pass\"")]);
    assert_eq!(
        aws.backup_copies(&name).await,
        [(remote_vault_arn, Some(14))]
    );

    // Destroy: development keeps nothing, here or there; the key there is scheduled for deletion.
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        sweep::aws().await.database(&name).await,
        Vec::<String>::new()
    );
    assert_eq!(
        west.restore_check_leftovers(&name).await,
        Vec::<String>::new()
    );
    assert!(!sweep::exists(
        west.backup
            .describe_backup_vault()
            .backup_vault_name(&name)
            .send()
            .await
    ));
    let key_state = west
        .kms
        .describe_key()
        .key_id(&key.key_id)
        .send()
        .await
        .unwrap()
        .key_metadata
        .and_then(|m| m.key_state);
    assert_eq!(
        key_state,
        Some(aws_sdk_kms::types::KeyState::PendingDeletion)
    );
}
