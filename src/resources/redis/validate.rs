//! Checks of a `prod_redis_cluster` configuration: static ones (`validate`) and the profile's floors
//! (`validate_profile`, once the environment is known).

use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Diagnostics, Number, Value};
use crate::provider::profile::{self, Environment};
use crate::resources::checks::{check_store_ids, check_tags_and_timeouts, check_window};
use crate::resources::datastore::{whole_map, ZoneReasons};

use super::blueprint as bp;
use super::model::Config;
use super::schema::ENGINES;

/// ElastiCache replication group ids are at most 40 characters.
pub const MAX_NAME: usize = 40;

/// A configured whole number (`None` when null, unknown or not whole).
fn int(n: &Tri<Number>) -> Option<i64> {
    n.known().and_then(Number::as_i64)
}

/// An error on `attr` when its configured `value` is outside `lo..=hi`.
fn range(value: &Tri<Number>, attr: &str, lo: i64, hi: i64, why: &str, d: &mut Diagnostics) {
    if let Some(v) = int(value) {
        if !(lo..=hi).contains(&v) {
            d.error_at(
                AttrPath::attr(attr),
                "Out of range",
                format!("{attr} = {v}: use {lo} to {hi}{why}."),
            );
        }
    }
}

/// The static checks of a configuration.
pub fn validate(value: &Value) -> Diagnostics {
    let cfg = Config::decode(value);
    let mut d = Diagnostics::new();
    check_name(&cfg, &mut d);
    crate::resources::datastore::recovery::validate(
        &cfg.recovery,
        Some("prod_redis_cluster keeps its snapshots in its own region in this version"),
        &mut d,
    );
    profile::validate_attr(&cfg.environment, &mut d);
    check_engine(&cfg, &mut d);
    check_store_ids(&cfg.subnet_ids, &cfg.allowed_security_group_ids, &mut d);
    check_engine_version(&cfg, &mut d);
    check_node_type(&cfg, &mut d);
    check_ranges(&cfg, &mut d);
    check_window(&cfg.snapshot_window, "snapshot_window", false, &mut d);
    check_window(&cfg.maintenance_window, "maintenance_window", true, &mut d);
    check_kms_key(&cfg, &mut d);
    check_parameters(&cfg, &mut d);
    check_auth_token(&cfg, &mut d);
    check_tags_and_timeouts(&cfg.tags, &cfg.timeouts, &mut d);
    d
}

/// The engine: Valkey or Redis OSS.
fn check_engine(cfg: &Config, d: &mut Diagnostics) {
    if let Tri::Known(e) = &cfg.engine {
        if !ENGINES.contains(&e.as_str()) {
            d.error_at(
                AttrPath::attr("engine"),
                "Invalid engine",
                format!("{e:?}: use \"valkey\" or \"redis\"."),
            );
        }
    }
}

/// The node type: an ElastiCache one, `cache.<family>.<size>`.
fn check_node_type(cfg: &Config, d: &mut Diagnostics) {
    if let Tri::Known(t) = &cfg.node_type {
        if !t.starts_with("cache.") || t.split('.').count() != 3 {
            d.error_at(
                AttrPath::attr("node_type"),
                "Invalid node type",
                format!("{t:?} is not an ElastiCache node type such as \"cache.r6g.large\"."),
            );
        }
    }
}

/// The numbers within AWS's limits, and no rotation of a token the user brings.
fn check_ranges(cfg: &Config, d: &mut Diagnostics) {
    range(&cfg.shards, "shards", 1, 500, "", d);
    range(&cfg.replicas_per_shard, "replicas_per_shard", 0, 5, "", d);
    range(
        &cfg.snapshot_retention_days,
        "snapshot_retention_days",
        0,
        35,
        " (0 turns snapshots off)",
        d,
    );
    range(
        &cfg.port,
        "port",
        bp::PORTS.0,
        bp::PORTS.1,
        " (leave it unset for the profile's default)",
        d,
    );
    range(
        &cfg.auth_token_rotation_days,
        "auth_token_rotation_days",
        0,
        bp::MAX_ROTATION_DAYS,
        " (0 never rotates)",
        d,
    );
    if !cfg.auth_token_wo_version.is_null()
        && int(&cfg.auth_token_rotation_days).is_some_and(|r| r > 0)
    {
        d.error_at(AttrPath::attr("auth_token_rotation_days"), "A token you bring is yours to rotate", "With auth_token_wo the provider never replaces your token: rotate it by changing auth_token_wo_version. Remove auth_token_rotation_days (or set 0).");
    }
}

/// A KMS key given by its ARN.
fn check_kms_key(cfg: &Config, d: &mut Diagnostics) {
    if let Tri::Known(k) = &cfg.kms_key_arn {
        if !(k.starts_with("arn:") && k.contains(":kms:") && k.contains(":key/")) {
            d.error_at(AttrPath::attr("kms_key_arn"), "Invalid KMS key ARN", format!("{k:?} must be a key ARN (arn:aws:kms:<region>:<account>:key/<id>); leave it unset to let the group make its own key."));
        }
    }
}

/// Parameters the provider sets itself are refused.
fn check_parameters(cfg: &Config, d: &mut Diagnostics) {
    if let Tri::Known(p) = whole_map(&cfg.parameters) {
        if p.contains_key("cluster-enabled") {
            d.error_at(
                AttrPath::attr("parameters").then_key("cluster-enabled"),
                "Set by shards",
                "cluster-enabled follows `shards` (more than 1 turns cluster mode on); remove it from parameters.",
            );
        }
    }
}

/// The name: ElastiCache replication group id rules.
fn check_name(cfg: &Config, d: &mut Diagnostics) {
    if let Tri::Known(n) = &cfg.name {
        let ok = !n.is_empty()
            && n.len() <= MAX_NAME
            && n.starts_with(|c: char| c.is_ascii_lowercase())
            && n.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !n.ends_with('-')
            && !n.contains("--");
        if !ok {
            d.error_at(
                AttrPath::attr("name"),
                "Invalid name",
                format!("{n:?} must be 1 to {MAX_NAME} lowercase letters, digits and hyphens, start with a letter, and neither end with a hyphen nor hold two in a row (ElastiCache replication group id rules)."),
            );
        }
    }
}

/// The punctuation ElastiCache allows in an AUTH token (CreateReplicationGroup `AuthToken`).
pub const TOKEN_PUNCTUATION: &str = "!&#$^<>-";

/// What is wrong with AUTH token `t` by ElastiCache's rules (16 to 128 printable ASCII characters,
/// of punctuation only [`TOKEN_PUNCTUATION`]), without repeating it: `None` when it is fine.
pub fn token_problem(t: &str) -> Option<String> {
    let n = t.chars().count();
    if !(16..=128).contains(&n) {
        return Some(format!("has {n} characters"));
    }
    let mut bad: Vec<String> = t
        .chars()
        .filter(|c| !(c.is_ascii_alphanumeric() || TOKEN_PUNCTUATION.contains(*c)))
        .map(|c| match c {
            ' ' => "a space".to_string(),
            c if c.is_ascii_graphic() => format!("`{c}`"),
            _ => "a non-printable or non-ASCII character".to_string(),
        })
        .collect();
    bad.sort();
    bad.dedup();
    (!bad.is_empty()).then(|| format!("holds {}", bad.join(", ")))
}

/// A token you bring: ElastiCache's rules, and the version that says when to send it.
fn check_auth_token(cfg: &Config, d: &mut Diagnostics) {
    if let Tri::Known(t) = &cfg.auth_token_wo {
        if let Some(why) = token_problem(t) {
            d.error_at(
                AttrPath::attr("auth_token_wo"),
                "Invalid AUTH token",
                format!("auth_token_wo {why}: ElastiCache takes 16 to 128 characters, letters, digits and {TOKEN_PUNCTUATION} only. Generate one with e.g. `openssl rand -hex 32`."),
            );
        }
    }
    let version = AttrPath::attr("auth_token_wo_version");
    match (cfg.auth_token_wo.is_null(), cfg.auth_token_wo_version.is_null()) {
        (false, true) => d.error_at(
            version,
            "Missing auth_token_wo_version",
            "auth_token_wo is write-only, so Terraform keeps nothing to compare it with: the version is what makes the provider send a token. Set auth_token_wo_version = 1 and change it whenever the token changes.",
        ),
        (true, false) => d.error_at(
            version,
            "auth_token_wo_version without a token",
            "auth_token_wo_version versions auth_token_wo, which is not set. Set auth_token_wo too, or remove auth_token_wo_version to keep the current token.",
        ),
        _ => {
            if let Tri::Known(v) = &cfg.auth_token_wo_version {
                if v.as_i64().is_none() {
                    d.error_at(
                        version,
                        "Invalid version",
                        format!("auth_token_wo_version = {v}: use a whole number, e.g. 1, 2, 3 as the token changes."),
                    );
                }
            }
        }
    }
}

/// The engine version: major.minor (or major.minor.patch).
fn check_engine_version(cfg: &Config, d: &mut Diagnostics) {
    if let Tri::Known(v) = &cfg.engine_version {
        let parts: Vec<&str> = v.split('.').collect();
        let ok = (2..=3).contains(&parts.len())
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
        if !ok {
            d.error_at(
                AttrPath::attr("engine_version"),
                "Invalid engine version",
                format!("{v:?}: give a major.minor version such as \"7.1\" (redis) or \"8.0\" (valkey)."),
            );
        }
    }
}

/// The production floors, for a known environment.
pub fn validate_profile(cfg: &Config, env: Environment, d: &mut Diagnostics) {
    let floor = env.redis_replicas_floor();
    if let Some(r) = int(&cfg.replicas_per_shard) {
        if r < floor {
            d.error_at(AttrPath::attr("replicas_per_shard"), "A replica is required in production", format!("replicas_per_shard = {r}: production keeps at least {floor} replica per shard so that a node loss fails over (automatic failover and Multi-AZ need one). Set it to {floor} or more (2 is the default)."));
        }
    }
    if env == Environment::Production && int(&cfg.port) == Some(bp::PORT) {
        d.error_at(AttrPath::attr("port"), "The engine's default port is refused in production", format!("port = {} is the engine's well-known port, the first one scanners try. Remove port for the production default ({}) or choose another from {} to {}.", bp::PORT, bp::default_port(env), bp::PORTS.0, bp::PORTS.1));
    }
    if env == Environment::Production
        && cfg.auth_token_wo_version.is_null()
        && int(&cfg.auth_token_rotation_days) == Some(0)
    {
        d.error_at(AttrPath::attr("auth_token_rotation_days"), "AUTH token rotation is required in production", format!("auth_token_rotation_days = 0 would keep one token for the group's life. Remove it for the production default ({} days) or set 1 to {}.", bp::rotation_days(env), bp::MAX_ROTATION_DAYS));
    }
    let floor = env.redis_snapshot_retention_floor();
    if let Some(r) = int(&cfg.snapshot_retention_days) {
        if r < floor {
            d.error_at(AttrPath::attr("snapshot_retention_days"), "Snapshots are required in production", format!("snapshot_retention_days = {r}: production keeps at least {floor} day of snapshots. Set it to {floor} or more (7 is the default)."));
        }
    }
}

/// Why the subnets must span zones (see `datastore::check_subnets`).
pub const ZONES: ZoneReasons = ZoneReasons {
    too_few: "a replication group needs at least 2 so that replicas sit apart from their primary. List subnets in at least 2 zones.",
    prefer: "production groups span 3 so that a shard survives losing one.",
};
