//! The posture rules both stores share: how a store is reached (its ingress and port) and whether
//! its key rotates. One pure function, used by the database's and Redis's `posture`.

use std::collections::BTreeMap;

use crate::provider::profile::Environment;

/// What the shared rules read: from the configuration at plan, from AWS at read.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Exposure {
    /// `None` when the rules are exactly the blueprint's; otherwise why not.
    pub ingress: Option<String>,
    /// `None` for a key the user gave (theirs to rotate).
    pub key_rotation: Option<bool>,
    /// The port the store listens on (`None`: not known).
    pub port: Option<i64>,
}

/// How a store reports listening on its engine's well-known port.
pub struct PortRule {
    /// The control that reports it (`RDS.23`, `port`).
    pub control: &'static str,
    /// The engine's own port.
    pub engine_port: i64,
    /// The port the profile gives a new store.
    pub suggested: i64,
    /// Where setting `port` moves it (`"to move it"`, `"on a new group to move it"`).
    pub how: &'static str,
}

impl Exposure {
    /// Sets the shared controls' failures in `p` (a map of every control → `pass` or
    /// `fail: <reason>`) and drops KMS.4 for a key the user gave.
    pub fn judge(&self, env: Environment, rule: &PortRule, p: &mut BTreeMap<String, String>) {
        if self.key_rotation == Some(false) {
            p.insert("KMS.4".into(), "fail: key rotation is off".into());
        }
        if let Some(why) = &self.ingress {
            p.insert("ingress".into(), format!("fail: {why}"));
        }
        if self.port == Some(rule.engine_port) {
            let port = rule.engine_port;
            let why = if env == Environment::Development {
                format!("fail: the engine's default port {port} (relaxed by {env} profile)")
            } else {
                format!(
                    "fail: the engine's default port {port}; set `port` (e.g. {}) {}",
                    rule.suggested, rule.how
                )
            };
            p.insert(rule.control.into(), why);
        }
        if self.key_rotation.is_none() {
            // A key the user gave is theirs to rotate.
            p.remove("KMS.4");
        }
    }
}
