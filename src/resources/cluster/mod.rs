//! `prod_cluster`: multi-AZ compute behind TLS.

pub mod aws;
pub mod blueprint;
mod front_end;
pub mod health_check;
pub mod instance_mix;
pub mod model;
mod plan;
pub mod posture;
mod read;
mod reconcile;
pub mod rollout;
pub mod scaling;
pub mod schema;
pub mod validate;

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use crate::framework::resource::{ApplyRequest, PlanRequest, PlanResponse};
use crate::framework::{Diagnostics, Number, Value};
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::ProviderData;
use crate::resources::lifecycle::{self, Prepared, ResourceState};
use crate::resources::log_retention;
use model::{Config, State};

crate::lifecycle! {
    /// The lifecycle steps every resource shares, bound to the cluster's.
    pub struct Life {
        state: State,
        desired: reconcile::Desired,
        parts: [converge, delete, read],
    }

    async fn plan(ctx: &ProviderData, req: PlanRequest) -> PlanResponse {
        // The cluster holds no data: destroy needs no guard (it lifts the load balancer's
        // deletion protection itself).
        let mut diagnostics = match lifecycle::plan_start::<Self>(&req) {
            ControlFlow::Continue(d) => d,
            ControlFlow::Break(done) => return done,
        };
        let place = ctx.place().await.ok();
        let subnets = match subnet_facts(ctx, &Config::decode(&req.config)).await {
            Ok(s) => s,
            Err(e) => {
                diagnostics.push(lifecycle::aws_diag::<Life>(&e, "looking up the subnets"));
                return PlanResponse {
                    diagnostics,
                    ..Default::default()
                };
            }
        };
        let subnets = subnets.as_deref();
        lifecycle::plan_with(ctx, req, diagnostics, place.as_ref(), subnets, plan::plan)
    }
    async fn prepare(
        ctx: &ProviderData,
        req: &ApplyRequest,
    ) -> Result<Prepared<Self>, Diagnostics> {
        // Checks that need values unknown at plan time, before the first AWS call (rule 10).
        let mut diagnostics = validate::validate(&req.config);
        let config = Config::decode(&req.config);
        let planned = State::from_value(&req.planned_state);
        let env = Environment::parse(&planned.environment).unwrap_or(ctx.environment);
        let planned_cfg = Config::decode(&req.planned_state);
        validate::validate_profile(&planned_cfg, env, &mut diagnostics);
        // The provider block's tiers against production's floors, for values unknown at plan.
        log_retention::check_provider_tiers(
            &planned_cfg.log_retention,
            env,
            &ctx.log_retention,
            &mut diagnostics,
        );
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        let creating = req.prior_state.is_null();
        let prior = State::from_value(&req.prior_state);
        let mut progress = planned.clone();
        progress.environment = env.as_str().to_string();
        // The computed values apply has not made yet: the prior's.
        progress.keep_computed(&prior);
        progress.timeouts = config.timeouts.clone();
        let given_key = config.kms_key_arn.into_known();
        if given_key.is_none() {
            progress.kms_key_arn = prior
                .kms_key_arn
                .clone()
                .filter(|_| prior.components.contains_key("kms_key"));
        }
        let desired = reconcile::Desired {
            environment: env,
            desired_capacity: (creating || planned.desired_capacity != prior.desired_capacity)
                .then_some(planned.desired_capacity),
            health_check: health_check::effective(
                &planned.health_check,
                &planned.health_check_path,
            ),
            kms_key_arn: given_key,
            tags: planned.tags_all.clone(),
            waf: reconcile::waf::Settings::of(&planned),
            scaling: scaling::effective(&planned.scaling, env),
            log_retention: log_retention::effective(
                planned.log_retention.as_ref(),
                ctx.log_tiers(env),
            ),
            args: planned,
        };
        Ok(Prepared {
            desired,
            progress,
            diagnostics,
        })
    }
    fn finish(st: &mut State, progress: &State, planned: &Value) {
        st.tags = progress.tags.clone();
        st.environment = progress.environment.clone();
        let planned_actual = Config::decode(planned)
            .desired_capacity_actual
            .known()
            .and_then(Number::as_i64);
        // Scaling owns the live capacity; the plan said what apply leaves, and the next
        // refresh reports where scaling has taken it since.
        if let Some(a) = planned_actual {
            st.desired_capacity_actual = Some(a);
        }
        st.watch = settled_watch(progress, st);
    }
    fn check_import_id(id: &str) -> Diagnostics {
        validate::validate(&Value::Map(
            [
                ("name".to_string(), Value::string(id)),
                // Import needs only the name; the certificate is read from the listener.
                ("certificate_arn".to_string(), Value::unknown()),
            ]
            .into(),
        ))
    }
    fn not_found(id: &str) -> String {
        format!("No load balancer named {id} tagged prod:resource = prod_cluster.{id} exists in this account and region; the import ID is the cluster's `name`.")
    }
}

/// The `watch` map apply leaves: the configured capacities of `configured` (the plan's), the ARNs of
/// `made` (what apply made).
pub(crate) fn settled_watch(
    configured: &State,
    made: &State,
) -> std::collections::BTreeMap<String, String> {
    let mut s = configured.clone();
    s.load_balancer_arn = made.load_balancer_arn.clone();
    s.target_group_arn = made.target_group_arn.clone();
    crate::resources::alerting::watch::settled(plan::watch_of(&Config::decode(&s.encode())))
}

/// The subnets of both lists, when the configuration knows them all.
async fn subnet_facts(
    ctx: &ProviderData,
    config: &Config,
) -> Result<Option<Vec<aws::ec2::SubnetFacts>>, AwsError> {
    let (Some(a), Some(b)) = (
        crate::framework::attrs::whole_list(&config.subnet_ids).into_known(),
        crate::framework::attrs::whole_list(&config.public_subnet_ids).into_known(),
    ) else {
        return Ok(None);
    };
    let ids: Vec<String> = a
        .into_iter()
        .chain(b)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // Look up one by one only when the batch names a missing subnet, so the error can say which.
    match aws::ec2::subnets(ctx, &ids).await {
        Ok(f) => Ok(Some(f)),
        Err(e) if e.is_not_found() => {
            let mut found = Vec::new();
            for id in &ids {
                match aws::ec2::subnets(ctx, std::slice::from_ref(id)).await {
                    Ok(f) => found.extend(f),
                    Err(e) if e.is_not_found() => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(Some(found))
        }
        Err(e) => Err(e),
    }
}

/// Rebuilds the state of cluster `name` from its load balancer's tags and the names the provider
/// gives its objects, then reads it as usual.
async fn import_state(ctx: &ProviderData, name: &str) -> Result<Option<State>, AwsError> {
    let Some(lb) = aws::elb::find_lb(ctx, name).await? else {
        return Ok(None);
    };
    let tags = aws::elb::tags_of(ctx, &lb.arn).await?;
    let Some(env) = lifecycle::imported_environment(ctx, &tags, schema::TYPE_NAME, name) else {
        return Ok(None);
    };
    let place = ctx.place().await?;
    let subnets = aws::ec2::subnets(ctx, &lb.subnets).await?;
    let vpc = subnets.first().map(|s| s.vpc.clone());
    let mut st = State {
        name: name.to_string(),
        environment: env.as_str().to_string(),
        tags: crate::provider::tags::own_tags(&tags, &ctx.default_tags),
        vpc_id: vpc.clone(),
        ..Default::default()
    };
    if let Some(v) = &vpc {
        for (role, sg) in [
            ("security_group_lb", blueprint::lb_sg_name(name)),
            ("security_group_app", blueprint::app_sg_name(name)),
        ] {
            if let Some(id) = aws::ec2::find_sg(ctx, v, &sg).await? {
                st.components.insert(role.into(), id);
            }
        }
    }
    st.security_group_id = st.components.get("security_group_app").cloned();
    if let Some(k) = lifecycle::imported_key(ctx, &blueprint::alias_name(name)).await? {
        st.components.insert("kms_key".into(), k.clone());
        st.kms_key_arn = Some(k);
    }
    // Only `user_data` and the sizes' "desired" are taken from AWS as they are.
    let mut out = read::read(ctx, &place, &st).await?;
    if let Some(o) = &mut out {
        if o.desired_capacity == 0 {
            o.desired_capacity = o.desired_capacity_actual.unwrap_or_default();
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
