//! cty types and their JSON form (the bytes in `Schema.Attribute.type` and inside dynamic values).

use std::collections::BTreeMap;

use serde_json::Value as Json;

/// A cty type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    String,
    Number,
    Bool,
    /// cty's `DynamicPseudoType`: the value carries its own type on the wire.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

#[derive(Debug, thiserror::Error)]
#[error("invalid cty type JSON: {0}")]
pub struct TypeError(pub String);

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }
    pub fn object<'a>(attrs: impl IntoIterator<Item = (&'a str, Type)>) -> Type {
        Type::Object(attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    /// The type in go-cty's JSON notation, e.g. `["map","string"]`.
    pub fn to_json(&self) -> Json {
        match self {
            Type::String => Json::from("string"),
            Type::Number => Json::from("number"),
            Type::Bool => Json::from("bool"),
            Type::Dynamic => Json::from("dynamic"),
            Type::List(t) => Json::Array(vec!["list".into(), t.to_json()]),
            Type::Set(t) => Json::Array(vec!["set".into(), t.to_json()]),
            Type::Map(t) => Json::Array(vec!["map".into(), t.to_json()]),
            Type::Object(attrs) => {
                let m = attrs
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect();
                Json::Array(vec!["object".into(), Json::Object(m)])
            }
            Type::Tuple(elems) => Json::Array(vec![
                "tuple".into(),
                Json::Array(elems.iter().map(Type::to_json).collect()),
            ]),
        }
    }

    pub fn to_json_bytes(&self) -> Vec<u8> {
        self.to_json().to_string().into_bytes()
    }

    pub fn from_json(j: &Json) -> Result<Type, TypeError> {
        match j {
            Json::String(s) => match s.as_str() {
                "string" => Ok(Type::String),
                "number" => Ok(Type::Number),
                "bool" => Ok(Type::Bool),
                "dynamic" => Ok(Type::Dynamic),
                other => Err(TypeError(format!("unknown primitive type {other:?}"))),
            },
            Json::Array(a) if a.len() >= 2 => {
                let kind = a[0]
                    .as_str()
                    .ok_or_else(|| TypeError("type kind must be a string".into()))?;
                match kind {
                    "list" => Ok(Type::list(Type::from_json(&a[1])?)),
                    "set" => Ok(Type::set(Type::from_json(&a[1])?)),
                    "map" => Ok(Type::map(Type::from_json(&a[1])?)),
                    "object" => {
                        let m = a[1].as_object().ok_or_else(|| {
                            TypeError("object attributes must be a JSON object".into())
                        })?;
                        let mut attrs = BTreeMap::new();
                        for (k, v) in m {
                            attrs.insert(k.clone(), Type::from_json(v)?);
                        }
                        Ok(Type::Object(attrs))
                    }
                    "tuple" => {
                        let e = a[1].as_array().ok_or_else(|| {
                            TypeError("tuple elements must be a JSON array".into())
                        })?;
                        Ok(Type::Tuple(
                            e.iter().map(Type::from_json).collect::<Result<_, _>>()?,
                        ))
                    }
                    other => Err(TypeError(format!("unknown type kind {other:?}"))),
                }
            }
            other => Err(TypeError(format!("unexpected {other}"))),
        }
    }

    pub fn from_json_bytes(b: &[u8]) -> Result<Type, TypeError> {
        let j: Json = serde_json::from_slice(b).map_err(|e| TypeError(e.to_string()))?;
        Type::from_json(&j)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip() {
        let t = Type::object([
            ("a", Type::Number),
            ("b", Type::Tuple(vec![Type::String])),
            ("c", Type::map(Type::list(Type::Bool))),
            ("d", Type::set(Type::Dynamic)),
        ]);
        let s = String::from_utf8(t.to_json_bytes()).unwrap();
        assert_eq!(
            s,
            r#"["object",{"a":"number","b":["tuple",["string"]],"c":["map",["list","bool"]],"d":["set","dynamic"]}]"#
        );
        assert_eq!(Type::from_json_bytes(s.as_bytes()).unwrap(), t);
    }

    #[test]
    fn rejects_bad_json() {
        assert!(Type::from_json_bytes(br#""float""#).is_err());
        assert!(Type::from_json_bytes(br#"["list"]"#).is_err());
        assert!(Type::from_json_bytes(b"not json").is_err());
    }
}
