//! One handler per tfplugin6 RPC: decode with the schema, call the provider, encode the answer.

use std::sync::Arc;

use tonic::{Request, Response, Status};

use super::convert::{self, decode, diagnostics, encode};
use super::proto::{self, provider_server::Provider as ProviderRpc};
use crate::framework::resource::{ApplyRequest, Ephemeral, PlanRequest, ReadRequest, Resource};
use crate::framework::{Diagnostic, Diagnostics};
use crate::provider::{Provider, ProviderData};

mod extras;

type Res<T> = Result<Response<T>, Status>;

pub struct ProviderService {
    provider: Arc<Provider>,
}

impl ProviderService {
    /// The service of a provider serving `resources` and `ephemerals` (the lists are assembled where
    /// the server is built, so that the provider layer imports no resource).
    pub fn new(
        resources: Vec<Arc<dyn Resource<ProviderData>>>,
        ephemerals: Vec<Arc<dyn Ephemeral<ProviderData>>>,
    ) -> ProviderService {
        ProviderService {
            provider: Arc::new(Provider::new(resources, ephemerals)),
        }
    }

    fn resource(&self, type_name: &str) -> Result<&Arc<dyn Resource<ProviderData>>, Diagnostics> {
        self.provider.resource(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown resource type",
                format!("terraform-provider-prod has no resource type {type_name:?}."),
            )
            .into()
        })
    }

    async fn configured(&self) -> Result<Arc<ProviderData>, Diagnostics> {
        self.provider.data().await.ok_or_else(|| {
            Diagnostic::error(
                "Provider not configured",
                "Terraform called a resource operation before ConfigureProvider succeeded; fix the errors reported for the provider block.",
            )
            .into()
        })
    }
}

fn unsupported(what: &str) -> Vec<proto::Diagnostic> {
    vec![convert::diagnostic(&Diagnostic::error(
        format!("{what} are not supported"),
        format!("terraform-provider-prod offers no {what}; it provides the prod_* managed resources only."),
    ))]
}

fn capabilities() -> proto::ServerCapabilities {
    // plan_destroy: we are asked before a destroy, so the deletion guard can refuse it at plan time.
    proto::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: false,
        move_resource_state: false,
    }
}

#[tonic::async_trait]
impl ProviderRpc for ProviderService {
    async fn get_metadata(
        &self,
        _r: Request<proto::get_metadata::Request>,
    ) -> Res<proto::get_metadata::Response> {
        Ok(Response::new(proto::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            diagnostics: vec![],
            data_sources: vec![],
            resources: self
                .provider
                .resources()
                .map(|r| proto::get_metadata::ResourceMetadata {
                    type_name: r.type_name().to_string(),
                })
                .collect(),
            functions: self
                .provider
                .functions()
                .iter()
                .map(|f| proto::get_metadata::FunctionMetadata {
                    name: f.name.to_string(),
                })
                .collect(),
            ephemeral_resources: self
                .provider
                .ephemerals()
                .map(|r| proto::get_metadata::EphemeralMetadata {
                    type_name: r.type_name().to_string(),
                })
                .collect(),
        }))
    }

    async fn get_provider_schema(
        &self,
        _r: Request<proto::get_provider_schema::Request>,
    ) -> Res<proto::get_provider_schema::Response> {
        let _span = tracing::debug_span!("GetProviderSchema").entered();
        Ok(Response::new(proto::get_provider_schema::Response {
            provider: Some(convert::schema(self.provider.schema())),
            resource_schemas: self
                .provider
                .resources()
                .map(|r| (r.type_name().to_string(), convert::schema(r.schema())))
                .collect(),
            data_source_schemas: Default::default(),
            functions: self.functions(),
            ephemeral_resource_schemas: self
                .provider
                .ephemerals()
                .map(|r| (r.type_name().to_string(), convert::schema(r.schema())))
                .collect(),
            diagnostics: vec![],
            provider_meta: None,
            server_capabilities: Some(capabilities()),
        }))
    }

    async fn validate_provider_config(
        &self,
        r: Request<proto::validate_provider_config::Request>,
    ) -> Res<proto::validate_provider_config::Response> {
        let r = r.into_inner();
        let diags = match decode(r.config.as_ref(), &self.provider.schema_type()) {
            Ok(cfg) => self.provider.validate(&cfg),
            Err(d) => d.into(),
        };
        Ok(Response::new(proto::validate_provider_config::Response {
            diagnostics: diagnostics(&diags),
        }))
    }

    async fn validate_resource_config(
        &self,
        r: Request<proto::validate_resource_config::Request>,
    ) -> Res<proto::validate_resource_config::Response> {
        let r = r.into_inner();
        let diags = match self.resource(&r.type_name) {
            Err(d) => d,
            Ok(res) => match decode(r.config.as_ref(), &res.schema().implied_type()) {
                Ok(cfg) => {
                    let allowed = r
                        .client_capabilities
                        .is_some_and(|c| c.write_only_attributes_allowed);
                    let mut d = res.schema().write_only_refused(&cfg, allowed);
                    d.extend(res.validate(&cfg));
                    d
                }
                Err(d) => d.into(),
            },
        };
        Ok(Response::new(proto::validate_resource_config::Response {
            diagnostics: diagnostics(&diags),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        _r: Request<proto::validate_data_resource_config::Request>,
    ) -> Res<proto::validate_data_resource_config::Response> {
        Ok(Response::new(
            proto::validate_data_resource_config::Response {
                diagnostics: unsupported("data sources"),
            },
        ))
    }

    async fn upgrade_resource_state(
        &self,
        r: Request<proto::upgrade_resource_state::Request>,
    ) -> Res<proto::upgrade_resource_state::Response> {
        let r = r.into_inner();
        let result = (|| -> Result<proto::DynamicValue, Diagnostics> {
            let res = self.resource(&r.type_name)?;
            let schema = res.schema();
            if r.version > schema.version {
                return Err(Diagnostic::error(
                    "State written by a newer provider",
                    format!(
                        "The state of this {} has schema version {}, but this provider knows versions up to {}. Upgrade terraform-provider-prod.",
                        r.type_name, r.version, schema.version
                    ),
                )
                .into());
            }
            let raw = r.raw_state.unwrap_or_default();
            let value = convert::upgrade_state(schema, &raw.json)?;
            encode(&value, &schema.implied_type()).map_err(Diagnostics::from)
        })();
        let (upgraded_state, diags) = match result {
            Ok(v) => (Some(v), Diagnostics::new()),
            Err(d) => (None, d),
        };
        Ok(Response::new(proto::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics: diagnostics(&diags),
        }))
    }

    async fn configure_provider(
        &self,
        r: Request<proto::configure_provider::Request>,
    ) -> Res<proto::configure_provider::Response> {
        let r = r.into_inner();
        let diags = match decode(r.config.as_ref(), &self.provider.schema_type()) {
            Ok(cfg) => self.provider.configure(&cfg, &r.terraform_version).await,
            Err(d) => d.into(),
        };
        Ok(Response::new(proto::configure_provider::Response {
            diagnostics: diagnostics(&diags),
        }))
    }

    async fn read_resource(
        &self,
        r: Request<proto::read_resource::Request>,
    ) -> Res<proto::read_resource::Response> {
        let r = r.into_inner();
        let result = async {
            let res = self.resource(&r.type_name)?;
            let ctx = self.configured().await?;
            let ty = res.schema().implied_type();
            let current_state = decode(r.current_state.as_ref(), &ty)?;
            let out = res
                .read(
                    &ctx,
                    ReadRequest {
                        current_state,
                        private: r.private,
                    },
                )
                .await;
            let new_state = encode(&out.new_state, &ty)?;
            Ok::<_, Diagnostics>((new_state, out.private, out.diagnostics))
        }
        .await;
        Ok(Response::new(match result {
            Ok((new_state, private, diags)) => proto::read_resource::Response {
                new_state: Some(new_state),
                diagnostics: diagnostics(&diags),
                private,
                deferred: None,
            },
            Err(d) => proto::read_resource::Response {
                diagnostics: diagnostics(&d),
                ..Default::default()
            },
        }))
    }

    async fn plan_resource_change(
        &self,
        r: Request<proto::plan_resource_change::Request>,
    ) -> Res<proto::plan_resource_change::Response> {
        let r = r.into_inner();
        let result = async {
            let res = self.resource(&r.type_name)?;
            let ctx = self.configured().await?;
            let ty = res.schema().implied_type();
            let req = PlanRequest {
                prior_state: decode(r.prior_state.as_ref(), &ty)?,
                proposed_new_state: decode(r.proposed_new_state.as_ref(), &ty)?,
                config: decode(r.config.as_ref(), &ty)?,
                prior_private: r.prior_private,
            };
            let out = res.plan(&ctx, req).await;
            if out.diagnostics.has_errors() {
                return Err(out.diagnostics);
            }
            Ok::<_, Diagnostics>(proto::plan_resource_change::Response {
                planned_state: Some(encode(&out.planned_state, &ty)?),
                requires_replace: out.requires_replace.iter().map(convert::path).collect(),
                planned_private: out.planned_private,
                diagnostics: diagnostics(&out.diagnostics),
                legacy_type_system: false,
                deferred: None,
            })
        }
        .await;
        Ok(Response::new(result.unwrap_or_else(|d| {
            proto::plan_resource_change::Response {
                diagnostics: diagnostics(&d),
                ..Default::default()
            }
        })))
    }

    async fn apply_resource_change(
        &self,
        r: Request<proto::apply_resource_change::Request>,
    ) -> Res<proto::apply_resource_change::Response> {
        let r = r.into_inner();
        let result = async {
            let res = self.resource(&r.type_name)?;
            let ctx = self.configured().await?;
            let ty = res.schema().implied_type();
            let req = ApplyRequest {
                prior_state: decode(r.prior_state.as_ref(), &ty)?,
                planned_state: decode(r.planned_state.as_ref(), &ty)?,
                config: decode(r.config.as_ref(), &ty)?,
                planned_private: r.planned_private,
            };
            let prior = req.prior_state.clone();
            let out = res.apply(&ctx, req).await;
            let new_state = match encode(&out.new_state, &ty) {
                Ok(v) => v,
                Err(d) => {
                    // Keep what Terraform had rather than lose track of objects.
                    let mut diags = out.diagnostics;
                    diags.push(d);
                    return Ok((encode(&prior, &ty)?, out.private, diags));
                }
            };
            Ok::<_, Diagnostics>((new_state, out.private, out.diagnostics))
        }
        .await;
        Ok(Response::new(match result {
            Ok((new_state, private, diags)) => proto::apply_resource_change::Response {
                new_state: Some(new_state),
                private,
                diagnostics: diagnostics(&diags),
                legacy_type_system: false,
            },
            Err(d) => proto::apply_resource_change::Response {
                diagnostics: diagnostics(&d),
                ..Default::default()
            },
        }))
    }

    async fn import_resource_state(
        &self,
        r: Request<proto::import_resource_state::Request>,
    ) -> Res<proto::import_resource_state::Response> {
        let r = r.into_inner();
        let result = async {
            let res = self.resource(&r.type_name)?;
            let ctx = self.configured().await?;
            let ty = res.schema().implied_type();
            let out = res.import(&ctx, &r.id).await;
            if out.diagnostics.has_errors() {
                return Err(out.diagnostics);
            }
            Ok::<_, Diagnostics>(proto::import_resource_state::Response {
                imported_resources: vec![proto::import_resource_state::ImportedResource {
                    type_name: r.type_name.clone(),
                    state: Some(encode(&out.state, &ty)?),
                    private: out.private,
                }],
                diagnostics: diagnostics(&out.diagnostics),
                deferred: None,
            })
        }
        .await;
        Ok(Response::new(result.unwrap_or_else(|d| {
            proto::import_resource_state::Response {
                diagnostics: diagnostics(&d),
                ..Default::default()
            }
        })))
    }

    async fn move_resource_state(
        &self,
        r: Request<proto::move_resource_state::Request>,
    ) -> Res<proto::move_resource_state::Response> {
        let r = r.into_inner();
        let d = Diagnostic::error(
            "Moving state into a prod resource is not supported",
            format!(
                "A moved block asks to turn {} (from {}) into {}. prod_* resources own many AWS objects each and cannot adopt another resource's state; remove the moved block and use an import block with the resource's name instead.",
                r.source_type_name, r.source_provider_address, r.target_type_name
            ),
        );
        Ok(Response::new(proto::move_resource_state::Response {
            diagnostics: vec![convert::diagnostic(&d)],
            ..Default::default()
        }))
    }

    async fn read_data_source(
        &self,
        _r: Request<proto::read_data_source::Request>,
    ) -> Res<proto::read_data_source::Response> {
        Ok(Response::new(proto::read_data_source::Response {
            diagnostics: unsupported("data sources"),
            ..Default::default()
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        r: Request<proto::validate_ephemeral_resource_config::Request>,
    ) -> Res<proto::validate_ephemeral_resource_config::Response> {
        let r = r.into_inner();
        let diags = match self.ephemeral(&r.type_name) {
            Err(d) => d,
            Ok(e) => match decode(r.config.as_ref(), &e.schema().implied_type()) {
                Ok(cfg) => e.validate(&cfg),
                Err(d) => d.into(),
            },
        };
        Ok(Response::new(
            proto::validate_ephemeral_resource_config::Response {
                diagnostics: diagnostics(&diags),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        r: Request<proto::open_ephemeral_resource::Request>,
    ) -> Res<proto::open_ephemeral_resource::Response> {
        Ok(Response::new(self.open_ephemeral(r.into_inner()).await))
    }

    async fn renew_ephemeral_resource(
        &self,
        _r: Request<proto::renew_ephemeral_resource::Request>,
    ) -> Res<proto::renew_ephemeral_resource::Response> {
        // Nothing is leased: Open sets no renew_at, so Terraform never asks.
        Ok(Response::new(
            proto::renew_ephemeral_resource::Response::default(),
        ))
    }

    async fn close_ephemeral_resource(
        &self,
        _r: Request<proto::close_ephemeral_resource::Request>,
    ) -> Res<proto::close_ephemeral_resource::Response> {
        // Nothing to release: the credentials are read, not issued.
        Ok(Response::new(
            proto::close_ephemeral_resource::Response::default(),
        ))
    }

    async fn get_functions(
        &self,
        _r: Request<proto::get_functions::Request>,
    ) -> Res<proto::get_functions::Response> {
        Ok(Response::new(proto::get_functions::Response {
            functions: self.functions(),
            diagnostics: vec![],
        }))
    }

    async fn call_function(
        &self,
        r: Request<proto::call_function::Request>,
    ) -> Res<proto::call_function::Response> {
        Ok(Response::new(self.call(r.into_inner())))
    }

    async fn stop_provider(
        &self,
        _r: Request<proto::stop_provider::Request>,
    ) -> Res<proto::stop_provider::Response> {
        tracing::info!("StopProvider: cancelling in-flight AWS work");
        self.provider.stop();
        Ok(Response::new(proto::stop_provider::Response {
            error: String::new(),
        }))
    }
}
