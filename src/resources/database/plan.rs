//! Plan: every argument as apply will leave it (configuration, else the profile's default), the
//! computed values known before AWS answers, and the replacement guard (contract rule 12).

use std::collections::BTreeMap;

use super::blueprint::{self as bp, Exposure, Facts};
use super::model::{Config, State};
use super::pooling;
use super::recovery;
use super::restore_check;
use super::schema::TYPE_NAME;
use super::validate;
use crate::framework::decode::Tri;
use crate::framework::resource::Planned;
use crate::framework::{AttrPath, Diagnostic, Diagnostics, Number};
use crate::provider::aws::Place;
use crate::provider::profile::{self, Environment, TierDefaults};
use crate::provider::tags;
use crate::resources::alerting::watch;
use crate::resources::datastore::recovery::{self as rec, Gives, Objectives};
use crate::resources::datastore::{self, by_env, whole_list, PlanInput};
use crate::resources::log_retention;

/// The component roles of a database in `env` with `replicas` replicas (Aurora: a cluster and its
/// writer instead of a primary).
/// The components a database has (`audit_group`: RDS MySQL's audit option group).
pub fn roles(
    env: Environment,
    replicas: i64,
    own_key: bool,
    aurora: bool,
    audit_group: bool,
) -> Vec<String> {
    let main: &[&str] = if aurora {
        &["cluster", "writer"]
    } else {
        &["primary"]
    };
    let mut r: Vec<String> = ["parameter_group", "security_group", "subnet_group"]
        .iter()
        .chain(main)
        .map(|s| s.to_string())
        .collect();
    if own_key {
        r.extend(["kms_alias".to_string(), "kms_key".to_string()]);
    }
    if env.db_monitoring() {
        r.push("monitoring_role".into());
    }
    if audit_group {
        r.push("option_group".into());
    }
    r.extend((1..=replicas.max(0)).map(|i| format!("replica_{i}")));
    r
}

/// The guard's refusal: the database holds data and `deletion_protection` is on.
pub fn guard_diagnostic(what: &str, attr: Option<&AttrPath>) -> Diagnostic {
    datastore::guard_diagnostic(TYPE_NAME, "the database", what, attr)
}

/// The plan of a database: the arguments with their defaults, the Aurora rules, the plan-time
/// checks, the replacement guard, then the computed values and the posture.
pub fn plan(input: &PlanInput) -> Planned {
    let cfg = Config::decode(input.config);
    let prior = (!input.prior.is_null()).then(|| State::decode(input.prior));
    let mut d = Diagnostics::new();
    let mut planned = Config::decode(input.proposed);
    let env = profile::planned(&cfg.environment, input.default_env);
    if let Tri::Known(e) = env {
        validate::validate_profile(&cfg, e, &mut d);
    }
    if let Some(pl) = input.place {
        rec::refuse_same_region(&cfg.recovery, &pl.region, &mut d);
    }
    // A new database named as a replica is: its instances and log groups would be taken for
    // another database's. One that exists (from an earlier release) keeps its name.
    match &cfg.name {
        Tri::Known(n) if prior.is_none() && bp::is_replica_name(n) => d.error_at(
            AttrPath::attr("name"),
            "A replica's name",
            format!("{n:?} is how another database's replica is named (`<name>-replica-<n>`): its instances and log groups would be taken for that database's. Choose a name that does not end in \"-replica-<n>\"."),
        ),
        _ => {}
    }
    planned.environment = by_env(&env, |e| e.as_str().to_string());
    defaults(&cfg, &env, input.default_tags, &mut planned);
    let replicas = int_of(&planned.replicas);
    // Aurora: storage grows by itself (0), and Multi-AZ means readers in the other zones.
    let aurora = matches!(&cfg.engine, Tri::Known(e) if bp::is_aurora(e));
    if aurora {
        aurora_rules(&cfg, &env, replicas, &mut planned, &mut d);
    }

    // Subnets: at least 2 zones, one VPC.
    if let (Some(facts), Tri::Known(e)) = (input.subnets, &env) {
        datastore::check_subnets(
            &whole_list(&cfg.subnet_ids),
            facts,
            *e,
            &validate::ZONES,
            &mut d,
        );
    }
    if let (Some(want), Some(p)) = (int_of(&planned.allocated_storage), &prior) {
        let have = p.allocated_storage;
        if want < have {
            d.error_at(AttrPath::attr("allocated_storage"), "Storage cannot shrink", format!("allocated_storage {have} → {want}: RDS storage only grows. Keep {have} or more."));
        }
    }

    // Replacement where AWS forces it; refused while the data is protected.
    let mut requires_replace = Vec::new();
    if let Some(p) = &prior {
        requires_replace = replacing(&cfg, p);
        if p.deletion_protection && !input.create_incomplete {
            if let Some(a) = requires_replace.first() {
                d.push(guard_diagnostic("replacement", Some(a)));
            }
        }
    }
    let kept = prior.as_ref().filter(|_| requires_replace.is_empty());
    if let Some(p) = kept {
        warn_static_changes(&cfg, p, &mut d);
    }
    let own_key = cfg.kms_key_arn.is_null();
    planned.kms_key_arn =
        datastore::planned_key(&cfg.kms_key_arn, kept.and_then(|p| p.kms_key_arn.as_ref()));
    computed(
        &cfg,
        &env,
        replicas,
        aurora,
        input.place,
        kept,
        &mut planned,
    );
    if let Some(p) = kept {
        warn_port_move(p, &planned, &mut d);
        warn_audit_start(p, &planned, &mut d);
        warn_audit_stop(p, &planned, &mut d);
    }
    plan_recovery(&cfg, &env, &mut planned, &mut d);
    // A read-only proxy endpoint: Aurora with readers (unknown until the engine and count are).
    let reader = match &cfg.engine {
        Tri::Known(e) => replicas.map(|r| pooling::has_reader(e, r)),
        _ => None,
    };
    plan_pooling(&cfg, &env, reader, kept, &mut planned);
    // Whether the map has the proxy's keys waits for pooling to be known.
    planned.watch = match (&env, &planned.pooling) {
        (Tri::Known(e), block)
            if !pooling::given(block, *e).is_unknown()
                && !restore_check::given(&planned.restore_check, *e).is_unknown() =>
        {
            Tri::Known(watch_of(&planned))
        }
        _ => Tri::Unknown,
    };
    if let Tri::Known(e) = env {
        log_retention::check_provider_tiers(&cfg.log_retention, e, &input.log_defaults, &mut d);
    }
    planned.posture = posture(&env, &planned, own_key, &input.log_defaults);
    datastore::planned(planned.encode(), input, &cfg.name, requires_replace, d)
}

/// A warning on each static parameter (read only when the engine starts) whose value changes on
/// a database that stays: AWS applies it at the instances' next reboot, not during this apply.
fn warn_static_changes(cfg: &Config, prior: &State, d: &mut Diagnostics) {
    let Tri::Known(params) = datastore::whole_map(&cfg.parameters) else {
        return;
    };
    let before = prior.parameters.clone().unwrap_or_default();
    for (k, v) in &params {
        if bp::is_static_parameter(&prior.engine, k) && before.get(k) != Some(v) {
            d.warning_at(
                AttrPath::attr("parameters").then_key(k),
                "Takes effect at the next reboot",
                format!("{k} is read only when the engine starts: apply sets it pending reboot, and the instances run with the old value until they restart (in their maintenance window, or when you reboot them: `aws rds reboot-db-instance --db-instance-identifier <id>`, Aurora: each instance of the cluster)."),
            );
        }
    }
}

/// The objectives in force and what the planned arguments give; `None` until both are known.
fn planned_recovery(env: &Tri<Environment>, planned: &Config) -> Option<(Objectives, Gives)> {
    let (Tri::Known(e), Tri::Known(engine), Some(multi_az), Some(replicas), Some(days)) = (
        env,
        &planned.engine,
        planned.multi_az.known(),
        int_of(&planned.replicas),
        int_of(&planned.backup_retention_days),
    ) else {
        return None;
    };
    let declared = rec::given(&planned.recovery)?;
    let aurora = bp::is_aurora(engine);
    let regional = match (&declared.region, int_of(&planned.remote_retention_days)) {
        (Some(region), Some(copies)) if !aurora => recovery::Regional::Replicated {
            region: region.clone(),
            days,
            copies,
        },
        (Some(region), Some(copies)) => recovery::Regional::Copied {
            region: region.clone(),
            days: copies,
        },
        (Some(_), None) => return None,
        _ => recovery::Regional::None,
    };
    Some((
        rec::effective(&declared, recovery::profile(*e)),
        recovery::gives(
            aurora,
            if aurora { replicas > 0 } else { *multi_az },
            days,
            &regional,
        ),
    ))
}

/// The recovery objectives checked against what the plan gives: one it cannot meet is refused on
/// the block's attribute (or, for the profile's objective, on the argument that falls short);
/// `recovery_plan` says what meets each.
fn plan_recovery(cfg: &Config, env: &Tri<Environment>, planned: &mut Config, d: &mut Diagnostics) {
    planned.recovery = cfg.recovery.clone();
    let Some((o, g)) = planned_recovery(env, planned) else {
        planned.recovery_plan = Tri::Unknown;
        return;
    };
    rec::refuse_unmet(&o, &g, &cfg.recovery, d);
    planned.recovery_plan = rec::planned(&o, &g);
}

/// The `pooling` block as configured, and the proxy's endpoints: kept while the proxy stays, null
/// without one, known after apply otherwise (`reader`: Aurora with readers has a read-only one;
/// `None` until the engine and replicas are known).
fn plan_pooling(
    cfg: &Config,
    env: &Tri<Environment>,
    reader: Option<bool>,
    kept: Option<&State>,
    planned: &mut Config,
) {
    planned.pooling = cfg.pooling.clone();
    let on = pooling::planned_on(&cfg.pooling, env);
    let stays = kept.filter(|p| {
        let e = Environment::parse(&p.environment).unwrap_or(Environment::Production);
        on == Some(true) && pooling::effective(p.pooling.as_ref(), e).is_some()
    });
    match on {
        Some(false) => {
            planned.proxy_endpoint = Tri::Null;
            planned.proxy_reader_endpoint = Tri::Null;
        }
        Some(true) => {
            planned.proxy_endpoint = stays
                .and_then(|p| p.proxy_endpoint.clone())
                .map_or(Tri::Unknown, Tri::Known);
            planned.proxy_reader_endpoint = match reader {
                Some(false) => Tri::Null,
                Some(true) => stays
                    .and_then(|p| p.proxy_reader_endpoint.clone())
                    .map_or(Tri::Unknown, Tri::Known),
                None => Tri::Unknown,
            };
        }
        None => {
            planned.proxy_endpoint = Tri::Unknown;
            planned.proxy_reader_endpoint = Tri::Unknown;
        }
    }
}

/// A warning where auditing starts on an existing PostgreSQL database: pgAudit is a preloaded
/// library, loaded only when the instances restart.
fn warn_audit_start(prior: &State, planned: &Config, d: &mut Diagnostics) {
    if bp::is_postgres(&prior.engine)
        && !prior.audit_logging
        && planned.audit_logging == Tri::Known(true)
    {
        d.warning_at(
            AttrPath::attr("audit_logging"),
            "Auditing starts at the next reboot",
            "pgAudit is loaded when the engine starts: apply sets it in the parameter group (pending reboot), and the instances record nothing until they restart (in their maintenance window, or when you reboot them: `aws rds reboot-db-instance --db-instance-identifier <id>`, Aurora: each instance of the cluster).",
        );
    }
}

/// PostgreSQL's log holds pgAudit's records while auditing, so it is kept the audit tier; auditing
/// turned off makes it an engine log, kept the application tier, and the older records go.
fn warn_audit_stop(prior: &State, planned: &Config, d: &mut Diagnostics) {
    if bp::is_postgres(&prior.engine)
        && prior.audit_logging
        && planned.audit_logging == Tri::Known(false)
    {
        d.warning_at(
            AttrPath::attr("audit_logging"),
            "The audit trail is kept the application tier from now on",
            "With auditing off, the exported `postgresql` log holds engine logs only, so its groups are kept log_retention's application tier instead of the audit tier: CloudWatch deletes the records older than that, pgAudit's among them. To keep them, first set `log_retention { application = <the audit tier's days> }`, or export them.",
        );
    }
}

/// The `watch` map of a planned database (or of a state, read as a plan), from its configuration.
pub fn watch_of(c: &Config) -> watch::Planned {
    let aurora = matches!(&c.engine, Tri::Known(e) if bp::is_aurora(e));
    let instance = match &c.name {
        Tri::Known(n) if aurora => Tri::Known(bp::writer_id(n)),
        other => other.clone(),
    };
    let replicas = match (&c.name, int_of(&c.replicas)) {
        _ if aurora => Tri::Known(Vec::new()),
        (Tri::Known(n), Some(r)) => Tri::Known(
            (1..=r.max(0) as usize)
                .map(|i| bp::replica_id(n, i))
                .collect(),
        ),
        _ => Tri::Unknown,
    };
    // The proxy, where pooling is on: named as the database.
    let env = match &c.environment {
        Tri::Known(e) => Environment::parse(e).map_or(Tri::Unknown, Tri::Known),
        _ => Tri::Unknown,
    };
    let pool = match &env {
        Tri::Known(e) => pooling::given(&c.pooling, *e),
        _ => Tri::Unknown,
    };
    // Without pooling the map has no proxy keys (as before pooling existed).
    let proxy = match (&pool, &c.name) {
        (Tri::Known(None), _) => None,
        (Tri::Known(Some(p)), Tri::Known(n)) => Some((
            Tri::Known(pooling::proxy_name(n)),
            Tri::Known(p.max_connections_percent.to_string()),
        )),
        _ => Some((Tri::Unknown, Tri::Unknown)),
    };
    // Restore verification: the resource type AWS Backup counts its restore jobs under.
    let checked = match &env {
        Tri::Known(e) => restore_check::given(&c.restore_check, *e),
        _ => Tri::Unknown,
    };
    let restore_check = match (&checked, &c.engine) {
        (Tri::Known(None), _) => None,
        (Tri::Known(Some(_)), Tri::Known(engine)) => {
            Some(Tri::Known(restore_check::resource_type(engine).to_string()))
        }
        _ => Some(Tri::Unknown),
    };
    watch::database(watch::DatabaseArgs {
        proxy,
        restore_check,
        name: &c.name,
        instance,
        engine: &c.engine,
        instance_class: &c.instance_class,
        allocated_storage: &c.allocated_storage,
        replicas,
        parameters: &c.parameters,
    })
}

/// A state's `watch` map, as [`watch_of`] its configured values.
pub fn settled_watch(s: &State) -> std::collections::BTreeMap<String, String> {
    watch::settled(watch_of(&Config::decode(&s.encode())))
}

/// A planned whole number (`None` when unknown or not whole).
fn int_of(n: &Tri<Number>) -> Option<i64> {
    n.known().and_then(Number::as_i64)
}

/// The arguments as apply will leave them: configured, else the engine's or the profile's default.
fn defaults(
    cfg: &Config,
    env: &Tri<Environment>,
    default_tags: &BTreeMap<String, String>,
    planned: &mut Config,
) {
    let version_default = match &cfg.engine {
        Tri::Known(e) => Tri::Known(bp::default_version(e).to_string()),
        _ => Tri::Unknown,
    };
    crate::defaults!(planned, cfg, env;
        engine_version: given version_default,
        instance_class: env |e| e.db_instance_class().to_string(),
        allocated_storage: env |e| Number::Int(e.db_storage_gib().0),
        max_allocated_storage: env |e| Number::Int(e.db_storage_gib().1),
        replicas: env |e| Number::Int(e.db_replicas()),
        multi_az: env Environment::db_multi_az,
        backup_retention_days: env |e| Number::Int(e.db_backup_retention_days()),
        backup_window: fixed bp::DEFAULT_BACKUP_WINDOW.to_string(),
        maintenance_window: fixed bp::DEFAULT_MAINTENANCE_WINDOW.to_string(),
        deletion_protection: env Environment::db_deletion_protection,
        final_snapshot: env Environment::db_final_snapshot,
        audit_logging: env Environment::db_audit_logging,
        // Kept with a final snapshot unless told otherwise: what AWS keeps by default with one.
        retain_automated_backups: given planned.final_snapshot.clone(),
        master_username: fixed bp::DEFAULT_MASTER_USERNAME.to_string(),
    );
    planned.tags_all = tags::planned_all(
        default_tags,
        &datastore::whole_map(&cfg.tags),
        TYPE_NAME,
        &cfg.name,
        env,
    );
    planned.remote_retention_days = planned_remote_days(cfg, env, planned);
    // A max below a configured allocation follows it (autoscaling off rather than an error).
    if let (Some(a), Some(m)) = (
        int_of(&planned.allocated_storage),
        int_of(&planned.max_allocated_storage),
    ) {
        if cfg.max_allocated_storage.is_null() && m < a {
            planned.max_allocated_storage = Tri::Known(Number::Int(a));
        }
    }
}

/// Days the second region keeps its copies: as configured, else the profile's (90 in
/// production, `backup_retention_days` otherwise); null without a second region.
fn planned_remote_days(cfg: &Config, env: &Tri<Environment>, planned: &Config) -> Tri<Number> {
    let region = match &cfg.recovery {
        Tri::Known(g) => g.region.clone(),
        Tri::Null => Tri::Null,
        Tri::Unknown => Tri::Unknown,
    };
    match (region, env, int_of(&planned.backup_retention_days)) {
        (Tri::Null, _, _) => Tri::Null,
        (Tri::Known(_), Tri::Known(e), Some(local)) => match cfg.remote_retention_days.whole() {
            Tri::Known(d) => Tri::Known(Number::Int(d)),
            Tri::Null => Tri::Known(Number::Int(restore_check::remote_days(None, *e, local))),
            Tri::Unknown => Tri::Unknown,
        },
        _ => Tri::Unknown,
    }
}

/// Aurora's storage (grows by itself: 0) and its Multi-AZ, which is its readers in other zones.
fn aurora_rules(
    cfg: &Config,
    env: &Tri<Environment>,
    replicas: Option<i64>,
    planned: &mut Config,
    d: &mut Diagnostics,
) {
    planned.allocated_storage = Tri::Known(Number::Int(0));
    planned.max_allocated_storage = Tri::Known(Number::Int(0));
    let Some(r) = replicas else {
        return;
    };
    if r == 0 && *env == Tri::Known(Environment::Production) {
        d.error_at(
            AttrPath::attr("replicas"),
            "Multi-AZ is required in production",
            "An Aurora cluster is Multi-AZ through its readers in other zones; production keeps at least one. Set replicas to 1 or more (2 is the default).",
        );
    }
    match cfg.multi_az {
        Tri::Null => planned.multi_az = Tri::Known(r > 0),
        Tri::Known(m) if m != (r > 0) => d.error_at(
            AttrPath::attr("multi_az"),
            "Aurora's Multi-AZ is its readers",
            format!("An Aurora cluster is Multi-AZ when it has readers in other zones: with replicas = {r}, set multi_az = {} (or leave it unset).", r > 0),
        ),
        _ => {}
    }
}

/// The port in a `host:port` endpoint.
fn endpoint_port(e: &Option<String>) -> Option<i64> {
    e.as_deref()?.rsplit_once(':')?.1.parse().ok()
}

/// A warning on `port` when apply will move a kept database to another port: configured anew, or
/// moved outside Terraform (its endpoint, read from AWS, ends in another port).
fn warn_port_move(prior: &State, planned: &Config, d: &mut Diagnostics) {
    let (Some(want), Some(have)) = (int_of(&planned.port), endpoint_port(&prior.endpoint)) else {
        return;
    };
    if want == have {
        return;
    }
    let why = if prior.port == Some(want) {
        format!(
            "The database listens on {have}, not {want}: its port was changed outside Terraform."
        )
    } else {
        format!("port {have} → {want}.")
    };
    d.warning_at(
        AttrPath::attr("port"),
        "The database moves to another port",
        format!("{why} Apply moves every instance to {want} (RDS restarts each one: a short outage) and opens only {want} in its security group; clients must use the new endpoint."),
    );
}

/// The attributes whose change forces a new database.
fn replacing(cfg: &Config, prior: &State) -> Vec<AttrPath> {
    let mut out = Vec::new();
    for (attr, given, had) in [
        ("name", &cfg.name, &prior.name),
        ("engine", &cfg.engine, &prior.engine),
    ] {
        if !given.is_unknown() && *given != Tri::Known(had.clone()) {
            out.push(AttrPath::attr(attr));
        }
    }
    if datastore::key_replaced(
        &cfg.kms_key_arn,
        prior.kms_key_arn.as_deref(),
        &prior.components,
    ) {
        out.push(AttrPath::attr("kms_key_arn"));
    }
    out
}

/// The computed values: fixed by the name where it decides them, the prior's (`kept`: while the
/// database is kept) where nothing changes them.
fn computed(
    cfg: &Config,
    env: &Tri<Environment>,
    replicas: Option<i64>,
    aurora: bool,
    place: Option<&Place>,
    kept: Option<&State>,
    planned: &mut Config,
) {
    let pg_name = match (&cfg.name, &cfg.engine, &planned.engine_version) {
        (Tri::Known(n), Tri::Known(e), Tri::Known(v)) => Some(bp::parameter_group_name(n, e, v)),
        _ => None,
    };
    planned.parameter_group_name = pg_name.clone().map_or(Tri::Unknown, Tri::Known);
    planned.subnet_group_name = cfg.name.clone();
    // A database that exists keeps its port; a new one gets the profile's.
    let port_default = match (kept.and_then(|p| p.port), &cfg.engine, env) {
        (Some(have), _, _) => Tri::Known(Number::Int(have)),
        (None, Tri::Known(e), Tri::Known(env)) => {
            Tri::Known(Number::Int(bp::default_port(e, *env)))
        }
        _ => Tri::Unknown,
    };
    planned.port = crate::framework::attrs::configured_or(&cfg.port, port_default);
    // RDS MySQL's audit option group, named after the version (known once both are).
    let audit_group = match (
        &cfg.engine,
        planned.audit_logging.known(),
        &planned.engine_version,
    ) {
        (Tri::Known(e), _, _) if !bp::uses_option_group(e) => Some(None),
        (Tri::Known(_), Some(false), _) => Some(None),
        (Tri::Known(_), Some(true), Tri::Known(v)) => Some(Some(v.clone())),
        _ => None,
    };
    let components = match (
        &cfg.name,
        env,
        replicas,
        audit_group,
        &cfg.engine,
        planned.audit_logging.known(),
    ) {
        (
            Tri::Known(n),
            Tri::Known(e),
            Some(r),
            Some(og_version),
            Tri::Known(engine),
            Some(audit),
        ) => {
            let prior_c = kept.map(|p| p.components.clone()).unwrap_or_default();
            let mut roles = roles(
                *e,
                r,
                cfg.kms_key_arn.is_null(),
                aurora,
                og_version.is_some(),
            );
            // The exported logs' groups, each by its name.
            let groups = bp::log_groups(engine, n, usize::try_from(r).unwrap_or(0), *audit);
            roles.extend(groups.iter().map(|g| g.component.clone()));
            // The second region's key and AWS Backup's vault there, and RDS's replication.
            let second = second_region(&cfg.recovery);
            if second.is_some() {
                roles.extend(
                    [
                        bp::REMOTE_KEY_COMPONENT,
                        bp::REMOTE_ALIAS_COMPONENT,
                        restore_check::REMOTE_VAULT_COMPONENT,
                    ]
                    .map(String::from),
                );
                if !aurora {
                    roles.push(bp::REPLICATION_COMPONENT.into());
                }
            }
            // A replication started again (another region or retention) has a new ARN.
            let mut prior_c = prior_c;
            let same_copy = kept.is_some_and(|p| {
                bp::second_region(p) == second.as_deref().filter(|_| !aurora)
                    && int_of(&planned.backup_retention_days) == Some(p.backup_retention_days)
            });
            if !same_copy {
                prior_c.remove(bp::REPLICATION_COMPONENT);
            }
            // Another region has another key.
            if kept.is_none_or(|p| bp::declared_region(p) != second.as_deref()) {
                prior_c.remove(bp::REMOTE_KEY_COMPONENT);
            }
            // The proxy and what goes with it (pooling).
            if pooling::planned_on(&cfg.pooling, env) == Some(true) {
                roles.extend(
                    [
                        pooling::PROXY_COMPONENT,
                        pooling::ROLE_COMPONENT,
                        pooling::SG_COMPONENT,
                    ]
                    .map(String::from),
                );
                if pooling::has_reader(engine, r) {
                    roles.push(pooling::READER_COMPONENT.into());
                }
            }
            // AWS Backup: for the second region's copies and for restore checks; the restore
            // test's own with restore checks.
            let tested = restore_check::planned_on(&cfg.restore_check, env) == Some(true);
            if tested || second.is_some() {
                roles.extend(restore_check::BACKUP_COMPONENTS.map(String::from));
            }
            if tested {
                roles.extend(restore_check::TEST_COMPONENTS.map(String::from));
            }
            let og = og_version.map(|v| bp::option_group_name(n, &v));
            Tri::Known(datastore::planned_components(roles, &prior_c, |role| {
                let pl = place?;
                if role == pooling::ROLE_COMPONENT {
                    return Some(pl.iam_arn(&format!("role/{}", pooling::role_name(n))));
                }
                match role {
                    restore_check::ROLE_COMPONENT => {
                        return Some(pl.iam_arn(&format!("role/{}", restore_check::role_name(n))))
                    }
                    restore_check::VAULT_COMPONENT => {
                        return Some(pl.arn(
                            "backup",
                            &format!("backup-vault:{}", restore_check::vault_name(n)),
                        ))
                    }
                    restore_check::TEST_SELECTION_COMPONENT => {
                        return Some(restore_check::SELECTION_NAME.to_string())
                    }
                    restore_check::REMOTE_VAULT_COMPONENT => {
                        let there = Place {
                            region: second.clone()?,
                            account: pl.account.clone(),
                        };
                        return Some(there.arn(
                            "backup",
                            &format!("backup-vault:{}", restore_check::vault_name(n)),
                        ));
                    }
                    _ => {}
                }
                if let Some(g) = groups.iter().find(|g| g.component == role) {
                    return Some(pl.log_group_arn(&g.name));
                }
                if let (bp::REMOTE_ALIAS_COMPONENT, Some(r)) = (role, &second) {
                    let there = Place {
                        region: r.clone(),
                        account: pl.account.clone(),
                    };
                    return Some(there.arn("kms", &bp::remote_alias_name(n)));
                }
                match (role, &og) {
                    ("option_group", Some(g)) => Some(pl.arn("rds", &format!("og:{g}"))),
                    _ => component_arn(pl, role, n, aurora, pg_name.as_deref()),
                }
            }))
        }
        _ => Tri::Unknown,
    };
    // Whether the second region's components are planned waits for the region.
    let region_unknown = match &cfg.recovery {
        Tri::Known(g) => g.region.is_unknown(),
        Tri::Unknown => true,
        Tri::Null => false,
    };
    let components = if region_unknown
        || pooling::planned_on(&cfg.pooling, env).is_none()
        || restore_check::planned_on(&cfg.restore_check, env).is_none()
    {
        Tri::Unknown
    } else {
        components
    };
    planned.security_group_id = datastore::planned_component(&components, "security_group");
    planned.components = components;
    planned.instance_ids = match (&cfg.name, replicas) {
        (Tri::Known(n), Some(r)) => {
            let first = if aurora { bp::writer_id(n) } else { n.clone() };
            Tri::Known(
                std::iter::once(first)
                    .chain((1..=r.max(0) as usize).map(|i| bp::replica_id(n, i)))
                    .collect(),
            )
        }
        _ => Tri::Unknown,
    };
    // Endpoints and the secret: AWS's, kept while nothing that moves them changes.
    // Every endpoint ends in the port the database listens on: kept while that is the planned one.
    let want = int_of(&planned.port);
    let listens = |e: &str| endpoint_port(&Some(e.to_string())).is_none_or(|h| Some(h) == want);
    let same_port = kept.filter(|p| {
        p.endpoint.as_deref().is_none_or(listens) && p.replica_endpoints.iter().all(|e| listens(e))
    });
    let same_replicas =
        same_port.filter(|p| planned.replicas == Tri::Known(Number::Int(p.replicas)));
    planned.endpoint = same_port.map_or(Tri::Unknown, |p| optional(&p.endpoint));
    planned.master_secret_arn = kept.map_or(Tri::Unknown, |p| optional(&p.master_secret_arn));
    planned.reader_endpoint = same_replicas.map_or(Tri::Unknown, |p| optional(&p.reader_endpoint));
    planned.replica_endpoints =
        same_replicas.map_or(Tri::Unknown, |p| Tri::Known(p.replica_endpoints.clone()));
    let version_same =
        kept.filter(|p| planned.engine_version == Tri::Known(p.engine_version.clone()));
    planned.engine_version_actual =
        version_same.map_or(Tri::Unknown, |p| optional(&p.engine_version_actual));
}

/// The identifier of component `role` of database `n` known before AWS answers (`pg_name`: its
/// parameter group's name, once known).
fn component_arn(
    pl: &Place,
    role: &str,
    n: &str,
    aurora: bool,
    pg_name: Option<&str>,
) -> Option<String> {
    match role {
        "kms_alias" => Some(pl.arn("kms", &bp::alias_name(n))),
        "monitoring_role" => Some(pl.iam_arn(&format!("role/{}", bp::monitoring_role_name(n)))),
        "subnet_group" => Some(pl.arn("rds", &format!("subgrp:{n}"))),
        "parameter_group" if aurora => pg_name.map(|g| pl.arn("rds", &format!("cluster-pg:{g}"))),
        "parameter_group" => pg_name.map(|g| pl.arn("rds", &format!("pg:{g}"))),
        "primary" => Some(pl.arn("rds", &format!("db:{n}"))),
        "cluster" => Some(pl.arn("rds", &format!("cluster:{n}"))),
        "writer" => Some(pl.arn("rds", &format!("db:{}", bp::writer_id(n)))),
        r if r.starts_with("replica_") => Some(pl.arn(
            "rds",
            &format!(
                "db:{}",
                bp::replica_id(n, r.trim_start_matches("replica_").parse().unwrap_or(0))
            ),
        )),
        _ => None,
    }
}

/// The planned posture: what apply enforces, with what the profile or the configuration relaxes
/// on purpose; unknown until every value it depends on is.
fn posture(
    env: &Tri<Environment>,
    planned: &Config,
    own_key: bool,
    log_defaults: &TierDefaults,
) -> Tri<BTreeMap<String, String>> {
    let (
        Tri::Known(e),
        Some(multi_az),
        Some(dp),
        Some(retention),
        Tri::Known(user),
        Tri::Known(engine),
        Some(audit),
    ) = (
        env,
        planned.multi_az.known(),
        planned.deletion_protection.known(),
        int_of(&planned.backup_retention_days),
        &planned.master_username,
        &planned.engine,
        planned.audit_logging.known(),
    )
    else {
        return Tri::Unknown;
    };
    if planned.port.is_unknown() {
        return Tri::Unknown;
    }
    let Some((objectives, gives)) = planned_recovery(env, planned) else {
        return Tri::Unknown;
    };
    let Tri::Known(tiers) = log_retention::given(&planned.log_retention, log_defaults.tiers(*e))
    else {
        return Tri::Unknown;
    };
    let Tri::Known(pool) = pooling::given(&planned.pooling, *e) else {
        return Tri::Unknown;
    };
    let Tri::Known(checked) = restore_check::given(&planned.restore_check, *e) else {
        return Tri::Unknown;
    };
    // The groups' verdict as apply leaves them depends on their classes only (engine, auditing).
    let groups = bp::log_groups(engine, "", 0, *audit);
    let logs = bp::logs_posture(
        *e,
        &tiers,
        &groups,
        &bp::logs_as_applied(&tiers, &groups),
        None,
    );
    let h = bp::hardening(*e);
    Tri::Known(bp::posture(
        *e,
        engine,
        &Facts {
            multi_az: *multi_az,
            monitoring: e.db_monitoring(),
            deletion_protection: *dp,
            backup_retention_days: retention,
            encrypted: h.storage_encrypted,
            public: h.publicly_accessible,
            log_exports: true,
            iam_auth: h.iam_auth,
            auto_minor_upgrade: h.auto_minor_upgrade,
            copy_tags: h.copy_tags_to_snapshot,
            in_vpc: true,
            master_username: user.clone(),
            tls: true,
            exposure: Exposure {
                ingress: None,
                key_rotation: own_key.then_some(true),
                port: int_of(&planned.port),
            },
            secret_policy: true,
            audit: *audit,
            recovery: rec::posture(&objectives, &gives),
            logs,
            pooling: pool.map(|_| bp::PASS.to_string()),
            restore_check: checked.map(|_| bp::PASS.to_string()),
        },
    ))
}

/// The configured second region, where the block gives one.
fn second_region(block: &Tri<rec::Given>) -> Option<String> {
    match block {
        Tri::Known(g) => g.region.known().cloned(),
        _ => None,
    }
}

/// A prior optional value as planned: known, or null where the prior had none.
fn optional<T: Clone>(v: &Option<T>) -> Tri<T> {
    v.clone().map_or(Tri::Null, Tri::Known)
}
