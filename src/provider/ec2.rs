//! EC2 calls every resource with EC2 objects makes the same way.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::Tag;

use super::error::AwsError;
use super::tags::stale_keys;
use super::ProviderData;

/// Retags EC2 objects from `old` to `new`: keys no longer wanted are removed, the rest set.
pub async fn retag(
    ctx: &ProviderData,
    ids: Vec<String>,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Result<(), AwsError> {
    if ids.is_empty() {
        return Ok(());
    }
    let stale = stale_keys(old, new);
    if !stale.is_empty() {
        ctx.call(
            "ec2 tags",
            ctx.ec2
                .delete_tags()
                .set_resources(Some(ids.clone()))
                .set_tags(Some(
                    stale
                        .iter()
                        .map(|k| Tag::builder().key(k).build())
                        .collect(),
                ))
                .send(),
        )
        .await?;
    }
    let t: Vec<Tag> = new
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect();
    ctx.call(
        "ec2 tags",
        ctx.ec2
            .create_tags()
            .set_resources(Some(ids))
            .set_tags(Some(t))
            .send(),
    )
    .await
    .map(|_| ())
}
