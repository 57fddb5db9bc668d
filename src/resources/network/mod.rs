//! `prod_network`: a hardened VPC over several availability zones.

mod aws;
pub mod blueprint;
pub mod model;
mod plan;
mod read;
mod reconcile;
pub mod schema;
pub mod validate;

use async_trait::async_trait;

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

pub struct Network {
    schema: Schema,
}

impl Network {
    pub fn new() -> Network {
        Network {
            schema: schema::schema(),
        }
    }
}

impl Default for Network {
    fn default() -> Self {
        Self::new()
    }
}

fn aws_diag(e: &AwsError, what: &str) -> Diagnostic {
    e.to_diagnostic(&format!("prod_network: {what} failed"))
}

#[async_trait]
impl Resource<ProviderData> for Network {
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
            // The network holds no data: destroy needs no guard.
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
        let zones = if req.prior_state.is_null() {
            match aws::zones(ctx).await {
                Ok(z) => Some(z),
                Err(e) => {
                    diagnostics.push(aws_diag(&e, "listing availability zones"));
                    return PlanResponse {
                        diagnostics,
                        ..Default::default()
                    };
                }
            }
        } else {
            None
        };
        let p = plan::plan(
            &req.config,
            &req.prior_state,
            &req.proposed_new_state,
            ctx.environment,
            &ctx.default_tags,
            place.as_ref(),
            zones.as_deref(),
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
                .unwrap_or_else(|_| Err(AwsError::timed_out("prod_network", "delete", limit)));
            return match result {
                Ok(()) => ApplyResponse::default(),
                Err(e) => ApplyResponse {
                    new_state: st.to_value(),
                    private: req.planned_private,
                    diagnostics: aws_diag(&e, "delete").into(),
                },
            };
        }
        let mut diagnostics = validate::validate(&req.config);
        if diagnostics.has_errors() {
            return ApplyResponse {
                new_state: req.prior_state,
                diagnostics,
                ..Default::default()
            };
        }
        let planned = State::from_value(&req.planned_state);
        let env = Environment::parse(&planned.environment).unwrap_or(ctx.environment);
        let creating = req.prior_state.is_null();
        let mut progress = if creating {
            State {
                name: planned.name.clone(),
                cidr_block: planned.cidr_block.clone(),
                az_count: planned.az_count,
                ..Default::default()
            }
        } else {
            State::from_value(&req.prior_state)
        };
        progress.environment = env.as_str().to_string();
        progress.tags = planned.tags.clone();
        progress.timeouts = req.config.get("timeouts").clone();
        let desired = reconcile::Desired {
            name: planned.name.clone(),
            environment: env,
            cidr_block: planned.cidr_block.clone(),
            zones: planned.availability_zones.clone(),
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
            .unwrap_or_else(|_| Err(AwsError::timed_out("prod_network", op, limit)));
        match result {
            Ok(Some(mut st)) => {
                st.tags = progress.tags.clone();
                ApplyResponse {
                    new_state: st.to_value(),
                    private: Vec::new(),
                    diagnostics,
                }
            }
            Ok(None) => {
                diagnostics.push(Diagnostic::error(
                    "prod_network: the VPC vanished during apply",
                    "The VPC was created but cannot be read back. Run `terraform apply` again.",
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
            [("name".to_string(), Value::string(id))].into(),
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
                    "Cannot import prod_network",
                    format!("No VPC tagged prod:resource = prod_network.{id} exists in this account and region; the import ID is the network's `name`."),
                )
                .into(),
                ..Default::default()
            },
            Err(e) => ImportResponse { diagnostics: aws_diag(&e, "import").into(), ..Default::default() },
        }
    }
}

/// Rebuilds the state of network `name` from its tags and the names the provider gives its objects,
/// then reads it as usual.
async fn import_state(ctx: &ProviderData, name: &str) -> Result<Option<State>, AwsError> {
    let Some((vpc, cidr, tags)) = aws::find_vpc(ctx, name).await? else {
        return Ok(None);
    };
    let place = ctx.place().await?;
    let env = tags
        .get(crate::provider::tags::TAG_ENVIRONMENT)
        .and_then(|e| Environment::parse(e))
        .unwrap_or(ctx.environment);
    let live = aws::live(ctx, &vpc).await?;
    let mut st = State {
        name: name.to_string(),
        environment: env.as_str().to_string(),
        cidr_block: cidr,
        ..Default::default()
    };
    st.tags = crate::provider::tags::own_tags(&tags, &ctx.default_tags);
    st.vpc_id = Some(vpc.clone());
    st.components.insert("vpc".into(), vpc.clone());
    let named = |kind: &str, az: &str| format!("{name}-{kind}-{az}");
    let mut zones: Vec<String> = live
        .subnets
        .iter()
        .filter(|s| {
            aws::name_tag(s.tags.as_ref())
                .is_some_and(|n| n.starts_with(&format!("{name}-public-")))
        })
        .filter_map(|s| s.availability_zone.clone())
        .collect();
    zones.sort();
    for (i, az) in zones.iter().enumerate() {
        for kind in ["public", "private"] {
            if let Some(s) = live.subnets.iter().find(|s| {
                aws::name_tag(s.tags.as_ref()).as_deref() == Some(named(kind, az).as_str())
            }) {
                let id = s.subnet_id.clone().unwrap_or_default();
                st.components
                    .insert(format!("subnet_{kind}_{i}"), id.clone());
                if kind == "public" {
                    st.public_subnet_ids.push(id)
                } else {
                    st.private_subnet_ids.push(id)
                }
            }
        }
        if let Some(t) = live.route_tables.iter().find(|t| {
            aws::name_tag(t.tags.as_ref()).as_deref() == Some(named("private", az).as_str())
        }) {
            st.components.insert(
                format!("route_table_private_{i}"),
                t.route_table_id.clone().unwrap_or_default(),
            );
        }
        if let Some(nat) = live
            .nats
            .iter()
            .find(|x| aws::name_tag(x.tags.as_ref()).as_deref() == Some(named("nat", az).as_str()))
        {
            st.components.insert(
                format!("nat_{i}"),
                nat.nat_gateway_id.clone().unwrap_or_default(),
            );
            if let Some(a) = nat
                .nat_gateway_addresses
                .iter()
                .flatten()
                .find_map(|a| a.allocation_id.clone())
            {
                st.components.insert(format!("eip_{i}"), a);
            }
        }
    }
    if let Some(t) = live.route_tables.iter().find(|t| {
        aws::name_tag(t.tags.as_ref()).as_deref() == Some(format!("{name}-public").as_str())
    }) {
        st.components.insert(
            "route_table_public".into(),
            t.route_table_id.clone().unwrap_or_default(),
        );
    }
    if let Some(k) = crate::provider::kms::describe_key(ctx, &blueprint::alias_name(name))
        .await?
        .filter(|k| k.usable)
    {
        st.components.insert("kms_key".into(), k.arn);
    }
    st.az_count = zones.len() as i64;
    st.availability_zones = zones;
    read::read(ctx, &place, &st).await
}

#[cfg(test)]
mod tests;
