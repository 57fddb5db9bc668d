//! `prod_database_ha`: highly-available PostgreSQL or MySQL with replication, backups and
//! encryption by default.

mod aurora;
mod aws;
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
use crate::provider::{tags, ProviderData};
use crate::resources::datastore;
use crate::resources::lifecycle::{self, Lifecycle, Prepared};
use model::State;

/// The lifecycle steps every resource shares, bound to the database's.
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
        Ok(prepared(start))
    }
    fn finish(st: &mut State, progress: &State, _planned: &Value) {
        st.tags = progress.tags.clone();
        st.environment = progress.environment.clone();
        st.final_snapshot = progress.final_snapshot;
        st.retain_automated_backups = progress.retain_automated_backups;
        st.engine_version = progress.engine_version.clone();
    }
    async fn find(ctx: &ProviderData, name: &str) -> Result<Option<State>, AwsError> {
        import_state(ctx, name).await
    }
    fn not_found(id: &str) -> String {
        format!("No DB instance named {id} tagged prod:resource = prod_database_ha.{id} exists in this account and region; the import ID is the database's `name`.")
    }
    async fn converge(
        ctx: &ProviderData,
        place: &Place,
        d: &reconcile::Desired,
        p: &mut State,
        limit: Duration,
    ) -> Result<(), AwsError> {
        if blueprint::is_aurora(&d.engine) {
            aurora::converge(ctx, place, d, p, limit).await
        } else {
            reconcile::converge(ctx, place, d, p, limit).await
        }
    }
    async fn delete(ctx: &ProviderData, s: &mut State, limit: Duration) -> Result<(), AwsError> {
        let incomplete = s.create_incomplete;
        if blueprint::is_aurora(&s.engine) {
            aurora::delete(ctx, s, limit, incomplete).await
        } else {
            reconcile::delete(ctx, s, limit, incomplete).await
        }
    }
    async fn settle(ctx: &ProviderData, s: &State) -> Result<(), AwsError> {
        if !s.create_incomplete {
            return Ok(());
        }
        let first = if blueprint::is_aurora(&s.engine) {
            "cluster"
        } else {
            "primary"
        };
        match s.components.get(first) {
            Some(arn) => aws::untag(ctx, arn, &[tags::TAG_CREATING]).await,
            None => Ok(()),
        }
    }
    async fn read(ctx: &ProviderData, place: &Place, s: &State) -> Result<Option<State>, AwsError> {
        if blueprint::is_aurora(&s.engine) {
            aurora::read(ctx, place, s).await
        } else {
            read::read(ctx, place, s).await
        }
    }
}

/// Rebuilds the state of database `name` from its primary (tags, engine, replicas), then reads it.
async fn import_state(ctx: &ProviderData, name: &str) -> Result<Option<State>, AwsError> {
    if let Some(c) = aurora::cluster(ctx, name).await? {
        return import_aurora(ctx, name, c).await;
    }
    let Some(primary) = aws::instances(ctx, &[name.to_string()])
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let tags = &primary.tags;
    let Some(env) = lifecycle::imported_environment(ctx, tags, schema::TYPE_NAME, name) else {
        return Ok(None);
    };
    let place = ctx.place().await?;
    let engine = ["aurora-postgresql", "aurora-mysql", "postgres", "mysql"]
        .into_iter()
        .find(|e| {
            primary
                .parameter_group
                .as_deref()
                .is_some_and(|g| g.starts_with(&format!("{name}-{e}")))
        })
        .unwrap_or(if primary.port == Some(5432) {
            "postgres"
        } else {
            "mysql"
        });
    let mut st = State {
        name: name.to_string(),
        engine: engine.to_string(),
        environment: env.as_str().to_string(),
        tags: crate::provider::tags::own_tags(tags, &ctx.default_tags),
        engine_version: blueprint::major(engine, &primary.engine_version),
        replicas: primary.replicas.len() as i64,
        final_snapshot: env.db_final_snapshot(),
        retain_automated_backups: env.db_final_snapshot(),
        ..Default::default()
    };
    for (i, _) in primary.replicas.iter().enumerate() {
        st.components
            .insert(format!("replica_{}", i + 1), String::new());
    }
    if let Some(sg) = primary.security_groups.first() {
        st.components.insert("security_group".into(), sg.clone());
    }
    if let Some(k) = lifecycle::imported_key(ctx, &blueprint::alias_name(name)).await? {
        st.components.insert("kms_key".into(), k.clone());
        st.kms_key_arn = Some(k);
    }
    read::read(ctx, &place, &st).await
}

/// Rebuilds the state of Aurora database `name` from its cluster, then reads it.
async fn import_aurora(
    ctx: &ProviderData,
    name: &str,
    c: aurora::Cluster,
) -> Result<Option<State>, AwsError> {
    let Some(env) = lifecycle::imported_environment(ctx, &c.tags, schema::TYPE_NAME, name) else {
        return Ok(None);
    };
    let place = ctx.place().await?;
    let mut st = State {
        name: name.to_string(),
        engine: c.engine.clone(),
        environment: env.as_str().to_string(),
        tags: crate::provider::tags::own_tags(&c.tags, &ctx.default_tags),
        engine_version: blueprint::major(&c.engine, &c.engine_version),
        replicas: 5,
        final_snapshot: env.db_final_snapshot(),
        retain_automated_backups: env.db_final_snapshot(),
        ..Default::default()
    };
    if let Some(sg) = c.security_groups.first() {
        st.components.insert("security_group".into(), sg.clone());
    }
    if let Some(k) = lifecycle::imported_key(ctx, &blueprint::alias_name(name)).await? {
        st.components.insert("kms_key".into(), k.clone());
        st.kms_key_arn = Some(k);
    }
    aurora::read(ctx, &place, &st).await
}

/// Apply's desired database and its progress as it starts: the prior's computed values kept
/// until apply makes them.
fn prepared(start: datastore::ApplyStart<State>) -> Prepared<Life> {
    let datastore::ApplyStart {
        planned,
        prior,
        mut progress,
        env,
        given_key,
        diagnostics,
    } = start;
    // The computed values apply has not made yet: the prior's.
    progress.endpoint = prior.endpoint.clone();
    progress.reader_endpoint = prior.reader_endpoint.clone();
    progress.replica_endpoints = prior.replica_endpoints.clone();
    progress.master_secret_arn = prior.master_secret_arn.clone();
    progress.engine_version_actual = prior.engine_version_actual.clone();
    progress.security_group_id = prior.security_group_id.clone();
    progress.instance_ids = prior.instance_ids.clone();
    progress.posture = prior.posture.clone();
    let desired = reconcile::Desired {
        name: planned.name.clone(),
        environment: env,
        engine: planned.engine.clone(),
        subnet_ids: planned.subnet_ids.clone(),
        allowed_security_group_ids: planned.allowed_security_group_ids.clone(),
        engine_version: planned.engine_version.clone(),
        instance_class: planned.instance_class.clone(),
        allocated_storage: planned.allocated_storage,
        max_allocated_storage: planned.max_allocated_storage,
        replicas: planned.replicas,
        multi_az: planned.multi_az,
        backup_retention_days: planned.backup_retention_days,
        backup_window: planned.backup_window.clone(),
        maintenance_window: planned.maintenance_window.clone(),
        deletion_protection: planned.deletion_protection,
        kms_key_arn: given_key,
        master_username: planned.master_username.clone(),
        parameters: blueprint::parameters(&planned.engine, planned.parameters.as_ref()),
        tags: planned.tags_all.clone(),
    };
    Prepared {
        desired,
        progress,
        diagnostics,
    }
}

#[cfg(test)]
mod tests;
