//! The network blueprint: subnet ranges, names, NAT layout, policies and the planned posture, as
//! pure functions of (configuration, profile, place).

use serde_json::json;

use crate::provider::aws::Place;
use crate::provider::logs::LogClass;
use crate::provider::profile::Environment;

pub mod endpoints;

pub const CONTROLS: [&str; 10] = [
    "CloudWatch.16",
    "EC2.10",
    "EC2.2",
    "EC2.21",
    "EC2.57",
    "EC2.6",
    "KMS.4",
    "endpoints",
    "network_acls",
    "routes",
];
pub const PASS: &str = "pass";

/// The settings every network gets: decided here, where the blueprint's tests see them; `aws/` and
/// `reconcile/` only pass them to the SDK.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hardening {
    pub dns_support: bool,
    pub dns_hostnames: bool,
    /// Every rule of the VPC's default security group revoked (EC2.2).
    pub close_default_security_group: bool,
    /// What the VPC's flow log records (EC2.6), as EC2 names it.
    pub flow_log_traffic: &'static str,
    /// Where the flow log delivers, as EC2 names it: the network's encrypted log group.
    pub flow_log_destination: &'static str,
    /// Interface endpoints answer the services' usual DNS names inside the VPC, so that clients
    /// use them without configuration (EC2.10, EC2.57).
    pub endpoint_private_dns: bool,
}

/// What the flow logs hold, which decides how long they are kept (`log_retention`).
pub const FLOW_LOGS: LogClass = LogClass::Audit;

/// The hardening of every network (the same in every profile; how long the flow logs are kept is
/// `log_retention`'s audit tier).
pub fn hardening() -> Hardening {
    Hardening {
        dns_support: true,
        dns_hostnames: true,
        close_default_security_group: true,
        flow_log_traffic: "ALL",
        flow_log_destination: "cloud-watch-logs",
        endpoint_private_dns: true,
    }
}

/// Parses `a.b.c.d/p` into (network address, prefix length).
pub fn parse_cidr(s: &str) -> Option<(u32, u8)> {
    let (ip, prefix) = s.split_once('/')?;
    let prefix: u8 = prefix.parse().ok()?;
    let octets: Vec<u8> = ip
        .split('.')
        .map(|o| o.parse().ok())
        .collect::<Option<_>>()?;
    if octets.len() != 4 || prefix > 32 {
        return None;
    }
    let addr = u32::from_be_bytes([octets[0], octets[1], octets[2], octets[3]]);
    Some((addr, prefix))
}

fn format_cidr(addr: u32, prefix: u8) -> String {
    let o = addr.to_be_bytes();
    format!("{}.{}.{}.{}/{prefix}", o[0], o[1], o[2], o[3])
}

/// Each subnet is a sixteenth of the VPC: public subnets take slots 0.., private ones 8...
pub fn subnet_cidr(vpc: &str, public: bool, index: usize) -> Option<String> {
    let (base, prefix) = parse_cidr(vpc)?;
    let sub = prefix + 4;
    if sub > 28 || index >= 8 {
        return None;
    }
    let slot = if public { index } else { 8 + index } as u32;
    Some(format_cidr(base + (slot << (32 - sub)), sub))
}

pub fn log_group_name(name: &str) -> String {
    format!("/prod/network/{name}/flow-logs")
}
pub fn role_name(name: &str) -> String {
    format!("{name}-flow-logs")
}
pub fn alias_name(name: &str) -> String {
    format!("alias/{name}-network")
}
/// How many NAT gateways, and which one serves private subnet `i`.
pub fn nat_count(env: Environment, az_count: usize) -> usize {
    if env.nat_per_az() {
        az_count
    } else {
        1
    }
}
pub fn nat_for(env: Environment, i: usize) -> usize {
    if env.nat_per_az() {
        i
    } else {
        0
    }
}

/// The log key: the account administers it; CloudWatch Logs may use it for this network's group only.
pub fn key_policy(place: &Place, name: &str) -> String {
    json!({
        "Version": "2012-10-17",
        "Id": format!("{name}-network"),
        "Statement": [
            {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": place.iam_arn("root")}, "Action": "kms:*", "Resource": "*"},
            {
                "Sid": "LogsEncryptFlowLogs",
                "Effect": "Allow",
                "Principal": {"Service": format!("logs.{}.amazonaws.com", place.region)},
                "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                "Resource": "*",
                "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": place.log_group_arn(&log_group_name(name))}}
            }
        ]
    })
    .to_string()
}

/// The flow-log role's one inline policy.
pub const ROLE_POLICY_NAME: &str = "write-flow-logs";

/// Trust policy of the flow-log role.
pub fn role_trust_policy(place: &Place) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": place.account}}
        }]
    })
    .to_string()
}

/// Least privilege: write to this network's log group only.
pub fn role_policy(place: &Place, name: &str) -> String {
    let group = place.log_group_arn(&log_group_name(name));
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            "Resource": [group.clone(), format!("{group}:*")]
        }]
    })
    .to_string()
}

/// One network ACL entry the blueprint makes (or one AWS reports, to compare).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AclEntry {
    pub rule: i32,
    pub egress: bool,
    /// `6` TCP, `17` UDP, `-1` every protocol (then no ports).
    pub protocol: String,
    pub ports: Option<(i32, i32)>,
    pub cidr: String,
    pub allow: bool,
}

/// The rule AWS keeps at the end of every ACL (deny everything else); never made nor removed.
pub const ACL_LAST_RULE: i32 = 32767;

/// Return traffic's ports from anywhere: the ephemeral range, leaving out 3389 (RDP; 22 is below
/// it), so that no entry opens SSH or RDP to the internet (EC2.21).
const EPHEMERAL: [(i32, i32); 2] = [(1024, 3388), (3390, 65535)];

/// The entries of the network ACL of the `public` or private subnets of a VPC of `cidr`: in, HTTPS
/// and HTTP from anywhere (public only), everything from the VPC itself, and return traffic (TCP
/// and UDP on the ephemeral ports) from anywhere; out, everything. AWS's last rule denies the rest.
pub fn acl_entries(cidr: &str, public: bool) -> Vec<AclEntry> {
    let entry = |rule: i32, protocol: &str, ports: Option<(i32, i32)>, from: &str| AclEntry {
        rule,
        egress: false,
        protocol: protocol.to_string(),
        ports,
        cidr: from.to_string(),
        allow: true,
    };
    let anywhere = "0.0.0.0/0";
    let mut v = Vec::new();
    if public {
        v.push(entry(100, "6", Some((443, 443)), anywhere));
        v.push(entry(110, "6", Some((80, 80)), anywhere));
    }
    v.push(entry(120, "-1", None, cidr));
    for (i, (protocol, range)) in ["6", "17"]
        .iter()
        .flat_map(|p| EPHEMERAL.iter().map(move |r| (*p, *r)))
        .enumerate()
    {
        v.push(entry(130 + 10 * i as i32, protocol, Some(range), anywhere));
    }
    v.push(AclEntry {
        egress: true,
        ..entry(100, "-1", None, anywhere)
    });
    v
}

/// The `Name` of the network ACL of the `public` or private subnets.
pub fn acl_name(name: &str, public: bool) -> String {
    format!("{name}-{}", if public { "public" } else { "private" })
}

#[cfg(test)]
mod tests;
