//! The network's posture as pure rules: (profile, facts AWS reports) → control → `pass` or
//! `fail: <reason>`. Plan uses it on the facts apply leaves; read on the facts it finds.

mod acl;
mod endpoints;

use std::collections::BTreeMap;

use super::blueprint::{CONTROLS, FLOW_LOGS, PASS};
use crate::provider::logs;
use crate::provider::profile::{Environment, LogRetention};
pub use acl::{AclFacts, AclReport};
pub use endpoints::{EndpointFacts, EndpointReport, Group};

/// The network's own flow-log key, as AWS reports it.
#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    /// Enabled, with automatic rotation on or off.
    Usable { rotation: bool },
    /// Deleted, disabled or pending deletion.
    Gone,
}

/// A route of a private route table: destination and where it goes.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Route {
    pub destination: String,
    pub gateway: Option<String>,
    pub nat: Option<String>,
}

/// A private route table recorded in state.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct RouteTable {
    pub id: String,
    /// `None` when the table no longer exists.
    pub routes: Option<Vec<Route>>,
    /// The NAT gateway its zone should route through, when it exists.
    pub nat: Option<String>,
}

/// What AWS reports about a network whose VPC exists.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Facts {
    pub vpc: String,
    pub log_group: String,
    /// `None` when no key of the network's own is recorded.
    pub key: Option<Key>,
    /// `None` when the flow-log group is missing.
    pub group: Option<logs::GroupFacts>,
    /// The default security group's id and rule counts (ingress, egress), when found.
    pub default_sg: Option<(String, usize, usize)>,
    pub private_route_tables: Vec<RouteTable>,
    /// An active flow log of the VPC delivers to the network's group.
    pub flow_log_active: bool,
    /// The network ACLs: the subnets' and the default one, their associations and entries.
    pub acls: AclReport,
    /// The VPC endpoints and their security group.
    pub endpoints: EndpointReport,
}

impl Facts {
    /// What apply leaves: every object as the blueprint makes it.
    pub fn as_applied(tiers: &LogRetention) -> Facts {
        Facts {
            key: Some(Key::Usable { rotation: true }),
            group: Some(logs::GroupFacts {
                retention_days: Some(logs::retention_days(FLOW_LOGS, tiers)),
                kms_key: Some("key".into()),
            }),
            default_sg: Some(("sg".into(), 0, 0)),
            flow_log_active: true,
            ..Facts::default()
        }
    }
}

fn fail(posture: &mut BTreeMap<String, String>, control: &str, reason: String) {
    let e = posture
        .entry(control.to_string())
        .or_insert_with(|| PASS.to_string());
    if e.starts_with("fail") && !e.starts_with("fail: relaxed") {
        e.push_str(&format!("; {reason}"));
    } else {
        *e = format!("fail: {reason}");
    }
}

/// The posture of a network with a VPC, in `env`, from `f`.
pub fn posture(env: Environment, tiers: &LogRetention, f: &Facts) -> BTreeMap<String, String> {
    let mut p: BTreeMap<String, String> = CONTROLS
        .iter()
        .map(|x| (x.to_string(), PASS.to_string()))
        .collect();
    match &f.key {
        Some(Key::Usable { rotation: false }) => {
            fail(&mut p, "KMS.4", "key rotation is off".into())
        }
        Some(Key::Gone) => fail(
            &mut p,
            "KMS.4",
            "the flow-log key is deleted or pending deletion".into(),
        ),
        _ => {}
    }
    match &f.group {
        Some(g) => {
            p.insert(
                "CloudWatch.16".into(),
                logs::retention_posture(env, FLOW_LOGS, tiers, g.retention_days),
            );
            if g.kms_key.is_none() {
                fail(
                    &mut p,
                    "EC2.6",
                    "the flow-log group is not encrypted".into(),
                );
            }
        }
        None => fail(
            &mut p,
            "EC2.6",
            format!("log group {} is missing", f.log_group),
        ),
    }
    if let Some((id, ingress, egress)) = &f.default_sg {
        if *ingress > 0 || *egress > 0 {
            fail(
                &mut p,
                "EC2.2",
                format!(
                    "default security group {id} has {ingress} ingress and {egress} egress rules"
                ),
            );
        }
    }
    for t in &f.private_route_tables {
        routes(&mut p, t);
    }
    acl::rules(&mut p, &f.acls);
    endpoints::rules(&mut p, env, &f.endpoints);
    if !f.flow_log_active {
        fail(
            &mut p,
            "EC2.6",
            format!("VPC {} has no active flow log to {}", f.vpc, f.log_group),
        );
    }
    p
}

/// A private route table routes only through its zone's NAT gateway ("routes").
fn routes(p: &mut BTreeMap<String, String>, t: &RouteTable) {
    let rt = &t.id;
    let Some(routes) = &t.routes else {
        fail(p, "routes", format!("private route table {rt} is missing"));
        return;
    };
    for r in routes {
        let dest = &r.destination;
        if r.gateway.as_deref() == Some("local") || dest.is_empty() {
            continue;
        }
        let via_nat = dest == "0.0.0.0/0" && r.nat.is_some() && r.nat == t.nat;
        if !via_nat {
            let target = r
                .gateway
                .clone()
                .or(r.nat.clone())
                .unwrap_or_else(|| "another target".into());
            fail(p, "routes", format!("{rt} routes {dest} through {target}"));
        }
    }
    if !routes.iter().any(|r| r.destination == "0.0.0.0/0") {
        fail(p, "routes", format!("{rt} has no route to its NAT gateway"));
    }
}

/// The posture of what is left of a network whose VPC is gone.
pub fn without_vpc() -> BTreeMap<String, String> {
    CONTROLS
        .iter()
        .map(|x| (x.to_string(), "fail: the network has no VPC".to_string()))
        .collect()
}

/// The posture apply leaves with the endpoints of `services`: all pass, except what the profile
/// relaxes (retention below a year; no interface endpoints in development).
pub fn planned(
    env: Environment,
    tiers: &LogRetention,
    services: &[String],
) -> BTreeMap<String, String> {
    let facts = Facts {
        endpoints: EndpointReport::as_applied(services),
        ..Facts::as_applied(tiers)
    };
    posture(env, tiers, &facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nat_route(nat: &str) -> Route {
        Route {
            destination: "0.0.0.0/0".into(),
            gateway: None,
            nat: Some(nat.into()),
        }
    }

    fn table(routes: Option<Vec<Route>>) -> RouteTable {
        RouteTable {
            id: "rtb-1".into(),
            routes,
            nat: Some("nat-1".into()),
        }
    }

    #[test]
    fn posture_rules() {
        struct Case {
            name: &'static str,
            env: Environment,
            facts: Facts,
            control: &'static str,
            want: &'static str,
        }
        let prod = Environment::Production;
        let applied = Facts::as_applied(&prod.log_retention());
        let cases = [
            Case {
                name: "as applied in production, everything passes",
                env: prod,
                facts: applied.clone(),
                control: "CloudWatch.16",
                want: "pass",
            },
            Case {
                name: "development relaxes retention, and says so",
                env: Environment::Development,
                facts: Facts::as_applied(&Environment::Development.log_retention()),
                control: "CloudWatch.16",
                want: "fail: relaxed by development profile (7 days)",
            },
            Case {
                name: "retention lowered outside Terraform",
                env: prod,
                facts: Facts {
                    group: Some(logs::GroupFacts {
                        retention_days: Some(1),
                        kms_key: Some("k".into()),
                    }),
                    ..applied.clone()
                },
                control: "CloudWatch.16",
                want: "fail: log retention is 1 days, the profile keeps 2557",
            },
            Case {
                name: "rotation off",
                env: prod,
                facts: Facts {
                    key: Some(Key::Usable { rotation: false }),
                    ..applied.clone()
                },
                control: "KMS.4",
                want: "fail: key rotation is off",
            },
            Case {
                name: "default security group given a rule",
                env: prod,
                facts: Facts {
                    default_sg: Some(("sg-1".into(), 1, 0)),
                    ..applied.clone()
                },
                control: "EC2.2",
                want: "fail: default security group sg-1 has 1 ingress and 0 egress rules",
            },
            Case {
                name: "flow log stopped and group unencrypted",
                env: prod,
                facts: Facts {
                    vpc: "vpc-1".into(),
                    log_group: "/g".into(),
                    flow_log_active: false,
                    group: Some(logs::GroupFacts {
                        retention_days: Some(365),
                        kms_key: None,
                    }),
                    ..applied.clone()
                },
                control: "EC2.6",
                want: "fail: the flow-log group is not encrypted; VPC vpc-1 has no active flow log to /g",
            },
            Case {
                name: "private table routed to an internet gateway",
                env: prod,
                facts: Facts {
                    private_route_tables: vec![table(Some(vec![Route {
                        destination: "0.0.0.0/0".into(),
                        gateway: Some("igw-1".into()),
                        nat: None,
                    }]))],
                    ..applied.clone()
                },
                control: "routes",
                want: "fail: rtb-1 routes 0.0.0.0/0 through igw-1",
            },
            Case {
                name: "private table through its own NAT passes",
                env: prod,
                facts: Facts {
                    private_route_tables: vec![table(Some(vec![nat_route("nat-1")]))],
                    ..applied.clone()
                },
                control: "routes",
                want: "pass",
            },
            Case {
                name: "private table with no default route",
                env: prod,
                facts: Facts {
                    private_route_tables: vec![table(Some(vec![]))],
                    ..applied.clone()
                },
                control: "routes",
                want: "fail: rtb-1 has no route to its NAT gateway",
            },
            Case {
                name: "private table deleted",
                env: prod,
                facts: Facts {
                    private_route_tables: vec![table(None)],
                    ..applied.clone()
                },
                control: "routes",
                want: "fail: private route table rtb-1 is missing",
            },
        ];
        for c in cases {
            assert_eq!(
                posture(c.env, &c.env.log_retention(), &c.facts)[c.control],
                c.want,
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn posture_says_what_the_profile_relaxes() {
        let defaults = |e: Environment| -> Vec<String> {
            e.network_endpoints()
                .iter()
                .map(|s| s.to_string())
                .collect()
        };
        let prod = Environment::Production;
        assert!(planned(prod, &prod.log_retention(), &defaults(prod))
            .values()
            .all(|v| v == PASS));
        let dev = Environment::Development;
        assert_eq!(
            planned(dev, &dev.log_retention(), &defaults(dev))["CloudWatch.16"],
            "fail: relaxed by development profile (7 days)"
        );
        assert_eq!(
            planned(dev, &dev.log_retention(), &defaults(dev))["EC2.10"],
            "fail: relaxed by development profile"
        );
        assert_eq!(without_vpc().len(), CONTROLS.len());
    }
}
