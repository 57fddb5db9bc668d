//! The `prod_redis_cluster` schema.

use crate::framework::{Attribute, Block, Schema, Type};

pub const TYPE_NAME: &str = "prod_redis_cluster";
pub const ENGINES: [&str; 2] = ["redis", "valkey"];
/// Multi-AZ replication groups take 10-20 minutes to create; shard changes take long too.
pub const DEFAULT_TIMEOUT: &str = "60m";

pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block::new(
            "A replicated, encrypted, authenticated Redis or Valkey replication group: automatic failover and Multi-AZ whenever there is a replica, encryption at rest with a KMS key and in transit (TLS required), an AUTH token in Secrets Manager (generated, or your own through the write-only `auth_token_wo`), daily snapshots in the 02:00 window, automatic minor upgrades, nodes spread across the subnets' zones, and a security group admitting only the allowed groups.",
        )
        .attr(Attribute::computed("id", Type::String, "Same as `name` (the replication group id)."))
        .attrs(super::model::State::attributes())
        .single_block("timeouts", crate::framework::schema::timeouts_block(DEFAULT_TIMEOUT))
            .single_blocks(super::model::State::single_blocks()),
    }
}
