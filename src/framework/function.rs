//! Provider functions (`provider::prod::<name>(…)`): pure computations Terraform calls at plan time.

use super::types::Type;
use super::value::Value;

/// A function parameter: name, type and what it means.
pub struct Parameter {
    pub name: &'static str,
    pub ty: Type,
    pub description: &'static str,
}

/// A failed call: the message, and which argument (from 0) was at fault.
#[derive(Debug, PartialEq)]
pub struct CallError {
    pub text: String,
    pub argument: Option<i64>,
}

/// One provider function: its signature, documentation and body.
pub struct Function {
    pub name: &'static str,
    pub summary: &'static str,
    pub description: &'static str,
    pub parameters: Vec<Parameter>,
    pub returns: Type,
    pub call: fn(&[Value]) -> Result<Value, CallError>,
}
