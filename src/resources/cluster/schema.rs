//! The `prod_cluster` schema.

use crate::framework::{Attribute, Block, Schema, Type};

pub const TYPE_NAME: &str = "prod_cluster";
pub const DEFAULT_APP_PORT: i64 = 8080;
pub const DEFAULT_HEALTH_CHECK_PATH: &str = "/health";
pub const DEFAULT_INGRESS: &str = "0.0.0.0/0";
/// Load balancers take a few minutes; draining an Auto Scaling group on delete takes longer.
/// Create, update and delete: an update rolls the instances out and waits for the end (production's
/// default checkpoints and bake time take over half an hour on AWS for a few instances).
pub const DEFAULT_TIMEOUT: &str = "60m";

pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block::new(
            "Multi-AZ compute behind TLS: an Auto Scaling group of hardened instances (IMDSv2 only, encrypted root volume, no public IP) launched from a launch template, an application load balancer with a TLS 1.3 HTTPS listener and an HTTP listener that only redirects, a target group with health checks, least-privilege security groups, an instance role (SSM and CloudWatch agent), a KMS key and a log group.",
        )
        .attr(Attribute::computed("id", Type::String, "Same as `name`."))
        .attrs(super::model::State::attributes())
        .single_block("timeouts", crate::framework::schema::timeouts_block(DEFAULT_TIMEOUT))
        .single_blocks(super::model::State::single_blocks()),
    }
}
