//! Connection pooling (`pooling { enabled, max_connections_percent, idle_client_timeout }`): an
//! RDS Proxy in front of the database, as pure functions: the block and its checks, the pool in
//! force (the block over the profile's), names, policies, and the posture `pooling` judged from
//! what AWS reports. The calls are in `aws/proxy.rs`, the walk in `reconcile/proxy.rs`.

use serde_json::json;

use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Diagnostics};
use crate::provider::aws::Place;
use crate::provider::ec2::{self, Peer, Rules};
use crate::provider::profile::Environment;

use super::aws::proxy as api;
use super::blueprint::{is_aurora, is_postgres, PASS};

pub const BLOCK: &str = "pooling";

crate::attributes! {
    /// The block in state: every attribute as planned (`None`: null).
    pub struct Stated;
    /// The block as configured or planned: each attribute known, null or unknown.
    pub struct Given;
    fields {
        enabled: Option<bool> = optional("Whether the database is reached through an RDS Proxy. Unset, the profile's: off in development, on in staging and production."),
        max_connections_percent: Option<i64> = optional("The most connections the proxy opens to the database, as a percentage of its `max_connections` (1 to 100; default 90, which leaves a tenth for administrators, replication and migrations). Idle connections kept open: half of it."),
        idle_client_timeout: Option<String> = optional("How long a client connection may sit idle before the proxy closes it: a duration (`30m`, `90s`, `1h`) or a number of seconds, from 1 second to 8 hours (default `30m`)."),
    }
}

/// The block's description in the schema.
pub const DESCRIPTION: &str = "Connection pooling through an RDS Proxy named as the database, for `postgres`, `mysql`, `aurora-postgresql` and `aurora-mysql`. The proxy requires TLS and IAM authentication from clients (`rds-db:connect` on the proxy's resource id; no password), logs in to the database with the RDS-managed master secret through its own role `<name>-rds-proxy`, allowed to read only that secret (and decrypt it with the database's key), and listens on the engine's port (5432 or 3306) in its own security group `<name>-proxy`, which admits `allowed_security_group_ids` only and reaches only the database (and HTTPS, to fetch the secret from Secrets Manager). Its target is the primary (Aurora: the cluster, with a read-only endpoint `<name>-read` over the readers: `proxy_reader_endpoint`). Without the block: on in staging and production, off in development. A proxy changed outside Terraform (TLS or IAM authentication relaxed, another secret, pool or timeout, target deregistered, deleted) fails posture `pooling`, which the plan shows and apply repairs. `prod_alerting` watches its borrow latency and its connections against the pool's limit.";

/// The default share of `max_connections` the proxy may use.
pub const DEFAULT_MAX_CONNECTIONS_PERCENT: i64 = 90;
/// The default idle client timeout, in seconds (AWS's own default).
pub const DEFAULT_IDLE_SECONDS: i64 = 1800;
/// The longest idle client timeout RDS Proxy accepts: 8 hours.
pub const MAX_IDLE_SECONDS: i64 = 28_800;
/// How long a client waits for a pooled connection before RDS Proxy refuses it, in seconds.
pub const BORROW_TIMEOUT_SECONDS: i64 = 120;

/// The posture control pooling reports.
pub const CONTROL: &str = "pooling";
/// The components of a proxy.
pub const PROXY_COMPONENT: &str = "proxy";
pub const ROLE_COMPONENT: &str = "proxy_role";
pub const SG_COMPONENT: &str = "proxy_security_group";
pub const READER_COMPONENT: &str = "proxy_reader";

/// The pool in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pool {
    pub max_connections_percent: i64,
    pub idle_client_timeout: i64,
}

impl Pool {
    /// The default target group's settings for this pool: idle connections kept, half the most.
    pub fn target_group(&self) -> api::Pool {
        api::Pool {
            max_connections_percent: self.max_connections_percent,
            max_idle_connections_percent: self.max_connections_percent / 2,
            borrow_timeout: BORROW_TIMEOUT_SECONDS,
        }
    }
}

fn path(attr: &str) -> AttrPath {
    AttrPath::attr(BLOCK).then_attr(attr)
}

/// An idle timeout as written: a bare number of seconds, or a duration (`30m`).
pub fn idle_seconds(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Ok(n) = t.parse::<i64>() {
        return Some(n);
    }
    crate::resources::datastore::recovery::seconds(t)
}

/// Each value in RDS Proxy's range, each diagnostic on its attribute.
pub fn validate(block: &Tri<Given>, d: &mut Diagnostics) {
    let Tri::Known(g) = block else {
        return;
    };
    if let Tri::Known(p) = d.whole(path("max_connections_percent"), &g.max_connections_percent) {
        if !(1..=100).contains(&p) {
            d.error_at(
                path("max_connections_percent"),
                "Not a percentage RDS Proxy accepts",
                format!("max_connections_percent is {p}: use 1 to 100 (90, the default, leaves a tenth of max_connections to administrators and replication)."),
            );
        }
    }
    if let Tri::Known(t) = &g.idle_client_timeout {
        match idle_seconds(t) {
            Some(s) if (1..=MAX_IDLE_SECONDS).contains(&s) => {}
            Some(s) => d.error_at(
                path("idle_client_timeout"),
                "Idle timeout out of range",
                format!("idle_client_timeout {t:?} is {s} second(s): RDS Proxy accepts 1 second to 8 hours (`8h`). Use e.g. \"30m\"."),
            ),
            None => d.error_at(
                path("idle_client_timeout"),
                "Not a duration",
                format!("idle_client_timeout {t:?} is neither a duration nor a number of seconds: write e.g. \"30m\", \"90s\" or 1800."),
            ),
        }
    }
}

/// The pool in force from a planned (or prior) block in `env`: `None` when pooling is off.
pub fn effective(block: Option<&Stated>, env: Environment) -> Option<Pool> {
    let on = block.and_then(|b| b.enabled).unwrap_or(env.db_pooling());
    on.then(|| Pool {
        max_connections_percent: block
            .and_then(|b| b.max_connections_percent)
            .unwrap_or(DEFAULT_MAX_CONNECTIONS_PERCENT),
        idle_client_timeout: block
            .and_then(|b| b.idle_client_timeout.as_deref())
            .and_then(idle_seconds)
            .unwrap_or(DEFAULT_IDLE_SECONDS),
    })
}

/// The pool in force from a configured or planned block, once its values are known.
pub fn given(block: &Tri<Given>, env: Environment) -> Tri<Option<Pool>> {
    match block {
        Tri::Null => Tri::Known(effective(None, env)),
        Tri::Unknown => Tri::Unknown,
        Tri::Known(g) => {
            let enabled = match &g.enabled {
                Tri::Known(b) => Some(*b),
                Tri::Null => None,
                Tri::Unknown => return Tri::Unknown,
            };
            let pct = match g.max_connections_percent.whole() {
                Tri::Known(p) => Some(p),
                Tri::Null => None,
                Tri::Unknown => return Tri::Unknown,
            };
            let idle = match &g.idle_client_timeout {
                Tri::Known(t) => Some(t.clone()),
                Tri::Null => None,
                Tri::Unknown => return Tri::Unknown,
            };
            Tri::Known(effective(
                Some(&Stated {
                    enabled,
                    max_connections_percent: pct,
                    idle_client_timeout: idle,
                }),
                env,
            ))
        }
    }
}

/// Whether the block's pooling, as configured, is known to be on, off, or not yet known.
pub fn planned_on(block: &Tri<Given>, env: &Tri<Environment>) -> Option<bool> {
    match env {
        Tri::Known(e) => given(block, *e).known().map(|p| p.is_some()),
        _ => None,
    }
}

/// The proxy: named as the database.
pub fn proxy_name(name: &str) -> String {
    name.to_string()
}
/// The role the proxy reads the master secret with.
pub fn role_name(name: &str) -> String {
    format!("{name}-rds-proxy")
}
/// The proxy's security group.
pub fn sg_name(name: &str) -> String {
    format!("{name}-proxy")
}
/// Whether the proxy has a read-only endpoint: Aurora with readers (RDS Proxy refuses one over a
/// writer alone, and over an instance).
pub fn has_reader(engine: &str, replicas: i64) -> bool {
    is_aurora(engine) && replicas > 0
}
/// Aurora's read-only proxy endpoint.
pub fn reader_name(name: &str) -> String {
    format!("{name}-read")
}
/// The port RDS Proxy listens on: the engine's own, whatever the database's.
pub fn port(engine: &str) -> i64 {
    if is_postgres(engine) {
        5432
    } else {
        3306
    }
}
/// Whether the proxy's target is a cluster (Aurora) rather than the primary instance.
pub fn targets_cluster(engine: &str) -> bool {
    is_aurora(engine)
}
/// The instance or cluster the proxy targets.
pub fn target_id(name: &str) -> String {
    name.to_string()
}

/// The proxy group's rules: the proxy's port from the `allowed` groups in; out, the database's
/// port (`db_port`) to the database's group `db_sg`, and HTTPS, by which the proxy's network
/// interfaces fetch the master secret from Secrets Manager (through the VPC's interface endpoint,
/// or its NAT gateways where it has none): without it the target stays `PENDING_PROXY_CAPACITY`.
pub fn group_rules(engine: &str, db_port: i64, allowed: &[String], db_sg: &str) -> Rules {
    let (want_in, _) = ec2::port_from_groups(port(engine), allowed);
    let want_out = [
        ec2::tcp(
            i32::try_from(db_port).unwrap_or(0),
            Peer::Group(db_sg.to_string()),
        ),
        ec2::tcp(443, Peer::Cidr("0.0.0.0/0".to_string())),
    ]
    .into_iter()
    .collect();
    (want_in, want_out)
}

/// Who may assume the proxy's role: RDS, for this account's proxies only.
pub fn trust_policy(place: &Place) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "rds.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": place.account},
                "ArnLike": {"aws:SourceArn": place.arn("rds", "db-proxy:*")}
            }
        }]
    })
    .to_string()
}

/// What the proxy's role may do: read the master secret `secret`, and decrypt it with `key`
/// through Secrets Manager only.
pub fn role_policy(place: &Place, secret: &str, key: &str) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadTheMasterSecret",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                "Resource": secret
            },
            {
                "Sid": "DecryptItThroughSecretsManager",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": key,
                "Condition": {"StringEquals": {
                    "kms:ViaService": format!("secretsmanager.{}.amazonaws.com", place.region)
                }}
            }
        ]
    })
    .to_string()
}

/// What AWS reports of the proxy, for posture `pooling`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Live {
    pub proxy: Option<api::Proxy>,
    pub pool: Option<api::Pool>,
    pub targets: Vec<api::Target>,
    /// Aurora's read-only endpoint, where it exists.
    pub reader: Option<api::Endpoint>,
    /// The proxy's role (its ARN), where it exists.
    pub role: Option<String>,
    /// The proxy group's rules, where it exists.
    pub sg_rules: Option<Rules>,
}

/// What the proxy must be: its pool, the database it fronts and the secret it logs in with.
pub struct Want<'a> {
    pub pool: Pool,
    pub engine: &'a str,
    pub name: &'a str,
    /// The master secret (`None`: not known, not judged).
    pub secret: Option<&'a str>,
    /// The proxy's security group (`None`: not known, not judged).
    pub security_group: Option<&'a str>,
    /// The rules its group must hold (`None`: not judged).
    pub rules: Option<Rules>,
    /// Aurora with readers: the read-only endpoint must be there (RDS Proxy refuses one over a
    /// writer alone).
    pub readers: bool,
    /// The subnets it must be in (`None`: not judged).
    pub subnets: Option<&'a [String]>,
}

/// Whether two lists of subnets hold the same ones, in any order.
pub fn same_subnets(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    a.dedup();
    b.sort();
    b.dedup();
    a == b
}

/// The endpoint clients use: `host` on the proxy's port.
pub fn address(host: &str, engine: &str) -> String {
    format!("{host}:{}", port(engine))
}

/// Why the proxy does not assume its own role (`role`: its ARN, `None`: it is missing).
pub fn role_difference(want: &Want<'_>, p: &api::Proxy, role: Option<&str>) -> Option<String> {
    match role {
        None => Some(format!("its role {} is missing", role_name(want.name))),
        Some(r) if p.role_arn.as_deref() != Some(r) => {
            Some("it assumes another role than its own".into())
        }
        Some(_) => None,
    }
}

/// Why the proxy's own settings (what CreateDBProxy and ModifyDBProxy set: TLS, authentication,
/// debug logging, secret, group, subnets, idle timeout) differ from `want`, each in words.
pub fn settings_differences(want: &Want<'_>, p: &api::Proxy) -> Vec<String> {
    let mut out = Vec::new();
    if !p.require_tls {
        out.push("TLS is not required".to_string());
    }
    if !p.iam_auth.eq_ignore_ascii_case("REQUIRED") {
        out.push(format!(
            "IAM authentication is {}, not required",
            if p.iam_auth.is_empty() {
                "unset"
            } else {
                p.iam_auth.as_str()
            }
        ));
    }
    if p.debug_logging {
        out.push("debug logging is on (it writes SQL to the logs)".into());
    }
    if let Some(s) = want.secret {
        if p.secret_arn.as_deref() != Some(s) {
            out.push("it logs in with another secret than the master secret".into());
        }
    }
    if let Some(sg) = want.security_group {
        if p.security_groups != [sg.to_string()] {
            out.push(format!(
                "its security groups are [{}], not its own",
                p.security_groups.join(", ")
            ));
        }
    }
    if let Some(s) = want.subnets {
        if !same_subnets(s, &p.subnets) {
            out.push(format!(
                "it is in subnets [{}], not the database's [{}]",
                p.subnets.join(", "),
                s.join(", ")
            ));
        }
    }
    if p.idle_client_timeout != want.pool.idle_client_timeout {
        out.push(format!(
            "idle_client_timeout is {}s, not {}s",
            p.idle_client_timeout, want.pool.idle_client_timeout
        ));
    }
    out
}

/// Why the proxy differs from what it must be, each reason in words (empty: it holds).
pub fn differences(want: &Want<'_>, live: &Live) -> Vec<String> {
    let Some(p) = &live.proxy else {
        return vec![format!("the proxy {} is missing", proxy_name(want.name))];
    };
    let mut out: Vec<String> = role_difference(want, p, live.role.as_deref())
        .into_iter()
        .collect();
    match (&want.rules, &live.sg_rules) {
        (Some(_), None) => out.push(format!("its security group {} is missing", sg_name(want.name))),
        (Some(w), Some(h)) if w != h => out.push(format!(
            "its security group's rules are not exactly {} from the allowed groups in, and the database's port to the database and HTTPS out",
            port(want.engine)
        )),
        _ => {}
    }
    out.extend(settings_differences(want, p));
    match &live.pool {
        Some(g) if *g == want.pool.target_group() => {}
        Some(g) => out.push(format!(
            "the pool is {}% of max_connections ({}% idle, {}s borrow timeout), not {}% ({}%, {}s)",
            g.max_connections_percent,
            g.max_idle_connections_percent,
            g.borrow_timeout,
            want.pool.target_group().max_connections_percent,
            want.pool.target_group().max_idle_connections_percent,
            BORROW_TIMEOUT_SECONDS
        )),
        None => out.push("its target group is missing".into()),
    }
    let target = target_id(want.name);
    let what = if targets_cluster(want.engine) {
        "the cluster"
    } else {
        "the primary"
    };
    match live.targets.iter().find(|t| t.id == target) {
        None => out.push(format!("{what} {target} is not its target")),
        Some(t) => match t.state.as_deref() {
            None | Some("AVAILABLE") => {}
            Some(s) => out.push(format!(
                "its target {target} is {s}{}",
                t.reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            )),
        },
    }
    if targets_cluster(want.engine) && want.readers && live.reader.is_none() {
        out.push(format!(
            "its read-only endpoint {} is missing",
            reader_name(want.name)
        ));
    }
    out
}

/// Posture `pooling`: `pass`, or `fail: ` and why.
pub fn posture(want: &Want<'_>, live: &Live) -> String {
    let why = differences(want, live);
    if why.is_empty() {
        PASS.to_string()
    } else {
        format!("fail: {}", why.join("; "))
    }
}

#[cfg(test)]
mod tests;
