//! The boundary between Terraform's protocol (prost types) and the framework: one handler per RPC in
//! `service.rs`, pure conversions in `convert.rs`. Nothing outside this module sees prost types.

pub mod convert;
pub mod service;

pub use service::ProviderService;

#[allow(clippy::all, clippy::unwrap_used, clippy::expect_used)]
pub mod proto {
    tonic::include_proto!("tfplugin6");
}
