//! Read, the rollout: the gate alarms as AWS has them, and how the newest instance refresh ended.

use super::Components;
use crate::provider::error::AwsError;
use crate::provider::ProviderData;
use crate::resources::alerting::{self, packs, watch};
use crate::resources::cluster::aws::asg;
use crate::resources::cluster::model::State;
use crate::resources::cluster::rollout;

/// Records the gate alarms found in `c`, the version serving and `rollout_status` in `st`;
/// returns how the gates differ from the blueprint's (posture `rollout_gates`). `group`: the
/// Auto Scaling group, when it exists (else it has no refreshes to ask about); its recorded
/// desired capacity sets the unhealthy gate's threshold, as apply did.
pub(super) async fn read(
    ctx: &ProviderData,
    st: &mut State,
    c: &mut Components,
    group: Option<&asg::GroupFacts>,
) -> Result<Vec<String>, AwsError> {
    let n = st.name.clone();
    let names = rollout::gate_names(&n);
    let (alarms, newest) = tokio::join!(alerting::describe_alarms(ctx, &names), async {
        match group {
            Some(_) => asg::refresh(ctx, &n, None).await,
            None => Ok(None),
        }
    });
    let (alarms, newest) = (alarms?, newest?);
    st.gate_alarm_names = names.clone();
    st.serving_launch_template_version = st.launch_template_version;
    st.rollout_status = Some(rollout::status_text(
        newest.as_ref().map(|f| f.status.as_str()),
        newest.as_ref().map_or("", |f| f.reason.as_str()),
        &names,
    ));
    let want = match (&st.load_balancer_arn, &st.target_group_arn) {
        (Some(lb), Some(tg)) => rollout::gates(
            &n,
            &watch::load_balancer_suffix(lb),
            &watch::target_group_suffix(tg),
            group
                .and_then(|g| g.configured_desired)
                .unwrap_or(st.desired_capacity),
        ),
        _ => Vec::new(),
    };
    let mut drift = Vec::new();
    for (role, name) in rollout::gate_components(&n) {
        let Some(live) = alarms
            .iter()
            .find(|a| a.alarm_name.as_deref() == Some(&name))
        else {
            drift.push(format!("gate alarm {name} is missing"));
            continue;
        };
        c.insert(role.to_string(), name.clone());
        let diff = want
            .iter()
            .find(|w| w.short == name)
            .and_then(|w| packs::difference(live, w));
        if let Some(d) = diff {
            drift.push(format!("gate alarm {name}: {d}"));
        }
    }
    Ok(drift)
}
