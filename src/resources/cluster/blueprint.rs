//! The cluster blueprint: names, the launch template's settings, security-group rules and
//! policies, as pure functions of (configuration, profile, place).

use std::collections::BTreeSet;

use base64::Engine;
use serde_json::json;

use crate::provider::aws::{partition, Place};
use crate::provider::logs::LogClass;
use crate::provider::profile::Environment;

pub mod host_metrics;
pub mod logs_bucket;
pub mod waf;

pub const PASS: &str = "pass";
/// AWS's recommended TLS 1.3 policy (TLS 1.3, and 1.2 with forward-secret AEAD ciphers only).
/// `tls_policy` unset: TLS 1.3 only.
pub const DEFAULT_TLS_POLICY: &str = "tls13";

/// The HTTPS listener's security policy for `tls_policy`: the hybrid post-quantum (ML-KEM) TLS 1.3
/// policies of the ELB documentation ("Security policies for your Application Load Balancer"):
/// TLS 1.3 only, or TLS 1.2 and 1.3 with the restricted cipher list. `None` for any other value.
pub fn ssl_policy(tls_policy: &str) -> Option<&'static str> {
    match tls_policy {
        "tls13" => Some(TLS13_POLICY),
        "tls12" => Some("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"),
        _ => None,
    }
}
const TLS13_POLICY: &str = "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09";

/// The policy apply puts on the listener (validation has refused any other `tls_policy`).
pub fn listener_policy(tls_policy: &str) -> &'static str {
    ssl_policy(tls_policy).unwrap_or(TLS13_POLICY)
}

/// What `tls_policy` a listener's security policy is, as read back: ours by name, else the AWS
/// policy's own name (which the configuration never holds, so the plan shows it as drift).
pub fn tls_policy_of(policy: &str) -> String {
    ["tls13", "tls12"]
        .into_iter()
        .find(|t| ssl_policy(t) == Some(policy))
        .map_or_else(|| policy.to_string(), str::to_string)
}
/// Instance refresh keeps this share of the group in service while it rolls.
pub const MIN_HEALTHY_PERCENT: i32 = 90;
pub const HEALTH_CHECK_GRACE_SECONDS: i32 = 300;

/// The settings every cluster gets: decided here, where the blueprint's tests see them; `aws/`,
/// `front_end.rs` and `reconcile/` only pass them to the SDK. (The metadata tokens and root volume
/// encryption are arguments, with the profile's defaults and floors in `plan.rs`/`validate.rs`.)
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hardening {
    /// Instance metadata answers one hop only: no container on the instance reaches it (EC2.8).
    pub metadata_hop_limit: i32,
    pub metadata_endpoint: bool,
    pub volume_type: &'static str,
    /// The instances get no public address (AutoScaling.5).
    pub public_ip: bool,
    pub detailed_monitoring: bool,
    /// ELB.6, as the profile keeps it.
    pub lb_deletion_protection: bool,
    /// ELB.4.
    pub drop_invalid_header_fields: bool,
    /// ELB.12.
    pub desync_mitigation_mode: &'static str,
}

/// What the cluster's logs hold, which decides how long they are kept (`log_retention`): the
/// instances' log group is application logs.
pub const INSTANCE_LOGS: LogClass = LogClass::Application;
/// The web ACL's log group and the load balancer's access logs are audit logs.
pub const ACCESS_LOGS: LogClass = LogClass::Audit;

/// The hardening of `env`'s clusters: the same in every profile, but for the load balancer's
/// deletion protection, which the profile decides.
pub fn hardening(env: Environment) -> Hardening {
    Hardening {
        metadata_hop_limit: 1,
        metadata_endpoint: true,
        volume_type: "gp3",
        public_ip: false,
        detailed_monitoring: true,
        lb_deletion_protection: env.load_balancer_deletion_protection(),
        drop_invalid_header_fields: true,
        desync_mitigation_mode: "defensive",
    }
}

/// The load balancer attribute of deletion protection (ELB.6).
pub const LB_DELETION_PROTECTION: &str = "deletion_protection.enabled";
/// The load balancer attribute of dropping invalid header fields (ELB.4).
pub const LB_DROP_INVALID_HEADERS: &str = "routing.http.drop_invalid_header_fields.enabled";
/// The load balancer attribute of desync mitigation (ELB.12).
pub const LB_DESYNC_MITIGATION: &str = "routing.http.desync_mitigation_mode";

/// The load balancer's attributes as `h` sets them.
pub fn lb_attributes(h: &Hardening) -> [(&'static str, String); 3] {
    [
        (LB_DELETION_PROTECTION, h.lb_deletion_protection.to_string()),
        (
            LB_DROP_INVALID_HEADERS,
            h.drop_invalid_header_fields.to_string(),
        ),
        (LB_DESYNC_MITIGATION, h.desync_mitigation_mode.to_string()),
    ]
}

/// What destroy sets first: deletion protection lifted, so that the load balancer can go.
pub fn lb_unprotected() -> [(&'static str, String); 1] {
    [(LB_DELETION_PROTECTION, false.to_string())]
}
/// Group metrics the compute alarm pack reads (and the rest of the group's size metrics).
pub const GROUP_METRICS: [&str; 8] = [
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupMaxSize",
    "GroupMinSize",
    "GroupPendingInstances",
    "GroupStandbyInstances",
    "GroupTerminatingInstances",
    "GroupTotalInstances",
];
pub const SSM_MANAGED_POLICY: &str = "AmazonSSMManagedInstanceCore";
pub const AGENT_POLICY_NAME: &str = "cloudwatch-agent";

/// Controls the cluster reports, with `KMS.4` only while the cluster owns its key.
pub fn controls(own_key: bool) -> Vec<&'static str> {
    let mut c = vec![
        "AutoScaling.1",
        "AutoScaling.2",
        "AutoScaling.3",
        "AutoScaling.4",
        "AutoScaling.5",
        "AutoScaling.9",
        "CloudWatch.16",
        "EC2.18",
        "EC2.19",
        "EC2.3",
        "EC2.8",
        "ELB.1",
        "ELB.12",
        "ELB.13",
        "ELB.16",
        "ELB.17",
        "ELB.18",
        "ELB.4",
        "ELB.6",
        "WAF.11",
        "host_metrics",
        "ingress",
        "metrics",
        "waf",
    ];
    if own_key {
        c.push("KMS.4");
    }
    c
}

pub fn target_group_name(name: &str) -> String {
    format!("{name}-tg")
}
pub fn lb_sg_name(name: &str) -> String {
    format!("{name}-lb")
}
pub fn app_sg_name(name: &str) -> String {
    format!("{name}-app")
}
pub fn role_name(name: &str) -> String {
    format!("{name}-instance")
}
pub fn alias_name(name: &str) -> String {
    format!("alias/{name}-cluster")
}
pub fn log_group_name(name: &str) -> String {
    format!("/prod/cluster/{name}")
}

/// Why a relaxed control fails on purpose (the same words on plan and read, so no perpetual diff).
pub fn relaxed(env: Environment) -> String {
    format!("fail: relaxed by {env} profile")
}
pub fn imdsv1_allowed() -> String {
    "fail: IMDSv1 allowed by metadata_http_tokens = \"optional\"".to_string()
}

/// Everything a launch template version says, in a form both the blueprint and read produce, so
/// that "the live version differs from the desired one" is plain inequality.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TemplateSpec {
    pub image_id: String,
    pub instance_type: String,
    /// Base64, as the launch template holds it.
    pub user_data: Option<String>,
    pub http_tokens: String,
    pub hop_limit: i32,
    pub http_endpoint_enabled: bool,
    pub root_device: String,
    pub volume_size: i32,
    pub volume_type: String,
    pub encrypted: bool,
    pub kms_key: Option<String>,
    pub public_ip: bool,
    pub security_groups: BTreeSet<String>,
    pub monitoring: bool,
    pub instance_profile: Option<String>,
}

pub fn encode_user_data(plain: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(plain.as_bytes())
}
pub fn decode_user_data(b64: &str) -> Option<String> {
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
}

/// The settings a version must have.
pub struct TemplateInputs<'a> {
    pub image_id: &'a str,
    pub instance_type: &'a str,
    pub user_data: Option<&'a str>,
    pub http_tokens: &'a str,
    pub root_device: &'a str,
    pub volume_size: i64,
    pub encrypted: bool,
    pub kms_key: &'a str,
    pub app_sg: &'a str,
    pub instance_profile: &'a str,
    pub hardening: Hardening,
}

pub fn template_spec(i: &TemplateInputs<'_>) -> TemplateSpec {
    TemplateSpec {
        image_id: i.image_id.to_string(),
        instance_type: i.instance_type.to_string(),
        user_data: i.user_data.map(encode_user_data),
        http_tokens: i.http_tokens.to_string(),
        hop_limit: i.hardening.metadata_hop_limit,
        http_endpoint_enabled: i.hardening.metadata_endpoint,
        root_device: i.root_device.to_string(),
        volume_size: i.volume_size as i32,
        volume_type: i.hardening.volume_type.to_string(),
        encrypted: i.encrypted,
        kms_key: Some(i.kms_key.to_string()),
        public_ip: i.hardening.public_ip,
        security_groups: [i.app_sg.to_string()].into(),
        monitoring: i.hardening.detailed_monitoring,
        instance_profile: Some(i.instance_profile.to_string()),
    }
}

pub use crate::provider::ec2::{tcp, Peer, Rule};

/// The load balancer admits 443 and 80 (which only redirects) from `ingress`, and reaches only the
/// instances' port on their group.
pub fn lb_rules(
    ingress: &[String],
    app_port: i64,
    app_sg: &str,
) -> (BTreeSet<Rule>, BTreeSet<Rule>) {
    let inbound = ingress
        .iter()
        .flat_map(|c| {
            [
                tcp(443, Peer::Cidr(c.clone())),
                tcp(80, Peer::Cidr(c.clone())),
            ]
        })
        .collect();
    let outbound = [tcp(app_port as i32, Peer::Group(app_sg.to_string()))].into();
    (inbound, outbound)
}

/// The instances admit only the application port, from the load balancer's group; outbound is open
/// (package mirrors, SSM, the database and cache).
pub fn app_rules(app_port: i64, lb_sg: &str) -> (BTreeSet<Rule>, BTreeSet<Rule>) {
    let inbound = [tcp(app_port as i32, Peer::Group(lb_sg.to_string()))].into();
    let outbound = [Rule {
        protocol: "-1".into(),
        from: -1,
        to: -1,
        peer: Peer::Cidr("0.0.0.0/0".into()),
    }]
    .into();
    (inbound, outbound)
}

/// The Auto Scaling service-linked role, which launches the instances and so uses the volume key.
pub fn autoscaling_role_arn(place: &Place) -> String {
    place.iam_arn("role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling")
}

/// The cluster's key: the account administers it; the Auto Scaling service-linked role may use it
/// for the volumes it creates (and grant EC2 that use); CloudWatch Logs for this cluster's groups
/// (the instances' and the web ACL's).
pub fn key_policy(place: &Place, name: &str) -> String {
    let use_actions = json!([
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:DescribeKey"
    ]);
    json!({
        "Version": "2012-10-17",
        "Id": format!("{name}-cluster"),
        "Statement": [
            {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": place.iam_arn("root")}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "AutoScalingUsesKeyForVolumes", "Effect": "Allow", "Principal": {"AWS": autoscaling_role_arn(place)}, "Action": use_actions, "Resource": "*"},
            {
                "Sid": "AutoScalingGrantsEc2",
                "Effect": "Allow",
                "Principal": {"AWS": autoscaling_role_arn(place)},
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": true}}
            },
            {
                "Sid": "LogsEncryptClusterLogs",
                "Effect": "Allow",
                "Principal": {"Service": format!("logs.{}.amazonaws.com", place.region)},
                "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                "Resource": "*",
                "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": [
                    place.log_group_arn(&log_group_name(name)),
                    place.log_group_arn(&waf::log_group_name(name))
                ]}}
            }
        ]
    })
    .to_string()
}

/// Trust policy of the instance role: EC2 only.
pub fn instance_trust_policy() -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    })
    .to_string()
}

/// The CloudWatch agent's needs, scoped: this cluster's log group, metrics in its namespace only,
/// and the read-only EC2 lookups it makes for dimensions.
pub fn agent_policy(place: &Place, name: &str) -> String {
    let group = place.log_group_arn(&log_group_name(name));
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ClusterLogs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], "Resource": [group.clone(), format!("{group}:*")]},
            {"Sid": "AgentMetrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*", "Condition": {"StringEquals": {"cloudwatch:namespace": "CWAgent"}}},
            {"Sid": "AgentDimensions", "Effect": "Allow", "Action": ["ec2:DescribeTags", "ec2:DescribeVolumes"], "Resource": "*"}
        ]
    })
    .to_string()
}

pub fn ssm_policy_arn(place: &Place) -> String {
    format!(
        "arn:{}:iam::aws:policy/{SSM_MANAGED_POLICY}",
        partition(&place.region)
    )
}

#[cfg(test)]
mod tests;
