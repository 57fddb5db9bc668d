//! Restore verification (`restore_check { enabled, schedule }`): AWS Backup keeps daily recovery
//! points of the database in its own vault and, on the schedule, restores the latest into an
//! isolated security group, checks that it came up and deletes the copy. Pure functions here: the
//! block and its checks, the schedules, names, policies, and the posture `restore_check` judged
//! from what AWS reports. The calls are in `aws/backup.rs`, the walk in `reconcile/backup.rs`.

use std::collections::BTreeMap;

use serde_json::json;

use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Diagnostics};
use crate::provider::aws::Place;
use crate::provider::ec2::Rules;
use crate::provider::profile::Environment;

use super::aws::backup as api;
use super::blueprint::{is_aurora, PASS};

pub const BLOCK: &str = "restore_check";

crate::attributes! {
    /// The block in state: every attribute as planned (`None`: null).
    pub struct Stated;
    /// The block as configured or planned: each attribute known, null or unknown.
    pub struct Given;
    fields {
        enabled: Option<bool> = optional("Whether AWS Backup verifies the database's backups by restoring them on `schedule`. Unset: on where `schedule` is set, else the profile's (on in production, off in development and staging)."),
        schedule: Option<String> = optional("How often: `daily`, `weekly` (Mondays), `monthly` (the 1st, the default) or `quarterly` (1 January, April, July, October), each at 06:00 UTC, after the daily recovery point of 05:00; or an AWS Backup `cron(...)` expression (UTC)."),
    }
}

/// The block's description in the schema.
pub const DESCRIPTION: &str = "Restore verification with AWS Backup, for every engine. The database gets a backup vault `<name>` encrypted with its key (in production under a Vault Lock in governance mode: no recovery point can be deleted before `backup_retention_days`), a backup plan `<name>` whose daily rule (05:00 UTC) keeps a recovery point `backup_retention_days` days, its selection of the database, the role `<name>-db-backup` AWS Backup works with (AWS's managed backup and restore policies), and a restore testing plan `<name>` (hyphens as underscores) that on `schedule` restores the latest recovery point of the last 7 days into the database's subnet group and an isolated security group `<name>-restorecheck` (no rule in or out), checks that it becomes available and deletes it. Without the block: on in production, off in development and staging; a `schedule` turns it on anywhere. Changed outside Terraform (plan, selection, restore testing plan or selection, lock, group rules or deleted) it fails posture `restore_check`, which the plan shows and apply repairs; a restore that fails is reported by `prod_alerting`'s `restore-check-failed` (critical; AWS Backup counts failed restores by resource type only, so it fires on any failed RDS, or Aurora, restore of the account and region, this database's restore tests among them). Turned off or destroyed, everything goes but the vault while it holds recovery points that `retain_automated_backups` keeps (they expire by their lifecycle); without it they are deleted with the vault.";

/// The posture control restore verification reports.
pub const CONTROL: &str = "restore_check";
/// The components.
pub const VAULT_COMPONENT: &str = "backup_vault";
pub const ROLE_COMPONENT: &str = "backup_role";
pub const PLAN_COMPONENT: &str = "backup_plan";
pub const SELECTION_COMPONENT: &str = "backup_selection";
pub const TEST_PLAN_COMPONENT: &str = "restore_testing_plan";
pub const TEST_SELECTION_COMPONENT: &str = "restore_testing_selection";
pub const SG_COMPONENT: &str = "restore_check_security_group";
/// The second region's vault the daily recovery points are copied to (`recovery.region`).
pub const REMOTE_VAULT_COMPONENT: &str = "remote_backup_vault";
/// What AWS Backup keeps of the database, for restore checks and for the second region alike.
pub const BACKUP_COMPONENTS: [&str; 4] = [
    VAULT_COMPONENT,
    ROLE_COMPONENT,
    PLAN_COMPONENT,
    SELECTION_COMPONENT,
];
/// The restore test's own.
pub const TEST_COMPONENTS: [&str; 3] =
    [TEST_PLAN_COMPONENT, TEST_SELECTION_COMPONENT, SG_COMPONENT];
/// Every component of restore verification.
pub const COMPONENTS: [&str; 7] = [
    VAULT_COMPONENT,
    ROLE_COMPONENT,
    PLAN_COMPONENT,
    SELECTION_COMPONENT,
    TEST_PLAN_COMPONENT,
    TEST_SELECTION_COMPONENT,
    SG_COMPONENT,
];

/// The backup plan's one rule.
pub const RULE_NAME: &str = "daily";
/// When it makes the day's recovery point (AWS Backup's default hour).
pub const BACKUP_SCHEDULE: &str = "cron(0 5 * * ? *)";
/// Within how many minutes a backup must start, and complete.
pub const START_WINDOW_MINUTES: i64 = 60;
pub const COMPLETION_WINDOW_MINUTES: i64 = 480;
/// The backup selection's and the restore testing selection's name.
pub const SELECTION_NAME: &str = "database";
/// The restore test takes the latest recovery point of this many days.
pub const SELECTION_WINDOW_DAYS: i64 = 7;
/// Hours the test may wait to start after its scheduled time.
pub const START_WINDOW_HOURS: i64 = 8;
/// Hours the restored copy is kept for validation before AWS Backup deletes it.
pub const VALIDATION_WINDOW_HOURS: i64 = 0;
/// The algorithm: the newest recovery point within the window.
pub const ALGORITHM: &str = "LATEST_WITHIN_WINDOW";
/// The kind of recovery point tested (AWS Backup's daily snapshots).
pub const POINT_TYPE: &str = "SNAPSHOT";
/// AWS's managed policies the backup role has.
pub const MANAGED_POLICIES: [&str; 2] = [
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
];
/// The schedule without the block's.
pub const DEFAULT_SCHEDULE: &str = "monthly";

fn path(attr: &str) -> AttrPath {
    AttrPath::attr(BLOCK).then_attr(attr)
}

/// A schedule as written to its cron expression (UTC); `None` for neither a name nor a cron.
pub fn cron(schedule: &str) -> Option<String> {
    let s = schedule.trim();
    let named = match s {
        "daily" => Some("cron(0 6 * * ? *)"),
        "weekly" => Some("cron(0 6 ? * MON *)"),
        "monthly" => Some("cron(0 6 1 * ? *)"),
        "quarterly" => Some("cron(0 6 1 1,4,7,10 ? *)"),
        _ => None,
    };
    if let Some(c) = named {
        return Some(c.to_string());
    }
    let inner = s.strip_prefix("cron(")?.strip_suffix(')')?;
    (inner.split_whitespace().count() == 6).then(|| s.to_string())
}

/// The schedule's check, on its attribute.
pub fn validate(block: &Tri<Given>, d: &mut Diagnostics) {
    let Tri::Known(g) = block else {
        return;
    };
    if let Tri::Known(s) = &g.schedule {
        if cron(s).is_none() {
            d.error_at(
                path("schedule"),
                "Not a schedule",
                format!("schedule {s:?} is neither `daily`, `weekly`, `monthly`, `quarterly` nor an AWS Backup cron expression of six fields (e.g. \"cron(0 6 1 * ? *)\")."),
            );
        }
    }
}

/// The cron expression in force from a planned (or prior) block in `env`: `None` when off.
pub fn effective(block: Option<&Stated>, env: Environment) -> Option<String> {
    // A schedule written is a restore check asked for.
    let scheduled = block.is_some_and(|b| b.schedule.is_some());
    let on = block
        .and_then(|b| b.enabled)
        .unwrap_or(scheduled || env == Environment::Production);
    if !on {
        return None;
    }
    let schedule = block.and_then(|b| b.schedule.as_deref());
    cron(schedule.unwrap_or(DEFAULT_SCHEDULE))
}

/// The cron in force from a configured or planned block, once its values are known.
pub fn given(block: &Tri<Given>, env: Environment) -> Tri<Option<String>> {
    match block {
        Tri::Null => Tri::Known(effective(None, env)),
        Tri::Unknown => Tri::Unknown,
        Tri::Known(g) => {
            let enabled = match &g.enabled {
                Tri::Known(b) => Some(*b),
                Tri::Null => None,
                Tri::Unknown => return Tri::Unknown,
            };
            let schedule = match &g.schedule {
                Tri::Known(s) => Some(s.clone()),
                Tri::Null => None,
                Tri::Unknown => return Tri::Unknown,
            };
            Tri::Known(effective(Some(&Stated { enabled, schedule }), env))
        }
    }
}

/// Whether the block's verification, as configured, is known to be on, off, or not yet known.
pub fn planned_on(block: &Tri<Given>, env: &Tri<Environment>) -> Option<bool> {
    match env {
        Tri::Known(e) => given(block, *e).known().map(|p| p.is_some()),
        _ => None,
    }
}

/// The production profile's days of the second region's copies (the guides' "90 days remote").
pub const PRODUCTION_REMOTE_DAYS: i64 = 90;
/// The most days AWS Backup keeps a recovery point (100 years).
pub const MAX_DAYS: i64 = 36_500;

/// Days the second region's copies are kept: as stated, else 90 in production and as long as the
/// local backups elsewhere.
pub fn remote_days(stated: Option<i64>, env: Environment, backup_retention_days: i64) -> i64 {
    stated.unwrap_or(if env == Environment::Production {
        PRODUCTION_REMOTE_DAYS
    } else {
        backup_retention_days
    })
}

/// Whether AWS Backup keeps the database at all: for restore checks, or for a second region.
pub fn needed(block: Option<&Stated>, env: Environment, second_region: bool) -> bool {
    second_region || effective(block, env).is_some()
}

/// The vault and the backup plan: named as the database.
pub fn vault_name(name: &str) -> String {
    name.to_string()
}
pub fn plan_name(name: &str) -> String {
    name.to_string()
}
/// The restore testing plan: letters, digits and underscores only.
pub fn test_plan_name(name: &str) -> String {
    name.replace('-', "_")
}
/// The role AWS Backup backs up and restores with.
pub fn role_name(name: &str) -> String {
    format!("{name}-db-backup")
}
/// The isolated group the restored copy is put in.
pub fn sg_name(name: &str) -> String {
    format!("{name}-restorecheck")
}
/// The protected resource type AWS Backup names the database by.
pub fn resource_type(engine: &str) -> &'static str {
    if is_aurora(engine) {
        "Aurora"
    } else {
        "RDS"
    }
}

/// The backup role's trust: AWS Backup, for this account only.
pub fn trust_policy(place: &Place) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": "backup.amazonaws.com" },
            "Action": "sts:AssumeRole",
            "Condition": { "StringEquals": { "aws:SourceAccount": place.account } },
        }],
    })
    .to_string()
}

/// The restore's overrides: the database's subnet group, the isolated group, no public address.
pub fn overrides(engine: &str, subnet_group: &str, sg: &str) -> BTreeMap<String, String> {
    let mut o = BTreeMap::new();
    o.insert("dbSubnetGroupName".to_string(), subnet_group.to_string());
    o.insert("vpcSecurityGroupIds".to_string(), json!([sg]).to_string());
    if !is_aurora(engine) {
        o.insert("publiclyAccessible".to_string(), "false".to_string());
        o.insert("multiAZ".to_string(), "false".to_string());
    }
    o
}

/// What restore verification is to be, for the posture and the walk.
#[derive(Clone, Debug)]
pub struct Want<'a> {
    pub name: &'a str,
    pub engine: &'a str,
    /// The restore test's schedule; `None`: no restore test (AWS Backup only copies to the
    /// second region).
    pub cron: Option<&'a str>,
    /// The copy of each recovery point to the second region's vault.
    pub copy: Option<api::CopyTo>,
    pub retention_days: i64,
    /// A Vault Lock (production).
    pub locked: bool,
    /// The database's ARN (Aurora: the cluster's); `None` while it does not exist.
    pub resource: Option<&'a str>,
    /// The isolated group, where it is recorded.
    pub security_group: Option<&'a str>,
}

/// Restore verification as AWS has it.
#[derive(Clone, Debug, Default)]
pub struct Live {
    pub vault: Option<api::Vault>,
    pub role: Option<String>,
    pub plan: Option<api::Plan>,
    pub selection: Option<api::Selection>,
    pub test_plan: Option<api::TestPlan>,
    pub test_selection: Option<api::TestSelection>,
    /// The isolated group's rules, where it exists.
    pub sg_rules: Option<Rules>,
    /// The second region's vault, where one is declared or recorded.
    pub remote_vault: Option<api::Vault>,
}

/// Whether AWS Backup copies each recovery point of the database to the second region as `copy`
/// says: the plan's rule copies there for that long, the database is selected and the vault there
/// exists.
pub fn copying(live: &Live, copy: &api::CopyTo) -> bool {
    live.selection.is_some()
        && live
            .remote_vault
            .as_ref()
            .is_some_and(|v| v.arn == copy.vault_arn)
        && live
            .plan
            .as_ref()
            .is_some_and(|p| p.rules.iter().any(|r| r.copies.contains(copy)))
}

/// The backup plan's rule as wanted.
pub fn rule(want: &Want<'_>) -> api::Rule {
    api::Rule {
        name: RULE_NAME.to_string(),
        vault: vault_name(want.name),
        schedule: BACKUP_SCHEDULE.to_string(),
        delete_after_days: Some(want.retention_days),
        start_window: START_WINDOW_MINUTES,
        completion_window: COMPLETION_WINDOW_MINUTES,
        copies: want.copy.iter().cloned().collect(),
    }
}

/// The restore testing plan as wanted (`vault_arn`: the vault it takes recovery points from).
pub fn test_plan(want: &Want<'_>, vault_arn: &str) -> api::TestPlan {
    api::TestPlan {
        arn: String::new(),
        schedule: want.cron.unwrap_or_default().to_string(),
        start_window_hours: START_WINDOW_HOURS,
        algorithm: ALGORITHM.to_string(),
        vaults: vec![vault_arn.to_string()],
        point_types: vec![POINT_TYPE.to_string()],
        window_days: SELECTION_WINDOW_DAYS,
    }
}

/// Whether the live restore testing plan is the wanted one (its ARN aside).
pub fn same_test_plan(live: &api::TestPlan, want: &api::TestPlan) -> bool {
    api::TestPlan {
        arn: String::new(),
        ..live.clone()
    } == *want
}

/// Every way the backup plan and its selection differ from `want` (`role`: the backup role's ARN).
pub fn plan_differences(want: &Want<'_>, live: &Live) -> Vec<String> {
    let mut why = Vec::new();
    match &live.plan {
        None => why.push("backup plan missing".to_string()),
        Some(p) if p.rules != [rule(want)] => why.push(
            "backup plan's rule changed (schedule, vault, retention or second-region copy)"
                .to_string(),
        ),
        Some(_) => {}
    }
    match (&live.selection, want.resource) {
        (None, _) => why.push("backup selection missing".to_string()),
        (Some(s), Some(r)) if s.resources != [r.to_string()] => {
            why.push("backup selection does not select the database".to_string())
        }
        (Some(s), _) if live.role.is_some() && s.role.as_ref() != live.role.as_ref() => {
            why.push("backup selection uses another role".to_string())
        }
        _ => {}
    }
    why
}

/// Every way the vault differs from `want`.
pub fn vault_differences(want: &Want<'_>, live: &Live) -> Vec<String> {
    let mut why = Vec::new();
    let Some(v) = &live.vault else {
        return vec!["backup vault missing".to_string()];
    };
    match (want.locked, v.min_retention_days) {
        (true, None) => why.push("Vault Lock missing".to_string()),
        (true, Some(d)) if d != want.retention_days => why.push(format!(
            "Vault Lock keeps {d} day(s), not {}",
            want.retention_days
        )),
        _ => {}
    }
    why
}

/// Every way the restore test (its plan, selection and isolated group) differs from `want`.
pub fn test_differences(want: &Want<'_>, live: &Live, subnet_group: &str) -> Vec<String> {
    let mut why = Vec::new();
    let vault_arn = live.vault.as_ref().map(|v| v.arn.as_str()).unwrap_or("");
    match &live.test_plan {
        None => why.push("restore testing plan missing".to_string()),
        Some(t) if !same_test_plan(t, &test_plan(want, vault_arn)) => {
            why.push("restore testing plan changed (schedule or recovery points)".to_string())
        }
        Some(_) => {}
    }
    match (&live.test_selection, want.security_group) {
        (None, _) => why.push("restore testing selection missing".to_string()),
        (Some(s), sg) => {
            let arns_ok = want.resource.is_none_or(|r| s.resources == [r.to_string()]);
            let sg_ok = sg.is_none_or(|g| s.overrides == overrides(want.engine, subnet_group, g));
            if !arns_ok || s.resource_type != resource_type(want.engine) {
                why.push("restore testing selection does not select the database".to_string());
            }
            if !sg_ok {
                why.push(
                    "restore testing selection's overrides changed (subnet group, isolated group)"
                        .to_string(),
                );
            }
            if s.validation_window_hours != VALIDATION_WINDOW_HOURS {
                why.push("restore testing selection keeps the copy longer".to_string());
            }
        }
    }
    match &live.sg_rules {
        None => why.push("isolated security group missing".to_string()),
        Some((i, o)) if !i.is_empty() || !o.is_empty() => {
            why.push("isolated security group has rules".to_string())
        }
        Some(_) => {}
    }
    why
}

/// Every way restore verification differs from `want`, in a fixed order.
pub fn differences(want: &Want<'_>, live: &Live, subnet_group: &str) -> Vec<String> {
    let mut why = vault_differences(want, live);
    if live.role.is_none() {
        why.push("backup role missing".to_string());
    }
    why.extend(plan_differences(want, live));
    if want.cron.is_some() {
        why.extend(test_differences(want, live, subnet_group));
    }
    why
}

/// Posture `restore_check`: `pass`, or `fail: ` and every difference.
pub fn posture(want: &Want<'_>, live: &Live, subnet_group: &str) -> String {
    let why = differences(want, live, subnet_group);
    if why.is_empty() {
        PASS.to_string()
    } else {
        format!("fail: {}", why.join("; "))
    }
}

#[cfg(test)]
mod tests;
