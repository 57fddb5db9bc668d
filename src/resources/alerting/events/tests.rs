//! Events: what apply wants of the watched data stores, and how read judges what AWS has.

use super::*;

const TOPIC: &str = "arn:aws:sns:us-east-1:1:ops-critical";

fn database(engine: &str, replicas: &[&str]) -> DatabaseFacts {
    DatabaseFacts {
        name: "ledger".into(),
        instance: if engine.starts_with("aurora-") {
            "ledger-writer".into()
        } else {
            "ledger".into()
        },
        engine: engine.into(),
        instance_class: "db.r6g.large".into(),
        allocated_gib: 100,
        max_connections: None,
        replicas: replicas.iter().map(|r| r.to_string()).collect(),
        proxy: None,
        restore_check: None,
    }
}

fn redis() -> RedisFacts {
    RedisFacts {
        name: "ledger".into(),
        members: vec!["ledger-001".into(), "ledger-002".into()],
    }
}

/// One database kind, and the subscription it gets.
struct Case {
    name: &'static str,
    engine: &'static str,
    replicas: &'static [&'static str],
    source_type: &'static str,
    source_ids: &'static [&'static str],
    categories: &'static [&'static str],
}

#[test]
fn each_database_gets_a_subscription_to_the_critical_topic_for_its_kind() {
    let cases = [
        Case {
            name: "RDS: the primary and every replica, instance events",
            engine: "postgres",
            replicas: &["ledger-replica-2", "ledger-replica-1"],
            source_type: "db-instance",
            source_ids: &["ledger", "ledger-replica-1", "ledger-replica-2"],
            categories: &[
                "failover",
                "failure",
                "low storage",
                "maintenance",
                "recovery",
            ],
        },
        Case {
            name: "Aurora: the cluster, cluster events",
            engine: "aurora-postgresql",
            replicas: &[],
            source_type: "db-cluster",
            source_ids: &["ledger"],
            categories: &["failover", "failure", "maintenance"],
        },
    ];
    for c in cases {
        let s = subscription("ops", &database(c.engine, c.replicas), TOPIC);
        assert_eq!(s.name, "ops-db-ledger", "{}", c.name);
        assert_eq!(s.source_type, c.source_type, "{}", c.name);
        assert_eq!(s.source_ids, c.source_ids, "{}", c.name);
        assert_eq!(s.categories, c.categories, "{}", c.name);
        assert_eq!((s.topic.as_str(), s.enabled), (TOPIC, true), "{}", c.name);
    }
}

#[test]
fn only_data_stores_send_events() {
    let watched = [
        Watched::Database(database("mysql", &[])),
        Watched::Redis(redis()),
    ];
    let w = wanted("ops", &watched, TOPIC);
    assert_eq!(w.subscriptions.len(), 1);
    assert_eq!(w.groups, vec![redis()]);
    assert_eq!(wanted("ops", &[], TOPIC), Wanted::default());
}

fn note(topic: &str, status: &str) -> Notification {
    Notification {
        topic: Some(topic.into()),
        status: Some(status.into()),
    }
}

/// A drift of the events, and what read says of it (`None`: nothing).
struct Drift {
    name: &'static str,
    change: fn(&mut Live, &mut Notes),
    says: Option<&'static str>,
}

#[test]
fn read_names_every_way_an_event_stops_reaching_the_topic() {
    let want = wanted(
        "ops",
        &[
            Watched::Database(database("postgres", &["ledger-replica-1"])),
            Watched::Redis(redis()),
        ],
        TOPIC,
    );
    let drifts = [
        Drift {
            name: "as made",
            change: |_, _| {},
            says: None,
        },
        Drift {
            name: "subscription deleted",
            change: |l, _| {
                l.clear();
            },
            says: Some("event subscription ops-db-ledger is missing"),
        },
        Drift {
            name: "subscription disabled and narrowed",
            change: |l, _| {
                for (_, s) in l.values_mut() {
                    s.enabled = false;
                    s.categories.retain(|c| c != "failover");
                }
            },
            says: Some("event subscription ops-db-ledger differs (disabled, other categories)"),
        },
        Drift {
            name: "a replica no longer a source",
            change: |l, _| {
                for (_, s) in l.values_mut() {
                    s.source_ids.retain(|i| i == "ledger");
                }
            },
            says: Some("event subscription ops-db-ledger differs (other sources)"),
        },
        Drift {
            name: "RDS may not publish to the topic",
            change: |l, _| {
                for (_, s) in l.values_mut() {
                    s.status = Some("no-permission".into());
                }
            },
            says: Some("event subscription ops-db-ledger is no-permission (RDS cannot deliver to the topic)"),
        },
        Drift {
            name: "a member's notifications turned off",
            change: |_, n| {
                n.insert("ledger-002".into(), note(TOPIC, "inactive"));
            },
            says: Some("Redis group ledger does not notify the critical topic"),
        },
        Drift {
            name: "a member notifying another topic",
            change: |_, n| {
                n.insert(
                    "ledger-001".into(),
                    note("arn:aws:sns:us-east-1:1:other", "active"),
                );
            },
            says: Some("Redis group ledger does not notify the critical topic"),
        },
    ];
    for d in drifts {
        let mut live: Live = want
            .subscriptions
            .iter()
            .map(|s| (s.name.clone(), ("arn".to_string(), s.clone())))
            .collect();
        let mut notes: Notes = redis()
            .members
            .iter()
            .map(|m| (m.clone(), note(TOPIC, "active")))
            .collect();
        (d.change)(&mut live, &mut notes);
        assert_eq!(
            shortfall(&want, &live, &notes, TOPIC).as_deref(),
            d.says,
            "{}",
            d.name
        );
    }
}

#[test]
fn a_group_without_members_notifies_nothing() {
    let empty = RedisFacts {
        name: "ledger".into(),
        members: Vec::new(),
    };
    assert!(!notifies(&empty, &Notes::new(), TOPIC));
    assert!(notifies(
        &redis(),
        &redis()
            .members
            .iter()
            .map(|m| (m.clone(), note(TOPIC, "active")))
            .collect(),
        TOPIC
    ));
}
