//! The cluster's posture as pure rules: (profile, facts AWS reports) → control → `pass` or
//! `fail: <reason>`. Plan uses it on the facts apply leaves; read on the facts it finds.

use std::collections::BTreeMap;

use super::blueprint::{self as bp, Peer, Rule, TemplateSpec, PASS};
use crate::provider::ec2::Rules;
use crate::provider::logs;
use crate::provider::profile::Environment;

mod waf;
pub use waf::{Acl, WafFacts};
pub mod lb_logs;

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
}

impl Facts {
    /// What apply leaves: every object as the blueprint makes it, with the instances' metadata
    /// tokens `http_tokens`, and a key of the cluster's own when `own_key`.
    pub fn as_applied(env: Environment, http_tokens: &str, own_key: bool) -> Facts {
        let (lb_sg, app_sg, app_port) = ("sg-lb", "sg-app", 8080);
        let h = bp::hardening(env);
        let ingress = vec!["0.0.0.0/0".to_string()];
        let logs = lb_logs::Logs::as_applied(env);
        let version = Version {
            number: 1,
            spec: TemplateSpec {
                http_tokens: http_tokens.to_string(),
                hop_limit: h.metadata_hop_limit,
                encrypted: true,
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
                logging: lb_logs::applied_lb_attributes(&logs.bucket),
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
                retention_days: Some(h.log_retention_days),
                kms_key: Some("key".into()),
            }),
            key: own_key.then_some(Key::Usable { rotation: true }),
            waf: WafFacts::as_applied(env),
            logs,
            health_check: Vec::new(),
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

/// The posture of the cluster in `env`, from `f`.
pub fn posture(env: Environment, f: &Facts) -> BTreeMap<String, String> {
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
    lb_logs::rules(&mut p, env, lb_logging, &f.logs);
    p.set("health_check", PASS.to_string());
    if !f.health_check.is_empty() {
        p.fail("health_check", f.health_check.join("; "));
    }
    match &f.log_group {
        Some(g) => p.set(
            "CloudWatch.16",
            logs::retention_posture(env, g.retention_days),
        ),
        None => p.fail("CloudWatch.16", "the instances' log group is missing"),
    }
    match &f.key {
        Some(Key::Usable { rotation: false }) => p.fail("KMS.4", "key rotation is off"),
        Some(Key::Gone) => p.fail("KMS.4", "the cluster's key is deleted or pending deletion"),
        _ => {}
    }
    waf::waf(&mut p, env, f);
    p.0
}

/// The posture apply leaves: all pass, except what the profile relaxes (ELB.6, CloudWatch.16)
/// and IMDSv1 where the configuration allows it.
pub fn planned(env: Environment, http_tokens: &str, own_key: bool) -> BTreeMap<String, String> {
    posture(env, &Facts::as_applied(env, http_tokens, own_key))
}

/// The Auto Scaling group: ELB health checks, two zones or more, a launch template, the metrics.
fn group(p: &mut Posture, f: &Facts) {
    let Some(g) = &f.group else {
        for ctl in ["AutoScaling.1", "AutoScaling.2", "AutoScaling.9", "metrics"] {
            p.fail(ctl, format!("auto scaling group {} is missing", f.name));
        }
        return;
    };
    if g.health_check_type != "ELB" {
        p.fail(
            "AutoScaling.1",
            format!("the group checks health by {}", g.health_check_type),
        );
    }
    if g.zones < 2 {
        p.fail(
            "AutoScaling.2",
            format!("the group spans {} availability zone(s)", g.zones),
        );
    }
    if !g.from_template {
        p.fail(
            "AutoScaling.9",
            "the group does not launch from a launch template",
        );
    }
    let missing: Vec<&str> = bp::GROUP_METRICS
        .iter()
        .filter(|m| !g.metrics.iter().any(|x| x == *m))
        .copied()
        .collect();
    if !missing.is_empty() {
        p.fail(
            "metrics",
            format!("group metrics not collected: {}", missing.join(", ")),
        );
    }
}

/// The launch template: its default version, then the running one, and the running one's groups.
fn template(p: &mut Posture, f: &Facts) {
    let Some(t) = &f.template else {
        for ctl in ["EC2.8", "AutoScaling.3", "EC2.3"] {
            p.fail(ctl, format!("launch template {} is missing", f.name));
        }
        return;
    };
    let tokens = f.http_tokens.as_str();
    if let Some(v) = &t.default {
        let which = format!("{} (the default)", v.number);
        version(p, &v.spec, &which, tokens);
    }
    if let Some(v) = &t.running {
        version(p, &v.spec, &v.number.to_string(), tokens);
        let own = |g: &String| Some(g) == f.security_group_id.as_ref();
        if !v.spec.security_groups.iter().all(own) {
            let n = v.number;
            let why =
                format!("launch template version {n} puts instances in other security groups");
            p.fail("ingress", why);
        }
    }
}

/// A launch template version: IMDSv2 (unless configured otherwise), hop limit 1, no public IP
/// addresses, encrypted root volumes.
fn version(p: &mut Posture, v: &TemplateSpec, which: &str, tokens_configured: &str) {
    if v.http_tokens != "required" {
        if tokens_configured == "optional" {
            p.set("EC2.8", bp::imdsv1_allowed());
            p.set("AutoScaling.3", bp::imdsv1_allowed());
        } else {
            let why = format!("IMDSv1 allowed on launch template version {which}");
            p.fail("EC2.8", why.clone());
            p.fail("AutoScaling.3", why);
        }
    }
    if v.hop_limit > 1 {
        p.fail(
            "AutoScaling.4",
            format!("metadata hop limit {} on version {which}", v.hop_limit),
        );
    }
    if v.public_ip {
        p.fail(
            "AutoScaling.5",
            format!("version {which} gives instances public IP addresses"),
        );
    }
    if !v.encrypted {
        p.fail(
            "EC2.3",
            format!("version {which} launches unencrypted root volumes"),
        );
    }
}

/// The load balancer: two zones or more, deletion protection as the profile keeps it, invalid
/// headers dropped, desync mitigation, and its listeners.
fn load_balancer(p: &mut Posture, env: Environment, f: &Facts) {
    let Some(lb) = &f.load_balancer else {
        let missing = format!("load balancer {} is missing", f.name);
        for ctl in ["ELB.1", "ELB.4", "ELB.12", "ELB.13", "ELB.17", "ELB.18"] {
            p.fail(ctl, missing.clone());
        }
        if env.load_balancer_deletion_protection() {
            p.fail("ELB.6", missing);
        }
        return;
    };
    if lb.zones < 2 {
        p.fail(
            "ELB.13",
            format!("the load balancer spans {} availability zone(s)", lb.zones),
        );
    }
    match (
        lb.deletion_protection,
        env.load_balancer_deletion_protection(),
    ) {
        (false, true) => p.fail("ELB.6", "load balancer deletion protection is off"),
        (true, false) => p.fail(
            "ELB.6",
            format!("deletion protection is on, the {env} profile keeps it off"),
        ),
        _ => {}
    }
    if !lb.drop_invalid_headers {
        p.fail("ELB.4", "invalid HTTP headers are passed to the instances");
    }
    let desync = lb.desync_mode.as_deref().unwrap_or("defensive");
    if desync != "defensive" && desync != "strictest" {
        p.fail("ELB.12", format!("desync mitigation is {desync}"));
    }
    listeners(p, &lb.listeners, f.target_group.as_deref());
}

/// One HTTPS listener on 443 with a TLS 1.3 policy forwarding to the cluster's target group, and
/// an HTTP listener on 80 that only redirects to it; nothing else.
fn listeners(p: &mut Posture, listeners: &[Listener], target_group: Option<&str>) {
    let mut https_seen = false;
    let mut redirect_seen = false;
    for l in listeners {
        match (l.port, l.protocol.as_str(), &l.action) {
            (443, "HTTPS", _) if !https_seen => {
                https_seen = true;
                let policy = l.ssl_policy.as_deref().unwrap_or_default();
                if !policy.starts_with("ELBSecurityPolicy-TLS13-") {
                    p.fail(
                        "ELB.17",
                        format!("the HTTPS listener uses {policy}, not a TLS 1.3 policy"),
                    );
                }
                if target_group.is_none_or(|t| l.action != Action::Forward(t.to_string())) {
                    p.fail(
                        "ELB.18",
                        "the HTTPS listener does not forward to the cluster's target group",
                    );
                }
            }
            (80, "HTTP", Action::RedirectHttps) => redirect_seen = true,
            (port, "HTTP", _) => {
                p.fail(
                    "ELB.1",
                    format!("HTTP listener on port {port} does not redirect to HTTPS"),
                );
                p.fail("ELB.18", format!("plain HTTP listener on port {port}"));
            }
            (port, proto, _) => p.fail(
                "ELB.18",
                format!("unexpected {proto} listener on port {port}"),
            ),
        }
    }
    if !https_seen {
        p.fail("ELB.18", "the HTTPS listener is missing");
        p.fail("ELB.17", "the HTTPS listener is missing");
    }
    if !redirect_seen {
        p.fail("ELB.1", "the HTTP→HTTPS redirect listener is missing");
    }
}

/// Ports a rule open to the world covers, for EC2.18/EC2.19.
fn open_to_world(r: &Rule) -> bool {
    matches!(&r.peer, Peer::Cidr(c) if c == "0.0.0.0/0" || c == "::/0")
}
const HIGH_RISK_PORTS: [i32; 13] = [
    20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3306, 3389,
];

fn covers(r: &Rule, port: i32) -> bool {
    r.protocol == "-1" || (r.from <= port && port <= r.to)
}

fn describe(r: &Rule) -> String {
    let ports = if r.protocol == "-1" {
        "all traffic".to_string()
    } else if r.from == r.to {
        format!("{} {}", r.protocol, r.from)
    } else {
        format!("{} {}-{}", r.protocol, r.from, r.to)
    };
    let peer = match &r.peer {
        Peer::Cidr(c) => c.clone(),
        Peer::Group(g) => g.clone(),
    };
    format!("{ports} from {peer}")
}

/// Security groups: exactly the blueprint's rules ("ingress"), nothing open beyond 80/443 on the
/// load balancer (EC2.18) and no high-risk port open to the world (EC2.19).
fn security_groups(p: &mut Posture, f: &Facts) {
    let want_lb = f
        .app_sg
        .as_ref()
        .map(|a| bp::lb_rules(&f.ingress, f.app_port, &a.id));
    let want_app = f.lb_sg.as_ref().map(|l| bp::app_rules(f.app_port, &l.id));
    if let Some(g) = &f.lb_sg {
        security_group(p, g, want_lb, true);
    }
    if let Some(g) = &f.app_sg {
        security_group(p, g, want_app, false);
    }
}

fn security_group(p: &mut Posture, g: &SecurityGroup, want: Option<Rules>, is_lb: bool) {
    let id = &g.id;
    let Some((have_in, have_out)) = &g.rules else {
        p.fail("ingress", format!("security group {id} is missing"));
        return;
    };
    if let Some((want_in, want_out)) = want {
        for r in have_in.difference(&want_in) {
            p.fail("ingress", format!("{id} admits {}", describe(r)));
        }
        for r in want_in.difference(have_in) {
            p.fail("ingress", format!("{id} lacks {}", describe(r)));
        }
        if have_out != &want_out {
            p.fail(
                "ingress",
                format!("{id} outbound rules differ from the blueprint"),
            );
        }
    }
    for r in have_in.iter().filter(|r| open_to_world(r)) {
        let web_only =
            is_lb && r.protocol == "tcp" && (r.from == 443 || r.from == 80) && r.from == r.to;
        if !web_only {
            p.fail("EC2.18", format!("{id} admits {}", describe(r)));
        }
        if let Some(port) = HIGH_RISK_PORTS.iter().find(|x| covers(r, **x)) {
            p.fail("EC2.19", format!("{id} opens port {port} to the world"));
        }
    }
}

#[cfg(test)]
mod tests;
