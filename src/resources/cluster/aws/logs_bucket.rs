//! S3: the load balancer's log bucket, one small function per call.

use aws_sdk_s3::operation::get_bucket_encryption::GetBucketEncryptionOutput;
use aws_sdk_s3::operation::get_bucket_lifecycle_configuration::GetBucketLifecycleConfigurationOutput;
use aws_sdk_s3::operation::get_bucket_ownership_controls::GetBucketOwnershipControlsOutput;
use aws_sdk_s3::operation::get_bucket_tagging::GetBucketTaggingOutput;
use aws_sdk_s3::operation::get_public_access_block::GetPublicAccessBlockOutput;
use aws_sdk_s3::types::{
    AbortIncompleteMultipartUpload, BucketLifecycleConfiguration, BucketLocationConstraint,
    BucketVersioningStatus, CreateBucketConfiguration, Delete, ExpirationStatus,
    LifecycleExpiration, LifecycleRule, LifecycleRuleFilter, NoncurrentVersionExpiration,
    ObjectIdentifier, ObjectOwnership, OwnershipControls, OwnershipControlsRule,
    PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule, Tag, Tagging,
    VersioningConfiguration,
};
use aws_smithy_types::error::operation::BuildError;

use super::{invalid, Tags};
use crate::provider::ec2::sent;
use crate::provider::error::AwsError;
use crate::provider::ProviderData;

/// Incomplete multipart uploads are aborted after this many days (they are never logs).
const ABORT_UPLOADS_DAYS: i32 = 7;
/// `DeleteObjects` takes at most this many keys.
const DELETE_BATCH: usize = 1000;

/// The bucket's lifecycle rule as read: days to expiry of current and noncurrent versions.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Lifecycle {
    pub expiry_days: Option<i32>,
    pub noncurrent_days: Option<i32>,
}

/// A bucket as read; each setting `None` when the bucket has none.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct BucketFacts {
    pub tags: Tags,
    /// BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets.
    pub public_access_block: Option<[bool; 4]>,
    pub policy: Option<serde_json::Value>,
    pub encryption: Option<String>,
    pub ownership: Option<String>,
    /// `Enabled` or `Suspended`.
    pub versioning: Option<String>,
    pub lifecycle: Option<Lifecycle>,
}

fn built<T>(component: &str, r: Result<T, BuildError>) -> Result<T, AwsError> {
    r.map_err(|e| invalid(component, e.to_string()))
}

/// S3 says "there is none": a missing bucket, or a setting never made.
fn absent(e: &AwsError) -> bool {
    e.code()
        .is_some_and(|c| c.starts_with("NoSuch") || c.contains("NotFound"))
}

/// `Ok(None)` for [`absent`].
pub fn none_if_absent<T>(r: Result<T, AwsError>) -> Result<Option<T>, AwsError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if absent(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The bucket named and its settings, `None` when it does not exist. The settings are asked for
/// at once.
pub async fn bucket(ctx: &ProviderData, name: &str) -> Result<Option<BucketFacts>, AwsError> {
    let c = "log bucket";
    // Written out per call (`ctx.s3().<call>`): tests/e2e_iam.rs finds the calls by that form.
    let (head, tags, pab, policy, enc, own, ver, life) = tokio::join!(
        ctx.call(c, ctx.s3().head_bucket().bucket(name).send()),
        ctx.call(c, ctx.s3().get_bucket_tagging().bucket(name).send()),
        ctx.call(c, ctx.s3().get_public_access_block().bucket(name).send()),
        ctx.call(c, ctx.s3().get_bucket_policy().bucket(name).send()),
        ctx.call(c, ctx.s3().get_bucket_encryption().bucket(name).send()),
        ctx.call(
            c,
            ctx.s3().get_bucket_ownership_controls().bucket(name).send()
        ),
        ctx.call(c, ctx.s3().get_bucket_versioning().bucket(name).send()),
        ctx.call(
            c,
            ctx.s3()
                .get_bucket_lifecycle_configuration()
                .bucket(name)
                .send()
        ),
    );
    if none_if_absent(head)?.is_none() {
        return Ok(None);
    }
    Ok(Some(BucketFacts {
        tags: none_if_absent(tags)?.map(tags_of).unwrap_or_default(),
        public_access_block: none_if_absent(pab)?.and_then(public_access_block_of),
        policy: none_if_absent(policy)?
            .and_then(|o| o.policy)
            .and_then(|p| serde_json::from_str(&p).ok()),
        encryption: none_if_absent(enc)?.and_then(encryption_of),
        ownership: none_if_absent(own)?.and_then(ownership_of),
        versioning: none_if_absent(ver)?
            .and_then(|o| o.status)
            .map(|s| s.as_str().to_string()),
        lifecycle: none_if_absent(life)?.map(lifecycle_of),
    }))
}

fn tags_of(o: GetBucketTaggingOutput) -> Tags {
    o.tag_set.into_iter().map(|t| (t.key, t.value)).collect()
}

fn public_access_block_of(o: GetPublicAccessBlockOutput) -> Option<[bool; 4]> {
    o.public_access_block_configuration.map(|p| {
        [
            p.block_public_acls,
            p.ignore_public_acls,
            p.block_public_policy,
            p.restrict_public_buckets,
        ]
        .map(|b| b == Some(true))
    })
}

/// The default encryption's algorithm.
fn encryption_of(o: GetBucketEncryptionOutput) -> Option<String> {
    o.server_side_encryption_configuration
        .and_then(|c| c.rules.into_iter().next())
        .and_then(|r| r.apply_server_side_encryption_by_default)
        .map(|d| d.sse_algorithm.as_str().to_string())
}

fn ownership_of(o: GetBucketOwnershipControlsOutput) -> Option<String> {
    o.ownership_controls
        .and_then(|c| c.rules.into_iter().next())
        .map(|r| r.object_ownership.as_str().to_string())
}

/// The first enabled rule's expiry days.
fn lifecycle_of(o: GetBucketLifecycleConfigurationOutput) -> Lifecycle {
    let rule = o
        .rules
        .unwrap_or_default()
        .into_iter()
        .find(|r| r.status == ExpirationStatus::Enabled);
    Lifecycle {
        expiry_days: rule
            .as_ref()
            .and_then(|r| r.expiration.as_ref())
            .and_then(|e| e.days),
        noncurrent_days: rule
            .as_ref()
            .and_then(|r| r.noncurrent_version_expiration.as_ref())
            .and_then(|e| e.noncurrent_days),
    }
}

/// Creates the bucket in `region`, ACLs disabled from the start. `Ok(false)` when the name is
/// taken (by this account, or another: bucket names are global).
pub async fn create(
    ctx: &ProviderData,
    region: &str,
    name: &str,
    ownership: &str,
) -> Result<bool, AwsError> {
    let mut create = ctx
        .s3()
        .create_bucket()
        .bucket(name)
        .object_ownership(ObjectOwnership::from(ownership));
    // us-east-1 takes no location constraint (AWS refuses one naming it).
    if region != "us-east-1" {
        create = create.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build(),
        );
    }
    match sent(ctx, "log bucket", create.send()).await {
        Ok(()) => Ok(true),
        Err(e)
            if matches!(
                e.code(),
                Some("BucketAlreadyOwnedByYou") | Some("BucketAlreadyExists")
            ) =>
        {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

pub async fn put_tags(ctx: &ProviderData, name: &str, tags: &Tags) -> Result<(), AwsError> {
    let c = "log bucket tags";
    let set = tags
        .iter()
        .map(|(k, v)| built(c, Tag::builder().key(k).value(v).build()))
        .collect::<Result<Vec<_>, _>>()?;
    let tagging = built(c, Tagging::builder().set_tag_set(Some(set)).build())?;
    let put = ctx.s3().put_bucket_tagging().bucket(name).tagging(tagging);
    sent(ctx, c, put.send()).await
}

/// All four block public access settings on.
pub async fn block_public_access(ctx: &ProviderData, name: &str) -> Result<(), AwsError> {
    let all = PublicAccessBlockConfiguration::builder()
        .block_public_acls(true)
        .ignore_public_acls(true)
        .block_public_policy(true)
        .restrict_public_buckets(true)
        .build();
    let put = ctx.s3().put_public_access_block().bucket(name);
    let put = put.public_access_block_configuration(all);
    sent(ctx, "log bucket public access block", put.send()).await
}

pub async fn put_policy(
    ctx: &ProviderData,
    name: &str,
    policy: &serde_json::Value,
) -> Result<(), AwsError> {
    let put = ctx.s3().put_bucket_policy().bucket(name);
    sent(
        ctx,
        "log bucket policy",
        put.policy(policy.to_string()).send(),
    )
    .await
}

/// Default encryption with `algorithm` (`AES256`: the only one ALB log delivery supports).
pub async fn put_encryption(
    ctx: &ProviderData,
    name: &str,
    algorithm: &str,
) -> Result<(), AwsError> {
    let c = "log bucket encryption";
    let algorithm = ServerSideEncryption::from(algorithm);
    let by_default = ServerSideEncryptionByDefault::builder().sse_algorithm(algorithm);
    let rule = ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(built(c, by_default.build())?)
        .build();
    let config = ServerSideEncryptionConfiguration::builder().rules(rule);
    let put = ctx.s3().put_bucket_encryption().bucket(name);
    let put = put.server_side_encryption_configuration(built(c, config.build())?);
    sent(ctx, c, put.send()).await
}

pub async fn put_ownership(
    ctx: &ProviderData,
    name: &str,
    ownership: &str,
) -> Result<(), AwsError> {
    let c = "log bucket ownership controls";
    let rule = built(
        c,
        OwnershipControlsRule::builder()
            .object_ownership(ObjectOwnership::from(ownership))
            .build(),
    )?;
    let controls = built(c, OwnershipControls::builder().rules(rule).build())?;
    let put = ctx.s3().put_bucket_ownership_controls().bucket(name);
    sent(ctx, c, put.ownership_controls(controls).send()).await
}

pub async fn enable_versioning(ctx: &ProviderData, name: &str) -> Result<(), AwsError> {
    let on = VersioningConfiguration::builder()
        .status(BucketVersioningStatus::Enabled)
        .build();
    let put = ctx.s3().put_bucket_versioning().bucket(name);
    sent(
        ctx,
        "log bucket versioning",
        put.versioning_configuration(on).send(),
    )
    .await
}

/// One rule for the whole bucket: objects and their noncurrent versions expire after `days`.
pub async fn put_lifecycle(ctx: &ProviderData, name: &str, days: i32) -> Result<(), AwsError> {
    let c = "log bucket lifecycle";
    let rule = built(
        c,
        LifecycleRule::builder()
            .id("expire-logs")
            .status(ExpirationStatus::Enabled)
            .filter(LifecycleRuleFilter::builder().prefix("").build())
            .expiration(LifecycleExpiration::builder().days(days).build())
            .noncurrent_version_expiration(
                NoncurrentVersionExpiration::builder()
                    .noncurrent_days(days)
                    .build(),
            )
            .abort_incomplete_multipart_upload(
                AbortIncompleteMultipartUpload::builder()
                    .days_after_initiation(ABORT_UPLOADS_DAYS)
                    .build(),
            )
            .build(),
    )?;
    let config = built(
        c,
        BucketLifecycleConfiguration::builder().rules(rule).build(),
    )?;
    let put = ctx.s3().put_bucket_lifecycle_configuration().bucket(name);
    sent(ctx, c, put.lifecycle_configuration(config).send()).await
}

/// Deletes every version and delete marker in the bucket, then the bucket (done when it is
/// already gone).
pub async fn delete_with_contents(ctx: &ProviderData, name: &str) -> Result<(), AwsError> {
    let c = "log bucket";
    loop {
        let listed = ctx
            .call(c, ctx.s3().list_object_versions().bucket(name).send())
            .await;
        let Some(out) = none_if_absent(listed)? else {
            return Ok(());
        };
        let versions = out
            .versions
            .unwrap_or_default()
            .into_iter()
            .map(|v| (v.key, v.version_id));
        let markers = out
            .delete_markers
            .unwrap_or_default()
            .into_iter()
            .map(|m| (m.key, m.version_id));
        let ids = versions
            .chain(markers)
            .filter_map(|(k, v)| {
                k.map(|k| ObjectIdentifier::builder().key(k).set_version_id(v).build())
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(c, e.to_string()))?;
        if ids.is_empty() {
            break;
        }
        for batch in ids.chunks(DELETE_BATCH) {
            let delete = built(
                c,
                Delete::builder()
                    .set_objects(Some(batch.to_vec()))
                    .quiet(true)
                    .build(),
            )?;
            let del = ctx.s3().delete_objects().bucket(name).delete(delete);
            let out = ctx.call(c, del.send()).await?;
            // A key S3 would not delete would be listed again for ever: stop on the first.
            if let Some(e) = out.errors.unwrap_or_default().into_iter().next() {
                let what = e.key.unwrap_or_default();
                let why = e.message.or(e.code).unwrap_or_default();
                return Err(invalid(c, format!("could not delete {what}: {why}")));
            }
        }
    }
    match sent(ctx, c, ctx.s3().delete_bucket().bucket(name).send()).await {
        Err(e) if !absent(&e) => Err(e),
        _ => Ok(()),
    }
}
