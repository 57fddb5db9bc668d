//! The Redis pack (the README's alarm table), per node of each watched `prod_redis_cluster`: engine CPU,
//! memory use, evictions, connections (share of `maxclients` 65000) and replication lag, each in a
//! warning and a critical tier. ElastiCache publishes these per node (`CacheClusterId` +
//! `CacheNodeId`), so the alarms follow the group's members; lag reports only on replicas, so it is
//! watched on every node (no data on the primary is not breaching) and a failover moves nothing.

use std::collections::BTreeMap;

use super::packs::{above, dims, metric, row, tiered, PackAlarm, TIERS};
use crate::provider::error::AwsError;
use crate::provider::ProviderData;

/// Redis's default `maxclients`.
pub const MAX_CLIENTS: f64 = 65000.0;

pub const REDIS_METRICS: [&str; 5] = ["cpu", "memory", "evictions", "connections", "lag"];

/// Alarm names of a group's pack, without the alerting prefix: per member (`<group>-001` or
/// `<group>-0001-001`), each metric in two tiers.
pub fn redis_shorts(members: &[String]) -> Vec<String> {
    members
        .iter()
        .flat_map(|m| {
            REDIS_METRICS.iter().flat_map(move |metric| {
                TIERS.iter().map(move |t| format!("redis-{m}-{metric}-{t}"))
            })
        })
        .collect()
}

/// What the pack needs to know of a group: its name and members.
#[derive(Clone, Debug, PartialEq)]
pub struct RedisFacts {
    pub name: String,
    pub members: Vec<String>,
}

/// The Redis pack for each member of a group, in two tiers each.
pub fn redis_pack(f: &RedisFacts) -> Vec<PackAlarm> {
    let mut out = Vec::new();
    for member in &f.members {
        let node = dims(&[("CacheClusterId", member), ("CacheNodeId", "0001")]);
        let cache = |m: &str, stat: &str| metric("AWS/ElastiCache", m, &node, stat);
        let rows = vec![
            row(
                "cpu",
                cache("EngineCPUUtilization", "Average"),
                above(80.0, 90.0),
            ),
            row(
                "memory",
                cache("DatabaseMemoryUsagePercentage", "Average"),
                above(80.0, 90.0),
            ),
            row(
                "evictions",
                cache("Evictions", "Average"),
                above(0.0, 1000.0),
            ),
            row(
                "connections",
                cache("CurrConnections", "Average"),
                above((MAX_CLIENTS * 0.8).floor(), (MAX_CLIENTS * 0.95).floor()),
            ),
            row("lag", cache("ReplicationLag", "Maximum"), above(1.0, 10.0)),
        ];
        out.extend(tiered("redis", &format!("redis-{member}"), &f.name, rows));
    }
    out
}

/// The facts of every group named (one describe each); a group that does not exist is absent.
pub async fn redis_facts(ctx: &ProviderData, ids: &[String]) -> Result<Vec<RedisFacts>, AwsError> {
    let found = futures::future::try_join_all(
        ids.iter()
            .map(|id| crate::resources::redis::aws::describe(ctx, id)),
    )
    .await?;
    Ok(ids
        .iter()
        .zip(found)
        .filter_map(|(id, g)| {
            let mut members = g?.member_clusters;
            members.sort();
            Some(RedisFacts {
                name: id.clone(),
                members,
            })
        })
        .collect())
}

/// The members of each group, for naming the pack's alarms at plan.
pub fn members_by_group(facts: Vec<RedisFacts>) -> BTreeMap<String, Vec<String>> {
    facts.into_iter().map(|f| (f.name, f.members)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::alerting::packs::Measure;

    #[test]
    fn redis_pack_follows_the_profile_table() {
        let f = RedisFacts {
            name: "sessions".into(),
            members: vec!["sessions-001".into(), "sessions-002".into()],
        };
        let p = redis_pack(&f);
        assert_eq!(p.len(), 20);
        assert_eq!(
            p.iter().map(|a| a.short.clone()).collect::<Vec<_>>(),
            redis_shorts(&f.members)
        );
        let t = |short: &str| p.iter().find(|a| a.short == short).unwrap().threshold;
        assert_eq!(t("redis-sessions-001-connections-warning"), 52000.0);
        assert_eq!(t("redis-sessions-001-connections-critical"), 61750.0);
        assert_eq!(t("redis-sessions-002-evictions-warning"), 0.0);
        assert_eq!(t("redis-sessions-002-lag-critical"), 10.0);
        assert!(p
            .iter()
            .all(|a| a.kind == "redis" && a.target == "sessions"));
        let lag = p
            .iter()
            .find(|a| a.short == "redis-sessions-002-lag-warning")
            .unwrap();
        match &lag.measure {
            Measure::Metric {
                statistic,
                dimensions,
                ..
            } => {
                assert_eq!(statistic, "Maximum");
                assert_eq!(dimensions["CacheClusterId"], "sessions-002");
            }
            other => panic!("{other:?}"),
        }
    }
}
