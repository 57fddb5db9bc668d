use super::*;

fn place() -> Place {
    Place {
        region: "eu-west-1".into(),
        account: "111122223333".into(),
    }
}

fn inputs() -> TemplateSpec {
    template_spec(&TemplateInputs {
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
    })
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
    assert!(st
        .iter()
        .any(|s| s["Principal"]["Service"] == "logs.eu-west-1.amazonaws.com"));
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
