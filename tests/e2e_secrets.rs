//! End to end: the secrets the provider handles — the database's master password (RDS keeps it in
//! Secrets Manager) and the cache's AUTH token (generated into Secrets Manager, handed to ElastiCache
//! once) — never appear in the state file, in `terraform plan`/`show` output (text or JSON), or in
//! `TF_LOG=trace` logs of Terraform and the provider, through create, refresh, update and destroy;
//! and the ephemeral credentials (`prod_database_credentials`, `prod_redis_credentials`) hand the
//! real values to what needs them (a provisioner here) while staying out of all of those. An AUTH
//! token the user brings (the write-only `auth_token_wo`) reaches the group and its secret, stays out
//! of all of those too, and rotates in place when `auth_token_wo_version` changes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::tf::Tf;
use common::{env, sweep};

fn config(name: &str, subnets: &[String], app: &str, retention: u32) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    prod = {{ source = "hardened/prod" }}
  }}
}}
provider "prod" {{
  region      = "us-east-1"
  environment = "staging"
}}
resource "prod_database_ha" "db" {{
  name                       = "{name}-db"
  engine                     = "postgres"
  subnet_ids                 = {subnets:?}
  allowed_security_group_ids = ["{app}"]
  deletion_protection        = false
}}
resource "prod_redis_cluster" "cache" {{
  name                       = "{name}-cache"
  subnet_ids                 = {subnets:?}
  allowed_security_group_ids = ["{app}"]
  snapshot_retention_days    = {retention}
  deletion_protection        = false
}}
resource "prod_alerting" "ops" {{
  name              = "{name}-ops"
  database_ids      = [prod_database_ha.db.id]
  redis_cluster_ids = [prod_redis_cluster.cache.id]
}}
ephemeral "prod_database_credentials" "db" {{
  database_id = prod_database_ha.db.id
}}
ephemeral "prod_redis_credentials" "cache" {{
  redis_cluster_id = prod_redis_cluster.cache.id
}}
resource "terraform_data" "handed" {{
  triggers_replace = [prod_database_ha.db.id, prod_redis_cluster.cache.id]
  provisioner "local-exec" {{
    command = "printf '%s' \"$PW\" > handed-password && printf '%s' \"$TOKEN\" > handed-token && printf '%s' \"$URI\" > handed-uri && printf '%s' \"$REDIS_URI\" > handed-redis-uri"
    environment = {{
      PW        = ephemeral.prod_database_credentials.db.password
      URI       = ephemeral.prod_database_credentials.db.uri
      TOKEN     = ephemeral.prod_redis_credentials.cache.token
      REDIS_URI = ephemeral.prod_redis_credentials.cache.uri
    }}
  }}
}}
output "secrets" {{
  value = [prod_database_ha.db.master_secret_arn, prod_redis_cluster.cache.auth_secret_arn]
}}
"#
    )
}

async fn secret_value(sm: &aws_sdk_secretsmanager::Client, arn: &str) -> String {
    sm.get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .unwrap()
        .secret_string
        .unwrap()
}

/// The secret itself: the database's is JSON holding `password`; the cache's is the token.
fn the_secret(value: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(value) {
        Ok(v) if v.get("password").is_some() => v["password"].as_str().unwrap().to_string(),
        _ => value.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_stay_out_of_state_plans_show_and_trace_logs() {
    let c = env::sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&c);
    let sm = aws_sdk_secretsmanager::Client::new(&c);
    let (subnets, app) = env::vpc_with_app(&ec2, 93).await;
    let name = env::unique("sec");
    let tf = Tf::new(&config(&name, &subnets, &app, 7));
    let log = tf.dir.path().join("trace.log");
    let log_path = log.to_str().unwrap().to_string();
    let traced = |args: &[&str]| {
        let r = tf.run_env(args, &[("TF_LOG", "trace"), ("TF_LOG_PATH", &log_path)]);
        assert!(r.code == 0 || r.code == 2, "{}", r.all());
        r
    };
    let mut outputs = String::new();
    tf.init();
    for args in [
        &["plan", "-no-color"][..],
        &["apply", "-auto-approve", "-no-color"],
        &["plan", "-detailed-exitcode", "-no-color"],
        &["show", "-no-color"],
        &["show", "-json"],
        &["output", "-json"],
    ] {
        outputs.push_str(&traced(args).all());
    }
    let arns: Vec<String> =
        serde_json::from_str::<serde_json::Value>(&tf.run(&["output", "-json"]).ok().stdout)
            .unwrap()["secrets"]["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
    assert_eq!(arns.len(), 2);
    let mut secrets = Vec::new();
    for arn in &arns {
        secrets.push(the_secret(&secret_value(&sm, arn).await));
    }
    // The ephemeral credentials reached the provisioner: the same values as the secrets, and URIs
    // to the stores' endpoints with TLS required.
    let handed = |f: &str| std::fs::read_to_string(tf.dir.path().join(f)).unwrap();
    assert_eq!(
        handed("handed-password"),
        secrets[0],
        "database password handed over"
    );
    assert_eq!(handed("handed-token"), secrets[1], "AUTH token handed over");
    let uri = handed("handed-uri");
    assert!(
        uri.starts_with("postgresql://app_admin:") && uri.ends_with("/postgres?sslmode=require"),
        "{}",
        uri.replace(&secrets[0], "<password>")
    );
    let redis_uri = handed("handed-redis-uri");
    assert!(
        redis_uri.starts_with(&format!("rediss://:{}@", secrets[1])) && redis_uri.len() > 60,
        "{}",
        redis_uri.replace(&secrets[1], "<token>")
    );
    // An update of the cache (snapshot retention) sends the group a Modify; then a plan and a
    // refresh-only plan, all traced.
    tf.write(&config(&name, &subnets, &app, 14));
    let update = traced(&["apply", "-auto-approve", "-no-color"]);
    assert!(update.stdout.contains("1 changed"), "{}", update.stdout);
    outputs.push_str(&update.all());
    outputs.push_str(&traced(&["plan", "-refresh-only", "-no-color"]).all());
    let state = std::fs::read_to_string(tf.state_file()).unwrap();
    outputs.push_str(&traced(&["destroy", "-auto-approve", "-no-color"]).all());
    let logs = std::fs::read_to_string(&log).unwrap();
    // The logs are real trace logs with the provider's lines in them, so their silence means something.
    assert!(logs.contains("[TRACE]"), "trace logs written");
    let calls = logs
        .lines()
        .filter(|l| l.contains("provider.terraform-provider-prod") && l.contains("AWS call"))
        .filter(|l| l.contains("replication group") || l.contains("secret"))
        .count();
    assert!(
        calls >= 10,
        "the provider's own lines, down to its AWS calls on the cache and secrets, are in the log"
    );
    for (what, secret) in ["master password", "AUTH token"].iter().zip(&secrets) {
        assert!(secret.len() >= 16, "{what} is a real secret: {secret:?}");
        assert!(!state.contains(secret.as_str()), "{what} in the state file");
        assert!(
            !outputs.contains(secret.as_str()),
            "{what} in plan/show/output"
        );
        assert!(
            !logs.contains(secret.as_str()),
            "{what} in TF_LOG=trace logs"
        );
    }
    assert_eq!(
        sweep::aws().await.redis(&format!("{name}-cache")).await,
        Vec::<String>::new()
    );
    assert_eq!(
        sweep::aws().await.database(&format!("{name}-db")).await,
        Vec::<String>::new()
    );
}

fn brought_token_config(name: &str, subnets: &[String], app: &str, version: u32) -> String {
    let head = env::provider_block("development");
    format!(
        r#"{head}
variable "token" {{
  type      = string
  sensitive = true
}}
resource "prod_redis_cluster" "cache" {{
  name                       = "{name}"
  subnet_ids                 = {subnets:?}
  allowed_security_group_ids = ["{app}"]
  deletion_protection        = false
  auth_token_wo              = var.token
  auth_token_wo_version      = {version}
}}
output "secret" {{
  value = prod_redis_cluster.cache.auth_secret_arn
}}
"#
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_brought_auth_token_is_write_only_and_rotates_in_place() {
    let c = env::sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&c);
    let sm = aws_sdk_secretsmanager::Client::new(&c);
    let ec = aws_sdk_elasticache::Client::new(&c);
    let (subnets, app) = env::vpc_with_app(&ec2, 92).await;
    let name = env::unique("wo");
    let tokens = [
        format!("First-{}-token0123456789", name.replace('-', "")),
        format!("Second-{}-token#9876543210", name.replace('-', "")),
    ];
    let tf = Tf::new(&brought_token_config(&name, &subnets, &app, 1));
    let log = tf.dir.path().join("trace.log");
    let log_path = log.to_str().unwrap().to_string();
    let traced = |token: &str, args: &[&str]| {
        let r = tf.run_env(
            args,
            &[
                ("TF_LOG", "trace"),
                ("TF_LOG_PATH", &log_path),
                ("TF_VAR_token", token),
            ],
        );
        assert!(r.code == 0 || r.code == 2, "{}", r.all());
        r
    };
    let last_modified = || async {
        ec.describe_replication_groups()
            .replication_group_id(&name)
            .send()
            .await
            .unwrap()
            .replication_groups
            .unwrap()[0]
            .auth_token_last_modified_date
    };
    let mut outputs = String::new();
    tf.init();

    // Create with the first token: the group and its secret hold it; nothing is left to plan.
    let created = traced(&tokens[0], &["apply", "-auto-approve", "-no-color"]);
    assert!(created.stdout.contains("1 added"), "{}", created.stdout);
    outputs.push_str(&created.all());
    let again = traced(&tokens[0], &["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(again.code, 0, "a second plan is empty: {}", again.stdout);
    outputs.push_str(&again.all());
    for args in [
        &["show", "-no-color"][..],
        &["show", "-json"],
        &["output", "-json"],
    ] {
        outputs.push_str(&traced(&tokens[0], args).all());
    }
    let arn = tf.run(&["output", "-raw", "secret"]).ok().stdout.clone();
    assert_eq!(
        secret_value(&sm, &arn).await,
        tokens[0],
        "the secret holds the token given"
    );
    let instance = tf.instance_of("prod_redis_cluster");
    assert!(
        instance["attributes"]["auth_token_wo"].is_null(),
        "{instance}"
    );
    assert_eq!(instance["attributes"]["auth_token_wo_version"], 1);
    let first_set = last_modified().await;
    assert!(first_set.is_some(), "the group has AUTH on");

    // A new token with a new version: one in-place apply rotates it; then nothing is left to plan.
    tf.write(&brought_token_config(&name, &subnets, &app, 2));
    let plan = traced(&tokens[1], &["plan", "-no-color"]);
    assert!(
        plan.stdout.contains("1 to change, 0 to destroy"),
        "{}",
        plan.stdout
    );
    outputs.push_str(&plan.all());
    let rotated = traced(&tokens[1], &["apply", "-auto-approve", "-no-color"]);
    assert!(rotated.stdout.contains("1 changed"), "{}", rotated.stdout);
    outputs.push_str(&rotated.all());
    assert_eq!(
        secret_value(&sm, &arn).await,
        tokens[1],
        "the secret holds the new token"
    );
    assert_ne!(
        last_modified().await,
        first_set,
        "ElastiCache got a new token"
    );
    let again = traced(&tokens[1], &["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(again.code, 0, "the plan is empty again: {}", again.stdout);
    outputs.push_str(&again.all());
    assert_eq!(
        tf.instance_of("prod_redis_cluster")["attributes"]["auth_token_wo_version"],
        2
    );

    let state = std::fs::read_to_string(tf.state_file()).unwrap();
    outputs.push_str(&traced(&tokens[1], &["destroy", "-auto-approve", "-no-color"]).all());
    let logs = std::fs::read_to_string(&log).unwrap();
    assert!(
        logs.lines()
            .any(|l| l.contains("provider.terraform-provider-prod") && l.contains("auth token")),
        "the provider's calls that send the token are in the log, so its absence means something"
    );
    for (what, token) in ["first token", "second token"].iter().zip(&tokens) {
        assert!(!state.contains(token.as_str()), "{what} in the state file");
        assert!(
            !outputs.contains(token.as_str()),
            "{what} in plan/apply/show/output"
        );
        assert!(
            !logs.contains(token.as_str()),
            "{what} in TF_LOG=trace logs"
        );
    }
    assert_eq!(sweep::aws().await.redis(&name).await, Vec::<String>::new());
}
