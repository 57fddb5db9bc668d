//! The resources the provider serves, registered in one list.

pub mod alerting;

use std::sync::Arc;

use crate::framework::resource::Resource;
use crate::provider::ProviderData;

pub fn all() -> Vec<Arc<dyn Resource<ProviderData>>> {
    vec![Arc::new(alerting::Alerting::new())]
}
