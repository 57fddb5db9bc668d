//! CloudWatch Logs groups the resources own: created encrypted with a retention, read, deleted.

use std::collections::BTreeMap;

use super::error::{ok_if_missing, AwsError};
use super::profile::{Environment, LogRetention};
use super::ProviderData;
use crate::framework::{AttrPath, Diagnostics};

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
    match (created, key_arn) {
        (Err(e), _) if e.code() != Some("ResourceAlreadyExistsException") => return Err(e),
        // A group that was there before without this key (made by the service writing to it,
        // unencrypted, or by an earlier release) is adopted: encrypted from now on (what it holds
        // stays as it was) and tagged as ours.
        (Err(_), Some(key)) => {
            let found = described(ctx, name).await?;
            if let Some((facts, arn)) = found.filter(|(f, _)| f.kms_key.as_deref() != Some(key)) {
                ctx.call(
                    &c,
                    ctx.logs()
                        .associate_kms_key()
                        .log_group_name(name)
                        .kms_key_id(key)
                        .send(),
                )
                .await?;
                tag_group(ctx, &arn, &BTreeMap::new(), tags).await?;
                tracing::info!(
                    group = name,
                    had_key = facts.kms_key.is_some(),
                    "log group adopted"
                );
            }
        }
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

/// The retentions CloudWatch Logs accepts (`PutRetentionPolicy`), in days.
pub const CLOUDWATCH_DAYS: [i64; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// CloudWatch keeps metric data 15 months (455 days; one-hour data points from day 63) and no
/// longer, whatever is asked.
pub const METRICS_KEPT_DAYS: i64 = 455;

/// The values CloudWatch accepts nearest to `days`: the one below and the one above.
fn nearest(days: i64) -> String {
    let below = CLOUDWATCH_DAYS.iter().rev().find(|d| **d < days);
    let above = CLOUDWATCH_DAYS.iter().find(|d| **d > days);
    match (below, above) {
        (Some(b), Some(a)) => format!("{b} or {a}"),
        (Some(b), None) => b.to_string(),
        (None, Some(a)) => a.to_string(),
        (None, None) => CLOUDWATCH_DAYS[0].to_string(),
    }
}

/// One tier of a `log_retention` block (`attr`: `application`, `audit` or `metrics`) at `path`:
/// a value CloudWatch accepts, and for metrics at most what CloudWatch keeps. Whether it is one.
pub fn check_days(path: AttrPath, attr: &str, days: i64, d: &mut Diagnostics) -> bool {
    if attr == "metrics" && days > METRICS_KEPT_DAYS {
        d.error_at(
            path,
            "CloudWatch keeps metrics 15 months",
            format!("metrics = {days}: CloudWatch keeps metric data {METRICS_KEPT_DAYS} days and no longer, so more cannot be met. Give {METRICS_KEPT_DAYS} or less (e.g. 365)."),
        );
    } else if !CLOUDWATCH_DAYS.contains(&days) {
        d.error_at(
            path,
            "Not a retention CloudWatch Logs accepts",
            format!("{attr} = {days}: CloudWatch Logs keeps logs 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653 days. Give {}.", nearest(days)),
        );
    } else {
        return true;
    }
    false
}

/// Production's refusal of tier `attr` at `days`, below its floor (`LogRetention::FLOOR`), given
/// by `who` (the attribute, or the provider block's); `fix` ends the hint.
pub fn refuse_below_floor(
    path: AttrPath,
    attr: &str,
    who: &str,
    days: i64,
    fix: &str,
    d: &mut Diagnostics,
) {
    let (least, default) = match attr {
        "application" => (
            LogRetention::FLOOR.application,
            Environment::Production.log_retention().application,
        ),
        "audit" => (
            LogRetention::FLOOR.audit,
            Environment::Production.log_retention().audit,
        ),
        _ => (
            LogRetention::FLOOR.metrics,
            Environment::Production.log_retention().metrics,
        ),
    };
    d.error_at(
        path,
        "Production keeps its logs longer",
        format!("{who} = {days}: production keeps {attr} logs at least {least} days (the profile's default is {default}). Give {least} or more{fix}."),
    );
}

/// What a log group holds, which decides how long it is kept (`log_retention`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogClass {
    /// Engine and application logs (e.g. the instances' boot log).
    Application,
    /// Flow logs, audit logs, the web ACL's and the load balancer's access logs.
    Audit,
}

impl LogClass {
    pub fn as_str(self) -> &'static str {
        match self {
            LogClass::Application => "application",
            LogClass::Audit => "audit",
        }
    }
    /// The days a group of this class is kept under `tiers`.
    pub fn days(self, tiers: &LogRetention) -> i64 {
        match self {
            LogClass::Application => tiers.application,
            LogClass::Audit => tiers.audit,
        }
    }
}

/// Whether `class`'s tier in `tiers` is `env`'s profile's (else the configuration stated it).
fn by_profile(env: Environment, class: LogClass, tiers: &LogRetention) -> bool {
    class.days(&env.log_retention()) == class.days(tiers)
}

/// Who decided `class`'s tier in `tiers`: the profile of `env`, or the configuration.
pub fn keeper(env: Environment, class: LogClass, tiers: &LogRetention) -> String {
    if by_profile(env, class, tiers) {
        format!("the {env} profile")
    } else {
        format!("log_retention.{}", class.as_str())
    }
}

/// The retention `log_retention` gives, as CloudWatch takes it.
pub fn retention_days(class: LogClass, tiers: &LogRetention) -> i32 {
    i32::try_from(class.days(tiers)).unwrap_or(i32::MAX)
}

/// CloudWatch.16 of a group of `class` kept `tiers`, from the retention AWS reports (`None`: never
/// expires). A group holding its tier passes when the tier is at least the class's floor
/// (`LogRetention::FLOOR`: CloudWatch.16's year for audit logs, the guides' 30 days for
/// application logs); a tier below it is reported as the relaxation it is, naming the profile
/// when it is the profile's value, else `log_retention`; anything else fails, naming both. The
/// same rule serves plan (with the tier) and read, so drift shows as `fail` → planned.
pub fn retention_posture(
    env: Environment,
    class: LogClass,
    tiers: &LogRetention,
    days: Option<i32>,
) -> String {
    let want = class.days(tiers);
    let by_profile = by_profile(env, class, tiers);
    let who = if by_profile {
        "the profile".to_string()
    } else {
        format!("log_retention.{}", class.as_str())
    };
    match days.map(i64::from) {
        None => "fail: log retention is unlimited".to_string(),
        Some(d) if d != want => format!("fail: log retention is {d} days, {who} keeps {want}"),
        Some(d) if d >= class.days(&LogRetention::FLOOR) => "pass".to_string(),
        Some(d) if by_profile => format!("fail: relaxed by {env} profile ({d} days)"),
        Some(d) => format!("fail: relaxed by {who} ({d} days)"),
    }
}

/// What read needs of a group: retention days and KMS key.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupFacts {
    pub retention_days: Option<i32>,
    pub kms_key: Option<String>,
}

/// A group as DescribeLogGroups lists it: its name, facts and ARN (without `:*`).
fn listed(g: aws_sdk_cloudwatchlogs::types::LogGroup) -> Option<(String, (GroupFacts, String))> {
    let arn = g.arn.unwrap_or_default().trim_end_matches(":*").to_string();
    let facts = GroupFacts {
        retention_days: g.retention_in_days,
        kms_key: g.kms_key_id,
    };
    Some((g.log_group_name?, (facts, arn)))
}

/// The group's facts and ARN, `None` when it does not exist: one call, as the exact name sorts
/// first among those it starts.
async fn described(
    ctx: &ProviderData,
    name: &str,
) -> Result<Option<(GroupFacts, String)>, AwsError> {
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
        .filter_map(listed)
        .find(|(n, _)| n == name)
        .map(|(_, found)| found))
}

/// The group's facts, `None` when it does not exist.
pub async fn group(ctx: &ProviderData, name: &str) -> Result<Option<GroupFacts>, AwsError> {
    Ok(described(ctx, name).await?.map(|(facts, _)| facts))
}

/// Every group whose name starts with `prefix` (all pages): name → (facts, ARN without `:*`).
pub async fn groups_under(
    ctx: &ProviderData,
    prefix: &str,
) -> Result<BTreeMap<String, (GroupFacts, String)>, AwsError> {
    let mut found = BTreeMap::new();
    let mut token: Option<String> = None;
    loop {
        let out = ctx
            .call(
                "log groups",
                ctx.logs()
                    .describe_log_groups()
                    .log_group_name_prefix(prefix)
                    .set_next_token(token.take())
                    .send(),
            )
            .await?;
        found.extend(
            out.log_groups
                .unwrap_or_default()
                .into_iter()
                .filter_map(listed),
        );
        match out.next_token {
            Some(t) if !t.is_empty() => token = Some(t),
            _ => return Ok(found),
        }
    }
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

    /// One case of the CloudWatch.16 rule: a group of `class` kept `tiers` in `env`, holding `days`.
    struct Case {
        name: &'static str,
        env: Environment,
        class: LogClass,
        tiers: Option<LogRetention>,
        days: Option<i32>,
        want: &'static str,
    }

    #[test]
    fn retention_posture_passes_a_floor_relaxes_by_name_and_fails_drift() {
        use Environment::*;
        use LogClass::*;
        let stated = |application, audit| {
            Some(LogRetention {
                application,
                audit,
                metrics: 365,
            })
        };
        let cases = [
            Case {
                name: "production audit at seven years",
                env: Production,
                class: Audit,
                tiers: None,
                days: Some(2557),
                want: "pass",
            },
            Case {
                name: "production application at the guides' month",
                env: Production,
                class: Application,
                tiers: None,
                days: Some(30),
                want: "pass",
            },
            Case {
                name: "production audit cut to a year",
                env: Production,
                class: Audit,
                tiers: None,
                days: Some(365),
                want: "fail: log retention is 365 days, the profile keeps 2557",
            },
            Case {
                name: "production audit kept longer than stated",
                env: Production,
                class: Audit,
                tiers: None,
                days: Some(3653),
                want: "fail: log retention is 3653 days, the profile keeps 2557",
            },
            Case {
                name: "never expires",
                env: Production,
                class: Application,
                tiers: None,
                days: None,
                want: "fail: log retention is unlimited",
            },
            Case {
                name: "development at its week",
                env: Development,
                class: Audit,
                tiers: None,
                days: Some(7),
                want: "fail: relaxed by development profile (7 days)",
            },
            Case {
                name: "staging's audit year passes",
                env: Staging,
                class: Audit,
                tiers: None,
                days: Some(365),
                want: "pass",
            },
            Case {
                name: "development cut to a day",
                env: Development,
                class: Application,
                tiers: None,
                days: Some(1),
                want: "fail: log retention is 1 days, the profile keeps 7",
            },
            Case {
                name: "a stated tier held passes",
                env: Production,
                class: Audit,
                tiers: stated(30, 3653),
                days: Some(3653),
                want: "pass",
            },
            Case {
                name: "a stated tier below the floor is its relaxation",
                env: Staging,
                class: Audit,
                tiers: stated(30, 90),
                days: Some(90),
                want: "fail: relaxed by log_retention.audit (90 days)",
            },
            Case {
                name: "a stated tier drifted names the attribute",
                env: Staging,
                class: Application,
                tiers: stated(60, 365),
                days: Some(1),
                want: "fail: log retention is 1 days, log_retention.application keeps 60",
            },
        ];
        for c in cases {
            let tiers = c.tiers.unwrap_or(c.env.log_retention());
            assert_eq!(
                retention_posture(c.env, c.class, &tiers, c.days),
                c.want,
                "{}",
                c.name
            );
        }
    }
}
