//! Serving: a unix socket in a private temporary directory, TLS per connection (or plaintext in
//! debug mode), tonic with Terraform's message limits, exit on `Shutdown`.

use std::io::Write;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, Notify};
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::server::Connected;

use super::controller::{Controller, Stdio};
use super::handshake;
use super::proto::grpc_controller_server::GrpcControllerServer;
use super::proto::grpc_stdio_server::GrpcStdioServer;
use super::tls;
use crate::tfplugin::proto::provider_server::ProviderServer;
use crate::tfplugin::ProviderService;

/// Terraform's client accepts messages up to MaxInt32; tonic's 4 MiB default is too small for large
/// states. 256 MiB is what terraform-plugin-go uses.
const MAX_MESSAGE_SIZE: usize = 256 << 20;
/// Lets the Shutdown reply reach Terraform before the process exits.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(20);
/// The provider's full source address, for the reattach line.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/hardened/prod";

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Handshake(#[from] handshake::HandshakeError),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("creating the plugin socket: {0}")]
    Io(#[from] std::io::Error),
    #[error("gRPC server: {0}")]
    Transport(#[from] tonic::transport::Error),
}

pub enum Mode {
    /// Started by Terraform: handshake on stdout, AutoMTLS when Terraform asks for it.
    Managed,
    /// `--debug`: plaintext, prints `TF_REATTACH_PROVIDERS`, runs until interrupted.
    Debug,
}

/// A TLS connection over the unix socket, as tonic wants it.
struct Conn<S>(S);

impl<S: AsyncRead + Unpin> AsyncRead for Conn<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Conn<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}

impl<S> Connected for Conn<S> {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

type BoxedIo = Box<dyn AsyncReadWrite>;
trait AsyncReadWrite: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> AsyncReadWrite for T {}

fn socket_dir() -> Result<tempfile::TempDir, std::io::Error> {
    let base = std::env::var_os("PLUGIN_UNIX_SOCKET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    tempfile::Builder::new().prefix("plugin").tempdir_in(base)
}

/// Accepts connections, wraps them in TLS when configured, and feeds them to tonic. A client that
/// fails the TLS handshake (no certificate, another certificate) is dropped here.
fn accept_loop(
    listener: UnixListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
) -> ReceiverStream<std::io::Result<Conn<BoxedIo>>> {
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let stream: UnixStream = match listener.accept().await {
                Ok((s, _)) => s,
                Err(e) => {
                    tracing::error!(error = %e, "accepting a connection failed");
                    continue;
                }
            };
            let tx = tx.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                let io: BoxedIo = match tls {
                    None => Box::new(stream),
                    Some(acceptor) => match acceptor.accept(stream).await {
                        Ok(s) => Box::new(s),
                        Err(e) => {
                            tracing::warn!(error = %e, "refused a connection that failed mutual TLS");
                            return;
                        }
                    },
                };
                let _closed = tx.send(Ok(Conn(io))).await;
            });
        }
    });
    ReceiverStream::new(rx)
}

pub async fn serve(mode: Mode) -> Result<(), ServeError> {
    let debug = matches!(mode, Mode::Debug);
    if !debug {
        handshake::negotiate(std::env::var("PLUGIN_PROTOCOL_VERSIONS").ok().as_deref())?;
    }
    let client_cert = if debug {
        None
    } else {
        std::env::var("PLUGIN_CLIENT_CERT")
            .ok()
            .filter(|c| !c.is_empty())
    };
    let server_tls = client_cert.as_deref().map(tls::server_tls).transpose()?;

    let dir = socket_dir()?;
    let socket = dir.path().join("plugin.sock");
    let listener = UnixListener::bind(&socket)?;
    let socket_str = socket.to_string_lossy().to_string();

    let shutdown = Arc::new(Notify::new());
    let service = ProviderService::new(crate::resources::all(), crate::resources::ephemeral());
    let (mut health_reporter, health) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;

    let incoming = accept_loop(
        listener,
        server_tls
            .as_ref()
            .map(|t| tokio_rustls::TlsAcceptor::from(t.config.clone())),
    );
    let router = tonic::transport::Server::builder()
        .add_service(
            ProviderServer::new(service)
                .max_decoding_message_size(MAX_MESSAGE_SIZE)
                .max_encoding_message_size(MAX_MESSAGE_SIZE),
        )
        .add_service(GrpcControllerServer::new(Controller {
            shutdown: shutdown.clone(),
            honour_shutdown: !debug,
        }))
        .add_service(GrpcStdioServer::new(Stdio))
        .add_service(health);
    let server = router.serve_with_incoming(incoming);

    announce(
        debug,
        &socket_str,
        server_tls.as_ref().map(|t| t.cert_der.as_slice()),
    )?;

    tokio::select! {
        res = server => res?,
        _ = shutdown.notified() => {
            tokio::time::sleep(SHUTDOWN_GRACE).await;
            tracing::debug!("shutting down");
        }
        _ = debug_interrupt(debug) => {}
    }
    drop(dir);
    Ok(())
}

/// Tells Terraform where to connect: the reattach line for a person in debug mode, else the
/// go-plugin handshake line on stdout (with the interrupt ignored: Terraform stops us through
/// StopProvider, as go-plugin does).
fn announce(debug: bool, socket: &str, cert_der: Option<&[u8]>) -> Result<(), ServeError> {
    if debug {
        let reattach = handshake::reattach_json(PROVIDER_ADDRESS, std::process::id(), socket);
        println!(
            "Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment variable:\n\n\
             \tTF_REATTACH_PROVIDERS='{reattach}'\n\nPress Ctrl-C to stop."
        );
        return Ok(());
    }
    // Terraform sends the interrupt to the whole process group; cancellation arrives as
    // StopProvider, so the signal itself is ignored.
    tokio::spawn(async {
        loop {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            tracing::debug!("ignoring interrupt; waiting for StopProvider");
        }
    });
    let line = handshake::handshake_line(socket, cert_der);
    let mut out = std::io::stdout().lock();
    out.write_all(line.as_bytes())?;
    out.flush()?;
    Ok(())
}

async fn debug_interrupt(debug: bool) {
    if debug {
        let _interrupted = tokio::signal::ctrl_c().await;
    } else {
        futures::future::pending::<()>().await
    }
}
