//! How each Rust type of an attribute reads from and writes to a cty value: [`Field`] in state,
//! [`Plannable`] in a configuration or plan (known, null or unknown), and the planned shapes that
//! keep unknown elements apart ([`PartialMap`], [`PartialList`], [`PartialMaps`]).

use std::collections::BTreeMap;

use crate::framework::decode::{self, Tri};
use crate::framework::types::Type;
use crate::framework::value::{Number, Value};

/// How an attribute reads in a configuration or a plan, where it may also be null or unknown.
pub trait Plannable {
    /// Numbers stay [`Number`] here, so a validation can see `2.5` where a whole number is expected.
    type Planned: Clone + std::fmt::Debug + PartialEq;
    fn planned(v: &Value) -> Tri<Self::Planned>;
    fn write_planned(p: &Self::Planned) -> Value;
}

/// A Rust type that holds one attribute's value in state.
pub trait Field: Plannable + Sized {
    /// The cty type of the attribute.
    fn ty() -> Type;
    /// The known value, `None` when null or unknown.
    fn read(v: &Value) -> Option<Self>;
    fn write(&self) -> Value;
}

/// A planned `map(string)` whose elements may be unknown one by one (a component not yet made).
pub struct PartialMap;
impl Plannable for PartialMap {
    type Planned = BTreeMap<String, Tri<String>>;
    fn planned(v: &Value) -> Tri<Self::Planned> {
        match v {
            Value::Null => Tri::Null,
            Value::Map(m) => Tri::Known(
                m.iter()
                    .map(|(k, e)| (k.clone(), decode::string(e)))
                    .collect(),
            ),
            _ => Tri::Unknown,
        }
    }
    fn write_planned(p: &Self::Planned) -> Value {
        Value::Map(
            p.iter()
                .map(|(k, e)| (k.clone(), write_tri::<String>(e)))
                .collect(),
        )
    }
}

/// A planned `list(string)` whose elements may be unknown one by one.
pub struct PartialList;
impl Plannable for PartialList {
    type Planned = Vec<Tri<String>>;
    fn planned(v: &Value) -> Tri<Self::Planned> {
        match v {
            Value::Null => Tri::Null,
            Value::List(l) => Tri::Known(l.iter().map(decode::string).collect()),
            _ => Tri::Unknown,
        }
    }
    fn write_planned(p: &Self::Planned) -> Value {
        Value::List(p.iter().map(write_tri::<String>).collect())
    }
}

/// A planned `list(map(string))` whose maps, and each map's values, may be unknown one by one (the
/// `watch` maps of other resources, some values known only after they are made).
pub struct PartialMaps;
impl Plannable for PartialMaps {
    type Planned = Vec<Tri<BTreeMap<String, Tri<String>>>>;
    fn planned(v: &Value) -> Tri<Self::Planned> {
        match v {
            Value::Null => Tri::Null,
            Value::List(l) => Tri::Known(l.iter().map(PartialMap::planned).collect()),
            _ => Tri::Unknown,
        }
    }
    fn write_planned(p: &Self::Planned) -> Value {
        Value::List(p.iter().map(write_tri::<PartialMap>).collect())
    }
}

impl Field for Vec<BTreeMap<String, String>> {
    fn ty() -> Type {
        Type::list(Type::map(Type::String))
    }
    fn read(v: &Value) -> Option<Self> {
        match v {
            Value::List(l) => l
                .iter()
                .map(|m| decode::string_map(m).into_known())
                .collect(),
            _ => None,
        }
    }
    fn write(&self) -> Value {
        Value::List(self.iter().map(Field::write).collect())
    }
}
impl Plannable for Vec<BTreeMap<String, String>> {
    type Planned = Vec<BTreeMap<String, String>>;
    fn planned(v: &Value) -> Tri<Self::Planned> {
        match v {
            Value::Null => Tri::Null,
            v => Self::read(v).map_or(Tri::Unknown, Tri::Known),
        }
    }
    fn write_planned(p: &Self::Planned) -> Value {
        p.write()
    }
}

impl Field for String {
    fn ty() -> Type {
        Type::String
    }
    fn read(v: &Value) -> Option<Self> {
        decode::string(v).into_known()
    }
    fn write(&self) -> Value {
        Value::string(self)
    }
}
impl Plannable for String {
    type Planned = String;
    fn planned(v: &Value) -> Tri<String> {
        decode::string(v)
    }
    fn write_planned(p: &String) -> Value {
        Value::string(p)
    }
}

impl Field for i64 {
    fn ty() -> Type {
        Type::Number
    }
    fn read(v: &Value) -> Option<Self> {
        decode::int(v).into_known()
    }
    fn write(&self) -> Value {
        Value::int(*self)
    }
}
impl Plannable for i64 {
    type Planned = Number;
    fn planned(v: &Value) -> Tri<Number> {
        decode::number(v)
    }
    fn write_planned(p: &Number) -> Value {
        Value::Number(p.clone())
    }
}

impl Field for Number {
    fn ty() -> Type {
        Type::Number
    }
    fn read(v: &Value) -> Option<Self> {
        decode::number(v).into_known()
    }
    fn write(&self) -> Value {
        Value::Number(self.clone())
    }
}
impl Plannable for Number {
    type Planned = Number;
    fn planned(v: &Value) -> Tri<Number> {
        decode::number(v)
    }
    fn write_planned(p: &Number) -> Value {
        Value::Number(p.clone())
    }
}

impl Field for bool {
    fn ty() -> Type {
        Type::Bool
    }
    fn read(v: &Value) -> Option<Self> {
        decode::boolean(v).into_known()
    }
    fn write(&self) -> Value {
        Value::Bool(*self)
    }
}
impl Plannable for bool {
    type Planned = bool;
    fn planned(v: &Value) -> Tri<bool> {
        decode::boolean(v)
    }
    fn write_planned(p: &bool) -> Value {
        Value::Bool(*p)
    }
}

impl Field for Vec<String> {
    fn ty() -> Type {
        Type::list(Type::String)
    }
    fn read(v: &Value) -> Option<Self> {
        decode::string_list(v).into_known()
    }
    fn write(&self) -> Value {
        Value::string_list(self.iter().map(String::as_str))
    }
}
impl Plannable for Vec<String> {
    type Planned = Vec<String>;
    fn planned(v: &Value) -> Tri<Vec<String>> {
        decode::string_list(v)
    }
    fn write_planned(p: &Vec<String>) -> Value {
        p.write()
    }
}

impl Field for Vec<i64> {
    fn ty() -> Type {
        Type::list(Type::Number)
    }
    fn read(v: &Value) -> Option<Self> {
        match v {
            Value::List(l) => l.iter().map(|e| decode::int(e).into_known()).collect(),
            _ => None,
        }
    }
    fn write(&self) -> Value {
        Value::List(self.iter().map(|n| Value::int(*n)).collect())
    }
}
/// Planned as numbers, so that a validation can see `2.5` where a whole number is expected; a
/// list with an unknown element is unknown as a whole.
impl Plannable for Vec<i64> {
    type Planned = Vec<Number>;
    fn planned(v: &Value) -> Tri<Vec<Number>> {
        match v {
            Value::Null => Tri::Null,
            Value::List(l) => l
                .iter()
                .map(|e| decode::number(e).into_known())
                .collect::<Option<Vec<_>>>()
                .map_or(Tri::Unknown, Tri::Known),
            _ => Tri::Unknown,
        }
    }
    fn write_planned(p: &Vec<Number>) -> Value {
        Value::List(p.iter().cloned().map(Value::Number).collect())
    }
}

impl Field for BTreeMap<String, String> {
    fn ty() -> Type {
        Type::map(Type::String)
    }
    fn read(v: &Value) -> Option<Self> {
        decode::string_map(v).into_known()
    }
    fn write(&self) -> Value {
        Value::string_map(self.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }
}
impl Plannable for BTreeMap<String, String> {
    type Planned = BTreeMap<String, String>;
    fn planned(v: &Value) -> Tri<BTreeMap<String, String>> {
        decode::string_map(v)
    }
    fn write_planned(p: &BTreeMap<String, String>) -> Value {
        p.write()
    }
}

/// An attribute that may be null in state: `None` is null.
impl<T: Field> Field for Option<T> {
    fn ty() -> Type {
        T::ty()
    }
    fn read(v: &Value) -> Option<Self> {
        Some(T::read(v))
    }
    fn write(&self) -> Value {
        self.as_ref().map_or(Value::Null, T::write)
    }
}
impl<T: Field> Plannable for Option<T> {
    type Planned = T::Planned;
    fn planned(v: &Value) -> Tri<T::Planned> {
        T::planned(v)
    }
    fn write_planned(p: &T::Planned) -> Value {
        T::write_planned(p)
    }
}

/// The cty value of a planned field: unknown stays unknown, null stays null.
pub fn write_tri<F: Plannable>(t: &Tri<F::Planned>) -> Value {
    match t {
        Tri::Known(p) => F::write_planned(p),
        Tri::Null => Value::Null,
        Tri::Unknown => Value::unknown(),
    }
}
