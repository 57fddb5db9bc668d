//! Several instance types and spot capacity: `instance_types`, `on_demand_base` and `spot_share`
//! become the group's mixed-instances policy over the launch template. Their checks, the plan's
//! defaults, and the policy as apply makes it and read reports it.

use crate::framework::attrs::whole_list;
use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Diagnostics, Number};
use crate::provider::profile::Environment;

use super::model::{Config, State};
use super::validate::{is_instance_type, MAX_INSTANCES};

/// How the group launches on demand: the types in the order given.
pub const ON_DEMAND_STRATEGY: &str = "prioritized";
/// How it picks spot pools: the cheapest of those least likely to be interrupted.
pub const SPOT_STRATEGY: &str = "price-capacity-optimized";
/// AWS's limit on a mixed-instances policy's overrides.
const MAX_TYPES: usize = 40;

/// The mixed-instances policy a group has or should have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mix {
    /// Instance types, in order of preference.
    pub types: Vec<String>,
    /// Instances always on demand.
    pub on_demand_base: i64,
    /// Percent of the capacity above the base on spot.
    pub spot_share: i64,
    /// How on-demand and spot capacity are picked ([`ON_DEMAND_STRATEGY`], [`SPOT_STRATEGY`]).
    pub on_demand_strategy: String,
    pub spot_strategy: String,
    /// A spot price cap (the blueprint sets none: the on-demand price caps spot).
    pub spot_max_price: Option<String>,
    /// Whether the types carry weights (the blueprint counts every instance as one).
    pub weighted: bool,
}

/// The policy a planned (or prior) state asks for; `None`: plain launch template.
pub fn of(st: &State) -> Option<Mix> {
    st.instance_types.as_ref().map(|types| Mix {
        types: types.clone(),
        on_demand_base: st.on_demand_base.unwrap_or(st.min_size),
        spot_share: st.spot_share.unwrap_or_default(),
        on_demand_strategy: ON_DEMAND_STRATEGY.into(),
        spot_strategy: SPOT_STRATEGY.into(),
        spot_max_price: None,
        weighted: false,
    })
}

/// How the live policy differs from the wanted one where no attribute shows it (the strategies,
/// a price cap, weights), for posture's `instance_mix`; empty when it does not.
pub fn differences(want: Option<&Mix>, live: Option<&Mix>) -> Vec<String> {
    let (Some(w), Some(l)) = (want, live) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if l.on_demand_strategy != w.on_demand_strategy {
        out.push(format!(
            "on demand is picked {}, the blueprint says {}",
            l.on_demand_strategy, w.on_demand_strategy
        ));
    }
    if l.spot_strategy != w.spot_strategy {
        out.push(format!(
            "spot is picked {}, the blueprint says {}",
            l.spot_strategy, w.spot_strategy
        ));
    }
    if let Some(p) = &l.spot_max_price {
        out.push(format!("spot is capped at {p} (the blueprint sets no cap)"));
    }
    if l.weighted {
        out.push("the types carry weights (the blueprint counts each instance as one)".into());
    }
    out
}

/// The list's shape, the share's range, and what needs `instance_types`, each on its attribute.
pub fn validate(cfg: &Config, d: &mut Diagnostics) {
    let types = whole_list(&cfg.instance_types);
    if let Tri::Known(list) = &types {
        let at = || AttrPath::attr("instance_types");
        if list.len() < 2 || list.len() > MAX_TYPES {
            d.error_at(
                at(),
                "instance_types needs 2 to 40 types",
                format!("{} given: list two or more types, in order of preference (e.g. [\"m6i.large\", \"m7i.large\"]), or remove instance_types to run every instance as instance_type.", list.len()),
            );
        }
        for (i, t) in list.iter().enumerate() {
            if !is_instance_type(t) {
                d.error_at(
                    at().then_index(i),
                    "Invalid instance type",
                    format!(
                        "\"{t}\" is not an EC2 instance type: give family.size, e.g. \"m6i.large\"."
                    ),
                );
            } else if list[..i].contains(t) {
                d.error_at(
                    at().then_index(i),
                    "Instance type listed twice",
                    format!("\"{t}\" appears more than once: list each type once."),
                );
            }
        }
    }
    let share = d.whole(AttrPath::attr("spot_share"), &cfg.spot_share);
    let base = d.whole(AttrPath::attr("on_demand_base"), &cfg.on_demand_base);
    if let Some(s) = share.known() {
        if !(0..=100).contains(s) {
            d.error_at(
                AttrPath::attr("spot_share"),
                "spot_share out of range",
                format!("spot_share = {s}: give a percentage from 0 to 100."),
            );
        }
    }
    if let Some(b) = base.known() {
        if !(0..=MAX_INSTANCES).contains(b) {
            d.error_at(
                AttrPath::attr("on_demand_base"),
                "Out of range",
                format!("on_demand_base = {b}: use 0 to {MAX_INSTANCES}."),
            );
        }
    }
    if types.is_null() {
        for (attr, value) in [
            ("spot_share", &cfg.spot_share),
            ("on_demand_base", &cfg.on_demand_base),
        ] {
            if let Tri::Known(v) = value {
                d.error_at(
                    AttrPath::attr(attr),
                    "Needs instance_types",
                    format!("{attr} = {v} applies to a mixed-instances policy: set instance_types too (spot capacity comes from several types), or remove {attr}."),
                );
            }
        }
    }
}

/// Production keeps its floor on demand. `cfg`: a configuration (an unset `min_size` is the
/// profile's) or a planned state.
pub fn check_profile(cfg: &Config, env: Environment, d: &mut Diagnostics) {
    if env != Environment::Production {
        return;
    }
    let base = cfg.on_demand_base.whole();
    let min = cfg.min_size.whole().or(env.cluster_capacity().0);
    if let (Some(b), Some(m)) = (base.known(), min.known()) {
        if b < m {
            d.error_at(
                AttrPath::attr("on_demand_base"),
                "on_demand_base below min_size in production",
                format!("on_demand_base = {b} and min_size = {m}: production never runs the floor of the service on spot instances, which can be taken back at two minutes' notice. Set on_demand_base to {m} or more (or remove it: it follows min_size)."),
            );
        }
    }
}

/// The planned `on_demand_base` and `spot_share`: as configured, else, with `instance_types`,
/// `min_size` and 0; without, null (unknown while the list is).
pub fn plan(cfg: &Config, planned: &mut Config) {
    let (base, share) = match whole_list(&cfg.instance_types) {
        Tri::Known(_) => (planned.min_size.clone(), Tri::Known(Number::Int(0))),
        Tri::Null => (Tri::Null, Tri::Null),
        Tri::Unknown => (Tri::Unknown, Tri::Unknown),
    };
    planned.on_demand_base = match &cfg.on_demand_base {
        Tri::Null => base,
        other => other.clone(),
    };
    planned.spot_share = match &cfg.spot_share {
        Tri::Null => share,
        other => other.clone(),
    };
}

/// State after a read: the group's policy as AWS has it; without one, no types, base or share.
pub fn read_back(st: &mut State, live: Option<&Mix>) {
    st.instance_types = live.map(|m| m.types.clone());
    st.on_demand_base = live.map(|m| m.on_demand_base);
    st.spot_share = live.map(|m| m.spot_share);
}

#[cfg(test)]
mod tests;
