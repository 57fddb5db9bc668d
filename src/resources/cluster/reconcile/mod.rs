//! Apply: converge AWS to the blueprint (create and update are one walk that reuses or adopts every
//! object by its name and repairs drift), and the ordered delete.
//!
//! Each object created is recorded in `progress.components` before the next call (contract rule 14).
//! The launch template and the group are in `instances`, the delete in `delete`.

mod delete;
mod instances;
mod logs_bucket;
pub mod rollout;
pub mod waf;

pub use delete::delete;
use instances::{instances, scaling_policies};

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::aws::{asg, ec2, elb, invalid, Tags};
use super::blueprint as bp;
use super::front_end;
use super::model::State;
use crate::framework::wait::WaitError;
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::profile::{Environment, LogRetention};
use crate::provider::{iam, kms, logs, ProviderData};
use crate::resources::concurrent::{keep_key_components, Made};

pub struct Desired {
    /// The planned arguments, every value known (the configuration as the plan settled it).
    pub args: State,
    pub environment: Environment,
    /// Set on create and when the user changed it; otherwise scaling owns the live value.
    pub desired_capacity: Option<i64>,
    /// The target group's health check (the `health_check` block, else its defaults).
    pub health_check: super::health_check::HealthCheck,
    /// A key the user gave; `None` makes (or keeps) the cluster's own.
    pub kms_key_arn: Option<String>,
    /// Every tag: `tags_all`.
    pub tags: Tags,
    /// The web ACL's rate limit, blocked countries and bypass addresses.
    pub waf: waf::Settings,
    /// The target-tracking policies and the warmup (the `scaling` block, else the profile's).
    pub scaling: super::scaling::Scaling,
    /// How long each class of the cluster's logs is kept.
    pub log_retention: LogRetention,
}

fn wait_error(what: &str, e: WaitError<AwsError>) -> AwsError {
    AwsError::from_wait(what, e)
}

/// Subnets of both lists: one VPC, at least 2 zones each. Returns the VPC id.
async fn check_subnets(ctx: &ProviderData, d: &Desired) -> Result<String, AwsError> {
    let all: Vec<String> = d
        .args
        .subnet_ids
        .iter()
        .chain(&d.args.public_subnet_ids)
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let facts = ec2::subnets(ctx, &all).await?;
    for id in &all {
        if !facts.iter().any(|f| &f.id == id) {
            return Err(invalid("subnets", format!("subnet {id} does not exist")));
        }
    }
    let vpcs: BTreeSet<&str> = facts.iter().map(|f| f.vpc.as_str()).collect();
    if vpcs.len() != 1 {
        return Err(invalid(
            "subnets",
            format!(
                "subnet_ids and public_subnet_ids must all be in one VPC; they span {}",
                vpcs.into_iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    for (attr, ids) in [
        ("subnet_ids", &d.args.subnet_ids),
        ("public_subnet_ids", &d.args.public_subnet_ids),
    ] {
        let zones: BTreeSet<&str> = facts
            .iter()
            .filter(|f| ids.contains(&f.id))
            .map(|f| f.zone.as_str())
            .collect();
        if zones.len() < 2 {
            return Err(invalid(
                attr,
                format!(
                    "the subnets span {} availability zone(s); at least 2 are needed",
                    zones.len()
                ),
            ));
        }
    }
    Ok(facts.first().map(|f| f.vpc.clone()).unwrap_or_default())
}

/// Create or update: converges AWS to `d`, recording every object in `p` as it is made.
pub async fn converge(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
    limit: Duration,
) -> Result<(), AwsError> {
    let old_tags = std::mem::replace(&mut p.tags_all, d.tags.clone());
    let tags_changed = !old_tags.is_empty() && old_tags != d.tags;
    let n = d.args.name.as_str();

    // 0. Where: the VPC of the subnets (checked before anything is made).
    let vpc = check_subnets(ctx, d).await?;
    p.vpc_id = Some(vpc.clone());

    // 1–5 at once: the key and the log group it encrypts; the instances' role and profile; the
    // front end (security groups and rules, target group, load balancer, listeners).
    let made = Made::new();
    let mut key_components = p.components.clone();
    let lookups = futures::future::try_join3(
        ec2::root_device(ctx, &d.args.image_id),
        asg::find_group(ctx, n),
        ec2::find_template(ctx, n),
    );
    let (key, profile, groups, tg, found, bucket) = tokio::join!(
        key_and_group(ctx, place, d, &mut key_components, &made),
        role_and_profile(ctx, place, d, &made),
        front_end::security_groups(ctx, d, &vpc, &made),
        front_end::target_group(ctx, d, &vpc, &made),
        lookups,
        logs_bucket::ensure(ctx, place, d, &made)
    );
    keep_key_components(&key_components, &mut p.components);
    made.merge_into(&mut p.components);
    p.load_balancer_security_group_id = p.components.get("security_group_lb").cloned();
    p.security_group_id = p.components.get("security_group_app").cloned();
    p.target_group_arn = p.components.get("target_group").cloned();
    let key = key?;
    p.kms_key_arn = Some(key.clone());
    let profile = profile?;
    let (lb_sg, app_sg) = groups?;
    let tg = tg?;
    let (root, group_now, template_now) = found?;
    bucket?;
    let root = root.ok_or_else(|| missing_image(&d.args.image_id))?;

    // 5–7 at once: the load balancer, its attributes and listeners; the launch template and the
    // Auto Scaling group (which needs the target group, not the load balancer).
    let made = Made::new();
    let mut lb = None;
    // A group made by this apply has no scaling policies yet.
    let new_group = group_now.is_none();
    // The desired capacity the group records as configured (what the gates' thresholds follow):
    // a group made now records what it starts at (as `create_group` tags it).
    let recorded_desired = match &group_now {
        None => d.desired_capacity.unwrap_or(d.args.min_size),
        Some(g) => d
            .desired_capacity
            .or(g.configured_desired)
            .unwrap_or(d.args.desired_capacity),
    };
    let ready = Ready {
        key: &key,
        app_sg: &app_sg,
        profile: &profile,
        tg: &tg,
        root: &root,
        group_now,
        template_now,
    };
    let (front, instances) = tokio::join!(
        front_end::load_balancer(ctx, d, &lb_sg, &tg, &mut lb, &made),
        instances(ctx, d, limit, p, &ready)
    );
    made.merge_into(&mut p.components);
    if let Some((arn, dns)) = lb {
        p.load_balancer_arn = Some(arn);
        p.load_balancer_dns_name = Some(dns);
    }
    front?;
    let roll = instances?;
    scaling_policies(ctx, d, p, new_group).await?;
    waf::converge(ctx, place, d, p, &key, limit).await?;

    if tags_changed {
        retag(ctx, p, d, &old_tags).await?;
    }
    // 8. Last, as it takes longest: the rollout's gate alarms, then the refresh they gate,
    // waited for to its end.
    rollout::gates(ctx, d, p, recorded_desired).await?;
    if tags_changed {
        let gates = p.gate_alarm_names.clone();
        crate::resources::alerting::retag_alarms(ctx, place, &gates, &old_tags, &d.tags).await?;
    }
    if p.rollout_status.is_none() {
        p.rollout_status = Some(super::rollout::IDLE.into());
    }
    match roll {
        Some(r) => rollout::roll(ctx, d, p, &r, limit).await,
        None => Ok(()),
    }
}

/// The error for an AMI this account cannot see in the region.
fn missing_image(image_id: &str) -> AwsError {
    invalid(
        "image_id",
        format!(
            "AMI {image_id} does not exist in this region (or is not shared with this account)"
        ),
    )
}

/// The key for volumes and logs (the user's, or the cluster's own), then the log group it
/// encrypts. Returns the key's ARN.
async fn key_and_group(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    key_components: &mut BTreeMap<String, String>,
    made: &Made,
) -> Result<String, AwsError> {
    let n = d.args.name.as_str();
    let key = match &d.kms_key_arn {
        Some(k) => k.clone(),
        None => {
            iam::ensure_service_linked_role(ctx, "autoscaling.amazonaws.com").await?;
            kms::ensure_owned_key(
                ctx,
                place,
                key_components,
                &bp::alias_name(n),
                &format!("prod_cluster {n}: encrypts the instances' volumes and logs"),
                bp::key_policy(place, n),
                &d.tags,
            )
            .await?
        }
    };
    let group = bp::log_group_name(n);
    logs::ensure_group(
        ctx,
        &group,
        Some(&key),
        logs::retention_days(bp::INSTANCE_LOGS, &d.log_retention),
        &d.tags,
    )
    .await?;
    made.record("log_group", place.log_group_arn(&group));
    Ok(key)
}

/// The instances' role and its instance profile. Returns the profile.
async fn role_and_profile(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    made: &Made,
) -> Result<String, AwsError> {
    let n = d.args.name.as_str();
    let role = bp::role_name(n);
    let role_arn = iam::ensure_role(
        ctx,
        &iam::RoleSpec {
            name: &role,
            trust: bp::instance_trust_policy(),
            inline: vec![(bp::AGENT_POLICY_NAME, bp::agent_policy(place, n))],
            managed: vec![bp::ssm_policy_arn(place)],
        },
        &d.tags,
    )
    .await?;
    made.record("instance_role", role_arn);
    let profile = iam::ensure_instance_profile(ctx, &role, &role, &d.tags).await?;
    made.record("instance_profile", profile.clone());
    Ok(profile)
}

/// What the launch template and the group are made from.
struct Ready<'a> {
    key: &'a str,
    app_sg: &'a str,
    profile: &'a str,
    tg: &'a str,
    root: &'a str,
    group_now: Option<asg::GroupFacts>,
    template_now: Option<(String, i64, i64)>,
}

/// New tags on every object, through each service.
async fn retag(ctx: &ProviderData, p: &State, d: &Desired, old: &Tags) -> Result<(), AwsError> {
    let n = d.args.name.as_str();
    let new = &d.tags;
    let pick = |roles: &[&str]| -> Vec<String> {
        roles
            .iter()
            .filter_map(|r| p.components.get(*r).cloned())
            .collect()
    };
    crate::provider::ec2::retag(
        ctx,
        pick(&["security_group_lb", "security_group_app", "launch_template"]),
        old,
        new,
    )
    .await?;
    elb::tag(
        ctx,
        pick(&[
            "load_balancer",
            "target_group",
            "listener_https",
            "listener_http",
        ]),
        old,
        new,
    )
    .await?;
    asg::tag(ctx, n, old, new).await?;
    iam::tag_role(ctx, &bp::role_name(n), old, new).await?;
    if let Some(k) = p.components.get("kms_key") {
        kms::tag_key(ctx, k, old, new).await?;
    }
    if let Some(g) = p.components.get("log_group") {
        logs::tag_group(ctx, g, old, new).await?;
    }
    waf::retag(ctx, p, old, new).await
}
