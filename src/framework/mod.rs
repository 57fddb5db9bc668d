//! The provider framework: cty values and their encodings, schemas, diagnostics with attribute
//! paths, and the traits a resource implements. Nothing here knows about gRPC or AWS.

pub mod attrs;
pub mod decode;
pub mod diag;
pub mod function;
pub mod json;
pub mod msgpack;
pub mod path;
pub mod resource;
pub mod schema;
pub mod types;
pub mod value;
pub mod wait;

pub use diag::{Diagnostic, Diagnostics, Severity};
pub use path::AttrPath;
pub use schema::{Attribute, Block, Schema};
pub use types::Type;
pub use value::{Number, Value};
