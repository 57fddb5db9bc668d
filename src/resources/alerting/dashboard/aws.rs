//! The dashboard's AWS calls: put, get the body, delete.

use crate::provider::error::{found, AwsError};
use crate::provider::ProviderData;

/// Puts dashboard `name` with `body` (made or replaced whole).
pub async fn put_dashboard(ctx: &ProviderData, name: &str, body: &str) -> Result<(), AwsError> {
    ctx.call(
        &format!("cloudwatch dashboard {name}"),
        ctx.cloudwatch()
            .put_dashboard()
            .dashboard_name(name)
            .dashboard_body(body)
            .send(),
    )
    .await
    .map(|_| ())
}

/// The body of dashboard `name`; `None` when it does not exist.
pub async fn dashboard_body(ctx: &ProviderData, name: &str) -> Result<Option<String>, AwsError> {
    Ok(found(
        ctx.call(
            &format!("cloudwatch dashboard {name}"),
            ctx.cloudwatch().get_dashboard().dashboard_name(name).send(),
        )
        .await,
    )?
    .map(|out| out.dashboard_body.unwrap_or_default()))
}

/// Deletes dashboard `name`; one already gone is no error.
pub async fn delete_dashboard(ctx: &ProviderData, name: &str) -> Result<(), AwsError> {
    match ctx
        .call(
            &format!("cloudwatch dashboard {name}"),
            ctx.cloudwatch()
                .delete_dashboards()
                .dashboard_names(name)
                .send(),
        )
        .await
    {
        Err(e) if !e.is_not_found() => Err(e),
        _ => Ok(()),
    }
}
