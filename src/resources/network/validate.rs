//! Static checks of a `prod_network` configuration.

use super::model::Config;
use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Diagnostics, Value};
use crate::provider::profile;
use crate::provider::tags;
use crate::resources::log_retention;

use super::blueprint::endpoints;
use super::blueprint::parse_cidr;

/// `<name>-flow-logs` must fit IAM's 64-character role names.
pub const MAX_NAME: usize = 48;

pub fn validate(cfg: &Value) -> Diagnostics {
    let cfg = Config::decode(cfg);
    let mut d = Diagnostics::new();
    if let Tri::Known(n) = &cfg.name {
        let ok = !n.is_empty()
            && n.len() <= MAX_NAME
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            d.error_at(
                AttrPath::attr("name"),
                "Invalid name",
                format!("{n:?} must be 1 to {MAX_NAME} characters of letters, digits, hyphens and underscores, because AWS object names derive from it."),
            );
        }
    }
    profile::validate_attr(&cfg.environment, &mut d);
    if let Tri::Known(c) = &cfg.cidr_block {
        match parse_cidr(c) {
            Some((addr, prefix)) if (16..=24).contains(&prefix) && addr & ((1u64 << (32 - prefix)) - 1) as u32 == 0 => {}
            _ => d.error_at(
                AttrPath::attr("cidr_block"),
                "Invalid CIDR block",
                format!("{c:?} must be an IPv4 network from /16 to /24 with its host bits zero, e.g. \"10.20.0.0/16\"."),
            ),
        }
    }
    if let Tri::Known(n) = &cfg.az_count {
        if !n.as_i64().is_some_and(|a| (2..=6).contains(&a)) {
            d.error_at(
                AttrPath::attr("az_count"),
                "Too few or too many availability zones",
                format!("az_count = {n}: a network spans 2 to 6 zones; fewer than 2 leaves no room to survive a zone failure."),
            );
        }
    }
    if let Tri::Known(list) = &cfg.endpoints {
        validate_endpoints(list, &mut d);
    }
    if let Tri::Known(t) = &cfg.tags {
        tags::validate(t, &AttrPath::attr("tags"), &mut d);
    }
    crate::framework::wait::validate_timeouts(&cfg.timeouts, &mut d);
    log_retention::validate(&cfg.log_retention, &mut d);
    d
}

/// Each endpoint a service the provider knows, named once.
fn validate_endpoints(list: &[Tri<String>], d: &mut Diagnostics) {
    for (i, e) in list.iter().enumerate() {
        let Tri::Known(s) = e else { continue };
        let at = AttrPath::attr("endpoints").then_index(i);
        if endpoints::kind(s).is_none() {
            d.error_at(
                at,
                "Unknown VPC endpoint service",
                format!(
                    "{s:?} is not a service this provider makes an endpoint for; use the short name of one of: {}.",
                    endpoints::allowed()
                ),
            );
        } else if list[..i].contains(e) {
            d.error_at(
                at,
                "Duplicate VPC endpoint",
                format!(
                    "{s:?} is listed twice; a VPC has one endpoint per service, so name each once."
                ),
            );
        }
    }
}
