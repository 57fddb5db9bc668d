//! WAFv2 calls of the cluster's web ACL (REGIONAL scope): the web ACL, its IP set, its association
//! with the load balancer and its logging configuration, and their conversions between the
//! blueprint's rules (`blueprint::waf`) and the SDK's.

use aws_sdk_wafv2::types::{
    AllowAction, BlockAction, CountAction, CountryCode, DefaultAction, FieldToMatch,
    GeoMatchStatement, IpAddressVersion, IpSetReferenceStatement, LoggingConfiguration,
    ManagedRuleGroupStatement, NoneAction, OverrideAction, RateBasedStatement,
    RateBasedStatementAggregateKeyType, Rule, RuleAction, Scope, SingleHeader, Statement, Tag,
    VisibilityConfig,
};

use super::super::blueprint::waf::{self as wbp, Action, Logging};
use super::{invalid, Tags};
use crate::provider::error::AwsError;
use crate::provider::ProviderData;

const SCOPE: Scope = Scope::Regional;

/// WAF's "does not exist" error (it has none of the `NotFound` spellings).
fn missing(e: &AwsError) -> bool {
    e.code() == Some("WAFNonexistentItemException") || e.is_not_found()
}

/// `Ok(None)` for WAF's "does not exist".
fn found<T>(r: Result<T, AwsError>) -> Result<Option<T>, AwsError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if missing(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A web ACL or IP set: name and id (what WAF's calls take) and ARN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ref {
    pub name: String,
    pub id: String,
    pub arn: String,
}

impl Ref {
    /// From an ARN `arn:<partition>:wafv2:<region>:<account>:regional/<kind>/<name>/<id>`.
    pub fn from_arn(arn: &str) -> Option<Ref> {
        let mut parts = arn.rsplitn(3, '/');
        let id = parts.next()?;
        let name = parts.next()?;
        (!id.is_empty() && !name.is_empty()).then(|| Ref {
            name: name.to_string(),
            id: id.to_string(),
            arn: arn.to_string(),
        })
    }
}

/// A web ACL as WAF reports it: its rules in the blueprint's terms and its lock token.
#[derive(Clone, Debug, PartialEq)]
pub struct WebAcl {
    pub r: Ref,
    pub rules: Vec<wbp::Rule>,
    pub lock: String,
}

fn aws_tags(tags: &Tags) -> Result<Vec<Tag>, AwsError> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| invalid("web acl tags", e.to_string()))
        })
        .collect()
}

fn visibility(metric: &str) -> Result<VisibilityConfig, AwsError> {
    VisibilityConfig::builder()
        .sampled_requests_enabled(true)
        .cloud_watch_metrics_enabled(true)
        .metric_name(metric)
        .build()
        .map_err(|e| invalid("web acl", e.to_string()))
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

/// One page of a WAF list: (name, id, ARN) of each object, and the next page's marker.
type Page = (
    Vec<(Option<String>, Option<String>, Option<String>)>,
    Option<String>,
);

/// The object named `name` among the pages `list` gives (from a marker), `None` when there is none.
async fn find_named<F, Fut>(name: &str, list: F) -> Result<Option<Ref>, AwsError>
where
    F: Fn(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<Page, AwsError>>,
{
    let mut marker = None;
    loop {
        let (items, next) = list(marker).await?;
        if let Some((_, id, arn)) = items.iter().find(|i| i.0.as_deref() == Some(name)) {
            return Ok(Some(Ref {
                name: name.to_string(),
                id: id.clone().unwrap_or_default(),
                arn: arn.clone().unwrap_or_default(),
            }));
        }
        match next {
            Some(m) if !m.is_empty() && !items.is_empty() => marker = Some(m),
            _ => return Ok(None),
        }
    }
}

/// The web ACL named `name`, `None` when there is none.
pub async fn find_web_acl(ctx: &ProviderData, name: &str) -> Result<Option<Ref>, AwsError> {
    find_named(name, |marker| async move {
        let out = ctx
            .call(
                "web acl",
                ctx.wafv2()
                    .list_web_acls()
                    .scope(SCOPE)
                    .set_next_marker(marker)
                    .limit(100)
                    .send(),
            )
            .await?;
        let items = out.web_acls.unwrap_or_default().into_iter();
        Ok((
            items.map(|a| (a.name, a.id, a.arn)).collect(),
            out.next_marker,
        ))
    })
    .await
}

/// The web ACL `r`, `None` when it is gone.
pub async fn get_web_acl(ctx: &ProviderData, r: &Ref) -> Result<Option<WebAcl>, AwsError> {
    let out = found(
        ctx.call(
            "web acl",
            ctx.wafv2()
                .get_web_acl()
                .name(&r.name)
                .id(&r.id)
                .scope(SCOPE)
                .send(),
        )
        .await,
    )?;
    Ok(out.and_then(|o| {
        let acl = o.web_acl?;
        Some(WebAcl {
            r: r.clone(),
            rules: live_rules(acl.rules()),
            lock: o.lock_token.unwrap_or_default(),
        })
    }))
}

pub async fn create_web_acl(
    ctx: &ProviderData,
    name: &str,
    rules: &[wbp::Rule],
    tags: &Tags,
) -> Result<Ref, AwsError> {
    let sdk: Vec<Rule> = rules
        .iter()
        .map(|r| sdk_rule(name, r))
        .collect::<Result<_, _>>()?;
    let out = ctx
        .call(
            "web acl",
            ctx.wafv2()
                .create_web_acl()
                .name(name)
                .scope(SCOPE)
                .default_action(
                    DefaultAction::builder()
                        .allow(AllowAction::builder().build())
                        .build(),
                )
                .description(format!("prod_cluster {name}"))
                .set_rules(Some(sdk))
                .visibility_config(visibility(name)?)
                .set_tags(Some(aws_tags(tags)?))
                .send(),
        )
        .await?;
    let s = out
        .summary
        .ok_or_else(|| invalid("web acl", "CreateWebACL returned no summary"))?;
    Ok(Ref {
        name: name.to_string(),
        id: s.id().unwrap_or_default().to_string(),
        arn: s.arn().unwrap_or_default().to_string(),
    })
}

/// Puts `rules` on the web ACL (everything else as the blueprint makes it).
pub async fn update_web_acl(
    ctx: &ProviderData,
    acl: &WebAcl,
    rules: &[wbp::Rule],
) -> Result<(), AwsError> {
    let name = acl.r.name.as_str();
    let sdk: Vec<Rule> = rules
        .iter()
        .map(|r| sdk_rule(name, r))
        .collect::<Result<_, _>>()?;
    ctx.call(
        "web acl",
        ctx.wafv2()
            .update_web_acl()
            .name(name)
            .id(&acl.r.id)
            .scope(SCOPE)
            .lock_token(&acl.lock)
            .default_action(
                DefaultAction::builder()
                    .allow(AllowAction::builder().build())
                    .build(),
            )
            .description(format!("prod_cluster {name}"))
            .set_rules(Some(sdk))
            .visibility_config(visibility(name)?)
            .send(),
    )
    .await
    .map(|_| ())
}

pub async fn delete_web_acl(ctx: &ProviderData, acl: &WebAcl) -> Result<(), AwsError> {
    found(
        ctx.call(
            "web acl",
            ctx.wafv2()
                .delete_web_acl()
                .name(&acl.r.name)
                .id(&acl.r.id)
                .scope(SCOPE)
                .lock_token(&acl.lock)
                .send(),
        )
        .await,
    )
    .map(|_| ())
}

/// The ARN of the web ACL associated with resource `arn`, if any.
pub async fn web_acl_for(ctx: &ProviderData, arn: &str) -> Result<Option<String>, AwsError> {
    let out = found(
        ctx.call(
            "web acl association",
            ctx.wafv2()
                .get_web_acl_for_resource()
                .resource_arn(arn)
                .send(),
        )
        .await,
    )?;
    Ok(out.and_then(|o| o.web_acl).map(|a| a.arn().to_string()))
}

pub async fn associate(ctx: &ProviderData, acl: &str, resource: &str) -> Result<(), AwsError> {
    ctx.call(
        "web acl association",
        ctx.wafv2()
            .associate_web_acl()
            .web_acl_arn(acl)
            .resource_arn(resource)
            .send(),
    )
    .await
    .map(|_| ())
}

pub async fn disassociate(ctx: &ProviderData, resource: &str) -> Result<(), AwsError> {
    found(
        ctx.call(
            "web acl association",
            ctx.wafv2()
                .disassociate_web_acl()
                .resource_arn(resource)
                .send(),
        )
        .await,
    )
    .map(|_| ())
}

/// The web ACL's logging configuration, `None` when logging is off.
pub async fn logging(ctx: &ProviderData, acl: &str) -> Result<Option<Logging>, AwsError> {
    let out = found(
        ctx.call(
            "web acl logging",
            ctx.wafv2()
                .get_logging_configuration()
                .resource_arn(acl)
                .send(),
        )
        .await,
    )?;
    Ok(out.and_then(|o| o.logging_configuration).map(|l| {
        let mut redacted: Vec<String> = l
            .redacted_fields()
            .iter()
            .filter_map(|f| f.single_header().map(|h| h.name().to_ascii_lowercase()))
            .collect();
        redacted.sort();
        Logging {
            destination: l
                .log_destination_configs()
                .first()
                .map(|d| d.trim_end_matches(":*").to_string())
                .unwrap_or_default(),
            redacted_headers: redacted,
        }
    }))
}

pub async fn put_logging(ctx: &ProviderData, acl: &str, l: &Logging) -> Result<(), AwsError> {
    let bad = |e: aws_sdk_wafv2::error::BuildError| invalid("web acl logging", e.to_string());
    let redacted = l
        .redacted_headers
        .iter()
        .map(|h| {
            Ok(FieldToMatch::builder()
                .single_header(SingleHeader::builder().name(h).build().map_err(bad)?)
                .build())
        })
        .collect::<Result<Vec<_>, AwsError>>()?;
    let cfg = LoggingConfiguration::builder()
        .resource_arn(acl)
        .log_destination_configs(&l.destination)
        .set_redacted_fields(Some(redacted))
        .build()
        .map_err(bad)?;
    ctx.call(
        "web acl logging",
        ctx.wafv2()
            .put_logging_configuration()
            .logging_configuration(cfg)
            .send(),
    )
    .await
    .map(|_| ())
}

pub async fn delete_logging(ctx: &ProviderData, acl: &str) -> Result<(), AwsError> {
    found(
        ctx.call(
            "web acl logging",
            ctx.wafv2()
                .delete_logging_configuration()
                .resource_arn(acl)
                .send(),
        )
        .await,
    )
    .map(|_| ())
}

/// The IP set named `name`, `None` when there is none.
pub async fn find_ip_set(ctx: &ProviderData, name: &str) -> Result<Option<Ref>, AwsError> {
    find_named(name, |marker| async move {
        let out = ctx
            .call(
                "ip set",
                ctx.wafv2()
                    .list_ip_sets()
                    .scope(SCOPE)
                    .set_next_marker(marker)
                    .limit(100)
                    .send(),
            )
            .await?;
        let items = out.ip_sets.unwrap_or_default().into_iter();
        Ok((
            items.map(|a| (a.name, a.id, a.arn)).collect(),
            out.next_marker,
        ))
    })
    .await
}

/// The IP set's addresses (sorted) and lock token, `None` when it is gone.
pub async fn get_ip_set(
    ctx: &ProviderData,
    r: &Ref,
) -> Result<Option<(Vec<String>, String)>, AwsError> {
    let out = found(
        ctx.call(
            "ip set",
            ctx.wafv2()
                .get_ip_set()
                .name(&r.name)
                .id(&r.id)
                .scope(SCOPE)
                .send(),
        )
        .await,
    )?;
    Ok(out.and_then(|o| {
        let mut a = o.ip_set?.addresses().to_vec();
        a.sort();
        Some((a, o.lock_token.unwrap_or_default()))
    }))
}

pub async fn create_ip_set(
    ctx: &ProviderData,
    name: &str,
    addresses: &[String],
    tags: &Tags,
) -> Result<Ref, AwsError> {
    let out = ctx
        .call(
            "ip set",
            ctx.wafv2()
                .create_ip_set()
                .name(name)
                .scope(SCOPE)
                .ip_address_version(IpAddressVersion::Ipv4)
                .set_addresses(Some(addresses.to_vec()))
                .description("addresses that bypass the web ACL's other rules")
                .set_tags(Some(aws_tags(tags)?))
                .send(),
        )
        .await?;
    let s = out
        .summary
        .ok_or_else(|| invalid("ip set", "CreateIPSet returned no summary"))?;
    Ok(Ref {
        name: name.to_string(),
        id: s.id().unwrap_or_default().to_string(),
        arn: s.arn().unwrap_or_default().to_string(),
    })
}

pub async fn update_ip_set(
    ctx: &ProviderData,
    r: &Ref,
    addresses: &[String],
    lock: &str,
) -> Result<(), AwsError> {
    ctx.call(
        "ip set",
        ctx.wafv2()
            .update_ip_set()
            .name(&r.name)
            .id(&r.id)
            .scope(SCOPE)
            .set_addresses(Some(addresses.to_vec()))
            .description("addresses that bypass the web ACL's other rules")
            .lock_token(lock)
            .send(),
    )
    .await
    .map(|_| ())
}

pub async fn delete_ip_set(ctx: &ProviderData, r: &Ref, lock: &str) -> Result<(), AwsError> {
    found(
        ctx.call(
            "ip set",
            ctx.wafv2()
                .delete_ip_set()
                .name(&r.name)
                .id(&r.id)
                .scope(SCOPE)
                .lock_token(lock)
                .send(),
        )
        .await,
    )
    .map(|_| ())
}

/// Retags a web ACL or IP set (by ARN) from `old` to `new`.
pub async fn tag(ctx: &ProviderData, arn: &str, old: &Tags, new: &Tags) -> Result<(), AwsError> {
    let stale = crate::provider::tags::stale_keys(old, new);
    if !stale.is_empty() {
        ctx.call(
            "web acl tags",
            ctx.wafv2()
                .untag_resource()
                .resource_arn(arn)
                .set_tag_keys(Some(stale))
                .send(),
        )
        .await?;
    }
    ctx.call(
        "web acl tags",
        ctx.wafv2()
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(aws_tags(new)?))
            .send(),
    )
    .await
    .map(|_| ())
}
