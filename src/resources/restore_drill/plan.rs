//! Plan: a new drill for any change of what it restores (every argument but `tags` replaces it);
//! its results are unknown until it runs, and nothing of it is left in AWS (`components` empty).

use std::collections::BTreeMap;

use super::model::{Config, State};
use super::schema::TYPE_NAME;
use crate::framework::attrs::{keep_refinements, write_tri};
use crate::framework::decode::Tri;
use crate::framework::resource::Planned;
use crate::framework::{AttrPath, Diagnostics, Number, Value};
use crate::provider::aws::Place;
use crate::provider::profile::{self, Defaults};
use crate::provider::tags;

/// What replaces a drill: another database, point in time or region (tags and `environment`
/// only retag the record).
fn replacements(cfg: &Config, p: &State) -> Vec<AttrPath> {
    let mut out = Vec::new();
    if cfg.database_id != Tri::Known(p.database_id.clone()) {
        out.push(AttrPath::attr("database_id"));
    }
    if cfg.restore_time != p.restore_time.clone().map_or(Tri::Null, Tri::Known) {
        out.push(AttrPath::attr("restore_time"));
    }
    if cfg.region != p.region.clone().map_or(Tri::Null, Tri::Known) {
        out.push(AttrPath::attr("region"));
    }
    out
}

pub fn plan(
    config: &Value,
    prior: &Value,
    proposed: &Value,
    defaults: Defaults,
    default_tags: &BTreeMap<String, String>,
    place: Option<&Place>,
    _: (),
) -> Planned {
    let cfg = Config::decode(config);
    let prior = (!prior.is_null()).then(|| State::decode(prior));
    let mut d = Diagnostics::new();
    let mut planned = Config::decode(proposed);
    let env = profile::planned(&cfg.environment, defaults.environment);
    planned.environment = env.clone().map(|e| e.as_str().to_string());
    if let (Some(pl), Tri::Known(r)) = (place, &cfg.region) {
        if *r == pl.region {
            d.error_at(
                AttrPath::attr("region"),
                "The drill's region is the provider's",
                format!("region = {r:?} is where the database itself is: leave region unset to drill here, or give the database's second region (its recovery.region)."),
            );
        }
    }
    let requires_replace = prior
        .as_ref()
        .map(|p| replacements(&cfg, p))
        .unwrap_or_default();
    match prior.as_ref().filter(|_| requires_replace.is_empty()) {
        // Only the tags change: nothing of the drill is in AWS to retag; its record stays.
        Some(p) => {
            planned.name = Tri::Known(p.name.clone());
            planned.measured_rto_seconds = Tri::Known(Number::Int(p.measured_rto_seconds));
            planned.rto_seconds = p
                .rto_seconds
                .map_or(Tri::Null, |r| Tri::Known(Number::Int(r)));
            planned.met_rto = p.met_rto.map_or(Tri::Null, Tri::Known);
            planned.restored_from = Tri::Known(p.restored_from.clone());
            planned.restored_to_time = Tri::Known(p.restored_to_time.clone());
            planned.posture = Tri::Known(p.posture.clone());
        }
        None => {
            planned.name = Tri::Unknown;
            planned.measured_rto_seconds = Tri::Unknown;
            planned.rto_seconds = Tri::Unknown;
            planned.met_rto = Tri::Unknown;
            planned.restored_from = Tri::Unknown;
            planned.restored_to_time = Tri::Unknown;
            planned.posture = Tri::Unknown;
        }
    }
    planned.components = Tri::Known(BTreeMap::new());
    planned.tags_all = tags::planned_all(default_tags, &cfg.tags, TYPE_NAME, &planned.name, &env);
    let mut state = keep_refinements(planned.encode(), proposed);
    state.set("id", write_tri::<String>(&planned.name));
    Planned {
        state,
        requires_replace,
        diagnostics: d,
    }
}
