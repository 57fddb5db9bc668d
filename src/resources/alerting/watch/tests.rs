//! Watch maps: what each resource builds, and what `prod_alerting` reads from them.

use super::*;

fn map(pairs: &[(&str, &str)]) -> Planned {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), Tri::Known(v.to_string())))
        .collect()
}

fn cluster_map() -> Planned {
    map(&[
        ("kind", "cluster"),
        ("name", "ledger"),
        ("autoscaling_group", "ledger"),
        ("load_balancer", "app/ledger/abc"),
        ("target_group", "targetgroup/ledger-tg/def"),
        ("min_size", "3"),
        ("desired_capacity", "4"),
        ("max_size", "9"),
        ("web_acl", "ledger"),
        ("rate_rule", "ledger-rate-limit"),
        ("region", "us-east-1"),
        ("certificate", CERTIFICATE),
    ])
}

const CERTIFICATE: &str = "arn:aws:acm:us-east-1:1:certificate/abc";

/// A database's map, with `replicas`.
fn database_map(replicas: &str) -> Planned {
    map(&[
        ("kind", "database"),
        ("name", "ledger"),
        ("instance", "ledger"),
        ("engine", "postgres"),
        ("instance_class", "db.r6g.large"),
        ("allocated_storage", "100"),
        ("max_connections", "100"),
        ("replicas", replicas),
    ])
}

#[test]
fn a_cluster_builds_its_map_from_configuration_and_arns() {
    let n = |i| Tri::Known(Number::Int(i));
    let m = cluster(
        &Tri::Known("ledger".into()),
        &Tri::Known("arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/ledger/abc".into()),
        &Tri::Known("arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/ledger-tg/def".into()),
        [&n(3), &n(4), &n(9)],
        edge(),
    );
    assert_eq!(m, cluster_map());
    // Before the load balancer exists: that value alone is unknown, the names are known.
    let m = cluster(
        &Tri::Known("ledger".into()),
        &Tri::Unknown,
        &Tri::Unknown,
        [&n(3), &n(4), &n(9)],
        edge(),
    );
    assert!(m["load_balancer"].is_unknown() && m["target_group"].is_unknown());
    assert!(
        m["region"].is_unknown(),
        "the region comes from the load balancer's ARN"
    );
    assert_eq!(parse(&m), Ok(None));
    assert_eq!(
        shorts(&m),
        Ok(Tri::Known(packs::cluster_shorts("ledger", true)))
    );
}

/// The web ACL's metric names of cluster `ledger`.
fn edge() -> Edge {
    Edge {
        web_acl: Tri::Known("ledger".into()),
        rate_rule: Tri::Known("ledger-rate-limit".into()),
        certificate: Tri::Known(CERTIFICATE.into()),
    }
}

#[test]
fn a_cluster_map_from_before_the_edge_keys_watches_no_blocked_requests_or_expiry() {
    let mut m = cluster_map();
    for k in ["web_acl", "rate_rule", "region", "certificate"] {
        m.remove(k);
    }
    let Ok(Some(Watched::Cluster(f))) = parse(&m) else {
        panic!("{:?}", parse(&m));
    };
    assert_eq!((f.web_acl, f.certificate), (None, None));
    let names = shorts(&m)
        .ok()
        .and_then(Tri::into_known)
        .unwrap_or_default();
    assert_eq!(names, packs::cluster_shorts("ledger", false));
    assert!(
        !names.iter().any(|n| n.contains("blocked-requests")),
        "{names:?}"
    );
}

#[test]
fn a_database_map_carries_the_effective_max_connections() {
    let name = Tri::Known("ledger".to_string());
    let engine = Tri::Known("postgres".to_string());
    let class = Tri::Known("db.r6g.large".to_string());
    let storage = Tri::Known(Number::Int(100));
    let params = |v: Option<Tri<String>>| match v {
        Some(v) => Tri::Known(BTreeMap::from([("max_connections".to_string(), v)])),
        None => Tri::Null,
    };
    let cases = [
        (
            "configured",
            params(Some(Tri::Known("100".into()))),
            Tri::Known("100".to_string()),
        ),
        (
            "unset: the engine's formula",
            params(None),
            Tri::Known("1802".to_string()),
        ),
        ("not yet known", params(Some(Tri::Unknown)), Tri::Unknown),
    ];
    for (case, parameters, want) in cases {
        let m = database(DatabaseArgs {
            name: &name,
            instance: name.clone(),
            engine: &engine,
            instance_class: &class,
            allocated_storage: &storage,
            replicas: Tri::Known(vec!["ledger-replica-1".into(), "ledger-replica-2".into()]),
            parameters: &parameters,
            proxy: None,
            restore_check: None,
        });
        assert_eq!(m["max_connections"], want, "{case}");
        assert_eq!(
            m["replicas"],
            Tri::Known("ledger-replica-1,ledger-replica-2".into())
        );
    }
}

#[test]
fn watch_maps_read_as_facts() {
    let db = database_map("ledger-replica-1");
    let redis = map(&[
        ("kind", "redis"),
        ("name", "ledger"),
        ("members", "ledger-001,ledger-002"),
    ]);
    let cases: Vec<(&str, Planned, Watched)> = vec![
        (
            "cluster",
            cluster_map(),
            Watched::Cluster(ClusterFacts {
                name: "ledger".into(),
                load_balancer: "app/ledger/abc".into(),
                target_group: "targetgroup/ledger-tg/def".into(),
                min_size: 3,
                desired_capacity: 4,
                web_acl: Some(WebAcl {
                    name: "ledger".into(),
                    rate_rule: "ledger-rate-limit".into(),
                    region: "us-east-1".into(),
                }),
                certificate: Some(CERTIFICATE.into()),
            }),
        ),
        (
            "database",
            db,
            Watched::Database(DatabaseFacts {
                name: "ledger".into(),
                instance: "ledger".into(),
                engine: "postgres".into(),
                instance_class: "db.r6g.large".into(),
                allocated_gib: 100,
                max_connections: Some(100.0),
                replicas: vec!["ledger-replica-1".into()],
                proxy: None,
                restore_check: None,
            }),
        ),
        (
            "redis",
            redis,
            Watched::Redis(RedisFacts {
                name: "ledger".into(),
                members: vec!["ledger-001".into(), "ledger-002".into()],
            }),
        ),
    ];
    for (case, m, want) in cases {
        assert_eq!(parse(&m), Ok(Some(want.clone())), "{case}");
        let names: Vec<String> = want.pack().into_iter().map(|a| a.short).collect();
        assert_eq!(shorts(&m), Ok(Tri::Known(names)), "{case}");
    }
}

#[test]
fn max_connections_100_gives_80_and_95() {
    let Ok(Some(w)) = parse(&database_map("")) else {
        panic!("a database map");
    };
    let t = |short: &str| {
        w.pack()
            .into_iter()
            .find(|a| a.short == short)
            .map(|a| a.threshold)
    };
    assert_eq!(t("db-ledger-connections-warning"), Some(80.0));
    assert_eq!(t("db-ledger-connections-critical"), Some(95.0));
}

#[test]
fn bad_maps_are_errors_in_words() {
    let mut no_name = cluster_map();
    no_name.remove("name");
    let mut not_a_number = cluster_map();
    not_a_number.insert("min_size".into(), Tri::Known("three".into()));
    let cases = [
        (
            "unknown kind",
            map(&[("kind", "queue"), ("name", "q")]),
            "kind `queue`",
        ),
        ("no kind", map(&[("name", "q")]), "no `kind`"),
        ("missing key", no_name, "no `name`"),
        (
            "not a number",
            not_a_number,
            "`min_size` is \"three\", not a whole number",
        ),
    ];
    for (case, m, want) in cases {
        let err = shorts(&m).expect_err(case);
        assert!(err.contains(want), "{case}: {err}");
        assert!(!err.contains("Some("), "{case}: {err}");
    }
}

#[test]
fn unknown_members_leave_the_names_unknown() {
    let m = redis(&Tri::Known("ledger".into()), &Tri::Unknown);
    assert_eq!(shorts(&m), Ok(Tri::Unknown));
    let m = redis(
        &Tri::Known("ledger".into()),
        &Tri::Known(vec!["ledger-001".into()]),
    );
    assert_eq!(
        shorts(&m),
        Ok(Tri::Known(redis_pack::redis_shorts(&["ledger-001".into()])))
    );
}
