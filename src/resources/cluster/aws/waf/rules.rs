//! The web ACL's rules between the blueprint's terms (`blueprint::waf`) and the SDK's.

use aws_sdk_wafv2::types::{
    AllowAction, BlockAction, CountAction, CountryCode, DefaultAction, GeoMatchStatement,
    IpSetReferenceStatement, ManagedRuleGroupStatement, NoneAction, OverrideAction,
    RateBasedStatement, RateBasedStatementAggregateKeyType, Rule, RuleAction, Statement,
    VisibilityConfig,
};

use super::super::super::blueprint::waf::{self as wbp, Action};
use super::super::invalid;
use crate::provider::error::AwsError;

pub(super) fn visibility(metric: &str) -> Result<VisibilityConfig, AwsError> {
    VisibilityConfig::builder()
        .sampled_requests_enabled(true)
        .cloud_watch_metrics_enabled(true)
        .metric_name(metric)
        .build()
        .map_err(|e| invalid("web acl", e.to_string()))
}

/// What a request no rule matches gets: allowed.
pub(super) fn allow_by_default() -> DefaultAction {
    DefaultAction::builder()
        .allow(AllowAction::builder().build())
        .build()
}

/// The SDK's rules for the blueprint's rules of web ACL `acl`.
pub(super) fn sdk_rules(acl: &str, rules: &[wbp::Rule]) -> Result<Vec<Rule>, AwsError> {
    rules.iter().map(|r| sdk_rule(acl, r)).collect()
}

/// The SDK's rule for a blueprint rule of web ACL `acl`.
fn sdk_rule(acl: &str, r: &wbp::Rule) -> Result<Rule, AwsError> {
    let bad = |e: aws_sdk_wafv2::error::BuildError| invalid("web acl rules", e.to_string());
    let statement = match &r.statement {
        wbp::Statement::IpSet(arn) => Statement::builder()
            .ip_set_reference_statement(
                IpSetReferenceStatement::builder()
                    .arn(arn)
                    .build()
                    .map_err(bad)?,
            )
            .build(),
        wbp::Statement::Geo(codes) => Statement::builder()
            .geo_match_statement(
                GeoMatchStatement::builder()
                    .set_country_codes(Some(
                        codes
                            .iter()
                            .map(|c| CountryCode::from(c.as_str()))
                            .collect(),
                    ))
                    .build(),
            )
            .build(),
        wbp::Statement::Rate(limit) => Statement::builder()
            .rate_based_statement(
                RateBasedStatement::builder()
                    .limit(*limit)
                    .aggregate_key_type(RateBasedStatementAggregateKeyType::Ip)
                    .build()
                    .map_err(bad)?,
            )
            .build(),
        wbp::Statement::Managed(group) => Statement::builder()
            .managed_rule_group_statement(
                ManagedRuleGroupStatement::builder()
                    .vendor_name("AWS")
                    .name(group)
                    .build()
                    .map_err(bad)?,
            )
            .build(),
    };
    let mut b = Rule::builder()
        .name(&r.name)
        .priority(r.priority)
        .statement(statement)
        .visibility_config(visibility(&wbp::metric_name(acl, &r.name))?);
    b = match r.action {
        Action::Allow => b.action(
            RuleAction::builder()
                .allow(AllowAction::builder().build())
                .build(),
        ),
        Action::Block => b.action(
            RuleAction::builder()
                .block(BlockAction::builder().build())
                .build(),
        ),
        Action::Managed => b.override_action(
            OverrideAction::builder()
                .none(NoneAction::builder().build())
                .build(),
        ),
        Action::Count => b.override_action(
            OverrideAction::builder()
                .count(CountAction::builder().build())
                .build(),
        ),
    };
    b.build().map_err(bad)
}

/// A rule as WAF reports it, in the blueprint's terms; `None` for a kind the blueprint never makes
/// (posture reports it as not the blueprint's).
fn blueprint_rule(r: &Rule) -> Option<wbp::Rule> {
    let s = r.statement()?;
    let statement = if let Some(i) = s.ip_set_reference_statement() {
        wbp::Statement::IpSet(i.arn().to_string())
    } else if let Some(g) = s.geo_match_statement() {
        let mut codes: Vec<String> = g
            .country_codes()
            .iter()
            .map(|c| c.as_str().to_string())
            .collect();
        codes.sort();
        wbp::Statement::Geo(codes)
    } else if let Some(rb) = s.rate_based_statement() {
        wbp::Statement::Rate(rb.limit())
    } else if let Some(m) = s.managed_rule_group_statement() {
        if m.vendor_name() != "AWS" {
            return None;
        }
        // Rules of the group excluded or overridden (to count, say) are not the blueprint's group.
        let altered = !m.excluded_rules().is_empty() || !m.rule_action_overrides().is_empty();
        let name = if altered {
            format!("{} with rules overridden", m.name())
        } else {
            m.name().to_string()
        };
        wbp::Statement::Managed(name)
    } else {
        return None;
    };
    let action = match (r.action(), r.override_action()) {
        (Some(a), _) if a.allow().is_some() => Action::Allow,
        (Some(a), _) if a.block().is_some() => Action::Block,
        (_, Some(o)) if o.none().is_some() => Action::Managed,
        (_, Some(o)) if o.count().is_some() => Action::Count,
        _ => return None,
    };
    Some(wbp::Rule {
        name: r.name().to_string(),
        priority: r.priority(),
        statement,
        action,
    })
}

/// The rules of a live web ACL; a rule the blueprint could not have made comes back as a
/// placeholder that equals no blueprint rule.
pub fn live_rules(rules: &[Rule]) -> Vec<wbp::Rule> {
    let mut out: Vec<wbp::Rule> = rules
        .iter()
        .map(|r| {
            blueprint_rule(r).unwrap_or_else(|| wbp::Rule {
                name: r.name().to_string(),
                priority: r.priority(),
                statement: wbp::Statement::Managed(String::new()),
                action: Action::Count,
            })
        })
        .collect();
    out.sort_by_key(|r| r.priority);
    out
}
