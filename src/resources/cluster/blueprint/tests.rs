use super::*;
use crate::provider::logs;

fn place() -> Place {
    Place {
        region: "eu-west-1".into(),
        account: "111122223333".into(),
    }
}

fn inputs() -> TemplateSpec {
    template_spec(&template_inputs())
}

fn template_inputs() -> TemplateInputs<'static> {
    TemplateInputs {
        image_id: "ami-0123456789abcdef0",
        instance_type: "m6i.large",
        user_data: Some("#!/bin/sh\necho hi\n"),
        http_tokens: "required",
        root_device: "/dev/xvda",
        volume_size: 50,
        encrypted: true,
        kms_key: "arn:aws:kms:eu-west-1:111122223333:key/k",
        app_sg: "sg-app",
        instance_profile: "arn:aws:iam::111122223333:instance-profile/web-instance",
        hardening: hardening(Environment::Production),
    }
}

#[test]
fn template_is_hardened() {
    let t = inputs();
    assert_eq!(t.http_tokens, "required");
    assert_eq!(t.hop_limit, 1);
    assert!(t.encrypted && !t.public_ip && t.monitoring && t.http_endpoint_enabled);
    assert_eq!(t.volume_type, "gp3");
    assert_eq!(t.security_groups, BTreeSet::from(["sg-app".to_string()]));
    assert_eq!(
        t.user_data.as_deref().and_then(decode_user_data).as_deref(),
        Some("#!/bin/sh\necho hi\n")
    );
}

/// The hardening of one profile's clusters: what the profile decides, the rest checked the same in
/// every profile.
struct Case {
    name: &'static str,
    env: Environment,
    lb_deletion_protection: bool,
    /// The instances' log group (application logs).
    instance_log_days: i32,
    /// The web ACL's log group and the load balancer's access logs (audit logs).
    access_log_days: i32,
}

const CASES: [Case; 3] = [
    Case {
        name: "development: the load balancer unprotected, logs kept a week",
        env: Environment::Development,
        lb_deletion_protection: false,
        instance_log_days: 7,
        access_log_days: 7,
    },
    Case {
        name: "staging: the load balancer unprotected, application logs kept a month, audit logs a year",
        env: Environment::Staging,
        lb_deletion_protection: false,
        instance_log_days: 30,
        access_log_days: 365,
    },
    Case {
        name: "production: the load balancer protected, application logs kept a month, audit logs seven years",
        env: Environment::Production,
        lb_deletion_protection: true,
        instance_log_days: 30,
        access_log_days: 2557,
    },
];

#[test]
fn hardening_per_profile() {
    for c in &CASES {
        let h = hardening(c.env);
        let n = c.name;
        assert_eq!(
            h.metadata_hop_limit, 1,
            "{n}: metadata one hop away (EC2.8)"
        );
        assert!(h.metadata_endpoint, "{n}: the metadata endpoint answers");
        assert_eq!(h.volume_type, "gp3", "{n}: gp3 root volumes");
        assert!(!h.public_ip, "{n}: no public address (AutoScaling.5)");
        assert!(h.detailed_monitoring, "{n}: detailed monitoring");
        assert_eq!(
            h.lb_deletion_protection, c.lb_deletion_protection,
            "{n}: ELB.6"
        );
        assert!(
            h.drop_invalid_header_fields,
            "{n}: invalid headers dropped (ELB.4)"
        );
        assert_eq!(h.desync_mitigation_mode, "defensive", "{n}: ELB.12");
        let tiers = c.env.log_retention();
        assert_eq!(
            logs::retention_days(INSTANCE_LOGS, &tiers),
            c.instance_log_days,
            "{n}: the instances' logs (CloudWatch.16)"
        );
        assert_eq!(
            logs::retention_days(ACCESS_LOGS, &tiers),
            c.access_log_days,
            "{n}: the access logs (CloudWatch.16)"
        );
        let attrs = lb_attributes(&h);
        assert_eq!(
            attrs,
            [
                (LB_DELETION_PROTECTION, c.lb_deletion_protection.to_string()),
                (LB_DROP_INVALID_HEADERS, "true".to_string()),
                (LB_DESYNC_MITIGATION, "defensive".to_string()),
            ],
            "{n}: the attributes apply sets"
        );
        let t = template_spec(&TemplateInputs {
            hardening: h,
            ..template_inputs()
        });
        assert!(
            t.hop_limit == 1 && t.http_endpoint_enabled && !t.public_ip && t.monitoring,
            "{n}: the launch template carries the hardening"
        );
    }
    assert_eq!(
        lb_unprotected(),
        [(LB_DELETION_PROTECTION, "false".to_string())]
    );
}

#[test]
fn security_group_rules_admit_only_what_the_cluster_needs() {
    let (lb_in, lb_out) = lb_rules(
        &["0.0.0.0/0".to_string(), "10.0.0.0/8".to_string()],
        8080,
        "sg-app",
    );
    let ports: BTreeSet<(i32, String)> = lb_in
        .iter()
        .map(|r| match &r.peer {
            Peer::Cidr(c) => (r.from, c.clone()),
            Peer::Group(g) => (r.from, g.clone()),
        })
        .collect();
    assert_eq!(ports.len(), 4);
    assert!(lb_in
        .iter()
        .all(|r| r.from == r.to && (r.from == 443 || r.from == 80)));
    assert_eq!(lb_out.len(), 1);
    assert_eq!(
        lb_out.iter().next().map(|r| (r.from, r.peer.clone())),
        Some((8080, Peer::Group("sg-app".into())))
    );
    let (app_in, _) = app_rules(8080, "sg-lb");
    assert_eq!(
        app_in.into_iter().collect::<Vec<_>>(),
        vec![Rule {
            protocol: "tcp".into(),
            from: 8080,
            to: 8080,
            peer: Peer::Group("sg-lb".into())
        }]
    );
}

#[test]
fn key_policy_lets_auto_scaling_use_the_key() {
    let kp: serde_json::Value =
        serde_json::from_str(&key_policy(&place(), "web")).unwrap_or_default();
    let st = kp["Statement"].as_array().cloned().unwrap_or_default();
    let slr = "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";
    assert!(st.iter().any(|s| s["Principal"]["AWS"] == slr
        && s["Action"].to_string().contains("kms:GenerateDataKey*")));
    assert!(st.iter().any(|s| s["Principal"]["AWS"] == slr
        && s["Action"] == "kms:CreateGrant"
        && s["Condition"]["Bool"]["kms:GrantIsForAWSResource"] == true));
    let logs = st
        .iter()
        .find(|s| s["Principal"]["Service"] == "logs.eu-west-1.amazonaws.com")
        .cloned()
        .unwrap_or_default();
    // Both of the cluster's log groups, the instances' and the web ACL's, and no other.
    assert_eq!(
        logs["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"],
        serde_json::json!([
            "arn:aws:logs:eu-west-1:111122223333:log-group:/prod/cluster/web",
            "arn:aws:logs:eu-west-1:111122223333:log-group:aws-waf-logs-web"
        ])
    );
}

#[test]
fn instance_role_is_least_privilege() {
    let p: serde_json::Value =
        serde_json::from_str(&agent_policy(&place(), "web")).unwrap_or_default();
    let st = p["Statement"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        st[0]["Resource"][0],
        "arn:aws:logs:eu-west-1:111122223333:log-group:/prod/cluster/web"
    );
    assert_eq!(
        st[1]["Condition"]["StringEquals"]["cloudwatch:namespace"],
        "CWAgent"
    );
    assert!(!p.to_string().contains("\"*:*\"") && !p.to_string().contains("\"logs:*\""));
    assert_eq!(
        ssm_policy_arn(&place()),
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    );
    assert!(instance_trust_policy().contains("ec2.amazonaws.com"));
}
