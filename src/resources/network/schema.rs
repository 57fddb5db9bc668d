//! The `prod_network` schema.

use super::model::State;
use crate::framework::{Attribute, Block, Schema, Type};

pub const TYPE_NAME: &str = "prod_network";
pub const DEFAULT_CIDR: &str = "10.0.0.0/16";
/// VPCs and flow logs are made in a minute; NAT gateways take a few.
pub const DEFAULT_TIMEOUT: &str = "20m";

pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block::new(
            "A hardened VPC over several availability zones: public and private subnets, an internet gateway, NAT gateways (one per AZ in production), route tables, the default security group stripped of all rules, VPC endpoints (S3 and DynamoDB gateways; in staging and production also interface endpoints for EC2, Systems Manager, logs, metrics, KMS, Secrets Manager and STS), and VPC flow logs to a KMS-encrypted log group.",
        )
        .attr(Attribute::computed("id", Type::String, "Same as `name`."))
        .attrs(State::attributes())
        .single_block("timeouts", crate::framework::schema::timeouts_block(DEFAULT_TIMEOUT))
        .single_blocks(State::single_blocks()),
    }
}
