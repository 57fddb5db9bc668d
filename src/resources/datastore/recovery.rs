//! Recovery objectives, as both stores declare and check them: the `recovery { rpo, rto, region }`
//! block, the objectives in force, which of them what a store gives (`Gives`) cannot meet, the
//! `recovery_plan` map and posture `recovery`. All pure: each store says what its configuration
//! (at plan) or AWS (at read) gives; plan and read give the same answers for the same facts.

use std::collections::BTreeMap;

use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Diagnostics, Severity};

pub const BLOCK: &str = "recovery";

crate::attributes! {
    /// The block in state: every attribute as planned (`None`: null).
    pub struct Stated;
    /// The block as configured or planned: each attribute known, null or unknown.
    pub struct Given;
    fields {
        rpo: Option<String> = optional("Recovery point objective: the most recent data a recovery may lose, as a duration (e.g. `5m`). Unset, a production `prod_database_ha` holds `5m`; nothing otherwise. Less than the store's restores give (point-in-time restore: 5 minutes; Redis's daily snapshot: 24 hours) is refused."),
        rto: Option<String> = optional("Recovery time objective: the longest the store may be unavailable, as a duration (e.g. `15m`). Unset, a production `prod_database_ha` holds `15m`; nothing otherwise. Less than the store takes to come back without a standby (database ≈ 45 minutes, Aurora ≈ 10, Redis ≈ 30) needs a standby that fails over within 2 minutes (database: `multi_az`, Aurora: `replicas` ≥ 1; Redis: `replicas_per_shard` ≥ 1); 2 minutes or less is refused."),
        region: Option<String> = optional("A second region whose copy of the backups must survive the loss of this one (e.g. `us-west-2`), not the provider's. `prod_database_ha` has AWS Backup copy each day's recovery point into the vault `<name>` there, encrypted with a key of its own in that region (`alias/<name>-db-backups`) and kept `remote_retention_days`; `postgres` and `mysql` also replicate their automated backups there (RDS cross-region automated-backup replication, kept as long as `backup_retention_days`), so a point-in-time restore there survives the region's loss; Aurora restores there from the latest daily copy. Posture `recovery` fails, and apply starts them again, when the replication or the copies stop. `prod_redis_cluster`: not available in this version, refused on the attribute."),
    }
}

/// The block's description in the schema.
pub const DESCRIPTION: &str = "Recovery objectives the store must meet, checked at plan against what the configuration gives (see `recovery_plan`): an objective it cannot meet is refused on the attribute, naming what would meet it, and posture `recovery` fails when what AWS reports stops meeting it. Without the block, a production `prod_database_ha` holds RPO 5 minutes and RTO 15 minutes; other profiles and `prod_redis_cluster` declare none. The objectives are the configuration's own: an import reads none, and the plan after it adds the block (with `recovery_plan` and posture `recovery` judged against it) without a change in AWS.";

/// A failover to a standby (Multi-AZ, an Aurora reader, a Redis replica): within 2 minutes.
pub const FAILOVER_SECONDS: i64 = 120;

/// The objectives in force, in seconds (`None`: none declared), and the second region.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Objectives {
    pub rpo: Option<i64>,
    pub rto: Option<i64>,
    /// The region a copy of the backups must be in (`None`: none declared).
    pub region: Option<String>,
}

/// The objectives the block states, as written (`None`: not stated).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Declared {
    pub rpo: Option<String>,
    pub rto: Option<String>,
    pub region: Option<String>,
}

/// One kind of recovery and its worst case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Means {
    /// What recovers, as the plan names it (`point-in-time restore`).
    pub by: &'static str,
    /// What it works from, shown after `by` in `recovery_plan` (`within 30 day(s) of backups`).
    pub detail: String,
    /// The worst case, in seconds.
    pub worst: i64,
    /// Whether `worst` is a bound (`≤`) or an estimate (`≈`).
    pub bound: bool,
}

impl Means {
    /// A failover to a standby: within `FAILOVER_SECONDS`, the bound `unmet` judges RTOs by.
    pub fn failover(by: &'static str) -> Means {
        Means {
            by,
            detail: String::new(),
            worst: FAILOVER_SECONDS,
            bound: true,
        }
    }

    /// A recovery without a standby, taking about `worst` seconds.
    pub fn estimate(by: &'static str, worst: i64) -> Means {
        Means {
            by,
            detail: String::new(),
            worst,
            bound: false,
        }
    }

    fn text(&self) -> String {
        let sep = if self.detail.is_empty() { "" } else { " " };
        let cmp = if self.bound { "≤" } else { "≈" };
        format!(
            "{}{sep}{}: {cmp} {}",
            self.by,
            self.detail,
            text(self.worst)
        )
    }
}

/// What a store's configuration (at plan) or AWS (at read) gives for recovery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gives {
    /// The restore that bounds the data lost; `None`: nothing to restore from.
    pub rpo: Option<Means>,
    /// The argument that gives a restore, and how (`set backup_retention_days (7 or more)`).
    pub rpo_fix: (&'static str, &'static str),
    /// What brings the store back: a failover (`Means::failover`), or without a standby a
    /// restore.
    pub rto: Means,
    /// The argument that gives a standby, and how (`set multi_az = true`).
    pub standby_fix: (&'static str, &'static str),
    /// What recovers the data on the loss of the region, or why nothing does.
    pub regional_loss: String,
    /// The region a copy of the backups is kept in (`None`: none).
    pub second_region: Option<String>,
}

/// An objective not met: the block's attribute, the argument that falls short, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmet {
    pub objective: &'static str,
    pub argument: &'static str,
    pub why: String,
}

fn path(attr: &str) -> AttrPath {
    AttrPath::attr(BLOCK).then_attr(attr)
}

/// A duration such as `5m`, `90s` or `1h`, in seconds.
pub fn seconds(s: &str) -> Option<i64> {
    crate::framework::wait::parse_duration(s).and_then(|d| i64::try_from(d.as_secs()).ok())
}

/// A duration in seconds as the objectives are written (`5m`, `45m`, `90s`, `2h`).
pub fn text(s: i64) -> String {
    match s {
        s if s > 0 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s > 0 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// The objectives in force: the block's where it sets them, else the profile's `default`.
pub fn effective(declared: &Declared, default: Objectives) -> Objectives {
    Objectives {
        rpo: declared.rpo.as_deref().and_then(seconds).or(default.rpo),
        rto: declared.rto.as_deref().and_then(seconds).or(default.rto),
        region: declared.region.clone().or(default.region),
    }
}

/// The objectives the block states in state (all `None`: the block is absent).
pub fn stated(block: Option<&Stated>) -> Declared {
    block.map_or_else(Declared::default, |g| Declared {
        rpo: g.rpo.clone(),
        rto: g.rto.clone(),
        region: g.region.clone(),
    })
}

/// The objectives the block gives at plan: `None` while the block or an objective is unknown
/// (an unknown objective is not an unset one: the profile's does not stand in for it).
pub fn given(block: &Tri<Given>) -> Option<Declared> {
    match block {
        Tri::Known(g) if g.rpo.is_unknown() || g.rto.is_unknown() || g.region.is_unknown() => None,
        Tri::Known(g) => Some(Declared {
            rpo: g.rpo.known().cloned(),
            rto: g.rto.known().cloned(),
            region: g.region.known().cloned(),
        }),
        Tri::Null => Some(Declared::default()),
        Tri::Unknown => None,
    }
}

/// Whether `s` reads as an AWS region name (`us-west-2`, `ap-southeast-1`, `us-gov-east-1`).
pub fn is_region_name(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts[0].len() == 2
        && parts[0].chars().all(|c| c.is_ascii_lowercase())
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}

/// The block's own checks: durations, and a second region: `no_region` says why the store
/// cannot have one (`None`: it can, and the name is checked).
pub fn validate(block: &Tri<Given>, no_region: Option<&str>, d: &mut Diagnostics) {
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
    let Tri::Known(r) = &g.region else {
        return;
    };
    match no_region {
        Some(why) => d.error_at(
            path("region"),
            "A second region is not available yet for this store",
            format!("region = {r:?}: {why} (recovery_plan says so). Remove region."),
        ),
        None if !is_region_name(r) => d.error_at(
            path("region"),
            "Not a region",
            format!("region = {r:?}: give an AWS region name such as \"us-west-2\" or \"eu-central-1\"."),
        ),
        None => {}
    }
}

/// At plan, where the provider's region is known: the second region must be another one.
pub fn refuse_same_region(block: &Tri<Given>, own: &str, d: &mut Diagnostics) {
    if let Tri::Known(g) = block {
        if let Tri::Known(r) = &g.region {
            if r != own
                && crate::provider::aws::partition(r) != crate::provider::aws::partition(own)
            {
                d.error_at(
                    path("region"),
                    "The second region is in another partition",
                    format!("region = {r:?} is not in the provider's partition ({own} is in `{}`): RDS replicates backups only within a partition. Give a region of the same partition.", crate::provider::aws::partition(own)),
                );
            }
            if r == own {
                d.error_at(
                    path("region"),
                    "The second region is this one",
                    format!("region = {r:?} is the provider's own region: a copy there does not survive the region's loss. Give another region, e.g. the one your guide names as the backup region."),
                );
            }
        }
    }
}

/// The objectives in `o` that what `g` gives cannot meet, each with why and the fix.
pub fn unmet(o: &Objectives, g: &Gives) -> Vec<Unmet> {
    let mut out = Vec::new();
    if let Some(rpo) = o.rpo {
        let (argument, fix) = g.rpo_fix;
        match &g.rpo {
            None => out.push(Unmet {
                objective: "rpo",
                argument,
                why: format!(
                    "RPO {} needs a restore, and there is nothing to restore from: {fix}.",
                    text(rpo)
                ),
            }),
            Some(m) if rpo < m.worst => out.push(Unmet {
                objective: "rpo",
                argument,
                why: format!(
                    "RPO {}: {} loses up to {}. Give {} or more.",
                    text(rpo),
                    m.by,
                    text(m.worst),
                    text(m.worst)
                ),
            }),
            _ => {}
        }
    }
    if let Some(r) = &o.region {
        if g.second_region.as_deref() != Some(r.as_str()) {
            out.push(Unmet {
                objective: "region",
                argument: "recovery",
                why: format!(
                    "region {r}: {}; apply starts the replication again.",
                    g.regional_loss
                ),
            });
        }
    }
    if let Some(rto) = o.rto {
        let (argument, fix) = g.standby_fix;
        if rto <= FAILOVER_SECONDS {
            out.push(Unmet {
                objective: "rto",
                argument,
                why: format!(
                    "RTO {}: even a failover to a standby takes up to {}. Give more than {}.",
                    text(rto),
                    text(FAILOVER_SECONDS),
                    text(FAILOVER_SECONDS)
                ),
            });
        } else if g.rto.worst > rto {
            out.push(Unmet {
                objective: "rto",
                argument,
                why: format!(
                    "RTO {}: without a standby, {} takes ≈ {}; {fix} to fail over within {}.",
                    text(rto),
                    g.rto.by,
                    text(g.rto.worst),
                    text(FAILOVER_SECONDS)
                ),
            });
        }
    }
    out
}

/// At plan: each objective `g` cannot meet, refused on the block's attribute when the block
/// states it, else (a profile's objective) on the argument that falls short.
/// An argument a profile floor already refuses gets no second error.
pub fn refuse_unmet(o: &Objectives, g: &Gives, block: &Tri<Given>, d: &mut Diagnostics) {
    for u in unmet(o, g) {
        let stated = match block {
            Tri::Known(b) => !(match u.objective {
                "rpo" => &b.rpo,
                "rto" => &b.rto,
                _ => &b.region,
            })
            .is_null(),
            _ => false,
        };
        let at = if stated {
            path(u.objective)
        } else {
            AttrPath::attr(u.argument)
        };
        let refused = d
            .iter()
            .any(|x| x.severity == Severity::Error && x.path.as_ref() == Some(&at));
        if !refused {
            d.error_at(at, "Recovery objective not met", u.why);
        }
    }
}

/// `recovery_plan`: what meets each objective and its worst case, what survives the region's
/// loss, and whether the objectives in force are met.
pub fn recovery_plan(o: &Objectives, g: &Gives) -> BTreeMap<String, String> {
    let rpo = match &g.rpo {
        Some(m) => m.text(),
        None => format!("nothing to restore from: {}", g.rpo_fix.1),
    };
    let declared: Vec<String> = [("rpo", o.rpo), ("rto", o.rto)]
        .iter()
        .filter_map(|(k, v)| v.map(|s| format!("{k} {}", text(s))))
        .chain(o.region.iter().map(|r| format!("region {r}")))
        .collect();
    let objectives = match (declared.is_empty(), unmet(o, g).is_empty()) {
        (true, _) => "none declared".to_string(),
        (false, true) => format!("{}: met", declared.join(", ")),
        (false, false) => format!("{}: not met", declared.join(", ")),
    };
    BTreeMap::from([
        ("rpo".to_string(), rpo),
        ("rto".to_string(), g.rto.text()),
        ("regional_loss".to_string(), g.regional_loss.clone()),
        ("objectives".to_string(), objectives),
    ])
}

/// The planned `recovery_plan`, as the plan's map of known values.
pub fn planned(o: &Objectives, g: &Gives) -> Tri<BTreeMap<String, Tri<String>>> {
    Tri::Known(
        recovery_plan(o, g)
            .into_iter()
            .map(|(k, v)| (k, Tri::Known(v)))
            .collect(),
    )
}

/// Posture `recovery`: the objectives in force met by what the store gives, or why not.
pub fn posture(o: &Objectives, g: &Gives) -> String {
    let why: Vec<String> = unmet(o, g).into_iter().map(|u| u.why).collect();
    if why.is_empty() {
        "pass".to_string()
    } else {
        format!("fail: {}", why.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gives(restore: bool, standby: bool) -> Gives {
        Gives {
            rpo: restore.then(|| Means {
                by: "point-in-time restore",
                detail: "within 7 day(s) of backups".into(),
                worst: 300,
                bound: true,
            }),
            rpo_fix: ("backup_retention_days", "set backup_retention_days"),
            rto: if standby {
                Means::failover("Multi-AZ failover")
            } else {
                Means::estimate("a restore from backup", 2700)
            },
            standby_fix: ("multi_az", "set multi_az = true"),
            regional_loss: "not covered".into(),
            second_region: None,
        }
    }

    #[test]
    fn objectives_what_a_store_gives_cannot_meet_are_named_with_their_argument() {
        struct Case {
            name: &'static str,
            rpo: Option<&'static str>,
            rto: Option<&'static str>,
            region: Option<&'static str>,
            gives: Gives,
            unmet: &'static [(&'static str, &'static str)],
        }
        let cases = [
            Case {
                name: "RPO 5m and RTO 15m with a restore and a standby",
                rpo: Some("5m"),
                rto: Some("15m"),
                region: None,
                gives: gives(true, true),
                unmet: &[],
            },
            Case {
                name: "RPO below the restore's",
                rpo: Some("1m"),
                rto: None,
                region: None,
                gives: gives(true, true),
                unmet: &[("rpo", "backup_retention_days")],
            },
            Case {
                name: "RPO with nothing to restore from",
                rpo: Some("1h"),
                rto: None,
                region: None,
                gives: gives(false, true),
                unmet: &[("rpo", "backup_retention_days")],
            },
            Case {
                name: "RTO 15m without a standby",
                rpo: None,
                rto: Some("15m"),
                region: None,
                gives: gives(true, false),
                unmet: &[("rto", "multi_az")],
            },
            Case {
                name: "RTO no failover meets",
                rpo: None,
                rto: Some("2m"),
                region: None,
                gives: gives(true, true),
                unmet: &[("rto", "multi_az")],
            },
            Case {
                name: "RTO a restore meets",
                rpo: None,
                rto: Some("1h"),
                region: None,
                gives: gives(true, false),
                unmet: &[],
            },
            Case {
                name: "a second region the backups are replicated to",
                rpo: None,
                rto: None,
                region: Some("us-west-2"),
                gives: Gives {
                    second_region: Some("us-west-2".into()),
                    ..gives(true, true)
                },
                unmet: &[],
            },
            Case {
                name: "a second region the replication no longer reaches",
                rpo: None,
                rto: None,
                region: Some("us-west-2"),
                gives: gives(true, true),
                unmet: &[("region", "recovery")],
            },
        ];
        for c in &cases {
            let declared = Declared {
                rpo: c.rpo.map(Into::into),
                rto: c.rto.map(Into::into),
                region: c.region.map(Into::into),
            };
            let o = effective(&declared, Objectives::default());
            let got: Vec<(&str, &str)> = unmet(&o, &c.gives)
                .into_iter()
                .map(|u| (u.objective, u.argument))
                .collect();
            assert_eq!(got, c.unmet, "{}", c.name);
            assert_eq!(
                posture(&o, &c.gives) == "pass",
                c.unmet.is_empty(),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn the_plan_says_what_recovers_and_whether_the_objectives_hold() {
        let o = Objectives {
            rpo: Some(300),
            rto: Some(900),
            region: None,
        };
        let p = recovery_plan(&o, &gives(true, true));
        assert_eq!(
            p["rpo"],
            "point-in-time restore within 7 day(s) of backups: ≤ 5m"
        );
        assert_eq!(p["rto"], "Multi-AZ failover: ≤ 2m");
        assert_eq!(p["objectives"], "rpo 5m, rto 15m: met");
        let alone = recovery_plan(&o, &gives(false, false));
        assert_eq!(
            (
                alone["rpo"].as_str(),
                alone["rto"].as_str(),
                alone["objectives"].as_str()
            ),
            (
                "nothing to restore from: set backup_retention_days",
                "a restore from backup: ≈ 45m",
                "rpo 5m, rto 15m: not met"
            )
        );
        let none = recovery_plan(&Objectives::default(), &gives(false, false));
        assert_eq!(none["objectives"], "none declared");
        assert_eq!(
            effective(
                &Declared {
                    rto: Some("10m".into()),
                    ..Declared::default()
                },
                o
            ),
            Objectives {
                rpo: Some(300),
                rto: Some(600),
                region: None,
            }
        );
    }

    #[test]
    fn an_objective_is_refused_on_the_block_when_stated_else_on_the_argument() {
        let o = Objectives {
            rpo: Some(60),
            rto: Some(900),
            region: None,
        };
        let block = Tri::Known(Given {
            rpo: Tri::Known("1m".into()),
            rto: Tri::Null,
            region: Tri::Null,
        });
        let mut d = Diagnostics::new();
        refuse_unmet(&o, &gives(true, false), &block, &mut d);
        let paths: Vec<String> = d
            .iter()
            .filter_map(|x| x.path.as_ref().map(ToString::to_string))
            .collect();
        assert_eq!(paths, ["recovery.rpo", "multi_az"]);
    }

    #[test]
    fn an_unknown_objective_is_not_an_unset_one() {
        let unknown = Tri::Known(Given {
            rpo: Tri::Null,
            rto: Tri::Unknown,
            region: Tri::Null,
        });
        assert_eq!(given(&unknown), None, "the plan waits for the value");
        assert_eq!(given(&Tri::Unknown), None);
        assert_eq!(given(&Tri::Null), Some(Declared::default()));
        let set = Tri::Known(Given {
            rpo: Tri::Known("5m".into()),
            rto: Tri::Null,
            region: Tri::Null,
        });
        assert_eq!(
            given(&set),
            Some(Declared {
                rpo: Some("5m".into()),
                ..Declared::default()
            })
        );
    }

    #[test]
    fn an_argument_a_floor_already_refuses_gets_no_second_error() {
        let o = Objectives {
            rpo: None,
            rto: Some(900),
            region: None,
        };
        let mut d = Diagnostics::new();
        d.error_at(AttrPath::attr("multi_az"), "Multi-AZ required", "floor");
        refuse_unmet(&o, &gives(true, false), &Tri::Null, &mut d);
        assert_eq!(d.iter().count(), 1);
    }

    #[test]
    fn the_block_refuses_what_is_not_a_duration_and_a_second_region() {
        let block = Tri::Known(Given {
            rpo: Tri::Known("five minutes".into()),
            rto: Tri::Known("15m".into()),
            region: Tri::Known("us-west-2".into()),
        });
        let mut d = Diagnostics::new();
        validate(
            &block,
            Some("this store keeps its backups in its own region"),
            &mut d,
        );
        let paths: Vec<String> = d
            .iter()
            .filter_map(|x| x.path.as_ref().map(ToString::to_string))
            .collect();
        assert_eq!(paths, ["recovery.rpo", "recovery.region"]);
    }

    #[test]
    fn a_second_region_is_a_region_name_other_than_the_providers() {
        struct Case {
            name: &'static str,
            region: &'static str,
            refused: &'static [&'static str],
        }
        let cases = [
            Case {
                name: "another region",
                region: "us-west-2",
                refused: &[],
            },
            Case {
                name: "a GovCloud region from a commercial one",
                region: "us-gov-east-1",
                refused: &["The second region is in another partition"],
            },
            Case {
                name: "the provider's own",
                region: "us-east-1",
                refused: &["The second region is this one"],
            },
            Case {
                name: "not a region",
                region: "west",
                refused: &["Not a region"],
            },
            Case {
                name: "upper case",
                region: "US-WEST-2",
                refused: &["Not a region"],
            },
            Case {
                name: "no number",
                region: "us-west-x",
                refused: &["Not a region"],
            },
        ];
        for c in &cases {
            let block = Tri::Known(Given {
                rpo: Tri::Null,
                rto: Tri::Null,
                region: Tri::Known(c.region.into()),
            });
            let mut d = Diagnostics::new();
            validate(&block, None, &mut d);
            refuse_same_region(&block, "us-east-1", &mut d);
            let got: Vec<&str> = d.iter().map(|x| x.summary.as_str()).collect();
            assert_eq!(got, c.refused, "{}", c.name);
            assert!(
                d.iter()
                    .all(|x| x.path.as_ref().map(ToString::to_string).as_deref()
                        == Some("recovery.region")),
                "{}",
                c.name
            );
        }
    }
}
