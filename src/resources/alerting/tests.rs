//! Plan and validation of `prod_alerting`, per profile, without AWS.

use std::collections::BTreeMap;

use super::blueprint::Place;
use super::model::{AlarmConfig, Config, State};
use super::plan::plan;
use super::validate::validate;
use crate::framework::attrs::{write_blocks, PartialMap, Plannable};
use crate::framework::decode::Tri;
use crate::framework::resource::Planned;
use crate::framework::{AttrPath, Number, Value};

fn known(s: &str) -> Tri<String> {
    Tri::Known(s.to_string())
}
use crate::provider::profile::Environment;

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::Map(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn alarm(name: &str, threshold: Value) -> Value {
    obj(vec![
        ("name", Value::string(name)),
        ("namespace", Value::string("AWS/EC2")),
        ("metric_name", Value::string("CPUUtilization")),
        ("dimensions", Value::Null),
        ("statistic", Value::Null),
        ("period", Value::Null),
        ("evaluation_periods", Value::Null),
        ("comparison", Value::string("GreaterThanThreshold")),
        ("threshold", threshold),
        ("severity", Value::string("critical")),
        ("treat_missing_data", Value::Null),
    ])
}

fn notify(sev: &str, protocol: &str, endpoint: &str) -> Value {
    obj(vec![
        ("severity", Value::string(sev)),
        ("protocol", Value::string(protocol)),
        ("endpoint", Value::string(endpoint)),
    ])
}

fn config(env: Value) -> Value {
    obj(vec![
        ("id", Value::Null),
        ("name", Value::string("ops")),
        ("environment", env),
        ("tags", Value::string_map([("service", "pay")])),
        ("tags_all", Value::Null),
        ("kms_key_arn", Value::Null),
        ("critical_topic_arn", Value::Null),
        ("warning_topic_arn", Value::Null),
        ("alarm_names", Value::Null),
        ("components", Value::Null),
        ("posture", Value::Null),
        (
            "notify",
            Value::List(vec![notify("critical", "email", "oncall@example.com")]),
        ),
        ("alarm", Value::List(vec![alarm("cpu", Value::int(90))])),
    ])
}

/// The test configuration with `attr` set to `value`.
fn config_with(attr: &str, value: Value) -> Value {
    let mut cfg = config(Value::Null);
    if let Value::Map(m) = &mut cfg {
        m.insert(attr.into(), value);
    }
    cfg
}

fn place() -> Place {
    Place {
        region: "us-east-1".into(),
        account: "123456789012".into(),
    }
}

/// The plan of `proposed` over `prior` in `env`, without default tags or watched resources.
fn plan_over(cfg: &Value, prior: &Value, proposed: &Value, env: Environment) -> Planned {
    plan(
        cfg,
        prior,
        proposed,
        env,
        &BTreeMap::new(),
        Some(&place()),
        &BTreeMap::new(),
        &BTreeMap::new(),
    )
}

/// The create plan of `cfg` in `env`, without default tags or watched resources.
fn plan_new(cfg: &Value, env: Environment) -> Planned {
    plan_over(cfg, &Value::Null, cfg, env)
}

#[test]
fn create_plan_is_concrete_except_what_aws_decides() {
    let cfg = config(Value::Null);
    let defaults = BTreeMap::from([("team".to_string(), "platform".to_string())]);
    for env in [
        Environment::Development,
        Environment::Staging,
        Environment::Production,
    ] {
        let p = plan(
            &cfg,
            &Value::Null,
            &cfg,
            env,
            &defaults,
            Some(&place()),
            &BTreeMap::new(),
            &BTreeMap::new(),
        );
        let s = Config::decode(&p.state);
        assert!(p.requires_replace.is_empty());
        let mut with_id = s.encode();
        with_id.set("id", Value::string("ops"));
        assert_eq!(p.state, with_id, "the id is the name");
        assert_eq!(s.name, known("ops"));
        assert_eq!(s.environment, known(env.as_str()));
        assert_eq!(
            s.critical_topic_arn,
            known("arn:aws:sns:us-east-1:123456789012:ops-critical")
        );
        assert_eq!(s.alarm_names, Tri::Known(vec!["ops-cpu".to_string()]));
        assert!(
            s.kms_key_arn.is_unknown(),
            "a new key's ARN is AWS's to choose"
        );
        let tags = s.tags_all.known().unwrap();
        assert_eq!(tags["team"], "platform");
        assert_eq!(tags["service"], "pay");
        assert_eq!(tags["prod:resource"], "prod_alerting.ops");
        assert_eq!(tags["prod:environment"], env.as_str());
        let c = s.components.known().unwrap();
        assert!(c["kms_key"].is_unknown() && c["subscription_0"].is_unknown());
        assert_eq!(
            c["alarm_cpu"],
            known("arn:aws:cloudwatch:us-east-1:123456789012:alarm:ops-cpu")
        );
        assert!(s
            .posture
            .known()
            .unwrap()
            .values()
            .all(|v| v == &known("pass")));
        let a = &s.alarm.known().unwrap()[0];
        assert_eq!(a.statistic, known("Average"));
        assert_eq!(a.period, Tri::Known(Number::Int(60)));
        assert_eq!(a.evaluation_periods, Tri::Known(Number::Int(5)));
        assert_eq!(a.treat_missing_data, known("missing"));
        assert_eq!(a.threshold, Tri::Known(Number::Int(90)));
    }
}

#[test]
fn resource_environment_overrides_the_provider() {
    let cfg = config(Value::string("staging"));
    let p = plan_new(&cfg, Environment::Production);
    let s = Config::decode(&p.state);
    assert_eq!(s.environment, known("staging"));
    assert_eq!(s.tags_all.known().unwrap()["prod:environment"], "staging");
}

#[test]
fn replanning_an_applied_state_changes_nothing() {
    let cfg = config(Value::Null);
    let first = plan_new(&cfg, Environment::Production).state;
    // What apply leaves: the unknowns filled in.
    let mut applied = first.clone();
    if let Value::Map(m) = &mut applied {
        m.insert(
            "kms_key_arn".into(),
            Value::string("arn:aws:kms:us-east-1:123456789012:key/k1"),
        );
        let mut c = Config::decode(&first).components.into_known().unwrap();
        c.insert(
            "kms_key".into(),
            known("arn:aws:kms:us-east-1:123456789012:key/k1"),
        );
        c.insert(
            "subscription_0".into(),
            known("arn:aws:sns:us-east-1:123456789012:ops-critical:s1"),
        );
        m.insert("components".into(), PartialMap::write_planned(&c));
    }
    // Terraform's proposed new state: config, with computed values from the prior.
    let mut proposed = applied.clone();
    if let Value::Map(m) = &mut proposed {
        let alarms = Config::decode(&cfg).alarm;
        m.insert("alarm".into(), write_blocks(&alarms, AlarmConfig::encode));
    }
    let second = plan_over(&cfg, &applied, &proposed, Environment::Production).state;
    assert_eq!(second, applied);
}

#[test]
fn threshold_change_is_in_place_and_name_change_replaces() {
    let cfg = config(Value::Null);
    let prior = plan_new(&cfg, Environment::Production).state;
    let mut changed = cfg.clone();
    if let Value::Map(m) = &mut changed {
        m.insert(
            "alarm".into(),
            Value::List(vec![alarm("cpu", Value::Number(Number::Float(95.5)))]),
        );
    }
    let p = plan_over(&changed, &prior, &changed, Environment::Production);
    assert!(p.requires_replace.is_empty());
    assert_eq!(
        Config::decode(&p.state).alarm.known().unwrap()[0].threshold,
        Tri::Known(Number::Float(95.5))
    );
    let mut renamed = cfg.clone();
    if let Value::Map(m) = &mut renamed {
        m.insert("name".into(), Value::string("ops2"));
    }
    let p = plan_over(&renamed, &prior, &renamed, Environment::Production);
    assert_eq!(p.requires_replace.len(), 1);
    assert_eq!(p.requires_replace[0].to_string(), "name");
}

#[test]
fn unknown_name_makes_derived_values_unknown() {
    let mut cfg = config(Value::Null);
    if let Value::Map(m) = &mut cfg {
        m.insert("name".into(), Value::unknown());
    }
    let p = plan_new(&cfg, Environment::Production);
    for a in [
        "id",
        "critical_topic_arn",
        "alarm_names",
        "components",
        "tags_all",
    ] {
        assert!(p.state.get(a).is_unknown(), "{a}");
    }
    assert!(validate(&cfg).is_empty(), "unknowns wait for apply");
}

#[test]
fn production_warns_when_nobody_gets_critical_alarms() {
    let mut cfg = config(Value::Null);
    if let Value::Map(m) = &mut cfg {
        m.insert(
            "notify".into(),
            Value::List(vec![notify("warning", "email", "a@example.com")]),
        );
    }
    let prod = plan_new(&cfg, Environment::Production);
    assert_eq!(
        prod.diagnostics
            .iter()
            .next()
            .unwrap()
            .path
            .as_ref()
            .unwrap()
            .to_string(),
        "notify"
    );
    assert!(!prod.diagnostics.has_errors());
    let dev = plan_new(&cfg, Environment::Development);
    assert!(dev.diagnostics.is_empty());
}

#[test]
fn invalid_configurations_point_at_the_attribute() {
    // (case, the attribute set, its value, where the error points)
    let cases: Vec<(&str, &str, Value, &str)> = vec![
        (
            "bad timeout",
            "timeouts",
            Value::string_map([("create", "ten minutes")]),
            "timeouts.create",
        ),
        ("bad name", "name", Value::string("has space"), "name"),
        (
            "bad env",
            "environment",
            Value::string("prod"),
            "environment",
        ),
        (
            "bad key",
            "kms_key_arn",
            Value::string("my-key"),
            "kms_key_arn",
        ),
        (
            "reserved tag",
            "tags",
            Value::string_map([("aws:x", "1")]),
            "tags[\"aws:x\"]",
        ),
        (
            "bad protocol",
            "notify",
            Value::List(vec![notify("critical", "pager", "x")]),
            "notify[0].protocol",
        ),
        (
            "http endpoint",
            "notify",
            Value::List(vec![notify("warning", "https", "http://x")]),
            "notify[0].endpoint",
        ),
        (
            "bad severity",
            "notify",
            Value::List(vec![notify("urgent", "email", "a@b.c")]),
            "notify[0].severity",
        ),
        (
            "duplicate alarm",
            "alarm",
            Value::List(vec![
                alarm("cpu", Value::int(1)),
                alarm("cpu", Value::int(2)),
            ]),
            "alarm[1].name",
        ),
        (
            "a cluster's gate name",
            "alarm",
            Value::List(vec![alarm("rollout-5xx", Value::int(1))]),
            "alarm[0].name",
        ),
    ];
    for (case, attr, value, path) in cases {
        let d = validate(&config_with(attr, value));
        assert_eq!(d.iter().count(), 1, "{case}: {d:?}");
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.path.as_ref().unwrap().to_string(), path, "{case}");
        assert!(!diag.detail.is_empty(), "{case}: a fix hint");
    }
    let mut a = alarm("cpu", Value::int(1));
    if let Value::Map(am) = &mut a {
        am.insert("period".into(), Value::int(45));
    }
    let bad_period = config_with("alarm", Value::List(vec![a]));
    assert_eq!(
        validate(&bad_period)
            .iter()
            .next()
            .unwrap()
            .path
            .as_ref()
            .unwrap()
            .to_string(),
        "alarm[0].period"
    );
}

#[test]
fn parts_of_one_service_named_alike_get_alarms_named_by_kind() {
    // The natural naming of a service: cluster, database and cache all `shop`.
    let mut cfg = config(Value::Null);
    cfg.set("cluster_ids", Value::string_list(["shop"]));
    cfg.set("database_ids", Value::string_list(["shop"]));
    cfg.set("redis_cluster_ids", Value::string_list(["shop"]));
    let replicas = BTreeMap::from([("shop".to_string(), 1usize)]);
    let members = BTreeMap::from([("shop".to_string(), vec!["shop-001".to_string()])]);
    let p = plan(
        &cfg,
        &Value::Null,
        &cfg,
        Environment::Development,
        &BTreeMap::new(),
        Some(&place()),
        &replicas,
        &members,
    );
    assert!(!p.diagnostics.has_errors(), "{:?}", p.diagnostics);
    let names = State::decode(&p.state).alarm_names;
    for want in [
        "ops-cluster-shop-cpu-warning",
        "ops-db-shop-cpu-warning",
        "ops-db-shop-replica-1-lag-critical",
        "ops-redis-shop-001-cpu-warning",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
    }
    let unique: std::collections::BTreeSet<&String> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "{names:?}");
}

#[test]
fn an_alarm_block_named_like_a_pack_alarm_is_refused_on_the_attribute() {
    let mut cfg = config(Value::Null);
    cfg.set(
        "alarm",
        Value::List(vec![alarm("cluster-shop-cpu-warning", Value::int(90))]),
    );
    cfg.set("cluster_ids", Value::string_list(["shop"]));
    let p = plan_new(&cfg, Environment::Development);
    let e = p
        .diagnostics
        .iter()
        .find(|d| d.summary == "Two alarms would share a name")
        .expect("refused");
    assert_eq!(e.path, Some(AttrPath::attr("cluster_ids")));
    assert!(
        e.detail.contains("cluster-shop-cpu-warning"),
        "{}",
        e.detail
    );
}

/// A `watch` map of `pairs`, as a configuration gives it.
fn watch_map(pairs: &[(&str, &str)]) -> Value {
    Value::string_map(pairs.iter().map(|(k, v)| (*k, *v)))
}

fn shop_watch() -> Vec<Value> {
    vec![
        watch_map(&[
            ("kind", "cluster"),
            ("name", "shop"),
            ("autoscaling_group", "shop"),
            ("load_balancer", "app/shop/1"),
            ("target_group", "targetgroup/shop-tg/2"),
            ("min_size", "3"),
            ("desired_capacity", "3"),
            ("max_size", "9"),
        ]),
        watch_map(&[
            ("kind", "database"),
            ("name", "shop"),
            ("instance", "shop"),
            ("engine", "postgres"),
            ("instance_class", "db.r6g.large"),
            ("allocated_storage", "100"),
            ("max_connections", "100"),
            ("replicas", "shop-replica-1"),
        ]),
        watch_map(&[
            ("kind", "redis"),
            ("name", "shop"),
            ("members", "shop-001,shop-002"),
        ]),
    ]
}

#[test]
fn watch_names_the_pack_alarms_from_its_values_alone() {
    let mut cfg = config(Value::Null);
    cfg.set("watch", Value::List(shop_watch()));
    let p = plan_new(&cfg, Environment::Development);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let names = State::decode(&p.state).alarm_names;
    // The alarm block, then the three packs: 14 + (10 + 2) + 2 × 10.
    assert_eq!(names.len(), 1 + 14 + 12 + 20, "{names:?}");
    for want in [
        "ops-cluster-shop-in-service-critical",
        "ops-db-shop-connections-warning",
        "ops-db-shop-replica-1-lag-critical",
        "ops-redis-shop-002-lag-warning",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
    }
    // What Terraform proposed stays as it was.
    assert_eq!(p.state.get("watch"), cfg.get("watch"));
}

#[test]
fn watch_values_not_known_yet_plan_as_far_as_they_name_alarms() {
    let mut unknown_lb = shop_watch()[0].clone();
    unknown_lb.set("load_balancer", Value::unknown());
    unknown_lb.set("target_group", Value::unknown());
    let cases = [
        ("a dimension unknown: names known", vec![unknown_lb], true),
        ("a whole map unknown", vec![Value::unknown()], false),
    ];
    for (case, maps, names_known) in cases {
        let mut cfg = config(Value::Null);
        cfg.set("watch", Value::List(maps));
        let p = plan_new(&cfg, Environment::Development);
        assert!(!p.diagnostics.has_errors(), "{case}: {:?}", p.diagnostics);
        assert_eq!(
            p.state.get("alarm_names").is_wholly_known(),
            names_known,
            "{case}"
        );
        assert_eq!(p.state.get("watch"), cfg.get("watch"), "{case}");
    }
}

#[test]
fn a_bad_watch_map_is_an_error_on_its_element() {
    let cases = [
        (
            "unknown kind",
            watch_map(&[("kind", "queue"), ("name", "q")]),
            "kind `queue`",
        ),
        (
            "missing key",
            watch_map(&[("kind", "redis"), ("name", "q")]),
            "no `members`",
        ),
        (
            "not a number",
            watch_map(&[
                ("kind", "cluster"),
                ("name", "shop"),
                ("load_balancer", "app/shop/1"),
                ("target_group", "targetgroup/shop-tg/2"),
                ("min_size", "three"),
                ("desired_capacity", "3"),
            ]),
            "not a whole number",
        ),
    ];
    for (case, m, want) in cases {
        let mut cfg = config(Value::Null);
        cfg.set("watch", Value::List(vec![shop_watch()[0].clone(), m]));
        let p = plan_new(&cfg, Environment::Development);
        let e = p
            .diagnostics
            .iter()
            .find(|d| d.summary == "Not a watch map")
            .unwrap_or_else(|| panic!("{case}: {:?}", p.diagnostics));
        assert_eq!(
            e.path,
            Some(AttrPath::attr("watch").then_index(1)),
            "{case}"
        );
        assert!(e.detail.contains(want), "{case}: {}", e.detail);
        assert!(
            e.detail.contains("prod_cluster.web.watch"),
            "{case}: the fix"
        );
    }
}

#[test]
fn the_old_ids_warn_and_name_watch() {
    for attr in ["cluster_ids", "database_ids", "redis_cluster_ids"] {
        let mut cfg = config(Value::Null);
        cfg.set(attr, Value::string_list(["shop"]));
        let p = plan_new(&cfg, Environment::Development);
        let w = p
            .diagnostics
            .iter()
            .find(|d| d.path == Some(AttrPath::attr(attr)))
            .unwrap_or_else(|| panic!("{attr}: {:?}", p.diagnostics));
        assert!(!p.diagnostics.has_errors(), "{attr}");
        assert!(w.summary.contains("use `watch`"), "{attr}: {}", w.summary);
    }
}

#[test]
fn a_resource_in_watch_and_in_the_old_ids_is_refused_on_watch() {
    let mut cfg = config(Value::Null);
    cfg.set("watch", Value::List(vec![shop_watch()[0].clone()]));
    cfg.set("cluster_ids", Value::string_list(["shop"]));
    let p = plan_new(&cfg, Environment::Development);
    let e = p
        .diagnostics
        .iter()
        .find(|d| d.summary.starts_with("Two alarms"));
    assert_eq!(
        e.and_then(|e| e.path.clone()),
        Some(AttrPath::attr("watch"))
    );
}
