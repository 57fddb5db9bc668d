//! Posture rules, without AWS: one case per rule, with the exact text it reports.

use super::*;
use aws_sdk_cloudwatch::types::ComparisonOperator;

const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:ops-critical";

/// An alarm notifying `TOPIC`, enabled, at threshold 90 over 3 periods.
fn live() -> MetricAlarm {
    MetricAlarm::builder()
        .alarm_actions(TOPIC)
        .ok_actions(TOPIC)
        .threshold(90.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .evaluation_periods(3)
        .build()
}

fn block(live: Option<MetricAlarm>) -> BlockAlarm {
    BlockAlarm {
        name: "ops-cpu".into(),
        threshold: Number::Int(90),
        live,
    }
}

fn pack(live: Option<MetricAlarm>) -> PackAlarm {
    PackAlarm {
        name: "ops-web-cpu".into(),
        want: packs::PackAlarm {
            short: "cluster-web-cpu-critical".into(),
            target: "web".into(),
            kind: "cluster".into(),
            metric: "cpu".into(),
            severity: "critical".into(),
            measure: packs::Measure::Math {
                id: "share".into(),
                label: None,
                expression: "m1".into(),
                inputs: vec![packs::Input {
                    id: "m1".into(),
                    namespace: "AWS/EC2".into(),
                    metric: "CPUUtilization".into(),
                    dimensions: BTreeMap::new(),
                    statistic: "Sum".into(),
                }],
            },
            comparison: "GreaterThanThreshold".into(),
            threshold: 90.0,
            period: 60,
            evaluation_periods: 3,
            datapoints_to_alarm: None,
            treat_missing_data: "missing".into(),
            by_watch: false,
        },
        topic: Some(TOPIC.into()),
        live,
    }
}

/// The facts apply leaves, changed by `change`.
fn with(change: impl FnOnce(&mut Facts)) -> Facts {
    let mut f = Facts::as_applied();
    change(&mut f);
    f
}

fn settings(kms_key: Option<&str>, policy: Option<&str>) -> Option<TopicSettings> {
    Some(TopicSettings {
        kms_key: kms_key.map(str::to_string),
        policy: policy.map(str::to_string),
    })
}

#[test]
fn posture_rules() {
    struct Case {
        name: &'static str,
        env: Environment,
        facts: Facts,
        control: &'static str,
        want: &'static str,
    }
    let prod = Environment::Production;
    let public = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sns:Publish"}]}"#;
    let private = r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"}}}"#;
    let off = MetricAlarm::builder()
        .ok_actions(TOPIC)
        .threshold(90.0)
        .build();
    let elsewhere = MetricAlarm::builder()
        .alarm_actions("arn:other")
        .ok_actions(TOPIC)
        .threshold(90.0)
        .build();
    let mut disabled = live();
    disabled.actions_enabled = Some(false);
    let mut raised = live();
    raised.threshold = Some(95.0);
    let cases = [
        Case {
            name: "as applied in production, the key passes",
            env: prod,
            facts: Facts::as_applied(),
            control: "KMS.4",
            want: "pass",
        },
        Case {
            name: "development relaxes nothing",
            env: Environment::Development,
            facts: Facts::as_applied(),
            control: "SNS.1",
            want: "pass",
        },
        Case {
            name: "own key's rotation off",
            env: prod,
            facts: with(|f| f.key = Some(Key::Own { rotation: false })),
            control: "KMS.4",
            want: "fail: key rotation is off",
        },
        Case {
            name: "own key deleted",
            env: prod,
            facts: with(|f| f.key = Some(Key::OwnGone)),
            control: "KMS.4",
            want: "fail: the resource's key is deleted or pending deletion",
        },
        Case {
            name: "given key's rotation off",
            env: prod,
            facts: with(|f| f.key = Some(Key::Given { rotation: false })),
            control: "KMS.4",
            want: "fail: rotation of the given key is off or unreadable",
        },
        Case {
            name: "given key rotating",
            env: prod,
            facts: with(|f| f.key = Some(Key::Given { rotation: true })),
            control: "KMS.4",
            want: "pass",
        },
        Case {
            name: "given key unreadable",
            env: prod,
            facts: with(|f| f.key = None),
            control: "KMS.4",
            want: "pass",
        },
        Case {
            name: "both topics missing, critical first",
            env: prod,
            facts: with(|f| f.topics.iter_mut().for_each(|t| t.settings = None)),
            control: "SNS.1",
            want: "fail: topic critical is missing; topic warning is missing",
        },
        Case {
            name: "topic with an empty key id",
            env: prod,
            facts: with(|f| f.topics[0].settings = settings(Some(""), None)),
            control: "SNS.1",
            want: "fail: topic critical is not encrypted",
        },
        Case {
            name: "topic without a key id",
            env: prod,
            facts: with(|f| f.topics[1].settings = settings(None, None)),
            control: "SNS.1",
            want: "fail: topic warning is not encrypted",
        },
        Case {
            name: "topic under another key",
            env: prod,
            facts: with(|f| f.topics[0].settings = settings(Some("other"), None)),
            control: "SNS.1",
            want: "fail: topic critical is encrypted with another key (other)",
        },
        Case {
            name: "the prior state's key is accepted (critical), a key no longer read is not",
            env: prod,
            facts: with(|f| {
                f.key_arn = None;
                f.prior_key_arn = Some("old".into());
                f.topics[0].settings = settings(Some("old"), None)
            }),
            control: "SNS.1",
            want: "fail: topic warning is encrypted with another key (key)",
        },
        Case {
            name: "topic with a public policy",
            env: prod,
            facts: with(|f| f.topics[1].settings = settings(Some("key"), Some(public))),
            control: "SNS.4",
            want: "fail: topic warning has a public policy",
        },
        Case {
            name: "topic with the account's policy",
            env: prod,
            facts: with(|f| f.topics[1].settings = settings(Some("key"), Some(private))),
            control: "SNS.4",
            want: "pass",
        },
        Case {
            name: "block alarm as configured",
            env: prod,
            facts: with(|f| f.alarms = vec![block(Some(live()))]),
            control: "alarms",
            want: "pass",
        },
        Case {
            name: "block alarm missing",
            env: prod,
            facts: with(|f| f.alarms = vec![block(None)]),
            control: "alarms",
            want: "fail: alarm ops-cpu is missing",
        },
        Case {
            name: "block alarm without an alarm action",
            env: prod,
            facts: with(|f| f.alarms = vec![block(Some(off.clone()))]),
            control: "CloudWatch.15",
            want: "fail: alarm ops-cpu has no alarm or OK action",
        },
        Case {
            name: "block alarm disabled",
            env: prod,
            facts: with(|f| f.alarms = vec![block(Some(disabled.clone()))]),
            control: "CloudWatch.17",
            want: "fail: alarm ops-cpu has its actions disabled",
        },
        Case {
            name: "block alarm's threshold changed",
            env: prod,
            facts: with(|f| f.alarms = vec![block(Some(raised.clone()))]),
            control: "alarms",
            want: "fail: alarm ops-cpu has threshold 95, configured 90",
        },
        Case {
            name: "pack alarm as the pack sets it",
            env: prod,
            facts: with(|f| f.pack_alarms = vec![pack(Some(live()))]),
            control: "alarms",
            want: "pass",
        },
        Case {
            name: "pack alarm routed to its topic",
            env: prod,
            facts: with(|f| f.pack_alarms = vec![pack(Some(live()))]),
            control: "CloudWatch.15",
            want: "pass",
        },
        Case {
            name: "packs not worked out: after the blocks, before the packs",
            env: prod,
            facts: with(|f| {
                f.alarms = vec![block(None)];
                f.packs_error = Some("no cluster web".into());
                f.pack_alarms = vec![pack(None)]
            }),
            control: "alarms",
            want: "fail: alarm ops-cpu is missing; no cluster web; alarm ops-web-cpu is missing",
        },
        Case {
            name: "pack alarm routed elsewhere",
            env: prod,
            facts: with(|f| f.pack_alarms = vec![pack(Some(elsewhere.clone()))]),
            control: "CloudWatch.15",
            want: "fail: alarm ops-web-cpu does not notify the critical topic",
        },
        Case {
            name: "pack alarm whose topic is missing",
            env: prod,
            facts: with(|f| {
                f.pack_alarms = vec![PackAlarm {
                    topic: None,
                    ..pack(Some(live()))
                }]
            }),
            control: "CloudWatch.15",
            want: "fail: alarm ops-web-cpu does not notify the critical topic",
        },
        Case {
            name: "block then pack alarm disabled",
            env: prod,
            facts: with(|f| {
                f.alarms = vec![block(Some(disabled.clone()))];
                f.pack_alarms = vec![pack(Some(disabled.clone()))]
            }),
            control: "CloudWatch.17",
            want: "fail: alarm ops-cpu has its actions disabled; \
                   alarm ops-web-cpu has its actions disabled",
        },
        Case {
            name: "pack alarm changed",
            env: prod,
            facts: with(|f| f.pack_alarms = vec![pack(Some(raised.clone()))]),
            control: "alarms",
            want: "fail: alarm ops-web-cpu: threshold 95, the pack sets 90",
        },
    ];
    for c in cases {
        assert_eq!(posture(c.env, &c.facts)[c.control], c.want, "{}", c.name);
    }
}

#[test]
fn planned_posture_passes_every_control() {
    for env in [Environment::Development, Environment::Production] {
        let p = planned(env);
        assert_eq!(p.len(), CONTROLS.len());
        assert!(p.values().all(|v| v == PASS));
    }
}
