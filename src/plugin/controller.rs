//! go-plugin's side services: the controller (Terraform's `Shutdown`) and stdio forwarding.

use std::pin::Pin;
use std::sync::Arc;

use futures::Stream;
use tokio::sync::Notify;
use tonic::{Request, Response, Status};

use super::proto::grpc_controller_server::GrpcController;
use super::proto::grpc_stdio_server::GrpcStdio;
use super::proto::{Empty, StdioData};

/// Answers `Shutdown` and wakes the server loop, which exits the process.
pub struct Controller {
    pub shutdown: Arc<Notify>,
    /// In debug (reattach) mode one process serves many Terraform runs: Shutdown is then ignored.
    pub honour_shutdown: bool,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _req: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("controller: shutdown requested");
        if self.honour_shutdown {
            self.shutdown.notify_one();
        }
        Ok(Response::new(Empty {}))
    }
}

/// We write logs to stderr directly (Terraform reads the pipe), so the stdio stream stays open and
/// carries nothing; Terraform only needs it to exist.
pub struct Stdio;

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    type StreamStdioStream =
        Pin<Box<dyn Stream<Item = Result<StdioData, Status>> + Send + 'static>>;

    async fn stream_stdio(
        &self,
        _req: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(Box::pin(futures::stream::pending())))
    }
}
