//! The VPC endpoint rules of the posture: EC2.10 (an interface endpoint for EC2) and EC2.57 (one
//! for Systems Manager), from the endpoints AWS reports in the VPC; and `endpoints` (each endpoint
//! the configuration names available where the blueprint puts it, private DNS on, and its security
//! group exactly HTTPS from the VPC).

use std::collections::BTreeSet;

use super::super::blueprint::endpoints::{self as ep, Kind};
use super::fail;
use crate::provider::ec2::Rules;
use crate::provider::profile::Environment;
use std::collections::BTreeMap;

/// One endpoint the configuration names, as AWS reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct EndpointFacts {
    pub service: String,
    /// `None` when there is none (or it is being deleted).
    pub id: Option<String>,
    /// As EC2 reports it: `available`, `pending`, `failed`…
    pub state: String,
    /// Interface endpoints: private DNS on.
    pub private_dns: bool,
    /// Route tables (gateway) or private subnets (interface) of the network it is not on.
    pub missing_on: Vec<String>,
    /// Interface endpoints: the security groups it is behind.
    pub groups: Vec<String>,
}

/// The interface endpoints' security group.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Group {
    /// No interface endpoint is configured, so there is no group.
    #[default]
    NotNeeded,
    Missing,
    /// Its id and rules, beside the rules the blueprint gives it.
    Found {
        id: String,
        have: Rules,
        want: Rules,
    },
}

/// What the endpoint rules read.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct EndpointReport {
    /// The services the configuration names.
    pub wanted: Vec<String>,
    pub endpoints: Vec<EndpointFacts>,
    /// Services with an available interface endpoint in the VPC (whoever made it): what Security
    /// Hub checks for EC2.10 and EC2.57.
    pub available_interfaces: BTreeSet<String>,
    pub group: Group,
}

impl EndpointReport {
    /// What apply leaves: every endpoint of `services` available where the blueprint puts it.
    pub fn as_applied(services: &[String]) -> EndpointReport {
        let interfaces: BTreeSet<String> = services
            .iter()
            .filter(|s| ep::kind(s) == Some(Kind::Interface))
            .cloned()
            .collect();
        let group = if interfaces.is_empty() {
            Group::NotNeeded
        } else {
            let want = ep::sg_rules("vpc");
            Group::Found {
                id: "sg".into(),
                have: want.clone(),
                want,
            }
        };
        EndpointReport {
            wanted: services.to_vec(),
            endpoints: services
                .iter()
                .map(|s| EndpointFacts {
                    service: s.clone(),
                    id: Some("vpce".into()),
                    state: AVAILABLE.into(),
                    private_dns: true,
                    missing_on: Vec::new(),
                    groups: vec!["sg".into()],
                })
                .collect(),
            available_interfaces: interfaces,
            group,
        }
    }
}

pub const AVAILABLE: &str = "available";

/// The Security Hub controls that ask for an interface endpoint: (control, service).
pub const SERVICE_CONTROLS: [(&str, &str); 2] = [("EC2.10", "ec2"), ("EC2.57", "ssm")];

/// The endpoint rules over `r`, in `env`.
pub fn rules(p: &mut BTreeMap<String, String>, env: Environment, r: &EndpointReport) {
    service_controls(p, env, r);
    let own_group = match &r.group {
        Group::Found { id, .. } => Some(id.as_str()),
        _ => None,
    };
    for e in &r.endpoints {
        endpoint(p, e, own_group);
    }
    group(p, &r.group);
}

/// EC2.10 and EC2.57: an available interface endpoint for each service they name.
fn service_controls(p: &mut BTreeMap<String, String>, env: Environment, r: &EndpointReport) {
    for (control, service) in SERVICE_CONTROLS {
        if r.available_interfaces.contains(service) {
            continue;
        }
        if r.wanted.iter().any(|w| w == service) {
            fail(
                p,
                control,
                format!("the VPC has no available interface endpoint for {service}"),
            );
        } else if env == Environment::Development {
            p.insert(
                control.to_string(),
                "fail: relaxed by development profile".into(),
            );
        } else {
            fail(
                p,
                control,
                format!("`endpoints` leaves out {service}, so its API calls leave the VPC"),
            );
        }
    }
}

/// One endpoint: there, available, on every subnet it should be; an interface one with private DNS
/// and behind the endpoints' security group `own_group` alone.
fn endpoint(p: &mut BTreeMap<String, String>, e: &EndpointFacts, own_group: Option<&str>) {
    let s = &e.service;
    let Some(id) = &e.id else {
        fail(p, "endpoints", format!("the {s} endpoint is missing"));
        return;
    };
    if e.state != AVAILABLE {
        fail(p, "endpoints", format!("{s} endpoint {id} is {}", e.state));
    }
    if !e.missing_on.is_empty() {
        let what = format!("{s} endpoint {id} is not on {}", e.missing_on.join(", "));
        fail(p, "endpoints", what);
    }
    if ep::kind(s) != Some(Kind::Interface) {
        return;
    }
    if !e.private_dns {
        fail(
            p,
            "endpoints",
            format!("{s} endpoint {id} has private DNS off"),
        );
    }
    // Without the group (reported by `group`) there is nothing to compare its groups with.
    let Some(own) = own_group else { return };
    let others: Vec<&str> = e
        .groups
        .iter()
        .map(String::as_str)
        .filter(|g| *g != own)
        .collect();
    if !others.is_empty() {
        let what = format!("{s} endpoint {id} is behind {}", others.join(", "));
        fail(p, "endpoints", what);
    }
    if !e.groups.iter().any(|x| x == own) {
        let what = format!("{s} endpoint {id} is not behind the endpoints' security group");
        fail(p, "endpoints", what);
    }
}

/// The endpoints' security group: there, admitting HTTPS from the VPC and nothing more.
fn group(p: &mut BTreeMap<String, String>, g: &Group) {
    match g {
        Group::NotNeeded => {}
        Group::Missing => fail(
            p,
            "endpoints",
            "the endpoints' security group is missing".into(),
        ),
        Group::Found { id, have, want } => {
            let (have_in, have_out) = have;
            let (want_in, want_out) = want;
            let extra: Vec<String> = have_in
                .difference(want_in)
                .map(|r| format!("in {} {}-{} from {}", r.protocol, r.from, r.to, r.peer))
                .chain(
                    have_out
                        .difference(want_out)
                        .map(|r| format!("out {} {}-{} to {}", r.protocol, r.from, r.to, r.peer)),
                )
                .collect();
            if !extra.is_empty() {
                let what = format!(
                    "security group {id} allows more than HTTPS from the VPC: {}",
                    extra.join(", ")
                );
                fail(p, "endpoints", what);
            }
            if want_in.difference(have_in).next().is_some() {
                let what = format!("security group {id} does not admit HTTPS from the VPC");
                fail(p, "endpoints", what);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::ec2::{tcp, Peer};

    const PROD: Environment = Environment::Production;

    fn services(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn run(env: Environment, r: &EndpointReport) -> BTreeMap<String, String> {
        let mut p: BTreeMap<String, String> = ["EC2.10", "EC2.57", "endpoints"]
            .iter()
            .map(|c| (c.to_string(), "pass".to_string()))
            .collect();
        rules(&mut p, env, r);
        p
    }

    struct Case {
        name: &'static str,
        env: Environment,
        report: EndpointReport,
        want: [&'static str; 3],
    }

    #[test]
    fn endpoint_rules() {
        let prod = services(Environment::Production.network_endpoints());
        let dev = services(Environment::Development.network_endpoints());
        let applied = EndpointReport::as_applied(&prod);
        let edit = |f: &dyn Fn(&mut EndpointReport)| {
            let mut r = applied.clone();
            f(&mut r);
            r
        };
        let cases = [
            Case {
                name: "production as applied",
                env: PROD,
                report: applied.clone(),
                want: ["pass", "pass", "pass"],
            },
            Case {
                name: "development relaxes the interface endpoints, and says so",
                env: Environment::Development,
                report: EndpointReport::as_applied(&dev),
                want: [
                    "fail: relaxed by development profile",
                    "fail: relaxed by development profile",
                    "pass",
                ],
            },
            Case {
                name: "production configured without ssm",
                env: PROD,
                report: EndpointReport::as_applied(&services(&["s3", "ec2"])),
                want: [
                    "pass",
                    "fail: `endpoints` leaves out ssm, so its API calls leave the VPC",
                    "pass",
                ],
            },
            Case {
                name: "the ec2 endpoint deleted outside Terraform",
                env: PROD,
                report: edit(&|r| {
                    r.available_interfaces.remove("ec2");
                    r.endpoints[2].id = None;
                }),
                want: [
                    "fail: the VPC has no available interface endpoint for ec2",
                    "pass",
                    "fail: the ec2 endpoint is missing",
                ],
            },
            Case {
                name: "private DNS turned off, an endpoint pending",
                env: PROD,
                report: edit(&|r| {
                    r.endpoints[3].private_dns = false;
                    r.endpoints[4].state = "pending".into();
                }),
                want: [
                    "pass",
                    "pass",
                    "fail: ssm endpoint vpce has private DNS off; ssmmessages endpoint vpce is pending",
                ],
            },
            Case {
                name: "a gateway off a route table, an interface behind another group",
                env: PROD,
                report: edit(&|r| {
                    r.endpoints[0].missing_on = vec!["rtb-1".into()];
                    r.endpoints[5].groups = vec!["sg-other".into()];
                }),
                want: [
                    "pass",
                    "pass",
                    "fail: s3 endpoint vpce is not on rtb-1; ec2messages endpoint vpce is behind sg-other; ec2messages endpoint vpce is not behind the endpoints' security group",
                ],
            },
            Case {
                name: "the group opened outside Terraform",
                env: PROD,
                report: edit(&|r| {
                    if let Group::Found { have, .. } = &mut r.group {
                        have.0.insert(tcp(22, Peer::Cidr("0.0.0.0/0".into())));
                    }
                }),
                want: [
                    "pass",
                    "pass",
                    "fail: security group sg allows more than HTTPS from the VPC: in tcp 22-22 from 0.0.0.0/0",
                ],
            },
            Case {
                name: "the group deleted",
                env: PROD,
                report: edit(&|r| r.group = Group::Missing),
                want: ["pass", "pass", "fail: the endpoints' security group is missing"],
            },
        ];
        for c in cases {
            let p = run(c.env, &c.report);
            assert_eq!(
                [
                    p["EC2.10"].as_str(),
                    p["EC2.57"].as_str(),
                    p["endpoints"].as_str()
                ],
                c.want,
                "{}",
                c.name
            );
        }
    }
}
