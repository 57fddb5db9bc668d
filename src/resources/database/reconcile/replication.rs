//! The second region's copy of the backups (`recovery.region`, RDS engines): RDS cross-region
//! automated-backup replication, encrypted with a key of the database's own in that region and
//! kept as long as `backup_retention_days`, so a point-in-time restore there survives the loss of
//! this region. Converge starts it (and starts it again where it stopped, or where the retention
//! or key changed: AWS has no modify); read judges it from the second region's answer; destroy
//! leaves the replicated backups and their key for their retention where the database keeps its
//! own automated backups, and deletes them otherwise.

use std::collections::BTreeMap;

use crate::provider::aws::{arn_region, Place};
use crate::provider::error::AwsError;
use crate::provider::{kms, ProviderData};
use crate::resources::database::aws::{self as api, Instance};
use crate::resources::database::blueprint::{self as bp, REMOTE_ALIAS_COMPONENT};
use crate::resources::database::blueprint::{REMOTE_KEY_COMPONENT, REPLICATION_COMPONENT};
use crate::resources::database::model::State;
use crate::resources::database::read::Side;
use crate::resources::database::recovery::Regional;

use std::time::Duration;

use super::{wait_for, Desired};
use crate::framework::wait::{wait_until, Backoff};

/// The region the second region's objects were recorded in (the replication's ARN, else the
/// key's).
fn recorded_region(s: &State) -> Option<String> {
    [REPLICATION_COMPONENT, REMOTE_KEY_COMPONENT]
        .iter()
        .find_map(|role| s.components.get(*role).and_then(|a| arn_region(a)))
        .map(str::to_string)
}

/// Aurora's second region to look at (its copies' key): the one declared, else the one recorded.
pub fn aurora_region_of(prior: &State) -> Option<String> {
    bp::declared_region(prior)
        .map(str::to_string)
        .or_else(|| recorded_region(prior))
}

/// The second region to look at: the one declared, else the one recorded.
pub fn region_of(prior: &State) -> Option<String> {
    bp::second_region(prior)
        .map(str::to_string)
        .or_else(|| recorded_region(prior))
}

/// Waits until `source_arn`'s replication to `remote` runs (`run`: then gives it) or has wound
/// down: AWS starts and stops it in the background, and refuses a start while a stop is under way.
async fn wait_replication(
    remote: &ProviderData,
    name: &str,
    source_arn: &str,
    run: bool,
    limit: Duration,
) -> Result<Option<api::Replicated>, AwsError> {
    let what = format!(
        "the backup replication of {name} to {} to {}",
        remote.region,
        if run { "start" } else { "stop" }
    );
    wait_until(
        &what,
        remote.stop_token(),
        limit,
        Backoff::polling(),
        || async {
            let backups = api::replicated_backups(remote, name).await?;
            let live = running(&backups, source_arn).cloned();
            Ok(match (run, live) {
                (true, Some(b)) => Some(Some(b)),
                (false, None) => Some(None),
                _ => None,
            })
        },
    )
    .await
    .map_err(|e| AwsError::from_wait("db backup replication", e))
}

/// The replication of `source_arn` that runs, among the second region's backups.
fn running<'a>(backups: &'a [api::Replicated], source_arn: &str) -> Option<&'a api::Replicated> {
    backups
        .iter()
        .find(|b| b.source_arn == source_arn && b.running())
}

/// At read: what the second region holds, recorded in `comp` (the replication while it runs, with
/// the key it encrypts with, and the key's alias), as the recovery it gives.
pub fn record(
    prior: &State,
    primary_arn: Option<&str>,
    side: &Side,
    comp: &mut BTreeMap<String, String>,
) -> Regional {
    let Some((region, backups)) = &side.replicated else {
        return Regional::None;
    };
    let live = primary_arn.and_then(|arn| running(backups, arn));
    if let Some(b) = live {
        comp.insert(REPLICATION_COMPONENT.into(), b.arn.clone());
        if let Some(k) = &b.kms_key {
            comp.insert(REMOTE_KEY_COMPONENT.into(), k.clone());
        }
    }
    // The key and its alias stay recorded while they are the database's (a stopped replication
    // is started again with them).
    for role in [REMOTE_KEY_COMPONENT, REMOTE_ALIAS_COMPONENT] {
        if let Some(v) = prior.components.get(role) {
            comp.entry(role.to_string()).or_insert_with(|| v.clone());
        }
    }
    match (bp::second_region(prior), live) {
        (Some(want), Some(b)) if want == region => Regional::Replicated {
            region: region.clone(),
            days: b.retention_days,
            copies: 0,
        },
        (Some(want), _) => Regional::Stopped {
            region: want.to_string(),
        },
        (None, _) => Regional::None,
    }
}

/// Converge: the second region's key, then the replication of `primary` there with the planned
/// retention and that key; a replication to a region no longer declared is stopped (its backups
/// stay there for their retention, with their key). The key's ARN, where a region is declared.
pub async fn ensure(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
    primary: &Instance,
    limit: Duration,
) -> Result<Option<String>, AwsError> {
    let want = bp::second_region(&d.args);
    if let Some(old) = recorded_region(p).filter(|r| Some(r.as_str()) != want) {
        // Another region (or none) now: the old one's replication stops; what it copied stays
        // there for its retention, with its key (see the decommissioning guide).
        let there = ctx.in_region(&old);
        api::stop_replication(&there, &primary.arn).await?;
        wait_replication(&there, &primary.id, &primary.arn, false, limit).await?;
        for role in [
            REPLICATION_COMPONENT,
            REMOTE_KEY_COMPONENT,
            REMOTE_ALIAS_COMPONENT,
        ] {
            p.components.remove(role);
        }
    }
    let Some(region) = want else {
        return Ok(None);
    };
    let n = d.args.name.as_str();
    let remote = ctx.in_region(region);
    let key = ensure_key(ctx, place, d, p, region).await?;
    let days = d.args.backup_retention_days;
    let backups = api::replicated_backups(&remote, n).await?;
    let current = running(&backups, &primary.arn);
    let same_key = |b: &api::Replicated| {
        b.kms_key
            .as_deref()
            .is_some_and(|k| kms::key_id(k) == kms::key_id(&key))
    };
    let arn = match current {
        Some(b) if b.retention_days == days && same_key(b) => b.arn.clone(),
        stale => {
            if stale.is_some() {
                api::stop_replication(&remote, &primary.arn).await?;
                wait_replication(&remote, n, &primary.arn, false, limit).await?;
            }
            // RDS starts a replication only from an `available` source (a replica just made
            // leaves the primary `modifying` for a while).
            wait_for(ctx, std::slice::from_ref(&primary.id), false, limit).await?;
            let started = api::start_replication(&remote, &primary.arn, days, &key).await?;
            p.components
                .insert(REPLICATION_COMPONENT.into(), started.arn.clone());
            // Listed once it runs: the read after apply then finds it.
            wait_replication(&remote, n, &primary.arn, true, limit)
                .await?
                .map_or(started.arn, |b| b.arn)
        }
    };
    p.components.insert(REPLICATION_COMPONENT.into(), arn);
    Ok(Some(key))
}

/// Aurora: the second region's key only (AWS Backup copies the daily recovery points there,
/// `backup.rs`). A region no longer declared keeps its key where its copies are kept
/// (`retain_automated_backups`), else the key is scheduled for deletion with them; forgotten
/// either way. The key's ARN, where a region is declared.
pub async fn ensure_aurora_key(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
) -> Result<Option<String>, AwsError> {
    let want = bp::declared_region(&d.args);
    if let Some(old) = recorded_region(p).filter(|r| Some(r.as_str()) != want) {
        delete_key(ctx, p, &old, d.args.retain_automated_backups).await?;
    }
    match want {
        Some(region) => ensure_key(ctx, place, d, p, region).await.map(Some),
        None => Ok(None),
    }
}

/// The second region's key of the database, made or adopted and recorded before anything is made
/// with it; its ARN.
async fn ensure_key(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
    region: &str,
) -> Result<String, AwsError> {
    let n = d.args.name.as_str();
    let remote = ctx.in_region(region);
    let there = Place {
        region: region.to_string(),
        account: place.account.clone(),
    };
    // The key, recorded (under the shared helper's names) before anything else is made with it.
    let mut kc: BTreeMap<String, String> = BTreeMap::new();
    if let Some(k) = p.components.get(REMOTE_KEY_COMPONENT) {
        kc.insert("kms_key".into(), k.clone());
    }
    let key = kms::ensure_owned_key(
        &remote,
        &there,
        &mut kc,
        &bp::remote_alias_name(n),
        &format!(
            "prod_database_ha {n}: encrypts its automated backups replicated from {}",
            place.region
        ),
        bp::remote_key_policy(&there, n),
        &d.tags,
    )
    .await;
    if let Some(k) = kc.remove("kms_key") {
        p.components.insert(REMOTE_KEY_COMPONENT.into(), k);
    }
    if let Some(a) = kc.remove("kms_alias") {
        p.components.insert(REMOTE_ALIAS_COMPONENT.into(), a);
    }
    key
}

/// Destroy, before the primary goes: where the database's automated backups are kept (`keep`),
/// the replicated ones are too, with their key (RDS retains them when the source is deleted);
/// otherwise the replication is stopped, its backups deleted and the key scheduled for deletion.
pub async fn delete(
    ctx: &ProviderData,
    s: &mut State,
    source_live: bool,
    keep: bool,
    limit: Duration,
) -> Result<(), AwsError> {
    let Some(region) = region_of(s) else {
        return Ok(());
    };
    if keep {
        for role in [
            REPLICATION_COMPONENT,
            REMOTE_KEY_COMPONENT,
            REMOTE_ALIAS_COMPONENT,
        ] {
            s.components.remove(role);
        }
        return Ok(());
    }
    let remote = ctx.in_region(&region);
    // This database's primary only: another instance of the name there (a restore) is not ours.
    let source = ctx.place().await?.arn("rds", &format!("db:{}", s.name));
    if source_live {
        api::stop_replication(&remote, &source).await?;
    }
    wait_replication(&remote, &s.name, &source, false, limit).await?;
    for b in api::replicated_backups(&remote, &s.name).await? {
        if b.source_arn == source {
            api::delete_replicated(&remote, &b.arn).await?;
        }
    }
    s.components.remove(REPLICATION_COMPONENT);
    delete_key(ctx, s, &region, false).await
}

/// Destroy: the second region's key kept (`keep`: the copies there need it) or scheduled for
/// deletion, and forgotten.
pub async fn delete_key(
    ctx: &ProviderData,
    s: &mut State,
    region: &str,
    keep: bool,
) -> Result<(), AwsError> {
    if keep {
        s.components.remove(REMOTE_KEY_COMPONENT);
        s.components.remove(REMOTE_ALIAS_COMPONENT);
        return Ok(());
    }
    let remote = ctx.in_region(region);
    // The key, by the shared helper's names.
    let mut kc: BTreeMap<String, String> = BTreeMap::new();
    if let Some(k) = s.components.get(REMOTE_KEY_COMPONENT) {
        kc.insert("kms_key".into(), k.clone());
    }
    kms::delete_own_key(
        &remote,
        &bp::remote_alias_name(&s.name),
        &mut kc,
        &s.environment,
    )
    .await?;
    s.components.remove(REMOTE_KEY_COMPONENT);
    s.components.remove(REMOTE_ALIAS_COMPONENT);
    Ok(())
}
