//! Static checks of a drill's configuration, each on its attribute.

use super::model::Config;
use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Diagnostics, Value};
use crate::provider::profile;
use crate::provider::tags;
use crate::resources::datastore::recovery::is_region_name;

/// A point in time as `restore_time` takes it (RFC 3339).
pub fn parse_time(s: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

pub fn validate(value: &Value) -> Diagnostics {
    let cfg = Config::decode(value);
    let mut d = Diagnostics::new();
    profile::validate_attr(&cfg.environment, &mut d);
    if let Tri::Known(id) = &cfg.database_id {
        let ok = !id.is_empty()
            && id.len() <= 63
            && id.starts_with(|c: char| c.is_ascii_alphabetic())
            && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !ok {
            d.error_at(
                AttrPath::attr("database_id"),
                "Not a database id",
                format!("database_id = {id:?}: give the `id` of a prod_database_ha (its name: letters, digits and hyphens, starting with a letter), e.g. prod_database_ha.main.id."),
            );
        }
    }
    if let Tri::Known(t) = &cfg.restore_time {
        if parse_time(t).is_none() {
            d.error_at(
                AttrPath::attr("restore_time"),
                "Not a point in time",
                format!("restore_time = {t:?}: give an RFC 3339 time such as \"2026-12-01T02:30:00Z\", or leave it unset for the latest restorable time."),
            );
        }
    }
    if let Tri::Known(r) = &cfg.region {
        if !is_region_name(r) {
            d.error_at(
                AttrPath::attr("region"),
                "Not a region",
                format!("region = {r:?}: give the database's second region (its recovery.region), e.g. \"us-west-2\"."),
            );
        }
    }
    if let Tri::Known(t) = &cfg.tags {
        tags::validate(t, &AttrPath::attr("tags"), &mut d);
    }
    crate::framework::wait::validate_timeouts(&cfg.timeouts, &mut d);
    d
}
