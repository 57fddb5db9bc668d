//! Reading and writing the fields of a resource's typed state: a known value or the type's
//! default (state is wholly known), and the cty value of each Rust type.

use std::collections::BTreeMap;

use super::decode;
use super::value::Value;

pub fn string(v: &Value) -> String {
    decode::string(v).into_known().unwrap_or_default()
}
pub fn opt_string(v: &Value) -> Option<String> {
    decode::string(v).into_known()
}
pub fn int(v: &Value) -> i64 {
    decode::int(v).into_known().unwrap_or_default()
}
pub fn opt_int(v: &Value) -> Option<i64> {
    decode::int(v).into_known()
}
pub fn boolean(v: &Value) -> bool {
    decode::boolean(v).into_known().unwrap_or(false)
}
pub fn strings(v: &Value) -> Vec<String> {
    decode::string_list(v).into_known().unwrap_or_default()
}
pub fn map(v: &Value) -> BTreeMap<String, String> {
    decode::string_map(v).into_known().unwrap_or_default()
}
pub fn opt_map(v: &Value) -> Option<BTreeMap<String, String>> {
    decode::string_map(v).into_known()
}

pub fn of_map(m: &BTreeMap<String, String>) -> Value {
    Value::string_map(m.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}
pub fn of_opt_map(m: &Option<BTreeMap<String, String>>) -> Value {
    m.as_ref().map_or(Value::Null, of_map)
}
pub fn of_list(v: &[String]) -> Value {
    Value::string_list(v.iter().map(String::as_str))
}
pub fn of_opt(v: &Option<String>) -> Value {
    v.as_ref().map_or(Value::Null, Value::string)
}
pub fn of_opt_int(v: Option<i64>) -> Value {
    v.map_or(Value::Null, Value::int)
}
