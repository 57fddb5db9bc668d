//! End to end: `prod_cluster` (on a `prod_network`) with the real `terraform` against the local
//! AWS: every hardened setting asserted through the AWS API, a rolling update, drift repaired,
//! import, and a sweep after destroy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use common::sweep::{aws, Aws};
use common::tf::Tf;
use common::{env, examples, sweep};

impl Aws {
    /// The cluster's target group `<name>-tg` as AWS reports it (it must exist).
    async fn target_group(&self, name: &str) -> aws_sdk_elasticloadbalancingv2::types::TargetGroup {
        self.elb
            .describe_target_groups()
            .names(format!("{name}-tg"))
            .send()
            .await
            .unwrap()
            .target_groups
            .unwrap()
            .remove(0)
    }

    /// The cluster's log bucket as S3 reports it: all four block public access settings, a policy
    /// that is TLS only and lets the Region's ELB account write both logs of `account`, SSE-S3, ACLs
    /// disabled, versioning, expiry after `days`; and the test object ELB wrote on enabling logs.
    async fn assert_logs_bucket(&self, bucket: &str, account: &str, days: i32) {
        let pab = self
            .s3
            .get_public_access_block()
            .bucket(bucket)
            .send()
            .await
            .unwrap()
            .public_access_block_configuration
            .unwrap();
        assert_eq!(
            (
                pab.block_public_acls,
                pab.ignore_public_acls,
                pab.block_public_policy,
                pab.restrict_public_buckets
            ),
            (Some(true), Some(true), Some(true), Some(true))
        );
        let policy: serde_json::Value = serde_json::from_str(
            &self
                .s3
                .get_bucket_policy()
                .bucket(bucket)
                .send()
                .await
                .unwrap()
                .policy
                .unwrap(),
        )
        .unwrap();
        let st = policy["Statement"].as_array().unwrap();
        assert!(
            st.iter().any(|s| s["Effect"] == "Deny"
                && s["Condition"]["Bool"]["aws:SecureTransport"] == "false"),
            "{policy}"
        );
        for prefix in ["access", "connection"] {
            let resource = format!("arn:aws:s3:::{bucket}/{prefix}/AWSLogs/{account}/*");
            assert!(
                st.iter().any(|s| s["Effect"] == "Allow"
                    && s["Principal"]["AWS"] == "arn:aws:iam::127311923021:root"
                    && s["Action"] == "s3:PutObject"
                    && s["Resource"] == resource.as_str()),
                "{prefix}: {policy}"
            );
        }
        let enc = self
            .s3
            .get_bucket_encryption()
            .bucket(bucket)
            .send()
            .await
            .unwrap()
            .server_side_encryption_configuration
            .unwrap();
        assert_eq!(
            enc.rules[0]
                .apply_server_side_encryption_by_default
                .as_ref()
                .unwrap()
                .sse_algorithm
                .as_str(),
            "AES256"
        );
        let own = self
            .s3
            .get_bucket_ownership_controls()
            .bucket(bucket)
            .send()
            .await
            .unwrap()
            .ownership_controls
            .unwrap();
        assert_eq!(
            own.rules[0].object_ownership.as_str(),
            "BucketOwnerEnforced"
        );
        let ver = self
            .s3
            .get_bucket_versioning()
            .bucket(bucket)
            .send()
            .await
            .unwrap();
        assert_eq!(ver.status.unwrap().as_str(), "Enabled");
        let rules = self
            .s3
            .get_bucket_lifecycle_configuration()
            .bucket(bucket)
            .send()
            .await
            .unwrap()
            .rules
            .unwrap();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].expiration.as_ref().unwrap().days, Some(days));
        assert_eq!(
            rules[0]
                .noncurrent_version_expiration
                .as_ref()
                .unwrap()
                .noncurrent_days,
            Some(days)
        );
        let test_file = format!("access/AWSLogs/{account}/ELBAccessLogTestFile");
        let objects = self
            .s3
            .list_objects_v2()
            .bucket(bucket)
            .send()
            .await
            .unwrap()
            .contents
            .unwrap_or_default();
        assert!(
            objects
                .iter()
                .any(|o| o.key.as_deref() == Some(test_file.as_str())),
            "ELB checked it may write: {objects:?}"
        );
    }

    /// The cluster's Auto Scaling group as AWS reports it (it must exist).
    async fn group(&self, name: &str) -> aws_sdk_autoscaling::types::AutoScalingGroup {
        self.asg
            .describe_auto_scaling_groups()
            .auto_scaling_group_names(name)
            .send()
            .await
            .unwrap()
            .auto_scaling_groups
            .unwrap()
            .remove(0)
    }

    /// The group's scaling policies as AWS reports them: name → (metric, target, scale-in disabled,
    /// resource label, enabled).
    async fn policies(
        &self,
        name: &str,
    ) -> std::collections::BTreeMap<String, (String, f64, bool, Option<String>, bool)> {
        self.asg
            .describe_policies()
            .auto_scaling_group_name(name)
            .send()
            .await
            .unwrap()
            .scaling_policies
            .unwrap_or_default()
            .into_iter()
            .map(|p| {
                let t = p.target_tracking_configuration.unwrap();
                let m = t.predefined_metric_specification.unwrap();
                (
                    p.policy_name.unwrap(),
                    (
                        m.predefined_metric_type.unwrap().as_str().to_string(),
                        t.target_value.unwrap(),
                        t.disable_scale_in.unwrap_or_default(),
                        m.resource_label,
                        p.enabled.unwrap_or(true),
                    ),
                )
            })
            .collect()
    }

    /// How many instance refreshes the group has had.
    async fn refreshes(&self, name: &str) -> usize {
        env::instance_refreshes(&self.asg, name).await.len()
    }

    /// The cluster's log group (it must exist).
    async fn log_group(&self, name: &str) -> aws_sdk_cloudwatchlogs::types::LogGroup {
        self.log_group_named(&format!("/prod/cluster/{name}")).await
    }

    /// The log group `group` (the first of that prefix).
    async fn log_group_named(&self, group: &str) -> aws_sdk_cloudwatchlogs::types::LogGroup {
        self.log_groups(group).await.remove(0)
    }

    /// The security policy of a load balancer's HTTPS listener.
    async fn https_policy(&self, lb_arn: &str) -> Option<String> {
        self.elb
            .describe_listeners()
            .load_balancer_arn(lb_arn)
            .send()
            .await
            .unwrap()
            .listeners
            .unwrap()
            .into_iter()
            .find(|l| l.port == Some(443))
            .and_then(|l| l.ssl_policy)
    }

    /// The tags of a load balancer.
    async fn lb_tags(&self, arn: &str) -> Vec<aws_sdk_elasticloadbalancingv2::types::Tag> {
        self.elb
            .describe_tags()
            .resource_arns(arn)
            .send()
            .await
            .unwrap()
            .tag_descriptions
            .unwrap()
            .remove(0)
            .tags
            .unwrap()
    }

    async fn certificate(&self, domain: &str) -> String {
        self.acm
            .request_certificate()
            .domain_name(domain)
            .send()
            .await
            .unwrap()
            .certificate_arn
            .unwrap()
    }

    /// A VPC with one subnet in each of `zones`, made directly (for tests that need no network).
    async fn subnets(&self, zones: &[&str]) -> Vec<String> {
        let vpc = self
            .ec2
            .create_vpc()
            .cidr_block("10.99.0.0/16")
            .send()
            .await
            .unwrap()
            .vpc
            .unwrap()
            .vpc_id
            .unwrap();
        let mut out = Vec::new();
        for (i, z) in zones.iter().enumerate() {
            out.push(
                self.ec2
                    .create_subnet()
                    .vpc_id(&vpc)
                    .cidr_block(format!("10.99.{i}.0/24"))
                    .availability_zone(*z)
                    .send()
                    .await
                    .unwrap()
                    .subnet
                    .unwrap()
                    .subnet_id
                    .unwrap(),
            );
        }
        out
    }
}

fn attrs(tf: &Tf, address: &str) -> serde_json::Value {
    let s = tf.state();
    s["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            format!(
                "{}.{}",
                r["type"].as_str().unwrap(),
                r["name"].as_str().unwrap()
            ) == address
        })
        .map(|r| r["instances"][0]["attributes"].clone())
        .unwrap_or(serde_json::Value::Null)
}

fn stack(name: &str, environment: &str, image: &str, cert: &str, extra: &str) -> String {
    let provider = env::provider_block(environment);
    format!(
        r##"
{provider}
resource "prod_network" "main" {{
  name = "{name}"
}}

resource "prod_cluster" "web" {{
  name              = "{name}"
  image_id          = "{image}"
  subnet_ids        = prod_network.main.private_subnet_ids
  public_subnet_ids = prod_network.main.public_subnet_ids
  certificate_arn   = "{cert}"
  user_data         = "#!/bin/sh\necho hello\n"
  tags              = {{ service = "web" }}
  {extra}
}}
"##
    )
}

/// A change made outside Terraform: the plan shows each `(attribute, change)` of `shows`, one apply
/// repairs it, and the next plan is empty.
fn repaired(tf: &Tf, shows: &[(&str, &str)], what: &str) {
    let p = tf.plan_code(&[]);
    for (attr, change) in shows {
        assert!(
            p.shows(attr, change),
            "{what}: {attr} {change}\n{}",
            p.all()
        );
    }
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0, "plan after repairing {what}");
}

/// The development test's day-2 scaling block.
const SCALING: &str =
    "scaling {\n  cpu_target = 50\n  requests_per_target = 1000\n  scale_in_protection_minutes = 10\n}";

/// The development test's day-2 log retention: application logs 90 days, audit logs a year.
const LOG_RETENTION: &str = "log_retention {\n  application = 90\n  audit       = 365\n}";

/// The development test's day-2 instance types: half the capacity above the floor (`min_size`,
/// 1 in development) on spot.
const MIX: &str = "instance_types = [\"m6i.large\", \"m7i.large\"]\nspot_share = 50";

/// The production test's web ACL arguments: a country blocked and a network that bypasses.
const WAF_ARGS: &str =
    "blocked_countries   = [\"KP\"]\n  allowed_cidr_blocks = [\"198.51.100.0/24\"]";

impl Aws {
    /// A web ACL (it must exist) and its lock token.
    async fn web_acl(&self, arn: &str) -> (aws_sdk_wafv2::types::WebAcl, String) {
        let parts: Vec<&str> = arn.rsplitn(3, '/').collect();
        let out = self
            .waf
            .get_web_acl()
            .name(parts[1])
            .id(parts[0])
            .scope(aws_sdk_wafv2::types::Scope::Regional)
            .send()
            .await
            .unwrap();
        (out.web_acl.unwrap(), out.lock_token.unwrap())
    }
}

/// The web ACL through the WAFv2 API: the blueprint's rules in order (bypass, geo, rate, managed
/// groups blocking), associated with the load balancer, logging to its encrypted log group with the
/// credentials headers redacted; the IP set; the key letting Logs use it for that group.
async fn assert_web_acl(aws: &Aws, name: &str, lb_arn: &str, key: &str, c: &serde_json::Value) {
    let acl_arn = c["web_acl"].as_str().unwrap();
    let set_arn = c["waf_ip_set"].as_str().unwrap();
    let group = format!("aws-waf-logs-{name}");
    assert!(c["waf_log_group"].as_str().unwrap().ends_with(&group));
    let (acl, _) = aws.web_acl(acl_arn).await;
    let rules: Vec<(&str, i32)> = acl
        .rules()
        .iter()
        .map(|r| (r.name(), r.priority()))
        .collect();
    assert_eq!(
        rules,
        [
            ("allowed-cidr-blocks", 0),
            ("blocked-countries", 1),
            ("rate-limit", 2),
            ("AWS-AWSManagedRulesCommonRuleSet", 10),
            ("AWS-AWSManagedRulesKnownBadInputsRuleSet", 11),
            ("AWS-AWSManagedRulesAmazonIpReputationList", 12),
        ]
    );
    let r = acl.rules();
    let st = |i: usize| r[i].statement().unwrap();
    assert_eq!(st(0).ip_set_reference_statement().unwrap().arn(), set_arn);
    assert!(r[0].action().unwrap().allow().is_some());
    assert_eq!(
        st(1).geo_match_statement().unwrap().country_codes(),
        [aws_sdk_wafv2::types::CountryCode::from("KP")]
    );
    assert!(r[1].action().unwrap().block().is_some());
    let rate = st(2).rate_based_statement().unwrap();
    assert_eq!(
        (rate.limit(), rate.aggregate_key_type().as_str()),
        (2000, "IP")
    );
    assert!(r[2].action().unwrap().block().is_some());
    for m in &r[3..] {
        let g = m
            .statement()
            .unwrap()
            .managed_rule_group_statement()
            .unwrap();
        assert_eq!(g.vendor_name(), "AWS");
        assert!(
            m.override_action().unwrap().none().is_some(),
            "{} blocks",
            m.name()
        );
    }
    assert!(acl.default_action().unwrap().allow().is_some());
    let on_lb = aws
        .waf
        .get_web_acl_for_resource()
        .resource_arn(lb_arn)
        .send()
        .await
        .unwrap()
        .web_acl
        .map(|a| a.arn);
    assert_eq!(on_lb.as_deref(), Some(acl_arn), "ELB.16");
    let l = aws
        .waf
        .get_logging_configuration()
        .resource_arn(acl_arn)
        .send()
        .await
        .unwrap()
        .logging_configuration
        .unwrap();
    assert!(l.log_destination_configs()[0].ends_with(&format!("log-group:{group}")));
    let redacted: BTreeSet<String> = l
        .redacted_fields()
        .iter()
        .map(|f| f.single_header().unwrap().name().to_string())
        .collect();
    assert_eq!(
        redacted,
        ["authorization", "cookie"].map(String::from).into()
    );
    let lg = aws.log_group_named(&group).await;
    // The web ACL's logs are audit logs: production keeps them seven years.
    assert_eq!(
        (lg.retention_in_days, lg.kms_key_id.as_deref()),
        (Some(2557), Some(key))
    );
    let parts: Vec<&str> = set_arn.rsplitn(3, '/').collect();
    let set = aws
        .waf
        .get_ip_set()
        .name(parts[1])
        .id(parts[0])
        .scope(aws_sdk_wafv2::types::Scope::Regional)
        .send()
        .await
        .unwrap()
        .ip_set
        .unwrap();
    assert_eq!(set.addresses(), ["198.51.100.0/24"]);
    let tags = aws
        .waf
        .list_tags_for_resource()
        .resource_arn(acl_arn)
        .send()
        .await
        .unwrap()
        .tag_info_for_resource
        .unwrap();
    assert!(tags
        .tag_list()
        .iter()
        .any(|t| t.key() == "prod:resource" && t.value() == format!("prod_cluster.{name}")));
    let (policy, _) = env::key_policy_and_rotation(&aws.kms, key).await;
    assert!(
        policy.contains(&group),
        "Logs may use the key for {group}: {policy}"
    );
}

fn posture_all_pass(s: &serde_json::Value) {
    let posture = s["posture"].as_object().unwrap();
    assert!(!posture.is_empty(), "an empty posture reports nothing");
    let bad: Vec<String> = posture
        .iter()
        .filter(|(_, v)| *v != "pass")
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    assert!(bad.is_empty(), "posture: {bad:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn production_cluster_hardened_rolled_drift_repaired_and_swept() {
    let aws = aws().await;
    let name = env::unique("e2e-cl");
    let cert = aws.certificate("web.example.com").await;
    let (image, image2) = two_images().await;
    let tf = Tf::new(&stack(&name, "production", &image, &cert, WAF_ARGS));
    tf.init();
    let plan = tf.plan_code(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    for (attr, shown) in [
        ("rate_limit", "= 2000"),
        ("\"web_acl\"", "(known after apply)"),
        ("min_size", "= 3"),
        ("max_size", "= 9"),
        ("instance_type", "= \"m6i.large\""),
        ("\"listener_https\"", "(known after apply)"),
    ] {
        assert!(
            plan.shows(attr, shown),
            "plan lacks {attr} {shown}:\n{}",
            plan.stdout
        );
    }
    tf.apply(&[]);
    let s = attrs(&tf, "prod_cluster.web");
    let net = attrs(&tf, "prod_network.main");
    let c = s["components"].clone();
    posture_all_pass(&s);
    assert_eq!(s["id"], name.as_str());
    assert_eq!(s["desired_capacity_actual"], 3);
    assert_eq!(s["launch_template_version"], 1);
    let key = s["kms_key_arn"].as_str().unwrap().to_string();
    assert_eq!(c["kms_key"], key.as_str());

    // Launch template: IMDSv2 only, hop limit 1, encrypted gp3 root with the key, no public IP,
    // detailed monitoring, the instance profile, the user data.
    let v = aws
        .ec2
        .describe_launch_template_versions()
        .launch_template_id(s["launch_template_id"].as_str().unwrap())
        .versions("$Default")
        .send()
        .await
        .unwrap()
        .launch_template_versions
        .unwrap()
        .remove(0)
        .launch_template_data
        .unwrap();
    let meta = v.metadata_options.unwrap();
    assert_eq!(meta.http_tokens.unwrap().as_str(), "required");
    assert_eq!(meta.http_put_response_hop_limit, Some(1));
    let ebs = v.block_device_mappings.unwrap()[0].ebs.clone().unwrap();
    assert_eq!(
        (ebs.encrypted, ebs.volume_size, ebs.kms_key_id.as_deref()),
        (Some(true), Some(50), Some(key.as_str()))
    );
    assert_eq!(ebs.volume_type.unwrap().as_str(), "gp3");
    let nic = &v.network_interfaces.unwrap()[0];
    assert_eq!(nic.associate_public_ip_address, Some(false));
    assert_eq!(
        nic.groups.clone().unwrap(),
        vec![s["security_group_id"].as_str().unwrap().to_string()]
    );
    assert_eq!(v.monitoring.unwrap().enabled, Some(true));
    assert_eq!(
        v.iam_instance_profile.unwrap().arn.as_deref(),
        c["instance_profile"].as_str()
    );
    assert_eq!(v.image_id.as_deref(), Some(image.as_str()));
    assert_eq!(s["user_data"], "#!/bin/sh\necho hello\n");
    // The instances run the CloudWatch agent (memory and root disk by group) before the user's
    // script, each its own cloud-init part.
    let raw = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        v.user_data.as_deref().unwrap_or_default(),
    )
    .unwrap();
    let user_data = String::from_utf8(raw).unwrap();
    assert!(
        user_data.starts_with("Content-Type: multipart/mixed")
            && user_data.contains("amazon-cloudwatch-agent-ctl")
            && user_data.contains("\"AutoScalingGroupName\"")
            && user_data.contains(&format!("/prod/cluster/{name}"))
            && user_data.contains("Content-Type: text/x-not-multipart")
            && user_data.contains("#!/bin/sh\necho hello\n"),
        "{user_data}"
    );
    assert_eq!(s["posture"]["host_metrics"], "pass");

    // Auto Scaling group: pinned sizes over the three private subnets, ELB health checks, metrics.
    let g = aws.group(&name).await;
    assert_eq!(
        (g.min_size, g.max_size, g.desired_capacity),
        (Some(3), Some(9), Some(3))
    );
    assert_eq!(g.health_check_type.as_deref(), Some("ELB"));
    let subnets: BTreeSet<String> = g
        .vpc_zone_identifier
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let private: BTreeSet<String> = net["private_subnet_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(subnets, private);
    assert_eq!(g.availability_zones.unwrap().len(), 3);
    assert_eq!(
        g.target_group_arns.unwrap(),
        vec![s["target_group_arn"].as_str().unwrap().to_string()]
    );
    let metrics: Vec<String> = g
        .enabled_metrics
        .unwrap()
        .into_iter()
        .filter_map(|m| m.metric)
        .collect();
    assert!(
        metrics.contains(&"GroupInServiceInstances".to_string()),
        "{metrics:?}"
    );

    // The instances the group launched, as AWS reports them: the template's settings, not EC2's
    // defaults (IMDSv2 only, the instance profile, detailed monitoring, one encrypted gp3 root with
    // the cluster's key, no public IP, the application security group).
    let instances: Vec<aws_sdk_ec2::types::Instance> = aws
        .ec2
        .describe_instances()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("tag:aws:autoscaling:groupName")
                .values(&name)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .reservations
        .unwrap_or_default()
        .into_iter()
        .flat_map(|r| r.instances.unwrap_or_default())
        .collect();
    assert_eq!(instances.len(), 3, "the group's desired capacity runs");
    for i in &instances {
        let meta = i.metadata_options.clone().unwrap();
        assert_eq!(
            (
                meta.http_tokens.unwrap().as_str(),
                meta.http_put_response_hop_limit
            ),
            ("required", Some(1)),
            "{i:?}"
        );
        assert_eq!(
            i.iam_instance_profile.clone().unwrap().arn.as_deref(),
            c["instance_profile"].as_str()
        );
        assert_eq!(
            i.monitoring.clone().unwrap().state.unwrap().as_str(),
            "enabled"
        );
        assert_eq!(i.public_ip_address, None);
        assert_eq!(
            i.security_groups.clone().unwrap_or_default()[0]
                .group_id
                .as_deref(),
            s["security_group_id"].as_str()
        );
        let devices = i.block_device_mappings.clone().unwrap_or_default();
        assert_eq!(
            devices.len(),
            1,
            "one root volume, no default extra: {devices:?}"
        );
        let vol = devices[0].ebs.clone().unwrap().volume_id.unwrap();
        let v = aws
            .ec2
            .describe_volumes()
            .volume_ids(vol)
            .send()
            .await
            .unwrap()
            .volumes
            .unwrap()
            .remove(0);
        assert_eq!(
            (v.encrypted, v.size, v.kms_key_id.as_deref()),
            (Some(true), Some(50), Some(key.as_str()))
        );
        assert_eq!(v.volume_type.unwrap().as_str(), "gp3");
    }

    // Load balancer: deletion protection, invalid headers dropped, defensive desync mitigation.
    let lb_arn = s["load_balancer_arn"].as_str().unwrap();
    let a: std::collections::BTreeMap<String, String> = aws
        .elb
        .describe_load_balancer_attributes()
        .load_balancer_arn(lb_arn)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap()
        .into_iter()
        .map(|a| (a.key.unwrap(), a.value.unwrap()))
        .collect();
    assert_eq!(a["deletion_protection.enabled"], "true");
    assert_eq!(a["routing.http.drop_invalid_header_fields.enabled"], "true");
    assert_eq!(a["routing.http.desync_mitigation_mode"], "defensive");

    // Access and connection logs (ELB.5) go to the cluster's bucket, read through the S3 API.
    let account = c["instance_role"]
        .as_str()
        .unwrap()
        .split(':')
        .nth(4)
        .unwrap();
    let bucket = format!("{name}-lb-logs-{account}");
    assert_eq!(c["logs_bucket"], bucket.as_str());
    for (key, want) in [
        ("access_logs.s3.enabled", "true"),
        ("access_logs.s3.bucket", bucket.as_str()),
        ("access_logs.s3.prefix", "access"),
        ("connection_logs.s3.enabled", "true"),
        ("connection_logs.s3.bucket", bucket.as_str()),
        ("connection_logs.s3.prefix", "connection"),
    ] {
        assert_eq!(a[key], want, "{key}");
    }
    aws.assert_logs_bucket(&bucket, account, 2557).await;
    let tags = aws
        .s3
        .get_bucket_tagging()
        .bucket(&bucket)
        .send()
        .await
        .unwrap()
        .tag_set;
    let want = format!("prod_cluster.{name}");
    assert!(
        tags.iter()
            .any(|t| t.key == "prod:resource" && t.value == want)
            && tags.iter().any(|t| t.key == "service" && t.value == "web"),
        "{tags:?}"
    );
    let lb = aws
        .elb
        .describe_load_balancers()
        .load_balancer_arns(lb_arn)
        .send()
        .await
        .unwrap()
        .load_balancers
        .unwrap()
        .remove(0);
    let lb_subnets: BTreeSet<String> = lb
        .availability_zones
        .unwrap()
        .into_iter()
        .filter_map(|z| z.subnet_id)
        .collect();
    let public: BTreeSet<String> = net["public_subnet_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(lb_subnets, public);
    assert_eq!(s["load_balancer_dns_name"].as_str(), lb.dns_name.as_deref());

    // Listeners: HTTPS with a TLS 1.3 policy forwarding to the target group; HTTP only redirects.
    let ls = aws
        .elb
        .describe_listeners()
        .load_balancer_arn(lb_arn)
        .send()
        .await
        .unwrap()
        .listeners
        .unwrap();
    assert_eq!(ls.len(), 2);
    let https = ls.iter().find(|l| l.port == Some(443)).unwrap();
    assert_eq!(https.protocol.as_ref().unwrap().as_str(), "HTTPS");
    assert_eq!(
        https.ssl_policy.as_deref(),
        Some("ELBSecurityPolicy-TLS13-1-3-PQ-2025-09"),
        "tls_policy unset: TLS 1.3 only"
    );
    assert_eq!(
        https.certificates.as_ref().unwrap()[0]
            .certificate_arn
            .as_deref(),
        Some(cert.as_str())
    );
    assert_eq!(
        https.default_actions.as_ref().unwrap()[0]
            .target_group_arn
            .as_deref(),
        s["target_group_arn"].as_str()
    );
    let http = ls.iter().find(|l| l.port == Some(80)).unwrap();
    let redirect = http.default_actions.as_ref().unwrap()[0]
        .redirect_config
        .clone()
        .unwrap();
    assert_eq!(
        (redirect.protocol.as_deref(), redirect.port.as_deref()),
        (Some("HTTPS"), Some("443"))
    );
    let tg = aws.target_group(&name).await;
    assert_eq!(
        (tg.port, tg.health_check_path.as_deref()),
        (Some(8080), Some("/health"))
    );

    // Security groups: the load balancer admits 443 and 80 only; instances the app port from it only.
    let app_sg = s["security_group_id"].as_str().unwrap().to_string();
    let lb_sg = s["load_balancer_security_group_id"]
        .as_str()
        .unwrap()
        .to_string();
    let sgs = aws
        .ec2
        .describe_security_groups()
        .group_ids(&app_sg)
        .group_ids(&lb_sg)
        .send()
        .await
        .unwrap()
        .security_groups
        .unwrap();
    let lb_g = sgs
        .iter()
        .find(|g| g.group_id.as_deref() == Some(lb_sg.as_str()))
        .unwrap();
    let mut ports: Vec<i32> = lb_g
        .ip_permissions
        .clone()
        .unwrap()
        .iter()
        .map(|p| p.from_port.unwrap())
        .collect();
    ports.sort();
    assert_eq!(ports, [80, 443]);
    let app_g = sgs
        .iter()
        .find(|g| g.group_id.as_deref() == Some(app_sg.as_str()))
        .unwrap();
    let perms = app_g.ip_permissions.clone().unwrap();
    assert_eq!(perms.len(), 1);
    assert_eq!(perms[0].from_port, Some(8080));
    assert!(perms[0].ip_ranges.clone().unwrap_or_default().is_empty());
    assert_eq!(
        perms[0].user_id_group_pairs.clone().unwrap()[0]
            .group_id
            .as_deref(),
        Some(lb_sg.as_str())
    );

    // The key lets the Auto Scaling service-linked role use it; rotation is on.
    let (policy, rotation) = env::key_policy_and_rotation(&aws.kms, &key).await;
    assert!(
        policy.contains("AWSServiceRoleForAutoScaling")
            && policy.contains("kms:GrantIsForAWSResource"),
        "{policy}"
    );
    assert!(rotation, "key rotation is on");

    // Role: EC2 trust, SSM core attached, the agent's scoped inline policy; in the instance profile.
    let role = format!("{name}-instance");
    let r = aws
        .iam
        .get_role()
        .role_name(&role)
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    assert!(
        env::urlencoding_decode(r.assume_role_policy_document.as_deref().unwrap())
            .contains("ec2.amazonaws.com")
    );
    let attached: Vec<String> = aws
        .iam
        .list_attached_role_policies()
        .role_name(&role)
        .send()
        .await
        .unwrap()
        .attached_policies
        .unwrap()
        .into_iter()
        .filter_map(|p| p.policy_name)
        .collect();
    assert_eq!(attached, ["AmazonSSMManagedInstanceCore"]);
    let inline = aws
        .iam
        .get_role_policy()
        .role_name(&role)
        .policy_name("cloudwatch-agent")
        .send()
        .await
        .unwrap()
        .policy_document;
    assert!(env::urlencoding_decode(&inline).contains(&format!("/prod/cluster/{name}")));
    let prof = aws
        .iam
        .get_instance_profile()
        .instance_profile_name(&role)
        .send()
        .await
        .unwrap()
        .instance_profile
        .unwrap();
    assert_eq!(prof.roles[0].role_name, role);
    // The instances' log group holds application logs: production keeps them the guides' month.
    let lg = aws.log_group(&name).await;
    assert_eq!(
        (lg.retention_in_days, lg.kms_key_id.as_deref()),
        (Some(30), Some(key.as_str()))
    );

    assert_web_acl(&aws, &name, lb_arn, &key, &c).await;

    // Production scales on CPU without a `scaling` block: one target-tracking policy at 60 %,
    // scale-in on, new instances warming up 5 minutes.
    assert_eq!(
        aws.policies(&name).await.into_iter().collect::<Vec<_>>(),
        vec![(
            format!("{name}-cpu"),
            (
                "ASGAverageCPUUtilization".to_string(),
                60.0,
                false,
                None,
                true
            )
        )]
    );
    assert_eq!(aws.group(&name).await.default_instance_warmup, Some(300));
    assert_eq!(s["posture"]["scaling"], "pass");

    assert_eq!(tf.plan_code(&[]).code, 0, "second plan");

    // Scaling owns the live capacity: no diff, the live value in desired_capacity_actual.
    aws.asg
        .set_desired_capacity()
        .auto_scaling_group_name(&name)
        .desired_capacity(5)
        .send()
        .await
        .unwrap();
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 0, "scaling is not drift: {}", p.all());
    tf.run(&["apply", "-refresh-only", "-auto-approve", "-no-color"])
        .ok();
    assert_eq!(attrs(&tf, "prod_cluster.web")["desired_capacity_actual"], 5);

    // A new image updates the template in place and rolls the instances (90 % kept healthy).
    tf.write(&stack(&name, "production", &image2, &cert, WAF_ARGS));
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2);
    assert!(
        p.stdout.contains("1 to change, 0 to destroy") && !p.stdout.contains("forces replacement"),
        "{}",
        p.stdout
    );
    tf.apply(&[]);
    let s2 = attrs(&tf, "prod_cluster.web");
    assert_eq!(s2["launch_template_version"], 2);
    assert_eq!(
        s2["load_balancer_arn"], s["load_balancer_arn"],
        "same load balancer"
    );
    let g = aws.group(&name).await;
    assert_eq!(g.launch_template.unwrap().version.as_deref(), Some("2"));
    assert_eq!(
        g.desired_capacity,
        Some(5),
        "an image change leaves scaling's capacity alone"
    );
    let refreshes = env::instance_refreshes(&aws.asg, &name).await;
    assert_eq!(refreshes.len(), 1);
    assert_eq!(
        refreshes[0]
            .preferences
            .as_ref()
            .unwrap()
            .min_healthy_percentage,
        Some(90)
    );
    gated_rollout_succeeded(&refreshes[0], &name, 2, &s2);
    assert_eq!(tf.plan_code(&[]).code, 0, "plan after the roll");

    // Drift: an open SSH rule, IMDSv1 and no CloudWatch agent on a new default version, a weak TLS policy, the minimum
    // lowered, deletion protection off, the instances' log group kept one day.
    env::open_to_world(&aws.ec2, &app_sg, 22).await;
    let lt = s["launch_template_id"].as_str().unwrap();
    let weak = aws
        .ec2
        .create_launch_template_version()
        .launch_template_id(lt)
        .source_version("2")
        .launch_template_data(
            aws_sdk_ec2::types::RequestLaunchTemplateData::builder()
                .image_id(&image2)
                // The user's script alone: the CloudWatch agent's part dropped.
                .user_data(base64::Engine::encode(
                    &base64::engine::general_purpose::STANDARD,
                    "#!/bin/sh\necho hello\n",
                ))
                .metadata_options(
                    aws_sdk_ec2::types::LaunchTemplateInstanceMetadataOptionsRequest::builder()
                        .http_tokens(aws_sdk_ec2::types::LaunchTemplateHttpTokensState::Optional)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap()
        .launch_template_version
        .unwrap()
        .version_number
        .unwrap();
    aws.ec2
        .modify_launch_template()
        .launch_template_id(lt)
        .default_version(weak.to_string())
        .send()
        .await
        .unwrap();
    aws.elb
        .modify_listener()
        .listener_arn(https.listener_arn.clone().unwrap())
        .ssl_policy("ELBSecurityPolicy-2016-08")
        .send()
        .await
        .unwrap();
    aws.asg
        .update_auto_scaling_group()
        .auto_scaling_group_name(&name)
        .min_size(1)
        .send()
        .await
        .unwrap();
    aws.elb
        .modify_load_balancer_attributes()
        .load_balancer_arn(lb_arn)
        .attributes(
            aws_sdk_elasticloadbalancingv2::types::LoadBalancerAttribute::builder()
                .key("deletion_protection.enabled")
                .value("false")
                .build(),
        )
        .attributes(
            aws_sdk_elasticloadbalancingv2::types::LoadBalancerAttribute::builder()
                .key("access_logs.s3.enabled")
                .value("false")
                .build(),
        )
        .send()
        .await
        .unwrap();
    // The log bucket: block public policy off, its policy removed.
    aws.s3
        .put_public_access_block()
        .bucket(&bucket)
        .public_access_block_configuration(
            aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(false)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    aws.s3
        .delete_bucket_policy()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    aws.elb
        .modify_target_group()
        .target_group_arn(s["target_group_arn"].as_str().unwrap())
        .health_check_interval_seconds(60)
        .send()
        .await
        .unwrap();
    let log_group = aws.log_group(&name).await.log_group_name.unwrap();
    aws.logs
        .put_retention_policy()
        .log_group_name(&log_group)
        .retention_in_days(1)
        .send()
        .await
        .unwrap();
    // ... and the web ACL disassociated, its logging off and a managed rule group removed.
    let acl_arn = c["web_acl"].as_str().unwrap();
    aws.waf
        .disassociate_web_acl()
        .resource_arn(lb_arn)
        .send()
        .await
        .unwrap();
    aws.waf
        .delete_logging_configuration()
        .resource_arn(acl_arn)
        .send()
        .await
        .unwrap();
    let (acl, lock) = aws.web_acl(acl_arn).await;
    aws.waf
        .update_web_acl()
        .name(acl.name())
        .id(acl.id())
        .scope(aws_sdk_wafv2::types::Scope::Regional)
        .lock_token(lock)
        .set_default_action(acl.default_action().cloned())
        .set_visibility_config(acl.visibility_config().cloned())
        .set_rules(Some(
            acl.rules()
                .iter()
                .filter(|r| r.name() != "AWS-AWSManagedRulesKnownBadInputsRuleSet")
                .cloned()
                .collect(),
        ))
        .send()
        .await
        .unwrap();
    // ... and the scaling: the CPU policy retargeted without scale-in and disabled, a policy added
    // by hand (someone else's: left alone), the warmup cut to a minute.
    let put = |policy: String, target: f64, disable_scale_in: bool| {
        aws.asg
            .put_scaling_policy()
            .auto_scaling_group_name(&name)
            .policy_name(policy)
            .policy_type("TargetTrackingScaling")
            .target_tracking_configuration(
                aws_sdk_autoscaling::types::TargetTrackingConfiguration::builder()
                    .predefined_metric_specification(
                        aws_sdk_autoscaling::types::PredefinedMetricSpecification::builder()
                            .predefined_metric_type(
                                aws_sdk_autoscaling::types::MetricType::AsgAverageCpuUtilization,
                            )
                            .build(),
                    )
                    .target_value(target)
                    .disable_scale_in(disable_scale_in)
                    .build(),
            )
            .enabled(!disable_scale_in)
            .send()
    };
    put(format!("{name}-cpu"), 90.0, true).await.unwrap();
    put("by-hand".to_string(), 20.0, false).await.unwrap();
    aws.asg
        .update_auto_scaling_group()
        .auto_scaling_group_name(&name)
        .default_instance_warmup(60)
        .send()
        .await
        .unwrap();
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2, "{}", p.all());
    for control in [
        "\"scaling\"",
        "\"ELB.16\"",
        "\"WAF.11\"",
        "\"waf\"",
        "\"CloudWatch.16\"",
        "\"ingress\"",
        "\"EC2.18\"",
        "\"EC2.19\"",
        "\"EC2.8\"",
        "\"AutoScaling.3\"",
        "\"host_metrics\"",
        "\"ELB.17\"",
        "\"ELB.6\"",
        "\"ELB.5\"",
        "\"S3.5\"",
        "\"S3.8\"",
        "\"health_check\"",
    ] {
        assert!(
            p.shows(control, "-> \"pass\""),
            "{control} not repaired in plan:\n{}",
            p.stdout
        );
    }
    assert!(p.shows("min_size", "1 -> 3"), "{}", p.stdout);
    assert!(
        p.shows("tls_policy", "\"ELBSecurityPolicy-2016-08\" -> \"tls13\""),
        "{}",
        p.stdout
    );
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0, "plan after repair");
    let by_name = |policy: &str, target: f64| {
        (
            policy.to_string(),
            (
                "ASGAverageCPUUtilization".to_string(),
                target,
                false,
                None,
                true,
            ),
        )
    };
    assert_eq!(
        aws.policies(&name).await.into_iter().collect::<Vec<_>>(),
        vec![
            by_name("by-hand", 20.0),
            by_name(&format!("{name}-cpu"), 60.0)
        ],
        "the CPU policy restored; the one added by hand is someone else's"
    );
    assert_eq!(aws.group(&name).await.default_instance_warmup, Some(300));
    assert_web_acl(&aws, &name, lb_arn, &key, &c).await;
    assert_eq!(
        aws.log_group(&name).await.retention_in_days,
        Some(30),
        "log retention repaired"
    );
    posture_all_pass(&attrs(&tf, "prod_cluster.web"));
    let perms = aws
        .ec2
        .describe_security_groups()
        .group_ids(&app_sg)
        .send()
        .await
        .unwrap()
        .security_groups
        .unwrap()[0]
        .ip_permissions
        .clone()
        .unwrap();
    assert!(
        !perms.iter().any(|p| p.from_port == Some(22)),
        "SSH rule revoked"
    );
    let dv = aws
        .ec2
        .describe_launch_template_versions()
        .launch_template_id(lt)
        .versions("$Default")
        .send()
        .await
        .unwrap()
        .launch_template_versions
        .unwrap()
        .remove(0);
    assert_eq!(
        dv.launch_template_data
            .unwrap()
            .metadata_options
            .unwrap()
            .http_tokens
            .unwrap()
            .as_str(),
        "required"
    );
    assert_eq!(
        aws.https_policy(lb_arn).await.as_deref(),
        Some("ELBSecurityPolicy-TLS13-1-3-PQ-2025-09")
    );
    let g = aws.group(&name).await;
    assert_eq!(g.min_size, Some(3));
    let a = aws
        .elb
        .describe_load_balancer_attributes()
        .load_balancer_arn(lb_arn)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert!(a
        .iter()
        .any(|a| a.key.as_deref() == Some("deletion_protection.enabled")
            && a.value.as_deref() == Some("true")));
    assert!(
        a.iter()
            .any(|a| a.key.as_deref() == Some("access_logs.s3.enabled")
                && a.value.as_deref() == Some("true")),
        "access logs back on"
    );
    aws.assert_logs_bucket(&bucket, account, 2557).await;
    let tg = aws.target_group(&name).await;
    assert_eq!(
        tg.health_check_interval_seconds,
        Some(15),
        "health check repaired"
    );

    // Import adopts the cluster by name: the plan afterwards is empty.
    let before = attrs(&tf, "prod_cluster.web")["components"].clone();
    tf.run(&["state", "rm", "prod_cluster.web"]).ok();
    tf.run(&["import", "-no-color", "prod_cluster.web", &name])
        .ok();
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 0, "plan after import: {}", p.all());
    assert_eq!(
        attrs(&tf, "prod_cluster.web")["components"],
        before,
        "import finds every component"
    );

    // Day 2: old clients need TLS 1.2; one apply moves the listener, the next plan is empty.
    tf.write(&stack(
        &name,
        "production",
        &image2,
        &cert,
        &format!("{WAF_ARGS}\n  tls_policy = \"tls12\""),
    ));
    let p = tf.plan_code(&[]);
    assert!(
        p.shows("tls_policy", "\"tls13\" -> \"tls12\""),
        "{}",
        p.stdout
    );
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0, "one apply moves the policy");
    assert_eq!(
        aws.https_policy(lb_arn).await.as_deref(),
        Some("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09")
    );

    // Destroy needs no decommission step: it lifts the load balancer's protection itself (the
    // local AWS refuses to delete a protected load balancer, as AWS does).
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    let sweep = sweep::aws().await;
    assert_eq!(sweep.cluster(&name).await, Vec::<String>::new());
    // In production the logs are evidence: the bucket stays (the test removes it itself).
    assert_eq!(sweep.logs_buckets(&name).await, vec![bucket.clone()]);
    sweep.remove_logs_buckets(&name).await;
}

fn bare(
    name: &str,
    environment: &str,
    image: &str,
    cert: &str,
    private: &[String],
    public: &[String],
    extra: &str,
) -> String {
    let list = |v: &[String]| {
        format!(
            "[{}]",
            v.iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let provider = env::provider_block(environment);
    format!(
        r#"
{provider}
resource "prod_cluster" "web" {{
  name              = "{name}"
  image_id          = "{image}"
  subnet_ids        = {}
  public_subnet_ids = {}
  certificate_arn   = "{cert}"
  {extra}
}}
"#,
        list(private),
        list(public)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn development_profile_is_smaller_and_bad_input_is_refused_on_the_attribute() {
    let aws = aws().await;
    let name = env::unique("e2e-dcl");
    let cert = aws.certificate("dev.example.com").await;
    let (image, _) = two_images().await;
    let three = aws
        .subnets(&["us-east-1a", "us-east-1b", "us-east-1c"])
        .await;
    let one_zone = vec![three[0].clone()];
    let dev = |extra: &str| bare(&name, "development", &image, &cert, &three, &three, extra);

    // Refused at plan, each with the attribute named and the fix in the detail.
    let cases: Vec<(&str, &str, Vec<String>, &str, &str)> = vec![
        (
            "production",
            "min_size = 1",
            three.clone(),
            "min_size",
            "min_size below the production floor",
        ),
        (
            "production",
            "metadata_http_tokens = \"optional\"",
            three.clone(),
            "metadata_http_tokens",
            "IMDSv1 is refused in production",
        ),
        (
            "development",
            "root_volume_encrypted = false",
            three.clone(),
            "root_volume_encrypted",
            "Unencrypted volumes are refused",
        ),
        (
            "development",
            "",
            one_zone.clone(),
            "subnet_ids",
            "Fewer than 2 availability zones",
        ),
        (
            "development",
            "min_size = 3\nmax_size = 2",
            three.clone(),
            "min_size",
            "min_size is above max_size",
        ),
        (
            "development",
            "ingress_cidr_blocks = [\"10.0.0.1/8\"]",
            three.clone(),
            "ingress_cidr_blocks",
            "Invalid CIDR block",
        ),
        (
            "production",
            "rate_limit = 0",
            three.clone(),
            "rate_limit",
            "A rate rule is required in production",
        ),
        (
            "development",
            "rate_limit = 5",
            three.clone(),
            "rate_limit",
            "rate_limit out of range",
        ),
        (
            "development",
            "blocked_countries = [\"KP\", \"XX\"]",
            three.clone(),
            "blocked_countries",
            "Unknown country code",
        ),
        (
            "development",
            "allowed_cidr_blocks = [\"0.0.0.0/0\"]",
            three.clone(),
            "allowed_cidr_blocks",
            "Invalid CIDR block",
        ),
        (
            "production",
            "scaling {\n  cpu_target = 0\n}",
            three.clone(),
            "cpu_target",
            "Production scales on CPU",
        ),
        (
            "production",
            "instance_types = [\"m6i.large\", \"m7i.large\"]\non_demand_base = 1",
            three.clone(),
            "on_demand_base",
            "on_demand_base below min_size in production",
        ),
        (
            "development",
            "spot_share = 20",
            three.clone(),
            "spot_share",
            "Needs instance_types",
        ),
        (
            "development",
            "scaling {\n  scale_in_protection_minutes = 90\n}",
            three.clone(),
            "scale_in_protection_minutes",
            "give 0 to 60",
        ),
        (
            "production",
            "log_retention {\n  audit = 180\n}",
            three.clone(),
            "audit",
            "Production keeps its logs longer",
        ),
        (
            "development",
            "log_retention {\n  application = 45\n}",
            three.clone(),
            "application",
            "Not a retention CloudWatch Logs accepts",
        ),
    ];
    let tf = Tf::new(&dev(""));
    tf.init();
    for (env_name, extra, private, attr, says) in cases {
        tf.write(&bare(
            &name, env_name, &image, &cert, &private, &three, extra,
        ));
        let r = tf.run(&["plan", "-no-color"]);
        assert_ne!(r.code, 0, "{extra} accepted");
        assert!(
            r.all().contains(attr) && r.all().contains(says),
            "{extra}:\n{}",
            r.all()
        );
    }
    tf.write(&dev("").replace(
        &format!("certificate_arn   = \"{cert}\""),
        "certificate_arn = \"\"",
    ));
    let r = tf.run(&["plan", "-no-color"]);
    assert!(
        r.code != 0 && r.all().contains("A certificate is required"),
        "{}",
        r.all()
    );

    // A log bucket an earlier cluster of this name kept (tagged as its own, logs in it): adopted.
    let bucket = format!("{name}-lb-logs-123456789012"); // the local AWS's account
    aws.s3.create_bucket().bucket(&bucket).send().await.unwrap();
    aws.s3
        .put_bucket_tagging()
        .bucket(&bucket)
        .tagging(
            aws_sdk_s3::types::Tagging::builder()
                .tag_set(
                    aws_sdk_s3::types::Tag::builder()
                        .key("prod:resource")
                        .value(format!("prod_cluster.{name}"))
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let put_log = |body: &'static str| {
        aws.s3
            .put_object()
            .bucket(&bucket)
            .key("access/AWSLogs/123456789012/old.log.gz")
            .body(aws_sdk_s3::primitives::ByteStream::from_static(
                body.as_bytes(),
            ))
            .send()
    };
    put_log("kept").await.unwrap();

    // Development: smaller, never open.
    tf.write(&dev(""));
    tf.apply(&[]);
    let s = attrs(&tf, "prod_cluster.web");
    assert_eq!(s["components"]["logs_bucket"], bucket.as_str());
    assert_eq!(s["force_destroy_logs"], false);
    aws.assert_logs_bucket(&bucket, "123456789012", 7).await;
    // Versions to empty on destroy.
    put_log("v2").await.unwrap();
    put_log("v3").await.unwrap();
    assert_eq!(
        (
            s["min_size"].as_i64(),
            s["desired_capacity"].as_i64(),
            s["max_size"].as_i64()
        ),
        (Some(1), Some(1), Some(2))
    );
    assert_eq!(s["instance_type"], "t3.small");
    assert_eq!(s["root_volume_size"], 20);
    assert_eq!(
        s["posture"]["ELB.6"],
        "fail: relaxed by development profile"
    );
    assert_eq!(s["posture"]["EC2.8"], "pass");
    assert_eq!(s["posture"]["ingress"], "pass");
    let a = aws
        .elb
        .describe_load_balancer_attributes()
        .load_balancer_arn(s["load_balancer_arn"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert!(a
        .iter()
        .any(|a| a.key.as_deref() == Some("deletion_protection.enabled")
            && a.value.as_deref() == Some("false")));
    let lg = aws.log_group(&name).await;
    assert_eq!(lg.retention_in_days, Some(7));
    // The web ACL too, its managed rule groups counting only, as the posture says.
    assert_eq!(s["rate_limit"], 10000);
    assert_eq!(
        s["posture"]["waf"],
        "fail: relaxed by development profile (managed rule groups count only)"
    );
    assert_eq!(s["posture"]["ELB.16"], "pass");
    let (acl, _) = aws
        .web_acl(s["components"]["web_acl"].as_str().unwrap())
        .await;
    let managed: Vec<&aws_sdk_wafv2::types::Rule> = acl
        .rules()
        .iter()
        .filter(|r| {
            r.statement()
                .unwrap()
                .managed_rule_group_statement()
                .is_some()
        })
        .collect();
    assert_eq!(managed.len(), 3);
    assert!(managed
        .iter()
        .all(|r| r.override_action().unwrap().count().is_some()));
    assert_eq!(tf.plan_code(&[]).code, 0);

    // Day 2: the logs kept longer than development's week, by class, in one apply: the
    // instances' log group (application logs) 90 days; the web ACL's log group and the load
    // balancer's access logs (audit logs) a year. Both pass CloudWatch.16.
    tf.write(&dev(LOG_RETENTION));
    tf.plan_says("1 to change, 0 to destroy");
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0, "one apply for the tiers");
    let waf_group = format!("aws-waf-logs-{name}");
    assert_eq!(aws.log_group(&name).await.retention_in_days, Some(90));
    assert_eq!(
        aws.log_group_named(&waf_group).await.retention_in_days,
        Some(365)
    );
    aws.assert_logs_bucket(&bucket, "123456789012", 365).await;
    let s = attrs(&tf, "prod_cluster.web");
    assert_eq!(s["posture"]["CloudWatch.16"], "pass");
    assert_eq!(s["log_retention"]["application"], 90);
    // A retention cut outside Terraform is drift on the class's tier, repaired by one apply.
    aws.logs
        .put_retention_policy()
        .log_group_name(format!("/prod/cluster/{name}"))
        .retention_in_days(1)
        .send()
        .await
        .unwrap();
    repaired(
        &tf,
        &[(
            "\"CloudWatch.16\"",
            "\"fail: log retention is 1 days, log_retention.application keeps 90\" -> \"pass\"",
        )],
        "the instances' log retention",
    );
    assert_eq!(aws.log_group(&name).await.retention_in_days, Some(90));

    // Sizes and the health check change in place.
    tf.write(&dev(&format!("max_size = 4\ndesired_capacity = 2\nhealth_check {{\n  path     = \"/ready\"\n  interval = 30\n}}\n{SCALING}")));
    tf.plan_says("1 to change, 0 to destroy");
    tf.apply(&[]);
    let g = aws.group(&name).await;
    assert_eq!((g.max_size, g.desired_capacity), (Some(4), Some(2)));
    // The log_retention block removed in the same apply: the profile's week again.
    assert_eq!(aws.log_group(&name).await.retention_in_days, Some(7));
    assert_eq!(
        aws.log_group_named(&format!("aws-waf-logs-{name}"))
            .await
            .retention_in_days,
        Some(7)
    );
    aws.assert_logs_bucket(&bucket, "123456789012", 7).await;
    let tg = aws.target_group(&name).await;
    assert_eq!(tg.health_check_path.as_deref(), Some("/ready"));
    assert_eq!(
        (
            tg.health_check_interval_seconds,
            tg.health_check_timeout_seconds,
            tg.healthy_threshold_count,
            tg.unhealthy_threshold_count
        ),
        (Some(30), Some(5), Some(2), Some(3)),
        "the interval given, the other settings their defaults"
    );
    assert_eq!(
        tg.matcher.as_ref().and_then(|m| m.http_code.as_deref()),
        Some("200-399")
    );
    assert_eq!(tf.plan_code(&[]).code, 0);
    // The scaling block, in the same apply: a CPU and a request policy on this load balancer's
    // target group, scale-in on, a 10-minute warmup.
    let label = format!(
        "{}/{}",
        s["load_balancer_arn_suffix"].as_str().unwrap(),
        s["target_group_arn_suffix"].as_str().unwrap()
    );
    assert_eq!(
        aws.policies(&name).await.into_iter().collect::<Vec<_>>(),
        vec![
            (
                format!("{name}-cpu"),
                (
                    "ASGAverageCPUUtilization".to_string(),
                    50.0,
                    false,
                    None,
                    true
                )
            ),
            (
                format!("{name}-requests"),
                (
                    "ALBRequestCountPerTarget".to_string(),
                    1000.0,
                    false,
                    Some(label),
                    true
                )
            ),
        ]
    );
    assert_eq!(aws.group(&name).await.default_instance_warmup, Some(600));
    // A request policy deleted outside Terraform is drift on the block's attribute.
    aws.asg
        .delete_policy()
        .auto_scaling_group_name(&name)
        .policy_name(format!("{name}-requests"))
        .send()
        .await
        .unwrap();
    repaired(
        &tf,
        &[
            ("+ requests_per_target", "= 1000"),
            ("\"scaling\"", "-> \"pass\""),
        ],
        "the request policy",
    );
    assert_eq!(aws.policies(&name).await.len(), 2);
    // Several instance types, half the capacity above one on-demand instance on spot: a
    // mixed-instances policy over the same template version, the instances rolled onto it.
    let day2 = format!("max_size = 4\ndesired_capacity = 2\nhealth_check {{\n  path     = \"/ready\"\n  interval = 30\n}}\n{SCALING}\n{MIX}");
    tf.write(&dev(&day2));
    let refreshes = aws.refreshes(&name).await;
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0, "one apply for the mix");
    let g = aws.group(&name).await;
    let mix = g.mixed_instances_policy.clone().unwrap();
    let lt = mix.launch_template.unwrap();
    assert_eq!(
        lt.overrides
            .unwrap()
            .into_iter()
            .map(|o| o.instance_type.unwrap())
            .collect::<Vec<_>>(),
        vec!["m6i.large", "m7i.large"]
    );
    assert_eq!(
        lt.launch_template_specification.unwrap().version.as_deref(),
        Some("1"),
        "the template version stays"
    );
    let dist = mix.instances_distribution.unwrap();
    assert_eq!(
        (
            dist.on_demand_base_capacity,
            dist.on_demand_percentage_above_base_capacity,
            dist.spot_allocation_strategy.as_deref(),
            dist.on_demand_allocation_strategy.as_deref()
        ),
        (
            Some(1),
            Some(50),
            Some("price-capacity-optimized"),
            Some("prioritized")
        )
    );
    // What the group launches now: the first type (the on-demand order is the list's).
    let before: BTreeSet<String> = g
        .instances
        .unwrap()
        .into_iter()
        .filter_map(|i| i.instance_id)
        .collect();
    let set_desired = |n: i32| {
        aws.asg
            .set_desired_capacity()
            .auto_scaling_group_name(&name)
            .desired_capacity(n)
            .send()
    };
    set_desired(3).await.unwrap();
    let launched: Vec<_> = aws
        .group(&name)
        .await
        .instances
        .unwrap()
        .into_iter()
        .filter(|i| !before.contains(i.instance_id.as_deref().unwrap()))
        .collect();
    assert_eq!(launched.len(), 1, "{launched:?}");
    assert_eq!(launched[0].instance_type.as_deref(), Some("m6i.large"));
    assert_eq!(tf.plan_code(&[]).code, 0, "scaling out is not drift");
    set_desired(2).await.unwrap();
    assert_eq!(
        aws.refreshes(&name).await,
        refreshes + 1,
        "a new list of types rolls the instances"
    );
    // The policy removed outside Terraform is drift on instance_types, repaired by apply.
    aws.asg
        .update_auto_scaling_group()
        .auto_scaling_group_name(&name)
        .launch_template(
            aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder()
                .launch_template_id(s["launch_template_id"].as_str().unwrap())
                .version("1")
                .build(),
        )
        .send()
        .await
        .unwrap();
    repaired(
        &tf,
        &[("+ instance_types", "[")],
        "the mixed-instances policy",
    );
    assert!(aws.group(&name).await.mixed_instances_policy.is_some());
    // Spot picked by price alone, outside Terraform: no attribute says it, posture does.
    // (Sent back as read, the template named by its id alone: AWS takes one of id and name.)
    let live = aws.group(&name).await.mixed_instances_policy.unwrap();
    let (lt, d) = (
        live.launch_template.unwrap(),
        live.instances_distribution.unwrap(),
    );
    let spec = lt.launch_template_specification.unwrap();
    use aws_sdk_autoscaling::types as asg;
    let mix = asg::MixedInstancesPolicy::builder()
        .launch_template(
            asg::LaunchTemplate::builder()
                .launch_template_specification(
                    asg::LaunchTemplateSpecification::builder()
                        .set_launch_template_id(spec.launch_template_id)
                        .set_version(spec.version)
                        .build(),
                )
                .set_overrides(lt.overrides)
                .build(),
        )
        .instances_distribution(
            asg::InstancesDistribution::builder()
                .set_on_demand_allocation_strategy(d.on_demand_allocation_strategy)
                .set_on_demand_base_capacity(d.on_demand_base_capacity)
                .set_on_demand_percentage_above_base_capacity(
                    d.on_demand_percentage_above_base_capacity,
                )
                .spot_allocation_strategy("lowest-price")
                .build(),
        )
        .build();
    aws.asg
        .update_auto_scaling_group()
        .auto_scaling_group_name(&name)
        .mixed_instances_policy(mix)
        .send()
        .await
        .unwrap();
    repaired(
        &tf,
        &[("\"instance_mix\"", "-> \"pass\"")],
        "the spot strategy",
    );
    assert_eq!(
        aws.group(&name)
            .await
            .mixed_instances_policy
            .and_then(|m| m.instances_distribution)
            .and_then(|d| d.spot_allocation_strategy)
            .as_deref(),
        Some("price-capacity-optimized")
    );
    // A health check changed outside Terraform is drift: the plan shows it, apply puts it back.
    aws.elb
        .modify_target_group()
        .target_group_arn(tg.target_group_arn.clone().unwrap())
        .health_check_interval_seconds(60)
        .send()
        .await
        .unwrap();
    repaired(&tf, &[("interval", "60 -> 30")], "the health check");
    let tg = aws.target_group(&name).await;
    assert_eq!(tg.health_check_interval_seconds, Some(30));
    // A tag change reaches every object.
    tf.write(&dev(&format!("{day2}\ntags = {{ team = \"web\" }}")));
    tf.apply(&[]);
    let lb_tags = aws.lb_tags(s["load_balancer_arn"].as_str().unwrap()).await;
    assert!(
        lb_tags
            .iter()
            .any(|t| t.key.as_deref() == Some("team") && t.value.as_deref() == Some("web")),
        "{lb_tags:?}"
    );
    let role_tags = aws
        .iam
        .list_role_tags()
        .role_name(format!("{name}-instance"))
        .send()
        .await
        .unwrap()
        .tags;
    assert!(
        role_tags
            .iter()
            .any(|t| t.key == "team" && t.value == "web"),
        "{role_tags:?}"
    );
    let g = aws.group(&name).await;
    assert!(g
        .tags
        .unwrap()
        .iter()
        .any(|t| t.key.as_deref() == Some("team")));
    let gate = format!("{name}-rollout-5xx");
    assert_eq!(
        env::alarm_tag(&aws.cw, &gate, "team").await.as_deref(),
        Some("web"),
        "the gate alarms too"
    );
    assert_eq!(tf.plan_code(&[]).code, 0);
    // ...and a removed tag leaves them.
    tf.write(&dev("max_size = 4\ndesired_capacity = 2\nhealth_check {\n  path     = \"/ready\"\n  interval = 30\n}\ntags = { owner = \"ops\" }"));
    tf.apply(&[]);
    let lb_tags = aws.lb_tags(s["load_balancer_arn"].as_str().unwrap()).await;
    assert!(
        !lb_tags.iter().any(|t| t.key.as_deref() == Some("team")),
        "{lb_tags:?}"
    );
    let g = aws.group(&name).await;
    assert!(!g
        .tags
        .unwrap()
        .iter()
        .any(|t| t.key.as_deref() == Some("team")));
    assert_eq!(env::alarm_tag(&aws.cw, &gate, "team").await, None);
    assert_eq!(
        env::alarm_tag(&aws.cw, &gate, "owner").await.as_deref(),
        Some("ops")
    );
    assert_eq!(tf.plan_code(&[]).code, 0);

    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        sweep::aws().await.cluster(&name).await,
        Vec::<String>::new()
    );
    // Development leaves nothing: the log bucket is emptied (every version) and deleted.
    assert_eq!(
        sweep::aws().await.logs_buckets(&name).await,
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn failure_half_way_through_create_loses_nothing() {
    let aws = aws().await;
    let name = env::unique("e2e-pcl");
    let cert = aws.certificate("p.example.com").await;
    let (image, _) = two_images().await;
    let subnets = aws.subnets(&["us-east-1a", "us-east-1b"]).await;
    // Load balancing unreachable: key, log group, role and security groups get made, then it fails.
    let good = bare(&name, "development", &image, &cert, &subnets, &subnets, "");
    let broken = env::with_unreachable(&good, "development", "elbv2");
    let tf = Tf::new(&broken);
    tf.init();
    let r = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(
        r.all().contains("prod_cluster: create failed") && r.all().contains("target group"),
        "{}",
        r.all()
    );
    let inst = &tf.first_instance();
    assert_eq!(inst["status"], "tainted", "{inst}");
    for role in [
        "kms_key",
        "log_group",
        "instance_role",
        "instance_profile",
        "security_group_lb",
        "security_group_app",
    ] {
        assert!(
            inst["attributes"]["components"][role].is_string(),
            "{role} recorded: {inst}"
        );
    }
    tf.write(&good);
    let r = tf.apply(&[]);
    assert!(
        r.stdout.contains("1 added, 0 changed, 1 destroyed"),
        "{}",
        r.stdout
    );
    assert_eq!(tf.plan_code(&[]).code, 0);
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        sweep::aws().await.cluster(&name).await,
        Vec::<String>::new()
    );
}

fn watched(name: &str, image: &str, cert: &str, subnets: &[String], desired: i64) -> String {
    bare(
        name,
        "development",
        image,
        cert,
        subnets,
        subnets,
        &format!("min_size = 2\n  max_size = 6\n  desired_capacity = {desired}"),
    ) + &format!(
        r#"
resource "prod_alerting" "ops" {{
  name        = "{name}-ops"
  cluster_ids = [prod_cluster.web.id]
}}
"#
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn alerting_watches_a_cluster_with_the_compute_pack() {
    let aws = aws().await;
    let cw = aws_sdk_cloudwatch::Client::new(&env::sdk_config().await);
    let name = env::unique("e2e-wcl");
    let cert = aws.certificate("w.example.com").await;
    let (image, _) = two_images().await;
    let subnets = aws.subnets(&["us-east-1a", "us-east-1b"]).await;
    let tf = Tf::new(&watched(&name, &image, &cert, &subnets, 4));
    tf.init();
    let p = tf.plan_code(&[]);
    assert!(
        p.stdout.contains(&format!(
            "\"{name}-ops-cluster-{name}-in-service-critical\""
        )),
        "pack alarms named in the plan:\n{}",
        p.stdout
    );
    tf.apply(&[]);
    let s = attrs(&tf, "prod_alerting.ops");
    assert_eq!(s["alarm_names"].as_array().unwrap().len(), 14);
    assert!(env::all_pass(&s["posture"]), "{}", s["posture"]);
    let alarm = |suffix: &str| {
        let (cw, full) = (cw.clone(), format!("{name}-ops-cluster-{name}-{suffix}"));
        async move { env::alarm(&cw, &full).await }
    };
    let a = alarm("in-service-warning").await;
    assert_eq!(
        (
            a.metric_name.as_deref(),
            a.threshold,
            a.comparison_operator.unwrap().as_str()
        ),
        (
            Some("GroupInServiceInstances"),
            Some(4.0),
            "LessThanThreshold"
        )
    );
    assert_eq!(a.treat_missing_data.as_deref(), Some("breaching"));
    assert_eq!(
        a.alarm_actions.unwrap(),
        vec![s["warning_topic_arn"].as_str().unwrap().to_string()]
    );
    let a = alarm("in-service-critical").await;
    assert_eq!((a.threshold, a.evaluation_periods), (Some(2.0), Some(2)));
    assert_eq!(
        a.alarm_actions.unwrap(),
        vec![s["critical_topic_arn"].as_str().unwrap().to_string()]
    );
    let a = alarm("unhealthy-hosts-critical").await;
    assert_eq!(a.threshold, Some(2.0));
    let dims: Vec<String> = a
        .dimensions
        .unwrap()
        .into_iter()
        .filter_map(|d| d.name)
        .collect();
    assert!(
        dims.contains(&"TargetGroup".to_string()) && dims.contains(&"LoadBalancer".to_string())
    );
    let a = alarm("p99-latency-critical").await;
    assert_eq!(
        (a.extended_statistic.as_deref(), a.threshold),
        (Some("p99"), Some(0.5))
    );
    let a = alarm("5xx-share-critical").await;
    assert_eq!(a.threshold, Some(5.0));
    assert!(
        a.metrics
            .unwrap_or_default()
            .iter()
            .any(|m| m.expression.as_deref().is_some_and(|e| e.contains("m3"))),
        "5xx share is metric math"
    );
    assert_eq!(tf.plan_code(&[]).code, 0, "second plan");

    // The thresholds follow the cluster's configured capacity (not scaling's live value).
    aws.asg
        .set_desired_capacity()
        .auto_scaling_group_name(&name)
        .desired_capacity(6)
        .send()
        .await
        .unwrap();
    assert_eq!(tf.plan_code(&[]).code, 0, "scaling moves no threshold");

    // A minimum lowered outside Terraform is drift the cluster repairs; the pack's thresholds stay
    // those of the configured minimum.
    let configured_min = aws.group(&name).await.min_size;
    aws.asg
        .update_auto_scaling_group()
        .auto_scaling_group_name(&name)
        .min_size(1)
        .send()
        .await
        .unwrap();
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2, "{}", p.all());
    assert!(
        p.shows("min_size", &format!("1 -> {}", configured_min.unwrap())),
        "{}",
        p.stdout
    );
    assert!(
        !p.stdout.contains("prod_alerting.ops will be updated"),
        "the pack does not follow the drift:\n{}",
        p.stdout
    );
    tf.apply(&[]);
    assert_eq!(tf.plan_code(&[]).code, 0, "drift repaired");
    tf.write(&watched(&name, &image, &cert, &subnets, 6));
    tf.apply(&[]);
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2, "the pack follows the new capacity: {}", p.all());
    assert!(p.shows("\"alarms\"", "-> \"pass\""), "{}", p.stdout);
    tf.apply(&[]);
    assert_eq!(alarm("in-service-warning").await.threshold, Some(6.0));
    assert_eq!(alarm("unhealthy-hosts-critical").await.threshold, Some(3.0));
    assert_eq!(tf.plan_code(&[]).code, 0);

    // Import finds the watched cluster through the pack's alarms.
    tf.run(&["state", "rm", "prod_alerting.ops"]).ok();
    tf.run(&[
        "import",
        "-no-color",
        "prod_alerting.ops",
        &format!("{name}-ops"),
    ])
    .ok();
    assert_eq!(
        attrs(&tf, "prod_alerting.ops")["cluster_ids"],
        serde_json::json!([name.clone()])
    );
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 0, "plan after import: {}", p.all());

    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        env::alarm_names(&cw, &format!("{name}-ops-")).await,
        Vec::<String>::new(),
        "alarms left"
    );
    assert_eq!(
        sweep::aws().await.cluster(&name).await,
        Vec::<String>::new()
    );
}

/// Two images with the usual root device.
async fn two_images() -> (String, String) {
    let imgs = examples::images(&aws().await).await;
    (imgs[0].clone(), imgs[1].clone())
}

/// A production rollout as AWS was asked for it and as it ended: the new version as the desired
/// configuration, the profile's checkpoints and bake time, matching instances skipped, the
/// cluster's two gate alarms with automatic rollback; it succeeded, and state says the version
/// serving.
fn gated_rollout_succeeded(
    r: &aws_sdk_autoscaling::types::InstanceRefresh,
    name: &str,
    version: i64,
    state: &serde_json::Value,
) {
    let p = r.preferences.as_ref().unwrap();
    assert_eq!(
        p.checkpoint_percentages.as_deref(),
        Some(&[10, 50, 100][..])
    );
    assert_eq!(p.checkpoint_delay, Some(300), "bake time 5m");
    assert_eq!((p.skip_matching, p.auto_rollback), (Some(true), Some(true)));
    let gates = vec![
        format!("{name}-rollout-5xx"),
        format!("{name}-rollout-unhealthy"),
    ];
    assert_eq!(
        p.alarm_specification
            .as_ref()
            .and_then(|a| a.alarms.clone()),
        Some(gates.clone())
    );
    let desired = r.desired_configuration.as_ref().unwrap();
    assert_eq!(
        desired
            .launch_template
            .as_ref()
            .and_then(|t| t.version.as_deref()),
        Some(version.to_string().as_str())
    );
    assert_eq!(r.status.as_ref().map(|s| s.as_str()), Some("Successful"));
    assert_eq!(state["serving_launch_template_version"], version);
    assert_eq!(state["rollout_status"], "idle");
    assert_eq!(state["gate_alarm_names"], serde_json::json!(gates));
    assert_eq!(state["posture"]["rollout_gates"], "pass");
}

#[tokio::test(flavor = "multi_thread")]
async fn production_rollout_whose_gate_fires_rolls_back_and_fails_the_apply() {
    let aws = aws().await;
    let cw = aws_sdk_cloudwatch::Client::new(&env::sdk_config().await);
    let name = env::unique("e2e-ro");
    let cert = aws.certificate("web.example.com").await;
    let (image, image2) = two_images().await;
    let tf = Tf::new(&stack(&name, "production", &image, &cert, ""));
    tf.init();
    tf.apply(&[]);
    let s = attrs(&tf, "prod_cluster.web");
    assert_eq!(s["rollout_status"], "idle");
    assert_eq!(s["serving_launch_template_version"], 1);

    // The gate alarms are the compute pack's critical 5xx share and unhealthy hosts of this
    // cluster, made by the cluster itself, without actions.
    let gate_5xx = format!("{name}-rollout-5xx");
    let a = env::alarm(&cw, &gate_5xx).await;
    assert_eq!(a.threshold, Some(5.0));
    assert_eq!(a.evaluation_periods, Some(5));
    assert!(a.alarm_actions.unwrap_or_default().is_empty());
    let u = env::alarm(&cw, &format!("{name}-rollout-unhealthy")).await;
    assert_eq!(u.metric_name.as_deref(), Some("UnHealthyHostCount"));
    assert_eq!(
        u.threshold,
        Some(2.0),
        "half the desired capacity of 3, rounded up"
    );
    assert_eq!(
        s["components"]["gate_alarm_5xx"].as_str(),
        Some(gate_5xx.as_str())
    );

    // The gate fires while the new image rolls out: AWS rolls back, the apply fails naming the
    // alarm and the version serving again, and the next plan shows the rollout again.
    cw.set_alarm_state()
        .alarm_name(&gate_5xx)
        .state_value(aws_sdk_cloudwatch::types::StateValue::Alarm)
        .state_reason("5xx share above 5 % (test)")
        .send()
        .await
        .unwrap();
    tf.write(&stack(&name, "production", &image2, &cert, ""));
    let r = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_ne!(r.code, 0, "the rollout rolled back: {}", r.all());
    let said = r.all().replace('\n', " ");
    assert!(said.contains(&gate_5xx), "{said}");
    assert!(said.contains("Version 1 serves again"), "{said}");
    // AWS rolled back: the refresh says so, and every instance runs version 1 again.
    let newest = env::instance_refreshes(&aws.asg, &name).await.remove(0);
    assert_eq!(
        newest.status.as_ref().map(|s| s.as_str()),
        Some("RollbackSuccessful")
    );
    assert!(
        newest
            .rollback_details
            .and_then(|d| d.rollback_reason)
            .is_some_and(|r| r.contains(&gate_5xx)),
        "AWS names the alarm"
    );
    let g = aws.group(&name).await;
    assert_eq!(g.launch_template.unwrap().version.as_deref(), Some("1"));
    let versions: Vec<Option<String>> = g
        .instances
        .unwrap_or_default()
        .into_iter()
        .map(|i| i.launch_template.and_then(|t| t.version))
        .collect();
    assert!(!versions.is_empty());
    assert!(
        versions.iter().all(|v| v.as_deref() == Some("1")),
        "every instance back on version 1: {versions:?}"
    );
    let s = attrs(&tf, "prod_cluster.web");
    assert_eq!(s["serving_launch_template_version"], 1);
    assert_eq!(s["launch_template_version"], 1);
    assert_eq!(s["rollout_status"], format!("rolled_back: {gate_5xx}"));
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2, "the rollout shows again: {}", p.all());
    assert!(p.stdout.contains(&image2), "{}", p.stdout);

    // The alarm clears: one apply rolls the new version out, and the plan is empty.
    cw.set_alarm_state()
        .alarm_name(&gate_5xx)
        .state_value(aws_sdk_cloudwatch::types::StateValue::Ok)
        .state_reason("recovered (test)")
        .send()
        .await
        .unwrap();
    tf.apply(&[]);
    let s = attrs(&tf, "prod_cluster.web");
    let g = aws.group(&name).await;
    let running = g.launch_template.unwrap().version.unwrap();
    assert_eq!(s["serving_launch_template_version"].to_string(), running);
    assert_ne!(running, "1");
    assert_eq!(s["rollout_status"], "idle");
    assert_eq!(tf.plan_code(&[]).code, 0, "one apply rolled it out");

    // A gate alarm deleted outside Terraform is drift, repaired by apply.
    cw.delete_alarms()
        .alarm_names(&gate_5xx)
        .send()
        .await
        .unwrap();
    repaired(
        &tf,
        &[("\"rollout_gates\"", "-> \"pass\"")],
        "the deleted gate alarm",
    );
    assert_eq!(env::alarm(&cw, &gate_5xx).await.threshold, Some(5.0));

    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert!(
        env::alarm_names(&cw, &format!("{name}-rollout-"))
            .await
            .is_empty(),
        "destroy removes the gates"
    );
    let sweep = sweep::aws().await;
    assert_eq!(sweep.cluster(&name).await, Vec::<String>::new());
    sweep.remove_logs_buckets(&name).await;
}
