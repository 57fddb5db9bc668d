//! Plan: every argument as apply will leave it (the configuration, else the profile's default) and
//! every computed value that is known before AWS answers; ids unknown where something is (re)made.

use std::collections::{BTreeMap, BTreeSet};

use super::aws::ec2::SubnetFacts;
use super::blueprint as bp;
use super::model::{Config, State};
use super::schema::{DEFAULT_HEALTH_CHECK_PATH, DEFAULT_INGRESS, TYPE_NAME};
use super::validate;
use crate::framework::attrs::write_tri;
use crate::framework::attrs::{keep_refinements, whole_list, whole_map};
use crate::framework::decode::Tri;
use crate::framework::resource::Planned;
use crate::framework::{AttrPath, Diagnostics, Number, Value};
use crate::provider::aws::Place;
use crate::provider::profile::{self, Defaults, Environment};
use crate::provider::tags;
use crate::resources::alerting::watch;
use crate::resources::log_retention;

/// The component roles a cluster has (with its own key unless one is given).
pub fn roles(own_key: bool) -> Vec<&'static str> {
    let mut r = vec![
        "autoscaling_group",
        "instance_profile",
        "instance_role",
        "launch_template",
        "listener_http",
        "listener_https",
        "load_balancer",
        "log_group",
        "logs_bucket",
        "security_group_app",
        "security_group_lb",
        "target_group",
    ];
    r.extend(super::rollout::GATE_ROLES);
    if own_key {
        r.extend(["kms_alias", "kms_key"]);
    }
    r
}

/// Posture entries read from the launch template: a failure means apply makes a new version.
const TEMPLATE_CONTROLS: [&str; 6] = [
    "EC2.8",
    "AutoScaling.3",
    "AutoScaling.4",
    "AutoScaling.5",
    "EC2.3",
    "host_metrics",
];

/// The key: the configured one; else the cluster's own as the kept prior records it, unknown
/// until it is made.
fn planned_key(cfg: &Config, kept_was: Option<&Config>, own_key: bool) -> Tri<String> {
    match kept_was.map(|w| &w.kms_key_arn) {
        _ if !own_key => cfg.kms_key_arn.clone(),
        Some(k) if !k.is_null() => k.clone(),
        _ => Tri::Unknown,
    }
}

/// The posture apply leaves, once the environment is known.
fn planned_posture(
    env: &Tri<Environment>,
    planned: &Config,
    own_key: bool,
    defaults: &Defaults,
) -> Tri<BTreeMap<String, String>> {
    match env {
        Tri::Known(e) => {
            let tokens = planned
                .metadata_http_tokens
                .known()
                .cloned()
                .unwrap_or_else(|| "required".into());
            log_retention::given(&planned.log_retention, defaults.log_tiers(*e))
                .map(|tiers| super::posture::planned(*e, &tiers, &tokens, own_key))
        }
        _ => Tri::Unknown,
    }
}

/// `subnets`: the facts of every subnet in both lists, when both are known (looked up by the caller).
#[allow(clippy::too_many_arguments)]
pub fn plan(
    config: &Value,
    prior: &Value,
    proposed: &Value,
    defaults: Defaults,
    default_tags: &BTreeMap<String, String>,
    place: Option<&Place>,
    subnets: Option<&[SubnetFacts]>,
) -> Planned {
    let cfg = Config::decode(config);
    // The prior read twice: as state, and as a plan reads it (null kept apart) to compare it
    // argument by argument with the planned values.
    let was = (!prior.is_null()).then(|| Config::decode(prior));
    let prior = (!prior.is_null()).then(|| State::decode(prior));
    let mut d = Diagnostics::new();
    let mut planned = Config::decode(proposed);
    let name = cfg.name.clone();
    let env = profile::planned(&cfg.environment, defaults.environment);
    if let Tri::Known(e) = env {
        validate::validate_profile(&cfg, e, &mut d);
    }
    planned.environment = by_env(&env, |e| e.as_str().to_string());
    plan_arguments(&cfg, was.as_ref(), &env, &mut planned);
    check_sizes(&planned, env.known().copied(), &mut d);
    planned.tags_all =
        tags::planned_all(default_tags, &whole_map(&cfg.tags), TYPE_NAME, &name, &env);
    let vpc = match (subnets, &env) {
        (Some(facts), Tri::Known(e)) => check_subnets(&cfg, facts, *e, &mut d),
        _ => Tri::Unknown,
    };
    let requires_replace = match (&prior, &was) {
        (Some(p), Some(w)) => replacements(&cfg, p, w, &planned, &vpc),
        _ => Vec::new(),
    };
    let kept = prior.as_ref().filter(|_| requires_replace.is_empty());
    let kept_was = was.as_ref().filter(|_| requires_replace.is_empty());
    let own_key = cfg.kms_key_arn.is_null();
    planned.kms_key_arn = planned_key(&cfg, kept_was, own_key);
    planned.vpc_id = match (&vpc, kept_was) {
        (Tri::Known(v), _) => Tri::Known(v.clone()),
        (_, Some(w)) => w.vpc_id.clone(),
        _ => Tri::Unknown,
    };
    let prior_c = kept.map(|p| p.components.clone()).unwrap_or_default();
    let (mut components, complete) = plan_components(&name, place, own_key, &prior_c);
    waf_components(&cfg, place, &prior_c, &mut components);
    plan_component_ids(&cfg, &components, &mut planned);
    planned.load_balancer_dns_name = match kept_was {
        Some(w) if complete => w.load_balancer_dns_name.clone(),
        _ => Tri::Unknown,
    };
    planned.components = components;
    planned.load_balancer_arn_suffix =
        suffix(&planned.load_balancer_arn, watch::load_balancer_suffix);
    planned.target_group_arn_suffix = suffix(&planned.target_group_arn, watch::target_group_suffix);
    planned.watch = Tri::Known(watch_of(&planned));
    planned.launch_template_version =
        plan_template_version(prior.as_ref(), kept_was, complete, &planned);
    plan_rollout(kept_was, &mut planned);
    planned.desired_capacity_actual = plan_capacity_actual(was.as_ref(), &planned);
    planned.posture = planned_posture(&env, &planned, own_key, &defaults);
    if let Tri::Known(e) = &env {
        log_retention::check_provider_tiers(
            &cfg.log_retention,
            *e,
            &defaults.log_retention,
            &mut d,
        );
    }
    let mut state = keep_refinements(planned.encode(), proposed);
    state.set("id", write_tri::<String>(&cfg.name));
    Planned {
        state,
        requires_replace,
        diagnostics: d,
    }
}

/// `f` of a planned value (the suffix it cuts from an ARN, the name it derives); unknown while the
/// value is.
fn suffix(arn: &Tri<String>, f: fn(&str) -> String) -> Tri<String> {
    match arn {
        Tri::Known(a) => Tri::Known(f(a)),
        Tri::Null => Tri::Null,
        Tri::Unknown => Tri::Unknown,
    }
}

/// The `watch` map of a planned cluster (or of a state, read as a plan): its name, the dimensions
/// its ARNs give, and its configured capacities.
pub fn watch_of(c: &Config) -> watch::Planned {
    watch::cluster(
        &c.name,
        &c.load_balancer_arn,
        &c.target_group_arn,
        [&c.min_size, &c.desired_capacity, &c.max_size],
        watch::Edge {
            web_acl: suffix(&c.name, bp::waf::web_acl_name),
            rate_rule: suffix(&c.name, |n| bp::waf::metric_name(n, bp::waf::RATE_RULE)),
            certificate: c.certificate_arn.clone(),
        },
    )
}

/// Arguments: configuration, else the profile's default.
fn plan_arguments(
    cfg: &Config,
    was: Option<&Config>,
    env: &Tri<Environment>,
    planned: &mut Config,
) {
    // The defaults the declarations name (`or …` in model.rs); the profile's below.
    planned.fill_declared_defaults(cfg);
    planned.instance_type = or(
        &cfg.instance_type,
        by_env(env, |e| e.cluster_instance_type().to_string()),
    );
    planned.min_size = or(&cfg.min_size, by_env(env, |e| int(e.cluster_capacity().0)));
    planned.desired_capacity = or(
        &cfg.desired_capacity,
        by_env(env, |e| int(e.cluster_capacity().1)),
    );
    planned.max_size = or(&cfg.max_size, by_env(env, |e| int(e.cluster_capacity().2)));
    super::instance_mix::plan(cfg, planned);
    planned.root_volume_size = or(
        &cfg.root_volume_size,
        by_env(env, |e| int(e.cluster_root_volume_gib())),
    );
    planned.health_check_path = or(
        &super::health_check::planned_path(&cfg.health_check, &cfg.health_check_path),
        Tri::Known(DEFAULT_HEALTH_CHECK_PATH.to_string()),
    );
    planned.health_check = super::health_check::plan(&cfg.health_check, &cfg.health_check_path);
    planned.scaling = super::scaling::plan(&cfg.scaling);
    planned.rollout = super::rollout::plan(&cfg.rollout, env);
    planned.ingress_cidr_blocks = or(
        &cfg.ingress_cidr_blocks,
        Tri::Known(vec![Tri::Known(DEFAULT_INGRESS.to_string())]),
    );
    planned.rate_limit = or(
        &cfg.rate_limit,
        by_env(env, |e| int(e.cluster_rate_limit())),
    );
    // Unset, desired_capacity is set on create only: afterwards scaling owns it, so the plan keeps
    // the prior value (within the planned bounds).
    // On create the profile's default is likewise kept within configured bounds.
    if cfg.desired_capacity.is_null() {
        let base = match was {
            None => whole(&planned.desired_capacity),
            Some(w) => whole(&w.desired_capacity),
        };
        if let (Some(p), Some(lo), Some(hi)) =
            (base, whole(&planned.min_size), whole(&planned.max_size))
        {
            planned.desired_capacity = Tri::Known(int(p.clamp(lo, hi.max(lo))));
        }
    }
}

/// A configured size is checked against the profile's defaults for the others. Production also
/// wants room to scale: `max_size` at least twice `min_size`.
fn check_sizes(planned: &Config, env: Option<Environment>, d: &mut Diagnostics) {
    if let (Some(lo), Some(hi), Some(want)) = (
        whole(&planned.min_size),
        whole(&planned.max_size),
        whole(&planned.desired_capacity),
    ) {
        if lo > hi {
            d.error_at(
                AttrPath::attr("max_size"),
                "max_size is below min_size",
                format!(
                    "min_size = {lo} and max_size = {hi}: set both so that min_size ≤ max_size."
                ),
            );
        } else if want < lo || want > hi {
            d.error_at(AttrPath::attr("desired_capacity"), "desired_capacity outside min_size..max_size", format!("desired_capacity = {want} must lie between min_size = {lo} and max_size = {hi}."));
        } else if env == Some(Environment::Production) && hi < 2 * lo {
            d.error_at(
                AttrPath::attr("max_size"),
                "max_size below twice min_size in production",
                format!("min_size = {lo} and max_size = {hi}: production keeps room to scale out to at least twice its floor (a spike, or a zone's instances replaced at once). Set max_size to {} or more, or lower min_size.", 2 * lo),
            );
        }
    }
}

/// Where the subnets are: one VPC, at least 2 zones each (3 recommended in production). The VPC
/// when they all share one.
fn check_subnets(
    cfg: &Config,
    facts: &[SubnetFacts],
    env: Environment,
    d: &mut Diagnostics,
) -> Tri<String> {
    for (attr, list) in [
        ("subnet_ids", &cfg.subnet_ids),
        ("public_subnet_ids", &cfg.public_subnet_ids),
    ] {
        let ids = whole_list(list).into_known().unwrap_or_default();
        for (i, id) in ids.iter().enumerate() {
            if !facts.iter().any(|f| &f.id == id) {
                d.error_at(
                    AttrPath::attr(attr).then_index(i),
                    "No such subnet",
                    format!("Subnet {id} does not exist in this account and region."),
                );
            }
        }
        let zones: BTreeSet<&str> = facts
            .iter()
            .filter(|f| ids.contains(&f.id))
            .map(|f| f.zone.as_str())
            .collect();
        validate::check_zones(attr, zones.len(), env, d);
    }
    let vpcs: BTreeSet<&str> = facts.iter().map(|f| f.vpc.as_str()).collect();
    if vpcs.len() > 1 {
        d.error_at(
            AttrPath::attr("public_subnet_ids"),
            "Subnets in different VPCs",
            format!(
                "subnet_ids and public_subnet_ids must all be in one VPC; they span {}.",
                vpcs.into_iter().collect::<Vec<_>>().join(", ")
            ),
        );
        Tri::Unknown
    } else if let Some(v) = vpcs.into_iter().next() {
        Tri::Known(v.to_string())
    } else {
        Tri::Unknown
    }
}

/// Replacement: the name, the application port (the target group's port is fixed), the key,
/// and a move to another VPC (security groups and target group belong to one).
fn replacements(
    cfg: &Config,
    p: &State,
    w: &Config,
    planned: &Config,
    vpc: &Tri<String>,
) -> Vec<AttrPath> {
    // A planned value that is known and differs from the prior's.
    fn changed<T: PartialEq>(prior: &Tri<T>, planned: &Tri<T>) -> bool {
        !planned.is_unknown() && prior != planned
    }
    let mut requires_replace = Vec::new();
    if changed(&w.name, &planned.name) {
        requires_replace.push(AttrPath::attr("name"));
    }
    if changed(&w.app_port, &planned.app_port) {
        requires_replace.push(AttrPath::attr("app_port"));
    }
    if !cfg.kms_key_arn.is_null() && changed(&w.kms_key_arn, &planned.kms_key_arn) {
        requires_replace.push(AttrPath::attr("kms_key_arn"));
    }
    if cfg.kms_key_arn.is_null() && !p.components.contains_key("kms_key") {
        // From a given key back to an own one.
        requires_replace.push(AttrPath::attr("kms_key_arn"));
    }
    if let (Tri::Known(v), Some(pv)) = (vpc, p.vpc_id.as_deref()) {
        if v != pv {
            requires_replace.push(AttrPath::attr("subnet_ids"));
        }
    }
    requires_replace
}

/// Components: every role known at plan; values fixed where the name decides them, else the
/// prior's where the object exists, else unknown. Also whether every value is known.
fn plan_components(
    name: &Tri<String>,
    place: Option<&Place>,
    own_key: bool,
    prior_c: &BTreeMap<String, String>,
) -> (Tri<BTreeMap<String, Tri<String>>>, bool) {
    let Tri::Known(n) = name else {
        return (Tri::Unknown, false);
    };
    let mut complete = true;
    let mut c = BTreeMap::new();
    for role in roles(own_key) {
        let fixed = match role {
            "autoscaling_group" => Some(n.clone()),
            r if r.starts_with("gate_alarm_") => super::rollout::gate_components(n)
                .into_iter()
                .find(|(gate, _)| *gate == r)
                .map(|(_, name)| name),
            _ => place.and_then(|pl| match role {
                "kms_alias" => Some(pl.arn("kms", &bp::alias_name(n))),
                "log_group" => Some(pl.log_group_arn(&bp::log_group_name(n))),
                "logs_bucket" => Some(bp::logs_bucket::bucket_name(n, &pl.account)),
                "instance_role" => Some(pl.iam_arn(&format!("role/{}", bp::role_name(n)))),
                "instance_profile" => {
                    Some(pl.iam_arn(&format!("instance-profile/{}", bp::role_name(n))))
                }
                _ => None,
            }),
        };
        let v = match (fixed, prior_c.get(role)) {
            (Some(f), _) => Tri::Known(f),
            (None, Some(p)) => Tri::Known(p.clone()),
            (None, None) => {
                complete = false;
                Tri::Unknown
            }
        };
        c.insert(role.to_string(), v);
    }
    (Tri::Known(c), complete)
}

/// The web ACL's components: the web ACL, its log group (named, so known) and, while
/// `allowed_cidr_blocks` lists any, the IP set.
fn waf_components(
    cfg: &Config,
    place: Option<&Place>,
    prior_c: &BTreeMap<String, String>,
    components: &mut Tri<BTreeMap<String, Tri<String>>>,
) {
    let ip_set = match whole_list(&cfg.allowed_cidr_blocks) {
        Tri::Known(l) => !l.is_empty(),
        Tri::Null => false,
        // Whether there will be an IP set is not known yet: neither are the roles.
        Tri::Unknown => {
            *components = Tri::Unknown;
            return;
        }
    };
    let (Tri::Known(c), Tri::Known(n)) = (components, &cfg.name) else {
        return;
    };
    let log_group = place.map(|pl| pl.log_group_arn(&bp::waf::log_group_name(n)));
    for (role, wanted, fixed) in [
        ("web_acl", true, None),
        ("waf_log_group", true, log_group),
        ("waf_ip_set", ip_set, None),
    ] {
        if wanted {
            let v = fixed
                .or_else(|| prior_c.get(role).cloned())
                .map_or(Tri::Unknown, Tri::Known);
            c.insert(role.to_string(), v);
        }
    }
}

/// The ids the components give: the group's name, the security groups, load balancer, target
/// group and launch template.
fn plan_component_ids(
    cfg: &Config,
    components: &Tri<BTreeMap<String, Tri<String>>>,
    planned: &mut Config,
) {
    let component = |role: &str| match components {
        Tri::Known(m) => m.get(role).cloned().unwrap_or(Tri::Unknown),
        _ => Tri::Unknown,
    };
    planned.autoscaling_group_name = cfg.name.clone();
    planned.security_group_id = component("security_group_app");
    planned.load_balancer_security_group_id = component("security_group_lb");
    planned.load_balancer_arn = component("load_balancer");
    planned.target_group_arn = component("target_group");
    planned.launch_template_id = component("launch_template");
}

/// The template version stays unless the template's settings change or its posture is failing.
fn plan_template_version(
    prior: Option<&State>,
    kept_was: Option<&Config>,
    complete: bool,
    planned: &Config,
) -> Tri<Number> {
    let template_drift = prior.is_some_and(|p| {
        TEMPLATE_CONTROLS.iter().any(|c| {
            p.posture
                .get(*c)
                .is_some_and(|v| v.starts_with("fail") && **v != bp::imdsv1_allowed())
        })
    });
    match kept_was {
        Some(w) if complete && !template_drift && same_template(w, planned) => {
            w.launch_template_version.clone()
        }
        _ => Tri::Unknown,
    }
}

/// The rollout's computed attributes: the gate alarms are named from the cluster; the version
/// serving and the rollout's outcome stay unless the instances roll out (then apply says).
fn plan_rollout(kept_was: Option<&Config>, planned: &mut Config) {
    planned.gate_alarm_names = match &planned.name {
        Tri::Known(n) => Tri::Known(super::rollout::gate_names(n)),
        _ => Tri::Unknown,
    };
    // No rollout: the template version stays and so do the instance types (a new list rolls out
    // over the same version).
    let same = matches!(planned.launch_template_version, Tri::Known(_))
        && kept_was.is_some_and(|w| w.instance_types == planned.instance_types);
    // Outside a rollout the version serving is the one the group runs.
    planned.serving_launch_template_version = planned.launch_template_version.clone();
    planned.rollout_status = match kept_was.map(|w| &w.rollout_status) {
        Some(Tri::Null) if same => Tri::Known(super::rollout::IDLE.to_string()),
        Some(s) if same => s.clone(),
        _ => Tri::Unknown,
    };
}

/// Scaling owns the live capacity: it only moves when the user changes desired_capacity.
fn plan_capacity_actual(was: Option<&Config>, planned: &Config) -> Tri<Number> {
    let desired_changed = was.is_none_or(|w| w.desired_capacity != planned.desired_capacity);
    let bounds_same =
        was.is_some_and(|w| w.min_size == planned.min_size && w.max_size == planned.max_size);
    match was {
        _ if desired_changed => planned.desired_capacity.clone(),
        Some(w) if bounds_same => w.desired_capacity_actual.clone(),
        _ => Tri::Unknown,
    }
}

/// The arguments whose change rebuilds the launch template and rolls the instances are as the
/// prior has them.
fn same_template(was: &Config, planned: &Config) -> bool {
    was.image_id == planned.image_id
        && was.instance_type == planned.instance_type
        && was.user_data == planned.user_data
        && was.root_volume_size == planned.root_volume_size
        && was.metadata_http_tokens == planned.metadata_http_tokens
        && was.root_volume_encrypted == planned.root_volume_encrypted
        && was.kms_key_arn == planned.kms_key_arn
}

/// The configured value, else `default` (unknown stays unknown).
fn or<T: Clone>(configured: &Tri<T>, default: Tri<T>) -> Tri<T> {
    match configured {
        Tri::Null => default,
        other => other.clone(),
    }
}

/// `f` of the planned environment; unknown while the environment is.
fn by_env<T>(env: &Tri<Environment>, f: impl FnOnce(Environment) -> T) -> Tri<T> {
    match env {
        Tri::Known(e) => Tri::Known(f(*e)),
        _ => Tri::Unknown,
    }
}

fn int(i: i64) -> Number {
    Number::Int(i)
}

/// A whole number, `None` when null, unknown or not whole.
fn whole(n: &Tri<Number>) -> Option<i64> {
    n.known().and_then(Number::as_i64)
}
