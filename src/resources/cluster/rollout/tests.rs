use super::*;
use crate::framework::Value;

fn block(pairs: Vec<(&str, Value)>) -> Tri<Given> {
    let m = pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    Tri::Known(Given::decode(&Value::Map(m)))
}

fn errors(b: &Tri<Given>) -> Vec<String> {
    let mut d = Diagnostics::new();
    validate(b, &mut d);
    d.iter()
        .map(|x| format!("{}: {}", x.summary, x.detail))
        .collect()
}

fn nums(v: &[i64]) -> Value {
    Value::List(v.iter().map(|n| Value::int(*n)).collect())
}

#[test]
fn validation_names_each_bad_setting() {
    struct Case {
        name: &'static str,
        block: Vec<(&'static str, Value)>,
        refused: Option<&'static str>,
    }
    let cases = [
        Case {
            name: "rolling with steps",
            block: vec![
                ("strategy", Value::string("rolling")),
                ("checkpoints", nums(&[10, 50, 100])),
                ("bake_time", Value::string("5m")),
            ],
            refused: None,
        },
        Case {
            name: "no pauses",
            block: vec![
                ("checkpoints", nums(&[])),
                ("bake_time", Value::string("0s")),
            ],
            refused: None,
        },
        Case {
            name: "blue/green not yet",
            block: vec![("strategy", Value::string("blue_green"))],
            refused: Some("Blue/green is not available yet"),
        },
        Case {
            name: "unknown strategy",
            block: vec![("strategy", Value::string("canary"))],
            refused: Some("Unknown rollout strategy"),
        },
        Case {
            name: "descending",
            block: vec![("checkpoints", nums(&[50, 10, 100]))],
            refused: Some("Checkpoints out of order"),
        },
        Case {
            name: "repeated",
            block: vec![("checkpoints", nums(&[50, 50, 100]))],
            refused: Some("Checkpoints out of order"),
        },
        Case {
            name: "stops short",
            block: vec![("checkpoints", nums(&[10, 50]))],
            refused: Some("Checkpoints stop short"),
        },
        Case {
            name: "zero percent",
            block: vec![("checkpoints", nums(&[0, 100]))],
            refused: Some("Checkpoint out of range"),
        },
        Case {
            name: "fraction",
            block: vec![(
                "checkpoints",
                Value::List(vec![Value::Number(Number::Float(2.5)), Value::int(100)]),
            )],
            refused: Some("Not a whole number"),
        },
        Case {
            name: "not a duration",
            block: vec![("bake_time", Value::string("five minutes"))],
            refused: Some("Not a duration"),
        },
        Case {
            name: "over two days",
            block: vec![("bake_time", Value::string("49h"))],
            refused: Some("Bake time too long"),
        },
    ];
    for c in cases {
        let e = errors(&block(c.block));
        match c.refused {
            None => assert!(e.is_empty(), "{}: {e:?}", c.name),
            Some(s) => assert!(e.iter().any(|x| x.starts_with(s)), "{}: {e:?}", c.name),
        }
    }
}

#[test]
fn bake_times_read_as_seconds() {
    for (text, secs) in [
        ("0s", Some(0)),
        ("0", Some(0)),
        ("90s", Some(90)),
        ("5m", Some(300)),
        ("1h30m", Some(5400)),
        ("", None),
        ("m", None),
        ("5x", None),
    ] {
        assert_eq!(bake_seconds(text), secs, "{text:?}");
    }
}

#[test]
fn profiles_pause_longer_where_more_is_at_stake() {
    for (env, checkpoints, bake) in [
        (Environment::Development, vec![100], 0),
        (Environment::Staging, vec![50, 100], 120),
        (Environment::Production, vec![10, 50, 100], 300),
    ] {
        let want = Rollout {
            checkpoints,
            bake_seconds: bake,
        };
        assert_eq!(effective(&None, env), want, "{env:?}: no block");
        let planned = plan(&block(vec![]), &Tri::Known(env));
        let Tri::Known(g) = planned else {
            panic!("{env:?}: planned block unknown")
        };
        let stated = Stated::decode(&g.encode());
        assert_eq!(stated.strategy.as_deref(), Some(ROLLING), "{env:?}");
        assert_eq!(
            effective(&Some(stated), env),
            want,
            "{env:?}: defaults planned"
        );
    }
    let own = Stated {
        strategy: None,
        checkpoints: Some(vec![25, 100]),
        bake_time: Some("1m".into()),
    };
    assert_eq!(
        effective(&Some(own), Environment::Production),
        Rollout {
            checkpoints: vec![25, 100],
            bake_seconds: 60
        }
    );
    assert_eq!(
        plan(&Tri::Null, &Tri::Known(Environment::Production)),
        Tri::Null,
        "no block stays none"
    );
}

#[test]
fn gates_are_the_packs_critical_5xx_and_unhealthy_alarms() {
    let g = gates(
        "ledger-production",
        "app/ledger-production/1",
        "targetgroup/ledger-production-tg/2",
        4,
    );
    let names: Vec<&str> = g.iter().map(|a| a.short.as_str()).collect();
    assert_eq!(
        names,
        [
            "ledger-production-rollout-5xx",
            "ledger-production-rollout-unhealthy"
        ]
    );
    assert_eq!(
        names,
        gate_names("ledger-production")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        (g[0].metric.as_str(), g[0].severity.as_str(), g[0].threshold),
        ("5xx-share", "critical", 5.0)
    );
    assert_eq!(
        (
            g[1].metric.as_str(),
            g[1].comparison.as_str(),
            g[1].threshold
        ),
        ("unhealthy-hosts", "GreaterThanOrEqualToThreshold", 2.0)
    );
    let roles: Vec<&str> = gate_components("web").iter().map(|(r, _)| *r).collect();
    assert_eq!(roles, GATE_ROLES);
}

#[test]
fn refresh_statuses_read_as_rollout_status() {
    let gates = gate_names("web");
    struct Case {
        name: &'static str,
        status: Option<&'static str>,
        reason: &'static str,
        want: &'static str,
        ended: bool,
    }
    let cases = [
        Case {
            name: "never rolled",
            status: None,
            reason: "",
            want: "idle",
            ended: false,
        },
        Case {
            name: "succeeded",
            status: Some("Successful"),
            reason: "",
            want: "idle",
            ended: true,
        },
        Case {
            name: "at a checkpoint",
            status: Some("InProgress"),
            reason: "Waiting at checkpoint 10%",
            want: "in_progress",
            ended: false,
        },
        Case {
            name: "baking",
            status: Some("Baking"),
            reason: "",
            want: "in_progress",
            ended: false,
        },
        Case {
            name: "gate fired",
            status: Some("RollbackSuccessful"),
            reason: "Automatic rollback initiated: alarm(s) web-rollout-5xx went into ALARM state.",
            want: "rolled_back: web-rollout-5xx",
            ended: true,
        },
        Case {
            name: "rolling back",
            status: Some("RollbackInProgress"),
            reason: "alarm(s) web-rollout-unhealthy",
            want: "rolled_back: web-rollout-unhealthy",
            ended: false,
        },
        Case {
            name: "manual rollback",
            status: Some("RollbackSuccessful"),
            reason: "Rollback initiated by RollbackInstanceRefresh API.",
            want: "rolled_back: Rollback initiated by RollbackInstanceRefresh API.",
            ended: true,
        },
        Case {
            name: "failed",
            status: Some("Failed"),
            reason: "web-rollout-5xx in ALARM",
            want: "failed: web-rollout-5xx",
            ended: true,
        },
        Case {
            name: "cancelled",
            status: Some("Cancelled"),
            reason: "",
            want: "cancelled",
            ended: true,
        },
    ];
    for c in cases {
        assert_eq!(
            status_text(c.status, c.reason, &gates),
            c.want,
            "{}",
            c.name
        );
        assert_eq!(c.status.is_some_and(ended), c.ended, "{}", c.name);
    }
}
