use super::*;
use crate::framework::Value;

use crate::resources::cluster::tests::config_of as config;

/// The attribute path a diagnostic must be on and what its detail says; `None`: accepted.
type Expected = Option<(AttrPath, &'static str)>;

fn assert_case(case: &str, d: &Diagnostics, want: Expected) {
    match want {
        None => assert!(!d.has_errors(), "{case}: {d:?}"),
        Some((path, says)) => assert!(
            d.iter()
                .any(|x| x.path.as_ref() == Some(&path) && x.detail.contains(says)),
            "{case}: {d:?}"
        ),
    }
}

#[test]
fn validation_names_the_attribute() {
    let at = AttrPath::attr;
    let cases: Vec<(&str, Config, Expected)> = vec![
        ("nothing set", config(&[]), None),
        (
            "two types, spot above the base",
            config(&[
                (
                    "instance_types",
                    Value::string_list(["m6i.large", "m7i.large"]),
                ),
                ("on_demand_base", Value::int(2)),
                ("spot_share", Value::int(50)),
            ]),
            None,
        ),
        (
            "one type",
            config(&[("instance_types", Value::string_list(["m6i.large"]))]),
            Some((at("instance_types"), "1 given")),
        ),
        (
            "not a type",
            config(&[("instance_types", Value::string_list(["m6i.large", "large"]))]),
            Some((
                at("instance_types").then_index(1),
                "is not an EC2 instance type",
            )),
        ),
        (
            "a type twice",
            config(&[(
                "instance_types",
                Value::string_list(["m6i.large", "m7i.large", "m6i.large"]),
            )]),
            Some((at("instance_types").then_index(2), "more than once")),
        ),
        (
            "spot share above 100",
            config(&[
                (
                    "instance_types",
                    Value::string_list(["m6i.large", "m7i.large"]),
                ),
                ("spot_share", Value::int(101)),
            ]),
            Some((at("spot_share"), "from 0 to 100")),
        ),
        (
            "negative base",
            config(&[
                (
                    "instance_types",
                    Value::string_list(["m6i.large", "m7i.large"]),
                ),
                ("on_demand_base", Value::int(-1)),
            ]),
            Some((at("on_demand_base"), "use 0 to 1000")),
        ),
        (
            "spot without types",
            config(&[("spot_share", Value::int(30))]),
            Some((at("spot_share"), "set instance_types too")),
        ),
        (
            "base without types",
            config(&[("on_demand_base", Value::int(1))]),
            Some((at("on_demand_base"), "set instance_types too")),
        ),
        (
            "types still unknown",
            config(&[
                ("instance_types", Value::unknown()),
                ("spot_share", Value::int(30)),
            ]),
            None,
        ),
    ];
    for (case, cfg, want) in cases {
        let mut d = Diagnostics::new();
        validate(&cfg, &mut d);
        assert_case(case, &d, want);
    }
}

#[test]
fn production_keeps_its_floor_on_demand() {
    let mixed = |extra: &[(&str, Value)]| {
        let mut pairs = vec![(
            "instance_types",
            Value::string_list(["m6i.large", "m7i.large"]),
        )];
        pairs.extend(extra.iter().cloned());
        config(&pairs)
    };
    let below = (
        AttrPath::attr("on_demand_base"),
        "never runs the floor of the service on spot",
    );
    let cases: Vec<(&str, Environment, Config, Expected)> = vec![
        (
            "base unset: follows min_size",
            Environment::Production,
            mixed(&[]),
            None,
        ),
        (
            "base below the configured min_size",
            Environment::Production,
            mixed(&[
                ("min_size", Value::int(4)),
                ("on_demand_base", Value::int(3)),
            ]),
            Some(below.clone()),
        ),
        (
            "base below the profile's min_size (3)",
            Environment::Production,
            mixed(&[("on_demand_base", Value::int(2))]),
            Some(below),
        ),
        (
            "base at min_size",
            Environment::Production,
            mixed(&[("on_demand_base", Value::int(3))]),
            None,
        ),
        (
            "staging may run its floor on spot",
            Environment::Staging,
            mixed(&[("on_demand_base", Value::int(0))]),
            None,
        ),
    ];
    for (case, env, cfg, want) in cases {
        let mut d = Diagnostics::new();
        check_profile(&cfg, env, &mut d);
        assert_case(case, &d, want);
    }
}

#[test]
fn plan_defaults_follow_min_size_with_types_only() {
    let mixed = config(&[(
        "instance_types",
        Value::string_list(["m6i.large", "m7i.large"]),
    )]);
    let cases: Vec<(&str, Config, Tri<i64>, Tri<i64>)> = vec![
        ("no types: null", config(&[]), Tri::Null, Tri::Null),
        (
            "types: the floor, no spot",
            mixed.clone(),
            Tri::Known(3),
            Tri::Known(0),
        ),
        (
            "types unknown: unknown",
            config(&[("instance_types", Value::unknown())]),
            Tri::Unknown,
            Tri::Unknown,
        ),
        (
            "configured",
            config(&[
                (
                    "instance_types",
                    Value::string_list(["m6i.large", "m7i.large"]),
                ),
                ("on_demand_base", Value::int(5)),
                ("spot_share", Value::int(40)),
            ]),
            Tri::Known(5),
            Tri::Known(40),
        ),
    ];
    for (case, cfg, base, share) in cases {
        let mut planned = config(&[("min_size", Value::int(3))]);
        plan(&cfg, &mut planned);
        assert_eq!(
            (planned.on_demand_base.whole(), planned.spot_share.whole()),
            (base, share),
            "{case}"
        );
    }
}

#[test]
fn read_back_reports_the_policy_aws_has() {
    let mix = Mix {
        types: vec!["m7i.large".into(), "m6i.large".into()],
        on_demand_base: 2,
        spot_share: 25,
        on_demand_strategy: ON_DEMAND_STRATEGY.into(),
        spot_strategy: SPOT_STRATEGY.into(),
        spot_max_price: None,
        weighted: false,
    };
    let mut st = State {
        min_size: 3,
        ..State::default()
    };
    read_back(&mut st, Some(&mix));
    assert_eq!(of(&st), Some(mix), "the policy round-trips through state");
    read_back(&mut st, None);
    assert_eq!(
        (st.instance_types.clone(), st.on_demand_base, st.spot_share),
        (None, None, None),
        "a policy removed outside Terraform reads as none, as a plan without types says"
    );
    assert_eq!(of(&st), None);
}

#[test]
fn differences_name_what_no_attribute_shows() {
    let st = State {
        min_size: 2,
        instance_types: Some(vec!["m6i.large".into(), "m7i.large".into()]),
        ..State::default()
    };
    let want = of(&st).unwrap_or_else(|| panic!("a mix"));
    assert_eq!(
        (want.on_demand_base, want.spot_share),
        (2, 0),
        "unset, the floor is min_size and nothing runs on spot"
    );
    let changed = |f: &dyn Fn(&mut Mix)| {
        let mut l = want.clone();
        f(&mut l);
        l
    };
    let cases: Vec<(&str, Mix, Vec<&str>)> = vec![
        ("as the blueprint", want.clone(), vec![]),
        (
            "spot strategy changed",
            changed(&|m| m.spot_strategy = "lowest-price".into()),
            vec!["spot is picked lowest-price, the blueprint says price-capacity-optimized"],
        ),
        (
            "on-demand strategy changed",
            changed(&|m| m.on_demand_strategy = "lowest-price".into()),
            vec!["on demand is picked lowest-price"],
        ),
        (
            "a price cap and weights",
            changed(&|m| {
                m.spot_max_price = Some("0.05".into());
                m.weighted = true;
            }),
            vec!["spot is capped at 0.05", "the types carry weights"],
        ),
        (
            "types, base and share show on their attributes",
            changed(&|m| {
                m.types.reverse();
                m.spot_share = 50;
            }),
            vec![],
        ),
    ];
    for (case, live, says) in cases {
        let got = differences(Some(&want), Some(&live));
        assert_eq!(got.len(), says.len(), "{case}: {got:?}");
        for (g, s) in got.iter().zip(says) {
            assert!(g.contains(s), "{case}: {g:?} should say {s:?}");
        }
    }
    assert!(
        differences(None, Some(&want)).is_empty(),
        "no mix wanted: instance_types shows it"
    );
}
