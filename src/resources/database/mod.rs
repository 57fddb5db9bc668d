//! `prod_database_ha`: highly-available PostgreSQL or MySQL with replication, backups and
//! encryption by default.

mod aurora;
mod aws;
pub mod blueprint;
pub mod model;
mod plan;
pub mod pooling;
mod read;
mod reconcile;
pub(crate) mod recovery;
pub mod restore_check;
pub mod schema;
pub mod validate;

use std::time::Duration;

use crate::framework::Value;
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::{tags, ProviderData};
use crate::resources::datastore;
use crate::resources::lifecycle::{self, Prepared};
use model::State;

crate::lifecycle! {
    /// The lifecycle steps every resource shares, bound to the database's.
    pub struct Life {
        state: State,
        desired: reconcile::Desired,
        parts: [],
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
        st.final_snapshot = progress.final_snapshot;
        st.retain_automated_backups = progress.retain_automated_backups;
        st.engine_version = progress.engine_version.clone();
        st.watch = plan::settled_watch(progress);
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
        if blueprint::is_aurora(&d.args.engine) {
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
        let st = if blueprint::is_aurora(&s.engine) {
            aurora::read(ctx, place, s).await?
        } else {
            read::read(ctx, place, s).await?
        };
        Ok(with_watch(st))
    }
}

/// The `watch` map is kept from the configuration; a state without one (imported, or from a
/// release before it) takes it from what is read.
fn with_watch(mut st: Option<State>) -> Option<State> {
    if let Some(st) = st.as_mut().filter(|st| st.watch.is_empty()) {
        st.watch = plan::settled_watch(st);
    }
    st
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
        audit_logging: env.db_audit_logging(),
        ..Default::default()
    };
    for (i, _) in primary.replicas.iter().enumerate() {
        st.components
            .insert(format!("replica_{}", i + 1), String::new());
    }
    let sg = primary.security_groups.first();
    let alias = blueprint::alias_name(name);
    st.kms_key_arn = datastore::imported_parts(ctx, sg, &alias, &mut st.components).await?;
    reconcile::proxy::imported(ctx, name, &mut st.components).await?;
    reconcile::backup::imported(ctx, name, &mut st.components).await?;
    Ok(with_watch(read::read(ctx, &place, &st).await?))
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
        audit_logging: env.db_audit_logging(),
        ..Default::default()
    };
    let sg = c.security_groups.first();
    let alias = blueprint::alias_name(name);
    st.kms_key_arn = datastore::imported_parts(ctx, sg, &alias, &mut st.components).await?;
    reconcile::proxy::imported(ctx, name, &mut st.components).await?;
    reconcile::backup::imported(ctx, name, &mut st.components).await?;
    Ok(with_watch(aurora::read(ctx, &place, &st).await?))
}

/// Apply's desired database and its progress as it starts: the prior's computed values kept
/// until apply makes them, except those the plan knows (port, subnet and parameter group names).
fn prepared(start: datastore::ApplyStart<State>) -> Prepared<Life> {
    let planned = start.planned;
    let mut progress = start.progress;
    progress.keep_computed(&start.prior);
    progress.port = planned.port;
    progress.subnet_group_name = planned.subnet_group_name.clone();
    progress.parameter_group_name = planned.parameter_group_name.clone();
    let desired = reconcile::Desired {
        environment: start.env,
        kms_key_arn: start.given_key,
        parameters: blueprint::parameters(
            &planned.engine,
            planned.audit_logging,
            planned.parameters.as_ref(),
        ),
        tags: planned.tags_all.clone(),
        args: planned,
    };
    Prepared {
        desired,
        progress,
        diagnostics: start.diagnostics,
    }
}

#[cfg(test)]
mod tests;
