//! The configured provider's AWS side: one SDK configuration, per-service clients with endpoint
//! overrides, cancellation by StopProvider, and the account id (looked up once, when needed).

use std::collections::BTreeMap;
use std::future::Future;

use aws_sdk_sts::config::ProvideCredentials;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::{tls, ConnectorBuilder};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::sdk_config::SharedHttpClient;
use std::sync::{Arc, OnceLock, PoisonError};

use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;

use super::config::ProviderConfig;
use super::error::AwsError;
use super::profile::{Environment, LogRetention, TierDefaults};

pub struct ProviderData {
    pub region: String,
    pub environment: Environment,
    pub default_tags: BTreeMap<String, String>,
    /// The provider block's `log_retention` (`log_tiers` sets them over a profile's).
    pub log_retention: TierDefaults,
    sdk: aws_types::SdkConfig,
    endpoints: BTreeMap<String, String>,
    clients: Clients,
    stop: CancellationToken,
    account_id: OnceCell<String>,
    /// The same configuration in other regions (`in_region`), made on first use.
    elsewhere: std::sync::Mutex<BTreeMap<String, Arc<ProviderData>>>,
}

/// One client per service, made on first use: a plan that touches two services does not pay (in
/// start-up time and resident code pages) for the other ten.
#[derive(Default)]
struct Clients {
    sns: OnceLock<aws_sdk_sns::Client>,
    kms: OnceLock<aws_sdk_kms::Client>,
    cloudwatch: OnceLock<aws_sdk_cloudwatch::Client>,
    ec2: OnceLock<aws_sdk_ec2::Client>,
    iam: OnceLock<aws_sdk_iam::Client>,
    logs: OnceLock<aws_sdk_cloudwatchlogs::Client>,
    autoscaling: OnceLock<aws_sdk_autoscaling::Client>,
    elbv2: OnceLock<aws_sdk_elasticloadbalancingv2::Client>,
    rds: OnceLock<aws_sdk_rds::Client>,
    elasticache: OnceLock<aws_sdk_elasticache::Client>,
    secretsmanager: OnceLock<aws_sdk_secretsmanager::Client>,
    wafv2: OnceLock<aws_sdk_wafv2::Client>,
    s3: OnceLock<aws_sdk_s3::Client>,
    sts: OnceLock<aws_sdk_sts::Client>,
    backup: OnceLock<aws_sdk_backup::Client>,
}

/// The accessor of one lazily made client, with the provider block's endpoint for it (which wins
/// over `AWS_ENDPOINT_URL*`).
macro_rules! client {
    ($name:ident, $krate:ident, $key:literal) => {
        pub fn $name(&self) -> &$krate::Client {
            self.clients.$name.get_or_init(|| {
                let mut b = $krate::config::Builder::from(&self.sdk);
                if let Some(url) = self.endpoints.get($key) {
                    b = b.endpoint_url(url);
                }
                $krate::Client::from_conf(b.build())
            })
        }
    };
}

/// One HTTPS client for the credential providers and every service client, so that a process
/// builds one TLS configuration (the system's root certificates, ~100 KB) and keeps one connection
/// pool, instead of one per service client at its first call. Its settings are the SDK's default
/// client's: rustls with AWS-LC, the proxy from the environment, each client's own timeouts.
fn shared_https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new().build_with_connector_fn(|settings, components| {
        let mut b = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ));
        b.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            b.set_sleep_impl(components.sleep_impl());
        }
        b.set_proxy_config(Some(ProxyConfig::from_env()));
        b.build()
    })
}

impl ProviderData {
    client!(sns, aws_sdk_sns, "sns");
    client!(kms, aws_sdk_kms, "kms");
    client!(cloudwatch, aws_sdk_cloudwatch, "cloudwatch");
    client!(ec2, aws_sdk_ec2, "ec2");
    client!(iam, aws_sdk_iam, "iam");
    client!(logs, aws_sdk_cloudwatchlogs, "logs");
    client!(autoscaling, aws_sdk_autoscaling, "autoscaling");
    client!(elbv2, aws_sdk_elasticloadbalancingv2, "elbv2");
    client!(rds, aws_sdk_rds, "rds");
    client!(elasticache, aws_sdk_elasticache, "elasticache");
    client!(secretsmanager, aws_sdk_secretsmanager, "secretsmanager");
    client!(wafv2, aws_sdk_wafv2, "wafv2");
    client!(sts, aws_sdk_sts, "sts");
    client!(backup, aws_sdk_backup, "backup");

    /// The S3 client. A local or private endpoint (the provider block's, `AWS_ENDPOINT_URL` or
    /// `AWS_ENDPOINT_URL_S3`) gets path-style addressing: virtual-hosted names
    /// (`<bucket>.<endpoint host>`) resolve only on AWS's own endpoints.
    pub fn s3(&self) -> &aws_sdk_s3::Client {
        self.clients.s3.get_or_init(|| {
            let mut b = aws_sdk_s3::config::Builder::from(&self.sdk);
            let given = self.endpoints.get("s3");
            if let Some(url) = given {
                b = b.endpoint_url(url);
            }
            let overridden = given.is_some()
                || self.sdk.endpoint_url().is_some()
                || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
            b = b.force_path_style(overridden);
            aws_sdk_s3::Client::from_conf(b.build())
        })
    }

    pub async fn load(
        cfg: &ProviderConfig,
        stop: CancellationToken,
    ) -> Result<ProviderData, String> {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(shared_https_client())
            .retry_config(super::retry::sdk_retry())
            .timeout_config(super::retry::sdk_timeouts());
        if let Some(r) = &cfg.region {
            loader = loader.region(aws_config::Region::new(r.clone()));
        }
        if let Some(p) = &cfg.profile {
            loader = loader.profile_name(p);
        }
        let sdk = loader.load().await;
        let region = sdk.region().map(|r| r.to_string()).ok_or_else(|| {
            "No AWS region is set: set `region` in the provider block, or AWS_REGION.".to_string()
        })?;
        Ok(ProviderData {
            region,
            environment: cfg.environment.unwrap_or(Environment::Production),
            default_tags: cfg.default_tags.clone(),
            log_retention: cfg.log_retention,
            sdk,
            endpoints: cfg.endpoints.clone(),
            clients: Clients::default(),
            stop,
            account_id: OnceCell::new(),
            elsewhere: std::sync::Mutex::default(),
        })
    }

    /// The provider's configuration in `region` (a second region's backups): the same
    /// credentials, endpoints (the provider block's and `AWS_ENDPOINT_URL*`), retries, StopProvider
    /// and account, with clients that sign for and call `region`. Made once per region.
    pub fn in_region(&self, region: &str) -> Arc<ProviderData> {
        let mut made = self
            .elsewhere
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        made.entry(region.to_string())
            .or_insert_with(|| {
                let account_id = OnceCell::new();
                if let Some(a) = self.account_id.get() {
                    let _ = account_id.set(a.clone());
                }
                Arc::new(ProviderData {
                    region: region.to_string(),
                    environment: self.environment,
                    default_tags: self.default_tags.clone(),
                    log_retention: self.log_retention,
                    sdk: self
                        .sdk
                        .to_builder()
                        .region(aws_config::Region::new(region.to_string()))
                        .build(),
                    endpoints: self.endpoints.clone(),
                    clients: Clients::default(),
                    stop: self.stop.clone(),
                    account_id,
                    elsewhere: std::sync::Mutex::default(),
                })
            })
            .clone()
    }

    /// The log retention tiers `env`'s resources keep by default: the profile's, with the provider
    /// block's `log_retention` over them (a resource's own block goes over these).
    pub fn log_tiers(&self, env: Environment) -> LogRetention {
        self.log_retention.tiers(env)
    }

    /// Runs one AWS call for `component`, ending early with `Stopped` when Terraform sends
    /// StopProvider.
    pub async fn call<T, E, F>(&self, component: &str, fut: F) -> Result<T, AwsError>
    where
        F: Future<Output = Result<T, E>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        tracing::debug!(component, "AWS call");
        tokio::select! {
            biased;
            _ = self.stop.cancelled() => Err(AwsError::Stopped { component: component.to_string() }),
            res = fut => res.map_err(|e| {
                let err = AwsError::api(component, e);
                tracing::debug!(component, error = %err, "AWS call failed");
                err
            }),
        }
    }

    /// Runs one AWS call for `component` that StopProvider does not cut short: the one call that
    /// leaves AWS in one piece after a stop (e.g. rolling back a rollout half way).
    pub async fn call_through_stop<T, E, F>(&self, component: &str, fut: F) -> Result<T, AwsError>
    where
        F: Future<Output = Result<T, E>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        tracing::debug!(component, "AWS call (through a stop)");
        fut.await.map_err(|e| AwsError::api(component, e))
    }

    /// Cancelled by StopProvider: waits select on it.
    pub fn stop_token(&self) -> &CancellationToken {
        &self.stop
    }

    /// Checked once, when Terraform configures the provider, so that missing or refused credentials
    /// are one diagnostic there rather than one per resource: the standard chain must find
    /// credentials, and STS must accept them (its answer is the account id every ARN needs, kept
    /// for the process). An STS that does not answer within [`IDENTITY_WAIT`] is left to the
    /// resources' own calls, which name their component and honour StopProvider. `Err` is the
    /// diagnostic's summary and detail.
    pub async fn check_identity(
        &self,
        profile: Option<&str>,
    ) -> Result<(), (&'static str, String)> {
        let found = match self.sdk.credentials_provider() {
            Some(p) => p
                .provide_credentials()
                .await
                .map(|_| ())
                .map_err(|e| super::error::plain_message(&e)),
            None => Err("no credentials provider is configured".to_string()),
        };
        if let Err(why) = found {
            return Err((
                "No valid credential sources found",
                no_credentials(profile, &why),
            ));
        }
        match tokio::time::timeout(IDENTITY_WAIT, self.account_id()).await {
            Ok(Err(e)) if e.is_credentials() => Err(("Invalid AWS credentials", format!(
                "AWS refused the credentials the provider found: {e}. Check that the access key is active and its secret (and session token, if any) belong to it, refresh expired session credentials (e.g. `aws sso login`), or choose other credentials with `profile` in the provider block or AWS_PROFILE."
            ))),
            _ => Ok(()),
        }
    }

    /// The caller's account id (STS GetCallerIdentity, once per process).
    pub async fn account_id(&self) -> Result<&str, AwsError> {
        self.account_id
            .get_or_try_init(|| async {
                let out = self
                    .call(
                        "sts caller identity",
                        self.sts().get_caller_identity().send(),
                    )
                    .await?;
                out.account.ok_or_else(|| AwsError::Invalid {
                    component: "sts caller identity".into(),
                    message: "STS returned no account id".into(),
                })
            })
            .await
            .map(String::as_str)
    }

    /// Region and account, for ARNs known before AWS answers.
    pub async fn place(&self) -> Result<Place, AwsError> {
        Ok(Place {
            region: self.region.clone(),
            account: self.account_id().await?.to_string(),
        })
    }

    /// `arn:aws:<service>:<region>:<account>:<resource>` in the region's partition.
    pub fn arn(&self, service: &str, account: &str, resource: &str) -> String {
        format!(
            "arn:{}:{service}:{}:{account}:{resource}",
            partition(&self.region),
            self.region
        )
    }
}

/// How long provider configuration waits for STS to confirm the credentials.
pub const IDENTITY_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// The detail of "No valid credential sources found": what the standard chain tried, and the fix.
fn no_credentials(profile: Option<&str>, why: &str) -> String {
    let profile = profile
        .map(|p| format!(" (profile \"{p}\")"))
        .unwrap_or_default();
    format!(
        "The provider looked for AWS credentials in, in order: the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, with AWS_SESSION_TOKEN), the shared config and credentials files{profile} (~/.aws/config, ~/.aws/credentials: static keys, SSO, assumed roles, credential_process), a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN), the ECS container endpoint and the EC2 instance metadata service; none gave credentials ({why}). Set one of them, e.g. export AWS_PROFILE=<name> (and run `aws sso login` for SSO profiles), or set `profile` in the provider block."
    )
}

/// The region of an ARN (`arn:<partition>:<service>:<region>:…`); `None` where it has none (IAM's).
pub fn arn_region(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}

pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// Where a resource's objects live: region and account, for ARNs known before AWS answers.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub region: String,
    pub account: String,
}

impl Place {
    pub fn arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:{}:{service}:{}:{}:{resource}",
            partition(&self.region),
            self.region,
            self.account
        )
    }
    /// The ARN of CloudWatch Logs group `name` (how the resources record theirs and how key
    /// policies name them).
    pub fn log_group_arn(&self, name: &str) -> String {
        self.arn("logs", &format!("log-group:{name}"))
    }
    /// IAM ARNs have no region.
    pub fn iam_arn(&self, resource: &str) -> String {
        format!(
            "arn:{}:iam::{}:{resource}",
            partition(&self.region),
            self.account
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn service_clients_are_given_the_one_shared_https_client() -> Result<(), String> {
        let cfg = ProviderConfig {
            region: Some("eu-west-1".into()),
            ..ProviderConfig::default()
        };
        let data = ProviderData::load(&cfg, CancellationToken::new()).await?;
        assert!(data.sdk.http_client().is_some());
        // A client without one in its configuration would make its own at its first call.
        assert!(data.sns().config().http_client().is_some());
        assert!(data.kms().config().http_client().is_some());
        assert!(data.cloudwatch().config().http_client().is_some());
        Ok(())
    }
}
