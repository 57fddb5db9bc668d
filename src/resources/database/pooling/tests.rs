use super::*;
use crate::framework::Number;

fn stated(enabled: Option<bool>, pct: Option<i64>, idle: Option<&str>) -> Stated {
    Stated {
        enabled,
        max_connections_percent: pct,
        idle_client_timeout: idle.map(str::to_string),
    }
}

#[test]
fn the_pool_in_force_is_the_block_over_the_profile() {
    let cases: [(&str, Option<Stated>, Environment, Option<Pool>); 6] = [
        (
            "development without the block: off",
            None,
            Environment::Development,
            None,
        ),
        (
            "production without the block: on, 90 %, 30 min",
            None,
            Environment::Production,
            Some(Pool {
                max_connections_percent: 90,
                idle_client_timeout: 1800,
            }),
        ),
        (
            "staging without the block: on",
            None,
            Environment::Staging,
            Some(Pool {
                max_connections_percent: 90,
                idle_client_timeout: 1800,
            }),
        ),
        (
            "development turned on with its own values",
            Some(stated(Some(true), Some(50), Some("10m"))),
            Environment::Development,
            Some(Pool {
                max_connections_percent: 50,
                idle_client_timeout: 600,
            }),
        ),
        (
            "production turned off",
            Some(stated(Some(false), Some(50), None)),
            Environment::Production,
            None,
        ),
        (
            "a bare number of seconds",
            Some(stated(None, None, Some("900"))),
            Environment::Production,
            Some(Pool {
                max_connections_percent: 90,
                idle_client_timeout: 900,
            }),
        ),
    ];
    for (name, block, env, want) in cases {
        assert_eq!(effective(block.as_ref(), env), want, "{name}");
    }
}

#[test]
fn values_outside_rds_proxys_ranges_are_refused_on_their_attribute() {
    let given = |pct: Tri<Number>, idle: Tri<String>| {
        Tri::Known(Given {
            enabled: Tri::Null,
            max_connections_percent: pct,
            idle_client_timeout: idle,
        })
    };
    let cases = [
        (
            "0 percent",
            given(Tri::Known(Number::Int(0)), Tri::Null),
            Some("max_connections_percent"),
        ),
        (
            "101 percent",
            given(Tri::Known(Number::Int(101)), Tri::Null),
            Some("max_connections_percent"),
        ),
        (
            "100 percent",
            given(Tri::Known(Number::Int(100)), Tri::Null),
            None,
        ),
        (
            "9 hours",
            given(Tri::Null, Tri::Known("9h".into())),
            Some("idle_client_timeout"),
        ),
        (
            "0 seconds",
            given(Tri::Null, Tri::Known("0".into())),
            Some("idle_client_timeout"),
        ),
        (
            "not a duration",
            given(Tri::Null, Tri::Known("soon".into())),
            Some("idle_client_timeout"),
        ),
        ("8 hours", given(Tri::Null, Tri::Known("8h".into())), None),
        ("unknown", given(Tri::Unknown, Tri::Unknown), None),
    ];
    for (name, block, attr) in cases {
        let mut d = Diagnostics::new();
        validate(&block, &mut d);
        let paths: Vec<String> = d.iter().map(|x| format!("{:?}", x.path)).collect();
        match attr {
            Some(a) => assert!(
                d.has_errors() && paths.iter().any(|p| p.contains(a)),
                "{name}: {paths:?}"
            ),
            None => assert!(!d.has_errors(), "{name}: {paths:?}"),
        }
    }
}

fn holding(engine: &str) -> (Want<'static>, Live) {
    let pool = Pool {
        max_connections_percent: 90,
        idle_client_timeout: 1800,
    };
    let engine: &'static str = Box::leak(engine.to_string().into_boxed_str());
    let rules = group_rules(engine, 5433, &["sg-app".to_string()], "sg-db");
    let want = Want {
        pool,
        engine,
        name: "ledger",
        secret: Some("arn:secret"),
        security_group: Some("sg-proxy"),
        rules: Some(rules.clone()),
        readers: true,
        subnets: None,
    };
    let live = Live {
        proxy: Some(api::Proxy {
            arn: "arn:proxy".into(),
            status: "available".into(),
            endpoint: Some("ledger.proxy-x.rds.amazonaws.com".into()),
            require_tls: true,
            idle_client_timeout: 1800,
            iam_auth: "REQUIRED".into(),
            secret_arn: Some("arn:secret".into()),
            role_arn: Some("arn:role".into()),
            security_groups: vec!["sg-proxy".into()],
            subnets: vec![],
            vpc: None,
            debug_logging: false,
        }),
        pool: Some(pool.target_group()),
        targets: vec![api::Target {
            id: "ledger".into(),
            state: Some("AVAILABLE".into()),
            reason: None,
        }],
        reader: is_aurora(engine).then(|| api::Endpoint {
            name: "ledger-read".into(),
            ..Default::default()
        }),
        role: Some("arn:role".into()),
        sg_rules: Some(rules),
    };
    (want, live)
}

#[test]
fn posture_pooling_names_each_way_the_proxy_differs() {
    type Change = fn(&mut Live);
    let cases: [(&str, &str, Change, &str); 11] = [
        ("as made", "postgres", |_| {}, "pass"),
        ("aurora as made", "aurora-postgresql", |_| {}, "pass"),
        (
            "TLS relaxed",
            "postgres",
            |l| l.proxy.as_mut().unwrap().require_tls = false,
            "TLS is not required",
        ),
        (
            "IAM auth disabled",
            "mysql",
            |l| l.proxy.as_mut().unwrap().iam_auth = "DISABLED".into(),
            "IAM authentication is DISABLED",
        ),
        (
            "pool widened",
            "postgres",
            |l| l.pool.as_mut().unwrap().max_connections_percent = 100,
            "the pool is 100%",
        ),
        (
            "idle timeout",
            "postgres",
            |l| l.proxy.as_mut().unwrap().idle_client_timeout = 60,
            "idle_client_timeout is 60s",
        ),
        (
            "target deregistered",
            "postgres",
            |l| l.targets.clear(),
            "the primary ledger is not its target",
        ),
        (
            "cluster deregistered",
            "aurora-mysql",
            |l| l.targets.clear(),
            "the cluster ledger is not its target",
        ),
        (
            "reader endpoint deleted",
            "aurora-mysql",
            |l| l.reader = None,
            "read-only endpoint ledger-read is missing",
        ),
        (
            "proxy deleted",
            "postgres",
            |l| l.proxy = None,
            "the proxy ledger is missing",
        ),
        (
            "the proxy cannot log in",
            "mysql",
            |l| {
                l.targets[0].state = Some("UNAVAILABLE".into());
                l.targets[0].reason = Some("AUTH_FAILURE".into());
            },
            "its target ledger is UNAVAILABLE: AUTH_FAILURE",
        ),
    ];
    for (name, engine, change, want) in cases {
        let (w, mut live) = holding(engine);
        change(&mut live);
        let got = posture(&w, &live);
        if want == "pass" {
            assert_eq!(got, "pass", "{name}");
        } else {
            assert!(
                got.starts_with("fail: ") && got.contains(want),
                "{name}: {got}"
            );
        }
    }
}

#[test]
fn the_proxys_group_admits_the_allowed_groups_and_reaches_only_the_database() {
    let (rules_in, rules_out) =
        group_rules("mysql", 3307, &["sg-a".into(), "sg-b".into()], "sg-db");
    let ins: Vec<(i32, String)> = rules_in
        .iter()
        .map(|r| (r.from, r.peer.to_string()))
        .collect();
    assert_eq!(
        ins,
        vec![(3306, "sg-a".to_string()), (3306, "sg-b".to_string())]
    );
    let mut outs: Vec<(i32, String)> = rules_out
        .iter()
        .map(|r| (r.from, r.peer.to_string()))
        .collect();
    outs.sort();
    assert_eq!(
        outs,
        vec![(443, "0.0.0.0/0".to_string()), (3307, "sg-db".to_string())]
    );
}

#[test]
fn the_role_reads_only_the_master_secret_and_decrypts_through_secrets_manager() {
    let place = Place {
        region: "eu-west-1".into(),
        account: "123456789012".into(),
    };
    let v: serde_json::Value =
        serde_json::from_str(&role_policy(&place, "arn:secret:ledger", "arn:key:1"))
            .unwrap_or_default();
    assert_eq!(v["Statement"][0]["Resource"], "arn:secret:ledger");
    assert_eq!(v["Statement"][1]["Resource"], "arn:key:1");
    assert_eq!(
        v["Statement"][1]["Condition"]["StringEquals"]["kms:ViaService"],
        "secretsmanager.eu-west-1.amazonaws.com"
    );
    let t: serde_json::Value = serde_json::from_str(&trust_policy(&place)).unwrap_or_default();
    assert_eq!(
        t["Statement"][0]["Principal"]["Service"],
        "rds.amazonaws.com"
    );
    assert_eq!(
        t["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"],
        "123456789012"
    );
}
