//! Pure conversions between framework types and tfplugin6 messages.

use super::proto;
use crate::framework::msgpack;
use crate::framework::path::{AttrPath, Step};
use crate::framework::schema::{Attribute, Block, Nesting, Schema};
use crate::framework::{Diagnostic, Diagnostics, Severity, Type, Value};

/// UpgradeResourceState's work: the stored JSON state (any earlier schema version) as a value of the
/// current schema. Attributes missing from older state come back null (read fills them from AWS);
/// attributes no longer in the schema are dropped. Never panics on any input (fuzzed).
pub fn upgrade_state(schema: &Schema, raw_json: &[u8]) -> Result<Value, Diagnostics> {
    if raw_json.is_empty() {
        return Err(Diagnostic::error(
            "Legacy state format",
            "The state holds no JSON (only the pre-0.12 flatmap form), which this provider never wrote. Remove the resource from state and import it.",
        )
        .into());
    }
    let json: serde_json::Value = serde_json::from_slice(raw_json).map_err(|e| {
        Diagnostic::error(
            "Unreadable state",
            format!("The stored state is not valid JSON: {e}."),
        )
    })?;
    crate::framework::json::decode(&json, &schema.implied_type()).map_err(|e| {
        Diagnostic::error(
            "Unreadable state",
            format!("The stored state does not fit the current schema: {e}."),
        )
        .at(e.path)
        .into()
    })
}

/// A provider function's signature and documentation.
pub fn function(f: &crate::framework::function::Function) -> proto::Function {
    proto::Function {
        parameters: f
            .parameters
            .iter()
            .map(|p| proto::function::Parameter {
                name: p.name.to_string(),
                r#type: p.ty.to_json_bytes(),
                allow_null_value: false,
                allow_unknown_values: false,
                description: p.description.to_string(),
                description_kind: proto::StringKind::Markdown as i32,
            })
            .collect(),
        variadic_parameter: None,
        r#return: Some(proto::function::Return {
            r#type: f.returns.to_json_bytes(),
        }),
        summary: f.summary.to_string(),
        description: f.description.to_string(),
        description_kind: proto::StringKind::Markdown as i32,
        deprecation_message: String::new(),
    }
}

pub fn schema(s: &Schema) -> proto::Schema {
    proto::Schema {
        version: s.version,
        block: Some(block(&s.block)),
    }
}

fn block(b: &Block) -> proto::schema::Block {
    proto::schema::Block {
        version: 0,
        attributes: b.attributes.iter().map(attribute).collect(),
        block_types: b
            .blocks
            .iter()
            .map(|nb| proto::schema::NestedBlock {
                type_name: nb.name.clone(),
                block: Some(block(&nb.block)),
                nesting: match nb.nesting {
                    Nesting::Single => proto::schema::nested_block::NestingMode::Single,
                    Nesting::List => proto::schema::nested_block::NestingMode::List,
                } as i32,
                min_items: nb.min_items,
                max_items: nb.max_items,
            })
            .collect(),
        description: b.description.clone(),
        description_kind: proto::StringKind::Markdown as i32,
        deprecated: false,
    }
}

fn attribute(a: &Attribute) -> proto::schema::Attribute {
    proto::schema::Attribute {
        name: a.name.clone(),
        r#type: a.ty.to_json_bytes(),
        nested_type: None,
        description: a.description.clone(),
        required: a.required,
        optional: a.optional,
        computed: a.computed,
        sensitive: a.sensitive,
        description_kind: proto::StringKind::Markdown as i32,
        deprecated: false,
        write_only: a.write_only,
    }
}

pub fn path(p: &AttrPath) -> proto::AttributePath {
    use proto::attribute_path::step::Selector;
    proto::AttributePath {
        steps: p
            .0
            .iter()
            .map(|s| proto::attribute_path::Step {
                selector: Some(match s {
                    Step::Attr(a) => Selector::AttributeName(a.clone()),
                    Step::Key(k) => Selector::ElementKeyString(k.clone()),
                    Step::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

pub fn diagnostic(d: &Diagnostic) -> proto::Diagnostic {
    proto::Diagnostic {
        severity: match d.severity {
            Severity::Error => proto::diagnostic::Severity::Error,
            Severity::Warning => proto::diagnostic::Severity::Warning,
        } as i32,
        summary: d.summary.clone(),
        detail: d.detail.clone(),
        attribute: d.path.as_ref().map(path),
    }
}

pub fn diagnostics(d: &Diagnostics) -> Vec<proto::Diagnostic> {
    d.iter().map(diagnostic).collect()
}

/// Decodes a DynamicValue (msgpack, else JSON, else null) against `ty`.
pub fn decode(dv: Option<&proto::DynamicValue>, ty: &Type) -> Result<Value, Diagnostic> {
    let Some(dv) = dv else { return Ok(Value::Null) };
    let res = if !dv.msgpack.is_empty() {
        msgpack::decode(&dv.msgpack, ty)
    } else if !dv.json.is_empty() {
        serde_json::from_slice(&dv.json)
            .map_err(|e| msgpack::CodecError {
                path: AttrPath::root(),
                msg: e.to_string(),
            })
            .and_then(|j| crate::framework::json::decode(&j, ty))
    } else {
        Ok(Value::Null)
    };
    res.map_err(|e| {
        Diagnostic::error(
            "Invalid value from Terraform",
            format!("The provider could not decode a value Terraform sent: {e}. This is a bug in the provider or a Terraform version it does not support."),
        )
        .at(e.path)
    })
}

pub fn encode(v: &Value, ty: &Type) -> Result<proto::DynamicValue, Diagnostic> {
    msgpack::encode(v, ty)
        .map(|msgpack| proto::DynamicValue {
            msgpack,
            json: Vec::new(),
        })
        .map_err(|e| {
            Diagnostic::error(
                "Provider produced a value it cannot encode",
                format!("{e}. This is a bug in terraform-provider-prod; please report it."),
            )
            .at(e.path)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_carry_paths() {
        let d = Diagnostic::error("Bad threshold", "Use a number.")
            .at(AttrPath::attr("alarm").then_index(2).then_attr("threshold"));
        let p = diagnostic(&d);
        assert_eq!(p.severity, proto::diagnostic::Severity::Error as i32);
        use proto::attribute_path::step::Selector;
        let steps: Vec<_> = p
            .attribute
            .unwrap()
            .steps
            .into_iter()
            .map(|s| s.selector.unwrap())
            .collect();
        assert_eq!(
            steps,
            vec![
                Selector::AttributeName("alarm".into()),
                Selector::ElementKeyInt(2),
                Selector::AttributeName("threshold".into())
            ]
        );
        let k =
            diagnostic(&Diagnostic::warning("w", "d").at(AttrPath::attr("tags").then_key("Team")));
        assert_eq!(k.severity, proto::diagnostic::Severity::Warning as i32);
        assert!(
            matches!(&k.attribute.unwrap().steps[1].selector, Some(Selector::ElementKeyString(s)) if s == "Team")
        );
    }

    #[test]
    fn schema_flags_and_type_bytes() {
        let s = Schema {
            version: 1,
            block: Block::new("d")
                .attr(Attribute::required("name", Type::String, "the name"))
                .attr(Attribute::computed("secret", Type::String, "s").sensitive())
                .list_block("alarm", Block::new("a")),
        };
        let p = schema(&s);
        let b = p.block.unwrap();
        assert_eq!(p.version, 1);
        assert_eq!(b.attributes[0].r#type, br#""string""#.to_vec());
        assert!(b.attributes[0].required && !b.attributes[0].optional);
        assert!(b.attributes[1].sensitive && b.attributes[1].computed);
        assert_eq!(
            b.block_types[0].nesting,
            proto::schema::nested_block::NestingMode::List as i32
        );
    }

    #[test]
    fn missing_dynamic_value_is_null_and_json_is_accepted() {
        let ty = Type::object([("a", Type::String)]);
        assert_eq!(decode(None, &ty).unwrap(), Value::Null);
        let dv = proto::DynamicValue {
            msgpack: vec![],
            json: br#"{"a":"x"}"#.to_vec(),
        };
        assert_eq!(
            decode(Some(&dv), &ty).unwrap().get("a"),
            &Value::string("x")
        );
        let bad = proto::DynamicValue {
            msgpack: vec![0x81, 0xa1, b'z', 0x01],
            json: vec![],
        };
        assert_eq!(
            decode(Some(&bad), &ty).unwrap_err().summary,
            "Invalid value from Terraform"
        );
    }
}
