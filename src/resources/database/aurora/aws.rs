//! Aurora's own SDK calls: the cluster as AWS reports it, waits on it, and its instances.

use std::time::Duration;

use aws_sdk_rds::types::{DbCluster, Filter};

use super::super::aws::{self as api, Tags};
use super::super::blueprint as bp;
use super::super::reconcile::Desired;
use crate::framework::wait::{log_one, wait_until, Backoff};
use crate::provider::error::{found, AwsError};
use crate::provider::ProviderData;

pub(super) fn invalid(component: &str, message: impl Into<String>) -> AwsError {
    AwsError::Invalid {
        component: component.to_string(),
        message: message.into(),
    }
}

pub(super) use crate::provider::tags::rds as rds_tags;

/// A cluster as read.
#[derive(Clone, Debug, Default)]
pub struct Cluster {
    pub arn: String,
    pub engine: String,
    pub status: String,
    pub engine_version: String,
    pub endpoint: Option<String>,
    pub reader_endpoint: Option<String>,
    pub port: Option<i64>,
    pub encrypted: bool,
    pub kms_key: Option<String>,
    pub backup_retention_days: i64,
    pub backup_window: String,
    pub maintenance_window: String,
    pub deletion_protection: bool,
    pub copy_tags: bool,
    pub iam_auth: bool,
    pub log_exports: Vec<String>,
    pub parameter_group: Option<String>,
    pub security_groups: Vec<String>,
    pub subnet_group: Option<String>,
    pub master_secret_arn: Option<String>,
    pub master_username: String,
    pub tags: Tags,
}

pub(super) fn cluster_of(c: DbCluster) -> Cluster {
    Cluster {
        arn: c.db_cluster_arn.unwrap_or_default(),
        engine: c.engine.unwrap_or_default(),
        status: c.status.unwrap_or_default(),
        engine_version: c.engine_version.unwrap_or_default(),
        endpoint: c.endpoint,
        reader_endpoint: c.reader_endpoint,
        port: c.port.map(i64::from),
        encrypted: c.storage_encrypted.unwrap_or(false),
        kms_key: c.kms_key_id,
        backup_retention_days: c.backup_retention_period.unwrap_or_default() as i64,
        backup_window: c.preferred_backup_window.unwrap_or_default(),
        maintenance_window: c.preferred_maintenance_window.unwrap_or_default(),
        deletion_protection: c.deletion_protection.unwrap_or(false),
        copy_tags: c.copy_tags_to_snapshot.unwrap_or(false),
        iam_auth: c.iam_database_authentication_enabled.unwrap_or(false),
        log_exports: c.enabled_cloudwatch_logs_exports.unwrap_or_default(),
        parameter_group: c.db_cluster_parameter_group,
        security_groups: c
            .vpc_security_groups
            .unwrap_or_default()
            .into_iter()
            .filter_map(|g| g.vpc_security_group_id)
            .collect(),
        subnet_group: c.db_subnet_group,
        master_secret_arn: c.master_user_secret.and_then(|s| s.secret_arn),
        master_username: c.master_username.unwrap_or_default(),
        tags: c
            .tag_list
            .unwrap_or_default()
            .into_iter()
            .filter_map(|t| Some((t.key?, t.value?)))
            .collect(),
    }
}

/// Aurora cluster `name` as read, or `None` when there is none.
pub async fn cluster(ctx: &ProviderData, name: &str) -> Result<Option<Cluster>, AwsError> {
    Ok(found(
        ctx.call(
            &format!("db cluster {name}"),
            ctx.rds()
                .describe_db_clusters()
                .filters(Filter::builder().name("db-cluster-id").values(name).build())
                .send(),
        )
        .await,
    )?
    .and_then(|out| {
        out.db_clusters
            .unwrap_or_default()
            .into_iter()
            .find(|c| c.db_cluster_identifier.as_deref() == Some(name))
            .map(cluster_of)
            .filter(|c| c.status != "deleted")
    }))
}

pub(super) async fn wait_cluster(
    ctx: &ProviderData,
    name: &str,
    gone: bool,
    limit: Duration,
) -> Result<(), AwsError> {
    let what = format!(
        "db cluster {name} to be {}",
        if gone { "deleted" } else { "available" }
    );
    wait_until(
        &what,
        ctx.stop_token(),
        limit,
        Backoff::polling(),
        || async {
            let c = cluster(ctx, name).await?;
            let status = c.as_ref().map(|c| c.status.as_str());
            match (gone, status) {
                (true, None) | (false, Some("available")) => return Ok(Some(())),
                (false, Some(s)) if s == "failed" || s.starts_with("incompatible") => {
                    return Err(invalid(
                        &format!("db cluster {name}"),
                        format!("status {s}"),
                    ))
                }
                _ => log_one("db cluster", gone, name, status),
            }
            Ok(None)
        },
    )
    .await
    .map_err(|e| AwsError::from_wait("db cluster", e))
}

// ---- instances ----

pub(super) async fn create_instance(
    ctx: &ProviderData,
    id: &str,
    d: &Desired,
    zone: Option<&str>,
    monitoring_role: Option<&str>,
    key: &str,
) -> Result<api::Instance, AwsError> {
    let h = bp::hardening(d.environment);
    let c = format!("db instance {id}");
    // The monitoring role may be moments old: RDS may not be able to assume it yet.
    let out = crate::provider::retry::settle(ctx, &c, || {
        ctx.call(
            &c,
            ctx.rds()
                .create_db_instance()
                .db_instance_identifier(id)
                .db_cluster_identifier(&d.args.name)
                .engine(&d.args.engine)
                .db_instance_class(&d.args.instance_class)
                .set_availability_zone(zone.map(str::to_string))
                .enable_performance_insights(monitoring_role.is_some())
                .set_performance_insights_kms_key_id(monitoring_role.map(|_| key.to_string()))
                .monitoring_interval(if monitoring_role.is_some() {
                    bp::MONITORING_INTERVAL
                } else {
                    0
                })
                .set_monitoring_role_arn(monitoring_role.map(str::to_string))
                .auto_minor_version_upgrade(h.auto_minor_upgrade)
                .publicly_accessible(h.publicly_accessible)
                .copy_tags_to_snapshot(h.copy_tags_to_snapshot)
                .set_tags(Some(rds_tags(&d.tags)))
                .send(),
        )
    })
    .await?;
    let i = out
        .db_instance
        .ok_or_else(|| invalid(&c, "no instance returned"))?;
    Ok(
        api::instances(ctx, &[i.db_instance_identifier.unwrap_or_default()])
            .await?
            .into_iter()
            .next()
            .unwrap_or_default(),
    )
}
