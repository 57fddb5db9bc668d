//! Delete: everything, in dependency order, finding objects by name so that a half-made cluster is
//! removed too.

use std::collections::BTreeSet;
use std::time::Duration;

use super::super::aws::{asg, ec2, elb};
use super::super::blueprint as bp;
use super::super::model::State;
use super::wait_error;
use crate::framework::wait::{wait_until, Backoff};
use crate::provider::error::AwsError;
use crate::provider::{iam, kms, logs, retry, ProviderData};

/// Deletes everything, in dependency order, finding objects by name so that a half-made cluster is
/// removed too. On error `s.components` still names what exists.
pub async fn delete(ctx: &ProviderData, s: &mut State, limit: Duration) -> Result<(), AwsError> {
    let n = s.name.clone();
    super::waf::delete(ctx, s, limit).await?;
    delete_group(ctx, s, &n, limit).await?;
    // 2. The rollout's gate alarms (found by name), once no refresh can name them.
    crate::resources::alerting::delete_alarms(ctx, &super::super::rollout::gate_names(&n)).await?;
    for role in super::super::rollout::GATE_ROLES {
        s.components.remove(role);
    }
    delete_load_balancer(ctx, s, &n, limit).await?;

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

    delete_security_groups(ctx, s, &n, limit).await?;

    // 5. Instance profile and role, log group, key.
    iam::delete_instance_profile(ctx, &bp::role_name(&n)).await?;
    s.components.remove("instance_profile");
    iam::delete_role(ctx, &bp::role_name(&n)).await?;
    s.components.remove("instance_role");
    logs::delete_group(ctx, &bp::log_group_name(&n)).await?;
    s.components.remove("log_group");
    kms::delete_own_key(ctx, &bp::alias_name(&n), &mut s.components, &s.environment).await?;
    // 6. The log bucket, last: the load balancer wrote to it until it went.
    super::logs_bucket::delete(ctx, s).await
}

/// Step 1: the group and its instances (forced: the cluster holds no data).
async fn delete_group(
    ctx: &ProviderData,
    s: &mut State,
    n: &str,
    limit: Duration,
) -> Result<(), AwsError> {
    if asg::find_group(ctx, n).await?.is_some() {
        asg::delete_group(ctx, n).await?;
        wait_until(
            &format!("auto scaling group {n} to be deleted"),
            ctx.stop_token(),
            limit,
            Backoff::polling(),
            || async { Ok(asg::find_group(ctx, n).await?.is_none().then_some(())) },
        )
        .await
        .map_err(|e| wait_error("auto scaling group", e))?;
    }
    s.components.remove("autoscaling_group");
    s.autoscaling_group_name = None;
    Ok(())
}

/// Step 2, the load balancer: its deletion protection guards against deletion outside
/// Terraform, so destroy lifts it first. Listeners go with it.
async fn delete_load_balancer(
    ctx: &ProviderData,
    s: &mut State,
    n: &str,
    limit: Duration,
) -> Result<(), AwsError> {
    if let Some(lb) = elb::find_lb(ctx, n).await? {
        elb::set_lb_attributes(ctx, &lb.arn, &bp::lb_unprotected()).await?;
        elb::delete_lb(ctx, &lb.arn).await?;
        wait_until(
            &format!("load balancer {n} to be deleted"),
            ctx.stop_token(),
            limit,
            Backoff::polling(),
            || async { Ok(elb::find_lb(ctx, n).await?.is_none().then_some(())) },
        )
        .await
        .map_err(|e| wait_error("load balancer", e))?;
    }
    for r in ["load_balancer", "listener_https", "listener_http"] {
        s.components.remove(r);
    }
    s.load_balancer_arn = None;
    Ok(())
}

/// Step 4, security groups: the rules naming each other first, then the groups (network
/// interfaces of the load balancer linger for a while after it is gone).
async fn delete_security_groups(
    ctx: &ProviderData,
    s: &mut State,
    n: &str,
    limit: Duration,
) -> Result<(), AwsError> {
    let vpc = s.vpc_id.clone();
    let mut groups = Vec::new();
    for (role, name) in [
        ("security_group_app", bp::app_sg_name(n)),
        ("security_group_lb", bp::lb_sg_name(n)),
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
    Ok(())
}
