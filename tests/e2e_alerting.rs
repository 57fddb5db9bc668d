//! End to end: the real `terraform` against the local AWS, `prod_alerting` from init to destroy,
//! asserted through the AWS API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aws_sdk_cloudwatch::types::{ComparisonOperator, Statistic};
use common::sweep::{aws, Aws};
use common::tf::Tf;
use common::{env, sweep};

fn config(name: &str, env_name: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    prod = {{ source = "hardened/prod" }}
  }}
}}

variable "cpu_critical" {{
  type    = number
  default = 90
}}

provider "prod" {{
  region       = "us-east-1"
  environment  = "{env_name}"
  default_tags = {{ team = "platform" }}
}}

resource "prod_alerting" "ops" {{
  name = "{name}"
  tags = {{ service = "payments" }}

  notify {{
    severity = "critical"
    protocol = "email"
    endpoint = "oncall@example.com"
  }}
  notify {{
    severity = "warning"
    protocol = "https"
    endpoint = "https://chat.example.com/hooks/alerts"
  }}

  alarm {{
    name        = "cpu-critical"
    namespace   = "AWS/EC2"
    metric_name = "CPUUtilization"
    dimensions  = {{ AutoScalingGroupName = "api" }}
    comparison  = "GreaterThanThreshold"
    threshold   = var.cpu_critical
    severity    = "critical"
  }}
  alarm {{
    name        = "cpu-warning"
    namespace   = "AWS/EC2"
    metric_name = "CPUUtilization"
    dimensions  = {{ AutoScalingGroupName = "api" }}
    comparison  = "GreaterThanThreshold"
    threshold   = 80
    severity    = "warning"
    treat_missing_data = "notBreaching"
  }}

  timeouts {{
    create = "5m"
  }}
}}

output "critical_topic_arn" {{ value = prod_alerting.ops.critical_topic_arn }}
output "kms_key_arn" {{ value = prod_alerting.ops.kms_key_arn }}
"#
    )
}

const ACCOUNT: &str = "123456789012";

fn topic(name: &str, sev: &str) -> String {
    format!("arn:aws:sns:us-east-1:{ACCOUNT}:{name}-{sev}")
}

impl Aws {
    async fn topic_attr(&self, arn: &str, attr: &str) -> Option<String> {
        let out = self
            .sns
            .get_topic_attributes()
            .topic_arn(arn)
            .send()
            .await
            .ok()?;
        out.attributes.unwrap_or_default().get(attr).cloned()
    }
    async fn alarm(&self, name: &str) -> Option<aws_sdk_cloudwatch::types::MetricAlarm> {
        let out = self
            .cw
            .describe_alarms()
            .alarm_names(name)
            .send()
            .await
            .unwrap();
        out.metric_alarms.unwrap_or_default().into_iter().next()
    }
    async fn subs(&self, topic: &str) -> Vec<aws_sdk_sns::types::Subscription> {
        self.sns
            .list_subscriptions_by_topic()
            .topic_arn(topic)
            .send()
            .await
            .map(|o| o.subscriptions.unwrap_or_default())
            .unwrap_or_default()
    }
    /// The state of a key, by ARN.
    async fn key_state(&self, arn: &str) -> Option<aws_sdk_kms::types::KeyState> {
        let id = arn.rsplit('/').next().unwrap();
        self.kms
            .describe_key()
            .key_id(id)
            .send()
            .await
            .unwrap()
            .key_metadata
            .unwrap()
            .key_state
    }

    /// Deletes the alarms and both topics behind Terraform's back.
    async fn delete_alarms_and_topics(&self, name: &str) {
        self.cw
            .delete_alarms()
            .alarm_names(format!("{name}-cpu-warning"))
            .alarm_names(format!("{name}-cpu-critical"))
            .send()
            .await
            .unwrap();
        for sev in ["critical", "warning"] {
            self.sns
                .delete_topic()
                .topic_arn(topic(name, sev))
                .send()
                .await
                .unwrap();
        }
    }
}

fn output(tf: &Tf, name: &str) -> String {
    let r = tf.run(&["output", "-raw", name]);
    r.ok();
    r.stdout.trim().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn alerting_lifecycle_through_destroy() {
    let aws = aws().await;
    let name = env::unique("e2e-alert");
    let tf = Tf::new(&config(&name, "production"));
    let init = tf.init();
    assert!(init.stdout.contains("hardened/prod"), "{}", init.stdout);

    // Plan shows concrete values.
    let plan = tf.plan_code(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        plan.stdout.contains(&format!(
            "critical_topic_arn = \"{}\"",
            topic(&name, "critical")
        )),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("kms_key_arn        = (known after apply)"),
        "{}",
        plan.stdout
    );

    tf.apply(&[]);
    let key = output(&tf, "kms_key_arn");
    let crit = topic(&name, "critical");
    let warn = topic(&name, "warning");
    assert_eq!(output(&tf, "critical_topic_arn"), crit);

    // Encryption, key policy and rotation, routing, subscriptions, tags.
    for t in [&crit, &warn] {
        assert_eq!(
            aws.topic_attr(t, "KmsMasterKeyId").await.as_deref(),
            Some(key.as_str())
        );
        let policy = aws.topic_attr(t, "Policy").await.unwrap();
        assert!(!policy.contains("\"Principal\":\"*\""), "{policy}");
        let tags = aws
            .sns
            .list_tags_for_resource()
            .resource_arn(t)
            .send()
            .await
            .unwrap()
            .tags
            .unwrap();
        let get = |k: &str| tags.iter().find(|x| x.key == k).map(|x| x.value.clone());
        assert_eq!(get("prod:resource"), Some(format!("prod_alerting.{name}")));
        assert_eq!(get("prod:environment").as_deref(), Some("production"));
        assert_eq!(get("team").as_deref(), Some("platform"));
        assert_eq!(get("service").as_deref(), Some("payments"));
    }
    let key_id = key.rsplit('/').next().unwrap();
    let (policy, rotation) = env::key_policy_and_rotation(&aws.kms, key_id).await;
    assert!(policy.contains("cloudwatch.amazonaws.com"), "{policy}");
    assert!(rotation, "key rotation is on");
    let alias = aws
        .kms
        .describe_key()
        .key_id(format!("alias/{name}-alerting"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        alias.key_metadata.unwrap().arn.as_deref(),
        Some(key.as_str())
    );

    let critical = aws
        .alarm(&format!("{name}-cpu-critical"))
        .await
        .expect("critical alarm");
    assert_eq!(critical.alarm_actions.as_deref(), Some(&[crit.clone()][..]));
    assert_eq!(critical.ok_actions.as_deref(), Some(&[crit.clone()][..]));
    assert_eq!(critical.threshold, Some(90.0));
    assert_eq!(critical.statistic, Some(Statistic::Average));
    assert_eq!(critical.evaluation_periods, Some(5));
    let warning = aws
        .alarm(&format!("{name}-cpu-warning"))
        .await
        .expect("warning alarm");
    assert_eq!(warning.alarm_actions.as_deref(), Some(&[warn.clone()][..]));
    assert_eq!(warning.treat_missing_data.as_deref(), Some("notBreaching"));
    let crit_subs = aws.subs(&crit).await;
    assert_eq!(crit_subs.len(), 1);
    assert_eq!(crit_subs[0].endpoint.as_deref(), Some("oncall@example.com"));
    assert_eq!(aws.subs(&warn).await[0].protocol.as_deref(), Some("https"));

    // Second plan is empty.
    assert_eq!(tf.plan_code(&[]).code, 0, "{}", tf.plan_code(&[]).all());

    // A threshold change is in place.
    let p = tf.plan_code(&["-var", "cpu_critical=95"]);
    assert_eq!(p.code, 2);
    assert!(
        p.stdout.contains("~ threshold") && p.stdout.contains("1 to change, 0 to destroy"),
        "{}",
        p.stdout
    );
    tf.apply(&["-var", "cpu_critical=95"]);
    assert_eq!(
        aws.alarm(&format!("{name}-cpu-critical"))
            .await
            .unwrap()
            .threshold,
        Some(95.0)
    );
    assert_eq!(tf.plan_code(&["-var", "cpu_critical=95"]).code, 0);
    tf.apply(&[]);

    // A tag change reaches the alarms (PutMetricAlarm tags only a new one) and the topics.
    let cpu = format!("{name}-cpu-critical");
    tf.write(&config(&name, "production").replace("service = \"payments\"", "owner = \"ledger\""));
    tf.apply(&[]);
    assert_eq!(
        env::alarm_tag(&aws.cw, &cpu, "owner").await.as_deref(),
        Some("ledger")
    );
    assert_eq!(env::alarm_tag(&aws.cw, &cpu, "service").await, None);
    assert_eq!(
        env::alarm_tag(&aws.cw, &cpu, "team").await.as_deref(),
        Some("platform")
    );
    assert_eq!(tf.plan_code(&[]).code, 0);
    tf.write(&config(&name, "production"));
    tf.apply(&[]);
    assert_eq!(
        env::alarm_tag(&aws.cw, &cpu, "service").await.as_deref(),
        Some("payments")
    );
    assert_eq!(env::alarm_tag(&aws.cw, &cpu, "owner").await, None);

    // Drift 1: an alarm changed outside Terraform.
    let a = aws.alarm(&format!("{name}-cpu-critical")).await.unwrap();
    aws.cw
        .put_metric_alarm()
        .alarm_name(a.alarm_name.clone().unwrap())
        .namespace("AWS/EC2")
        .metric_name("CPUUtilization")
        .set_dimensions(a.dimensions.clone())
        .statistic(Statistic::Average)
        .period(60)
        .evaluation_periods(5)
        .threshold(99.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .set_alarm_actions(a.alarm_actions.clone())
        .set_ok_actions(a.ok_actions.clone())
        .send()
        .await
        .unwrap();
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2, "{}", p.all());
    assert!(
        p.stdout.contains("threshold") && p.stdout.contains("99 -> 90"),
        "{}",
        p.stdout
    );
    tf.apply(&[]);
    assert_eq!(
        aws.alarm(&format!("{name}-cpu-critical"))
            .await
            .unwrap()
            .threshold,
        Some(90.0)
    );
    assert_eq!(tf.plan_code(&[]).code, 0);

    // Drift 2: an alarm deleted.
    aws.cw
        .delete_alarms()
        .alarm_names(format!("{name}-cpu-warning"))
        .send()
        .await
        .unwrap();
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2);
    assert!(p.stdout.contains("is missing"), "{}", p.stdout);
    tf.apply(&[]);
    assert!(aws.alarm(&format!("{name}-cpu-warning")).await.is_some());
    assert_eq!(tf.plan_code(&[]).code, 0);

    // Drift 3: a subscription removed.
    let sub = aws.subs(&warn).await[0].subscription_arn.clone().unwrap();
    aws.sns
        .unsubscribe()
        .subscription_arn(sub)
        .send()
        .await
        .unwrap();
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2);
    assert!(p.stdout.contains("+ notify"), "{}", p.stdout);
    tf.apply(&[]);
    assert_eq!(aws.subs(&warn).await.len(), 1);
    assert_eq!(tf.plan_code(&[]).code, 0);

    // Drift 4: a topic's key removed.
    aws.sns
        .set_topic_attributes()
        .topic_arn(&warn)
        .attribute_name("KmsMasterKeyId")
        .attribute_value("")
        .send()
        .await
        .unwrap();
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2);
    assert!(
        p.stdout.contains("is not encrypted\" -> \"pass\""),
        "{}",
        p.stdout
    );
    tf.apply(&[]);
    assert_eq!(
        aws.topic_attr(&warn, "KmsMasterKeyId").await.as_deref(),
        Some(key.as_str())
    );
    assert_eq!(tf.plan_code(&[]).code, 0);

    // Import adopts what exists under the name.
    tf.run(&["state", "rm", "prod_alerting.ops"]).ok();
    let imp = tf.run(&["import", "-no-color", "prod_alerting.ops", &name]);
    imp.ok();
    // Import cannot know the `timeouts` block of the configuration: the only change planned is
    // adding it to state.
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2, "plan after import: {}", p.all());
    assert!(
        p.stdout.contains("+ timeouts {") && p.stdout.contains("+ create = \"5m\""),
        "{}",
        p.stdout
    );
    assert!(
        p.stdout.contains("0 to add, 1 to change, 0 to destroy"),
        "{}",
        p.stdout
    );
    let changed: Vec<&str> = p
        .stdout
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            t.starts_with(['~', '-', '+'])
                && (t.contains(" = ") || t.contains("->"))
                && !t.contains("create = \"5m\"")
        })
        .collect();
    assert!(
        changed.is_empty(),
        "nothing but timeouts changes after import: {changed:?}"
    );
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0);

    // Alarms and topics deleted outside Terraform.
    aws.delete_alarms_and_topics(&name).await;
    // Topics gone but the key alive: damaged, not deleted; repaired around the same key.
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2);
    assert!(
        p.stdout.contains("update in-place") && p.stdout.contains("is missing"),
        "{}",
        p.stdout
    );
    tf.apply(&[]);
    assert_eq!(
        aws.topic_attr(&crit, "KmsMasterKeyId").await.as_deref(),
        Some(key.as_str())
    );
    assert_eq!(tf.plan_code(&[]).code, 0);
    // Everything deleted the way AWS allows (the key scheduled for deletion): planned for creation.
    aws.delete_alarms_and_topics(&name).await;
    aws.kms
        .delete_alias()
        .alias_name(format!("alias/{name}-alerting"))
        .send()
        .await
        .unwrap();
    aws.kms
        .schedule_key_deletion()
        .key_id(key_id)
        .pending_window_in_days(7)
        .send()
        .await
        .unwrap();
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2);
    assert!(
        p.stdout.contains("has been deleted") && p.stdout.contains("will be created"),
        "{}",
        p.stdout
    );
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0);

    let new_key = output(&tf, "kms_key_arn");
    assert_ne!(new_key, key, "a new key replaces the one pending deletion");

    // Destroy leaves nothing but keys pending deletion.
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        sweep::aws().await.alerting(&name).await,
        Vec::<String>::new()
    );
    assert_eq!(
        aws.key_state(&new_key).await,
        Some(aws_sdk_kms::types::KeyState::PendingDeletion),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rebuilt_provider_keeps_init_working() {
    let name = env::unique("e2e-lock");
    let tf = Tf::new(&config(&name, "development"));
    tf.init();
    let lock = std::fs::read_to_string(tf.path().join(".terraform.lock.hcl")).unwrap();
    assert!(lock.contains("hardened/prod"));
    // Reinstall a binary with other bytes (as after a rebuild under the same version): init and
    // validate still work, because the lock file's hash covers the stable package, not the binary.
    let mirror = env::cli_config().parent().unwrap();
    let rebuilt = tf.path().join("rebuilt-provider");
    let mut bytes = std::fs::read(env!("CARGO_BIN_EXE_terraform-provider-prod")).unwrap();
    bytes.extend_from_slice(name.as_bytes());
    std::fs::write(&rebuilt, bytes).unwrap();
    std::fs::set_permissions(
        &rebuilt,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let out = std::process::Command::new(env::repo().join("scripts/install-provider"))
        .args([
            "--mirror",
            mirror.to_str().unwrap(),
            "--binary",
            rebuilt.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    tf.init();
    tf.run(&["validate", "-no-color"]).ok();
    // Our hclog JSON lines are re-logged by Terraform at their own level, parsed (not raw JSON).
    let r = tf.run_env(&["plan", "-no-color"], &[("TF_LOG", "debug")]);
    r.ok();
    assert!(
        r.stderr
            .contains("[DEBUG] provider.terraform-provider-prod_v0.1.0: provider configured:"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("{\"@level\""),
        "lines must be parsed as hclog JSON"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_a_diagnostic_on_the_attribute() {
    let name = env::unique("e2e-bad");
    let tf = Tf::new(&config(&name, "production").replace(
        "\"GreaterThanThreshold\"\n    threshold   = 80",
        "\"Above\"\n    threshold   = 80",
    ));
    tf.init();
    let r = tf.run(&["validate", "-no-color"]);
    assert_ne!(r.code, 0);
    let all = r.all();
    assert!(all.contains("Invalid comparison operator"), "{all}");
    assert!(
        all.contains("GreaterThanThreshold"),
        "the hint lists the allowed values: {all}"
    );
    // The snippet Terraform shows is the attribute's own line.
    assert!(
        all.lines()
            .any(|l| l.contains("comparison") && l.contains("= \"Above\"")),
        "the diagnostic points at the comparison attribute: {all}"
    );
    let bad_env = Tf::new(&config(&name, "prod"));
    bad_env.init();
    let r = bad_env.run(&["validate", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(r.all().contains("Invalid environment"), "{}", r.all());
}

#[tokio::test(flavor = "multi_thread")]
async fn failure_half_way_through_create_loses_nothing() {
    let aws = aws().await;
    let name = env::unique("e2e-part");
    // SNS unreachable: the key and alias get made, then the first topic fails.
    let dead = env::unreachable_endpoint();
    let broken = config(&name, "development").replace(
        "default_tags = { team = \"platform\" }",
        &format!(
            "default_tags = {{ team = \"platform\" }}\n  endpoints {{\n    sns = \"{dead}\"\n  }}"
        ),
    );
    let tf = Tf::new(&broken);
    tf.init();
    let r = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_ne!(r.code, 0);
    let all = r.all();
    assert!(all.contains("prod_alerting: create failed"), "{all}");
    assert!(
        all.contains(&format!("sns topic {name}-critical")),
        "the diagnostic names the component: {all}"
    );
    // The partial state is saved, tainted, and names the key already made.
    let state: serde_json::Value = tf.state();
    let inst = &state["resources"][0]["instances"][0];
    assert_eq!(inst["status"], "tainted", "{inst}");
    let key = inst["attributes"]["components"]["kms_key"]
        .as_str()
        .expect("the key is recorded")
        .to_string();
    assert!(inst["attributes"]["components"]["kms_alias"].is_string());

    // Fixed, the next apply replaces the tainted object and converges.
    tf.write(&config(&name, "development"));
    let r = tf.apply(&[]);
    assert!(
        r.stdout.contains("1 added, 0 changed, 1 destroyed"),
        "{}",
        r.stdout
    );
    assert_eq!(tf.plan_code(&[]).code, 0);
    assert_eq!(
        aws.key_state(&key).await,
        Some(aws_sdk_kms::types::KeyState::PendingDeletion),
        "the partial key was cleaned up"
    );
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        sweep::aws().await.alerting(&name).await,
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn documented_examples_validate() {
    // The provider and resource examples the docs show, together, as a user would paste them.
    let examples = env::repo().join("examples");
    let provider = std::fs::read_to_string(examples.join("provider/provider.tf")).unwrap();
    // Every resource's example, as the docs show them.
    let mut resource = String::new();
    for entry in std::fs::read_dir(examples.join("resources")).unwrap() {
        resource
            .push_str(&std::fs::read_to_string(entry.unwrap().path().join("resource.tf")).unwrap());
        resource.push('\n');
    }
    // And every ephemeral resource's, which use those resources.
    for entry in std::fs::read_dir(examples.join("ephemeral-resources")).unwrap() {
        resource.push_str(
            &std::fs::read_to_string(entry.unwrap().path().join("ephemeral-resource.tf")).unwrap(),
        );
        resource.push('\n');
    }
    assert!(resource.contains("prod_alerting") && resource.contains("prod_network"));
    assert!(resource.contains("ephemeral \"prod_database_credentials\""));
    let tf = Tf::new(&format!("{provider}\n{resource}"));
    tf.init();
    tf.run(&["validate", "-no-color"]).ok();
    // And the demo's example as it stands.
    let demo = Tf::new(&std::fs::read_to_string(examples.join("alerting/main.tf")).unwrap());
    demo.init();
    demo.run(&["validate", "-no-color"]).ok();
}

/// A development service's network and cluster, both named `svc`, followed by `rest`.
fn service(svc: &str, image: &str, cert: &str, rest: &str) -> String {
    format!(
        r#"{provider}
resource "prod_network" "main" {{
  name = "{svc}"
}}
resource "prod_cluster" "web" {{
  name              = "{svc}"
  image_id          = "{image}"
  subnet_ids        = prod_network.main.private_subnet_ids
  public_subnet_ids = prod_network.main.public_subnet_ids
  certificate_arn   = "{cert}"
}}
{rest}"#,
        provider = env::provider_block("development"),
    )
}

/// A development database and cache named `svc` in the service's network, open to its cluster; `db`
/// adds arguments to the database.
fn stores(svc: &str, db: &str) -> String {
    format!(
        r#"resource "prod_database_ha" "db" {{
  name                       = "{svc}"
  engine                     = "postgres"
  subnet_ids                 = prod_network.main.private_subnet_ids
  allowed_security_group_ids = [prod_cluster.web.security_group_id]
  {db}
}}
resource "prod_redis_cluster" "cache" {{
  name                       = "{svc}"
  engine                     = "valkey"
  subnet_ids                 = prod_network.main.private_subnet_ids
  allowed_security_group_ids = [prod_cluster.web.security_group_id]
}}"#
    )
}

/// A service whose parts share one name, as users name them (`<svc>` for the network, cluster,
/// database, cache and alerting): one apply makes everything, alarms named by kind never collide, and
/// the next plan is empty.
#[tokio::test(flavor = "multi_thread")]
async fn parts_of_one_service_named_alike_apply_with_alarms_named_by_kind() {
    let aws = aws().await;
    let svc = env::unique("svc");
    let (image, cert) = common::examples::image_and_certificate().await;
    let tf = Tf::new(&service(
        &svc,
        &image,
        &cert,
        &format!(
            r#"{stores}
resource "prod_alerting" "ops" {{
  name = "{svc}"
  notify {{
    severity = "critical"
    protocol = "email"
    endpoint = "oncall@example.com"
  }}
  cluster_ids       = [prod_cluster.web.id]
  database_ids      = [prod_database_ha.db.id]
  redis_cluster_ids = [prod_redis_cluster.cache.id]
}}
"#,
            stores = stores(&svc, "")
        ),
    ));
    tf.init();
    let r = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 0, "the same-name service must apply:\n{}", r.all());
    assert_eq!(tf.plan_code(&[]).code, 0, "plan after the apply");
    let names = env::alarm_names(&aws.cw, &format!("{svc}-")).await;
    for kind in ["cluster", "db", "redis"] {
        for tier in ["warning", "critical"] {
            let want = if kind == "redis" {
                format!("{svc}-redis-{svc}-001-cpu-{tier}")
            } else {
                format!("{svc}-{kind}-{svc}-cpu-{tier}")
            };
            assert!(names.contains(&want), "{want} in {names:?}");
        }
    }
    let r = tf.run(&["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(aws.alerting(&svc).await.is_empty());
    assert!(aws.database(&svc).await.is_empty());
    assert!(aws.redis(&svc).await.is_empty());
}

/// Alarms a previous release named without their kind (`<name>-<cluster>-<metric>-<tier>`) are
/// renamed by the next apply, which the plan shows, with no gap: every new alarm is put before the
/// old ones are deleted.
#[tokio::test(flavor = "multi_thread")]
async fn pack_alarms_under_the_old_names_are_renamed_without_a_gap() {
    let aws = aws().await;
    let svc = env::unique("ren");
    let (image, cert) = common::examples::image_and_certificate().await;
    let faults = common::faults::Faults::new("ren");
    let tf = Tf::new(&service(
        &svc,
        &image,
        &cert,
        &format!(
            r#"resource "prod_alerting" "ops" {{
  name        = "{svc}"
  cluster_ids = [prod_cluster.web.id]
}}
"#
        ),
    ))
    .with_access_key(&faults.key);
    tf.init();
    tf.apply(&[]);
    let new_names = env::alarm_names(&aws.cw, &format!("{svc}-cluster-")).await;
    assert_eq!(new_names.len(), 14, "{new_names:?}");

    // What the previous release left: alarms and state under the names without the kind.
    let old = |n: &str| n.replacen(&format!("{svc}-cluster-"), &format!("{svc}-"), 1);
    for n in &new_names {
        aws.cw
            .put_metric_alarm()
            .alarm_name(old(n))
            .namespace("AWS/EC2")
            .metric_name("CPUUtilization")
            .statistic(Statistic::Average)
            .period(60)
            .evaluation_periods(1)
            .threshold(90.0)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .send()
            .await
            .unwrap();
    }
    aws.cw
        .delete_alarms()
        .set_alarm_names(Some(new_names.clone()))
        .send()
        .await
        .unwrap();
    let state = tf.run(&["state", "pull"]).ok().stdout.clone();
    let rewritten = state
        .replace(&format!("{svc}-cluster-{svc}-"), &format!("{svc}-{svc}-"))
        .replace(&format!("alarm_cluster-{svc}-"), &format!("alarm_{svc}-"));
    let mut v: serde_json::Value = serde_json::from_str(&rewritten).unwrap();
    v["serial"] = serde_json::json!(v["serial"].as_i64().unwrap() + 1);
    let file = tf.path().join("old.tfstate");
    std::fs::write(&file, v.to_string()).unwrap();
    tf.run(&["state", "push", file.to_str().unwrap()]).ok();

    // The plan says so: alarm_names moves to the names with the kind.
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2, "{}", p.all());
    assert!(
        p.stdout
            .contains(&format!("\"{svc}-cluster-{svc}-cpu-warning\"")),
        "{}",
        p.stdout
    );
    faults.set(serde_json::json!({}));
    tf.apply(&[]);
    let calls = faults.calls();
    let last_put = calls
        .iter()
        .rposition(|c| c.action == "PutMetricAlarm")
        .expect("the new alarms are put");
    let first_delete = calls
        .iter()
        .position(|c| c.action == "DeleteAlarms")
        .expect("the old alarms are deleted");
    assert!(
        last_put < first_delete,
        "every new alarm exists before the old ones go: {calls:?}"
    );
    let now = env::alarm_names(&aws.cw, &format!("{svc}-")).await;
    let mut want = new_names.clone();
    want.sort();
    // The cluster of the same name has its own rollout gates under that prefix.
    let gates = format!("{svc}-rollout-");
    let (mut theirs, mut got): (Vec<String>, Vec<String>) =
        now.into_iter().partition(|a| a.starts_with(&gates));
    got.sort();
    theirs.sort();
    assert_eq!(got, want, "only the new names are left");
    assert_eq!(
        theirs,
        [format!("{gates}5xx"), format!("{gates}unhealthy")],
        "the cluster's gates are the cluster's"
    );
    assert_eq!(tf.plan_code(&[]).code, 0, "plan after the rename");
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert!(aws.alerting(&svc).await.is_empty());
}

/// A service whose parts are all named alike, watched by reference (`watch`), with the cluster's
/// capacities `min`/`desired` (max 4) and the database's `max_connections` at 100.
fn watched_service(svc: &str, image: &str, cert: &str, min: i64, desired: i64) -> String {
    service(
        svc,
        image,
        cert,
        &format!(
            r#"{stores}
resource "prod_alerting" "ops" {{
  name  = "{svc}"
  watch = [prod_cluster.web.watch, prod_database_ha.db.watch, prod_redis_cluster.cache.watch]
}}
output "lb_suffix" {{ value = prod_cluster.web.load_balancer_arn_suffix }}
output "critical_topic" {{ value = prod_alerting.ops.critical_topic_arn }}
"#,
            stores = stores(svc, "parameters = { max_connections = \"100\" }")
        ),
    )
    .replace(
        &format!("certificate_arn   = \"{cert}\"\n"),
        &format!(
            "certificate_arn   = \"{cert}\"\n  min_size          = {min}\n  desired_capacity  = {desired}\n  max_size          = 4\n"
        ),
    )
}

impl Aws {
    /// The threshold of alarm `name`, read through CloudWatch.
    async fn threshold(&self, name: &str) -> f64 {
        let a = self.alarm(name).await;
        a.and_then(|a| a.threshold)
            .unwrap_or_else(|| panic!("alarm {name} with a threshold"))
    }
}

/// Issue 18: the packs follow the watched resources' configuration through `watch`. The stack
/// applies in one go; a capacity change converges in one apply; `min_size` lowered outside
/// Terraform is repaired on the cluster without moving a threshold; `max_connections = 100` gives
/// connections alarms at 80 and 95; the old `cluster_ids` still works, with a warning.
#[tokio::test(flavor = "multi_thread")]
async fn alarms_follow_the_watched_configuration_not_aws() {
    let aws = aws().await;
    let svc = env::unique("wat");
    let (image, cert) = common::examples::image_and_certificate().await;
    let tf = Tf::new(&watched_service(&svc, &image, &cert, 2, 2));
    tf.init();
    let r = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 0, "the watched stack must apply:\n{}", r.all());
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 0, "plan after the apply:\n{}", p.all());
    let alarm = |kind: &str, target: &str, metric: &str, tier: &str| {
        format!("{svc}-{kind}-{target}-{metric}-{tier}")
    };
    assert_eq!(
        aws.threshold(&alarm("db", &svc, "connections", "warning"))
            .await,
        80.0
    );
    assert_eq!(
        aws.threshold(&alarm("db", &svc, "connections", "critical"))
            .await,
        95.0
    );
    let in_service = |tier: &'static str| alarm("cluster", &svc, "in-service", tier);
    assert_eq!(aws.threshold(&in_service("warning")).await, 2.0);
    assert_eq!(aws.threshold(&in_service("critical")).await, 2.0);
    let suffix = output(&tf, "lb_suffix");
    assert!(suffix.starts_with(&format!("app/{svc}/")), "{suffix}");
    let lb_dims = aws
        .alarm(&alarm("cluster", &svc, "p99-latency", "warning"))
        .await
        .unwrap()
        .dimensions
        .unwrap_or_default();
    assert!(
        lb_dims
            .iter()
            .any(|d| d.value.as_deref() == Some(suffix.as_str())),
        "{lb_dims:?}"
    );
    assert!(aws
        .alarm(&format!("{svc}-redis-{svc}-001-cpu-warning"))
        .await
        .is_some());
    // The web ACL's blocked requests: a spike over the hour's baseline warns (one breaching minute
    // of 60), the rate rule blocking a storm pages.
    let a = aws
        .alarm(&alarm("cluster", &svc, "blocked-requests", "warning"))
        .await
        .unwrap();
    assert_eq!(
        (a.evaluation_periods, a.datapoints_to_alarm),
        (Some(60), Some(1))
    );
    let queries = a.metrics.unwrap_or_default();
    assert!(
        queries.iter().any(|m| m
            .expression
            .as_deref()
            .is_some_and(|e| e.contains("AVG(FILL(m1, 0))"))),
        "{queries:?}"
    );
    let stat = queries
        .iter()
        .find_map(|q| q.metric_stat.as_ref())
        .and_then(|m| m.metric.as_ref())
        .unwrap();
    assert_eq!(
        (stat.namespace.as_deref(), stat.metric_name.as_deref()),
        (Some("AWS/WAFV2"), Some("BlockedRequests"))
    );
    let dims = |d: &[aws_sdk_cloudwatch::types::Dimension]| -> Vec<(String, String)> {
        d.iter()
            .map(|d| {
                (
                    d.name.clone().unwrap_or_default(),
                    d.value.clone().unwrap_or_default(),
                )
            })
            .collect()
    };
    let acl_dims = dims(stat.dimensions());
    for want in [
        ("WebACL", svc.as_str()),
        ("Region", "us-east-1"),
        ("Rule", "ALL"),
    ] {
        assert!(
            acl_dims.contains(&(want.0.to_string(), want.1.to_string())),
            "{acl_dims:?}"
        );
    }
    let a = aws
        .alarm(&alarm("cluster", &svc, "blocked-requests", "critical"))
        .await
        .unwrap();
    assert_eq!(
        (a.metric_name.as_deref(), a.threshold, a.evaluation_periods),
        (Some("BlockedRequests"), Some(600.0), Some(2))
    );
    assert!(dims(a.dimensions()).contains(&("Rule".to_string(), format!("{svc}-rate-limit"))));
    assert!(
        a.alarm_actions
            .unwrap_or_default()
            .iter()
            .any(|t| t.ends_with(&format!("{svc}-critical"))),
        "the storm pages"
    );
    // The listener certificate's expiry, from ACM's daily DaysToExpiry: a month ahead warns, a
    // week ahead pages.
    for (tier, days) in [("warning", 30.0), ("critical", 7.0)] {
        let a = aws
            .alarm(&alarm("cluster", &svc, "certificate-expiry", tier))
            .await
            .unwrap();
        assert_eq!(
            (
                a.namespace.as_deref(),
                a.metric_name.as_deref(),
                a.threshold,
                a.period
            ),
            (
                Some("AWS/CertificateManager"),
                Some("DaysToExpiry"),
                Some(days),
                Some(86_400)
            )
        );
        assert_eq!(
            dims(a.dimensions()),
            vec![("CertificateArn".to_string(), cert.clone())]
        );
    }

    // Defect 2: a capacity change converges in one apply.
    tf.write(&watched_service(&svc, &image, &cert, 3, 4));
    tf.apply(&[]);
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 0, "one apply after a capacity change:\n{}", p.all());
    assert_eq!(aws.threshold(&in_service("warning")).await, 4.0);
    assert_eq!(aws.threshold(&in_service("critical")).await, 3.0);

    // Defect 3: min_size lowered outside Terraform is repaired; the thresholds stay.
    aws.asg
        .update_auto_scaling_group()
        .auto_scaling_group_name(&svc)
        .min_size(1)
        .send()
        .await
        .unwrap();
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2, "the drift is planned:\n{}", p.all());
    assert!(p.shows("min_size", "1 -> 3"), "{}", p.stdout);
    assert!(
        !p.stdout.contains("prod_alerting.ops will be updated"),
        "the alarms do not follow drift:\n{}",
        p.stdout
    );
    assert_eq!(aws.threshold(&in_service("critical")).await, 3.0);
    tf.apply(&[]);
    assert_eq!(aws.threshold(&in_service("critical")).await, 3.0);
    assert_eq!(tf.plan_code(&[]).code, 0, "plan after the repair");

    // The data stores' events reach the critical topic: an RDS event subscription on the primary
    // and its replicas, the Redis members' notification topic. Turned off outside Terraform, the
    // plan shows posture `events` and one apply repairs both.
    let critical = output(&tf, "critical_topic");
    let subscription = |aws: &Aws| {
        let (rds, name) = (aws.rds.clone(), format!("{svc}-db-{svc}"));
        async move {
            rds.describe_event_subscriptions()
                .subscription_name(name)
                .send()
                .await
                .unwrap()
                .event_subscriptions_list
                .unwrap_or_default()
                .remove(0)
        }
    };
    let e = subscription(&aws).await;
    assert_eq!(
        (
            e.sns_topic_arn.as_deref(),
            e.source_type.as_deref(),
            e.enabled
        ),
        (Some(critical.as_str()), Some("db-instance"), Some(true))
    );
    let mut categories = e.event_categories_list.unwrap_or_default();
    categories.sort();
    assert_eq!(
        categories,
        [
            "failover",
            "failure",
            "low storage",
            "maintenance",
            "recovery"
        ]
    );
    assert!(
        e.source_ids_list.unwrap_or_default().contains(&svc),
        "the primary is a source"
    );
    let notified = |aws: &Aws| {
        let ec = aws.ec.clone();
        let prefix = format!("{svc}-0");
        async move {
            ec.describe_cache_clusters()
                .send()
                .await
                .unwrap()
                .cache_clusters
                .unwrap_or_default()
                .into_iter()
                .filter(|c| {
                    c.cache_cluster_id
                        .as_deref()
                        .is_some_and(|i| i.starts_with(&prefix))
                })
                .map(|c| {
                    let n = c.notification_configuration.unwrap_or_else(|| {
                        aws_sdk_elasticache::types::NotificationConfiguration::builder().build()
                    });
                    (
                        n.topic_arn.unwrap_or_default(),
                        n.topic_status.unwrap_or_default(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let members = notified(&aws).await;
    assert!(
        !members.is_empty()
            && members
                .iter()
                .all(|m| m == &(critical.clone(), "active".to_string())),
        "{members:?}"
    );
    aws.rds
        .modify_event_subscription()
        .subscription_name(format!("{svc}-db-{svc}"))
        .enabled(false)
        .send()
        .await
        .unwrap();
    aws.ec
        .modify_replication_group()
        .replication_group_id(&svc)
        .notification_topic_status("inactive")
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    let p = tf.plan_code(&[]);
    assert!(
        p.code == 2 && p.shows("\"events\"", "-> \"pass\""),
        "{}",
        p.all()
    );
    tf.apply(&[]);
    assert_eq!(subscription(&aws).await.enabled, Some(true));
    assert!(notified(&aws)
        .await
        .iter()
        .all(|(_, status)| status == "active"));
    assert_eq!(tf.plan_code(&[]).code, 0, "plan after the events are back");

    // The old argument still works, and says what replaces it.
    tf.write(&watched_service(&svc, &image, &cert, 3, 4).replace(
        "watch = [prod_cluster.web.watch, ",
        "cluster_ids = [prod_cluster.web.id]\n  watch = [",
    ));
    let p = tf.plan_code(&[]);
    assert!(
        p.all().contains("`cluster_ids` is deprecated: use `watch`"),
        "{}",
        p.all()
    );
    assert!(!p.all().contains("Some("), "{}", p.all());

    let r = tf.run(&["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(aws.alerting(&svc).await.is_empty());
    assert!(aws.database(&svc).await.is_empty());
    assert!(aws.redis(&svc).await.is_empty());
}
