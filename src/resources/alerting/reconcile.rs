//! Apply: converge AWS to the blueprint (create and update are the same walk), and delete.
//!
//! Every object created is recorded in `progress` before the next call, so a failure half way
//! returns a state that names everything that exists (contract rule 14).

use futures::stream::{self, StreamExt};

use super::aws as api;
use super::blueprint::{self as bp, Desired, Place};
use super::model::State;
use super::packs;
use crate::provider::error::AwsError;
use crate::provider::ProviderData;

/// Alarm puts in flight at once.
const ALARMS_AT_ONCE: usize = 4;

/// One alarm put: its index among the desired ones and its full name.
type Put = Result<(usize, String), AwsError>;

/// Brings AWS to `desired`, starting from what `progress` (the prior state, or an empty one on
/// create) says exists. `progress` ends as the new state, or the partial one on error.
pub async fn converge(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    progress: &mut State,
) -> Result<(), AwsError> {
    let old_tags = progress.tags_all.clone();
    progress.tags_all = d.tags.clone();

    // 1. The key.
    let prior_own_key = progress.components.get(bp::ROLE_KEY).cloned();
    let key = match (&d.given_key, &prior_own_key) {
        (Some(given), _) => given.clone(),
        (None, Some(existing)) if progress.kms_key_arn.as_deref() == Some(existing.as_str()) => {
            api::put_key_policy(ctx, existing, d.key_policy(place)).await?;
            api::enable_rotation(ctx, existing).await?;
            existing.clone()
        }
        (None, _) => match api::describe_key(ctx, &bp::alias_name(&d.name))
            .await?
            .filter(|k| k.usable)
        {
            // Our alias already names a live key (state was lost, or the topics were deleted
            // outside Terraform): adopt it rather than leave it orphaned beside a new one.
            Some(k) => {
                progress
                    .components
                    .insert(bp::ROLE_KEY.into(), k.arn.clone());
                progress.kms_key_arn = Some(k.arn.clone());
                api::put_key_policy(ctx, &k.arn, d.key_policy(place)).await?;
                api::enable_rotation(ctx, &k.arn).await?;
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
                progress
                    .components
                    .insert(bp::ROLE_KEY.into(), created.arn.clone());
                progress.kms_key_arn = Some(created.arn.clone());
                api::enable_rotation(ctx, &created.arn).await?;
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

    // 2. The topics, encrypted with the key, with a policy that is not public; both at once, each
    // recorded before the first error is returned.
    let topic_job = |sev: &'static str| {
        let policy = d.topic_policy(place, sev);
        let existing = progress.topic_arn(sev).map(str::to_string);
        let (key, old_tags) = (&key, &old_tags);
        async move {
            match existing {
                Some(arn) => {
                    api::set_topic_attribute(ctx, &arn, "KmsMasterKeyId", key).await?;
                    api::set_topic_attribute(ctx, &arn, "Policy", &policy).await?;
                    if *old_tags != d.tags {
                        api::retag_topic(ctx, &arn, old_tags, &d.tags).await?;
                    }
                    Ok(arn)
                }
                None => {
                    api::create_topic(ctx, &bp::topic_name(&d.name, sev), key, policy, &d.tags)
                        .await
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
                match sev {
                    "critical" => progress.critical_topic_arn = Some(arn),
                    _ => progress.warning_topic_arn = Some(arn),
                }
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }

    // 3. Subscriptions: one per notify block on its severity's topic; nothing else. Both topics at
    // once; each job hands back what it subscribed even when it fails.
    progress
        .components
        .retain(|k, _| !k.starts_with("subscription_"));
    let subscription_job = |sev: &'static str| {
        let topic = progress.topic_arn(sev).unwrap_or_default().to_string();
        async move {
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
                    let wanted = d.notify.iter().any(|n| {
                        n.severity == sev && n.protocol == s.protocol && n.endpoint == s.endpoint
                    });
                    if !wanted && !s.pending() {
                        api::unsubscribe(ctx, &s.arn).await?;
                    }
                }
                Ok::<_, AwsError>(())
            }
            .await;
            (made, outcome)
        }
    };
    let (critical, warning) =
        tokio::join!(subscription_job("critical"), subscription_job("warning"));
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
    if let Some(e) = first_error {
        return Err(e);
    }

    // 4. Alarms, routed to their severity's topic; alarms no longer configured are deleted.
    let names = d.alarm_names();
    // The order the plan gives `alarm_names`: the prior one when only the order differs.
    let final_names = {
        let (mut had, mut want) = (progress.alarm_names.clone(), names.clone());
        had.sort();
        want.sort();
        if had == want {
            progress.alarm_names.clone()
        } else {
            names.clone()
        }
    };
    let stale: Vec<String> = progress
        .alarm_names
        .iter()
        .filter(|n| !names.contains(n))
        .cloned()
        .collect();
    // A few puts at a time (CloudWatch's PutMetricAlarm quota is a few per second; the SDK retries
    // what it throttles). Every alarm put is recorded before the first error is returned.
    let alarm_jobs: Vec<_> = d
        .alarms
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let full = bp::alarm_name(&d.name, &a.name);
            let topic = progress
                .topic_arn(&a.severity)
                .unwrap_or_default()
                .to_string();
            async move {
                api::put_alarm(ctx, &full, a, &topic, &d.tags)
                    .await
                    .map(|_| (i, full))
            }
        })
        .collect();
    let pack_jobs: Vec<_> = d
        .packs
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let full = bp::alarm_name(&d.name, &a.short);
            let topic = progress
                .topic_arn(&a.severity)
                .unwrap_or_default()
                .to_string();
            async move {
                packs::put(ctx, &d.name, &full, a, &topic, &d.tags)
                    .await
                    .map(|_| (i, full))
            }
        })
        .collect();
    let (alarms_put, packs_put): (Vec<Put>, Vec<Put>) = tokio::join!(
        stream::iter(alarm_jobs).buffered(ALARMS_AT_ONCE).collect(),
        stream::iter(pack_jobs).buffered(ALARMS_AT_ONCE).collect()
    );
    for r in alarms_put {
        match r {
            Ok((i, full)) => {
                let a = &d.alarms[i];
                progress.components.insert(
                    bp::role_alarm(&a.name),
                    bp::alarm_arn(place, &d.name, &a.name),
                );
                match progress.alarm.iter_mut().find(|p| p.name == a.name) {
                    Some(p) => *p = a.clone(),
                    None => progress.alarm.push(a.clone()),
                }
                if !progress.alarm_names.contains(&full) {
                    progress.alarm_names.push(full);
                }
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    for r in packs_put {
        match r {
            Ok((i, full)) => {
                let a = &d.packs[i];
                progress.components.insert(
                    bp::role_alarm(&a.short),
                    bp::alarm_arn(place, &d.name, &a.short),
                );
                if !progress.alarm_names.contains(&full) {
                    progress.alarm_names.push(full);
                }
            }
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

    // 5. A key we owned but no longer use.
    if let (Some(_), Some(old)) = (&d.given_key, prior_own_key) {
        api::delete_alias(ctx, &bp::alias_name(&d.name)).await?;
        api::schedule_key_deletion(ctx, &old, d.environment.key_deletion_window_days()).await?;
        progress.components.remove(bp::ROLE_KEY);
        progress.components.remove(bp::ROLE_ALIAS);
    }
    Ok(())
}

/// Deletes every object the state names. On error, `state` keeps what still exists.
pub async fn delete(
    ctx: &ProviderData,
    state: &mut State,
    key_window_days: i32,
) -> Result<(), AwsError> {
    let mut alarms = state.alarm_names.clone();
    for a in &state.alarm {
        let n = bp::alarm_name(&state.name, &a.name);
        if !alarms.contains(&n) {
            alarms.push(n);
        }
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
        match sev {
            "critical" => state.critical_topic_arn = None,
            _ => state.warning_topic_arn = None,
        }
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
