//! The ordered delete of a Redis cluster and everything around it.

use std::time::Duration;

use super::super::aws as api;
use super::super::blueprint as bp;
use super::super::model::State;
use super::wait_for;
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::tags::TAG_CREATING;
use crate::provider::{ec2, kms, secrets, ProviderData};

/// Deletes everything: the replication group (with a final snapshot outside development unless the
/// create never finished), then the parameter and subnet groups, the security group, the secret, the
/// alias, and the key (scheduled for deletion).
pub async fn delete(
    ctx: &ProviderData,
    s: &mut State,
    limit: Duration,
    create_incomplete: bool,
) -> Result<(), AwsError> {
    let n = s.name.clone();
    let env = Environment::parse(&s.environment).unwrap_or(Environment::Production);
    // Listed, `deleting` included: a destroy run again after an interrupted one still waits for the
    // group to go before deleting the subnet group it holds.
    if let Some(g) = api::listed(ctx, &n).await? {
        if g.status != "deleting" {
            // A group AWS failed to create never becomes available: delete it as it is.
            let g = if g.status == "available" || g.status == "create-failed" {
                g
            } else {
                wait_for(ctx, &n, false, limit).await?.unwrap_or(g)
            };
            // A group whose create never finished holds no data: no final snapshot. The mark is
            // in AWS too, for a tainted group Terraform replaces without the private state.
            let keeps =
                bp::takes_final_snapshot(env) && !create_incomplete && g.status == "available";
            let half_made = keeps && api::tags(ctx, &g.arn).await?.contains_key(TAG_CREATING);
            let snapshot = (keeps && !half_made)
                .then(|| bp::final_snapshot_id(&n, time::OffsetDateTime::now_utc()));
            api::delete(ctx, &n, snapshot.as_deref()).await?;
        }
        wait_for(ctx, &n, true, limit).await?;
    }
    s.components.remove("replication_group");
    api::delete_parameter_group(ctx, &n).await?;
    s.components.remove("parameter_group");
    api::delete_subnet_group(ctx, &n).await?;
    s.components.remove("subnet_group");
    if let Some(sg) = s.components.get("security_group").cloned() {
        ec2::delete_sg(ctx, &sg).await?;
    }
    s.components.remove("security_group");
    secrets::delete(ctx, &bp::secret_name(&n)).await?;
    s.components.remove("auth_secret");
    kms::delete_own_key(ctx, &bp::alias_name(&n), &mut s.components, &s.environment).await?;
    Ok(())
}
