//! Read: the cluster as AWS has it, with the posture computed from it. A fixed set of calls however
//! many instances or subnets: DescribeAutoScalingGroups, DescribeLaunchTemplates,
//! DescribeLaunchTemplateVersions (default and running version in one), DescribeLoadBalancers,
//! DescribeLoadBalancerAttributes, DescribeListeners, DescribeTargetGroups, DescribeTags (ELB),
//! DescribeSecurityGroups (both groups), GetInstanceProfile, DescribeLogGroups, and for the
//! cluster's own key DescribeKey + GetKeyRotationStatus.

use std::collections::{BTreeMap, BTreeSet};

use super::aws::{asg, ec2, elb};
use super::blueprint::{self as bp, Peer, Rule, TemplateSpec, PASS};
use super::model::State;
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::{iam, kms, logs, ProviderData};

struct Posture(BTreeMap<String, String>);

impl Posture {
    fn new(own_key: bool) -> Posture {
        Posture(
            bp::controls(own_key)
                .into_iter()
                .map(|c| (c.to_string(), PASS.to_string()))
                .collect(),
        )
    }
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

/// The user's order when the set is the same (contract rule 8), AWS's otherwise.
fn same_set_keep(prior: &[String], live: Vec<String>) -> Vec<String> {
    if prior.iter().collect::<BTreeSet<_>>() == live.iter().collect::<BTreeSet<_>>() {
        prior.to_vec()
    } else {
        live
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

fn template_posture(post: &mut Posture, v: &TemplateSpec, which: &str, tokens_configured: &str) {
    if v.http_tokens != "required" {
        if tokens_configured == "optional" {
            post.set("EC2.8", bp::imdsv1_allowed());
            post.set("AutoScaling.3", bp::imdsv1_allowed());
        } else {
            let why = format!("IMDSv1 allowed on launch template version {which}");
            post.fail("EC2.8", why.clone());
            post.fail("AutoScaling.3", why);
        }
    }
    if v.hop_limit > 1 {
        post.fail(
            "AutoScaling.4",
            format!("metadata hop limit {} on version {which}", v.hop_limit),
        );
    }
    if v.public_ip {
        post.fail(
            "AutoScaling.5",
            format!("version {which} gives instances public IP addresses"),
        );
    }
    if !v.encrypted {
        post.fail(
            "EC2.3",
            format!("version {which} launches unencrypted root volumes"),
        );
    }
}

/// The live state, or `None` when nothing of the cluster is left.
pub async fn read(
    ctx: &ProviderData,
    place: &Place,
    prior: &State,
) -> Result<Option<State>, AwsError> {
    let n = prior.name.as_str();
    let env = Environment::parse(&prior.environment).unwrap_or(ctx.environment);
    let own_key = prior.components.contains_key("kms_key");
    let mut st = prior.clone();
    let mut c: BTreeMap<String, String> = BTreeMap::new();
    let mut post = Posture::new(own_key);
    if !env.load_balancer_deletion_protection() {
        post.set("ELB.6", bp::relaxed(env));
    }

    // Everything AWS is asked about the cluster's objects, at once (the load balancer's attributes,
    // listeners and tags, and the template's versions, follow once their ids are known).
    let lb_sg = prior.components.get("security_group_lb").cloned();
    let app_sg = prior.components.get("security_group_app").cloned();
    let ids: Vec<String> = lb_sg.iter().chain(app_sg.iter()).cloned().collect();
    let key_id = prior.components.get("kms_key").cloned();
    let group_name = bp::log_group_name(n);
    let role_name = bp::role_name(n);
    let tg_name = bp::target_group_name(n);
    let (group, template, tg, lb, rules, profile, log_group, key_facts) = tokio::join!(
        asg::find_group(ctx, n),
        ec2::find_template(ctx, n),
        elb::find_tg(ctx, &tg_name),
        elb::find_lb(ctx, n),
        ec2::sg_rules(ctx, &ids),
        iam::instance_profile(ctx, &role_name),
        logs::group(ctx, &group_name),
        async {
            match &key_id {
                Some(k) => kms::describe_key(ctx, k).await,
                None => Ok(None),
            }
        },
    );
    let (tg, lb, rules, profile, log_group, key_facts) =
        (tg?, lb?, rules?, profile?, log_group?, key_facts?);

    // Auto Scaling group and the template versions it runs.
    let group = group?.filter(|g| !g.deleting);
    let template = template?;
    match &group {
        Some(g) => {
            c.insert("autoscaling_group".into(), n.to_string());
            st.autoscaling_group_name = Some(n.to_string());
            st.min_size = g.min;
            st.max_size = g.max;
            st.desired_capacity_actual = Some(g.desired);
            if prior.desired_capacity == 0 {
                st.desired_capacity = g.desired;
            }
            st.subnet_ids = same_set_keep(&prior.subnet_ids, g.subnets.clone());
            if g.health_check_type != "ELB" {
                post.fail(
                    "AutoScaling.1",
                    format!("the group checks health by {}", g.health_check_type),
                );
            }
            if g.zones.len() < 2 {
                post.fail(
                    "AutoScaling.2",
                    format!("the group spans {} availability zone(s)", g.zones.len()),
                );
            }
            if g.template_id.is_none() {
                post.fail(
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
                post.fail(
                    "metrics",
                    format!("group metrics not collected: {}", missing.join(", ")),
                );
            }
        }
        None => {
            st.autoscaling_group_name = None;
            st.desired_capacity_actual = None;
            for ctl in ["AutoScaling.1", "AutoScaling.2", "AutoScaling.9", "metrics"] {
                post.fail(ctl, format!("auto scaling group {n} is missing"));
            }
        }
    }
    match &template {
        Some((id, default, _)) => {
            c.insert("launch_template".into(), id.clone());
            st.launch_template_id = Some(id.clone());
            let running_label = group.as_ref().and_then(|g| g.template_version.clone());
            let running = match running_label.as_deref() {
                Some("$Default") | None => Some(*default),
                Some("$Latest") => Some(template.as_ref().map_or(*default, |t| t.2)),
                Some(v) => v.parse::<i64>().ok(),
            };
            let versions = ec2::versions(ctx, id, running).await?;
            if let Some(dv) = versions.iter().find(|v| v.default) {
                template_posture(
                    &mut post,
                    &dv.spec,
                    &format!("{} (the default)", dv.number),
                    &prior.metadata_http_tokens,
                );
            }
            if let Some(rv) = running.and_then(|r| versions.iter().find(|v| v.number == r)) {
                template_posture(
                    &mut post,
                    &rv.spec,
                    &rv.number.to_string(),
                    &prior.metadata_http_tokens,
                );
                st.launch_template_version = Some(rv.number);
                let s = &rv.spec;
                st.image_id = s.image_id.clone();
                st.instance_type = s.instance_type.clone();
                st.user_data = s.user_data.as_deref().and_then(bp::decode_user_data);
                st.root_volume_size = i64::from(s.volume_size);
                st.metadata_http_tokens = s.http_tokens.clone();
                st.root_volume_encrypted = s.encrypted;
                if s.kms_key != prior.kms_key_arn {
                    st.kms_key_arn = s.kms_key.clone();
                }
                if !s
                    .security_groups
                    .iter()
                    .all(|g| Some(g) == prior.security_group_id.as_ref())
                {
                    post.fail(
                        "ingress",
                        format!(
                            "launch template version {} puts instances in other security groups",
                            rv.number
                        ),
                    );
                }
            }
        }
        None => {
            st.launch_template_id = None;
            st.launch_template_version = None;
            for ctl in ["EC2.8", "AutoScaling.3", "EC2.3"] {
                post.fail(ctl, format!("launch template {n} is missing"));
            }
        }
    }

    // Load balancer, its attributes and listeners; the target group.
    if let Some(t) = &tg {
        c.insert("target_group".into(), t.arn.clone());
        st.target_group_arn = Some(t.arn.clone());
        st.health_check_path = t.health_check_path.clone();
        st.app_port = i64::from(t.port);
    } else {
        st.target_group_arn = None;
    }
    match &lb {
        Some(lb) => {
            c.insert("load_balancer".into(), lb.arn.clone());
            st.load_balancer_arn = Some(lb.arn.clone());
            st.load_balancer_dns_name = Some(lb.dns_name.clone());
            st.public_subnet_ids = same_set_keep(&prior.public_subnet_ids, lb.subnets.clone());
            if lb.zones.len() < 2 {
                post.fail(
                    "ELB.13",
                    format!(
                        "the load balancer spans {} availability zone(s)",
                        lb.zones.len()
                    ),
                );
            }
            let (attrs, listeners, tags) = tokio::join!(
                elb::lb_attributes(ctx, &lb.arn),
                elb::listeners(ctx, &lb.arn),
                elb::tags_of(ctx, &lb.arn),
            );
            let (attrs, listeners, tags) = (attrs?, listeners?, tags?);
            let on = |k: &str| attrs.get(k).map(String::as_str) == Some("true");
            match (
                on("deletion_protection.enabled"),
                env.load_balancer_deletion_protection(),
            ) {
                (false, true) => post.fail("ELB.6", "load balancer deletion protection is off"),
                (true, false) => post.fail(
                    "ELB.6",
                    format!("deletion protection is on, the {env} profile keeps it off"),
                ),
                _ => {}
            }
            if !on("routing.http.drop_invalid_header_fields.enabled") {
                post.fail("ELB.4", "invalid HTTP headers are passed to the instances");
            }
            let desync = attrs
                .get("routing.http.desync_mitigation_mode")
                .map(String::as_str)
                .unwrap_or("defensive");
            if desync != "defensive" && desync != "strictest" {
                post.fail("ELB.12", format!("desync mitigation is {desync}"));
            }
            let mut https_seen = false;
            for l in &listeners {
                match (l.port, l.protocol.as_str(), &l.default) {
                    (443, "HTTPS", _) if !https_seen => {
                        https_seen = true;
                        c.insert("listener_https".into(), l.arn.clone());
                        if let Some(cert) = &l.certificate {
                            st.certificate_arn = cert.clone();
                        }
                        let policy = l.ssl_policy.clone().unwrap_or_default();
                        st.tls_policy = bp::tls_policy_of(&policy);
                        if !policy.starts_with("ELBSecurityPolicy-TLS13-") {
                            post.fail(
                                "ELB.17",
                                format!("the HTTPS listener uses {policy}, not a TLS 1.3 policy"),
                            );
                        }
                        if tg
                            .as_ref()
                            .is_none_or(|t| l.default != elb::Default::Forward(t.arn.clone()))
                        {
                            post.fail(
                                "ELB.18",
                                "the HTTPS listener does not forward to the cluster's target group",
                            );
                        }
                    }
                    (80, "HTTP", elb::Default::RedirectHttps) => {
                        c.insert("listener_http".into(), l.arn.clone());
                    }
                    (port, "HTTP", _) => {
                        post.fail(
                            "ELB.1",
                            format!("HTTP listener on port {port} does not redirect to HTTPS"),
                        );
                        post.fail("ELB.18", format!("plain HTTP listener on port {port}"));
                    }
                    (port, proto, _) => post.fail(
                        "ELB.18",
                        format!("unexpected {proto} listener on port {port}"),
                    ),
                }
            }
            if !https_seen {
                post.fail("ELB.18", "the HTTPS listener is missing");
                post.fail("ELB.17", "the HTTPS listener is missing");
            }
            if !c.contains_key("listener_http") {
                post.fail("ELB.1", "the HTTP→HTTPS redirect listener is missing");
            }
            st.tags_all = tags;
        }
        None => {
            st.load_balancer_arn = None;
            st.load_balancer_dns_name = None;
            for ctl in ["ELB.1", "ELB.4", "ELB.12", "ELB.13", "ELB.17", "ELB.18"] {
                post.fail(ctl, format!("load balancer {n} is missing"));
            }
            if env.load_balancer_deletion_protection() {
                post.fail("ELB.6", format!("load balancer {n} is missing"));
            }
        }
    }

    // Security groups: exactly the blueprint's rules ("ingress"), nothing open beyond 80/443.
    let ingress = if prior.ingress_cidr_blocks.is_empty() {
        // Import: who may reach the load balancer is what its 443 rules say.
        lb_sg
            .as_ref()
            .and_then(|id| rules.get(id))
            .map(|(inbound, _)| {
                inbound
                    .iter()
                    .filter(|r| r.from == 443)
                    .filter_map(|r| match &r.peer {
                        Peer::Cidr(c) => Some(c.clone()),
                        Peer::Group(_) => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    } else {
        prior.ingress_cidr_blocks.clone()
    };
    st.ingress_cidr_blocks = ingress.clone();
    let app_port = if st.app_port > 0 {
        st.app_port
    } else {
        prior.app_port
    };
    let mut check = |role: &str,
                     id: &Option<String>,
                     want: Option<(BTreeSet<Rule>, BTreeSet<Rule>)>,
                     is_lb: bool| {
        let Some(id) = id else { return };
        let Some((have_in, have_out)) = rules.get(id) else {
            post.fail("ingress", format!("security group {id} is missing"));
            return;
        };
        c.insert(role.to_string(), id.clone());
        if let Some((want_in, want_out)) = want {
            for r in have_in.difference(&want_in) {
                post.fail("ingress", format!("{id} admits {}", describe(r)));
            }
            for r in want_in.difference(have_in) {
                post.fail("ingress", format!("{id} lacks {}", describe(r)));
            }
            if have_out != &want_out {
                post.fail(
                    "ingress",
                    format!("{id} outbound rules differ from the blueprint"),
                );
            }
        }
        for r in have_in.iter().filter(|r| open_to_world(r)) {
            let web_only =
                is_lb && r.protocol == "tcp" && (r.from == 443 || r.from == 80) && r.from == r.to;
            if !web_only {
                post.fail("EC2.18", format!("{id} admits {}", describe(r)));
            }
            if let Some(p) = HIGH_RISK_PORTS.iter().find(|p| covers(r, **p)) {
                post.fail("EC2.19", format!("{id} opens port {p} to the world"));
            }
        }
    };
    let want_lb = app_sg.as_ref().map(|a| bp::lb_rules(&ingress, app_port, a));
    let want_app = lb_sg.as_ref().map(|l| bp::app_rules(app_port, l));
    check("security_group_lb", &lb_sg, want_lb, true);
    check("security_group_app", &app_sg, want_app, false);
    st.security_group_id = app_sg.filter(|id| rules.contains_key(id));
    st.load_balancer_security_group_id = lb_sg.filter(|id| rules.contains_key(id));

    // Instance profile and role, log group, key.
    if let Some(p) = profile {
        c.insert("instance_profile".into(), p.arn);
        if p.roles.iter().any(|r| *r == bp::role_name(n)) {
            c.insert(
                "instance_role".into(),
                place.iam_arn(&format!("role/{}", bp::role_name(n))),
            );
        }
    }
    match &log_group {
        Some(g) => {
            c.insert("log_group".into(), place.log_group_arn(&group_name));
            post.0.insert(
                "CloudWatch.16".into(),
                logs::retention_posture(env, g.retention_days),
            );
        }
        None => post.fail("CloudWatch.16", "the instances' log group is missing"),
    }
    if key_id.is_some() {
        match key_facts {
            Some(f) if f.usable => {
                if f.rotation != Some(true) {
                    post.fail("KMS.4", "key rotation is off");
                }
                c.insert("kms_key".into(), f.arn);
                c.insert("kms_alias".into(), place.arn("kms", &bp::alias_name(n)));
            }
            _ => post.fail("KMS.4", "the cluster's key is deleted or pending deletion"),
        }
    }

    if c.is_empty() {
        return Ok(None);
    }
    st.components = c;
    st.posture = post.0;
    Ok(Some(st))
}
