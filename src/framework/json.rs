//! cty's JSON encoding, as Terraform stores state (`RawState.json` in UpgradeResourceState).

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::msgpack::{err, CodecError};
use super::path::Step;
use super::types::Type;
use super::value::{Number, Value};

/// Decodes a state JSON value as type `ty`. Attributes of an object that the JSON lacks become null
/// (Terraform drops attributes removed from the schema and leaves new ones out).
pub fn decode(j: &Json, ty: &Type) -> Result<Value, CodecError> {
    from_json(j, ty)
}

fn index(i: usize) -> Step {
    Step::Index(i64::try_from(i).unwrap_or(i64::MAX))
}

fn from_json(j: &Json, ty: &Type) -> Result<Value, CodecError> {
    if j.is_null() {
        return Ok(Value::Null);
    }
    match ty {
        Type::Dynamic => {
            let t = j
                .get("type")
                .ok_or_else(|| err("a dynamic value needs \"type\""))?;
            let concrete = Type::from_json(t).map_err(|e| err(e.to_string()))?;
            let inner = from_json(j.get("value").unwrap_or(&Json::Null), &concrete)?;
            Ok(Value::Dynamic(concrete, Box::new(inner)))
        }
        Type::String => match j {
            Json::String(s) => Ok(Value::String(s.clone())),
            Json::Number(n) => Ok(Value::String(n.to_string())),
            Json::Bool(b) => Ok(Value::String(b.to_string())),
            _ => Err(err("expected a string")),
        },
        Type::Bool => match j {
            Json::Bool(b) => Ok(Value::Bool(*b)),
            Json::String(s) if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
            _ => Err(err("expected a bool")),
        },
        Type::Number => match j {
            Json::Number(n) => Ok(Value::Number(if let Some(i) = n.as_i64() {
                Number::Int(i)
            } else if let Some(u) = n.as_u64() {
                Number::Decimal(u.to_string())
            } else {
                Number::from_f64(n.as_f64().unwrap_or(f64::NAN))
            })),
            Json::String(s) if s.parse::<f64>().is_ok() => {
                Ok(Value::Number(Number::Decimal(s.clone())))
            }
            _ => Err(err("expected a number")),
        },
        Type::List(et) | Type::Set(et) => match j {
            Json::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, e)| from_json(e, et).map_err(|x| x.under(index(i))))
                .collect::<Result<_, _>>()
                .map(Value::List),
            _ => Err(err("expected an array")),
        },
        Type::Tuple(ets) => match j {
            Json::Array(a) if a.len() == ets.len() => a
                .iter()
                .zip(ets)
                .enumerate()
                .map(|(i, (e, et))| from_json(e, et).map_err(|x| x.under(index(i))))
                .collect::<Result<_, _>>()
                .map(Value::List),
            _ => Err(err("expected a tuple")),
        },
        Type::Map(et) => match j {
            Json::Object(o) => o
                .iter()
                .map(|(k, v)| {
                    let v = from_json(v, et).map_err(|x| x.under(Step::Key(k.clone())))?;
                    Ok((k.clone(), v))
                })
                .collect::<Result<BTreeMap<_, _>, _>>()
                .map(Value::Map),
            _ => Err(err("expected an object")),
        },
        Type::Object(attrs) => match j {
            Json::Object(o) => {
                let mut out = BTreeMap::new();
                for (name, at) in attrs {
                    let v = match o.get(name) {
                        Some(v) => {
                            from_json(v, at).map_err(|x| x.under(Step::Attr(name.clone())))?
                        }
                        None => Value::Null,
                    };
                    out.insert(name.clone(), v);
                }
                Ok(Value::Map(out))
            }
            _ => Err(err("expected an object")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_missing_attributes_and_drops_removed_ones() {
        let ty = Type::object([
            ("a", Type::String),
            ("b", Type::list(Type::Number)),
            ("n", Type::Number),
        ]);
        let j: Json = serde_json::json!({"a": "x", "old": true, "n": 2.5});
        let v = decode(&j, &ty).unwrap();
        assert_eq!(v.get("a"), &Value::string("x"));
        assert_eq!(v.get("b"), &Value::Null);
        assert_eq!(v.get("n"), &Value::Number(Number::Float(2.5)));
        assert!(v.get("old").is_null());
    }

    #[test]
    fn dynamic_values_carry_their_type() {
        let j: Json = serde_json::json!({"value": ["x"], "type": ["tuple", ["string"]]});
        let v = decode(&j, &Type::Dynamic).unwrap();
        assert_eq!(
            v,
            Value::Dynamic(
                Type::Tuple(vec![Type::String]),
                Box::new(Value::string_list(["x"]))
            )
        );
    }

    #[test]
    fn type_errors_name_the_path() {
        let ty = Type::object([("m", Type::map(Type::Bool))]);
        let e = decode(&serde_json::json!({"m": {"k": [1]}}), &ty).unwrap_err();
        assert_eq!(e.path.to_string(), "m[\"k\"]");
    }
}
