//! `prod_redis_cluster`: a replicated, encrypted, authenticated Redis or Valkey replication group.

pub(crate) mod aws;
pub mod blueprint;
pub mod model;
mod plan;
mod read;
mod reconcile;
pub mod schema;
pub mod validate;

use std::time::Duration;

use async_trait::async_trait;

use crate::framework::resource::{ApplyRequest, PlanRequest, PlanResponse};
use crate::framework::{Diagnostics, Schema, Value};
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::secrets::SecretValue;
use crate::provider::ProviderData;
use crate::resources::datastore;
use crate::resources::lifecycle::{self, Lifecycle, Prepared};
use model::State;

/// The lifecycle steps every resource shares, bound to the replication group's.
pub struct Life;

#[async_trait]
impl Lifecycle for Life {
    type State = State;
    type Desired = reconcile::Desired;
    const TYPE_NAME: &'static str = schema::TYPE_NAME;
    const DEFAULT_TIMEOUT: &'static str = schema::DEFAULT_TIMEOUT;

    fn schema() -> Schema {
        schema::schema()
    }
    fn validate(config: &Value) -> Diagnostics {
        validate::validate(config)
    }
    async fn plan(ctx: &ProviderData, req: PlanRequest) -> PlanResponse {
        let guard = plan::guard_diagnostic("destroy", None);
        datastore::plan::<Life, model::Config>(ctx, req, validate::validate, guard, plan::plan)
            .await
    }
    async fn prepare(
        ctx: &ProviderData,
        req: &ApplyRequest,
    ) -> Result<Prepared<Self>, Diagnostics> {
        let start = datastore::start_apply::<model::Config, State>(
            ctx.environment,
            req,
            validate::validate,
            validate::validate_profile,
        )?;
        Ok(prepared(start, &model::Config::decode(&req.config)))
    }
    fn finish(st: &mut State, progress: &State, _planned: &Value) {
        st.tags = progress.tags.clone();
        st.environment = progress.environment.clone();
        st.deletion_protection = progress.deletion_protection;
        st.engine_version = progress.engine_version.clone();
        st.parameters = progress.parameters.clone();
    }
    async fn find(ctx: &ProviderData, name: &str) -> Result<Option<State>, AwsError> {
        import_state(ctx, name).await
    }
    fn not_found(id: &str) -> String {
        format!("No replication group named {id} tagged prod:resource = prod_redis_cluster.{id} exists in this account and region; the import ID is the group's `name`.")
    }
    async fn converge(
        ctx: &ProviderData,
        place: &Place,
        d: &reconcile::Desired,
        p: &mut State,
        limit: Duration,
    ) -> Result<(), AwsError> {
        reconcile::converge(ctx, place, d, p, limit).await
    }
    async fn delete(ctx: &ProviderData, s: &mut State, limit: Duration) -> Result<(), AwsError> {
        let incomplete = s.create_incomplete;
        reconcile::delete(ctx, s, limit, incomplete).await
    }
    async fn read(ctx: &ProviderData, place: &Place, s: &State) -> Result<Option<State>, AwsError> {
        read::read(ctx, place, s).await
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
        ..Default::default()
    };
    if let Some(sg) = member.security_groups.first() {
        st.components.insert("security_group".into(), sg.clone());
    }
    if let Some(k) = lifecycle::imported_key(ctx, &blueprint::alias_name(name)).await? {
        st.components.insert("kms_key".into(), k.clone());
        st.kms_key_arn = Some(k);
    }
    read::read(ctx, &place, &st).await
}

/// Apply's desired replication group and its progress as it starts: the prior's computed values
/// kept until apply makes them. The write-only `auth_token_wo` comes from the configuration
/// (`config`), never the plan, and is sent only when its version changed (or on create).
fn prepared(start: datastore::ApplyStart<State>, config: &model::Config) -> Prepared<Life> {
    let datastore::ApplyStart {
        planned,
        prior,
        mut progress,
        env,
        given_key,
        diagnostics,
    } = start;
    // The computed values apply has not made yet: the prior's.
    progress.engine_version_actual = prior.engine_version_actual.clone();
    progress.primary_endpoint = prior.primary_endpoint.clone();
    progress.reader_endpoint = prior.reader_endpoint.clone();
    progress.configuration_endpoint = prior.configuration_endpoint.clone();
    progress.auth_secret_arn = prior.auth_secret_arn.clone();
    progress.security_group_id = prior.security_group_id.clone();
    progress.member_clusters = prior.member_clusters.clone();
    progress.parameter_group_name = prior.parameter_group_name.clone();
    progress.subnet_group_name = prior.subnet_group_name.clone();
    progress.posture = prior.posture.clone();
    // The token's version is recorded only once that token is in place.
    progress.auth_token_wo_version = prior.auth_token_wo_version;
    progress.auth_token_wo = None;
    let auth_token = (planned.auth_token_wo_version != prior.auth_token_wo_version)
        .then(|| config.auth_token_wo.known().cloned())
        .flatten()
        .map(SecretValue::new);
    let desired = reconcile::Desired {
        name: planned.name.clone(),
        environment: env,
        engine: planned.engine.clone(),
        subnet_ids: planned.subnet_ids.clone(),
        allowed_security_group_ids: planned.allowed_security_group_ids.clone(),
        engine_version: planned.engine_version.clone(),
        node_type: planned.node_type.clone(),
        shards: planned.shards,
        replicas_per_shard: planned.replicas_per_shard,
        snapshot_retention_days: planned.snapshot_retention_days,
        snapshot_window: planned.snapshot_window.clone(),
        maintenance_window: planned.maintenance_window.clone(),
        kms_key_arn: given_key,
        parameters: planned.parameters.clone(),
        tags: planned.tags_all.clone(),
        auth_token,
        auth_token_version: planned.auth_token_wo_version,
    };
    Prepared {
        desired,
        progress,
        diagnostics,
    }
}

#[cfg(test)]
mod tests;
