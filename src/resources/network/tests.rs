//! Plan and validation of `prod_network`, per profile, without AWS.

use std::collections::BTreeMap;

use super::model::Config;
use super::plan::{plan, roles};
use super::validate::validate;
use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Number, Value};
use crate::provider::aws::Place;
use crate::provider::profile::Environment;

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::Map(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn config(extra: Vec<(&str, Value)>) -> Value {
    let mut pairs = vec![
        ("name", Value::string("core")),
        ("cidr_block", Value::Null),
        ("az_count", Value::Null),
        ("environment", Value::Null),
    ];
    pairs.extend(extra);
    obj(pairs)
}

fn place() -> Place {
    Place {
        region: "us-east-1".into(),
        account: "123456789012".into(),
    }
}

fn zones() -> Vec<String> {
    ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

#[test]
fn profile_decides_zones_and_nat_layout() {
    for (env, az, nats) in [
        (Environment::Development, 2, 1),
        (Environment::Staging, 2, 1),
        (Environment::Production, 3, 3),
    ] {
        let cfg = config(vec![]);
        let p = plan(
            &cfg,
            &Value::Null,
            &cfg,
            env.into(),
            &BTreeMap::new(),
            Some(&place()),
            Some(&zones()),
        );
        let s = Config::decode(&p.state);
        assert_eq!(s.az_count, Tri::Known(Number::Int(az)), "{env}");
        assert_eq!(s.cidr_block, Tri::Known("10.0.0.0/16".to_string()));
        assert_eq!(s.availability_zones.known().unwrap().len(), az as usize);
        let c = s.components.known().unwrap();
        assert_eq!(
            c.keys().filter(|k| k.starts_with("nat_")).count(),
            nats,
            "{env}"
        );
        assert!(c["vpc"].is_unknown());
        assert_eq!(
            c["log_group"],
            Tri::Known(
                "arn:aws:logs:us-east-1:123456789012:log-group:/prod/network/core/flow-logs"
                    .to_string()
            )
        );
        assert_eq!(
            c["flow_log_role"],
            Tri::Known("arn:aws:iam::123456789012:role/core-flow-logs".to_string())
        );
        assert_eq!(s.public_subnet_ids.known().unwrap().len(), az as usize);
        let posture = s.posture.known().unwrap();
        // Flow logs are audit logs: a year or more passes (staging and production).
        let expected = if env == Environment::Development {
            "fail: relaxed by development profile (7 days)".to_string()
        } else {
            "pass".to_string()
        };
        assert_eq!(posture["CloudWatch.16"], expected);
        assert_eq!(posture["EC2.2"], "pass");
        // Endpoints: the profile's, each a component, and the group only with an interface one.
        let endpoints: Vec<String> = s
            .endpoints
            .known()
            .unwrap()
            .iter()
            .map(|e| e.known().unwrap().clone())
            .collect();
        assert_eq!(endpoints, env.network_endpoints(), "{env}");
        for e in &endpoints {
            assert!(c[&format!("endpoint_{e}")].is_unknown(), "{env}: {e}");
        }
        let interfaces = env != Environment::Development;
        assert_eq!(
            c.contains_key("endpoint_security_group"),
            interfaces,
            "{env}"
        );
        assert_eq!(s.endpoint_ids.known().unwrap().len(), endpoints.len());
        let relaxed = if interfaces {
            "pass"
        } else {
            "fail: relaxed by development profile"
        };
        assert_eq!(posture["EC2.10"], relaxed, "{env}");
        assert_eq!(posture["EC2.57"], relaxed, "{env}");
        assert_eq!(posture["endpoints"], "pass", "{env}");
    }
}

#[test]
fn unchanged_network_plans_no_change_and_range_changes_replace() {
    let cfg = config(vec![]);
    let first = plan(
        &cfg,
        &Value::Null,
        &cfg,
        Environment::Production.into(),
        &BTreeMap::new(),
        Some(&place()),
        Some(&zones()),
    )
    .state;
    // What apply leaves: every id known.
    let mut applied = first.clone();
    let mut c = BTreeMap::new();
    let planned = Config::decode(&first).components.into_known().unwrap();
    assert!(roles(Environment::Production, 3)
        .iter()
        .all(|r| planned.contains_key(r)));
    let mut endpoint_ids = BTreeMap::new();
    for (r, v) in &planned {
        let id = v.clone().into_known().unwrap_or_else(|| format!("id-{r}"));
        if let Some(service) = r
            .strip_prefix("endpoint_")
            .filter(|s| *s != "security_group")
        {
            endpoint_ids.insert(service.to_string(), Value::string(id.clone()));
        }
        c.insert(r.clone(), Value::string(id));
    }
    if let Value::Map(m) = &mut applied {
        m.insert("components".into(), Value::Map(c));
        m.insert("endpoint_ids".into(), Value::Map(endpoint_ids));
        m.insert("vpc_id".into(), Value::string("id-vpc"));
        m.insert(
            "public_subnet_ids".into(),
            Value::string_list([
                "id-subnet_public_0",
                "id-subnet_public_1",
                "id-subnet_public_2",
            ]),
        );
        m.insert(
            "private_subnet_ids".into(),
            Value::string_list([
                "id-subnet_private_0",
                "id-subnet_private_1",
                "id-subnet_private_2",
            ]),
        );
    }
    let again = plan(
        &cfg,
        &applied,
        &applied,
        Environment::Production.into(),
        &BTreeMap::new(),
        Some(&place()),
        None,
    );
    assert_eq!(again.state, applied);
    assert!(again.requires_replace.is_empty());

    let moved = config(vec![("cidr_block", Value::string("10.30.0.0/16"))]);
    let p = plan(
        &moved,
        &applied,
        &moved,
        Environment::Production.into(),
        &BTreeMap::new(),
        Some(&place()),
        None,
    );
    assert_eq!(
        p.requires_replace
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>(),
        ["cidr_block"]
    );
    assert!(Config::decode(&p.state).vpc_id.is_unknown());

    // A component gone (flow log deleted outside): the plan names it unknown, so the change shows.
    let mut damaged = applied.clone();
    if let Value::Map(m) = &mut damaged {
        let mut c = m["components"].as_map().unwrap().clone();
        c.remove("flow_log");
        m.insert("components".into(), Value::Map(c));
    }
    let p = plan(
        &cfg,
        &damaged,
        &damaged,
        Environment::Production.into(),
        &BTreeMap::new(),
        Some(&place()),
        None,
    );
    let s = Config::decode(&p.state);
    assert!(s.components.known().unwrap()["flow_log"].is_unknown());
    assert_eq!(s.vpc_id, Tri::Known("id-vpc".to_string()));
}

#[test]
fn too_few_zones_in_the_region_is_an_error_on_az_count() {
    let cfg = config(vec![("az_count", Value::int(5))]);
    let p = plan(
        &cfg,
        &Value::Null,
        &cfg,
        Environment::Production.into(),
        &BTreeMap::new(),
        Some(&place()),
        Some(&zones()),
    );
    let d = p.diagnostics.iter().next().unwrap();
    assert_eq!(d.path.as_ref().unwrap().to_string(), "az_count");
    assert!(p.diagnostics.has_errors());
}

#[test]
fn production_warns_below_three_zones() {
    let cfg = config(vec![("az_count", Value::int(2))]);
    let p = plan(
        &cfg,
        &Value::Null,
        &cfg,
        Environment::Production.into(),
        &BTreeMap::new(),
        Some(&place()),
        Some(&zones()),
    );
    assert!(!p.diagnostics.has_errors());
    assert_eq!(
        p.diagnostics
            .iter()
            .next()
            .unwrap()
            .path
            .as_ref()
            .unwrap()
            .to_string(),
        "az_count"
    );
}

#[test]
fn invalid_configurations_point_at_the_attribute() {
    let cases = [
        ("cidr_block", Value::string("10.0.0.0/8"), "cidr_block"),
        ("cidr_block", Value::string("10.0.0.1/16"), "cidr_block"),
        ("cidr_block", Value::string("banana"), "cidr_block"),
        ("az_count", Value::int(1), "az_count"),
        ("az_count", Value::int(7), "az_count"),
        ("name", Value::string("no spaces please"), "name"),
        ("environment", Value::string("qa"), "environment"),
        (
            "endpoints",
            Value::string_list(["s3", "ecr.api"]),
            "endpoints[1]",
        ),
        (
            "endpoints",
            Value::string_list(["ssm", "s3", "ssm"]),
            "endpoints[2]",
        ),
    ];
    for (attr, v, path) in cases {
        let d = validate(&config(vec![(attr, v.clone())]));
        assert_eq!(d.iter().count(), 1, "{attr} = {v:?}: {d:?}");
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.path.as_ref().unwrap().to_string(), path);
        assert!(!diag.detail.is_empty());
    }
    assert!(validate(&config(vec![
        ("cidr_block", Value::string("10.20.0.0/16")),
        ("az_count", Value::int(3)),
        ("endpoints", Value::string_list(["s3", "sts"])),
    ]))
    .is_empty());
    let d = validate(&config(vec![("endpoints", Value::string_list(["ecr"]))]));
    let detail = &d.iter().next().unwrap().detail;
    assert!(
        detail.contains("\"ecr\"") && detail.contains("\"ec2messages\""),
        "the fix lists the allowed names: {detail}"
    );
}

/// A plan of a network in `env` with `log_retention` as `block`: its CloudWatch.16 (`None`:
/// unknown) or the detail of its error on `log_retention.<attr>`.
struct RetentionCase {
    name: &'static str,
    env: Environment,
    block: Value,
    want: Result<Option<&'static str>, (&'static str, &'static str)>,
}

#[test]
fn log_retention_keeps_the_flow_logs_and_production_its_floor() {
    let cases = [
        RetentionCase {
            name: "development's week",
            env: Environment::Development,
            block: Value::Null,
            want: Ok(Some("fail: relaxed by development profile (7 days)")),
        },
        RetentionCase {
            name: "development keeping flow logs a year",
            env: Environment::Development,
            block: obj(vec![("audit", Value::int(365))]),
            want: Ok(Some("pass")),
        },
        RetentionCase {
            name: "staging relaxing flow logs",
            env: Environment::Staging,
            block: obj(vec![("audit", Value::int(90))]),
            want: Ok(Some("fail: relaxed by log_retention.audit (90 days)")),
        },
        RetentionCase {
            name: "a tier known at apply",
            env: Environment::Production,
            block: obj(vec![("audit", Value::unknown())]),
            want: Ok(None),
        },
        RetentionCase {
            name: "production below a year",
            env: Environment::Production,
            block: obj(vec![("audit", Value::int(180))]),
            want: Err(("audit", "production keeps audit logs at least 365 days")),
        },
    ];
    for c in cases {
        let cfg = config(vec![("log_retention", c.block)]);
        let p = plan(
            &cfg,
            &Value::Null,
            &cfg,
            c.env.into(),
            &BTreeMap::new(),
            Some(&place()),
            Some(&zones()),
        );
        let posture = Config::decode(&p.state).posture.into_known();
        match c.want {
            Ok(want) => {
                assert!(
                    !p.diagnostics.has_errors(),
                    "{}: {:?}",
                    c.name,
                    p.diagnostics
                );
                let got = posture.as_ref().map(|p| p["CloudWatch.16"].as_str());
                assert_eq!(got, want, "{}", c.name);
            }
            Err((attr, says)) => assert!(
                p.diagnostics.iter().any(|d| d.path
                    == Some(AttrPath::attr("log_retention").then_attr(attr))
                    && d.detail.contains(says)),
                "{}: {:?}",
                c.name,
                p.diagnostics
            ),
        }
    }
}
