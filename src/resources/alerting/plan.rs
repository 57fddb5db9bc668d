//! Plan: the proposed state with every computed value filled as apply will leave it — concrete
//! where the blueprint decides, unknown only where AWS decides (new key and subscription ARNs).

use std::collections::BTreeMap;

use super::blueprint::{self as bp, Place};
use super::model::{Config, Notify, NotifyConfig, State};
use super::packs;
use super::schema::{
    DEFAULT_EVALUATION_PERIODS, DEFAULT_MISSING_DATA, DEFAULT_PERIOD, DEFAULT_STATISTIC, TYPE_NAME,
};
use crate::framework::attrs::{blocks, keep_refinements, whole_list, write_tri};
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

    // Alarm blocks: profile defaults for the optional arguments left unset.
    if let Tri::Known(alarms) = &mut planned.alarm {
        for (a, c) in alarms.iter_mut().zip(blocks(&cfg.alarm)) {
            if c.statistic.is_null() {
                a.statistic = Tri::Known(DEFAULT_STATISTIC.to_string());
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

    // The key: the given one, the one we already own, or a new one (unknown until created).
    let prior_components = prior
        .as_ref()
        .map(|p| p.components.clone())
        .unwrap_or_default();
    let prior_key = prior.as_ref().and_then(|p| p.kms_key_arn.clone());
    let owned_key = prior_components
        .get(bp::ROLE_KEY)
        .filter(|k| prior_key.as_ref() == Some(*k))
        .cloned();
    let given_key = &cfg.kms_key_arn;
    planned.kms_key_arn = if !given_key.is_null() {
        given_key.clone()
    } else {
        owned_key.clone().map_or(Tri::Unknown, Tri::Known)
    };

    let alarm_names: Tri<Vec<String>> = match &cfg.alarm {
        Tri::Known(alarms) => alarms
            .iter()
            .map(|a| a.name.known().cloned())
            .collect::<Option<Vec<_>>>()
            .map_or(Tri::Unknown, Tri::Known),
        _ => Tri::Known(Vec::new()),
    };
    let cluster_ids = whole_list(&cfg.cluster_ids);
    let database_ids = whole_list(&cfg.database_ids);
    let redis_ids = whole_list(&cfg.redis_cluster_ids);
    // Then the packs' alarms, named from the watched clusters' ids.
    let alarm_names = match (alarm_names, &cluster_ids) {
        (Tri::Known(mut names), Tri::Known(ids)) => {
            names.extend(ids.iter().flat_map(|c| packs::cluster_shorts(c)));
            Tri::Known(names)
        }
        (names, Tri::Null) => names,
        _ => Tri::Unknown,
    };
    // ...and the databases' (one lag alarm per replica: known once each database exists).
    let alarm_names = match (alarm_names, &database_ids) {
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
    let alarm_names = match (alarm_names, &redis_ids) {
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
                ("redis_cluster_ids", "redis", &redis_ids),
                ("database_ids", "db", &database_ids),
                ("cluster_ids", "cluster", &cluster_ids),
            ]
            .into_iter()
            .find(|(_, kind, ids)| {
                ids.known()
                    .is_some_and(|ids| ids.iter().any(|i| dup.starts_with(&format!("{kind}-{i}-"))))
            })
            .map_or("alarm", |(a, _, _)| a);
            d.error_at(
                AttrPath::attr(attr),
                "Two alarms would share a name",
                format!("{dup:?} is named twice: an `alarm` block is named like a pack's alarm (packs name theirs `cluster-<cluster>-…`, `db-<database>-…`, `redis-<node>-…`), or a resource is watched twice. Rename the alarm block, or list each resource once."),
            );
        }
    }

    let topic = |sev: &str| match (&name, place) {
        (Tri::Known(n), Some(place)) => Tri::Known(bp::topic_arn(place, n, sev)),
        _ => Tri::Unknown,
    };
    planned.critical_topic_arn = topic("critical");
    planned.warning_topic_arn = topic("warning");

    planned.alarm_names = match (&name, &alarm_names) {
        (Tri::Known(n), Tri::Known(names)) => {
            let mut want: Vec<String> = names.iter().map(|a| bp::alarm_name(n, a)).collect();
            // The same alarms in another order (import reads them in AWS's order) are no change.
            if let Some(had) = prior.as_ref().map(|p| &p.alarm_names) {
                let (mut a, mut b) = (had.clone(), want.clone());
                a.sort();
                b.sort();
                if a == b {
                    want = had.clone();
                }
            }
            Tri::Known(want)
        }
        _ => Tri::Unknown,
    };

    // Components: every role is known at plan; identifiers are unknown until AWS assigns them.
    planned.components = match (&name, &alarm_names, place) {
        (Tri::Known(n), Tri::Known(names), Some(place)) => {
            let mut c: BTreeMap<String, Tri<String>> = BTreeMap::new();
            if given_key.is_null() {
                c.insert(
                    bp::ROLE_KEY.into(),
                    owned_key.clone().map_or(Tri::Unknown, Tri::Known),
                );
                c.insert(bp::ROLE_ALIAS.into(), Tri::Known(bp::alias_arn(place, n)));
            }
            for sev in ["critical", "warning"] {
                c.insert(
                    bp::role_topic(sev),
                    Tri::Known(bp::topic_arn(place, n, sev)),
                );
            }
            for a in names {
                c.insert(bp::role_alarm(a), Tri::Known(bp::alarm_arn(place, n, a)));
            }
            let prior_notify = prior.as_ref().map_or(&[][..], |p| p.notify.as_slice());
            for (i, cfg_n) in blocks(&cfg.notify).iter().enumerate() {
                let role = bp::role_subscription(i);
                let same = known_notify(cfg_n).is_some_and(|n| prior_notify.get(i) == Some(&n));
                let v = match prior_components.get(&role) {
                    Some(arn) if same => Tri::Known(arn.clone()),
                    _ => Tri::Unknown,
                };
                c.insert(role, v);
            }
            Tri::Known(c)
        }
        _ => Tri::Unknown,
    };

    // Posture: the rules on what apply leaves (no profile relaxes an alerting control, so an
    // environment not known yet plans the same). Rotation of a key the user gave is theirs to keep.
    let mut posture: BTreeMap<String, Tri<String>> =
        super::posture::planned(env.known().copied().unwrap_or(default_env))
            .into_iter()
            .map(|(c, v)| (c, Tri::Known(v)))
            .collect();
    if !given_key.is_null() {
        let same_key = prior.as_ref().map_or(Tri::Null, |p| {
            p.kms_key_arn.clone().map_or(Tri::Null, Tri::Known)
        }) == *given_key;
        let prior_kms4 = prior.as_ref().and_then(|p| p.posture.get("KMS.4").cloned());
        posture.insert(
            "KMS.4".into(),
            match prior_kms4 {
                Some(v) if same_key => Tri::Known(v),
                _ => Tri::Unknown,
            },
        );
    }
    planned.posture = Tri::Known(posture);

    // Replacement: only the name forces it.
    let mut requires_replace = Vec::new();
    if prior
        .as_ref()
        .is_some_and(|p| Tri::Known(p.name.clone()) != cfg.name)
    {
        requires_replace.push(AttrPath::attr("name"));
    }

    if env == Tri::Known(Environment::Production) {
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
    let mut state = keep_refinements(planned.encode(), proposed);
    state.set("id", write_tri::<String>(&name));
    Planned {
        state,
        requires_replace,
        diagnostics: d,
    }
}
