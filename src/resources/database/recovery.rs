//! Recovery objectives: the optional `recovery { rpo, rto, region }` block, the objectives the
//! production profile holds, what the configuration's mechanisms give (`recovery_plan`), the
//! plan's refusal of an objective they cannot meet, and posture `recovery` from what AWS reports.
//! All pure: plan and read give them what each knows.

use std::collections::BTreeMap;

use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Diagnostics};
use crate::provider::profile::Environment;

pub const BLOCK: &str = "recovery";

/// Point-in-time restore's recovery point: RDS and Aurora upload the transaction logs every
/// 5 minutes, so the latest restorable time trails by up to that.
pub const PITR_RPO_SECONDS: i64 = 300;
/// A failover to the standby (Multi-AZ) or to a reader (Aurora): within 2 minutes.
pub const FAILOVER_SECONDS: i64 = 120;
/// Without a standby, the database is rebuilt from its backups: a restore plus the replay of
/// the logs, commonly three quarters of an hour for a database of this provider's sizes.
pub const RESTORE_SECONDS: i64 = 2700;

crate::attributes! {
    /// The block in state: every attribute as planned (`None`: null).
    pub struct Stated;
    /// The block as configured or planned: each attribute known, null or unknown.
    pub struct Given;
    fields {
        rpo: Option<String> = defaulted("Recovery point objective: the most recent data a recovery may lose, as a duration (e.g. `5m`). Production default `5m`; none elsewhere. Point-in-time restore gives 5 minutes at best (the transaction logs are uploaded every 5 minutes), so less is refused."),
        rto: Option<String> = defaulted("Recovery time objective: the longest the database may be unavailable, as a duration (e.g. `15m`). Production default `15m`; none elsewhere. Less than 45 minutes needs a standby that fails over within 2 minutes (`multi_az`; Aurora: a reader, `replicas` ≥ 1); 2 minutes or less is refused."),
        region: Option<String> = optional("A second region whose copy of the backups must survive the loss of this one (e.g. `us-west-2`). Not available in this version: refused on the attribute."),
    }
}

/// The block's description in the schema.
pub const DESCRIPTION: &str = "Recovery objectives the database must meet, checked at plan against what the configuration gives (see `recovery_plan`): an objective it cannot meet is refused on the attribute, naming what would meet it. Without the block, production holds RPO 5 minutes and RTO 15 minutes; development and staging declare none.";

/// The objectives in force, in seconds (`None`: none declared).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Objectives {
    pub rpo: Option<i64>,
    pub rto: Option<i64>,
}

/// What the configuration (at plan) or AWS (at read) gives for recovery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mechanisms {
    pub aurora: bool,
    /// A standby that fails over: Multi-AZ, or for Aurora a reader.
    pub standby: bool,
    /// Days of automated backups (point-in-time restore within them); 0: none.
    pub backup_retention_days: i64,
}

fn path(attr: &str) -> AttrPath {
    AttrPath::attr(BLOCK).then_attr(attr)
}

/// A duration such as `5m`, `90s` or `1h`, in seconds.
pub fn seconds(s: &str) -> Option<i64> {
    crate::framework::wait::parse_duration(s).and_then(|d| i64::try_from(d.as_secs()).ok())
}

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

/// The objectives in force: the block's where it sets them, else the profile's.
pub fn effective(rpo: Option<&str>, rto: Option<&str>, env: Environment) -> Objectives {
    let p = profile(env);
    Objectives {
        rpo: rpo.and_then(seconds).or(p.rpo),
        rto: rto.and_then(seconds).or(p.rto),
    }
}

/// The block's own checks: durations, and the second region this version does not have.
pub fn validate(block: &Tri<Given>, d: &mut Diagnostics) {
    let Tri::Known(g) = block else {
        return;
    };
    for (attr, v) in [("rpo", &g.rpo), ("rto", &g.rto)] {
        if let Tri::Known(s) = v {
            if seconds(s).is_none() {
                d.error_at(
                    path(attr),
                    "Not a duration",
                    format!("{attr} = {s:?}: give a duration such as \"5m\", \"15m\" or \"1h\"."),
                );
            }
        }
    }
    if let Tri::Known(r) = &g.region {
        d.error_at(
            path("region"),
            "A second region is not available yet",
            format!("region = {r:?}: this version keeps the backups in the database's own region (recovery_plan says so). Remove region."),
        );
    }
}

/// The worst case of each kind of recovery the mechanisms give, in seconds.
pub fn worst_case(m: &Mechanisms) -> Objectives {
    Objectives {
        rpo: (m.backup_retention_days > 0).then_some(PITR_RPO_SECONDS),
        rto: Some(if m.standby {
            FAILOVER_SECONDS
        } else {
            RESTORE_SECONDS
        }),
    }
}

/// Why objectives `o` are not met by mechanisms `m`: each failing objective with its attribute
/// and the fix.
pub fn unmet(o: &Objectives, m: &Mechanisms) -> Vec<(&'static str, String)> {
    let give = worst_case(m);
    let mut out = Vec::new();
    if let Some(rpo) = o.rpo {
        match give.rpo {
            None => out.push(("rpo", format!("RPO {} needs point-in-time restore, and the database keeps no backups: set backup_retention_days (7 or more).", text(rpo)))),
            Some(best) if rpo < best => out.push(("rpo", format!("RPO {}: point-in-time restore loses up to {} (the transaction logs are uploaded every 5 minutes). Give 5m or more.", text(rpo), text(best)))),
            _ => {}
        }
    }
    if let Some(rto) = o.rto {
        let fix = if m.aurora {
            "add a reader (replicas = 1 or more)"
        } else {
            "set multi_az = true"
        };
        if rto <= FAILOVER_SECONDS {
            out.push((
                "rto",
                format!(
                    "RTO {}: even a failover to a standby takes up to {}. Give more than 2m.",
                    text(rto),
                    text(FAILOVER_SECONDS)
                ),
            ));
        } else if give.rto.is_some_and(|t| t > rto) {
            out.push(("rto", format!("RTO {}: without a standby the database is rebuilt from its backups, ≈ {}; {fix} to fail over within {}.", text(rto), text(RESTORE_SECONDS), text(FAILOVER_SECONDS))));
        }
    }
    out
}

/// A duration in seconds as the objectives are written (`5m`, `45m`, `90s`, `2h`).
pub fn text(s: i64) -> String {
    match s {
        s if s > 0 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s > 0 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// `recovery_plan`: what meets each objective and its worst case, and whether the objectives
/// in force are met.
pub fn recovery_plan(o: &Objectives, m: &Mechanisms) -> BTreeMap<String, String> {
    let rpo = if m.backup_retention_days > 0 {
        format!(
            "point-in-time restore within {} day(s) of backups: ≤ {}",
            m.backup_retention_days,
            text(PITR_RPO_SECONDS)
        )
    } else {
        "no backups: everything since the last snapshot".to_string()
    };
    let rto = match (m.standby, m.aurora) {
        (true, true) => format!("failover to a reader: ≤ {}", text(FAILOVER_SECONDS)),
        (true, false) => format!("Multi-AZ failover: ≤ {}", text(FAILOVER_SECONDS)),
        (false, _) => format!("restore from backup: ≈ {}", text(RESTORE_SECONDS)),
    };
    let declared: Vec<String> = [("rpo", o.rpo), ("rto", o.rto)]
        .iter()
        .filter_map(|(k, v)| v.map(|s| format!("{k} {}", text(s))))
        .collect();
    let objectives = match (declared.is_empty(), unmet(o, m).is_empty()) {
        (true, _) => "none declared".to_string(),
        (false, true) => format!("{}: met", declared.join(", ")),
        (false, false) => format!("{}: not met", declared.join(", ")),
    };
    BTreeMap::from([
        ("rpo".to_string(), rpo),
        ("rto".to_string(), rto),
        (
            "regional_loss".to_string(),
            "not covered: the backups stay in this region".to_string(),
        ),
        ("objectives".to_string(), objectives),
    ])
}

/// Posture `recovery`: the objectives in force met by what AWS reports (a standby gone, backups
/// off), or why not.
pub fn posture(o: &Objectives, m: &Mechanisms) -> String {
    let why: Vec<String> = unmet(o, m).into_iter().map(|(_, w)| w).collect();
    if why.is_empty() {
        "pass".to_string()
    } else {
        format!("fail: {}", why.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(aurora: bool, standby: bool, days: i64) -> Mechanisms {
        Mechanisms {
            aurora,
            standby,
            backup_retention_days: days,
        }
    }

    #[test]
    fn objectives_a_configuration_cannot_meet_are_named() {
        struct Case {
            name: &'static str,
            rpo: Option<&'static str>,
            rto: Option<&'static str>,
            mechanisms: Mechanisms,
            unmet: &'static [&'static str],
        }
        let cases = [
            Case {
                name: "production's objectives with Multi-AZ",
                rpo: Some("5m"),
                rto: Some("15m"),
                mechanisms: m(false, true, 30),
                unmet: &[],
            },
            Case {
                name: "RPO below what point-in-time restore gives",
                rpo: Some("1m"),
                rto: None,
                mechanisms: m(false, true, 30),
                unmet: &["rpo"],
            },
            Case {
                name: "RPO without backups",
                rpo: Some("1h"),
                rto: None,
                mechanisms: m(false, true, 0),
                unmet: &["rpo"],
            },
            Case {
                name: "RTO 15m without a standby",
                rpo: None,
                rto: Some("15m"),
                mechanisms: m(false, false, 7),
                unmet: &["rto"],
            },
            Case {
                name: "RTO 15m on Aurora without a reader",
                rpo: None,
                rto: Some("15m"),
                mechanisms: m(true, false, 7),
                unmet: &["rto"],
            },
            Case {
                name: "RTO shorter than a failover",
                rpo: None,
                rto: Some("1m"),
                mechanisms: m(false, true, 7),
                unmet: &["rto"],
            },
            Case {
                name: "RTO a restore meets",
                rpo: None,
                rto: Some("1h"),
                mechanisms: m(false, false, 7),
                unmet: &[],
            },
        ];
        for c in &cases {
            let o = Objectives {
                rpo: c.rpo.and_then(seconds),
                rto: c.rto.and_then(seconds),
            };
            let got: Vec<&str> = unmet(&o, &c.mechanisms)
                .into_iter()
                .map(|(a, _)| a)
                .collect();
            assert_eq!(got, c.unmet, "{}", c.name);
            assert_eq!(
                posture(&o, &c.mechanisms) == "pass",
                c.unmet.is_empty(),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn the_plan_says_what_meets_each_objective() {
        let prod = profile(Environment::Production);
        assert_eq!((prod.rpo, prod.rto), (Some(300), Some(900)));
        assert_eq!(profile(Environment::Staging), Objectives::default());
        let p = recovery_plan(&prod, &m(false, true, 30));
        assert_eq!(
            p["rpo"],
            "point-in-time restore within 30 day(s) of backups: ≤ 5m"
        );
        assert_eq!(p["rto"], "Multi-AZ failover: ≤ 2m");
        assert_eq!(p["objectives"], "rpo 5m, rto 15m: met");
        let aurora = recovery_plan(&Objectives::default(), &m(true, true, 7));
        assert_eq!(aurora["rto"], "failover to a reader: ≤ 2m");
        assert_eq!(aurora["objectives"], "none declared");
        let alone = recovery_plan(&prod, &m(false, false, 7));
        assert_eq!(
            (alone["rto"].as_str(), alone["objectives"].as_str()),
            ("restore from backup: ≈ 45m", "rpo 5m, rto 15m: not met")
        );
        assert_eq!(
            effective(Some("10m"), None, Environment::Production).rpo,
            Some(600)
        );
        assert_eq!(
            effective(None, None, Environment::Development),
            Objectives::default()
        );
    }

    #[test]
    fn the_block_refuses_what_is_not_a_duration_and_a_second_region() {
        let block = Tri::Known(Given {
            rpo: Tri::Known("five minutes".into()),
            rto: Tri::Known("15m".into()),
            region: Tri::Known("us-west-2".into()),
        });
        let mut d = Diagnostics::new();
        validate(&block, &mut d);
        let paths: Vec<String> = d
            .iter()
            .filter_map(|x| x.path.as_ref().map(ToString::to_string))
            .collect();
        assert_eq!(paths, ["recovery.rpo", "recovery.region"]);
    }
}
