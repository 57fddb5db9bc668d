//! The `prod_redis_cluster` schema.

use crate::framework::{Attribute, Block, Schema, Type};

pub const TYPE_NAME: &str = "prod_redis_cluster";
pub const ENGINES: [&str; 2] = ["redis", "valkey"];
/// Multi-AZ replication groups take 10-20 minutes to create; shard changes take long too.
pub const DEFAULT_TIMEOUT: &str = "60m";

pub fn schema() -> Schema {
    let s = |n: &str, d: &str| Attribute::computed(n, Type::String, d);
    Schema {
        version: 0,
        block: Block::new(
            "A replicated, encrypted, authenticated Redis or Valkey replication group: automatic failover and Multi-AZ whenever there is a replica, encryption at rest with a KMS key and in transit (TLS required), an AUTH token generated into Secrets Manager, daily snapshots in the 02:00 window, automatic minor upgrades, nodes spread across the subnets' zones, and a security group admitting only the allowed groups.",
        )
        .attr(Attribute::computed("id", Type::String, "Same as `name` (the replication group id)."))
        .attr(Attribute::required("name", Type::String, "Name of the replication group (at most 40 characters: lowercase letters, digits and hyphens, starting with a letter). The subnet and parameter groups share it; the security group is `<name>-redis`, the AUTH secret `<name>-auth`. Changing it replaces the group, which `deletion_protection` refuses."))
        .attr(Attribute::defaulted("engine", Type::String, "`redis` or `valkey` (default). `redis` → `valkey` upgrades in place; `valkey` → `redis` replaces the group, which `deletion_protection` refuses."))
        .attr(Attribute::required("subnet_ids", Type::list(Type::String), "Private subnets for the nodes, spanning at least 2 availability zones (3 recommended in production). Changing them replaces the group."))
        .attr(Attribute::required("allowed_security_group_ids", Type::list(Type::String), "Security groups whose members may connect on the port (e.g. `prod_cluster.web.security_group_id`); no one else can."))
        .attr(Attribute::defaulted("engine_version", Type::String, "Major.minor version to pin (default `7.1` for redis, `8.0` for valkey). Patch upgrades AWS applies never show as a diff (see `engine_version_actual`); a newer version upgrades in place; a downgrade is refused."))
        .attr(Attribute::defaulted("node_type", Type::String, "Node type (profile default: cache.t4g.small in development, cache.r6g.large otherwise). Changes in place."))
        .attr(Attribute::defaulted("shards", Type::Number, "Shards (node groups), default 1. 1 is a non-clustered group; more turns cluster mode on. The count changes in place in cluster mode; crossing between 1 and more replaces the group."))
        .attr(Attribute::defaulted("replicas_per_shard", Type::Number, "Replicas in each shard, 0 to 5 (profile default 0 / 1 / 2; production refuses 0). With a replica, automatic failover and Multi-AZ are on. Changes in place."))
        .attr(Attribute::defaulted("snapshot_retention_days", Type::Number, "Days of daily snapshots kept, 0 to 35 (profile default 1 / 3 / 7; production refuses 0)."))
        .attr(Attribute::defaulted("snapshot_window", Type::String, "Daily snapshot window, UTC (default `02:00-03:00`)."))
        .attr(Attribute::defaulted("maintenance_window", Type::String, "Weekly maintenance window, UTC (default `sun:03:30-sun:04:30`)."))
        .attr(Attribute::defaulted("kms_key_arn", Type::String, "KMS key for encryption at rest, snapshots and the AUTH secret. Unset, the group makes its own (rotation on, alias `alias/<name>-redis`) and this shows its ARN. Changing it replaces the group."))
        .attr(Attribute::optional("parameters", Type::map(Type::String), "Engine parameters (e.g. `maxmemory-policy`). Set, a parameter group `<name>` holds them; unset, the engine's default group for the mode is used."))
        .attr(Attribute::defaulted("deletion_protection", Type::Bool, "The provider's own guard (ElastiCache has none); profile default off in development, on otherwise. While on, a plan that would destroy or replace the group is refused; set it to false and apply first to decommission (allowed in every profile)."))
        .attr(Attribute::defaulted("environment", Type::String, "Environment profile: `development`, `staging` or `production`. Defaults to the provider's."))
        .attr(Attribute::optional("tags", Type::map(Type::String), "Tags for every AWS object of this group."))
        .attr(Attribute::computed("tags_all", Type::map(Type::String), "Effective tags: provider `default_tags`, `tags`, and the provider's `prod:*` tags."))
        .attr(s("engine_version_actual", "The exact version running (patch upgrades included)."))
        .attr(s("primary_endpoint", "The primary's address (non-clustered groups); null in cluster mode."))
        .attr(s("reader_endpoint", "The replicas' address (non-clustered groups); null where AWS gives none (cluster mode)."))
        .attr(s("configuration_endpoint", "The cluster's configuration address (cluster mode); null otherwise."))
        .attr(Attribute::computed("port", Type::Number, "The port clients connect to (6379)."))
        .attr(s("auth_secret_arn", "Secrets Manager secret (`<name>-auth`) holding the AUTH token clients send; the token itself is never in state, plan or logs."))
        .attr(s("security_group_id", "The group's security group (`<name>-redis`)."))
        .attr(Attribute::computed("member_clusters", Type::list(Type::String), "The node ids (cache clusters), as AWS lists them."))
        .attr(s("parameter_group_name", "The parameter group `<name>` when `parameters` are set; null when the engine's default group is used."))
        .attr(s("subnet_group_name", "The cache subnet group (`<name>`)."))
        .attr(Attribute::computed("components", Type::map(Type::String), "Every AWS object this group owns: role → identifier."))
        .attr(Attribute::computed("posture", Type::map(Type::String), "Security controls (ElastiCache.1 to .7, KMS.4, ingress) → `pass` or `fail: <reason>`, from what AWS reports."))
        .single_block("timeouts", crate::framework::schema::timeouts_block(DEFAULT_TIMEOUT)),
    }
}
