//! The calls a drill makes, in the database's region or (with `region`) in its second region:
//! what is restored from, the restore, the copy's status and delete.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::Filter;
use aws_smithy_types::date_time::Format;
use aws_smithy_types::DateTime;

use crate::provider::error::{found, AwsError};
use crate::provider::ProviderData;

const C: &str = "db restore drill";

fn invalid(message: impl Into<String>) -> AwsError {
    AwsError::Invalid {
        component: C.into(),
        message: message.into(),
    }
}

/// A time as RDS reports it, in RFC 3339.
pub fn rfc3339(t: &DateTime) -> String {
    t.fmt(Format::DateTime).unwrap_or_default()
}

/// The database drilled, as its own region describes it.
pub struct Source {
    pub arn: String,
    pub aurora: bool,
    pub subnet_group: Option<String>,
    pub vpc: Option<String>,
    pub latest_restorable: Option<DateTime>,
    pub tags: BTreeMap<String, String>,
}

/// The database's primary `id`; `None` when there is none.
pub async fn source(ctx: &ProviderData, id: &str) -> Result<Option<Source>, AwsError> {
    let out = found(
        ctx.call(
            C,
            ctx.rds()
                .describe_db_instances()
                .db_instance_identifier(id)
                .send(),
        )
        .await,
    )?;
    let Some(i) = out
        .and_then(|o| o.db_instances)
        .and_then(|l| l.into_iter().next())
    else {
        return Ok(None);
    };
    Ok(Some(Source {
        arn: i.db_instance_arn.unwrap_or_default(),
        aurora: i.db_cluster_identifier.is_some(),
        subnet_group: i
            .db_subnet_group
            .as_ref()
            .and_then(|g| g.db_subnet_group_name.clone()),
        vpc: i.db_subnet_group.and_then(|g| g.vpc_id),
        latest_restorable: i.latest_restorable_time,
        tags: i
            .tag_list
            .unwrap_or_default()
            .into_iter()
            .filter_map(|t| Some((t.key?, t.value?)))
            .collect(),
    }))
}

/// The backups of `source_arn` replicated to `remote`: their ARN and latest restorable time
/// (`None` while the first copy is still being made). The running replication first.
pub async fn replicated(
    remote: &ProviderData,
    id: &str,
    source_arn: &str,
) -> Result<Option<(String, Option<DateTime>)>, AwsError> {
    let out = found(
        remote
            .call(
                C,
                remote
                    .rds()
                    .describe_db_instance_automated_backups()
                    .db_instance_identifier(id)
                    .send(),
            )
            .await,
    )?;
    let mut backups: Vec<_> = out
        .and_then(|o| o.db_instance_automated_backups)
        .unwrap_or_default()
        .into_iter()
        .filter(|b| b.db_instance_arn.as_deref() == Some(source_arn))
        .collect();
    backups.sort_by_key(|b| {
        !b.status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("replicating"))
    });
    Ok(backups.into_iter().next().and_then(|b| {
        let latest = b.restore_window.and_then(|w| w.latest_time);
        b.db_instance_automated_backups_arn.map(|a| (a, latest))
    }))
}

/// The region's default VPC (where a restore without a subnet group goes).
pub async fn default_vpc(remote: &ProviderData) -> Result<Option<String>, AwsError> {
    let out = remote
        .call(
            "default vpc",
            remote
                .ec2()
                .describe_vpcs()
                .filters(Filter::builder().name("is-default").values("true").build())
                .send(),
        )
        .await?;
    Ok(out
        .vpcs
        .unwrap_or_default()
        .into_iter()
        .find_map(|v| v.vpc_id))
}

/// Where the copy is restored from.
pub enum From<'a> {
    /// The database itself, in its region.
    Instance(&'a str),
    /// Its backups replicated to the region of the call.
    Replicated(&'a str),
}

pub struct Restore<'a> {
    pub target: &'a str,
    pub from: From<'a>,
    /// `None`: the latest restorable time.
    pub time: Option<DateTime>,
    pub subnet_group: Option<&'a str>,
    pub security_group: &'a str,
    pub tags: &'a BTreeMap<String, String>,
}

/// RestoreDBInstanceToPointInTime into a single-AZ, private, unprotected copy.
pub async fn restore(ctx: &ProviderData, r: &Restore<'_>) -> Result<(), AwsError> {
    let mut b = ctx
        .rds()
        .restore_db_instance_to_point_in_time()
        .target_db_instance_identifier(r.target)
        .multi_az(false)
        .publicly_accessible(false)
        .deletion_protection(false)
        .vpc_security_group_ids(r.security_group)
        .set_db_subnet_group_name(r.subnet_group.map(str::to_string))
        .set_tags(Some(crate::provider::tags::rds(r.tags)));
    b = match r.from {
        From::Instance(id) => b.source_db_instance_identifier(id),
        From::Replicated(arn) => b.source_db_instance_automated_backups_arn(arn),
    };
    b = match r.time {
        Some(t) => b.restore_time(t),
        None => b.use_latest_restorable_time(true),
    };
    ctx.call(C, b.send()).await.map(|_| ())
}

/// The copy's status and whether it is publicly accessible; `None` once it is gone.
pub async fn copy(ctx: &ProviderData, id: &str) -> Result<Option<(String, bool)>, AwsError> {
    let out = found(
        ctx.call(
            C,
            ctx.rds()
                .describe_db_instances()
                .db_instance_identifier(id)
                .send(),
        )
        .await,
    )?;
    Ok(out
        .and_then(|o| o.db_instances)
        .and_then(|l| l.into_iter().next())
        .map(|i| {
            (
                i.db_instance_status.unwrap_or_default(),
                i.publicly_accessible.unwrap_or(false),
            )
        })
        .filter(|(s, _)| s != "deleted"))
}

/// Deletes the copy: no final snapshot, no backups kept (it is a copy). One already going or
/// gone is not an error.
pub async fn delete_copy(ctx: &ProviderData, id: &str) -> Result<(), AwsError> {
    match ctx
        .call(
            C,
            ctx.rds()
                .delete_db_instance()
                .db_instance_identifier(id)
                .skip_final_snapshot(true)
                .delete_automated_backups(true)
                .send(),
        )
        .await
    {
        Err(e) if e.is_not_found() || e.code() == Some("InvalidDBInstanceState") => Ok(()),
        other => other.map(|_| ()),
    }
}

/// A point in time from `restore_time`.
pub fn time_of(s: &str) -> Result<DateTime, AwsError> {
    DateTime::from_str(s, Format::DateTime)
        .map_err(|_| invalid(format!("restore_time {s:?} is not an RFC 3339 time")))
}
