//! Plan and validation of `prod_cluster`, per profile, without AWS.

use std::collections::BTreeMap;

use super::aws::ec2::SubnetFacts;
use super::blueprint;
use super::model::{Config, State};
use super::plan::{plan, roles};
use super::validate::validate;
use crate::framework::attrs::{write_tri, Field};
use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Number, Value};
use crate::provider::aws::Place;
use crate::provider::profile::Environment;
use crate::resources::alerting::watch;

/// A configured single block of these attributes, as Terraform sends it, read by `decode` (the
/// block's `Given::decode`).
pub(super) fn given<G>(decode: fn(&Value) -> G, pairs: &[(&str, Value)]) -> Tri<G> {
    Tri::Known(decode(&object(pairs)))
}

/// A cty object of these attributes (the rest absent, so null).
pub(super) fn object(pairs: &[(&str, Value)]) -> Value {
    Value::Map(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

/// A `prod_cluster` configuration of these attributes (the rest null), as Terraform sends it.
pub(super) fn config_of(pairs: &[(&str, Value)]) -> Config {
    Config::decode(&object(pairs))
}

/// The attribute of a block a diagnostic must be on and what its detail says; `None`: accepted.
pub(super) type Expected = Option<(&'static str, &'static str)>;

/// `d` as `want` says for the case: no error, or one on `block.<attr>` whose detail says so.
pub(super) fn assert_diagnostic(
    case: &str,
    d: &crate::framework::Diagnostics,
    block: &str,
    want: Expected,
) {
    match want {
        None => assert!(!d.has_errors(), "{case}: {d:?}"),
        Some((attr, says)) => {
            let found = d.iter().any(|x| {
                x.path == Some(AttrPath::attr(block).then_attr(attr)) && x.detail.contains(says)
            });
            assert!(found, "{case}: {d:?}");
        }
    }
}

const NULLABLE: [&str; 15] = [
    "instance_type",
    "min_size",
    "max_size",
    "desired_capacity",
    "app_port",
    "health_check_path",
    "user_data",
    "ingress_cidr_blocks",
    "root_volume_size",
    "metadata_http_tokens",
    "tls_policy",
    "root_volume_encrypted",
    "kms_key_arn",
    "environment",
    "tags",
];

fn config(extra: Vec<(&str, Value)>) -> Value {
    let mut m: BTreeMap<String, Value> = NULLABLE
        .iter()
        .map(|k| (k.to_string(), Value::Null))
        .collect();
    for (k, v) in [
        ("name", Value::string("web")),
        ("image_id", Value::string("ami-0123456789abcdef0")),
        (
            "subnet_ids",
            Value::string_list(["subnet-a1", "subnet-b1", "subnet-c1"]),
        ),
        (
            "public_subnet_ids",
            Value::string_list(["subnet-a2", "subnet-b2", "subnet-c2"]),
        ),
        (
            "certificate_arn",
            Value::string("arn:aws:acm:us-east-1:123456789012:certificate/x"),
        ),
    ] {
        m.insert(k.into(), v);
    }
    for (k, v) in extra {
        m.insert(k.into(), v);
    }
    Value::Map(m)
}

fn place() -> Place {
    Place {
        region: "us-east-1".into(),
        account: "123456789012".into(),
    }
}

fn subnets(zones: &[&str]) -> Vec<SubnetFacts> {
    let mut out = Vec::new();
    for (i, kind) in ["1", "2"].iter().enumerate() {
        let _ = i;
        for (z, letter) in zones.iter().zip(["a", "b", "c"]) {
            out.push(SubnetFacts {
                id: format!("subnet-{letter}{kind}"),
                vpc: "vpc-1".into(),
                zone: z.to_string(),
            });
        }
    }
    out
}

fn run(cfg: &Value, prior: &Value, env: Environment) -> crate::framework::resource::Planned {
    plan(
        cfg,
        prior,
        cfg,
        env.into(),
        &BTreeMap::new(),
        Some(&place()),
        Some(&subnets(&["us-east-1a", "us-east-1b", "us-east-1c"])),
    )
}

/// The planned CloudWatch.16 of a cluster in `env` with `log_retention` as given.
struct RetentionCase {
    name: &'static str,
    env: Environment,
    block: Value,
    want: &'static str,
}

#[test]
fn log_retention_decides_the_planned_cloudwatch_16() {
    let tiers = |pairs: &[(&str, i64)]| {
        object(
            &pairs
                .iter()
                .map(|(k, v)| (*k, Value::int(*v)))
                .collect::<Vec<_>>(),
        )
    };
    let cases = [
        RetentionCase {
            name: "development's week, said as the profile's",
            env: Environment::Development,
            block: Value::Null,
            want: "fail: relaxed by development profile (7 days)",
        },
        RetentionCase {
            name: "development keeping a month of application logs and a year of audit logs",
            env: Environment::Development,
            block: tiers(&[("application", 30), ("audit", 365)]),
            want: "pass",
        },
        RetentionCase {
            name: "development keeping a month of application logs only: the web ACL's week shows",
            env: Environment::Development,
            block: tiers(&[("application", 30)]),
            want: "fail: relaxed by development profile (7 days)",
        },
        RetentionCase {
            name: "staging relaxing audit logs: the web ACL's group shows it",
            env: Environment::Staging,
            block: tiers(&[("audit", 90)]),
            want: "fail: relaxed by log_retention.audit (90 days)",
        },
        RetentionCase {
            name: "staging relaxing application logs, said as the attribute's",
            env: Environment::Staging,
            block: tiers(&[("application", 14)]),
            want: "fail: relaxed by log_retention.application (14 days)",
        },
        RetentionCase {
            name: "production's own tiers",
            env: Environment::Production,
            block: Value::Null,
            want: "pass",
        },
        RetentionCase {
            name: "an unknown tier waits for apply",
            env: Environment::Production,
            block: object(&[("audit", Value::unknown())]),
            want: "",
        },
    ];
    for c in cases {
        let p = run(
            &config(vec![("log_retention", c.block)]),
            &Value::Null,
            c.env,
        );
        assert!(
            !p.diagnostics.has_errors(),
            "{}: {:?}",
            c.name,
            p.diagnostics
        );
        let s = Config::decode(&p.state);
        match s.posture.into_known() {
            Some(posture) => assert_eq!(posture["CloudWatch.16"], c.want, "{}", c.name),
            None => assert_eq!(c.want, "", "{}: posture unknown", c.name),
        }
    }
}

#[test]
fn profile_decides_sizes_and_posture() {
    for (env, (min, desired, max), ty, vol, protect) in [
        (Environment::Development, (1, 1, 2), "t3.small", 20, false),
        (Environment::Staging, (2, 2, 4), "m6i.large", 30, false),
        (Environment::Production, (3, 3, 9), "m6i.large", 50, true),
    ] {
        let p = run(&config(vec![]), &Value::Null, env);
        assert!(!p.diagnostics.has_errors(), "{env}: {:?}", p.diagnostics);
        let s = Config::decode(&p.state);
        assert_eq!(s.min_size, int(min), "{env}");
        assert_eq!(s.desired_capacity, int(desired));
        assert_eq!(s.max_size, int(max));
        assert_eq!(s.instance_type, string(ty));
        assert_eq!(s.root_volume_size, int(vol));
        assert_eq!(s.app_port, int(8080));
        assert_eq!(s.health_check_path, string("/health"));
        assert_eq!(s.ingress_cidr_blocks, Tri::Known(vec![string("0.0.0.0/0")]));
        assert_eq!(s.metadata_http_tokens, string("required"));
        assert_eq!(s.tls_policy, string("tls13"), "{env}");
        assert_eq!(s.vpc_id, string("vpc-1"));
        assert_eq!(s.desired_capacity_actual, int(desired));
        let posture = s.posture.into_known().unwrap_or_default();
        assert_eq!(posture["ELB.6"] == "pass", protect, "{env}");
        let c = s.components.into_known().unwrap_or_default();
        // The web ACL and its log group too (no IP set: nothing bypasses it).
        assert_eq!(c.len(), roles(true).len() + 2);
        assert_eq!(
            c["waf_log_group"],
            string("arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-web")
        );
        assert!(c["web_acl"].is_unknown() && !c.contains_key("waf_ip_set"));
        let rate = if env == Environment::Development {
            10000
        } else {
            2000
        };
        assert_eq!(s.rate_limit, int(rate), "{env}");
        assert_eq!(posture["ELB.16"], "pass", "{env}");
        assert_eq!(posture["WAF.11"], "pass", "{env}");
        let waf = if env == Environment::Development {
            "fail: relaxed by development profile (managed rule groups count only)"
        } else {
            "pass"
        };
        assert_eq!(posture["waf"], waf, "{env}");
        assert_eq!(
            c["log_group"],
            string("arn:aws:logs:us-east-1:123456789012:log-group:/prod/cluster/web")
        );
        assert!(c["load_balancer"].is_unknown() && c["kms_key"].is_unknown());
        assert!(s.kms_key_arn.is_unknown());
    }
}

#[test]
fn production_refuses_weakening_on_the_attribute() {
    for (attr, v) in [
        ("min_size", Value::int(1)),
        ("metadata_http_tokens", Value::string("optional")),
    ] {
        let p = run(
            &config(vec![(attr, v.clone())]),
            &Value::Null,
            Environment::Production,
        );
        assert!(
            p.diagnostics
                .iter()
                .any(|d| d.path == Some(AttrPath::attr(attr))),
            "{attr}: {:?}",
            p.diagnostics
        );
        let dev = run(
            &config(vec![(attr, v)]),
            &Value::Null,
            Environment::Development,
        );
        assert!(
            !dev.diagnostics.has_errors(),
            "{attr} allowed in development"
        );
    }
    let dev = run(
        &config(vec![("metadata_http_tokens", Value::string("optional"))]),
        &Value::Null,
        Environment::Development,
    );
    let posture = Config::decode(&dev.state)
        .posture
        .into_known()
        .unwrap_or_default();
    assert_eq!(posture["EC2.8"], super::blueprint::imdsv1_allowed());
}

#[test]
fn production_wants_room_to_scale_out() {
    struct Case {
        name: &'static str,
        sizes: &'static [(&'static str, i64)],
        env: Environment,
        refused: bool,
    }
    let production = Environment::Production;
    for c in [
        Case {
            name: "the production defaults (3 / 9) have room",
            sizes: &[],
            env: production,
            refused: false,
        },
        Case {
            name: "max exactly twice min",
            sizes: &[("min_size", 5), ("desired_capacity", 5), ("max_size", 10)],
            env: production,
            refused: false,
        },
        Case {
            name: "max below twice min",
            sizes: &[("min_size", 3), ("max_size", 5)],
            env: production,
            refused: true,
        },
        Case {
            name: "a larger min against the default max (9 < 2 x 5)",
            sizes: &[("min_size", 5), ("desired_capacity", 5)],
            env: production,
            refused: true,
        },
        Case {
            name: "staging may run close to its ceiling",
            sizes: &[("min_size", 3), ("max_size", 4)],
            env: Environment::Staging,
            refused: false,
        },
    ] {
        let extra = c.sizes.iter().map(|(a, v)| (*a, Value::int(*v))).collect();
        let p = run(&config(extra), &Value::Null, c.env);
        let on_max = p.diagnostics.iter().any(|d| {
            d.path == Some(AttrPath::attr("max_size"))
                && d.summary == "max_size below twice min_size in production"
        });
        assert_eq!(on_max, c.refused, "{}: {:?}", c.name, p.diagnostics);
        assert_eq!(p.diagnostics.has_errors(), c.refused, "{}", c.name);
    }
}

#[test]
fn zones_are_counted_from_the_subnets() {
    let cfg = config(vec![]);
    let one = plan(
        &cfg,
        &Value::Null,
        &cfg,
        Environment::Development.into(),
        &BTreeMap::new(),
        Some(&place()),
        Some(&subnets(&["us-east-1a", "us-east-1a", "us-east-1a"])),
    );
    assert!(one.diagnostics.iter().any(
        |d| d.path == Some(AttrPath::attr("subnet_ids")) && d.summary.contains("Fewer than 2")
    ));
    let two = plan(
        &cfg,
        &Value::Null,
        &cfg,
        Environment::Production.into(),
        &BTreeMap::new(),
        Some(&place()),
        Some(&subnets(&["us-east-1a", "us-east-1b", "us-east-1a"])),
    );
    assert!(!two.diagnostics.has_errors());
    assert!(
        two.diagnostics
            .iter()
            .any(|d| d.summary.contains("Fewer than 3")),
        "warning below 3 in production"
    );
    let missing = plan(
        &cfg,
        &Value::Null,
        &cfg,
        Environment::Development.into(),
        &BTreeMap::new(),
        Some(&place()),
        Some(&[]),
    );
    assert!(missing
        .diagnostics
        .iter()
        .any(|d| d.path == Some(AttrPath::attr("subnet_ids").then_index(0))));
}

/// The state apply leaves after the plan of `config(vec![])`: every unknown filled in.
fn applied(env: Environment) -> Value {
    let p = run(&config(vec![]), &Value::Null, env);
    let mut s = p.state;
    let comps: BTreeMap<String, Value> = Config::decode(&s)
        .components
        .into_known()
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| {
            let v = if v.is_unknown() {
                Value::string(format!("id-{k}"))
            } else {
                write_tri::<String>(&v)
            };
            (k, v)
        })
        .collect();
    for (attr, role) in [
        ("security_group_id", "security_group_app"),
        ("load_balancer_security_group_id", "security_group_lb"),
        ("load_balancer_arn", "load_balancer"),
        ("target_group_arn", "target_group"),
        ("launch_template_id", "launch_template"),
        ("kms_key_arn", "kms_key"),
    ] {
        s.set(attr, comps[role].clone());
    }
    s.set("components", Value::Map(comps));
    s.set(
        "load_balancer_dns_name",
        Value::string("web-1.us-east-1.elb.amazonaws.com"),
    );
    s.set("launch_template_version", Value::int(1));
    s.set("serving_launch_template_version", Value::int(1));
    s.set("rollout_status", Value::string("idle"));
    // What apply leaves: the ARNs' suffixes and the watch map with them.
    let st = State::decode(&s);
    for (attr, v) in [
        ("load_balancer_arn_suffix", &st.load_balancer_arn),
        ("target_group_arn_suffix", &st.target_group_arn),
    ] {
        let cut = if attr.starts_with("load") {
            watch::load_balancer_suffix
        } else {
            watch::target_group_suffix
        };
        s.set(attr, Value::string(cut(v.as_deref().unwrap_or_default())));
    }
    s.set("watch", super::settled_watch(&st, &st).write());
    s
}

#[test]
fn unchanged_configuration_plans_the_prior_state() {
    let prior = applied(Environment::Production);
    let p = run(&config(vec![]), &prior, Environment::Production);
    assert!(p.requires_replace.is_empty());
    assert_eq!(p.state, prior);
}

#[test]
fn scaling_owns_desired_capacity_unless_the_user_changes_it() {
    let mut prior = applied(Environment::Production);
    prior.set("desired_capacity", Value::int(3));
    prior.set("desired_capacity_actual", Value::int(7));
    let p = run(&config(vec![]), &prior, Environment::Production);
    let s = Config::decode(&p.state);
    assert_eq!(s.desired_capacity, int(3));
    assert_eq!(s.desired_capacity_actual, int(7), "the live value is kept");
    let p = run(
        &config(vec![("desired_capacity", Value::int(4))]),
        &prior,
        Environment::Production,
    );
    assert_eq!(Config::decode(&p.state).desired_capacity_actual, int(4));
    let p = run(
        &config(vec![("min_size", Value::int(5))]),
        &prior,
        Environment::Production,
    );
    assert_eq!(
        Config::decode(&p.state).desired_capacity,
        int(5),
        "kept within the new bounds"
    );
}

#[test]
fn template_changes_roll_in_place_and_port_changes_replace() {
    let prior = applied(Environment::Production);
    let p = run(
        &config(vec![("image_id", Value::string("ami-0fedcba9876543210"))]),
        &prior,
        Environment::Production,
    );
    assert!(p.requires_replace.is_empty());
    let s = Config::decode(&p.state);
    assert!(s.launch_template_version.is_unknown());
    assert_eq!(
        s.load_balancer_arn,
        Config::decode(&prior).load_balancer_arn
    );
    let p = run(
        &config(vec![("app_port", Value::int(9000))]),
        &prior,
        Environment::Production,
    );
    assert_eq!(p.requires_replace, vec![AttrPath::attr("app_port")]);
    assert!(Config::decode(&p.state).load_balancer_arn.is_unknown());
    let mut drifted = prior.clone();
    drifted.set(
        "posture",
        Value::string_map([(
            "EC2.8",
            "fail: IMDSv1 allowed on launch template version 3 (the default)",
        )]),
    );
    let p = run(&config(vec![]), &drifted, Environment::Production);
    assert!(
        Config::decode(&p.state)
            .launch_template_version
            .is_unknown(),
        "a weakened template gets a new version"
    );
}

#[test]
fn validation_names_the_attribute() {
    let bad = [
        ("name", Value::string("this-name-is-far-too-long-for-alb")),
        ("image_id", Value::string("ubuntu")),
        ("subnet_ids", Value::string_list(["vpc-1"])),
        ("certificate_arn", Value::string("")),
        ("instance_type", Value::string("large")),
        ("max_size", Value::int(0)),
        ("app_port", Value::int(70000)),
        ("health_check_path", Value::string("health")),
        ("ingress_cidr_blocks", Value::string_list(["10.0.0.1/8"])),
        ("root_volume_size", Value::int(4)),
        ("metadata_http_tokens", Value::string("v1")),
        ("tls_policy", Value::string("tls11")),
        ("root_volume_encrypted", Value::Bool(false)),
        ("kms_key_arn", Value::string("alias/mine")),
        ("environment", Value::string("prod")),
    ];
    for (attr, v) in bad {
        let d = validate(&config(vec![(attr, v)]));
        assert!(
            d.iter().any(|x| x
                .path
                .as_ref()
                .is_some_and(|p| p.to_string().starts_with(attr))),
            "{attr}: {:?}",
            d
        );
    }
    let d = validate(&config(vec![
        ("min_size", Value::int(3)),
        ("max_size", Value::int(2)),
    ]));
    assert!(d.has_errors());
    assert!(!validate(&config(vec![])).has_errors());
    assert!(!validate(&config(vec![("certificate_arn", Value::unknown())])).has_errors());
}

#[test]
fn tls_policy_names_the_listener_policy_and_reads_back() {
    let cases = [
        (
            "TLS 1.3 only",
            "tls13",
            Some("ELBSecurityPolicy-TLS13-1-3-PQ-2025-09"),
        ),
        (
            "TLS 1.2 and 1.3",
            "tls12",
            Some("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"),
        ),
        ("unknown value", "tls11", None),
    ];
    for (name, tls, policy) in cases {
        assert_eq!(blueprint::ssl_policy(tls), policy, "{name}");
        if let Some(p) = policy {
            assert_eq!(blueprint::tls_policy_of(p), tls, "{name}: reads back");
        }
    }
    // A policy set outside Terraform reads back as itself: the plan shows it going back.
    assert_eq!(
        blueprint::tls_policy_of("ELBSecurityPolicy-2016-08"),
        "ELBSecurityPolicy-2016-08"
    );
    // Configured, the value is kept as written.
    let p = run(
        &config(vec![("tls_policy", Value::string("tls12"))]),
        &Value::Null,
        Environment::Production,
    );
    assert!(!p.diagnostics.has_errors(), "{:?}", p.diagnostics);
    assert_eq!(Config::decode(&p.state).tls_policy, string("tls12"));
}

/// A known planned number.
fn int(i: i64) -> Tri<Number> {
    Tri::Known(Number::Int(i))
}

/// A known planned string.
fn string(s: &str) -> Tri<String> {
    Tri::Known(s.to_string())
}

#[test]
fn watch_is_the_configured_capacities_and_the_dimensions_once_they_exist() {
    let sizes = vec![
        ("min_size", Value::int(4)),
        ("desired_capacity", Value::int(5)),
        ("max_size", Value::int(9)),
    ];
    let cases = [
        ("create: dimensions unknown", Value::Null, None),
        (
            "kept: dimensions from the ARNs",
            applied(Environment::Production),
            Some(""),
        ),
    ];
    for (case, prior, dims) in cases {
        let p = run(&config(sizes.clone()), &prior, Environment::Production);
        let w = Config::decode(&p.state).watch.into_known().unwrap();
        let known = |k: &str| w[k].known().cloned();
        assert_eq!(known("kind").as_deref(), Some("cluster"), "{case}");
        assert_eq!(known("name").as_deref(), Some("web"), "{case}");
        assert_eq!(known("min_size").as_deref(), Some("4"), "{case}");
        assert_eq!(known("desired_capacity").as_deref(), Some("5"), "{case}");
        assert_eq!(known("max_size").as_deref(), Some("9"), "{case}");
        assert_eq!(known("load_balancer").as_deref(), dims, "{case}");
        assert_eq!(known("target_group").as_deref(), dims, "{case}");
    }
}

#[test]
fn arn_suffixes_are_the_metric_dimensions() {
    assert_eq!(
        watch::load_balancer_suffix(
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
        ),
        "app/web/50dc6c495c0c9188"
    );
    assert_eq!(
        watch::target_group_suffix(
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/73e2d6bc24d8a067"
        ),
        "targetgroup/web-tg/73e2d6bc24d8a067"
    );
}

#[test]
fn rollout_status_is_known_at_plan_only_where_nothing_rolls_out() {
    struct Case {
        name: &'static str,
        prior_status: Value,
        config: Vec<(&'static str, Value)>,
        planned: Option<&'static str>,
    }
    let types = || Value::string_list(["m6i.large", "m7i.large"]);
    let cases = [
        Case {
            name: "unchanged",
            prior_status: Value::string("idle"),
            config: vec![],
            planned: Some("idle"),
        },
        Case {
            name: "unchanged after a rollback",
            prior_status: Value::string("rolled_back: web-rollout-5xx"),
            config: vec![],
            planned: Some("rolled_back: web-rollout-5xx"),
        },
        Case {
            name: "upgraded state without it",
            prior_status: Value::Null,
            config: vec![],
            planned: Some("idle"),
        },
        Case {
            name: "a new image rolls out",
            prior_status: Value::string("rolled_back: web-rollout-5xx"),
            config: vec![("image_id", Value::string("ami-0fedcba9876543210"))],
            planned: None,
        },
        Case {
            name: "new instance types roll out",
            prior_status: Value::string("rolled_back: web-rollout-5xx"),
            config: vec![("instance_types", types())],
            planned: None,
        },
    ];
    for c in cases {
        let mut prior = applied(Environment::Production);
        prior.set("rollout_status", c.prior_status.clone());
        let p = run(&config(c.config), &prior, Environment::Production);
        let planned = Config::decode(&p.state);
        match c.planned {
            Some(s) => assert_eq!(
                planned.rollout_status,
                Tri::Known(s.to_string()),
                "{}",
                c.name
            ),
            None => assert_eq!(planned.rollout_status, Tri::Unknown, "{}", c.name),
        }
        assert_eq!(
            planned.serving_launch_template_version, planned.launch_template_version,
            "{}: the version serving is the one the group runs",
            c.name
        );
    }
}
