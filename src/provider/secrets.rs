//! Secrets Manager calls for secrets the provider generates (e.g. a Redis AUTH token): the value
//! is made by AWS (`GetRandomPassword`), stored encrypted with the resource's key, and handed only to
//! the AWS call that needs it. It never reaches state, plans or logs.

use std::collections::BTreeMap;

use super::error::{found, ok_if_missing, AwsError};
use super::ProviderData;

type Tags = BTreeMap<String, String>;

fn sm_tags(tags: &Tags) -> Vec<aws_sdk_secretsmanager::types::Tag> {
    tags.iter()
        .map(|(k, v)| {
            aws_sdk_secretsmanager::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
        })
        .collect()
}

/// A secret held only in memory: `Debug` prints no value, so it cannot leak through a log line.
pub struct SecretValue(String);

impl SecretValue {
    /// A value the user gave (a write-only argument): held here so that it cannot be printed.
    pub fn new(value: String) -> SecretValue {
        SecretValue(value)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretValue(<redacted>)")
    }
}

/// The ARN of secret `name`, or `None` when it does not exist (or is scheduled for deletion).
pub async fn arn(ctx: &ProviderData, name: &str) -> Result<Option<String>, AwsError> {
    Ok(found(
        ctx.call(
            "auth secret",
            ctx.secretsmanager()
                .describe_secret()
                .secret_id(name)
                .send(),
        )
        .await,
    )?
    .filter(|out| out.deleted_date.is_none())
    .and_then(|out| out.arn))
}

/// How a secret made by [`ensure`] gets its first value.
pub enum Initial<'a> {
    /// A `length`-character random value without punctuation, made by AWS.
    Generated { length: i64 },
    /// The value the user gave.
    Given(&'a SecretValue),
}

/// Secret `name`: the existing one (its value read back, so a re-apply after a failure reuses it),
/// else a new one holding the `initial` value, encrypted with `kms_key`. Returns (ARN, value).
pub async fn ensure(
    ctx: &ProviderData,
    name: &str,
    description: &str,
    kms_key: &str,
    initial: Initial<'_>,
    tags: &Tags,
) -> Result<(String, SecretValue), AwsError> {
    let c = "auth secret";
    if let Some(existing) = arn(ctx, name).await? {
        let v = ctx
            .call(
                c,
                ctx.secretsmanager()
                    .get_secret_value()
                    .secret_id(&existing)
                    .send(),
            )
            .await?;
        if let Some(s) = v.secret_string {
            return Ok((existing, SecretValue(s)));
        }
    }
    let value = match initial {
        Initial::Given(v) => v.expose().to_string(),
        Initial::Generated { length } => random(ctx, length).await?.0,
    };
    let out = ctx
        .call(
            c,
            ctx.secretsmanager()
                .create_secret()
                .name(name)
                .description(description)
                .kms_key_id(kms_key)
                .secret_string(&value)
                .set_tags(Some(sm_tags(tags)))
                .send(),
        )
        .await?;
    let arn = out.arn.ok_or_else(|| AwsError::Invalid {
        component: c.into(),
        message: "CreateSecret returned no ARN".into(),
    })?;
    Ok((arn, SecretValue(value)))
}

/// A `length`-character random value without punctuation, made by AWS.
pub async fn random(ctx: &ProviderData, length: i64) -> Result<SecretValue, AwsError> {
    let c = "auth secret";
    ctx.call(
        c,
        ctx.secretsmanager()
            .get_random_password()
            .password_length(length)
            .exclude_punctuation(true)
            .require_each_included_type(true)
            .send(),
    )
    .await?
    .random_password
    .map(SecretValue)
    .ok_or_else(|| AwsError::Invalid {
        component: c.into(),
        message: "GetRandomPassword returned no value".into(),
    })
}

/// The resource policy of secret `name` (`None`: no policy, or no secret).
pub async fn policy(ctx: &ProviderData, name: &str) -> Result<Option<String>, AwsError> {
    Ok(found(
        ctx.call(
            "secret policy",
            ctx.secretsmanager()
                .get_resource_policy()
                .secret_id(name)
                .send(),
        )
        .await,
    )?
    .and_then(|out| out.resource_policy))
}

/// Sets the resource policy of secret `name` to `policy` (public policies blocked).
pub async fn put_policy(ctx: &ProviderData, name: &str, policy: &str) -> Result<(), AwsError> {
    ctx.call(
        "secret policy",
        ctx.secretsmanager()
            .put_resource_policy()
            .secret_id(name)
            .resource_policy(policy)
            .block_public_policy(true)
            .send(),
    )
    .await?;
    Ok(())
}

/// Puts `value` into secret `name` as its current version (a rotated token).
pub async fn put(ctx: &ProviderData, name: &str, value: &SecretValue) -> Result<(), AwsError> {
    ctx.call(
        "auth secret",
        ctx.secretsmanager()
            .put_secret_value()
            .secret_id(name)
            .secret_string(value.expose())
            .send(),
    )
    .await?;
    Ok(())
}

/// Retags secret `name` from `old` to `tags`.
pub async fn tag(ctx: &ProviderData, name: &str, old: &Tags, tags: &Tags) -> Result<(), AwsError> {
    let c = "auth secret tags";
    let stale = super::tags::stale_keys(old, tags);
    if !stale.is_empty() {
        ctx.call(
            c,
            ctx.secretsmanager()
                .untag_resource()
                .secret_id(name)
                .set_tag_keys(Some(stale))
                .send(),
        )
        .await?;
    }
    ctx.call(
        c,
        ctx.secretsmanager()
            .tag_resource()
            .secret_id(name)
            .set_tags(Some(sm_tags(tags)))
            .send(),
    )
    .await?;
    Ok(())
}

/// Deletes secret `name` at once (what it guarded is gone).
pub async fn delete(ctx: &ProviderData, name: &str) -> Result<(), AwsError> {
    ok_if_missing(
        ctx.call(
            "auth secret",
            ctx.secretsmanager()
                .delete_secret()
                .secret_id(name)
                .force_delete_without_recovery(true)
                .send(),
        )
        .await
        .map(|_| ()),
    )
}
