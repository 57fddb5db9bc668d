//! The plugin process: the go-plugin handshake, AutoMTLS, and the gRPC server with Terraform's
//! provider service plus go-plugin's controller, stdio and health services.

pub mod controller;
pub mod handshake;
pub mod server;
pub mod tls;

#[allow(clippy::all, clippy::unwrap_used, clippy::expect_used)]
pub mod proto {
    tonic::include_proto!("plugin");
}
