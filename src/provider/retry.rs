//! The retry policy, in one place.
//!
//! 1. **Every AWS call** goes through the SDK's *standard* retry mode with [`MAX_ATTEMPTS`] attempts:
//!    throttling (`Throttling`, `ThrottlingException`, `RequestLimitExceeded`, …), 5xx answers,
//!    timeouts and I/O errors are retried with exponential backoff and full jitter, starting at
//!    [`INITIAL_BACKOFF`] and capped at [`MAX_BACKOFF`]. Each attempt is cut off after
//!    [`ATTEMPT_TIMEOUT`]. Client errors (4xx other than throttling) are never retried by the SDK.
//! 2. **Objects just made** (eventual consistency): a call naming an object created moments ago may
//!    be told it does not exist (a new security group, IAM role or instance profile), or that a new
//!    role handed to a service cannot be assumed yet (flow logs, RDS monitoring). Such calls run
//!    through [`settle`], which retries the "does not exist" family for up to
//!    [`PROPAGATION_LIMIT`] before reporting it.
//! 3. **Objects still in use** while AWS lets go of them (a target group after its load balancer, a
//!    security group after its network interfaces): [`while_in_use`] retries `DependencyViolation`
//!    and `ResourceInUse` until the resource's `timeouts` limit.
//!
//! Waits for an object to reach a state (available, deleted) are not retries: see
//! `framework::wait` (backoff capped at 30 s, the `timeouts` block, StopProvider).

use std::future::Future;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;

use super::error::AwsError;
use super::ProviderData;
use crate::framework::wait::{wait_until, Backoff, WaitError, MAX_POLL_INTERVAL};

/// Attempts per AWS call (the first and 9 retries): at a 20 % throttling rate the chance that one
/// call fails them all is 0.2^10 ≈ 1e-7.
pub const MAX_ATTEMPTS: u32 = 10;
pub const INITIAL_BACKOFF: Duration = Duration::from_millis(500);
pub const MAX_BACKOFF: Duration = Duration::from_secs(20);
/// One HTTP attempt; the slowest AWS API call the provider makes answers in a few seconds.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a just-made object may stay invisible to other calls (IAM takes seconds; AWS documents
/// no bound, terraform-provider-aws allows 2 minutes).
pub const PROPAGATION_LIMIT: Duration = Duration::from_secs(120);

/// The SDK's retry configuration for every client.
pub fn sdk_retry() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_initial_backoff(INITIAL_BACKOFF)
        .with_max_backoff(MAX_BACKOFF)
}

/// The SDK's timeouts for every client.
pub fn sdk_timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(10))
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .build()
}

/// Is `e` what a just-made object's name gets before AWS has spread it?
pub fn is_propagating(e: &AwsError) -> bool {
    if e.is_not_found() {
        return true;
    }
    // EC2 names an instance profile it cannot see yet in an InvalidParameterValue; a service handed a
    // role it cannot assume yet says so in an InvalidParameter(Value): flow logs "Unable to assume
    // given IAM role", RDS "IAM role ARN value is invalid or does not include the required
    // permissions for: ENHANCED_MONITORING".
    matches!(e, AwsError::Api { code, message, .. }
    if (code == "InvalidParameterValue" || code == "InvalidParameter") && {
        let m = message.to_ascii_lowercase();
        m.contains("instance profile")
            || m.contains("instanceprofile")
            || m.contains("unable to assume given iam role")
            || m.contains("iam role arn value is invalid")
    })
}

/// Runs `op`, a call naming objects made moments ago, retrying while AWS says they do not exist
/// (rule 2), for up to [`PROPAGATION_LIMIT`].
pub async fn settle<T, F, Fut>(ctx: &ProviderData, what: &str, op: F) -> Result<T, AwsError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    until(
        ctx,
        what,
        PROPAGATION_LIMIT,
        Duration::from_millis(500),
        is_propagating,
        op,
    )
    .await
}

/// Runs `op` until it succeeds, retrying while the object is still in use (rule 3), within `limit`.
pub async fn while_in_use<T, F, Fut>(
    ctx: &ProviderData,
    what: &str,
    limit: Duration,
    op: F,
) -> Result<T, AwsError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    until(ctx, what, limit, Duration::from_secs(5), is_in_use, op).await
}

pub fn is_in_use(e: &AwsError) -> bool {
    matches!(e.code(), Some("DependencyViolation" | "ResourceInUse"))
}

/// Runs `op` until it succeeds or fails with an error `retryable` refuses, backing off from `first`
/// (capped at 30 s), within `limit`, and ended by StopProvider.
pub async fn until<T, F, Fut>(
    ctx: &ProviderData,
    what: &str,
    limit: Duration,
    first: Duration,
    retryable: fn(&AwsError) -> bool,
    op: F,
) -> Result<T, AwsError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    let last: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    let r = wait_until(
        what,
        ctx.stop_token(),
        limit,
        Backoff::doubling(first, MAX_POLL_INTERVAL),
        || {
            let fut = op();
            let last = &last;
            async move {
                match fut.await {
                    Ok(v) => Ok(Some(v)),
                    Err(e) if retryable(&e) => {
                        tracing::info!(what, error = %e, "not settled yet; retrying");
                        if let Ok(mut l) = last.lock() {
                            *l = Some(e.to_string());
                        }
                        Ok(None)
                    }
                    Err(e) => Err(e),
                }
            }
        },
    )
    .await;
    match r {
        Ok(v) => Ok(v),
        Err(WaitError::Failed(e)) => Err(e),
        Err(WaitError::Stopped { .. }) => Err(AwsError::Stopped {
            component: what.to_string(),
        }),
        Err(other) => Err(AwsError::Invalid {
            component: what.to_string(),
            message: match last.into_inner().ok().flatten() {
                Some(l) => format!("{other}; last error: {l}"),
                None => other.to_string(),
            },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: &str, message: &str) -> AwsError {
        AwsError::Api {
            component: "c".into(),
            code: code.into(),
            message: message.into(),
        }
    }

    #[test]
    fn propagation_errors() {
        assert!(is_propagating(&api("InvalidGroup.NotFound", "")));
        assert!(is_propagating(&api("NoSuchEntity", "")));
        assert!(is_propagating(&api(
            "InvalidParameterValue",
            "Value (x) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name"
        )));
        assert!(is_propagating(&api(
            "InvalidParameter",
            "Unable to assume given IAM role: 'arn:aws:iam::1:role/r'"
        )));
        assert!(is_propagating(&api(
            "InvalidParameterValue",
            "IAM role ARN value is invalid or does not include the required permissions for: ENHANCED_MONITORING"
        )));
        assert!(!is_propagating(&api("InvalidParameterValue", "bad CIDR")));
        assert!(!is_propagating(&api("Throttling", "")));
        assert!(is_in_use(&api("DependencyViolation", "")));
        assert!(!is_in_use(&api("InvalidGroup.NotFound", "")));
    }

    #[test]
    fn sdk_policy() {
        // The figures the README and the backoff contract promise, written out: a change to the
        // constants must change this test too.
        let r = sdk_retry();
        assert_eq!(r.max_attempts(), 10);
        assert_eq!(r.initial_backoff(), Duration::from_millis(500));
        assert_eq!(
            r.max_backoff(),
            Duration::from_secs(20),
            "backoff capped (contract: ≤ 30 s)"
        );
        assert!(r.max_backoff() <= Duration::from_secs(30));
        let t = sdk_timeouts();
        assert_eq!(t.operation_attempt_timeout(), Some(Duration::from_secs(60)));
        assert_eq!(t.connect_timeout(), Some(Duration::from_secs(10)));
    }
}
