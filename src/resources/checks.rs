//! Checks several resources share: id lists, maintenance/backup windows, and a data store's
//! placement ids, tags and timeouts.

use std::collections::BTreeMap;

use crate::framework::attrs::{whole_list, whole_map};
use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Diagnostics, Value};
use crate::provider::tags;

/// `hh:mm-hh:mm` (daily) or `ddd:hh:mm-ddd:hh:mm` (weekly), UTC.
pub fn window_ok(w: &str, weekly: bool) -> bool {
    let part = |p: &str| {
        let (day, hm) = if weekly {
            match p.split_once(':') {
                Some((d, rest)) => (Some(d), rest),
                None => return false,
            }
        } else {
            (None, p)
        };
        let day_ok =
            day.is_none_or(|d| ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].contains(&d));
        let hm_ok = hm.split_once(':').is_some_and(|(h, m)| {
            h.len() == 2
                && m.len() == 2
                && h.parse::<u8>().is_ok_and(|h| h < 24)
                && m.parse::<u8>().is_ok_and(|m| m < 60)
        });
        day_ok && hm_ok
    };
    w.split_once('-').is_some_and(|(a, b)| part(a) && part(b))
}

/// An error on `attr` (a daily window when `!weekly`) unless it is a valid window.
pub fn check_window(window: &Tri<String>, attr: &str, weekly: bool, d: &mut Diagnostics) {
    if let Tri::Known(w) = window {
        if !window_ok(w, weekly) {
            let example = if weekly {
                "ddd:hh:mm-ddd:hh:mm in UTC, e.g. \"sun:03:30-sun:04:30\""
            } else {
                "hh:mm-hh:mm in UTC, e.g. \"02:00-03:00\""
            };
            d.error_at(
                AttrPath::attr(attr),
                "Invalid window",
                format!("{w:?}: use {example}."),
            );
        }
    }
}

/// Subnet (`subnet-`) or security group (`sg-`) ids in list `attr`: each well formed, none twice.
pub fn check_ids(ids: &Tri<Vec<Tri<String>>>, attr: &str, d: &mut Diagnostics) {
    let Tri::Known(ids) = whole_list(ids) else {
        return;
    };
    let (prefix, kind) = if attr == "subnet_ids" {
        ("subnet-", "subnet")
    } else {
        ("sg-", "security group")
    };
    for (i, id) in ids.iter().enumerate() {
        if !id.starts_with(prefix) {
            d.error_at(
                AttrPath::attr(attr).then_index(i),
                "Invalid id",
                format!("{id:?} is not a {kind} id (they start with \"{prefix}\")."),
            );
        } else if ids[..i].contains(id) {
            d.error_at(
                AttrPath::attr(attr).then_index(i),
                "Duplicate id",
                format!("{id} is listed twice; list each once."),
            );
        }
    }
}

/// A data store's placement: its subnets and the security groups allowed to connect.
pub fn check_store_ids(
    subnet_ids: &Tri<Vec<Tri<String>>>,
    allowed_security_group_ids: &Tri<Vec<Tri<String>>>,
    d: &mut Diagnostics,
) {
    check_ids(subnet_ids, "subnet_ids", d);
    check_ids(allowed_security_group_ids, "allowed_security_group_ids", d);
}

/// The `tags` (once every value is known) and the `timeouts` block.
pub fn check_tags_and_timeouts(
    tags: &Tri<BTreeMap<String, Tri<String>>>,
    timeouts: &Value,
    d: &mut Diagnostics,
) {
    if let Tri::Known(t) = whole_map(tags) {
        tags::validate(&t, &AttrPath::attr("tags"), d);
    }
    crate::framework::wait::validate_timeouts(timeouts, d);
}
