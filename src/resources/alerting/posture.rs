//! The alerting posture as pure rules: (profile, facts AWS reports) → control → `pass` or
//! `fail: <reason>`. Plan uses it on the facts apply leaves; read on the facts it finds.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::types::MetricAlarm;

use super::aws::threshold_from_aws;
use super::blueprint::{self as bp, CONTROLS, PASS};
use super::packs;
use crate::framework::Number;
use crate::provider::profile::Environment;

/// The key the topics are encrypted with, as AWS reports it.
#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    /// The resource's own key, enabled, with automatic rotation on or off.
    Own { rotation: bool },
    /// The resource's own key, deleted, disabled or pending deletion.
    OwnGone,
    /// A key the user gave, readable, with rotation reported on (`false`: off or unreadable).
    Given { rotation: bool },
}

/// A topic's settings, when it exists.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TopicSettings {
    /// `KmsMasterKeyId` (absent or empty: not encrypted).
    pub kms_key: Option<String>,
    /// The topic policy document.
    pub policy: Option<String>,
}

/// One severity's topic.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Topic {
    pub name: String,
    /// `None` when the topic is missing.
    pub settings: Option<TopicSettings>,
}

/// The alarm of an `alarm` block.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockAlarm {
    /// The AWS name.
    pub name: String,
    /// The configured threshold.
    pub threshold: Number,
    /// `None` when the alarm is missing.
    pub live: Option<MetricAlarm>,
}

/// An alarm of a pack.
#[derive(Clone, Debug, PartialEq)]
pub struct PackAlarm {
    /// The AWS name.
    pub name: String,
    /// The alarm as the pack sets it.
    pub want: packs::PackAlarm,
    /// The topic of its severity, `None` when that topic is missing.
    pub topic: Option<String>,
    /// `None` when the alarm is missing.
    pub live: Option<MetricAlarm>,
}

/// What AWS reports about an alerting set that still exists.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Facts {
    /// `None` when the resource owns no key and a given key is unset or unreadable.
    pub key: Option<Key>,
    /// The resource's key as read finds it (`None` when its own key is gone).
    pub key_arn: Option<String>,
    /// The key the prior state records; a topic encrypted with it is not flagged either.
    pub prior_key_arn: Option<String>,
    /// The critical topic, then the warning topic.
    pub topics: Vec<Topic>,
    /// The `alarm` blocks' alarms, in block order.
    pub alarms: Vec<BlockAlarm>,
    /// Why the packs' alarms could not be worked out, when they could not.
    pub packs_error: Option<String>,
    pub pack_alarms: Vec<PackAlarm>,
    /// What is wrong with the dashboard (missing, edited outside Terraform); `None` when it is as
    /// the blueprint makes it, or turned off.
    pub dashboard: Option<String>,
    /// Where the watched data stores' events fall short of the critical topic (a subscription
    /// missing, disabled or changed; a Redis group not notifying); `None` when they all reach it.
    pub events: Option<String>,
}

impl Facts {
    /// What apply leaves: its own key rotating, both topics encrypted with it and not public, and
    /// (vacuously) every alarm as configured.
    pub fn as_applied() -> Facts {
        let key = Some("key".to_string());
        Facts {
            key: Some(Key::Own { rotation: true }),
            key_arn: key.clone(),
            prior_key_arn: key.clone(),
            topics: ["critical", "warning"]
                .into_iter()
                .map(|sev| Topic {
                    name: sev.to_string(),
                    settings: Some(TopicSettings {
                        kms_key: key.clone(),
                        policy: None,
                    }),
                })
                .collect(),
            ..Facts::default()
        }
    }
}

fn fail(posture: &mut BTreeMap<String, String>, control: &str, reason: String) {
    let entry = posture
        .entry(control.to_string())
        .or_insert_with(|| PASS.to_string());
    if entry == PASS {
        *entry = format!("fail: {reason}");
    } else {
        entry.push_str(&format!("; {reason}"));
    }
}

/// The posture of an alerting set in `_env` (no profile relaxes an alerting control), from `f`.
pub fn posture(_env: Environment, f: &Facts) -> BTreeMap<String, String> {
    let mut p: BTreeMap<String, String> = CONTROLS
        .iter()
        .map(|c| (c.to_string(), PASS.to_string()))
        .collect();
    match f.key {
        Some(Key::Own { rotation: false }) => fail(&mut p, "KMS.4", "key rotation is off".into()),
        Some(Key::OwnGone) => fail(
            &mut p,
            "KMS.4",
            "the resource's key is deleted or pending deletion".into(),
        ),
        Some(Key::Given { rotation: false }) => fail(
            &mut p,
            "KMS.4",
            "rotation of the given key is off or unreadable".into(),
        ),
        _ => {}
    }
    for t in &f.topics {
        topic(&mut p, f, t);
    }
    for a in &f.alarms {
        block_alarm(&mut p, a);
    }
    if let Some(e) = &f.packs_error {
        fail(&mut p, "alarms", e.clone());
    }
    for a in &f.pack_alarms {
        pack_alarm(&mut p, a);
    }
    if let Some(problem) = &f.events {
        fail(&mut p, "events", problem.clone());
    }
    if let Some(problem) = &f.dashboard {
        fail(&mut p, "dashboard", problem.clone());
    }
    p
}

/// A topic exists (SNS.1), is encrypted with the resource's key (SNS.1) and is not public (SNS.4).
fn topic(p: &mut BTreeMap<String, String>, f: &Facts, t: &Topic) {
    let name = &t.name;
    let Some(s) = &t.settings else {
        fail(p, "SNS.1", format!("topic {name} is missing"));
        return;
    };
    match s.kms_key.as_deref() {
        None | Some("") => fail(p, "SNS.1", format!("topic {name} is not encrypted")),
        Some(k) if Some(k) != f.key_arn.as_deref() && Some(k) != f.prior_key_arn.as_deref() => {
            fail(
                p,
                "SNS.1",
                format!("topic {name} is encrypted with another key ({k})"),
            )
        }
        _ => {}
    }
    if s.policy.as_deref().is_some_and(bp::policy_is_public) {
        fail(p, "SNS.4", format!("topic {name} has a public policy"));
    }
}

/// A block's alarm exists (alarms), has alarm and OK actions (CloudWatch.15) enabled
/// (CloudWatch.17), at the configured threshold (alarms).
fn block_alarm(p: &mut BTreeMap<String, String>, a: &BlockAlarm) {
    let full = &a.name;
    let Some(m) = &a.live else {
        fail(p, "alarms", format!("alarm {full} is missing"));
        return;
    };
    let no_alarm_action = m.alarm_actions.as_ref().is_none_or(|x| x.is_empty());
    if no_alarm_action || m.ok_actions.as_ref().is_none_or(|o| o.is_empty()) {
        fail(
            p,
            "CloudWatch.15",
            format!("alarm {full} has no alarm or OK action"),
        );
    }
    if m.actions_enabled == Some(false) {
        fail(
            p,
            "CloudWatch.17",
            format!("alarm {full} has its actions disabled"),
        );
    }
    let threshold = threshold_from_aws(m);
    if threshold != a.threshold {
        fail(
            p,
            "alarms",
            format!(
                "alarm {full} has threshold {threshold}, configured {}",
                a.threshold
            ),
        );
    }
}

/// A pack's alarm exists (alarms), notifies its severity's topic (CloudWatch.15) with actions
/// enabled (CloudWatch.17), as the pack sets it (alarms).
fn pack_alarm(p: &mut BTreeMap<String, String>, a: &PackAlarm) {
    let full = &a.name;
    let Some(m) = &a.live else {
        fail(p, "alarms", format!("alarm {full} is missing"));
        return;
    };
    let topic = a.topic.clone().unwrap_or_default();
    let routed = |v: &Option<Vec<String>>| v.as_ref().is_some_and(|x| x.contains(&topic));
    if !routed(&m.alarm_actions) || !routed(&m.ok_actions) {
        fail(
            p,
            "CloudWatch.15",
            format!("alarm {full} does not notify the {} topic", a.want.severity),
        );
    }
    if m.actions_enabled == Some(false) {
        fail(
            p,
            "CloudWatch.17",
            format!("alarm {full} has its actions disabled"),
        );
    }
    if let Some(diff) = packs::difference(m, &a.want) {
        fail(p, "alarms", format!("alarm {full}: {diff}"));
    }
}

/// The posture apply leaves: every control passes (plan leaves KMS.4 of a given key to its owner).
pub fn planned(env: Environment) -> BTreeMap<String, String> {
    posture(env, &Facts::as_applied())
}

#[cfg(test)]
mod tests;
