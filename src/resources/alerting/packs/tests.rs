use super::metric as metric_of;
use super::*;

fn facts() -> ClusterFacts {
    ClusterFacts {
        name: "web".into(),
        load_balancer: "app/web/abc".into(),
        target_group: "targetgroup/web-tg/def".into(),
        min_size: 3,
        desired_capacity: 5,
        web_acl: Some(WebAcl {
            name: "web".into(),
            rate_rule: "web-rate-limit".into(),
            region: "eu-west-1".into(),
        }),
        certificate: Some("arn:aws:acm:eu-west-1:1:certificate/web".into()),
    }
}

#[test]
fn a_drifted_alarm_is_described_in_words_not_rust_debug_text() {
    let want = cluster_pack(&facts())
        .into_iter()
        .find(|a| a.short == "cluster-web-in-service-critical")
        .unwrap_or_else(|| panic!("in-service alarm"));
    let live = MetricAlarm::builder()
        .threshold(5.0)
        .comparison_operator(aws_sdk_cloudwatch::types::ComparisonOperator::LessThanThreshold)
        .build();
    let diff = difference(&live, &want).unwrap_or_default();
    assert!(diff.contains("threshold 5, the pack sets 3"), "{diff}");
    assert!(
        diff.contains("none evaluation periods, the pack sets 2"),
        "{diff}"
    );
    assert!(!diff.contains("Some(") && !diff.contains("None"), "{diff}");
}

/// The alarm of pack `p` named `short`.
fn alarm(p: &[PackAlarm], short: &str) -> PackAlarm {
    p.iter()
        .find(|a| a.short == short)
        .cloned()
        .unwrap_or_else(|| panic!("{short}"))
}

#[test]
fn pack_follows_the_profile_table() {
    let p = cluster_pack(&facts());
    assert_eq!(p.len(), 18);
    assert_eq!(
        p.iter().map(|a| a.short.clone()).collect::<Vec<_>>(),
        cluster_shorts("web", true)
    );
    let by = |s: &str| alarm(&p, s);
    let inservice = by("cluster-web-in-service-critical");
    assert_eq!(
        (
            inservice.comparison.as_str(),
            inservice.threshold,
            inservice.evaluation_periods
        ),
        ("LessThanThreshold", 3.0, 2)
    );
    assert_eq!(inservice.treat_missing_data, "breaching");
    assert_eq!(by("cluster-web-in-service-warning").threshold, 5.0);
    let unhealthy = by("cluster-web-unhealthy-hosts-critical");
    assert_eq!(
        (unhealthy.comparison.as_str(), unhealthy.threshold),
        ("GreaterThanOrEqualToThreshold", 3.0)
    );
    assert_eq!(
        by("cluster-web-unhealthy-hosts-warning").evaluation_periods,
        2
    );
    match by("cluster-web-p99-latency-critical").measure {
        Measure::Metric {
            statistic,
            dimensions,
            ..
        } => {
            assert_eq!(statistic, "p99");
            assert_eq!(dimensions["LoadBalancer"], "app/web/abc");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(by("cluster-web-p99-latency-warning").threshold, 0.1);
    assert!(matches!(
        by("cluster-web-5xx-share-warning").measure,
        Measure::Math { .. }
    ));
    assert_eq!(
        (
            by("cluster-web-5xx-share-warning").threshold,
            by("cluster-web-5xx-share-critical").threshold
        ),
        (1.0, 5.0)
    );
    assert_eq!(
        (
            by("cluster-web-cpu-warning").threshold,
            by("cluster-web-cpu-critical").threshold
        ),
        (80.0, 95.0)
    );
    assert_eq!(by("cluster-web-cpu-critical").severity, "critical");
}

#[test]
fn descriptions_name_the_target() {
    assert_eq!(
        target_of_description(&description("ops", "cluster", "web", false)),
        Some(("cluster", "web", false))
    );
    assert_eq!(
        target_of_description(&description("ops", "database", "pay", true)),
        Some(("database", "pay", true))
    );
    assert_eq!(
        target_of_description("prod_alerting ops-cpu (critical)"),
        None
    );
}

#[test]
fn alarms_another_resource_made_are_told_apart() {
    let gate = crate::resources::cluster::rollout::gate_description("ops");
    for (name, d, other) in [
        ("a cluster's rollout gate", gate.as_str(), true),
        (
            "a pack alarm",
            &*description("ops", "cluster", "web", true),
            false,
        ),
        ("an alarm block", "prod_alerting ops-cpu (critical)", false),
        ("a user's own words", "CPU of the batch hosts", false),
    ] {
        assert_eq!(made_by_another(d), other, "{name}");
    }
}

/// PostgreSQL database `pay` on db.r6g.large with 100 GiB, its `replicas` and `proxy`.
fn pay(replicas: &[&str], proxy: Option<ProxyWatch>) -> DatabaseFacts {
    DatabaseFacts {
        name: "pay".into(),
        instance: "pay".into(),
        engine: "postgres".into(),
        instance_class: "db.r6g.large".into(),
        allocated_gib: 100,
        max_connections: None,
        replicas: replicas.iter().map(|r| r.to_string()).collect(),
        proxy,
        restore_check: None,
    }
}

#[test]
fn database_pack_follows_the_profile_table() {
    let f = pay(&["pay-replica-1", "pay-replica-2"], None);
    let p = database_pack(&f);
    assert_eq!(
        p.iter().map(|a| a.short.clone()).collect::<Vec<_>>(),
        database_shorts("pay", 2)
    );
    let by = |s: &str| alarm(&p, s);
    let gib = 1024.0 * 1024.0 * 1024.0;
    assert_eq!(
        by("db-pay-free-storage-warning").threshold,
        (100.0 * gib * 0.2_f64).round()
    );
    assert_eq!(
        by("db-pay-free-storage-critical").threshold,
        (100.0 * gib * 0.1_f64).round()
    );
    assert_eq!(
        by("db-pay-freeable-memory-critical").threshold,
        128.0 * 1024.0 * 1024.0
    );
    // 16 GiB / 9531392 = 1802 connections by default.
    assert_eq!(max_connections("postgres", "db.r6g.large"), 1802.0);
    assert_eq!(
        by("db-pay-connections-warning").threshold,
        (1802.0_f64 * 0.8).floor()
    );
    assert_eq!(
        by("db-pay-connections-critical").threshold,
        (1802.0_f64 * 0.95).floor()
    );
    let lag = by("db-pay-replica-2-lag-critical");
    assert_eq!(lag.threshold, 300.0);
    match lag.measure {
        Measure::Metric {
            statistic,
            dimensions,
            ..
        } => {
            assert_eq!(statistic, "Maximum");
            assert_eq!(dimensions["DBInstanceIdentifier"], "pay-replica-2");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(by("db-pay-write-latency-critical").threshold, 0.1);
    assert_eq!(class_memory_gib("db.t4g.medium"), 4.0);
    assert_eq!(class_memory_gib("db.m6g.2xlarge"), 32.0);
    assert_eq!(max_connections("mysql", "db.t4g.medium"), 341.0);
}

#[test]
fn connections_alarms_follow_the_configured_max_connections() {
    let cases = [
        ("configured 100", Some(100.0), (80.0, 95.0)),
        ("engine default for db.r6g.large", None, (1441.0, 1711.0)),
    ];
    for (name, configured, (warning, critical)) in cases {
        let p = database_pack(&DatabaseFacts {
            name: "pay".into(),
            instance: "pay".into(),
            engine: "postgres".into(),
            instance_class: "db.r6g.large".into(),
            allocated_gib: 100,
            max_connections: configured,
            replicas: vec![],
            proxy: None,
            restore_check: None,
        });
        let t = |s: &str| p.iter().find(|a| a.short == s).map(|a| a.threshold);
        assert_eq!(t("db-pay-connections-warning"), Some(warning), "{name}");
        assert_eq!(t("db-pay-connections-critical"), Some(critical), "{name}");
    }
}

#[test]
fn blocked_requests_warn_on_a_spike_over_the_hour_and_page_on_a_rate_limit_storm() {
    let p = cluster_pack(&facts());
    let by = |s: &str| alarm(&p, s);
    let warning = by("cluster-web-blocked-requests-warning");
    assert_eq!(
        (
            warning.threshold,
            warning.evaluation_periods,
            warning.datapoints_to_alarm
        ),
        (BLOCK_SPIKE, 60, Some(1)),
        "one breaching minute in the hour the baseline spans"
    );
    let Measure::Math {
        expression, inputs, ..
    } = &warning.measure
    else {
        panic!("{:?}", warning.measure);
    };
    assert_eq!(expression, "FILL(m1, 0) - 3 * AVG(FILL(m1, 0))");
    assert_eq!(
        (inputs[0].namespace.as_str(), inputs[0].metric.as_str()),
        ("AWS/WAFV2", "BlockedRequests")
    );
    assert_eq!(
        inputs[0].dimensions,
        dims(&[("WebACL", "web"), ("Region", "eu-west-1"), ("Rule", "ALL")])
    );
    let critical = by("cluster-web-blocked-requests-critical");
    assert_eq!(
        (
            critical.threshold,
            critical.evaluation_periods,
            critical.datapoints_to_alarm
        ),
        (RATE_BLOCKS_PER_MINUTE, 2, None)
    );
    let Measure::Metric { dimensions, .. } = &critical.measure else {
        panic!("{:?}", critical.measure);
    };
    assert_eq!(dimensions["Rule"], "web-rate-limit");
    // Without a web ACL (a watch map from before it), no such row.
    let without = cluster_pack(&ClusterFacts {
        web_acl: None,
        ..facts()
    });
    assert_eq!(without.len(), 16);
}

#[test]
fn certificate_expiry_warns_a_month_ahead_and_pages_a_week_ahead() {
    let p = cluster_pack(&facts());
    let tiers: Vec<(String, f64, i32, i32)> = ["warning", "critical"]
        .iter()
        .map(|t| {
            let a = alarm(&p, &format!("cluster-web-certificate-expiry-{t}"));
            (a.comparison, a.threshold, a.period, a.evaluation_periods)
        })
        .collect();
    assert_eq!(
        tiers,
        vec![
            ("LessThanThreshold".to_string(), 30.0, DAY, 1),
            ("LessThanThreshold".to_string(), 7.0, DAY, 1),
        ]
    );
    let a = alarm(&p, "cluster-web-certificate-expiry-critical");
    assert_eq!(
        a.measure,
        metric(
            "AWS/CertificateManager",
            "DaysToExpiry",
            &dims(&[("CertificateArn", "arn:aws:acm:eu-west-1:1:certificate/web")]),
            "Minimum"
        )
    );
    // Every other row keeps the one-minute period.
    assert!(p
        .iter()
        .filter(|a| a.metric != "certificate-expiry")
        .all(|a| a.period == PERIOD));
    let without = cluster_pack(&ClusterFacts {
        certificate: None,
        ..facts()
    });
    assert!(!without.iter().any(|a| a.metric == "certificate-expiry"));
}

#[test]
fn memory_and_disk_watch_the_fullest_host_of_the_group() {
    let p = cluster_pack(&facts());
    for (short, metric, warning, critical, periods) in [
        ("memory", "mem_used_percent", 85.0, 95.0, 2),
        ("disk", "disk_used_percent", 80.0, 90.0, 5),
    ] {
        let w = alarm(&p, &format!("cluster-web-{short}-warning"));
        let c = alarm(&p, &format!("cluster-web-{short}-critical"));
        assert_eq!(
            w.measure,
            metric_of(
                "CWAgent",
                metric,
                &dims(&[("AutoScalingGroupName", "web")]),
                "Maximum"
            ),
            "{short}"
        );
        assert_eq!(
            (
                w.threshold,
                c.threshold,
                w.evaluation_periods,
                c.evaluation_periods
            ),
            (warning, critical, periods, periods),
            "{short}"
        );
    }
}

#[test]
fn a_pooled_database_adds_the_proxys_borrow_latency_and_pool_exhaustion() {
    let f = pay(
        &[],
        Some(ProxyWatch {
            name: "pay".into(),
            max_connections_percent: 90,
        }),
    );
    let p = database_pack(&f);
    let mut want = database_shorts("pay", 0);
    want.extend(proxy_shorts("pay"));
    assert_eq!(p.iter().map(|a| a.short.clone()).collect::<Vec<_>>(), want);
    let by = |s: &str| alarm(&p, s);
    // 90 % of the default 1802 connections is a pool of 1621: 80 % and 95 % of it.
    assert_eq!(by("db-pay-proxy-connections-warning").threshold, 1296.0);
    assert_eq!(by("db-pay-proxy-connections-critical").threshold, 1539.0);
    assert_eq!(
        by("db-pay-proxy-borrow-latency-critical").threshold,
        1_000_000.0
    );
    match &by("db-pay-proxy-connections-warning").measure {
        Measure::Metric {
            metric, dimensions, ..
        } => {
            assert_eq!(metric, "DatabaseConnections");
            assert_eq!(dimensions.get("ProxyName").map(String::as_str), Some("pay"));
            assert_eq!(
                dimensions.get("TargetRole").map(String::as_str),
                Some("READ_WRITE")
            );
        }
        other => panic!("not a metric: {other:?}"),
    }
}

#[test]
fn a_database_with_restore_checks_alarms_critically_on_a_failed_restore() {
    let f = DatabaseFacts {
        restore_check: Some("Aurora".into()),
        ..pay(&[], None)
    };
    let p = database_pack(&f);
    let mut want = database_shorts("pay", 0);
    want.extend(restore_check_shorts("pay"));
    assert_eq!(p.iter().map(|a| a.short.clone()).collect::<Vec<_>>(), want);
    let a = alarm(&p, "db-pay-restore-check-failed-critical");
    assert_eq!(
        (
            a.severity.as_str(),
            a.comparison.as_str(),
            a.threshold,
            a.period,
            a.evaluation_periods,
            a.treat_missing_data.as_str()
        ),
        (
            "critical",
            "GreaterThanOrEqualToThreshold",
            1.0,
            3600,
            1,
            "notBreaching"
        )
    );
    match &a.measure {
        Measure::Metric {
            namespace,
            metric,
            dimensions,
            statistic,
        } => {
            assert_eq!(
                (namespace.as_str(), metric.as_str(), statistic.as_str()),
                ("AWS/Backup", "NumberOfRestoreJobsFailed", "Sum")
            );
            assert_eq!(
                dimensions.get("ResourceType").map(String::as_str),
                Some("Aurora")
            );
        }
        other => panic!("{other:?}"),
    }
    // Without restore checks, no such alarm.
    assert!(database_pack(&pay(&[], None))
        .iter()
        .all(|a| !a.short.contains("restore-check")));
}
