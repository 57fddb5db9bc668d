//! Apply: converge AWS to the blueprint (create and update are one walk that reuses or adopts every
//! object by its name and repairs drift), and the ordered delete.
//!
//! Each object created is recorded in `progress.components` before the next call (contract rule 14).

use std::collections::BTreeSet;
use std::time::Duration;

use super::aws::{asg, ec2, elb, invalid, Tags};
use super::blueprint::{self as bp, TemplateInputs};
use super::front_end;
use super::model::State;
use crate::framework::wait::{wait_until, Backoff, WaitError, MAX_POLL_INTERVAL};
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::{iam, kms, logs, retry, ProviderData};
use crate::resources::concurrent::{keep_key_components, Made};

pub struct Desired {
    pub name: String,
    pub environment: Environment,
    pub image_id: String,
    pub subnet_ids: Vec<String>,
    pub public_subnet_ids: Vec<String>,
    pub certificate_arn: String,
    pub instance_type: String,
    pub min_size: i64,
    pub max_size: i64,
    /// Set on create and when the user changed it; otherwise scaling owns the live value.
    pub desired_capacity: Option<i64>,
    pub app_port: i64,
    pub health_check_path: String,
    pub user_data: Option<String>,
    pub ingress_cidr_blocks: Vec<String>,
    pub root_volume_size: i64,
    pub metadata_http_tokens: String,
    /// `tls13` or `tls12` (see [`bp::listener_policy`]).
    pub tls_policy: String,
    pub root_volume_encrypted: bool,
    /// A key the user gave; `None` makes (or keeps) the cluster's own.
    pub kms_key_arn: Option<String>,
    pub tags: Tags,
}

const POLL: Duration = Duration::from_secs(5);

fn wait_error(what: &str, e: WaitError<AwsError>) -> AwsError {
    match e {
        WaitError::Failed(e) => e,
        other => invalid(what, other.to_string()),
    }
}

/// Subnets of both lists: one VPC, at least 2 zones each. Returns the VPC id.
async fn check_subnets(ctx: &ProviderData, d: &Desired) -> Result<String, AwsError> {
    let all: Vec<String> = d
        .subnet_ids
        .iter()
        .chain(&d.public_subnet_ids)
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
        ("subnet_ids", &d.subnet_ids),
        ("public_subnet_ids", &d.public_subnet_ids),
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

pub async fn converge(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
    limit: Duration,
) -> Result<(), AwsError> {
    let old_tags = std::mem::replace(&mut p.tags_all, d.tags.clone());
    let tags_changed = !old_tags.is_empty() && old_tags != d.tags;
    let n = d.name.as_str();

    // 0. Where: the VPC of the subnets (checked before anything is made).
    let vpc = check_subnets(ctx, d).await?;
    p.vpc_id = Some(vpc.clone());

    // 1–5 at once: the key and the log group it encrypts; the instances' role and profile; the
    // front end (security groups and rules, target group, load balancer, listeners).
    let made = Made::new();
    let mut key_components = p.components.clone();
    let key_and_group = async {
        // The key for volumes and logs: the user's, or the cluster's own.
        let key = match &d.kms_key_arn {
            Some(k) => k.clone(),
            None => {
                iam::ensure_service_linked_role(ctx, "autoscaling.amazonaws.com").await?;
                kms::ensure_owned_key(
                    ctx,
                    place,
                    &mut key_components,
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
            d.environment.log_retention_days() as i32,
            &d.tags,
        )
        .await?;
        made.record("log_group", place.log_group_arn(&group));
        Ok::<_, AwsError>(key)
    };
    let role = bp::role_name(n);
    let role_and_profile = async {
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
        Ok::<_, AwsError>(profile)
    };
    let lookups = futures::future::try_join3(
        ec2::root_device(ctx, &d.image_id),
        asg::find_group(ctx, n),
        ec2::find_template(ctx, n),
    );
    let (key, profile, groups, tg, found) = tokio::join!(
        key_and_group,
        role_and_profile,
        front_end::security_groups(ctx, d, &vpc, &made),
        front_end::target_group(ctx, d, &vpc, &made),
        lookups
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
    let root = root.ok_or_else(|| {
        invalid(
            "image_id",
            format!(
                "AMI {} does not exist in this region (or is not shared with this account)",
                d.image_id
            ),
        )
    })?;

    // 5–7 at once: the load balancer, its attributes and listeners; the launch template and the
    // Auto Scaling group (which needs the target group, not the load balancer).
    let made = Made::new();
    let mut lb = None;
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
    instances?;

    if tags_changed {
        retag(ctx, p, d, &old_tags).await?;
    }
    Ok(())
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

/// 6–7: the launch template (a new default version whenever the one the group runs is not the
/// blueprint) and the Auto Scaling group (pinned sizes, ELB health checks, metrics, rolling
/// refresh), recorded in `p` as they are made.
async fn instances(
    ctx: &ProviderData,
    d: &Desired,
    limit: Duration,
    p: &mut State,
    r: &Ready<'_>,
) -> Result<(), AwsError> {
    let n = d.name.as_str();
    let (key, app_sg, profile, tg, root) = (r.key, r.app_sg, r.profile, r.tg, r.root);
    let group_now = r.group_now.clone();
    let spec = bp::template_spec(&TemplateInputs {
        image_id: &d.image_id,
        instance_type: &d.instance_type,
        user_data: d.user_data.as_deref(),
        http_tokens: &d.metadata_http_tokens,
        root_device: root,
        volume_size: d.root_volume_size,
        encrypted: d.root_volume_encrypted,
        kms_key: key,
        app_sg,
        instance_profile: profile,
    });
    let (template_id, version) = match r.template_now.clone() {
        None => {
            // The instance profile was made moments ago: EC2 may not see it yet.
            let id = retry::until(
                ctx,
                "launch template creation",
                limit.min(retry::PROPAGATION_LIMIT),
                Duration::from_secs(1),
                retry::is_propagating,
                || ec2::create_template(ctx, n, &spec, &d.tags),
            )
            .await?;
            p.components.insert("launch_template".into(), id.clone());
            (id, 1)
        }
        Some((id, default, _latest)) => {
            p.components.insert("launch_template".into(), id.clone());
            let running = group_now
                .as_ref()
                .and_then(|g| g.template_version.as_deref())
                .and_then(|v| v.parse::<i64>().ok());
            let live = ec2::versions(ctx, &id, running).await?;
            let of = |num: i64| live.iter().find(|v| v.number == num).map(|v| &v.spec);
            let default_ok = live.iter().find(|v| v.default).map(|v| &v.spec) == Some(&spec);
            match running.filter(|r| of(*r) == Some(&spec)) {
                Some(r) => {
                    if !default_ok || default != r {
                        ec2::set_default(ctx, &id, n, r).await?;
                    }
                    (id, r)
                }
                None if default_ok => (id, default),
                None => {
                    let v = ec2::create_version(ctx, &id, n, &spec, &d.tags).await?;
                    (id, v)
                }
            }
        }
    };
    p.launch_template_id = Some(template_id.clone());
    p.launch_template_version = Some(version);

    // 7. The Auto Scaling group: pinned sizes, ELB health checks, metrics, rolling refresh.
    let gs = asg::GroupSpec {
        name: n,
        template_id: &template_id,
        version,
        min: d.min_size,
        max: d.max_size,
        desired: d.desired_capacity,
        subnets: &d.subnet_ids,
        target_group: tg,
    };
    let group = match group_now {
        Some(g) if g.deleting => {
            return Err(invalid(
                "auto scaling group",
                format!("group {n} is being deleted; apply again once it is gone"),
            ))
        }
        None => {
            let desired = d.desired_capacity.unwrap_or(d.min_size);
            asg::create_group(
                ctx,
                &asg::GroupSpec {
                    desired: Some(desired),
                    ..gs
                },
                &d.tags,
            )
            .await?;
            p.components
                .insert("autoscaling_group".into(), n.to_string());
            p.desired_capacity_actual = Some(desired);
            let (tagged, metrics) = tokio::join!(
                asg::tag_capacity(ctx, n, d.min_size, Some(desired)),
                asg::enable_metrics(ctx, n)
            );
            tagged.and(metrics)?;
            None
        }
        Some(g) => Some(g),
    };
    if let Some(g) = group {
        p.components
            .insert("autoscaling_group".into(), n.to_string());
        let version_changed = g.template_version.as_deref() != Some(version.to_string().as_str())
            || g.template_id.as_deref() != Some(template_id.as_str());
        let subnets_changed = g.subnets.iter().collect::<BTreeSet<_>>()
            != d.subnet_ids.iter().collect::<BTreeSet<_>>();
        let desired_changed = d.desired_capacity.is_some_and(|x| x != g.desired);
        if version_changed
            || subnets_changed
            || desired_changed
            || g.min != d.min_size
            || g.max != d.max_size
            || g.health_check_type != "ELB"
        {
            asg::update_group(ctx, &gs).await?;
        }
        if d.desired_capacity.is_some() || g.min != d.min_size {
            asg::tag_capacity(ctx, n, d.min_size, d.desired_capacity).await?;
        }
        if !g.target_groups.iter().any(|t| t == tg) {
            asg::attach_target_group(ctx, n, tg).await?;
        }
        if bp::GROUP_METRICS
            .iter()
            .any(|m| !g.metrics.iter().any(|x| x == m))
        {
            asg::enable_metrics(ctx, n).await?;
        }
        if version_changed {
            let id = asg::start_refresh(ctx, n).await?;
            tracing::info!(
                group = n,
                refresh = id,
                version,
                "rolling the instances onto the new launch template version"
            );
        }
        p.desired_capacity_actual = Some(match d.desired_capacity {
            Some(x) => x,
            None => g.desired.clamp(d.min_size, d.max_size),
        });
    }
    p.autoscaling_group_name = Some(n.to_string());
    Ok(())
}

async fn retag(ctx: &ProviderData, p: &State, d: &Desired, old: &Tags) -> Result<(), AwsError> {
    let n = d.name.as_str();
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
    Ok(())
}

/// Deletes everything, in dependency order, finding objects by name so that a half-made cluster is
/// removed too. On error `s.components` still names what exists.
pub async fn delete(ctx: &ProviderData, s: &mut State, limit: Duration) -> Result<(), AwsError> {
    let n = s.name.clone();

    // 1. The group and its instances (forced: the cluster holds no data).
    if asg::find_group(ctx, &n).await?.is_some() {
        asg::delete_group(ctx, &n).await?;
        wait_until(
            &format!("auto scaling group {n} to be deleted"),
            ctx.stop_token(),
            limit,
            Backoff::new(POLL, MAX_POLL_INTERVAL),
            || async { Ok(asg::find_group(ctx, &n).await?.is_none().then_some(())) },
        )
        .await
        .map_err(|e| wait_error("auto scaling group", e))?;
    }
    s.components.remove("autoscaling_group");
    s.autoscaling_group_name = None;

    // 2. The load balancer: its deletion protection guards against deletion outside Terraform, so
    // destroy lifts it first. Listeners go with it.
    if let Some(lb) = elb::find_lb(ctx, &n).await? {
        elb::set_lb_attributes(
            ctx,
            &lb.arn,
            &[("deletion_protection.enabled", "false".into())],
        )
        .await?;
        elb::delete_lb(ctx, &lb.arn).await?;
        wait_until(
            &format!("load balancer {n} to be deleted"),
            ctx.stop_token(),
            limit,
            Backoff::new(POLL, MAX_POLL_INTERVAL),
            || async { Ok(elb::find_lb(ctx, &n).await?.is_none().then_some(())) },
        )
        .await
        .map_err(|e| wait_error("load balancer", e))?;
    }
    for r in ["load_balancer", "listener_https", "listener_http"] {
        s.components.remove(r);
    }
    s.load_balancer_arn = None;

    // 3. Target group (in use until the load balancer lets go) and launch template.
    if let Some(tg) = elb::find_tg(ctx, &bp::target_group_name(&n)).await? {
        retry::while_in_use(ctx, "target group deletion", limit, || {
            elb::delete_tg(ctx, &tg.arn)
        })
        .await?;
    }
    s.components.remove("target_group");
    s.target_group_arn = None;
    ec2::delete_template(ctx, &n).await?;
    s.components.remove("launch_template");
    s.launch_template_id = None;

    // 4. Security groups: the rules naming each other first, then the groups (network interfaces
    // of the load balancer linger for a while after it is gone).
    let vpc = s.vpc_id.clone();
    let mut groups = Vec::new();
    for (role, name) in [
        ("security_group_app", bp::app_sg_name(&n)),
        ("security_group_lb", bp::lb_sg_name(&n)),
    ] {
        let found = match &vpc {
            Some(v) => ec2::find_sg(ctx, v, &name).await?,
            None => None,
        };
        if let Some(id) = found.or_else(|| s.components.get(role).cloned()) {
            groups.push((role, id));
        }
    }
    let ids: Vec<String> = groups.iter().map(|(_, id)| id.clone()).collect();
    let rules = ec2::sg_rules(ctx, &ids).await?;
    for (id, (inbound, outbound)) in &rules {
        let refs = |set: &BTreeSet<bp::Rule>| -> BTreeSet<bp::Rule> {
            set.iter()
                .filter(|r| matches!(r.peer, bp::Peer::Group(_)))
                .cloned()
                .collect()
        };
        let keep_in: BTreeSet<bp::Rule> = inbound.difference(&refs(inbound)).cloned().collect();
        let keep_out: BTreeSet<bp::Rule> = outbound.difference(&refs(outbound)).cloned().collect();
        ec2::sync_rules(ctx, id, true, &keep_in, inbound).await?;
        ec2::sync_rules(ctx, id, false, &keep_out, outbound).await?;
    }
    for (role, id) in groups {
        retry::while_in_use(ctx, "security group deletion", limit, || {
            ec2::delete_sg(ctx, &id)
        })
        .await?;
        s.components.remove(role);
    }
    s.security_group_id = None;
    s.load_balancer_security_group_id = None;

    // 5. Instance profile and role, log group, key.
    iam::delete_instance_profile(ctx, &bp::role_name(&n)).await?;
    s.components.remove("instance_profile");
    iam::delete_role(ctx, &bp::role_name(&n)).await?;
    s.components.remove("instance_role");
    logs::delete_group(ctx, &bp::log_group_name(&n)).await?;
    s.components.remove("log_group");
    kms::delete_alias(ctx, &bp::alias_name(&n)).await?;
    s.components.remove("kms_alias");
    if let Some(k) = s.components.remove("kms_key") {
        let env = Environment::parse(&s.environment).unwrap_or(Environment::Production);
        kms::schedule_key_deletion(ctx, &k, env.key_deletion_window_days()).await?;
    }
    Ok(())
}
