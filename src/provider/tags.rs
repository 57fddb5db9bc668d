//! Tags: provider `default_tags`, the resource's `tags`, and the two the provider always adds.

use std::collections::BTreeMap;

use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Diagnostics};

use super::profile::Environment;

pub const TAG_RESOURCE: &str = "prod:resource";
pub const TAG_ENVIRONMENT: &str = "prod:environment";
/// On a `prod_cluster`'s Auto Scaling group: the configured desired capacity, which alarm packs
/// derive thresholds from (the live value belongs to scaling).
pub const TAG_DESIRED_CAPACITY: &str = "prod:desired_capacity";
/// On a `prod_cluster`'s Auto Scaling group: the configured minimum, which alarm packs derive
/// thresholds from (a minimum lowered outside Terraform is drift to repair, not a new threshold).
pub const TAG_MIN_SIZE: &str = "prod:min_size";
/// On a `prod_database_ha`'s primary: the configured storage in GiB (storage autoscaling moves the
/// live value), which alarm packs derive thresholds from.
pub const TAG_ALLOCATED_STORAGE: &str = "prod:allocated_storage";
/// On a `prod_database_ha`'s primary: the configured `max_connections` parameter, when set, which
/// the database pack's connections alarms follow (unset, they follow the engine's default formula).
pub const TAG_MAX_CONNECTIONS: &str = "prod:max_connections";
/// On a `prod_database_ha`'s primary: the recovery time objective in force (its `recovery.rto`,
/// else its profile's), in seconds, which `prod_restore_drill` judges its measured restore by.
pub const TAG_RTO_SECONDS: &str = "prod:rto_seconds";
/// On a `prod_database_ha`'s primary (Aurora: its cluster) and a `prod_redis_cluster`'s replication
/// group from its creation until the create finishes. A half-made store holds no data, so its
/// deletion lifts AWS deletion protection and takes no final snapshot; the mark lives in AWS because Terraform replaces a tainted object without handing the provider the
/// private state that says the create never finished.
pub const TAG_CREATING: &str = "prod:creating";

/// `tags` as RDS takes them (instances, clusters, groups, event subscriptions).
pub fn rds(tags: &BTreeMap<String, String>) -> Vec<aws_sdk_rds::types::Tag> {
    tags.iter()
        .map(|(k, v)| aws_sdk_rds::types::Tag::builder().key(k).value(v).build())
        .collect()
}

/// `tags` with the [`TAG_CREATING`] mark: what a data store's first object is created with.
pub fn creating(tags: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut t = tags.clone();
    t.insert(TAG_CREATING.to_string(), "true".to_string());
    t
}

/// The effective tags (`tags_all`): defaults, then the resource's own, then the provider's markers.
pub fn effective(
    defaults: &BTreeMap<String, String>,
    own: &BTreeMap<String, String>,
    type_name: &str,
    name: &str,
    env: Environment,
) -> BTreeMap<String, String> {
    let mut all = defaults.clone();
    all.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
    all.insert(TAG_RESOURCE.to_string(), format!("{type_name}.{name}"));
    all.insert(TAG_ENVIRONMENT.to_string(), env.as_str().to_string());
    all
}

/// The resource's own `tags`, recovered from the effective ones (for import): without the
/// provider's `prod:*` markers and the `default_tags` it would add anyway. `None` when empty.
pub fn own_tags(
    all: &BTreeMap<String, String>,
    defaults: &BTreeMap<String, String>,
) -> Option<BTreeMap<String, String>> {
    let own: BTreeMap<String, String> = all
        .iter()
        .filter(|(k, v)| !k.starts_with("prod:") && defaults.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    (!own.is_empty()).then_some(own)
}

/// The planned `tags_all`: known once the name, the environment and the resource's `tags` are.
pub fn planned_all(
    defaults: &BTreeMap<String, String>,
    own: &Tri<BTreeMap<String, String>>,
    type_name: &str,
    name: &Tri<String>,
    env: &Tri<Environment>,
) -> Tri<BTreeMap<String, String>> {
    match (name, own.clone().or(BTreeMap::new()), env) {
        (Tri::Known(n), Tri::Known(own), Tri::Known(e)) => {
            Tri::Known(effective(defaults, &own, type_name, n, *e))
        }
        _ => Tri::Unknown,
    }
}

/// Keys in `old` that `new` no longer has: what a retag removes.
pub fn stale_keys(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Vec<String> {
    old.keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect()
}

/// AWS tag limits, and the keys reserved for AWS and for this provider.
pub fn validate(tags: &BTreeMap<String, String>, path: &AttrPath, d: &mut Diagnostics) {
    for (k, v) in tags {
        let p = path.then_key(k);
        if k.is_empty() || k.chars().count() > 128 {
            d.error_at(
                p,
                "Invalid tag key",
                "Tag keys must be 1 to 128 characters long.",
            );
        } else if k.to_ascii_lowercase().starts_with("aws:") {
            d.error_at(
                p,
                "Reserved tag key",
                format!(
                    "{k:?}: keys starting with \"aws:\" are reserved for AWS; choose another key."
                ),
            );
        } else if k.starts_with("prod:") {
            d.error_at(p, "Reserved tag key", format!("{k:?}: keys starting with \"prod:\" are set by the provider itself; choose another key."));
        } else if v.chars().count() > 256 {
            d.error_at(
                p,
                "Tag value too long",
                "Tag values must be at most 256 characters long.",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_tags_win_and_markers_are_added() {
        let d = BTreeMap::from([
            ("team".to_string(), "a".to_string()),
            ("cost".to_string(), "1".to_string()),
        ]);
        let o = BTreeMap::from([("team".to_string(), "b".to_string())]);
        let all = effective(&d, &o, "prod_alerting", "ops", Environment::Staging);
        assert_eq!(all["team"], "b");
        assert_eq!(all["cost"], "1");
        assert_eq!(all[TAG_RESOURCE], "prod_alerting.ops");
        assert_eq!(all[TAG_ENVIRONMENT], "staging");
    }
}
