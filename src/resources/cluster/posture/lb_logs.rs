//! The load balancer's logs as pure rules: ELB.5 (access and connection logs on, into the
//! cluster's bucket, which lets ELB write them), and the bucket's own controls that one read of it
//! shows: S3.8 (block public access, all four), S3.5 (TLS-only policy) and `logs_bucket`
//! (SSE-S3, ACLs disabled, versioning, expiry after the audit tier of `log_retention`).

use std::collections::BTreeMap;

use super::super::aws::logs_bucket::{BucketFacts, Lifecycle};
use super::super::blueprint::logs_bucket as lb;
use super::super::blueprint::{self as bp, PASS};
use super::Posture;
use crate::provider::aws::Place;
use crate::provider::logs;
use crate::provider::profile::{Environment, LogRetention};

/// The controls these rules report.
pub const CONTROLS: [&str; 4] = ["ELB.5", "S3.5", "S3.8", "logs_bucket"];

/// The cluster's log bucket: where it is, and what S3 reports about it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Logs {
    /// The bucket's name, region and account (its policy names them).
    pub place: Option<Place>,
    pub bucket: String,
    /// `None` when the bucket does not exist.
    pub found: Option<BucketFacts>,
}

impl Logs {
    /// The bucket as apply leaves it with the logs kept `tiers`.
    pub fn as_applied(tiers: &LogRetention) -> Logs {
        let place = Place {
            region: "us-east-1".into(),
            account: "123456789012".into(),
        };
        let bucket = lb::bucket_name("cluster", &place.account);
        let s = lb::settings(tiers);
        Logs {
            found: Some(BucketFacts {
                tags: BTreeMap::new(),
                public_access_block: Some([true; 4]),
                policy: Some(lb::bucket_policy(&place, &bucket)),
                encryption: Some(s.sse_algorithm.into()),
                ownership: Some(s.object_ownership.into()),
                versioning: Some("Enabled".into()),
                lifecycle: Some(Lifecycle {
                    expiry_days: Some(s.expiry_days),
                    noncurrent_days: Some(s.expiry_days),
                }),
            }),
            place: Some(place),
            bucket,
        }
    }
}

/// The attributes apply gives a load balancer logging into `bucket`.
pub fn applied_lb_attributes(bucket: &str) -> BTreeMap<String, String> {
    lb::lb_log_attributes(bucket)
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

/// ELB.5, S3.5, S3.8 and `logs_bucket` from the load balancer's attributes (`None` when it is
/// missing) and the bucket.
pub(super) fn rules(
    p: &mut Posture,
    env: Environment,
    tiers: &LogRetention,
    lb_attributes: Option<&BTreeMap<String, String>>,
    logs: &Logs,
) {
    for c in CONTROLS {
        p.set(c, PASS.to_string());
    }
    let bucket = logs.bucket.as_str();
    match lb_attributes {
        None => p.fail("ELB.5", "the load balancer is missing"),
        Some(a) => {
            let on = |k: &str| a.get(k).map(String::as_str) == Some("true");
            for (what, enabled, to, prefix, want_prefix) in [
                (
                    "access logs",
                    lb::LB_ACCESS_LOGS_ENABLED,
                    lb::LB_ACCESS_LOGS_BUCKET,
                    lb::LB_ACCESS_LOGS_PREFIX,
                    lb::ACCESS_PREFIX,
                ),
                (
                    "connection logs",
                    lb::LB_CONNECTION_LOGS_ENABLED,
                    lb::LB_CONNECTION_LOGS_BUCKET,
                    lb::LB_CONNECTION_LOGS_PREFIX,
                    lb::CONNECTION_PREFIX,
                ),
            ] {
                let into = a.get(to).map(String::as_str).unwrap_or_default();
                let under = a.get(prefix).map(String::as_str).unwrap_or_default();
                if !on(enabled) {
                    p.fail("ELB.5", format!("{what} are off"));
                } else if into != bucket || under != want_prefix {
                    p.fail(
                        "ELB.5",
                        format!("{what} go to {into}/{under}, not {bucket}/{want_prefix}"),
                    );
                }
            }
        }
    }
    let Some(f) = &logs.found else {
        let missing = format!("log bucket {bucket} is missing");
        for c in CONTROLS {
            p.fail(c, missing.clone());
        }
        return;
    };
    bucket_rules(p, env, tiers, logs, f);
}

fn bucket_rules(
    p: &mut Posture,
    env: Environment,
    tiers: &LogRetention,
    logs: &Logs,
    f: &BucketFacts,
) {
    let bucket = logs.bucket.as_str();
    const SETTINGS: [&str; 4] = [
        "BlockPublicAcls",
        "IgnorePublicAcls",
        "BlockPublicPolicy",
        "RestrictPublicBuckets",
    ];
    let off: Vec<&str> = match f.public_access_block {
        Some(flags) => SETTINGS
            .iter()
            .zip(flags)
            .filter(|(_, on)| !on)
            .map(|(s, _)| *s)
            .collect(),
        None => SETTINGS.to_vec(),
    };
    if !off.is_empty() {
        p.fail(
            "S3.8",
            format!("block public access is off on {bucket}: {}", off.join(", ")),
        );
    }
    let policy = f.policy.clone().unwrap_or_default();
    if !lb::denies_insecure_transport(&policy) {
        p.fail(
            "S3.5",
            format!("{bucket}'s policy does not deny plain HTTP"),
        );
    }
    if let Some(place) = &logs.place {
        for (what, prefix) in [
            ("access", lb::ACCESS_PREFIX),
            ("connection", lb::CONNECTION_PREFIX),
        ] {
            if !lb::lets_elb_write(place, bucket, prefix, &policy) {
                p.fail(
                    "ELB.5",
                    format!("{bucket}'s policy does not let ELB write {what} logs"),
                );
            }
        }
    }
    let want = lb::settings(tiers);
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".to_string());
    if f.encryption.as_deref() != Some(want.sse_algorithm) {
        let why = format!(
            "default encryption is {}, ALB logs need SSE-S3 (AES256)",
            shown(&f.encryption)
        );
        p.fail("logs_bucket", why);
    }
    if f.ownership.as_deref() != Some(want.object_ownership) {
        let why = format!(
            "object ownership is {}, not BucketOwnerEnforced",
            shown(&f.ownership)
        );
        p.fail("logs_bucket", why);
    }
    if f.versioning.as_deref() != Some("Enabled") {
        p.fail("logs_bucket", "versioning is off");
    }
    let days = want.expiry_days;
    let keeps = f.lifecycle.clone().unwrap_or_default();
    if keeps.expiry_days != Some(days) || keeps.noncurrent_days != Some(days) {
        let kept =
            |d: Option<i32>| d.map_or_else(|| "for ever".to_string(), |d| format!("{d} days"));
        p.fail(
            "logs_bucket",
            format!(
                "logs are kept {} (older versions {}); {} keeps them {days} days",
                kept(keeps.expiry_days),
                kept(keeps.noncurrent_days),
                logs::keeper(env, bp::ACCESS_LOGS, tiers),
            ),
        );
    }
}

#[cfg(test)]
mod tests;
