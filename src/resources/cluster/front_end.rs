//! The cluster's front end: security groups and their rules, the target group, the load balancer
//! with its hardening attributes, and the listeners. Each object is recorded the moment AWS
//! returns its id; independent calls go out at once (see [`crate::resources::concurrent`]).

use std::collections::BTreeSet;

use super::aws::{ec2, elb, Tags};
use super::blueprint as bp;
use super::reconcile::Desired;
use crate::provider::error::AwsError;
use crate::provider::ProviderData;
use crate::resources::concurrent::Made;

async fn ensure_sg(
    ctx: &ProviderData,
    made: &Made,
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
    made.record(role, id.clone());
    Ok(id)
}

/// Both security groups (at once), then their rules (each refers to the other; the four
/// directions at once). Returns the load balancer's group and the instances' group.
pub async fn security_groups(
    ctx: &ProviderData,
    d: &Desired,
    vpc: &str,
    made: &Made,
) -> Result<(String, String), AwsError> {
    let n = d.args.name.as_str();
    let (lb_name, app_name) = (bp::lb_sg_name(n), bp::app_sg_name(n));
    let (lb_sg, app_sg) = tokio::join!(
        ensure_sg(
            ctx,
            made,
            "security_group_lb",
            vpc,
            &lb_name,
            "prod_cluster load balancer: HTTPS in, app port out",
            &d.tags,
        ),
        ensure_sg(
            ctx,
            made,
            "security_group_app",
            vpc,
            &app_name,
            "prod_cluster instances: app port from the load balancer only",
            &d.tags,
        )
    );
    let (lb_sg, app_sg) = (lb_sg?, app_sg?);
    let live_rules = ec2::sg_rules(ctx, &[lb_sg.clone(), app_sg.clone()]).await?;
    let (lb_in, lb_out) = bp::lb_rules(&d.args.ingress_cidr_blocks, d.args.app_port, &app_sg);
    let (app_in, app_out) = bp::app_rules(d.args.app_port, &lb_sg);
    let (lb_have, app_have) = (
        live_rules.get(&lb_sg).cloned().unwrap_or_default(),
        live_rules.get(&app_sg).cloned().unwrap_or_default(),
    );
    let synced = futures::future::join_all([
        ec2::sync_rules(ctx, &lb_sg, true, &lb_in, &lb_have.0),
        ec2::sync_rules(ctx, &lb_sg, false, &lb_out, &lb_have.1),
        ec2::sync_rules(ctx, &app_sg, true, &app_in, &app_have.0),
        ec2::sync_rules(ctx, &app_sg, false, &app_out, &app_have.1),
    ])
    .await;
    synced.into_iter().collect::<Result<Vec<()>, _>>()?;
    Ok((lb_sg, app_sg))
}

/// The target group (adopted by name, its health check repaired). Returns its ARN.
pub async fn target_group(
    ctx: &ProviderData,
    d: &Desired,
    vpc: &str,
    made: &Made,
) -> Result<String, AwsError> {
    let tg_name = bp::target_group_name(&d.args.name);
    let tg = match elb::find_tg(ctx, &tg_name).await? {
        Some(t) => {
            if t.health_check != d.health_check {
                elb::set_health_check(ctx, &t.arn, &d.health_check).await?;
            }
            t.arn
        }
        None => {
            elb::create_tg(
                ctx,
                &tg_name,
                vpc,
                d.args.app_port as i32,
                &d.health_check,
                &d.tags,
            )
            .await?
        }
    };
    made.record("target_group", tg.clone());
    Ok(tg)
}

/// The load balancer, then its hardening attributes and its listeners at once. Records the load
/// balancer's ARN and DNS name in `found` and every object in `made`.
pub async fn load_balancer(
    ctx: &ProviderData,
    d: &Desired,
    lb_sg: &str,
    tg: &str,
    found: &mut Option<(String, String)>,
    made: &Made,
) -> Result<(), AwsError> {
    let n = d.args.name.as_str();
    let lb = match elb::find_lb(ctx, n).await? {
        Some(lb) => lb,
        None => {
            let lb = elb::create_lb(ctx, n, &d.args.public_subnet_ids, lb_sg, &d.tags).await?;
            // Recorded before any wait: a wait that fails or is stopped must not lose the ARN of a
            // load balancer that exists (protected in production, it would be left behind).
            made.record("load_balancer", lb.arn.clone());
            // The read that ends the apply must see it: AWS may not list it for a moment.
            elb::visible(ctx, n).await?;
            lb
        }
    };
    made.record("load_balancer", lb.arn.clone());
    *found = Some((lb.arn.clone(), lb.dns_name.clone()));
    if lb.subnets.iter().collect::<BTreeSet<_>>()
        != d.args.public_subnet_ids.iter().collect::<BTreeSet<_>>()
    {
        elb::set_lb_subnets(ctx, &lb.arn, &d.args.public_subnet_ids).await?;
    }
    if lb.security_groups != [lb_sg.to_string()] {
        elb::set_lb_security_group(ctx, &lb.arn, lb_sg).await?;
    }
    let (attributes, listeners) = tokio::join!(
        lb_attributes(ctx, d, &lb.arn),
        listeners(ctx, d, &lb.arn, tg, made)
    );
    attributes.and(listeners)
}

async fn lb_attributes(ctx: &ProviderData, d: &Desired, lb: &str) -> Result<(), AwsError> {
    let attrs = elb::lb_attributes(ctx, lb).await?;
    let mut want_attrs = bp::lb_attributes(&bp::hardening(d.environment)).to_vec();
    let bucket = bp::logs_bucket::bucket_name(&d.args.name, &ctx.place().await?.account);
    want_attrs.extend(bp::logs_bucket::lb_log_attributes(&bucket));
    if want_attrs.iter().any(|(k, v)| attrs.get(*k) != Some(v)) {
        elb::set_lb_attributes(ctx, lb, &want_attrs).await?;
    }
    Ok(())
}

/// HTTPS (TLS 1.3, forwarding to the target group) and HTTP (redirect to HTTPS), at once; any
/// other listener is an opening the cluster does not make and is deleted.
async fn listeners(
    ctx: &ProviderData,
    d: &Desired,
    lb: &str,
    tg: &str,
    made: &Made,
) -> Result<(), AwsError> {
    let listeners = elb::listeners(ctx, lb).await?;
    let mut https = None;
    let mut http = None;
    for l in &listeners {
        match (l.port, l.protocol.as_str()) {
            (443, "HTTPS") if https.is_none() => https = Some(l.clone()),
            (80, "HTTP") if http.is_none() => http = Some(l.clone()),
            _ => elb::delete_listener(ctx, &l.arn).await?,
        }
    }
    let policy = bp::listener_policy(&d.args.tls_policy);
    let https_job = async {
        let arn = match https {
            Some(l) => {
                let right = l.ssl_policy.as_deref() == Some(policy)
                    && l.certificate.as_deref() == Some(d.args.certificate_arn.as_str())
                    && l.default == elb::Default::Forward(tg.to_string());
                if !right {
                    elb::modify_https(ctx, &l.arn, &d.args.certificate_arn, policy, tg).await?;
                }
                l.arn
            }
            None => {
                elb::create_https(ctx, lb, &d.args.certificate_arn, policy, tg, &d.tags).await?
            }
        };
        made.record("listener_https", arn);
        Ok::<(), AwsError>(())
    };
    let http_job = async {
        let arn = match http {
            Some(l) => {
                if l.default != elb::Default::RedirectHttps {
                    elb::modify_http_redirect(ctx, &l.arn).await?;
                }
                l.arn
            }
            None => elb::create_http_redirect(ctx, lb, &d.tags).await?,
        };
        made.record("listener_http", arn);
        Ok::<(), AwsError>(())
    };
    let (made_https, made_http) = tokio::join!(https_job, http_job);
    made_https.and(made_http)
}
