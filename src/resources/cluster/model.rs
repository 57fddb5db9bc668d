//! The `prod_cluster` attributes, declared once: schema, typed state and typed configuration.

use std::collections::BTreeMap;

use crate::framework::attrs::{PartialList, PartialMap};

use super::health_check::{Given, Stated};
use super::rollout::{Given as RolloutGiven, Stated as RolloutStated};
use super::scaling::{Given as ScalingGiven, Stated as ScalingStated};
use super::schema::DEFAULT_APP_PORT;
use crate::resources::log_retention::{
    self, Given as LogRetentionGiven, Stated as LogRetentionStated,
};

crate::attributes! {
    resource "prod_cluster";
    // The lists and the map a configuration gives keep their unknown elements apart, so that the
    // plan hands them back exactly as written (a list of subnets still being made, say).
    common {
        tags as PartialMap = "Tags for every AWS object of this cluster (instances and volumes too).",
        components = "Every AWS object this cluster owns: role → identifier (`logs_bucket`: the log bucket's name).",
        posture = "Security controls (EC2.8, EC2.3, EC2.18, EC2.19, AutoScaling.1-5 and .9, ELB.1, .4, .6, .12, .13, .16, .17, .18, WAF.11, CloudWatch.16 for the instances' and the web ACL's log groups, KMS.4, ingress, metrics, waf: the web ACL's managed rule groups and log redactions; for the load balancer's logs ELB.5, and S3.5, S3.8 and `logs_bucket` for their bucket; `health_check`: the target group's health check as configured; `scaling`: the group's target-tracking policies and instance warmup as configured; `instance_mix`: the mixed-instances policy's strategies, no spot price cap, no weights; `host_metrics`: the running launch template version runs the CloudWatch agent as the provider configures it; `rollout_gates`: the gate alarms exist exactly as the cluster makes them) → `pass` or `fail: <reason>`, from what AWS reports.",
    }
    fields {
        name: String = required("Name of the cluster (at most 28 characters); the Auto Scaling group, launch template and load balancer are called this, the target group `<name>-tg`, the security groups `<name>-lb` and `<name>-app`. Changing it replaces the cluster."),
        image_id: String = required("AMI the instances run. Changing it adds a launch template version and rolls it out (see `rollout`: an instance refresh in steps, 90 % kept healthy, gated by alarms with automatic rollback)."),
        subnet_ids: Vec<String> as PartialList = required("Subnets for the instances (private ones), spanning at least 2 availability zones (3 recommended in production). All in one VPC."),
        public_subnet_ids: Vec<String> as PartialList = required("Subnets for the load balancer (public ones), in at least 2 availability zones of the same VPC."),
        certificate_arn: String = required("ACM certificate of the HTTPS listener. Required in every profile: the load balancer serves TLS only, port 80 just redirects."),
        instance_type: String = defaulted("EC2 instance type (profile default: t3.small in development, m6i.large otherwise). Changing it rolls the instances."),
        instance_types: Option<Vec<String>> as PartialList = optional("Instance types the group may launch, in order of preference (2 to 40, e.g. `[\"m6i.large\", \"m7i.large\"]`): a mixed-instances policy over the launch template, so that a type short of capacity in a zone does not stop the service from scaling out. Unset, every instance is `instance_type`. Changing the list rolls the instances."),
        on_demand_base: Option<i64> = defaulted("Instances that are always on demand, the floor of the service: with `instance_types`, default `min_size`, and production refuses less (the floor never runs on spot). Without `instance_types`, null."),
        spot_share: Option<i64> = defaulted("Percent of the capacity above `on_demand_base` that runs on spot instances, picked price-capacity-optimized across `instance_types` (0 to 100; with `instance_types`, default 0). Without `instance_types`, null."),
        min_size: i64 = defaulted("Fewest instances (profile default 1 / 2 / 3; production refuses fewer than 2). Pinned: a change made outside Terraform is repaired."),
        max_size: i64 = defaulted("Most instances (profile default 2 / 4 / 9; production refuses less than twice `min_size`, to leave room to scale out). Pinned like `min_size`."),
        desired_capacity: i64 = defaulted("Instances to start with (profile default 1 / 2 / 3). Set on create and whenever you change it; otherwise scaling owns the live value (see `desired_capacity_actual`), which is never a diff."),
        app_port: i64 = defaulted("Port the application listens on (default 8080); only the load balancer may reach it. Changing it replaces the target group, so it replaces the cluster.") or DEFAULT_APP_PORT,
        health_check_path: String = defaulted("HTTP path the target group checks (default `/health`; with a `health_check` block, its `path`). Prefer `health_check.path`, which comes with the check's other settings."),
        user_data: Option<String> = optional("Cloud-init user data, as plain text (the provider encodes it): a script, a cloud-config or a MIME document of your own. It runs as its own part after the provider's, which installs and starts the CloudWatch agent (memory and root-disk used percent by group, the boot log to `/prod/cluster/<name>`); the agent's part and yours share AWS's 16 KiB. Changing it rolls the instances. Do not put secrets here: read them from Secrets Manager at boot."),
        ingress_cidr_blocks: Vec<String> as PartialList = defaulted("Who may reach the load balancer on 443 (and 80, which only redirects): IPv4 CIDR blocks, default everyone (`0.0.0.0/0`)."),
        root_volume_size: i64 = defaulted("Root volume in GiB, gp3, always encrypted (profile default 20 / 30 / 50)."),
        tls_policy: String = defaulted("The HTTPS listener's TLS: `tls13` (TLS 1.3 only, with hybrid post-quantum key exchange: `ELBSecurityPolicy-TLS13-1-3-PQ-2025-09`; the default) or `tls12` (TLS 1.2 and 1.3 with restricted ciphers, for old clients: `ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09`). Any other policy on the listener is drift, repaired by apply.") or super::blueprint::DEFAULT_TLS_POLICY.to_string(),
        rate_limit: i64 = defaulted("Requests one client IP may make in 5 minutes before the web ACL blocks it (profile default 10000 in development, 2000 otherwise; 10 to 2000000000). `0` means no rate rule, refused in production."),
        blocked_countries: Option<Vec<String>> as PartialList = optional("Countries the web ACL blocks, as ISO 3166 alpha-2 codes (e.g. `[\"KP\", \"IR\"]`); unset or empty, none."),
        allowed_cidr_blocks: Option<Vec<String>> as PartialList = optional("IPv4 CIDR blocks that bypass the web ACL's other rules (health checkers, your office): they go in the IP set `<name>-allowed` and an allow rule evaluated first. Unset or empty, none."),
        metadata_http_tokens: String = defaulted("Instance metadata tokens: `required` (IMDSv2 only, the default) or `optional` (IMDSv1 allowed; refused in production).") or "required".to_string(),
        root_volume_encrypted: bool = defaulted("Encrypt the root volume (default true). `false` is refused in every profile: encryption at rest holds everywhere.") or true,
        kms_key_arn: Option<String> = defaulted("KMS key for the root volumes and the log group. Unset, the cluster makes its own key (rotation on, usable by the Auto Scaling service-linked role) and this shows its ARN. Changing it replaces the cluster."),
        force_destroy_logs: bool = defaulted("Let destroy empty and delete the load balancer's log bucket `<name>-lb-logs-<account>` outside development (default false). In staging and production the access and connection logs are evidence: destroy leaves the bucket (a later cluster of the same name adopts it); in development it is always emptied and deleted.") or false,
        vpc_id: Option<String> = computed("The VPC the subnets belong to."),
        security_group_id: Option<String> = computed("The instances' security group: hand it to `allowed_security_group_ids` of `prod_database_ha` and `prod_redis_cluster`."),
        load_balancer_security_group_id: Option<String> = computed("The load balancer's security group."),
        load_balancer_arn: Option<String> = computed("ARN of the application load balancer."),
        load_balancer_dns_name: Option<String> = computed("DNS name of the load balancer (point your domain's alias record here)."),
        target_group_arn: Option<String> = computed("ARN of the target group."),
        load_balancer_arn_suffix: Option<String> = computed("The load balancer's ARN suffix `app/<name>/<id>`: the `LoadBalancer` dimension of its CloudWatch metrics."),
        target_group_arn_suffix: Option<String> = computed("The target group's ARN suffix `targetgroup/<name>-tg/<id>`: the `TargetGroup` dimension of its CloudWatch metrics."),
        autoscaling_group_name: Option<String> = computed("Name of the Auto Scaling group."),
        launch_template_id: Option<String> = computed("Id of the launch template."),
        launch_template_version: Option<i64> = computed("Launch template version the Auto Scaling group runs (also the template's default)."),
        desired_capacity_actual: Option<i64> = computed("Instances the group wants now, as scaling left it (read-only; never a diff)."),
        serving_launch_template_version: Option<i64> = computed("The launch template version serving: the one the group runs once a rollout succeeded, the one before it after a rollback (then the next plan shows the rollout again)."),
        rollout_status: Option<String> = computed("How the newest rollout ended, as AWS reports it: `idle` (none, or it succeeded), `in_progress` (an apply was interrupted; the next apply takes it over), `rolled_back: <alarm>` (a gate alarm fired and the old version serves), `failed: <reason>` or `cancelled`."),
        gate_alarm_names: Vec<String> = computed("The rollout's gate alarms, made by the cluster itself: `<name>-rollout-5xx` and `<name>-rollout-unhealthy`. Changed or deleted outside Terraform is drift (posture `rollout_gates`), repaired by apply."),
        watch: BTreeMap<String, String> as PartialMap = computed("What `prod_alerting` needs to watch this cluster; pass it in `watch` of `prod_alerting`. Keys: `kind` (`cluster`), `name`, `autoscaling_group`, `load_balancer` and `target_group` (the metrics' dimensions, known once they exist), the configured `min_size`, `desired_capacity` and `max_size`, the web ACL's metric dimensions: `web_acl` and `rate_rule` (metric names) and `region`, and the listener's `certificate` (ARN). Known at plan from the configuration, so a capacity change moves the alarms in the same apply, and a change made outside Terraform never does."),
    }
    single {
        health_check: Stated / Given = single(super::health_check::DESCRIPTION),
        scaling: ScalingStated / ScalingGiven = single(super::scaling::DESCRIPTION),
        rollout: RolloutStated / RolloutGiven = single(super::rollout::DESCRIPTION),
        log_retention: LogRetentionStated / LogRetentionGiven = single(log_retention::DESCRIPTION),
    }
    raw { timeouts }
}

crate::resource_state!(State);
