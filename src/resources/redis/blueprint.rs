//! The Redis blueprint: names, engine facts, parameters, zones, the key policy and the posture, as
//! pure functions of (configuration, profile, place).

use std::collections::BTreeMap;

use crate::provider::aws::Place;
use crate::provider::kms;
use crate::provider::profile::Environment;
pub use crate::resources::datastore::secret_policy_holds;
pub use crate::resources::datastore::Exposure;
use crate::resources::datastore::PortRule;

pub const PASS: &str = "pass";
/// The engine's own (well-known) port.
pub const PORT: i64 = 6379;
/// The ports a group may listen on (below 1024 are reserved).
pub const PORTS: (i64, i64) = (1024, 65535);
/// The port a new group gets in `env`: the engine's own in development, the next one up elsewhere.
pub fn default_port(env: Environment) -> i64 {
    match env {
        Environment::Development => PORT,
        Environment::Staging | Environment::Production => PORT + 1,
    }
}
/// The longest rotation period `auth_token_rotation_days` takes.
pub const MAX_ROTATION_DAYS: i64 = 365;
/// Days between rotations of a generated AUTH token in `env` (0: never).
pub fn rotation_days(env: Environment) -> i64 {
    match env {
        Environment::Development => 0,
        Environment::Staging | Environment::Production => 90,
    }
}
/// The token's age in days when one last changed at `changed` (RFC 3339) is due for rotation at
/// `now` (Unix seconds), every `days`; `None` when it is not (or never rotates).
pub fn rotation_due(changed: &str, days: i64, now: i64) -> Option<i64> {
    use aws_smithy_types::date_time::{DateTime, Format};
    if days <= 0 {
        return None;
    }
    let at = DateTime::from_str(changed, Format::DateTime).ok()?;
    let age = (now - at.secs()) / 86_400;
    (age >= days).then_some(age)
}
/// The port `args` plans (every planned group has one).
pub fn port_of(args: &super::model::State) -> i64 {
    args.port.unwrap_or(PORT)
}
pub const DEFAULT_ENGINE: &str = "valkey";
pub const DEFAULT_SNAPSHOT_WINDOW: &str = "02:00-03:00";
pub const DEFAULT_MAINTENANCE_WINDOW: &str = "sun:03:30-sun:04:30";

/// The settings every replication group gets: decided here, where the blueprint's tests see them;
/// `aws/` and `reconcile.rs` only pass them to the SDK. (Snapshot retention is an argument, with
/// the profile's default and floor in `plan.rs`/`validate.rs`; failover follows the replicas,
/// [`failover`].)
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hardening {
    /// ElastiCache.4, with the group's key.
    pub at_rest_encryption: bool,
    /// ElastiCache.5: clients must use TLS.
    pub transit_encryption: bool,
    /// ElastiCache.6: an AUTH token, generated into Secrets Manager.
    pub auth_token: bool,
    /// Characters of the generated AUTH token.
    pub auth_token_length: i64,
    /// ElastiCache.2.
    pub auto_minor_upgrade: bool,
}

/// The hardening of `env`'s replication groups (the same in every profile: no profile relaxes
/// these).
pub fn hardening(_env: Environment) -> Hardening {
    Hardening {
        at_rest_encryption: true,
        transit_encryption: true,
        auth_token: true,
        auth_token_length: 64,
        auto_minor_upgrade: true,
    }
}

/// Automatic failover and Multi-AZ (ElastiCache.3): on whenever every shard has a replica to fail
/// over to, which is what the profile's replica count decides.
pub fn failover(replicas_per_shard: i64) -> bool {
    replicas_per_shard > 0
}

pub const CONTROLS: [&str; 12] = [
    "ElastiCache.1",
    "ElastiCache.2",
    "ElastiCache.3",
    "ElastiCache.4",
    "ElastiCache.5",
    "ElastiCache.6",
    "ElastiCache.7",
    "KMS.4",
    "auth_secret",
    "ingress",
    "port",
    "recovery",
];

pub fn default_version(engine: &str) -> &'static str {
    if engine == "redis" {
        "7.1"
    } else {
        "8.0"
    }
}
/// The major of a version: `7` of `7.1.0`.
pub fn major(version: &str) -> &str {
    version.split('.').next().unwrap_or_default()
}
/// The major.minor of a running version (`7.1` of `7.1.0`): the pin that matches it.
pub fn major_minor(version: &str) -> String {
    version.split('.').take(2).collect::<Vec<_>>().join(".")
}
/// Does the running version satisfy the pin (`7.1` is met by `7.1.0`)?
pub fn version_matches(pin: &str, actual: &str) -> bool {
    actual == pin || actual.starts_with(&format!("{pin}."))
}
/// Numeric comparison of dotted versions (`7.10` > `7.2`), for refusing downgrades.
pub fn version_less(a: &str, b: &str) -> bool {
    let parse = |v: &str| -> Vec<u64> { v.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    parse(a) < parse(b)
}
/// Parameter group family: `redis7`, `valkey8`.
pub fn family(engine: &str, version: &str) -> String {
    format!("{engine}{}", major(version))
}
/// The engine's own group for the mode: `default.valkey8`, `default.redis7.cluster.on`.
pub fn default_parameter_group(engine: &str, version: &str, clustered: bool) -> String {
    let suffix = if clustered { ".cluster.on" } else { "" };
    format!("default.{}{suffix}", family(engine, version))
}
pub fn clustered(shards: i64) -> bool {
    shards > 1
}

pub fn sg_name(name: &str) -> String {
    format!("{name}-redis")
}
pub fn secret_name(name: &str) -> String {
    format!("{name}-auth")
}
pub fn alias_name(name: &str) -> String {
    format!("alias/{name}-redis")
}
/// `<name>-final-<UTC time>`: unique per destroy, so snapshots never collide.
pub fn final_snapshot_id(name: &str, now: time::OffsetDateTime) -> String {
    let f = time::macros::format_description!("[year][month][day]-[hour][minute][second]");
    format!("{name}-final-{}", now.format(&f).unwrap_or_default())
}
/// A final snapshot on destroy outside development (the profile's data-keeping rule).
pub fn takes_final_snapshot(env: Environment) -> bool {
    env.db_final_snapshot()
}

/// The parameters a custom group holds: the user's, with the mode's `cluster-enabled`.
pub fn parameters(user: &BTreeMap<String, String>, clustered: bool) -> BTreeMap<String, String> {
    let mut p = user.clone();
    p.insert(
        "cluster-enabled".into(),
        if clustered { "yes" } else { "no" }.into(),
    );
    p
}

/// Zones for each shard's nodes: primaries rotate over the zones, each replica goes to the next
/// zone after its primary's, so every shard spans as many zones as it has nodes (up to the zones).
pub fn node_zones(zones: &[String], shards: i64, replicas: i64) -> Vec<(String, Vec<String>)> {
    if zones.is_empty() {
        return vec![];
    }
    (0..shards.max(1) as usize)
        .map(|s| {
            let z = |i: usize| zones[(s + i) % zones.len()].clone();
            (z(0), (1..=replicas.max(0) as usize).map(z).collect())
        })
        .collect()
}

/// The key: the account administers it; ElastiCache and Secrets Manager use it for this account.
pub fn key_policy(place: &Place, name: &str) -> String {
    kms::via_service_key_policy(
        place,
        &format!("{name}-redis"),
        "ElastiCacheAndSecretsManagerUseKey",
        &["elasticache", "secretsmanager"],
    )
}

/// What the posture is computed from: the configuration at plan, AWS's answers at read.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Facts {
    pub snapshot_retention_days: i64,
    pub auto_minor_upgrade: bool,
    /// The fewest replicas in any shard.
    pub replicas: i64,
    pub automatic_failover: bool,
    pub multi_az: bool,
    pub at_rest: bool,
    pub in_transit: bool,
    pub auth: bool,
    /// In the group's own subnet group (not `default`).
    pub own_subnet_group: bool,
    /// Ingress, port and key rotation: the rules both stores share.
    pub exposure: Exposure,
    /// The AUTH secret's resource policy denies other accounts and plain HTTP.
    pub secret_policy: bool,
    /// Posture `recovery`: `pass`, or why the objectives declared are not met.
    pub recovery: String,
}

/// The posture of `f` in `env`. The same function serves plan and read, so a weakening the profile
/// allows reads back exactly as planned and shows no diff.
pub fn posture(env: Environment, f: &Facts) -> BTreeMap<String, String> {
    let mut p: BTreeMap<String, String> = CONTROLS
        .iter()
        .map(|c| (c.to_string(), PASS.to_string()))
        .collect();
    let mut set = |c: &str, v: String| {
        p.insert(c.to_string(), v);
    };
    if f.snapshot_retention_days < 1 {
        set("ElastiCache.1", "fail: snapshots are off".into());
    }
    if !f.auto_minor_upgrade {
        set(
            "ElastiCache.2",
            "fail: automatic minor upgrades are off".into(),
        );
    }
    if f.replicas < 1 {
        set(
            "ElastiCache.3",
            format!("fail: no replica to fail over to (relaxed by {env} profile)"),
        );
    } else if !f.automatic_failover {
        set("ElastiCache.3", "fail: automatic failover is off".into());
    } else if !f.multi_az {
        set("ElastiCache.3", "fail: Multi-AZ is off".into());
    }
    if !f.at_rest {
        set("ElastiCache.4", "fail: not encrypted at rest".into());
    }
    if !f.in_transit {
        set("ElastiCache.5", "fail: TLS is not required".into());
    }
    if !f.auth {
        set("ElastiCache.6", "fail: no AUTH token".into());
    }
    if !f.own_subnet_group {
        set(
            "ElastiCache.7",
            "fail: not in the group's subnet group".into(),
        );
    }
    if !f.secret_policy {
        set(
            "auth_secret",
            "fail: the AUTH secret's resource policy does not deny other accounts and requests without TLS".into(),
        );
    }
    if f.recovery.starts_with("fail") {
        set("recovery", f.recovery.clone());
    }
    let rule = PortRule {
        control: "port",
        engine_port: PORT,
        suggested: default_port(env),
        how: "on a new group to move it",
    };
    f.exposure.judge(env, &rule, &mut p);
    p
}

/// The facts apply enforces in `env`, for the plan.
pub fn planned_facts(
    env: Environment,
    retention: i64,
    replicas: i64,
    own_key: bool,
    port: Option<i64>,
) -> Facts {
    let h = hardening(env);
    Facts {
        snapshot_retention_days: retention,
        auto_minor_upgrade: h.auto_minor_upgrade,
        replicas,
        automatic_failover: failover(replicas),
        multi_az: failover(replicas),
        at_rest: h.at_rest_encryption,
        in_transit: h.transit_encryption,
        auth: h.auth_token,
        own_subnet_group: true,
        exposure: Exposure {
            ingress: None,
            key_rotation: own_key.then_some(true),
            port,
        },
        secret_policy: true,
        recovery: PASS.to_string(),
    }
}

#[cfg(test)]
mod tests;
