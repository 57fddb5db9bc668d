//! The network ACL rules of the posture: EC2.21 (no ACL lets SSH or RDP in from anywhere) and
//! `network_acls` (each subnet behind its ACL, each ACL exactly as the blueprint makes it).

use std::collections::BTreeMap;

use super::super::blueprint::AclEntry;
use super::fail;

/// One ACL as AWS reports it beside what the blueprint wants of it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct AclFacts {
    /// `public`, `private` or `default`.
    pub label: String,
    /// `None` when the ACL does not exist.
    pub id: Option<String>,
    pub have: Vec<AclEntry>,
    pub want: Vec<AclEntry>,
}

/// What the ACL rules read.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct AclReport {
    pub acls: Vec<AclFacts>,
    /// Subnets not associated with their ACL: (subnet, the ACL it should be behind).
    pub misassociated: Vec<(String, String)>,
    /// Every entry of the VPC's ACLs (`id`, entry), for EC2.21.
    pub all_entries: Vec<(String, AclEntry)>,
}

/// Whether `e` lets SSH (22) or RDP (3389) in from anywhere.
pub fn opens_admin_ports(e: &AclEntry) -> bool {
    let anywhere = e.cidr == "0.0.0.0/0" || e.cidr == "::/0";
    let covers = |port: i32| match (e.protocol.as_str(), e.ports) {
        ("-1", _) => true,
        ("6" | "17", Some((from, to))) => from <= port && port <= to,
        _ => false,
    };
    !e.egress && e.allow && anywhere && (covers(22) || covers(3389))
}

fn slot(e: &AclEntry) -> String {
    format!(
        "{} rule {}",
        if e.egress { "egress" } else { "ingress" },
        e.rule
    )
}

/// The ACL rules over `r`.
pub fn rules(p: &mut BTreeMap<String, String>, r: &AclReport) {
    for (id, e) in r.all_entries.iter().filter(|(_, e)| opens_admin_ports(e)) {
        let what = format!(
            "network ACL {id} {} allows SSH/RDP from {}",
            slot(e),
            e.cidr
        );
        fail(p, "EC2.21", what);
    }
    for a in &r.acls {
        let Some(id) = &a.id else {
            fail(
                p,
                "network_acls",
                format!("the {} subnets' network ACL is missing", a.label),
            );
            continue;
        };
        for e in a.have.iter().filter(|e| !a.want.contains(e)) {
            let what = format!(
                "{} network ACL {id}: {} is not the blueprint's",
                a.label,
                slot(e)
            );
            fail(p, "network_acls", what);
        }
        for w in a.want.iter().filter(|w| !a.have.contains(w)) {
            let what = format!("{} network ACL {id}: {} is missing", a.label, slot(w));
            fail(p, "network_acls", what);
        }
    }
    for (subnet, acl) in &r.misassociated {
        fail(
            p,
            "network_acls",
            format!("subnet {subnet} is not behind network ACL {acl}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::blueprint::acl_entries;
    use super::*;

    struct Case {
        name: &'static str,
        report: AclReport,
        ec2_21: &'static str,
        network_acls: &'static str,
    }

    fn acl(label: &str, have: Vec<AclEntry>, public: bool) -> AclFacts {
        AclFacts {
            label: label.into(),
            id: Some(format!("acl-{label}")),
            have,
            want: acl_entries("10.0.0.0/16", public),
        }
    }

    fn ssh_open() -> AclEntry {
        AclEntry {
            rule: 90,
            egress: false,
            protocol: "6".into(),
            ports: Some((22, 22)),
            cidr: "0.0.0.0/0".into(),
            allow: true,
        }
    }

    #[test]
    fn acl_rules() {
        let public = acl_entries("10.0.0.0/16", true);
        let mut added = public.clone();
        added.push(ssh_open());
        let default_all = AclEntry {
            rule: 100,
            egress: false,
            protocol: "-1".into(),
            ports: None,
            cidr: "0.0.0.0/0".into(),
            allow: true,
        };
        let cases = [
            Case {
                name: "as the blueprint makes them",
                report: AclReport {
                    acls: vec![acl("public", public.clone(), true)],
                    all_entries: public.iter().map(|e| ("acl-public".into(), e.clone())).collect(),
                    ..Default::default()
                },
                ec2_21: "pass",
                network_acls: "pass",
            },
            Case {
                name: "an entry added outside Terraform opens SSH",
                report: AclReport {
                    acls: vec![acl("public", added.clone(), true)],
                    all_entries: vec![("acl-public".into(), ssh_open())],
                    ..Default::default()
                },
                ec2_21: "fail: network ACL acl-public ingress rule 90 allows SSH/RDP from 0.0.0.0/0",
                network_acls: "fail: public network ACL acl-public: ingress rule 90 is not the blueprint's",
            },
            Case {
                name: "the default ACL still allows everything",
                report: AclReport {
                    acls: vec![AclFacts {
                        label: "default".into(),
                        id: Some("acl-d".into()),
                        have: vec![default_all.clone()],
                        want: vec![],
                    }],
                    all_entries: vec![("acl-d".into(), default_all)],
                    ..Default::default()
                },
                ec2_21: "fail: network ACL acl-d ingress rule 100 allows SSH/RDP from 0.0.0.0/0",
                network_acls: "fail: default network ACL acl-d: ingress rule 100 is not the blueprint's",
            },
            Case {
                name: "missing ACL and a subnet behind another",
                report: AclReport {
                    acls: vec![AclFacts {
                        label: "private".into(),
                        ..Default::default()
                    }],
                    misassociated: vec![("subnet-1".into(), "acl-public".into())],
                    ..Default::default()
                },
                ec2_21: "pass",
                network_acls: "fail: the private subnets' network ACL is missing; subnet subnet-1 is not behind network ACL acl-public",
            },
        ];
        for c in cases {
            let mut p = BTreeMap::new();
            p.insert("EC2.21".to_string(), "pass".to_string());
            p.insert("network_acls".to_string(), "pass".to_string());
            rules(&mut p, &c.report);
            assert_eq!(
                (p["EC2.21"].as_str(), p["network_acls"].as_str()),
                (c.ec2_21, c.network_acls),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn the_blueprints_entries_never_open_ssh_or_rdp() {
        for public in [true, false] {
            let open: Vec<_> = acl_entries("10.0.0.0/16", public)
                .into_iter()
                .filter(opens_admin_ports)
                .collect();
            assert!(open.is_empty(), "{open:?}");
        }
    }
}
