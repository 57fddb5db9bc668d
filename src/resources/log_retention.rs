//! Log retention tiers, as the resources that keep log groups declare them (`prod_network`,
//! `prod_cluster`, `prod_database_ha`): the optional `log_retention { application, audit, metrics }` block, its checks,
//! and the tiers in force (the block's values over the profile's). Which class each log belongs to is the resource's
//! blueprint's to say (`provider::logs::LogClass`); the CloudWatch.16 rule is in `provider::logs`.

use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Diagnostics, Number};
use crate::provider::logs;
use crate::provider::profile::{Environment, LogRetention, TierDefaults};

pub const BLOCK: &str = "log_retention";

pub use crate::provider::logs::{CLOUDWATCH_DAYS, METRICS_KEPT_DAYS};

crate::attributes! {
    /// The block in state: every attribute as planned (`None`: null).
    pub struct Stated;
    /// The block as configured or planned: each attribute known, null or unknown.
    pub struct Given;
    fields {
        application: Option<i64> = optional("Days engine and application logs are kept (`prod_cluster`: the instances' log group `/prod/cluster/<name>`; `prod_database_ha`: the engine's exported logs, `/aws/rds/instance/<instance>/<log>` or for Aurora `/aws/rds/cluster/<name>/<log>`, but for the audit trail; `prod_network` keeps none). Unset, the profile's: 7 in development, 30 in staging and production. Production refuses less than 30."),
        audit: Option<i64> = optional("Days audit logs are kept (`prod_network`: the flow logs; `prod_cluster`: the web ACL's log group and the load balancer's access logs; `prod_database_ha`: the exported `audit` log, and the `postgresql` log while `audit_logging` writes pgAudit's records to it). Unset, the profile's: 7 in development, 365 in staging, 2557 (seven years) in production. Production refuses less than 365 (CloudWatch.16)."),
        metrics: Option<i64> = optional("Days metrics must be kept. CloudWatch keeps metric data 15 months whatever is set and makes no log group for them, so this is checked, not applied: at most 455. Unset, the profile's: 30 in development, 365 in staging and production. Production refuses less than 365."),
    }
}

/// The block's description in the schema.
pub const DESCRIPTION: &str = "How long each class of this resource's logs is kept, in days; each value one CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653). Without the block, or for an attribute left unset, the profile's tiers: application 7 / 30 / 30, audit 7 / 365 / 2557, metrics 30 / 365 / 365 (development / staging / production). Every log group the resource makes is kept its class's tier: a retention changed outside Terraform is drift (posture `CloudWatch.16`), repaired by apply. CloudWatch.16 passes for a group at its tier when the tier is at least 30 days for application logs and 365 for audit logs; a lower tier is reported as the relaxation it is. Security Hub's own CloudWatch.16 asks a year of every group by default (`minRetentionTime`): set that parameter to 30 where application logs are kept the guides' month.";

fn path(attr: &str) -> AttrPath {
    AttrPath::attr(BLOCK).then_attr(attr)
}

/// One attribute of the block: its value as given, and the tier it sets.
struct Tier {
    attr: &'static str,
    given: fn(&Given) -> &Tri<Number>,
    of: fn(&LogRetention) -> i64,
    default: fn(&TierDefaults) -> Option<i64>,
}

const TIERS: [Tier; 3] = [
    Tier {
        attr: "application",
        given: |g| &g.application,
        of: |t| t.application,
        default: |t| t.application,
    },
    Tier {
        attr: "audit",
        given: |g| &g.audit,
        of: |t| t.audit,
        default: |t| t.audit,
    },
    Tier {
        attr: "metrics",
        given: |g| &g.metrics,
        of: |t| t.metrics,
        default: |t| t.metrics,
    },
];

/// Each value is one CloudWatch accepts (metrics: at most what CloudWatch keeps), each diagnostic
/// on its attribute.
pub fn validate(block: &Tri<Given>, d: &mut Diagnostics) {
    let Tri::Known(g) = block else {
        return;
    };
    for Tier { attr, given, .. } in TIERS {
        if let Tri::Known(days) = d.whole(path(attr), given(g)) {
            logs::check_days(path(attr), attr, days, d);
        }
    }
}

/// Production refuses a tier below its class's floor (`LogRetention::FLOOR`).
pub fn check_profile(block: &Tri<Given>, env: Environment, d: &mut Diagnostics) {
    let Tri::Known(g) = block else {
        return;
    };
    if env != Environment::Production {
        return;
    }
    for Tier {
        attr, given, of, ..
    } in TIERS
    {
        if let Tri::Known(days) = given(g).whole() {
            if days < of(&LogRetention::FLOOR) {
                logs::refuse_below_floor(
                    path(attr),
                    attr,
                    attr,
                    days,
                    ", or remove the attribute",
                    d,
                );
            }
        }
    }
}

/// Production refuses a tier the provider block's `log_retention` sets below its floor, for every
/// attribute `block` leaves to it; the diagnostic is on `environment`, which makes the floor.
pub fn check_provider_tiers(
    block: &Tri<Given>,
    env: Environment,
    defaults: &TierDefaults,
    d: &mut Diagnostics,
) {
    if env != Environment::Production || block.is_unknown() {
        return;
    }
    for Tier {
        attr,
        given,
        of,
        default,
    } in TIERS
    {
        let left_to_provider = match block {
            Tri::Known(g) => given(g).is_null(),
            _ => true,
        };
        match default(defaults) {
            Some(days) if left_to_provider && days < of(&LogRetention::FLOOR) => {
                logs::refuse_below_floor(
                    AttrPath::attr("environment"),
                    attr,
                    &format!("the provider block's {BLOCK}.{attr}"),
                    days,
                    &format!(" there, or set {BLOCK}.{attr} on this resource"),
                    d,
                );
            }
            _ => {}
        }
    }
}

/// The tiers in force from a planned (or prior) block: its values over `base` (the profile's
/// tiers with the provider block's over them: `ProviderData::log_tiers`).
pub fn effective(block: Option<&Stated>, base: LogRetention) -> LogRetention {
    let profile = base;
    match block {
        None => profile,
        Some(b) => LogRetention {
            application: b.application.unwrap_or(profile.application),
            audit: b.audit.unwrap_or(profile.audit),
            metrics: b.metrics.unwrap_or(profile.metrics),
        },
    }
}

/// The tiers in force from a configured or planned block over `base`, once its values are known.
pub fn given(block: &Tri<Given>, base: LogRetention) -> Tri<LogRetention> {
    let profile = base;
    match block {
        Tri::Null => Tri::Known(profile),
        Tri::Unknown => Tri::Unknown,
        Tri::Known(g) => {
            let tier = |v: &Tri<Number>, default: i64| match v.whole() {
                Tri::Known(days) => Some(days),
                Tri::Null => Some(default),
                Tri::Unknown => None,
            };
            match (
                tier(&g.application, profile.application),
                tier(&g.audit, profile.audit),
                tier(&g.metrics, profile.metrics),
            ) {
                (Some(application), Some(audit), Some(metrics)) => Tri::Known(LogRetention {
                    application,
                    audit,
                    metrics,
                }),
                _ => Tri::Unknown,
            }
        }
    }
}

#[cfg(test)]
mod tests;
