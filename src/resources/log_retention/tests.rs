use super::*;
use crate::framework::{Diagnostics, Value};

/// A configured block of these attributes (the rest null), as Terraform sends it.
fn block(pairs: &[(&str, i64)]) -> Tri<Given> {
    Tri::Known(Given::decode(&Value::Map(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Value::int(*v)))
            .collect(),
    )))
}

/// One check of a block: accepted (`want: None`), or refused on `log_retention.<attr>` with a
/// detail that says `says`.
struct Case {
    name: &'static str,
    block: Tri<Given>,
    env: Environment,
    want: Option<(&'static str, &'static str)>,
}

fn checked(c: &Case) -> Diagnostics {
    let mut d = Diagnostics::new();
    validate(&c.block, &mut d);
    check_profile(&c.block, c.env, &mut d);
    d
}

#[test]
fn values_are_cloudwatchs_and_production_keeps_its_floors() {
    use Environment::*;
    let cases = [
        Case {
            name: "no block",
            block: Tri::Null,
            env: Production,
            want: None,
        },
        Case {
            name: "the guides' tiers in production",
            block: block(&[("application", 30), ("audit", 2557), ("metrics", 365)]),
            env: Production,
            want: None,
        },
        Case {
            name: "ten years of audit logs",
            block: block(&[("audit", 3653)]),
            env: Production,
            want: None,
        },
        Case {
            name: "a value CloudWatch does not accept names the nearest",
            block: block(&[("application", 45)]),
            env: Development,
            want: Some(("application", "Give 30 or 60.")),
        },
        Case {
            name: "beyond ten years",
            block: block(&[("audit", 4000)]),
            env: Development,
            want: Some(("audit", "Give 3653.")),
        },
        Case {
            name: "zero is not never-expire",
            block: block(&[("audit", 0)]),
            env: Development,
            want: Some(("audit", "Give 1.")),
        },
        Case {
            name: "metrics beyond what CloudWatch keeps",
            block: block(&[("metrics", 731)]),
            env: Staging,
            want: Some(("metrics", "CloudWatch keeps metric data 455 days")),
        },
        Case {
            name: "metrics 400 days: within 15 months",
            block: block(&[("metrics", 400)]),
            env: Production,
            want: None,
        },
        Case {
            name: "production refuses audit logs below a year",
            block: block(&[("audit", 180)]),
            env: Production,
            want: Some(("audit", "production keeps audit logs at least 365 days")),
        },
        Case {
            name: "production refuses application logs below a month",
            block: block(&[("application", 14)]),
            env: Production,
            want: Some(("application", "application = 14: production keeps")),
        },
        Case {
            name: "production refuses metrics below a year",
            block: block(&[("metrics", 90)]),
            env: Production,
            want: Some(("metrics", "at least 365 days")),
        },
        Case {
            name: "staging may relax audit logs",
            block: block(&[("audit", 90)]),
            env: Staging,
            want: None,
        },
    ];
    for c in &cases {
        let d = checked(c);
        match c.want {
            None => assert!(!d.has_errors(), "{}: {d:?}", c.name),
            Some((attr, says)) => assert!(
                d.iter()
                    .any(|x| x.path == Some(path(attr)) && x.detail.contains(says)),
                "{}: {d:?}",
                c.name
            ),
        }
    }
}

#[test]
fn unknown_values_wait_for_apply() {
    let b = Tri::Known(Given::decode(&Value::Map(
        [("audit".to_string(), Value::unknown())].into(),
    )));
    let mut d = Diagnostics::new();
    validate(&b, &mut d);
    check_profile(&b, Environment::Production, &mut d);
    assert!(!d.has_errors(), "{d:?}");
    assert_eq!(
        given(&b, Environment::Production.log_retention()),
        Tri::Unknown
    );
    assert_eq!(
        given(&Tri::Unknown, Environment::Production.log_retention()),
        Tri::Unknown
    );
}

#[test]
fn the_blocks_values_over_the_profiles() {
    use Environment::*;
    let tiers = |application, audit, metrics| LogRetention {
        application,
        audit,
        metrics,
    };
    let cases = [
        (
            "no block: the profile's",
            Tri::Null,
            Production,
            tiers(30, 2557, 365),
        ),
        (
            "development's week",
            Tri::Null,
            Development,
            tiers(7, 7, 30),
        ),
        (
            "one attribute set, the rest the profile's",
            block(&[("application", 90)]),
            Staging,
            tiers(90, 365, 365),
        ),
        (
            "all set",
            block(&[("application", 60), ("audit", 3653), ("metrics", 400)]),
            Production,
            tiers(60, 3653, 400),
        ),
    ];
    for (name, b, env, want) in cases {
        assert_eq!(
            given(&b, env.log_retention()),
            Tri::Known(want),
            "{name}: planned"
        );
        let stated = b.known().map(|g| Stated::decode(&g.encode()));
        assert_eq!(
            effective(stated.as_ref(), env.log_retention()),
            want,
            "{name}: applied"
        );
    }
}

/// One resource's tiers under the provider block's `log_retention`.
struct ProviderCase {
    name: &'static str,
    defaults: TierDefaults,
    block: Tri<Given>,
    env: Environment,
    /// The tiers in force.
    want: LogRetention,
    /// Refused on `environment` for this tier, where production's floor is not held.
    refused: Option<&'static str>,
}

#[test]
fn the_provider_blocks_tiers_go_between_the_profile_and_the_resource() {
    use Environment::*;
    let provider = |application, audit| TierDefaults {
        application,
        audit,
        metrics: None,
    };
    let cases = [
        ProviderCase {
            name: "the provider keeps audit logs ten years",
            defaults: provider(None, Some(3653)),
            block: Tri::Null,
            env: Production,
            want: LogRetention {
                application: 30,
                audit: 3653,
                metrics: 365,
            },
            refused: None,
        },
        ProviderCase {
            name: "the resource's own attribute wins",
            defaults: provider(Some(90), Some(3653)),
            block: block(&[("application", 60)]),
            env: Staging,
            want: LogRetention {
                application: 60,
                audit: 3653,
                metrics: 365,
            },
            refused: None,
        },
        ProviderCase {
            name: "a week for development workspaces",
            defaults: provider(Some(7), Some(30)),
            block: Tri::Null,
            env: Development,
            want: LogRetention {
                application: 7,
                audit: 30,
                metrics: 30,
            },
            refused: None,
        },
        ProviderCase {
            name: "a production resource does not take the provider's month of audit logs",
            defaults: provider(None, Some(30)),
            block: Tri::Null,
            env: Production,
            want: LogRetention {
                application: 30,
                audit: 30,
                metrics: 365,
            },
            refused: Some("the provider block's log_retention.audit = 30"),
        },
        ProviderCase {
            name: "unless it states its own",
            defaults: provider(None, Some(30)),
            block: block(&[("audit", 2557)]),
            env: Production,
            want: LogRetention {
                application: 30,
                audit: 2557,
                metrics: 365,
            },
            refused: None,
        },
    ];
    for c in cases {
        let base = c.defaults.tiers(c.env);
        assert_eq!(given(&c.block, base), Tri::Known(c.want), "{}", c.name);
        let mut d = Diagnostics::new();
        check_provider_tiers(&c.block, c.env, &c.defaults, &mut d);
        match c.refused {
            None => assert!(d.is_empty(), "{}: {d:?}", c.name),
            Some(says) => {
                let e = d.iter().next().expect("refused");
                assert_eq!(
                    e.path.as_ref().map(|p| p.to_string()).as_deref(),
                    Some("environment"),
                    "{}",
                    c.name
                );
                assert!(e.detail.contains(says), "{}: {}", c.name, e.detail);
            }
        }
    }
}
