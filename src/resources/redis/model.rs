//! The `prod_redis_cluster` attributes, declared once: schema, typed state and typed configuration.

use std::collections::BTreeMap;

use crate::framework::attrs::{PartialList, PartialMap};
use crate::resources::datastore::recovery::{Given as RecoveryGiven, Stated as RecoveryStated};

crate::attributes! {
    resource "prod_redis_cluster";
    common {
        tags as PartialMap = "Tags for every AWS object of this group.",
        components = "Every AWS object this group owns: role → identifier.",
        posture = "Security controls (ElastiCache.1 to .7, KMS.4, ingress, `port`: not the engine's well-known port, and `recovery`: the recovery objectives declared are met, see `recovery_plan`) → `pass` or `fail: <reason>`, from what AWS reports.",
    }
    fields {
        name: String = required("Name of the replication group (at most 40 characters: lowercase letters, digits and hyphens, starting with a letter). The subnet and parameter groups share it; the security group is `<name>-redis`, the AUTH secret `<name>-auth`. Changing it replaces the group, which `deletion_protection` refuses."),
        engine: String = defaulted("`redis` or `valkey` (default). `redis` → `valkey` upgrades in place; `valkey` → `redis` replaces the group, which `deletion_protection` refuses."),
        engine_version: String = defaulted("Major.minor version to pin (default `7.1` for redis, `8.0` for valkey). Patch upgrades AWS applies never show as a diff (see `engine_version_actual`); a newer version upgrades in place; a downgrade is refused."),
        node_type: String = defaulted("Node type (profile default: cache.t4g.small in development, cache.r6g.large otherwise). Changes in place."),
        shards: i64 = defaulted("Shards (node groups), default 1. 1 is a non-clustered group; more turns cluster mode on. The count changes in place in cluster mode; crossing between 1 and more replaces the group."),
        replicas_per_shard: i64 = defaulted("Replicas in each shard, 0 to 5 (profile default 0 / 1 / 2; production refuses 0). With a replica, automatic failover and Multi-AZ are on. Changes in place."),
        subnet_ids: Vec<String> as PartialList = required("Private subnets for the nodes, spanning at least 2 availability zones (3 recommended in production). Changing them replaces the group."),
        allowed_security_group_ids: Vec<String> as PartialList = required("Security groups whose members may connect on the port (e.g. `prod_cluster.web.security_group_id`); no one else can."),
        snapshot_retention_days: i64 = defaulted("Days of daily snapshots kept, 0 to 35 (profile default 1 / 3 / 7; production refuses 0)."),
        snapshot_window: String = defaulted("Daily snapshot window, UTC (default `02:00-03:00`)."),
        maintenance_window: String = defaulted("Weekly maintenance window, UTC (default `sun:03:30-sun:04:30`)."),
        kms_key_arn: Option<String> = defaulted("KMS key for encryption at rest, snapshots and the AUTH secret. Unset, the group makes its own (rotation on, alias `alias/<name>-redis`) and this shows its ARN. Changing it replaces the group."),
        port: Option<i64> = defaulted("Port the nodes listen on, and the only one the security group opens. Profile default: 6379 (the engine's own) in development, 6380 in staging and production, where scanners look first on the engine's own; production refuses 6379. A group that already exists keeps the port it has. ElastiCache cannot move a group to another port: a change replaces the group, which `deletion_protection` refuses."),
        parameters: Option<BTreeMap<String, String>> as PartialMap = optional("Engine parameters (e.g. `maxmemory-policy`). Set, a parameter group `<name>` holds them; unset, the engine's default group for the mode is used. Values are strings as ElastiCache takes them: words (`maxmemory-policy = \"allkeys-lru\"`), counts, and durations in seconds (`timeout`)."),
        auth_token_wo: Option<String> = optional("An AUTH token you bring (e.g. managed outside Terraform), used instead of a generated one. Write-only (Terraform 1.11 or later): sent to ElastiCache and written to the `<name>-auth` secret, never stored in state or plan. 16 to 128 characters: letters, digits and `!&#$^<>-`. Requires `auth_token_wo_version`; a new token takes effect only when that changes. Unset, the group keeps a generated token.").sensitive().write_only(),
        auth_token_wo_version: Option<i64> = optional("Version of `auth_token_wo`, required with it. Change it (e.g. increment) to send a new token: the group rotates in place (both tokens accepted while it changes, then only the new one) and the `<name>-auth` secret holds the new token. Removing both keeps the current token."),
        auth_token_rotation_days: i64 = defaulted("Days after which apply rotates the generated AUTH token (ElastiCache `ROTATE`, the `<name>-auth` secret updated, then `SET`: clients holding the old token keep working through the change); a plan made after the period shows `auth_token_rotated_at` changing and says why. Profile default: 90 in staging and production, 0 (never) in development; production refuses 0. With `auth_token_wo` the token is yours to rotate (change `auth_token_wo_version`), and this is 0."),
        deletion_protection: bool = defaulted("The provider's own guard (ElastiCache has none); profile default off in development, on otherwise. While on, a plan that would destroy or replace the group is refused; set it to false and apply first to decommission (allowed in every profile)."),
        engine_version_actual: Option<String> = computed("The exact version running (patch upgrades included)."),
        primary_endpoint: Option<String> = computed("The primary's address (non-clustered groups); null in cluster mode."),
        reader_endpoint: Option<String> = computed("The replicas' address (non-clustered groups); null where AWS gives none (cluster mode)."),
        configuration_endpoint: Option<String> = computed("The cluster's configuration address (cluster mode); null otherwise."),
        auth_token_rotated_at: Option<String> = computed("When the AUTH token last changed, as ElastiCache reports it (RFC 3339; the group's creation until a first rotation)."),
        auth_secret_arn: Option<String> = computed("Secrets Manager secret (`<name>-auth`) holding the AUTH token clients send; the token itself is never in state, plan or logs."),
        security_group_id: Option<String> = computed("The group's security group (`<name>-redis`)."),
        member_clusters: Vec<String> = computed("The node ids (cache clusters), as AWS lists them."),
        parameter_group_name: Option<String> = computed("The parameter group `<name>` when `parameters` are set; null when the engine's default group is used."),
        subnet_group_name: Option<String> = computed("The cache subnet group (`<name>`)."),
        recovery_plan: BTreeMap<String, String> as PartialMap = computed("What recovers the group, and its worst case: `rpo` (a restore from the daily snapshot: ≤ 24 hours; none without snapshots), `rto` (an automatic failover to a replica: ≤ 2 minutes; without a replica a restore of the latest snapshot into a new group, ≈ 30 minutes), `regional_loss` (this version keeps the snapshots in this region) and `objectives`: the objectives declared in `recovery` (none by default) and whether they are met. From the configuration at plan, from what AWS reports at read."),
        watch: BTreeMap<String, String> as PartialMap = computed("What `prod_alerting` needs to watch this group; pass it in `watch` of `prod_alerting`. Keys: `kind` (`redis`), `name` and `members` (the node ids, comma-separated, as `member_clusters`: known once the nodes are)."),
    }
    single {
        recovery: RecoveryStated / RecoveryGiven = single(crate::resources::datastore::recovery::DESCRIPTION),
    }
    raw { timeouts }
    internal { create_incomplete: bool }
}

crate::store_model!(Config, State);
