//! AWS errors with the component they concern, the AWS error code, and a hint; turned into a
//! diagnostic once, at the resource boundary.

use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::framework::Diagnostic;

#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error("{component}: AWS error {code}: {message}")]
    Api {
        component: String,
        code: String,
        message: String,
    },
    #[error("{component}: Terraform asked the provider to stop; the operation was cancelled")]
    Stopped { component: String },
    #[error("{component}: {message}")]
    Invalid { component: String, message: String },
    /// Refused by the provider before any AWS call, for a reason the message gives with its fix.
    #[error("{component}: {message}")]
    Refused { component: String, message: String },
}

impl AwsError {
    /// A wait's error as an AWS error: a call that failed as it was; a timeout or a stop as
    /// `component`'s (the wait says what it waited for).
    pub fn from_wait(component: &str, e: crate::framework::wait::WaitError<AwsError>) -> AwsError {
        match e {
            crate::framework::wait::WaitError::Failed(e) => e,
            other => AwsError::Invalid {
                component: component.to_string(),
                message: other.to_string(),
            },
        }
    }
    pub fn api<E>(component: &str, e: E) -> AwsError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        match e.code() {
            Some(code) => AwsError::Api {
                component: component.to_string(),
                code: code.to_string(),
                message: e
                    .message()
                    .map(str::to_string)
                    .unwrap_or_else(|| plain_message(&e)),
            },
            // No AWS answer at all (connection refused, DNS, timeout): say so, in words.
            None => AwsError::Invalid {
                component: component.to_string(),
                message: format!("no answer from AWS: {}", plain_message(&e)),
            },
        }
    }

    /// Did AWS refuse the caller's credentials themselves (unknown key, bad signature, expired)?
    pub fn is_credentials(&self) -> bool {
        matches!(
            self.code(),
            Some(
                "InvalidClientTokenId"
                    | "SignatureDoesNotMatch"
                    | "IncompleteSignature"
                    | "ExpiredToken"
                    | "ExpiredTokenException"
                    | "InvalidAccessKeyId"
                    | "UnrecognizedClientException"
                    | "AuthFailure"
            )
        )
    }

    /// An operation cut off by its `timeouts` limit.
    pub fn timed_out(resource: &str, op: &str, limit: std::time::Duration) -> AwsError {
        AwsError::Invalid {
            component: resource.to_string(),
            message: format!(
                "{op} did not finish within {} (the `timeouts.{op}` limit); objects made so far are kept in state", crate::framework::wait::human(limit)
            ),
        }
    }

    pub fn code(&self) -> Option<&str> {
        match self {
            AwsError::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// True for the "does not exist" family of codes.
    pub fn is_not_found(&self) -> bool {
        // SNS "NotFound", KMS "NotFoundException", CloudWatch "ResourceNotFound", EC2
        // "InvalidVpcID.NotFound" / "NatGatewayNotFound", Logs "ResourceNotFoundException", IAM "NoSuchEntity".
        self.code()
            .is_some_and(|c| c.contains("NotFound") || c == "NoSuchEntity")
    }

    /// A `ValidationError` saying that what it names does not exist: how Auto Scaling answers for
    /// a group or policy that is gone.
    pub fn is_validation_not_found(&self) -> bool {
        matches!(self, AwsError::Api { code, message, .. }
            if code == "ValidationError" && message.to_ascii_lowercase().contains("not found"))
    }
    fn hint(&self) -> &'static str {
        match self.code() {
            Some(c) if c.contains("AccessDenied") || c.contains("Authorization") || c == "UnrecognizedClientException" => {
                "Check the credentials Terraform uses and that their IAM policy allows this call."
            }
            Some(c) if c.contains("Throttl") || c.contains("RequestLimitExceeded") => {
                "AWS is rate-limiting this account; apply again in a few minutes."
            }
            Some(c) if c.contains("InvalidParameter") || c.contains("Validation") => {
                "A setting was refused by AWS; check the attribute values named above."
            }
            Some(_) => "Run `terraform apply` again once the cause is fixed; objects already created are kept in state.",
            None => match self {
                AwsError::Refused { .. } => "Nothing was changed.",
                AwsError::Stopped { .. } => "Run `terraform apply` again to finish; objects already created are kept in state.",
                _ => "Check the provider's endpoint and credentials.",
            },
        }
    }

    pub fn to_diagnostic(&self, summary: &str) -> Diagnostic {
        Diagnostic::error(summary, format!("{self}. {}", self.hint()))
    }
}

/// An error without an AWS message (no answer: connection refused, timeout, no credentials) in
/// words: each cause's own text, outermost first, repeats dropped. Never the Rust debug form
/// (`DispatchFailure(DispatchFailure { source: ConnectorError { … } })`) that the SDK's display
/// context appends.
pub fn plain_message(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cur {
        let text = c.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = c.source();
    }
    parts.join(": ")
}

/// A delete or detach that found nothing to remove succeeded.
pub fn ok_if_missing(r: Result<(), AwsError>) -> Result<(), AwsError> {
    match r {
        Err(e) if !e.is_not_found() => Err(e),
        _ => Ok(()),
    }
}

/// A describe's answer, `None` when AWS says the object does not exist (the "does not exist" codes of
/// [`AwsError::is_not_found`]); every other error stands.
pub fn found<T>(r: Result<T, AwsError>) -> Result<Option<T>, AwsError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: &str) -> AwsError {
        AwsError::Api {
            component: "test".into(),
            code: code.into(),
            message: "m".into(),
        }
    }

    /// (case, input, expected: `Ok(Some(v))` / `Ok(None)` / `Err(code)`)
    type Case = (
        &'static str,
        Result<u8, AwsError>,
        Result<Option<u8>, Option<&'static str>>,
    );

    #[test]
    fn found_maps_only_not_found_to_none() {
        let cases: Vec<Case> = vec![
            ("found", Ok(7), Ok(Some(7))),
            (
                "not found (NotFound family)",
                Err(api("DBClusterNotFoundFault")),
                Ok(None),
            ),
            (
                "not found (NoSuchEntity)",
                Err(api("NoSuchEntity")),
                Ok(None),
            ),
            (
                "other AWS error",
                Err(api("AccessDenied")),
                Err(Some("AccessDenied")),
            ),
            (
                "no AWS answer",
                Err(AwsError::Invalid {
                    component: "test".into(),
                    message: "no answer from AWS".into(),
                }),
                Err(None),
            ),
        ];
        for (case, input, want) in cases {
            let got = found(input).map_err(|e| e.code().map(str::to_string));
            let want = want.map_err(|c| c.map(str::to_string));
            assert_eq!(got, want, "{case}");
        }
    }
}
