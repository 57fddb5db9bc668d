//! The local AWS and the provider mirror the end-to-end tests share: started once per test binary
//! through the project's own scripts.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `AWS_ENDPOINT_URL` of the local AWS: the environment's, or one `scripts/local-aws start` gives.
pub fn endpoint() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(u) = std::env::var("AWS_ENDPOINT_URL") {
            return u;
        }
        let out = Command::new(repo().join("scripts/local-aws"))
            .arg("start")
            .output()
            .expect("run scripts/local-aws");
        assert!(
            out.status.success(),
            "scripts/local-aws start failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        text.lines()
            .find_map(|l| l.strip_prefix("AWS_ENDPOINT_URL=").map(str::to_string))
            .expect("scripts/local-aws prints AWS_ENDPOINT_URL")
    })
}

/// The Terraform CLI config of a mirror holding the freshly built provider.
pub fn cli_config() -> &'static Path {
    static CFG: OnceLock<PathBuf> = OnceLock::new();
    CFG.get_or_init(|| {
        let mirror = std::env::temp_dir().join(format!("prod-e2e-mirror-{}", std::process::id()));
        let out = Command::new(repo().join("scripts/install-provider"))
            .args([
                "--mirror",
                mirror.to_str().unwrap(),
                "--binary",
                env!("CARGO_BIN_EXE_terraform-provider-prod"),
            ])
            .output()
            .expect("run scripts/install-provider");
        assert!(
            out.status.success(),
            "install-provider failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        mirror.join("terraformrc")
    })
}

pub fn terraform_available() {
    let ok = Command::new("terraform")
        .arg("version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        ok,
        "the end-to-end tests need `terraform` (1.11) on the PATH"
    );
}

pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint())
        .credentials_provider(aws_sdk_sns::config::Credentials::new(
            "test", "test", None, None, "e2e",
        ))
        .load()
        .await
}

/// A name no other test run uses, so tests share one local AWS without resets.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}-{:x}{:x}",
        std::process::id() % 0xffff,
        nanos % 0xfffff
    )
}
