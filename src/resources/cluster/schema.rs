//! The `prod_cluster` schema.

use crate::framework::{Attribute, Block, Schema, Type};

pub const TYPE_NAME: &str = "prod_cluster";
pub const DEFAULT_APP_PORT: i64 = 8080;
pub const DEFAULT_HEALTH_CHECK_PATH: &str = "/health";
pub const DEFAULT_INGRESS: &str = "0.0.0.0/0";
/// Load balancers take a few minutes; draining an Auto Scaling group on delete takes longer.
pub const DEFAULT_TIMEOUT: &str = "30m";

pub fn schema() -> Schema {
    let s = |n: &str, d: &str| Attribute::computed(n, Type::String, d);
    Schema {
        version: 0,
        block: Block::new(
            "Multi-AZ compute behind TLS: an Auto Scaling group of hardened instances (IMDSv2 only, encrypted root volume, no public IP) launched from a launch template, an application load balancer with a TLS 1.3 HTTPS listener and an HTTP listener that only redirects, a target group with health checks, least-privilege security groups, an instance role (SSM and CloudWatch agent), a KMS key and a log group.",
        )
        .attr(Attribute::computed("id", Type::String, "Same as `name`."))
        .attr(Attribute::required("name", Type::String, "Name of the cluster (at most 28 characters); the Auto Scaling group, launch template and load balancer are called this, the target group `<name>-tg`, the security groups `<name>-lb` and `<name>-app`. Changing it replaces the cluster."))
        .attr(Attribute::required("image_id", Type::String, "AMI the instances run. Changing it adds a launch template version and rolls the instances (instance refresh, 90 % kept healthy)."))
        .attr(Attribute::required("subnet_ids", Type::list(Type::String), "Subnets for the instances (private ones), spanning at least 2 availability zones (3 recommended in production). All in one VPC."))
        .attr(Attribute::required("public_subnet_ids", Type::list(Type::String), "Subnets for the load balancer (public ones), in at least 2 availability zones of the same VPC."))
        .attr(Attribute::required("certificate_arn", Type::String, "ACM certificate of the HTTPS listener. Required in every profile: the load balancer serves TLS only, port 80 just redirects."))
        .attr(Attribute::defaulted("instance_type", Type::String, "EC2 instance type (profile default: t3.small in development, m6i.large otherwise). Changing it rolls the instances."))
        .attr(Attribute::defaulted("min_size", Type::Number, "Fewest instances (profile default 1 / 2 / 3; production refuses fewer than 2). Pinned: a change made outside Terraform is repaired."))
        .attr(Attribute::defaulted("max_size", Type::Number, "Most instances (profile default 2 / 4 / 9). Pinned like `min_size`."))
        .attr(Attribute::defaulted("desired_capacity", Type::Number, "Instances to start with (profile default 1 / 2 / 3). Set on create and whenever you change it; otherwise scaling owns the live value (see `desired_capacity_actual`), which is never a diff."))
        .attr(Attribute::defaulted("app_port", Type::Number, "Port the application listens on (default 8080); only the load balancer may reach it. Changing it replaces the target group, so it replaces the cluster."))
        .attr(Attribute::defaulted("health_check_path", Type::String, "HTTP path the target group checks (default `/health`); 200-399 is healthy."))
        .attr(Attribute::optional("user_data", Type::String, "Cloud-init user data, as plain text (the provider encodes it). Changing it rolls the instances. Do not put secrets here: read them from Secrets Manager at boot."))
        .attr(Attribute::defaulted("ingress_cidr_blocks", Type::list(Type::String), "Who may reach the load balancer on 443 (and 80, which only redirects): IPv4 CIDR blocks, default everyone (`0.0.0.0/0`)."))
        .attr(Attribute::defaulted("root_volume_size", Type::Number, "Root volume in GiB, gp3, always encrypted (profile default 20 / 30 / 50)."))
        .attr(Attribute::defaulted("tls_policy", Type::String, "The HTTPS listener's TLS: `tls13` (TLS 1.3 only, with hybrid post-quantum key exchange: `ELBSecurityPolicy-TLS13-1-3-PQ-2025-09`; the default) or `tls12` (TLS 1.2 and 1.3 with restricted ciphers, for old clients: `ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09`). Any other policy on the listener is drift, repaired by apply."))
        .attr(Attribute::defaulted("metadata_http_tokens", Type::String, "Instance metadata tokens: `required` (IMDSv2 only, the default) or `optional` (IMDSv1 allowed; refused in production)."))
        .attr(Attribute::defaulted("root_volume_encrypted", Type::Bool, "Encrypt the root volume (default true). `false` is refused in every profile: encryption at rest holds everywhere."))
        .attr(Attribute::defaulted("kms_key_arn", Type::String, "KMS key for the root volumes and the log group. Unset, the cluster makes its own key (rotation on, usable by the Auto Scaling service-linked role) and this shows its ARN. Changing it replaces the cluster."))
        .attr(Attribute::defaulted("environment", Type::String, "Environment profile: `development`, `staging` or `production`. Defaults to the provider's."))
        .attr(Attribute::optional("tags", Type::map(Type::String), "Tags for every AWS object of this cluster (instances and volumes too)."))
        .attr(Attribute::computed("tags_all", Type::map(Type::String), "Effective tags: provider `default_tags`, `tags`, and the provider's `prod:*` tags."))
        .attr(s("vpc_id", "The VPC the subnets belong to."))
        .attr(s("security_group_id", "The instances' security group: hand it to `allowed_security_group_ids` of `prod_database_ha` and `prod_redis_cluster`."))
        .attr(s("load_balancer_security_group_id", "The load balancer's security group."))
        .attr(s("load_balancer_arn", "ARN of the application load balancer."))
        .attr(s("load_balancer_dns_name", "DNS name of the load balancer (point your domain's alias record here)."))
        .attr(s("target_group_arn", "ARN of the target group."))
        .attr(s("autoscaling_group_name", "Name of the Auto Scaling group."))
        .attr(s("launch_template_id", "Id of the launch template."))
        .attr(Attribute::computed("launch_template_version", Type::Number, "Launch template version the Auto Scaling group runs (also the template's default)."))
        .attr(Attribute::computed("desired_capacity_actual", Type::Number, "Instances the group wants now, as scaling left it (read-only; never a diff)."))
        .attr(Attribute::computed("components", Type::map(Type::String), "Every AWS object this cluster owns: role → identifier."))
        .attr(Attribute::computed("posture", Type::map(Type::String), "Security controls (EC2.8, EC2.3, EC2.18, EC2.19, AutoScaling.1-5 and .9, ELB.1, .4, .6, .12, .13, .17, .18, CloudWatch.16 for the instances' log group, KMS.4, ingress, metrics) → `pass` or `fail: <reason>`, from what AWS reports."))
        .single_block("timeouts", crate::framework::schema::timeouts_block(DEFAULT_TIMEOUT)),
    }
}
