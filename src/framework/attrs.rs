//! A resource's attributes declared once: [`attributes!`] turns one list of fields (name, Rust
//! type, kind, description) into the schema's attributes, the typed state (every value known) and
//! the typed configuration (each value known, null or unknown), with their conversions to and from
//! cty values. Resources read attributes only through these structs, never by name.

use std::collections::BTreeMap;

use super::decode::Tri;
use super::value::Value;

mod field;
pub use field::{write_tri, Field, PartialList, PartialMap, PartialMaps, Plannable};

/// The type that reads a field in a configuration: the field's own, or the one after `as`.
#[doc(hidden)]
#[macro_export]
macro_rules! __attr_planned {
    ($ty:ty) => {
        $ty
    };
    ($ty:ty, $pty:ty) => {
        $pty
    };
}

/// A list block in a configuration or plan: each block decoded by `f`; the list may be unknown.
pub fn planned_blocks<C>(v: &Value, f: fn(&Value) -> C) -> Tri<Vec<C>> {
    match v {
        Value::Null => Tri::Null,
        Value::List(items) => Tri::Known(items.iter().map(f).collect()),
        _ => Tri::Unknown,
    }
}

/// The cty value of a planned list block.
pub fn write_blocks<C>(t: &Tri<Vec<C>>, f: fn(&C) -> Value) -> Value {
    match t {
        Tri::Known(items) => Value::List(items.iter().map(f).collect()),
        Tri::Null => Value::Null,
        Tri::Unknown => Value::unknown(),
    }
}

/// A single nested block in a configuration or plan: decoded by `f` when present; null when absent.
pub fn planned_block<C>(v: &Value, f: fn(&Value) -> C) -> Tri<C> {
    match v {
        Value::Null => Tri::Null,
        Value::Unknown(_) => Tri::Unknown,
        v => Tri::Known(f(v)),
    }
}

/// The cty value of a planned single block.
pub fn write_block<C>(t: &Tri<C>, f: fn(&C) -> Value) -> Value {
    match t {
        Tri::Known(b) => f(b),
        Tri::Null => Value::Null,
        Tri::Unknown => Value::unknown(),
    }
}

/// A single nested block in state: `None` when absent.
pub fn state_block<S>(v: &Value, f: fn(&Value) -> S) -> Option<S> {
    (!v.is_null()).then(|| f(v))
}

/// The blocks of a list that may be unknown: none until known.
pub fn blocks<C>(t: &Tri<Vec<C>>) -> &[C] {
    t.known().map_or(&[], Vec::as_slice)
}

/// A planned list whose elements may be unknown one by one, as a whole: unknown when any is
/// (null elements are dropped, as [`string_list`](super::decode::string_list) does).
pub fn whole_list(t: &Tri<Vec<Tri<String>>>) -> Tri<Vec<String>> {
    match t {
        Tri::Known(items) => items
            .iter()
            .filter(|e| !e.is_null())
            .map(|e| e.known().cloned())
            .collect::<Option<Vec<_>>>()
            .map_or(Tri::Unknown, Tri::Known),
        Tri::Null => Tri::Null,
        Tri::Unknown => Tri::Unknown,
    }
}

/// A planned object written from typed fields, with what Terraform already knew put back, so that
/// a planned value still equals its configuration value exactly: where `new` is a bare unknown and
/// `old` (the proposed state) is unknown with refinements, or a list or map only partly known (a
/// typed field reads such a value as unknown as a whole), `old` stays.
pub fn keep_refinements(new: Value, old: &Value) -> Value {
    match (new, old) {
        (Value::Unknown(r), Value::Unknown(o)) if r.is_empty() => Value::Unknown(o.clone()),
        (Value::Unknown(r), o @ (Value::List(_) | Value::Map(_)))
            if r.is_empty() && !o.is_wholly_known() =>
        {
            o.clone()
        }
        (Value::List(n), Value::List(o)) if n.len() == o.len() => Value::List(
            n.into_iter()
                .zip(o)
                .map(|(n, o)| keep_refinements(n, o))
                .collect(),
        ),
        (Value::Map(n), Value::Map(o)) => Value::Map(
            n.into_iter()
                .map(|(k, v)| {
                    let v = match o.get(&k) {
                        Some(ov) => keep_refinements(v, ov),
                        None => v,
                    };
                    (k, v)
                })
                .collect(),
        ),
        (new, _) => new,
    }
}

/// A planned map whose elements may be unknown one by one, as a whole: unknown when any is
/// (null elements are dropped, as [`string_map`](super::decode::string_map) does).
pub fn whole_map(t: &Tri<BTreeMap<String, Tri<String>>>) -> Tri<BTreeMap<String, String>> {
    match t {
        Tri::Known(m) => m
            .iter()
            .filter(|(_, e)| !e.is_null())
            .map(|(k, e)| e.known().map(|s| (k.clone(), s.clone())))
            .collect::<Option<BTreeMap<_, _>>>()
            .map_or(Tri::Unknown, Tri::Known),
        Tri::Null => Tri::Null,
        Tri::Unknown => Tri::Unknown,
    }
}

/// A planned value: the configured one, or `default` where the configuration leaves it null.
pub fn configured_or<T: Clone>(given: &Tri<T>, default: Tri<T>) -> Tri<T> {
    match given {
        Tri::Null => default,
        other => other.clone(),
    }
}

/// `f` of the planned environment; unknown while the environment is.
pub fn by_env<E: Copy, T>(env: &Tri<E>, f: impl FnOnce(E) -> T) -> Tri<T> {
    match env {
        Tri::Known(e) => Tri::Known(f(*e)),
        _ => Tri::Unknown,
    }
}

/// Fills each field of `planned` that `cfg` leaves null with its default, in order (a default
/// may read a field filled before it): `env <fn>` a function of the planned environment `env`, a
/// `&Tri` (unknown while it is); `fixed <value>` a value; `given <Tri>` a planned value as it is.
///
/// ```ignore
/// defaults!(planned, cfg, env;
///     replicas: env |e| Number::Int(e.db_replicas()),
///     backup_window: fixed DEFAULT_BACKUP_WINDOW.to_string(),
/// );
/// ```
#[macro_export]
macro_rules! defaults {
    ($planned:ident, $cfg:ident, $env:ident; $( $f:ident : $how:ident $e:expr ),* $(,)?) => {
        $(
            $planned.$f = $crate::framework::attrs::configured_or(
                &$cfg.$f,
                $crate::__default_of!($how, $env, $e),
            );
        )*
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __default_of {
    (env, $env:ident, $e:expr) => {
        $crate::framework::attrs::by_env($env, $e)
    };
    (fixed, $env:ident, $e:expr) => {
        $crate::framework::decode::Tri::Known($e)
    };
    (given, $env:ident, $e:expr) => {
        $e
    };
}

/// Whether an attribute declared with `kind` is computed only (set by the provider, never by the
/// configuration).
#[doc(hidden)]
pub const fn is_computed(kind: &str) -> bool {
    matches!(kind.as_bytes(), b"computed")
}

/// The default of a field in state: the type's default, or the one the declaration names.
#[doc(hidden)]
#[macro_export]
macro_rules! __attr_default {
    () => {
        ::std::default::Default::default()
    };
    ($e:expr) => {
        $e
    };
}

/// Declares a resource's attributes once.
///
/// ```ignore
/// attributes! {
///     /// Typed `prod_network` state.
///     pub struct State;
///     /// Typed `prod_network` configuration, as given or planned.
///     pub struct Config;
///     fields {
///         name: String = required("Name of the network."),
///         az_count: i64 = defaulted("Zones to span."),
///         root_volume_encrypted: bool = defaulted("…") or true,
///         tags_all: BTreeMap<String, String> = computed("Effective tags."),
///     }
///     raw { timeouts }
///     internal { create_incomplete: bool }
/// }
/// ```
///
/// A field may name, after `as`, how it reads in a configuration or plan: [`PartialMap`] and
/// [`PartialList`] keep unknown elements apart (a planned `components` map).
/// Each field's kind is an [`Attribute`](crate::framework::Attribute) constructor (`required`,
/// `optional`, `defaulted`, `computed`), optionally followed by `.sensitive()` and `.write_only()`
/// (the value comes in the configuration only: the state's field stays `None`); `or <expr>` gives
/// the state's value when the attribute is null or unknown (else the type's default). `blocks`
/// lists nested list blocks, each a pair of structs declared by another `attributes!` (state
/// `Vec<Block>`, configuration `Tri<Vec<BlockConfig>>`); `State::blocks()` gives their schema. `single`
/// lists optional single nested blocks the same way (state `Option<Block>`, configuration
/// `Tri<BlockConfig>`, null when the block is absent); `State::single_blocks()` gives their schema. `raw` fields
/// (blocks such as `timeouts`) travel as `Value`s in both structs; `internal` fields are state-only
/// and never written. `State::attributes()` lists the schema attributes in declaration order.
///
/// A resource's own attributes start `resource "<type name>";` in place of the two structs: they
/// are `State` and `Config`, documented as that resource's.
///
/// A `common { tags … = "…", components = "…", posture … = "…" }` section before `fields` declares
/// the attributes every resource has, once for all, each described as the resource words it:
/// first `environment` (the profile), `tags` (`as PartialMap` where a plan keeps unknown values
/// apart) and the computed `tags_all`; last the computed `components` (role → identifier, planned
/// element by element) and `posture` (control → `pass` or `fail: <reason>`; `as PartialMap` where a
/// plan keeps unknown values apart).
#[macro_export]
macro_rules! attributes {
    (
        resource $type:literal;
        common { $($common:tt)* }
        $($rest:tt)*
    ) => {
        $crate::attributes! {
            #[doc = concat!("The whole `", $type, "` state (every value known).")]
            pub struct State;
            #[doc = concat!("A `", $type, "` configuration, proposed or planned state: each value known, null or unknown.")]
            pub struct Config;
            common { $($common)* }
            $($rest)*
        }
    };
    (
        $(#[$smeta:meta])*
        pub struct $State:ident;
        $(#[$cmeta:meta])*
        pub struct $Config:ident;
        common {
            tags $( as $tpty:ty )? = $tags:expr,
            components = $components:expr,
            posture $( as $ppty:ty )? = $posture:expr $(,)?
        }
        fields { $($fields:tt)* }
        $($rest:tt)*
    ) => {
        $crate::attributes! {
            $(#[$smeta])*
            pub struct $State;
            $(#[$cmeta])*
            pub struct $Config;
            fields {
                environment: String = defaulted("Environment profile: `development`, `staging` or `production`. Defaults to the provider's."),
                tags: Option<::std::collections::BTreeMap<String, String>> $( as $tpty )? = optional($tags),
                tags_all: ::std::collections::BTreeMap<String, String> = computed("Effective tags: provider `default_tags`, `tags`, and the provider's `prod:*` tags."),
                $($fields)*
                components: ::std::collections::BTreeMap<String, String> as $crate::framework::attrs::PartialMap = computed($components),
                posture: ::std::collections::BTreeMap<String, String> $( as $ppty )? = computed($posture),
            }
            $($rest)*
        }
    };
    (
        $(#[$smeta:meta])*
        pub struct $State:ident;
        $(#[$cmeta:meta])*
        pub struct $Config:ident;
        fields {
            $( $field:ident : $ty:ty $( as $pty:ty )? = $kind:ident ( $desc:expr ) $( . $modifier:ident () )* $( or $default:expr )? ),* $(,)?
        }
        $( blocks { $( $block:ident : $bty:ident / $bcfg:ident = list ( $bdesc:expr ) ),* $(,)? } )?
        $( single { $( $single:ident : $sty:ident / $scfg:ident = single ( $sdesc:expr ) ),* $(,)? } )?
        $( raw { $( $raw:ident ),* $(,)? } )?
        $( internal { $( $internal:ident : $ity:ty ),* $(,)? } )?
    ) => {
        $(#[$smeta])*
        #[derive(Clone, Debug, PartialEq, Default)]
        pub struct $State {
            $( pub $field: $ty, )*
            $( $( pub $block: Vec<$bty>, )* )?
            $( $( pub $single: Option<$sty>, )* )?
            $( $( pub $raw: $crate::framework::Value, )* )?
            $( $( pub $internal: $ity, )* )?
        }

        $(#[$cmeta])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $Config {
            $( pub $field: $crate::framework::decode::Tri<<$crate::__attr_planned!($ty $(, $pty)?) as $crate::framework::attrs::Plannable>::Planned>, )*
            $( $( pub $block: $crate::framework::decode::Tri<Vec<$bcfg>>, )* )?
            $( $( pub $single: $crate::framework::decode::Tri<$scfg>, )* )?
            $( $( pub $raw: $crate::framework::Value, )* )?
        }

        #[allow(dead_code)]
        impl $State {
            /// The schema attributes, in declaration order.
            #[allow(dead_code)]
            pub fn attributes() -> Vec<$crate::framework::Attribute> {
                vec![ $(
                    $crate::framework::Attribute::$kind(
                        stringify!($field),
                        <$ty as $crate::framework::attrs::Field>::ty(),
                        $desc,
                    ) $( .$modifier() )*
                ),* ]
            }
            /// The nested list blocks, in declaration order.
            #[allow(dead_code)]
            pub fn blocks() -> Vec<(&'static str, $crate::framework::Block)> {
                vec![ $( $(
                    (stringify!($block), $crate::framework::Block::new($bdesc).attrs($bty::attributes())),
                )* )? ]
            }
            /// The optional single nested blocks, in declaration order.
            #[allow(dead_code)]
            pub fn single_blocks() -> Vec<(&'static str, $crate::framework::Block)> {
                vec![ $( $(
                    (stringify!($single), $crate::framework::Block::new($sdesc).attrs($sty::attributes())),
                )* )? ]
            }
            /// The state held in a cty object (null or unknown attributes take their defaults).
            pub fn decode(v: &$crate::framework::Value) -> $State {
                $State {
                    $( $field: <$ty as $crate::framework::attrs::Field>::read(v.get(stringify!($field)))
                        .unwrap_or_else(|| $crate::__attr_default!($($default)?)), )*
                    $( $( $block: $crate::framework::decode::elements(v.get(stringify!($block))).iter().map($bty::decode).collect(), )* )?
                    $( $( $single: $crate::framework::attrs::state_block(v.get(stringify!($single)), $sty::decode), )* )?
                    $( $( $raw: v.get(stringify!($raw)).clone(), )* )?
                    $( $( $internal: ::std::default::Default::default(), )* )?
                }
            }
            /// Every computed attribute as `prior` holds it: where apply starts, before it makes
            /// anything (a value the plan already knows is set again after this by whoever needs it).
            pub fn keep_computed(&mut self, prior: &$State) {
                $( if $crate::framework::attrs::is_computed(stringify!($kind)) {
                    self.$field = prior.$field.clone();
                } )*
            }
            /// The cty object of this state.
            pub fn encode(&self) -> $crate::framework::Value {
                let mut m = ::std::collections::BTreeMap::new();
                $( m.insert(stringify!($field).to_string(), $crate::framework::attrs::Field::write(&self.$field)); )*
                $( $( m.insert(stringify!($block).to_string(), $crate::framework::Value::List(self.$block.iter().map($bty::encode).collect())); )* )?
                $( $( m.insert(stringify!($single).to_string(), self.$single.as_ref().map_or($crate::framework::Value::Null, $sty::encode)); )* )?
                $( $( m.insert(stringify!($raw).to_string(), self.$raw.clone()); )* )?
                $crate::framework::Value::Map(m)
            }
        }

        #[allow(dead_code)]
        impl $Config {
            /// The configuration (or proposed or planned state) held in a cty object.
            pub fn decode(v: &$crate::framework::Value) -> $Config {
                $Config {
                    $( $field: <$crate::__attr_planned!($ty $(, $pty)?) as $crate::framework::attrs::Plannable>::planned(v.get(stringify!($field))), )*
                    $( $( $block: $crate::framework::attrs::planned_blocks(v.get(stringify!($block)), $bcfg::decode), )* )?
                    $( $( $single: $crate::framework::attrs::planned_block(v.get(stringify!($single)), $scfg::decode), )* )?
                    $( $( $raw: v.get(stringify!($raw)).clone(), )* )?
                }
            }
            /// Each attribute the configuration `cfg` leaves null, at the default its declaration
            /// names (`or <expr>`): an argument whose default no profile chooses needs no line in
            /// the resource's plan. The others stay as they are.
            #[allow(unused_mut, unused_variables)]
            pub fn fill_declared_defaults(&mut self, cfg: &$Config) {
                let mut v = self.encode();
                $( $( if cfg.$field.is_null() {
                    let d: $ty = $default;
                    v.set(stringify!($field), $crate::framework::attrs::Field::write(&d));
                } )? )*
                *self = $Config::decode(&v);
            }
            /// The cty object of this configuration or plan.
            pub fn encode(&self) -> $crate::framework::Value {
                let mut m = ::std::collections::BTreeMap::new();
                $( m.insert(stringify!($field).to_string(), $crate::framework::attrs::write_tri::<$crate::__attr_planned!($ty $(, $pty)?)>(&self.$field)); )*
                $( $( m.insert(stringify!($block).to_string(), $crate::framework::attrs::write_blocks(&self.$block, $bcfg::encode)); )* )?
                $( $( m.insert(stringify!($single).to_string(), $crate::framework::attrs::write_block(&self.$single, $scfg::encode)); )* )?
                $( $( m.insert(stringify!($raw).to_string(), self.$raw.clone()); )* )?
                $crate::framework::Value::Map(m)
            }
        }
    };
}

#[cfg(test)]
mod tests;
