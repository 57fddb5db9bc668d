//! The local AWS and the provider mirror the end-to-end tests share: started once per test binary
//! through the project's own scripts.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The checkout under test: cargo's run-time `CARGO_MANIFEST_DIR` first (a test binary built in a
/// shared target directory from another clone of the same sources is not rebuilt), else the build's.
pub fn repo() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// `AWS_ENDPOINT_URL` of the local AWS: the environment's, or one `scripts/local-aws start` gives.
pub fn endpoint() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(u) = std::env::var("AWS_ENDPOINT_URL") {
            return u;
        }
        let out = Command::new(repo().join("scripts/local-aws"))
            .arg("start")
            .output()
            .expect("run scripts/local-aws");
        assert!(
            out.status.success(),
            "scripts/local-aws start failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        text.lines()
            .find_map(|l| l.strip_prefix("AWS_ENDPOINT_URL=").map(str::to_string))
            .expect("scripts/local-aws prints AWS_ENDPOINT_URL")
    })
}

/// The Terraform CLI config of a mirror holding the freshly built provider.
pub fn cli_config() -> &'static Path {
    static CFG: OnceLock<PathBuf> = OnceLock::new();
    CFG.get_or_init(|| {
        // Cargo's scratch directory for integration tests, one mirror per test binary, replaced on
        // each run (test binaries run one after another).
        let mirror = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("e2e-mirror-{}", env!("CARGO_CRATE_NAME")));
        let out = Command::new(repo().join("scripts/install-provider"))
            .args([
                "--mirror",
                mirror.to_str().unwrap(),
                "--binary",
                env!("CARGO_BIN_EXE_terraform-provider-prod"),
            ])
            .output()
            .expect("run scripts/install-provider");
        assert!(
            out.status.success(),
            "install-provider failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        mirror.join("terraformrc")
    })
}

pub fn terraform_available() {
    let ok = Command::new("terraform")
        .arg("version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        ok,
        "the end-to-end tests need `terraform` (1.11) on the PATH"
    );
}

pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint())
        .credentials_provider(aws_sdk_sns::config::Credentials::new(
            "test", "test", None, None, "e2e",
        ))
        .load()
        .await
}

/// A name no other test run uses, so tests share one local AWS without resets.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}-{:x}{:x}",
        std::process::id() % 0xffff,
        nanos % 0xfffff
    )
}

/// Keys whose description starts with `description_prefix` (how each resource labels the keys it
/// makes) and that are not pending deletion: what a sweep after destroy must find empty.
pub async fn live_keys(kms: &aws_sdk_kms::Client, description_prefix: &str) -> Vec<String> {
    let mut left = Vec::new();
    let keys = kms
        .list_keys()
        .limit(1000)
        .send()
        .await
        .unwrap()
        .keys
        .unwrap_or_default();
    for k in keys {
        let m = kms
            .describe_key()
            .key_id(k.key_id.unwrap())
            .send()
            .await
            .unwrap()
            .key_metadata
            .unwrap();
        let ours = m
            .description
            .as_deref()
            .is_some_and(|d| d.starts_with(description_prefix));
        if ours && m.key_state != Some(aws_sdk_kms::types::KeyState::PendingDeletion) {
            left.push(format!("key {} ({:?})", m.key_id, m.key_state));
        }
    }
    left
}

/// `config` with the provider block's `endpoints` sending `service` to a URL where nothing listens
/// (the provider block must set `environment = "<environment>"`).
pub fn with_unreachable(config: &str, environment: &str, service: &str) -> String {
    let dead = unreachable_endpoint();
    let line = format!("environment = \"{environment}\"");
    config.replacen(
        &line,
        &format!("{line}\n  endpoints {{\n    {service} = \"{dead}\"\n  }}"),
        1,
    )
}

/// A loopback URL where nothing listens: an AWS endpoint that refuses every connection.
pub fn unreachable_endpoint() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let a = l.local_addr().unwrap();
    drop(l);
    format!("http://{a}")
}

/// IAM returns policy documents URL-encoded.
pub fn urlencoding_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Tag `key` of alarm `name` (it must exist), as CloudWatch lists it.
pub async fn alarm_tag(cw: &aws_sdk_cloudwatch::Client, name: &str, key: &str) -> Option<String> {
    let arn = alarm(cw, name).await.alarm_arn.unwrap();
    cw.list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .unwrap()
        .tags
        .unwrap_or_default()
        .into_iter()
        .find(|t| t.key.as_deref() == Some(key))
        .and_then(|t| t.value)
}

/// The metric alarm named `name` (it must exist).
pub async fn alarm(
    cw: &aws_sdk_cloudwatch::Client,
    name: &str,
) -> aws_sdk_cloudwatch::types::MetricAlarm {
    cw.describe_alarms()
        .alarm_names(name)
        .send()
        .await
        .unwrap()
        .metric_alarms
        .unwrap()
        .remove(0)
}

/// The `terraform` and `provider "prod"` blocks every end-to-end configuration starts with.
pub fn provider_block(environment: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    prod = {{ source = "hardened/prod" }}
  }}
}}

provider "prod" {{
  region      = "us-east-1"
  environment = "{environment}"
}}
"#
    )
}

/// The `watch` map of a cluster `<name>-web` (3 wanted, 2 to 6), as `prod_cluster` would export
/// it: alerting plans its packs from these values alone, so no cluster needs to exist.
pub fn cluster_watch(name: &str) -> String {
    format!(
        r#"[{{
    kind              = "cluster"
    name              = "{name}-web"
    autoscaling_group = "{name}-web"
    load_balancer     = "app/{name}-web/0123456789abcdef"
    target_group      = "targetgroup/{name}-web-tg/0123456789abcdef"
    min_size          = "2"
    desired_capacity  = "3"
    max_size          = "6"
  }}]"#
    )
}

/// A key's policy document and whether rotation is on (`key` is an ARN or an id).
pub async fn key_policy_and_rotation(kms: &aws_sdk_kms::Client, key: &str) -> (String, bool) {
    let id = key.rsplit('/').next().unwrap();
    let policy = kms
        .get_key_policy()
        .key_id(id)
        .policy_name("default")
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    let rotation = kms
        .get_key_rotation_status()
        .key_id(id)
        .send()
        .await
        .unwrap()
        .key_rotation_enabled;
    (policy, rotation)
}

/// The ingress rules of security group `sg` as EC2 reports them, as (from, to) port pairs.
pub async fn ingress_ports(ec2: &aws_sdk_ec2::Client, sg: &str) -> Vec<(Option<i32>, Option<i32>)> {
    ec2.describe_security_groups()
        .group_ids(sg)
        .send()
        .await
        .unwrap()
        .security_groups
        .unwrap_or_default()
        .into_iter()
        .flat_map(|g| g.ip_permissions.unwrap_or_default())
        .map(|p| (p.from_port, p.to_port))
        .collect()
}

/// Opens `port` of security group `sg` to the world, as drift made outside Terraform.
pub async fn open_to_world(ec2: &aws_sdk_ec2::Client, sg: &str, port: i32) {
    ec2.authorize_security_group_ingress()
        .group_id(sg)
        .ip_permissions(
            aws_sdk_ec2::types::IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(port)
                .to_port(port)
                .ip_ranges(
                    aws_sdk_ec2::types::IpRange::builder()
                        .cidr_ip("0.0.0.0/0")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
}

/// A VPC (`10.<octet>.0.0/16`) with a subnet in each of three zones, and an application security
/// group: where a data store's end-to-end test puts it and who may connect. Returns (subnets, app).
pub async fn vpc_with_app(ec2: &aws_sdk_ec2::Client, octet: u8) -> (Vec<String>, String) {
    let vpc = ec2
        .create_vpc()
        .cidr_block(format!("10.{octet}.0.0/16"))
        .send()
        .await
        .unwrap()
        .vpc
        .unwrap()
        .vpc_id
        .unwrap();
    let mut subnets = Vec::new();
    for (i, z) in ["us-east-1a", "us-east-1b", "us-east-1c"]
        .iter()
        .enumerate()
    {
        subnets.push(
            ec2.create_subnet()
                .vpc_id(&vpc)
                .cidr_block(format!("10.{octet}.{i}.0/24"))
                .availability_zone(*z)
                .send()
                .await
                .unwrap()
                .subnet
                .unwrap()
                .subnet_id
                .unwrap(),
        );
    }
    let app = ec2
        .create_security_group()
        .group_name(unique("app"))
        .description("app")
        .vpc_id(&vpc)
        .send()
        .await
        .unwrap()
        .group_id
        .unwrap();
    (subnets, app)
}

/// Names of the alarms starting with `prefix` (a sweep's check that none is left).
pub async fn alarm_names(cw: &aws_sdk_cloudwatch::Client, prefix: &str) -> Vec<String> {
    cw.describe_alarms()
        .alarm_name_prefix(prefix)
        .send()
        .await
        .unwrap()
        .metric_alarms
        .unwrap_or_default()
        .into_iter()
        .filter_map(|a| a.alarm_name)
        .collect()
}

/// The group's instance refreshes as AWS lists them: the newest first.
pub async fn instance_refreshes(
    asg: &aws_sdk_autoscaling::Client,
    group: &str,
) -> Vec<aws_sdk_autoscaling::types::InstanceRefresh> {
    asg.describe_instance_refreshes()
        .auto_scaling_group_name(group)
        .send()
        .await
        .unwrap()
        .instance_refreshes
        .unwrap_or_default()
}

/// Is every control of a `posture` map `pass`? An empty (or missing) posture is not: it reports
/// nothing at all.
pub fn all_pass(posture: &serde_json::Value) -> bool {
    posture
        .as_object()
        .is_some_and(|m| !m.is_empty() && m.values().all(|v| v == "pass"))
}

/// The resource policy of `secret` (empty: none).
pub async fn secret_policy(sm: &aws_sdk_secretsmanager::Client, secret: &str) -> String {
    sm.get_resource_policy()
        .secret_id(secret)
        .send()
        .await
        .unwrap()
        .resource_policy
        .unwrap_or_default()
}

/// A store's `secret` denies other accounts and plain HTTP; its policy removed outside Terraform
/// shows in the plan as posture `control` failing, one apply puts it back, and the plan is empty.
pub async fn secret_policy_drift_repaired(
    tf: &super::tf::Tf,
    sm: &aws_sdk_secretsmanager::Client,
    secret: &str,
    control: &str,
) {
    let p: serde_json::Value = serde_json::from_str(&secret_policy(sm, secret).await).unwrap();
    assert_eq!(p["Statement"][0]["Effect"], "Deny", "{p}");
    assert!(
        p["Statement"][0]["Condition"]["StringNotEquals"]["aws:PrincipalAccount"].is_string(),
        "{p}"
    );
    assert_eq!(
        p["Statement"][1]["Condition"]["Bool"]["aws:SecureTransport"], "false",
        "{p}"
    );
    sm.delete_resource_policy()
        .secret_id(secret)
        .send()
        .await
        .unwrap();
    let p = tf.plan_code(&[]);
    assert!(
        p.code == 2 && p.shows(&format!("\"{control}\""), "-> \"pass\""),
        "{}",
        p.all()
    );
    tf.apply(&[]);
    assert!(
        secret_policy(sm, secret)
            .await
            .contains("aws:SecureTransport"),
        "the policy is back"
    );
    assert_eq!(tf.plan_code(&[]).code, 0, "plan after the policy is back");
}
