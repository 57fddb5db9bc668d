//! Blueprint: the hardening per profile, without AWS (plans and posture: `../tests.rs`).

use super::*;

/// The hardening of one profile's replication groups, and the replicas its plan defaults to.
struct Case {
    name: &'static str,
    env: Environment,
    /// The profile's default replicas per shard, and whether they give failover.
    replicas: i64,
    failover: bool,
}

const CASES: [Case; 3] = [
    Case {
        name: "development: no replica, so no failover (relaxed)",
        env: Environment::Development,
        replicas: 0,
        failover: false,
    },
    Case {
        name: "staging: a replica, failover and Multi-AZ on",
        env: Environment::Staging,
        replicas: 1,
        failover: true,
    },
    Case {
        name: "production: two replicas, failover and Multi-AZ on",
        env: Environment::Production,
        replicas: 2,
        failover: true,
    },
];

#[test]
fn hardening_per_profile() {
    for &Case {
        name: n,
        env,
        replicas,
        failover: fails_over,
    } in &CASES
    {
        let h = hardening(env);
        assert!(
            h.at_rest_encryption,
            "{n}: encrypted at rest (ElastiCache.4)"
        );
        assert!(h.transit_encryption, "{n}: TLS required (ElastiCache.5)");
        assert!(h.auth_token, "{n}: an AUTH token (ElastiCache.6)");
        assert_eq!(h.auth_token_length, 64, "{n}: a 64-character token");
        assert!(h.auto_minor_upgrade, "{n}: minor upgrades (ElastiCache.2)");
        assert_eq!(env.redis_replicas_per_shard(), replicas, "{n}: replicas");
        assert_eq!(failover(replicas), fails_over, "{n}: ElastiCache.3");
        let planned = planned_facts(env, 7, replicas, true, Some(default_port(env)));
        assert_eq!(
            default_port(env),
            if env == Environment::Development {
                6379
            } else {
                6380
            },
            "{n}: port"
        );
        assert_eq!(
            (planned.automatic_failover, planned.multi_az),
            (fails_over, fails_over),
            "{n}: plan shows the failover apply sets"
        );
        assert!(
            planned.at_rest && planned.in_transit && planned.auth && planned.auto_minor_upgrade,
            "{n}: plan shows the hardening apply sets"
        );
    }
}

#[test]
fn a_generated_token_is_due_after_its_period() {
    struct Case {
        name: &'static str,
        changed: &'static str,
        days: i64,
        due: Option<i64>,
    }
    // 2026-12-06T00:00:00Z
    let now = 1_796_515_200;
    for c in [
        Case {
            name: "younger than the period",
            changed: "2026-11-01T00:00:00Z",
            days: 90,
            due: None,
        },
        Case {
            name: "exactly the period",
            changed: "2026-09-07T00:00:00Z",
            days: 90,
            due: Some(90),
        },
        Case {
            name: "past the period",
            changed: "2026-01-01T00:00:00Z",
            days: 90,
            due: Some(339),
        },
        Case {
            name: "never rotates",
            changed: "2020-01-01T00:00:00Z",
            days: 0,
            due: None,
        },
        Case {
            name: "an unreadable date is never due",
            changed: "yesterday",
            days: 1,
            due: None,
        },
    ] {
        assert_eq!(rotation_due(c.changed, c.days, now), c.due, "{}", c.name);
    }
    assert_eq!(
        (
            rotation_days(Environment::Development),
            rotation_days(Environment::Production)
        ),
        (0, 90)
    );
}
