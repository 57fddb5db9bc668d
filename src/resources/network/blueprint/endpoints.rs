//! The network's VPC endpoints: which services may be named, gateway or interface, their AWS
//! service names, `Name` tags and component roles, and the endpoints' security group rules.

use std::collections::BTreeSet;

use crate::provider::ec2::{tcp, Peer, Rule};

/// How a service is reached inside the VPC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A route to the service's prefix list in every route table (free; S3 and DynamoDB only).
    Gateway,
    /// A network interface in each private subnet, behind the endpoints' security group, with
    /// private DNS so that the service's usual name resolves to it.
    Interface,
}

impl Kind {
    /// As EC2 names it (`VpcEndpointType`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Gateway => "Gateway",
            Kind::Interface => "Interface",
        }
    }
}

/// Every service `endpoints` may name, in the order plans and imports list them.
pub const SERVICES: [(&str, Kind); 11] = [
    ("s3", Kind::Gateway),
    ("dynamodb", Kind::Gateway),
    ("ec2", Kind::Interface),
    ("ssm", Kind::Interface),
    ("ssmmessages", Kind::Interface),
    ("ec2messages", Kind::Interface),
    ("logs", Kind::Interface),
    ("monitoring", Kind::Interface),
    ("kms", Kind::Interface),
    ("secretsmanager", Kind::Interface),
    ("sts", Kind::Interface),
];

/// The kind of endpoint `service` gets, `None` for a name not in [`SERVICES`].
pub fn kind(service: &str) -> Option<Kind> {
    SERVICES
        .iter()
        .find(|(s, _)| *s == service)
        .map(|(_, k)| *k)
}

/// The names `endpoints` accepts, for a diagnostic's fix.
pub fn allowed() -> String {
    SERVICES
        .iter()
        .map(|(s, _)| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// AWS's name of `service` in `region`.
pub fn service_name(region: &str, service: &str) -> String {
    format!("com.amazonaws.{region}.{service}")
}

/// The short name of an AWS service name of `region` (`None` for another region's or a
/// partner's service).
pub fn short_name<'a>(region: &str, service_name: &'a str) -> Option<&'a str> {
    service_name.strip_prefix(&format!("com.amazonaws.{region}."))
}

/// The `Name` tag of network `name`'s endpoint for `service`.
pub fn endpoint_name(name: &str, service: &str) -> String {
    format!("{name}-endpoint-{service}")
}

/// The component role of the endpoint for `service`.
pub fn role(service: &str) -> String {
    format!("endpoint_{service}")
}

/// The component role of the interface endpoints' security group.
pub const SG_ROLE: &str = "endpoint_security_group";

/// The interface endpoints' security group of network `name`.
pub fn sg_name(name: &str) -> String {
    format!("{name}-endpoints")
}

pub const SG_DESCRIPTION: &str = "Interface VPC endpoints: HTTPS from the VPC only";

/// Whether any of `services` needs an interface endpoint (and so the security group).
pub fn needs_sg<S: AsRef<str>>(services: &[S]) -> bool {
    services
        .iter()
        .any(|s| kind(s.as_ref()) == Some(Kind::Interface))
}

/// The endpoints' security group: HTTPS from the VPC's range in, nothing else; nothing out (an
/// endpoint answers, it never opens a connection, and security groups are stateful).
pub fn sg_rules(vpc_cidr: &str) -> (BTreeSet<Rule>, BTreeSet<Rule>) {
    (
        [tcp(443, Peer::Cidr(vpc_cidr.to_string()))].into(),
        BTreeSet::new(),
    )
}

/// The component roles of `services`' endpoints, and the security group's when one is needed.
pub fn roles<S: AsRef<str>>(services: &[S]) -> Vec<String> {
    let mut r: Vec<String> = services.iter().map(|s| role(s.as_ref())).collect();
    if needs_sg(services) {
        r.push(SG_ROLE.to_string());
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::profile::Environment;

    struct Case {
        name: &'static str,
        env: Environment,
        gateways: &'static [&'static str],
        interfaces: usize,
    }

    const CASES: [Case; 3] = [
        Case {
            name: "development: the free gateways only",
            env: Environment::Development,
            gateways: &["s3", "dynamodb"],
            interfaces: 0,
        },
        Case {
            name: "staging: as production",
            env: Environment::Staging,
            gateways: &["s3", "dynamodb"],
            interfaces: 9,
        },
        Case {
            name: "production: gateways and the instances' services",
            env: Environment::Production,
            gateways: &["s3", "dynamodb"],
            interfaces: 9,
        },
    ];

    #[test]
    fn endpoints_per_profile() {
        for c in &CASES {
            let wanted = c.env.network_endpoints();
            let gateways: Vec<&str> = wanted
                .iter()
                .copied()
                .filter(|s| kind(s) == Some(Kind::Gateway))
                .collect();
            assert_eq!(gateways, c.gateways, "{}", c.name);
            let interfaces = wanted
                .iter()
                .filter(|s| kind(s) == Some(Kind::Interface))
                .count();
            assert_eq!(interfaces, c.interfaces, "{}", c.name);
            assert!(wanted.iter().all(|s| kind(s).is_some()), "{}", c.name);
            assert_eq!(needs_sg(wanted), c.interfaces > 0, "{}", c.name);
            // Listed in table order, so that an import lists them as the plan does.
            let order: Vec<&str> = SERVICES
                .iter()
                .map(|(s, _)| *s)
                .filter(|s| wanted.contains(s))
                .collect();
            assert_eq!(order, wanted, "{}", c.name);
        }
        let prod = Environment::Production.network_endpoints();
        for s in ["ec2", "ssm", "ssmmessages", "ec2messages", "logs", "sts"] {
            assert!(prod.contains(&s), "production reaches {s} privately");
        }
    }

    #[test]
    fn names_roles_and_rules() {
        // (service, its kind, its AWS name in eu-west-1)
        for (service, k, aws) in [
            ("s3", Some(Kind::Gateway), "com.amazonaws.eu-west-1.s3"),
            (
                "dynamodb",
                Some(Kind::Gateway),
                "com.amazonaws.eu-west-1.dynamodb",
            ),
            ("ssm", Some(Kind::Interface), "com.amazonaws.eu-west-1.ssm"),
            ("ec2", Some(Kind::Interface), "com.amazonaws.eu-west-1.ec2"),
            ("ecr.api", None, "com.amazonaws.eu-west-1.ecr.api"),
        ] {
            assert_eq!(kind(service), k, "{service}");
            assert_eq!(service_name("eu-west-1", service), aws);
            assert_eq!(short_name("eu-west-1", aws), Some(service));
        }
        assert_eq!(short_name("us-east-1", "com.amazonaws.eu-west-1.s3"), None);
        assert_eq!(endpoint_name("net", "ssm"), "net-endpoint-ssm");
        assert_eq!(sg_name("net"), "net-endpoints");
        assert_eq!(roles(&["s3"]), ["endpoint_s3"]);
        assert_eq!(
            roles(&["s3", "kms"]),
            ["endpoint_s3", "endpoint_kms", "endpoint_security_group"]
        );
        assert!(allowed().contains("\"secretsmanager\""));
    }

    #[test]
    fn the_security_group_admits_https_from_the_vpc_only() {
        let (inbound, outbound) = sg_rules("10.20.0.0/16");
        let only: Vec<Rule> = inbound.into_iter().collect();
        assert_eq!(
            only,
            [Rule {
                protocol: "tcp".into(),
                from: 443,
                to: 443,
                peer: Peer::Cidr("10.20.0.0/16".into()),
            }]
        );
        assert!(outbound.is_empty(), "nothing out");
    }
}
