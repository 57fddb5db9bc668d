//! Apply, steps 6–7: the launch template and the Auto Scaling group.

use std::collections::BTreeSet;
use std::time::Duration;

use super::super::aws::{asg, ec2, invalid};
use super::super::blueprint::{self as bp, TemplateInputs};
use super::super::model::State;
use super::super::{instance_mix, scaling};
use super::rollout::{end_earlier, refused_while_refreshing, Roll};
use super::{Desired, Ready};
use crate::provider::error::AwsError;
use crate::provider::{retry, ProviderData};
use crate::resources::alerting::watch;

/// 6–7: the launch template (a new default version whenever the one the group runs is not the
/// blueprint) and the Auto Scaling group (pinned sizes, ELB health checks, metrics, rolling
/// refresh), recorded in `p` as they are made. Returns the rollout a change of the instances
/// needs (run once its gate alarms exist).
pub(super) async fn instances(
    ctx: &ProviderData,
    d: &Desired,
    limit: Duration,
    p: &mut State,
    r: &Ready<'_>,
) -> Result<Option<Roll>, AwsError> {
    let (template_id, version) = launch_template(ctx, d, limit, p, r).await?;
    p.launch_template_id = Some(template_id.clone());
    p.launch_template_version = Some(version);
    p.serving_launch_template_version = Some(version);

    // 7. The Auto Scaling group: pinned sizes, ELB health checks, metrics, rolling refresh.
    let n = d.args.name.as_str();
    let mix = instance_mix::of(&d.args);
    let gs = asg::GroupSpec {
        name: n,
        template_id: &template_id,
        version,
        min: d.args.min_size,
        max: d.args.max_size,
        desired: d.desired_capacity,
        subnets: &d.args.subnet_ids,
        target_group: r.tg,
        warmup_seconds: d.scaling.protection_minutes * 60,
        mix: mix.as_ref(),
    };
    let roll = match r.group_now.clone() {
        Some(g) if g.deleting => {
            return Err(invalid(
                "auto scaling group",
                format!("group {n} is being deleted; apply again once it is gone"),
            ))
        }
        None => {
            create_group(ctx, d, p, gs).await?;
            None
        }
        Some(g) => update_group(ctx, d, p, &gs, &g, limit).await?,
    };
    p.autoscaling_group_name = Some(n.to_string());
    Ok(roll)
}

/// Step 6, the launch template: made, or a new default version whenever the one the group runs
/// is not the blueprint. Returns its id and the version the group should run.
async fn launch_template(
    ctx: &ProviderData,
    d: &Desired,
    limit: Duration,
    p: &mut State,
    r: &Ready<'_>,
) -> Result<(String, i64), AwsError> {
    let n = d.args.name.as_str();
    // The CloudWatch agent's part, then the user's.
    let user_data =
        bp::host_metrics::user_data(&bp::log_group_name(n), d.args.user_data.as_deref());
    let spec = bp::template_spec(&TemplateInputs {
        image_id: &d.args.image_id,
        instance_type: &d.args.instance_type,
        user_data: Some(&user_data),
        http_tokens: &d.args.metadata_http_tokens,
        root_device: r.root,
        volume_size: d.args.root_volume_size,
        encrypted: d.args.root_volume_encrypted,
        kms_key: r.key,
        app_sg: r.app_sg,
        instance_profile: r.profile,
        hardening: bp::hardening(d.environment),
    });
    let Some((id, default, _latest)) = r.template_now.clone() else {
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
        return Ok((id, 1));
    };
    p.components.insert("launch_template".into(), id.clone());
    let running = r
        .group_now
        .as_ref()
        .and_then(|g| g.template_version.as_deref())
        .and_then(|v| v.parse::<i64>().ok());
    let live = ec2::versions(ctx, &id, running).await?;
    let of = |num: i64| live.iter().find(|v| v.number == num).map(|v| &v.spec);
    let default_ok = live.iter().find(|v| v.default).map(|v| &v.spec) == Some(&spec);
    Ok(match running.filter(|r| of(*r) == Some(&spec)) {
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
    })
}

/// A new group, starting at the desired capacity (else the minimum), tagged and measured.
async fn create_group(
    ctx: &ProviderData,
    d: &Desired,
    p: &mut State,
    gs: asg::GroupSpec<'_>,
) -> Result<(), AwsError> {
    let n = d.args.name.as_str();
    let desired = d.desired_capacity.unwrap_or(d.args.min_size);
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
        asg::tag_capacity(ctx, n, d.args.min_size, Some(desired)),
        asg::enable_metrics(ctx, n)
    );
    tagged.and(metrics)
}

/// The group as it is (`g`) brought to `gs`: updated, tagged, attached and measured where it
/// differs. A new template version or list of types is not put on the group: it is the rollout
/// returned, which AWS puts on the group when it succeeds.
async fn update_group(
    ctx: &ProviderData,
    d: &Desired,
    p: &mut State,
    gs: &asg::GroupSpec<'_>,
    g: &asg::GroupFacts,
    limit: Duration,
) -> Result<Option<Roll>, AwsError> {
    let n = d.args.name.as_str();
    let (template_id, version, tg) = (gs.template_id, gs.version, gs.target_group);
    p.components
        .insert("autoscaling_group".into(), n.to_string());
    let version_changed = g.template_version.as_deref() != Some(version.to_string().as_str())
        || g.template_id.as_deref() != Some(template_id);
    // A new list of types rolls the instances, as a new instance type does; a new base or share
    // applies as the group launches and scales in.
    let types_of = |m: Option<&instance_mix::Mix>| m.map(|m| m.types.clone());
    let types_changed = types_of(g.mix.as_ref()) != types_of(gs.mix);
    let subnets_changed = g.subnets.iter().collect::<BTreeSet<_>>()
        != d.args.subnet_ids.iter().collect::<BTreeSet<_>>();
    let desired_changed = d.desired_capacity.is_some_and(|x| x != g.desired);
    // The numbered version serving, which a rollout rolls back to.
    let serving = g
        .template_version
        .as_deref()
        .and_then(|v| v.parse::<i64>().ok());
    let rolling = version_changed || types_changed;
    let roll = rolling.then(|| Roll {
        template_id: template_id.to_string(),
        from: serving,
        to: version,
        mix: gs.mix.cloned(),
    });
    // While rolling, the group keeps the configuration serving (AWS moves it on success).
    let now_spec;
    let gs = match (&roll, serving) {
        (Some(_), Some(v)) => {
            now_spec = asg::GroupSpec {
                template_id: g.template_id.as_deref().unwrap_or(template_id),
                version: v,
                mix: g.mix.as_ref(),
                ..*gs
            };
            p.launch_template_version = Some(v);
            p.serving_launch_template_version = Some(v);
            &now_spec
        }
        _ => gs,
    };
    let version_changed = g.template_version.as_deref() != Some(gs.version.to_string().as_str());
    if version_changed
        || subnets_changed
        || desired_changed
        || g.min != d.args.min_size
        || g.max != d.args.max_size
        || g.health_check_type != "ELB"
        || g.warmup_seconds != Some(gs.warmup_seconds)
        || g.mix.as_ref() != gs.mix
    {
        match asg::update_group(ctx, gs).await {
            // A refresh an interrupted apply left running holds the launch source: it ends
            // first (a rollout this apply needs starts afresh after).
            Err(e) if refused_while_refreshing(&e) => {
                end_earlier(ctx, n, limit).await?;
                asg::update_group(ctx, gs).await?;
            }
            other => other?,
        }
    }
    if d.desired_capacity.is_some() || g.min != d.args.min_size {
        asg::tag_capacity(ctx, n, d.args.min_size, d.desired_capacity).await?;
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
    p.desired_capacity_actual = Some(match d.desired_capacity {
        Some(x) => x,
        None => g.desired.clamp(d.args.min_size, d.args.max_size),
    });
    Ok(roll)
}

/// The cluster's scaling policies brought to the blueprint's: each missing or changed one put,
/// one no longer configured removed (policies of other names are left alone). `new_group`: made
/// by this apply, so without policies yet.
pub(super) async fn scaling_policies(
    ctx: &ProviderData,
    d: &Desired,
    p: &State,
    new_group: bool,
) -> Result<(), AwsError> {
    let n = d.args.name.as_str();
    let label = p
        .load_balancer_arn
        .as_deref()
        .zip(p.target_group_arn.as_deref())
        .map(|(lb, tg)| {
            scaling::resource_label(
                &watch::load_balancer_suffix(lb),
                &watch::target_group_suffix(tg),
            )
        });
    let want = scaling::policies(n, &d.scaling, label.as_deref());
    let live = if new_group {
        Vec::new()
    } else {
        asg::policies(ctx, n).await?
    };
    for w in &want {
        if !live.contains(w) {
            asg::put_policy(ctx, n, w).await?;
        }
    }
    for l in scaling::stale(n, &want, &live) {
        asg::delete_policy(ctx, n, &l.name).await?;
    }
    Ok(())
}
