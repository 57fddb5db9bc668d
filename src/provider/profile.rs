//! Environment profiles: `development`, `staging`, `production`. A profile chooses defaults and
//! floors (see the README's profile table); it never turns encryption or TLS off.

use std::fmt;

use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Diagnostics, Value};

/// Days each class of logs is kept: `application` (engine and application logs), `audit` (flow
/// logs, audit logs, web ACL and load balancer access logs) and `metrics`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogRetention {
    pub application: i64,
    pub audit: i64,
    pub metrics: i64,
}

impl LogRetention {
    /// The least each class keeps where a profile does not relax it, and what production refuses
    /// to go below: 30 days of application logs (the guides'), a year of audit logs and metrics
    /// (CloudWatch.16's default `minRetentionTime`).
    pub const FLOOR: LogRetention = LogRetention {
        application: 30,
        audit: 365,
        metrics: 365,
    };
}

/// The tiers the provider block's `log_retention` sets for every resource (`None`: the
/// profile's); a resource's own `log_retention` wins over them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TierDefaults {
    pub application: Option<i64>,
    pub audit: Option<i64>,
    pub metrics: Option<i64>,
}

impl TierDefaults {
    /// The tiers `env`'s resources keep by default: its profile's with these over them.
    pub fn tiers(&self, env: Environment) -> LogRetention {
        let profile = env.log_retention();
        LogRetention {
            application: self.application.unwrap_or(profile.application),
            audit: self.audit.unwrap_or(profile.audit),
            metrics: self.metrics.unwrap_or(profile.metrics),
        }
    }
}

/// What the provider block gives a resource whose configuration does not say: its `environment`
/// and its `log_retention` tiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Defaults {
    pub environment: Environment,
    pub log_retention: TierDefaults,
}

impl From<Environment> for Defaults {
    fn from(environment: Environment) -> Defaults {
        Defaults {
            environment,
            log_retention: TierDefaults::default(),
        }
    }
}

impl Defaults {
    /// The log retention tiers of `env`'s profile with the provider block's over them.
    pub fn log_tiers(&self, env: Environment) -> LogRetention {
        self.log_retention.tiers(env)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Staging,
    Production,
}

pub const ENVIRONMENTS: [&str; 3] = ["development", "staging", "production"];

impl Environment {
    pub fn parse(s: &str) -> Option<Environment> {
        match s {
            "development" => Some(Environment::Development),
            "staging" => Some(Environment::Staging),
            "production" => Some(Environment::Production),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Development => "development",
            Environment::Staging => "staging",
            Environment::Production => "production",
        }
    }
    /// How long the logs of each class are kept, in days (`log_retention`): the production values
    /// are the guides' ("app logs 30 days, audit 7 years, metrics 1 year").
    pub fn log_retention(self) -> LogRetention {
        match self {
            Environment::Development => LogRetention {
                application: 7,
                audit: 7,
                metrics: 30,
            },
            Environment::Staging => LogRetention {
                application: 30,
                audit: 365,
                metrics: 365,
            },
            Environment::Production => LogRetention {
                application: 30,
                audit: 2557,
                metrics: 365,
            },
        }
    }
    /// Availability zones `prod_network` spans when `az_count` is unset.
    pub fn az_count(self) -> i64 {
        match self {
            Environment::Production => 3,
            _ => 2,
        }
    }
    /// One NAT gateway per AZ in production (an AZ failure leaves the others' egress intact); one
    /// shared otherwise.
    pub fn nat_per_az(self) -> bool {
        self == Environment::Production
    }
    /// The VPC endpoints a network makes by default (short service names): the free S3 and
    /// DynamoDB gateways everywhere; in staging and production also interface endpoints for EC2 and
    /// the services the stack's instances call (Systems Manager, logs, metrics, keys, secrets, STS),
    /// so that this traffic never leaves the VPC.
    pub fn network_endpoints(self) -> &'static [&'static str] {
        match self {
            Environment::Development => &["s3", "dynamodb"],
            _ => &[
                "s3",
                "dynamodb",
                "ec2",
                "ssm",
                "ssmmessages",
                "ec2messages",
                "logs",
                "monitoring",
                "kms",
                "secretsmanager",
                "sts",
            ],
        }
    }
    /// Days a scheduled KMS key deletion waits (7 is AWS's minimum; production keeps the full 30).
    pub fn key_deletion_window_days(self) -> i32 {
        match self {
            Environment::Production => 30,
            _ => 7,
        }
    }

    /// `prod_cluster` sizes: (min, desired, max).
    pub fn cluster_capacity(self) -> (i64, i64, i64) {
        match self {
            Environment::Development => (1, 1, 2),
            Environment::Staging => (2, 2, 4),
            Environment::Production => (3, 3, 9),
        }
    }
    /// The smallest `min_size` a profile accepts (production keeps two instances through an AZ loss).
    pub fn cluster_min_floor(self) -> i64 {
        match self {
            Environment::Production => 2,
            _ => 1,
        }
    }
    pub fn cluster_instance_type(self) -> &'static str {
        match self {
            Environment::Development => "t3.small",
            _ => "m6i.large",
        }
    }
    /// Root volume (GiB, gp3, encrypted).
    pub fn cluster_root_volume_gib(self) -> i64 {
        match self {
            Environment::Development => 20,
            Environment::Staging => 30,
            Environment::Production => 50,
        }
    }
    /// `prod_cluster`: requests per client IP in 5 minutes before the web ACL blocks it (a
    /// development stack is hammered by its own tests and tools).
    pub fn cluster_rate_limit(self) -> i64 {
        match self {
            Environment::Development => 10_000,
            _ => 2_000,
        }
    }
    /// `prod_cluster`: the average CPU % a target-tracking policy holds the group at, when no
    /// `scaling` block says otherwise (development: no policy, the sizes stay as set).
    pub fn cluster_cpu_target(self) -> Option<i64> {
        match self {
            Environment::Development => None,
            _ => Some(60),
        }
    }
    /// `prod_cluster`: the percentages of the group at which a rollout pauses while its gate
    /// alarms watch (development: one pause at the end).
    pub fn rollout_checkpoints(self) -> Vec<i64> {
        match self {
            Environment::Development => vec![100],
            Environment::Staging => vec![50, 100],
            Environment::Production => vec![10, 50, 100],
        }
    }
    /// `prod_cluster`: seconds a rollout waits at each checkpoint.
    pub fn rollout_bake_seconds(self) -> i64 {
        match self {
            Environment::Development => 0,
            Environment::Staging => 120,
            Environment::Production => 300,
        }
    }
    pub fn load_balancer_deletion_protection(self) -> bool {
        self == Environment::Production
    }

    /// `prod_database_ha`: Multi-AZ primary (required in production).
    pub fn db_multi_az(self) -> bool {
        self != Environment::Development
    }
    pub fn db_replicas(self) -> i64 {
        match self {
            Environment::Development => 0,
            Environment::Staging => 1,
            Environment::Production => 2,
        }
    }
    pub fn db_instance_class(self) -> &'static str {
        match self {
            Environment::Development => "db.t4g.medium",
            _ => "db.r6g.large",
        }
    }
    /// (allocated, max) storage in GiB for non-Aurora engines.
    pub fn db_storage_gib(self) -> (i64, i64) {
        match self {
            Environment::Development => (20, 100),
            Environment::Staging => (50, 500),
            Environment::Production => (100, 1000),
        }
    }
    pub fn db_backup_retention_days(self) -> i64 {
        match self {
            Environment::Development => 1,
            Environment::Staging => 7,
            Environment::Production => 30,
        }
    }
    /// The least retention a profile accepts.
    pub fn db_backup_retention_floor(self) -> i64 {
        match self {
            Environment::Production => 7,
            _ => 1,
        }
    }
    pub fn db_deletion_protection(self) -> bool {
        self != Environment::Development
    }
    /// A final snapshot on destroy (required in production).
    pub fn db_final_snapshot(self) -> bool {
        self != Environment::Development
    }
    /// Database audit logging (pgAudit, MySQL's audit plugin) outside development (required in
    /// production).
    pub fn db_audit_logging(self) -> bool {
        self != Environment::Development
    }
    /// Performance Insights and enhanced monitoring (every 60 s) outside development.
    pub fn db_monitoring(self) -> bool {
        self != Environment::Development
    }
    /// Connection pooling (an RDS Proxy in front of the database) outside development.
    pub fn db_pooling(self) -> bool {
        self != Environment::Development
    }

    /// `prod_redis_cluster`: replicas in each shard (failover and Multi-AZ come with the first).
    pub fn redis_replicas_per_shard(self) -> i64 {
        match self {
            Environment::Development => 0,
            Environment::Staging => 1,
            Environment::Production => 2,
        }
    }
    /// The fewest replicas per shard a profile accepts (production fails over).
    pub fn redis_replicas_floor(self) -> i64 {
        match self {
            Environment::Production => 1,
            _ => 0,
        }
    }
    pub fn redis_node_type(self) -> &'static str {
        match self {
            Environment::Development => "cache.t4g.small",
            _ => "cache.r6g.large",
        }
    }
    pub fn redis_snapshot_retention_days(self) -> i64 {
        match self {
            Environment::Development => 1,
            Environment::Staging => 3,
            Environment::Production => 7,
        }
    }
    /// The least snapshot retention a profile accepts (0 turns snapshots off).
    pub fn redis_snapshot_retention_floor(self) -> i64 {
        match self {
            Environment::Production => 1,
            _ => 0,
        }
    }
    pub fn redis_shards(self) -> i64 {
        1
    }
    /// The provider's own deletion guard (ElastiCache has none).
    pub fn redis_deletion_protection(self) -> bool {
        self != Environment::Development
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The detail text of an invalid-environment diagnostic.
pub fn environment_hint(got: &str) -> String {
    format!("{got:?} is not an environment. Use one of \"development\", \"staging\" or \"production\" (the default).")
}

/// The environment a resource plans with: its own `environment`, else the provider's; unknown
/// while the configuration is.
pub fn planned(config_env: &Tri<String>, default: Environment) -> Tri<Environment> {
    match config_env {
        Tri::Known(e) => Environment::parse(e).map_or(Tri::Unknown, Tri::Known),
        Tri::Null => Tri::Known(default),
        Tri::Unknown => Tri::Unknown,
    }
}

/// `f` of the planned environment; unknown while the environment is.
pub fn by_env(env: &Tri<Environment>, f: impl FnOnce(Environment) -> Value) -> Value {
    match env {
        Tri::Known(e) => f(*e),
        _ => Value::unknown(),
    }
}

/// The planned `environment` attribute.
pub fn planned_value(env: &Tri<Environment>) -> Value {
    by_env(env, |e| Value::string(e.as_str()))
}

/// An error on the `environment` attribute when it names no profile.
pub fn validate_attr(config_env: &Tri<String>, d: &mut Diagnostics) {
    if let Tri::Known(env) = config_env {
        if Environment::parse(env).is_none() {
            d.error_at(
                AttrPath::attr("environment"),
                "Invalid environment",
                environment_hint(env),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in ENVIRONMENTS {
            assert_eq!(Environment::parse(name).unwrap().as_str(), name);
        }
        assert_eq!(Environment::parse("prod"), None);
        assert!(Environment::Production.log_retention().audit >= 365);
    }
}
