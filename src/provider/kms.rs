//! KMS calls shared by the resources that own a customer-managed key: create (with policy and tags),
//! rotation, alias, describe, scheduled deletion.

use std::collections::BTreeMap;

use aws_sdk_kms::types::KeyState;

use super::aws::Place;
use super::error::{found, AwsError};
use super::ProviderData;

type Tags = BTreeMap<String, String>;

fn invalid(component: &str, message: &str) -> AwsError {
    AwsError::Invalid {
        component: component.to_string(),
        message: message.to_string(),
    }
}

/// The policy of a key that `services` (e.g. `rds`, `secretsmanager`) use on this account's behalf
/// (`kms:ViaService` and `kms:CallerAccount`), administered by the account; `id` names the policy,
/// `sid` the services' statement.
pub fn via_service_key_policy(place: &Place, id: &str, sid: &str, services: &[&str]) -> String {
    via_service_key_policy_with(place, id, sid, services, Vec::new())
}

/// `via_service_key_policy` with `extra` statements after the services'.
pub fn via_service_key_policy_with(
    place: &Place,
    id: &str,
    sid: &str,
    services: &[&str],
    extra: Vec<serde_json::Value>,
) -> String {
    let via: Vec<String> = services
        .iter()
        .map(|s| format!("{s}.{}.amazonaws.com", place.region))
        .collect();
    let mut statements = vec![
        serde_json::json!({"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": place.iam_arn("root")}, "Action": "kms:*", "Resource": "*"}),
        serde_json::json!({
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:ListGrants", "kms:DescribeKey"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "kms:CallerAccount": place.account,
                    "kms:ViaService": via
                }
            }
        }),
    ];
    statements.extend(extra);
    serde_json::json!({
        "Version": "2012-10-17",
        "Id": id,
        "Statement": statements,
    })
    .to_string()
}

/// The key id of a key ARN (`…:key/<id>`), or the input when it is already an id.
pub fn key_id(arn_or_id: &str) -> &str {
    arn_or_id
        .rsplit_once("key/")
        .map_or(arn_or_id, |(_, id)| id)
}

pub struct CreatedKey {
    pub arn: String,
}

/// A customer-managed key with `policy`, tagged; rotation is enabled by the caller's next step.
pub async fn create_key(
    ctx: &ProviderData,
    description: &str,
    policy: String,
    tags: &Tags,
) -> Result<CreatedKey, AwsError> {
    let c = "kms key";
    let kms_tags: Vec<_> = tags
        .iter()
        .filter_map(|(k, v)| {
            aws_sdk_kms::types::Tag::builder()
                .tag_key(k)
                .tag_value(v)
                .build()
                .ok()
        })
        .collect();
    let out = ctx
        .call(
            c,
            ctx.kms()
                .create_key()
                .description(description)
                .policy(policy)
                .set_tags(Some(kms_tags))
                .send(),
        )
        .await?;
    let meta = out
        .key_metadata
        .ok_or_else(|| invalid(c, "CreateKey returned no key metadata"))?;
    let arn = meta
        .arn
        .ok_or_else(|| invalid(c, "CreateKey returned no ARN"))?;
    Ok(CreatedKey { arn })
}

pub async fn enable_rotation(ctx: &ProviderData, key: &str) -> Result<(), AwsError> {
    ctx.call(
        "kms key rotation",
        ctx.kms().enable_key_rotation().key_id(key_id(key)).send(),
    )
    .await
    .map(|_| ())
}

pub async fn put_key_policy(ctx: &ProviderData, key: &str, policy: String) -> Result<(), AwsError> {
    ctx.call(
        "kms key policy",
        ctx.kms()
            .put_key_policy()
            .key_id(key_id(key))
            .policy_name("default")
            .policy(policy)
            .send(),
    )
    .await
    .map(|_| ())
}

pub async fn ensure_alias(ctx: &ProviderData, alias: &str, key: &str) -> Result<(), AwsError> {
    let c = "kms alias";
    match ctx
        .call(
            c,
            ctx.kms()
                .create_alias()
                .alias_name(alias)
                .target_key_id(key_id(key))
                .send(),
        )
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.code() == Some("AlreadyExistsException") => ctx
            .call(
                c,
                ctx.kms()
                    .update_alias()
                    .alias_name(alias)
                    .target_key_id(key_id(key))
                    .send(),
            )
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    }
}

pub async fn delete_alias(ctx: &ProviderData, alias: &str) -> Result<(), AwsError> {
    match ctx
        .call(
            "kms alias",
            ctx.kms().delete_alias().alias_name(alias).send(),
        )
        .await
    {
        Err(e) if !e.is_not_found() => Err(e),
        _ => Ok(()),
    }
}

/// Deletes a resource's own key: its alias, then the key (recorded in `components` as
/// `kms_key`) scheduled for deletion within the deletion window of the resource's `environment`
/// (the longest, production's, when it does not parse); each taken out of `components` as it goes.
pub async fn delete_own_key(
    ctx: &ProviderData,
    alias: &str,
    components: &mut BTreeMap<String, String>,
    environment: &str,
) -> Result<(), AwsError> {
    let window_days = super::profile::Environment::parse(environment)
        .unwrap_or(super::profile::Environment::Production)
        .key_deletion_window_days();
    delete_alias(ctx, alias).await?;
    components.remove("kms_alias");
    if let Some(k) = components.remove("kms_key") {
        schedule_key_deletion(ctx, &k, window_days).await?;
    }
    Ok(())
}

pub async fn schedule_key_deletion(
    ctx: &ProviderData,
    key: &str,
    days: i32,
) -> Result<(), AwsError> {
    // By key id: the local AWS fails on an ARN here.
    match ctx
        .call(
            "kms key",
            ctx.kms()
                .schedule_key_deletion()
                .key_id(key_id(key))
                .pending_window_in_days(days)
                .send(),
        )
        .await
    {
        Err(e) if !(e.is_not_found() || e.code() == Some("KMSInvalidStateException")) => Err(e),
        _ => Ok(()),
    }
}

pub struct KeyFacts {
    pub arn: String,
    pub usable: bool,
    pub rotation: Option<bool>,
}

/// A usable key into a resource's `components` (as `kms_key`, its alias `alias_arn` as
/// `kms_alias`); whether it rotates automatically, `None` when it is deleted, disabled or pending
/// deletion (nothing is recorded then).
pub fn record_usable(
    key: Option<KeyFacts>,
    alias_arn: String,
    components: &mut Tags,
) -> Option<bool> {
    let f = key.filter(|f| f.usable)?;
    components.insert("kms_key".into(), f.arn);
    components.insert("kms_alias".into(), alias_arn);
    Some(f.rotation == Some(true))
}

/// DescribeKey + GetKeyRotationStatus; `None` when the key does not exist.
pub async fn describe_key(ctx: &ProviderData, key: &str) -> Result<Option<KeyFacts>, AwsError> {
    let c = "kms key";
    let Some(out) = found(
        ctx.call(c, ctx.kms().describe_key().key_id(key).send())
            .await,
    )?
    else {
        return Ok(None);
    };
    let meta = out
        .key_metadata
        .ok_or_else(|| invalid(c, "DescribeKey returned no metadata"))?;
    let usable = !matches!(
        meta.key_state,
        Some(KeyState::PendingDeletion | KeyState::PendingReplicaDeletion)
    );
    let rotation = if usable {
        ctx.call(
            "kms key rotation",
            ctx.kms()
                .get_key_rotation_status()
                .key_id(&meta.key_id)
                .send(),
        )
        .await
        .ok()
        .map(|o| o.key_rotation_enabled)
    } else {
        None
    };
    Ok(Some(KeyFacts {
        arn: meta.arn.unwrap_or_default(),
        usable,
        rotation,
    }))
}

/// The resource's own key, under `components["kms_key"]`: the recorded one (its policy put back),
/// else the one `alias` points at (adopted, so a recreate after a failure does not orphan it), else
/// a new one. Then rotation on and the alias pointing at it. The key is recorded in `components`
/// before any further call (contract rule 14), the alias (`kms_alias`) once it points at the key.
/// Returns the key's ARN.
pub async fn ensure_owned_key(
    ctx: &ProviderData,
    place: &super::aws::Place,
    components: &mut BTreeMap<String, String>,
    alias: &str,
    description: &str,
    policy: String,
    tags: &Tags,
) -> Result<String, AwsError> {
    let recorded = components.get("kms_key").cloned();
    let key = match recorded {
        Some(k) => {
            put_key_policy(ctx, &k, policy).await?;
            k
        }
        None => match describe_key(ctx, alias).await?.filter(|k| k.usable) {
            Some(k) => {
                components.insert("kms_key".into(), k.arn.clone());
                put_key_policy(ctx, &k.arn, policy).await?;
                k.arn
            }
            None => {
                let k = create_key(ctx, description, policy, tags).await?;
                components.insert("kms_key".into(), k.arn.clone());
                k.arn
            }
        },
    };
    // Rotation and the alias at once; the alias is recorded when it exists.
    let (rotated, aliased) =
        tokio::join!(enable_rotation(ctx, &key), ensure_alias(ctx, alias, &key));
    if aliased.is_ok() {
        components.insert("kms_alias".into(), place.arn("kms", alias));
    }
    rotated.and(aliased).map(|_| key)
}

/// Retags a key from `old` to `tags` (keys no longer wanted are removed).
pub async fn tag_key(
    ctx: &ProviderData,
    key: &str,
    old: &Tags,
    tags: &Tags,
) -> Result<(), AwsError> {
    let stale = super::tags::stale_keys(old, tags);
    if !stale.is_empty() {
        ctx.call(
            "kms key tags",
            ctx.kms()
                .untag_resource()
                .key_id(key_id(key))
                .set_tag_keys(Some(stale))
                .send(),
        )
        .await?;
    }
    let t: Vec<_> = tags
        .iter()
        .filter_map(|(k, v)| {
            aws_sdk_kms::types::Tag::builder()
                .tag_key(k)
                .tag_value(v)
                .build()
                .ok()
        })
        .collect();
    ctx.call(
        "kms key tags",
        ctx.kms()
            .tag_resource()
            .key_id(key_id(key))
            .set_tags(Some(t))
            .send(),
    )
    .await
    .map(|_| ())
}
