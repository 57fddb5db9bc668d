//! Plan: the proposed state with every computed value filled as apply will leave it — concrete
//! where the blueprint decides, unknown only where AWS decides (new key and subscription ARNs).

use std::collections::BTreeMap;

use super::blueprint::{self as bp, Place};
use super::model::{Config, Notify, NotifyConfig, PackOverride, State};
use super::packs;
use super::schema::{
    DEFAULT_EVALUATION_PERIODS, DEFAULT_MISSING_DATA, DEFAULT_PERIOD, DEFAULT_STATISTIC, TYPE_NAME,
};
use super::watch;
use crate::framework::attrs::{blocks, keep_refinements, whole_list, whole_map, write_tri};
use crate::framework::decode::Tri;
use crate::framework::resource::Planned;
use crate::framework::{AttrPath, Diagnostics, Number, Value};
use crate::provider::profile::{self, Environment};
use crate::provider::tags;

/// A configured `notify` block, when every argument is known.
fn known_notify(n: &NotifyConfig) -> Option<Notify> {
    Some(Notify {
        severity: n.severity.known()?.clone(),
        protocol: n.protocol.known()?.clone(),
        endpoint: n.endpoint.known()?.clone(),
    })
}

/// `place` is `None` when the account could not be looked up; ARNs are then unknown.
#[allow(clippy::too_many_arguments)]
pub fn plan(
    config: &Value,
    prior: &Value,
    proposed: &Value,
    default_env: Environment,
    default_tags: &BTreeMap<String, String>,
    place: Option<&Place>,
    db_replicas: &BTreeMap<String, usize>,
    redis_members: &BTreeMap<String, Vec<String>>,
) -> Planned {
    let cfg = Config::decode(config);
    let prior = (!prior.is_null()).then(|| State::decode(prior));
    let mut d = Diagnostics::new();
    let mut planned = Config::decode(proposed);
    let name = cfg.name.clone();

    let env = profile::planned(&cfg.environment, default_env);
    planned.environment = env.clone().map(|e| e.as_str().to_string());
    planned.tags_all = tags::planned_all(default_tags, &cfg.tags, TYPE_NAME, &name, &env);
    default_alarm_arguments(&mut planned, &cfg);

    // The key: the given one, the one we already own, or a new one (unknown until created).
    let owned_key = owned_key(prior.as_ref());
    planned.kms_key_arn = if !cfg.kms_key_arn.is_null() {
        cfg.kms_key_arn.clone()
    } else {
        owned_key.clone().map_or(Tri::Unknown, Tri::Known)
    };

    let watched = watch_shorts(&cfg, &mut d);
    let alarm_names = short_alarm_names(&cfg, db_replicas, redis_members, &watched);
    check_unique_alarm_names(&cfg, &alarm_names, &watched, &mut d);
    warn_deprecated_ids(&cfg, &mut d);
    check_override_tiers(&cfg, &mut d);
    let topic = |sev: &str| match (&name, place) {
        (Tri::Known(n), Some(place)) => Tri::Known(bp::topic_arn(place, n, sev)),
        _ => Tri::Unknown,
    };
    plan_dashboard(&mut planned, &cfg, place);
    planned.critical_topic_arn = topic("critical");
    planned.warning_topic_arn = topic("warning");
    planned.alarm_names = match (&name, &alarm_names) {
        (Tri::Known(n), Tri::Known(names)) => {
            Tri::Known(full_alarm_names(n, names, prior.as_ref()))
        }
        _ => Tri::Unknown,
    };
    planned.components = match (&name, &alarm_names, place, event_roles(&cfg)) {
        (Tri::Known(n), Tri::Known(names), Some(place), Tri::Known(events)) => {
            let mut c =
                planned_components(&cfg, prior.as_ref(), owned_key.as_ref(), n, names, place);
            for role in events {
                let v = match role.strip_prefix(super::events::NOTIFICATION_PREFIX) {
                    Some(group) => Tri::Known(group.to_string()),
                    None => prior
                        .as_ref()
                        .and_then(|p| p.components.get(&role).cloned())
                        .map_or(Tri::Unknown, Tri::Known),
                };
                c.insert(role, v);
            }
            with_dashboard(c, &planned.dashboard, place, n)
        }
        _ => Tri::Unknown,
    };
    planned.posture = Tri::Known(planned_posture(
        &cfg,
        prior.as_ref(),
        env.known().copied().unwrap_or(default_env),
    ));

    // Replacement: only the name forces it.
    let requires_replace = if prior
        .as_ref()
        .is_some_and(|p| Tri::Known(p.name.clone()) != cfg.name)
    {
        vec![AttrPath::attr("name")]
    } else {
        Vec::new()
    };
    if env == Tri::Known(Environment::Production) {
        warn_without_critical_notify(&cfg, &mut d);
    }
    let mut state = keep_refinements(planned.encode(), proposed);
    state.set("id", write_tri::<String>(&name));
    Planned {
        state,
        requires_replace,
        diagnostics: d,
    }
}

/// The component roles of the watched data stores' event notifications (a database's event
/// subscription, a Redis group's notification topic); unknown while a watch map's kind or name is.
fn event_roles(cfg: &Config) -> Tri<Vec<String>> {
    let maps = match &cfg.watch {
        Tri::Null => return Tri::Known(Vec::new()),
        Tri::Unknown => return Tri::Unknown,
        Tri::Known(maps) => maps,
    };
    let mut out = Vec::new();
    for m in maps {
        let Tri::Known(m) = m else {
            return Tri::Unknown;
        };
        let (Some(Tri::Known(kind)), Some(Tri::Known(name))) = (m.get("kind"), m.get("name"))
        else {
            return Tri::Unknown;
        };
        match kind.as_str() {
            "database" => out.push(super::events::role_subscription(name)),
            "redis" => out.push(super::events::role_notification(name)),
            _ => {}
        }
    }
    Tri::Known(out)
}

/// The dashboard: on unless turned off; its address known with the name and region.
fn plan_dashboard(planned: &mut Config, cfg: &Config, place: Option<&Place>) {
    if cfg.dashboard.is_null() {
        planned.dashboard = Tri::Known(true);
    }
    planned.dashboard_url = match (&cfg.name, place, &planned.dashboard) {
        (_, _, Tri::Known(false)) => Tri::Null,
        (Tri::Known(n), Some(place), Tri::Known(true)) => {
            Tri::Known(super::dashboard::url(&place.region, n))
        }
        _ => Tri::Unknown,
    };
}

/// The planned components with the dashboard's role when it is on; unknown while whether it is
/// on is not known (or nothing is known yet).
fn with_dashboard(
    mut c: BTreeMap<String, Tri<String>>,
    dashboard: &Tri<bool>,
    place: &Place,
    name: &str,
) -> Tri<BTreeMap<String, Tri<String>>> {
    match dashboard {
        Tri::Known(false) => {}
        Tri::Known(true) => {
            c.insert(
                super::dashboard::ROLE.into(),
                Tri::Known(super::dashboard::arn(place, name)),
            );
        }
        _ => c.clear(),
    }
    match c.is_empty() {
        true => Tri::Unknown,
        false => Tri::Known(c),
    }
}

/// Alarm blocks: profile defaults for the optional arguments left unset.
fn default_alarm_arguments(planned: &mut Config, cfg: &Config) {
    let Tri::Known(alarms) = &mut planned.alarm else {
        return;
    };
    for (a, c) in alarms.iter_mut().zip(blocks(&cfg.alarm)) {
        // An alarm on one metric averages it unless told otherwise; metric math has no statistic
        // of its own (each `metric` block has one).
        if c.statistic.is_null() {
            a.statistic = match &c.expression {
                Tri::Null => Tri::Known(DEFAULT_STATISTIC.to_string()),
                Tri::Known(_) => Tri::Null,
                Tri::Unknown => Tri::Unknown,
            };
        }
        if c.period.is_null() {
            a.period = Tri::Known(Number::Int(DEFAULT_PERIOD));
        }
        if c.evaluation_periods.is_null() {
            a.evaluation_periods = Tri::Known(Number::Int(DEFAULT_EVALUATION_PERIODS));
        }
        if c.treat_missing_data.is_null() {
            a.treat_missing_data = Tri::Known(DEFAULT_MISSING_DATA.to_string());
        }
    }
}

/// The key the prior state owns (the one it uses, made by the resource), if any.
fn owned_key(prior: Option<&State>) -> Option<String> {
    let p = prior?;
    p.components
        .get(bp::ROLE_KEY)
        .filter(|k| p.kms_key_arn.as_ref() == Some(*k))
        .cloned()
}

/// The alarms' names within the resource: the `alarm` blocks', then the packs' (named from the
/// watched resources' ids; a database's per replica and a Redis group's per node are known once
/// each exists).
fn short_alarm_names(
    cfg: &Config,
    db_replicas: &BTreeMap<String, usize>,
    redis_members: &BTreeMap<String, Vec<String>>,
    watched: &Tri<Vec<Vec<String>>>,
) -> Tri<Vec<String>> {
    let names: Tri<Vec<String>> = match &cfg.alarm {
        Tri::Known(alarms) => alarms
            .iter()
            .map(|a| a.name.known().cloned())
            .collect::<Option<Vec<_>>>()
            .map_or(Tri::Unknown, Tri::Known),
        _ => Tri::Known(Vec::new()),
    };
    let names = with_pack(names, &whole_list(&cfg.cluster_ids), |c| {
        // The deprecated `cluster_ids` know no web ACL: no `blocked-requests`.
        Some(packs::cluster_shorts(c, false))
    });
    let names = with_pack(names, &whole_list(&cfg.database_ids), |db| {
        Some(packs::database_shorts(db, *db_replicas.get(db)?))
    });
    let names = with_pack(names, &whole_list(&cfg.redis_cluster_ids), |r| {
        Some(super::redis_pack::redis_shorts(redis_members.get(r)?))
    });
    match (names, watched) {
        (Tri::Known(mut names), Tri::Known(more)) => {
            names.extend(more.iter().flatten().cloned());
            Tri::Known(names)
        }
        _ => Tri::Unknown,
    }
}

/// The pack alarms' names of each `watch` map, in order; unknown while a map, or a value that
/// names alarms, is. A map that is not a watch map is an error on its element.
fn watch_shorts(cfg: &Config, d: &mut Diagnostics) -> Tri<Vec<Vec<String>>> {
    let maps = match &cfg.watch {
        Tri::Null => return Tri::Known(Vec::new()),
        Tri::Unknown => return Tri::Unknown,
        Tri::Known(maps) => maps,
    };
    let mut out = Some(Vec::new());
    for (i, m) in maps.iter().enumerate() {
        let names = match m {
            Tri::Known(m) => watch::shorts(m).unwrap_or_else(|e| {
                d.error_at(
                    AttrPath::attr("watch").then_index(i),
                    "Not a watch map",
                    format!(
                        "This element of `watch` is not what a watched resource exports: {e}. {}",
                        watch::HINT
                    ),
                );
                Tri::Unknown
            }),
            Tri::Null => {
                d.error_at(
                    AttrPath::attr("watch").then_index(i),
                    "Null in watch",
                    format!("An element of `watch` is null. {}", watch::HINT),
                );
                Tri::Unknown
            }
            Tri::Unknown => Tri::Unknown,
        };
        out = match (out, names) {
            (Some(mut all), Tri::Known(n)) => {
                all.push(n);
                Some(all)
            }
            _ => None,
        };
    }
    out.map_or(Tri::Unknown, Tri::Known)
}

/// A `pack_override` giving one tier must not turn a watched row's tiers around (say `warning = 95`
/// for `cpu`, whose pack critical is 90). Checked when `watch` and the blocks are known; apply checks
/// again, the `*_ids` packs included.
fn check_override_tiers(cfg: &Config, d: &mut Diagnostics) {
    let (Some(maps), Some(blocks)) = (known_watch(cfg), known_overrides(cfg)) else {
        return;
    };
    if let Ok(alarms) = watch::packs_of(&maps) {
        packs::overrides::refused(d, &alarms, &blocks);
    }
}

/// The `watch` maps once every value in them is known (none configured: none).
fn known_watch(cfg: &Config) -> Option<Vec<BTreeMap<String, String>>> {
    match &cfg.watch {
        Tri::Known(maps) => maps.iter().map(|m| whole_map(m).into_known()).collect(),
        Tri::Null => Some(Vec::new()),
        Tri::Unknown => None,
    }
}

/// The `pack_override` blocks once every value in them is known or null.
fn known_overrides(cfg: &Config) -> Option<Vec<PackOverride>> {
    match &cfg.pack_override {
        Tri::Known(blocks) => blocks
            .iter()
            .map(|o| {
                Some(PackOverride {
                    metric: o.metric.known()?.clone(),
                    kind: o.kind.settled()?,
                    warning: o.warning.settled()?,
                    critical: o.critical.settled()?,
                })
            })
            .collect(),
        Tri::Null => Some(Vec::new()),
        Tri::Unknown => None,
    }
}

/// The `*_ids` arguments keep working for one release; each one set says what replaces it.
fn warn_deprecated_ids(cfg: &Config, d: &mut Diagnostics) {
    for (attr, ids, ty) in [
        ("cluster_ids", &cfg.cluster_ids, "prod_cluster"),
        ("database_ids", &cfg.database_ids, "prod_database_ha"),
        (
            "redis_cluster_ids",
            &cfg.redis_cluster_ids,
            "prod_redis_cluster",
        ),
    ] {
        if !ids.is_null() {
            d.warning_at(
                AttrPath::attr(attr),
                format!("`{attr}` is deprecated: use `watch`"),
                format!("Pass `watch = [{ty}.<name>.watch, …]` instead of `{attr}`: the alarms then follow the watched resource's configuration, in the same apply as a change to it, and never drift made outside Terraform. `{attr}` keeps working for this release only."),
            );
        }
    }
}

/// `names` then the pack alarms of each watched id (`None` from `shorts`: not known yet); unknown
/// when the ids or any id's alarms are.
fn with_pack(
    names: Tri<Vec<String>>,
    ids: &Tri<Vec<String>>,
    shorts: impl Fn(&str) -> Option<Vec<String>>,
) -> Tri<Vec<String>> {
    match (names, ids) {
        (Tri::Known(mut names), Tri::Known(ids)) => {
            match ids.iter().map(|i| shorts(i)).collect::<Option<Vec<_>>>() {
                Some(more) => {
                    names.extend(more.into_iter().flatten());
                    Tri::Known(names)
                }
                None => Tri::Unknown,
            }
        }
        (names, Tri::Null) => names,
        _ => Tri::Unknown,
    }
}

/// The alarms' AWS names; the prior order when only the order differs.
fn full_alarm_names(name: &str, shorts: &[String], prior: Option<&State>) -> Vec<String> {
    let want: Vec<String> = shorts.iter().map(|a| bp::alarm_name(name, a)).collect();
    match prior {
        Some(p) => bp::in_prior_order(&p.alarm_names, want),
        None => want,
    }
}

/// Pack alarms carry their kind (`cluster-`, `db-`, `redis-`), so watched resources of different
/// kinds may share a name; an `alarm` block named like a pack alarm would still collide: an error
/// on the attribute that brings the second one.
fn check_unique_alarm_names(
    cfg: &Config,
    names: &Tri<Vec<String>>,
    watched: &Tri<Vec<Vec<String>>>,
    d: &mut Diagnostics,
) {
    let Tri::Known(names) = names else {
        return;
    };
    let mut seen = std::collections::BTreeSet::new();
    let Some(dup) = names.iter().find(|n| !seen.insert(n.as_str())) else {
        return;
    };
    // `watch` comes last, so a name it brings twice is its own.
    let in_watch = watched
        .known()
        .is_some_and(|w| w.iter().flatten().any(|n| n == dup));
    let attr = [
        (
            "redis_cluster_ids",
            "redis",
            whole_list(&cfg.redis_cluster_ids),
        ),
        ("database_ids", "db", whole_list(&cfg.database_ids)),
        ("cluster_ids", "cluster", whole_list(&cfg.cluster_ids)),
    ]
    .into_iter()
    .find(|(_, kind, ids)| {
        ids.known()
            .is_some_and(|ids| ids.iter().any(|i| dup.starts_with(&format!("{kind}-{i}-"))))
    })
    .map_or("alarm", |(a, _, _)| a);
    let attr = if in_watch { "watch" } else { attr };
    d.error_at(
        AttrPath::attr(attr),
        "Two alarms would share a name",
        format!("{dup:?} is named twice: an `alarm` block is named like a pack's alarm (packs name theirs `cluster-<cluster>-…`, `db-<database>-…`, `redis-<node>-…`), or a resource is watched twice (in `watch` and in `cluster_ids`, `database_ids` or `redis_cluster_ids`, say). Rename the alarm block, or watch each resource once, in `watch`."),
    );
}

/// Components: every role is known at plan; identifiers are unknown until AWS assigns them (a new
/// key, a subscription whose notify block is new or changed).
fn planned_components(
    cfg: &Config,
    prior: Option<&State>,
    owned_key: Option<&String>,
    name: &str,
    alarm_names: &[String],
    place: &Place,
) -> BTreeMap<String, Tri<String>> {
    let mut c: BTreeMap<String, Tri<String>> = BTreeMap::new();
    if cfg.kms_key_arn.is_null() {
        c.insert(
            bp::ROLE_KEY.into(),
            owned_key.cloned().map_or(Tri::Unknown, Tri::Known),
        );
        c.insert(
            bp::ROLE_ALIAS.into(),
            Tri::Known(bp::alias_arn(place, name)),
        );
    }
    for sev in ["critical", "warning"] {
        c.insert(
            bp::role_topic(sev),
            Tri::Known(bp::topic_arn(place, name, sev)),
        );
    }
    for a in alarm_names {
        c.insert(bp::role_alarm(a), Tri::Known(bp::alarm_arn(place, name, a)));
    }
    let prior_notify = prior.map_or(&[][..], |p| p.notify.as_slice());
    for (i, cfg_n) in blocks(&cfg.notify).iter().enumerate() {
        let role = bp::role_subscription(i);
        let same = known_notify(cfg_n).is_some_and(|n| prior_notify.get(i) == Some(&n));
        let v = match prior.and_then(|p| p.components.get(&role)) {
            Some(arn) if same => Tri::Known(arn.clone()),
            _ => Tri::Unknown,
        };
        c.insert(role, v);
    }
    c
}

/// Posture: the rules on what apply leaves (no profile relaxes an alerting control, so an
/// environment not known yet plans the same). Rotation of a key the user gave is theirs to keep:
/// KMS.4 stays as read while the key is the same, else unknown.
fn planned_posture(
    cfg: &Config,
    prior: Option<&State>,
    env: Environment,
) -> BTreeMap<String, Tri<String>> {
    let mut posture: BTreeMap<String, Tri<String>> = super::posture::planned(env)
        .into_iter()
        .map(|(c, v)| (c, Tri::Known(v)))
        .collect();
    if !cfg.kms_key_arn.is_null() {
        let same_key = prior.map_or(Tri::Null, |p| {
            p.kms_key_arn.clone().map_or(Tri::Null, Tri::Known)
        }) == cfg.kms_key_arn;
        let prior_kms4 = prior.and_then(|p| p.posture.get("KMS.4").cloned());
        posture.insert(
            "KMS.4".into(),
            match prior_kms4 {
                Some(v) if same_key => Tri::Known(v),
                _ => Tri::Unknown,
            },
        );
    }
    posture
}

/// In production, a warning when no notify block listens to the critical topic (once every block
/// is known).
fn warn_without_critical_notify(cfg: &Config, d: &mut Diagnostics) {
    let notify = blocks(&cfg.notify);
    let has_critical = notify
        .iter()
        .any(|n| n.severity == Tri::Known("critical".to_string()));
    let all_known =
        cfg.notify.known().is_some() && notify.iter().all(|n| known_notify(n).is_some());
    if !has_critical && all_known {
        d.warning_at(
            AttrPath::attr("notify"),
            "No one is notified of critical alarms",
            "In production, add a notify block with severity = \"critical\" so that critical alarms reach someone.",
        );
    }
}
