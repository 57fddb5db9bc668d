//! Apply, step 8: the rollout's gate alarms, then the rollout itself (an instance refresh gated by
//! them, with automatic rollback), waited for to its end.

use std::time::Duration;

use super::super::aws::{asg, invalid};
use super::super::instance_mix::Mix;
use super::super::model::State;
use super::super::rollout::{self, Outcome};
use super::{wait_error, Desired};
use crate::framework::wait::{wait_until, Backoff, WaitError, MIN_POLL_INTERVAL};
use crate::provider::error::AwsError;
use crate::provider::ProviderData;
use crate::resources::alerting::{self, packs, watch};

/// The longest pause between two looks at a refresh: a checkpoint's alarm is seen within it.
const REFRESH_POLL_CAP: Duration = Duration::from_secs(15);

/// `rollout_status` while a refresh runs (an apply cut short leaves it so).
const IN_PROGRESS: &str = "in_progress";

/// `rollout_status` after a rollout stopped half way (Ctrl-C) and rolled back.
const STOPPED: &str = "rolled_back: stopped by Terraform";

/// A change of the instances to roll out: from the version serving to the new one.
pub(super) struct Roll {
    pub template_id: String,
    /// The numbered version serving now; `None` when the group ran `$Default` or `$Latest`
    /// (then it was moved to `to` at once, and there is nothing to roll back to).
    pub from: Option<i64>,
    pub to: i64,
    /// The mixed-instances policy to roll to, when the group has one.
    pub mix: Option<Mix>,
}

/// The gate alarms put where missing or not as the blueprint says, recorded in `p`; `desired`:
/// the desired capacity the group records as configured.
pub(super) async fn gates(
    ctx: &ProviderData,
    d: &Desired,
    p: &mut State,
    desired: i64,
) -> Result<(), AwsError> {
    let n = d.args.name.as_str();
    let names = rollout::gate_names(n);
    let (Some(lb), Some(tg)) = (
        p.load_balancer_arn.as_deref(),
        p.target_group_arn.as_deref(),
    ) else {
        return Err(invalid(
            "rollout gates",
            "the load balancer is not known yet",
        ));
    };
    let want = rollout::gates(
        n,
        &watch::load_balancer_suffix(lb),
        &watch::target_group_suffix(tg),
        desired,
    );
    let live = alerting::describe_alarms(ctx, &names).await?;
    for (w, (role, _)) in want.iter().zip(rollout::gate_components(n)) {
        let same = live
            .iter()
            .find(|l| l.alarm_name.as_deref() == Some(w.short.as_str()))
            .is_some_and(|l| packs::difference(l, w).is_none());
        if !same {
            let about = rollout::gate_description(n);
            let req = packs::alarm_request(ctx, &w.short, &about, w, &d.tags);
            ctx.call(&format!("cloudwatch alarm {}", w.short), req.send())
                .await?;
        }
        p.components.insert(role.to_string(), w.short.clone());
    }
    p.gate_alarm_names = names;
    Ok(())
}

/// Rolls the group out to `r` and waits for the refresh to end. Success: `r.to` serves. A
/// rollback (a gate fired), a failure or a cancellation: the version before serves, and the
/// error names the alarm. Stopped half way (Ctrl-C): the refresh is rolled back so that one
/// version serves, and state says which.
pub(super) async fn roll(
    ctx: &ProviderData,
    d: &Desired,
    p: &mut State,
    r: &Roll,
    limit: Duration,
) -> Result<(), AwsError> {
    let n = d.args.name.as_str();
    let plan = rollout::effective(&d.args.rollout, d.environment);
    let gates = rollout::gate_names(n);
    let spec = asg::RefreshSpec {
        desired: r
            .from
            .map(|_| (r.template_id.as_str(), r.to, r.mix.as_ref())),
        checkpoints: &plan.checkpoints,
        bake_seconds: plan.bake_seconds,
        alarms: &gates,
    };
    // Recorded before the wait: an apply cut short by its timeout keeps this state.
    p.launch_template_version = Some(r.from.unwrap_or(r.to));
    p.serving_launch_template_version = p.launch_template_version;
    p.rollout_status = Some(IN_PROGRESS.into());
    let id = match asg::start_refresh(ctx, n, &spec).await {
        // A refresh of an earlier, interrupted apply: the newest configuration wins.
        Err(e) if e.code() == Some("InstanceRefreshInProgress") => {
            end_earlier(ctx, n, limit).await?;
            asg::start_refresh(ctx, n, &spec).await?
        }
        other => other?,
    };
    tracing::info!(group = n, refresh = id, from = ?r.from, to = r.to, "rolling out");
    let what = format!("instance refresh {id} of {n}");
    let ended = wait_until(
        &what,
        ctx.stop_token(),
        limit,
        Backoff::new(MIN_POLL_INTERVAL, REFRESH_POLL_CAP),
        || async {
            let f = asg::refresh(ctx, n, Some(&id)).await?;
            if let Some(f) = &f {
                tracing::info!(group = n, status = f.status, percent = f.percent, "rollout");
            }
            Ok::<_, AwsError>(f.filter(|f| rollout::ended(&f.status)))
        },
    )
    .await;
    let serving_before = r.from.unwrap_or(r.to);
    let f = match ended {
        Ok(f) => f,
        Err(e) => {
            p.launch_template_version = Some(serving_before);
            p.serving_launch_template_version = Some(serving_before);
            p.rollout_status = Some(IN_PROGRESS.into());
            if matches!(e, WaitError::Stopped { .. }) && r.from.is_some() {
                stop_rolling(ctx, n).await;
                p.rollout_status = Some(STOPPED.into());
            }
            return Err(wait_error(&what, e));
        }
    };
    p.rollout_status = Some(rollout::status_text(Some(&f.status), &f.reason, &gates));
    if rollout::outcome(&f.status) == Outcome::Succeeded {
        p.launch_template_version = Some(r.to);
        p.serving_launch_template_version = Some(r.to);
        return Ok(());
    }
    p.launch_template_version = Some(serving_before);
    p.serving_launch_template_version = Some(serving_before);
    Err(invalid(
        "rollout",
        format!(
            "the rollout of launch template version {} ended {}: {}. Version {serving_before} serves again. Fix what the alarm shows (e.g. the image) and apply again: the plan shows the rollout again.",
            r.to,
            f.status,
            rollout::fired(&f.reason, &gates),
        ),
    ))
}

/// A refresh an earlier, interrupted apply left running on group `n`, cancelled (a rollback is
/// let finish) and waited for (within `limit`) until AWS says it ended: the group takes no new
/// configuration until then.
pub(super) async fn end_earlier(
    ctx: &ProviderData,
    n: &str,
    limit: Duration,
) -> Result<(), AwsError> {
    // A rollback under way (after a Ctrl-C) is left to finish: cancelling it would leave the
    // instances it has not yet put back on the version rolled away from.
    let rolling_back = asg::refresh(ctx, n, None)
        .await?
        .is_some_and(|f| f.status == "RollbackInProgress");
    if !rolling_back {
        asg::cancel_refresh(ctx, n).await?;
    }
    let what = format!("the earlier instance refresh of {n} to end");
    wait_until(
        &what,
        ctx.stop_token(),
        limit,
        Backoff::new(MIN_POLL_INTERVAL, REFRESH_POLL_CAP),
        || async {
            let f = asg::refresh(ctx, n, None).await?;
            Ok::<_, AwsError>(f.is_none_or(|f| rollout::ended(&f.status)).then_some(()))
        },
    )
    .await
    .map_err(|e| wait_error(&what, e))
}

/// Whether AWS refused a change of the group's launch template or instance mix because a
/// refresh with a desired configuration is still running.
pub(super) fn refused_while_refreshing(e: &AwsError) -> bool {
    matches!(e, AwsError::Api { code, message, .. }
        if code == "ValidationError" && message.contains("active instance refresh"))
}

/// Ctrl-C half way: the refresh is rolled back, so that the version before serves everywhere.
async fn stop_rolling(ctx: &ProviderData, n: &str) {
    let out = ctx
        .call_through_stop(
            &format!("rollback of the instance refresh of {n}"),
            ctx.autoscaling()
                .rollback_instance_refresh()
                .auto_scaling_group_name(n)
                .send(),
        )
        .await;
    if let Err(e) = out {
        tracing::warn!(group = n, error = %e, "the interrupted rollout could not be rolled back");
    }
}
