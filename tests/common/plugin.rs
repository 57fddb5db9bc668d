//! Starts the built provider binary as Terraform does (magic cookie, protocol versions, a P-521 CA
//! client certificate in PLUGIN_CLIENT_CERT), reads the handshake line, and connects over mTLS.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use hyper_util::rt::TokioIo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::UnixStream;
use tokio::process::{Child, Command};
use tonic::transport::{Channel, Endpoint};

pub const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// A client certificate shaped like Terraform's: ECDSA P-521, self-signed, CA:TRUE, SAN localhost.
pub struct ClientCert {
    pub pem: String,
    pub der: Vec<u8>,
    pub key_der: Vec<u8>,
}

pub fn terraform_like_client_cert() -> ClientCert {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "HashiCorp");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let cert = params.self_signed(&key).unwrap();
    ClientCert {
        pem: cert.pem(),
        der: cert.der().to_vec(),
        key_der: key.serialize_der(),
    }
}

pub struct Plugin {
    pub child: Child,
    pub socket: String,
    pub server_cert: Vec<u8>,
    pub client: ClientCert,
}

/// Terraform trusts exactly the certificate of the handshake line; so does this client.
#[derive(Debug)]
struct PinnedServer(Vec<u8>, rustls::crypto::WebPkiSupportedAlgorithms);

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _i: &[CertificateDer<'_>],
        _n: &ServerName<'_>,
        _o: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.0.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "server certificate is not the one from the handshake".into(),
            ))
        }
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(m, c, d, &self.1)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(m, c, d, &self.1)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.1.supported_schemes()
    }
}

pub fn command(envs: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_terraform-provider-prod"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TMPDIR", std::env::temp_dir())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd
}

impl Plugin {
    pub async fn start() -> Plugin {
        Self::start_with(&[]).await
    }

    pub async fn start_with(extra_env: &[(&str, &str)]) -> Plugin {
        let client = terraform_like_client_cert();
        let mut env = vec![
            ("TF_PLUGIN_MAGIC_COOKIE", COOKIE),
            ("PLUGIN_PROTOCOL_VERSIONS", "5,6"),
            ("PLUGIN_MIN_PORT", "10000"),
            ("PLUGIN_MAX_PORT", "25000"),
            ("PLUGIN_CLIENT_CERT", client.pem.as_str()),
        ];
        env.extend_from_slice(extra_env);
        let mut child = command(&env).spawn().expect("start provider");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        tokio::time::timeout(
            Duration::from_secs(10),
            BufReader::new(stdout).read_line(&mut line),
        )
        .await
        .expect("handshake line within 10 s")
        .unwrap();
        let parts: Vec<&str> = line.trim_end().split('|').collect();
        assert_eq!(parts.len(), 6, "handshake line {line:?}");
        assert_eq!(&parts[..3], &["1", "6", "unix"]);
        assert_eq!(parts[4], "grpc");
        assert!(
            !parts[5].ends_with('='),
            "certificate must be unpadded base64"
        );
        let server_cert = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(parts[5])
            .expect("base64 certificate");
        Plugin {
            child,
            socket: parts[3].to_string(),
            server_cert,
            client,
        }
    }

    /// A channel authenticated with `cert` (None: no client certificate at all).
    pub async fn channel_with(
        &self,
        cert: Option<&ClientCert>,
    ) -> Result<Channel, tonic::transport::Error> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let algs = provider.signature_verification_algorithms;
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(PinnedServer(
                self.server_cert.clone(),
                algs,
            )));
        let mut config = match cert {
            Some(c) => builder
                .with_client_auth_cert(
                    vec![CertificateDer::from(c.der.clone())],
                    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(c.key_der.clone())),
                )
                .unwrap(),
            None => builder.with_no_client_auth(),
        };
        config.alpn_protocols = vec![b"h2".to_vec()];
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let socket = self.socket.clone();
        Endpoint::try_from("http://localhost")?
            .connect_with_connector(tower::service_fn(move |_| {
                let connector = connector.clone();
                let socket = socket.clone();
                async move {
                    let stream = UnixStream::connect(socket).await?;
                    let name = ServerName::try_from("localhost").map_err(std::io::Error::other)?;
                    let tls = connector.connect(name, stream).await?;
                    Ok::<_, std::io::Error>(TokioIo::new(tls))
                }
            }))
            .await
    }

    pub async fn channel(&self) -> Channel {
        self.channel_with(Some(&self.client))
            .await
            .expect("mTLS connection")
    }
}
