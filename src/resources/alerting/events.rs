//! Events of the watched data stores, sent to the critical topic: an RDS event subscription
//! `<name>-db-<database>` per watched database (failover, failure, low storage, maintenance,
//! recovery), and the ElastiCache notification topic of each watched Redis group (failover, node
//! replaced and ElastiCache's other events). Pure: what apply wants and how read judges what AWS
//! has; the calls are in `aws`.

pub mod aws;

use super::packs::DatabaseFacts;
use super::redis_pack::RedisFacts;
use super::watch::Watched;

/// The categories of an RDS instance's events a subscription sends.
pub const INSTANCE_CATEGORIES: [&str; 5] = [
    "failover",
    "failure",
    "low storage",
    "maintenance",
    "recovery",
];
/// The categories of an Aurora cluster's events (RDS has no `low storage` or `recovery` for
/// clusters: storage grows by itself).
pub const CLUSTER_CATEGORIES: [&str; 3] = ["failover", "failure", "maintenance"];

/// Component roles: `event_subscription_<database>`, `notification_<group>`.
pub fn role_subscription(database: &str) -> String {
    format!("event_subscription_{database}")
}
pub fn role_notification(group: &str) -> String {
    format!("notification_{group}")
}
pub const SUBSCRIPTION_PREFIX: &str = "event_subscription_";
pub const NOTIFICATION_PREFIX: &str = "notification_";

/// The statuses of a subscription that delivers (or is about to).
const WORKING: [&str; 3] = ["active", "creating", "modifying"];

/// The subscriptions found, by name, each with its ARN.
pub type Live = std::collections::BTreeMap<String, (String, Subscription)>;
/// The Redis members' notification configurations, by cache cluster id.
pub type Notes = std::collections::BTreeMap<String, Notification>;

/// An RDS event subscription as apply makes it and read finds it.
#[derive(Clone, Debug, PartialEq)]
pub struct Subscription {
    /// The watched database's name (the component's role).
    pub database: String,
    /// `<alerting name>-db-<database>`.
    pub name: String,
    /// `db-instance` (RDS: the primary and its replicas) or `db-cluster` (Aurora).
    pub source_type: &'static str,
    /// Sorted.
    pub source_ids: Vec<String>,
    /// Sorted.
    pub categories: Vec<String>,
    pub topic: String,
    pub enabled: bool,
    /// As RDS reports it (`active`, `no-permission`, `topic-not-exist`…); `None` in what apply wants.
    pub status: Option<String>,
}

pub fn subscription_name(alerting: &str, database: &str) -> String {
    format!("{alerting}-db-{database}")
}

/// The subscription of `db` to `topic`.
pub fn subscription(alerting: &str, db: &DatabaseFacts, topic: &str) -> Subscription {
    let aurora = db.engine.starts_with("aurora-");
    let mut source_ids = if aurora {
        vec![db.name.clone()]
    } else {
        std::iter::once(db.instance.clone())
            .chain(db.replicas.iter().cloned())
            .collect()
    };
    source_ids.sort();
    let mut categories: Vec<String> = if aurora {
        CLUSTER_CATEGORIES.iter().map(|c| c.to_string()).collect()
    } else {
        INSTANCE_CATEGORIES.iter().map(|c| c.to_string()).collect()
    };
    categories.sort();
    Subscription {
        database: db.name.clone(),
        name: subscription_name(alerting, &db.name),
        source_type: if aurora { "db-cluster" } else { "db-instance" },
        source_ids,
        categories,
        topic: topic.to_string(),
        enabled: true,
        status: None,
    }
}

/// What apply wants of the watched resources: a subscription per database, the notification
/// topic of each Redis group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Wanted {
    pub subscriptions: Vec<Subscription>,
    /// Each watched Redis group and its members (whose notification topic is set).
    pub groups: Vec<RedisFacts>,
}

/// What `watched` wants, sent to `topic` (the critical topic's ARN).
pub fn wanted(alerting: &str, watched: &[Watched], topic: &str) -> Wanted {
    let mut w = Wanted::default();
    for x in watched {
        match x {
            Watched::Database(db) => w.subscriptions.push(subscription(alerting, db, topic)),
            Watched::Redis(r) => w.groups.push(r.clone()),
            Watched::Cluster(_) => {}
        }
    }
    w
}

/// A Redis member's notification configuration, as DescribeCacheClusters reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    pub topic: Option<String>,
    /// `active` or `inactive`.
    pub status: Option<String>,
}

/// Whether every member of `g` (one at least) sends its events to `topic` (`notes`: by cache
/// cluster id).
pub fn notifies(g: &RedisFacts, notes: &Notes, topic: &str) -> bool {
    !g.members.is_empty()
        && g.members.iter().all(|m| {
            notes.get(m).is_some_and(|n| {
                n.topic.as_deref() == Some(topic) && n.status.as_deref() == Some("active")
            })
        })
}

/// Where what AWS has falls short of `want`, in words (`live`: the subscriptions found, by name;
/// `members`: each member's notification); `None` when every event reaches the topic.
pub fn shortfall(want: &Wanted, live: &Live, members: &Notes, topic: &str) -> Option<String> {
    let mut out = Vec::new();
    for s in &want.subscriptions {
        match live.get(&s.name).map(|(_, l)| l) {
            None => out.push(format!("event subscription {} is missing", s.name)),
            Some(l) if l.status.as_deref().is_some_and(|st| !WORKING.contains(&st)) => {
                out.push(format!(
                    "event subscription {} is {} (RDS cannot deliver to the topic)",
                    s.name,
                    l.status.as_deref().unwrap_or_default()
                ));
            }
            Some(l) => {
                let d = differences(l, s);
                if !d.is_empty() {
                    out.push(format!(
                        "event subscription {} differs ({})",
                        s.name,
                        d.join(", ")
                    ));
                }
            }
        }
    }
    for g in want.groups.iter().filter(|g| !notifies(g, members, topic)) {
        out.push(format!(
            "Redis group {} does not notify the critical topic",
            g.name
        ));
    }
    (!out.is_empty()).then(|| out.join("; "))
}

/// How `live` differs from `want`, attribute by attribute (empty: no difference).
pub fn differences(live: &Subscription, want: &Subscription) -> Vec<&'static str> {
    [
        (live.enabled != want.enabled, "disabled"),
        (live.topic != want.topic, "another topic"),
        (live.categories != want.categories, "other categories"),
        (live.source_type != want.source_type, "another source type"),
        (live.source_ids != want.source_ids, "other sources"),
    ]
    .into_iter()
    .filter(|(d, _)| *d)
    .map(|(_, w)| w)
    .collect()
}

#[cfg(test)]
mod tests;
