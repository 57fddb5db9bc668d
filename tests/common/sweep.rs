//! The AWS clients the end-to-end tests look through, and the sweeps after destroy: every kind of
//! object each resource makes, found by name or tag through the AWS API, never by the ids in state.
//! Nothing may be left but final snapshots and keys pending deletion.

use aws_sdk_ec2::types::Filter;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::env;

pub struct Aws {
    pub ec2: aws_sdk_ec2::Client,
    pub asg: aws_sdk_autoscaling::Client,
    pub elb: aws_sdk_elasticloadbalancingv2::Client,
    pub iam: aws_sdk_iam::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub rds: aws_sdk_rds::Client,
    pub ec: aws_sdk_elasticache::Client,
    pub sm: aws_sdk_secretsmanager::Client,
    pub sns: aws_sdk_sns::Client,
    pub cw: aws_sdk_cloudwatch::Client,
    pub kms: aws_sdk_kms::Client,
    pub acm: aws_sdk_acm::Client,
    pub waf: aws_sdk_wafv2::Client,
    pub s3: aws_sdk_s3::Client,
    pub backup: aws_sdk_backup::Client,
}

/// Does the object a describe asked for exist? Gone means AWS said so (a "not found" code, IAM's
/// `NoSuchEntity`); any other error (throttling, a refused call, no answer) fails the test instead of
/// counting as gone.
pub fn exists<T, E>(r: Result<T, E>) -> bool
where
    E: ProvideErrorMetadata + std::fmt::Debug,
{
    match r {
        Ok(_) => true,
        Err(e) => {
            let code = e.code().unwrap_or_default().to_string();
            assert!(
                code.contains("NotFound") || code == "NoSuchEntity",
                "a sweep's describe failed instead of answering: {e:?}"
            );
            false
        }
    }
}

/// Destroys what `tf` applied and asserts that no object of alerting set `name` is left.
pub async fn destroy_alerting(tf: &super::tf::Tf, name: &str) {
    tf.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(aws().await.alerting(name).await, Vec::<String>::new());
}

pub async fn aws() -> Aws {
    Aws::from_config(&env::sdk_config().await)
}

/// Clients of the local AWS in `region` (a second region's objects).
pub async fn aws_in(region: &str) -> Aws {
    let c = env::sdk_config()
        .await
        .to_builder()
        .region(aws_config::Region::new(region.to_string()))
        .build();
    Aws::from_config(&c)
}

impl Aws {
    /// Clients of another local AWS or identity.
    pub fn at(endpoint: &str, key: &str, secret: &str) -> Aws {
        let c = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(aws_sdk_sns::config::SharedCredentialsProvider::new(
                aws_sdk_sns::config::Credentials::new(key, secret, None, None, "e2e"),
            ))
            .build();
        Aws::from_config(&c)
    }

    fn from_config(c: &aws_config::SdkConfig) -> Aws {
        Aws {
            ec2: aws_sdk_ec2::Client::new(c),
            backup: aws_sdk_backup::Client::new(c),
            asg: aws_sdk_autoscaling::Client::new(c),
            elb: aws_sdk_elasticloadbalancingv2::Client::new(c),
            iam: aws_sdk_iam::Client::new(c),
            logs: aws_sdk_cloudwatchlogs::Client::new(c),
            rds: aws_sdk_rds::Client::new(c),
            ec: aws_sdk_elasticache::Client::new(c),
            sm: aws_sdk_secretsmanager::Client::new(c),
            sns: aws_sdk_sns::Client::new(c),
            cw: aws_sdk_cloudwatch::Client::new(c),
            kms: aws_sdk_kms::Client::new(c),
            acm: aws_sdk_acm::Client::new(c),
            waf: aws_sdk_wafv2::Client::new(c),
            // The local AWS answers S3 on one host: path-style addressing.
            s3: aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(c)
                    .force_path_style(true)
                    .build(),
            ),
        }
    }
}

fn by_tag(name: &str) -> Filter {
    Filter::builder()
        .name("tag:prod:resource")
        .values(format!("prod_network.{name}"))
        .build()
}

/// Whether EC2 tags mark the object as this network's (checked here: the local AWS does not honour
/// every tag filter).
fn ours(tags: Option<&Vec<aws_sdk_ec2::types::Tag>>, name: &str) -> bool {
    let want = format!("prod_network.{name}");
    tags.into_iter().flatten().any(|t| {
        t.key.as_deref() == Some("prod:resource") && t.value.as_deref() == Some(want.as_str())
    })
}

impl Aws {
    /// The VPC endpoints `filter` selects that are not deleted (AWS keeps listing deleted ones for a
    /// while; one still `deleting` counts).
    pub async fn vpc_endpoints(&self, filter: Filter) -> Vec<aws_sdk_ec2::types::VpcEndpoint> {
        self.ec2
            .describe_vpc_endpoints()
            .filters(filter)
            .send()
            .await
            .unwrap()
            .vpc_endpoints
            .unwrap_or_default()
            .into_iter()
            .filter(|v| {
                let state = v.state.as_ref().map(|s| s.as_str().to_ascii_lowercase());
                state.as_deref() != Some("deleted")
            })
            .collect()
    }

    /// The security groups named `group`, in any VPC.
    pub async fn groups_named(&self, group: &str) -> Vec<aws_sdk_ec2::types::SecurityGroup> {
        let named = Filter::builder().name("group-name").values(group).build();
        let out = self.ec2.describe_security_groups().filters(named).send();
        out.await.unwrap().security_groups.unwrap_or_default()
    }

    /// Every DB instance whose identifier starts with `prefix`, as AWS reports it.
    pub async fn db_instances(&self, prefix: &str) -> Vec<aws_sdk_rds::types::DbInstance> {
        let all = self
            .rds
            .describe_db_instances()
            .send()
            .await
            .unwrap()
            .db_instances
            .unwrap_or_default();
        all.into_iter()
            .filter(|i| {
                i.db_instance_identifier
                    .as_deref()
                    .is_some_and(|id| id.starts_with(prefix))
            })
            .collect()
    }

    /// The DB cluster `id` as AWS reports it.
    pub async fn db_cluster(&self, id: &str) -> aws_sdk_rds::types::DbCluster {
        let out = self
            .rds
            .describe_db_clusters()
            .db_cluster_identifier(id)
            .send()
            .await
            .unwrap();
        out.db_clusters.unwrap().remove(0)
    }

    /// Every kind of object the network makes, found by tag or name, not by state.
    pub async fn network(&self, name: &str) -> Vec<String> {
        let mut left = Vec::new();
        let e = &self.ec2;
        left.extend(
            e.describe_vpcs()
                .filters(by_tag(name))
                .send()
                .await
                .unwrap()
                .vpcs
                .unwrap_or_default()
                .into_iter()
                .filter(|v| ours(v.tags.as_ref(), name))
                .filter_map(|v| v.vpc_id),
        );
        left.extend(
            e.describe_subnets()
                .filters(by_tag(name))
                .send()
                .await
                .unwrap()
                .subnets
                .unwrap_or_default()
                .into_iter()
                .filter(|v| ours(v.tags.as_ref(), name))
                .filter_map(|v| v.subnet_id),
        );
        left.extend(
            e.describe_route_tables()
                .filters(by_tag(name))
                .send()
                .await
                .unwrap()
                .route_tables
                .unwrap_or_default()
                .into_iter()
                .filter(|v| ours(v.tags.as_ref(), name))
                .filter_map(|v| v.route_table_id),
        );
        left.extend(
            e.describe_internet_gateways()
                .filters(by_tag(name))
                .send()
                .await
                .unwrap()
                .internet_gateways
                .unwrap_or_default()
                .into_iter()
                .filter(|v| ours(v.tags.as_ref(), name))
                .filter_map(|v| v.internet_gateway_id),
        );
        left.extend(
            e.describe_nat_gateways()
                .filter(by_tag(name))
                .send()
                .await
                .unwrap()
                .nat_gateways
                .unwrap_or_default()
                .into_iter()
                .filter(|n| n.state != Some(aws_sdk_ec2::types::NatGatewayState::Deleted))
                .filter(|n| ours(n.tags.as_ref(), name))
                .filter_map(|v| v.nat_gateway_id),
        );
        left.extend(
            self.vpc_endpoints(by_tag(name))
                .await
                .into_iter()
                .filter(|v| ours(v.tags.as_ref(), name))
                .filter_map(|v| v.vpc_endpoint_id),
        );
        let endpoints_group = self.groups_named(&format!("{name}-endpoints")).await;
        left.extend(endpoints_group.into_iter().filter_map(|g| g.group_id));
        left.extend(
            e.describe_addresses()
                .filters(by_tag(name))
                .send()
                .await
                .unwrap()
                .addresses
                .unwrap_or_default()
                .into_iter()
                .filter(|v| ours(v.tags.as_ref(), name))
                .filter_map(|v| v.allocation_id),
        );
        left.extend(
            self.log_group_names(&format!("/prod/network/{name}/"))
                .await,
        );
        if exists(
            self.iam
                .get_role()
                .role_name(format!("{name}-flow-logs"))
                .send()
                .await,
        ) {
            left.push(format!("role {name}-flow-logs"));
        }
        left.extend(env::live_keys(&self.kms, &format!("prod_network {name}:")).await);
        left
    }

    /// Every kind of object a cluster makes, found by name, not by state.
    pub async fn cluster(&self, name: &str) -> Vec<String> {
        let mut left = Vec::new();
        // The rollout's gate alarms.
        left.extend(
            super::env::alarm_names(&self.cw, &format!("{name}-rollout-"))
                .await
                .into_iter()
                .map(|a| format!("alarm {a}")),
        );
        let groups = self
            .asg
            .describe_auto_scaling_groups()
            .auto_scaling_group_names(name)
            .send()
            .await
            .unwrap()
            .auto_scaling_groups
            .unwrap_or_default();
        left.extend(
            groups
                .into_iter()
                .map(|g| format!("asg {:?}", g.auto_scaling_group_name)),
        );
        if let Ok(o) = self
            .ec2
            .describe_launch_templates()
            .launch_template_names(name)
            .send()
            .await
        {
            left.extend(
                o.launch_templates
                    .unwrap_or_default()
                    .into_iter()
                    .map(|t| format!("template {:?}", t.launch_template_id)),
            );
        }
        if let Ok(o) = self.elb.describe_load_balancers().names(name).send().await {
            left.extend(
                o.load_balancers
                    .unwrap_or_default()
                    .into_iter()
                    .map(|l| format!("lb {:?}", l.load_balancer_arn)),
            );
        }
        if let Ok(o) = self
            .elb
            .describe_target_groups()
            .names(format!("{name}-tg"))
            .send()
            .await
        {
            left.extend(
                o.target_groups
                    .unwrap_or_default()
                    .into_iter()
                    .map(|t| format!("tg {:?}", t.target_group_arn)),
            );
        }
        for sg in [format!("{name}-lb"), format!("{name}-app")] {
            let found = self
                .ec2
                .describe_security_groups()
                .filters(
                    aws_sdk_ec2::types::Filter::builder()
                        .name("group-name")
                        .values(&sg)
                        .build(),
                )
                .send()
                .await
                .unwrap()
                .security_groups
                .unwrap_or_default();
            left.extend(
                found
                    .into_iter()
                    .filter(|g| g.group_name.as_deref() == Some(sg.as_str()))
                    .map(|g| format!("sg {:?}", g.group_id)),
            );
        }
        if exists(
            self.iam
                .get_role()
                .role_name(format!("{name}-instance"))
                .send()
                .await,
        ) {
            left.push(format!("role {name}-instance"));
        }
        if exists(
            self.iam
                .get_instance_profile()
                .instance_profile_name(format!("{name}-instance"))
                .send()
                .await,
        ) {
            left.push(format!("instance profile {name}-instance"));
        }
        left.extend(self.log_group_names(&format!("/prod/cluster/{name}")).await);
        left.extend(self.web_acl_objects(name).await);
        left.extend(env::live_keys(&self.kms, &format!("prod_cluster {name}:")).await);
        left
    }

    /// The cluster's web ACL, its IP set and its log group, found by name (every page of the
    /// web ACL and IP set listings).
    async fn web_acl_objects(&self, name: &str) -> Vec<String> {
        let scope = aws_sdk_wafv2::types::Scope::Regional;
        let mut left = Vec::new();
        let set = format!("{name}-allowed");
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .waf
                .list_web_acls()
                .scope(scope.clone())
                .set_next_marker(marker.take())
                .send()
                .await
                .unwrap();
            left.extend(
                page.web_acls
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|a| a.name.as_deref() == Some(name))
                    .map(|a| format!("web acl {:?}", a.arn)),
            );
            marker = page.next_marker.filter(|m| !m.is_empty());
            if marker.is_none() {
                break;
            }
        }
        loop {
            let page = self
                .waf
                .list_ip_sets()
                .scope(scope.clone())
                .set_next_marker(marker.take())
                .send()
                .await
                .unwrap();
            left.extend(
                page.ip_sets
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|s| s.name.as_deref() == Some(set.as_str()))
                    .map(|s| format!("ip set {:?}", s.arn)),
            );
            marker = page.next_marker.filter(|m| !m.is_empty());
            if marker.is_none() {
                break;
            }
        }
        let group = format!("aws-waf-logs-{name}");
        left.extend(
            self.log_group_names(&group)
                .await
                .into_iter()
                .filter(|g| *g == group),
        );
        left
    }

    /// The log buckets `<name>-lb-logs-<account>` of cluster `name`: what a destroy outside
    /// development keeps on purpose (like final snapshots, not counted by [`Aws::cluster`]).
    pub async fn logs_buckets(&self, name: &str) -> Vec<String> {
        let prefix = format!("{}-lb-logs-", name.to_ascii_lowercase());
        let mut out: Vec<String> = self
            .s3
            .list_buckets()
            .send()
            .await
            .unwrap()
            .buckets
            .unwrap_or_default()
            .into_iter()
            .filter_map(|b| b.name)
            .filter(|b| b.starts_with(&prefix))
            .collect();
        out.sort();
        out
    }

    /// Removes the log buckets a destroy kept (every object version, then the bucket).
    pub async fn remove_logs_buckets(&self, name: &str) {
        for bucket in self.logs_buckets(name).await {
            let listed = self
                .s3
                .list_object_versions()
                .bucket(&bucket)
                .send()
                .await
                .unwrap();
            let versions = listed
                .versions
                .unwrap_or_default()
                .into_iter()
                .map(|v| (v.key, v.version_id));
            let markers = listed
                .delete_markers
                .unwrap_or_default()
                .into_iter()
                .map(|m| (m.key, m.version_id));
            for (key, version) in versions.chain(markers) {
                self.s3
                    .delete_object()
                    .bucket(&bucket)
                    .key(key.unwrap())
                    .set_version_id(version)
                    .send()
                    .await
                    .unwrap();
            }
            self.s3
                .delete_bucket()
                .bucket(&bucket)
                .send()
                .await
                .unwrap();
        }
    }

    /// Every kind of object the database makes, found by name: nothing may be left but final
    /// snapshots and keys pending deletion.
    pub async fn database(&self, name: &str) -> Vec<String> {
        let mut left = Vec::new();
        let all = self.db_instances("").await;
        left.extend(
            all.into_iter()
                .filter_map(|i| i.db_instance_identifier)
                .filter(|i| {
                    i == name
                        || i == &format!("{name}-writer")
                        || i.starts_with(&format!("{name}-replica-"))
                })
                .map(|i| format!("instance {i}")),
        );
        let clusters = self
            .rds
            .describe_db_clusters()
            .send()
            .await
            .unwrap()
            .db_clusters
            .unwrap_or_default();
        left.extend(
            clusters
                .into_iter()
                .filter_map(|c| c.db_cluster_identifier)
                .filter(|c| c == name)
                .map(|c| format!("cluster {c}")),
        );
        let cluster_groups = self
            .rds
            .describe_db_cluster_parameter_groups()
            .send()
            .await
            .unwrap()
            .db_cluster_parameter_groups
            .unwrap_or_default();
        left.extend(
            cluster_groups
                .into_iter()
                .filter_map(|g| g.db_cluster_parameter_group_name)
                .filter(|g| g.starts_with(&format!("{name}-aurora")))
                .map(|g| format!("cluster parameter group {g}")),
        );
        if exists(
            self.rds
                .describe_db_subnet_groups()
                .db_subnet_group_name(name)
                .send()
                .await,
        ) {
            left.push(format!("subnet group {name}"));
        }
        let groups = self
            .rds
            .describe_db_parameter_groups()
            .send()
            .await
            .unwrap()
            .db_parameter_groups
            .unwrap_or_default();
        left.extend(
            groups
                .into_iter()
                .filter_map(|g| g.db_parameter_group_name)
                .filter(|g| {
                    g.starts_with(&format!("{name}-postgres"))
                        || g.starts_with(&format!("{name}-mysql"))
                })
                .map(|g| format!("parameter group {g}")),
        );
        // The database's group and its proxy's.
        let sgs = self
            .ec2
            .describe_security_groups()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("group-name")
                    .values(format!("{name}-db"))
                    .values(format!("{name}-proxy"))
                    .values(format!("{name}-restorecheck"))
                    .build(),
            )
            .send()
            .await
            .unwrap()
            .security_groups
            .unwrap_or_default();
        left.extend(
            sgs.into_iter()
                .filter(|g| {
                    g.group_name.as_deref() == Some(&format!("{name}-db"))
                        || g.group_name.as_deref() == Some(&format!("{name}-proxy"))
                        || g.group_name.as_deref() == Some(&format!("{name}-restorecheck"))
                })
                .map(|g| format!("sg {:?} {:?}", g.group_name, g.group_id)),
        );
        for role in [
            format!("{name}-rds-monitoring"),
            format!("{name}-rds-proxy"),
            format!("{name}-db-backup"),
        ] {
            if exists(self.iam.get_role().role_name(&role).send().await) {
                left.push(format!("role {role}"));
            }
        }
        if exists(
            self.rds
                .describe_db_proxies()
                .db_proxy_name(name)
                .send()
                .await,
        ) {
            left.push(format!("db proxy {name}"));
        }
        left.extend(self.restore_check_leftovers(name).await);
        left.extend(self.audit_option_groups(name).await);
        left.extend(self.database_log_groups(name).await);
        left.extend(env::live_keys(&self.kms, &format!("prod_database_ha {name}:")).await);
        left
    }

    /// What restore verification of database `name` left: its backup plan, restore testing plan,
    /// and its vault unless the vault holds recovery points (kept for their retention, as the
    /// docs list).
    pub async fn restore_check_leftovers(&self, name: &str) -> Vec<String> {
        let mut left = Vec::new();
        let plans = self
            .backup
            .list_backup_plans()
            .send()
            .await
            .unwrap()
            .backup_plans_list
            .unwrap_or_default();
        left.extend(
            plans
                .into_iter()
                .filter(|p| p.backup_plan_name.as_deref() == Some(name))
                .map(|p| format!("backup plan {:?}", p.backup_plan_id)),
        );
        let test_plan = name.replace('-', "_");
        if exists(
            self.backup
                .get_restore_testing_plan()
                .restore_testing_plan_name(&test_plan)
                .send()
                .await,
        ) {
            left.push(format!("restore testing plan {test_plan}"));
        }
        match self
            .backup
            .describe_backup_vault()
            .backup_vault_name(name)
            .send()
            .await
        {
            Ok(v) if v.number_of_recovery_points == 0 => {
                left.push(format!("backup vault {name} (empty)"))
            }
            Ok(_) => {}
            // Gone; any other error fails the test.
            Err(e) => assert!(!exists::<(), _>(Err(e))),
        }
        left
    }

    /// The groups of a database's exported logs, unless a final snapshot was taken: then they are
    /// kept beside it (its audit trail), as the decommissioning guide lists.
    async fn database_log_groups(&self, name: &str) -> Vec<String> {
        if !self.final_snapshots(name).await.is_empty() {
            return Vec::new();
        }
        let mut left = Vec::new();
        for prefix in [
            format!("/aws/rds/instance/{name}/"),
            format!("/aws/rds/instance/{name}-replica-"),
            format!("/aws/rds/cluster/{name}/"),
        ] {
            left.extend(
                self.log_group_names(&prefix)
                    .await
                    .into_iter()
                    .map(|g| format!("log group {g}")),
            );
        }
        left
    }

    /// RDS MySQL's audit option groups `<name>-audit-mysql…` no snapshot was taken with: AWS keeps
    /// (and the docs list) only those a final snapshot or kept automated backups need.
    async fn audit_option_groups(&self, name: &str) -> Vec<String> {
        let groups = self
            .rds
            .describe_option_groups()
            .engine_name("mysql")
            .send()
            .await
            .unwrap()
            .option_groups_list
            .unwrap_or_default();
        let snapshots = self.db_snapshots().await;
        groups
            .into_iter()
            .filter_map(|g| g.option_group_name)
            .filter(|g| g.starts_with(&format!("{name}-audit-mysql")))
            .filter(|g| {
                !snapshots
                    .iter()
                    .any(|s| s.option_group_name.as_deref() == Some(g.as_str()))
            })
            .map(|g| format!("option group {g}"))
            .collect()
    }

    /// Every kind of object the resource makes, found by name: nothing may be left but final
    /// snapshots and keys pending deletion.
    pub async fn redis(&self, name: &str) -> Vec<String> {
        let mut left = Vec::new();
        if exists(
            self.ec
                .describe_replication_groups()
                .replication_group_id(name)
                .send()
                .await,
        ) {
            left.push(format!("replication group {name}"));
        }
        if exists(
            self.ec
                .describe_cache_subnet_groups()
                .cache_subnet_group_name(name)
                .send()
                .await,
        ) {
            left.push(format!("subnet group {name}"));
        }
        if exists(
            self.ec
                .describe_cache_parameter_groups()
                .cache_parameter_group_name(name)
                .send()
                .await,
        ) {
            left.push(format!("parameter group {name}"));
        }
        let sg_name = format!("{name}-redis");
        let sgs = self
            .ec2
            .describe_security_groups()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("group-name")
                    .values(&sg_name)
                    .build(),
            )
            .send()
            .await
            .unwrap()
            .security_groups
            .unwrap_or_default();
        left.extend(
            sgs.into_iter()
                .filter(|g| g.group_name.as_deref() == Some(&sg_name))
                .map(|g| format!("sg {:?}", g.group_id)),
        );
        if exists(
            self.sm
                .describe_secret()
                .secret_id(format!("{name}-auth"))
                .send()
                .await,
        ) {
            left.push(format!("secret {name}-auth"));
        }
        left.extend(env::live_keys(&self.kms, &format!("prod_redis_cluster {name}:")).await);
        left
    }

    /// Every object of any kind the resource makes, looked up by name, not by state.
    pub async fn alerting(&self, name: &str) -> Vec<String> {
        let mut left = Vec::new();
        // Every page: an account holds more topics than one ListTopics answer (100) carries.
        let mut topics = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page = self
                .sns
                .list_topics()
                .set_next_token(next.take())
                .send()
                .await
                .unwrap();
            topics.extend(page.topics.unwrap_or_default());
            match page.next_token {
                Some(t) if !t.is_empty() => next = Some(t),
                _ => break,
            }
        }
        for t in topics {
            let arn = t.topic_arn.unwrap_or_default();
            if arn.contains(&format!(":{name}-")) {
                left.push(arn);
            }
        }
        let alarms = self
            .cw
            .describe_alarms()
            .alarm_name_prefix(format!("{name}-"))
            .send()
            .await
            .unwrap();
        left.extend(
            alarms
                .metric_alarms
                .unwrap_or_default()
                .into_iter()
                .filter_map(|a| a.alarm_name),
        );
        left.extend(
            self.alias_names()
                .await
                .into_iter()
                .filter(|a| a == &format!("alias/{name}-alerting")),
        );
        // The event subscriptions of its watched databases (`<name>-db-<database>`), every page.
        let mut marker = None;
        loop {
            let page = self
                .rds
                .describe_event_subscriptions()
                .set_marker(marker)
                .send()
                .await
                .unwrap();
            left.extend(
                page.event_subscriptions_list
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|e| e.cust_subscription_id)
                    .filter(|n| n.starts_with(&format!("{name}-db-"))),
            );
            match page.marker {
                Some(m) if !m.is_empty() => marker = Some(m),
                _ => break,
            }
        }
        // Every page of the dashboards named like it.
        let mut token = None;
        loop {
            let boards = self
                .cw
                .list_dashboards()
                .dashboard_name_prefix(name)
                .set_next_token(token)
                .send()
                .await
                .unwrap();
            left.extend(
                boards
                    .dashboard_entries
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|d| d.dashboard_name)
                    .filter(|d| d == name),
            );
            token = boards.next_token;
            if token.is_none() {
                break;
            }
        }
        // Keys: every key made for this resource must be pending deletion.
        left.extend(env::live_keys(&self.kms, &format!("prod_alerting {name}:")).await);
        left
    }

    /// Every KMS alias name (`alias/…`).
    pub async fn alias_names(&self) -> Vec<String> {
        self.kms
            .list_aliases()
            .send()
            .await
            .unwrap()
            .aliases
            .unwrap_or_default()
            .into_iter()
            .filter_map(|a| a.alias_name)
            .collect()
    }

    /// Every object of a `modules/service-stack` named `name` (every part is `<name>`).
    pub async fn stack(&self, name: &str) -> Vec<String> {
        let mut left = self.network(name).await;
        left.extend(self.cluster(name).await);
        left.extend(self.database(name).await);
        left.extend(self.redis(name).await);
        left.extend(self.alerting(name).await);
        left
    }

    /// Every log group whose name starts with `prefix`, every page read.
    pub async fn log_groups(&self, prefix: &str) -> Vec<aws_sdk_cloudwatchlogs::types::LogGroup> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .logs
                .describe_log_groups()
                .log_group_name_prefix(prefix)
                .set_next_token(token)
                .send()
                .await
                .unwrap();
            out.extend(page.log_groups.unwrap_or_default());
            token = page.next_token.filter(|t| !t.is_empty());
            if token.is_none() {
                return out;
            }
        }
    }

    /// The names of the log groups whose name starts with `prefix`.
    pub async fn log_group_names(&self, prefix: &str) -> Vec<String> {
        self.log_groups(prefix)
            .await
            .into_iter()
            .filter_map(|g| g.log_group_name)
            .collect()
    }

    /// Every DB instance snapshot RDS lists.
    pub async fn db_snapshots(&self) -> Vec<aws_sdk_rds::types::DbSnapshot> {
        self.rds
            .describe_db_snapshots()
            .send()
            .await
            .unwrap()
            .db_snapshots
            .unwrap_or_default()
    }

    /// Final snapshots `<name>-final-…` of a database instance, an Aurora cluster or a cache: what a
    /// destroy outside development keeps on purpose.
    pub async fn final_snapshots(&self, name: &str) -> Vec<String> {
        let prefix = format!("{name}-final-");
        let mut out: Vec<String> = Vec::new();
        out.extend(
            self.db_snapshots()
                .await
                .into_iter()
                .filter_map(|s| s.db_snapshot_identifier),
        );
        out.extend(
            self.rds
                .describe_db_cluster_snapshots()
                .send()
                .await
                .unwrap()
                .db_cluster_snapshots
                .unwrap_or_default()
                .into_iter()
                .filter_map(|s| s.db_cluster_snapshot_identifier),
        );
        out.extend(
            self.ec
                .describe_snapshots()
                .send()
                .await
                .unwrap()
                .snapshots
                .unwrap_or_default()
                .into_iter()
                .filter_map(|s| s.snapshot_name),
        );
        out.retain(|s| s.starts_with(&prefix));
        out.sort();
        out
    }
}
