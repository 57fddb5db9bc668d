//! The RDS calls `prod_database_ha` makes, one small function per call: instances (primary and
//! replicas) in `instances`, the subnet and parameter groups in `groups`, tags here.

pub mod backup;
mod groups;
mod instances;
mod options;
pub mod proxy;
mod replication;

pub use groups::*;
pub use instances::*;
pub use options::*;
pub use replication::*;

use std::collections::BTreeMap;

use aws_sdk_rds::types::Tag;

use crate::provider::error::AwsError;
use crate::provider::ProviderData;
use crate::resources::datastore::invalid;

pub type Tags = BTreeMap<String, String>;

/// A count or duration for an API field of 32 bits (saturating; the blueprint's values fit).
pub(crate) fn i32_of(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

pub(crate) use crate::provider::tags::rds as rds_tags;

/// Records the configured storage on the primary (alarm packs derive thresholds from it; storage
/// autoscaling moves the live value).
/// Sets one of the provider's marker tags (`prod:*`) on the RDS object `arn`.
pub async fn tag_marker(
    ctx: &ProviderData,
    arn: &str,
    key: &str,
    value: &str,
) -> Result<(), AwsError> {
    ctx.call(
        "db tags",
        ctx.rds()
            .add_tags_to_resource()
            .resource_name(arn)
            .tags(Tag::builder().key(key).value(value).build())
            .send(),
    )
    .await
    .map(|_| ())
}

/// Removes tag `keys` from the RDS object `arn`.
pub async fn untag(ctx: &ProviderData, arn: &str, keys: &[&str]) -> Result<(), AwsError> {
    ctx.call(
        "db tags",
        ctx.rds()
            .remove_tags_from_resource()
            .resource_name(arn)
            .set_tag_keys(Some(keys.iter().map(|k| k.to_string()).collect()))
            .send(),
    )
    .await
    .map(|_| ())
}

/// Moves the RDS object `arn` from tags `old` to `new` (keys no longer wanted removed).
pub async fn tag(ctx: &ProviderData, arn: &str, old: &Tags, new: &Tags) -> Result<(), AwsError> {
    let stale = crate::provider::tags::stale_keys(old, new);
    if !stale.is_empty() {
        ctx.call(
            "db tags",
            ctx.rds()
                .remove_tags_from_resource()
                .resource_name(arn)
                .set_tag_keys(Some(stale))
                .send(),
        )
        .await?;
    }
    ctx.call(
        "db tags",
        ctx.rds()
            .add_tags_to_resource()
            .resource_name(arn)
            .set_tags(Some(rds_tags(new)))
            .send(),
    )
    .await
    .map(|_| ())
}
