//! The `provider "prod"` block: schema, validation, and the typed configuration.

use std::collections::BTreeMap;

use crate::framework::decode::{self, Tri};
use crate::framework::{AttrPath, Attribute, Block, Diagnostics, Schema, Type, Value};

use super::logs;
use super::profile::{self, Environment, LogRetention, TierDefaults};

/// Services whose endpoint the provider block can override.
pub const ENDPOINT_SERVICES: [&str; 15] = [
    "autoscaling",
    "backup",
    "cloudwatch",
    "ec2",
    "elasticache",
    "elbv2",
    "iam",
    "kms",
    "logs",
    "rds",
    "s3",
    "secretsmanager",
    "sns",
    "sts",
    "wafv2",
];

pub fn schema() -> Schema {
    let mut endpoints = Block::new("Custom service endpoints, for a local AWS (moto) or a VPC endpoint. `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` are honoured too; values here win.");
    for s in ENDPOINT_SERVICES {
        endpoints = endpoints.attr(Attribute::optional(
            s,
            Type::String,
            &format!("Endpoint URL for {s}, e.g. `http://127.0.0.1:5000`."),
        ));
    }
    Schema {
        version: 0,
        block: Block::new("The prod provider turns production deployment guides into hardened AWS resources.")
            .attr(Attribute::optional("region", Type::String, "AWS region. Defaults to the standard chain (`AWS_REGION`, the profile)."))
            .attr(Attribute::optional("profile", Type::String, "Named profile from the shared AWS config and credentials files."))
            .attr(Attribute::optional(
                "environment",
                Type::String,
                "Default environment profile for every resource: `development`, `staging` or `production` (default). Resources may override it.",
            ))
            .attr(Attribute::optional(
                "default_tags",
                Type::map(Type::String),
                "Tags added to every AWS object the provider creates; a resource's `tags` win on conflict.",
            ))
            .single_block("endpoints", endpoints)
            .single_block("log_retention", log_retention_block()),
    }
}

/// The provider-wide log retention tiers: what every resource's log groups are kept, where the
/// resource's own `log_retention` does not say.
fn log_retention_block() -> Block {
    Block::new("Days each class of log is kept, for every resource that makes log groups (`prod_network`, `prod_cluster`, `prod_database_ha`); a resource's own `log_retention` wins, attribute by attribute. Unset, each resource's profile's tiers: application 7 / 30 / 30, audit 7 / 365 / 2557, metrics 30 / 365 / 365 (development / staging / production). Each value must be one CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653). Production refuses less than 30 days of application logs and 365 of audit logs or metrics: here when the provider's `environment` is production (its default), and on each production resource that leaves the tier to this block.")
        .attr(Attribute::optional("application", Type::Number, "Days engine and application logs are kept."))
        .attr(Attribute::optional("audit", Type::Number, "Days audit logs (flow logs, web ACL and load balancer access logs, database audit trails) are kept."))
        .attr(Attribute::optional("metrics", Type::Number, "Days metrics must be kept: at most 455, what CloudWatch keeps; checked, not applied."))
}

/// The tiers of the provider block's `log_retention`, each known value of it.
fn tier_defaults(cfg: &Value) -> TierDefaults {
    let block = cfg.get("log_retention");
    let tier = |a: &str| decode::int(block.get(a)).into_known();
    TierDefaults {
        application: tier("application"),
        audit: tier("audit"),
        metrics: tier("metrics"),
    }
}

#[derive(Clone, Debug, Default)]
pub struct ProviderConfig {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub environment: Option<Environment>,
    pub default_tags: BTreeMap<String, String>,
    pub endpoints: BTreeMap<String, String>,
    pub log_retention: TierDefaults,
}

/// Validates what is known; `Tri::Unknown` values are left for configure.
pub fn validate(cfg: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    profile::validate_attr(
        &crate::framework::decode::string(cfg.get("environment")),
        &mut d,
    );
    if let Tri::Known(region) = decode::string(cfg.get("region")) {
        if !is_region(&region) {
            d.error_at(
                AttrPath::attr("region"),
                "Invalid region",
                format!("{region:?} is not an AWS region name; use a name such as \"us-east-1\"."),
            );
        }
    }
    if let Tri::Known(tags) = decode::string_map(cfg.get("default_tags")) {
        super::tags::validate(&tags, &AttrPath::attr("default_tags"), &mut d);
    }
    check_tiers(cfg, &mut d);
    let endpoints = cfg.get("endpoints");
    for s in ENDPOINT_SERVICES {
        if let Tri::Known(url) = decode::string(endpoints.get(s)) {
            if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
                d.error_at(
                    AttrPath::attr("endpoints").then_attr(s),
                    "Invalid endpoint URL",
                    format!("{url:?} is not an http:// or https:// URL; write e.g. \"http://127.0.0.1:5000\"."),
                );
            }
        }
    }
    d
}

/// `log_retention`: values CloudWatch accepts, and production's floors when the provider's own
/// environment is production (set, or by default).
fn check_tiers(cfg: &Value, d: &mut Diagnostics) {
    let block = cfg.get("log_retention");
    for attr in ["application", "audit", "metrics"] {
        if let Tri::Known(n) = decode::number(block.get(attr)) {
            if n.as_i64().is_none() {
                d.error_at(
                    AttrPath::attr("log_retention").then_attr(attr),
                    "Not a whole number of days",
                    format!("{attr} is a number of days CloudWatch Logs accepts, e.g. 30 or 365."),
                );
            }
        }
    }
    let tiers = tier_defaults(cfg);
    let production = match decode::string(cfg.get("environment")) {
        Tri::Known(e) => Environment::parse(&e) == Some(Environment::Production),
        Tri::Null => true,
        Tri::Unknown => false,
    };
    let floor = LogRetention::FLOOR;
    for (attr, days, least) in [
        ("application", tiers.application, floor.application),
        ("audit", tiers.audit, floor.audit),
        ("metrics", tiers.metrics, floor.metrics),
    ] {
        let Some(days) = days else {
            continue;
        };
        let path = AttrPath::attr("log_retention").then_attr(attr);
        let accepted = logs::check_days(path.clone(), attr, days, d);
        if production && accepted && days < least {
            logs::refuse_below_floor(
                path,
                attr,
                attr,
                days,
                ", or set `environment` to the profile these defaults are for",
                d,
            );
        }
    }
}

fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// The typed configuration of a validated, wholly known provider block.
pub fn parse(cfg: &Value) -> ProviderConfig {
    let endpoints = cfg.get("endpoints");
    ProviderConfig {
        region: decode::string(cfg.get("region")).into_known(),
        profile: decode::string(cfg.get("profile")).into_known(),
        environment: decode::string(cfg.get("environment"))
            .into_known()
            .and_then(|e| Environment::parse(&e)),
        default_tags: decode::string_map(cfg.get("default_tags"))
            .into_known()
            .unwrap_or_default(),
        endpoints: ENDPOINT_SERVICES
            .iter()
            .filter_map(|s| {
                decode::string(endpoints.get(s))
                    .into_known()
                    .map(|u| (s.to_string(), u))
            })
            .collect(),
        log_retention: tier_defaults(cfg),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: Vec<(&str, Value)>) -> Value {
        Value::Map(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    #[test]
    fn bad_values_name_the_attribute() {
        let c = cfg(vec![
            ("environment", Value::string("prod")),
            ("region", Value::string("moon")),
            (
                "endpoints",
                cfg(vec![("sns", Value::string("localhost:5000"))]),
            ),
            ("default_tags", Value::string_map([("aws:x", "y")])),
        ]);
        let d = validate(&c);
        let paths: Vec<String> = d
            .iter()
            .map(|d| d.path.as_ref().map(|p| p.to_string()).unwrap_or_default())
            .collect();
        assert_eq!(
            paths,
            vec![
                "environment",
                "region",
                "default_tags[\"aws:x\"]",
                "endpoints.sns"
            ]
        );
        assert!(d.iter().all(|d| !d.detail.is_empty()));
    }

    #[test]
    fn log_retention_takes_cloudwatchs_values_and_production_floors() {
        let tiers = |env: Option<&str>, pairs: Vec<(&str, i64)>| {
            let mut c = vec![(
                "log_retention",
                cfg(pairs.into_iter().map(|(k, v)| (k, Value::int(v))).collect()),
            )];
            if let Some(e) = env {
                c.push(("environment", Value::string(e)));
            }
            validate(&cfg(c))
        };
        let paths = |d: Diagnostics| -> Vec<String> {
            d.iter()
                .map(|d| d.path.as_ref().map(|p| p.to_string()).unwrap_or_default())
                .collect()
        };
        // Production (also by default) refuses a month of audit logs; development takes it.
        assert_eq!(
            paths(tiers(None, vec![("audit", 30)])),
            ["log_retention.audit"]
        );
        assert!(tiers(Some("development"), vec![("audit", 30), ("application", 7)]).is_empty());
        // A value CloudWatch does not accept, in any profile.
        assert_eq!(
            paths(tiers(Some("staging"), vec![("application", 45)])),
            ["log_retention.application"]
        );
        let p = parse(&cfg(vec![(
            "log_retention",
            cfg(vec![("audit", Value::int(3653))]),
        )]));
        assert_eq!(
            p.log_retention,
            TierDefaults {
                application: None,
                audit: Some(3653),
                metrics: None
            }
        );
    }

    #[test]
    fn good_and_unknown_values_pass() {
        let c = cfg(vec![
            ("environment", Value::string("staging")),
            ("region", Value::unknown()),
            (
                "endpoints",
                cfg(vec![("sns", Value::string("http://127.0.0.1:5000"))]),
            ),
        ]);
        assert!(validate(&c).is_empty());
        let p = parse(&c);
        assert_eq!(p.environment, Some(Environment::Staging));
        assert_eq!(
            p.endpoints.get("sns").map(String::as_str),
            Some("http://127.0.0.1:5000")
        );
        assert!(validate(&Value::Null).is_empty());
    }
}
