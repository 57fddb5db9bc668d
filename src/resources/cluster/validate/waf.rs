//! Checks of the web ACL's arguments: the rate limit within AWS's range (and not off in
//! production), countries WAF knows, bypass blocks that are IPv4 networks.

use aws_sdk_wafv2::types::CountryCode;

use super::super::blueprint::waf::{RATE_LIMIT_MAX, RATE_LIMIT_MIN};
use super::super::model::Config;
use super::known_int;
use crate::framework::attrs::whole_list;
use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Diagnostics};
use crate::provider::profile::Environment;
use crate::resources::network::blueprint::parse_cidr;

/// The static checks.
pub fn check(cfg: &Config, d: &mut Diagnostics) {
    if let Some(r) = known_int(&cfg.rate_limit) {
        if r != 0 && !(RATE_LIMIT_MIN..=RATE_LIMIT_MAX).contains(&r) {
            d.error_at(
                AttrPath::attr("rate_limit"),
                "rate_limit out of range",
                format!("rate_limit = {r}: AWS WAF counts {RATE_LIMIT_MIN} to {RATE_LIMIT_MAX} requests per client IP in 5 minutes (0 turns the rate rule off, outside production). Remove it for the profile's default."),
            );
        }
    }
    if let Tri::Known(codes) = whole_list(&cfg.blocked_countries) {
        for (i, c) in codes.iter().enumerate() {
            let two_letters = c.len() == 2 && c.chars().all(|x| x.is_ascii_uppercase());
            if !two_letters || !CountryCode::values().contains(&c.as_str()) {
                d.error_at(
                    AttrPath::attr("blocked_countries").then_index(i),
                    "Unknown country code",
                    format!("{c:?} is not an ISO 3166 alpha-2 country code AWS WAF knows; use two capital letters, e.g. \"KP\" or \"IR\"."),
                );
            } else if codes[..i].contains(c) {
                d.error_at(
                    AttrPath::attr("blocked_countries").then_index(i),
                    "Duplicate country code",
                    format!("{c} is listed twice in blocked_countries; list each country once."),
                );
            }
        }
    }
    if let Tri::Known(blocks) = whole_list(&cfg.allowed_cidr_blocks) {
        for (i, c) in blocks.iter().enumerate() {
            let ok = parse_cidr(c).is_some_and(|(addr, prefix)| {
                prefix > 0 && addr & u32::MAX.checked_shr(u32::from(prefix)).unwrap_or(0) == 0
            });
            if !ok {
                d.error_at(
                    AttrPath::attr("allowed_cidr_blocks").then_index(i),
                    "Invalid CIDR block",
                    format!("{c:?} must be an IPv4 network with its host bits zero and a prefix of /1 to /32, e.g. \"203.0.113.0/24\" (0.0.0.0/0 would let everyone bypass the web ACL)."),
                );
            } else if blocks[..i].contains(c) {
                d.error_at(
                    AttrPath::attr("allowed_cidr_blocks").then_index(i),
                    "Duplicate CIDR block",
                    format!("{c} is listed twice in allowed_cidr_blocks; list each block once."),
                );
            }
        }
    }
}

/// Production keeps a rate rule.
pub fn check_profile(cfg: &Config, env: Environment, d: &mut Diagnostics) {
    if env == Environment::Production && known_int(&cfg.rate_limit) == Some(0) {
        d.error_at(
            AttrPath::attr("rate_limit"),
            "A rate rule is required in production",
            format!("rate_limit = 0 turns off the web ACL's per-client rate rule, which production keeps against floods and credential stuffing. Remove rate_limit for the profile's {} requests per 5 minutes, or set {RATE_LIMIT_MIN} to {RATE_LIMIT_MAX}.", env.cluster_rate_limit()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Value;

    use crate::resources::cluster::tests::config_of as cfg;

    fn num(n: i64) -> Value {
        Value::Number(crate::framework::Number::Int(n))
    }

    #[test]
    fn waf_arguments_are_checked_on_their_attribute() {
        use Environment::*;
        type Case<'a> = (&'a str, Vec<(&'a str, Value)>, Environment, Option<&'a str>);
        let cases: Vec<Case<'_>> = vec![
            ("profile default", vec![], Production, None),
            (
                "AWS minimum",
                vec![("rate_limit", num(10))],
                Production,
                None,
            ),
            (
                "below AWS minimum",
                vec![("rate_limit", num(9))],
                Staging,
                Some("rate_limit"),
            ),
            (
                "above AWS maximum",
                vec![("rate_limit", num(2_000_000_001))],
                Development,
                Some("rate_limit"),
            ),
            (
                "0 refused in production",
                vec![("rate_limit", num(0))],
                Production,
                Some("rate_limit"),
            ),
            (
                "0 is no rate rule in development",
                vec![("rate_limit", num(0))],
                Development,
                None,
            ),
            (
                "0 is no rate rule in staging",
                vec![("rate_limit", num(0))],
                Staging,
                None,
            ),
            (
                "known countries",
                vec![("blocked_countries", Value::string_list(["KP", "IR"]))],
                Production,
                None,
            ),
            (
                "lowercase country",
                vec![("blocked_countries", Value::string_list(["KP", "ir"]))],
                Production,
                Some("blocked_countries[1]"),
            ),
            (
                "no such country",
                vec![("blocked_countries", Value::string_list(["ZZ"]))],
                Production,
                Some("blocked_countries[0]"),
            ),
            (
                "alpha-3 code",
                vec![("blocked_countries", Value::string_list(["PRK"]))],
                Production,
                Some("blocked_countries[0]"),
            ),
            (
                "country twice",
                vec![("blocked_countries", Value::string_list(["KP", "KP"]))],
                Production,
                Some("blocked_countries[1]"),
            ),
            (
                "bypass blocks",
                vec![(
                    "allowed_cidr_blocks",
                    Value::string_list(["203.0.113.0/24", "198.51.100.7/32"]),
                )],
                Production,
                None,
            ),
            (
                "host bits set",
                vec![(
                    "allowed_cidr_blocks",
                    Value::string_list(["203.0.113.1/24"]),
                )],
                Production,
                Some("allowed_cidr_blocks[0]"),
            ),
            (
                "not a CIDR",
                vec![(
                    "allowed_cidr_blocks",
                    Value::string_list(["10.0.0.0/8", "office"]),
                )],
                Production,
                Some("allowed_cidr_blocks[1]"),
            ),
            (
                "everyone may not bypass",
                vec![("allowed_cidr_blocks", Value::string_list(["0.0.0.0/0"]))],
                Production,
                Some("allowed_cidr_blocks[0]"),
            ),
            (
                "block twice",
                vec![(
                    "allowed_cidr_blocks",
                    Value::string_list(["10.0.0.0/8", "10.0.0.0/8"]),
                )],
                Production,
                Some("allowed_cidr_blocks[1]"),
            ),
        ];
        for (name, pairs, env, want) in cases {
            let c = cfg(&pairs);
            let mut d = Diagnostics::new();
            check(&c, &mut d);
            check_profile(&c, env, &mut d);
            let paths: Vec<String> = d
                .iter()
                .map(|x| x.path.as_ref().map(|p| p.to_string()).unwrap_or_default())
                .collect();
            match want {
                None => assert!(paths.is_empty(), "{name}: {paths:?}"),
                Some(p) => assert_eq!(paths, vec![p.to_string()], "{name}"),
            }
            assert!(
                d.iter().all(|x| !x.detail.is_empty()),
                "{name}: every diagnostic says the fix"
            );
        }
    }
}
