//! Plan: the proposed state with every computed value filled as apply will leave it — concrete
//! where the blueprint decides, unknown only where AWS decides (new key and subscription ARNs).

use std::collections::BTreeMap;

use super::blueprint::{self as bp, Place};
use super::packs;
use super::schema::{
    DEFAULT_EVALUATION_PERIODS, DEFAULT_MISSING_DATA, DEFAULT_PERIOD, DEFAULT_STATISTIC, TYPE_NAME,
};
use crate::framework::decode::{self, Tri};
use crate::framework::resource::Planned;
use crate::framework::{AttrPath, Diagnostics, Value};
use crate::provider::profile::{self, Environment};
use crate::provider::tags;

fn fill_default(obj: &mut Value, name: &str, config: &Value, default: Value) {
    if config.get(name).is_null() {
        obj.set(name, default);
    }
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
    let mut d = Diagnostics::new();
    let mut planned = proposed.clone();
    let name = decode::string(config.get("name"));

    let env = profile::planned(
        &crate::framework::decode::string(config.get("environment")),
        default_env,
    );
    planned.set("id", config.get("name").clone());
    planned.set("environment", profile::planned_value(&env));

    let tags_all =
        crate::framework::attrs::write_tri::<BTreeMap<String, String>>(&tags::planned_all(
            default_tags,
            &crate::framework::decode::string_map(config.get("tags")),
            TYPE_NAME,
            &name,
            &env,
        ));
    planned.set("tags_all", tags_all);

    // Alarm blocks: profile defaults for the optional arguments left unset.
    let cfg_alarms = decode::elements(config.get("alarm"));
    if let Value::Map(m) = &mut planned {
        if let Some(Value::List(alarms)) = m.get_mut("alarm") {
            for (a, c) in alarms.iter_mut().zip(cfg_alarms) {
                fill_default(a, "statistic", c, Value::string(DEFAULT_STATISTIC));
                fill_default(a, "period", c, Value::int(DEFAULT_PERIOD));
                fill_default(
                    a,
                    "evaluation_periods",
                    c,
                    Value::int(DEFAULT_EVALUATION_PERIODS),
                );
                fill_default(
                    a,
                    "treat_missing_data",
                    c,
                    Value::string(DEFAULT_MISSING_DATA),
                );
            }
        }
    }

    // The key: the given one, the one we already own, or a new one (unknown until created).
    let prior_components = decode::string_map(prior.get("components"))
        .into_known()
        .unwrap_or_default();
    let prior_key = decode::string(prior.get("kms_key_arn")).into_known();
    let owned_key = prior_components
        .get(bp::ROLE_KEY)
        .filter(|k| prior_key.as_ref() == Some(*k))
        .cloned();
    let given_key = config.get("kms_key_arn");
    let key_value = if !given_key.is_null() {
        given_key.clone()
    } else {
        owned_key.clone().map_or_else(Value::unknown, Value::String)
    };
    planned.set("kms_key_arn", key_value.clone());

    let alarm_names: Tri<Vec<String>> = cfg_alarms
        .iter()
        .try_fold(Vec::new(), |mut acc, a| {
            match decode::string(a.get("name")) {
                Tri::Known(n) => {
                    acc.push(n);
                    Ok(acc)
                }
                _ => Err(()),
            }
        })
        .map_or(Tri::Unknown, Tri::Known);
    // Then the packs' alarms, named from the watched clusters' ids.
    let alarm_names = match (alarm_names, decode::string_list(config.get("cluster_ids"))) {
        (Tri::Known(mut names), Tri::Known(ids)) => {
            names.extend(ids.iter().flat_map(|c| packs::cluster_shorts(c)));
            Tri::Known(names)
        }
        (names, Tri::Null) => names,
        _ => Tri::Unknown,
    };
    // ...and the databases' (one lag alarm per replica: known once each database exists).
    let alarm_names = match (alarm_names, decode::string_list(config.get("database_ids"))) {
        (Tri::Known(mut names), Tri::Known(ids))
            if ids.iter().all(|i| db_replicas.contains_key(i)) =>
        {
            names.extend(
                ids.iter()
                    .flat_map(|d| packs::database_shorts(d, db_replicas[d])),
            );
            Tri::Known(names)
        }
        (names, Tri::Null) => names,
        _ => Tri::Unknown,
    };
    // ...and the Redis groups' (per node: known once each group exists).
    let alarm_names = match (
        alarm_names,
        decode::string_list(config.get("redis_cluster_ids")),
    ) {
        (Tri::Known(mut names), Tri::Known(ids))
            if ids.iter().all(|i| redis_members.contains_key(i)) =>
        {
            names.extend(
                ids.iter()
                    .flat_map(|r| super::redis_pack::redis_shorts(&redis_members[r])),
            );
            Tri::Known(names)
        }
        (names, Tri::Null) => names,
        _ => Tri::Unknown,
    };

    // Pack alarms carry their kind (`cluster-`, `db-`, `redis-`), so watched resources of different
    // kinds may share a name; an `alarm` block named like a pack alarm would still collide.
    if let Tri::Known(names) = &alarm_names {
        let mut seen = std::collections::BTreeSet::new();
        if let Some(dup) = names.iter().find(|n| !seen.insert(n.as_str())) {
            let attr = [
                ("redis_cluster_ids", "redis"),
                ("database_ids", "db"),
                ("cluster_ids", "cluster"),
            ]
            .into_iter()
            .find(|(a, kind)| {
                decode::string_list(config.get(a))
                    .into_known()
                    .is_some_and(|ids| ids.iter().any(|i| dup.starts_with(&format!("{kind}-{i}-"))))
            })
            .map_or("alarm", |(a, _)| a);
            d.error_at(
                AttrPath::attr(attr),
                "Two alarms would share a name",
                format!("{dup:?} is named twice: an `alarm` block is named like a pack's alarm (packs name theirs `cluster-<cluster>-…`, `db-<database>-…`, `redis-<node>-…`), or a resource is watched twice. Rename the alarm block, or list each resource once."),
            );
        }
    }

    match (&name, place) {
        (Tri::Known(n), Some(place)) => {
            planned.set(
                "critical_topic_arn",
                Value::string(bp::topic_arn(place, n, "critical")),
            );
            planned.set(
                "warning_topic_arn",
                Value::string(bp::topic_arn(place, n, "warning")),
            );
        }
        _ => {
            planned.set("critical_topic_arn", Value::unknown());
            planned.set("warning_topic_arn", Value::unknown());
        }
    }

    match (&name, &alarm_names) {
        (Tri::Known(n), Tri::Known(names)) => {
            let mut want: Vec<String> = names.iter().map(|a| bp::alarm_name(n, a)).collect();
            // The same alarms in another order (import reads them in AWS's order) are no change.
            if let Tri::Known(had) = decode::string_list(prior.get("alarm_names")) {
                let (mut a, mut b) = (had.clone(), want.clone());
                a.sort();
                b.sort();
                if a == b {
                    want = had;
                }
            }
            planned.set("alarm_names", Value::string_list(want));
        }
        _ => planned.set("alarm_names", Value::unknown()),
    }

    // Components: every role is known at plan; identifiers are unknown until AWS assigns them.
    let components = match (&name, &alarm_names, place) {
        (Tri::Known(n), Tri::Known(names), Some(place)) => {
            let mut c: BTreeMap<String, Value> = BTreeMap::new();
            if given_key.is_null() {
                c.insert(
                    bp::ROLE_KEY.into(),
                    owned_key.clone().map_or_else(Value::unknown, Value::String),
                );
                c.insert(
                    bp::ROLE_ALIAS.into(),
                    Value::string(bp::alias_arn(place, n)),
                );
            }
            for sev in ["critical", "warning"] {
                c.insert(
                    bp::role_topic(sev),
                    Value::string(bp::topic_arn(place, n, sev)),
                );
            }
            for a in names {
                c.insert(bp::role_alarm(a), Value::string(bp::alarm_arn(place, n, a)));
            }
            let prior_notify = decode::elements(prior.get("notify"));
            for (i, cfg_n) in decode::elements(config.get("notify")).iter().enumerate() {
                let role = bp::role_subscription(i);
                let same = prior_notify.get(i) == Some(cfg_n) && cfg_n.is_wholly_known();
                let v = match prior_components.get(&role) {
                    Some(arn) if same => Value::string(arn),
                    _ => Value::unknown(),
                };
                c.insert(role, v);
            }
            Value::Map(c)
        }
        _ => Value::unknown(),
    };
    planned.set("components", components);

    // Posture: what apply enforces passes. Rotation of a key the user gave is theirs to keep.
    let mut posture: BTreeMap<String, Value> = bp::CONTROLS
        .iter()
        .map(|c| (c.to_string(), Value::string(bp::PASS)))
        .collect();
    if !given_key.is_null() {
        let prior_kms4 = prior.get("posture").get("KMS.4").clone();
        let same_key = prior.get("kms_key_arn") == given_key;
        posture.insert(
            "KMS.4".into(),
            if same_key && !prior_kms4.is_null() {
                prior_kms4
            } else {
                Value::unknown()
            },
        );
    }
    planned.set("posture", Value::Map(posture));

    // Replacement: only the name forces it.
    let mut requires_replace = Vec::new();
    if !prior.is_null() && prior.get("name") != config.get("name") {
        requires_replace.push(AttrPath::attr("name"));
    }

    if env == Tri::Known(Environment::Production) {
        let has_critical = decode::elements(config.get("notify"))
            .iter()
            .any(|n| n.get("severity") == &Value::string("critical"));
        if !has_critical && config.get("notify").is_wholly_known() {
            d.warning_at(
                AttrPath::attr("notify"),
                "No one is notified of critical alarms",
                "In production, add a notify block with severity = \"critical\" so that critical alarms reach someone.",
            );
        }
    }
    Planned {
        state: planned,
        requires_replace,
        diagnostics: d,
    }
}
