//! The load balancer's log bucket: made, or adopted when a destroy outside development kept it
//! (it carries the cluster's `prod:resource` tag), then every setting the blueprint gives it
//! repaired; deleted on destroy only where the profile (or `force_destroy_logs`) lets the logs go.

use super::super::aws::invalid;
use super::super::aws::logs_bucket as s3;
use super::super::blueprint::logs_bucket as lb;
use super::super::model::State;
use super::Desired;
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::tags::TAG_RESOURCE;
use crate::provider::ProviderData;
use crate::resources::concurrent::{all_ok, Made};

/// Makes or adopts the bucket, records it, and converges its settings. A bucket of that name is
/// adopted only when it carries this cluster's `prod:resource` tag (put right after create, and
/// again when destroy keeps the bucket). Returns the bucket's name.
pub async fn ensure(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    made: &Made,
) -> Result<String, AwsError> {
    let bucket = lb::bucket_name(&d.args.name, &place.account);
    let want = lb::settings(&d.log_retention);
    let ours = |f: &s3::BucketFacts| f.tags.get(TAG_RESOURCE) == d.tags.get(TAG_RESOURCE);
    let now = match s3::bucket(ctx, &bucket).await? {
        Some(f) if ours(&f) => f,
        Some(_) => return Err(not_ours(&bucket)),
        None => {
            if !s3::create(ctx, &place.region, &bucket, want.object_ownership).await? {
                // Taken since the look-up: ours only if it carries our tag.
                match s3::bucket(ctx, &bucket).await? {
                    Some(f) if ours(&f) => f,
                    _ => return Err(not_ours(&bucket)),
                }
            } else {
                // Tagged first, so that a create interrupted here is still recognised as ours.
                made.record("logs_bucket", bucket.clone());
                s3::put_tags(ctx, &bucket, &d.tags).await?;
                s3::BucketFacts {
                    tags: d.tags.clone(),
                    ..s3::BucketFacts::default()
                }
            }
        }
    };
    made.record("logs_bucket", bucket.clone());
    let policy = lb::bucket_policy(place, &bucket);
    let lifecycle = s3::Lifecycle {
        expiry_days: Some(want.expiry_days),
        noncurrent_days: Some(want.expiry_days),
    };
    let b = bucket.as_str();
    let (tags, pab, pol, enc, own, ver, life) = tokio::join!(
        when(now.tags != d.tags, s3::put_tags(ctx, b, &d.tags)),
        when(
            now.public_access_block != Some([true; 4]),
            s3::block_public_access(ctx, b)
        ),
        when(
            now.policy.as_ref() != Some(&policy),
            s3::put_policy(ctx, b, &policy)
        ),
        when(
            now.encryption.as_deref() != Some(want.sse_algorithm),
            s3::put_encryption(ctx, b, want.sse_algorithm)
        ),
        when(
            now.ownership.as_deref() != Some(want.object_ownership),
            s3::put_ownership(ctx, b, want.object_ownership)
        ),
        when(
            want.versioning && now.versioning.as_deref() != Some("Enabled"),
            s3::enable_versioning(ctx, b)
        ),
        when(
            now.lifecycle.as_ref() != Some(&lifecycle),
            s3::put_lifecycle(ctx, b, want.expiry_days)
        ),
    );
    all_ok(vec![tags, pab, pol, enc, own, ver, life])?;
    Ok(bucket)
}

/// Runs `call` only when `needed` (futures do nothing until awaited).
async fn when(
    needed: bool,
    call: impl std::future::Future<Output = Result<(), AwsError>>,
) -> Result<(), AwsError> {
    if needed {
        call.await
    } else {
        Ok(())
    }
}

fn not_ours(bucket: &str) -> AwsError {
    invalid(
        "log bucket",
        format!(
            "bucket {bucket} exists but is not this cluster's (it lacks the cluster's prod:resource tag, or belongs to another account); delete or rename it, or tag it prod:resource = prod_cluster.<name> to adopt it"
        ),
    )
}

/// Destroy: in development (or with `force_destroy_logs`) every version in the bucket and the
/// bucket go; elsewhere the logs are evidence and the bucket stays, out of state, tagged as this
/// cluster's (even when a create stopped before its tags), so that a later cluster of the same
/// name adopts it.
pub async fn delete(ctx: &ProviderData, s: &mut State) -> Result<(), AwsError> {
    let env = Environment::parse(&s.environment).unwrap_or(Environment::Production);
    let bucket = lb::bucket_name(&s.name, &ctx.place().await?.account);
    if lb::deleted_on_destroy(env, s.force_destroy_logs) {
        s3::delete_with_contents(ctx, &bucket).await?;
    } else if s.tags_all.contains_key(TAG_RESOURCE) {
        s3::none_if_absent(s3::put_tags(ctx, &bucket, &s.tags_all).await)?;
    }
    s.components.remove("logs_bucket");
    Ok(())
}
