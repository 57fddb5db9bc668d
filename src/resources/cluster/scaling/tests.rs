use super::*;
use crate::framework::Value;
use crate::resources::cluster::tests::{assert_diagnostic, given, Expected};

/// A configured block of these attributes, as Terraform sends it.
fn block(pairs: &[(&str, Value)]) -> Tri<Given> {
    given(Given::decode, pairs)
}

/// The planned block as apply reads it from the planned state.
fn stated(planned: &Tri<Given>) -> Option<Stated> {
    planned.known().map(|g| Stated::decode(&g.encode()))
}

fn check(case: &str, d: &Diagnostics, want: Expected) {
    assert_diagnostic(case, d, BLOCK, want);
}

#[test]
fn validation_names_the_attribute() {
    let cases: Vec<(&str, Tri<Given>, Expected)> = vec![
        ("no block", Tri::Null, None),
        ("empty block", block(&[]), None),
        (
            "all given, within limits",
            block(&[
                ("cpu_target", Value::int(50)),
                ("requests_per_target", Value::int(1000)),
                ("scale_in_protection_minutes", Value::int(10)),
            ]),
            None,
        ),
        ("cpu off", block(&[("cpu_target", Value::int(0))]), None),
        (
            "cpu target 95",
            block(&[("cpu_target", Value::int(95))]),
            Some(("cpu_target", "give 10 to 90 (or 0")),
        ),
        (
            "cpu target 5",
            block(&[("cpu_target", Value::int(5))]),
            Some(("cpu_target", "cpu_target = 5")),
        ),
        (
            "no requests",
            block(&[("requests_per_target", Value::int(0))]),
            Some(("requests_per_target", "give 1 to 1000000")),
        ),
        (
            "protection beyond an hour",
            block(&[("scale_in_protection_minutes", Value::int(61))]),
            Some(("scale_in_protection_minutes", "give 0 to 60")),
        ),
        (
            "unknown values wait for apply",
            block(&[
                ("cpu_target", Value::unknown()),
                ("scale_in_protection_minutes", Value::unknown()),
            ]),
            None,
        ),
    ];
    for (case, b, want) in cases {
        let mut d = Diagnostics::new();
        validate(&b, &mut d);
        check(case, &d, want);
    }
}

#[test]
fn production_refuses_cpu_off() {
    let off = block(&[("cpu_target", Value::int(0))]);
    let cases: Vec<(&str, Environment, Expected)> = vec![
        ("development", Environment::Development, None),
        ("staging", Environment::Staging, None),
        (
            "production",
            Environment::Production,
            Some(("cpu_target", "production refuses")),
        ),
    ];
    for (case, env, want) in cases {
        let mut d = Diagnostics::new();
        check_profile(&off, env, &mut d);
        check(case, &d, want);
    }
    let mut d = Diagnostics::new();
    check_profile(&block(&[]), Environment::Production, &mut d);
    assert!(!d.has_errors(), "an empty block scales on CPU: {d:?}");
}

#[test]
fn plan_fills_the_defaults_and_keeps_no_block_null() {
    assert_eq!(plan(&Tri::Null), Tri::Null);
    assert!(plan(&Tri::Unknown).is_unknown());
    let p = plan(&block(&[("requests_per_target", Value::int(500))]));
    let g = p
        .known()
        .cloned()
        .unwrap_or_else(|| panic!("planned: {p:?}"));
    assert_eq!(g.cpu_target.whole(), Tri::Known(DEFAULT_CPU_TARGET));
    assert_eq!(g.requests_per_target.whole(), Tri::Known(500));
    assert_eq!(
        g.scale_in_protection_minutes.whole(),
        Tri::Known(DEFAULT_PROTECTION_MINUTES)
    );
    let p = plan(&block(&[]));
    let g = p
        .known()
        .cloned()
        .unwrap_or_else(|| panic!("planned: {p:?}"));
    assert!(
        g.requests_per_target.is_null(),
        "no request policy unless asked"
    );
}

#[test]
fn effective_scaling_by_profile_and_block() {
    let cases: Vec<(&str, Option<Stated>, Environment, Scaling)> = vec![
        (
            "development without a block: no policy",
            None,
            Environment::Development,
            Scaling {
                cpu_target: None,
                requests_per_target: None,
                protection_minutes: 5,
            },
        ),
        (
            "staging without a block: CPU at 60",
            None,
            Environment::Staging,
            Scaling {
                cpu_target: Some(60),
                requests_per_target: None,
                protection_minutes: 5,
            },
        ),
        (
            "production without a block: CPU at 60",
            None,
            Environment::Production,
            Scaling {
                cpu_target: Some(60),
                requests_per_target: None,
                protection_minutes: 5,
            },
        ),
        (
            "development with an empty block: on",
            stated(&plan(&block(&[]))),
            Environment::Development,
            Scaling {
                cpu_target: Some(60),
                requests_per_target: None,
                protection_minutes: 5,
            },
        ),
        (
            "staging, CPU off, requests on",
            stated(&plan(&block(&[
                ("cpu_target", Value::int(0)),
                ("requests_per_target", Value::int(800)),
                ("scale_in_protection_minutes", Value::int(15)),
            ]))),
            Environment::Staging,
            Scaling {
                cpu_target: None,
                requests_per_target: Some(800),
                protection_minutes: 15,
            },
        ),
    ];
    for (case, b, env, want) in cases {
        assert_eq!(effective(&b, env), want, "{case}");
    }
}

fn both() -> Scaling {
    Scaling {
        cpu_target: Some(55),
        requests_per_target: Some(900),
        protection_minutes: 5,
    }
}

const LABEL: &str = "app/web/abc/targetgroup/web-tg/def";

#[test]
fn policies_follow_the_scaling() {
    /// Case, scaling, label, the policies wanted as (name, metric, target).
    type Case<'a> = (
        &'a str,
        Scaling,
        Option<&'a str>,
        Vec<(&'a str, &'a str, f64)>,
    );
    let cases: Vec<Case> = vec![
        (
            "both",
            both(),
            Some(LABEL),
            vec![
                ("web-cpu", CPU_METRIC, 55.0),
                ("web-requests", REQUESTS_METRIC, 900.0),
            ],
        ),
        (
            "requests wait for the load balancer",
            both(),
            None,
            vec![("web-cpu", CPU_METRIC, 55.0)],
        ),
        (
            "none",
            Scaling {
                cpu_target: None,
                requests_per_target: None,
                protection_minutes: 5,
            },
            Some(LABEL),
            vec![],
        ),
    ];
    for (case, s, label, want) in cases {
        let got: Vec<(String, String, f64)> = policies("web", &s, label)
            .into_iter()
            .map(|p| {
                assert_eq!(p.kind, "TargetTrackingScaling", "{case}");
                assert!(!p.disable_scale_in, "{case}: scale-in stays on");
                (p.name, p.metric.unwrap_or_default(), p.target)
            })
            .collect();
        let want: Vec<(String, String, f64)> = want
            .into_iter()
            .map(|(n, m, t)| (n.to_string(), m.to_string(), t))
            .collect();
        assert_eq!(got, want, "{case}");
    }
    let requests = policies("web", &both(), Some(LABEL));
    assert_eq!(requests[1].resource_label.as_deref(), Some(LABEL));
    assert_eq!(
        resource_label("app/web/abc", "targetgroup/web-tg/def"),
        LABEL
    );
}

#[test]
fn differences_name_each_drift() {
    let want = policies("web", &both(), Some(LABEL));
    let changed = |f: &dyn Fn(&mut Policy)| {
        let mut l = want.clone();
        f(&mut l[0]);
        l
    };
    let stranger = Policy {
        name: "by-hand".into(),
        kind: "SimpleScaling".into(),
        metric: None,
        resource_label: None,
        target: 0.0,
        disable_scale_in: false,
        enabled: true,
    };
    // The request policy, made when `requests_per_target` was set, no longer configured.
    let cpu_only = policies(
        "web",
        &Scaling {
            requests_per_target: None,
            ..both()
        },
        Some(LABEL),
    );
    /// Case, the live policies, the live warmup in seconds, what the differences say.
    type Case<'a> = (&'a str, Vec<Policy>, Option<i64>, Vec<&'a str>);
    let cases: Vec<Case> = vec![
        ("as configured", want.clone(), Some(300), vec![]),
        (
            "a policy deleted",
            want[1..].to_vec(),
            Some(300),
            vec!["policy web-cpu is missing"],
        ),
        (
            "a target changed",
            changed(&|p| p.target = 80.0),
            Some(300),
            vec!["policy web-cpu tracks ASGAverageCPUUtilization at 80, the configuration says ASGAverageCPUUtilization at 55"],
        ),
        (
            "scale-in disabled",
            changed(&|p| p.disable_scale_in = true),
            Some(300),
            vec!["policy web-cpu tracks ASGAverageCPUUtilization at 55 without scale-in"],
        ),
        (
            "a policy disabled",
            changed(&|p| p.enabled = false),
            Some(300),
            vec!["policy web-cpu is disabled; it tracks ASGAverageCPUUtilization at 55"],
        ),
        (
            "a policy of another name is someone else's",
            [want.clone(), vec![stranger]].concat(),
            Some(300),
            vec![],
        ),
        (
            "warmup changed",
            want.clone(),
            Some(90),
            vec!["new instances warm up for 90 s, the configuration says 5 min"],
        ),
        (
            "warmup removed",
            want.clone(),
            None,
            vec!["no instance warmup is set"],
        ),
    ];
    for (case, live, seconds, says) in cases {
        let got = differences("web", &want, &live, 5, seconds);
        assert_eq!(got.len(), says.len(), "{case}: {got:?}");
        for (g, s) in got.iter().zip(says) {
            assert!(g.contains(s), "{case}: {g:?} should say {s:?}");
        }
    }
    assert_eq!(
        differences("web", &cpu_only, &want, 5, Some(300)),
        vec!["policy web-requests is not in the configuration"],
        "the cluster's own request policy, no longer configured"
    );
    assert_eq!(
        stale("web", &cpu_only, &want)
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        vec!["web-requests"]
    );
}

#[test]
fn read_back_reports_what_aws_has_only_for_a_configured_block() {
    let configured = stated(&plan(&block(&[])));
    let aws = live("web", &policies("web", &both(), Some(LABEL)), 10);
    assert_eq!(
        aws,
        Scaling {
            protection_minutes: 10,
            ..both()
        }
    );
    let back = read_back(&configured, &aws).unwrap_or_else(|| panic!("a block"));
    assert_eq!(
        (
            back.cpu_target,
            back.requests_per_target,
            back.scale_in_protection_minutes
        ),
        (Some(55), Some(900), Some(10))
    );
    assert_eq!(read_back(&None, &aws), None, "no block, no block in state");
    let gone = live("web", &[], 5);
    let back = read_back(&configured, &gone).unwrap_or_else(|| panic!("a block"));
    assert_eq!(
        back.cpu_target,
        Some(0),
        "a deleted CPU policy reads as off"
    );
}
