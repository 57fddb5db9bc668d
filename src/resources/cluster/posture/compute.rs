//! The instances' rules of the posture: the Auto Scaling group (AutoScaling.1-5 and .9, metrics)
//! and its launch template's versions (EC2.8, EC2.3 and the IMDS, public IP and volume settings).

use super::super::blueprint::{self as bp, TemplateSpec};
use super::{Facts, Posture};

/// The Auto Scaling group: ELB health checks, two zones or more, a launch template, the metrics.
pub(super) fn group(p: &mut Posture, f: &Facts) {
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
pub(super) fn template(p: &mut Posture, f: &Facts) {
    let Some(t) = &f.template else {
        for ctl in ["EC2.8", "AutoScaling.3", "EC2.3", "host_metrics"] {
            p.fail(ctl, format!("launch template {} is missing", f.name));
        }
        return;
    };
    let tokens = f.http_tokens.as_str();
    let log_group = bp::log_group_name(&f.name);
    if let Some(v) = &t.default {
        let which = format!("{} (the default)", v.number);
        version(p, &v.spec, &which, tokens);
        agent(p, &v.spec, &which, &log_group);
    }
    if let Some(v) = &t.running {
        let which = v.number.to_string();
        version(p, &v.spec, &which, tokens);
        agent(p, &v.spec, &which, &log_group);
        let own = |g: &String| Some(g) == f.security_group_id.as_ref();
        if !v.spec.security_groups.iter().all(own) {
            let n = v.number;
            let why =
                format!("launch template version {n} puts instances in other security groups");
            p.fail("ingress", why);
        }
    }
}

/// A launch template version runs the CloudWatch agent as the provider configures it (memory and
/// disk metrics, the boot log to `log_group`), before the user's part.
fn agent(p: &mut Posture, v: &TemplateSpec, which: &str, log_group: &str) {
    let user_data = v.user_data.as_deref().and_then(bp::decode_user_data);
    if !user_data.is_some_and(|u| bp::host_metrics::user_part(log_group, &u).1) {
        p.fail(
            "host_metrics",
            format!("launch template version {which} does not run the CloudWatch agent as configured (memory and disk metrics)"),
        );
    }
}

/// A launch template version: IMDSv2 (unless configured otherwise), hop limit 1, no public IP
/// addresses, encrypted root volumes.
pub(super) fn version(p: &mut Posture, v: &TemplateSpec, which: &str, tokens_configured: &str) {
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
