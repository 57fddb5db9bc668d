//! Read: what AWS has, as a state, and the facts its posture is judged on. A fixed set of calls
//! whatever the number of alarms or subscriptions: per topic GetTopicAttributes and
//! ListSubscriptionsByTopic, one DescribeAlarms per 100 alarms, DescribeKey and
//! GetKeyRotationStatus, ListTagsForResource on one topic, and for watched data stores one
//! DescribeEventSubscriptions and one DescribeCacheClusters.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_cloudwatch::types::MetricAlarm;

use super::aws as api;
use super::blueprint::{self as bp, Place};
use super::dashboard;
use super::events;
use super::model::State;
use super::packs;
use super::posture::{self, Facts, Key};
use super::watch;
use crate::provider::error::AwsError;
use crate::provider::kms::KeyFacts;
use crate::provider::ProviderData;

/// The live state, or `None` when the resource is gone (both topics deleted, own key deleted).
pub async fn read(
    ctx: &ProviderData,
    place: &Place,
    prior: &State,
) -> Result<Option<State>, AwsError> {
    let mut st = prior.clone();
    let mut components = BTreeMap::new();
    let mut facts = Facts::default();

    // Everything is asked at once (reads only, so the first error may end the others): the key,
    // each topic with its subscriptions (and the critical topic's tags), the alarms, and the
    // watched resources the packs' alarms follow.
    let own_key = prior.components.get(bp::ROLE_KEY).cloned();
    let topic_arn = |sev: &str| {
        prior
            .topic_arn(sev)
            .map(str::to_string)
            .unwrap_or_else(|| bp::topic_arn(place, &prior.name, sev))
    };
    let ((key, critical, warning, found, wanted), board) = futures::future::try_join(
        futures::future::try_join5(
            look_up_key(ctx, own_key.as_deref(), prior.kms_key_arn.as_deref()),
            look_up_topic(ctx, topic_arn("critical"), "critical"),
            look_up_topic(ctx, topic_arn("warning"), "warning"),
            api::describe_alarms(ctx, &prior.alarm_names),
            look_up_packs(ctx, prior),
        ),
        async {
            match prior.dashboard {
                true => dashboard::aws::dashboard_body(ctx, &prior.name).await,
                false => Ok(None),
            }
        },
    )
    .await?;
    facts.dashboard = dashboard_problem(place, prior, board.as_deref(), &wanted);
    if board.is_some() && prior.dashboard {
        components.insert(dashboard::ROLE.into(), dashboard::arn(place, &prior.name));
    }
    key_facts(place, prior, key, &mut st, &mut components, &mut facts);
    let (topics_found, subs_by_sev, tags) = topics(
        prior,
        [("critical", critical), ("warning", warning)],
        &mut st,
        &mut components,
        &mut facts,
    );
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
    subscriptions(prior, &subs_by_sev, &mut st, &mut components);
    alarms(
        place,
        prior,
        &found,
        wanted,
        &mut st,
        &mut components,
        &mut facts,
    );

    let topic = st.critical_topic_arn.clone().unwrap_or_default();
    let (shortfall, found_events) = look_up_events(ctx, prior, &topic).await?;
    facts.events = shortfall;
    components.extend(found_events);

    st.components = components;
    st.posture = posture::posture(super::env_of(prior, ctx), &facts);
    Ok(Some(st))
}

/// The watched data stores' event notifications to `topic`: where they fall short (a fact), and
/// the components found (the subscriptions wanted or recorded that exist, the Redis groups that
/// notify the topic, and recorded groups no longer watched, for apply to undo). One
/// DescribeEventSubscriptions and one DescribeCacheClusters at most, whatever the number.
async fn look_up_events(
    ctx: &ProviderData,
    prior: &State,
    topic: &str,
) -> Result<(Option<String>, BTreeMap<String, String>), AwsError> {
    let watched = watch::watched(prior.watch.as_deref().unwrap_or_default()).unwrap_or_default();
    let want = events::wanted(&prior.name, &watched, topic);
    let recorded = |prefix: &str| prior.components.keys().any(|k| k.starts_with(prefix));
    let prefix = events::subscription_name(&prior.name, "");
    let live = if !want.subscriptions.is_empty() || recorded(events::SUBSCRIPTION_PREFIX) {
        events::aws::subscriptions(ctx, &prefix).await?
    } else {
        BTreeMap::new()
    };
    let notes = if want.groups.is_empty() {
        BTreeMap::new()
    } else {
        events::aws::notifications(ctx).await?
    };
    let mut found = BTreeMap::new();
    for (name, (arn, _)) in &live {
        let Some(database) = name.strip_prefix(&prefix) else {
            continue;
        };
        let role = events::role_subscription(database);
        if want.subscriptions.iter().any(|s| &s.name == name)
            || prior.components.contains_key(&role)
        {
            found.insert(role, arn.clone());
        }
    }
    // A watched group's role stands whatever its members say (ElastiCache keeps one topic per
    // node, and takes a moment to pass a change to every node): posture `events` carries drift.
    for g in &want.groups {
        found.insert(events::role_notification(&g.name), g.name.clone());
    }
    for (role, group) in &prior.components {
        let stale = role.starts_with(events::NOTIFICATION_PREFIX)
            && !want.groups.iter().any(|g| &g.name == group);
        if stale {
            found.insert(role.clone(), group.clone());
        }
    }
    Ok((events::shortfall(&want, &live, &notes, topic), found))
}

/// The key the resource owns, or else the one the user gave (`None` when it may not be read).
async fn look_up_key(
    ctx: &ProviderData,
    own_key: Option<&str>,
    given: Option<&str>,
) -> Result<Option<KeyFacts>, AwsError> {
    match (own_key, given) {
        (Some(key), _) => api::describe_key(ctx, key).await,
        // A key the user gave: its rotation is reported when we may read it.
        (None, Some(given)) => Ok(api::describe_key(ctx, given).await.ok().flatten()),
        (None, None) => Ok(None),
    }
}

/// The topic `arn` of severity `sev` with its subscriptions (and, for the critical one, its tags);
/// `None` when it does not exist.
async fn look_up_topic(
    ctx: &ProviderData,
    arn: String,
    sev: &str,
) -> Result<Option<Topic>, AwsError> {
    let Some(attrs) = api::topic_attributes(ctx, &arn).await? else {
        return Ok(None);
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

/// The pack alarms the watched resources want: those of `watch` from its values alone (the
/// configuration's), those of the `*_ids` arguments as AWS reports the resources. A watched
/// resource that is gone is a fact (the inner error), not a failure of the read.
async fn look_up_packs(
    ctx: &ProviderData,
    prior: &State,
) -> Result<Result<Vec<packs::PackAlarm>, AwsError>, AwsError> {
    let watched = match watch::packs_of(prior.watch.as_deref().unwrap_or_default()) {
        Ok(p) => p,
        Err((i, message)) => {
            return Ok(Err(AwsError::Invalid {
                component: format!("watch[{i}]"),
                message,
            }))
        }
    };
    match packs::wanted(
        ctx,
        prior.cluster_ids.as_ref(),
        prior.database_ids.as_ref(),
        prior.redis_cluster_ids.as_ref(),
    )
    .await
    {
        Ok(w) => Ok(Ok(packs::overrides::apply(
            w.into_iter().chain(watched).collect(),
            &prior.pack_override,
        ))),
        Err(e @ AwsError::Invalid { .. }) => Ok(Err(e)),
        Err(e) => Err(e),
    }
}

/// The key the resource owns, if any (into the state and components); else the given one, when
/// readable. Both as facts.
fn key_facts(
    place: &Place,
    prior: &State,
    key: Option<KeyFacts>,
    st: &mut State,
    components: &mut BTreeMap<String, String>,
    facts: &mut Facts,
) {
    if prior.components.contains_key(bp::ROLE_KEY) {
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
}

/// The topics found: each into the state, components and facts. Returns how many exist, the
/// subscriptions of each, and the first tags read.
fn topics(
    prior: &State,
    found: [(&'static str, Option<Topic>); 2],
    st: &mut State,
    components: &mut BTreeMap<String, String>,
    facts: &mut Facts,
) -> (
    usize,
    BTreeMap<&'static str, Vec<api::Sub>>,
    Option<api::Tags>,
) {
    let mut topics_found = 0;
    let mut subs_by_sev = BTreeMap::new();
    let mut tags = None;
    for (sev, topic) in found {
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
            st.set_topic_arn(sev, None);
            continue;
        };
        topics_found += 1;
        tags = tags.or(topic_tags);
        components.insert(bp::role_topic(sev), arn.clone());
        st.set_topic_arn(sev, Some(arn.clone()));
        facts.topics.push(posture::Topic {
            name,
            settings: Some(posture::TopicSettings {
                kms_key: attrs.get(bp::TOPIC_KEY).cloned(),
                policy: attrs.get(bp::TOPIC_POLICY).cloned(),
            }),
        });
        subs_by_sev.insert(sev, subs);
    }
    (topics_found, subs_by_sev, tags)
}

/// Subscriptions: a notify block stays while its subscription exists (pending counts).
fn subscriptions(
    prior: &State,
    subs_by_sev: &BTreeMap<&str, Vec<api::Sub>>,
    st: &mut State,
    components: &mut BTreeMap<String, String>,
) {
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
        let live = api::alarm_from_aws(m, &a.name, severity, Some(a));
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

/// What is wrong with the dashboard: missing, or its body not the one the alarms and packs give
/// (an edit made outside Terraform). Nothing when it is turned off, or the packs are unknown.
fn dashboard_problem(
    place: &Place,
    prior: &State,
    live: Option<&str>,
    wanted: &Result<Vec<packs::PackAlarm>, AwsError>,
) -> Option<String> {
    let (true, Ok(packs)) = (prior.dashboard, wanted) else {
        return None;
    };
    let arns: Vec<String> = prior
        .alarm_names
        .iter()
        .map(|n| place.arn("cloudwatch", &format!("alarm:{n}")))
        .collect();
    let want = dashboard::body(&place.region, &arns, packs);
    match live {
        None => Some(format!("dashboard {} is missing", prior.name)),
        Some(body) if !dashboard::same_body(body, &want) => Some(format!(
            "dashboard {} was changed outside Terraform",
            prior.name
        )),
        Some(_) => None,
    }
}

/// A topic as AWS has it: attributes, subscriptions, and (for the critical topic) tags.
struct Topic {
    arn: String,
    attrs: HashMap<String, String>,
    subs: Vec<api::Sub>,
    tags: Option<BTreeMap<String, String>>,
}
