//! The database's posture as pure rules: (profile, engine, facts) → control → `pass` or
//! `fail: <reason>`, with the control IDs of the object at hand (`control_ids`).

use std::collections::BTreeMap;

use super::{control_ids, controls, default_port, port, ControlIds, DEFAULT_ADMIN_NAMES, PASS};
use crate::provider::profile::Environment;

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
    /// `None` when the rules are exactly the blueprint's; otherwise why not.
    pub ingress: Option<String>,
    /// `None` for a key the user gave (theirs to rotate).
    pub key_rotation: Option<bool>,
    /// The port the database listens on (`None`: not known).
    pub port: Option<i64>,
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
    for (c, v) in relaxable_failures(env, engine, &id, f)
        .into_iter()
        .chain(hardening_failures(&id, f))
    {
        p.insert(c.to_string(), v);
    }
    if f.key_rotation.is_none() {
        // A key the user gave is theirs to rotate.
        p.remove("KMS.4");
    }
    p
}

/// The failing controls a profile may relax (key rotation first), each with its reason.
fn relaxable_failures(
    env: Environment,
    engine: &str,
    id: &ControlIds,
    f: &Facts,
) -> Vec<(&'static str, String)> {
    let relaxed = |what: &str| format!("fail: {what} (relaxed by {env} profile)");
    let mut out = Vec::new();
    if f.key_rotation == Some(false) {
        out.push(("KMS.4", "fail: key rotation is off".into()));
    }
    if !f.multi_az {
        out.push((id.multi_az, relaxed("no Multi-AZ standby")));
    }
    if !f.monitoring {
        out.push(("RDS.6", relaxed("enhanced monitoring off")));
    }
    if f.port == Some(port(engine)) {
        out.push((
            "RDS.23",
            if env == Environment::Development {
                relaxed(&format!("the engine's default port {}", port(engine)))
            } else {
                format!(
                    "fail: the engine's default port {}; set `port` (e.g. {}) to move it",
                    port(engine),
                    default_port(engine, env)
                )
            },
        ));
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
    if !f.tls {
        out.push((
            "TLS",
            "fail: the parameter group does not require TLS".into(),
        ));
    }
    if let Some(why) = &f.ingress {
        out.push(("ingress", format!("fail: {why}")));
    }
    out
}
