//! The provider: its block (`config`), environment profiles, AWS clients and errors, tags, and the
//! resources it serves (given to it where the server is built: this layer knows no resource).

pub mod aws;
pub mod config;
pub mod ec2;
pub mod error;
pub mod functions;
pub mod iam;
pub mod kms;
pub mod logs;
pub mod profile;
pub mod retry;
pub mod secrets;
pub mod tags;

use std::sync::Arc;

use tokio::sync::RwLock;
use tokio_util::sync::CancellationToken;

use crate::framework::function::Function;
use crate::framework::resource::{Ephemeral, Resource};
use crate::framework::{Diagnostic, Diagnostics, Schema, Type, Value};

pub use aws::ProviderData;

pub struct Provider {
    schema: Schema,
    resources: Vec<Arc<dyn Resource<ProviderData>>>,
    ephemerals: Vec<Arc<dyn Ephemeral<ProviderData>>>,
    functions: Vec<Function>,
    data: RwLock<Option<Arc<ProviderData>>>,
    stop: CancellationToken,
}

impl Provider {
    pub fn new(
        resources: Vec<Arc<dyn Resource<ProviderData>>>,
        ephemerals: Vec<Arc<dyn Ephemeral<ProviderData>>>,
    ) -> Provider {
        Provider {
            schema: config::schema(),
            resources,
            ephemerals,
            functions: functions::all(),
            data: RwLock::new(None),
            stop: CancellationToken::new(),
        }
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }
    pub fn schema_type(&self) -> Type {
        self.schema.implied_type()
    }
    pub fn resources(&self) -> impl Iterator<Item = &Arc<dyn Resource<ProviderData>>> {
        self.resources.iter()
    }
    pub fn resource(&self, type_name: &str) -> Option<&Arc<dyn Resource<ProviderData>>> {
        self.resources.iter().find(|r| r.type_name() == type_name)
    }
    pub fn functions(&self) -> &[Function] {
        &self.functions
    }
    pub fn function(&self, name: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.name == name)
    }
    pub fn ephemerals(&self) -> impl Iterator<Item = &Arc<dyn Ephemeral<ProviderData>>> {
        self.ephemerals.iter()
    }
    pub fn ephemeral(&self, type_name: &str) -> Option<&Arc<dyn Ephemeral<ProviderData>>> {
        self.ephemerals.iter().find(|r| r.type_name() == type_name)
    }

    pub fn validate(&self, cfg: &Value) -> Diagnostics {
        config::validate(cfg)
    }

    pub async fn configure(&self, cfg: &Value, terraform_version: &str) -> Diagnostics {
        let mut d = config::validate(cfg);
        if d.has_errors() {
            return d;
        }
        if !cfg.is_wholly_known() {
            d.push(Diagnostic::error(
                "Provider configuration depends on unknown values",
                "The provider block uses values that are only known after apply. Give it values known at plan time (variables, literals).",
            ));
            return d;
        }
        let parsed = config::parse(cfg);
        match ProviderData::load(&parsed, self.stop.clone()).await {
            Ok(data) => {
                if let Err((summary, detail)) = data.check_identity(parsed.profile.as_deref()).await
                {
                    d.push(Diagnostic::error(summary, detail));
                    return d;
                }
                tracing::debug!(terraform_version, region = %data.region, environment = %data.environment, "provider configured");
                *self.data.write().await = Some(Arc::new(data));
            }
            Err(msg) => d.push(Diagnostic::error("Cannot configure AWS", msg)),
        }
        d
    }

    pub async fn data(&self) -> Option<Arc<ProviderData>> {
        self.data.read().await.clone()
    }

    pub fn stop(&self) {
        self.stop.cancel();
    }
}
