//! The alerting blueprint: a pure function from (configuration, profile, account) to the AWS
//! objects the resource wants, with their names, policies and settings. Plan, apply, read and the
//! drift checks all derive from it.

use std::collections::BTreeMap;

use serde_json::json;

use super::model::{Alarm, Notify};
use crate::provider::aws::partition;
use crate::provider::profile::Environment;

pub use crate::provider::aws::Place;

pub const CONTROLS: [&str; 8] = [
    "CloudWatch.15",
    "CloudWatch.17",
    "KMS.4",
    "SNS.1",
    "SNS.4",
    "alarms",
    "dashboard",
    "events",
];
pub const PASS: &str = "pass";

/// The settings every alerting set gets: decided here, where the blueprint's tests see them;
/// `aws.rs`, `packs/aws.rs` and `reconcile.rs` only pass them to the SDK. (Each alarm's
/// `treat_missing_data` is its own: the `alarm` block's, or the pack's table.)
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hardening {
    /// SNS.1: the topics encrypted with the key.
    pub encrypt_topics: bool,
    /// KMS.4: automatic rotation of a key the resource owns.
    pub key_rotation: bool,
    /// CloudWatch.17: the alarms' actions enabled.
    pub alarm_actions_enabled: bool,
    /// CloudWatch.15: the alarms notify their topic on recovery too (OK actions).
    pub ok_actions: bool,
}

/// The hardening of `env`'s alerting sets (the same in every profile: no profile relaxes an
/// alerting control).
pub fn hardening(_env: Environment) -> Hardening {
    Hardening {
        encrypt_topics: true,
        key_rotation: true,
        alarm_actions_enabled: true,
        ok_actions: true,
    }
}

/// The topic attribute naming its key (SNS.1).
pub const TOPIC_KEY: &str = "KmsMasterKeyId";
/// The topic attribute holding its policy (SNS.4).
pub const TOPIC_POLICY: &str = "Policy";

/// A topic's attributes, in the order apply sets them: encrypted with `key` when `h` says, and
/// `policy`.
pub fn topic_attributes(h: &Hardening, key: &str, policy: String) -> Vec<(&'static str, String)> {
    let encrypted = h.encrypt_topics.then(|| (TOPIC_KEY, key.to_string()));
    encrypted
        .into_iter()
        .chain([(TOPIC_POLICY, policy)])
        .collect()
}

pub fn topic_name(name: &str, severity: &str) -> String {
    format!("{name}-{severity}")
}
pub fn alarm_name(name: &str, alarm: &str) -> String {
    format!("{name}-{alarm}")
}
pub fn alias_name(name: &str) -> String {
    format!("alias/{name}-alerting")
}
pub fn topic_arn(place: &Place, name: &str, severity: &str) -> String {
    place.arn("sns", &topic_name(name, severity))
}
pub fn alarm_arn(place: &Place, name: &str, alarm: &str) -> String {
    place.arn("cloudwatch", &format!("alarm:{}", alarm_name(name, alarm)))
}
pub fn alias_arn(place: &Place, name: &str) -> String {
    place.arn("kms", &alias_name(name))
}

/// Component roles, as keys of `components`.
pub const ROLE_KEY: &str = "kms_key";
pub const ROLE_ALIAS: &str = "kms_alias";
pub fn role_topic(severity: &str) -> String {
    format!("topic_{severity}")
}
pub fn role_alarm(alarm: &str) -> String {
    format!("alarm_{alarm}")
}
pub fn role_subscription(index: usize) -> String {
    format!("subscription_{index}")
}

/// Everything apply converges to.
#[derive(Clone, Debug, PartialEq)]
pub struct Desired {
    pub name: String,
    pub environment: Environment,
    pub tags: BTreeMap<String, String>,
    /// `None`: the resource makes and owns its key.
    pub given_key: Option<String>,
    pub notify: Vec<Notify>,
    pub alarms: Vec<Alarm>,
    /// The packs' alarms for the watched resources (looked up at apply).
    pub packs: Vec<super::packs::PackAlarm>,
    /// Make the dashboard `<name>`.
    pub dashboard: bool,
    /// The resources `watch` names: their data stores' events go to the critical topic.
    pub watched: Vec<super::watch::Watched>,
}

impl Desired {
    pub fn owns_key(&self) -> bool {
        self.given_key.is_none()
    }

    /// The hardening of this set's profile.
    pub fn hardening(&self) -> Hardening {
        hardening(self.environment)
    }

    /// The key policy of an owned key: the account administers it; CloudWatch (alarm actions) and
    /// SNS may use it for the encrypted topics, only on behalf of this account.
    pub fn key_policy(&self, place: &Place) -> String {
        let root = format!(
            "arn:{}:iam::{}:root",
            partition(&place.region),
            place.account
        );
        json!({
            "Version": "2012-10-17",
            "Id": format!("{}-alerting", self.name),
            "Statement": [
                {
                    "Sid": "AccountAdministers",
                    "Effect": "Allow",
                    "Principal": {"AWS": root},
                    "Action": "kms:*",
                    "Resource": "*"
                },
                {
                    "Sid": "CloudWatchPublishesToEncryptedTopics",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": place.account}}
                },
                {
                    "Sid": "SnsUsesKeyForTopics",
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": place.account}}
                },
                {
                    "Sid": "DataStoreEventsToEncryptedTopics",
                    "Effect": "Allow",
                    "Principal": {"Service": ["events.rds.amazonaws.com", "elasticache.amazonaws.com"]},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": place.account}}
                }
            ]
        })
        .to_string()
    }

    /// A topic policy that is not public: the account manages the topic, CloudWatch may publish
    /// only from this resource's alarms, RDS only from its event subscriptions, ElastiCache only
    /// for this account.
    pub fn topic_policy(&self, place: &Place, severity: &str) -> String {
        let root = format!(
            "arn:{}:iam::{}:root",
            partition(&place.region),
            place.account
        );
        let topic = topic_arn(place, &self.name, severity);
        json!({
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountManages",
                    "Effect": "Allow",
                    "Principal": {"AWS": root},
                    "Action": ["sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes", "sns:SetTopicAttributes",
                               "sns:ListSubscriptionsByTopic", "sns:DeleteTopic", "sns:TagResource"],
                    "Resource": topic
                },
                {
                    "Sid": "CloudWatchAlarmsPublish",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": topic,
                    "Condition": {"ArnLike": {"aws:SourceArn": place.arn("cloudwatch", &format!("alarm:{}-*", self.name))}}
                },
                {
                    "Sid": "RdsEventSubscriptionsPublish",
                    "Effect": "Allow",
                    "Principal": {"Service": "events.rds.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": topic,
                    "Condition": {"ArnLike": {"aws:SourceArn": place.arn("rds", &format!("es:{}-db-*", self.name))}}
                },
                {
                    "Sid": "ElastiCacheNotificationsPublish",
                    "Effect": "Allow",
                    "Principal": {"Service": "elasticache.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": topic,
                    "Condition": {"StringEquals": {"aws:SourceAccount": place.account}}
                }
            ]
        })
        .to_string()
    }

    /// The dashboard body: every alarm of this set and the packs' graphs.
    pub fn dashboard_body(&self, place: &Place) -> String {
        let arns: Vec<String> = self
            .alarm_names()
            .iter()
            .map(|n| place.arn("cloudwatch", &format!("alarm:{n}")))
            .collect();
        super::dashboard::body(&place.region, &arns, &self.packs)
    }

    pub fn alarm_names(&self) -> Vec<String> {
        self.alarms
            .iter()
            .map(|a| alarm_name(&self.name, &a.name))
            .chain(self.packs.iter().map(|a| alarm_name(&self.name, &a.short)))
            .collect()
    }
}

/// `want`, or `had` when it names the same alarms in another order (import reads them in AWS's
/// order; that is no change).
pub fn in_prior_order(had: &[String], want: Vec<String>) -> Vec<String> {
    let (mut a, mut b) = (had.to_vec(), want.clone());
    a.sort();
    b.sort();
    if a == b {
        had.to_vec()
    } else {
        want
    }
}

/// Is a topic policy public (an Allow for everyone without a condition)? (SNS.4)
pub fn policy_is_public(policy: &str) -> bool {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(policy) else {
        return false;
    };
    let statements = match &doc["Statement"] {
        serde_json::Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    };
    statements.iter().any(|s| {
        let everyone = s["Principal"] == "*" || s["Principal"]["AWS"] == "*";
        s["Effect"] == "Allow" && everyone && s.get("Condition").is_none()
    })
}

#[cfg(test)]
mod tests;
