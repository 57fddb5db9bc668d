//! The `provider "prod"` block: schema, validation, and the typed configuration.

use std::collections::BTreeMap;

use crate::framework::decode::{self, Tri};
use crate::framework::{AttrPath, Attribute, Block, Diagnostics, Schema, Type, Value};

use super::profile::{self, Environment};

/// Services whose endpoint the provider block can override.
pub const ENDPOINT_SERVICES: [&str; 14] = [
    "autoscaling",
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
            .single_block("endpoints", endpoints),
    }
}

#[derive(Clone, Debug, Default)]
pub struct ProviderConfig {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub environment: Option<Environment>,
    pub default_tags: BTreeMap<String, String>,
    pub endpoints: BTreeMap<String, String>,
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
