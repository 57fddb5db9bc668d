//! CloudWatch Logs groups the resources own: created encrypted with a retention, read, deleted.

use std::collections::BTreeMap;

use super::error::{ok_if_missing, AwsError};
use super::profile::Environment;
use super::ProviderData;

/// Creates the group (encrypted with `key_arn` when given) or keeps the existing one, and sets its
/// retention.
pub async fn ensure_group(
    ctx: &ProviderData,
    name: &str,
    key_arn: Option<&str>,
    retention: i32,
    tags: &BTreeMap<String, String>,
) -> Result<(), AwsError> {
    let c = format!("log group {name}");
    let created = ctx
        .call(
            &c,
            ctx.logs()
                .create_log_group()
                .log_group_name(name)
                .set_kms_key_id(key_arn.map(str::to_string))
                .set_tags(Some(
                    tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                ))
                .send(),
        )
        .await;
    match created {
        Err(e) if e.code() != Some("ResourceAlreadyExistsException") => return Err(e),
        _ => {}
    }
    ctx.call(
        &c,
        ctx.logs()
            .put_retention_policy()
            .log_group_name(name)
            .retention_in_days(retention)
            .send(),
    )
    .await
    .map(|_| ())
}

/// CloudWatch.16 of a group the profile keeps `env.log_retention_days()`, from the retention AWS
/// reports (`None`: never expires): a year or more passes in production; a profile that keeps less
/// reports its relaxation when AWS holds exactly its value; anything else fails, naming both. The
/// same rule serves plan (with the profile's value) and read, so drift shows as `fail` → planned.
pub fn retention_posture(env: Environment, days: Option<i32>) -> String {
    let want = env.log_retention_days();
    match days.map(i64::from) {
        None => "fail: log retention is unlimited".to_string(),
        Some(d) if env == Environment::Production && d >= 365 => "pass".to_string(),
        Some(d) if d == want && env != Environment::Production => retention_relaxed(env),
        Some(d) => format!("fail: log retention is {d} days, the profile keeps {want}"),
    }
}

/// CloudWatch.16 where the profile keeps logs less than a year, on purpose.
fn retention_relaxed(env: Environment) -> String {
    format!(
        "fail: relaxed by {env} profile ({} days)",
        env.log_retention_days()
    )
}

/// What read needs of a group: retention days and KMS key.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupFacts {
    pub retention_days: Option<i32>,
    pub kms_key: Option<String>,
}

/// The group's facts, `None` when it does not exist.
pub async fn group(ctx: &ProviderData, name: &str) -> Result<Option<GroupFacts>, AwsError> {
    let out = ctx
        .call(
            "log group",
            ctx.logs()
                .describe_log_groups()
                .log_group_name_prefix(name)
                .send(),
        )
        .await?;
    Ok(out
        .log_groups
        .unwrap_or_default()
        .into_iter()
        .find(|g| g.log_group_name.as_deref() == Some(name))
        .map(|g| GroupFacts {
            retention_days: g.retention_in_days,
            kms_key: g.kms_key_id,
        }))
}

pub async fn delete_group(ctx: &ProviderData, name: &str) -> Result<(), AwsError> {
    ok_if_missing(
        ctx.call(
            "log group",
            ctx.logs().delete_log_group().log_group_name(name).send(),
        )
        .await
        .map(|_| ()),
    )
}

/// Retags the group (by its ARN) from `old` to `tags` (keys no longer wanted are removed).
pub async fn tag_group(
    ctx: &ProviderData,
    arn: &str,
    old: &BTreeMap<String, String>,
    tags: &BTreeMap<String, String>,
) -> Result<(), AwsError> {
    let stale = super::tags::stale_keys(old, tags);
    if !stale.is_empty() {
        ctx.call(
            "log group tags",
            ctx.logs()
                .untag_resource()
                .resource_arn(arn.trim_end_matches(":*"))
                .set_tag_keys(Some(stale))
                .send(),
        )
        .await?;
    }
    ctx.call(
        "log group tags",
        ctx.logs()
            .tag_resource()
            .resource_arn(arn.trim_end_matches(":*"))
            .set_tags(Some(
                tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            ))
            .send(),
    )
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_posture_passes_a_year_relaxes_the_profile_and_fails_drift() {
        use Environment::*;
        let cases = [
            ("production at its year", Production, Some(365), "pass"),
            ("production kept longer", Production, Some(3653), "pass"),
            (
                "production cut to a day",
                Production,
                Some(1),
                "fail: log retention is 1 days, the profile keeps 365",
            ),
            (
                "never expires",
                Production,
                None,
                "fail: log retention is unlimited",
            ),
            (
                "development at its week",
                Development,
                Some(7),
                "fail: relaxed by development profile (7 days)",
            ),
            (
                "staging at its month",
                Staging,
                Some(30),
                "fail: relaxed by staging profile (30 days)",
            ),
            (
                "development cut to a day",
                Development,
                Some(1),
                "fail: log retention is 1 days, the profile keeps 7",
            ),
        ];
        for (name, env, days, want) in cases {
            assert_eq!(retention_posture(env, days), want, "{name}");
        }
    }
}
