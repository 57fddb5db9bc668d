//! `prod_redis_cluster`: a replicated, encrypted, authenticated Redis or Valkey replication group.

pub(crate) mod aws;
pub mod blueprint;
pub mod model;
mod plan;
mod read;
mod reconcile;
mod recovery;
pub mod schema;
pub mod validate;

use std::time::Duration;

use crate::framework::Value;
use crate::provider::error::AwsError;
use crate::provider::secrets::SecretValue;
use crate::provider::ProviderData;
use crate::resources::datastore;
use crate::resources::lifecycle::{self, Prepared};
use model::State;

crate::lifecycle! {
    /// The lifecycle steps every resource shares, bound to the replication group's.
    pub struct Life {
        state: State,
        desired: reconcile::Desired,
        parts: [converge, read],
        store: {
            config: model::Config,
            plan: plan::plan,
            guard: plan::guard_diagnostic,
            floors: validate::validate_profile,
            prepared: prepared,
        },
    }

    fn finish(st: &mut State, progress: &State, _planned: &Value) {
        st.tags = progress.tags.clone();
        st.environment = progress.environment.clone();
        st.deletion_protection = progress.deletion_protection;
        st.engine_version = progress.engine_version.clone();
        st.parameters = progress.parameters.clone();
    }
    fn not_found(id: &str) -> String {
        format!("No replication group named {id} tagged prod:resource = prod_redis_cluster.{id} exists in this account and region; the import ID is the group's `name`.")
    }
    async fn delete(ctx: &ProviderData, s: &mut State, limit: Duration) -> Result<(), AwsError> {
        let incomplete = s.create_incomplete;
        reconcile::delete(ctx, s, limit, incomplete).await
    }
    async fn settle(ctx: &ProviderData, s: &State) -> Result<(), AwsError> {
        match s.components.get("replication_group") {
            Some(arn) if s.create_incomplete => {
                aws::untag(ctx, arn, vec![crate::provider::tags::TAG_CREATING.into()]).await
            }
            _ => Ok(()),
        }
    }
}

/// Rebuilds the state of group `name` from AWS (tags, engine, members), then reads it.
async fn import_state(ctx: &ProviderData, name: &str) -> Result<Option<State>, AwsError> {
    let Some(g) = aws::describe(ctx, name).await? else {
        return Ok(None);
    };
    let tags = aws::tags(ctx, &g.arn).await?;
    let Some(env) = lifecycle::imported_environment(ctx, &tags, schema::TYPE_NAME, name) else {
        return Ok(None);
    };
    let place = ctx.place().await?;
    let member = match g.member_clusters.first() {
        Some(m) => aws::member(ctx, m).await?.unwrap_or_default(),
        None => Default::default(),
    };
    let mut st = State {
        name: name.to_string(),
        engine: g.engine.clone(),
        environment: env.as_str().to_string(),
        tags: crate::provider::tags::own_tags(&tags, &ctx.default_tags),
        engine_version: blueprint::major_minor(&member.engine_version),
        replicas_per_shard: g.replicas_per_shard(),
        deletion_protection: env.redis_deletion_protection(),
        auth_token_rotation_days: blueprint::rotation_days(env),
        ..Default::default()
    };
    let sg = member.security_groups.first();
    let alias = blueprint::alias_name(name);
    st.kms_key_arn = datastore::imported_parts(ctx, sg, &alias, &mut st.components).await?;
    read::read(ctx, &place, &st).await
}

/// Apply's desired replication group and its progress as it starts: the prior's computed values
/// kept until apply makes them, except the port the plan knows. The write-only `auth_token_wo`
/// comes from the configuration, never the plan, and is sent only when its version changed (or on
/// create).
fn prepared(start: datastore::ApplyStart<State>) -> Prepared<Life> {
    let config = model::Config::decode(&start.config);
    let mut progress = start.progress;
    progress.keep_computed(&start.prior);
    progress.port = start.planned.port;
    // The token's version is recorded only once that token is in place.
    progress.auth_token_wo_version = start.prior.auth_token_wo_version;
    progress.auth_token_wo = None;
    let auth_token = (start.planned.auth_token_wo_version != start.prior.auth_token_wo_version)
        .then(|| config.auth_token_wo.known().cloned())
        .flatten()
        .map(SecretValue::new);
    // The plan leaves the token's date unknown when this apply rotates it.
    let rotate_generated = auth_token.is_none()
        && start.prior.auth_token_rotated_at.is_some()
        && start.planned.auth_token_rotated_at.is_none();
    let desired = reconcile::Desired {
        rotate_generated,
        environment: start.env,
        kms_key_arn: start.given_key,
        tags: start.planned.tags_all.clone(),
        auth_token,
        args: start.planned,
    };
    Prepared {
        desired,
        progress,
        diagnostics: start.diagnostics,
    }
}

#[cfg(test)]
mod tests;
