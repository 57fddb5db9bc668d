//! The database's posture as pure rules: (profile, engine, facts) → control → `pass` or
//! `fail: <reason>`, with the control IDs of the object at hand (`control_ids`).

use std::collections::BTreeMap;

use super::{control_ids, controls, default_port, port, ControlIds, DEFAULT_ADMIN_NAMES, PASS};
use crate::provider::profile::Environment;
pub use crate::resources::datastore::Exposure;
use crate::resources::datastore::PortRule;

/// What the posture is computed from: the configuration at plan, AWS's answers at read.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Facts {
    pub multi_az: bool,
    pub monitoring: bool,
    pub deletion_protection: bool,
    pub backup_retention_days: i64,
    pub encrypted: bool,
    pub public: bool,
    pub log_exports: bool,
    pub iam_auth: bool,
    pub auto_minor_upgrade: bool,
    pub copy_tags: bool,
    pub in_vpc: bool,
    pub master_username: String,
    pub tls: bool,
    /// Ingress, port and key rotation: the rules both stores share.
    pub exposure: Exposure,
    /// The RDS-managed master secret's resource policy denies other accounts and plain HTTP.
    pub secret_policy: bool,
    /// Security-relevant events are audited and exported (`audit_logging`'s mechanism holds).
    pub audit: bool,
    /// Posture `recovery`: `pass`, or why the objectives in force are not met.
    pub recovery: String,
    /// CloudWatch.16 of the exported logs' groups (`logs_posture`).
    pub logs: String,
    /// Posture `pooling`: `pass`, or why the proxy differs (`None`: pooling off, no control).
    pub pooling: Option<String>,
    /// Posture `restore_check`: `pass`, or why restore verification differs (`None`: off).
    pub restore_check: Option<String>,
}

/// The posture of `f` in `env` for a database of `engine`. The same function serves plan (from the
/// configuration) and read (from AWS), so a weakening the profile allows reads back exactly as
/// planned and shows no diff.
pub fn posture(env: Environment, engine: &str, f: &Facts) -> BTreeMap<String, String> {
    let id = control_ids(engine);
    let mut p: BTreeMap<String, String> = controls(engine)
        .iter()
        .map(|c| (c.to_string(), PASS.to_string()))
        .collect();
    for (c, v) in relaxable_failures(env, &id, f)
        .into_iter()
        .chain(hardening_failures(&id, f))
    {
        p.insert(c.to_string(), v);
    }
    let rule = PortRule {
        control: "RDS.23",
        engine_port: port(engine),
        suggested: default_port(engine, env),
        how: "to move it",
    };
    f.exposure.judge(env, &rule, &mut p);
    p.insert("recovery".into(), f.recovery.clone());
    p.insert("CloudWatch.16".into(), f.logs.clone());
    if let Some(v) = &f.pooling {
        p.insert(
            crate::resources::database::pooling::CONTROL.into(),
            v.clone(),
        );
    }
    if let Some(v) = &f.restore_check {
        p.insert(
            crate::resources::database::restore_check::CONTROL.into(),
            v.clone(),
        );
    }
    p
}

/// The failing controls a profile may relax, each with its reason.
fn relaxable_failures(env: Environment, id: &ControlIds, f: &Facts) -> Vec<(&'static str, String)> {
    let relaxed = |what: &str| format!("fail: {what} (relaxed by {env} profile)");
    let mut out = Vec::new();
    if !f.multi_az {
        out.push((id.multi_az, relaxed("no Multi-AZ standby")));
    }
    if !f.monitoring {
        out.push(("RDS.6", relaxed("enhanced monitoring off")));
    }
    if !f.audit {
        out.push(("audit", relaxed("audit logging off")));
    }
    if !f.deletion_protection {
        out.push((
            id.deletion_protection,
            if env.db_deletion_protection() {
                "fail: deletion protection off (decommission)".to_string()
            } else {
                relaxed("deletion protection off")
            },
        ));
    }
    if f.backup_retention_days < 7 {
        out.push((
            id.backups,
            relaxed(&format!("backups kept {} day(s)", f.backup_retention_days)),
        ));
    }
    out
}

/// The failing controls every profile holds (the hardening), each with its reason.
fn hardening_failures(id: &ControlIds, f: &Facts) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = [
        (!f.encrypted, id.encrypted, "storage is not encrypted"),
        (f.public, "RDS.2", "the instance is publicly accessible"),
        (
            !f.log_exports,
            id.log_exports,
            "logs are not exported to CloudWatch",
        ),
        (!f.iam_auth, id.iam_auth, "IAM authentication is off"),
        (
            !f.auto_minor_upgrade,
            id.minor_upgrade,
            "automatic minor upgrades are off",
        ),
        (
            !f.copy_tags,
            id.copy_tags,
            "tags are not copied to snapshots",
        ),
        (!f.in_vpc, "RDS.18", "not in the database's subnet group"),
    ]
    .into_iter()
    .filter(|(failing, _, _)| *failing)
    .map(|(_, c, why)| (c, format!("fail: {why}")))
    .collect();
    if DEFAULT_ADMIN_NAMES.contains(&f.master_username.as_str()) {
        out.push((
            id.admin_name,
            format!(
                "fail: the administrator is the default `{}`",
                f.master_username
            ),
        ));
    }
    if !f.secret_policy {
        out.push((
            "master_secret",
            "fail: the master secret's resource policy does not deny other accounts and requests without TLS".into(),
        ));
    }
    if !f.tls {
        out.push((
            "TLS",
            "fail: the parameter group does not require TLS".into(),
        ));
    }
    out
}
