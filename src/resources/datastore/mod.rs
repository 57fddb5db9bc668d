//! What the data stores (`prod_database_ha`, `prod_redis_cluster`) share: the typed model they
//! read (`StoreConfig`, `StoreState`, declared by `store_model!`); the plan walk (guarded destroy,
//! validation, subnet lookup), the guard's refusal and the plan-time checks in `planning`; apply's
//! start, the placement, the security group and the calls both make in `applying`.

mod applying;
mod exposure;
mod planning;
pub mod recovery;
mod secret_policy;

pub use applying::*;
pub use exposure::{Exposure, PortRule};
pub use planning::*;
pub use secret_policy::{secret_policy, secret_policy_holds, secure_secret};

use crate::framework::decode::Tri;
use crate::framework::Value;
use crate::provider::profile::Environment;
use crate::resources::lifecycle::ResourceState;

/// What the plan walk and apply's start read of a store's typed configuration.
pub trait StoreConfig: Sized {
    /// The configuration held in a cty object.
    fn read(config: &Value) -> Self;
    /// The configured subnets: known once every id is.
    fn subnet_ids(&self) -> Tri<Vec<String>>;
    /// The `timeouts` block as configured.
    fn timeouts(&self) -> &Value;
    /// The key configured (`None`: the store's own).
    fn given_key(&self) -> Option<String>;
}

/// What the plan walk and apply's start read and write of a store's typed state.
pub trait StoreState: ResourceState + Clone {
    /// Whether the guard refuses destroy and replacement.
    fn deletion_protection(&self) -> bool;
    /// The environment as planned or recorded.
    fn environment(&self) -> &str;
    /// Apply's progress as it starts from these planned values: the environment `env`, the
    /// `prior`'s components and tags (until apply makes them), the configured `timeouts`, and the
    /// prior's own key where no key is `given`.
    fn start_progress(
        &self,
        prior: &Self,
        env: Environment,
        timeouts: &Value,
        given: Option<&String>,
    ) -> Self;
}

/// [`StoreConfig`] for `$Config`, and [`StoreState`] and `ResourceState` (a create left
/// incomplete marks `create_incomplete`) for `$State`, declared by `attributes!` with the fields
/// both stores share (`subnet_ids`, `kms_key_arn`, `deletion_protection`, `environment`,
/// `components`, `tags_all`, `timeouts`, and the internal `create_incomplete`). Both stores read
/// `subnet_ids`, `allowed_security_group_ids`, `parameters` and `tags` element by element in a
/// plan, so that a list or map with some elements unknown is planned as configured.
#[macro_export]
macro_rules! store_model {
    ($Config:ident, $State:ident) => {
        $crate::resource_state!($State, incomplete = create_incomplete);

        impl $crate::resources::datastore::StoreConfig for $Config {
            fn read(config: &$crate::framework::Value) -> $Config {
                $Config::decode(config)
            }
            fn subnet_ids(&self) -> $crate::framework::decode::Tri<Vec<String>> {
                $crate::resources::datastore::whole_list(&self.subnet_ids)
            }
            fn timeouts(&self) -> &$crate::framework::Value {
                &self.timeouts
            }
            fn given_key(&self) -> Option<String> {
                self.kms_key_arn.clone().into_known()
            }
        }

        impl $crate::resources::datastore::StoreState for $State {
            fn deletion_protection(&self) -> bool {
                self.deletion_protection
            }
            fn environment(&self) -> &str {
                &self.environment
            }
            fn start_progress(
                &self,
                prior: &$State,
                env: $crate::provider::profile::Environment,
                timeouts: &$crate::framework::Value,
                given: Option<&String>,
            ) -> $State {
                let mut progress = self.clone();
                progress.environment = env.as_str().to_string();
                progress.components = prior.components.clone();
                progress.tags_all = prior.tags_all.clone();
                progress.timeouts = timeouts.clone();
                if given.is_none() {
                    progress.kms_key_arn = prior
                        .kms_key_arn
                        .clone()
                        .filter(|_| prior.components.contains_key("kms_key"));
                }
                progress
            }
        }
    };
}
