//! The database blueprint: names, engine facts, hardened parameters, policies and the posture, as
//! pure functions of (configuration, profile, place).

use serde_json::json;

use crate::provider::aws::{partition, Place};
use crate::provider::profile::Environment;
use crate::provider::{kms, tags};
use crate::resources::datastore::recovery as rec;

mod audit;
mod logs;
mod parameters;
mod posture;
pub use audit::*;
pub use logs::*;
pub use parameters::*;
pub use posture::*;

pub const PASS: &str = "pass";
pub const DEFAULT_BACKUP_WINDOW: &str = "02:00-03:00";
pub const DEFAULT_MAINTENANCE_WINDOW: &str = "sun:03:30-sun:04:30";
pub const DEFAULT_MASTER_USERNAME: &str = "app_admin";
pub const MONITORING_INTERVAL: i32 = 60;

/// The settings every instance and Aurora cluster gets, in every profile: decided here, where the
/// blueprint's tests see them; `aws.rs` and `aurora.rs` only pass them to the SDK.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hardening {
    /// EBS volume type of RDS instances (Aurora manages its own storage).
    pub storage_type: &'static str,
    pub storage_encrypted: bool,
    /// The master password generated and kept by RDS in Secrets Manager, never in state.
    pub managed_master_password: bool,
    pub copy_tags_to_snapshot: bool,
    pub iam_auth: bool,
    pub auto_minor_upgrade: bool,
    pub publicly_accessible: bool,
}

/// The hardening of `env`'s databases (the same in every profile: no profile relaxes these).
pub fn hardening(_env: Environment) -> Hardening {
    Hardening {
        storage_type: "gp3",
        storage_encrypted: true,
        managed_master_password: true,
        copy_tags_to_snapshot: true,
        iam_auth: true,
        auto_minor_upgrade: true,
        publicly_accessible: false,
    }
}
/// Names engines give their built-in administrator; a custom one is RDS.25 (Aurora: RDS.24).
pub const DEFAULT_ADMIN_NAMES: [&str; 4] = ["admin", "postgres", "root", "rdsadmin"];

/// The Security Hub control that checks each setting on the object at hand: RDS DB instances and
/// Aurora DB clusters have controls of their own
/// (<https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html>). RDS.2, RDS.6
/// and RDS.18 check every instance, Aurora's too. Aurora clusters have no automatic-backups control
/// (RDS.11 is the instances'), so their retention is reported as the pseudo-control `backups`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ControlIds {
    pub encrypted: &'static str,
    pub multi_az: &'static str,
    pub deletion_protection: &'static str,
    pub iam_auth: &'static str,
    pub minor_upgrade: &'static str,
    pub copy_tags: &'static str,
    pub admin_name: &'static str,
    pub backups: &'static str,
    pub log_exports: &'static str,
}

pub fn control_ids(engine: &str) -> ControlIds {
    if is_aurora(engine) {
        ControlIds {
            encrypted: "RDS.27",
            multi_az: "RDS.15",
            deletion_protection: "RDS.7",
            iam_auth: "RDS.12",
            minor_upgrade: "RDS.35",
            copy_tags: "RDS.16",
            admin_name: "RDS.24",
            backups: "backups",
            // Aurora MySQL's audit logs (RDS.34); Aurora PostgreSQL's logs (RDS.37).
            log_exports: if is_postgres(engine) {
                "RDS.37"
            } else {
                "RDS.34"
            },
        }
    } else {
        ControlIds {
            encrypted: "RDS.3",
            multi_az: "RDS.5",
            deletion_protection: "RDS.8",
            iam_auth: "RDS.10",
            minor_upgrade: "RDS.13",
            copy_tags: "RDS.17",
            admin_name: "RDS.25",
            backups: "RDS.11",
            log_exports: "RDS.9",
        }
    }
}

/// Every control the posture of a database of `engine` reports (`KMS.4` only for its own key).
pub fn controls(engine: &str) -> Vec<&'static str> {
    let c = control_ids(engine);
    let mut all = vec![
        "CloudWatch.16",
        "KMS.4",
        "RDS.2",
        "audit",
        "recovery",
        "RDS.6",
        "RDS.18",
        "RDS.23",
        "TLS",
        "ingress",
        "master_secret",
        c.encrypted,
        c.multi_az,
        c.deletion_protection,
        c.iam_auth,
        c.minor_upgrade,
        c.copy_tags,
        c.admin_name,
        c.backups,
        c.log_exports,
    ];
    all.sort_unstable();
    all
}

pub fn is_aurora(engine: &str) -> bool {
    engine.starts_with("aurora-")
}
pub fn is_postgres(engine: &str) -> bool {
    engine.ends_with("postgres") || engine.ends_with("postgresql")
}
/// The engine's own (well-known) port.
pub fn port(engine: &str) -> i64 {
    if is_postgres(engine) {
        5432
    } else {
        3306
    }
}
/// The ports RDS lets a database listen on.
pub const PORTS: (i64, i64) = (1150, 65535);
/// The port a new database of `engine` gets in `env`: the engine's own in development, the next
/// one up elsewhere (RDS.23: not the port scanners try first).
pub fn default_port(engine: &str, env: Environment) -> i64 {
    match env {
        Environment::Development => port(engine),
        Environment::Staging | Environment::Production => port(engine) + 1,
    }
}
/// The port `args` plans (every planned database has one; the engine's own otherwise).
pub fn port_of(args: &super::model::State) -> i64 {
    args.port.unwrap_or_else(|| port(&args.engine))
}
pub fn default_version(engine: &str) -> &'static str {
    if is_postgres(engine) {
        "16"
    } else {
        "8.0"
    }
}
/// The major version a pin names: `16` of `16.4`, `8.0` of `8.0.35`.
pub fn major(engine: &str, version: &str) -> String {
    let parts: Vec<&str> = version.split('.').collect();
    if is_postgres(engine) {
        parts.first().copied().unwrap_or_default().to_string()
    } else {
        parts.iter().take(2).copied().collect::<Vec<_>>().join(".")
    }
}
/// Does the running version satisfy the pin (a major, or a major.minor prefix)?
pub fn version_matches(pin: &str, actual: &str) -> bool {
    actual == pin || actual.starts_with(&format!("{pin}."))
}
/// Parameter group family: `postgres16`, `mysql8.0`.
pub fn family(engine: &str, version: &str) -> String {
    format!("{engine}{}", major(engine, version))
}

/// The most read replicas a database may have (`replicas`).
pub const MAX_REPLICAS: usize = 5;

pub fn replica_id(name: &str, n: usize) -> String {
    format!("{name}-replica-{n}")
}

/// Whether `id` is named as a replica is (`<name>-replica-<n>`).
pub fn is_replica_name(id: &str) -> bool {
    id.rsplit_once("-replica-").is_some_and(|(base, n)| {
        !base.is_empty() && !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())
    })
}
/// Aurora's writer instance (the cluster itself is `<name>`).
pub fn writer_id(name: &str) -> String {
    format!("{name}-writer")
}
pub fn sg_name(name: &str) -> String {
    format!("{name}-db")
}
pub fn alias_name(name: &str) -> String {
    format!("alias/{name}-db")
}
pub fn monitoring_role_name(name: &str) -> String {
    format!("{name}-rds-monitoring")
}
/// `<name>-<family>` with the family's dots as hyphens (`pay-mysql8-0`).
pub fn parameter_group_name(name: &str, engine: &str, version: &str) -> String {
    format!("{name}-{}", family(engine, version).replace('.', "-"))
}
/// Every parameter group name this database may have had across major versions (so that an old
/// one is removed without touching another database's groups).
pub fn parameter_group_names(name: &str, engine: &str) -> Vec<String> {
    let majors: Vec<String> = if is_postgres(engine) {
        (11..=20).map(|m| m.to_string()).collect()
    } else {
        ["5.7", "8.0", "8.4"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    majors
        .iter()
        .map(|m| parameter_group_name(name, engine, m))
        .collect()
}

/// `<name>-final-<UTC time>`: unique per destroy, so snapshots never collide.
pub fn final_snapshot_id(name: &str, now: time::OffsetDateTime) -> String {
    let f = time::macros::format_description!("[year][month][day]-[hour][minute][second]");
    format!("{name}-final-{}", now.format(&f).unwrap_or_default())
}

pub fn log_exports(engine: &str, audit: bool) -> Vec<String> {
    let l: &[&str] = match (is_aurora(engine), is_postgres(engine), audit) {
        (false, true, _) => &["postgresql", "upgrade"],
        (false, false, false) => &["error", "general", "slowquery"],
        (false, false, true) => &["audit", "error", "general", "slowquery"],
        (true, true, _) => &["postgresql"],
        (true, false, _) => &["audit", "error", "general", "slowquery"],
    };
    l.iter().map(|s| s.to_string()).collect()
}

/// The key: the account administers it; RDS and Secrets Manager use it on this account's behalf;
/// CloudWatch Logs encrypts the exported logs' groups with it (those of the primary, the replicas
/// and the Aurora cluster only).
pub fn key_policy(place: &Place, name: &str) -> String {
    // The primary, each replica a database may have (1 to 5: no other database's name), Aurora.
    let groups: Vec<String> = std::iter::once(format!("/aws/rds/instance/{name}/*"))
        .chain((1..=MAX_REPLICAS).map(|r| format!("/aws/rds/instance/{}/*", replica_id(name, r))))
        .chain(std::iter::once(format!("/aws/rds/cluster/{name}/*")))
        .collect();
    let logs = json!({
        "Sid": "LogsEncryptDatabaseLogs",
        "Effect": "Allow",
        "Principal": {"Service": format!("logs.{}.amazonaws.com", place.region)},
        "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        "Resource": "*",
        "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
            groups.iter().map(|g| place.log_group_arn(g)).collect::<Vec<_>>()}}
    });
    kms::via_service_key_policy_with(
        place,
        &format!("{name}-db"),
        "RdsAndSecretsManagerUseKey",
        &["rds", "secretsmanager"],
        vec![logs],
    )
}

/// The second region's copy of the backups: RDS cross-region automated-backup replication, for
/// the RDS engines (Aurora's copies are AWS Backup's daily ones, `restore_check.rs`).
pub const REPLICATION_COMPONENT: &str = "backup_replication";
/// The second region's key for the replicated backups, and its alias there.
pub const REMOTE_KEY_COMPONENT: &str = "remote_kms_key";
pub const REMOTE_ALIAS_COMPONENT: &str = "remote_kms_alias";

/// The second region declared (`recovery.region`), whatever the engine: AWS Backup copies there.
pub fn declared_region(args: &super::model::State) -> Option<&str> {
    args.recovery.as_ref().and_then(|r| r.region.as_deref())
}

/// The second region RDS replicates the automated backups to (not Aurora's).
pub fn second_region(args: &super::model::State) -> Option<&str> {
    if is_aurora(&args.engine) {
        return None;
    }
    args.recovery.as_ref().and_then(|r| r.region.as_deref())
}

/// The alias, in the second region, of the key the replicated backups are encrypted with.
pub fn remote_alias_name(name: &str) -> String {
    format!("alias/{name}-db-backups")
}

/// The policy of the second region's key (`remote` is that region): RDS there uses it for this
/// account's replicated backups and AWS Backup for its copies, administered by the account.
pub fn remote_key_policy(remote: &Place, name: &str) -> String {
    kms::via_service_key_policy(
        remote,
        &format!("{name}-db-backups"),
        "RdsUsesKeyForReplicatedBackups",
        &["rds", "backup"],
    )
}

/// Who may assume the enhanced-monitoring role: RDS monitoring, and only for this account's
/// instances of database `name` (`aws:SourceAccount` and `aws:SourceArn`, as AWS advises against
/// the confused deputy: the primary, replicas and Aurora instances are all `<name>…`).
pub fn monitoring_trust_policy(place: &Place, name: &str) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "monitoring.rds.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": place.account},
                "ArnLike": {"aws:SourceArn": place.arn("rds", &format!("db:{name}*"))}
            }
        }]
    })
    .to_string()
}
pub fn monitoring_policy_arn(place: &Place) -> String {
    format!(
        "arn:{}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
        partition(&place.region)
    )
}

/// The provider's marker tags on the primary and their desired values (`None`: absent): the
/// configured storage (storage autoscaling moves the live value) and the configured
/// `max_connections` parameter, which alarm packs derive thresholds from.
pub fn marker_tags(d: &super::reconcile::Desired) -> Vec<(&'static str, Option<String>)> {
    let conns = d
        .parameters
        .get("max_connections")
        .filter(|v| v.trim().parse::<u64>().is_ok())
        .map(|v| v.trim().to_string());
    vec![
        (
            tags::TAG_ALLOCATED_STORAGE,
            Some(d.args.allocated_storage.to_string()),
        ),
        (tags::TAG_MAX_CONNECTIONS, conns),
        (
            tags::TAG_RTO_SECONDS,
            rec::effective(
                &rec::stated(d.args.recovery.as_ref()),
                super::recovery::profile(d.environment),
            )
            .rto
            .map(|s| s.to_string()),
        ),
    ]
}

#[cfg(test)]
mod tests;
