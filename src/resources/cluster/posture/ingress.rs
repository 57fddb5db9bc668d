//! The security groups' rules of the posture: exactly the blueprint's rules (`ingress`), nothing
//! open beyond 80/443 on the load balancer (EC2.18), no high-risk port open to the world (EC2.19).

use super::super::blueprint::{self as bp, Peer, Rule};
use super::{Facts, Posture, SecurityGroup};
use crate::provider::ec2::Rules;

/// Ports a rule open to the world covers, for EC2.18/EC2.19.
pub(super) fn open_to_world(r: &Rule) -> bool {
    matches!(&r.peer, Peer::Cidr(c) if c == "0.0.0.0/0" || c == "::/0")
}
pub(super) const HIGH_RISK_PORTS: [i32; 13] = [
    20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3306, 3389,
];

pub(super) fn covers(r: &Rule, port: i32) -> bool {
    r.protocol == "-1" || (r.from <= port && port <= r.to)
}

pub(super) fn describe(r: &Rule) -> String {
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
pub(super) fn security_groups(p: &mut Posture, f: &Facts) {
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

pub(super) fn security_group(p: &mut Posture, g: &SecurityGroup, want: Option<Rules>, is_lb: bool) {
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
