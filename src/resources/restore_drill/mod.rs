//! `prod_restore_drill`: a restore of a `prod_database_ha` into a throwaway copy, timed against
//! the database's RTO, and deleted before the create returns.

mod aws;
pub mod model;
mod plan;
mod read;
mod reconcile;
pub mod schema;
pub mod validate;

use std::ops::ControlFlow;

use crate::framework::resource::{ApplyRequest, PlanRequest, PlanResponse};
use crate::framework::Diagnostics;
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::ProviderData;
use crate::resources::lifecycle::{self, Prepared, ResourceState};
use model::State;

crate::lifecycle! {
    /// `prod_restore_drill` as [`Lifecycle`] describes a resource.
    pub struct Life {
        state: State,
        desired: reconcile::Desired,
        parts: [converge, delete, read],
    }

    async fn plan(ctx: &ProviderData, req: PlanRequest) -> PlanResponse {
        // A drill holds no data: its destroy needs no guard.
        let diagnostics = match lifecycle::plan_start::<Self>(&req) {
            ControlFlow::Continue(d) => d,
            ControlFlow::Break(done) => return done,
        };
        let place = ctx.place().await.ok();
        lifecycle::plan_with(ctx, req, diagnostics, place.as_ref(), (), plan::plan)
    }

    async fn prepare(
        ctx: &ProviderData,
        req: &ApplyRequest,
    ) -> Result<Prepared<Self>, Diagnostics> {
        let diagnostics = validate::validate(&req.config);
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        let planned = State::from_value(&req.planned_state);
        let env = Environment::parse(&planned.environment).unwrap_or(ctx.environment);
        let create = req.prior_state.is_null();
        let mut progress = if create {
            State {
                database_id: planned.database_id.clone(),
                restore_time: planned.restore_time.clone(),
                region: planned.region.clone(),
                ..Default::default()
            }
        } else {
            State::from_value(&req.prior_state)
        };
        progress.environment = env.as_str().to_string();
        progress.tags = planned.tags.clone();
        progress.timeouts = model::Config::decode(&req.config).timeouts;
        let desired = reconcile::Desired {
            database_id: planned.database_id.clone(),
            restore_time: planned.restore_time.clone(),
            region: planned.region.clone(),
            environment: env,
            tags: planned.tags.clone().unwrap_or_default(),
            create,
        };
        Ok(Prepared {
            desired,
            progress,
            diagnostics,
        })
    }
    fn not_found(id: &str) -> String {
        format!("{id}: a drill is the record of a run, not an object in AWS, so there is nothing to import; declare a prod_restore_drill and apply it to run one.")
    }
}

/// Nothing to import: a drill leaves nothing in AWS.
async fn import_state(_: &ProviderData, _: &str) -> Result<Option<State>, AwsError> {
    Ok(None)
}
