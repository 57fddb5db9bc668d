//! One adapter for every resource: a resource implements [`Lifecycle`] (schema, validation, plan,
//! what apply converges to, converge, read, delete, find by name), and [`Adapter`] serves it to
//! Terraform as a [`Resource`], doing what every resource does the same way: destroy within the
//! `delete` timeout keeping what is left, converge-then-read within the `create`/`update` timeout
//! returning the partial state on failure (contract rule 14), refresh, and import by name.

use std::marker::PhantomData;
use std::time::Duration;

use async_trait::async_trait;

use crate::framework::resource::{
    ApplyRequest, ApplyResponse, ImportResponse, PlanRequest, PlanResponse, ReadRequest,
    ReadResponse, Resource,
};
use crate::framework::{Diagnostic, Diagnostics, Schema, Value};
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::ProviderData;

mod apply;
mod import;
mod plan;

pub use apply::{converge_and_read, destroy, refresh};
pub use import::{import, imported_environment, imported_key};
pub use plan::{plan_destroy, plan_start, plan_with, planned, refuse_apply, PlanFn};

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
