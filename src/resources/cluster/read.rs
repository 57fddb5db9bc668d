//! Read: the cluster as AWS has it, and the facts its posture is computed from (the rules are in
//! posture.rs). A fixed set of calls however many instances or subnets: DescribeAutoScalingGroups
//! (and the group's DescribePolicies),
//! DescribeLaunchTemplates, DescribeLaunchTemplateVersions (default and running version in one),
//! DescribeLoadBalancers, DescribeLoadBalancerAttributes, DescribeListeners, DescribeTargetGroups,
//! DescribeTags (ELB), DescribeSecurityGroups (both groups), GetInstanceProfile, DescribeLogGroups,
//! DescribeAlarms (the rollout's gates) and DescribeInstanceRefreshes (the newest),
//! for the cluster's own key DescribeKey + GetKeyRotationStatus; the web ACL's (read/waf.rs); and for
//! the log bucket HeadBucket and its seven settings (tags, public access block, policy, encryption,
//! ownership, versioning, lifecycle).

use std::collections::{BTreeMap, BTreeSet};

use super::aws::{asg, ec2, elb, logs_bucket};
use super::blueprint::{self as bp, Peer};
use super::model::State;
use super::posture::{self, Action, Facts, Key, SecurityGroup};
use crate::provider::aws::Place;
use crate::provider::ec2::Rules;
use crate::provider::error::AwsError;
use crate::provider::profile::{Environment, LogRetention};
use crate::provider::{iam, kms, logs, ProviderData};
use crate::resources::alerting::watch;
use crate::resources::log_retention;

type Components = BTreeMap<String, String>;

mod rollout;
mod waf;

/// The user's order when the set is the same (contract rule 8), AWS's otherwise.
fn same_set_keep(prior: &[String], live: Vec<String>) -> Vec<String> {
    if prior.iter().collect::<BTreeSet<_>>() == live.iter().collect::<BTreeSet<_>>() {
        prior.to_vec()
    } else {
        live
    }
}

/// The live state, or `None` when nothing of the cluster is left.
pub async fn read(
    ctx: &ProviderData,
    place: &Place,
    prior: &State,
) -> Result<Option<State>, AwsError> {
    let n = prior.name.as_str();
    let env = Environment::parse(&prior.environment).unwrap_or(ctx.environment);
    let mut st = prior.clone();
    let mut c = Components::new();
    let mut facts = Facts {
        name: n.to_string(),
        http_tokens: prior.metadata_http_tokens.clone(),
        security_group_id: prior.security_group_id.clone(),
        ..Facts::default()
    };

    // Everything AWS is asked about the cluster's objects, at once (the load balancer's attributes,
    // listeners and tags, and the template's versions, follow once their ids are known).
    let lb_sg = prior.components.get("security_group_lb").cloned();
    let app_sg = prior.components.get("security_group_app").cloned();
    let ids: Vec<String> = lb_sg.iter().chain(app_sg.iter()).cloned().collect();
    let key_id = prior.components.get("kms_key").cloned();
    let group_name = bp::log_group_name(n);
    let role_name = bp::role_name(n);
    let tg_name = bp::target_group_name(n);
    let bucket_name = bp::logs_bucket::bucket_name(n, &place.account);
    let (group, template, tg, lb, rules, profile, log_group, key_facts, bucket) = tokio::join!(
        asg::find_group(ctx, n),
        ec2::find_template(ctx, n),
        elb::find_tg(ctx, &tg_name),
        elb::find_lb(ctx, n),
        ec2::sg_rules(ctx, &ids),
        iam::instance_profile(ctx, &role_name),
        logs::group(ctx, &group_name),
        async {
            match &key_id {
                Some(k) => kms::describe_key(ctx, k).await,
                None => Ok(None),
            }
        },
        logs_bucket::bucket(ctx, &bucket_name),
    );
    let (tg, lb, rules, profile, log_group, key_facts) =
        (tg?, lb?, rules?, profile?, log_group?, key_facts?);
    facts.logs = read_bucket(place, bucket_name, bucket?, &mut c);

    // Auto Scaling group and the template versions it runs.
    let group = group?.filter(|g| !g.deleting);
    facts.group = read_group(&mut st, &mut c, prior, group.as_ref());
    facts.instance_mix = super::instance_mix::differences(
        super::instance_mix::of(prior).as_ref(),
        group.as_ref().and_then(|g| g.mix.as_ref()),
    );
    let policies = match &group {
        Some(_) => Some(asg::policies(ctx, n).await?),
        None => None,
    };
    facts.template = read_template(ctx, &mut st, &mut c, prior, group.as_ref(), template?).await?;

    // Load balancer, its attributes and listeners; the target group.
    facts.target_group = read_target_group(&mut st, &mut c, tg, &mut facts.health_check);
    facts.load_balancer = read_lb(ctx, &mut st, &mut c, prior, lb.as_ref()).await?;
    if let (Some(g), Some(live)) = (&group, &policies) {
        facts.scaling = read_scaling(&mut st, env, g, live);
    }

    read_security_groups(&mut st, &mut c, prior, &rules, &mut facts);

    // Instance profile and role, log group, key.
    if let Some(p) = profile {
        read_profile(place, n, p, &mut c);
    }
    if log_group.is_some() {
        c.insert("log_group".into(), place.log_group_arn(&group_name));
    }
    facts.log_group = log_group;
    if key_id.is_some() {
        facts.key = Some(read_key(place, n, key_facts, &mut c));
    }
    facts.waf = waf::read(ctx, place, &mut st, &mut c, prior).await?;
    facts.rollout_gates = rollout::read(ctx, &mut st, &mut c, group.as_ref()).await?;

    if c.is_empty() {
        return Ok(None);
    }
    let base = ctx.log_tiers(env);
    Ok(Some(settle(st, c, env, base, &facts)))
}

/// The state read, completed: its components, the ARN suffixes the alarms use, the watch list
/// and the posture.
fn settle(
    mut st: State,
    c: Components,
    env: Environment,
    base: LogRetention,
    facts: &Facts,
) -> State {
    st.components = c;
    st.load_balancer_arn_suffix = st
        .load_balancer_arn
        .as_deref()
        .map(watch::load_balancer_suffix);
    st.target_group_arn_suffix = st
        .target_group_arn
        .as_deref()
        .map(watch::target_group_suffix);
    // Kept from the configuration; a state without one (imported, or from a release before it)
    // takes it from what is read.
    if st.watch.is_empty() {
        st.watch = super::settled_watch(&st, &st);
    }
    let tiers = log_retention::effective(st.log_retention.as_ref(), base);
    st.posture = posture::posture(env, &tiers, facts);
    st
}

/// The log bucket into the components while it exists; the facts its posture is computed from.
fn read_bucket(
    place: &Place,
    bucket_name: String,
    bucket: Option<logs_bucket::BucketFacts>,
    c: &mut Components,
) -> posture::lb_logs::Logs {
    if bucket.is_some() {
        c.insert("logs_bucket".into(), bucket_name.clone());
    }
    posture::lb_logs::Logs {
        place: Some(place.clone()),
        bucket: bucket_name,
        found: bucket,
    }
}

/// The target group into state; its ARN, `None` when it is missing.
/// `drift`: how its health check differs from the one the prior state asks for.
fn read_target_group(
    st: &mut State,
    c: &mut Components,
    tg: Option<elb::TgFacts>,
    drift: &mut Vec<String>,
) -> Option<String> {
    let Some(t) = tg else {
        st.target_group_arn = None;
        return None;
    };
    c.insert("target_group".into(), t.arn.clone());
    st.target_group_arn = Some(t.arn.clone());
    let want = super::health_check::effective(&st.health_check, &st.health_check_path);
    *drift = super::health_check::differences(&want, &t.health_check);
    st.health_check_path = t.health_check.path.clone();
    st.health_check = super::health_check::read_back(&st.health_check, &t.health_check);
    st.app_port = i64::from(t.port);
    Some(t.arn)
}

/// The group's scaling into state (the `scaling` block, when configured, as AWS has it); how it
/// differs from the one the prior state asks for.
fn read_scaling(
    st: &mut State,
    env: Environment,
    g: &asg::GroupFacts,
    live: &[super::scaling::Policy],
) -> Vec<String> {
    use super::scaling;
    let n = st.name.clone();
    let want = scaling::effective(&st.scaling, env);
    let label = st
        .load_balancer_arn
        .as_deref()
        .map(watch::load_balancer_suffix)
        .zip(
            st.target_group_arn
                .as_deref()
                .map(watch::target_group_suffix),
        )
        .map(|(lb, tg)| scaling::resource_label(&lb, &tg));
    let drift = scaling::differences(
        &n,
        &scaling::policies(&n, &want, label.as_deref()),
        live,
        want.protection_minutes,
        g.warmup_seconds,
    );
    let live = scaling::live(&n, live, g.warmup_seconds.unwrap_or_default() / 60);
    st.scaling = scaling::read_back(&st.scaling, &live);
    drift
}

/// The instance profile, and its role when it holds the cluster's, into the components.
fn read_profile(place: &Place, n: &str, p: iam::ProfileFacts, c: &mut Components) {
    c.insert("instance_profile".into(), p.arn);
    if p.roles.iter().any(|r| *r == bp::role_name(n)) {
        c.insert(
            "instance_role".into(),
            place.iam_arn(&format!("role/{}", bp::role_name(n))),
        );
    }
}

/// The cluster's own key (and its alias) into the components while it is usable; its facts.
fn read_key(place: &Place, n: &str, key_facts: Option<kms::KeyFacts>, c: &mut Components) -> Key {
    let alias = place.arn("kms", &bp::alias_name(n));
    match kms::record_usable(key_facts, alias, c) {
        Some(rotation) => Key::Usable { rotation },
        None => Key::Gone,
    }
}

/// The Auto Scaling group into state; its facts, `None` when it is missing.
fn read_group(
    st: &mut State,
    c: &mut Components,
    prior: &State,
    group: Option<&asg::GroupFacts>,
) -> Option<posture::Group> {
    let Some(g) = group else {
        st.autoscaling_group_name = None;
        st.desired_capacity_actual = None;
        return None;
    };
    let n = &prior.name;
    c.insert("autoscaling_group".into(), n.clone());
    st.autoscaling_group_name = Some(n.clone());
    st.min_size = g.min;
    st.max_size = g.max;
    st.desired_capacity_actual = Some(g.desired);
    if prior.desired_capacity == 0 {
        st.desired_capacity = g.desired;
    }
    st.subnet_ids = same_set_keep(&prior.subnet_ids, g.subnets.clone());
    super::instance_mix::read_back(st, g.mix.as_ref());
    Some(posture::Group {
        health_check_type: g.health_check_type.clone(),
        zones: g.zones.len(),
        from_template: g.template_id.is_some(),
        metrics: g.metrics.clone(),
    })
}

/// The launch template (id, default version, latest version) and the version the group runs, into
/// state; the default and running versions' facts, `None` when the template is missing.
async fn read_template(
    ctx: &ProviderData,
    st: &mut State,
    c: &mut Components,
    prior: &State,
    group: Option<&asg::GroupFacts>,
    template: Option<(String, i64, i64)>,
) -> Result<Option<posture::Template>, AwsError> {
    let Some((id, default, latest)) = &template else {
        st.launch_template_id = None;
        st.launch_template_version = None;
        return Ok(None);
    };
    c.insert("launch_template".into(), id.clone());
    st.launch_template_id = Some(id.clone());
    let running = match group.and_then(|g| g.template_version.as_deref()) {
        Some("$Default") | None => Some(*default),
        Some("$Latest") => Some(*latest),
        Some(v) => v.parse::<i64>().ok(),
    };
    let versions = ec2::versions(ctx, id, running).await?;
    let running = running.and_then(|r| versions.iter().find(|v| v.number == r));
    if let Some(rv) = running {
        st.launch_template_version = Some(rv.number);
        let s = &rv.spec;
        st.image_id = s.image_id.clone();
        st.instance_type = s.instance_type.clone();
        st.user_data = s
            .user_data
            .as_deref()
            .and_then(bp::decode_user_data)
            .and_then(|u| bp::host_metrics::user_part(&bp::log_group_name(&prior.name), &u).0);
        st.root_volume_size = i64::from(s.volume_size);
        st.metadata_http_tokens = s.http_tokens.clone();
        st.root_volume_encrypted = s.encrypted;
        if s.kms_key != prior.kms_key_arn {
            st.kms_key_arn = s.kms_key.clone();
        }
    }
    let version = |v: &ec2::VersionFacts| posture::Version {
        number: v.number,
        spec: v.spec.clone(),
    };
    Ok(Some(posture::Template {
        default: versions.iter().find(|v| v.default).map(version),
        running: running.map(version),
    }))
}

/// The load balancer, its listeners and tags, into state; its facts, `None` when it is missing.
async fn read_lb(
    ctx: &ProviderData,
    st: &mut State,
    c: &mut Components,
    prior: &State,
    lb: Option<&elb::LbFacts>,
) -> Result<Option<posture::LoadBalancer>, AwsError> {
    let Some(lb) = lb else {
        st.load_balancer_arn = None;
        st.load_balancer_dns_name = None;
        return Ok(None);
    };
    c.insert("load_balancer".into(), lb.arn.clone());
    st.load_balancer_arn = Some(lb.arn.clone());
    st.load_balancer_dns_name = Some(lb.dns_name.clone());
    st.public_subnet_ids = same_set_keep(&prior.public_subnet_ids, lb.subnets.clone());
    let (attrs, listeners, tags) = tokio::join!(
        elb::lb_attributes(ctx, &lb.arn),
        elb::listeners(ctx, &lb.arn),
        elb::tags_of(ctx, &lb.arn),
    );
    let (attrs, listeners, tags) = (attrs?, listeners?, tags?);
    // The first HTTPS listener on 443 is the cluster's; an HTTP one on 80 that redirects, too.
    let mut https_seen = false;
    for l in &listeners {
        match (l.port, l.protocol.as_str(), &l.default) {
            (443, "HTTPS", _) if !https_seen => {
                https_seen = true;
                c.insert("listener_https".into(), l.arn.clone());
                if let Some(cert) = &l.certificate {
                    st.certificate_arn = cert.clone();
                }
                st.tls_policy = bp::tls_policy_of(l.ssl_policy.as_deref().unwrap_or_default());
            }
            (80, "HTTP", elb::Default::RedirectHttps) => {
                c.insert("listener_http".into(), l.arn.clone());
            }
            _ => {}
        }
    }
    st.tags_all = tags;
    let on = |k: &str| attrs.get(k).map(String::as_str) == Some("true");
    Ok(Some(posture::LoadBalancer {
        zones: lb.zones.len(),
        deletion_protection: on(bp::LB_DELETION_PROTECTION),
        drop_invalid_headers: on(bp::LB_DROP_INVALID_HEADERS),
        desync_mode: attrs.get(bp::LB_DESYNC_MITIGATION).cloned(),
        logging: bp::logs_bucket::lb_log_attributes("")
            .iter()
            .filter_map(|(k, _)| Some((k.to_string(), attrs.get(*k)?.clone())))
            .collect(),
        listeners: listeners
            .into_iter()
            .map(|l| posture::Listener {
                port: l.port,
                protocol: l.protocol,
                ssl_policy: l.ssl_policy,
                action: match l.default {
                    elb::Default::Forward(tg) => Action::Forward(tg),
                    elb::Default::RedirectHttps => Action::RedirectHttps,
                    elb::Default::Other(_) => Action::Other,
                },
            })
            .collect(),
    }))
}

/// Who may reach the load balancer, the instances' port, and both security groups' rules, into
/// state and facts.
fn read_security_groups(
    st: &mut State,
    c: &mut Components,
    prior: &State,
    rules: &BTreeMap<String, Rules>,
    facts: &mut Facts,
) {
    let lb_sg = prior.components.get("security_group_lb").cloned();
    let app_sg = prior.components.get("security_group_app").cloned();
    st.ingress_cidr_blocks = if prior.ingress_cidr_blocks.is_empty() {
        // Import: who may reach the load balancer is what its 443 rules say.
        lb_sg
            .as_ref()
            .and_then(|id| rules.get(id))
            .map(|(inbound, _)| {
                inbound
                    .iter()
                    .filter(|r| r.from == 443)
                    .filter_map(|r| match &r.peer {
                        Peer::Cidr(c) => Some(c.clone()),
                        Peer::Group(_) => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    } else {
        prior.ingress_cidr_blocks.clone()
    };
    facts.ingress = st.ingress_cidr_blocks.clone();
    facts.app_port = if st.app_port > 0 {
        st.app_port
    } else {
        prior.app_port
    };
    let mut group = |role: &str, id: &Option<String>| {
        id.as_ref().map(|id| {
            let rules = rules.get(id).cloned();
            if rules.is_some() {
                c.insert(role.to_string(), id.clone());
            }
            SecurityGroup {
                id: id.clone(),
                rules,
            }
        })
    };
    facts.lb_sg = group("security_group_lb", &lb_sg);
    facts.app_sg = group("security_group_app", &app_sg);
    st.security_group_id = app_sg.filter(|id| rules.contains_key(id));
    st.load_balancer_security_group_id = lb_sg.filter(|id| rules.contains_key(id));
}
