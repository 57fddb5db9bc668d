//! `prod_network`: a hardened VPC over several availability zones.

mod aws;
pub mod blueprint;
pub mod model;
mod plan;
pub mod posture;
mod read;
mod reconcile;
pub mod schema;
pub mod validate;

use std::ops::ControlFlow;

use crate::framework::resource::{ApplyRequest, PlanRequest, PlanResponse};
use crate::framework::{Diagnostics, Value};
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::ProviderData;
use crate::resources::lifecycle::{self, Prepared, ResourceState};
use crate::resources::log_retention;
use model::State;

crate::lifecycle! {
    /// `prod_network` as [`Lifecycle`] describes a resource.
    pub struct Life {
        state: State,
        desired: reconcile::Desired,
        parts: [converge, delete, read],
    }

    async fn plan(ctx: &ProviderData, req: PlanRequest) -> PlanResponse {
        // The network holds no data: destroy needs no guard.
        let mut diagnostics = match lifecycle::plan_start::<Self>(&req) {
            ControlFlow::Continue(d) => d,
            ControlFlow::Break(done) => return done,
        };
        let place = ctx.place().await.ok();
        let zones = if req.prior_state.is_null() {
            match aws::zones(ctx).await {
                Ok(z) => Some(z),
                Err(e) => {
                    diagnostics.push(lifecycle::aws_diag::<Life>(
                        &e,
                        "listing availability zones",
                    ));
                    return PlanResponse {
                        diagnostics,
                        ..Default::default()
                    };
                }
            }
        } else {
            None
        };
        let zones = zones.as_deref();
        lifecycle::plan_with(ctx, req, diagnostics, place.as_ref(), zones, plan::plan)
    }

    async fn prepare(
        ctx: &ProviderData,
        req: &ApplyRequest,
    ) -> Result<Prepared<Self>, Diagnostics> {
        let mut diagnostics = validate::validate(&req.config);
        let planned = State::from_value(&req.planned_state);
        let env = Environment::parse(&planned.environment).unwrap_or(ctx.environment);
        // Production's floors again, on values that were unknown at plan.
        let given = model::Config::decode(&req.planned_state).log_retention;
        log_retention::check_profile(&given, env, &mut diagnostics);
        log_retention::check_provider_tiers(&given, env, &ctx.log_retention, &mut diagnostics);
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        let mut progress = if req.prior_state.is_null() {
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
        progress.log_retention = planned.log_retention.clone();
        progress.timeouts = model::Config::decode(&req.config).timeouts;
        let desired = reconcile::Desired {
            name: planned.name.clone(),
            environment: env,
            cidr_block: planned.cidr_block.clone(),
            zones: planned.availability_zones.clone(),
            endpoints: planned.endpoints.clone(),
            tags: planned.tags_all.clone(),
            log_retention: log_retention::effective(
                planned.log_retention.as_ref(),
                ctx.log_tiers(env),
            ),
        };
        Ok(Prepared {
            desired,
            progress,
            diagnostics,
        })
    }
    fn finish(st: &mut State, progress: &State, _planned: &Value) {
        st.tags = progress.tags.clone();
    }
    fn not_found(id: &str) -> String {
        format!("No VPC tagged prod:resource = prod_network.{id} exists in this account and region; the import ID is the network's `name`.")
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
    let zones = import_zones(name, &live, &mut st);
    if let Some(t) = live.route_tables.iter().find(|t| {
        aws::name_tag(t.tags.as_ref()).as_deref() == Some(format!("{name}-public").as_str())
    }) {
        st.components.insert(
            "route_table_public".into(),
            t.route_table_id.clone().unwrap_or_default(),
        );
    }
    for public in [true, false] {
        let acl_name = blueprint::acl_name(name, public);
        if let Some(a) = live
            .network_acls
            .iter()
            .find(|a| aws::name_tag(a.tags.as_ref()).as_deref() == Some(acl_name.as_str()))
        {
            let id = a.network_acl_id.clone().unwrap_or_default();
            st.components.insert(reconcile::acl_role(public), id);
        }
    }
    // The endpoints named as this network's, in the order a plan lists them.
    for (service, _) in blueprint::endpoints::SERVICES {
        if let Some(e) = reconcile::find_endpoint(&live.endpoints, &st.components, name, service) {
            let id = e.vpc_endpoint_id.clone().unwrap_or_default();
            st.components
                .insert(blueprint::endpoints::role(service), id);
            st.endpoints.push(service.to_string());
        }
    }
    if let Some(k) = lifecycle::imported_key(ctx, &blueprint::alias_name(name)).await? {
        st.components.insert("kms_key".into(), k);
    }
    st.az_count = zones.len() as i64;
    st.availability_zones = zones;
    read::read(ctx, &place, &st).await
}

/// The zones of an imported network (those of its public subnets, by name) and, per zone, its
/// subnets, private route table, NAT gateway and address, found by their names.
fn import_zones(name: &str, live: &aws::Live, st: &mut State) -> Vec<String> {
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
    zones
}

#[cfg(test)]
mod tests;
