//! Read: what AWS has, as a state, and the facts its posture is judged on. A fixed set of calls
//! whatever the number of alarms or subscriptions: per topic GetTopicAttributes and
//! ListSubscriptionsByTopic, one DescribeAlarms per 100 alarms, DescribeKey and
//! GetKeyRotationStatus, and ListTagsForResource on one topic.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_cloudwatch::types::MetricAlarm;

use super::aws as api;
use super::blueprint::{self as bp, Place};
use super::model::State;
use super::packs;
use super::posture::{self, Facts, Key};
use crate::provider::error::AwsError;
use crate::provider::ProviderData;

/// The live state, or `None` when the resource is gone (both topics deleted, own key deleted).
pub async fn read(
    ctx: &ProviderData,
    place: &Place,
    prior: &State,
) -> Result<Option<State>, AwsError> {
    let mut st = prior.clone();
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

    // The key the resource owns, if any; else the given one, when readable.
    let mut facts = Facts::default();
    if own_key.is_some() {
        facts.key = Some(match key {
            Some(k) if k.usable => {
                st.kms_key_arn = Some(k.arn.clone());
                components.insert(bp::ROLE_KEY.to_string(), k.arn);
                components.insert(
                    bp::ROLE_ALIAS.to_string(),
                    bp::alias_arn(place, &prior.name),
                );
                Key::Own {
                    rotation: k.rotation == Some(true),
                }
            }
            _ => {
                st.kms_key_arn = None;
                Key::OwnGone
            }
        });
    } else if let Some(k) = key {
        facts.key = Some(Key::Given {
            rotation: k.rotation == Some(true),
        });
    }
    facts.key_arn = st.kms_key_arn.clone();
    facts.prior_key_arn = prior.kms_key_arn.clone();

    // Topics.
    let mut topics_found = 0;
    let mut subs_by_sev = BTreeMap::new();
    let mut tags = None;
    for (sev, topic) in [("critical", critical), ("warning", warning)] {
        let name = bp::topic_name(&prior.name, sev);
        let Some(Topic {
            arn,
            attrs,
            subs,
            tags: topic_tags,
        }) = topic
        else {
            facts.topics.push(posture::Topic {
                name,
                settings: None,
            });
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
        facts.topics.push(posture::Topic {
            name,
            settings: Some(posture::TopicSettings {
                kms_key: attrs.get("KmsMasterKeyId").cloned(),
                policy: attrs.get("Policy").cloned(),
            }),
        });
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

    alarms(
        place,
        prior,
        &found,
        wanted,
        &mut st,
        &mut components,
        &mut facts,
    );

    st.components = components;
    st.posture = posture::posture(super::env_of(prior, ctx), &facts);
    Ok(Some(st))
}

/// The alarms as AWS has them: each `alarm` block's into the state, each one found as a
/// component, and all of them (with the packs' lookup error, if any) as facts.
fn alarms(
    place: &Place,
    prior: &State,
    found: &[MetricAlarm],
    wanted: Result<Vec<packs::PackAlarm>, AwsError>,
    st: &mut State,
    components: &mut BTreeMap<String, String>,
    facts: &mut Facts,
) {
    // Alarms: each configured alarm as AWS has it.
    st.alarm.clear();
    for a in &prior.alarm {
        let full = bp::alarm_name(&prior.name, &a.name);
        let live = found
            .iter()
            .find(|m| m.alarm_name.as_deref() == Some(full.as_str()));
        facts.alarms.push(posture::BlockAlarm {
            name: full,
            threshold: a.threshold.clone(),
            live: live.cloned(),
        });
        let Some(m) = live else {
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
        components.insert(
            bp::role_alarm(&a.name),
            bp::alarm_arn(place, &prior.name, &a.name),
        );
        let live = api::alarm_from_aws(m, &a.name, severity, a.dimensions.is_some());
        st.alarm.push(live);
    }

    // The packs' alarms, as the watched resources' configured values want them.
    match wanted {
        Ok(wanted) => {
            for a in wanted {
                let full = bp::alarm_name(&prior.name, &a.short);
                let live = found
                    .iter()
                    .find(|m| m.alarm_name.as_deref() == Some(full.as_str()))
                    .cloned();
                if live.is_some() {
                    components.insert(
                        bp::role_alarm(&a.short),
                        bp::alarm_arn(place, &prior.name, &a.short),
                    );
                }
                facts.pack_alarms.push(posture::PackAlarm {
                    name: full,
                    topic: st.topic_arn(&a.severity).map(str::to_string),
                    live,
                    want: a,
                });
            }
        }
        Err(e) => facts.packs_error = Some(e.to_string()),
    }
}

/// A topic as AWS has it: attributes, subscriptions, and (for the critical topic) tags.
struct Topic {
    arn: String,
    attrs: HashMap<String, String>,
    subs: Vec<api::Sub>,
    tags: Option<BTreeMap<String, String>>,
}
