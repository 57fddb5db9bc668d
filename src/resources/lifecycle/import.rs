//! Import by name, and what an imported state takes from AWS (its environment, its own key).

use std::future::Future;

use super::{aws_diag, Lifecycle, ResourceState};
use crate::framework::resource::{import_id_diagnostics, ImportResponse};
use crate::framework::{Diagnostic, Diagnostics};
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::ProviderData;

/// Import by name: the ID is checked like the `name` argument (`check` holds that validation),
/// then `find` rebuilds the state; `absent` says where the resource would have been found.
pub async fn import<L, F>(check: Diagnostics, find: F, absent: String) -> ImportResponse
where
    L: Lifecycle,
    F: Future<Output = Result<Option<L::State>, AwsError>>,
{
    if check.has_errors() {
        return ImportResponse {
            diagnostics: import_id_diagnostics(&check),
            ..Default::default()
        };
    }
    match find.await {
        Ok(Some(st)) => ImportResponse {
            state: st.to_value(),
            ..Default::default()
        },
        Ok(None) => ImportResponse {
            diagnostics: Diagnostic::error(format!("Cannot import {}", L::TYPE_NAME), absent)
                .into(),
            ..Default::default()
        },
        Err(e) => ImportResponse {
            diagnostics: aws_diag::<L>(&e, "import").into(),
            ..Default::default()
        },
    }
}

/// Import: the profile of an object found under `name`, `None` when its `prod:resource` tag says
/// it is not this provider's `type_name.name` (a look-alike made elsewhere is not adopted). The
/// `prod:environment` tag wins; else the provider's.
pub fn imported_environment(
    ctx: &ProviderData,
    tags: &std::collections::BTreeMap<String, String>,
    type_name: &str,
    name: &str,
) -> Option<Environment> {
    if tags.get(crate::provider::tags::TAG_RESOURCE) != Some(&format!("{type_name}.{name}")) {
        return None;
    }
    Some(
        tags.get(crate::provider::tags::TAG_ENVIRONMENT)
            .and_then(|e| Environment::parse(e))
            .unwrap_or(ctx.environment),
    )
}

/// Import: the ARN of the resource's own key behind `alias`, when it exists and is usable.
pub async fn imported_key(ctx: &ProviderData, alias: &str) -> Result<Option<String>, AwsError> {
    Ok(crate::provider::kms::describe_key(ctx, alias)
        .await?
        .filter(|k| k.usable)
        .map(|k| k.arn))
}
