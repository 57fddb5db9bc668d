//! The log groups the database's exported logs go to. RDS writes each exported log to
//! `/aws/rds/instance/<instance>/<log>` (Aurora: `/aws/rds/cluster/<cluster>/<log>`), and makes the
//! group itself, unencrypted and kept forever, when none exists. The provider makes them first,
//! encrypted with the database's key and kept their class's tier of `log_retention`: audit logs
//! (MySQL's `audit`, and PostgreSQL's `postgresql` while pgAudit writes to it) the audit tier, the
//! engine's other logs the application tier.

use std::collections::BTreeMap;

use super::{is_aurora, is_postgres, log_exports, replica_id};
use crate::provider::logs::{self, GroupFacts, LogClass};
use crate::provider::profile::{Environment, LogRetention};

/// The prefix of the components that record the log groups.
pub const LOG_GROUP_COMPONENT: &str = "log_group:";

/// One log group the database's logs go to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogGroup {
    /// The group's name, as RDS writes to it.
    pub name: String,
    /// The component key it is recorded under: `log_group:<instance or cluster>/<log>`.
    pub component: String,
    pub class: LogClass,
}

/// What a log of `engine` holds: the audit log, and PostgreSQL's log while pgAudit writes to it
/// (`audit`), are audit logs; the engine's other logs are application logs.
pub fn log_class(engine: &str, log: &str, audit: bool) -> LogClass {
    match log {
        "audit" => LogClass::Audit,
        "postgresql" if audit && is_postgres(engine) => LogClass::Audit,
        _ => LogClass::Application,
    }
}

/// Where RDS writes the logs of database `name`: the prefix all its groups start with, its
/// replicas' too (`/aws/rds/instance/<name>`: one listing, a fixed cost). Another database whose
/// name starts alike shares it: a listing is filtered with `is_own_log_group`, and reads more
/// than one page only past 50 groups so named.
pub fn log_group_prefix(engine: &str, name: &str) -> String {
    if is_aurora(engine) {
        format!("/aws/rds/cluster/{name}/")
    } else {
        format!("/aws/rds/instance/{name}")
    }
}

/// Whether `group` is one of database `name`'s (its primary's, a replica's or its Aurora
/// cluster's): no other database's, as no database may be named as a replica is.
pub fn is_own_log_group(engine: &str, name: &str, group: &str) -> bool {
    let kind = if is_aurora(engine) {
        "cluster"
    } else {
        "instance"
    };
    let Some(tail) = group.strip_prefix(&format!("/aws/rds/{kind}/{name}")) else {
        return false;
    };
    let log = match tail.strip_prefix("-replica-") {
        Some(r) if !is_aurora(engine) => match r.split_once('/') {
            Some(("1" | "2" | "3" | "4" | "5", log)) => log,
            _ => return false,
        },
        _ => match tail.strip_prefix('/') {
            Some(log) => log,
            None => return false,
        },
    };
    !log.is_empty() && !log.contains('/')
}

/// Every group the exported logs of database `name` go to: for RDS, the primary's and each of the
/// `replicas`' (each instance exports its own); for Aurora, the cluster's.
pub fn log_groups(engine: &str, name: &str, replicas: usize, audit: bool) -> Vec<LogGroup> {
    let sources: Vec<(&str, String)> = if is_aurora(engine) {
        vec![("cluster", name.to_string())]
    } else {
        std::iter::once(name.to_string())
            .chain((1..=replicas).map(|r| replica_id(name, r)))
            .map(|id| ("instance", id))
            .collect()
    };
    let exported = log_exports(engine, audit);
    sources
        .iter()
        .flat_map(|(kind, id)| {
            exported.iter().map(move |log| LogGroup {
                name: format!("/aws/rds/{kind}/{id}/{log}"),
                component: format!("{LOG_GROUP_COMPONENT}{id}/{log}"),
                class: log_class(engine, log, audit),
            })
        })
        .collect()
}

/// CloudWatch.16 of the database's log groups: `pass` when every group exists, is encrypted (with
/// `key`, where it is known) and is kept its tier (a tier the profile or `log_retention` relaxes below the class's floor reads as
/// that relaxation, the same at plan and read); else the first group's failure, naming it.
pub fn logs_posture(
    env: Environment,
    tiers: &LogRetention,
    groups: &[LogGroup],
    live: &BTreeMap<String, GroupFacts>,
    key: Option<&str>,
) -> String {
    let mut relaxed = None;
    for g in groups {
        let verdict = match live.get(&g.name) {
            None => format!("fail: log group {} is missing", g.name),
            Some(f) if f.kms_key.is_none() => {
                format!("fail: log group {} is not encrypted", g.name)
            }
            Some(f) if key.is_some_and(|k| f.kms_key.as_deref() != Some(k)) => {
                format!("fail: log group {} is encrypted with another key", g.name)
            }
            Some(f) => match logs::retention_posture(env, g.class, tiers, f.retention_days) {
                v if v == "pass" => continue,
                v if v.starts_with("fail: relaxed") => {
                    relaxed.get_or_insert(v);
                    continue;
                }
                v => format!("fail: {}: {}", g.name, v.trim_start_matches("fail: ")),
            },
        };
        return verdict;
    }
    relaxed.unwrap_or_else(|| "pass".to_string())
}

/// The facts apply leaves: every group encrypted and kept its tier.
pub fn logs_as_applied(tiers: &LogRetention, groups: &[LogGroup]) -> BTreeMap<String, GroupFacts> {
    groups
        .iter()
        .map(|g| {
            (
                g.name.clone(),
                GroupFacts {
                    retention_days: Some(logs::retention_days(g.class, tiers)),
                    kms_key: Some("the database's key".to_string()),
                },
            )
        })
        .collect()
}
