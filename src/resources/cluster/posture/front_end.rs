//! The load balancer's rules of the posture: zones, deletion protection (ELB.6), header handling,
//! desync mitigation, and its listeners (HTTPS with a TLS 1.3 policy, HTTP only redirecting).

use super::{Action, Facts, Listener, Posture};
use crate::provider::profile::Environment;

/// The load balancer: two zones or more, deletion protection as the profile keeps it, invalid
/// headers dropped, desync mitigation, and its listeners.
pub(super) fn load_balancer(p: &mut Posture, env: Environment, f: &Facts) {
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
pub(super) fn listeners(p: &mut Posture, listeners: &[Listener], target_group: Option<&str>) {
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
