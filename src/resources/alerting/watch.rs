//! `watch`: what a watched resource tells `prod_alerting` of itself, as one `map(string)` (every
//! kind shares the type, so `[prod_cluster.web.watch, prod_database_ha.main.watch]` is a list).
//! `prod_cluster`, `prod_database_ha` and `prod_redis_cluster` build theirs here from their
//! configuration (plus the ARNs AWS gave, for the dimensions), so the map is known at plan whenever
//! their configuration is; `prod_alerting` builds its packs from these maps alone, never from what
//! AWS reports of the watched resources, so drift of a watched resource never moves a threshold.

use std::collections::BTreeMap;

use super::packs::{self, ClusterFacts, DatabaseFacts, PackAlarm, ProxyWatch, WebAcl};
use super::redis_pack::{self, RedisFacts};
use crate::framework::decode::Tri;
use crate::framework::Number;

/// A planned `watch` map: values unknown one by one.
pub type Planned = BTreeMap<String, Tri<String>>;

/// The `LoadBalancer` dimension of a load balancer ARN: `app/<name>/<id>`.
pub fn load_balancer_suffix(arn: &str) -> String {
    arn.split_once(":loadbalancer/")
        .map(|(_, s)| s.to_string())
        .unwrap_or_default()
}

/// The `TargetGroup` dimension of a target group ARN: `targetgroup/<name>/<id>`.
pub fn target_group_suffix(arn: &str) -> String {
    arn.rsplit_once(':')
        .map(|(_, s)| s.to_string())
        .unwrap_or_default()
}

fn known(s: impl Into<String>) -> Tri<String> {
    Tri::Known(s.into())
}

/// A planned whole number as text; unknown while it is.
fn number(n: &Tri<Number>) -> Tri<String> {
    match n.known().and_then(Number::as_i64) {
        Some(i) => known(i.to_string()),
        None => Tri::Unknown,
    }
}

/// `f` of a known value; unknown otherwise (null included: not made yet).
fn map_known<T>(v: &Tri<T>, f: impl FnOnce(&T) -> String) -> Tri<String> {
    v.known().map_or(Tri::Unknown, |v| known(f(v)))
}

fn planned(pairs: Vec<(&str, Tri<String>)>) -> Planned {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// A wholly known map, in state (an unknown value is empty: it cannot be at the end of apply).
pub fn settled(p: Planned) -> BTreeMap<String, String> {
    p.into_iter()
        .map(|(k, v)| (k, v.into_known().unwrap_or_default()))
        .collect()
}

/// A cluster's watch: its name (also the Auto Scaling group's), the load balancer and target group
/// dimensions (from their ARNs), the configured capacities, and the web ACL's metric dimensions
/// (its and its rate rule's metric names, the region).
pub fn cluster(
    name: &Tri<String>,
    load_balancer_arn: &Tri<String>,
    target_group_arn: &Tri<String>,
    sizes: [&Tri<Number>; 3],
    edge: Edge,
) -> Planned {
    let [min, desired, max] = sizes;
    planned(vec![
        ("kind", known("cluster")),
        ("name", name.clone()),
        ("autoscaling_group", name.clone()),
        (
            "load_balancer",
            map_known(load_balancer_arn, |a| load_balancer_suffix(a)),
        ),
        (
            "target_group",
            map_known(target_group_arn, |a| target_group_suffix(a)),
        ),
        ("min_size", number(min)),
        ("desired_capacity", number(desired)),
        ("max_size", number(max)),
        ("web_acl", edge.web_acl),
        ("rate_rule", edge.rate_rule),
        ("region", map_known(load_balancer_arn, |a| region_of(a))),
        ("certificate", edge.certificate),
    ])
}

/// What a cluster's edge alarms watch: the CloudWatch metric names of its web ACL and of its
/// rate-based rule, and its listener's certificate.
pub struct Edge {
    pub web_acl: Tri<String>,
    pub rate_rule: Tri<String>,
    /// The HTTPS listener's certificate ARN.
    pub certificate: Tri<String>,
}

/// The region of an ARN (`arn:aws:<service>:<region>:…`).
pub fn region_of(arn: &str) -> String {
    arn.split(':').nth(3).unwrap_or_default().to_string()
}

/// What a database's watch is made of, as planned.
pub struct DatabaseArgs<'a> {
    pub name: &'a Tri<String>,
    /// The instance the primary's metrics are published under (Aurora: the writer).
    pub instance: Tri<String>,
    pub engine: &'a Tri<String>,
    pub instance_class: &'a Tri<String>,
    pub allocated_storage: &'a Tri<Number>,
    /// The replicas whose lag is watched (none for Aurora, whose readers are cluster members).
    pub replicas: Tri<Vec<String>>,
    /// With pooling: the proxy's name and its pool's share of `max_connections`.
    pub proxy: Option<(Tri<String>, Tri<String>)>,
    /// With restore verification: the resource type AWS Backup counts its restore jobs under.
    pub restore_check: Option<Tri<String>>,
    pub parameters: &'a Tri<BTreeMap<String, Tri<String>>>,
}

/// A database's watch: name, primary instance, engine, class, configured storage, the effective
/// `max_connections` (the configured parameter, else the engine's default for the class) and the
/// replicas, comma-separated.
pub fn database(a: DatabaseArgs) -> Planned {
    let formula = match (a.engine, a.instance_class) {
        (Tri::Known(e), Tri::Known(c)) => known(packs::max_connections(e, c).to_string()),
        _ => Tri::Unknown,
    };
    let max_connections = match a.parameters {
        Tri::Null => formula,
        Tri::Unknown => Tri::Unknown,
        Tri::Known(p) => match p.get("max_connections") {
            None | Some(Tri::Null) => formula,
            Some(Tri::Unknown) => Tri::Unknown,
            Some(Tri::Known(v)) => match v.trim().parse::<u64>() {
                Ok(n) => known(n.to_string()),
                Err(_) => formula,
            },
        },
    };
    let mut pairs = vec![
        ("kind", known("database")),
        ("name", a.name.clone()),
        ("instance", a.instance),
        ("engine", a.engine.clone()),
        ("instance_class", a.instance_class.clone()),
        ("allocated_storage", number(a.allocated_storage)),
        ("max_connections", max_connections),
        ("replicas", map_known(&a.replicas, |r| r.join(","))),
    ];
    if let Some((proxy, percent)) = a.proxy {
        pairs.push(("proxy", proxy));
        pairs.push(("proxy_max_connections_percent", percent));
    }
    if let Some(kind) = a.restore_check {
        pairs.push(("restore_check", kind));
    }
    planned(pairs)
}

/// A Redis group's watch: its name and member nodes, comma-separated (known once the nodes are).
pub fn redis(name: &Tri<String>, members: &Tri<Vec<String>>) -> Planned {
    planned(vec![
        ("kind", known("redis")),
        ("name", name.clone()),
        ("members", map_known(members, |m| m.join(","))),
    ])
}

/// A watched resource, as its pack needs it.
#[derive(Clone, Debug, PartialEq)]
pub enum Watched {
    Cluster(ClusterFacts),
    Database(DatabaseFacts),
    Redis(RedisFacts),
}

impl Watched {
    /// The pack's alarms.
    pub fn pack(&self) -> Vec<PackAlarm> {
        match self {
            Watched::Cluster(f) => packs::cluster_pack(f),
            Watched::Database(f) => packs::database_pack(f),
            Watched::Redis(f) => redis_pack::redis_pack(f),
        }
    }
}

/// Reads a watch map's values by key, noting whether any is unknown.
struct Fields<'a> {
    m: &'a Planned,
    unknown: bool,
}

impl<'a> Fields<'a> {
    /// The value of `key`; `None` while unknown; an error when absent.
    fn get(&mut self, key: &str) -> Result<Option<&'a str>, String> {
        match self.m.get(key) {
            None | Some(Tri::Null) => Err(format!("it has no `{key}`")),
            Some(Tri::Known(s)) => Ok(Some(s.as_str())),
            Some(Tri::Unknown) => {
                self.unknown = true;
                Ok(None)
            }
        }
    }
    /// The value of `key`; `None` in a map from before it had one.
    fn optional(&mut self, key: &str) -> Option<String> {
        self.m
            .contains_key(key)
            .then(|| self.text(key).ok())
            .flatten()
    }
    /// The web ACL's dimensions; `None` in a map from before clusters had one.
    fn web_acl(&mut self) -> Option<WebAcl> {
        Some(WebAcl {
            name: self.optional("web_acl")?,
            rate_rule: self.optional("rate_rule")?,
            region: self.optional("region")?,
        })
    }
    /// A database's proxy; `None` without one (or in a map from before pooling).
    fn proxy(&mut self) -> Result<Option<ProxyWatch>, String> {
        let Some(name) = self.optional("proxy").filter(|n| !n.is_empty()) else {
            return Ok(None);
        };
        Ok(Some(ProxyWatch {
            name,
            max_connections_percent: self.int("proxy_max_connections_percent")?,
        }))
    }
    fn text(&mut self, key: &str) -> Result<String, String> {
        Ok(self.get(key)?.unwrap_or_default().to_string())
    }
    /// The value of `key` as a number (`what` says which kind, for the error); 0 while unknown.
    fn parsed<T: std::str::FromStr + Default>(
        &mut self,
        key: &str,
        what: &str,
    ) -> Result<T, String> {
        match self.get(key)? {
            None => Ok(T::default()),
            Some(s) => s
                .trim()
                .parse()
                .map_err(|_| format!("`{key}` is \"{s}\", not {what}")),
        }
    }
    fn int(&mut self, key: &str) -> Result<i64, String> {
        self.parsed(key, "a whole number")
    }
    fn list(&mut self, key: &str) -> Result<Vec<String>, String> {
        Ok(self
            .get(key)?
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect())
    }
}

/// The resource a watch map describes; `None` while a value is unknown; an error, in words, when
/// the map is not a watch map.
pub fn parse(m: &Planned) -> Result<Option<Watched>, String> {
    let mut f = Fields { m, unknown: false };
    let Some(kind) = f.get("kind")?.map(str::to_string) else {
        return Ok(None);
    };
    let w = match kind.as_str() {
        "cluster" => Watched::Cluster(ClusterFacts {
            name: f.text("name")?,
            load_balancer: f.text("load_balancer")?,
            target_group: f.text("target_group")?,
            min_size: f.int("min_size")?,
            desired_capacity: f.int("desired_capacity")?,
            web_acl: f.web_acl(),
            certificate: f.optional("certificate"),
        }),
        "database" => Watched::Database(DatabaseFacts {
            name: f.text("name")?,
            instance: f.text("instance")?,
            engine: f.text("engine")?,
            instance_class: f.text("instance_class")?,
            allocated_gib: f.int("allocated_storage")?,
            max_connections: Some(f.parsed("max_connections", "a number")?),
            replicas: f.list("replicas")?,
            proxy: f.proxy()?,
            restore_check: f.optional("restore_check").filter(|k| !k.is_empty()),
        }),
        "redis" => Watched::Redis(RedisFacts {
            name: f.text("name")?,
            members: f.list("members")?,
        }),
        other => {
            return Err(format!(
                "kind `{other}` is not one prod_alerting watches (`cluster`, `database` or `redis`)"
            ))
        }
    };
    Ok((!f.unknown).then_some(w))
}

/// A watch map wholly known (in state, or in a configuration at apply).
pub fn parse_known(m: &BTreeMap<String, String>) -> Result<Option<Watched>, String> {
    let p: Planned = m.iter().map(|(k, v)| (k.clone(), known(v))).collect();
    parse(&p)
}

/// The names of the pack alarms of a watch map, without the alerting prefix; unknown while the
/// values that name them are (the replicas, a Redis group's members); an error as [`parse`].
pub fn shorts(m: &Planned) -> Result<Tri<Vec<String>>, String> {
    parse(m)?;
    let mut f = Fields { m, unknown: false };
    let names = match f.get("kind")? {
        Some("cluster") => packs::cluster_shorts(&f.text("name")?, m.contains_key("web_acl")),
        Some("database") => {
            let name = f.text("name")?;
            let mut names = packs::database_shorts(&name, f.list("replicas")?.len());
            if f.proxy()?.is_some() {
                names.extend(packs::proxy_shorts(&name));
            }
            if f.optional("restore_check").is_some_and(|k| !k.is_empty()) {
                names.extend(packs::restore_check_shorts(&name));
            }
            names
        }
        Some("redis") => redis_pack::redis_shorts(&f.list("members")?),
        _ => Vec::new(),
    };
    Ok(if f.unknown {
        Tri::Unknown
    } else {
        Tri::Known(names)
    })
}

/// The resources wholly known watch maps describe; an error names the index of a bad map.
pub fn watched(maps: &[BTreeMap<String, String>]) -> Result<Vec<Watched>, (usize, String)> {
    let mut out = Vec::new();
    for (i, m) in maps.iter().enumerate() {
        match parse_known(m) {
            Ok(Some(w)) => out.push(w),
            Ok(None) => {}
            Err(e) => return Err((i, e)),
        }
    }
    Ok(out)
}

/// The pack alarms of wholly known watch maps; an error names the index of a bad map.
pub fn packs_of(maps: &[BTreeMap<String, String>]) -> Result<Vec<PackAlarm>, (usize, String)> {
    Ok(watched(maps)?.iter().flat_map(Watched::pack).collect())
}

/// The fix a bad watch map calls for.
pub const HINT: &str = "Pass the `watch` attribute of the resource itself, e.g. `watch = [prod_cluster.web.watch, prod_database_ha.main.watch, prod_redis_cluster.cache.watch]`, not a map written by hand.";

#[cfg(test)]
mod tests;
