//! The `attributes!` declarations and the typed readers, on small made-up resources.

use super::*;
use crate::framework::{Attribute, Number, Type};

crate::attributes! {
    /// A test state.
    pub struct S;
    /// A test configuration.
    pub struct C;
    fields {
        name: String = required("The name."),
        size: i64 = defaulted("A size."),
        encrypted: bool = defaulted("Encrypted.") or true,
        note: Option<String> = optional("A note.").sensitive(),
        tags: BTreeMap<String, String> = computed("Tags."),
        parts: BTreeMap<String, String> as PartialMap = computed("Parts."),
    }
    raw { timeouts }
    internal { marked: bool }
}

crate::attributes! {
    /// A test block.
    pub struct Rule;
    /// A test block as configured.
    pub struct RuleConfig;
    fields {
        limit: i64 = defaulted("A limit.") or 60,
    }
}

crate::attributes! {
    /// A test state with blocks.
    pub struct WithRules;
    /// Its configuration.
    pub struct WithRulesConfig;
    fields {
        name: String = required("The name."),
    }
    blocks {
        rule: Rule / RuleConfig = list("A rule."),
    }
}

#[test]
fn list_blocks_read_with_their_defaults_and_stay_unknown_when_unknown() {
    let (name, block) = &WithRules::blocks()[0];
    assert_eq!(*name, "rule");
    assert_eq!(block.attributes[0].name, "limit");
    let v = Value::Map(
        [
            ("name".to_string(), Value::string("a")),
            (
                "rule".to_string(),
                Value::List(vec![Value::Map(
                    [("limit".to_string(), Value::Null)].into(),
                )]),
            ),
        ]
        .into(),
    );
    let s = WithRules::decode(&v);
    assert_eq!(s.rule, vec![Rule { limit: 60 }]);
    assert_eq!(WithRules::decode(&s.encode()), s);
    let c = WithRulesConfig::decode(&v);
    assert_eq!(c.rule.known().map(|r| r[0].limit.clone()), Some(Tri::Null));
    let mut u = v.clone();
    u.set("rule", Value::unknown());
    assert!(WithRulesConfig::decode(&u).rule.is_unknown());
    assert_eq!(WithRulesConfig::decode(&c.encode()), c);
}

#[test]
fn refinements_of_the_proposed_state_stay() {
    use crate::framework::value::Refinements;
    let refined = Value::Unknown(Refinements {
        nullness: Some(false),
        ..Refinements::default()
    });
    let old = Value::Map(
        [
            ("a".to_string(), refined.clone()),
            ("b".to_string(), Value::List(vec![refined.clone()])),
            ("c".to_string(), refined.clone()),
        ]
        .into(),
    );
    let new = Value::Map(
        [
            ("a".to_string(), Value::unknown()),
            ("b".to_string(), Value::List(vec![Value::unknown()])),
            ("c".to_string(), Value::string("set")),
        ]
        .into(),
    );
    let partly = Value::List(vec![Value::string("x"), Value::unknown()]);
    let mut old = old;
    old.set("d", partly.clone());
    let mut new = new;
    new.set("d", Value::unknown());
    let kept = keep_refinements(new, &old);
    assert_eq!(
        kept.get("d"),
        &partly,
        "a partly known list read whole stays as given"
    );
    assert_eq!(kept.get("a"), &refined);
    assert_eq!(kept.get("b"), &Value::List(vec![refined]));
    assert_eq!(kept.get("c"), &Value::string("set"));
}

fn names(a: &[Attribute]) -> Vec<(&str, bool, bool, bool, bool)> {
    a.iter()
        .map(|a| {
            (
                a.name.as_str(),
                a.required,
                a.optional,
                a.computed,
                a.sensitive,
            )
        })
        .collect()
}

#[test]
fn declaration_gives_schema_attributes_in_order() {
    assert_eq!(
        names(&S::attributes()),
        vec![
            ("name", true, false, false, false),
            ("size", false, true, true, false),
            ("encrypted", false, true, true, false),
            ("note", false, true, false, true),
            ("tags", false, false, true, false),
            ("parts", false, false, true, false),
        ]
    );
    assert_eq!(S::attributes()[1].ty, Type::Number);
    assert_eq!(S::attributes()[4].ty, Type::map(Type::String));
}

#[test]
fn state_round_trips_and_defaults_apply_to_null() {
    let s = S {
        name: "a".into(),
        size: 3,
        encrypted: false,
        note: Some("n".into()),
        tags: [("k".to_string(), "v".to_string())].into(),
        parts: BTreeMap::new(),
        timeouts: Value::Null,
        marked: true,
    };
    let back = S::decode(&s.encode());
    assert!(!back.marked, "internal fields are never written");
    assert_eq!(
        S {
            marked: true,
            ..back
        },
        s
    );
    let empty = S::decode(&Value::Null);
    assert!(empty.encrypted, "`or true` is the default of a null bool");
    assert_eq!(empty.size, 0);
    assert_eq!(empty.note, None);
}

#[test]
fn config_keeps_null_unknown_and_non_integers_apart() {
    let mut v = S::default().encode();
    v.set("name", Value::unknown());
    v.set("size", Value::Number(Number::Float(2.5)));
    v.set("note", Value::Null);
    v.set(
        "parts",
        Value::Map([("a".to_string(), Value::unknown())].into()),
    );
    let c = C::decode(&v);
    assert_eq!(
        c.parts,
        Tri::Known([("a".to_string(), Tri::Unknown)].into())
    );
    assert_eq!(c.name, Tri::Unknown);
    assert_eq!(c.size, Tri::Known(Number::Float(2.5)));
    assert_eq!(c.note, Tri::Null);
    assert_eq!(C::decode(&c.encode()), c);
}

#[test]
fn a_list_of_maps_keeps_unknown_maps_and_values_apart() {
    let v = Value::List(vec![
        Value::Map(
            [
                ("kind".to_string(), Value::string("cluster")),
                ("load_balancer".to_string(), Value::unknown()),
            ]
            .into(),
        ),
        Value::unknown(),
    ]);
    let planned = PartialMaps::planned(&v);
    let Tri::Known(maps) = &planned else {
        panic!("{planned:?}");
    };
    assert_eq!(maps.len(), 2);
    assert!(maps[1].is_unknown());
    let first = maps[0].known().unwrap();
    assert_eq!(first["kind"], Tri::Known("cluster".to_string()));
    assert!(first["load_balancer"].is_unknown());
    assert_eq!(write_tri::<PartialMaps>(&planned), v);
    // In state: known only when every map and value is.
    assert_eq!(<Vec<BTreeMap<String, String>>>::read(&v), None);
    let known = vec![BTreeMap::from([("kind".to_string(), "redis".to_string())])];
    assert_eq!(
        <Vec<BTreeMap<String, String>>>::read(&known.write()),
        Some(known)
    );
    assert_eq!(PartialMaps::planned(&Value::Null), Tri::Null);
}

#[test]
fn declared_defaults_fill_only_what_the_configuration_leaves_null() {
    let config = |encrypted: Value, size: Value| {
        C::decode(&Value::Map(
            [
                ("name".to_string(), Value::string("a")),
                ("encrypted".to_string(), encrypted),
                ("size".to_string(), size),
            ]
            .into(),
        ))
    };
    let cases: Vec<(&str, Value, crate::framework::decode::Tri<bool>)> = vec![
        (
            "null takes the declared default",
            Value::Null,
            crate::framework::decode::Tri::Known(true),
        ),
        (
            "a configured value stays",
            Value::Bool(false),
            crate::framework::decode::Tri::Known(false),
        ),
        (
            "unknown stays unknown",
            Value::unknown(),
            crate::framework::decode::Tri::Unknown,
        ),
    ];
    for (case, encrypted, want) in cases {
        let cfg = config(encrypted, Value::Null);
        let mut planned = cfg.clone();
        planned.fill_declared_defaults(&cfg);
        assert_eq!(planned.encrypted, want, "{case}");
        assert!(
            planned.size.is_null(),
            "{case}: no declared default, left to the resource's plan"
        );
        assert_eq!(planned.name, cfg.name, "{case}: the rest as it was");
    }
}
