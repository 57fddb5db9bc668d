use super::*;
use crate::provider::logs;
use aws_sdk_ec2::types::{LogDestinationType, TrafficType};

#[test]
fn subnets_are_sixteenths() {
    // (VPC, public, index, the subnet's range)
    for (vpc, public, i, want) in [
        ("10.20.0.0/16", true, 0, Some("10.20.0.0/20")),
        ("10.20.0.0/16", true, 2, Some("10.20.32.0/20")),
        ("10.20.0.0/16", false, 0, Some("10.20.128.0/20")),
        ("192.168.4.0/24", false, 1, Some("192.168.4.144/28")),
        ("10.0.0.0/25", true, 0, None),
        ("10.0.0.0/16", true, 8, None),
    ] {
        assert_eq!(
            subnet_cidr(vpc, public, i).as_deref(),
            want,
            "{vpc}, public {public}, {i}"
        );
    }
}

#[test]
fn nat_layout_per_profile() {
    assert_eq!(nat_count(Environment::Production, 3), 3);
    assert_eq!(nat_for(Environment::Production, 2), 2);
    assert_eq!(nat_count(Environment::Staging, 3), 1);
    assert_eq!(nat_for(Environment::Development, 1), 0);
}

#[test]
fn policies_are_scoped() {
    let place = Place {
        region: "eu-west-1".into(),
        account: "111122223333".into(),
    };
    let kp: serde_json::Value = serde_json::from_str(&key_policy(&place, "net")).unwrap();
    assert_eq!(
        kp["Statement"][1]["Principal"]["Service"],
        "logs.eu-west-1.amazonaws.com"
    );
    let rp: serde_json::Value = serde_json::from_str(&role_policy(&place, "net")).unwrap();
    assert_eq!(
        rp["Statement"][0]["Resource"][0],
        "arn:aws:logs:eu-west-1:111122223333:log-group:/prod/network/net/flow-logs"
    );
    let tp: serde_json::Value = serde_json::from_str(&role_trust_policy(&place)).unwrap();
    assert_eq!(
        tp["Statement"][0]["Principal"]["Service"],
        "vpc-flow-logs.amazonaws.com"
    );
}

/// One profile's networks: the flow logs kept its audit tier, the hardening the same in every
/// profile.
struct Case {
    name: &'static str,
    env: Environment,
    log_retention_days: i32,
}

const CASES: [Case; 3] = [
    Case {
        name: "development: flow logs kept a week",
        env: Environment::Development,
        log_retention_days: 7,
    },
    Case {
        name: "staging: flow logs (audit logs) kept a year",
        env: Environment::Staging,
        log_retention_days: 365,
    },
    Case {
        name: "production: flow logs (audit logs) kept seven years",
        env: Environment::Production,
        log_retention_days: 2557,
    },
];

#[test]
fn hardening_per_profile() {
    for &Case {
        name: n,
        env,
        log_retention_days,
    } in &CASES
    {
        let h = hardening();
        assert!(h.dns_support && h.dns_hostnames, "{n}: VPC DNS on");
        assert!(
            h.close_default_security_group,
            "{n}: the default security group closed (EC2.2)"
        );
        assert_eq!(
            TrafficType::from(h.flow_log_traffic),
            TrafficType::All,
            "{n}: all traffic logged (EC2.6)"
        );
        assert_eq!(
            LogDestinationType::from(h.flow_log_destination),
            LogDestinationType::CloudWatchLogs,
            "{n}: flow logs to the encrypted log group"
        );
        assert_eq!(
            logs::retention_days(FLOW_LOGS, &env.log_retention()),
            log_retention_days,
            "{n}: CloudWatch.16"
        );
        assert!(
            h.endpoint_private_dns,
            "{n}: interface endpoints answer the usual names"
        );
    }
}
