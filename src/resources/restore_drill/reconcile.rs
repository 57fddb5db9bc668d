//! The drill: restore, wait, measure, delete. Each object is recorded in `components` before the
//! next call, so a drill that fails half way leaves a state whose destroy removes what it made.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::aws::{self, From, Restore};
use super::model::State;
use super::schema::TYPE_NAME;
use crate::framework::wait::{wait_until, Backoff};
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::{ec2, tags, ProviderData};
use crate::resources::datastore::recovery::text;

pub const INSTANCE: &str = "instance";
pub const SECURITY_GROUP: &str = "security_group";

pub struct Desired {
    pub database_id: String,
    pub restore_time: Option<String>,
    pub region: Option<String>,
    pub environment: Environment,
    /// The configuration's `tags`.
    pub tags: BTreeMap<String, String>,
    /// A new drill (else only the tags changed: nothing to do in AWS).
    pub create: bool,
}

fn invalid(message: impl Into<String>) -> AwsError {
    AwsError::Invalid {
        component: "db restore drill".into(),
        message: message.into(),
    }
}

/// The copy's identifier: `<database>-drill-<yyyymmddhhmmss>`, the database part shortened to
/// RDS's 63 characters.
pub fn drill_name(database: &str, at: time::OffsetDateTime) -> String {
    let stamp = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    let suffix = format!("-drill-{stamp}");
    let room = 63usize.saturating_sub(suffix.len());
    let head: String = database.chars().take(room).collect();
    format!("{}{suffix}", head.trim_end_matches('-'))
}

/// The region and last part of an ARN (`arn:aws:rds:<region>:<account>:db:<id>`,
/// `arn:aws:ec2:<region>:<account>:security-group/<id>`).
pub(super) fn arn_parts(arn: &str) -> Option<(&str, &str)> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let region = parts.get(3)?;
    let last = parts.get(5)?;
    let id = last
        .strip_prefix("db:")
        .or_else(|| last.strip_prefix("security-group/"))?;
    Some((region, id))
}

/// The RTO a database holds, from its primary's tags: the `prod:rto_seconds` it records, else (a
/// database made before that tag, not applied since) its profile's from `prod:environment`.
pub fn rto_of(primary_tags: &BTreeMap<String, String>) -> Option<i64> {
    match primary_tags.get(tags::TAG_RTO_SECONDS) {
        Some(v) => v.parse::<i64>().ok(),
        None => primary_tags
            .get(tags::TAG_ENVIRONMENT)
            .and_then(|e| Environment::parse(e))
            .and_then(|e| crate::resources::database::recovery::profile(e).rto),
    }
}

/// The provider's configuration in `region` (its own for its own region).
pub(super) fn there(ctx: &ProviderData, region: &str) -> Option<Arc<ProviderData>> {
    (region != ctx.region).then(|| ctx.in_region(region))
}

/// Waits until the copy is available; gives whether it is publicly accessible.
async fn available(ctx: &ProviderData, id: &str, limit: Duration) -> Result<bool, AwsError> {
    wait_until(
        &format!("the drill's copy {id} to be available"),
        ctx.stop_token(),
        limit,
        Backoff::polling(),
        || async {
            match aws::copy(ctx, id).await? {
                Some((s, public)) if s == "available" => Ok(Some(public)),
                Some((s, _))
                    if matches!(s.as_str(), "failed" | "storage-full" | "restore-error")
                        || s.starts_with("incompatible")
                        || s.starts_with("inaccessible-encryption-credentials") =>
                {
                    Err(invalid(format!("the copy {id} is {s}: the restore failed")))
                }
                _ => Ok(None),
            }
        },
    )
    .await
    .map_err(|e| AwsError::from_wait("db restore drill", e))
}

/// Deletes the copy `id` (again while RDS cannot yet: it may be backing up or modifying) and
/// waits until it is gone.
async fn remove_copy(ctx: &ProviderData, id: &str, limit: Duration) -> Result<(), AwsError> {
    wait_until(
        &format!("the drill's copy {id} to be deleted"),
        ctx.stop_token(),
        limit,
        Backoff::polling(),
        || async {
            match aws::copy(ctx, id).await? {
                None => Ok(Some(())),
                Some((s, _)) if s == "deleting" => Ok(None),
                Some(_) => {
                    aws::delete_copy(ctx, id).await?;
                    Ok(None)
                }
            }
        },
    )
    .await
    .map_err(|e| AwsError::from_wait("db restore drill", e))
}

/// Deletes the security group `id` once nothing uses it.
async fn remove_group(ctx: &ProviderData, id: &str, limit: Duration) -> Result<(), AwsError> {
    crate::provider::retry::while_in_use(ctx, &format!("security group {id}"), limit, || {
        ec2::delete_sg(ctx, id)
    })
    .await
}

pub async fn converge(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
    limit: Duration,
) -> Result<(), AwsError> {
    if !d.create {
        p.tags_all = tags::effective(
            &ctx.default_tags,
            &d.tags,
            TYPE_NAME,
            &p.name,
            d.environment,
        );
        return Ok(());
    }
    let db = d.database_id.as_str();
    // The point in time, checked before anything is made.
    let time = d.restore_time.as_deref().map(aws::time_of).transpose()?;
    let Some(src) = aws::source(ctx, db).await? else {
        if aws::is_cluster(ctx, db).await? {
            return Err(invalid(format!(
                "{db} is an Aurora cluster: drills of Aurora clusters are not available in this version"
            )));
        }
        return Err(invalid(format!(
            "no database {db} in {}: database_id is a prod_database_ha's id",
            ctx.region
        )));
    };
    if src.aurora {
        return Err(invalid(format!(
            "{db} is an Aurora instance: drills of Aurora clusters are not available in this version"
        )));
    }
    let rto = rto_of(&src.tags);
    let name = drill_name(db, time::OffsetDateTime::now_utc());
    p.name = name.clone();
    let all_tags = tags::effective(&ctx.default_tags, &d.tags, TYPE_NAME, &name, d.environment);
    p.tags_all = all_tags.clone();

    // Where: the database's region and VPC, or the second region's default VPC.
    let remote = d.region.as_deref().and_then(|r| there(ctx, r));
    let rctx: &ProviderData = remote.as_deref().unwrap_or(ctx);
    let at = Place {
        region: rctx.region.clone(),
        account: place.account.clone(),
    };
    let (vpc, subnet_group, backups, latest) = match &d.region {
        None => (
            src.vpc
                .clone()
                .ok_or_else(|| invalid(format!("{db} is in no subnet group's VPC")))?,
            src.subnet_group.clone(),
            None,
            src.latest_restorable,
        ),
        Some(r) => {
            let (arn, latest) = aws::replicated(rctx, db, &src.arn).await?.ok_or_else(|| {
                invalid(format!("no backups of {db} are replicated to {r}: set recovery {{ region = \"{r}\" }} on the database and apply it first"))
            })?;
            if latest.is_none() {
                return Err(invalid(format!("the backups of {db} replicated to {r} have nothing restorable yet (the first copy is still being made): drill there once the replication reports `replicating`")));
            }
            let vpc = aws::default_vpc(rctx).await?.ok_or_else(|| {
                invalid(format!("{r} has no default VPC for the copy: make one (aws ec2 create-default-vpc --region {r})"))
            })?;
            (vpc, None, Some(arn), latest)
        }
    };

    // An isolated group: no rule in, none out.
    let sg = ec2::create_sg(
        rctx,
        &vpc,
        &name,
        "prod_restore_drill: the drill's copy, isolated (no rules)",
        &all_tags,
    )
    .await?;
    p.components.insert(
        SECURITY_GROUP.into(),
        at.arn("ec2", &format!("security-group/{sg}")),
    );
    aws::revoke_default_egress(rctx, &sg).await?;
    let rules = ec2::sg_rules(rctx, std::slice::from_ref(&sg)).await?;
    let closed = rules
        .get(&sg)
        .is_some_and(|(inbound, outbound)| inbound.is_empty() && outbound.is_empty());

    // The restore, timed from the request until the copy is available: to `restore_time`, else
    // to the latest restorable time read just now (so the record says exactly which).
    let time = time.or(latest);
    p.components
        .insert(INSTANCE.into(), at.arn("rds", &format!("db:{name}")));
    let started = Instant::now();
    let from = match &backups {
        Some(arn) => From::Replicated(arn),
        None => From::Instance(db),
    };
    aws::restore(
        rctx,
        &Restore {
            target: &name,
            from,
            time,
            subnet_group: subnet_group.as_deref(),
            security_group: &sg,
            tags: &all_tags,
        },
    )
    .await?;
    let public = available(rctx, &name, limit).await?;
    let measured = i64::try_from(started.elapsed().as_secs()).unwrap_or(i64::MAX);

    let point = match (&d.restore_time, &latest) {
        (Some(t), _) => t.clone(),
        (None, Some(l)) => aws::rfc3339(l),
        (None, None) => String::new(),
    };
    let which = if d.restore_time.is_some() {
        format!("restore_time {point}")
    } else {
        format!("the latest restorable time ({point})")
    };
    p.restored_from = match (&d.region, &backups) {
        (Some(r), Some(arn)) => {
            format!("{db}'s backups replicated to {r} ({arn}), restored to {which}")
        }
        _ => format!("{db} in {}, restored to {which}", ctx.region),
    };
    p.restored_to_time = point;
    p.measured_rto_seconds = measured;
    p.rto_seconds = rto;
    p.met_rto = rto.map(|r| measured <= r);
    p.posture = BTreeMap::from([
        ("restore".to_string(), "pass".to_string()),
        (
            "rto".to_string(),
            match rto {
                Some(r) if measured > r => format!(
                    "fail: the copy took {} against an RTO of {}",
                    text(measured),
                    text(r)
                ),
                _ => "pass".to_string(),
            },
        ),
        (
            "isolated".to_string(),
            match (public, closed) {
                (true, _) => "fail: the copy was publicly accessible".to_string(),
                (false, false) => "fail: the copy's security group had rules".to_string(),
                (false, true) => "pass".to_string(),
            },
        ),
    ]);

    // Nothing of the drill stays (the record above is kept should this fail).
    remove_copy(rctx, &name, limit).await?;
    p.components.remove(INSTANCE);
    remove_group(rctx, &sg, limit).await?;
    p.components.remove(SECURITY_GROUP);
    p.posture
        .insert("cleaned_up".to_string(), "pass".to_string());
    Ok(())
}

/// Destroy: the record goes; anything a failed drill left (its copy, its group) is deleted.
pub async fn delete(ctx: &ProviderData, s: &mut State, limit: Duration) -> Result<(), AwsError> {
    if let Some(arn) = s.components.get(INSTANCE).cloned() {
        if let Some((region, id)) = arn_parts(&arn) {
            let remote = there(ctx, region);
            remove_copy(remote.as_deref().unwrap_or(ctx), id, limit).await?;
        }
        s.components.remove(INSTANCE);
    }
    if let Some(arn) = s.components.get(SECURITY_GROUP).cloned() {
        if let Some((region, id)) = arn_parts(&arn) {
            let remote = there(ctx, region);
            remove_group(remote.as_deref().unwrap_or(ctx), id, limit).await?;
        }
        s.components.remove(SECURITY_GROUP);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_is_named_after_the_database_and_the_time_within_rds_limits() {
        let at = time::macros::datetime!(2026-12-07 17:05:09 UTC);
        struct Case {
            name: &'static str,
            database: String,
            want: String,
        }
        let long = "a".repeat(60);
        let cases = [
            Case {
                name: "a usual name",
                database: "ledger-production".into(),
                want: "ledger-production-drill-20261207170509".into(),
            },
            Case {
                name: "a long name is shortened to 63 characters",
                database: long.clone(),
                want: format!("{}-drill-20261207170509", &long[..42]),
            },
            Case {
                name: "no hyphen left before the suffix",
                database: format!("{}-bb", "a".repeat(41)),
                want: format!("{}-drill-20261207170509", "a".repeat(41)),
            },
        ];
        for c in &cases {
            let got = drill_name(&c.database, at);
            assert_eq!(got, c.want, "{}", c.name);
            assert!(got.len() <= 63, "{}", c.name);
        }
    }

    #[test]
    fn recorded_objects_are_found_again_by_region_and_id() {
        assert_eq!(
            arn_parts("arn:aws:rds:us-west-2:123456789012:db:ledger-drill-1"),
            Some(("us-west-2", "ledger-drill-1"))
        );
        assert_eq!(
            arn_parts("arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc"),
            Some(("us-east-1", "sg-0abc"))
        );
        assert_eq!(arn_parts("sg-0abc"), None);
    }

    #[test]
    fn the_rto_judged_is_the_one_the_database_records_else_its_profiles() {
        struct Case {
            name: &'static str,
            tags: &'static [(&'static str, &'static str)],
            want: Option<i64>,
        }
        let cases = [
            Case {
                name: "recorded",
                tags: &[
                    ("prod:rto_seconds", "3600"),
                    ("prod:environment", "production"),
                ],
                want: Some(3600),
            },
            Case {
                name: "a production database from before the tag",
                tags: &[("prod:environment", "production")],
                want: Some(900),
            },
            Case {
                name: "a staging database declares none",
                tags: &[("prod:environment", "staging")],
                want: None,
            },
            Case {
                name: "nothing to go by",
                tags: &[],
                want: None,
            },
        ];
        for c in &cases {
            let tags: BTreeMap<String, String> = c
                .tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            assert_eq!(rto_of(&tags), c.want, "{}", c.name);
        }
    }
}
