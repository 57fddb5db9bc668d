//! Reading typed Rust values out of decoded cty values, keeping the three states apart.
//!
//! The codec has already checked every value against the schema type, so these readers cannot meet a
//! type mismatch; what they distinguish is known, null and unknown.

use std::collections::BTreeMap;

use super::value::{Number, Value};

/// A value that may be known, null, or not yet known (during plan).
#[derive(Clone, Debug, PartialEq)]
pub enum Tri<T> {
    Known(T),
    Null,
    Unknown,
}

impl<T> Tri<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Tri::Known(t) => Some(t),
            _ => None,
        }
    }
    pub fn into_known(self) -> Option<T> {
        match self {
            Tri::Known(t) => Some(t),
            _ => None,
        }
    }
    /// Known or null (`Some`, with the value when known); `None` while unknown.
    pub fn settled(&self) -> Option<Option<T>>
    where
        T: Clone,
    {
        match self {
            Tri::Known(t) => Some(Some(t.clone())),
            Tri::Null => Some(None),
            Tri::Unknown => None,
        }
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Tri::Unknown)
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Tri::Null)
    }
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Tri<U> {
        match self {
            Tri::Known(t) => Tri::Known(f(t)),
            Tri::Null => Tri::Null,
            Tri::Unknown => Tri::Unknown,
        }
    }
    /// Null falls back to `default`; unknown stays unknown.
    pub fn or(self, default: T) -> Tri<T> {
        match self {
            Tri::Null => Tri::Known(default),
            other => other,
        }
    }
}

impl Tri<Number> {
    /// The whole number, as [`int`] reads it: a fraction reads as null.
    pub fn whole(&self) -> Tri<i64> {
        match self {
            Tri::Known(n) => n.as_i64().map_or(Tri::Null, Tri::Known),
            Tri::Null => Tri::Null,
            Tri::Unknown => Tri::Unknown,
        }
    }
}

fn tri<'a, T>(v: &'a Value, f: impl FnOnce(&'a Value) -> Option<T>) -> Tri<T> {
    match v {
        Value::Null => Tri::Null,
        Value::Unknown(_) => Tri::Unknown,
        Value::Dynamic(_, inner) => tri(inner, f),
        other => f(other).map_or(Tri::Null, Tri::Known),
    }
}

pub fn string(v: &Value) -> Tri<String> {
    tri(v, |v| v.as_str().map(str::to_string))
}

pub fn number(v: &Value) -> Tri<Number> {
    tri(v, |v| match v {
        Value::Number(n) => Some(n.clone()),
        _ => None,
    })
}

pub fn int(v: &Value) -> Tri<i64> {
    tri(v, |v| match v {
        Value::Number(n) => n.as_i64(),
        _ => None,
    })
}

pub fn boolean(v: &Value) -> Tri<bool> {
    tri(v, |v| match v {
        Value::Bool(b) => Some(*b),
        _ => None,
    })
}

/// A `map(string)`; unknown when the map or any element is unknown. Null elements are dropped.
pub fn string_map(v: &Value) -> Tri<BTreeMap<String, String>> {
    match v {
        Value::Null => Tri::Null,
        Value::Map(m) => {
            let mut out = BTreeMap::new();
            for (k, e) in m {
                match e {
                    Value::Unknown(_) => return Tri::Unknown,
                    Value::String(s) => {
                        out.insert(k.clone(), s.clone());
                    }
                    _ => {}
                }
            }
            Tri::Known(out)
        }
        _ => Tri::Unknown,
    }
}

/// A `list(string)`; unknown when the list or any element is unknown. Null elements are dropped.
pub fn string_list(v: &Value) -> Tri<Vec<String>> {
    match v {
        Value::Null => Tri::Null,
        Value::List(items) => {
            let mut out = Vec::new();
            for e in items {
                match e {
                    Value::Unknown(_) => return Tri::Unknown,
                    Value::String(s) => out.push(s.clone()),
                    _ => {}
                }
            }
            Tri::Known(out)
        }
        _ => Tri::Unknown,
    }
}

/// The elements of a list block or list attribute (empty when null).
pub fn elements(v: &Value) -> &[Value] {
    v.as_list().unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_states() {
        assert_eq!(string(&Value::string("a")), Tri::Known("a".to_string()));
        assert_eq!(string(&Value::Null), Tri::Null);
        assert_eq!(string(&Value::unknown()), Tri::Unknown);
        assert_eq!(int(&Value::int(5)), Tri::Known(5));
        assert_eq!(Tri::<i64>::Null.or(3), Tri::Known(3));
        assert_eq!(Tri::<i64>::Unknown.or(3), Tri::Unknown);
        let m = Value::Map([("a".to_string(), Value::unknown())].into());
        assert_eq!(string_map(&m), Tri::Unknown);
        assert_eq!(
            string_map(&Value::string_map([("k", "v")]))
                .known()
                .map(|m| m.len()),
            Some(1)
        );
    }
}
