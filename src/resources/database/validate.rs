//! Checks of a `prod_database_ha` configuration: static ones (`validate`) and the profile's floors
//! (`validate_profile`, once the environment is known).

use std::collections::BTreeMap;

use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Diagnostics, Number, Value};
use crate::provider::profile::{self, Environment};

use super::blueprint::{self as bp, DEFAULT_ADMIN_NAMES};
use super::model::Config;
use super::schema::ENGINES;
use crate::resources::checks::{check_store_ids, check_tags_and_timeouts, check_window};
use crate::resources::datastore::{whole_map, ZoneReasons};

/// RDS identifiers are at most 63 characters and replicas add `-replica-NN`.
pub const MAX_NAME: usize = 50;

/// A configured whole number (`None` when null, unknown or not whole).
fn int(n: &Tri<Number>) -> Option<i64> {
    n.known().and_then(Number::as_i64)
}

/// The static checks of a configuration.
pub fn validate(value: &Value) -> Diagnostics {
    let cfg = Config::decode(value);
    let mut d = Diagnostics::new();
    check_name(&cfg, &mut d);
    profile::validate_attr(&cfg.environment, &mut d);
    check_engine(&cfg, &mut d);
    check_store_ids(&cfg.subnet_ids, &cfg.allowed_security_group_ids, &mut d);
    check_engine_version(&cfg, &mut d);
    check_sizes(&cfg, &mut d);
    check_window(&cfg.backup_window, "backup_window", false, &mut d);
    check_window(&cfg.maintenance_window, "maintenance_window", true, &mut d);
    check_access(&cfg, &mut d);
    check_tags_and_timeouts(&cfg.tags, &cfg.timeouts, &mut d);
    crate::resources::datastore::recovery::validate(&cfg.recovery, None, &mut d);
    check_remote_days(&cfg, &mut d);
    crate::resources::log_retention::validate(&cfg.log_retention, &mut d);
    super::pooling::validate(&cfg.pooling, &mut d);
    super::restore_check::validate(&cfg.restore_check, &mut d);
    d
}

/// `remote_retention_days`: days AWS Backup accepts, and only with a second region to keep them.
fn check_remote_days(cfg: &Config, d: &mut Diagnostics) {
    let at = AttrPath::attr("remote_retention_days");
    let Tri::Known(days) = d.whole(at.clone(), &cfg.remote_retention_days) else {
        return;
    };
    if !(1..=super::restore_check::MAX_DAYS).contains(&days) {
        d.error_at(
            at.clone(),
            "Invalid remote retention",
            format!("remote_retention_days = {days}: AWS Backup keeps a copy 1 to 36500 days (90 is the production default)."),
        );
    }
    let region = match &cfg.recovery {
        Tri::Known(g) => g.region.clone(),
        Tri::Null => Tri::Null,
        Tri::Unknown => Tri::Unknown,
    };
    if region.is_null() {
        d.error_at(
            at,
            "No second region to keep copies in",
            "remote_retention_days says how long the second region keeps its copies: declare it with `recovery { region = \"us-west-2\" }`, or remove remote_retention_days.",
        );
    }
}

/// The name: RDS identifier rules, with room for the replicas' suffix.
fn check_name(cfg: &Config, d: &mut Diagnostics) {
    if let Tri::Known(n) = &cfg.name {
        let ok = !n.is_empty()
            && n.len() <= MAX_NAME
            && n.starts_with(|c: char| c.is_ascii_alphabetic())
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !n.ends_with('-')
            && !n.contains("--");
        if !ok {
            d.error_at(
                AttrPath::attr("name"),
                "Invalid name",
                format!("{n:?} must be 1 to {MAX_NAME} letters, digits and hyphens, start with a letter, and neither end with a hyphen nor hold two in a row (RDS identifier rules, with room for \"-replica-N\")."),
            );
        }
    }
}

/// The engine: one of the four; Aurora takes no storage settings.
fn check_engine(cfg: &Config, d: &mut Diagnostics) {
    if let Tri::Known(e) = &cfg.engine {
        if !ENGINES.contains(&e.as_str()) {
            d.error_at(AttrPath::attr("engine"), "Invalid engine", format!("{e:?}: use \"postgres\", \"mysql\", \"aurora-postgresql\" or \"aurora-mysql\"."));
        } else if bp::is_aurora(e) {
            for (attr, given) in [
                ("allocated_storage", &cfg.allocated_storage),
                ("max_allocated_storage", &cfg.max_allocated_storage),
            ] {
                if !given.is_null() {
                    d.error_at(AttrPath::attr(attr), "Not used by Aurora", format!("Aurora storage grows by itself; remove {attr} (it reads 0 for Aurora)."));
                }
            }
        }
    }
}

/// The engine version: a major (PostgreSQL) or major.minor.
fn check_engine_version(cfg: &Config, d: &mut Diagnostics) {
    if let (Tri::Known(e), Tri::Known(v)) = (&cfg.engine, &cfg.engine_version) {
        let ok = !v.is_empty()
            && v.split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
        if !ok || (!bp::is_postgres(e) && !v.contains('.')) {
            d.error_at(AttrPath::attr("engine_version"), "Invalid engine version", format!("{v:?}: give a major version such as \"16\" (PostgreSQL) or \"8.0\" (MySQL), or a major.minor."));
        }
    }
}

/// The sizes: instance class, storage and its ceiling, replicas, backup retention.
fn check_sizes(cfg: &Config, d: &mut Diagnostics) {
    if let Tri::Known(c) = &cfg.instance_class {
        if !c.starts_with("db.") || c.split('.').count() != 3 {
            d.error_at(
                AttrPath::attr("instance_class"),
                "Invalid instance class",
                format!("{c:?} is not an RDS instance class such as \"db.r6g.large\"."),
            );
        }
    }
    if let Some(a) = int(&cfg.allocated_storage) {
        if !(20..=65536).contains(&a) {
            d.error_at(
                AttrPath::attr("allocated_storage"),
                "Invalid storage",
                format!("allocated_storage = {a} GiB: use 20 to 65536."),
            );
        }
        if let Some(m) = int(&cfg.max_allocated_storage) {
            if m < a {
                d.error_at(AttrPath::attr("max_allocated_storage"), "Storage ceiling below the allocation", format!("max_allocated_storage = {m} is below allocated_storage = {a}; raise it (or equal it to turn storage autoscaling off)."));
            }
        }
    }
    if let Some(r) = int(&cfg.replicas) {
        if !(0..=5).contains(&r) {
            d.error_at(
                AttrPath::attr("replicas"),
                "Invalid replica count",
                format!("replicas = {r}: use 0 to 5."),
            );
        }
    }
    if let Some(p) = int(&cfg.port) {
        if !(bp::PORTS.0..=bp::PORTS.1).contains(&p) {
            d.error_at(AttrPath::attr("port"), "Invalid port", format!("port = {p}: RDS listens on {} to {}; leave it unset for the profile's default.", bp::PORTS.0, bp::PORTS.1));
        }
    }
    if let Some(r) = int(&cfg.backup_retention_days) {
        if !(1..=35).contains(&r) {
            d.error_at(AttrPath::attr("backup_retention_days"), "Invalid retention", format!("backup_retention_days = {r}: RDS keeps 1 to 35 days (0 would turn backups and point-in-time recovery off)."));
        }
    }
}

/// Access and encryption: the master user name, the key ARN, and TLS left on.
fn check_access(cfg: &Config, d: &mut Diagnostics) {
    if let Tri::Known(u) = &cfg.master_username {
        let ok = !u.is_empty()
            && u.len() <= 16
            && u.starts_with(|c: char| c.is_ascii_alphabetic())
            && u.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok || DEFAULT_ADMIN_NAMES.contains(&u.as_str()) {
            d.error_at(AttrPath::attr("master_username"), "Invalid master user name", format!("{u:?}: use 1 to 16 letters, digits and underscores starting with a letter, and not an engine's default administrator (admin, postgres, root)."));
        }
    }
    if let Tri::Known(k) = &cfg.kms_key_arn {
        if !(k.starts_with("arn:") && k.contains(":kms:") && k.contains(":key/")) {
            d.error_at(AttrPath::attr("kms_key_arn"), "Invalid KMS key ARN", format!("{k:?} must be a key ARN (arn:aws:kms:<region>:<account>:key/<id>); leave it unset to let the database make its own key."));
        }
    }
    if let (Tri::Known(e), Tri::Known(params)) = (&cfg.engine, whole_map(&cfg.parameters)) {
        let (tls, _) = bp::tls_parameter(e);
        if let Some(v) = params.get(tls) {
            if !bp::tls_value_on(e, v) {
                d.error_at(AttrPath::attr("parameters").then_key(tls), "TLS cannot be turned off", format!("{tls} = {v:?} would accept unencrypted connections; encryption in transit holds in every profile. Remove the override."));
            }
        }
        if cfg.audit_logging == Tri::Known(true) {
            refuse_audit_narrowing(e, &params, d);
        }
    }
}

/// Parameters narrowing what `audit_logging` records, refused while it is on.
fn refuse_audit_narrowing(engine: &str, params: &BTreeMap<String, String>, d: &mut Diagnostics) {
    if let Some((k, v)) = bp::weakening_parameter(engine, params) {
        d.error_at(AttrPath::attr("parameters").then_key(&k), "Audit logging cannot be narrowed by parameters", format!("{k} = {v:?} would stop auditing what audit_logging records (logins, privilege changes, DDL and writes, by every user). Remove the override, widen it (e.g. `all`), or set audit_logging = false outside production."));
    }
}

/// The production floors, for a known environment.
pub fn validate_profile(cfg: &Config, env: Environment, d: &mut Diagnostics) {
    // Auditing on by the profile's default: parameters may not narrow it either.
    if cfg.audit_logging.is_null() && env.db_audit_logging() {
        if let (Tri::Known(e), Tri::Known(params)) = (&cfg.engine, whole_map(&cfg.parameters)) {
            refuse_audit_narrowing(e, &params, d);
        }
    }
    crate::resources::log_retention::check_profile(&cfg.log_retention, env, d);
    if env != Environment::Production {
        return;
    }
    let floor = env.db_backup_retention_floor();
    if let Some(r) = int(&cfg.backup_retention_days) {
        if r < floor {
            d.error_at(AttrPath::attr("backup_retention_days"), "Backup retention below the production floor", format!("backup_retention_days = {r}: production keeps at least {floor} days of backups so that a bad change found a week later can be undone. Set it to {floor} or more (30 is the default)."));
        }
    }
    if cfg.multi_az == Tri::Known(false) {
        d.error_at(AttrPath::attr("multi_az"), "Multi-AZ is required in production", "A production primary keeps a synchronous standby in another zone (RTO 15 min). Remove multi_az or set it to true.");
    }
    if let (Tri::Known(e), Some(p)) = (&cfg.engine, int(&cfg.port)) {
        if p == bp::port(e) {
            d.error_at(AttrPath::attr("port"), "The engine's default port is refused in production", format!("port = {p} is {e}'s well-known port, the first one scanners try (Security Hub RDS.23). Remove port for the production default ({}) or choose another from {} to {}.", bp::default_port(e, env), bp::PORTS.0, bp::PORTS.1));
        }
    }
    if cfg.final_snapshot == Tri::Known(false) {
        d.error_at(AttrPath::attr("final_snapshot"), "A final snapshot is required in production", "Destroying a production database keeps a final snapshot. Remove final_snapshot or set it to true.");
    }
    if cfg.audit_logging == Tri::Known(false) {
        d.error_at(AttrPath::attr("audit_logging"), "Audit logging is required in production", "A production database records logins, privilege changes, DDL and writes for audit (kept as audit logs). Remove audit_logging or set it to true.");
    }
}

/// Why the subnets must span zones (see `datastore::check_subnets`).
pub const ZONES: ZoneReasons = ZoneReasons {
    too_few: "a subnet group needs at least 2 so that the standby and replicas sit apart from the primary.",
    prefer: "production databases span 3 so that replicas survive losing one.",
};
