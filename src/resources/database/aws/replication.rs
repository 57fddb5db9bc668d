//! Cross-region automated-backup replication: each call is made in the second region (`remote`,
//! from `ProviderData::in_region`), where the replicated backups live.

use aws_sdk_rds::types::DbInstanceAutomatedBackup;

use crate::provider::error::AwsError;
use crate::provider::ProviderData;

const C: &str = "db backup replication";

/// An automated backup as the second region describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replicated {
    pub arn: String,
    /// The source instance's ARN.
    pub source_arn: String,
    /// `pending` and `replicating` while replication runs; `retained` once it stopped or the
    /// source was deleted.
    pub status: String,
    pub retention_days: i64,
    pub kms_key: Option<String>,
}

impl Replicated {
    /// Replication runs: new backups and logs reach the second region.
    pub fn running(&self) -> bool {
        // AWS has spelt statuses in both cases over the years.
        ["pending", "replicating"]
            .iter()
            .any(|s| self.status.eq_ignore_ascii_case(s))
    }
}

fn replicated(b: DbInstanceAutomatedBackup) -> Replicated {
    Replicated {
        arn: b.db_instance_automated_backups_arn.unwrap_or_default(),
        source_arn: b.db_instance_arn.unwrap_or_default(),
        status: b.status.unwrap_or_default(),
        retention_days: b.backup_retention_period.map_or(0, i64::from),
        kms_key: b.kms_key_id,
    }
}

/// The automated backups of instance `id` in `remote`: those replicated there (running or
/// retained). A region with none answers an empty list.
pub async fn replicated_backups(
    remote: &ProviderData,
    id: &str,
) -> Result<Vec<Replicated>, AwsError> {
    let out = remote
        .call(
            C,
            remote
                .rds()
                .describe_db_instance_automated_backups()
                .db_instance_identifier(id)
                .send(),
        )
        .await;
    match out {
        Ok(o) => Ok(o
            .db_instance_automated_backups
            .unwrap_or_default()
            .into_iter()
            .map(replicated)
            .collect()),
        Err(e) if e.is_not_found() => Ok(vec![]),
        Err(e) => Err(e),
    }
}

/// Starts replicating `source_arn`'s automated backups to `remote`, kept `days`, encrypted with
/// `key` (a key of `remote`).
pub async fn start_replication(
    remote: &ProviderData,
    source_arn: &str,
    days: i64,
    key: &str,
) -> Result<Replicated, AwsError> {
    let out = remote
        .call(
            C,
            remote
                .rds()
                .start_db_instance_automated_backups_replication()
                .source_db_instance_arn(source_arn)
                .backup_retention_period(i32::try_from(days).unwrap_or(i32::MAX))
                .kms_key_id(key)
                .send(),
        )
        .await?;
    out.db_instance_automated_backup
        .map(replicated)
        .ok_or_else(|| AwsError::Invalid {
            component: C.into(),
            message: "StartDBInstanceAutomatedBackupsReplication returned no automated backup"
                .into(),
        })
}

/// AWS's answer to a stop where nothing replicates to the region: InvalidDBInstanceState, "… is
/// not replicating to the current region".
fn nothing_to_stop(e: &AwsError) -> bool {
    e.is_not_found()
        || matches!(e, AwsError::Api { code, message, .. }
            if code == "InvalidDBInstanceState" && message.contains("not replicating"))
}

/// Stops replicating `source_arn`'s backups to `remote` (those replicated are retained there for
/// their retention). Nothing to stop is not an error.
pub async fn stop_replication(remote: &ProviderData, source_arn: &str) -> Result<(), AwsError> {
    match remote
        .call(
            C,
            remote
                .rds()
                .stop_db_instance_automated_backups_replication()
                .source_db_instance_arn(source_arn)
                .send(),
        )
        .await
    {
        Err(e) if !nothing_to_stop(&e) => Err(e),
        _ => Ok(()),
    }
}

/// Deletes a retained replicated backup `arn` in `remote`; one already gone is not an error.
pub async fn delete_replicated(remote: &ProviderData, arn: &str) -> Result<(), AwsError> {
    match remote
        .call(
            C,
            remote
                .rds()
                .delete_db_instance_automated_backup()
                .db_instance_automated_backups_arn(arn)
                .send(),
        )
        .await
    {
        Err(e) if !e.is_not_found() => Err(e),
        _ => Ok(()),
    }
}
