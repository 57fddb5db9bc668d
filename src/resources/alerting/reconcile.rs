//! Apply: converge AWS to the blueprint (create and update are the same walk), and delete.
//!
//! Every object created is recorded in `progress` before the next call, so a failure half way
//! returns a state that names everything that exists (contract rule 14).

use std::collections::BTreeSet;
use std::time::Duration;

use futures::stream::{self, StreamExt};

use super::aws::{self as api, Tags};
use super::blueprint::{self as bp, Desired, Place};
use super::dashboard;
use super::events;
use super::model::{Alarm, State};
use super::packs::{self, PackAlarm};
use crate::provider::error::AwsError;
use crate::provider::ProviderData;

/// Alarm puts in flight at once.
const ALARMS_AT_ONCE: usize = 4;

/// An alarm apply puts: an `alarm` block's or a pack's.
#[derive(Clone, Copy)]
enum Wanted<'a> {
    Block(&'a Alarm),
    Pack(&'a PackAlarm),
}

impl Wanted<'_> {
    /// The alarm's name within the resource (without the `<name>-` prefix).
    fn short(&self) -> &str {
        match self {
            Wanted::Block(a) => &a.name,
            Wanted::Pack(a) => &a.short,
        }
    }
    /// The severity whose topic the alarm notifies.
    fn severity(&self) -> &str {
        match self {
            Wanted::Block(a) => &a.severity,
            Wanted::Pack(a) => &a.severity,
        }
    }
}

/// One alarm put: the alarm and its full name.
type Put<'a> = Result<(Wanted<'a>, String), AwsError>;

/// Brings AWS to `desired`, starting from what `progress` (the prior state, or an empty one on
/// create) says exists. `progress` ends as the new state, or the partial one on error.
pub async fn converge(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    progress: &mut State,
    limit: Duration,
) -> Result<(), AwsError> {
    let old_tags = progress.tags_all.clone();
    progress.tags_all = d.tags.clone();
    let prior_own_key = progress.components.get(bp::ROLE_KEY).cloned();
    let key = the_key(ctx, place, d, progress, prior_own_key.as_deref()).await?;
    the_topics(ctx, place, d, progress, &key, &old_tags).await?;
    the_subscriptions(ctx, d, progress).await?;
    the_events(ctx, d, progress, limit).await?;
    the_alarms(ctx, place, d, progress).await?;
    if !old_tags.is_empty() && old_tags != d.tags {
        api::retag_alarms(ctx, place, &progress.alarm_names, &old_tags, &d.tags).await?;
    }
    the_dashboard(ctx, place, d, progress).await?;
    if let (Some(_), Some(old)) = (&d.given_key, prior_own_key) {
        retire_own_key(ctx, d, progress, &old).await?;
    }
    Ok(())
}

/// Step 1. The key: the given one, the one we own (policy and rotation set again), the live one our
/// alias names (adopted), or a new one; with our alias when we own it. Returns its ARN.
async fn the_key(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    progress: &mut State,
    prior_own_key: Option<&str>,
) -> Result<String, AwsError> {
    let key = match (&d.given_key, prior_own_key) {
        (Some(given), _) => given.clone(),
        (None, Some(existing)) if progress.kms_key_arn.as_deref() == Some(existing) => {
            api::put_key_policy(ctx, existing, d.key_policy(place)).await?;
            rotation(ctx, d, existing).await?;
            existing.to_string()
        }
        (None, _) => match api::describe_key(ctx, &bp::alias_name(&d.name))
            .await?
            .filter(|k| k.usable)
        {
            // Our alias already names a live key (state was lost, or the topics were deleted
            // outside Terraform): adopt it rather than leave it orphaned beside a new one.
            Some(k) => {
                record_own_key(progress, &k.arn);
                api::put_key_policy(ctx, &k.arn, d.key_policy(place)).await?;
                rotation(ctx, d, &k.arn).await?;
                k.arn
            }
            None => {
                let created = api::create_key(
                    ctx,
                    &format!("prod_alerting {}: encrypts the alert topics", d.name),
                    d.key_policy(place),
                    &d.tags,
                )
                .await?;
                record_own_key(progress, &created.arn);
                rotation(ctx, d, &created.arn).await?;
                created.arn
            }
        },
    };
    if d.owns_key() {
        api::ensure_alias(ctx, &bp::alias_name(&d.name), &key).await?;
        progress
            .components
            .insert(bp::ROLE_ALIAS.into(), bp::alias_arn(place, &d.name));
    }
    progress.kms_key_arn = Some(key.clone());
    Ok(key)
}

/// Automatic rotation of a key the resource owns, as the blueprint's hardening says (KMS.4).
async fn rotation(ctx: &ProviderData, d: &Desired, key: &str) -> Result<(), AwsError> {
    if d.hardening().key_rotation {
        api::enable_rotation(ctx, key).await?;
    }
    Ok(())
}

/// Records `arn` as the key the resource owns.
fn record_own_key(progress: &mut State, arn: &str) {
    progress
        .components
        .insert(bp::ROLE_KEY.into(), arn.to_string());
    progress.kms_key_arn = Some(arn.to_string());
}

/// Step 2. The topics, encrypted with the key, with a policy that is not public; both at once, each
/// recorded before the first error is returned.
async fn the_topics(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    progress: &mut State,
    key: &str,
    old_tags: &Tags,
) -> Result<(), AwsError> {
    let topic_job = |sev: &'static str| {
        let attributes = bp::topic_attributes(&d.hardening(), key, d.topic_policy(place, sev));
        let existing = progress.topic_arn(sev).map(str::to_string);
        async move {
            match existing {
                Some(arn) => {
                    for (name, value) in &attributes {
                        api::set_topic_attribute(ctx, &arn, name, value).await?;
                    }
                    if *old_tags != d.tags {
                        api::retag_topic(ctx, &arn, old_tags, &d.tags).await?;
                    }
                    Ok(arn)
                }
                None => {
                    let name = bp::topic_name(&d.name, sev);
                    api::create_topic(ctx, &name, attributes, &d.tags).await
                }
            }
        }
    };
    let (critical, warning) = tokio::join!(topic_job("critical"), topic_job("warning"));
    let mut first_error = None;
    for (sev, made) in [("critical", critical), ("warning", warning)] {
        match made {
            Ok(arn) => {
                progress.components.insert(bp::role_topic(sev), arn.clone());
                progress.set_topic_arn(sev, Some(arn));
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// Step 3. Subscriptions: one per notify block on its severity's topic; nothing else. Both
/// topics at once; each records what it subscribed even when it fails.
async fn the_subscriptions(
    ctx: &ProviderData,
    d: &Desired,
    progress: &mut State,
) -> Result<(), AwsError> {
    progress
        .components
        .retain(|k, _| !k.starts_with("subscription_"));
    let topic = |sev: &str| progress.topic_arn(sev).unwrap_or_default().to_string();
    let (critical, warning) = tokio::join!(
        subscribe_severity(ctx, d, "critical", topic("critical")),
        subscribe_severity(ctx, d, "warning", topic("warning"))
    );
    let mut first_error = None;
    let mut kept = Vec::new();
    for (made, outcome) in [critical, warning] {
        for (i, arn) in made {
            progress.components.insert(bp::role_subscription(i), arn);
            kept.push((i, d.notify[i].clone()));
        }
        if let Err(e) = outcome {
            first_error.get_or_insert(e);
        }
    }
    kept.sort_by_key(|(i, _)| *i);
    progress.notify = kept.into_iter().map(|(_, n)| n).collect();
    first_error.map_or(Ok(()), Err)
}

/// The subscriptions of one severity's `topic`: each notify block's (found or made), and none
/// other (a pending one is left). Hands back what it subscribed, by notify index, even on error.
async fn subscribe_severity(
    ctx: &ProviderData,
    d: &Desired,
    sev: &str,
    topic: String,
) -> (Vec<(usize, String)>, Result<(), AwsError>) {
    let mut made = Vec::new();
    let outcome = async {
        let existing = api::subscriptions(ctx, &topic).await?;
        for (i, n) in d
            .notify
            .iter()
            .enumerate()
            .filter(|(_, n)| n.severity == sev)
        {
            let found = existing
                .iter()
                .find(|s| s.protocol == n.protocol && s.endpoint == n.endpoint);
            let arn = match found {
                Some(s) => s.arn.clone(),
                None => api::subscribe(ctx, &topic, &n.protocol, &n.endpoint).await?,
            };
            made.push((i, arn));
        }
        for s in &existing {
            let wanted = d
                .notify
                .iter()
                .any(|n| n.severity == sev && n.protocol == s.protocol && n.endpoint == s.endpoint);
            if !wanted && !s.pending() {
                api::unsubscribe(ctx, &s.arn).await?;
            }
        }
        Ok::<_, AwsError>(())
    }
    .await;
    (made, outcome)
}

/// Step 4. Alarms, routed to their severity's topic; alarms no longer configured are deleted. Every
/// alarm put is recorded before the first error is returned.
async fn the_alarms(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    progress: &mut State,
) -> Result<(), AwsError> {
    let names = d.alarm_names();
    // The order the plan gives `alarm_names`: the prior one when only the order differs.
    let final_names = bp::in_prior_order(&progress.alarm_names, names.clone());
    let stale: Vec<String> = progress
        .alarm_names
        .iter()
        .filter(|n| !names.contains(n))
        .cloned()
        .collect();
    let (alarms_put, packs_put) = tokio::join!(
        put_alarms(ctx, d, progress, d.alarms.iter().map(Wanted::Block)),
        put_alarms(ctx, d, progress, d.packs.iter().map(Wanted::Pack))
    );
    let mut first_error = None;
    for put in alarms_put.into_iter().chain(packs_put) {
        match put {
            Ok((w, full)) => record_alarm(place, d, progress, w, full),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    progress.alarm = d.alarms.clone();
    progress.alarm_names = final_names;
    if !stale.is_empty() {
        api::delete_alarms(ctx, &stale).await?;
    }
    let configured: Vec<String> = d
        .alarms
        .iter()
        .map(|a| bp::role_alarm(&a.name))
        .chain(d.packs.iter().map(|a| bp::role_alarm(&a.short)))
        .collect();
    progress
        .components
        .retain(|k, _| !k.starts_with("alarm_") || configured.contains(k));
    Ok(())
}

/// Puts `wanted` a few at a time (CloudWatch's PutMetricAlarm quota is a few per second; the SDK
/// retries what it throttles), each routed to its severity's topic.
async fn put_alarms<'a>(
    ctx: &ProviderData,
    d: &'a Desired,
    progress: &State,
    wanted: impl Iterator<Item = Wanted<'a>>,
) -> Vec<Put<'a>> {
    let h = &d.hardening();
    let jobs: Vec<_> = wanted
        .map(|w| {
            let full = bp::alarm_name(&d.name, w.short());
            let topic = progress
                .topic_arn(w.severity())
                .unwrap_or_default()
                .to_string();
            async move {
                match w {
                    Wanted::Block(a) => api::put_alarm(ctx, &full, a, &topic, h, &d.tags).await,
                    Wanted::Pack(a) => packs::put(ctx, &d.name, &full, a, &topic, h, &d.tags).await,
                }
                .map(|_| (w, full))
            }
        })
        .collect();
    stream::iter(jobs).buffered(ALARMS_AT_ONCE).collect().await
}

/// Records an alarm put: its component, its block (for an `alarm` block's), its full name.
fn record_alarm(place: &Place, d: &Desired, progress: &mut State, w: Wanted, full: String) {
    progress.components.insert(
        bp::role_alarm(w.short()),
        bp::alarm_arn(place, &d.name, w.short()),
    );
    if let Wanted::Block(a) = w {
        match progress.alarm.iter_mut().find(|p| p.name == a.name) {
            Some(p) => *p = a.clone(),
            None => progress.alarm.push(a.clone()),
        }
    }
    if !progress.alarm_names.contains(&full) {
        progress.alarm_names.push(full);
    }
}

/// Step 3b. The watched data stores' events to the critical topic: each database's event
/// subscription made or brought back (one describe for all), each Redis group's notification
/// topic set where a member lacks it; those of resources no longer watched undone. Each is
/// recorded as it is made.
async fn the_events(
    ctx: &ProviderData,
    d: &Desired,
    progress: &mut State,
    limit: Duration,
) -> Result<(), AwsError> {
    let topic = progress
        .topic_arn("critical")
        .unwrap_or_default()
        .to_string();
    let want = events::wanted(&d.name, &d.watched, &topic);
    let recorded = |prefix: &str| -> Vec<String> {
        progress
            .components
            .keys()
            .filter(|k| k.starts_with(prefix))
            .cloned()
            .collect()
    };
    let (subs, groups) = (
        recorded(events::SUBSCRIPTION_PREFIX),
        recorded(events::NOTIFICATION_PREFIX),
    );
    if !want.subscriptions.is_empty() || !subs.is_empty() {
        let live = events::aws::subscriptions(ctx, &events::subscription_name(&d.name, "")).await?;
        for s in &want.subscriptions {
            let arn = match live.get(&s.name) {
                // Being deleted (a destroy just before): its name is free once it is gone.
                Some((_, l)) if l.status.as_deref() == Some("deleting") => {
                    events::aws::gone(ctx, &s.name, limit).await?;
                    events::aws::create(ctx, s, &d.tags).await?
                }
                Some((arn, l)) => {
                    events::aws::modify(ctx, l, s).await?;
                    arn.clone()
                }
                None => events::aws::create(ctx, s, &d.tags).await?,
            };
            progress
                .components
                .insert(events::role_subscription(&s.database), arn);
        }
        for role in subs {
            let db = role.trim_start_matches(events::SUBSCRIPTION_PREFIX);
            if !want.subscriptions.iter().any(|s| s.database == db) {
                events::aws::delete(ctx, &events::subscription_name(&d.name, db), limit).await?;
                progress.components.remove(&role);
            }
        }
    }
    if !want.groups.is_empty() {
        let notes = events::aws::notifications(ctx).await?;
        for g in &want.groups {
            if !events::notifies(g, &notes, &topic) {
                events::aws::notify_group(ctx, &g.name, Some(&topic), limit).await?;
            }
            progress
                .components
                .insert(events::role_notification(&g.name), g.name.clone());
        }
    }
    for role in groups {
        let g = role.trim_start_matches(events::NOTIFICATION_PREFIX);
        if !want.groups.iter().any(|w| w.name == g) {
            events::aws::notify_group(ctx, g, None, limit).await?;
            progress.components.remove(&role);
        }
    }
    Ok(())
}

/// Deletes the event subscriptions and stops the Redis notifications `state` records, and those
/// of every data store its `watch` names (one made by a call whose answer was lost is not left
/// behind; one never made is no error).
async fn undo_events(
    ctx: &ProviderData,
    state: &mut State,
    limit: Duration,
) -> Result<(), AwsError> {
    let watched =
        super::watch::watched(state.watch.as_deref().unwrap_or_default()).unwrap_or_default();
    let want = events::wanted(&state.name, &watched, "");
    let mut databases: BTreeSet<String> =
        want.subscriptions.into_iter().map(|s| s.database).collect();
    let mut groups: BTreeSet<String> = want.groups.into_iter().map(|g| g.name).collect();
    for role in state.components.keys() {
        if let Some(db) = role.strip_prefix(events::SUBSCRIPTION_PREFIX) {
            databases.insert(db.to_string());
        } else if let Some(g) = role.strip_prefix(events::NOTIFICATION_PREFIX) {
            groups.insert(g.to_string());
        }
    }
    for db in databases {
        events::aws::delete(ctx, &events::subscription_name(&state.name, &db), limit).await?;
        state.components.remove(&events::role_subscription(&db));
    }
    for g in groups {
        events::aws::notify_group(ctx, &g, None, limit).await?;
        state.components.remove(&events::role_notification(&g));
    }
    Ok(())
}

/// Step 4b. The dashboard `<name>`, put whole (a hand edit is overwritten), or deleted when
/// turned off.
async fn the_dashboard(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    progress: &mut State,
) -> Result<(), AwsError> {
    if d.dashboard {
        dashboard::aws::put_dashboard(ctx, &d.name, &d.dashboard_body(place)).await?;
        progress
            .components
            .insert(dashboard::ROLE.into(), dashboard::arn(place, &d.name));
        progress.dashboard_url = Some(dashboard::url(&place.region, &d.name));
    } else if progress.components.contains_key(dashboard::ROLE) {
        // Only the one this resource made: a dashboard of the same name made otherwise stays.
        dashboard::aws::delete_dashboard(ctx, &d.name).await?;
        progress.components.remove(dashboard::ROLE);
    }
    if !d.dashboard {
        progress.dashboard_url = None;
    }
    progress.dashboard = d.dashboard;
    Ok(())
}

/// Step 5. A key we owned but no longer use (a key is now given): its alias deleted, it
/// scheduled for deletion.
async fn retire_own_key(
    ctx: &ProviderData,
    d: &Desired,
    progress: &mut State,
    old: &str,
) -> Result<(), AwsError> {
    api::delete_alias(ctx, &bp::alias_name(&d.name)).await?;
    api::schedule_key_deletion(ctx, old, d.environment.key_deletion_window_days()).await?;
    progress.components.remove(bp::ROLE_KEY);
    progress.components.remove(bp::ROLE_ALIAS);
    Ok(())
}

/// Deletes every object the state names. On error, `state` keeps what still exists.
pub async fn delete(
    ctx: &ProviderData,
    state: &mut State,
    key_window_days: i32,
    limit: Duration,
) -> Result<(), AwsError> {
    undo_events(ctx, state, limit).await?;
    let mut alarms = state.alarm_names.clone();
    for a in &state.alarm {
        let n = bp::alarm_name(&state.name, &a.name);
        if !alarms.contains(&n) {
            alarms.push(n);
        }
    }
    if state.components.contains_key(dashboard::ROLE) {
        dashboard::aws::delete_dashboard(ctx, &state.name).await?;
        state.components.remove(dashboard::ROLE);
        state.dashboard_url = None;
    }
    api::delete_alarms(ctx, &alarms).await?;
    state.alarm.clear();
    state.alarm_names.clear();
    state.components.retain(|k, _| !k.starts_with("alarm_"));

    for sev in ["critical", "warning"] {
        let arn = state
            .components
            .get(&bp::role_topic(sev))
            .cloned()
            .or(state.topic_arn(sev).map(str::to_string));
        if let Some(arn) = arn {
            // Deleting a topic deletes its subscriptions.
            api::delete_topic(ctx, &arn).await?;
        }
        state.components.remove(&bp::role_topic(sev));
        state.set_topic_arn(sev, None);
    }
    state
        .components
        .retain(|k, _| !k.starts_with("subscription_"));
    state.notify.clear();

    if state.components.remove(bp::ROLE_ALIAS).is_some() {
        api::delete_alias(ctx, &bp::alias_name(&state.name)).await?;
    }
    if let Some(key) = state.components.get(bp::ROLE_KEY).cloned() {
        api::schedule_key_deletion(ctx, &key, key_window_days).await?;
        state.components.remove(bp::ROLE_KEY);
    }
    Ok(())
}
