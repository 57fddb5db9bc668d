//! Ephemeral credentials: `prod_database_credentials` and `prod_redis_credentials` read a store's
//! managed secret when Terraform opens them, and hand host, port, user, secret and a connection URI
//! to what needs them (a provider block, a provisioner). Terraform keeps them out of plan and state;
//! the provider never logs them.

mod database;
mod redis;

use std::sync::Arc;

use async_trait::async_trait;

use crate::framework::decode::Tri;
use crate::framework::resource::{Ephemeral, Opened};
use crate::framework::{AttrPath, Attribute, Block, Diagnostic, Diagnostics, Schema, Value};
use crate::provider::error::AwsError;
use crate::provider::ProviderData;

/// What one kind of credentials is: its schema, its static checks, and how it is read.
#[async_trait]
trait Credentials: Send + Sync + 'static {
    const TYPE_NAME: &'static str;
    const DESCRIPTION: &'static str;
    /// The argument naming the store, what kind of store it names, and how to pass it.
    const ID: (&'static str, &'static str, &'static str);
    fn attributes() -> Vec<Attribute>;
    /// The configuration's store id.
    fn id(config: &Value) -> Tri<String>;
    /// The result object, or a diagnostic on the attribute at fault.
    async fn read(ctx: &ProviderData, config: &Value) -> Result<Value, Diagnostic>;
}

/// The one [`Ephemeral`] implementation, over a [`Credentials`].
struct Served<C> {
    schema: Schema,
    _kind: std::marker::PhantomData<C>,
}

#[async_trait]
impl<C: Credentials> Ephemeral<ProviderData> for Served<C> {
    fn type_name(&self) -> &'static str {
        C::TYPE_NAME
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Tri::Known(id) = C::id(config) {
            if id.is_empty() {
                let (attr, kind, pass) = C::ID;
                d.push(not_found(attr, &id, kind, pass));
            }
        }
        d
    }
    async fn open(&self, ctx: &ProviderData, config: &Value) -> Opened {
        let mut diagnostics = self.validate(config);
        if diagnostics.has_errors() {
            return Opened {
                diagnostics,
                ..Default::default()
            };
        }
        match C::read(ctx, config).await {
            Ok(result) => Opened {
                result,
                diagnostics,
            },
            Err(d) => {
                diagnostics.push(d);
                Opened {
                    diagnostics,
                    ..Default::default()
                }
            }
        }
    }
}

fn served<C: Credentials>() -> Arc<dyn Ephemeral<ProviderData>> {
    Arc::new(Served::<C> {
        schema: Schema {
            version: 0,
            block: Block::new(C::DESCRIPTION).attrs(C::attributes()),
        },
        _kind: std::marker::PhantomData,
    })
}

/// Every ephemeral resource the provider serves.
pub fn all() -> Vec<Arc<dyn Ephemeral<ProviderData>>> {
    vec![served::<database::Database>(), served::<redis::Redis>()]
}

/// An AWS failure while reading `what`, as a diagnostic (the error names the call and its code).
fn aws_failed(what: &str, e: &AwsError) -> Diagnostic {
    Diagnostic::error(
        format!("Could not read the {what}"),
        format!("{e}. Check the provider's credentials and region, and that the permissions in docs/iam-policy.json are granted."),
    )
}

/// `id` names no store of this kind: a diagnostic on `attr`.
fn not_found(attr: &str, id: &str, kind: &str, pass: &str) -> Diagnostic {
    Diagnostic::error(
        format!("No {kind} named {id:?}"),
        format!("{attr} = {id:?} names no {kind} in this account and region; pass {pass}."),
    )
    .at(AttrPath::attr(attr))
}

/// The string value of secret `id` (a name or ARN), held in memory only.
async fn secret_string(ctx: &ProviderData, id: &str) -> Result<String, AwsError> {
    let out = ctx
        .call(
            "secret",
            ctx.secretsmanager().get_secret_value().secret_id(id).send(),
        )
        .await?;
    Ok(out.secret_string.unwrap_or_default())
}

/// `s` percent-encoded for the user-information part of a URI (RFC 3986 unreserved kept).
fn userinfo(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_escapes_what_would_end_the_part() {
        struct Case {
            name: &'static str,
            given: &'static str,
            want: &'static str,
        }
        for c in [
            Case {
                name: "plain stays",
                given: "Abc-1.2_3~",
                want: "Abc-1.2_3~",
            },
            Case {
                name: "separators escaped",
                given: "p@ss:w/rd?#",
                want: "p%40ss%3Aw%2Frd%3F%23",
            },
            Case {
                name: "percent and space escaped",
                given: "50% off",
                want: "50%25%20off",
            },
        ] {
            assert_eq!(userinfo(c.given), c.want, "{}", c.name);
        }
    }

    #[test]
    fn both_kinds_are_served_with_sensitive_secrets() {
        let all = all();
        let names: Vec<_> = all.iter().map(|e| e.type_name()).collect();
        assert_eq!(
            names,
            ["prod_database_credentials", "prod_redis_credentials"]
        );
        for e in &all {
            assert!(e.schema().block.internal_problems("").is_empty());
            for a in &e.schema().block.attributes {
                let secret = ["password", "token", "uri"].contains(&a.name.as_str());
                assert_eq!(a.sensitive, secret, "{} {}", e.type_name(), a.name);
            }
        }
    }
}
