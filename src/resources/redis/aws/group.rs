//! The replication group and its members: read, made, modified (settings, replicas, shards),
//! deleted.

use aws_sdk_elasticache::types::{
    AuthTokenUpdateStrategyType, AutomaticFailoverStatus, ClusterMode, MultiAzStatus,
    NodeGroupConfiguration, ReplicationGroup,
};

use super::{ec_tags, Tags};
use crate::provider::ec2::removed;
use crate::provider::error::{found, AwsError};
use crate::provider::secrets::SecretValue;
use crate::provider::ProviderData;
use crate::resources::redis::blueprint as bp;

/// A shard as read: its members (primary first) with their zones.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shard {
    pub id: String,
    pub members: Vec<String>,
    pub zones: Vec<String>,
    pub primary_endpoint: Option<String>,
    pub reader_endpoint: Option<String>,
}

/// A replication group as read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Group {
    pub id: String,
    pub arn: String,
    pub status: String,
    pub engine: String,
    pub node_type: String,
    pub shards: Vec<Shard>,
    pub member_clusters: Vec<String>,
    pub configuration_endpoint: Option<String>,
    pub port: Option<i64>,
    pub automatic_failover: bool,
    pub multi_az: bool,
    pub snapshot_retention_days: i64,
    pub snapshot_window: String,
    pub clustered: bool,
    pub auth: bool,
    pub in_transit: bool,
    pub at_rest: bool,
    pub kms_key: Option<String>,
    pub auto_minor_upgrade: bool,
    /// When the AUTH token last changed (RFC 3339): ElastiCache's date, else the group's creation.
    pub auth_token_changed: Option<String>,
}

impl Group {
    /// The fewest replicas in any shard (a shard that lost one shows).
    pub fn replicas_per_shard(&self) -> i64 {
        self.shards
            .iter()
            .map(|s| s.members.len().saturating_sub(1) as i64)
            .min()
            .unwrap_or(0)
    }
}

/// A replication group as the SDK describes it, read into [`Group`].
fn group(g: ReplicationGroup) -> Group {
    let port = g
        .configuration_endpoint
        .as_ref()
        .and_then(|e| e.port)
        .or_else(|| {
            g.node_groups
                .iter()
                .flatten()
                .find_map(|n| n.primary_endpoint.as_ref()?.port)
        });
    let shards: Vec<Shard> = g
        .node_groups
        .unwrap_or_default()
        .into_iter()
        .map(|n| {
            let mut members = n.node_group_members.unwrap_or_default();
            // The primary first (non-clustered groups say which member it is).
            members.sort_by_key(|m| m.current_role.as_deref() == Some("replica"));
            Shard {
                id: n.node_group_id.unwrap_or_default(),
                zones: members
                    .iter()
                    .filter_map(|m| m.preferred_availability_zone.clone())
                    .collect(),
                members: members
                    .into_iter()
                    .filter_map(|m| m.cache_cluster_id)
                    .collect(),
                primary_endpoint: n.primary_endpoint.and_then(|e| e.address),
                reader_endpoint: n.reader_endpoint.and_then(|e| e.address),
            }
        })
        .collect();
    // A change AWS holds as pending is reported as it will be (contract rule 11).
    let pending = g.pending_modified_values;
    let failover = match pending
        .as_ref()
        .and_then(|p| p.automatic_failover_status.as_ref())
    {
        Some(s) => s.as_str() == "enabled",
        None => matches!(
            g.automatic_failover,
            Some(AutomaticFailoverStatus::Enabled | AutomaticFailoverStatus::Enabling)
        ),
    };
    Group {
        id: g.replication_group_id.unwrap_or_default(),
        arn: g.arn.unwrap_or_default(),
        status: g.status.unwrap_or_default(),
        engine: g.engine.unwrap_or_default(),
        node_type: g.cache_node_type.unwrap_or_default(),
        member_clusters: g.member_clusters.unwrap_or_default(),
        configuration_endpoint: g.configuration_endpoint.and_then(|e| e.address),
        port: port.map(i64::from),
        shards,
        automatic_failover: failover,
        multi_az: g.multi_az == Some(MultiAzStatus::Enabled),
        snapshot_retention_days: g.snapshot_retention_limit.unwrap_or_default() as i64,
        snapshot_window: g.snapshot_window.unwrap_or_default(),
        clustered: g.cluster_enabled.unwrap_or(false),
        auth: g.auth_token_enabled.unwrap_or(false),
        in_transit: g.transit_encryption_enabled.unwrap_or(false),
        at_rest: g.at_rest_encryption_enabled.unwrap_or(false),
        kms_key: g.kms_key_id,
        auto_minor_upgrade: g.auto_minor_version_upgrade.unwrap_or(false),
        auth_token_changed: g
            .auth_token_last_modified_date
            .or(g.replication_group_create_time)
            .and_then(|t| t.fmt(aws_smithy_types::date_time::Format::DateTime).ok()),
    }
}

/// Replication group `id`, or `None` when there is none or it is being deleted.
pub async fn describe(ctx: &ProviderData, id: &str) -> Result<Option<Group>, AwsError> {
    Ok(listed(ctx, id).await?.filter(|g| g.status != "deleting"))
}

/// Replication group `id` as AWS lists it (`deleting` included: it still holds its subnet group
/// and security group), or `None` when there is none.
pub async fn listed(ctx: &ProviderData, id: &str) -> Result<Option<Group>, AwsError> {
    Ok(found(
        ctx.call(
            "replication group",
            ctx.elasticache()
                .describe_replication_groups()
                .replication_group_id(id)
                .send(),
        )
        .await,
    )?
    .and_then(|out| {
        out.replication_groups
            .unwrap_or_default()
            .into_iter()
            .map(group)
            .find(|g| g.id == id)
    }))
}

/// What AWS keeps on the members rather than the group (read from one member: they share it).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MemberFacts {
    pub engine_version: String,
    pub parameter_group: Option<String>,
    pub subnet_group: Option<String>,
    pub security_groups: Vec<String>,
    pub maintenance_window: String,
}

/// What member `id` holds for every node, or `None` when there is no such member.
pub async fn member(ctx: &ProviderData, id: &str) -> Result<Option<MemberFacts>, AwsError> {
    Ok(found(
        ctx.call(
            "replication group member",
            ctx.elasticache()
                .describe_cache_clusters()
                .cache_cluster_id(id)
                .send(),
        )
        .await,
    )?
    .and_then(|out| {
        out.cache_clusters
            .unwrap_or_default()
            .into_iter()
            .next()
            .map(|c| MemberFacts {
                engine_version: c.engine_version.unwrap_or_default(),
                parameter_group: c
                    .cache_parameter_group
                    .and_then(|g| g.cache_parameter_group_name),
                subnet_group: c.cache_subnet_group_name,
                security_groups: c
                    .security_groups
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|g| g.security_group_id)
                    .collect(),
                maintenance_window: c.preferred_maintenance_window.unwrap_or_default(),
            })
    }))
}

/// Everything a new replication group is made with.
pub struct GroupSpec<'a> {
    pub id: &'a str,
    pub description: &'a str,
    pub engine: &'a str,
    pub engine_version: &'a str,
    pub node_type: &'a str,
    pub zones: Vec<(String, Vec<String>)>,
    pub replicas: i64,
    /// Automatic failover and Multi-AZ ([`bp::failover`]).
    pub failover: bool,
    pub clustered: bool,
    pub parameter_group: &'a str,
    pub subnet_group: &'a str,
    pub security_group: &'a str,
    pub kms_key: &'a str,
    pub snapshot_retention_days: i64,
    pub snapshot_window: &'a str,
    pub maintenance_window: &'a str,
    pub port: i64,
    pub hardening: bp::Hardening,
}

/// Creates the group with node groups and replicas per node group (never a bare cluster count).
pub async fn create(
    ctx: &ProviderData,
    s: &GroupSpec<'_>,
    token: &SecretValue,
    tags: &Tags,
) -> Result<Group, AwsError> {
    let h = &s.hardening;
    let config: Vec<NodeGroupConfiguration> = s
        .zones
        .iter()
        .enumerate()
        .map(|(i, (primary, replicas))| {
            NodeGroupConfiguration::builder()
                .node_group_id(format!("{:04}", i + 1))
                .primary_availability_zone(primary)
                .set_replica_availability_zones(Some(replicas.clone()))
                .replica_count(s.replicas as i32)
                .build()
        })
        .collect();
    let out = ctx
        .call(
            "replication group",
            ctx.elasticache()
                .create_replication_group()
                .replication_group_id(s.id)
                .replication_group_description(s.description)
                .engine(s.engine)
                .engine_version(s.engine_version)
                .cache_node_type(s.node_type)
                .num_node_groups(s.zones.len().max(1) as i32)
                .replicas_per_node_group(s.replicas as i32)
                .set_node_group_configuration((!config.is_empty()).then_some(config))
                .cluster_mode(if s.clustered {
                    ClusterMode::Enabled
                } else {
                    ClusterMode::Disabled
                })
                .automatic_failover_enabled(s.failover)
                .multi_az_enabled(s.failover)
                .cache_parameter_group_name(s.parameter_group)
                .cache_subnet_group_name(s.subnet_group)
                .security_group_ids(s.security_group)
                .at_rest_encryption_enabled(h.at_rest_encryption)
                .kms_key_id(s.kms_key)
                .transit_encryption_enabled(h.transit_encryption)
                .set_auth_token(h.auth_token.then(|| token.expose().to_string()))
                .snapshot_retention_limit(s.snapshot_retention_days as i32)
                .snapshot_window(s.snapshot_window)
                .preferred_maintenance_window(s.maintenance_window)
                .auto_minor_version_upgrade(h.auto_minor_upgrade)
                .port(s.port as i32)
                .set_tags(Some(ec_tags(tags)))
                .send(),
        )
        .await?;
    out.replication_group
        .map(group)
        .ok_or_else(|| AwsError::Invalid {
            component: "replication group".into(),
            message: "CreateReplicationGroup returned no group".into(),
        })
}

/// What must change on a live group (each `Some` is sent; applied immediately).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes {
    pub node_type: Option<String>,
    pub engine: Option<String>,
    pub engine_version: Option<String>,
    pub parameter_group: Option<String>,
    pub failover: Option<bool>,
    pub multi_az: Option<bool>,
    pub snapshot_retention_days: Option<i64>,
    pub snapshot_window: Option<String>,
    pub maintenance_window: Option<String>,
    pub security_group: Option<String>,
    pub auto_minor_upgrade: Option<bool>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        *self == Changes::default()
    }
}

/// Applies `c` to group `id` at once.
pub async fn modify(ctx: &ProviderData, id: &str, c: &Changes) -> Result<(), AwsError> {
    if c.is_empty() {
        return Ok(());
    }
    ctx.call(
        "replication group",
        ctx.elasticache()
            .modify_replication_group()
            .replication_group_id(id)
            .apply_immediately(true)
            .set_cache_node_type(c.node_type.clone())
            .set_engine(c.engine.clone())
            .set_engine_version(c.engine_version.clone())
            .set_cache_parameter_group_name(c.parameter_group.clone())
            .set_automatic_failover_enabled(c.failover)
            .set_multi_az_enabled(c.multi_az)
            .set_snapshot_retention_limit(c.snapshot_retention_days.map(|d| d as i32))
            .set_snapshot_window(c.snapshot_window.clone())
            .set_preferred_maintenance_window(c.maintenance_window.clone())
            .set_security_group_ids(c.security_group.clone().map(|g| vec![g]))
            .set_auto_minor_version_upgrade(c.auto_minor_upgrade)
            .send(),
    )
    .await?;
    Ok(())
}

/// The two steps of an AUTH token change on a live group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenStep {
    /// The new token is accepted beside the old one.
    Rotate,
    /// Only the new token is accepted.
    Set,
}

/// Sends `token` to group `id` at once, as step `step` of a token change.
pub async fn set_auth_token(
    ctx: &ProviderData,
    id: &str,
    token: &SecretValue,
    step: TokenStep,
) -> Result<(), AwsError> {
    ctx.call(
        "replication group auth token",
        ctx.elasticache()
            .modify_replication_group()
            .replication_group_id(id)
            .apply_immediately(true)
            .auth_token(token.expose())
            .auth_token_update_strategy(match step {
                TokenStep::Rotate => AuthTokenUpdateStrategyType::Rotate,
                TokenStep::Set => AuthTokenUpdateStrategyType::Set,
            })
            .send(),
    )
    .await?;
    Ok(())
}

/// Sets every shard's replica count, up or down.
pub async fn set_replicas(
    ctx: &ProviderData,
    id: &str,
    have: i64,
    want: i64,
) -> Result<(), AwsError> {
    let c = "replication group replicas";
    let ec = ctx.elasticache();
    if want > have {
        ctx.call(
            c,
            ec.increase_replica_count()
                .replication_group_id(id)
                .new_replica_count(want as i32)
                .apply_immediately(true)
                .send(),
        )
        .await?;
    } else if want < have {
        ctx.call(
            c,
            ec.decrease_replica_count()
                .replication_group_id(id)
                .new_replica_count(want as i32)
                .apply_immediately(true)
                .send(),
        )
        .await?;
    }
    Ok(())
}

/// Sets the shard count of a cluster-mode group, keeping the first `want` shards when shrinking.
pub async fn set_shards(
    ctx: &ProviderData,
    id: &str,
    shards: &[Shard],
    want: i64,
) -> Result<(), AwsError> {
    let retain: Vec<String> = shards
        .iter()
        .take(want.max(0) as usize)
        .map(|s| s.id.clone())
        .collect();
    let shrink = (want as usize) < shards.len();
    ctx.call(
        "replication group shards",
        ctx.elasticache()
            .modify_replication_group_shard_configuration()
            .replication_group_id(id)
            .node_group_count(want as i32)
            .apply_immediately(true)
            .set_node_groups_to_retain(shrink.then_some(retain))
            .send(),
    )
    .await?;
    Ok(())
}

/// Deletes group `id`, with a final snapshot when one is named.
pub async fn delete(
    ctx: &ProviderData,
    id: &str,
    final_snapshot: Option<&str>,
) -> Result<(), AwsError> {
    let delete = ctx.elasticache().delete_replication_group();
    let delete = delete.set_final_snapshot_identifier(final_snapshot.map(str::to_string));
    removed(
        ctx,
        "replication group",
        delete.replication_group_id(id).send(),
    )
    .await
}
