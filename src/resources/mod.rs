//! The resources the provider serves, registered in one list.

pub mod alerting;
pub mod checks;
pub mod cluster;
pub mod concurrent;
pub mod credentials;
pub mod database;
pub mod datastore;
pub mod lifecycle;
pub mod log_retention;
pub mod network;
pub mod redis;
pub mod restore_drill;

use std::sync::Arc;

use crate::framework::resource::{Ephemeral, Resource};
use crate::provider::ProviderData;
use lifecycle::Adapter;

/// Every resource, each a [`Lifecycle`] served through the one [`Adapter`].
pub fn all() -> Vec<Arc<dyn Resource<ProviderData>>> {
    vec![
        Arc::new(Adapter::<alerting::Life>::new()),
        Arc::new(Adapter::<cluster::Life>::new()),
        Arc::new(Adapter::<database::Life>::new()),
        Arc::new(Adapter::<network::Life>::new()),
        Arc::new(Adapter::<redis::Life>::new()),
        Arc::new(Adapter::<restore_drill::Life>::new()),
    ]
}

/// Every ephemeral resource.
pub fn ephemeral() -> Vec<Arc<dyn Ephemeral<ProviderData>>> {
    credentials::all()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_schema_passes_terraforms_internal_validation() {
        for r in super::all() {
            let problems = r.schema().block.internal_problems("");
            assert!(problems.is_empty(), "{}: {problems:?}", r.type_name());
        }
        let provider = crate::provider::config::schema();
        assert!(provider.block.internal_problems("").is_empty());
    }
}
