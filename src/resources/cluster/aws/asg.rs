//! Auto Scaling: the group, its metrics collection, and instance refreshes.

use aws_sdk_autoscaling::types::{
    AlarmSpecification, DesiredConfiguration, InstancesDistribution, LaunchTemplate,
    LaunchTemplateOverrides, LaunchTemplateSpecification, MetricType, MixedInstancesPolicy,
    PredefinedMetricSpecification, RefreshPreferences, RefreshStrategy, Tag,
    TargetTrackingConfiguration,
};

use super::{invalid, Tags};
use crate::provider::error::AwsError;
use crate::provider::ProviderData;
use crate::resources::cluster::blueprint::{
    GROUP_METRICS, HEALTH_CHECK_GRACE_SECONDS, MIN_HEALTHY_PERCENT,
};
use crate::resources::cluster::instance_mix::Mix;
use crate::resources::cluster::scaling::Policy;

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
    /// The default instance warmup in seconds; `None` when the group has none.
    pub warmup_seconds: Option<i64>,
    /// The mixed-instances policy; `None` when the group launches from the template alone.
    pub mix: Option<Mix>,
    /// The desired capacity last configured, as the group's `prod:desired_capacity` tag records
    /// it (scaling moves `desired`, never this).
    pub configured_desired: Option<i64>,
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
            template_id: launch_spec(&g).and_then(|t| t.launch_template_id.clone()),
            template_version: launch_spec(&g).and_then(|t| t.version.clone()),
            mix: g.mixed_instances_policy.as_ref().map(mix_of),
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
            warmup_seconds: g.default_instance_warmup.map(i64::from),
            configured_desired: g
                .tags
                .iter()
                .flatten()
                .find(|t| t.key.as_deref() == Some(crate::provider::tags::TAG_DESIRED_CAPACITY))
                .and_then(|t| t.value.as_deref()?.parse().ok()),
        }))
}

/// The template a group launches from: its own, or its mixed-instances policy's.
fn launch_spec(
    g: &aws_sdk_autoscaling::types::AutoScalingGroup,
) -> Option<&LaunchTemplateSpecification> {
    g.launch_template.as_ref().or_else(|| {
        g.mixed_instances_policy
            .as_ref()
            .and_then(|m| m.launch_template.as_ref())
            .and_then(|t| t.launch_template_specification.as_ref())
    })
}

/// A mixed-instances policy as the blueprint says it.
fn mix_of(m: &MixedInstancesPolicy) -> Mix {
    let d = m.instances_distribution.as_ref();
    let overrides = m
        .launch_template
        .as_ref()
        .and_then(|t| t.overrides.as_deref())
        .unwrap_or_default();
    Mix {
        types: overrides
            .iter()
            .filter_map(|o| o.instance_type.clone())
            .collect(),
        on_demand_base: d
            .and_then(|d| d.on_demand_base_capacity)
            .map_or(0, i64::from),
        // AWS's default share above the base is 100 % on demand.
        spot_share: 100
            - d.and_then(|d| d.on_demand_percentage_above_base_capacity)
                .map_or(100, i64::from),
        on_demand_strategy: d
            .and_then(|d| d.on_demand_allocation_strategy.clone())
            .unwrap_or_default(),
        spot_strategy: d
            .and_then(|d| d.spot_allocation_strategy.clone())
            .unwrap_or_default(),
        // An empty price is no price (how a cap is removed).
        spot_max_price: d
            .and_then(|d| d.spot_max_price.clone())
            .filter(|p| !p.is_empty()),
        weighted: overrides.iter().any(|o| o.weighted_capacity.is_some()),
    }
}

/// The group's mixed-instances policy: the template at `version`, `mix`'s types in order, its
/// base and share, launched prioritized on demand and price-capacity-optimized on spot.
fn mixed_policy(id: &str, version: i64, mix: &Mix) -> MixedInstancesPolicy {
    MixedInstancesPolicy::builder()
        .launch_template(
            LaunchTemplate::builder()
                .launch_template_specification(template(id, version))
                .set_overrides(Some(
                    mix.types
                        .iter()
                        .map(|t| LaunchTemplateOverrides::builder().instance_type(t).build())
                        .collect(),
                ))
                .build(),
        )
        .instances_distribution(
            InstancesDistribution::builder()
                .on_demand_allocation_strategy(&mix.on_demand_strategy)
                .on_demand_base_capacity(mix.on_demand_base as i32)
                .on_demand_percentage_above_base_capacity((100 - mix.spot_share) as i32)
                .spot_allocation_strategy(&mix.spot_strategy)
                // Sent empty to remove a cap set outside Terraform.
                .spot_max_price(mix.spot_max_price.clone().unwrap_or_default())
                .build(),
        )
        .build()
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
    /// The default instance warmup (`scaling.scale_in_protection_minutes`), in seconds.
    pub warmup_seconds: i64,
    /// Several instance types (and spot): launched through a mixed-instances policy.
    pub mix: Option<&'a Mix>,
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
            .set_launch_template(
                $s.mix
                    .is_none()
                    .then(|| template($s.template_id, $s.version)),
            )
            .set_mixed_instances_policy($s.mix.map(|m| mixed_policy($s.template_id, $s.version, m)))
            .min_size($s.min as i32)
            .max_size($s.max as i32)
            .set_desired_capacity($s.desired.map(|d| d as i32))
            .vpc_zone_identifier($s.subnets.join(","))
            .health_check_type("ELB")
            .health_check_grace_period(HEALTH_CHECK_GRACE_SECONDS)
            .default_instance_warmup($s.warmup_seconds as i32)
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

/// The group's scaling policies, as AWS reports them.
/// A group gone since it was found has none.
pub async fn policies(ctx: &ProviderData, name: &str) -> Result<Vec<Policy>, AwsError> {
    let out = match ctx
        .call(
            &format!("scaling policies of {name}"),
            ctx.autoscaling()
                .describe_policies()
                .auto_scaling_group_name(name)
                .send(),
        )
        .await
    {
        Ok(out) => out,
        Err(e) if e.is_validation_not_found() => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(out
        .scaling_policies
        .unwrap_or_default()
        .into_iter()
        .map(|p| {
            let t = p.target_tracking_configuration;
            let metric = t
                .as_ref()
                .and_then(|t| t.predefined_metric_specification.as_ref());
            Policy {
                name: p.policy_name.unwrap_or_default(),
                kind: p.policy_type.unwrap_or_default(),
                metric: metric
                    .and_then(|m| m.predefined_metric_type.as_ref())
                    .map(|m| m.as_str().to_string()),
                resource_label: metric.and_then(|m| m.resource_label.clone()),
                target: t.as_ref().and_then(|t| t.target_value).unwrap_or_default(),
                disable_scale_in: t.and_then(|t| t.disable_scale_in).unwrap_or_default(),
                enabled: p.enabled.unwrap_or(true),
            }
        })
        .collect())
}

/// Makes or replaces target-tracking policy `p` of group `name`.
pub async fn put_policy(ctx: &ProviderData, name: &str, p: &Policy) -> Result<(), AwsError> {
    let metric = PredefinedMetricSpecification::builder()
        .set_predefined_metric_type(p.metric.as_deref().map(MetricType::from))
        .set_resource_label(p.resource_label.clone())
        .build();
    crate::provider::ec2::sent(
        ctx,
        &format!("scaling policy {}", p.name),
        ctx.autoscaling()
            .put_scaling_policy()
            .auto_scaling_group_name(name)
            .policy_name(&p.name)
            .policy_type(&p.kind)
            .enabled(p.enabled)
            .target_tracking_configuration(
                TargetTrackingConfiguration::builder()
                    .predefined_metric_specification(metric)
                    .target_value(p.target)
                    .disable_scale_in(p.disable_scale_in)
                    .build(),
            )
            .send(),
    )
    .await
}

/// Removes policy `policy` of group `name`; one already gone is fine.
pub async fn delete_policy(ctx: &ProviderData, name: &str, policy: &str) -> Result<(), AwsError> {
    match crate::provider::ec2::removed(
        ctx,
        &format!("scaling policy {policy}"),
        ctx.autoscaling()
            .delete_policy()
            .auto_scaling_group_name(name)
            .policy_name(policy)
            .send(),
    )
    .await
    {
        Err(e) if e.is_validation_not_found() => Ok(()),
        other => other,
    }
}

/// A rollout as AWS is asked for it: the configuration to roll to, its steps and its gates.
pub struct RefreshSpec<'a> {
    /// The template and version to roll to, with the mixed-instances policy when the group has
    /// one: the refresh's desired configuration, which AWS puts on the group only when the refresh
    /// succeeds (and which makes automatic rollback possible). `None`: the group's own
    /// configuration, without rollback (a group that ran `$Default` or `$Latest`).
    pub desired: Option<(&'a str, i64, Option<&'a Mix>)>,
    pub checkpoints: &'a [i64],
    pub bake_seconds: i64,
    /// Alarms that stop the refresh (and roll it back, with a desired configuration).
    pub alarms: &'a [String],
}

/// Starts a refresh of group `name`: 90 % kept in service, instances that already match skipped,
/// paused at each checkpoint, stopped by the alarms. Fails with `InstanceRefreshInProgress` while
/// another runs.
pub async fn start_refresh(
    ctx: &ProviderData,
    name: &str,
    spec: &RefreshSpec<'_>,
) -> Result<String, AwsError> {
    let c = format!("instance refresh of {name}");
    let desired = spec.desired.map(|(id, version, mix)| {
        let d = DesiredConfiguration::builder();
        match mix {
            Some(m) => d.mixed_instances_policy(mixed_policy(id, version, m)),
            None => d.launch_template(template(id, version)),
        }
        .build()
    });
    let prefs = RefreshPreferences::builder()
        .min_healthy_percentage(MIN_HEALTHY_PERCENT)
        .instance_warmup(HEALTH_CHECK_GRACE_SECONDS)
        .skip_matching(true)
        .auto_rollback(desired.is_some())
        .set_checkpoint_percentages(
            (!spec.checkpoints.is_empty())
                .then(|| spec.checkpoints.iter().map(|c| *c as i32).collect()),
        )
        .set_checkpoint_delay((!spec.checkpoints.is_empty()).then_some(spec.bake_seconds as i32))
        .alarm_specification(
            AlarmSpecification::builder()
                .set_alarms(Some(spec.alarms.to_vec()))
                .build(),
        )
        .build();
    let out = ctx
        .call(
            &c,
            ctx.autoscaling()
                .start_instance_refresh()
                .auto_scaling_group_name(name)
                .strategy(RefreshStrategy::Rolling)
                .set_desired_configuration(desired)
                .preferences(prefs)
                .send(),
        )
        .await?;
    out.instance_refresh_id
        .ok_or_else(|| invalid(&c, "no refresh id"))
}

/// Cancels the refresh running on group `name`; none running is fine.
pub async fn cancel_refresh(ctx: &ProviderData, name: &str) -> Result<(), AwsError> {
    let out = ctx
        .call(
            &format!("instance refresh of {name}"),
            ctx.autoscaling()
                .cancel_instance_refresh()
                .auto_scaling_group_name(name)
                .send(),
        )
        .await;
    match out {
        Err(e) if e.code() == Some("ActiveInstanceRefreshNotFound") => Ok(()),
        other => other.map(|_| ()),
    }
}

/// A refresh as AWS reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshFacts {
    pub id: String,
    pub status: String,
    /// Why it stands so: the rollback's reason when it rolled back, else the status reason.
    pub reason: String,
    pub percent: i64,
}

/// Refresh `id` of group `name`, or the group's newest when `id` is `None`; `None` when there is
/// none.
pub async fn refresh(
    ctx: &ProviderData,
    name: &str,
    id: Option<&str>,
) -> Result<Option<RefreshFacts>, AwsError> {
    let out = ctx
        .call(
            &format!("instance refreshes of {name}"),
            ctx.autoscaling()
                .describe_instance_refreshes()
                .auto_scaling_group_name(name)
                .set_instance_refresh_ids(id.map(|i| vec![i.to_string()]))
                .max_records(1)
                .send(),
        )
        .await?;
    Ok(out
        .instance_refreshes
        .unwrap_or_default()
        .first()
        .map(|r| RefreshFacts {
            id: r.instance_refresh_id.clone().unwrap_or_default(),
            status: r
                .status
                .as_ref()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            reason: r
                .rollback_details
                .as_ref()
                .and_then(|d| d.rollback_reason.clone())
                .or_else(|| r.status_reason.clone())
                .unwrap_or_default(),
            percent: r.percentage_complete.map_or(0, i64::from),
        }))
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
