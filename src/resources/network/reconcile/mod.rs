//! Apply: converge AWS to the blueprint (create and update are one walk that reuses every
//! component already recorded and repairs drift), and the ordered delete.
//!
//! Each object created is recorded in `progress.components` before the next call (contract rule 14).
//! Routing (steps 5–8, with the VPC endpoints of step 11 made while the NAT gateways come up) is in
//! `routing`, the endpoints themselves in `endpoints`, the delete in `delete`.

mod acl;
mod delete;
mod endpoints;
mod routing;

pub use acl::{acl_role, association, entries_of};
pub use delete::delete;
pub use endpoints::{find as find_endpoint, route_tables};
use routing::{routing, Layout};

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_ec2::types::NatGatewayState;

use super::aws as api;
use super::blueprint as bp;
use crate::framework::wait::{log_one, wait_until, Backoff, WaitError};
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::profile::{Environment, LogRetention};
use crate::provider::ProviderData;
use crate::provider::{iam, kms, logs};

use super::model::State;
use crate::resources::concurrent::{all_ok, keep_key_components, Made};

pub struct Desired {
    pub name: String,
    pub environment: Environment,
    pub cidr_block: String,
    pub zones: Vec<String>,
    /// The VPC endpoints, by short service name.
    pub endpoints: Vec<String>,
    pub tags: api::Tags,
    /// How long each class of the network's logs is kept (flow logs: audit).
    pub log_retention: LogRetention,
}

fn wait_error(e: WaitError<AwsError>) -> AwsError {
    AwsError::from_wait("nat gateway", e)
}

/// Waits until every NAT gateway named is available (or, with `gone`, deleted).
async fn wait_nats(
    ctx: &ProviderData,
    ids: &[String],
    gone: bool,
    limit: Duration,
) -> Result<(), AwsError> {
    for id in ids {
        let what = format!(
            "nat gateway {id} to be {}",
            if gone { "deleted" } else { "available" }
        );
        wait_until(
            &what,
            ctx.stop_token(),
            limit,
            Backoff::polling(),
            || async {
                let state = api::nat_state(ctx, id).await?;
                match (gone, &state) {
                    (true, None | Some(NatGatewayState::Deleted))
                    | (false, Some(NatGatewayState::Available)) => return Ok(Some(())),
                    (false, Some(NatGatewayState::Failed)) => {
                        return Err(AwsError::Invalid {
                            component: format!("nat gateway {id}"),
                            message: "creation failed".into(),
                        })
                    }
                    _ => log_one("nat gateway", gone, id, state.as_ref().map(|s| s.as_str())),
                }
                Ok(None)
            },
        )
        .await
        .map_err(wait_error)?;
    }
    Ok(())
}

/// Create or update: converges AWS to `d`, recording every object in `p` as it is made.
pub async fn converge(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
    limit: Duration,
) -> Result<(), AwsError> {
    let old_tags = std::mem::replace(&mut p.tags_all, d.tags.clone());
    let tags_changed = !old_tags.is_empty() && old_tags != d.tags;
    let n = &d.name;
    let h = bp::hardening();

    // 1–3 at once: the key and its log group, the flow-log role, and the VPC with its gateway.
    let role_name = bp::role_name(n);
    let group = bp::log_group_name(n);
    let made = Made::new();
    let mut key_components = p.components.clone();
    let (key, role, vpc_and_layout) = tokio::join!(
        key_and_group(ctx, place, d, &mut key_components, &group, &made),
        flow_log_role(ctx, place, d, &role_name, &made),
        vpc_and_layout(ctx, d, &p.components, &made)
    );
    keep_key_components(&key_components, &mut p.components);
    made.merge_into(&mut p.components);
    if let Some(v) = p.components.get("vpc") {
        p.vpc_id = Some(v.clone());
    }
    p.availability_zones = d.zones.clone();
    let _key = key?;
    let role = role?;
    let (vpc, igw, (public, private), live) = vpc_and_layout?;
    p.public_subnet_ids = public.clone();
    p.private_subnet_ids = private.clone();

    // 5–8 (routing, with 11: the VPC endpoints while the NAT gateways come up) and 9 (flow logs
    // for the whole VPC) at once.
    let flowing = live
        .flow_logs
        .iter()
        .find(|f| f.log_group_name.as_deref() == Some(group.as_str()))
        .map(|f| f.flow_log_id.clone().unwrap_or_default());
    let flow_log = async {
        match flowing {
            Some(id) => Ok(id),
            None => api::create_flow_log(ctx, &vpc, &group, &role, &h, &d.tags, n).await,
        }
    };
    let layout = Layout {
        vpc: &vpc,
        igw: &igw,
        public: &public,
        private: &private,
        live: &live,
    };
    // 10 (the subnets' network ACLs, and the default one stripped) beside them.
    let acl_made = Made::new();
    let recorded = p.components.clone();
    let acls = acl::network_acls(ctx, d, &recorded, &acl_made, &vpc, &public, &private);
    let (flow_log, routed, acls) =
        tokio::join!(flow_log, routing(ctx, place, d, p, &layout, limit), acls);
    acl_made.merge_into(&mut p.components);
    p.components.insert("flow_log".into(), flow_log?);
    routed?;
    acls?;

    if tags_changed {
        retag(ctx, p, &old_tags, &d.tags, &role_name).await?;
    }
    Ok(())
}

/// The key for the flow-log group (reused, adopted through its alias, or made), then the log
/// group (encrypted, profile retention). Returns the key's ARN.
async fn key_and_group(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    key_components: &mut BTreeMap<String, String>,
    group: &str,
    made: &Made,
) -> Result<String, AwsError> {
    let n = &d.name;
    let key = kms::ensure_owned_key(
        ctx,
        place,
        key_components,
        &bp::alias_name(n),
        &format!("prod_network {n}: encrypts the flow logs"),
        bp::key_policy(place, n),
        &d.tags,
    )
    .await?;
    logs::ensure_group(
        ctx,
        group,
        Some(&key),
        logs::retention_days(bp::FLOW_LOGS, &d.log_retention),
        &d.tags,
    )
    .await?;
    made.record("log_group", place.log_group_arn(group));
    Ok(key)
}

/// The role the flow logs deliver with. Returns its ARN.
async fn flow_log_role(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    role_name: &str,
    made: &Made,
) -> Result<String, AwsError> {
    let role = iam::ensure_role(
        ctx,
        &iam::RoleSpec {
            name: role_name,
            trust: bp::role_trust_policy(place),
            inline: vec![(bp::ROLE_POLICY_NAME, bp::role_policy(place, &d.name))],
            managed: vec![],
        },
        &d.tags,
    )
    .await?;
    made.record("flow_log_role", role.clone());
    Ok(role)
}

/// The VPC, then at once: its DNS attributes, its default security group closed, the internet
/// gateway, the subnets, and what the VPC already holds. Returns the VPC, the gateway, the public
/// and private subnets, and the live VPC.
async fn vpc_and_layout(
    ctx: &ProviderData,
    d: &Desired,
    recorded: &BTreeMap<String, String>,
    made: &Made,
) -> Result<(String, String, (Vec<String>, Vec<String>), api::Live), AwsError> {
    let n = &d.name;
    let h = bp::hardening();
    let recorded_igw = recorded.get("internet_gateway").cloned();
    let (vpc, fresh) = match recorded.get("vpc").cloned() {
        Some(v) => (v, false),
        None => {
            let v = api::create_vpc(ctx, &d.cidr_block, &d.tags, n).await?;
            made.record("vpc", v.clone());
            (v, true)
        }
    };
    let dns = async {
        match fresh {
            true => api::set_vpc_dns(ctx, &vpc, h.dns_support, h.dns_hostnames).await,
            false => Ok(()),
        }
    };
    let default_sg = async {
        if let Some(sg) = api::default_sg(ctx, &vpc).await? {
            if h.close_default_security_group {
                api::strip_default_sg(ctx, &sg).await?;
            }
            made.record("default_security_group", sg.id);
        }
        Ok::<_, AwsError>(())
    };
    let gateway = async {
        match recorded_igw {
            Some(g) => Ok(g),
            None => {
                let g = api::create_igw(ctx, &d.tags, n).await?;
                made.record("internet_gateway", g.clone());
                api::attach_igw(ctx, &g, &vpc).await?;
                Ok::<_, AwsError>(g)
            }
        }
    };
    let (dns, default_sg, igw, subnets, live) = tokio::join!(
        dns,
        default_sg,
        gateway,
        subnets(ctx, d, recorded, &vpc, made),
        api::live(ctx, &vpc)
    );
    dns?;
    default_sg?;
    Ok((vpc, igw?, subnets?, live?))
}

/// New tags on every object: the EC2 ones at once, the others through their own services.
async fn retag(
    ctx: &ProviderData,
    p: &State,
    old_tags: &api::Tags,
    tags: &api::Tags,
    role_name: &str,
) -> Result<(), AwsError> {
    let ids: Vec<String> = p
        .components
        .iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "kms_key" | "kms_alias" | "log_group" | "flow_log_role"
            )
        })
        .map(|(_, v)| v.clone())
        .collect();
    crate::provider::ec2::retag(ctx, ids, old_tags, tags).await?;
    // The objects outside EC2 take their tags through their own services.
    if let Some(k) = p.components.get("kms_key") {
        kms::tag_key(ctx, k, old_tags, tags).await?;
    }
    if let Some(g) = p.components.get("log_group") {
        logs::tag_group(ctx, g, old_tags, tags).await?;
    }
    iam::tag_role(ctx, role_name, old_tags, tags).await?;
    Ok(())
}

/// Subnets, public and private, one of each per zone, all at once; each recorded in `made`.
/// Returns the public and the private ids in zone order.
async fn subnets(
    ctx: &ProviderData,
    d: &Desired,
    recorded: &BTreeMap<String, String>,
    vpc: &str,
    made: &Made,
) -> Result<(Vec<String>, Vec<String>), AwsError> {
    let n = &d.name;
    let wanted: Vec<(usize, &String, bool)> = d
        .zones
        .iter()
        .enumerate()
        .flat_map(|(i, az)| [(i, az, true), (i, az, false)])
        .collect();
    let jobs = wanted.iter().map(|&(i, az, is_public)| {
        let role = format!(
            "subnet_{}_{i}",
            if is_public { "public" } else { "private" }
        );
        let recorded = recorded.get(&role).cloned();
        async move {
            if let Some(id) = recorded {
                return Ok(id);
            }
            let cidr =
                bp::subnet_cidr(&d.cidr_block, is_public, i).ok_or_else(|| AwsError::Invalid {
                    component: role.clone(),
                    message: format!("no room for subnet {i} in {}", d.cidr_block),
                })?;
            let label = format!("{n}-{}-{az}", if is_public { "public" } else { "private" });
            let id = api::create_subnet(ctx, vpc, &cidr, az, &d.tags, &label).await?;
            made.record(role, id.clone());
            Ok(id)
        }
    });
    let ids = all_ok(futures::future::join_all(jobs).await)?;
    let mut public = Vec::new();
    let mut private = Vec::new();
    for (&(_, _, is_public), id) in wanted.iter().zip(ids) {
        if is_public {
            public.push(id)
        } else {
            private.push(id)
        }
    }
    Ok((public, private))
}
