//! Audit trails (`audit_logging`): what records the security-relevant events on each engine, and
//! whether what AWS holds still does. PostgreSQL (RDS and Aurora) loads pgAudit and logs DDL, role
//! changes and writes to the exported `postgresql` log; Aurora MySQL turns on its advanced auditing
//! (the exported `audit` log); RDS MySQL has no audit parameter, only the MariaDB audit plugin, an
//! option of an option group `<name>-audit-mysql<major>` the instances join.

use std::collections::BTreeMap;

use super::{is_aurora, is_postgres};

/// The library pgAudit is loaded as (`shared_preload_libraries`, read when the engine starts).
pub const PG_LIBRARY: &str = "pgaudit";
pub const PG_PRELOAD: &str = "shared_preload_libraries";
/// What pgAudit logs: DDL, role and privilege changes, and writes.
pub const PG_CLASSES: &str = "ddl,role,write";
pub const PG_LOG: &str = "pgaudit.log";
/// What RDS PostgreSQL and Aurora PostgreSQL preload by default (their default parameter groups'
/// `shared_preload_libraries`): kept beside pgAudit, and what auditing off goes back to.
pub const PG_DEFAULT_LIBRARIES: &str = "pg_stat_statements";
/// The MySQL audit plugin's events: logins, privilege changes, DDL and writes (reads are left
/// out: their volume would drown the rest).
pub const MYSQL_EVENTS: &str = "CONNECT,QUERY_DCL,QUERY_DDL,QUERY_DML_NO_SELECT";
/// Aurora MySQL's advanced auditing has no "writes only" event: DML (reads included) it is.
pub const AURORA_MYSQL_EVENTS_VALUE: &str = "CONNECT,QUERY_DCL,QUERY_DDL,QUERY_DML";
pub const AURORA_MYSQL_SWITCH: &str = "server_audit_logging";
pub const AURORA_MYSQL_EVENTS: &str = "server_audit_events";
/// Who is audited: empty (everyone) while auditing, as set (a list of users narrows it).
pub const AURORA_MYSQL_USERS: [&str; 2] = ["server_audit_incl_users", "server_audit_excl_users"];
pub const MYSQL_OPTION_USERS: [&str; 2] = ["SERVER_AUDIT_INCL_USERS", "SERVER_AUDIT_EXCL_USERS"];
/// The RDS MySQL audit option and its events setting.
pub const MYSQL_OPTION: &str = "MARIADB_AUDIT_PLUGIN";
pub const MYSQL_OPTION_EVENTS: &str = "SERVER_AUDIT_EVENTS";

/// Whether `engine` audits through an option group (RDS MySQL) rather than parameters.
pub fn uses_option_group(engine: &str) -> bool {
    !is_aurora(engine) && !is_postgres(engine)
}

/// The option group of an RDS MySQL database at `engine_version`: one per major version, as AWS
/// ties option groups to one (`ledger-audit-mysql8-0`).
pub fn option_group_name(name: &str, engine_version: &str) -> String {
    let major: Vec<&str> = engine_version.split('.').take(2).collect();
    format!("{name}-audit-mysql{}", major.join("-"))
}

/// The major version an option group is made for (`8.0` of `8.0.39`).
pub fn option_group_major(engine_version: &str) -> String {
    engine_version
        .split('.')
        .take(2)
        .collect::<Vec<_>>()
        .join(".")
}

/// The settings of the audit option: the events, and everyone audited.
pub fn option_settings() -> BTreeMap<String, String> {
    let mut s = BTreeMap::from([(MYSQL_OPTION_EVENTS.to_string(), MYSQL_EVENTS.to_string())]);
    s.extend(MYSQL_OPTION_USERS.map(|k| (k.to_string(), String::new())));
    s
}

/// Whether the option's `have` settings (AWS lists every one, defaults included) hold `want`.
pub fn settings_hold(have: &BTreeMap<String, String>, want: &BTreeMap<String, String>) -> bool {
    want.iter()
        .all(|(k, v)| have.get(k).map_or(v.is_empty(), |h| h == v))
}

/// Whether option group `group` is one of database `name`'s audit groups
/// (`<name>-audit-mysql<major>-<minor>`), not another database's sharing the prefix.
pub fn is_own_option_group(name: &str, group: &str) -> bool {
    group
        .strip_prefix(&format!("{name}-audit-mysql"))
        .and_then(|v| v.split_once('-'))
        .is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && a.chars().all(|c| c.is_ascii_digit())
                && b.chars().all(|c| c.is_ascii_digit())
        })
}

/// The parameters auditing sets on `engine` (none for RDS MySQL), on (`audit`) or off: off sets
/// them back explicitly, so that turning auditing off stops it (a group keeps what it was given).
/// `user` is the configured `parameters`: pgAudit joins its libraries (else the engine's default
/// ones), and off, its own values of these parameters stand.
pub fn audit_parameters(
    engine: &str,
    audit: bool,
    user: Option<&BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    let libraries = user
        .and_then(|u| u.get(PG_PRELOAD))
        .map_or(PG_DEFAULT_LIBRARIES, String::as_str);
    let pairs: Vec<(&str, String)> = match (is_postgres(engine), is_aurora(engine), audit) {
        (true, _, true) => vec![
            (PG_PRELOAD, with_library(libraries)),
            (PG_LOG, PG_CLASSES.to_string()),
        ],
        (true, _, false) => vec![
            (PG_PRELOAD, libraries.to_string()),
            (PG_LOG, "none".to_string()),
        ],
        (false, true, true) => vec![
            (AURORA_MYSQL_SWITCH, "1".to_string()),
            (AURORA_MYSQL_EVENTS, AURORA_MYSQL_EVENTS_VALUE.to_string()),
        ],
        (false, true, false) => vec![(AURORA_MYSQL_SWITCH, "0".to_string())],
        (false, false, _) => Vec::new(),
    };
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(|x| x.trim().to_ascii_lowercase())
        .filter(|x| !x.is_empty())
        .collect()
}

/// `libraries` with pgAudit among them.
pub fn with_library(libraries: &str) -> String {
    if list(libraries).iter().any(|l| l == PG_LIBRARY) {
        libraries.to_string()
    } else if libraries.trim().is_empty() {
        PG_LIBRARY.to_string()
    } else {
        format!("{},{PG_LIBRARY}", libraries.trim_end_matches(','))
    }
}

/// The libraries as the user wrote them, when AWS holds exactly those plus pgAudit: what read
/// reports for a configured `shared_preload_libraries`, so that auditing's addition is no diff.
pub fn user_libraries(user: &str, live: &str) -> String {
    if live == with_library(user) {
        user.to_string()
    } else {
        live.to_string()
    }
}

/// Whether pgAudit's `pgaudit.log` covers DDL, role changes and writes (`all` does; a class taken
/// out with `-` does not).
pub fn pg_classes_cover(v: &str) -> bool {
    let l = list(v);
    let has = |c: &str| l.iter().any(|x| x == c || x == "all");
    let removed = |c: &str| l.iter().any(|x| x.strip_prefix('-') == Some(c));
    ["ddl", "role", "write"]
        .iter()
        .all(|c| has(c) && !removed(c))
}

/// Whether MySQL audit events cover logins, privilege changes, DDL and writes (`QUERY` covers
/// every query).
pub fn mysql_events_cover(v: &str) -> bool {
    let l: Vec<String> = list(v).iter().map(|x| x.to_ascii_uppercase()).collect();
    let has = |e: &str| l.iter().any(|x| x == e);
    let queries = has("QUERY")
        || (has("QUERY_DCL")
            && has("QUERY_DDL")
            && (has("QUERY_DML") || has("QUERY_DML_NO_SELECT")));
    has("CONNECT") && queries
}

/// Whether the parameters AWS holds (`live`: the group's user-set values) audit as
/// `audit_parameters` does, on an engine that audits by parameters.
pub fn parameters_audit(engine: &str, live: &BTreeMap<String, String>) -> bool {
    let get = |k: &str| live.get(k).map(String::as_str).unwrap_or_default();
    if is_postgres(engine) {
        list(get(PG_PRELOAD)).iter().any(|l| l == PG_LIBRARY) && pg_classes_cover(get(PG_LOG))
    } else if is_aurora(engine) {
        get(AURORA_MYSQL_SWITCH) == "1"
            && mysql_events_cover(get(AURORA_MYSQL_EVENTS))
            && AURORA_MYSQL_USERS.iter().all(|k| get(k).trim().is_empty())
    } else {
        false
    }
}

/// The configured parameter that would weaken auditing, with why: what plan refuses while
/// `audit_logging` is on.
pub fn weakening_parameter(
    engine: &str,
    user: &BTreeMap<String, String>,
) -> Option<(String, String)> {
    let bad = |k: &str, ok: &dyn Fn(&str) -> bool| {
        user.get(k)
            .filter(|v| !ok(v))
            .map(|v| (k.to_string(), v.clone()))
    };
    if is_postgres(engine) {
        bad(PG_LOG, &pg_classes_cover)
    } else if is_aurora(engine) {
        bad(AURORA_MYSQL_SWITCH, &|v| v == "1")
            .or_else(|| bad(AURORA_MYSQL_EVENTS, &mysql_events_cover))
            .or_else(|| {
                AURORA_MYSQL_USERS
                    .iter()
                    .find_map(|k| bad(k, &|v| v.trim().is_empty()))
            })
    } else {
        None
    }
}

/// What an RDS MySQL instance's option group holds, as read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OptionFacts {
    /// The option group the instance is in.
    pub group: Option<String>,
    /// The audit option's settings in that group; `None` when the option is not there.
    pub audit_settings: Option<BTreeMap<String, String>>,
}

/// Whether an RDS MySQL instance audits: in `want` (the blueprint's group), with the option, its
/// events covering what auditing asks.
pub fn option_audits(f: &OptionFacts, want: &str) -> bool {
    f.group.as_deref() == Some(want)
        && f.audit_settings.as_ref().is_some_and(|s| {
            s.get(MYSQL_OPTION_EVENTS)
                .is_some_and(|v| mysql_events_cover(v))
                && MYSQL_OPTION_USERS
                    .iter()
                    .all(|k| s.get(*k).is_none_or(|v| v.trim().is_empty()))
        })
}

/// AWS's own option group for MySQL `engine_version`'s major version (`default:mysql-8-0`).
pub fn default_option_group(engine_version: &str) -> String {
    format!(
        "default:mysql-{}",
        option_group_major(engine_version).replace('.', "-")
    )
}

/// The option group an instance of database `name` must move to, if any: into the audit group while
/// auditing (the one of the version it runs or is upgraded to); out of one of ours, back to AWS's
/// default, when auditing is off. Only RDS MySQL has option groups here.
pub fn option_group_change(
    name: &str,
    engine: &str,
    engine_version: &str,
    audit: bool,
    live: Option<&str>,
) -> Option<String> {
    if !uses_option_group(engine) {
        return None;
    }
    if audit {
        let want = option_group_name(name, engine_version);
        return (live != Some(want.as_str())).then_some(want);
    }
    live.filter(|l| is_own_option_group(name, l))
        .map(|_| default_option_group(engine_version))
}
