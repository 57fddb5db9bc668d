//! The database's recovery: the production profile's objectives and what a configuration (at
//! plan) or AWS (at read) gives. The block, its checks, `recovery_plan` and posture `recovery`
//! are the stores' shared `datastore::recovery`.

use crate::provider::profile::Environment;
use crate::resources::datastore::recovery::{Gives, Means, Objectives};

/// Point-in-time restore's recovery point: RDS and Aurora upload the transaction logs every
/// 5 minutes, so the latest restorable time trails by up to that.
pub const PITR_RPO_SECONDS: i64 = 300;
/// Without a standby, the database is rebuilt from its backups: a restore plus the replay of
/// the logs, commonly three quarters of an hour for a database of this provider's sizes.
pub const RESTORE_SECONDS: i64 = 2700;
/// Aurora without a reader keeps its data on the cluster volume: it makes a new writer there,
/// which AWS gives as typically under 10 minutes.
pub const AURORA_NEW_WRITER_SECONDS: i64 = 600;

/// The profile's objectives: the guides' RPO 5 minutes and RTO 15 minutes in production.
pub fn profile(env: Environment) -> Objectives {
    match env {
        Environment::Production => Objectives {
            rpo: Some(PITR_RPO_SECONDS),
            rto: Some(900),
        },
        _ => Objectives::default(),
    }
}

/// What the database gives: point-in-time restore within `backup_retention_days` of backups, and
/// a failover to the standby (Multi-AZ; for Aurora, a reader), else a rebuild: from the backups,
/// or for Aurora a new writer on the cluster volume.
pub fn gives(aurora: bool, standby: bool, backup_retention_days: i64) -> Gives {
    let rto = match (standby, aurora) {
        (true, true) => Means::failover("failover to a reader"),
        (true, false) => Means::failover("Multi-AZ failover"),
        (false, true) => Means::estimate(
            "a new writer on the cluster volume",
            AURORA_NEW_WRITER_SECONDS,
        ),
        (false, false) => Means::estimate("a restore from backup", RESTORE_SECONDS),
    };
    Gives {
        rpo: (backup_retention_days > 0).then(|| Means {
            by: "point-in-time restore",
            detail: format!("within {backup_retention_days} day(s) of backups"),
            worst: PITR_RPO_SECONDS,
            bound: true,
        }),
        rpo_fix: (
            "backup_retention_days",
            "set backup_retention_days (7 or more)",
        ),
        rto,
        standby_fix: if aurora {
            ("replicas", "add a reader (replicas = 1 or more)")
        } else {
            ("multi_az", "set multi_az = true")
        },
        regional_loss: "not covered: the backups stay in this region",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::datastore::recovery::{effective, recovery_plan, unmet};

    #[test]
    fn production_objectives_and_what_meets_them() {
        struct Case {
            name: &'static str,
            aurora: bool,
            standby: bool,
            days: i64,
            unmet: &'static [&'static str],
            rto: &'static str,
        }
        let cases = [
            Case {
                name: "Multi-AZ with 30 days of backups",
                aurora: false,
                standby: true,
                days: 30,
                unmet: &[],
                rto: "Multi-AZ failover: ≤ 2m",
            },
            Case {
                name: "Aurora with a reader",
                aurora: true,
                standby: true,
                days: 7,
                unmet: &[],
                rto: "failover to a reader: ≤ 2m",
            },
            Case {
                name: "Aurora without a reader: a new writer within the 15m",
                aurora: true,
                standby: false,
                days: 7,
                unmet: &[],
                rto: "a new writer on the cluster volume: ≈ 10m",
            },
            Case {
                name: "single instance without backups",
                aurora: false,
                standby: false,
                days: 0,
                unmet: &["backup_retention_days", "multi_az"],
                rto: "a restore from backup: ≈ 45m",
            },
        ];
        let prod = profile(Environment::Production);
        assert_eq!((prod.rpo, prod.rto), (Some(300), Some(900)));
        assert_eq!(profile(Environment::Staging), Objectives::default());
        for c in &cases {
            let g = gives(c.aurora, c.standby, c.days);
            let got: Vec<&str> = unmet(&prod, &g).iter().map(|u| u.argument).collect();
            assert_eq!(got, c.unmet, "{}", c.name);
            assert_eq!(recovery_plan(&prod, &g)["rto"], c.rto, "{}", c.name);
        }
        let p = recovery_plan(&prod, &gives(false, true, 30));
        assert_eq!(
            p["rpo"],
            "point-in-time restore within 30 day(s) of backups: ≤ 5m"
        );
        assert_eq!(
            effective(Some("10m"), None, prod).rpo,
            Some(600),
            "the block's objective over the profile's"
        );
        let five = effective(None, Some("5m"), Objectives::default());
        let aurora: Vec<&str> = unmet(&five, &gives(true, false, 7))
            .iter()
            .map(|u| u.argument)
            .collect();
        assert_eq!(aurora, ["replicas"], "RTO 5m on Aurora needs a reader");
    }
}
