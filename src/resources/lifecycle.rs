//! One adapter for every resource: a resource implements [`Lifecycle`] (schema, validation, plan,
//! what apply converges to, converge, read, delete, find by name), and [`Adapter`] serves it to
//! Terraform as a [`Resource`], doing what every resource does the same way: destroy within the
//! `delete` timeout keeping what is left, converge-then-read within the `create`/`update` timeout
//! returning the partial state on failure (contract rule 14), refresh, and import by name.

use std::future::Future;
use std::marker::PhantomData;
use std::ops::ControlFlow;
use std::time::Duration;

use async_trait::async_trait;

use crate::framework::resource::{
    import_id_diagnostics, ApplyRequest, ApplyResponse, ImportResponse, PlanRequest, PlanResponse,
    Planned, ReadRequest, ReadResponse, Resource, PRIVATE_CREATE_INCOMPLETE,
};
use crate::framework::wait::timeout_for;
use crate::framework::{Diagnostic, Diagnostics, Schema, Value};
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::ProviderData;

/// A resource's typed state, decoded from and encoded to the value Terraform holds.
pub trait ResourceState: Sized + Send + Sync {
    fn from_value(v: &Value) -> Self;
    fn to_value(&self) -> Value;
    /// The `timeouts` block as configured.
    fn timeouts(&self) -> &Value;
    /// Told, before a destroy, that the create never finished (private state), so that the delete
    /// can skip what only a finished database deserves (the guard, the final snapshot).
    fn mark_create_incomplete(&mut self) {}
}

/// The [`ResourceState`] of a state declared with `attributes!`: the id is the `name`, the
/// `timeouts` block travels raw, and `incomplete = <field>` names the flag a destroy of an
/// unfinished create sets.
#[macro_export]
macro_rules! resource_state {
    ($State:ident $(, incomplete = $flag:ident)?) => {
        impl $crate::resources::lifecycle::ResourceState for $State {
            fn timeouts(&self) -> &$crate::framework::Value {
                &self.timeouts
            }
            $(
                fn mark_create_incomplete(&mut self) {
                    self.$flag = true;
                }
            )?
            fn from_value(v: &$crate::framework::Value) -> $State {
                $State::decode(v)
            }
            fn to_value(&self) -> $crate::framework::Value {
                let mut v = self.encode();
                v.set("id", $crate::framework::Value::string(&self.name));
                v
            }
        }
    };
}

/// `pub struct $Life` and its [`Lifecycle`], wired to the resource folder's usual names: the
/// `schema` module's `TYPE_NAME`, `DEFAULT_TIMEOUT` and `schema()`, `validate::validate`, and
/// `import_state` (the import's `find`). `parts` lists what else is where it usually is and takes
/// the trait's arguments as they are: `converge` (`reconcile::converge`), `delete`
/// (`reconcile::delete`), `read` (`read::read`). A data store names its plan, guard, profile floors
/// and `prepared` under `store` and gets the plan and prepare both stores share (`datastore`).
/// The steps a resource writes itself follow as usual.
#[macro_export]
macro_rules! lifecycle {
    (
        $(#[$meta:meta])*
        pub struct $Life:ident {
            state: $State:ty,
            desired: $Desired:ty,
            parts: [ $( $part:ident ),* $(,)? ],
            $( store: {
                config: $SConfig:ty,
                plan: $splan:path,
                guard: $guard:path,
                floors: $floors:path,
                prepared: $prepared:path $(,)?
            } $(,)? )?
        }
        $($rest:tt)*
    ) => {
        $(#[$meta])*
        pub struct $Life;

        $crate::__lifecycle_impl! { [$($part)*] $Life {
            type State = $State;
            type Desired = $Desired;
            const TYPE_NAME: &'static str = schema::TYPE_NAME;
            const DEFAULT_TIMEOUT: &'static str = schema::DEFAULT_TIMEOUT;

            fn schema() -> $crate::framework::Schema {
                schema::schema()
            }
            fn validate(config: &$crate::framework::Value) -> $crate::framework::Diagnostics {
                validate::validate(config)
            }
            async fn find(
                ctx: &$crate::provider::ProviderData,
                name: &str,
            ) -> Result<Option<Self::State>, $crate::provider::error::AwsError> {
                import_state(ctx, name).await
            }
            $(
                async fn plan(
                    ctx: &$crate::provider::ProviderData,
                    req: $crate::framework::resource::PlanRequest,
                ) -> $crate::framework::resource::PlanResponse {
                    $crate::resources::datastore::plan::<Self, $SConfig>(
                        ctx,
                        req,
                        <Self as $crate::resources::lifecycle::Lifecycle>::validate,
                        $guard("destroy", None),
                        $splan,
                    )
                    .await
                }
                async fn prepare(
                    ctx: &$crate::provider::ProviderData,
                    req: &$crate::framework::resource::ApplyRequest,
                ) -> Result<$crate::resources::lifecycle::Prepared<Self>, $crate::framework::Diagnostics> {
                    let start = $crate::resources::datastore::start_apply::<$SConfig, Self::State>(
                        ctx.environment,
                        req,
                        <Self as $crate::resources::lifecycle::Lifecycle>::validate,
                        $floors,
                    )?;
                    Ok($prepared(start))
                }
            )?
            $($rest)*
        } }
    };
}

/// [`lifecycle!`]'s impl, with each of its `parts` added as the trait method calling the function
/// of the usual name (added before `#[async_trait]` sees the impl).
#[doc(hidden)]
#[macro_export]
macro_rules! __lifecycle_impl {
    ([] $Life:ident { $($items:tt)* }) => {
        #[async_trait::async_trait]
        impl $crate::resources::lifecycle::Lifecycle for $Life {
            $($items)*
        }
    };
    ([converge $($more:ident)*] $Life:ident { $($items:tt)* }) => {
        $crate::__lifecycle_impl! { [$($more)*] $Life { $($items)*
        async fn converge(
            ctx: &$crate::provider::ProviderData,
            place: &$crate::provider::aws::Place,
            d: &Self::Desired,
            p: &mut Self::State,
            limit: ::std::time::Duration,
        ) -> Result<(), $crate::provider::error::AwsError> {
            reconcile::converge(ctx, place, d, p, limit).await
        }
        } }
    };
    ([delete $($more:ident)*] $Life:ident { $($items:tt)* }) => {
        $crate::__lifecycle_impl! { [$($more)*] $Life { $($items)*
        async fn delete(
            ctx: &$crate::provider::ProviderData,
            s: &mut Self::State,
            limit: ::std::time::Duration,
        ) -> Result<(), $crate::provider::error::AwsError> {
            reconcile::delete(ctx, s, limit).await
        }
        } }
    };
    ([read $($more:ident)*] $Life:ident { $($items:tt)* }) => {
        $crate::__lifecycle_impl! { [$($more)*] $Life { $($items)*
        async fn read(
            ctx: &$crate::provider::ProviderData,
            place: &$crate::provider::aws::Place,
            s: &Self::State,
        ) -> Result<Option<Self::State>, $crate::provider::error::AwsError> {
            read::read(ctx, place, s).await
        }
        } }
    };
}

/// What apply converges to, and the state it starts from (what exists, recorded as it is made).
pub struct Prepared<L: Lifecycle> {
    pub desired: L::Desired,
    pub progress: L::State,
    /// Warnings found on the way (errors refuse the apply instead).
    pub diagnostics: Diagnostics,
}

/// Everything that makes a resource itself; [`Adapter`] does the rest.
#[async_trait]
pub trait Lifecycle: Send + Sync + 'static {
    type State: ResourceState;
    /// The blueprint's output apply converges to.
    type Desired: Send + Sync;
    /// The resource type, e.g. `prod_cluster`.
    const TYPE_NAME: &'static str;
    /// The timeout of an operation the `timeouts` block leaves unset.
    const DEFAULT_TIMEOUT: &'static str;

    fn schema() -> Schema;
    /// Checks of the configuration alone (no AWS), each on its attribute.
    fn validate(config: &Value) -> Diagnostics;
    /// The plan of a create or update, and of a destroy (the data stores guard it).
    async fn plan(ctx: &ProviderData, req: PlanRequest) -> PlanResponse;
    /// Apply of a create or update before any AWS change: the configuration checked again, the
    /// desired components and the starting state. `Err` refuses the apply with its diagnostics.
    async fn prepare(ctx: &ProviderData, req: &ApplyRequest) -> Result<Prepared<Self>, Diagnostics>
    where
        Self: Sized;
    /// What read cannot know, carried into the state read back from the state apply started with
    /// (`progress`) and the planned state.
    fn finish(_read: &mut Self::State, _progress: &Self::State, _planned: &Value) {}
    /// The state of the resource named `name`, found in AWS by its names and tags (import).
    async fn find(ctx: &ProviderData, name: &str) -> Result<Option<Self::State>, AwsError>;
    /// Where an import of `name` looked and found nothing.
    fn not_found(name: &str) -> String;
    /// The import ID checked like the `name` argument (the configuration's other requirements do
    /// not apply: import finds them in AWS).
    fn check_import_id(id: &str) -> Diagnostics {
        Self::validate(&Value::Map(
            [("name".to_string(), Value::string(id))].into(),
        ))
    }

    /// Makes AWS match `d`, recording each object in `p` before the next call.
    async fn converge(
        ctx: &ProviderData,
        place: &Place,
        d: &Self::Desired,
        p: &mut Self::State,
        limit: Duration,
    ) -> Result<(), AwsError>;
    /// Deletes every object; on error `s` still names what exists.
    async fn delete(
        ctx: &ProviderData,
        s: &mut Self::State,
        limit: Duration,
    ) -> Result<(), AwsError>;
    /// Called once apply has converged and read `s` back: what marks an unfinished create in AWS
    /// (e.g. [`crate::provider::tags::TAG_CREATING`]) comes off here, and only here.
    async fn settle(_ctx: &ProviderData, _s: &Self::State) -> Result<(), AwsError> {
        Ok(())
    }
    /// The live state, or `None` when nothing of the resource is left.
    async fn read(
        ctx: &ProviderData,
        place: &Place,
        s: &Self::State,
    ) -> Result<Option<Self::State>, AwsError>;
}

pub fn aws_diag<L: Lifecycle>(e: &AwsError, what: &str) -> Diagnostic {
    e.to_diagnostic(&format!("{}: {what} failed", L::TYPE_NAME))
}

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
    Environment,
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
        ctx.environment,
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

/// A [`Lifecycle`] served to Terraform: the one implementation of [`Resource`].
pub struct Adapter<L: Lifecycle> {
    schema: Schema,
    life: PhantomData<L>,
}

impl<L: Lifecycle> Adapter<L> {
    pub fn new() -> Adapter<L> {
        Adapter {
            schema: L::schema(),
            life: PhantomData,
        }
    }
}

impl<L: Lifecycle> Default for Adapter<L> {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl<L: Lifecycle> Resource<ProviderData> for Adapter<L> {
    fn type_name(&self) -> &'static str {
        L::TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        L::validate(config)
    }

    async fn plan(&self, ctx: &ProviderData, req: PlanRequest) -> PlanResponse {
        L::plan(ctx, req).await
    }

    async fn apply(&self, ctx: &ProviderData, req: ApplyRequest) -> ApplyResponse {
        if req.planned_state.is_null() {
            return destroy::<L>(ctx, req).await;
        }
        match L::prepare(ctx, &req).await {
            Ok(p) => converge_and_read::<L>(ctx, &req, &p.desired, p.progress, p.diagnostics).await,
            Err(diagnostics) => refuse_apply(req, diagnostics),
        }
    }

    async fn read(&self, ctx: &ProviderData, req: ReadRequest) -> ReadResponse {
        refresh::<L>(ctx, req).await
    }

    async fn import(&self, ctx: &ProviderData, id: &str) -> ImportResponse {
        import::<L, _>(L::check_import_id(id), L::find(ctx, id), L::not_found(id)).await
    }
}

/// Apply of a destroy: delete within the `delete` timeout; on failure the state keeps what is left.
pub async fn destroy<L: Lifecycle>(ctx: &ProviderData, req: ApplyRequest) -> ApplyResponse {
    let mut st = L::State::from_value(&req.prior_state);
    if req.planned_private == PRIVATE_CREATE_INCOMPLETE {
        st.mark_create_incomplete();
    }
    let limit = timeout_for(st.timeouts(), "delete", L::DEFAULT_TIMEOUT);
    let result = tokio::time::timeout(limit, L::delete(ctx, &mut st, limit))
        .await
        .unwrap_or_else(|_| Err(AwsError::timed_out(L::TYPE_NAME, "delete", limit)));
    match result {
        Ok(()) => ApplyResponse::default(),
        Err(e) => ApplyResponse {
            new_state: st.to_value(),
            private: req.planned_private,
            diagnostics: aws_diag::<L>(&e, "delete").into(),
        },
    }
}

/// Create or update: runs `converge` (which records every object in `progress` as it makes it),
/// then reads the result back, all within the operation's timeout. On failure the response carries
/// `progress`, marked as an unfinished create when it was one, so Terraform taints it and the next
/// apply removes every partial object. [`Lifecycle::finish`] adjusts the read state.
pub async fn converge_and_read<L: Lifecycle>(
    ctx: &ProviderData,
    req: &ApplyRequest,
    desired: &L::Desired,
    mut progress: L::State,
    diagnostics: Diagnostics,
) -> ApplyResponse {
    let creating = req.prior_state.is_null();
    let op = if creating { "create" } else { "update" };
    let limit = timeout_for(progress.timeouts(), op, L::DEFAULT_TIMEOUT);
    let mut diagnostics = diagnostics;
    let result = match ctx.place().await {
        Err(e) => Err(e),
        Ok(place) => {
            let work = async {
                L::converge(ctx, &place, desired, &mut progress, limit).await?;
                let st = L::read(ctx, &place, &progress).await?;
                if let Some(st) = &st {
                    L::settle(ctx, st).await?;
                }
                Ok(st)
            };
            tokio::time::timeout(limit, work)
                .await
                .unwrap_or_else(|_| Err(AwsError::timed_out(L::TYPE_NAME, op, limit)))
        }
    };
    match result {
        Ok(Some(mut st)) => {
            L::finish(&mut st, &progress, &req.planned_state);
            ApplyResponse {
                new_state: st.to_value(),
                private: Vec::new(),
                diagnostics,
            }
        }
        Ok(None) => {
            diagnostics.push(Diagnostic::error(
                format!("{}: the objects vanished during apply", L::TYPE_NAME),
                "They were made but cannot be read back. Run `terraform apply` again.",
            ));
            ApplyResponse {
                new_state: progress.to_value(),
                private: PRIVATE_CREATE_INCOMPLETE.to_vec(),
                diagnostics,
            }
        }
        Err(e) => {
            diagnostics.push(aws_diag::<L>(&e, op));
            ApplyResponse {
                new_state: progress.to_value(),
                private: if creating {
                    PRIVATE_CREATE_INCOMPLETE.to_vec()
                } else {
                    req.planned_private.clone()
                },
                diagnostics,
            }
        }
    }
}

/// Refresh: the live state; null when nothing is left (Terraform plans a create); the prior state
/// with an error when AWS could not be asked.
pub async fn refresh<L: Lifecycle>(ctx: &ProviderData, req: ReadRequest) -> ReadResponse {
    if req.current_state.is_null() {
        return ReadResponse::default();
    }
    let prior = L::State::from_value(&req.current_state);
    let result = async {
        let place = ctx.place().await?;
        L::read(ctx, &place, &prior).await
    }
    .await;
    match result {
        Ok(Some(st)) => ReadResponse {
            new_state: st.to_value(),
            private: req.private,
            diagnostics: Diagnostics::new(),
        },
        Ok(None) => ReadResponse::default(),
        Err(e) => ReadResponse {
            new_state: req.current_state,
            private: req.private,
            diagnostics: aws_diag::<L>(&e, "read").into(),
        },
    }
}

/// Import by name: the ID is checked like the `name` argument (`check` holds that validation),
/// then `find` rebuilds the state; `absent` says where the resource would have been found.
pub async fn import<L, F>(check: Diagnostics, find: F, absent: String) -> ImportResponse
where
    L: Lifecycle,
    F: Future<Output = Result<Option<L::State>, AwsError>>,
{
    if check.has_errors() {
        return ImportResponse {
            diagnostics: import_id_diagnostics(&check),
            ..Default::default()
        };
    }
    match find.await {
        Ok(Some(st)) => ImportResponse {
            state: st.to_value(),
            ..Default::default()
        },
        Ok(None) => ImportResponse {
            diagnostics: Diagnostic::error(format!("Cannot import {}", L::TYPE_NAME), absent)
                .into(),
            ..Default::default()
        },
        Err(e) => ImportResponse {
            diagnostics: aws_diag::<L>(&e, "import").into(),
            ..Default::default()
        },
    }
}

/// Import: the profile of an object found under `name`, `None` when its `prod:resource` tag says
/// it is not this provider's `type_name.name` (a look-alike made elsewhere is not adopted). The
/// `prod:environment` tag wins; else the provider's.
pub fn imported_environment(
    ctx: &ProviderData,
    tags: &std::collections::BTreeMap<String, String>,
    type_name: &str,
    name: &str,
) -> Option<Environment> {
    if tags.get(crate::provider::tags::TAG_RESOURCE) != Some(&format!("{type_name}.{name}")) {
        return None;
    }
    Some(
        tags.get(crate::provider::tags::TAG_ENVIRONMENT)
            .and_then(|e| Environment::parse(e))
            .unwrap_or(ctx.environment),
    )
}

/// Import: the ARN of the resource's own key behind `alias`, when it exists and is usable.
pub async fn imported_key(ctx: &ProviderData, alias: &str) -> Result<Option<String>, AwsError> {
    Ok(crate::provider::kms::describe_key(ctx, alias)
        .await?
        .filter(|k| k.usable)
        .map(|k| k.arn))
}
