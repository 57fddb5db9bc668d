//! The cluster's web application firewall, as pure functions of (configuration, profile): the web
//! ACL `<name>` (REGIONAL, associated with the load balancer), its rules in evaluation order, the IP
//! set `<name>-allowed` of the bypass rule, and the log group `aws-waf-logs-<name>` (WAF refuses a
//! destination without that prefix) with the `authorization` and `cookie` headers redacted.

use crate::provider::profile::Environment;

/// AWS's range for a rate-based statement's limit (requests per 5-minute window; the API model's
/// `RateLimit`: 10 to 2,000,000,000).
pub const RATE_LIMIT_MIN: i64 = 10;
pub const RATE_LIMIT_MAX: i64 = 2_000_000_000;

/// The AWS managed rule groups every cluster's web ACL runs: the core rule set (OWASP top 10),
/// known bad inputs (Log4j, Java deserialization...) and Amazon's IP reputation list.
pub const MANAGED_GROUPS: [&str; 3] = [
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
];

/// Headers WAF logs never hold (credentials and sessions), lowercase as WAF matches them.
pub const REDACTED_HEADERS: [&str; 2] = ["authorization", "cookie"];

/// Rule names: also their CloudWatch metric names, after the web ACL's name.
pub const ALLOW_RULE: &str = "allowed-cidr-blocks";
pub const GEO_RULE: &str = "blocked-countries";
pub const RATE_RULE: &str = "rate-limit";

pub fn web_acl_name(name: &str) -> String {
    name.to_string()
}
pub fn ip_set_name(name: &str) -> String {
    format!("{name}-allowed")
}
pub fn log_group_name(name: &str) -> String {
    format!("aws-waf-logs-{name}")
}
/// A rule's (and the web ACL's) CloudWatch metric name.
pub fn metric_name(name: &str, rule: &str) -> String {
    format!("{name}-{rule}")
}

/// What a rule matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Statement {
    /// Source addresses in the IP set of this ARN.
    IpSet(String),
    /// Requests from these countries (ISO 3166 alpha-2), sorted.
    Geo(Vec<String>),
    /// More than this many requests per client IP in 5 minutes.
    Rate(i64),
    /// An AWS managed rule group, by name.
    Managed(String),
}

/// What a rule does with what it matches. Managed rule groups block by their own rules (`Managed`,
/// override action none) or only count (`Count`, override action count).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Allow,
    Block,
    Managed,
    Count,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub name: String,
    pub priority: i32,
    pub statement: Statement,
    pub action: Action,
}

/// Whether the profile runs the managed rule groups in block mode (staging, production) or in count
/// mode only (development: see what they would block without breaking a work in progress).
pub fn managed_action(env: Environment) -> Action {
    match env {
        Environment::Development => Action::Count,
        _ => Action::Managed,
    }
}

/// What the rules are made from: the cluster's arguments, as planned.
#[derive(Clone, Debug, Default)]
pub struct RuleInputs<'a> {
    /// 0: no rate rule.
    pub rate_limit: i64,
    pub blocked_countries: &'a [String],
    /// The IP set's ARN when `allowed_cidr_blocks` lists any.
    pub ip_set_arn: Option<&'a str>,
}

/// The web ACL's rules, in evaluation order: the bypass first (allowed addresses skip every other
/// rule), then the countries refused, the rate limit, and the managed groups.
pub fn rules(env: Environment, i: &RuleInputs<'_>) -> Vec<Rule> {
    let mut out = Vec::new();
    if let Some(arn) = i.ip_set_arn {
        out.push(Rule {
            name: ALLOW_RULE.into(),
            priority: 0,
            statement: Statement::IpSet(arn.to_string()),
            action: Action::Allow,
        });
    }
    if !i.blocked_countries.is_empty() {
        // A set to WAF: sorted, so that the order it reports them in is no difference.
        let mut countries = i.blocked_countries.to_vec();
        countries.sort();
        out.push(Rule {
            name: GEO_RULE.into(),
            priority: 1,
            statement: Statement::Geo(countries),
            action: Action::Block,
        });
    }
    if i.rate_limit > 0 {
        out.push(Rule {
            name: RATE_RULE.into(),
            priority: 2,
            statement: Statement::Rate(i.rate_limit),
            action: Action::Block,
        });
    }
    for (n, group) in MANAGED_GROUPS.iter().enumerate() {
        out.push(Rule {
            name: format!("AWS-{group}"),
            priority: 10 + n as i32,
            statement: Statement::Managed(group.to_string()),
            action: managed_action(env),
        });
    }
    out
}

/// The rate limit a web ACL's rules hold (0: none).
pub fn rate_limit_of(rules: &[Rule]) -> i64 {
    rules
        .iter()
        .find_map(|r| match r.statement {
            Statement::Rate(l) if r.name == RATE_RULE => Some(l),
            _ => None,
        })
        .unwrap_or(0)
}

/// The countries a web ACL's geo rule blocks (empty: none).
pub fn blocked_countries_of(rules: &[Rule]) -> Vec<String> {
    rules
        .iter()
        .find_map(|r| match &r.statement {
            Statement::Geo(c) if r.name == GEO_RULE => Some(c.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

/// The logging configuration the web ACL must have.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Logging {
    /// The log group's ARN, as WAF holds it (without `:*`).
    pub destination: String,
    /// Redacted single headers, lowercase, sorted.
    pub redacted_headers: Vec<String>,
}

pub fn logging(log_group_arn: &str) -> Logging {
    Logging {
        destination: log_group_arn.trim_end_matches(":*").to_string(),
        redacted_headers: REDACTED_HEADERS.iter().map(|h| h.to_string()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Environment::*;

    fn names_and_actions(rules: &[Rule]) -> Vec<(String, i32, Action)> {
        rules
            .iter()
            .map(|r| (r.name.clone(), r.priority, r.action))
            .collect()
    }

    #[test]
    fn rules_per_profile_and_arguments() {
        let countries = vec!["KP".to_string(), "RU".to_string()];
        let managed = |a: Action| {
            MANAGED_GROUPS
                .iter()
                .enumerate()
                .map(|(n, g)| (format!("AWS-{g}"), 10 + n as i32, a))
                .collect::<Vec<_>>()
        };
        let with = |mut head: Vec<(&str, i32, Action)>, tail: Vec<(String, i32, Action)>| {
            let mut v: Vec<(String, i32, Action)> = head
                .drain(..)
                .map(|(n, p, a)| (n.to_string(), p, a))
                .collect();
            v.extend(tail);
            v
        };
        type Case<'a> = (
            &'a str,
            Environment,
            RuleInputs<'a>,
            Vec<(String, i32, Action)>,
        );
        let cases: Vec<Case<'_>> = vec![
            (
                "production: rate rule, managed groups block",
                Production,
                RuleInputs {
                    rate_limit: 2000,
                    ..Default::default()
                },
                with(
                    vec![(RATE_RULE, 2, Action::Block)],
                    managed(Action::Managed),
                ),
            ),
            (
                "staging blocks too",
                Staging,
                RuleInputs {
                    rate_limit: 2000,
                    ..Default::default()
                },
                with(
                    vec![(RATE_RULE, 2, Action::Block)],
                    managed(Action::Managed),
                ),
            ),
            (
                "development: managed groups only count",
                Development,
                RuleInputs {
                    rate_limit: 10000,
                    ..Default::default()
                },
                with(vec![(RATE_RULE, 2, Action::Block)], managed(Action::Count)),
            ),
            (
                "development without a rate rule (0)",
                Development,
                RuleInputs::default(),
                with(vec![], managed(Action::Count)),
            ),
            (
                "bypass first, then geo, then rate",
                Production,
                RuleInputs {
                    rate_limit: 500,
                    blocked_countries: &countries,
                    ip_set_arn: Some("arn:ipset"),
                },
                with(
                    vec![
                        (ALLOW_RULE, 0, Action::Allow),
                        (GEO_RULE, 1, Action::Block),
                        (RATE_RULE, 2, Action::Block),
                    ],
                    managed(Action::Managed),
                ),
            ),
        ];
        for (name, env, inputs, want) in cases {
            let got = rules(env, &inputs);
            assert_eq!(names_and_actions(&got), want, "{name}");
            assert_eq!(rate_limit_of(&got), inputs.rate_limit, "{name}");
            assert_eq!(
                blocked_countries_of(&got),
                inputs.blocked_countries.to_vec(),
                "{name}"
            );
        }
    }

    #[test]
    fn statements_carry_the_arguments() {
        let countries = vec!["CN".to_string()];
        let got = rules(
            Production,
            &RuleInputs {
                rate_limit: 2000,
                blocked_countries: &countries,
                ip_set_arn: Some("arn:aws:wafv2:us-east-1:1:regional/ipset/web-allowed/x"),
            },
        );
        assert_eq!(
            got[0].statement,
            Statement::IpSet("arn:aws:wafv2:us-east-1:1:regional/ipset/web-allowed/x".into())
        );
        assert_eq!(got[1].statement, Statement::Geo(countries));
        assert_eq!(got[2].statement, Statement::Rate(2000));
        assert_eq!(
            got[3].statement,
            Statement::Managed("AWSManagedRulesCommonRuleSet".into())
        );
    }

    #[test]
    fn countries_are_a_set_to_waf() {
        let given = vec!["RU".to_string(), "KP".to_string()];
        let got = rules(
            Staging,
            &RuleInputs {
                blocked_countries: &given,
                ..Default::default()
            },
        );
        assert_eq!(
            got[0].statement,
            Statement::Geo(vec!["KP".into(), "RU".into()])
        );
    }

    #[test]
    fn names_and_logging() {
        assert_eq!(web_acl_name("web"), "web");
        assert_eq!(ip_set_name("web"), "web-allowed");
        assert_eq!(log_group_name("web"), "aws-waf-logs-web");
        let l = logging("arn:aws:logs:us-east-1:1:log-group:aws-waf-logs-web:*");
        assert_eq!(
            l.destination,
            "arn:aws:logs:us-east-1:1:log-group:aws-waf-logs-web"
        );
        assert_eq!(l.redacted_headers, vec!["authorization", "cookie"]);
    }
}
