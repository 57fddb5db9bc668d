//! Apply of the cluster's web ACL: its log group (encrypted with the cluster's key), the bypass IP
//! set, the web ACL with the blueprint's rules, its association with the load balancer and its
//! logging; each repaired where AWS differs. Delete: disassociated first, then each object.

use std::time::Duration;

use super::super::aws::{elb, waf, Tags};
use super::super::blueprint::{self as bp, waf as wbp};
use super::super::model::State;
use super::Desired;
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::{logs, retry, ProviderData};

/// The web ACL's arguments, as planned.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub rate_limit: i64,
    pub blocked_countries: Vec<String>,
    pub allowed_cidr_blocks: Vec<String>,
}

impl Settings {
    pub fn of(planned: &State) -> Settings {
        Settings {
            rate_limit: planned.rate_limit,
            blocked_countries: planned.blocked_countries.clone().unwrap_or_default(),
            allowed_cidr_blocks: planned.allowed_cidr_blocks.clone().unwrap_or_default(),
        }
    }
}

/// The web ACL `r` as WAF has it: by the ARN state records, else by name (import, a lost ARN).
async fn live_acl(
    ctx: &ProviderData,
    name: &str,
    recorded: Option<&String>,
) -> Result<Option<waf::WebAcl>, AwsError> {
    if let Some(r) = recorded.and_then(|a| waf::Ref::from_arn(a)) {
        if let Some(acl) = waf::get_web_acl(ctx, &r).await? {
            return Ok(Some(acl));
        }
    }
    match waf::find_web_acl(ctx, name).await? {
        Some(r) => waf::get_web_acl(ctx, &r).await,
        None => Ok(None),
    }
}

/// The IP set `<name>-allowed` with its addresses and lock token, found like the web ACL.
async fn live_ip_set(
    ctx: &ProviderData,
    name: &str,
    recorded: Option<&String>,
) -> Result<Option<(waf::Ref, Vec<String>, String)>, AwsError> {
    if let Some(r) = recorded.and_then(|a| waf::Ref::from_arn(a)) {
        if let Some((a, lock)) = waf::get_ip_set(ctx, &r).await? {
            return Ok(Some((r, a, lock)));
        }
    }
    match waf::find_ip_set(ctx, &wbp::ip_set_name(name)).await? {
        Some(r) => Ok(waf::get_ip_set(ctx, &r).await?.map(|(a, l)| (r, a, l))),
        None => Ok(None),
    }
}

/// Converges the web ACL and what goes with it; `key` encrypts its log group. Each object is
/// recorded in `p.components` as soon as it exists.
pub async fn converge(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
    key: &str,
    limit: Duration,
) -> Result<(), AwsError> {
    let n = d.args.name.as_str();
    let s = &d.waf;

    // The log group first: WAF checks the destination when logging is put.
    let group = wbp::log_group_name(n);
    let retention = logs::retention_days(bp::ACCESS_LOGS, &d.log_retention);
    logs::ensure_group(ctx, &group, Some(key), retention, &d.tags).await?;
    p.components
        .insert("waf_log_group".into(), place.log_group_arn(&group));

    let ip_set = live_ip_set(ctx, n, p.components.get("waf_ip_set")).await?;
    let ip_set_arn = converge_ip_set(ctx, d, p, ip_set.as_ref()).await?;

    // The web ACL with the blueprint's rules.
    let rules = wbp::rules(
        d.environment,
        &wbp::RuleInputs {
            rate_limit: s.rate_limit,
            blocked_countries: &s.blocked_countries,
            ip_set_arn: ip_set_arn.as_deref(),
        },
    );
    let acl_arn = converge_acl(ctx, d, p, &rules).await?;

    // An IP set no longer wanted goes once the web ACL no longer refers to it.
    if let (None, Some((r, _, lock))) = (&ip_set_arn, &ip_set) {
        waf::delete_ip_set(ctx, r, lock).await?;
        p.components.remove("waf_ip_set");
    }

    protect(ctx, p, &acl_arn, limit).await?;
    let want = wbp::logging(&place.log_group_arn(&group));
    if waf::logging(ctx, &acl_arn).await?.as_ref() != Some(&want) {
        waf::put_logging(ctx, &acl_arn, &want).await?;
    }
    Ok(())
}

/// The bypass IP set, when addresses are allowed: `ip_set` (as found) updated, or a new one; its
/// ARN, `None` when no address is allowed (the one found, if any, is left to the caller).
async fn converge_ip_set(
    ctx: &ProviderData,
    d: &Desired,
    p: &mut State,
    ip_set: Option<&(waf::Ref, Vec<String>, String)>,
) -> Result<Option<String>, AwsError> {
    let mut want_addresses = d.waf.allowed_cidr_blocks.clone();
    want_addresses.sort();
    if want_addresses.is_empty() {
        return Ok(None);
    }
    let r = match ip_set {
        Some((r, have, lock)) => {
            if *have != want_addresses {
                waf::update_ip_set(ctx, r, &want_addresses, lock).await?;
            }
            r.clone()
        }
        None => {
            let name = wbp::ip_set_name(&d.args.name);
            waf::create_ip_set(ctx, &name, &want_addresses, &d.tags).await?
        }
    };
    p.components.insert("waf_ip_set".into(), r.arn.clone());
    Ok(Some(r.arn))
}

/// The web ACL with `rules`, found and updated or made; its ARN.
async fn converge_acl(
    ctx: &ProviderData,
    d: &Desired,
    p: &mut State,
    rules: &[wbp::Rule],
) -> Result<String, AwsError> {
    let n = d.args.name.as_str();
    let acl_arn = match live_acl(ctx, n, p.components.get("web_acl")).await? {
        Some(acl) => {
            if acl.rules != rules {
                waf::update_web_acl(ctx, &acl, rules).await?;
            }
            acl.r.arn
        }
        None => {
            waf::create_web_acl(ctx, &wbp::web_acl_name(n), rules, &d.tags)
                .await?
                .arn
        }
    };
    p.components.insert("web_acl".into(), acl_arn.clone());
    Ok(acl_arn)
}

/// The load balancer, when there is one, protected by the web ACL `acl_arn`.
async fn protect(
    ctx: &ProviderData,
    p: &State,
    acl_arn: &str,
    limit: Duration,
) -> Result<(), AwsError> {
    let Some(lb) = &p.load_balancer_arn else {
        return Ok(());
    };
    if waf::web_acl_for(ctx, lb).await?.as_deref() != Some(acl_arn) {
        // A load balancer just made, or a web ACL just made, is not associable at once.
        retry::until(
            ctx,
            "web acl association",
            limit,
            Duration::from_secs(2),
            unavailable,
            || waf::associate(ctx, acl_arn, lb),
        )
        .await?;
    }
    Ok(())
}

/// New tags on the web ACL, its IP set and log group.
pub async fn retag(ctx: &ProviderData, p: &State, old: &Tags, new: &Tags) -> Result<(), AwsError> {
    for role in ["web_acl", "waf_ip_set"] {
        if let Some(arn) = p.components.get(role) {
            waf::tag(ctx, arn, old, new).await?;
        }
    }
    if let Some(g) = p.components.get("waf_log_group") {
        logs::tag_group(ctx, g, old, new).await?;
    }
    Ok(())
}

/// WAF's "not ready yet" for a resource or web ACL still being made.
fn unavailable(e: &AwsError) -> bool {
    e.code() == Some("WAFUnavailableEntityException")
}

fn associated(e: &AwsError) -> bool {
    e.code() == Some("WAFAssociatedItemException")
}

/// Deletes the web ACL (disassociated from the load balancer first, its logging off), the IP set
/// and the log group, found by name so that a half-made cluster is removed too.
pub async fn delete(ctx: &ProviderData, s: &mut State, limit: Duration) -> Result<(), AwsError> {
    let n = s.name.clone();
    let lb = match &s.load_balancer_arn {
        Some(a) => Some(a.clone()),
        None => elb::find_lb(ctx, &n).await?.map(|l| l.arn),
    };
    if let Some(lb) = &lb {
        waf::disassociate(ctx, lb).await?;
    }
    if let Some(acl) = live_acl(ctx, &n, s.components.get("web_acl")).await? {
        waf::delete_logging(ctx, &acl.r.arn).await?;
        // AWS takes a moment to see the association gone.
        retry::until(
            ctx,
            "web acl deletion",
            limit,
            Duration::from_secs(2),
            associated,
            || async {
                match waf::get_web_acl(ctx, &acl.r).await? {
                    Some(now) => waf::delete_web_acl(ctx, &now).await,
                    None => Ok(()),
                }
            },
        )
        .await?;
    }
    s.components.remove("web_acl");
    if let Some((r, _, _)) = live_ip_set(ctx, &n, s.components.get("waf_ip_set")).await? {
        retry::until(
            ctx,
            "ip set deletion",
            limit,
            Duration::from_secs(2),
            associated,
            || async {
                match waf::get_ip_set(ctx, &r).await? {
                    Some((_, lock)) => waf::delete_ip_set(ctx, &r, &lock).await,
                    None => Ok(()),
                }
            },
        )
        .await?;
    }
    s.components.remove("waf_ip_set");
    logs::delete_group(ctx, &wbp::log_group_name(&n)).await?;
    s.components.remove("waf_log_group");
    Ok(())
}
