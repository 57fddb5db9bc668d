//! The codec against the exact bytes Terraform sends and expects (protocol.md §3), then round trips.

use super::*;

fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn bytes(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

#[test]
fn plain_unknown_is_fixext1_type_0() {
    assert_eq!(
        hex(&encode(&Value::unknown(), &Type::String).unwrap()),
        "d4 00 00"
    );
    assert_eq!(
        decode(&[0xd4, 0x00, 0x00], &Type::Number).unwrap(),
        Value::unknown()
    );
}

#[test]
fn null_and_bools() {
    assert_eq!(
        encode(&Value::Null, &Type::list(Type::String)).unwrap(),
        vec![0xc0]
    );
    assert_eq!(
        encode(&Value::Bool(false), &Type::Bool).unwrap(),
        vec![0xc2]
    );
    assert_eq!(encode(&Value::Bool(true), &Type::Bool).unwrap(), vec![0xc3]);
    assert_eq!(decode(&[0xc0], &Type::Dynamic).unwrap(), Value::Null);
    assert_eq!(decode(&[], &Type::String).unwrap(), Value::Null);
}

#[test]
fn refined_unknown_with_prefix_matches_terraform() {
    // "pre-${var.n}" as Terraform sends it.
    let wire = bytes(&[&[0xc7, 0x09, 0x0c, 0x82, 0x01, 0xc2, 0x02, 0xa4], b"pre-"]);
    let v = decode(&wire, &Type::String).unwrap();
    let expected = Value::Unknown(Refinements {
        nullness: Some(false),
        string_prefix: Some("pre-".into()),
        ..Default::default()
    });
    assert_eq!(v, expected);
    assert_eq!(encode(&expected, &Type::String).unwrap(), wire);
}

#[test]
fn refined_unknown_not_null_matches_terraform() {
    // cond ? "x" : "y"
    let wire = vec![0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2];
    let v = decode(&wire, &Type::String).unwrap();
    assert_eq!(
        v,
        Value::Unknown(Refinements {
            nullness: Some(false),
            ..Default::default()
        })
    );
    assert_eq!(encode(&v, &Type::String).unwrap(), wire);
}

#[test]
fn any_extension_is_unknown_and_unknown_keys_are_ignored() {
    assert!(decode(&[0xd4, 0x05, 0x01], &Type::Bool)
        .unwrap()
        .is_unknown());
    // type 12, map {1: false, 99: "future"}
    let wire = bytes(&[&[0xc7, 0x0b, 0x0c, 0x82, 0x01, 0xc2, 0x63, 0xa6], b"future"]);
    assert_eq!(
        decode(&wire, &Type::String).unwrap(),
        Value::Unknown(Refinements {
            nullness: Some(false),
            ..Default::default()
        })
    );
}

#[test]
fn number_and_length_refinements_round_trip() {
    let r = Refinements {
        nullness: Some(false),
        number_lower: Some((Number::Int(0), true)),
        number_upper: Some((Number::Float(2.5), false)),
        length_lower: Some(1),
        length_upper: Some(3),
        ..Default::default()
    };
    let v = Value::Unknown(r);
    let wire = encode(&v, &Type::Number).unwrap();
    assert_eq!(wire[2], 0x0c);
    assert_eq!(decode(&wire, &Type::Number).unwrap(), v);
}

#[test]
fn dynamic_object_matches_terraform() {
    // {a = 1, b = ["x"]} in a dynamic attribute.
    let ty_json = br#"["object",{"a":"number","b":["tuple",["string"]]}]"#;
    assert_eq!(ty_json.len(), 0x32);
    let wire = bytes(&[
        &[0x92, 0xc4, 0x32],
        ty_json,
        &[0x82, 0xa1, 0x61, 0x01, 0xa1, 0x62, 0x91, 0xa1, 0x78],
    ]);
    let v = decode(&wire, &Type::Dynamic).unwrap();
    let concrete = Type::object([("a", Type::Number), ("b", Type::Tuple(vec![Type::String]))]);
    let inner = Value::Map(
        [
            ("a".to_string(), Value::int(1)),
            ("b".to_string(), Value::string_list(["x"])),
        ]
        .into(),
    );
    assert_eq!(v, Value::Dynamic(concrete, Box::new(inner)));
    assert_eq!(encode(&v, &Type::Dynamic).unwrap(), wire);
}

#[test]
fn dynamic_float_matches_terraform() {
    let wire = bytes(&[
        &[0x92, 0xc4, 0x08],
        br#""number""#,
        &[0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0],
    ]);
    let v = decode(&wire, &Type::Dynamic).unwrap();
    assert_eq!(
        v,
        Value::Dynamic(Type::Number, Box::new(Value::Number(Number::Float(1.5))))
    );
    assert_eq!(encode(&v, &Type::Dynamic).unwrap(), wire);
}

#[test]
fn dynamic_unknown_is_bare_ext() {
    assert_eq!(
        hex(&encode(&Value::unknown(), &Type::Dynamic).unwrap()),
        "d4 00 00"
    );
    assert!(encode(&Value::string("x"), &Type::Dynamic).is_err());
}

#[test]
fn numbers_use_the_smallest_exact_form() {
    assert_eq!(encode(&Value::int(1), &Type::Number).unwrap(), vec![0x01]);
    assert_eq!(encode(&Value::int(-1), &Type::Number).unwrap(), vec![0xff]);
    assert_eq!(
        encode(&Value::int(300), &Type::Number).unwrap(),
        vec![0xcd, 0x01, 0x2c]
    );
    let big = Value::Number(Number::Decimal("18446744073709551615".into()));
    assert_eq!(
        hex(&encode(&big, &Type::Number).unwrap()),
        "cf ff ff ff ff ff ff ff ff"
    );
    assert_eq!(
        decode(&encode(&big, &Type::Number).unwrap(), &Type::Number).unwrap(),
        big
    );
    let huge = Value::Number(Number::Decimal("1e400".into()));
    let wire = encode(&huge, &Type::Number).unwrap();
    assert_eq!(&wire[1..], b"1e400");
    assert_eq!(decode(&wire, &Type::Number).unwrap(), huge);
    // floats that hold an integer compare equal to it
    assert_eq!(
        decode(&[0xcb, 0x40, 0x59, 0, 0, 0, 0, 0, 0], &Type::Number).unwrap(),
        Value::int(100)
    );
}

#[test]
fn objects_carry_every_attribute_sorted() {
    let ty = Type::object([("b", Type::String), ("a", Type::list(Type::Number))]);
    let v = Value::Map([("b".to_string(), Value::string("x"))].into());
    // {"a": nil, "b": "x"}
    assert_eq!(hex(&encode(&v, &ty).unwrap()), "82 a1 61 c0 a1 62 a1 78");
    let back = decode(&encode(&v, &ty).unwrap(), &ty).unwrap();
    assert_eq!(back.get("a"), &Value::Null);
    assert_eq!(back.get("b"), &Value::string("x"));
}

#[test]
fn errors_carry_the_path() {
    let ty = Type::object([(
        "alarm",
        Type::list(Type::object([("threshold", Type::Number)])),
    )]);
    // {"alarm": [{"threshold": "abc"}]}
    let wire = bytes(&[
        &[0x81, 0xa5],
        b"alarm",
        &[0x91, 0x81, 0xa9],
        b"threshold",
        &[0xa3],
        b"abc",
    ]);
    let e = decode(&wire, &ty).unwrap_err();
    assert_eq!(e.path.to_string(), "alarm[0].threshold");
    assert!(decode(&[0x81, 0xa1, b'z', 0x01], &ty)
        .unwrap_err()
        .msg
        .contains("unsupported attribute"));
    assert!(decode(&[0x92, 0x01], &ty).is_err(), "truncated input");
    assert!(decode(&[0x01, 0x02], &Type::Number).is_err());
}

/// Where an error is, as the path its containers add on the way out: one case per container.
struct PathCase {
    name: &'static str,
    result: Result<(), CodecError>,
    want: &'static str,
}

#[test]
fn each_container_adds_its_step_to_an_errors_path() {
    let nested = Type::object([(
        "o",
        Type::object([
            ("m", Type::map(Type::Number)),
            ("t", Type::Tuple(vec![Type::Bool, Type::Number])),
        ]),
    )]);
    let bad = |inner: Value| Value::Map([("o".to_string(), inner)].into());
    let cases = [
        PathCase {
            name: "encode: a map's value",
            result: encode(
                &bad(Value::Map(
                    [("m".to_string(), Value::string_map([("k", "x")]))].into(),
                )),
                &nested,
            )
            .map(|_| ()),
            want: "o.m[\"k\"]",
        },
        PathCase {
            name: "encode: a tuple's element",
            result: encode(
                &bad(Value::Map(
                    [(
                        "t".to_string(),
                        Value::List(vec![Value::Bool(true), Value::string("x")]),
                    )]
                    .into(),
                )),
                &nested,
            )
            .map(|_| ()),
            want: "o.t[1]",
        },
        PathCase {
            name: "encode: an attribute the schema lacks, at its object",
            result: encode(
                &bad(Value::Map([("zz".to_string(), Value::Bool(true))].into())),
                &nested,
            )
            .map(|_| ()),
            want: "o",
        },
        PathCase {
            name: "JSON decode: a map's value",
            result: crate::framework::json::decode(
                &serde_json::json!({"o": {"m": {"k": "x"}}}),
                &nested,
            )
            .map(|_| ()),
            want: "o.m[\"k\"]",
        },
        PathCase {
            name: "JSON decode: a tuple's element",
            result: crate::framework::json::decode(
                &serde_json::json!({"o": {"t": [true, "x"]}}),
                &nested,
            )
            .map(|_| ()),
            want: "o.t[1]",
        },
    ];
    for c in cases {
        let e = c.result.expect_err(c.name);
        assert_eq!(e.path.to_string(), c.want, "{}", c.name);
    }
}

#[test]
fn sets_tuples_and_maps_round_trip() {
    let ty = Type::object([
        ("s", Type::set(Type::String)),
        ("t", Type::Tuple(vec![Type::Bool, Type::Number])),
        ("m", Type::map(Type::String)),
    ]);
    let v = Value::Map(
        [
            ("s".to_string(), Value::string_list(["a", "b"])),
            (
                "t".to_string(),
                Value::List(vec![Value::Bool(true), Value::unknown()]),
            ),
            ("m".to_string(), Value::string_map([("k", "v")])),
        ]
        .into(),
    );
    assert_eq!(decode(&encode(&v, &ty).unwrap(), &ty).unwrap(), v);
    let wrong_tuple = Value::Map([("t".to_string(), Value::List(vec![Value::Bool(true)]))].into());
    assert!(encode(&wrong_tuple, &ty).is_err());
}
