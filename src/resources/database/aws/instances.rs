//! RDS instances: read in one filtered call, made (primary, read replica), modified, deleted.

use aws_sdk_rds::types::{CloudwatchLogsExportConfiguration, DbInstance, Filter};

use super::{invalid, rds_tags, Tags};
use crate::provider::error::{ok_if_missing, AwsError};
use crate::provider::ProviderData;

/// An instance as read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Instance {
    pub id: String,
    pub arn: String,
    pub status: String,
    pub engine_version: String,
    pub class: String,
    pub allocated_storage: i64,
    pub max_allocated_storage: Option<i64>,
    pub multi_az: bool,
    pub encrypted: bool,
    pub kms_key: Option<String>,
    pub backup_retention_days: i64,
    pub backup_window: String,
    pub maintenance_window: String,
    pub deletion_protection: bool,
    pub copy_tags: bool,
    pub iam_auth: bool,
    pub monitoring_interval: i32,
    pub auto_minor_upgrade: bool,
    pub public: bool,
    pub endpoint: Option<String>,
    pub port: Option<i64>,
    pub zone: Option<String>,
    pub parameter_group: Option<String>,
    pub log_exports: Vec<String>,
    /// The option group the instance is in (AWS's `default:<engine>-<major>` unless set).
    pub option_group: Option<String>,
    pub security_groups: Vec<String>,
    pub subnet_group: Option<String>,
    pub master_secret_arn: Option<String>,
    pub master_username: String,
    pub replica_of: Option<String>,
    pub replicas: Vec<String>,
    /// The ARNs of its automated backups replicated to other regions, while replication runs.
    pub backup_replications: Vec<String>,
    pub tags: Tags,
}

/// An instance as the SDK describes it, read into [`Instance`].
fn instance(i: DbInstance) -> Instance {
    let pending = i.pending_modified_values.clone();
    Instance {
        id: i.db_instance_identifier.unwrap_or_default(),
        arn: i.db_instance_arn.unwrap_or_default(),
        status: i.db_instance_status.unwrap_or_default(),
        engine_version: i.engine_version.unwrap_or_default(),
        // A change AWS holds as pending is reported as it will be (contract rule 11).
        class: pending
            .as_ref()
            .and_then(|p| p.db_instance_class.clone())
            .or(i.db_instance_class)
            .unwrap_or_default(),
        allocated_storage: pending
            .as_ref()
            .and_then(|p| p.allocated_storage)
            .or(i.allocated_storage)
            .unwrap_or_default() as i64,
        max_allocated_storage: i.max_allocated_storage.map(i64::from),
        multi_az: pending
            .as_ref()
            .and_then(|p| p.multi_az)
            .or(i.multi_az)
            .unwrap_or(false),
        encrypted: i.storage_encrypted.unwrap_or(false),
        kms_key: i.kms_key_id,
        backup_retention_days: pending
            .as_ref()
            .and_then(|p| p.backup_retention_period)
            .or(i.backup_retention_period)
            .unwrap_or_default() as i64,
        backup_window: i.preferred_backup_window.unwrap_or_default(),
        maintenance_window: i.preferred_maintenance_window.unwrap_or_default(),
        deletion_protection: i.deletion_protection.unwrap_or(false),
        copy_tags: i.copy_tags_to_snapshot.unwrap_or(false),
        iam_auth: i.iam_database_authentication_enabled.unwrap_or(false),
        monitoring_interval: i.monitoring_interval.unwrap_or_default(),
        log_exports: i.enabled_cloudwatch_logs_exports.unwrap_or_default(),
        auto_minor_upgrade: i.auto_minor_version_upgrade.unwrap_or(false),
        public: i.publicly_accessible.unwrap_or(false),
        endpoint: i.endpoint.as_ref().and_then(|e| e.address.clone()),
        port: i.endpoint.as_ref().and_then(|e| e.port).map(i64::from),
        zone: i.availability_zone,
        parameter_group: i
            .db_parameter_groups
            .unwrap_or_default()
            .into_iter()
            .find_map(|g| g.db_parameter_group_name),
        option_group: i
            .option_group_memberships
            .unwrap_or_default()
            .into_iter()
            .find_map(|g| g.option_group_name),
        security_groups: i
            .vpc_security_groups
            .unwrap_or_default()
            .into_iter()
            .filter_map(|g| g.vpc_security_group_id)
            .collect(),
        subnet_group: i.db_subnet_group.and_then(|g| g.db_subnet_group_name),
        master_secret_arn: i.master_user_secret.and_then(|s| s.secret_arn),
        master_username: i.master_username.unwrap_or_default(),
        replica_of: i.read_replica_source_db_instance_identifier,
        replicas: i.read_replica_db_instance_identifiers.unwrap_or_default(),
        backup_replications: i
            .db_instance_automated_backups_replications
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| r.db_instance_automated_backups_arn)
            .collect(),
        tags: i
            .tag_list
            .unwrap_or_default()
            .into_iter()
            .filter_map(|t| Some((t.key?, t.value?)))
            .collect(),
    }
}

/// The instances named, in one filtered call (absent ones are simply not returned).
pub async fn instances(ctx: &ProviderData, ids: &[String]) -> Result<Vec<Instance>, AwsError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let out = ctx
        .call(
            "db instances",
            ctx.rds()
                .describe_db_instances()
                .filters(
                    Filter::builder()
                        .name("db-instance-id")
                        .set_values(Some(ids.to_vec()))
                        .build(),
                )
                .send(),
        )
        .await?;
    Ok(out
        .db_instances
        .unwrap_or_default()
        .into_iter()
        .map(instance)
        .filter(|i| i.status != "deleted")
        .collect())
}

/// The monitoring settings both create calls take (their builders differ, the settings do not):
/// Performance Insights under the key, and enhanced monitoring with the role, where the profile
/// monitors.
macro_rules! with_monitoring {
    ($builder:expr, $s:expr) => {
        $builder
            .enable_performance_insights($s.monitoring_role.is_some())
            .set_performance_insights_kms_key_id($s.monitoring_role.map(|_| $s.kms_key.to_string()))
            .monitoring_interval(if $s.monitoring_role.is_some() {
                crate::resources::database::blueprint::MONITORING_INTERVAL
            } else {
                0
            })
            .set_monitoring_role_arn($s.monitoring_role.map(str::to_string))
    };
}

/// What a primary and a replica are created with alike: identity, class, key, guard, the
/// blueprint's hardening, monitoring, parameter and security groups, tags.
macro_rules! instance_settings {
    ($builder:expr, $s:expr, $tags:expr) => {
        with_monitoring!($builder, $s)
            .db_instance_identifier($s.id)
            .db_instance_class($s.class)
            .kms_key_id($s.kms_key)
            .deletion_protection($s.deletion_protection)
            .copy_tags_to_snapshot($s.hardening.copy_tags_to_snapshot)
            .enable_iam_database_authentication($s.hardening.iam_auth)
            .auto_minor_version_upgrade($s.hardening.auto_minor_upgrade)
            .publicly_accessible($s.hardening.publicly_accessible)
            .db_parameter_group_name($s.parameter_group)
            .set_option_group_name($s.option_group.map(str::to_string))
            .vpc_security_group_ids($s.security_group)
            .set_tags(Some(rds_tags($tags)))
    };
}

/// Makes instance `id` with `send` (one create call answering with the instance), retried while
/// RDS cannot assume a monitoring role moments old yet.
async fn create<F, Fut, E>(ctx: &ProviderData, id: &str, send: F) -> Result<Instance, AwsError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<Option<DbInstance>, E>>,
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    let c = format!("db instance {id}");
    let made = crate::provider::retry::settle(ctx, &c, || ctx.call(&c, send())).await?;
    made.map(instance)
        .ok_or_else(|| invalid(&c, "no instance returned"))
}

/// Everything a primary is made with.
pub struct PrimarySpec<'a> {
    pub hardening: crate::resources::database::blueprint::Hardening,
    pub id: &'a str,
    pub engine: &'a str,
    pub engine_version: &'a str,
    pub class: &'a str,
    pub allocated_storage: i64,
    pub max_allocated_storage: i64,
    pub master_username: &'a str,
    pub kms_key: &'a str,
    pub multi_az: bool,
    pub backup_retention_days: i64,
    pub backup_window: &'a str,
    pub maintenance_window: &'a str,
    pub deletion_protection: bool,
    pub monitoring_role: Option<&'a str>,
    pub log_exports: Vec<String>,
    pub parameter_group: &'a str,
    /// The option group (RDS MySQL's audit plugin); `None`: AWS's default.
    pub option_group: Option<&'a str>,
    pub subnet_group: &'a str,
    pub security_group: &'a str,
    pub port: i64,
}

/// Creates the primary instance `s`, tagged `tags`.
pub async fn create_primary(
    ctx: &ProviderData,
    s: &PrimarySpec<'_>,
    tags: &Tags,
) -> Result<Instance, AwsError> {
    create(ctx, s.id, || async {
        let made = instance_settings!(ctx.rds().create_db_instance(), s, tags)
            .engine(s.engine)
            .engine_version(s.engine_version)
            .allocated_storage(s.allocated_storage as i32)
            .max_allocated_storage(s.max_allocated_storage as i32)
            .storage_type(s.hardening.storage_type)
            .master_username(s.master_username)
            .manage_master_user_password(s.hardening.managed_master_password)
            .master_user_secret_kms_key_id(s.kms_key)
            .storage_encrypted(s.hardening.storage_encrypted)
            .multi_az(s.multi_az)
            .backup_retention_period(s.backup_retention_days as i32)
            .preferred_backup_window(s.backup_window)
            .preferred_maintenance_window(s.maintenance_window)
            .set_enable_cloudwatch_logs_exports(Some(s.log_exports.clone()))
            .db_subnet_group_name(s.subnet_group)
            .port(s.port as i32)
            .send()
            .await;
        made.map(|out| out.db_instance)
    })
    .await
}

pub struct ReplicaSpec<'a> {
    pub hardening: crate::resources::database::blueprint::Hardening,
    pub id: &'a str,
    pub source: &'a str,
    pub class: &'a str,
    pub zone: Option<&'a str>,
    pub kms_key: &'a str,
    pub deletion_protection: bool,
    pub monitoring_role: Option<&'a str>,
    pub parameter_group: &'a str,
    pub option_group: Option<&'a str>,
    pub log_exports: Vec<String>,
    pub security_group: &'a str,
    pub port: i64,
}

/// Creates read replica `s` of its source, tagged `tags`.
pub async fn create_replica(
    ctx: &ProviderData,
    s: &ReplicaSpec<'_>,
    tags: &Tags,
) -> Result<Instance, AwsError> {
    create(ctx, s.id, || async {
        let made = instance_settings!(ctx.rds().create_db_instance_read_replica(), s, tags)
            .source_db_instance_identifier(s.source)
            .set_enable_cloudwatch_logs_exports(Some(s.log_exports.clone()))
            .port(s.port as i32)
            .set_availability_zone(s.zone.map(str::to_string))
            .send()
            .await;
        made.map(|out| out.db_instance)
    })
    .await
}

/// The settings a modify may change; `None` leaves one as it is. Applied immediately.
#[derive(Default)]
pub struct Changes {
    pub class: Option<String>,
    pub allocated_storage: Option<i64>,
    pub max_allocated_storage: Option<i64>,
    pub multi_az: Option<bool>,
    pub backup_retention_days: Option<i64>,
    pub backup_window: Option<String>,
    pub maintenance_window: Option<String>,
    pub deletion_protection: Option<bool>,
    pub monitoring_role: Option<Option<String>>,
    pub option_group: Option<String>,
    pub engine_version: Option<String>,
    pub parameter_group: Option<String>,
    pub security_group: Option<String>,
    pub log_exports: Option<(Vec<String>, Vec<String>)>,
    pub copy_tags: Option<bool>,
    pub iam_auth: Option<bool>,
    pub auto_minor_upgrade: Option<bool>,
    pub public: Option<bool>,
    /// Moves the instance to this port (RDS restarts it).
    pub port: Option<i64>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.class.is_none()
            && self.allocated_storage.is_none()
            && self.max_allocated_storage.is_none()
            && self.multi_az.is_none()
            && self.backup_retention_days.is_none()
            && self.backup_window.is_none()
            && self.maintenance_window.is_none()
            && self.deletion_protection.is_none()
            && self.engine_version.is_none()
            && self.parameter_group.is_none()
            && self.option_group.is_none()
            && self.security_group.is_none()
            && self.monitoring_role.is_none()
            && self.log_exports.is_none()
            && self.copy_tags.is_none()
            && self.iam_auth.is_none()
            && self.auto_minor_upgrade.is_none()
            && self.public.is_none()
            && self.port.is_none()
    }
}

/// Applies `ch` to instance `id` at once.
pub async fn modify(ctx: &ProviderData, id: &str, ch: &Changes) -> Result<(), AwsError> {
    if ch.is_empty() {
        return Ok(());
    }
    let mut req = ctx
        .rds()
        .modify_db_instance()
        .db_instance_identifier(id)
        .apply_immediately(true)
        .set_db_instance_class(ch.class.clone())
        .set_allocated_storage(ch.allocated_storage.map(|v| v as i32))
        .set_max_allocated_storage(ch.max_allocated_storage.map(|v| v as i32))
        .set_multi_az(ch.multi_az)
        .set_backup_retention_period(ch.backup_retention_days.map(|v| v as i32))
        .set_preferred_backup_window(ch.backup_window.clone())
        .set_preferred_maintenance_window(ch.maintenance_window.clone())
        .set_deletion_protection(ch.deletion_protection)
        .set_db_parameter_group_name(ch.parameter_group.clone())
        .set_option_group_name(ch.option_group.clone())
        .set_vpc_security_group_ids(ch.security_group.clone().map(|g| vec![g]))
        .set_copy_tags_to_snapshot(ch.copy_tags)
        .set_enable_iam_database_authentication(ch.iam_auth)
        .set_auto_minor_version_upgrade(ch.auto_minor_upgrade)
        .set_publicly_accessible(ch.public)
        .set_db_port_number(ch.port.map(|v| v as i32));
    if let Some(v) = &ch.engine_version {
        req = req.engine_version(v).allow_major_version_upgrade(true);
    }
    if let Some(role) = &ch.monitoring_role {
        req = match role {
            Some(r) => req
                .monitoring_interval(crate::resources::database::blueprint::MONITORING_INTERVAL)
                .monitoring_role_arn(r),
            None => req.monitoring_interval(0),
        };
    }
    if let Some((enable, disable)) = &ch.log_exports {
        req = req.cloudwatch_logs_export_configuration(
            CloudwatchLogsExportConfiguration::builder()
                .set_enable_log_types(Some(enable.clone()))
                .set_disable_log_types(Some(disable.clone()))
                .build(),
        );
    }
    ctx.call(&format!("db instance {id}"), req.send())
        .await
        .map(|_| ())
}

/// Deletes an instance: with a final snapshot when one is named, otherwise without; its automated
/// backups kept (until their retention ends) when `retain_backups`.
pub async fn delete_instance(
    ctx: &ProviderData,
    id: &str,
    final_snapshot: Option<&str>,
    retain_backups: bool,
) -> Result<(), AwsError> {
    let r = ctx
        .call(
            &format!("db instance {id}"),
            ctx.rds()
                .delete_db_instance()
                .db_instance_identifier(id)
                .skip_final_snapshot(final_snapshot.is_none())
                .set_final_db_snapshot_identifier(final_snapshot.map(str::to_string))
                .delete_automated_backups(!retain_backups)
                .send(),
        )
        .await;
    match r {
        Err(e)
            if e.code() == Some("InvalidDBInstanceState")
                && e.to_string().contains("already being deleted") =>
        {
            Ok(())
        }
        other => ok_if_missing(other.map(|_| ())),
    }
}
