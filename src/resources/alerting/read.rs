//! Read: what AWS has, as a state, with the posture computed from it. A fixed set of calls
//! whatever the number of alarms or subscriptions: per topic GetTopicAttributes and
//! ListSubscriptionsByTopic, one DescribeAlarms per 100 alarms, DescribeKey and
//! GetKeyRotationStatus, and ListTagsForResource on one topic.

use std::collections::{BTreeMap, HashMap};

use super::aws as api;
use super::blueprint::{self as bp, Place, CONTROLS};
use super::model::State;
use super::packs;
use crate::provider::error::AwsError;
use crate::provider::ProviderData;

fn fail(posture: &mut BTreeMap<String, String>, control: &str, reason: String) {
    let entry = posture
        .entry(control.to_string())
        .or_insert_with(|| bp::PASS.to_string());
    if entry == bp::PASS {
        *entry = format!("fail: {reason}");
    } else {
        entry.push_str(&format!("; {reason}"));
    }
}

/// The live state, or `None` when the resource is gone (both topics deleted, own key deleted).
pub async fn read(
    ctx: &ProviderData,
    place: &Place,
    prior: &State,
) -> Result<Option<State>, AwsError> {
    let mut st = prior.clone();
    let mut posture: BTreeMap<String, String> = CONTROLS
        .iter()
        .map(|c| (c.to_string(), bp::PASS.to_string()))
        .collect();
    let mut components = BTreeMap::new();

    // Everything is asked at once (reads only, so the first error may end the others): the key,
    // each topic with its subscriptions (and the critical topic's tags), the alarms, and the
    // watched resources the packs' alarms follow.
    let own_key = prior.components.get(bp::ROLE_KEY).cloned();
    let key_job = async {
        match (&own_key, &prior.kms_key_arn) {
            (Some(key), _) => api::describe_key(ctx, key).await,
            // A key the user gave: its rotation is reported when we may read it.
            (None, Some(given)) => Ok(api::describe_key(ctx, given).await.ok().flatten()),
            (None, None) => Ok(None),
        }
    };
    let topic_job = |sev: &'static str| {
        let arn = prior
            .topic_arn(sev)
            .map(str::to_string)
            .unwrap_or_else(|| bp::topic_arn(place, &prior.name, sev));
        async move {
            let Some(attrs) = api::topic_attributes(ctx, &arn).await? else {
                return Ok::<_, AwsError>(None);
            };
            let (subs, tags) = futures::future::try_join(api::subscriptions(ctx, &arn), async {
                match sev {
                    "critical" => api::topic_tags(ctx, &arn).await.map(Some),
                    _ => Ok(None),
                }
            })
            .await?;
            Ok(Some(Topic {
                arn,
                attrs,
                subs,
                tags,
            }))
        }
    };
    let packs_job = async {
        match packs::wanted(
            ctx,
            prior.cluster_ids.as_ref(),
            prior.database_ids.as_ref(),
            prior.redis_cluster_ids.as_ref(),
        )
        .await
        {
            Ok(w) => Ok(Ok(w)),
            Err(e @ AwsError::Invalid { .. }) => Ok(Err(e)),
            Err(e) => Err(e),
        }
    };
    let (key, critical, warning, found, wanted) = futures::future::try_join5(
        key_job,
        topic_job("critical"),
        topic_job("warning"),
        api::describe_alarms(ctx, &prior.alarm_names),
        packs_job,
    )
    .await?;

    // The key the resource owns, if any.
    if own_key.is_some() {
        match key {
            Some(k) if k.usable => {
                st.kms_key_arn = Some(k.arn.clone());
                components.insert(bp::ROLE_KEY.to_string(), k.arn);
                components.insert(
                    bp::ROLE_ALIAS.to_string(),
                    bp::alias_arn(place, &prior.name),
                );
                if k.rotation != Some(true) {
                    fail(&mut posture, "KMS.4", "key rotation is off".into());
                }
            }
            _ => {
                st.kms_key_arn = None;
                fail(
                    &mut posture,
                    "KMS.4",
                    "the resource's key is deleted or pending deletion".into(),
                );
            }
        }
    } else if let Some(k) = key {
        if k.rotation != Some(true) {
            fail(
                &mut posture,
                "KMS.4",
                "rotation of the given key is off or unreadable".into(),
            );
        }
    }

    // Topics.
    let mut topics_found = 0;
    let mut subs_by_sev = BTreeMap::new();
    let mut tags = None;
    for (sev, topic) in [("critical", critical), ("warning", warning)] {
        let Some(Topic {
            arn,
            attrs,
            subs,
            tags: topic_tags,
        }) = topic
        else {
            fail(
                &mut posture,
                "SNS.1",
                format!("topic {} is missing", bp::topic_name(&prior.name, sev)),
            );
            match sev {
                "critical" => st.critical_topic_arn = None,
                _ => st.warning_topic_arn = None,
            }
            continue;
        };
        topics_found += 1;
        tags = tags.or(topic_tags);
        components.insert(bp::role_topic(sev), arn.clone());
        match sev {
            "critical" => st.critical_topic_arn = Some(arn.clone()),
            _ => st.warning_topic_arn = Some(arn.clone()),
        }
        let topic = bp::topic_name(&prior.name, sev);
        match attrs.get("KmsMasterKeyId").map(String::as_str) {
            None | Some("") => fail(
                &mut posture,
                "SNS.1",
                format!("topic {topic} is not encrypted"),
            ),
            Some(k)
                if Some(k) != st.kms_key_arn.as_deref()
                    && Some(k) != prior.kms_key_arn.as_deref() =>
            {
                fail(
                    &mut posture,
                    "SNS.1",
                    format!("topic {topic} is encrypted with another key ({k})"),
                )
            }
            _ => {}
        }
        if attrs.get("Policy").is_some_and(|p| bp::policy_is_public(p)) {
            fail(
                &mut posture,
                "SNS.4",
                format!("topic {topic} has a public policy"),
            );
        }
        subs_by_sev.insert(sev, subs);
    }
    // Gone: no topic left, and no live key of ours (a key can only be scheduled for deletion, so a
    // usable one means the resource is damaged, not deleted; apply repairs it around that key).
    if topics_found == 0 && !components.contains_key(bp::ROLE_KEY) {
        return Ok(None);
    }
    st.tags_all = match (tags, &st.warning_topic_arn) {
        (Some(t), _) => t,
        // The critical topic is missing: the warning topic's tags.
        (None, Some(arn)) => api::topic_tags(ctx, arn).await?,
        (None, None) => st.tags_all.clone(),
    };

    // Subscriptions: a notify block stays while its subscription exists (pending counts).
    st.notify.clear();
    for (i, n) in prior.notify.iter().enumerate() {
        let Some(subs) = subs_by_sev.get(n.severity.as_str()) else {
            continue;
        };
        let Some(s) = subs
            .iter()
            .find(|s| s.protocol == n.protocol && s.endpoint == n.endpoint)
        else {
            continue;
        };
        let arn = if s.pending() {
            prior
                .components
                .get(&bp::role_subscription(i))
                .cloned()
                .unwrap_or_else(|| s.arn.clone())
        } else {
            s.arn.clone()
        };
        components.insert(bp::role_subscription(st.notify.len()), arn);
        st.notify.push(n.clone());
    }

    // Alarms: each configured alarm as AWS has it.
    st.alarm.clear();
    for a in &prior.alarm {
        let full = bp::alarm_name(&prior.name, &a.name);
        let Some(m) = found
            .iter()
            .find(|m| m.alarm_name.as_deref() == Some(full.as_str()))
        else {
            fail(&mut posture, "alarms", format!("alarm {full} is missing"));
            continue;
        };
        let actions = m.alarm_actions.clone().unwrap_or_default();
        let severity = ["critical", "warning"]
            .into_iter()
            .find(|sev| {
                st.topic_arn(sev)
                    .is_some_and(|t| actions.iter().any(|x| x == t))
            })
            .unwrap_or(a.severity.as_str());
        if actions.is_empty() || m.ok_actions.as_ref().is_none_or(|o| o.is_empty()) {
            fail(
                &mut posture,
                "CloudWatch.15",
                format!("alarm {full} has no alarm or OK action"),
            );
        }
        if m.actions_enabled == Some(false) {
            fail(
                &mut posture,
                "CloudWatch.17",
                format!("alarm {full} has its actions disabled"),
            );
        }
        let live = api::alarm_from_aws(m, &a.name, severity, a.dimensions.is_some());
        if live.threshold != a.threshold {
            fail(
                &mut posture,
                "alarms",
                format!(
                    "alarm {full} has threshold {}, configured {}",
                    live.threshold, a.threshold
                ),
            );
        }
        components.insert(
            bp::role_alarm(&a.name),
            bp::alarm_arn(place, &prior.name, &a.name),
        );
        st.alarm.push(live);
    }

    // The packs' alarms, as the watched resources' configured values want them.
    {
        let wanted = match wanted {
            Ok(w) => w,
            Err(e) => {
                fail(&mut posture, "alarms", e.to_string());
                Vec::new()
            }
        };
        for a in &wanted {
            let full = bp::alarm_name(&prior.name, &a.short);
            let Some(m) = found
                .iter()
                .find(|m| m.alarm_name.as_deref() == Some(full.as_str()))
            else {
                fail(&mut posture, "alarms", format!("alarm {full} is missing"));
                continue;
            };
            let topic = st.topic_arn(&a.severity).unwrap_or_default().to_string();
            let routed = |v: &Option<Vec<String>>| v.as_ref().is_some_and(|x| x.contains(&topic));
            if !routed(&m.alarm_actions) || !routed(&m.ok_actions) {
                fail(
                    &mut posture,
                    "CloudWatch.15",
                    format!("alarm {full} does not notify the {} topic", a.severity),
                );
            }
            if m.actions_enabled == Some(false) {
                fail(
                    &mut posture,
                    "CloudWatch.17",
                    format!("alarm {full} has its actions disabled"),
                );
            }
            if let Some(diff) = packs::difference(m, a) {
                fail(&mut posture, "alarms", format!("alarm {full}: {diff}"));
            }
            components.insert(
                bp::role_alarm(&a.short),
                bp::alarm_arn(place, &prior.name, &a.short),
            );
        }
    }

    st.components = components;
    st.posture = posture;
    Ok(Some(st))
}

/// A topic as AWS has it: attributes, subscriptions, and (for the critical topic) tags.
struct Topic {
    arn: String,
    attrs: HashMap<String, String>,
    subs: Vec<api::Sub>,
    tags: Option<BTreeMap<String, String>>,
}
