//! Shared helpers for the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod env;
pub mod examples;
pub mod faults;
pub mod plugin;
pub mod sweep;
pub mod tf;

pub mod proto {
    #![allow(clippy::all, unused_imports)]
    pub use terraform_provider_prod::plugin::proto as go_plugin;
    pub use terraform_provider_prod::tfplugin::proto as tf;
}
