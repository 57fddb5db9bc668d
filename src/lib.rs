//! terraform-provider-prod: a Terraform provider (plugin protocol 6) that turns production
//! deployment guides into hardened AWS resources.
//!
//! Layers, from the wire inward: `plugin` (handshake, TLS, gRPC server), `tfplugin` (protocol ↔
//! framework), `framework` (values, schemas, diagnostics, the resource trait), `provider` (the
//! provider block, profiles, AWS clients), `resources` (one folder per `prod_*` resource).

pub mod docs;
pub mod framework;
pub mod logging;
pub mod plugin;
pub mod provider;
pub mod resources;
pub mod tfplugin;
