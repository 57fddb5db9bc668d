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

fn path_of(p: &Tri<Given>) -> Tri<String> {
    p.known().map_or(Tri::Null, |g| g.path.clone())
}

#[test]
fn defaults_are_the_target_groups_of_before() {
    let d = HealthCheck::default();
    assert_eq!(
        (
            d.path.as_str(),
            d.interval,
            d.timeout,
            d.healthy_threshold,
            d.unhealthy_threshold,
            d.matcher.as_str()
        ),
        ("/health", 15, 5, 2, 3, "200-399")
    );
}

#[test]
fn validation_names_the_attribute() {
    let cases: Vec<(&str, Tri<Given>, Expected)> = vec![
        ("empty block", block(&[]), None),
        (
            "all given, within limits",
            block(&[
                ("path", Value::string("/ready")),
                ("interval", Value::int(30)),
                ("timeout", Value::int(10)),
                ("healthy_threshold", Value::int(3)),
                ("unhealthy_threshold", Value::int(2)),
                ("matcher", Value::string("200,302")),
            ]),
            None,
        ),
        (
            "interval below 5",
            block(&[("interval", Value::int(4))]),
            Some(("interval", "AWS accepts 5 to 300")),
        ),
        (
            "interval above 300",
            block(&[("interval", Value::int(301))]),
            Some(("interval", "AWS accepts 5 to 300")),
        ),
        (
            "timeout below 2",
            block(&[("timeout", Value::int(1))]),
            Some(("timeout", "AWS accepts 2 to 120")),
        ),
        (
            "timeout not below the interval",
            block(&[("interval", Value::int(10)), ("timeout", Value::int(10))]),
            Some(("timeout", "must be less than interval = 10")),
        ),
        (
            "timeout not below the default interval",
            block(&[("timeout", Value::int(20))]),
            Some(("timeout", "must be less than interval = 15")),
        ),
        (
            "healthy threshold 1",
            block(&[("healthy_threshold", Value::int(1))]),
            Some(("healthy_threshold", "AWS accepts 2 to 10")),
        ),
        (
            "unhealthy threshold 11",
            block(&[("unhealthy_threshold", Value::int(11))]),
            Some(("unhealthy_threshold", "AWS accepts 2 to 10")),
        ),
        (
            "matcher a word",
            block(&[("matcher", Value::string("ok"))]),
            Some(("matcher", "HTTP codes from 200 to 499")),
        ),
        (
            "matcher range backwards",
            block(&[("matcher", Value::string("299-200"))]),
            Some(("matcher", "HTTP codes from 200 to 499")),
        ),
        (
            "matcher 5xx",
            block(&[("matcher", Value::string("500"))]),
            Some(("matcher", "HTTP codes from 200 to 499")),
        ),
        (
            "path without a slash",
            block(&[("path", Value::string("health"))]),
            Some(("path", "must start with")),
        ),
        (
            "unknown interval: the timeout waits",
            block(&[("interval", Value::unknown()), ("timeout", Value::int(50))]),
            None,
        ),
    ];
    for (case, b, want) in cases {
        let mut d = Diagnostics::new();
        validate(&b, &Tri::Null, &mut d);
        assert_diagnostic(case, &d, BLOCK, want);
    }
}

#[test]
fn two_paths_are_refused() {
    let mut d = Diagnostics::new();
    let b = block(&[("path", Value::string("/a"))]);
    validate(&b, &Tri::Known("/b".into()), &mut d);
    assert!(d.has_errors(), "{d:?}");
    let mut d = Diagnostics::new();
    validate(&b, &Tri::Known("/a".into()), &mut d);
    assert!(!d.has_errors(), "the same path twice is fine: {d:?}");
}

#[test]
fn plan_fills_the_defaults_and_keeps_no_block_null() {
    assert_eq!(plan(&Tri::Null, &Tri::Null), Tri::Null);
    let p = plan(&block(&[("interval", Value::int(30))]), &Tri::Null);
    assert_eq!(
        effective(&stated(&p), "/ignored"),
        HealthCheck {
            interval: 30,
            ..HealthCheck::default()
        }
    );
    let p = plan(&block(&[]), &Tri::Known("/legacy".into()));
    assert_eq!(path_of(&p), Tri::Known("/legacy".to_string()));
    let p = plan(&block(&[]), &Tri::Unknown);
    assert!(path_of(&p).is_unknown());
}

#[test]
fn read_back_and_differences() {
    let live = HealthCheck {
        interval: 30,
        ..HealthCheck::default()
    };
    assert_eq!(read_back(&None, &live), None);
    let back = read_back(&stated(&block(&[])), &live);
    assert_eq!(back.and_then(|b| b.interval), Some(30));
    assert_eq!(
        differences(&HealthCheck::default(), &live),
        vec!["interval is 30, the configuration says 15".to_string()]
    );
    assert!(differences(&live, &live).is_empty());
}
