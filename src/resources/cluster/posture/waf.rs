//! The web ACL rules of the posture: ELB.16 (the load balancer is associated with the cluster's
//! web ACL), WAF.11 (the web ACL logs, to its log group), `waf` (every rule as the blueprint makes
//! it, the managed groups blocking where the profile blocks, the credentials headers redacted, the
//! log group encrypted), and CloudWatch.16 for the web ACL's log group.

use super::super::blueprint::{self as bp, waf as wbp, PASS};
use super::{Facts, Posture};
use crate::provider::logs;
use crate::provider::profile::{Environment, LogRetention};

/// The web ACL as WAF reports it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Acl {
    pub arn: String,
    pub rules: Vec<wbp::Rule>,
}

/// What AWS reports about the web ACL and what goes with it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct WafFacts {
    /// `None` when the web ACL is missing.
    pub acl: Option<Acl>,
    /// The ARN of the web ACL the load balancer is associated with, if any.
    pub associated: Option<String>,
    /// `None` when logging is off.
    pub logging: Option<wbp::Logging>,
    /// The log group's ARN (where logging must go).
    pub log_group_arn: String,
    /// `None` when the log group is missing.
    pub log_group: Option<logs::GroupFacts>,
}

impl WafFacts {
    /// What apply leaves in `env`, the logs kept `tiers`.
    pub fn as_applied(env: Environment, tiers: &LogRetention) -> WafFacts {
        let arn = "web-acl".to_string();
        let group = "log-group".to_string();
        WafFacts {
            acl: Some(Acl {
                arn: arn.clone(),
                rules: wbp::rules(
                    env,
                    &wbp::RuleInputs {
                        rate_limit: env.cluster_rate_limit(),
                        ..Default::default()
                    },
                ),
            }),
            associated: Some(arn),
            logging: Some(wbp::logging(&group)),
            log_group_arn: group,
            log_group: Some(logs::GroupFacts {
                retention_days: Some(logs::retention_days(bp::ACCESS_LOGS, tiers)),
                kms_key: Some("key".into()),
            }),
        }
    }
}

/// The web ACL's controls.
pub(super) fn waf(p: &mut Posture, env: Environment, tiers: &LogRetention, f: &Facts) {
    let w = &f.waf;
    let name = wbp::web_acl_name(&f.name);
    if env == Environment::Development {
        p.set(
            "waf",
            format!("{} (managed rule groups count only)", bp::relaxed(env)),
        );
    }
    let Some(acl) = &w.acl else {
        let missing = format!("web ACL {name} is missing");
        for ctl in ["ELB.16", "WAF.11", "waf"] {
            p.fail(ctl, missing.clone());
        }
        log_group(p, env, tiers, f);
        return;
    };
    match (&f.load_balancer, &w.associated) {
        (None, _) => p.fail("ELB.16", format!("load balancer {} is missing", f.name)),
        (Some(_), None) => p.fail(
            "ELB.16",
            format!("the load balancer is not associated with web ACL {name}"),
        ),
        (Some(_), Some(a)) if *a != acl.arn => p.fail(
            "ELB.16",
            format!("the load balancer is associated with another web ACL ({a})"),
        ),
        _ => {}
    }
    match &w.logging {
        None => p.fail("WAF.11", format!("web ACL {name} does not log")),
        Some(l) if l.destination != w.log_group_arn.trim_end_matches(":*") => p.fail(
            "WAF.11",
            format!(
                "web ACL {name} logs to {}, not {}",
                l.destination,
                wbp::log_group_name(&f.name)
            ),
        ),
        Some(l) => {
            for h in wbp::REDACTED_HEADERS {
                if !l.redacted_headers.iter().any(|x| x == h) {
                    p.fail("waf", format!("the logs keep the {h} header"));
                }
            }
        }
    }
    rules(p, env, &acl.rules);
    log_group(p, env, tiers, f);
}

/// Every rule as the blueprint makes it for the arguments the live rules hold (a rate limit or
/// countries changed show on their arguments instead).
fn rules(p: &mut Posture, env: Environment, live: &[wbp::Rule]) {
    let ip_set = live.iter().find_map(|r| match &r.statement {
        wbp::Statement::IpSet(a) if r.name == wbp::ALLOW_RULE => Some(a.clone()),
        _ => None,
    });
    let countries = wbp::blocked_countries_of(live);
    let want = wbp::rules(
        env,
        &wbp::RuleInputs {
            rate_limit: wbp::rate_limit_of(live),
            blocked_countries: &countries,
            ip_set_arn: ip_set.as_deref(),
        },
    );
    for w in &want {
        match live.iter().find(|r| r.name == w.name) {
            None => p.fail("waf", format!("rule {} is missing", w.name)),
            Some(r) if r == w => {}
            Some(r) if r.action == wbp::Action::Count && w.action == wbp::Action::Managed => {
                p.fail("waf", format!("rule {} only counts", w.name))
            }
            Some(_) => p.fail("waf", format!("rule {} differs from the blueprint", w.name)),
        }
    }
    for r in live
        .iter()
        .filter(|r| !want.iter().any(|w| w.name == r.name))
    {
        p.fail("waf", format!("rule {} is not the blueprint's", r.name));
    }
}

/// The web ACL's log group: present, encrypted, kept as long as `log_retention` keeps audit logs.
fn log_group(p: &mut Posture, env: Environment, tiers: &LogRetention, f: &Facts) {
    let group = wbp::log_group_name(&f.name);
    let Some(g) = &f.waf.log_group else {
        p.fail("waf", format!("log group {group} is missing"));
        p.fail("CloudWatch.16", format!("log group {group} is missing"));
        return;
    };
    if g.kms_key.is_none() {
        p.fail("waf", format!("log group {group} is not encrypted"));
    }
    let have = logs::retention_posture(env, bp::ACCESS_LOGS, tiers, g.retention_days);
    let kept = logs::retention_days(bp::ACCESS_LOGS, tiers);
    let planned = logs::retention_posture(env, bp::ACCESS_LOGS, tiers, Some(kept));
    if have != planned {
        p.fail(
            "CloudWatch.16",
            format!("{group}: {}", have.trim_start_matches("fail: ")),
        );
    } else if planned != PASS && p.0.get("CloudWatch.16").map(String::as_str) == Some(PASS) {
        // Kept as planned, below a year: the relaxation, said as the instances' group says it.
        p.set("CloudWatch.16", planned);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{posture, Facts};
    use super::*;
    use Environment::*;

    type Change = fn(&mut WafFacts);

    /// The web ACL without the common managed rule group.
    fn drop_managed_rule(w: &mut WafFacts) {
        if let Some(a) = &mut w.acl {
            a.rules
                .retain(|r| r.name != "AWS-AWSManagedRulesCommonRuleSet");
        }
    }

    fn managed_rule(w: &mut WafFacts, f: impl Fn(&mut wbp::Rule)) {
        if let Some(a) = &mut w.acl {
            if let Some(r) = a
                .rules
                .iter_mut()
                .find(|r| r.name == "AWS-AWSManagedRulesCommonRuleSet")
            {
                f(r);
            }
        }
    }

    #[test]
    fn web_acl_controls_from_what_aws_reports() {
        let cases: Vec<(&str, Environment, Change, &str, &str)> = vec![
            ("as applied", Production, |_| {}, "ELB.16", "pass"),
            ("as applied logs", Production, |_| {}, "WAF.11", "pass"),
            ("as applied rules", Production, |_| {}, "waf", "pass"),
            (
                "development counts on purpose",
                Development,
                |_| {},
                "waf",
                "fail: relaxed by development profile (managed rule groups count only)",
            ),
            (
                "disassociated",
                Production,
                |w| w.associated = None,
                "ELB.16",
                "fail: the load balancer is not associated with web ACL web",
            ),
            (
                "associated with another web ACL",
                Production,
                |w| w.associated = Some("other".into()),
                "ELB.16",
                "fail: the load balancer is associated with another web ACL (other)",
            ),
            (
                "web ACL deleted",
                Production,
                |w| w.acl = None,
                "ELB.16",
                "fail: web ACL web is missing",
            ),
            (
                "logging turned off",
                Production,
                |w| w.logging = None,
                "WAF.11",
                "fail: web ACL web does not log",
            ),
            (
                "logging elsewhere",
                Production,
                |w| w.logging = Some(wbp::logging("elsewhere")),
                "WAF.11",
                "fail: web ACL web logs to elsewhere, not aws-waf-logs-web",
            ),
            (
                "cookie no longer redacted",
                Production,
                |w| {
                    if let Some(l) = &mut w.logging {
                        l.redacted_headers.retain(|h| h != "cookie");
                    }
                },
                "waf",
                "fail: the logs keep the cookie header",
            ),
            (
                "managed rule group removed",
                Production,
                drop_managed_rule,
                "waf",
                "fail: rule AWS-AWSManagedRulesCommonRuleSet is missing",
            ),
            (
                "managed rule group only counts in production",
                Production,
                |w| managed_rule(w, |r| r.action = wbp::Action::Count),
                "waf",
                "fail: rule AWS-AWSManagedRulesCommonRuleSet only counts",
            ),
            (
                "managed rule group removed in development",
                Development,
                drop_managed_rule,
                "waf",
                "fail: rule AWS-AWSManagedRulesCommonRuleSet is missing",
            ),
            (
                "rule added outside Terraform",
                Production,
                |w| {
                    if let Some(a) = &mut w.acl {
                        a.rules.push(wbp::Rule {
                            name: "allow-all".into(),
                            priority: 99,
                            statement: wbp::Statement::Managed(String::new()),
                            action: wbp::Action::Allow,
                        });
                    }
                },
                "waf",
                "fail: rule allow-all is not the blueprint's",
            ),
            (
                "log group deleted",
                Production,
                |w| w.log_group = None,
                "CloudWatch.16",
                "fail: log group aws-waf-logs-web is missing",
            ),
            (
                "log group retention cut",
                Production,
                |w| {
                    if let Some(g) = &mut w.log_group {
                        g.retention_days = Some(1);
                    }
                },
                "CloudWatch.16",
                "fail: aws-waf-logs-web: log retention is 1 days, the profile keeps 2557",
            ),
            (
                "log group unencrypted",
                Production,
                |w| {
                    if let Some(g) = &mut w.log_group {
                        g.kms_key = None;
                    }
                },
                "waf",
                "fail: log group aws-waf-logs-web is not encrypted",
            ),
        ];
        for (name, env, change, control, want) in cases {
            let mut f = Facts::as_applied(env, &env.log_retention(), "required", true);
            f.name = "web".into();
            change(&mut f.waf);
            assert_eq!(
                posture(env, &env.log_retention(), &f)[control],
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn a_rate_limit_or_countries_changed_show_on_their_arguments_not_here() {
        let mut f = Facts::as_applied(Production, &Production.log_retention(), "required", true);
        if let Some(a) = &mut f.waf.acl {
            for r in &mut a.rules {
                if let wbp::Statement::Rate(l) = &mut r.statement {
                    *l = 100_000;
                }
            }
        }
        assert_eq!(
            posture(Production, &Production.log_retention(), &f)["waf"],
            "pass"
        );
    }
}
