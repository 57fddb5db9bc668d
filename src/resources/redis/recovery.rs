//! The group's recovery: what a configuration (at plan) or AWS (at read) gives. Redis declares no
//! objectives of its own; the block, its checks, `recovery_plan` and posture `recovery` are the
//! stores' shared `datastore::recovery`.

use crate::resources::datastore::recovery::{Gives, Means};

/// Snapshots are daily: a restore loses up to the day since the last one.
pub const SNAPSHOT_RPO_SECONDS: i64 = 86_400;
/// Without a replica, the data comes back by restoring the latest snapshot into a new group:
/// the group's creation plus the load, commonly half an hour.
pub const RESTORE_SECONDS: i64 = 1800;

/// What the group gives: a restore from its daily snapshots (`snapshot_retention_days` of them,
/// taken in `snapshot_window`), and an automatic failover to a replica when it has one.
pub fn gives(standby: bool, snapshot_retention_days: i64, snapshot_window: &str) -> Gives {
    Gives {
        rpo: (snapshot_retention_days > 0).then(|| Means {
            by: "a restore from the daily snapshot",
            detail: format!("(taken {snapshot_window} UTC, {snapshot_retention_days} day(s) kept)"),
            worst: SNAPSHOT_RPO_SECONDS,
            bound: true,
        }),
        rpo_fix: (
            "snapshot_retention_days",
            "set snapshot_retention_days (1 or more)",
        ),
        rto: if standby {
            Means::failover("automatic failover to a replica")
        } else {
            Means::estimate(
                "a restore of the latest snapshot into a new group",
                RESTORE_SECONDS,
            )
        },
        standby_fix: ("replicas_per_shard", "set replicas_per_shard = 1 or more"),
        regional_loss: "not covered: the snapshots stay in this region".into(),
        second_region: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::datastore::recovery::{
        effective, recovery_plan, unmet, Declared, Objectives,
    };

    #[test]
    fn objectives_against_snapshots_and_a_replica() {
        struct Case {
            name: &'static str,
            rpo: Option<&'static str>,
            rto: Option<&'static str>,
            standby: bool,
            retention: i64,
            unmet: &'static [&'static str],
        }
        let cases = [
            Case {
                name: "none declared",
                rpo: None,
                rto: None,
                standby: false,
                retention: 0,
                unmet: &[],
            },
            Case {
                name: "a day's RPO and 15m RTO with a replica",
                rpo: Some("24h"),
                rto: Some("15m"),
                standby: true,
                retention: 7,
                unmet: &[],
            },
            Case {
                name: "RPO shorter than the daily snapshot",
                rpo: Some("1h"),
                rto: None,
                standby: true,
                retention: 7,
                unmet: &["snapshot_retention_days"],
            },
            Case {
                name: "RTO 15m without a replica",
                rpo: None,
                rto: Some("15m"),
                standby: false,
                retention: 1,
                unmet: &["replicas_per_shard"],
            },
        ];
        for c in &cases {
            let declared = Declared {
                rpo: c.rpo.map(Into::into),
                rto: c.rto.map(Into::into),
                region: None,
            };
            let o = effective(&declared, Objectives::default());
            let g = gives(c.standby, c.retention, "02:00-03:00");
            let got: Vec<&str> = unmet(&o, &g).iter().map(|u| u.argument).collect();
            assert_eq!(got, c.unmet, "{}", c.name);
        }
        let p = recovery_plan(&Objectives::default(), &gives(true, 7, "02:00-03:00"));
        assert_eq!(
            (
                p["rpo"].as_str(),
                p["rto"].as_str(),
                p["objectives"].as_str()
            ),
            (
                "a restore from the daily snapshot (taken 02:00-03:00 UTC, 7 day(s) kept): ≤ 24h",
                "automatic failover to a replica: ≤ 2m",
                "none declared"
            )
        );
    }
}
