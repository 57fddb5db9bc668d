//! Least privilege: `docs/iam-policy.json` is all the provider needs. A local AWS of its own with IAM
//! enforcement on (moto's `INITIAL_NO_AUTH_ACTION_COUNT`), an identity with only that policy, and the
//! full stack in the production profile applied, refreshed, decommissioned and destroyed. A static
//! check that every AWS call in `src/` is in the policy, with a reason in `docs/iam-policy.md`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::process::{Child, Command};

use common::sweep::Aws;
use common::tf::Tf;
use common::{env, examples};

/// The calls made before enforcement starts: the admin's user, inline policy and key, then the
/// provider's user, managed policy, attachment and key.
const SETUP_CALLS: usize = 7;

struct EnforcingAws {
    child: Child,
    endpoint: String,
}

impl Drop for EnforcingAws {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A second local AWS (the project's server, fault layer and extensions included) that checks every
/// call after the first `SETUP_CALLS` against the caller's IAM policies.
fn enforcing_aws() -> EnforcingAws {
    env::endpoint(); // installs the local AWS's venv when needed
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let repo = env::repo();
    let venv = std::env::var("PROD_VENV")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| repo.join(".venv"));
    let child = Command::new(venv.join("bin/python"))
        .arg(repo.join("scripts/local_aws_server.py"))
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .env("INITIAL_NO_AUTH_ACTION_COUNT", SETUP_CALLS.to_string())
        .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let endpoint = format!("http://127.0.0.1:{port}");
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed().as_secs() < 30,
            "the enforcing local AWS did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    EnforcingAws { child, endpoint }
}

fn policy() -> String {
    std::fs::read_to_string(env::repo().join("docs/iam-policy.json")).unwrap()
}

/// A user with `policy` (inline when `inline`, else as a managed policy); returns its key pair.
async fn user(
    iam: &aws_sdk_iam::Client,
    name: &str,
    policy: &str,
    inline: bool,
) -> (String, String) {
    iam.create_user().user_name(name).send().await.unwrap();
    if inline {
        iam.put_user_policy()
            .user_name(name)
            .policy_name("all")
            .policy_document(policy)
            .send()
            .await
            .unwrap();
    } else {
        let arn = iam
            .create_policy()
            .policy_name("terraform-provider-prod")
            .policy_document(policy)
            .send()
            .await
            .unwrap()
            .policy
            .unwrap()
            .arn
            .unwrap();
        iam.attach_user_policy()
            .user_name(name)
            .policy_arn(arn)
            .send()
            .await
            .unwrap();
    }
    let k = iam
        .create_access_key()
        .user_name(name)
        .send()
        .await
        .unwrap()
        .access_key
        .unwrap();
    (k.access_key_id, k.secret_access_key)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_documented_policy_is_enough_for_the_whole_stack() {
    let local = enforcing_aws();
    let setup = Aws::at(&local.endpoint, "setup", "setup");
    let all =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let (admin_key, admin_secret) = user(&setup.iam, "admin", all, true).await;
    let (key, secret) = user(&setup.iam, "terraform", &policy(), false).await;
    let admin = Aws::at(&local.endpoint, &admin_key, &admin_secret);
    let provider = Aws::at(&local.endpoint, &key, &secret);

    // Enforcement is on: the provider's identity may not do what the policy leaves out.
    let denied = provider
        .iam
        .create_user()
        .user_name("intruder")
        .send()
        .await;
    let code = denied
        .as_ref()
        .err()
        .and_then(|e| aws_sdk_iam::error::ProvideErrorMetadata::code(e).map(str::to_string));
    assert_eq!(code.as_deref(), Some("AccessDenied"), "{denied:?}");
    let denied = provider
        .kms
        .list_keys()
        .send()
        .await
        .err()
        .and_then(|e| aws_sdk_kms::error::ProvideErrorMetadata::code(&e).map(str::to_string));
    assert_eq!(denied.as_deref(), Some("AccessDeniedException"));

    // What the stack needs from outside, made as the admin.
    let (image, cert) = examples::image_and_certificate_in(&admin).await;

    let name = env::unique("iam");
    let main = |decommission: bool| {
        format!(
            r#"{}
module "stack" {{
  source          = "../../modules/service-stack"
  name            = "{name}"
  environment     = "production"
  image_id        = "{image}"
  certificate_arn = "{cert}"
  alert_email     = "oncall@example.com"
  decommission    = {decommission}
}}
"#,
            env::provider_block("production")
        )
    };
    let tf = Tf::in_repo_layout("examples/iam", &main(false))
        .with_access_key(&key)
        .with_env("AWS_SECRET_ACCESS_KEY", &secret)
        .with_env("AWS_ENDPOINT_URL", &local.endpoint);
    tf.init();
    let r = tf.apply(&[]);
    assert!(r.stdout.contains("5 added"), "{}", r.all());
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 0, "{}", p.all());
    tf.write(&main(true));
    tf.apply(&[]);
    let r = tf.run(&["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(!r.all().contains("AccessDenied"), "{}", r.all());

    let left = admin.stack(&name).await;
    assert!(left.is_empty(), "left after destroy: {left:?}");
}

/// Every AWS operation called in `src/` (`.<service>().<operation>(`), as an IAM action.
fn actions_in_source() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let services = [
        ("sns", "sns"),
        ("kms", "kms"),
        ("cloudwatch", "cloudwatch"),
        ("ec2", "ec2"),
        ("iam", "iam"),
        ("logs", "logs"),
        ("autoscaling", "autoscaling"),
        ("elbv2", "elasticloadbalancing"),
        ("rds", "rds"),
        ("elasticache", "elasticache"),
        ("secretsmanager", "secretsmanager"),
        ("sts", "sts"),
        ("wafv2", "wafv2"),
        ("s3", "s3"),
        ("backup", "backup"),
    ];
    let mut stack = vec![env::repo().join("src")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let text: String = std::fs::read_to_string(&p)
                .unwrap()
                .split_whitespace()
                .collect();
            for (client, prefix) in services {
                let marker = format!(".{client}().");
                for (i, _) in text.match_indices(&marker) {
                    let rest = &text[i + marker.len()..];
                    let op: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    // `Client::config()` reads the client's settings; it calls no API.
                    if op.is_empty() || op == "config" || !rest[op.len()..].starts_with('(') {
                        continue;
                    }
                    let camel: String = op
                        .split('_')
                        .map(|w| {
                            let mut c = w.chars();
                            c.next()
                                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                                .unwrap_or_default()
                        })
                        .collect();
                    if prefix == "s3" {
                        out.extend(s3_actions(&camel).iter().map(|a| format!("s3:{a}")));
                        continue;
                    }
                    // IAM spells the acronyms in capitals where the SDK's names do not.
                    let camel = match prefix {
                        "wafv2" => camel.replace("Acl", "ACL").replace("IpSet", "IPSet"),
                        _ => camel.replace("Db", "DB"),
                    };
                    out.insert(format!("{prefix}:{camel}"));
                }
            }
        }
    }
    out
}

/// The IAM actions AWS authorizes an S3 operation by, where they are not the operation's name (the
/// S3 "actions, resources and condition keys" reference).
fn s3_actions(op: &str) -> Vec<&str> {
    match op {
        "HeadBucket" => vec!["ListBucket"],
        "ListObjectVersions" => vec!["ListBucketVersions"],
        "DeleteObjects" => vec!["DeleteObject", "DeleteObjectVersion"],
        "GetPublicAccessBlock" => vec!["GetBucketPublicAccessBlock"],
        "PutPublicAccessBlock" => vec!["PutBucketPublicAccessBlock"],
        "GetBucketEncryption" => vec!["GetEncryptionConfiguration"],
        "PutBucketEncryption" => vec!["PutEncryptionConfiguration"],
        "GetBucketLifecycleConfiguration" => vec!["GetLifecycleConfiguration"],
        "PutBucketLifecycleConfiguration" => vec!["PutLifecycleConfiguration"],
        other => vec![other],
    }
}

#[test]
fn every_call_in_the_source_is_in_the_policy_with_a_reason() {
    let policy: serde_json::Value = serde_json::from_str(&policy()).unwrap();
    let mut allowed = BTreeSet::new();
    for st in policy["Statement"].as_array().unwrap() {
        assert_eq!(st["Effect"], "Allow");
        for a in st["Action"].as_array().unwrap() {
            allowed.insert(a.as_str().unwrap().to_string());
        }
    }
    let used = actions_in_source();
    assert!(used.len() > 150, "found only {} calls", used.len());
    let missing: Vec<&String> = used.difference(&allowed).collect();
    assert!(
        missing.is_empty(),
        "called but not in the policy: {missing:?}"
    );
    let doc = std::fs::read_to_string(env::repo().join("docs/iam-policy.md")).unwrap();
    for a in &allowed {
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| `{a}` |")))
            .unwrap_or_else(|| panic!("{a} has no row in docs/iam-policy.md"));
        let why = row.rsplit('|').nth(1).unwrap_or_default().trim();
        assert!(why.len() > 10, "{a}: no reason");
    }
    // Nothing in the policy that is neither called nor a documented implicit permission.
    let implicit = [
        "iam:PassRole",
        "ec2:RunInstances",
        "kms:CreateGrant",
        "kms:GenerateDataKey",
        "kms:Decrypt",
        "route53:AssociateVPCWithHostedZone",
        // What AWS checks when AWS Backup makes a vault (its storage).
        "backup-storage:MountCapsule",
        // What AWS checks when WAF is associated with a load balancer and delivers logs to
        // CloudWatch Logs (AWS WAF Developer Guide).
        "elasticloadbalancing:SetWebACL",
        "logs:CreateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:DescribeResourcePolicies",
        "logs:PutResourcePolicy",
    ];
    let extra: Vec<&String> = allowed
        .iter()
        .filter(|a| !used.contains(*a) && !implicit.contains(&a.as_str()))
        .collect();
    assert!(
        extra.is_empty(),
        "in the policy but never called: {extra:?}"
    );
}
