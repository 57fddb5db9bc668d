//! The web ACL's logging configuration: read, put, delete.

use aws_sdk_wafv2::types::{FieldToMatch, LoggingConfiguration, SingleHeader};

use super::super::super::blueprint::waf::Logging;
use super::super::invalid;
use super::{found, removed};
use crate::provider::ec2::sent;
use crate::provider::error::AwsError;
use crate::provider::ProviderData;

/// The web ACL's logging configuration, `None` when logging is off.
pub async fn logging(ctx: &ProviderData, acl: &str) -> Result<Option<Logging>, AwsError> {
    let out = found(
        ctx.call(
            "web acl logging",
            ctx.wafv2()
                .get_logging_configuration()
                .resource_arn(acl)
                .send(),
        )
        .await,
    )?;
    Ok(out.and_then(|o| o.logging_configuration).map(|l| {
        let mut redacted: Vec<String> = l
            .redacted_fields()
            .iter()
            .filter_map(|f| f.single_header().map(|h| h.name().to_ascii_lowercase()))
            .collect();
        redacted.sort();
        Logging {
            destination: l
                .log_destination_configs()
                .first()
                .map(|d| d.trim_end_matches(":*").to_string())
                .unwrap_or_default(),
            redacted_headers: redacted,
        }
    }))
}

pub async fn put_logging(ctx: &ProviderData, acl: &str, l: &Logging) -> Result<(), AwsError> {
    let bad = |e: aws_sdk_wafv2::error::BuildError| invalid("web acl logging", e.to_string());
    let redacted = l
        .redacted_headers
        .iter()
        .map(|h| {
            Ok(FieldToMatch::builder()
                .single_header(SingleHeader::builder().name(h).build().map_err(bad)?)
                .build())
        })
        .collect::<Result<Vec<_>, AwsError>>()?;
    let cfg = LoggingConfiguration::builder()
        .resource_arn(acl)
        .log_destination_configs(&l.destination)
        .set_redacted_fields(Some(redacted))
        .build()
        .map_err(bad)?;
    let put = ctx.wafv2().put_logging_configuration();
    sent(
        ctx,
        "web acl logging",
        put.logging_configuration(cfg).send(),
    )
    .await
}

pub async fn delete_logging(ctx: &ProviderData, acl: &str) -> Result<(), AwsError> {
    let delete = ctx.wafv2().delete_logging_configuration();
    removed(ctx, "web acl logging", delete.resource_arn(acl).send()).await
}
