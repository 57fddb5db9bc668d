//! Apply: converge AWS to the blueprint (create and update are one walk that reuses or adopts every
//! object by its name and repairs drift), and the ordered delete.
//!
//! Each object created is recorded in `progress.components` before the next call (contract rule 14).

use std::collections::BTreeSet;
use std::time::Duration;

use super::aws::{asg, ec2, elb, invalid, Tags};
use super::blueprint::{self as bp, TemplateInputs};
use super::model::State;
use crate::framework::wait::{wait_until, Backoff, WaitError, MAX_POLL_INTERVAL};
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::{iam, kms, logs, retry, ProviderData};
use crate::resources::concurrent::{keep_key_components, Made};

pub struct Desired {
    pub name: String,
    pub environment: Environment,
    pub image_id: String,
    pub subnet_ids: Vec<String>,
    pub public_subnet_ids: Vec<String>,
    pub certificate_arn: String,
    pub instance_type: String,
    pub min_size: i64,
    pub max_size: i64,
    /// Set on create and when the user changed it; otherwise scaling owns the live value.
    pub desired_capacity: Option<i64>,
    pub app_port: i64,
    pub health_check_path: String,
    pub user_data: Option<String>,
    pub ingress_cidr_blocks: Vec<String>,
    pub root_volume_size: i64,
    pub metadata_http_tokens: String,
    pub root_volume_encrypted: bool,
    /// A key the user gave; `None` makes (or keeps) the cluster's own.
    pub kms_key_arn: Option<String>,
    pub tags: Tags,
}

const POLL: Duration = Duration::from_secs(5);

fn wait_error(what: &str, e: WaitError<AwsError>) -> AwsError {
    match e {
        WaitError::Failed(e) => e,
        other => invalid(what, other.to_string()),
    }
}

/// Subnets of both lists: one VPC, at least 2 zones each. Returns the VPC id.
async fn check_subnets(ctx: &ProviderData, d: &Desired) -> Result<String, AwsError> {
    let all: Vec<String> = d
        .subnet_ids
        .iter()
        .chain(&d.public_subnet_ids)
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let facts = ec2::subnets(ctx, &all).await?;
    for id in &all {
        if !facts.iter().any(|f| &f.id == id) {
            return Err(invalid("subnets", format!("subnet {id} does not exist")));
        }
    }
    let vpcs: BTreeSet<&str> = facts.iter().map(|f| f.vpc.as_str()).collect();
    if vpcs.len() != 1 {
        return Err(invalid(
            "subnets",
            format!("subnet_ids and public_subnet_ids must all be in one VPC; they span {vpcs:?}"),
        ));
    }
    for (attr, ids) in [
        ("subnet_ids", &d.subnet_ids),
        ("public_subnet_ids", &d.public_subnet_ids),
    ] {
        let zones: BTreeSet<&str> = facts
            .iter()
            .filter(|f| ids.contains(&f.id))
            .map(|f| f.zone.as_str())
            .collect();
        if zones.len() < 2 {
            return Err(invalid(
                attr,
                format!(
                    "the subnets span {} availability zone(s); at least 2 are needed",
                    zones.len()
                ),
            ));
        }
    }
    Ok(facts.first().map(|f| f.vpc.clone()).unwrap_or_default())
}

#[allow(clippy::too_many_arguments)]
async fn ensure_sg(
    ctx: &ProviderData,
    p: &mut State,
    role: &str,
    vpc: &str,
    name: &str,
    what: &str,
    tags: &Tags,
) -> Result<String, AwsError> {
    let id = match ec2::find_sg(ctx, vpc, name).await? {
        Some(id) => id,
        None => ec2::create_sg(ctx, vpc, name, what, tags).await?,
    };
    p.components.insert(role.into(), id.clone());
    Ok(id)
}

/// Steps 3–5 of [`converge`]: security groups and their rules, the target group, the load balancer
/// with its hardening attributes, and the listeners, recorded in `p` as they are made. Returns the
/// instances' security group and the target group.
async fn front_end(
    ctx: &ProviderData,
    d: &Desired,
    vpc: &str,
    p: &mut State,
) -> Result<(String, String), AwsError> {
    let n = d.name.as_str();
    // 3. Security groups, then their rules (each refers to the other).
    let lb_sg = ensure_sg(
        ctx,
        p,
        "security_group_lb",
        vpc,
        &bp::lb_sg_name(n),
        "prod_cluster load balancer: HTTPS in, app port out",
        &d.tags,
    )
    .await?;
    let app_sg = ensure_sg(
        ctx,
        p,
        "security_group_app",
        vpc,
        &bp::app_sg_name(n),
        "prod_cluster instances: app port from the load balancer only",
        &d.tags,
    )
    .await?;
    p.load_balancer_security_group_id = Some(lb_sg.clone());
    p.security_group_id = Some(app_sg.clone());
    let live_rules = ec2::sg_rules(ctx, &[lb_sg.clone(), app_sg.clone()]).await?;
    let (lb_in, lb_out) = bp::lb_rules(&d.ingress_cidr_blocks, d.app_port, &app_sg);
    let (app_in, app_out) = bp::app_rules(d.app_port, &lb_sg);
    for (id, want_in, want_out) in [(&lb_sg, &lb_in, &lb_out), (&app_sg, &app_in, &app_out)] {
        let (have_in, have_out) = live_rules.get(id).cloned().unwrap_or_default();
        ec2::sync_rules(ctx, id, true, want_in, &have_in).await?;
        ec2::sync_rules(ctx, id, false, want_out, &have_out).await?;
    }

    // 4. Target group.
    let tg_name = bp::target_group_name(n);
    let tg = match elb::find_tg(ctx, &tg_name).await? {
        Some(t) => {
            if t.health_check_path != d.health_check_path {
                elb::set_health_check_path(ctx, &t.arn, &d.health_check_path).await?;
            }
            t.arn
        }
        None => {
            elb::create_tg(
                ctx,
                &tg_name,
                vpc,
                d.app_port as i32,
                &d.health_check_path,
                &d.tags,
            )
            .await?
        }
    };
    p.components.insert("target_group".into(), tg.clone());
    p.target_group_arn = Some(tg.clone());

    // 5. Load balancer, its hardening attributes, and the listeners.
    let lb = match elb::find_lb(ctx, n).await? {
        Some(lb) => lb,
        None => {
            let lb = elb::create_lb(ctx, n, &d.public_subnet_ids, &lb_sg, &d.tags).await?;
            p.components.insert("load_balancer".into(), lb.arn.clone());
            lb
        }
    };
    p.components.insert("load_balancer".into(), lb.arn.clone());
    p.load_balancer_arn = Some(lb.arn.clone());
    p.load_balancer_dns_name = Some(lb.dns_name.clone());
    if lb.subnets.iter().collect::<BTreeSet<_>>()
        != d.public_subnet_ids.iter().collect::<BTreeSet<_>>()
    {
        elb::set_lb_subnets(ctx, &lb.arn, &d.public_subnet_ids).await?;
    }
    if lb.security_groups != [lb_sg.clone()] {
        elb::set_lb_security_group(ctx, &lb.arn, &lb_sg).await?;
    }
    let attrs = elb::lb_attributes(ctx, &lb.arn).await?;
    let want_attrs = [
        (
            "deletion_protection.enabled",
            d.environment
                .load_balancer_deletion_protection()
                .to_string(),
        ),
        (
            "routing.http.drop_invalid_header_fields.enabled",
            "true".to_string(),
        ),
        (
            "routing.http.desync_mitigation_mode",
            "defensive".to_string(),
        ),
    ];
    if want_attrs.iter().any(|(k, v)| attrs.get(*k) != Some(v)) {
        elb::set_lb_attributes(ctx, &lb.arn, &want_attrs).await?;
    }
    let listeners = elb::listeners(ctx, &lb.arn).await?;
    let mut https = None;
    let mut http = None;
    for l in &listeners {
        match (l.port, l.protocol.as_str()) {
            (443, "HTTPS") if https.is_none() => https = Some(l.clone()),
            (80, "HTTP") if http.is_none() => http = Some(l.clone()),
            // Any other listener is an opening the cluster does not make.
            _ => elb::delete_listener(ctx, &l.arn).await?,
        }
    }
    let https_arn = match https {
        Some(l) => {
            let tls13 = l
                .ssl_policy
                .as_deref()
                .is_some_and(|s| s.starts_with("ELBSecurityPolicy-TLS13-"));
            let right = tls13
                && l.certificate.as_deref() == Some(d.certificate_arn.as_str())
                && l.default == elb::Default::Forward(tg.clone());
            if !right {
                elb::modify_https(ctx, &l.arn, &d.certificate_arn, bp::TLS_POLICY, &tg).await?;
            }
            l.arn
        }
        None => {
            elb::create_https(
                ctx,
                &lb.arn,
                &d.certificate_arn,
                bp::TLS_POLICY,
                &tg,
                &d.tags,
            )
            .await?
        }
    };
    p.components.insert("listener_https".into(), https_arn);
    let http_arn = match http {
        Some(l) => {
            if l.default != elb::Default::RedirectHttps {
                elb::modify_http_redirect(ctx, &l.arn).await?;
            }
            l.arn
        }
        None => elb::create_http_redirect(ctx, &lb.arn, &d.tags).await?,
    };
    p.components.insert("listener_http".into(), http_arn);

    Ok((app_sg, tg))
}

pub async fn converge(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
    limit: Duration,
) -> Result<(), AwsError> {
    let old_tags = std::mem::replace(&mut p.tags_all, d.tags.clone());
    let tags_changed = !old_tags.is_empty() && old_tags != d.tags;
    let n = d.name.as_str();

    // 0. Where: the VPC of the subnets (checked before anything is made).
    let vpc = check_subnets(ctx, d).await?;
    p.vpc_id = Some(vpc.clone());

    // 1–5 at once: the key and the log group it encrypts; the instances' role and profile; the
    // front end (security groups and rules, target group, load balancer, listeners).
    let made = Made::new();
    let mut key_components = p.components.clone();
    let key_and_group = async {
        // The key for volumes and logs: the user's, or the cluster's own.
        let key = match &d.kms_key_arn {
            Some(k) => k.clone(),
            None => {
                iam::ensure_service_linked_role(ctx, "autoscaling.amazonaws.com").await?;
                kms::ensure_owned_key(
                    ctx,
                    place,
                    &mut key_components,
                    &bp::alias_name(n),
                    &format!("prod_cluster {n}: encrypts the instances' volumes and logs"),
                    bp::key_policy(place, n),
                    &d.tags,
                )
                .await?
            }
        };
        let group = bp::log_group_name(n);
        logs::ensure_group(
            ctx,
            &group,
            Some(&key),
            d.environment.log_retention_days() as i32,
            &d.tags,
        )
        .await?;
        made.record(
            "log_group",
            place.arn("logs", &format!("log-group:{group}")),
        );
        Ok::<_, AwsError>(key)
    };
    let role = bp::role_name(n);
    let role_and_profile = async {
        let role_arn = iam::ensure_role(
            ctx,
            &iam::RoleSpec {
                name: &role,
                trust: bp::instance_trust_policy(),
                inline: vec![(bp::AGENT_POLICY_NAME, bp::agent_policy(place, n))],
                managed: vec![bp::ssm_policy_arn(place)],
            },
            &d.tags,
        )
        .await?;
        made.record("instance_role", role_arn);
        let profile = iam::ensure_instance_profile(ctx, &role, &role, &d.tags).await?;
        made.record("instance_profile", profile.clone());
        Ok::<_, AwsError>(profile)
    };
    let mut fe = p.clone();
    let (key, profile, front) = tokio::join!(
        key_and_group,
        role_and_profile,
        front_end(ctx, d, &vpc, &mut fe)
    );
    keep_key_components(&key_components, &mut p.components);
    made.merge_into(&mut p.components);
    p.components.extend(fe.components);
    p.load_balancer_security_group_id = fe.load_balancer_security_group_id;
    p.security_group_id = fe.security_group_id;
    p.target_group_arn = fe.target_group_arn;
    p.load_balancer_arn = fe.load_balancer_arn;
    p.load_balancer_dns_name = fe.load_balancer_dns_name;
    let key = key?;
    p.kms_key_arn = Some(key.clone());
    let profile = profile?;
    let (app_sg, tg) = front?;

    // 6. Launch template: a new default version whenever the one the group runs is not the blueprint.
    let root = ec2::root_device(ctx, &d.image_id).await?.ok_or_else(|| {
        invalid(
            "image_id",
            format!(
                "AMI {} does not exist in this region (or is not shared with this account)",
                d.image_id
            ),
        )
    })?;
    let spec = bp::template_spec(&TemplateInputs {
        image_id: &d.image_id,
        instance_type: &d.instance_type,
        user_data: d.user_data.as_deref(),
        http_tokens: &d.metadata_http_tokens,
        root_device: &root,
        volume_size: d.root_volume_size,
        encrypted: d.root_volume_encrypted,
        kms_key: &key,
        app_sg: &app_sg,
        instance_profile: &profile,
    });
    let group_now = asg::find_group(ctx, n).await?;
    let (template_id, version) = match ec2::find_template(ctx, n).await? {
        None => {
            // The instance profile was made moments ago: EC2 may not see it yet.
            let id = retry::until(
                ctx,
                "launch template creation",
                limit.min(retry::PROPAGATION_LIMIT),
                Duration::from_secs(1),
                retry::is_propagating,
                || ec2::create_template(ctx, n, &spec, &d.tags),
            )
            .await?;
            p.components.insert("launch_template".into(), id.clone());
            (id, 1)
        }
        Some((id, default, _latest)) => {
            p.components.insert("launch_template".into(), id.clone());
            let running = group_now
                .as_ref()
                .and_then(|g| g.template_version.as_deref())
                .and_then(|v| v.parse::<i64>().ok());
            let live = ec2::versions(ctx, &id, running).await?;
            let of = |num: i64| live.iter().find(|v| v.number == num).map(|v| &v.spec);
            let default_ok = live.iter().find(|v| v.default).map(|v| &v.spec) == Some(&spec);
            match running.filter(|r| of(*r) == Some(&spec)) {
                Some(r) => {
                    if !default_ok || default != r {
                        ec2::set_default(ctx, &id, n, r).await?;
                    }
                    (id, r)
                }
                None if default_ok => (id, default),
                None => {
                    let v = ec2::create_version(ctx, &id, n, &spec, &d.tags).await?;
                    (id, v)
                }
            }
        }
    };
    p.launch_template_id = Some(template_id.clone());
    p.launch_template_version = Some(version);

    // 7. The Auto Scaling group: pinned sizes, ELB health checks, metrics, rolling refresh.
    let gs = asg::GroupSpec {
        name: n,
        template_id: &template_id,
        version,
        min: d.min_size,
        max: d.max_size,
        desired: d.desired_capacity,
        subnets: &d.subnet_ids,
        target_group: &tg,
    };
    let group = match group_now {
        Some(g) if g.deleting => {
            return Err(invalid(
                "auto scaling group",
                format!("group {n} is being deleted; apply again once it is gone"),
            ))
        }
        None => {
            let desired = d.desired_capacity.unwrap_or(d.min_size);
            asg::create_group(
                ctx,
                &asg::GroupSpec {
                    desired: Some(desired),
                    ..gs
                },
                &d.tags,
            )
            .await?;
            p.components
                .insert("autoscaling_group".into(), n.to_string());
            p.desired_capacity_actual = Some(desired);
            asg::tag_desired(ctx, n, desired).await?;
            asg::enable_metrics(ctx, n).await?;
            None
        }
        Some(g) => Some(g),
    };
    if let Some(g) = group {
        p.components
            .insert("autoscaling_group".into(), n.to_string());
        let version_changed = g.template_version.as_deref() != Some(version.to_string().as_str())
            || g.template_id.as_deref() != Some(template_id.as_str());
        let subnets_changed = g.subnets.iter().collect::<BTreeSet<_>>()
            != d.subnet_ids.iter().collect::<BTreeSet<_>>();
        let desired_changed = d.desired_capacity.is_some_and(|x| x != g.desired);
        if version_changed
            || subnets_changed
            || desired_changed
            || g.min != d.min_size
            || g.max != d.max_size
            || g.health_check_type != "ELB"
        {
            asg::update_group(ctx, &gs).await?;
        }
        if let Some(x) = d.desired_capacity {
            asg::tag_desired(ctx, n, x).await?;
        }
        if !g.target_groups.contains(&tg) {
            asg::attach_target_group(ctx, n, &tg).await?;
        }
        if bp::GROUP_METRICS
            .iter()
            .any(|m| !g.metrics.iter().any(|x| x == m))
        {
            asg::enable_metrics(ctx, n).await?;
        }
        if version_changed {
            let id = asg::start_refresh(ctx, n).await?;
            tracing::info!(
                group = n,
                refresh = id,
                version,
                "rolling the instances onto the new launch template version"
            );
        }
        p.desired_capacity_actual = Some(match d.desired_capacity {
            Some(x) => x,
            None => g.desired.clamp(d.min_size, d.max_size),
        });
    }
    p.autoscaling_group_name = Some(n.to_string());

    if tags_changed {
        retag(ctx, p, d, &old_tags).await?;
    }
    Ok(())
}

async fn retag(ctx: &ProviderData, p: &State, d: &Desired, old: &Tags) -> Result<(), AwsError> {
    let n = d.name.as_str();
    let new = &d.tags;
    let pick = |roles: &[&str]| -> Vec<String> {
        roles
            .iter()
            .filter_map(|r| p.components.get(*r).cloned())
            .collect()
    };
    crate::provider::ec2::retag(
        ctx,
        pick(&["security_group_lb", "security_group_app", "launch_template"]),
        old,
        new,
    )
    .await?;
    elb::tag(
        ctx,
        pick(&[
            "load_balancer",
            "target_group",
            "listener_https",
            "listener_http",
        ]),
        old,
        new,
    )
    .await?;
    asg::tag(ctx, n, old, new).await?;
    iam::tag_role(ctx, &bp::role_name(n), old, new).await?;
    if let Some(k) = p.components.get("kms_key") {
        kms::tag_key(ctx, k, old, new).await?;
    }
    if let Some(g) = p.components.get("log_group") {
        logs::tag_group(ctx, g, old, new).await?;
    }
    Ok(())
}

/// Deletes everything, in dependency order, finding objects by name so that a half-made cluster is
/// removed too. On error `s.components` still names what exists.
pub async fn delete(ctx: &ProviderData, s: &mut State, limit: Duration) -> Result<(), AwsError> {
    let n = s.name.clone();

    // 1. The group and its instances (forced: the cluster holds no data).
    if asg::find_group(ctx, &n).await?.is_some() {
        asg::delete_group(ctx, &n).await?;
        wait_until(
            &format!("auto scaling group {n} to be deleted"),
            ctx.stop_token(),
            limit,
            Backoff::new(POLL, MAX_POLL_INTERVAL),
            || async { Ok(asg::find_group(ctx, &n).await?.is_none().then_some(())) },
        )
        .await
        .map_err(|e| wait_error("auto scaling group", e))?;
    }
    s.components.remove("autoscaling_group");
    s.autoscaling_group_name = None;

    // 2. The load balancer: its deletion protection guards against deletion outside Terraform, so
    // destroy lifts it first. Listeners go with it.
    if let Some(lb) = elb::find_lb(ctx, &n).await? {
        elb::set_lb_attributes(
            ctx,
            &lb.arn,
            &[("deletion_protection.enabled", "false".into())],
        )
        .await?;
        elb::delete_lb(ctx, &lb.arn).await?;
        wait_until(
            &format!("load balancer {n} to be deleted"),
            ctx.stop_token(),
            limit,
            Backoff::new(POLL, MAX_POLL_INTERVAL),
            || async { Ok(elb::find_lb(ctx, &n).await?.is_none().then_some(())) },
        )
        .await
        .map_err(|e| wait_error("load balancer", e))?;
    }
    for r in ["load_balancer", "listener_https", "listener_http"] {
        s.components.remove(r);
    }
    s.load_balancer_arn = None;

    // 3. Target group (in use until the load balancer lets go) and launch template.
    if let Some(tg) = elb::find_tg(ctx, &bp::target_group_name(&n)).await? {
        retry::while_in_use(ctx, "target group deletion", limit, || {
            elb::delete_tg(ctx, &tg.arn)
        })
        .await?;
    }
    s.components.remove("target_group");
    s.target_group_arn = None;
    ec2::delete_template(ctx, &n).await?;
    s.components.remove("launch_template");
    s.launch_template_id = None;

    // 4. Security groups: the rules naming each other first, then the groups (network interfaces
    // of the load balancer linger for a while after it is gone).
    let vpc = s.vpc_id.clone();
    let mut groups = Vec::new();
    for (role, name) in [
        ("security_group_app", bp::app_sg_name(&n)),
        ("security_group_lb", bp::lb_sg_name(&n)),
    ] {
        let found = match &vpc {
            Some(v) => ec2::find_sg(ctx, v, &name).await?,
            None => None,
        };
        if let Some(id) = found.or_else(|| s.components.get(role).cloned()) {
            groups.push((role, id));
        }
    }
    let ids: Vec<String> = groups.iter().map(|(_, id)| id.clone()).collect();
    let rules = ec2::sg_rules(ctx, &ids).await?;
    for (id, (inbound, outbound)) in &rules {
        let refs = |set: &BTreeSet<bp::Rule>| -> BTreeSet<bp::Rule> {
            set.iter()
                .filter(|r| matches!(r.peer, bp::Peer::Group(_)))
                .cloned()
                .collect()
        };
        let keep_in: BTreeSet<bp::Rule> = inbound.difference(&refs(inbound)).cloned().collect();
        let keep_out: BTreeSet<bp::Rule> = outbound.difference(&refs(outbound)).cloned().collect();
        ec2::sync_rules(ctx, id, true, &keep_in, inbound).await?;
        ec2::sync_rules(ctx, id, false, &keep_out, outbound).await?;
    }
    for (role, id) in groups {
        retry::while_in_use(ctx, "security group deletion", limit, || {
            ec2::delete_sg(ctx, &id)
        })
        .await?;
        s.components.remove(role);
    }
    s.security_group_id = None;
    s.load_balancer_security_group_id = None;

    // 5. Instance profile and role, log group, key.
    iam::delete_instance_profile(ctx, &bp::role_name(&n)).await?;
    s.components.remove("instance_profile");
    iam::delete_role(ctx, &bp::role_name(&n)).await?;
    s.components.remove("instance_role");
    logs::delete_group(ctx, &bp::log_group_name(&n)).await?;
    s.components.remove("log_group");
    kms::delete_alias(ctx, &bp::alias_name(&n)).await?;
    s.components.remove("kms_alias");
    if let Some(k) = s.components.remove("kms_key") {
        let env = Environment::parse(&s.environment).unwrap_or(Environment::Production);
        kms::schedule_key_deletion(ctx, &k, env.key_deletion_window_days()).await?;
    }
    Ok(())
}
