//! cty's msgpack wire encoding (`DynamicValue.msgpack`), type-directed, on top of the `rmpv` crate.
//!
//! Nulls are `nil` for every type; unknowns are msgpack extensions (plain: fixext1 type 0; refined:
//! ext type 12 whose payload is a map of refinements); a value of static type `dynamic` is the array
//! `[bin(type JSON), value]`. Objects always carry every attribute of their type.

use std::collections::BTreeMap;

use rmpv::Value as Mp;

use super::path::{AttrPath, Step};
use super::types::Type;
use super::value::{Number, Refinements, Value};

/// Extension type of a refined unknown (cty's `unknownValRefinementsExt`).
const EXT_REFINED: i8 = 12;
/// Terraform rejects refinement payloads above 1 KiB; so do we.
const MAX_REFINEMENT_PAYLOAD: usize = 1024;
/// cty keeps at most 256 bytes of a known string prefix.
const MAX_PREFIX: usize = 256;

#[derive(Debug, thiserror::Error)]
#[error("{}{msg}", if path.is_root() { String::new() } else { format!("{path}: ") })]
pub struct CodecError {
    pub path: AttrPath,
    pub msg: String,
}

/// An error at the value being decoded or encoded; each container it is in adds its step on the
/// way out (`CodecError::under`), so that a path is built only when something is wrong: building
/// one for every value was a third of a refresh's allocations.
pub(crate) fn err(msg: impl Into<String>) -> CodecError {
    CodecError {
        path: AttrPath::root(),
        msg: msg.into(),
    }
}

impl CodecError {
    /// The error as seen from the container one `step` above where it happened.
    pub(crate) fn under(mut self, step: Step) -> CodecError {
        self.path.0.insert(0, step);
        self
    }
}

fn index(i: usize) -> Step {
    Step::Index(i64::try_from(i).unwrap_or(i64::MAX))
}

/// Decodes msgpack bytes as a value of type `ty`. Empty input is null (as Terraform treats it).
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    let mut rd = bytes;
    let mp =
        rmpv::decode::read_value(&mut rd).map_err(|e| err(format!("malformed msgpack: {e}")))?;
    if !rd.is_empty() {
        return Err(err("trailing bytes after the value"));
    }
    from_mp(mp, ty)
}

/// Encodes `v` as type `ty`.
pub fn encode(v: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mp = to_mp(v, ty)?;
    let mut out = Vec::with_capacity(256);
    rmpv::encode::write_value(&mut out, &mp).map_err(|e| err(e.to_string()))?;
    Ok(out)
}

fn from_mp(mp: Mp, ty: &Type) -> Result<Value, CodecError> {
    match mp {
        Mp::Nil => return Ok(Value::Null),
        Mp::Ext(kind, payload) => return Ok(Value::Unknown(decode_refinements(kind, &payload)?)),
        _ => {}
    }
    match ty {
        Type::Dynamic => dynamic_from_mp(mp),
        Type::String => match mp {
            Mp::String(s) => s
                .into_str()
                .map(Value::String)
                .ok_or_else(|| err("string is not valid UTF-8")),
            other => Err(err(format!("expected a string, got {other}"))),
        },
        Type::Bool => match mp {
            Mp::Boolean(b) => Ok(Value::Bool(b)),
            other => Err(err(format!("expected a bool, got {other}"))),
        },
        Type::Number => decode_number(mp).map(Value::Number),
        Type::List(et) | Type::Set(et) => match mp {
            Mp::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, it)| from_mp(it, et).map_err(|e| e.under(index(i))))
                .collect::<Result<_, _>>()
                .map(Value::List),
            other => Err(err(format!("expected an array, got {other}"))),
        },
        Type::Tuple(ets) => match mp {
            Mp::Array(items) if items.len() == ets.len() => items
                .into_iter()
                .zip(ets)
                .enumerate()
                .map(|(i, (it, et))| from_mp(it, et).map_err(|e| e.under(index(i))))
                .collect::<Result<_, _>>()
                .map(Value::List),
            other => Err(err(format!(
                "expected a tuple of {} elements, got {other}",
                ets.len()
            ))),
        },
        Type::Map(et) => map_from_mp(mp, et),
        Type::Object(attrs) => object_from_mp(mp, attrs),
    }
}

/// A dynamic value: the `[type JSON, value]` pair cty writes.
fn dynamic_from_mp(mp: Mp) -> Result<Value, CodecError> {
    let Mp::Array(mut pair) = mp else {
        return Err(err("a dynamic value must be a [type, value] pair"));
    };
    if pair.len() != 2 {
        return Err(err("a dynamic value must be a [type, value] pair"));
    }
    let inner = pair.pop().unwrap_or(Mp::Nil);
    let ty_bytes = match pair.pop() {
        Some(Mp::Binary(b)) => b,
        Some(Mp::String(s)) => s.into_bytes(),
        _ => return Err(err("the type of a dynamic value must be bytes")),
    };
    let concrete = Type::from_json_bytes(&ty_bytes).map_err(|e| err(e.to_string()))?;
    let v = from_mp(inner, &concrete)?;
    Ok(Value::Dynamic(concrete, Box::new(v)))
}

/// A map's string key; `what` names it in the error ("map key", "attribute name").
fn key_from_mp(k: Mp, what: &str) -> Result<String, CodecError> {
    match k {
        Mp::String(s) => s
            .into_str()
            .ok_or_else(|| err(format!("{what} is not valid UTF-8"))),
        _ => Err(err(format!("{what}s must be strings"))),
    }
}

fn map_from_mp(mp: Mp, et: &Type) -> Result<Value, CodecError> {
    let Mp::Map(pairs) = mp else {
        return Err(err("expected a map"));
    };
    let mut out = BTreeMap::new();
    for (k, v) in pairs {
        let key = key_from_mp(k, "map key")?;
        let val = from_mp(v, et).map_err(|e| e.under(Step::Key(key.clone())))?;
        out.insert(key, val);
    }
    Ok(Value::Map(out))
}

/// An object: every attribute of the type present (absent ones null), no other.
fn object_from_mp(mp: Mp, attrs: &BTreeMap<String, Type>) -> Result<Value, CodecError> {
    let Mp::Map(pairs) = mp else {
        return Err(err("expected an object"));
    };
    let mut out = BTreeMap::new();
    for (k, v) in pairs {
        let key = key_from_mp(k, "attribute name")?;
        let Some(at) = attrs.get(&key) else {
            return Err(err(format!("unsupported attribute {key:?}")));
        };
        let val = from_mp(v, at).map_err(|e| e.under(Step::Attr(key.clone())))?;
        out.insert(key, val);
    }
    for name in attrs.keys() {
        if !out.contains_key(name) {
            out.insert(name.clone(), Value::Null);
        }
    }
    Ok(Value::Map(out))
}

fn decode_number(mp: Mp) -> Result<Number, CodecError> {
    match mp {
        Mp::Integer(i) => {
            if let Some(n) = i.as_i64() {
                Ok(Number::Int(n))
            } else if let Some(u) = i.as_u64() {
                Ok(Number::Decimal(u.to_string()))
            } else {
                Err(err("integer out of range"))
            }
        }
        Mp::F32(f) => Ok(Number::from_f64(f as f64)),
        Mp::F64(f) => Ok(Number::from_f64(f)),
        Mp::String(s) => {
            let s = s
                .into_str()
                .ok_or_else(|| err("number string is not valid UTF-8"))?;
            if let Ok(i) = s.parse::<i64>() {
                Ok(Number::Int(i))
            } else if s.parse::<f64>().is_ok() {
                Ok(Number::Decimal(s))
            } else {
                Err(err(format!("{s:?} is not a number")))
            }
        }
        other => Err(err(format!("expected a number, got {other}"))),
    }
}

fn encode_number(n: &Number) -> Mp {
    match n {
        Number::Int(i) => Mp::from(*i),
        // cty writes a float64 only when it is exact; Number::Float holds exactly what it got.
        Number::Float(f) => Mp::F64(*f),
        Number::Decimal(s) => match s.parse::<u64>() {
            Ok(u) => Mp::from(u),
            Err(_) => Mp::from(s.as_str()),
        },
    }
}

fn decode_refinements(kind: i8, payload: &[u8]) -> Result<Refinements, CodecError> {
    let mut r = Refinements::default();
    // Any extension is an unknown; only type 12 with a real payload carries refinements.
    if kind != EXT_REFINED || payload.len() <= 1 {
        return Ok(r);
    }
    if payload.len() > MAX_REFINEMENT_PAYLOAD {
        return Err(err("unknown value refinements are too large"));
    }
    let mut rd = payload;
    let Ok(Mp::Map(pairs)) = rmpv::decode::read_value(&mut rd) else {
        return Err(err("malformed unknown value refinements"));
    };
    for (k, v) in pairs {
        let Some(key) = k.as_i64() else { continue };
        match key {
            1 => r.nullness = v.as_bool(),
            2 => r.string_prefix = v.as_str().map(str::to_string),
            3 | 4 => {
                if let Mp::Array(b) = v {
                    if let [n, Mp::Boolean(incl)] = b.as_slice() {
                        let num = decode_number(n.clone())?;
                        let bound = Some((num, *incl));
                        if key == 3 {
                            r.number_lower = bound;
                        } else {
                            r.number_upper = bound;
                        }
                    }
                }
            }
            5 => r.length_lower = v.as_i64(),
            6 => r.length_upper = v.as_i64(),
            _ => {} // refinements added by later cty versions are ignored, as cty does
        }
    }
    Ok(r)
}

fn encode_unknown(r: &Refinements) -> Result<Mp, CodecError> {
    if r.is_empty() {
        return Ok(Mp::Ext(0, vec![0]));
    }
    let mut m = Vec::new();
    if let Some(n) = r.nullness {
        m.push((Mp::from(1), Mp::Boolean(n)));
    }
    if let Some(p) = &r.string_prefix {
        let mut end = p.len().min(MAX_PREFIX);
        while !p.is_char_boundary(end) {
            end -= 1;
        }
        m.push((Mp::from(2), Mp::from(&p[..end])));
    }
    for (key, b) in [(3, &r.number_lower), (4, &r.number_upper)] {
        if let Some((n, incl)) = b {
            m.push((
                Mp::from(key),
                Mp::Array(vec![encode_number(n), Mp::Boolean(*incl)]),
            ));
        }
    }
    for (key, l) in [(5, r.length_lower), (6, r.length_upper)] {
        if let Some(l) = l {
            m.push((Mp::from(key), Mp::from(l)));
        }
    }
    let mut payload = Vec::new();
    rmpv::encode::write_value(&mut payload, &Mp::Map(m)).map_err(|e| err(e.to_string()))?;
    Ok(Mp::Ext(EXT_REFINED, payload))
}

fn to_mp(v: &Value, ty: &Type) -> Result<Mp, CodecError> {
    match v {
        Value::Null => return Ok(Mp::Nil),
        Value::Unknown(r) => return encode_unknown(r),
        _ => {}
    }
    match (ty, v) {
        (Type::Dynamic, Value::Dynamic(concrete, inner)) => Ok(Mp::Array(vec![
            Mp::Binary(concrete.to_json_bytes()),
            to_mp(inner, concrete)?,
        ])),
        (Type::Dynamic, _) => Err(err("a value of dynamic type must carry its concrete type")),
        (_, Value::Dynamic(concrete, inner)) if concrete == ty => to_mp(inner, ty),
        (Type::String, Value::String(s)) => Ok(Mp::from(s.as_str())),
        (Type::Bool, Value::Bool(b)) => Ok(Mp::Boolean(*b)),
        (Type::Number, Value::Number(n)) => Ok(encode_number(n)),
        (Type::List(et) | Type::Set(et), Value::List(items)) => items
            .iter()
            .enumerate()
            .map(|(i, it)| to_mp(it, et).map_err(|e| e.under(index(i))))
            .collect::<Result<_, _>>()
            .map(Mp::Array),
        (Type::Tuple(ets), Value::List(items)) if ets.len() == items.len() => items
            .iter()
            .zip(ets)
            .enumerate()
            .map(|(i, (it, et))| to_mp(it, et).map_err(|e| e.under(index(i))))
            .collect::<Result<_, _>>()
            .map(Mp::Array),
        (Type::Map(et), Value::Map(m)) => m
            .iter()
            .map(|(k, it)| {
                let v = to_mp(it, et).map_err(|e| e.under(Step::Key(k.clone())))?;
                Ok((Mp::from(k.as_str()), v))
            })
            .collect::<Result<_, _>>()
            .map(Mp::Map),
        (Type::Object(attrs), Value::Map(m)) => {
            if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(err(format!("attribute {extra:?} is not in the schema")));
            }
            let mut out = Vec::with_capacity(attrs.len());
            for (name, at) in attrs {
                let val = m.get(name).unwrap_or(&Value::Null);
                out.push((
                    Mp::from(name.as_str()),
                    to_mp(val, at).map_err(|e| e.under(Step::Attr(name.clone())))?,
                ));
            }
            Ok(Mp::Map(out))
        }
        (t, v) => Err(err(format!(
            "value {v:?} does not fit type {}",
            t.to_json()
        ))),
    }
}

#[cfg(test)]
mod tests;
