//! Plan: every argument as apply will leave it (configuration, else the profile's default), the
//! computed values known before AWS answers, and the replacement guard (contract rule 12).

use std::collections::{BTreeMap, BTreeSet};

use super::blueprint as bp;
use super::model::{Config, State};
use super::recovery;
use super::schema::TYPE_NAME;
use super::validate;
use crate::framework::decode::Tri;
use crate::framework::resource::Planned;
use crate::framework::{AttrPath, Diagnostic, Diagnostics, Number};
use crate::provider::aws::Place;
use crate::provider::profile::{self, Environment};
use crate::provider::tags;
use crate::resources::alerting::watch;
use crate::resources::datastore::recovery::{self as rec, Gives, Objectives};
use crate::resources::datastore::{self, by_env, configured_or, whole_list, whole_map, PlanInput};

/// The component roles of a group: what it always makes, its own key unless given, and the
/// parameter group when `parameters` are set.
pub fn roles(own_key: bool, custom_parameters: bool) -> Vec<&'static str> {
    let mut r = vec![
        "auth_secret",
        "replication_group",
        "security_group",
        "subnet_group",
    ];
    if own_key {
        r.extend(["kms_alias", "kms_key"]);
    }
    if custom_parameters {
        r.push("parameter_group");
    }
    r
}

/// The guard's refusal: the replication group holds data and `deletion_protection` is on.
pub fn guard_diagnostic(what: &str, attr: Option<&AttrPath>) -> Diagnostic {
    datastore::guard_diagnostic(TYPE_NAME, "the replication group", what, attr)
}

/// A planned whole number (`None` when unknown or not whole).
fn int_of(n: &Tri<Number>) -> Option<i64> {
    n.known().and_then(Number::as_i64)
}

/// The attributes whose change forces a new replication group.
fn replacing(cfg: &Config, prior: &State, planned: &Config) -> Vec<AttrPath> {
    let mut out = Vec::new();
    if !cfg.name.is_unknown() && cfg.name != Tri::Known(prior.name.clone()) {
        out.push(AttrPath::attr("name"));
    }
    if let Tri::Known(new) = &planned.engine {
        let old = &prior.engine;
        // redis → valkey upgrades in place; the way back does not exist.
        if old != new && !(old == "redis" && new == "valkey") {
            out.push(AttrPath::attr("engine"));
        }
    }
    if let Tri::Known(b) = whole_list(&cfg.subnet_ids) {
        let a: BTreeSet<&String> = prior.subnet_ids.iter().collect();
        if a != b.iter().collect() {
            out.push(AttrPath::attr("subnet_ids"));
        }
    }
    // ElastiCache has no call that moves a group to another port.
    if let (Some(want), Some(have)) = (int_of(&planned.port), prior.port) {
        if want != have {
            out.push(AttrPath::attr("port"));
        }
    }
    if let Some(b) = int_of(&planned.shards) {
        if bp::clustered(prior.shards) != bp::clustered(b) {
            out.push(AttrPath::attr("shards"));
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

/// The plan of a replication group: the arguments with their defaults, the plan-time checks, the
/// replacement guard, then the computed values and the posture.
pub fn plan(input: &PlanInput) -> Planned {
    let cfg = Config::decode(input.config);
    let prior = (!input.prior.is_null()).then(|| State::decode(input.prior));
    let mut d = Diagnostics::new();
    let mut planned = Config::decode(input.proposed);
    let env = profile::planned(&cfg.environment, input.default_env);
    if let Tri::Known(e) = env {
        validate::validate_profile(&cfg, e, &mut d);
    }
    planned.environment = by_env(&env, |e| e.as_str().to_string());
    // Write-only: never in a plan (apply reads it from the configuration).
    planned.auth_token_wo = Tri::Null;
    defaults(&cfg, &env, input.default_tags, &mut planned);
    // A group that exists keeps its port; a new one gets the profile's.
    let port_default = match (prior.as_ref().and_then(|p| p.port), &env) {
        (Some(have), _) => Tri::Known(Number::Int(have)),
        (None, Tri::Known(e)) => Tri::Known(Number::Int(bp::default_port(*e))),
        _ => Tri::Unknown,
    };
    planned.port = crate::framework::attrs::configured_or(&cfg.port, port_default);

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
    if let Some(p) = &prior {
        check_version_forward(p, &planned, &mut d);
    }

    // Replacement where AWS forces it; refused while the data is protected.
    let requires_replace = match &prior {
        Some(p) => replacing(&cfg, p, &planned),
        None => Vec::new(),
    };
    let protected = prior.as_ref().is_some_and(|p| p.deletion_protection);
    if protected && !input.create_incomplete {
        if let Some(a) = requires_replace.first() {
            d.push(guard_diagnostic("replacement", Some(a)));
        }
    }
    let kept = prior.as_ref().filter(|_| requires_replace.is_empty());
    let own_key = cfg.kms_key_arn.is_null();
    planned.kms_key_arn =
        datastore::planned_key(&cfg.kms_key_arn, kept.and_then(|p| p.kms_key_arn.as_ref()));
    computed(&cfg, input.place, kept, &mut planned);
    endpoints_and_nodes(kept, &mut planned);
    planned.auth_token_rotated_at = match kept {
        Some(p) => token_rotation(p, &planned, &mut d),
        None => Tri::Unknown,
    };
    planned.watch = Tri::Known(watch::redis(&planned.name, &planned.member_clusters));

    // Recovery: the objectives declared against what the plan gives.
    planned.recovery = cfg.recovery.clone();
    let recovery = planned_recovery(&planned);
    if let Some((o, g)) = &recovery {
        rec::refuse_unmet(o, g, &cfg.recovery, &mut d);
    }
    planned.recovery_plan = match &recovery {
        // The window only words the plan's `rpo`; posture does without it.
        Some((o, g)) if !planned.snapshot_window.is_unknown() => rec::planned(o, g),
        _ => Tri::Unknown,
    };

    // Posture: what apply enforces, with what the profile relaxes on purpose.
    planned.posture = match (
        &env,
        int_of(&planned.snapshot_retention_days),
        int_of(&planned.replicas_per_shard),
        &recovery,
    ) {
        (Tri::Known(e), Some(retention), Some(replicas), Some((o, g)))
            if !planned.port.is_unknown() =>
        {
            let mut facts =
                bp::planned_facts(*e, retention, replicas, own_key, int_of(&planned.port));
            facts.recovery = rec::posture(o, g);
            Tri::Known(bp::posture(*e, &facts))
        }
        _ => Tri::Unknown,
    };
    datastore::planned(planned.encode(), input, &cfg.name, requires_replace, d)
}

/// The objectives declared and what the planned arguments give; `None` until both are known.
fn planned_recovery(planned: &Config) -> Option<(Objectives, Gives)> {
    let (Some(replicas), Some(retention)) = (
        int_of(&planned.replicas_per_shard),
        int_of(&planned.snapshot_retention_days),
    ) else {
        return None;
    };
    let declared = rec::given(&planned.recovery)?;
    let window = planned.snapshot_window.known().map_or("", String::as_str);
    Some((
        rec::effective(&declared, Objectives::default()),
        recovery::gives(bp::failover(replicas), retention, window),
    ))
}

/// The arguments as apply will leave them: configured, else the engine's or the profile's default.
fn defaults(
    cfg: &Config,
    env: &Tri<Environment>,
    default_tags: &BTreeMap<String, String>,
    planned: &mut Config,
) {
    let engine = configured_or(&cfg.engine, Tri::Known(bp::DEFAULT_ENGINE.to_string()));
    let version_default = match &engine {
        Tri::Known(e) => Tri::Known(bp::default_version(e).to_string()),
        _ => Tri::Unknown,
    };
    planned.engine = engine;
    crate::defaults!(planned, cfg, env;
        engine_version: given version_default,
        node_type: env |e| e.redis_node_type().to_string(),
        shards: env |e| Number::Int(e.redis_shards()),
        replicas_per_shard: env |e| Number::Int(e.redis_replicas_per_shard()),
        snapshot_retention_days: env |e| Number::Int(e.redis_snapshot_retention_days()),
        snapshot_window: fixed bp::DEFAULT_SNAPSHOT_WINDOW.to_string(),
        maintenance_window: fixed bp::DEFAULT_MAINTENANCE_WINDOW.to_string(),
        deletion_protection: env Environment::redis_deletion_protection,
        // A token the user brings is theirs to rotate.
        auth_token_rotation_days: given if cfg.auth_token_wo_version.is_null() {
            by_env(env, |e| Number::Int(bp::rotation_days(e)))
        } else {
            Tri::Known(Number::Int(0))
        },
    );
    planned.tags_all = tags::planned_all(
        default_tags,
        &whole_map(&cfg.tags),
        TYPE_NAME,
        &cfg.name,
        env,
    );
}

/// When the AUTH token of a kept group will have last changed: unknown when this apply rotates it
/// (a new `auth_token_wo_version`, or a generated token older than `auth_token_rotation_days`,
/// which a warning explains), else as it is.
fn token_rotation(prior: &State, planned: &Config, d: &mut Diagnostics) -> Tri<String> {
    let as_is = prior
        .auth_token_rotated_at
        .clone()
        .map_or(Tri::Null, Tri::Known);
    if planned.auth_token_wo_version
        != prior
            .auth_token_wo_version
            .map(Number::Int)
            .map_or(Tri::Null, Tri::Known)
    {
        return Tri::Unknown;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |t| t.as_secs() as i64);
    let due = match (
        &prior.auth_token_rotated_at,
        int_of(&planned.auth_token_rotation_days),
    ) {
        (Some(at), Some(days)) => bp::rotation_due(at, days, now).map(|age| (age, days)),
        _ => None,
    };
    let Some((age, days)) = due else {
        return as_is;
    };
    d.warning_at(
        AttrPath::attr("auth_token_rotation_days"),
        "The AUTH token is due for rotation",
        format!("The token is {age} days old (auth_token_rotation_days = {days}): apply rotates it without cutting clients off. ElastiCache accepts the old and the new token while the `<name>-auth` secret moves to the new one, then only the new one; clients that read the secret on reconnect follow."),
    );
    Tri::Unknown
}

/// Versions only move forward: a planned version older than the `prior`'s (same engine) is refused.
fn check_version_forward(prior: &State, planned: &Config, d: &mut Diagnostics) {
    let Tri::Known(new) = &planned.engine_version else {
        return;
    };
    let old = &prior.engine_version;
    if planned.engine == Tri::Known(prior.engine.clone()) && bp::version_less(new, old) {
        d.error_at(
            AttrPath::attr("engine_version"),
            "Engine versions cannot go back",
            format!("engine_version {old} → {new}: ElastiCache upgrades only. Keep {old} or pick a newer version."),
        );
    }
}

/// The computed names and components: fixed by the name where it decides them, the prior's
/// (`kept`: while the group is kept) where nothing changes them.
fn computed(cfg: &Config, place: Option<&Place>, kept: Option<&State>, planned: &mut Config) {
    let custom = match whole_map(&cfg.parameters) {
        Tri::Known(_) => Some(true),
        Tri::Null => Some(false),
        Tri::Unknown => None,
    };
    planned.subnet_group_name = cfg.name.clone();
    planned.parameter_group_name = match custom {
        Some(true) => cfg.name.clone(),
        Some(false) => Tri::Null,
        None => Tri::Unknown,
    };
    let prior_c = kept.map(|p| p.components.clone()).unwrap_or_default();
    let components = match (&cfg.name, custom) {
        (Tri::Known(n), Some(custom)) => Tri::Known(datastore::planned_components(
            roles(cfg.kms_key_arn.is_null(), custom),
            &prior_c,
            |role| place.and_then(|pl| component_arn(pl, role, n)),
        )),
        _ => Tri::Unknown,
    };
    planned.security_group_id = datastore::planned_component(&components, "security_group");
    planned.auth_secret_arn = datastore::planned_component(&components, "auth_secret");
    planned.components = components;
}

/// The identifier of component `role` of group `n` known before AWS answers.
fn component_arn(pl: &Place, role: &str, n: &str) -> Option<String> {
    match role {
        "kms_alias" => Some(pl.arn("kms", &bp::alias_name(n))),
        "replication_group" => Some(pl.arn("elasticache", &format!("replicationgroup:{n}"))),
        "subnet_group" => Some(pl.arn("elasticache", &format!("subnetgroup:{n}"))),
        "parameter_group" => Some(pl.arn("elasticache", &format!("parametergroup:{n}"))),
        _ => None,
    }
}

/// Endpoints, nodes and the running version: AWS's, kept (`kept`: the prior while the group is
/// kept) while nothing that moves them changes; an endpoint of the other mode is null.
fn endpoints_and_nodes(kept: Option<&State>, planned: &mut Config) {
    let shards = int_of(&planned.shards);
    let mode_known = shards.map(bp::clustered);
    for (endpoint, in_cluster_mode, had) in [
        (
            &mut planned.primary_endpoint,
            false,
            kept.map(|p| &p.primary_endpoint),
        ),
        (
            &mut planned.reader_endpoint,
            false,
            kept.map(|p| &p.reader_endpoint),
        ),
        (
            &mut planned.configuration_endpoint,
            true,
            kept.map(|p| &p.configuration_endpoint),
        ),
    ] {
        *endpoint = match (mode_known, had) {
            (Some(c), _) if c != in_cluster_mode => Tri::Null,
            (Some(_), Some(had)) => had.clone().map_or(Tri::Null, Tri::Known),
            _ => Tri::Unknown,
        };
    }
    let same_nodes = kept.filter(|p| {
        planned.shards == Tri::Known(Number::Int(p.shards))
            && planned.replicas_per_shard == Tri::Known(Number::Int(p.replicas_per_shard))
    });
    planned.member_clusters =
        same_nodes.map_or(Tri::Unknown, |p| Tri::Known(p.member_clusters.clone()));
    let same_version = kept.filter(|p| {
        planned.engine_version == Tri::Known(p.engine_version.clone())
            && planned.engine == Tri::Known(p.engine.clone())
    });
    planned.engine_version_actual = same_version.map_or(Tri::Unknown, |p| {
        p.engine_version_actual
            .clone()
            .map_or(Tri::Null, Tri::Known)
    });
}
