//! The database's parameters: the hardened ones (TLS required, connections and slow statements
//! logged), which of them an engine reads only when it starts, and the user's merged over them.

use std::collections::BTreeMap;

use super::is_postgres;

/// The parameter that forces TLS, and its value when on.
pub fn tls_parameter(engine: &str) -> (&'static str, &'static str) {
    if is_postgres(engine) {
        ("rds.force_ssl", "1")
    } else {
        ("require_secure_transport", "ON")
    }
}
pub fn tls_value_on(engine: &str, v: &str) -> bool {
    if is_postgres(engine) {
        v == "1"
    } else {
        matches!(v.to_ascii_uppercase().as_str(), "ON" | "1" | "TRUE")
    }
}

/// The hardened parameters: TLS required, connections and slow statements logged.
pub fn hardened_parameters(engine: &str) -> BTreeMap<String, String> {
    let pairs: &[(&str, &str)] = if is_postgres(engine) {
        &[
            ("rds.force_ssl", "1"),
            ("log_connections", "1"),
            ("log_disconnections", "1"),
            ("log_min_duration_statement", "1000"),
        ]
    } else {
        &[
            ("require_secure_transport", "ON"),
            ("slow_query_log", "1"),
            ("long_query_time", "1"),
        ]
    };
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// PostgreSQL parameters read only when the engine starts (RDS's apply type `static`).
const POSTGRES_STATIC: &[&str] = &[
    "autovacuum_freeze_max_age",
    "autovacuum_max_workers",
    "autovacuum_multixact_freeze_max_age",
    "cron.database_name",
    "huge_pages",
    "max_connections",
    "max_files_per_process",
    "max_locks_per_transaction",
    "max_logical_replication_workers",
    "max_pred_locks_per_transaction",
    "max_prepared_transactions",
    "max_replication_slots",
    "max_wal_senders",
    "max_worker_processes",
    "old_snapshot_threshold",
    "pg_stat_statements.max",
    "rds.logical_replication",
    "shared_buffers",
    "shared_preload_libraries",
    "superuser_reserved_connections",
    "track_activity_query_size",
    "track_commit_timestamp",
    "wal_buffers",
];
/// MySQL parameters read only when the engine starts (RDS's apply type `static`).
const MYSQL_STATIC: &[&str] = &[
    "back_log",
    "ft_max_word_len",
    "ft_min_word_len",
    "innodb_buffer_pool_instances",
    "innodb_ft_max_token_size",
    "innodb_ft_min_token_size",
    "innodb_log_buffer_size",
    "innodb_log_file_size",
    "innodb_open_files",
    "innodb_page_cleaners",
    "innodb_read_io_threads",
    "innodb_rollback_on_timeout",
    "innodb_sort_buffer_size",
    "innodb_write_io_threads",
    "lower_case_table_names",
    "performance_schema",
    "skip_name_resolve",
    "table_open_cache_instances",
    "thread_stack",
];

/// Whether `engine` reads parameter `name` only when it starts. AWS refuses to apply such a
/// parameter immediately: it is set `pending-reboot`, in effect at once on a new database (it
/// starts with it) and on an existing one at its next reboot.
pub fn is_static_parameter(engine: &str, name: &str) -> bool {
    let table = if is_postgres(engine) {
        POSTGRES_STATIC
    } else {
        MYSQL_STATIC
    };
    table.contains(&name)
}

/// The user's parameters merged over the hardened ones and, with `audit`, auditing's (whose
/// preloaded libraries are the user's plus pgAudit).
pub fn parameters(
    engine: &str,
    audit: bool,
    user: Option<&BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    let mut p = hardened_parameters(engine);
    if let Some(u) = user {
        p.extend(u.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    for (k, v) in super::audit_parameters(engine, audit, user) {
        // The user's own value of an audit parameter stands (plan refuses one that audits less
        // while auditing); the libraries are the user's with pgAudit among them.
        if k == super::PG_PRELOAD || !p.contains_key(&k) {
            p.insert(k, v);
        }
    }
    p
}
