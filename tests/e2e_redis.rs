//! End to end: `prod_redis_cluster` with the real `terraform` against the local AWS: the hardened
//! replication group asserted through the AWS API (encryption, AUTH, failover, zones, key policy),
//! in-place scaling, drift repaired, import, the deletion guard, decommission and destroy with a
//! final snapshot, cluster mode, and a sweep of every kind of object the resource makes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aws_sdk_elasticache::types::{AutomaticFailoverStatus, MultiAzStatus, ReplicationGroup};
use common::sweep::{aws, Aws};
use common::tf::Tf;
use common::{env, sweep};

fn config(name: &str, environment: &str, subnets: &[String], app: &str, extra: &str) -> String {
    let list = subnets
        .iter()
        .map(|s| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let provider = env::provider_block(environment);
    format!(
        r#"
{provider}
resource "prod_redis_cluster" "sessions" {{
  name                       = "{name}"
  engine                     = "valkey"
  subnet_ids                 = [{list}]
  allowed_security_group_ids = ["{app}"]
  tags                       = {{ service = "sessions" }}
  {extra}
}}
"#
    )
}

fn state(tf: &Tf) -> serde_json::Value {
    tf.first_instance()["attributes"].clone()
}

impl Aws {
    async fn group(&self, id: &str) -> Option<ReplicationGroup> {
        self.ec
            .describe_replication_groups()
            .replication_group_id(id)
            .send()
            .await
            .ok()?
            .replication_groups?
            .into_iter()
            .next()
    }

    async fn member(&self, id: &str) -> aws_sdk_elasticache::types::CacheCluster {
        self.ec
            .describe_cache_clusters()
            .cache_cluster_id(id)
            .send()
            .await
            .unwrap()
            .cache_clusters
            .unwrap()
            .remove(0)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn production_replicated_encrypted_authenticated_drift_repaired_guarded_and_swept() {
    let aws = aws().await;
    let name = env::unique("e2e-rd");
    let (subnets, app) = env::vpc_with_app(&aws.ec2, 78).await;
    let params = "parameters = { \"maxmemory-policy\" = \"allkeys-lru\" }";
    let tf = Tf::new(&config(&name, "production", &subnets, &app, params));
    tf.init();
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2, "{}", p.all());
    assert!(
        p.stdout.contains("\"auth_secret\"")
            && p.stdout.contains("\"replication_group\"")
            && p.shows("replicas_per_shard", "2"),
        "{}",
        p.stdout
    );
    tf.apply(&[]);
    let s = state(&tf);
    let key = s["kms_key_arn"].as_str().unwrap().to_string();
    assert!(env::all_pass(&s["posture"]), "{}", s["posture"]);
    // What recovers the group; Redis declares no objective of its own.
    assert_eq!(
        s["recovery_plan"],
        serde_json::json!({
            "objectives": "none declared",
            "regional_loss": "not covered: the snapshots stay in this region",
            "rpo": "a restore from the daily snapshot (taken 02:00-03:00 UTC, 7 day(s) kept): ≤ 24h",
            "rto": "automatic failover to a replica: ≤ 2m",
        })
    );
    assert_eq!(s["posture"]["recovery"], "pass");
    // Not the engine's well-known port in production.
    assert_eq!(s["port"], 6380);
    assert_eq!(s["posture"]["port"], "pass");
    assert!(s["primary_endpoint"]
        .as_str()
        .unwrap()
        .starts_with("master."));
    assert!(s["reader_endpoint"].as_str().is_some());
    // The port as ElastiCache reports it.
    let g = aws.group(&name).await.unwrap();
    let primary = g.node_groups.unwrap_or_default()[0]
        .primary_endpoint
        .clone();
    assert_eq!(primary.and_then(|e| e.port), Some(6380));
    assert!(s["configuration_endpoint"].is_null());
    assert_eq!(s["parameter_group_name"], name.as_str());
    assert_eq!(s["subnet_group_name"], name.as_str());
    assert_eq!(s["engine_version"], "8.0");
    assert_eq!(s["member_clusters"].as_array().unwrap().len(), 3);

    // The group: 1 shard × 3 nodes over 3 zones, failover, Multi-AZ, encryption, AUTH, snapshots.
    let g = aws.group(&name).await.unwrap();
    assert_eq!(g.cluster_enabled, Some(false));
    assert_eq!(g.automatic_failover, Some(AutomaticFailoverStatus::Enabled));
    assert_eq!(g.multi_az, Some(MultiAzStatus::Enabled));
    assert_eq!(
        (g.at_rest_encryption_enabled, g.kms_key_id.as_deref()),
        (Some(true), Some(key.as_str()))
    );
    assert_eq!(
        (g.transit_encryption_enabled, g.auth_token_enabled),
        (Some(true), Some(true))
    );
    assert_eq!(
        (g.snapshot_retention_limit, g.snapshot_window.as_deref()),
        (Some(7), Some("02:00-03:00"))
    );
    assert_eq!(g.auto_minor_version_upgrade, Some(true));
    assert_eq!(g.cache_node_type.as_deref(), Some("cache.r6g.large"));
    let shard = &g.node_groups.as_ref().unwrap()[0];
    let zones: std::collections::BTreeSet<String> = shard
        .node_group_members
        .as_ref()
        .unwrap()
        .iter()
        .filter_map(|m| m.preferred_availability_zone.clone())
        .collect();
    assert_eq!(zones.len(), 3, "one node per zone: {zones:?}");
    let first = g.member_clusters.as_ref().unwrap()[0].clone();
    let m = aws.member(&first).await;
    assert_eq!(m.cache_subnet_group_name.as_deref(), Some(name.as_str()));
    assert_eq!(
        m.cache_parameter_group
            .unwrap()
            .cache_parameter_group_name
            .as_deref(),
        Some(name.as_str())
    );
    assert_eq!(
        m.preferred_maintenance_window.as_deref(),
        Some("sun:03:30-sun:04:30")
    );
    assert_eq!(
        m.security_groups.unwrap()[0].security_group_id.as_deref(),
        s["security_group_id"].as_str()
    );
    let user_params = aws
        .ec
        .describe_cache_parameters()
        .cache_parameter_group_name(&name)
        .source("user")
        .send()
        .await
        .unwrap()
        .parameters
        .unwrap();
    assert!(user_params
        .iter()
        .any(|p| p.parameter_name.as_deref() == Some("maxmemory-policy")
            && p.parameter_value.as_deref() == Some("allkeys-lru")));
    // Security group: the port from the app group only, nothing out.
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
        (Some(6380), Some(6380))
    );
    assert_eq!(
        perms[0].user_id_group_pairs.clone().unwrap()[0]
            .group_id
            .as_deref(),
        Some(app.as_str())
    );
    assert!(sg.ip_permissions_egress.unwrap_or_default().is_empty());
    // The AUTH token: in Secrets Manager under the key, never in state or plan.
    let secret = aws
        .sm
        .describe_secret()
        .secret_id(format!("{name}-auth"))
        .send()
        .await
        .unwrap();
    assert_eq!(secret.arn.as_deref(), s["auth_secret_arn"].as_str());
    assert_eq!(secret.kms_key_id.as_deref(), Some(key.as_str()));
    let token = aws
        .sm
        .get_secret_value()
        .secret_id(format!("{name}-auth"))
        .send()
        .await
        .unwrap()
        .secret_string
        .unwrap();
    assert!(token.len() >= 32, "a strong token");
    let raw = std::fs::read_to_string(tf.state_file()).unwrap();
    assert!(!raw.contains(&token), "no token in state");
    let show = tf.run(&["show", "-no-color"]);
    assert!(!show.all().contains(&token), "no token in show");
    // Key policy and rotation.
    let (policy, rotation) = env::key_policy_and_rotation(&aws.kms, &key).await;
    assert!(
        policy.contains("elasticache.us-east-1.amazonaws.com")
            && policy.contains("secretsmanager.us-east-1.amazonaws.com"),
        "{policy}"
    );
    assert!(rotation, "key rotation is on");

    assert_eq!(tf.plan_code(&[]).code, 0, "second plan");

    // In place: node type, one more replica, retention; and an RTO the replicas meet.
    let scaled = format!("{params}\n  node_type = \"cache.r6g.xlarge\"\n  replicas_per_shard = 3\n  snapshot_retention_days = 14\n  recovery {{\n    rto = \"15m\"\n  }}");
    tf.write(&config(&name, "production", &subnets, &app, &scaled));
    let p = tf.plan_code(&[]);
    assert!(
        p.stdout.contains("1 to change, 0 to destroy"),
        "{}",
        p.stdout
    );
    assert!(!p.stdout.contains(&token));
    tf.apply(&[]);
    let g = aws.group(&name).await.unwrap();
    assert_eq!(
        (
            g.cache_node_type.as_deref(),
            g.snapshot_retention_limit,
            g.member_clusters.as_ref().unwrap().len()
        ),
        (Some("cache.r6g.xlarge"), Some(14), 4)
    );
    assert_eq!(state(&tf)["recovery_plan"]["objectives"], "rto 15m: met");
    assert_eq!(tf.plan_code(&[]).code, 0, "plan after scaling");

    // Drift: failover and Multi-AZ off, retention lowered, a replica removed, 0.0.0.0/0 on 6380.
    aws.ec
        .modify_replication_group()
        .replication_group_id(&name)
        .automatic_failover_enabled(false)
        .multi_az_enabled(false)
        .snapshot_retention_limit(1)
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    aws.ec
        .decrease_replica_count()
        .replication_group_id(&name)
        .new_replica_count(2)
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    env::open_to_world(&aws.ec2, s["security_group_id"].as_str().unwrap(), 6380).await;
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2, "{}", p.all());
    assert!(
        p.shows("snapshot_retention_days", "1 -> 14") && p.shows("replicas_per_shard", "2 -> 3"),
        "{}",
        p.stdout
    );
    assert!(
        p.shows("\"ElastiCache.3\"", "-> \"pass\"") && p.shows("\"ingress\"", "-> \"pass\""),
        "{}",
        p.stdout
    );
    // Failover off breaks the declared RTO: posture `recovery` and `recovery_plan` say so.
    assert!(
        p.shows("\"recovery\"", "-> \"pass\"")
            && p.shows(
                "\"rto\"",
                "\"a restore of the latest snapshot into a new group: ≈ 30m\" -> \"automatic failover to a replica: ≤ 2m\""
            ),
        "{}",
        p.stdout
    );
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0, "plan after repair");
    let g = aws.group(&name).await.unwrap();
    assert_eq!(
        (
            g.automatic_failover,
            g.multi_az,
            g.snapshot_retention_limit,
            g.member_clusters.as_ref().unwrap().len()
        ),
        (
            Some(AutomaticFailoverStatus::Enabled),
            Some(MultiAzStatus::Enabled),
            Some(14),
            4
        )
    );
    assert!(env::all_pass(&state(&tf)["posture"]));

    // The AUTH secret's resource policy: other accounts and plain HTTP denied; removed outside
    // Terraform, the plan shows it and apply puts it back.
    let secret = s["auth_secret_arn"].as_str().unwrap().to_string();
    env::secret_policy_drift_repaired(&tf, &aws.sm, &secret, "auth_secret").await;

    // Rotation: a token older than auth_token_rotation_days (90 in production) is rotated by the
    // next apply, ROTATE then SET, and the secret holds the new one.
    let token = |aws: &Aws| {
        let (sm, secret) = (aws.sm.clone(), secret.clone());
        async move {
            sm.get_secret_value()
                .secret_id(secret)
                .send()
                .await
                .unwrap()
                .secret_string
                .unwrap()
        }
    };
    let (before, changed) = (
        token(&aws).await,
        state(&tf)["auth_token_rotated_at"].clone(),
    );
    assert!(changed.is_string(), "{changed}");
    assert_eq!(state(&tf)["auth_token_rotation_days"], 90);
    common::faults::age_auth_token(&name, 91);
    let p = tf.plan_code(&[]);
    assert!(
        p.code == 2
            && p.shows("auth_token_rotated_at", "(known after apply)")
            && p.all().contains("The AUTH token is due for rotation"),
        "{}",
        p.all()
    );
    tf.apply(&[]);
    let after = token(&aws).await;
    assert!(
        after != before && after.len() == 64,
        "a new 64-character token in the secret"
    );
    let rotated = state(&tf)["auth_token_rotated_at"].clone();
    assert!(
        rotated.is_string() && rotated != changed,
        "{rotated} after {changed}"
    );
    assert_eq!(tf.plan_code(&[]).code, 0, "plan after rotation");
    let raw = std::fs::read_to_string(tf.state_file()).unwrap();
    assert!(
        !raw.contains(&after) && !raw.contains(&before),
        "no token in state"
    );

    // Import adopts the group.
    tf.run(&["state", "rm", "prod_redis_cluster.sessions"]).ok();
    tf.run(&["import", "-no-color", "prod_redis_cluster.sessions", &name])
        .ok();
    // The recovery objectives are the configuration's own: the plan after import adds the block,
    // and nothing else; one apply records it without a change in AWS.
    let p = tf.plan_code(&[]);
    assert!(
        p.code == 2
            && p.stdout.contains("+ recovery {")
            && p.shows("\"objectives\"", "\"none declared\" -> \"rto 15m: met\"")
            && p.stdout.contains("0 to add, 1 to change, 0 to destroy"),
        "plan after import: {}",
        p.all()
    );
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0, "plan after import and apply");

    // The guard: destroy and replacement are refused while protected.
    let r = tf.run(&["destroy", "-auto-approve", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(
        r.all().contains("protected from destroy")
            && r.all().contains("deletion_protection = false"),
        "{}",
        r.all()
    );
    tf.write(&config(
        &name,
        "production",
        &subnets,
        &app,
        &format!("{scaled}\n  shards = 2"),
    ));
    let r = tf.run(&["plan", "-no-color"]);
    assert!(
        r.code != 0 && r.all().contains("protected from replacement") && r.all().contains("shards"),
        "{}",
        r.all()
    );
    // ElastiCache cannot move a group to another port: a new port is a replacement, guarded too.
    tf.write(&config(
        &name,
        "production",
        &subnets,
        &app,
        &format!("{scaled}\n  port = 7000"),
    ));
    let r = tf.run(&["plan", "-no-color"]);
    assert!(
        r.code != 0 && r.all().contains("protected from replacement") && r.all().contains("port"),
        "{}",
        r.all()
    );
    assert!(aws.group(&name).await.is_some(), "nothing touched");

    // Decommission, then destroy: a final snapshot, nothing else left.
    tf.write(&config(
        &name,
        "production",
        &subnets,
        &app,
        &format!("{scaled}\n  deletion_protection = false"),
    ));
    tf.apply(&[]);
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        sweep::aws().await.final_snapshots(&name).await.len(),
        1,
        "one final snapshot"
    );
    assert_eq!(sweep::aws().await.redis(&name).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn development_cluster_mode_scales_shards_refuses_bad_input_and_sweeps() {
    let aws = aws().await;
    let name = env::unique("e2e-rc");
    let (subnets, app) = env::vpc_with_app(&aws.ec2, 79).await;
    let tf = Tf::new(&config(
        &name,
        "production",
        &subnets,
        &app,
        "replicas_per_shard = 0",
    ));
    tf.init();
    // Refused on the attribute: production floors, one zone.
    let r = tf.run(&["plan", "-no-color"]);
    assert!(
        r.code != 0 && r.all().contains("A replica is required in production"),
        "{}",
        r.all()
    );
    tf.write(&config(&name, "production", &subnets[..1], &app, ""));
    let r = tf.run(&["plan", "-no-color"]);
    assert!(
        r.code != 0 && r.all().contains("Fewer than 2 availability zones"),
        "{}",
        r.all()
    );

    // Recovery objectives the group cannot meet, refused on the block's attribute.
    for (extra, on, says) in [
        (
            "replicas_per_shard = 0\n  recovery {\n    rto = \"15m\"\n  }",
            "rto = \"15m\"",
            "RTO 15m: without a standby",
        ),
        (
            "recovery {\n    rpo = \"1h\"\n  }",
            "rpo = \"1h\"",
            "RPO 1h: a restore from the daily snapshot",
        ),
        (
            "recovery {\n    region = \"us-west-2\"\n  }",
            "region = \"us-west-2\"",
            "A second region is not available yet",
        ),
    ] {
        tf.plan_refused_on(
            &config(&name, "development", &subnets, &app, extra),
            on,
            says,
        );
    }

    let clustered = "shards = 3\n  replicas_per_shard = 1";
    tf.write(&config(&name, "development", &subnets, &app, clustered));
    tf.apply(&[]);
    let s = state(&tf);
    assert!(s["configuration_endpoint"]
        .as_str()
        .unwrap()
        .starts_with("clustercfg."));
    assert!(s["primary_endpoint"].is_null() && s["reader_endpoint"].is_null());
    assert!(s["parameter_group_name"].is_null());
    assert_eq!(s["deletion_protection"], false);
    assert_eq!(s["node_type"], "cache.t4g.small");
    let g = aws.group(&name).await.unwrap();
    assert_eq!(g.cluster_enabled, Some(true));
    assert_eq!(g.node_groups.as_ref().unwrap().len(), 3);
    assert_eq!(g.member_clusters.as_ref().unwrap().len(), 6);
    assert_eq!(g.automatic_failover, Some(AutomaticFailoverStatus::Enabled));
    let m = aws.member(&g.member_clusters.unwrap()[0]).await;
    assert_eq!(
        m.cache_parameter_group
            .unwrap()
            .cache_parameter_group_name
            .as_deref(),
        Some("default.valkey8.cluster.on")
    );
    assert_eq!(tf.plan_code(&[]).code, 0, "second plan");

    // Shards in place; down to no replica turns failover off first.
    tf.write(&config(
        &name,
        "development",
        &subnets,
        &app,
        "shards = 4\n  replicas_per_shard = 0",
    ));
    let p = tf.plan_code(&[]);
    assert!(
        p.stdout.contains("1 to change, 0 to destroy"),
        "{}",
        p.stdout
    );
    tf.apply(&[]);
    let g = aws.group(&name).await.unwrap();
    assert_eq!(g.node_groups.as_ref().unwrap().len(), 4);
    assert_eq!(g.member_clusters.as_ref().unwrap().len(), 4);
    assert_eq!(
        g.automatic_failover,
        Some(AutomaticFailoverStatus::Disabled)
    );
    let s = state(&tf);
    assert!(s["posture"]["ElastiCache.3"]
        .as_str()
        .unwrap()
        .contains("relaxed by development profile"));
    assert_eq!(tf.plan_code(&[]).code, 0, "plan after shard change");

    // Development keeps no guard and no final snapshot.
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert!(sweep::aws().await.final_snapshots(&name).await.is_empty());
    assert_eq!(sweep::aws().await.redis(&name).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn failure_half_way_through_create_loses_nothing() {
    let aws = aws().await;
    let name = env::unique("e2e-rf");
    let (subnets, app) = env::vpc_with_app(&aws.ec2, 80).await;
    // ElastiCache unreachable: the key and the security group get made, then it fails.
    let good = config(&name, "production", &subnets, &app, "");
    let broken = env::with_unreachable(&good, "production", "elasticache");
    let tf = Tf::new(&broken);
    tf.init();
    let r = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(
        r.all().contains("prod_redis_cluster: create failed")
            && r.all().contains("cache subnet group"),
        "{}",
        r.all()
    );
    let inst = &tf.first_instance();
    assert_eq!(inst["status"], "tainted", "{inst}");
    for role in ["kms_key", "security_group"] {
        assert!(
            inst["attributes"]["components"][role].is_string(),
            "{role} recorded: {inst}"
        );
    }
    // The half-made group holds no data: its replacement is not refused by the guard.
    tf.write(&good);
    let r = tf.apply(&[]);
    assert!(
        r.stdout.contains("1 added, 0 changed, 1 destroyed"),
        "{}",
        r.stdout
    );
    assert_eq!(tf.plan_code(&[]).code, 0);
    tf.write(&config(
        &name,
        "production",
        &subnets,
        &app,
        "deletion_protection = false",
    ));
    tf.apply(&[]);
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(sweep::aws().await.redis(&name).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn alerting_watches_a_redis_cluster_with_the_redis_pack() {
    let aws = aws().await;
    let cw = aws_sdk_cloudwatch::Client::new(&env::sdk_config().await);
    let name = env::unique("e2e-wr");
    let (subnets, app) = env::vpc_with_app(&aws.ec2, 81).await;
    let watched = |replicas: i64| {
        config(
            &name,
            "development",
            &subnets,
            &app,
            &format!("replicas_per_shard = {replicas}"),
        ) + &format!(
            r#"
resource "prod_alerting" "ops" {{
  name              = "{name}-ops"
  redis_cluster_ids = [prod_redis_cluster.sessions.id]
}}
"#
        )
    };
    let ops_state = |tf: &Tf| tf.instance_of("prod_alerting")["attributes"].clone();
    let tf = Tf::new(&watched(1));
    tf.init();
    tf.apply(&[]);
    let ops = ops_state(&tf);
    assert_eq!(
        ops["alarm_names"].as_array().unwrap().len(),
        20,
        "two nodes × five metrics × two tiers: {}",
        ops["alarm_names"]
    );
    assert!(env::all_pass(&ops["posture"]), "{}", ops["posture"]);
    let alarm = |suffix: &str| {
        let (cw, full) = (cw.clone(), format!("{name}-ops-redis-{name}-{suffix}"));
        async move { env::alarm(&cw, &full).await }
    };
    let a = alarm("001-connections-warning").await;
    assert_eq!(
        (
            a.metric_name.as_deref(),
            a.threshold,
            a.namespace.as_deref()
        ),
        (
            Some("CurrConnections"),
            Some(52000.0),
            Some("AWS/ElastiCache")
        )
    );
    assert_eq!(
        alarm("001-connections-critical").await.threshold,
        Some(61750.0)
    );
    let lag = alarm("002-lag-critical").await;
    assert_eq!(
        (lag.threshold, lag.statistic.unwrap().as_str()),
        (Some(10.0), "Maximum")
    );
    assert!(lag
        .dimensions
        .unwrap()
        .iter()
        .any(|d| d.name.as_deref() == Some("CacheClusterId")
            && d.value.as_deref() == Some(format!("{name}-002").as_str())));
    assert_eq!(
        alarm("001-cpu-critical").await.alarm_actions.unwrap(),
        vec![ops["critical_topic_arn"].as_str().unwrap().to_string()]
    );
    assert_eq!(alarm("002-memory-warning").await.threshold, Some(80.0));
    assert_eq!(
        alarm("002-evictions-critical").await.threshold,
        Some(1000.0)
    );
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 0, "second plan: {}", p.all());

    // Import recovers redis_cluster_ids from the alarms.
    tf.run(&["state", "rm", "prod_alerting.ops"]).ok();
    tf.run(&[
        "import",
        "-no-color",
        "prod_alerting.ops",
        &format!("{name}-ops"),
    ])
    .ok();
    assert_eq!(
        ops_state(&tf)["redis_cluster_ids"],
        serde_json::json!([name])
    );
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 0, "plan after import: {}", p.all());

    // A third node: the next plan adds its alarms.
    tf.write(&watched(2));
    tf.apply(&[]);
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2, "{}", p.all());
    assert!(p.stdout.contains("003-lag-critical"), "{}", p.stdout);
    tf.apply(&[]);
    assert_eq!(alarm("003-cpu-warning").await.threshold, Some(80.0));
    assert_eq!(tf.plan_code(&[]).code, 0);

    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        env::alarm_names(&cw, &format!("{name}-ops-")).await,
        Vec::<String>::new(),
        "alarms left"
    );
    assert_eq!(sweep::aws().await.redis(&name).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn redis_upgrades_to_valkey_in_place_with_its_parameters() {
    let aws = aws().await;
    let name = env::unique("e2e-ru");
    let (subnets, app) = env::vpc_with_app(&aws.ec2, 82).await;
    let params = "parameters = { \"maxmemory-policy\" = \"volatile-lru\" }";
    let redis = config(&name, "staging", &subnets, &app, params).replace("\"valkey\"", "\"redis\"");
    let tf = Tf::new(&redis);
    tf.init();
    tf.apply(&[]);
    let s = state(&tf);
    assert_eq!(
        (s["engine"].as_str(), s["engine_version"].as_str()),
        (Some("redis"), Some("7.1"))
    );
    assert!(s["engine_version_actual"]
        .as_str()
        .unwrap()
        .starts_with("7.1"));
    let family = |aws: &Aws, name: String| {
        let ec = aws.ec.clone();
        async move {
            ec.describe_cache_parameter_groups()
                .cache_parameter_group_name(name)
                .send()
                .await
                .unwrap()
                .cache_parameter_groups
                .unwrap()[0]
                .cache_parameter_group_family
                .clone()
                .unwrap()
        }
    };
    assert_eq!(family(&aws, name.clone()).await, "redis7");

    // redis → valkey 8.0 is an in-place upgrade: the group moves to the new family with its values.
    tf.write(&config(
        &name,
        "staging",
        &subnets,
        &app,
        &format!("{params}\n  engine_version = \"8.0\""),
    ));
    let p = tf.plan_code(&[]);
    assert!(
        p.stdout.contains("1 to change, 0 to destroy"),
        "{}",
        p.stdout
    );
    tf.apply(&[]);
    let g = aws.group(&name).await.unwrap();
    assert_eq!(g.engine.as_deref(), Some("valkey"));
    let m = aws.member(&g.member_clusters.unwrap()[0]).await;
    assert_eq!(m.engine_version.as_deref(), Some("8.0"));
    assert_eq!(
        m.cache_parameter_group
            .unwrap()
            .cache_parameter_group_name
            .as_deref(),
        Some(name.as_str())
    );
    assert_eq!(family(&aws, name.clone()).await, "valkey8");
    let values = aws
        .ec
        .describe_cache_parameters()
        .cache_parameter_group_name(&name)
        .source("user")
        .send()
        .await
        .unwrap()
        .parameters
        .unwrap();
    assert!(values
        .iter()
        .any(|p| p.parameter_name.as_deref() == Some("maxmemory-policy")
            && p.parameter_value.as_deref() == Some("volatile-lru")));
    assert_eq!(tf.plan_code(&[]).code, 0, "plan after the upgrade");

    // Back to redis would replace the group: refused while guarded (staging guards by default).
    tf.write(&redis);
    let r = tf.run(&["plan", "-no-color"]);
    assert!(
        r.code != 0 && r.all().contains("protected from replacement"),
        "{}",
        r.all()
    );

    // Dropping the parameters moves the group to the default and removes `<name>`.
    tf.write(&config(
        &name,
        "staging",
        &subnets,
        &app,
        "engine_version = \"8.0\"\n  deletion_protection = false",
    ));
    tf.apply(&[]);
    let s = state(&tf);
    assert!(s["parameter_group_name"].is_null(), "{s}");
    assert_eq!(tf.plan_code(&[]).code, 0);
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        sweep::aws().await.final_snapshots(&name).await.len(),
        1,
        "staging keeps a final snapshot"
    );
    assert_eq!(sweep::aws().await.redis(&name).await, Vec::<String>::new());
}
