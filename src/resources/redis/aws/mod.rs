//! The ElastiCache calls `prod_redis_cluster` makes, one small function per call: the replication
//! group and its members in `group`, the subnet and parameter groups in `groups`, tags here.

mod group;
mod groups;

pub use group::*;
pub use groups::*;

use std::collections::BTreeMap;

use aws_sdk_elasticache::types::Tag;

use crate::provider::ec2::sent;
use crate::provider::error::AwsError;
use crate::provider::ProviderData;

pub type Tags = BTreeMap<String, String>;

/// `tags` as ElastiCache takes them.
fn ec_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

// ---- tags ----

/// The tags of ElastiCache object `arn`.
pub async fn tags(ctx: &ProviderData, arn: &str) -> Result<Tags, AwsError> {
    let out = ctx
        .call(
            "replication group tags",
            ctx.elasticache()
                .list_tags_for_resource()
                .resource_name(arn)
                .send(),
        )
        .await?;
    Ok(out
        .tag_list
        .unwrap_or_default()
        .into_iter()
        .filter_map(|t| Some((t.key?, t.value.unwrap_or_default())))
        .collect())
}

/// Removes tag `keys` from ElastiCache object `arn`.
pub async fn untag(ctx: &ProviderData, arn: &str, keys: Vec<String>) -> Result<(), AwsError> {
    let remove = ctx.elasticache().remove_tags_from_resource();
    let remove = remove.resource_name(arn).set_tag_keys(Some(keys));
    sent(ctx, "elasticache tags", remove.send()).await
}

/// Moves resource `arn` from tags `old` to `new` (keys no longer wanted removed).
pub async fn retag(ctx: &ProviderData, arn: &str, old: &Tags, new: &Tags) -> Result<(), AwsError> {
    let stale = crate::provider::tags::stale_keys(old, new);
    if !stale.is_empty() {
        untag(ctx, arn, stale).await?;
    }
    let add = ctx.elasticache().add_tags_to_resource().resource_name(arn);
    sent(
        ctx,
        "elasticache tags",
        add.set_tags(Some(ec_tags(new))).send(),
    )
    .await
}
