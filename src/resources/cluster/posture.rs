//! The cluster's posture as pure rules: (profile, facts AWS reports) → control → `pass` or
//! `fail: <reason>`. Plan uses it on the facts apply leaves; read on the facts it finds.

use std::collections::BTreeMap;

use super::blueprint::{self as bp, TemplateSpec, PASS};
use crate::provider::ec2::Rules;
use crate::provider::logs;
use crate::provider::profile::{Environment, LogRetention};

mod compute;
mod front_end;
mod ingress;
mod waf;
pub use waf::{Acl, WafFacts};
pub mod lb_logs;

use compute::{group, template};
use front_end::load_balancer;
use ingress::security_groups;

/// The Auto Scaling group, as AWS reports it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Group {
    pub health_check_type: String,
    /// How many availability zones it spans.
    pub zones: usize,
    /// It launches from a launch template.
    pub from_template: bool,
    /// The group metrics it collects.
    pub metrics: Vec<String>,
}

/// A launch template version: its number and settings.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Version {
    pub number: i64,
    pub spec: TemplateSpec,
}

/// The launch template: its default version and the one the group runs, each when AWS has it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Template {
    pub default: Option<Version>,
    pub running: Option<Version>,
}

/// Where a listener sends requests by default: to a target group, a redirect to HTTPS, or else.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Forward(String),
    RedirectHttps,
    Other,
}

/// A listener of the load balancer.
#[derive(Clone, Debug, PartialEq)]
pub struct Listener {
    pub port: i32,
    pub protocol: String,
    pub ssl_policy: Option<String>,
    pub action: Action,
}

/// The load balancer, its attributes and listeners, in AWS's order.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct LoadBalancer {
    /// How many availability zones it spans.
    pub zones: usize,
    pub deletion_protection: bool,
    pub drop_invalid_headers: bool,
    /// `routing.http.desync_mitigation_mode`; `None` when AWS does not say (its default, defensive).
    pub desync_mode: Option<String>,
    pub listeners: Vec<Listener>,
    /// The access and connection log attributes (ELB.5).
    pub logging: BTreeMap<String, String>,
}

/// A security group recorded in state.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SecurityGroup {
    pub id: String,
    /// (inbound, outbound); `None` when the group no longer exists.
    pub rules: Option<Rules>,
}

/// The cluster's own key, as AWS reports it.
#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    /// Enabled, with automatic rotation on or off.
    Usable { rotation: bool },
    /// Deleted, disabled or pending deletion.
    Gone,
}

/// What AWS reports about a cluster, with what state records that the rules compare it with.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Facts {
    /// The cluster's name, which its group, template and load balancer carry.
    pub name: String,
    /// `metadata_http_tokens` as state records it (`optional` allows IMDSv1 on purpose).
    pub http_tokens: String,
    /// `None` when the group is missing or being deleted.
    pub group: Option<Group>,
    /// `None` when the launch template is missing.
    pub template: Option<Template>,
    /// The instances' security group as state records it.
    pub security_group_id: Option<String>,
    /// The cluster's target group, when it exists.
    pub target_group: Option<String>,
    /// `None` when the load balancer is missing.
    pub load_balancer: Option<LoadBalancer>,
    /// Who may reach the load balancer.
    pub ingress: Vec<String>,
    pub app_port: i64,
    /// The load balancer's and the instances' security groups, when state records them.
    pub lb_sg: Option<SecurityGroup>,
    pub app_sg: Option<SecurityGroup>,
    /// `None` when the instances' log group is missing.
    pub log_group: Option<logs::GroupFacts>,
    /// `None` when the cluster has no key of its own (no `KMS.4`).
    pub key: Option<Key>,
    /// The web ACL, its association, logging and log group.
    pub waf: WafFacts,
    /// The load balancer's log bucket.
    pub logs: lb_logs::Logs,
    /// How the target group's health check differs from the configured one.
    pub health_check: Vec<String>,
    /// How the group's scaling policies and warmup differ from the configured ones.
    pub scaling: Vec<String>,
    /// How the group's mixed-instances policy differs from the blueprint's where no attribute
    /// shows it (strategies, a spot price cap, weights).
    pub instance_mix: Vec<String>,
    /// How the rollout's gate alarms differ from the blueprint's (missing, or changed).
    pub rollout_gates: Vec<String>,
}

impl Facts {
    /// What apply leaves: every object as the blueprint makes it, with the instances' metadata
    /// tokens `http_tokens`, and a key of the cluster's own when `own_key`.
    pub fn as_applied(
        env: Environment,
        tiers: &LogRetention,
        http_tokens: &str,
        own_key: bool,
    ) -> Facts {
        let (lb_sg, app_sg, app_port) = ("sg-lb", "sg-app", 8080);
        let h = bp::hardening(env);
        let ingress = vec!["0.0.0.0/0".to_string()];
        let bucket = lb_logs::Logs::as_applied(tiers);
        let version = Version {
            number: 1,
            spec: TemplateSpec {
                http_tokens: http_tokens.to_string(),
                hop_limit: h.metadata_hop_limit,
                encrypted: true,
                user_data: Some(bp::encode_user_data(&bp::host_metrics::user_data(
                    &bp::log_group_name("cluster"),
                    None,
                ))),
                security_groups: [app_sg.to_string()].into(),
                ..TemplateSpec::default()
            },
        };
        Facts {
            name: "cluster".into(),
            http_tokens: http_tokens.to_string(),
            group: Some(Group {
                health_check_type: "ELB".into(),
                zones: 2,
                from_template: true,
                metrics: bp::GROUP_METRICS.iter().map(|m| m.to_string()).collect(),
            }),
            template: Some(Template {
                default: Some(version.clone()),
                running: Some(version),
            }),
            security_group_id: Some(app_sg.into()),
            target_group: Some("tg".into()),
            load_balancer: Some(LoadBalancer {
                zones: 2,
                deletion_protection: h.lb_deletion_protection,
                drop_invalid_headers: h.drop_invalid_header_fields,
                desync_mode: Some(h.desync_mitigation_mode.into()),
                listeners: vec![
                    Listener {
                        port: 443,
                        protocol: "HTTPS".into(),
                        ssl_policy: Some(bp::listener_policy(bp::DEFAULT_TLS_POLICY).into()),
                        action: Action::Forward("tg".into()),
                    },
                    Listener {
                        port: 80,
                        protocol: "HTTP".into(),
                        ssl_policy: None,
                        action: Action::RedirectHttps,
                    },
                ],
                logging: lb_logs::applied_lb_attributes(&bucket.bucket),
            }),
            lb_sg: Some(SecurityGroup {
                id: lb_sg.into(),
                rules: Some(bp::lb_rules(&ingress, app_port, app_sg)),
            }),
            app_sg: Some(SecurityGroup {
                id: app_sg.into(),
                rules: Some(bp::app_rules(app_port, lb_sg)),
            }),
            ingress,
            app_port,
            log_group: Some(logs::GroupFacts {
                retention_days: Some(logs::retention_days(bp::INSTANCE_LOGS, tiers)),
                kms_key: Some("key".into()),
            }),
            key: own_key.then_some(Key::Usable { rotation: true }),
            waf: WafFacts::as_applied(env, tiers),
            logs: bucket,
            health_check: Vec::new(),
            scaling: Vec::new(),
            instance_mix: Vec::new(),
            rollout_gates: Vec::new(),
        }
    }
}

/// Control → `pass` or `fail: <reasons>`, reasons appended in the order the rules find them.
struct Posture(BTreeMap<String, String>);

impl Posture {
    /// A failure replaces a pass or a deliberate relaxation, and adds to other failures.
    fn fail(&mut self, control: &str, reason: impl Into<String>) {
        let reason = reason.into();
        let e = self
            .0
            .entry(control.to_string())
            .or_insert_with(|| PASS.to_string());
        if e.starts_with("fail") && !e.starts_with("fail: relaxed") && *e != bp::imdsv1_allowed() {
            e.push_str(&format!("; {reason}"));
        } else {
            *e = format!("fail: {reason}");
        }
    }
    fn set(&mut self, control: &str, value: String) {
        self.0.insert(control.to_string(), value);
    }
}

/// The posture of the cluster in `env` keeping its logs `tiers`, from `f`.
pub fn posture(env: Environment, tiers: &LogRetention, f: &Facts) -> BTreeMap<String, String> {
    let mut p = Posture(
        bp::controls(f.key.is_some())
            .into_iter()
            .map(|c| (c.to_string(), PASS.to_string()))
            .collect(),
    );
    if !env.load_balancer_deletion_protection() {
        p.set("ELB.6", bp::relaxed(env));
    }
    group(&mut p, f);
    template(&mut p, f);
    load_balancer(&mut p, env, f);
    security_groups(&mut p, f);
    let lb_logging = f.load_balancer.as_ref().map(|lb| &lb.logging);
    lb_logs::rules(&mut p, env, tiers, lb_logging, &f.logs);
    p.set("health_check", PASS.to_string());
    if !f.health_check.is_empty() {
        p.fail("health_check", f.health_check.join("; "));
    }
    for (control, drift) in [
        ("scaling", &f.scaling),
        ("instance_mix", &f.instance_mix),
        ("rollout_gates", &f.rollout_gates),
    ] {
        p.set(control, PASS.to_string());
        if !drift.is_empty() {
            p.fail(control, drift.join("; "));
        }
    }
    match &f.log_group {
        Some(g) => p.set(
            "CloudWatch.16",
            logs::retention_posture(env, bp::INSTANCE_LOGS, tiers, g.retention_days),
        ),
        None => p.fail("CloudWatch.16", "the instances' log group is missing"),
    }
    match &f.key {
        Some(Key::Usable { rotation: false }) => p.fail("KMS.4", "key rotation is off"),
        Some(Key::Gone) => p.fail("KMS.4", "the cluster's key is deleted or pending deletion"),
        _ => {}
    }
    waf::waf(&mut p, env, tiers, f);
    p.0
}

/// The posture apply leaves: all pass, except what the profile relaxes (ELB.6, CloudWatch.16)
/// and IMDSv1 where the configuration allows it.
pub fn planned(
    env: Environment,
    tiers: &LogRetention,
    http_tokens: &str,
    own_key: bool,
) -> BTreeMap<String, String> {
    posture(
        env,
        tiers,
        &Facts::as_applied(env, tiers, http_tokens, own_key),
    )
}

#[cfg(test)]
mod tests;
