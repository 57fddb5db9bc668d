//! The traits a resource implements and the request/response structs of each operation.
//!
//! `C` is the provider's configured context (AWS clients, profile, tags); the framework never looks
//! inside it. Values here are already decoded against the resource's schema.

use async_trait::async_trait;

use super::diag::Diagnostics;
use super::schema::Schema;
use super::value::Value;

/// Private state written when a create failed half way: the destroy that follows the taint must
/// remove every partial object and skip guards (contract rule 14).
pub const PRIVATE_CREATE_INCOMPLETE: &[u8] = br#"{"create_incomplete":true}"#;

/// What a resource's plan logic computes, before the RPC's private state is attached.
pub struct Planned {
    pub state: Value,
    pub requires_replace: Vec<super::path::AttrPath>,
    pub diagnostics: Diagnostics,
}

/// Validation diagnostics of an import ID (checked as the resource's `name`), reworded for import.
pub fn import_id_diagnostics(check: &Diagnostics) -> Diagnostics {
    Diagnostics(
        check
            .iter()
            .filter(|x| x.severity == super::diag::Severity::Error)
            .map(|x| {
                super::diag::Diagnostic::error(
                    x.summary.clone(),
                    format!("Import ID: {}", x.detail),
                )
            })
            .collect(),
    )
}

pub struct PlanRequest {
    pub prior_state: Value,
    pub proposed_new_state: Value,
    pub config: Value,
    pub prior_private: Vec<u8>,
}

#[derive(Default)]
pub struct PlanResponse {
    pub planned_state: Value,
    pub requires_replace: Vec<super::path::AttrPath>,
    pub planned_private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

pub struct ApplyRequest {
    pub prior_state: Value,
    pub planned_state: Value,
    pub config: Value,
    pub planned_private: Vec<u8>,
}

#[derive(Default)]
pub struct ApplyResponse {
    /// Null after a delete; after a failed create, the partial state (Terraform taints it).
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

pub struct ReadRequest {
    pub current_state: Value,
    pub private: Vec<u8>,
}

#[derive(Default)]
pub struct ReadResponse {
    /// Null when the object is gone: Terraform then plans to create it.
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

#[derive(Default)]
pub struct ImportResponse {
    pub state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

#[async_trait]
pub trait Resource<C: Send + Sync>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> &Schema;
    /// Static checks of a configuration that may still hold unknowns.
    fn validate(&self, config: &Value) -> Diagnostics;
    async fn plan(&self, ctx: &C, req: PlanRequest) -> PlanResponse;
    async fn apply(&self, ctx: &C, req: ApplyRequest) -> ApplyResponse;
    async fn read(&self, ctx: &C, req: ReadRequest) -> ReadResponse;
    async fn import(&self, ctx: &C, id: &str) -> ImportResponse;
}

/// What opening an ephemeral resource gives: the result (null on error) and its diagnostics.
#[derive(Default)]
pub struct Opened {
    pub result: Value,
    pub diagnostics: Diagnostics,
}

/// An ephemeral resource: opened at run time, its result handed to Terraform and never stored in
/// plan or state.
#[async_trait]
pub trait Ephemeral<C: Send + Sync>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> &Schema;
    /// Static checks of a configuration that may still hold unknowns.
    fn validate(&self, config: &Value) -> Diagnostics;
    /// The result for a wholly known configuration.
    async fn open(&self, ctx: &C, config: &Value) -> Opened;
}
