//! Blueprint: names and policies, without AWS (posture: `posture/tests.rs`).

use super::*;
use crate::framework::Number;

fn place() -> Place {
    Place {
        region: "eu-west-1".into(),
        account: "111122223333".into(),
    }
}

fn desired(env: Environment) -> Desired {
    Desired {
        name: "ops".into(),
        environment: env,
        tags: BTreeMap::new(),
        given_key: None,
        notify: vec![],
        packs: vec![],
        dashboard: true,
        watched: Vec::new(),
        alarms: vec![Alarm {
            name: "cpu".into(),
            namespace: Some("AWS/EC2".into()),
            metric_name: Some("CPUUtilization".into()),
            dimensions: None,
            statistic: Some("Average".into()),
            period: 60,
            evaluation_periods: 5,
            comparison: "GreaterThanThreshold".into(),
            threshold: Number::Int(80),
            severity: "warning".into(),
            treat_missing_data: "missing".into(),
            ..Default::default()
        }],
    }
}

#[test]
fn names_and_arns_derive_from_the_name() {
    let p = place();
    assert_eq!(
        topic_arn(&p, "ops", "critical"),
        "arn:aws:sns:eu-west-1:111122223333:ops-critical"
    );
    assert_eq!(
        alarm_arn(&p, "ops", "cpu"),
        "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:ops-cpu"
    );
    assert_eq!(
        alias_arn(&p, "ops"),
        "arn:aws:kms:eu-west-1:111122223333:alias/ops-alerting"
    );
    assert_eq!(
        desired(Environment::Production).alarm_names(),
        vec!["ops-cpu".to_string()]
    );
    let gov = Place {
        region: "us-gov-west-1".into(),
        account: "1".into(),
    };
    assert!(topic_arn(&gov, "x", "warning").starts_with("arn:aws-us-gov:sns:"));
}

#[test]
fn key_policy_lets_cloudwatch_use_the_key_for_this_account_only() {
    for env in [
        Environment::Development,
        Environment::Staging,
        Environment::Production,
    ] {
        let d = desired(env);
        let policy: serde_json::Value = serde_json::from_str(&d.key_policy(&place())).unwrap();
        let statements = policy["Statement"].as_array().unwrap();
        let cw = statements
            .iter()
            .find(|s| s["Principal"]["Service"] == "cloudwatch.amazonaws.com")
            .unwrap();
        assert_eq!(cw["Effect"], "Allow");
        let actions: Vec<&str> = cw["Action"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert!(actions.contains(&"kms:Decrypt") && actions.contains(&"kms:GenerateDataKey*"));
        assert_eq!(
            cw["Condition"]["StringEquals"]["aws:SourceAccount"],
            "111122223333"
        );
        assert!(
            !policy_is_public(&d.key_policy(&place())),
            "no public principal"
        );
    }
}

#[test]
fn topic_policy_is_not_public_and_scopes_cloudwatch_to_our_alarms() {
    let d = desired(Environment::Production);
    let text = d.topic_policy(&place(), "critical");
    assert!(!policy_is_public(&text));
    let policy: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cw = &policy["Statement"][1];
    assert_eq!(cw["Principal"]["Service"], "cloudwatch.amazonaws.com");
    assert_eq!(
        cw["Condition"]["ArnLike"]["aws:SourceArn"],
        "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:ops-*"
    );
}

#[test]
fn public_policies_are_recognised() {
    let cases = [
        (
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sns:Publish"}]}"#,
            true,
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sns:Publish"}}"#,
            true,
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sns:Publish","Condition":{"StringEquals":{"aws:SourceOwner":"1"}}}]}"#,
            false,
        ),
        (
            r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"sns:Publish"}]}"#,
            false,
        ),
        ("not json", false),
    ];
    for (policy, public) in cases {
        assert_eq!(policy_is_public(policy), public, "{policy}");
    }
}

/// The hardening of one profile's alerting sets (no profile relaxes an alerting control).
struct Case {
    name: &'static str,
    env: Environment,
}

const CASES: [Case; 3] = [
    Case {
        name: "development: encrypted topics, rotated key, alarms act on alarm and recovery",
        env: Environment::Development,
    },
    Case {
        name: "staging: encrypted topics, rotated key, alarms act on alarm and recovery",
        env: Environment::Staging,
    },
    Case {
        name: "production: encrypted topics, rotated key, alarms act on alarm and recovery",
        env: Environment::Production,
    },
];

#[test]
fn hardening_per_profile() {
    for c in &CASES {
        let h = hardening(c.env);
        let n = c.name;
        assert_eq!(desired(c.env).hardening(), h, "{n}: the set's own profile");
        assert!(h.encrypt_topics, "{n}: topics encrypted (SNS.1)");
        assert!(h.key_rotation, "{n}: the owned key rotates (KMS.4)");
        assert!(
            h.alarm_actions_enabled,
            "{n}: actions enabled (CloudWatch.17)"
        );
        assert!(h.ok_actions, "{n}: OK actions (CloudWatch.15)");
        assert_eq!(
            topic_attributes(&h, "arn:key", "{}".into()),
            vec![
                (TOPIC_KEY, "arn:key".to_string()),
                (TOPIC_POLICY, "{}".to_string())
            ],
            "{n}: the topic's key, then its policy"
        );
    }
}
