//! Read of the web ACL: its rules (giving back `rate_limit`, `blocked_countries` and
//! `allowed_cidr_blocks`, so that drift shows on them), the load balancer's association, the logging
//! configuration, the IP set and the log group. GetWebACL (ListWebACLs when state has no ARN),
//! GetWebACLForResource, GetLoggingConfiguration, GetIPSet (only when a rule or state names one),
//! DescribeLogGroups.

use std::collections::{BTreeMap, BTreeSet};

use super::super::aws::waf;
use super::super::blueprint::waf as wbp;
use super::super::model::State;
use super::super::posture::{Acl, WafFacts};
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::{logs, ProviderData};

/// Finds by the ARN state records, else by name.
async fn acl(ctx: &ProviderData, n: &str, prior: &State) -> Result<Option<waf::WebAcl>, AwsError> {
    let r = match prior
        .components
        .get("web_acl")
        .and_then(|a| waf::Ref::from_arn(a))
    {
        Some(r) => Some(r),
        None => waf::find_web_acl(ctx, &wbp::web_acl_name(n)).await?,
    };
    match r {
        Some(r) => waf::get_web_acl(ctx, &r).await,
        None => Ok(None),
    }
}

/// The IP set the web ACL's allow rule refers to, else the one state records: its ARN and
/// addresses. Never listed: an IP set no rule refers to lets no one bypass.
async fn ip_set(
    ctx: &ProviderData,
    acl: Option<&waf::WebAcl>,
    prior: &State,
) -> Result<Option<(String, Vec<String>)>, AwsError> {
    let referred = acl.and_then(|a| {
        a.rules.iter().find_map(|r| match &r.statement {
            wbp::Statement::IpSet(arn) if r.name == wbp::ALLOW_RULE => Some(arn.clone()),
            _ => None,
        })
    });
    let Some(r) = referred
        .as_ref()
        .or(prior.components.get("waf_ip_set"))
        .and_then(|a| waf::Ref::from_arn(a))
    else {
        return Ok(None);
    };
    Ok(waf::get_ip_set(ctx, &r).await?.map(|(a, _)| (r.arn, a)))
}

/// The user's list when it holds the same items, else AWS's; `None` for none where the user set none.
fn keep_list(prior: &Option<Vec<String>>, live: Vec<String>) -> Option<Vec<String>> {
    let same =
        |p: &Vec<String>| p.iter().collect::<BTreeSet<_>>() == live.iter().collect::<BTreeSet<_>>();
    match prior {
        Some(p) if same(p) => Some(p.clone()),
        None if live.is_empty() => None,
        _ => Some(live),
    }
}

/// The web ACL's arguments into `st`, its objects into `c`; its facts.
pub async fn read(
    ctx: &ProviderData,
    place: &Place,
    st: &mut State,
    c: &mut BTreeMap<String, String>,
    prior: &State,
) -> Result<WafFacts, AwsError> {
    let n = prior.name.as_str();
    let group = wbp::log_group_name(n);
    let lb = st.load_balancer_arn.clone();
    let (acl, log_group, associated) =
        tokio::join!(acl(ctx, n, prior), logs::group(ctx, &group), async {
            match &lb {
                Some(lb) => waf::web_acl_for(ctx, lb).await,
                None => Ok(None),
            }
        });
    let (acl, log_group, associated) = (acl?, log_group?, associated?);
    let (set, logging) = tokio::join!(ip_set(ctx, acl.as_ref(), prior), async {
        match &acl {
            Some(a) => waf::logging(ctx, &a.r.arn).await,
            None => Ok(None),
        }
    });
    let (set, logging) = (set?, logging?);
    if let Some((arn, _)) = &set {
        c.insert("waf_ip_set".into(), arn.clone());
    }
    if log_group.is_some() {
        c.insert("waf_log_group".into(), place.log_group_arn(&group));
    }
    if let Some(a) = &acl {
        c.insert("web_acl".into(), a.r.arn.clone());
        st.rate_limit = wbp::rate_limit_of(&a.rules);
        st.blocked_countries = keep_list(
            &prior.blocked_countries,
            wbp::blocked_countries_of(&a.rules),
        );
        // The addresses bypass only while the allow rule refers to the set.
        let referred = a.rules.iter().any(|r| {
            r.name == wbp::ALLOW_RULE
                && r.action == wbp::Action::Allow
                && matches!((&r.statement, &set), (wbp::Statement::IpSet(x), Some((y, _))) if x == y)
        });
        let addresses = match &set {
            Some((_, a)) if referred => a.clone(),
            _ => Vec::new(),
        };
        st.allowed_cidr_blocks = keep_list(&prior.allowed_cidr_blocks, addresses);
    }
    Ok(WafFacts {
        acl: acl.map(|a| Acl {
            arn: a.r.arn,
            rules: a.rules,
        }),
        associated,
        logging,
        log_group_arn: place.log_group_arn(&group),
        log_group,
    })
}
