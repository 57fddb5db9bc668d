//! The event notifications' AWS calls: RDS event subscriptions (described at once, made,
//! modified, deleted) and the ElastiCache notification topic of a Redis group.

use std::collections::BTreeMap;

use aws_sdk_rds::types::EventSubscription;

use super::{Live, Notes, Notification, Subscription};
use std::time::Duration;

use crate::framework::wait::{log_one, wait_until, Backoff};
use crate::provider::error::{found, ok_if_missing, AwsError};
use crate::provider::ProviderData;

/// A subscription as RDS reports it, in the blueprint's terms (`database`: the role it is
/// found under).
fn from_aws(s: EventSubscription, database: &str) -> Subscription {
    let mut source_ids = s.source_ids_list.unwrap_or_default();
    source_ids.sort();
    let mut categories = s.event_categories_list.unwrap_or_default();
    categories.sort();
    Subscription {
        database: database.to_string(),
        name: s.cust_subscription_id.unwrap_or_default(),
        source_type: match s.source_type.as_deref() {
            Some("db-cluster") => "db-cluster",
            Some("db-instance") => "db-instance",
            _ => "",
        },
        source_ids,
        categories,
        topic: s.sns_topic_arn.unwrap_or_default(),
        enabled: s.enabled.unwrap_or(false),
        status: s.status,
    }
}

/// Every event subscription of the account and region named `<prefix>…` (all pages), with its
/// ARN, keyed by name.
pub async fn subscriptions(ctx: &ProviderData, prefix: &str) -> Result<Live, AwsError> {
    let all = every_page(|marker| async move {
        let page = ctx
            .call(
                "rds event subscriptions",
                ctx.rds()
                    .describe_event_subscriptions()
                    .set_marker(marker)
                    .send(),
            )
            .await?;
        Ok((
            page.event_subscriptions_list.unwrap_or_default(),
            page.marker,
        ))
    })
    .await?;
    Ok(all
        .into_iter()
        .filter_map(|s| {
            let name = s.cust_subscription_id.clone().unwrap_or_default();
            let arn = s.event_subscription_arn.clone().unwrap_or_default();
            name.starts_with(prefix)
                .then(|| (name, (arn, from_aws(s, ""))))
        })
        .collect())
}

/// Every item of a listing `fetch` gives a page at a time (from a marker, `None` first; an empty
/// or absent next marker ends it).
async fn every_page<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, AwsError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), AwsError>>,
{
    let mut out = Vec::new();
    let mut marker = None;
    loop {
        let (items, next) = fetch(marker).await?;
        out.extend(items);
        marker = next.filter(|m| !m.is_empty());
        if marker.is_none() {
            return Ok(out);
        }
    }
}

/// Makes subscription `s`; returns its ARN.
pub async fn create(
    ctx: &ProviderData,
    s: &Subscription,
    tags: &BTreeMap<String, String>,
) -> Result<String, AwsError> {
    let out = ctx
        .call(
            &format!("rds event subscription {}", s.name),
            ctx.rds()
                .create_event_subscription()
                .subscription_name(&s.name)
                .sns_topic_arn(&s.topic)
                .source_type(s.source_type)
                .set_source_ids(Some(s.source_ids.clone()))
                .set_event_categories(Some(s.categories.clone()))
                .enabled(s.enabled)
                .set_tags(Some(crate::provider::tags::rds(tags)))
                .send(),
        )
        .await?;
    Ok(out
        .event_subscription
        .and_then(|e| e.event_subscription_arn)
        .unwrap_or_default())
}

/// Brings the `live` subscription to `want`: topic, type, categories and enabled in one modify,
/// then the sources added and removed one by one.
pub async fn modify(
    ctx: &ProviderData,
    live: &Subscription,
    want: &Subscription,
) -> Result<(), AwsError> {
    let c = format!("rds event subscription {}", want.name);
    if (
        &live.topic,
        live.source_type,
        &live.categories,
        live.enabled,
    ) != (
        &want.topic,
        want.source_type,
        &want.categories,
        want.enabled,
    ) {
        ctx.call(
            &c,
            ctx.rds()
                .modify_event_subscription()
                .subscription_name(&want.name)
                .sns_topic_arn(&want.topic)
                .source_type(want.source_type)
                .set_event_categories(Some(want.categories.clone()))
                .enabled(want.enabled)
                .send(),
        )
        .await?;
    }
    // Sources added, then removed (RDS takes them one at a time).
    let added = want
        .source_ids
        .iter()
        .filter(|i| !live.source_ids.contains(i));
    let removed = live
        .source_ids
        .iter()
        .filter(|i| !want.source_ids.contains(i));
    for (id, add) in added.map(|i| (i, true)).chain(removed.map(|i| (i, false))) {
        if add {
            let req = ctx.rds().add_source_identifier_to_subscription();
            ctx.call(
                &c,
                req.subscription_name(&want.name)
                    .source_identifier(id)
                    .send(),
            )
            .await?;
        } else {
            let req = ctx.rds().remove_source_identifier_from_subscription();
            ctx.call(
                &c,
                req.subscription_name(&want.name)
                    .source_identifier(id)
                    .send(),
            )
            .await?;
        }
    }
    Ok(())
}

/// Deletes subscription `name` and waits (within `limit`) until RDS no longer lists it: it is
/// `deleting` for a while, and its name cannot be used again until then. One already gone, or
/// already being deleted, is no error.
pub async fn delete(ctx: &ProviderData, name: &str, limit: Duration) -> Result<(), AwsError> {
    let c = format!("rds event subscription {name}");
    let what = format!("{c} to take its deletion");
    wait_until(
        &what,
        ctx.stop_token(),
        limit,
        Backoff::polling(),
        || async {
            let req = ctx
                .rds()
                .delete_event_subscription()
                .subscription_name(name);
            match ctx.call(&c, req.send()).await {
                // Being deleted already, or being changed by someone else (RDS: retry).
                Err(e) if e.code() == Some("InvalidEventSubscriptionState") => {
                    let status = status(ctx, name).await?;
                    Ok(matches!(status.as_deref(), None | Some("deleting")).then_some(()))
                }
                other => ok_if_missing(other.map(|_| ())).map(Some),
            }
        },
    )
    .await
    .map_err(|e| AwsError::from_wait(&what, e))?;
    gone(ctx, name, limit).await
}

/// Subscription `name`'s status; `None` when RDS does not list it.
async fn status(ctx: &ProviderData, name: &str) -> Result<Option<String>, AwsError> {
    let out = found(
        ctx.call(
            "rds event subscription",
            ctx.rds()
                .describe_event_subscriptions()
                .subscription_name(name)
                .send(),
        )
        .await,
    )?;
    Ok(out.and_then(|o| o.event_subscriptions_list?.into_iter().next()?.status))
}

/// Waits (within `limit`) until subscription `name` is no longer listed.
pub async fn gone(ctx: &ProviderData, name: &str, limit: Duration) -> Result<(), AwsError> {
    let what = format!("rds event subscription {name} to be deleted");
    wait_until(
        &what,
        ctx.stop_token(),
        limit,
        Backoff::polling(),
        || async {
            let status = status(ctx, name).await?;
            log_one("rds event subscription", true, name, status.as_deref());
            Ok(status.is_none().then_some(()))
        },
    )
    .await
    .map_err(|e| AwsError::from_wait(&what, e))
}

/// The notification configuration of every cache cluster of the account and region (all pages),
/// by cache cluster id.
pub async fn notifications(ctx: &ProviderData) -> Result<Notes, AwsError> {
    let all = every_page(|marker| async move {
        let page = ctx
            .call(
                "cache clusters",
                ctx.elasticache()
                    .describe_cache_clusters()
                    .set_marker(marker)
                    .send(),
            )
            .await?;
        Ok((page.cache_clusters.unwrap_or_default(), page.marker))
    })
    .await?;
    Ok(all
        .into_iter()
        .map(|c| {
            let n = c.notification_configuration;
            let note = Notification {
                topic: n.as_ref().and_then(|n| n.topic_arn.clone()),
                status: n.and_then(|n| n.topic_status),
            };
            (c.cache_cluster_id.unwrap_or_default(), note)
        })
        .collect())
}

/// Waits until group `group` is `available` (or gone), or in a state it does not leave by
/// itself (`deleting`, `create-failed`: nothing to wait for).
async fn settled(ctx: &ProviderData, group: &str, limit: Duration) -> Result<(), AwsError> {
    let what = format!("replication group {group} to be available");
    wait_until(
        &what,
        ctx.stop_token(),
        limit,
        Backoff::polling(),
        || async {
            let out = found(
                ctx.call(
                    "replication group",
                    ctx.elasticache()
                        .describe_replication_groups()
                        .replication_group_id(group)
                        .send(),
                )
                .await,
            )?;
            let status = out.and_then(|o| {
                o.replication_groups
                    .unwrap_or_default()
                    .into_iter()
                    .next()
                    .and_then(|g| g.status)
            });
            log_one("replication group", false, group, status.as_deref());
            Ok(status
                .as_deref()
                .is_none_or(|s| matches!(s, "available" | "deleting" | "create-failed"))
                .then_some(()))
        },
    )
    .await
    .map_err(|e| AwsError::from_wait(&what, e))
}

/// ElastiCache's answer for a group in a state that takes no change (being deleted, say).
fn going(e: &AwsError) -> bool {
    e.code() == Some("InvalidReplicationGroupState")
}

/// Sends group `group`'s events to `topic` (`None`: stops sending them, the topic going away),
/// once the group is available (ElastiCache refuses a change while it is modifying), then waits
/// (within `limit`) until it is available again: the change passes through `modifying`, and the
/// group's own resource (or its destroy) must find it settled. A group already gone, or going,
/// is no error.
pub async fn notify_group(
    ctx: &ProviderData,
    group: &str,
    topic: Option<&str>,
    limit: Duration,
) -> Result<(), AwsError> {
    settled(ctx, group, limit).await?;
    let req = ctx
        .elasticache()
        .modify_replication_group()
        .replication_group_id(group)
        .apply_immediately(true);
    let req = match topic {
        Some(t) => req
            .notification_topic_arn(t)
            .notification_topic_status("active"),
        None => req.notification_topic_status("inactive"),
    };
    match ctx
        .call(
            &format!("replication group {group} notifications"),
            req.send(),
        )
        .await
    {
        // Stopping: a group gone, or going (being deleted), needs nothing more.
        Err(e) if topic.is_none() && (e.is_not_found() || going(&e)) => Ok(()),
        Err(e) => Err(e),
        Ok(_) => settled(ctx, group, limit).await,
    }
}
