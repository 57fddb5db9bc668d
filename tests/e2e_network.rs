//! End to end: `prod_network` with the real `terraform` against the local AWS, asserted through the
//! AWS API, drift repaired, and a sweep after destroy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aws_sdk_ec2::types::Filter;
use common::sweep::{aws, Aws};
use common::tf::Tf;
use common::{env, sweep};

fn config(name: &str, environment: &str, extra: &str) -> String {
    let provider = env::provider_block(environment);
    format!(
        r#"
{provider}
resource "prod_network" "main" {{
  name       = "{name}"
  cidr_block = "10.20.0.0/16"
  tags       = {{ service = "payments" }}
  {extra}
}}

output "network" {{ value = prod_network.main }}
"#
    )
}

/// How long AWS keeps network `name`'s flow logs.
async fn flow_log_days(aws: &Aws, name: &str) -> Option<i32> {
    aws.log_groups(&format!("/prod/network/{name}/flow-logs"))
        .await
        .first()
        .and_then(|g| g.retention_in_days)
}

fn state(tf: &Tf) -> serde_json::Value {
    let s: serde_json::Value = tf.state();
    s["resources"][0]["instances"][0]["attributes"].clone()
}

impl Aws {}

/// The VPC's network ACLs.
async fn network_acls(aws: &Aws, vpc: &str) -> Vec<aws_sdk_ec2::types::NetworkAcl> {
    aws.ec2
        .describe_network_acls()
        .filters(Filter::builder().name("vpc-id").values(vpc).build())
        .send()
        .await
        .unwrap()
        .network_acls
        .unwrap_or_default()
}

/// Whether an ACL entry lets SSH (22) in from anywhere.
fn opens_ssh(e: &aws_sdk_ec2::types::NetworkAclEntry) -> bool {
    let from_anywhere = e.cidr_block.as_deref() == Some("0.0.0.0/0");
    let allows = e.rule_action == Some(aws_sdk_ec2::types::RuleAction::Allow);
    let covers = match (e.protocol.as_deref(), &e.port_range) {
        (Some("-1"), _) => true,
        (_, Some(p)) => p.from.unwrap_or(0) <= 22 && 22 <= p.to.unwrap_or(0),
        _ => false,
    };
    e.egress == Some(false) && from_anywhere && allows && covers
}

/// The VPC's endpoints that are not deleted, by short service name.
async fn endpoints(
    aws: &Aws,
    vpc: &str,
) -> std::collections::BTreeMap<String, aws_sdk_ec2::types::VpcEndpoint> {
    let in_vpc = Filter::builder().name("vpc-id").values(vpc).build();
    let short = |e: &aws_sdk_ec2::types::VpcEndpoint| {
        let service = e.service_name.as_deref().unwrap_or_default();
        service
            .trim_start_matches("com.amazonaws.us-east-1.")
            .to_string()
    };
    aws.vpc_endpoints(in_vpc)
        .await
        .into_iter()
        .map(|e| (short(&e), e))
        .collect()
}

/// The endpoints' security group of network `name`: (id, ingress, egress).
async fn endpoints_group(
    aws: &Aws,
    vpc: &str,
    name: &str,
) -> Option<(
    String,
    Vec<aws_sdk_ec2::types::IpPermission>,
    Vec<aws_sdk_ec2::types::IpPermission>,
)> {
    let groups = aws.groups_named(&format!("{name}-endpoints")).await;
    let in_vpc = groups
        .into_iter()
        .find(|g| g.vpc_id.as_deref() == Some(vpc));
    in_vpc.map(|g| {
        (
            g.group_id.unwrap_or_default(),
            g.ip_permissions.unwrap_or_default(),
            g.ip_permissions_egress.unwrap_or_default(),
        )
    })
}

/// The ids in `v` (a JSON list of strings), sorted.
fn sorted_ids(v: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

/// Sorted.
fn sorted(v: Option<&Vec<String>>) -> Vec<String> {
    let mut v = v.cloned().unwrap_or_default();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn production_network_hardened_drift_repaired_and_swept() {
    let aws = aws().await;
    let name = env::unique("e2e-net");
    let tf = Tf::new(&config(&name, "production", ""));
    tf.init();
    let plan = tf.plan_code(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        plan.stdout.contains("\"us-east-1a\"") && plan.stdout.contains("az_count           = 3"),
        "{}",
        plan.stdout
    );
    tf.apply(&[]);
    let s = state(&tf);
    let c = s["components"].clone();
    let vpc = s["vpc_id"].as_str().unwrap().to_string();

    // Three zones, public and private subnets carved from the range.
    let subnets = aws
        .ec2
        .describe_subnets()
        .filters(Filter::builder().name("vpc-id").values(&vpc).build())
        .send()
        .await
        .unwrap()
        .subnets
        .unwrap();
    assert_eq!(subnets.len(), 6);
    let mut cidrs: Vec<String> = subnets
        .iter()
        .filter_map(|s| s.cidr_block.clone())
        .collect();
    cidrs.sort();
    assert_eq!(
        cidrs,
        [
            "10.20.0.0/20",
            "10.20.128.0/20",
            "10.20.144.0/20",
            "10.20.16.0/20",
            "10.20.160.0/20",
            "10.20.32.0/20"
        ]
    );
    let mut zones: Vec<String> = subnets
        .iter()
        .filter_map(|s| s.availability_zone.clone())
        .collect();
    zones.sort();
    zones.dedup();
    assert_eq!(zones.len(), 3);
    assert!(subnets
        .iter()
        .all(|s| s.map_public_ip_on_launch != Some(true)));

    // A NAT per zone in production; each private table routes only through its own NAT.
    let nats = [0, 1, 2].map(|j| c[format!("nat_{j}")].as_str().unwrap().to_string());
    assert_eq!(
        nats.iter().collect::<std::collections::BTreeSet<_>>().len(),
        3
    );
    let tables = aws
        .ec2
        .describe_route_tables()
        .filters(Filter::builder().name("vpc-id").values(&vpc).build())
        .send()
        .await
        .unwrap()
        .route_tables
        .unwrap();
    for i in 0..3 {
        let rt = c[format!("route_table_private_{i}")].as_str().unwrap();
        let t = tables
            .iter()
            .find(|t| t.route_table_id.as_deref() == Some(rt))
            .unwrap();
        let default = t
            .routes
            .iter()
            .flatten()
            .find(|r| r.destination_cidr_block.as_deref() == Some("0.0.0.0/0"))
            .unwrap();
        assert_eq!(default.nat_gateway_id.as_deref(), Some(nats[i].as_str()));
        assert_eq!(
            t.associations
                .iter()
                .flatten()
                .filter_map(|a| a.subnet_id.clone())
                .collect::<Vec<_>>(),
            vec![s["private_subnet_ids"][i].as_str().unwrap().to_string()]
        );
    }
    let public_rt = tables
        .iter()
        .find(|t| t.route_table_id.as_deref() == c["route_table_public"].as_str())
        .unwrap();
    let igw = c["internet_gateway"].as_str().unwrap();
    assert!(public_rt
        .routes
        .iter()
        .flatten()
        .any(|r| r.destination_cidr_block.as_deref() == Some("0.0.0.0/0")
            && r.gateway_id.as_deref() == Some(igw)));

    // Default security group closed; flow logs to an encrypted group with a year's retention.
    let sg = aws
        .ec2
        .describe_security_groups()
        .filters(Filter::builder().name("vpc-id").values(&vpc).build())
        .filters(
            Filter::builder()
                .name("group-name")
                .values("default")
                .build(),
        )
        .send()
        .await
        .unwrap()
        .security_groups
        .unwrap();
    assert!(
        sg[0].ip_permissions.clone().unwrap_or_default().is_empty()
            && sg[0]
                .ip_permissions_egress
                .clone()
                .unwrap_or_default()
                .is_empty()
    );
    let group = format!("/prod/network/{name}/flow-logs");
    let flows = aws
        .ec2
        .describe_flow_logs()
        .filter(Filter::builder().name("resource-id").values(&vpc).build())
        .send()
        .await
        .unwrap()
        .flow_logs
        .unwrap();
    assert_eq!(flows.len(), 1);
    assert_eq!(flows[0].log_group_name.as_deref(), Some(group.as_str()));
    assert_eq!(
        flows[0].traffic_type,
        Some(aws_sdk_ec2::types::TrafficType::All)
    );
    assert_eq!(
        flows[0].deliver_logs_permission_arn.as_deref(),
        c["flow_log_role"].as_str()
    );
    let lg = aws.log_groups(&group).await;
    // Flow logs are audit logs: production keeps them seven years.
    assert_eq!(lg[0].retention_in_days, Some(2557));
    assert_eq!(lg[0].kms_key_id.as_deref(), c["kms_key"].as_str());
    let role = aws
        .iam
        .get_role()
        .role_name(format!("{name}-flow-logs"))
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    let trust = env::urlencoding_decode(
        role.assume_role_policy_document
            .as_deref()
            .unwrap_or_default(),
    );
    assert!(trust.contains("vpc-flow-logs.amazonaws.com"), "{trust}");
    let key_id = c["kms_key"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let (kp, rotation) = env::key_policy_and_rotation(&aws.kms, &key_id).await;
    assert!(kp.contains("logs.us-east-1.amazonaws.com"), "{kp}");
    assert!(rotation, "key rotation is on");
    assert!(env::all_pass(&s["posture"]), "{}", s["posture"]);
    // Network ACLs: the default one stripped, each subnet behind its own ACL, none opens SSH/RDP.
    let acls = network_acls(&aws, &vpc).await;
    assert_eq!(acls.len(), 3, "{acls:?}");
    for a in &acls {
        let entries: Vec<_> = a.entries.iter().flatten().collect();
        if a.is_default == Some(true) {
            assert!(
                entries.iter().all(|e| e.rule_number == Some(32767)),
                "default ACL stripped: {entries:?}"
            );
        }
        assert!(
            !entries.iter().any(|e| opens_ssh(e)),
            "no entry opens SSH/RDP: {entries:?}"
        );
    }
    for (kind, subnets) in [
        ("public", &s["public_subnet_ids"]),
        ("private", &s["private_subnet_ids"]),
    ] {
        let acl = c[format!("network_acl_{kind}").as_str()].as_str().unwrap();
        let a = acls
            .iter()
            .find(|a| a.network_acl_id.as_deref() == Some(acl))
            .unwrap();
        let behind: Vec<String> = a
            .associations
            .iter()
            .flatten()
            .filter_map(|x| x.subnet_id.clone())
            .collect();
        for sn in subnets.as_array().unwrap() {
            assert!(
                behind.contains(&sn.as_str().unwrap().to_string()),
                "{kind}: {behind:?}"
            );
        }
        let https = a.entries.iter().flatten().any(|e| {
            e.egress == Some(false)
                && e.cidr_block.as_deref() == Some("0.0.0.0/0")
                && e.port_range.as_ref().and_then(|p| p.from) == Some(443)
        });
        assert_eq!(
            https,
            kind == "public",
            "{kind}: HTTPS from anywhere only on public"
        );
    }

    // VPC endpoints: S3 and DynamoDB gateways on every route table; the interface endpoints in
    // every private subnet, private DNS on, behind a group admitting HTTPS from the VPC only.
    let eps = endpoints(&aws, &vpc).await;
    let mut services: Vec<&str> = eps.keys().map(String::as_str).collect();
    services.sort();
    assert_eq!(
        services,
        [
            "dynamodb",
            "ec2",
            "ec2messages",
            "kms",
            "logs",
            "monitoring",
            "s3",
            "secretsmanager",
            "ssm",
            "ssmmessages",
            "sts"
        ]
    );
    let mut all_tables: Vec<String> = tables
        .iter()
        .filter_map(|t| t.route_table_id.clone())
        .filter(|id| c.as_object().unwrap().values().any(|v| v == id))
        .collect();
    all_tables.sort();
    assert_eq!(all_tables.len(), 4, "public and three private tables");
    let (sg_id, sg_in, sg_out) = endpoints_group(&aws, &vpc, &name).await.unwrap();
    assert_eq!(c["endpoint_security_group"], sg_id.as_str());
    for (service, e) in &eps {
        let gateway = service == "s3" || service == "dynamodb";
        let kind = e.vpc_endpoint_type.as_ref().unwrap().as_str();
        assert_eq!(
            kind,
            if gateway { "Gateway" } else { "Interface" },
            "{service}"
        );
        assert_eq!(
            e.state.as_ref().unwrap().as_str().to_ascii_lowercase(),
            "available",
            "{service}"
        );
        assert_eq!(
            s["endpoint_ids"][service].as_str(),
            e.vpc_endpoint_id.as_deref(),
            "{service}"
        );
        assert_eq!(c[format!("endpoint_{service}")], s["endpoint_ids"][service]);
        let tags = e.tags.clone().unwrap_or_default();
        let tag = |k: &str| {
            tags.iter()
                .find(|t| t.key.as_deref() == Some(k))
                .and_then(|t| t.value.clone())
        };
        assert_eq!(tag("Name"), Some(format!("{name}-endpoint-{service}")));
        assert_eq!(tag("prod:resource"), Some(format!("prod_network.{name}")));
        if gateway {
            assert_eq!(sorted(e.route_table_ids.as_ref()), all_tables, "{service}");
        } else {
            assert_eq!(
                sorted(e.subnet_ids.as_ref()),
                sorted_ids(&s["private_subnet_ids"]),
                "{service}"
            );
            assert_eq!(e.private_dns_enabled, Some(true), "{service}");
            let groups: Vec<String> = e
                .groups
                .iter()
                .flatten()
                .filter_map(|g| g.group_id.clone())
                .collect();
            assert_eq!(groups, std::slice::from_ref(&sg_id), "{service}");
        }
    }
    assert_eq!(sg_in.len(), 1, "{sg_in:?}");
    assert_eq!(sg_in[0].ip_protocol.as_deref(), Some("tcp"));
    assert_eq!(
        (sg_in[0].from_port, sg_in[0].to_port),
        (Some(443), Some(443))
    );
    let from: Vec<_> = sg_in[0]
        .ip_ranges
        .iter()
        .flatten()
        .filter_map(|r| r.cidr_ip.clone())
        .collect();
    assert_eq!(from, ["10.20.0.0/16"]);
    assert!(
        sg_in[0]
            .user_id_group_pairs
            .clone()
            .unwrap_or_default()
            .is_empty()
            && sg_in[0].ipv6_ranges.clone().unwrap_or_default().is_empty()
    );
    assert!(sg_out.is_empty(), "nothing out: {sg_out:?}");
    for control in ["EC2.10", "EC2.57", "endpoints"] {
        assert_eq!(s["posture"][control], "pass", "{control}");
    }

    assert_eq!(tf.plan_code(&[]).code, 0, "second plan");

    // Drift: a route added to a private subnet, a rule on the default group, flow logs removed.
    aws.ec2
        .create_route()
        .route_table_id(c["route_table_private_1"].as_str().unwrap())
        .destination_cidr_block("192.168.0.0/16")
        .gateway_id(igw)
        .send()
        .await
        .unwrap();
    env::open_to_world(&aws.ec2, &sg[0].group_id.clone().unwrap(), 22).await;
    let public_acl = c["network_acl_public"].as_str().unwrap().to_string();
    aws.ec2
        .create_network_acl_entry()
        .network_acl_id(&public_acl)
        .rule_number(90)
        .egress(false)
        .protocol("6")
        .port_range(
            aws_sdk_ec2::types::PortRange::builder()
                .from(22)
                .to(22)
                .build(),
        )
        .cidr_block("0.0.0.0/0")
        .rule_action(aws_sdk_ec2::types::RuleAction::Allow)
        .send()
        .await
        .unwrap();
    aws.ec2
        .delete_flow_logs()
        .flow_log_ids(flows[0].flow_log_id.clone().unwrap())
        .send()
        .await
        .unwrap();
    // Endpoints: the ssm one deleted, private DNS off on the ec2 one, the group opened to SSH.
    let ssm_before = eps["ssm"].vpc_endpoint_id.clone().unwrap();
    aws.ec2
        .delete_vpc_endpoints()
        .vpc_endpoint_ids(&ssm_before)
        .send()
        .await
        .unwrap();
    aws.ec2
        .modify_vpc_endpoint()
        .vpc_endpoint_id(eps["ec2"].vpc_endpoint_id.clone().unwrap())
        .private_dns_enabled(false)
        .send()
        .await
        .unwrap();
    env::open_to_world(&aws.ec2, &sg_id, 22).await;
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2, "{}", p.all());
    for control in [
        "\"routes\"",
        "\"EC2.2\"",
        "\"EC2.6\"",
        "\"EC2.21\"",
        "\"EC2.57\"",
        "\"endpoints\"",
        "\"network_acls\"",
    ] {
        assert!(
            p.shows(control, "-> \"pass\""),
            "{control} not repaired in plan:\n{}",
            p.stdout
        );
    }
    assert!(p.stdout.contains("192.168.0.0/16"), "{}", p.stdout);
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0, "plan after repair");
    let tables = aws
        .ec2
        .describe_route_tables()
        .route_table_ids(c["route_table_private_1"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .route_tables
        .unwrap();
    assert!(!tables[0]
        .routes
        .iter()
        .flatten()
        .any(|r| r.destination_cidr_block.as_deref() == Some("192.168.0.0/16")));

    let acls = network_acls(&aws, &vpc).await;
    assert!(
        !acls
            .iter()
            .flat_map(|a| a.entries.iter().flatten())
            .any(opens_ssh),
        "the entry opening SSH is gone"
    );
    let eps = endpoints(&aws, &vpc).await;
    assert_eq!(eps.len(), 11, "{:?}", eps.keys());
    assert_ne!(
        eps["ssm"].vpc_endpoint_id.as_deref(),
        Some(ssm_before.as_str())
    );
    assert_eq!(eps["ssm"].private_dns_enabled, Some(true));
    assert_eq!(eps["ec2"].private_dns_enabled, Some(true));
    let (_, sg_in, _) = endpoints_group(&aws, &vpc, &name).await.unwrap();
    assert!(
        sg_in.iter().all(|p| p.from_port == Some(443)),
        "the SSH rule is gone: {sg_in:?}"
    );

    // Import adopts the network by name: the plan afterwards is empty.
    let before = state(&tf)["components"].clone();
    tf.run(&["state", "rm", "prod_network.main"]).ok();
    tf.run(&["import", "-no-color", "prod_network.main", &name])
        .ok();
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 0, "plan after import: {}", p.all());
    assert_eq!(
        state(&tf)["components"],
        before,
        "import finds every component"
    );

    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        sweep::aws().await.network(&name).await,
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn development_profile_is_smaller_never_open() {
    let aws = aws().await;
    let name = env::unique("e2e-dnet");
    let tf = Tf::new(&config(&name, "development", ""));
    tf.init();
    tf.apply(&[]);
    let s = state(&tf);
    assert_eq!(s["az_count"], 2);
    assert_eq!(s["availability_zones"].as_array().unwrap().len(), 2);
    let c = s["components"].as_object().unwrap();
    assert!(
        c.contains_key("nat_0") && !c.contains_key("nat_1"),
        "one shared NAT: {c:?}"
    );
    assert!(c["route_table_private_0"].is_string());
    assert_eq!(flow_log_days(&aws, &name).await, Some(7));
    assert_eq!(
        s["posture"]["CloudWatch.16"],
        "fail: relaxed by development profile (7 days)"
    );
    assert_eq!(s["posture"]["EC2.2"], "pass");
    // Development: the two free gateway endpoints only, so no group; EC2.10 says it is relaxed.
    let vpc = s["vpc_id"].as_str().unwrap().to_string();
    let eps = endpoints(&aws, &vpc).await;
    assert_eq!(
        eps.keys().map(String::as_str).collect::<Vec<_>>(),
        ["dynamodb", "s3"]
    );
    assert!(eps.values().all(|e| e
        .vpc_endpoint_type
        .as_ref()
        .is_some_and(|t| t.as_str() == "Gateway")
        && e.route_table_ids.as_ref().is_some_and(|t| t.len() == 3)));
    assert!(endpoints_group(&aws, &vpc, &name).await.is_none());
    assert!(!c.contains_key("endpoint_security_group"), "{c:?}");
    assert_eq!(
        s["posture"]["EC2.10"],
        "fail: relaxed by development profile"
    );
    assert_eq!(s["posture"]["endpoints"], "pass");
    assert_eq!(tf.plan_code(&[]).code, 0);
    // Day 2: flow logs (audit logs) kept a year, in one apply; CloudWatch.16 passes.
    let kept_a_year = "log_retention {\n  audit = 365\n}";
    tf.write(&config(&name, "development", kept_a_year));
    tf.plan_says("0 to add, 1 to change, 0 to destroy");
    tf.apply(&[]);
    assert_eq!(flow_log_days(&aws, &name).await, Some(365));
    assert_eq!(state(&tf)["posture"]["CloudWatch.16"], "pass");
    assert_eq!(tf.plan_code(&[]).code, 0);
    // Cut outside Terraform: drift on the tier, repaired by one apply.
    aws.logs
        .put_retention_policy()
        .log_group_name(format!("/prod/network/{name}/flow-logs"))
        .retention_in_days(30)
        .send()
        .await
        .unwrap();
    tf.drift_repaired(&[(
        "\"CloudWatch.16\"",
        "\"fail: log retention is 30 days, log_retention.audit keeps 365\" -> \"pass\"",
    )]);
    assert_eq!(flow_log_days(&aws, &name).await, Some(365));
    // Production keeps audit logs a year at least: refused on the attribute.
    tf.plan_refused_on(
        &config(&name, "production", "log_retention {\n  audit = 90\n}"),
        "audit = 90",
        "Production keeps its logs longer",
    );
    // The provider block's tiers serve every resource that leaves them: a year of flow logs for
    // the whole configuration, in one apply; production refuses a provider-wide 90 days.
    let provider_tiers = |environment: &str, days: i64| {
        config(&name, environment, "").replace(
            &format!("environment = \"{environment}\"\n}}"),
            &format!(
                "environment = \"{environment}\"\n  log_retention {{\n    audit = {days}\n  }}\n}}"
            ),
        )
    };
    tf.write(&provider_tiers("development", 365));
    tf.plan_says("0 to add, 1 to change, 0 to destroy");
    tf.apply(&[]);
    assert_eq!(flow_log_days(&aws, &name).await, Some(365));
    assert_eq!(state(&tf)["posture"]["CloudWatch.16"], "pass");
    assert_eq!(tf.plan_code(&[]).code, 0);
    tf.plan_refused_on(
        &provider_tiers("production", 90),
        "audit = 90",
        "Production keeps its logs longer",
    );
    // Changing `endpoints` adds and removes endpoints in place: dynamodb goes, ssm comes with the
    // group.
    tf.write(&config(
        &name,
        "development",
        r#"endpoints = ["s3", "ssm"]"#,
    ));
    let p = tf.plan_code(&[]);
    assert!(
        p.stdout.contains("0 to add, 1 to change, 0 to destroy"),
        "{}",
        p.stdout
    );
    tf.apply(&[]);
    assert_eq!(
        flow_log_days(&aws, &name).await,
        Some(7),
        "the block removed: the profile's week again"
    );
    let eps = endpoints(&aws, &vpc).await;
    assert_eq!(
        eps.keys().map(String::as_str).collect::<Vec<_>>(),
        ["s3", "ssm"]
    );
    let (sg_id, _, _) = endpoints_group(&aws, &vpc, &name).await.unwrap();
    assert_eq!(
        eps["ssm"].subnet_ids.as_ref().map(Vec::len),
        Some(2),
        "one interface per zone"
    );
    let s = state(&tf);
    assert_eq!(s["components"]["endpoint_security_group"], sg_id.as_str());
    assert_eq!(s["posture"]["EC2.57"], "pass");
    assert_eq!(tf.plan_code(&[]).code, 0);
    // Back to the profile's: ssm and the group go.
    tf.write(&config(&name, "development", ""));
    tf.apply(&[]);
    assert!(endpoints_group(&aws, &vpc, &name).await.is_none());
    assert_eq!(endpoints(&aws, &vpc).await.len(), 2);
    assert_eq!(tf.plan_code(&[]).code, 0);
    // A tag change reaches every object, the ones outside EC2 too.
    tf.write(
        &config(&name, "development", "").replace("service = \"payments\"", "owner = \"billing\""),
    );
    tf.apply(&[]);
    let role_tags = aws
        .iam
        .list_role_tags()
        .role_name(format!("{name}-flow-logs"))
        .send()
        .await
        .unwrap()
        .tags;
    assert!(
        role_tags
            .iter()
            .any(|t| t.key == "owner" && t.value == "billing")
            && !role_tags.iter().any(|t| t.key == "service"),
        "{role_tags:?}"
    );
    let key = s["components"]["kms_key"].as_str().unwrap();
    let key_tags = aws
        .kms
        .list_resource_tags()
        .key_id(key.rsplit('/').next().unwrap())
        .send()
        .await
        .unwrap()
        .tags
        .unwrap_or_default();
    assert!(
        key_tags
            .iter()
            .any(|t| t.tag_key == "owner" && t.tag_value == "billing")
            && !key_tags.iter().any(|t| t.tag_key == "service"),
        "{key_tags:?}"
    );
    let group_tags = aws
        .logs
        .list_tags_for_resource()
        .resource_arn(s["components"]["log_group"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .tags
        .unwrap_or_default();
    assert_eq!(group_tags.get("owner").map(String::as_str), Some("billing"));
    assert!(!group_tags.contains_key("service"), "{group_tags:?}");
    assert_eq!(tf.plan_code(&[]).code, 0);
    // Invalid input is refused at plan with the attribute named.
    tf.write(&config(&name, "development", "az_count = 1"));
    let r = tf.run(&["plan", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(
        r.all().contains("az_count") && r.all().contains("2 to 6 zones"),
        "{}",
        r.all()
    );
    tf.write(&config(
        &name,
        "development",
        r#"endpoints = ["s3", "ecr", "s3"]"#,
    ));
    let r = tf.run(&["plan", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(
        r.all().contains("Unknown VPC endpoint service")
            && r.all().contains("\"secretsmanager\"")
            && r.all().contains("Duplicate VPC endpoint"),
        "{}",
        r.all()
    );
    tf.write(&config(&name, "development", ""));
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        sweep::aws().await.network(&name).await,
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn failure_half_way_through_create_loses_nothing() {
    let aws = aws().await;
    let name = env::unique("e2e-pnet");
    // IAM unreachable: the key and the log group get made, then the flow-log role fails.
    let broken = env::with_unreachable(&config(&name, "development", ""), "development", "iam");
    let tf = Tf::new(&broken);
    tf.init();
    let r = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(
        r.all().contains("prod_network: create failed")
            && r.all().contains(&format!("iam role {name}-flow-logs")),
        "{}",
        r.all()
    );
    let inst = &tf.first_instance();
    assert_eq!(inst["status"], "tainted", "{inst}");
    let key = inst["attributes"]["components"]["kms_key"]
        .as_str()
        .expect("the key is recorded")
        .to_string();
    assert!(inst["attributes"]["components"]["log_group"].is_string());

    // Fixed, the next apply replaces the tainted object: nothing of the first attempt is left over.
    tf.write(&config(&name, "development", ""));
    let r = tf.apply(&[]);
    assert!(
        r.stdout.contains("1 added, 0 changed, 1 destroyed"),
        "{}",
        r.stdout
    );
    assert_eq!(tf.plan_code(&[]).code, 0);
    let k = aws
        .kms
        .describe_key()
        .key_id(key.rsplit('/').next().unwrap())
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    assert_eq!(
        k.key_state,
        Some(aws_sdk_kms::types::KeyState::PendingDeletion),
        "the partial key was cleaned up"
    );
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        sweep::aws().await.network(&name).await,
        Vec::<String>::new()
    );
}
