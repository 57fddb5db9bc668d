//! Auto Scaling: the group, its metrics collection, and instance refreshes.

use aws_sdk_autoscaling::types::{
    LaunchTemplateSpecification, RefreshPreferences, RefreshStrategy, Tag,
};

use super::{invalid, Tags};
use crate::provider::error::AwsError;
use crate::provider::ProviderData;
use crate::resources::cluster::blueprint::{
    GROUP_METRICS, HEALTH_CHECK_GRACE_SECONDS, MIN_HEALTHY_PERCENT,
};

#[derive(Clone, Debug, Default)]
pub struct GroupFacts {
    pub min: i64,
    pub max: i64,
    pub desired: i64,
    pub subnets: Vec<String>,
    pub zones: Vec<String>,
    pub template_id: Option<String>,
    /// The version the group launches, as it says it ("3", "$Latest", "$Default").
    pub template_version: Option<String>,
    pub health_check_type: String,
    pub target_groups: Vec<String>,
    pub metrics: Vec<String>,
    pub deleting: bool,
    pub instances: usize,
}

pub async fn find_group(ctx: &ProviderData, name: &str) -> Result<Option<GroupFacts>, AwsError> {
    let out = ctx
        .call(
            &format!("auto scaling group {name}"),
            ctx.autoscaling()
                .describe_auto_scaling_groups()
                .auto_scaling_group_names(name)
                .send(),
        )
        .await?;
    Ok(out
        .auto_scaling_groups
        .unwrap_or_default()
        .into_iter()
        .find(|g| g.auto_scaling_group_name.as_deref() == Some(name))
        .map(|g| GroupFacts {
            min: g.min_size.unwrap_or_default() as i64,
            max: g.max_size.unwrap_or_default() as i64,
            desired: g.desired_capacity.unwrap_or_default() as i64,
            subnets: g
                .vpc_zone_identifier
                .as_deref()
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            zones: g.availability_zones.clone().unwrap_or_default(),
            template_id: g
                .launch_template
                .as_ref()
                .and_then(|t| t.launch_template_id.clone()),
            template_version: g.launch_template.as_ref().and_then(|t| t.version.clone()),
            health_check_type: g.health_check_type.clone().unwrap_or_default(),
            target_groups: g.target_group_arns.clone().unwrap_or_default(),
            metrics: g
                .enabled_metrics
                .iter()
                .flatten()
                .filter_map(|m| m.metric.clone())
                .collect(),
            deleting: g.status.as_deref().is_some_and(|s| s.contains("Delete")),
            instances: g.instances.as_ref().map_or(0, Vec::len),
        }))
}

fn group_tags(name: &str, tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder()
                .resource_id(name)
                .resource_type("auto-scaling-group")
                .key(k)
                .value(v)
                .propagate_at_launch(true)
                .build()
        })
        .collect()
}

fn template(id: &str, version: i64) -> LaunchTemplateSpecification {
    LaunchTemplateSpecification::builder()
        .launch_template_id(id)
        .version(version.to_string())
        .build()
}

/// What the group is made or updated to.
pub struct GroupSpec<'a> {
    pub name: &'a str,
    pub template_id: &'a str,
    pub version: i64,
    pub min: i64,
    pub max: i64,
    /// Set on create and when the user changed it; otherwise scaling owns it.
    pub desired: Option<i64>,
    pub subnets: &'a [String],
    pub target_group: &'a str,
}

/// Records the configured capacity on the group, in one call: the minimum, and the desired capacity
/// when given (alarm packs derive thresholds from them, not from the live values).
pub async fn tag_capacity(
    ctx: &ProviderData,
    name: &str,
    min: i64,
    desired: Option<i64>,
) -> Result<(), AwsError> {
    let tag = |key: &str, value: i64| {
        Tag::builder()
            .resource_id(name)
            .resource_type("auto-scaling-group")
            .key(key)
            .value(value.to_string())
            .propagate_at_launch(false)
            .build()
    };
    let mut tags = vec![tag(crate::provider::tags::TAG_MIN_SIZE, min)];
    if let Some(d) = desired {
        tags.push(tag(crate::provider::tags::TAG_DESIRED_CAPACITY, d));
    }
    ctx.call(
        &format!("auto scaling group {name}"),
        ctx.autoscaling()
            .create_or_update_tags()
            .set_tags(Some(tags))
            .send(),
    )
    .await
    .map(|_| ())
}

/// The settings a group is both created and updated with (`s`, a [`GroupSpec`]), on either
/// request builder.
macro_rules! group_settings {
    ($request:expr, $s:expr) => {
        $request
            .auto_scaling_group_name($s.name)
            .launch_template(template($s.template_id, $s.version))
            .min_size($s.min as i32)
            .max_size($s.max as i32)
            .set_desired_capacity($s.desired.map(|d| d as i32))
            .vpc_zone_identifier($s.subnets.join(","))
            .health_check_type("ELB")
            .health_check_grace_period(HEALTH_CHECK_GRACE_SECONDS)
    };
}

/// Creates the group, attached to the target group and tagged.
pub async fn create_group(
    ctx: &ProviderData,
    s: &GroupSpec<'_>,
    tags: &Tags,
) -> Result<(), AwsError> {
    let create = group_settings!(ctx.autoscaling().create_auto_scaling_group(), s);
    ctx.call(
        &format!("auto scaling group {}", s.name),
        create
            .target_group_arns(s.target_group)
            .set_tags(Some(group_tags(s.name, tags)))
            .send(),
    )
    .await
    .map(|_| ())
}

/// Brings the group's template version, sizes, subnets and health checks to `s`.
pub async fn update_group(ctx: &ProviderData, s: &GroupSpec<'_>) -> Result<(), AwsError> {
    let update = group_settings!(ctx.autoscaling().update_auto_scaling_group(), s);
    ctx.call(&format!("auto scaling group {}", s.name), update.send())
        .await
        .map(|_| ())
}

pub async fn attach_target_group(ctx: &ProviderData, name: &str, tg: &str) -> Result<(), AwsError> {
    ctx.call(
        &format!("auto scaling group {name}"),
        ctx.autoscaling()
            .attach_load_balancer_target_groups()
            .auto_scaling_group_name(name)
            .target_group_arns(tg)
            .send(),
    )
    .await
    .map(|_| ())
}

pub async fn enable_metrics(ctx: &ProviderData, name: &str) -> Result<(), AwsError> {
    ctx.call(
        &format!("auto scaling group {name}"),
        ctx.autoscaling()
            .enable_metrics_collection()
            .auto_scaling_group_name(name)
            .granularity("1Minute")
            .set_metrics(Some(GROUP_METRICS.iter().map(|m| m.to_string()).collect()))
            .send(),
    )
    .await
    .map(|_| ())
}

/// Rolls the instances onto the group's template version, keeping 90 % in service. A refresh
/// already running (from an earlier change) is cancelled first: the newest template wins.
pub async fn start_refresh(ctx: &ProviderData, name: &str) -> Result<String, AwsError> {
    let c = format!("instance refresh of {name}");
    let start = || async {
        ctx.call(
            &c,
            ctx.autoscaling()
                .start_instance_refresh()
                .auto_scaling_group_name(name)
                .strategy(RefreshStrategy::Rolling)
                .preferences(
                    RefreshPreferences::builder()
                        .min_healthy_percentage(MIN_HEALTHY_PERCENT)
                        .instance_warmup(HEALTH_CHECK_GRACE_SECONDS)
                        .build(),
                )
                .send(),
        )
        .await
    };
    let out = match start().await {
        Err(e) if e.code() == Some("InstanceRefreshInProgress") => {
            ctx.call(
                &c,
                ctx.autoscaling()
                    .cancel_instance_refresh()
                    .auto_scaling_group_name(name)
                    .send(),
            )
            .await?;
            start().await?
        }
        other => other?,
    };
    out.instance_refresh_id
        .ok_or_else(|| invalid(&c, "no refresh id"))
}

pub async fn delete_group(ctx: &ProviderData, name: &str) -> Result<(), AwsError> {
    match ctx
        .call(
            &format!("auto scaling group {name}"),
            ctx.autoscaling()
                .delete_auto_scaling_group()
                .auto_scaling_group_name(name)
                .force_delete(true)
                .send(),
        )
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.is_not_found() || e.code() == Some("ValidationError") => Ok(()),
        Err(e) => Err(e),
    }
}

/// Retags the group from `old` to `new` (keys no longer wanted are removed).
pub async fn tag(ctx: &ProviderData, name: &str, old: &Tags, new: &Tags) -> Result<(), AwsError> {
    let c = format!("auto scaling group {name}");
    let stale = crate::provider::tags::stale_keys(old, new);
    if !stale.is_empty() {
        ctx.call(
            &c,
            ctx.autoscaling()
                .delete_tags()
                .set_tags(Some(
                    stale
                        .iter()
                        .map(|k| {
                            Tag::builder()
                                .resource_id(name)
                                .resource_type("auto-scaling-group")
                                .key(k)
                                .build()
                        })
                        .collect(),
                ))
                .send(),
        )
        .await?;
    }
    ctx.call(
        &c,
        ctx.autoscaling()
            .create_or_update_tags()
            .set_tags(Some(group_tags(name, new)))
            .send(),
    )
    .await
    .map(|_| ())
}
