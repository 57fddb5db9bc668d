//! AWS errors with the component they concern, the AWS error code, and a hint; turned into a
//! diagnostic once, at the resource boundary.

use aws_smithy_types::error::display::DisplayErrorContext;
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
    pub fn api<E>(component: &str, e: E) -> AwsError
    where
        E: ProvideErrorMetadata + std::error::Error,
    {
        AwsError::Api {
            component: component.to_string(),
            code: e.code().unwrap_or("Unknown").to_string(),
            message: e
                .message()
                .map(str::to_string)
                .unwrap_or_else(|| DisplayErrorContext(&e).to_string()),
        }
    }

    /// An operation cut off by its `timeouts` limit.
    pub fn timed_out(resource: &str, op: &str, limit: std::time::Duration) -> AwsError {
        AwsError::Invalid {
            component: resource.to_string(),
            message: format!(
                "{op} did not finish within {limit:?} (the `timeouts.{op}` limit); objects made so far are kept in state"
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

/// A delete or detach that found nothing to remove succeeded.
pub fn ok_if_missing(r: Result<(), AwsError>) -> Result<(), AwsError> {
    match r {
        Err(e) if !e.is_not_found() => Err(e),
        _ => Ok(()),
    }
}
