//! `prod_cluster`: multi-AZ compute behind TLS.

pub mod aws;
pub mod blueprint;
pub mod model;
mod plan;
mod read;
mod reconcile;
pub mod schema;
pub mod validate;

use std::collections::BTreeSet;

use async_trait::async_trait;

use crate::framework::decode;
use crate::framework::resource::{
    import_id_diagnostics, ApplyRequest, ApplyResponse, ImportResponse, PlanRequest, PlanResponse,
    ReadRequest, ReadResponse, Resource, PRIVATE_CREATE_INCOMPLETE,
};
use crate::framework::wait::timeout_for;
use crate::framework::{Diagnostic, Diagnostics, Schema, Value};
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::ProviderData;
use model::State;

pub struct Cluster {
    schema: Schema,
}

impl Cluster {
    pub fn new() -> Cluster {
        Cluster {
            schema: schema::schema(),
        }
    }
}

impl Default for Cluster {
    fn default() -> Self {
        Self::new()
    }
}

fn aws_diag(e: &AwsError, what: &str) -> Diagnostic {
    e.to_diagnostic(&format!("prod_cluster: {what} failed"))
}

/// The subnets of both lists, when the configuration knows them all.
async fn subnet_facts(
    ctx: &ProviderData,
    config: &Value,
) -> Result<Option<Vec<aws::ec2::SubnetFacts>>, AwsError> {
    let (Some(a), Some(b)) = (
        decode::string_list(config.get("subnet_ids")).into_known(),
        decode::string_list(config.get("public_subnet_ids")).into_known(),
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

#[async_trait]
impl Resource<ProviderData> for Cluster {
    fn type_name(&self) -> &'static str {
        schema::TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate::validate(config)
    }

    async fn plan(&self, ctx: &ProviderData, req: PlanRequest) -> PlanResponse {
        if req.proposed_new_state.is_null() {
            // The cluster holds no data: destroy needs no guard (it lifts the load balancer's
            // deletion protection itself).
            return PlanResponse {
                planned_state: Value::Null,
                planned_private: req.prior_private,
                ..Default::default()
            };
        }
        let mut diagnostics = validate::validate(&req.config);
        if diagnostics.has_errors() {
            return PlanResponse {
                diagnostics,
                ..Default::default()
            };
        }
        let place = ctx.place().await.ok();
        let subnets = match subnet_facts(ctx, &req.config).await {
            Ok(s) => s,
            Err(e) => {
                diagnostics.push(aws_diag(&e, "looking up the subnets"));
                return PlanResponse {
                    diagnostics,
                    ..Default::default()
                };
            }
        };
        let p = plan::plan(
            &req.config,
            &req.prior_state,
            &req.proposed_new_state,
            ctx.environment,
            &ctx.default_tags,
            place.as_ref(),
            subnets.as_deref(),
        );
        diagnostics.extend(p.diagnostics);
        PlanResponse {
            planned_state: p.state,
            requires_replace: p.requires_replace,
            planned_private: req.prior_private,
            diagnostics,
        }
    }

    async fn apply(&self, ctx: &ProviderData, req: ApplyRequest) -> ApplyResponse {
        if req.planned_state.is_null() {
            let mut st = State::from_value(&req.prior_state);
            let limit = timeout_for(&st.timeouts, "delete", schema::DEFAULT_TIMEOUT);
            let result = tokio::time::timeout(limit, reconcile::delete(ctx, &mut st, limit))
                .await
                .unwrap_or_else(|_| Err(AwsError::timed_out("prod_cluster", "delete", limit)));
            return match result {
                Ok(()) => ApplyResponse::default(),
                Err(e) => ApplyResponse {
                    new_state: st.to_value(),
                    private: req.planned_private,
                    diagnostics: aws_diag(&e, "delete").into(),
                },
            };
        }
        // Checks that need values unknown at plan time, before the first AWS call (rule 10).
        let mut diagnostics = validate::validate(&req.config);
        let planned = State::from_value(&req.planned_state);
        let env = Environment::parse(&planned.environment).unwrap_or(ctx.environment);
        validate::validate_profile(&req.planned_state, env, &mut diagnostics);
        if diagnostics.has_errors() {
            return ApplyResponse {
                new_state: req.prior_state,
                diagnostics,
                ..Default::default()
            };
        }
        let creating = req.prior_state.is_null();
        let prior = State::from_value(&req.prior_state);
        let mut progress = planned.clone();
        progress.environment = env.as_str().to_string();
        progress.components = prior.components.clone();
        progress.tags_all = prior.tags_all.clone();
        progress.timeouts = req.config.get("timeouts").clone();
        for (p, q) in [
            (&mut progress.vpc_id, &prior.vpc_id),
            (&mut progress.security_group_id, &prior.security_group_id),
            (
                &mut progress.load_balancer_security_group_id,
                &prior.load_balancer_security_group_id,
            ),
            (&mut progress.load_balancer_arn, &prior.load_balancer_arn),
            (
                &mut progress.load_balancer_dns_name,
                &prior.load_balancer_dns_name,
            ),
            (&mut progress.target_group_arn, &prior.target_group_arn),
            (
                &mut progress.autoscaling_group_name,
                &prior.autoscaling_group_name,
            ),
            (&mut progress.launch_template_id, &prior.launch_template_id),
        ] {
            *p = q.clone();
        }
        progress.launch_template_version = prior.launch_template_version;
        progress.desired_capacity_actual = prior.desired_capacity_actual;
        progress.posture = prior.posture.clone();
        let given_key = decode::string(req.config.get("kms_key_arn")).into_known();
        if given_key.is_none() {
            progress.kms_key_arn = prior
                .kms_key_arn
                .clone()
                .filter(|_| prior.components.contains_key("kms_key"));
        }
        let desired = reconcile::Desired {
            name: planned.name.clone(),
            environment: env,
            image_id: planned.image_id.clone(),
            subnet_ids: planned.subnet_ids.clone(),
            public_subnet_ids: planned.public_subnet_ids.clone(),
            certificate_arn: planned.certificate_arn.clone(),
            instance_type: planned.instance_type.clone(),
            min_size: planned.min_size,
            max_size: planned.max_size,
            desired_capacity: (creating || planned.desired_capacity != prior.desired_capacity)
                .then_some(planned.desired_capacity),
            app_port: planned.app_port,
            health_check_path: planned.health_check_path.clone(),
            user_data: planned.user_data.clone(),
            ingress_cidr_blocks: planned.ingress_cidr_blocks.clone(),
            root_volume_size: planned.root_volume_size,
            metadata_http_tokens: planned.metadata_http_tokens.clone(),
            root_volume_encrypted: planned.root_volume_encrypted,
            kms_key_arn: given_key,
            tags: planned.tags_all.clone(),
        };
        let op = if creating { "create" } else { "update" };
        let limit = timeout_for(&progress.timeouts, op, schema::DEFAULT_TIMEOUT);
        let work = async {
            let place = ctx.place().await?;
            reconcile::converge(ctx, &place, &desired, &mut progress, limit).await?;
            read::read(ctx, &place, &progress).await
        };
        let result = tokio::time::timeout(limit, work)
            .await
            .unwrap_or_else(|_| Err(AwsError::timed_out("prod_cluster", op, limit)));
        match result {
            Ok(Some(mut st)) => {
                st.tags = planned.tags.clone();
                st.environment = progress.environment.clone();
                // Scaling owns the live capacity; the plan said what apply leaves, and the next
                // refresh reports where scaling has taken it since.
                if let Some(a) =
                    decode::int(req.planned_state.get("desired_capacity_actual")).into_known()
                {
                    st.desired_capacity_actual = Some(a);
                }
                ApplyResponse {
                    new_state: st.to_value(),
                    private: Vec::new(),
                    diagnostics,
                }
            }
            Ok(None) => {
                diagnostics.push(Diagnostic::error(
                    "prod_cluster: the cluster vanished during apply",
                    "Its objects were made but cannot be read back. Run `terraform apply` again.",
                ));
                ApplyResponse {
                    new_state: progress.to_value(),
                    private: PRIVATE_CREATE_INCOMPLETE.to_vec(),
                    diagnostics,
                }
            }
            Err(e) => {
                diagnostics.push(aws_diag(&e, op));
                let private = if creating {
                    PRIVATE_CREATE_INCOMPLETE.to_vec()
                } else {
                    req.planned_private
                };
                ApplyResponse {
                    new_state: progress.to_value(),
                    private,
                    diagnostics,
                }
            }
        }
    }

    async fn read(&self, ctx: &ProviderData, req: ReadRequest) -> ReadResponse {
        if req.current_state.is_null() {
            return ReadResponse::default();
        }
        let prior = State::from_value(&req.current_state);
        let result = async {
            let place = ctx.place().await?;
            read::read(ctx, &place, &prior).await
        }
        .await;
        match result {
            Ok(Some(st)) => ReadResponse {
                new_state: st.to_value(),
                private: req.private,
                diagnostics: Diagnostics::new(),
            },
            Ok(None) => ReadResponse::default(),
            Err(e) => ReadResponse {
                new_state: req.current_state,
                private: req.private,
                diagnostics: aws_diag(&e, "read").into(),
            },
        }
    }

    async fn import(&self, ctx: &ProviderData, id: &str) -> ImportResponse {
        let check = validate::validate(&Value::Map(
            [
                ("name".to_string(), Value::string(id)),
                // Import needs only the name; the certificate is read from the listener.
                ("certificate_arn".to_string(), Value::unknown()),
            ]
            .into(),
        ));
        if check.has_errors() {
            return ImportResponse {
                diagnostics: import_id_diagnostics(&check),
                ..Default::default()
            };
        }
        match import_state(ctx, id).await {
            Ok(Some(st)) => ImportResponse { state: st.to_value(), ..Default::default() },
            Ok(None) => ImportResponse {
                diagnostics: Diagnostic::error(
                    "Cannot import prod_cluster",
                    format!("No load balancer named {id} tagged prod:resource = prod_cluster.{id} exists in this account and region; the import ID is the cluster's `name`."),
                )
                .into(),
                ..Default::default()
            },
            Err(e) => ImportResponse { diagnostics: aws_diag(&e, "import").into(), ..Default::default() },
        }
    }
}

/// Rebuilds the state of cluster `name` from its load balancer's tags and the names the provider
/// gives its objects, then reads it as usual.
async fn import_state(ctx: &ProviderData, name: &str) -> Result<Option<State>, AwsError> {
    let Some(lb) = aws::elb::find_lb(ctx, name).await? else {
        return Ok(None);
    };
    let tags = aws::elb::tags_of(ctx, &lb.arn).await?;
    if tags.get(crate::provider::tags::TAG_RESOURCE)
        != Some(&format!("{}.{name}", schema::TYPE_NAME))
    {
        return Ok(None);
    }
    let place = ctx.place().await?;
    let env = tags
        .get(crate::provider::tags::TAG_ENVIRONMENT)
        .and_then(|e| Environment::parse(e))
        .unwrap_or(ctx.environment);
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
    if let Some(k) = crate::provider::kms::describe_key(ctx, &blueprint::alias_name(name))
        .await?
        .filter(|k| k.usable)
    {
        st.components.insert("kms_key".into(), k.arn.clone());
        st.kms_key_arn = Some(k.arn);
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
