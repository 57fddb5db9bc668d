use super::super::{posture, Facts};
use super::*;

const DEV: Environment = Environment::Development;
const PROD: Environment = Environment::Production;

/// What apply leaves in `env`, changed by `f`.
fn applied(env: Environment, f: impl Fn(&mut Facts)) -> Facts {
    let mut facts = Facts::as_applied(env, &env.log_retention(), "required", true);
    f(&mut facts);
    facts
}

/// `applied(PROD)` with the load balancer's log attribute `key` set to `value`.
fn lb_attr(key: &'static str, value: &'static str) -> Facts {
    applied(PROD, |f| {
        if let Some(lb) = &mut f.load_balancer {
            lb.logging.insert(key.to_string(), value.to_string());
        }
    })
}

/// `applied(env)` with the bucket's facts changed by `g`.
fn bucket(env: Environment, g: impl Fn(&mut BucketFacts)) -> Facts {
    applied(env, |f| {
        if let Some(b) = &mut f.logs.found {
            g(b);
        }
    })
}

const B: &str = "cluster-lb-logs-123456789012";

#[test]
fn log_rules() {
    let missing = format!("fail: log bucket {B} is missing");
    let cases: Vec<(&str, Environment, Facts, &str, String)> = vec![
        (
            "as applied, logs pass",
            PROD,
            applied(PROD, |_| {}),
            "ELB.5",
            "pass".into(),
        ),
        (
            "as applied in development, the bucket passes (its retention is the profile's)",
            DEV,
            applied(DEV, |_| {}),
            "logs_bucket",
            "pass".into(),
        ),
        (
            "access logs turned off",
            PROD,
            lb_attr(lb::LB_ACCESS_LOGS_ENABLED, "false"),
            "ELB.5",
            "fail: access logs are off".into(),
        ),
        (
            "connection logs sent elsewhere",
            PROD,
            lb_attr(lb::LB_CONNECTION_LOGS_BUCKET, "other"),
            "ELB.5",
            format!("fail: connection logs go to other/connection, not {B}/connection"),
        ),
        (
            "no load balancer",
            PROD,
            applied(PROD, |f| f.load_balancer = None),
            "ELB.5",
            "fail: the load balancer is missing".into(),
        ),
        (
            "no bucket: ELB.5",
            PROD,
            applied(PROD, |f| f.logs.found = None),
            "ELB.5",
            missing.clone(),
        ),
        (
            "no bucket: S3.8",
            PROD,
            applied(PROD, |f| f.logs.found = None),
            "S3.8",
            missing.clone(),
        ),
        (
            "block public policy loosened",
            PROD,
            bucket(PROD, |b| b.public_access_block = Some([true, true, false, true])),
            "S3.8",
            format!("fail: block public access is off on {B}: BlockPublicPolicy"),
        ),
        (
            "no public access block at all",
            PROD,
            bucket(PROD, |b| b.public_access_block = None),
            "S3.8",
            format!("fail: block public access is off on {B}: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets"),
        ),
        (
            "policy removed: not TLS only",
            PROD,
            bucket(PROD, |b| b.policy = None),
            "S3.5",
            format!("fail: {B}'s policy does not deny plain HTTP"),
        ),
        (
            "policy removed: ELB may not write",
            PROD,
            bucket(PROD, |b| b.policy = None),
            "ELB.5",
            format!("fail: {B}'s policy does not let ELB write access logs; {B}'s policy does not let ELB write connection logs"),
        ),
        (
            "SSE-KMS default encryption: ALB delivers no logs",
            PROD,
            bucket(PROD, |b| b.encryption = Some("aws:kms".into())),
            "logs_bucket",
            "fail: default encryption is aws:kms, ALB logs need SSE-S3 (AES256)".into(),
        ),
        (
            "ACLs enabled and versioning suspended",
            PROD,
            bucket(PROD, |b| {
                b.ownership = Some("ObjectWriter".into());
                b.versioning = Some("Suspended".into());
            }),
            "logs_bucket",
            "fail: object ownership is ObjectWriter, not BucketOwnerEnforced; versioning is off"
                .into(),
        ),
        (
            "lifecycle removed",
            PROD,
            bucket(PROD, |b| b.lifecycle = None),
            "logs_bucket",
            "fail: logs are kept for ever (older versions for ever); the production profile keeps them 2557 days".into(),
        ),
        (
            "a production bucket in development keeps logs too long",
            DEV,
            {
                let prod = applied(PROD, |_| {});
                applied(DEV, |f| f.logs = prod.logs.clone())
            },
            "logs_bucket",
            "fail: logs are kept 2557 days (older versions 2557 days); the development profile keeps them 7 days".into(),
        ),
    ];
    for (name, env, facts, control, want) in cases {
        let p = posture(env, &env.log_retention(), &facts);
        assert_eq!(p.get(control), Some(&want), "{name}");
    }
}
