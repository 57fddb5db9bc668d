//! The RPCs beyond managed resources: ephemeral resources (opened at run time, never stored) and
//! provider functions.

use std::sync::Arc;

use tracing::Instrument;

use super::super::convert::{self, decode, diagnostics, encode};
use super::super::proto;
use super::ProviderService;
use crate::framework::resource::Ephemeral;
use crate::framework::{Diagnostic, Diagnostics};
use crate::provider::ProviderData;

impl ProviderService {
    pub(super) fn functions(&self) -> std::collections::HashMap<String, proto::Function> {
        self.provider
            .functions()
            .iter()
            .map(|f| (f.name.to_string(), convert::function(f)))
            .collect()
    }

    pub(super) fn ephemeral(
        &self,
        type_name: &str,
    ) -> Result<&Arc<dyn Ephemeral<ProviderData>>, Diagnostics> {
        self.provider.ephemeral(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown ephemeral resource type",
                format!("terraform-provider-prod has no ephemeral resource type {type_name:?}."),
            )
            .into()
        })
    }

    /// OpenEphemeralResource: the result for a known configuration, or the diagnostics.
    pub(super) async fn open_ephemeral(
        &self,
        r: proto::open_ephemeral_resource::Request,
    ) -> proto::open_ephemeral_resource::Response {
        let span = tracing::debug_span!("OpenEphemeralResource", type_name = %r.type_name);
        let result = async {
            let e = self.ephemeral(&r.type_name)?;
            let ty = e.schema().implied_type();
            let cfg = decode(r.config.as_ref(), &ty).map_err(Diagnostics::from)?;
            let ctx = self.configured().await?;
            let opened = e.open(&ctx, &cfg).await;
            let result = encode(&opened.result, &ty).map_err(Diagnostics::from)?;
            Ok::<_, Diagnostics>((result, opened.diagnostics))
        }
        .instrument(span)
        .await;
        let (result, diags) = match result {
            Ok((v, d)) => (Some(v), d),
            Err(d) => (None, d),
        };
        proto::open_ephemeral_resource::Response {
            diagnostics: diagnostics(&diags),
            result,
            ..Default::default()
        }
    }

    /// CallFunction: the function's result, or its error blaming an argument.
    pub(super) fn call(&self, r: proto::call_function::Request) -> proto::call_function::Response {
        let failed = |text: String, argument: Option<i64>| proto::call_function::Response {
            result: None,
            error: Some(proto::FunctionError {
                text,
                function_argument: argument,
            }),
        };
        let Some(f) = self.provider.function(&r.name) else {
            return failed(
                format!("terraform-provider-prod has no function {:?}", r.name),
                None,
            );
        };
        let mut args = Vec::new();
        for (i, (a, p)) in r.arguments.iter().zip(&f.parameters).enumerate() {
            match decode(Some(a), &p.ty) {
                Ok(v) => args.push(v),
                Err(d) => return failed(d.detail, Some(i as i64)),
            }
        }
        let result = (f.call)(&args)
            .map_err(|e| (e.text, e.argument))
            .and_then(|v| encode(&v, &f.returns).map_err(|d| (d.detail, None)));
        match result {
            Ok(v) => proto::call_function::Response {
                result: Some(v),
                error: None,
            },
            Err((text, argument)) => failed(text, argument),
        }
    }
}
