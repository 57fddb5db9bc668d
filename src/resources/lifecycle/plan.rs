//! The plan steps every resource shares: a destroy's plan, the start of a plan (destroy and
//! validation), the plan of a resource without data, and an apply refused before it starts.

use std::ops::ControlFlow;

use super::Lifecycle;
use crate::framework::resource::{ApplyRequest, ApplyResponse, PlanRequest, PlanResponse, Planned};
use crate::framework::{Diagnostics, Value};
use crate::provider::aws::Place;
use crate::provider::profile::Defaults;
use crate::provider::ProviderData;

/// The plan of a destroy: nothing to compute (resources with data add their guard before this).
pub fn plan_destroy(req: PlanRequest) -> PlanResponse {
    PlanResponse {
        planned_state: Value::Null,
        planned_private: req.prior_private,
        ..Default::default()
    }
}

/// The start of the plan of a resource that holds no data: a destroy needs no guard (`Break` with
/// its plan), and a configuration with errors goes no further (`Break` with them). `Continue`
/// carries the checks' warnings.
pub fn plan_start<L: Lifecycle>(req: &PlanRequest) -> ControlFlow<PlanResponse, Diagnostics> {
    if req.proposed_new_state.is_null() {
        return ControlFlow::Break(PlanResponse {
            planned_state: Value::Null,
            planned_private: req.prior_private.clone(),
            ..Default::default()
        });
    }
    let diagnostics = L::validate(&req.config);
    if diagnostics.has_errors() {
        return ControlFlow::Break(PlanResponse {
            diagnostics,
            ..Default::default()
        });
    }
    ControlFlow::Continue(diagnostics)
}

/// A resource's pure plan logic: configuration, prior and proposed states, the provider's
/// environment and default tags, the account's place, and `X`, the facts looked up for it.
pub type PlanFn<X> = fn(
    &Value,
    &Value,
    &Value,
    Defaults,
    &std::collections::BTreeMap<String, String>,
    Option<&Place>,
    X,
) -> Planned;

/// The plan response of `plan` over `req`, with the facts `extra` and the diagnostics gathered
/// before it.
pub fn plan_with<X>(
    ctx: &ProviderData,
    req: PlanRequest,
    diagnostics: Diagnostics,
    place: Option<&Place>,
    extra: X,
    plan: PlanFn<X>,
) -> PlanResponse {
    let p = plan(
        &req.config,
        &req.prior_state,
        &req.proposed_new_state,
        Defaults {
            environment: ctx.environment,
            log_retention: ctx.log_retention,
        },
        &ctx.default_tags,
        place,
        extra,
    );
    planned(diagnostics, p, req.prior_private)
}

/// The plan response of a resource's plan logic, with the diagnostics gathered before it.
pub fn planned(mut diagnostics: Diagnostics, p: Planned, prior_private: Vec<u8>) -> PlanResponse {
    diagnostics.extend(p.diagnostics);
    PlanResponse {
        planned_state: p.state,
        requires_replace: p.requires_replace,
        planned_private: prior_private,
        diagnostics,
    }
}

/// Apply refused before any AWS call (validation found errors): the prior state and its private
/// state stand.
pub fn refuse_apply(req: ApplyRequest, diagnostics: Diagnostics) -> ApplyResponse {
    ApplyResponse {
        new_state: req.prior_state,
        private: req.planned_private,
        diagnostics,
    }
}
