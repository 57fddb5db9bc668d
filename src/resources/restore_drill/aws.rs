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

/// The DB instance `id` as RDS describes it; `None` when there is none.
async fn instance(
    ctx: &ProviderData,
    id: &str,
) -> Result<Option<aws_sdk_rds::types::DbInstance>, AwsError> {
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
        .and_then(|l| l.into_iter().next()))
}

/// The database's primary `id`; `None` when there is none.
pub async fn source(ctx: &ProviderData, id: &str) -> Result<Option<Source>, AwsError> {
    let Some(i) = instance(ctx, id).await? else {
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
    Ok(instance(ctx, id)
        .await?
        .map(|i| {
            (
                i.db_instance_status.unwrap_or_default(),
                i.publicly_accessible.unwrap_or(false),
            )
        })
        .filter(|(s, _)| s != "deleted"))
}

/// Deletes the copy: no final snapshot, no backups kept (it is a copy). One gone is not an
/// error; `Ok(false)` when RDS cannot delete it yet (it is modifying, backing up: try again).
pub async fn delete_copy(ctx: &ProviderData, id: &str) -> Result<bool, AwsError> {
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
        Err(e) if e.is_not_found() => Ok(true),
        Err(e) if e.code() == Some("InvalidDBInstanceState") => Ok(false),
        other => other.map(|_| true),
    }
}

/// A point in time from `restore_time` (RFC 3339, any offset).
pub fn time_of(s: &str) -> Result<DateTime, AwsError> {
    let t = super::validate::parse_time(s)
        .ok_or_else(|| invalid(format!("restore_time {s:?} is not an RFC 3339 time")))?;
    Ok(DateTime::from_secs(t.unix_timestamp()))
}

/// Whether `id` is an Aurora cluster (whose drills this version does not make).
pub async fn is_cluster(ctx: &ProviderData, id: &str) -> Result<bool, AwsError> {
    let out = found(
        ctx.call(
            C,
            ctx.rds()
                .describe_db_clusters()
                .db_cluster_identifier(id)
                .send(),
        )
        .await,
    )?;
    Ok(out
        .and_then(|o| o.db_clusters)
        .is_some_and(|l| !l.is_empty()))
}

/// Revokes a new group's default rule out (all traffic to anywhere): the copy talks to no one.
pub async fn revoke_default_egress(ctx: &ProviderData, sg: &str) -> Result<(), AwsError> {
    let all = aws_sdk_ec2::types::IpPermission::builder()
        .ip_protocol("-1")
        .ip_ranges(
            aws_sdk_ec2::types::IpRange::builder()
                .cidr_ip("0.0.0.0/0")
                .build(),
        )
        .build();
    let what = format!("security group {sg}");
    let revoked = crate::provider::retry::settle(ctx, &what, || {
        ctx.call(
            &what,
            ctx.ec2()
                .revoke_security_group_egress()
                .group_id(sg)
                .ip_permissions(all.clone())
                .send(),
        )
    })
    .await;
    match revoked {
        Err(e) if e.code() == Some("InvalidPermission.NotFound") => Ok(()),
        other => other.map(|_| ()),
    }
}
