//! The load balancer's log bucket (Security Hub ELB.5): its name, settings and policy, and the
//! load balancer attributes that send the access and connection logs to it. Pure functions of
//! (name, profile, place); `aws/logs_bucket.rs` and `reconcile/logs_bucket.rs` only pass them on.

use serde_json::json;

use crate::provider::aws::{partition, Place};
use crate::provider::logs;
use crate::provider::profile::{Environment, LogRetention};

/// Where in the bucket each kind of log goes (ELB adds `AWSLogs/<account>/…` after it).
pub const ACCESS_PREFIX: &str = "access";
pub const CONNECTION_PREFIX: &str = "connection";

pub const LB_ACCESS_LOGS_ENABLED: &str = "access_logs.s3.enabled";
pub const LB_ACCESS_LOGS_BUCKET: &str = "access_logs.s3.bucket";
pub const LB_ACCESS_LOGS_PREFIX: &str = "access_logs.s3.prefix";
pub const LB_CONNECTION_LOGS_ENABLED: &str = "connection_logs.s3.enabled";
pub const LB_CONNECTION_LOGS_BUCKET: &str = "connection_logs.s3.bucket";
pub const LB_CONNECTION_LOGS_PREFIX: &str = "connection_logs.s3.prefix";

/// The service principal ELB delivers logs as, in the Regions opened in August 2022 or later.
pub const LOG_DELIVERY_SERVICE: &str = "logdelivery.elasticloadbalancing.amazonaws.com";

/// The bucket's settings, the same in every profile but for how long logs are kept.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogsBucket {
    /// Objects (and their noncurrent versions) expire after the audit tier of `log_retention`.
    pub expiry_days: i32,
    /// Application Load Balancer access logs support only SSE-S3 (AES256): a bucket whose default
    /// encryption is SSE-KMS receives no logs.
    pub sse_algorithm: &'static str,
    /// ACLs disabled: the bucket owner owns every object (S3.12).
    pub object_ownership: &'static str,
    pub versioning: bool,
}

/// The log bucket of a cluster keeping its logs `tiers`.
pub fn settings(tiers: &LogRetention) -> LogsBucket {
    LogsBucket {
        expiry_days: logs::retention_days(super::ACCESS_LOGS, tiers),
        sse_algorithm: "AES256",
        object_ownership: "BucketOwnerEnforced",
        versioning: true,
    }
}

/// Destroy empties and deletes the bucket only in development, or when `force_destroy_logs` is
/// set: elsewhere the logs are evidence and the bucket stays.
pub fn deleted_on_destroy(env: Environment, force_destroy_logs: bool) -> bool {
    env == Environment::Development || force_destroy_logs
}

/// `<name>-lb-logs-<account>` (bucket names are lower case; the account keeps them unique).
pub fn bucket_name(name: &str, account: &str) -> String {
    format!("{}-lb-logs-{account}", name.to_ascii_lowercase())
}

pub fn bucket_arn(region: &str, bucket: &str) -> String {
    format!("arn:{}:s3:::{bucket}", partition(region))
}

/// The Elastic Load Balancing account of each Region opened before August 2022 (ELB user guide,
/// "Enable access logs for your Application Load Balancer"): in these Regions the bucket policy
/// grants this account; the Regions opened since take the log delivery service principal.
const ELB_ACCOUNTS: [(&str, &str); 26] = [
    ("us-east-1", "127311923021"),
    ("us-east-2", "033677994240"),
    ("us-west-1", "027434742980"),
    ("us-west-2", "797873946194"),
    ("af-south-1", "098369216593"),
    ("ap-east-1", "754344448648"),
    ("ap-southeast-3", "589379963580"),
    ("ap-south-1", "718504428378"),
    ("ap-northeast-3", "383597477331"),
    ("ap-northeast-2", "600734575887"),
    ("ap-southeast-1", "114774131450"),
    ("ap-southeast-2", "783225319266"),
    ("ap-northeast-1", "582318560864"),
    ("ca-central-1", "985666609251"),
    ("eu-central-1", "054676820928"),
    ("eu-west-1", "156460612806"),
    ("eu-west-2", "652711504416"),
    ("eu-south-1", "635631232127"),
    ("eu-west-3", "009996457667"),
    ("eu-north-1", "897822967062"),
    ("me-south-1", "076674570225"),
    ("sa-east-1", "507241528517"),
    ("us-gov-west-1", "048591011584"),
    ("us-gov-east-1", "190560391635"),
    ("cn-north-1", "638102146993"),
    ("cn-northwest-1", "037604701340"),
];

/// Who writes the logs in `region`, as a policy `Principal`: the Region's ELB account where AWS
/// documents one, else the log delivery service principal.
pub fn log_writer(region: &str) -> serde_json::Value {
    match ELB_ACCOUNTS.iter().find(|(r, _)| *r == region) {
        Some((_, account)) => {
            json!({"AWS": format!("arn:{}:iam::{account}:root", partition(region))})
        }
        None => json!({"Service": LOG_DELIVERY_SERVICE}),
    }
}

/// The bucket policy: TLS only for everyone (S3.5), and ELB may put access and connection logs
/// of this account under their prefixes (nothing else, nowhere else).
pub fn bucket_policy(place: &Place, bucket: &str) -> serde_json::Value {
    let arn = bucket_arn(&place.region, bucket);
    let under = |prefix: &str| format!("{arn}/{prefix}/AWSLogs/{}/*", place.account);
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn.clone(), format!("{arn}/*")],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}
            },
            {
                "Sid": "ElbWritesAccessLogs",
                "Effect": "Allow",
                "Principal": log_writer(&place.region),
                "Action": "s3:PutObject",
                "Resource": under(ACCESS_PREFIX)
            },
            {
                "Sid": "ElbWritesConnectionLogs",
                "Effect": "Allow",
                "Principal": log_writer(&place.region),
                "Action": "s3:PutObject",
                "Resource": under(CONNECTION_PREFIX)
            }
        ]
    })
}

/// The load balancer's attributes that send both logs to `bucket`.
pub fn lb_log_attributes(bucket: &str) -> [(&'static str, String); 6] {
    [
        (LB_ACCESS_LOGS_ENABLED, true.to_string()),
        (LB_ACCESS_LOGS_BUCKET, bucket.to_string()),
        (LB_ACCESS_LOGS_PREFIX, ACCESS_PREFIX.to_string()),
        (LB_CONNECTION_LOGS_ENABLED, true.to_string()),
        (LB_CONNECTION_LOGS_BUCKET, bucket.to_string()),
        (LB_CONNECTION_LOGS_PREFIX, CONNECTION_PREFIX.to_string()),
    ]
}

/// Does `policy` deny every request that is not over TLS (S3.5)? A `Deny` of `s3:*` (or `*`) to
/// everyone on the bucket's objects when `aws:SecureTransport` is false.
pub fn denies_insecure_transport(policy: &serde_json::Value) -> bool {
    statements(policy).any(|s| {
        s["Effect"] == "Deny"
            && principal_is_everyone(&s["Principal"])
            && one_or_many(&s["Action"]).any(|a| a == "s3:*" || a == "*")
            && ["aws:SecureTransport", "aws:securetransport"]
                .iter()
                .any(|k| {
                    let v = &s["Condition"]["Bool"][*k];
                    *v == "false" || *v == false
                })
    })
}

/// Does `policy` let the Region's log writer put objects under `prefix` of `bucket` for this
/// account (and no condition narrow it)?
pub fn lets_elb_write(
    place: &Place,
    bucket: &str,
    prefix: &str,
    policy: &serde_json::Value,
) -> bool {
    let want = format!(
        "{}/{prefix}/AWSLogs/{}/*",
        bucket_arn(&place.region, bucket),
        place.account
    );
    let writer = log_writer(&place.region);
    statements(policy).any(|s| {
        s["Effect"] == "Allow"
            && s["Principal"] == writer
            && one_or_many(&s["Action"]).any(|a| a == "s3:PutObject")
            && one_or_many(&s["Resource"]).any(|r| r == want)
            && s.get("Condition").is_none()
    })
}

fn statements(policy: &serde_json::Value) -> impl Iterator<Item = &serde_json::Value> {
    match &policy["Statement"] {
        serde_json::Value::Array(a) => a.iter().collect::<Vec<_>>(),
        s @ serde_json::Value::Object(_) => vec![s],
        _ => Vec::new(),
    }
    .into_iter()
}

fn one_or_many(v: &serde_json::Value) -> impl Iterator<Item = &str> {
    match v {
        serde_json::Value::Array(a) => a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>(),
        serde_json::Value::String(s) => vec![s.as_str()],
        _ => Vec::new(),
    }
    .into_iter()
}

fn principal_is_everyone(p: &serde_json::Value) -> bool {
    p == "*" || p["AWS"] == "*"
}

#[cfg(test)]
mod tests;
