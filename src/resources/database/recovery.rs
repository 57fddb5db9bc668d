//! The database's recovery: the production profile's objectives and what a configuration (at
//! plan) or AWS (at read) gives. The block, its checks, `recovery_plan` and posture `recovery`
//! are the stores' shared `datastore::recovery`.

use crate::provider::profile::Environment;
use crate::resources::datastore::recovery::{text, Gives, Means, Objectives};

/// Point-in-time restore's recovery point: RDS and Aurora upload the transaction logs every
/// 5 minutes, so the latest restorable time trails by up to that.
pub const PITR_RPO_SECONDS: i64 = 300;
/// Without a standby, the database is rebuilt from its backups: a restore plus the replay of
/// the logs, commonly three quarters of an hour for a database of this provider's sizes.
pub const RESTORE_SECONDS: i64 = 2700;
/// Aurora without a reader keeps its data on the cluster volume: it makes a new writer there,
/// which AWS gives as typically under 10 minutes.
pub const AURORA_NEW_WRITER_SECONDS: i64 = 600;

/// A restore in the second region from the replicated backups: the instance made from them and
/// the logs replayed, as a restore here.
pub const REMOTE_RESTORE_SECONDS: i64 = RESTORE_SECONDS;

/// Where the database's backups are copied, as planned or as AWS reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Regional {
    /// No second region.
    None,
    /// The automated backups replicated to `region`, kept `days` (RDS), and each day's recovery
    /// point copied there by AWS Backup, kept `copies` days.
    Replicated {
        region: String,
        days: i64,
        copies: i64,
    },
    /// Each day's recovery point copied to `region` by AWS Backup, kept `days` (Aurora).
    Copied { region: String, days: i64 },
    /// A second region was declared but AWS replicates nothing there (stopped, or never started).
    Stopped { region: String },
}

/// The profile's objectives: the guides' RPO 5 minutes and RTO 15 minutes in production.
pub fn profile(env: Environment) -> Objectives {
    match env {
        Environment::Production => Objectives {
            rpo: Some(PITR_RPO_SECONDS),
            rto: Some(900),
            region: None,
        },
        _ => Objectives::default(),
    }
}

/// What the database gives: point-in-time restore within `backup_retention_days` of backups, and
/// a failover to the standby (Multi-AZ; for Aurora, a reader), else a rebuild: from the backups,
/// or for Aurora a new writer on the cluster volume; on the region's loss, a restore from the
/// backups replicated to the second region, where there is one.
pub fn gives(
    aurora: bool,
    standby: bool,
    backup_retention_days: i64,
    regional: &Regional,
) -> Gives {
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
        regional_loss: match regional {
            Regional::None => "not covered: the backups stay in this region".into(),
            Regional::Replicated {
                region,
                days,
                copies,
            } => format!(
                "point-in-time restore in {region} from the replicated backups (within {days} day(s)), or from a daily copy (kept {copies} day(s)): ≈ {}",
                text(REMOTE_RESTORE_SECONDS)
            ),
            Regional::Copied { region, days } => format!(
                "a restore in {region} from the latest daily copy (kept {days} day(s); up to a day of changes lost): ≈ {}",
                text(REMOTE_RESTORE_SECONDS)
            ),
            Regional::Stopped { region } => {
                format!("not covered: the backups are not replicated and copied to {region}")
            }
        },
        second_region: match regional {
            Regional::Replicated { region, .. } | Regional::Copied { region, .. } => {
                Some(region.clone())
            }
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::datastore::recovery::{effective, recovery_plan, unmet, Declared};

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
            let g = gives(c.aurora, c.standby, c.days, &Regional::None);
            let got: Vec<&str> = unmet(&prod, &g).iter().map(|u| u.argument).collect();
            assert_eq!(got, c.unmet, "{}", c.name);
            assert_eq!(recovery_plan(&prod, &g)["rto"], c.rto, "{}", c.name);
        }
        let p = recovery_plan(&prod, &gives(false, true, 30, &Regional::None));
        assert_eq!(
            p["rpo"],
            "point-in-time restore within 30 day(s) of backups: ≤ 5m"
        );
        assert_eq!(
            effective(
                &Declared {
                    rpo: Some("10m".into()),
                    ..Declared::default()
                },
                prod.clone()
            )
            .rpo,
            Some(600),
            "the block's objective over the profile's"
        );
        let five = effective(
            &Declared {
                rto: Some("5m".into()),
                ..Declared::default()
            },
            Objectives::default(),
        );
        let aurora: Vec<&str> = unmet(&five, &gives(true, false, 7, &Regional::None))
            .iter()
            .map(|u| u.argument)
            .collect();
        assert_eq!(aurora, ["replicas"], "RTO 5m on Aurora needs a reader");
    }

    #[test]
    fn the_second_region_recovers_from_its_replicated_backups_while_they_replicate() {
        let o = effective(
            &Declared {
                region: Some("us-west-2".into()),
                ..Declared::default()
            },
            profile(Environment::Production),
        );
        let replicated = Regional::Replicated {
            region: "us-west-2".into(),
            days: 30,
            copies: 90,
        };
        let g = gives(false, true, 30, &replicated);
        assert!(unmet(&o, &g).is_empty());
        let p = recovery_plan(&o, &g);
        assert_eq!(
            p["regional_loss"],
            "point-in-time restore in us-west-2 from the replicated backups (within 30 day(s)), or from a daily copy (kept 90 day(s)): ≈ 45m"
        );
        assert_eq!(p["objectives"], "rpo 5m, rto 15m, region us-west-2: met");
        let stopped = gives(
            false,
            true,
            30,
            &Regional::Stopped {
                region: "us-west-2".into(),
            },
        );
        let why: Vec<String> = unmet(&o, &stopped).into_iter().map(|u| u.why).collect();
        assert_eq!(
            why,
            ["region us-west-2: not covered: the backups are not replicated and copied to us-west-2; apply starts the replication again."]
        );
        let aurora = gives(
            true,
            true,
            7,
            &Regional::Copied {
                region: "us-west-2".into(),
                days: 90,
            },
        );
        assert!(
            unmet(&o, &aurora).is_empty(),
            "Aurora's daily copies meet it"
        );
        assert_eq!(
            recovery_plan(&o, &aurora)["regional_loss"],
            "a restore in us-west-2 from the latest daily copy (kept 90 day(s); up to a day of changes lost): ≈ 45m"
        );
        let none = recovery_plan(
            &profile(Environment::Production),
            &gives(false, true, 30, &Regional::None),
        );
        assert_eq!(
            none["regional_loss"],
            "not covered: the backups stay in this region"
        );
    }
}
