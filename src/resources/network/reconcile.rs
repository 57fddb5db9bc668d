//! Apply: converge AWS to the blueprint (create and update are one walk that reuses every
//! component already recorded and repairs drift), and the ordered delete.
//!
//! Each object created is recorded in `progress.components` before the next call (contract rule 14).

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_ec2::types::NatGatewayState;

use super::aws::{self as api, Target};
use super::blueprint as bp;
use crate::framework::wait::{wait_until, Backoff, WaitError, MAX_POLL_INTERVAL};
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::ProviderData;
use crate::provider::{iam, kms, logs};

use super::model::State;
use crate::resources::concurrent::{all_ok, keep_key_components, Made};

pub struct Desired {
    pub name: String,
    pub environment: Environment,
    pub cidr_block: String,
    pub zones: Vec<String>,
    pub tags: api::Tags,
}

fn wait_error(e: WaitError<AwsError>) -> AwsError {
    match e {
        WaitError::Failed(e) => e,
        other => AwsError::Invalid {
            component: "nat gateway".into(),
            message: other.to_string(),
        },
    }
}

const NAT_POLL: Duration = Duration::from_secs(5);

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
            Backoff::new(NAT_POLL, MAX_POLL_INTERVAL),
            || async {
                let state = api::nat_state(ctx, id).await?;
                Ok(match (gone, state) {
                    (true, None | Some(NatGatewayState::Deleted)) => Some(()),
                    (false, Some(NatGatewayState::Available)) => Some(()),
                    (false, Some(NatGatewayState::Failed)) => {
                        return Err(AwsError::Invalid {
                            component: format!("nat gateway {id}"),
                            message: "creation failed".into(),
                        })
                    }
                    _ => None,
                })
            },
        )
        .await
        .map_err(wait_error)?;
    }
    Ok(())
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
    let n = &d.name;

    // 1–3 at once: the key and its log group, the flow-log role, and the VPC with its gateway.
    let role_name = bp::role_name(n);
    let group = bp::log_group_name(n);
    let made = Made::new();
    let mut key_components = p.components.clone();
    let key_and_group = async {
        // The key for the flow-log group (reused, adopted through its alias, or made).
        let key = kms::ensure_owned_key(
            ctx,
            place,
            &mut key_components,
            &bp::alias_name(n),
            &format!("prod_network {n}: encrypts the flow logs"),
            bp::key_policy(place, n),
            &d.tags,
        )
        .await?;
        // Log group (encrypted, profile retention).
        logs::ensure_group(
            ctx,
            &group,
            Some(&key),
            d.environment.log_retention_days() as i32,
            &d.tags,
        )
        .await?;
        made.record("log_group", place.log_group_arn(&group));
        Ok::<_, AwsError>(key)
    };
    let role = async {
        let role = iam::ensure_role(
            ctx,
            &iam::RoleSpec {
                name: &role_name,
                trust: bp::role_trust_policy(place),
                inline: vec![(bp::ROLE_POLICY_NAME, bp::role_policy(place, n))],
                managed: vec![],
            },
            &d.tags,
        )
        .await?;
        made.record("flow_log_role", role.clone());
        Ok::<_, AwsError>(role)
    };
    let recorded_vpc = p.components.get("vpc").cloned();
    let recorded_igw = p.components.get("internet_gateway").cloned();
    let vpc_and_layout = async {
        // The VPC, then at once: its DNS attributes, its default security group closed, the
        // internet gateway, the subnets, and what the VPC already holds.
        let (vpc, fresh) = match recorded_vpc {
            Some(v) => (v, false),
            None => {
                let v = api::create_vpc(ctx, &d.cidr_block, &d.tags, n).await?;
                made.record("vpc", v.clone());
                (v, true)
            }
        };
        let dns = async {
            match fresh {
                true => api::enable_vpc_dns(ctx, &vpc).await,
                false => Ok(()),
            }
        };
        let default_sg = async {
            if let Some(sg) = api::default_sg(ctx, &vpc).await? {
                api::strip_default_sg(ctx, &sg).await?;
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
            subnets(ctx, d, &p.components, &vpc, &made),
            api::live(ctx, &vpc)
        );
        dns?;
        default_sg?;
        Ok::<_, AwsError>((vpc, igw?, subnets?, live?))
    };
    let (key, role, vpc_and_layout) = tokio::join!(key_and_group, role, vpc_and_layout);
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

    // 5–8 (routing) and 9 (flow logs for the whole VPC) at once.
    let flowing = live
        .flow_logs
        .iter()
        .find(|f| f.log_group_name.as_deref() == Some(group.as_str()))
        .map(|f| f.flow_log_id.clone().unwrap_or_default());
    let flow_log = async {
        match flowing {
            Some(id) => Ok(id),
            None => api::create_flow_log(ctx, &vpc, &group, &role, &d.tags, n).await,
        }
    };
    let layout = Layout {
        vpc: &vpc,
        igw: &igw,
        public: &public,
        private: &private,
        live: &live,
    };
    let (flow_log, routed) = tokio::join!(flow_log, routing(ctx, d, p, &layout, limit));
    p.components.insert("flow_log".into(), flow_log?);
    routed?;

    if tags_changed {
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
        crate::provider::ec2::retag(ctx, ids, &old_tags, &d.tags).await?;
        // The objects outside EC2 take their tags through their own services.
        if let Some(k) = p.components.get("kms_key") {
            kms::tag_key(ctx, k, &old_tags, &d.tags).await?;
        }
        if let Some(g) = p.components.get("log_group") {
            logs::tag_group(ctx, g, &old_tags, &d.tags).await?;
        }
        iam::tag_role(ctx, &role_name, &old_tags, &d.tags).await?;
    }
    Ok(())
}

/// Where the routing goes: the VPC, its gateway, the subnets, and what the VPC held before.
struct Layout<'a> {
    vpc: &'a str,
    igw: &'a str,
    public: &'a [String],
    private: &'a [String],
    live: &'a api::Live,
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

/// Steps 5–8: route tables and NAT gateways, routes and associations, and NAT gateways no longer
/// wanted; each object recorded in `p` as it is made.
async fn routing(
    ctx: &ProviderData,
    d: &Desired,
    p: &mut State,
    at: &Layout<'_>,
    limit: Duration,
) -> Result<(), AwsError> {
    let n = &d.name;
    let (vpc, igw, public, private, live) = (at.vpc, at.igw, at.public, at.private, at.live);
    // 5–6 at once: the route tables (public; private, one per zone) and the NAT gateways (one per
    // zone in production, one shared otherwise), each with its address.
    let nats_wanted = bp::nat_count(d.environment, d.zones.len());
    let live_nat = |id: &str| {
        live.nats
            .iter()
            .any(|x| x.nat_gateway_id.as_deref() == Some(id))
    };
    let made = Made::new();
    let mut tables_wanted = vec![("route_table_public".to_string(), format!("{n}-public"))];
    for (i, zone) in d.zones.iter().enumerate() {
        tables_wanted.push((
            format!("route_table_private_{i}"),
            format!("{n}-private-{zone}"),
        ));
    }
    let table_jobs = tables_wanted.iter().map(|(role, label)| {
        let recorded = p.components.get(role).cloned();
        let (made, vpc) = (&made, &vpc);
        async move {
            if let Some(r) = recorded {
                return Ok(r);
            }
            let r = api::create_route_table(ctx, vpc, &d.tags, label).await?;
            made.record(role.clone(), r.clone());
            Ok(r)
        }
    });
    let nat_jobs = public
        .iter()
        .zip(&d.zones)
        .take(nats_wanted)
        .enumerate()
        .map(|(j, (subnet, zone))| {
            let recorded_eip = p.components.get(&format!("eip_{j}")).cloned();
            let nat_ok = p
                .components
                .get(&format!("nat_{j}"))
                .is_some_and(|id| live_nat(id));
            let made = &made;
            async move {
                let eip = match recorded_eip {
                    Some(a) => a,
                    None => {
                        let a = api::allocate_eip(ctx, &d.tags, &format!("{n}-nat-{j}")).await?;
                        made.record(format!("eip_{j}"), a.clone());
                        a
                    }
                };
                if nat_ok {
                    return Ok(None);
                }
                let id =
                    api::create_nat(ctx, subnet, &eip, &d.tags, &format!("{n}-nat-{zone}")).await?;
                made.record(format!("nat_{j}"), id.clone());
                Ok(Some(id))
            }
        });
    let (tables, nats) = tokio::join!(
        futures::future::join_all(table_jobs),
        futures::future::join_all(nat_jobs)
    );
    made.merge_into(&mut p.components);
    let tables = all_ok(tables)?;
    let new_nats: Vec<String> = all_ok(nats)?.into_iter().flatten().collect();
    let public_rt = tables[0].clone();
    let private_rts: Vec<String> = tables[1..].to_vec();
    wait_nats(ctx, &new_nats, false, limit).await?;

    // 7. Routes: public → internet gateway; private i → its NAT, and nothing else (each table at
    // once).
    let table = |id: &str| {
        live.route_tables
            .iter()
            .find(|t| t.route_table_id.as_deref() == Some(id))
            .cloned()
    };
    let mut plan: Vec<(String, Vec<String>, Target)> =
        vec![(public_rt.clone(), public.to_vec(), Target::Gateway(igw))];
    let nat_ids: Vec<String> = (0..nats_wanted)
        .map(|j| {
            p.components
                .get(&format!("nat_{j}"))
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    for (i, rt) in private_rts.iter().enumerate() {
        let nat = nat_ids
            .get(bp::nat_for(d.environment, i))
            .ok_or_else(|| AwsError::Invalid {
                component: format!("route_table_private_{i}"),
                message: "no NAT gateway to route through".into(),
            })?;
        plan.push((rt.clone(), vec![private[i].clone()], Target::Nat(nat)));
    }
    let route_jobs = plan.into_iter().map(|(rt, subnets, target)| {
        let live_rt = table(&rt);
        async move {
            let routes = live_rt
                .as_ref()
                .and_then(|t| t.routes.clone())
                .unwrap_or_default();
            let default = routes
                .iter()
                .find(|r| r.destination_cidr_block.as_deref() == Some("0.0.0.0/0"));
            let right = match (&target, default) {
                (Target::Gateway(g), Some(r)) => r.gateway_id.as_deref() == Some(*g),
                (Target::Nat(nat), Some(r)) => r.nat_gateway_id.as_deref() == Some(*nat),
                _ => false,
            };
            if !right {
                api::set_default_route(ctx, &rt, target, default.is_some()).await?;
            }
            for r in &routes {
                let dest = r.destination_cidr_block.clone().unwrap_or_default();
                let local = r.gateway_id.as_deref() == Some("local");
                if !local && dest != "0.0.0.0/0" && !dest.is_empty() {
                    api::delete_route(ctx, &rt, &dest).await?;
                }
            }
            let associated: Vec<String> = live_rt
                .iter()
                .flat_map(|t| t.associations.iter().flatten())
                .filter_map(|a| a.subnet_id.clone())
                .collect();
            let associations = subnets
                .iter()
                .filter(|s| !associated.contains(s))
                .map(|s| api::associate(ctx, &rt, s));
            all_ok(futures::future::join_all(associations).await)?;
            Ok::<(), AwsError>(())
        }
    });
    all_ok(futures::future::join_all(route_jobs).await)?;

    // 8. NAT gateways no longer wanted (production → a smaller profile), after routes moved off them.
    let extra: Vec<usize> = p
        .components
        .keys()
        .filter_map(|k| k.strip_prefix("nat_").and_then(|j| j.parse().ok()))
        .filter(|j| *j >= nats_wanted)
        .collect();
    let extra_ids: Vec<String> = extra
        .iter()
        .filter_map(|j| p.components.get(&format!("nat_{j}")).cloned())
        .collect();
    for id in &extra_ids {
        api::delete_nat(ctx, id).await?;
    }
    wait_nats(ctx, &extra_ids, true, limit).await?;
    for j in extra {
        p.components.remove(&format!("nat_{j}"));
        if let Some(a) = p.components.remove(&format!("eip_{j}")) {
            api::release_eip(ctx, &a).await?;
        }
    }

    Ok(())
}

/// Deletes everything, in dependency order. On error `s.components` still names what exists.
pub async fn delete(ctx: &ProviderData, s: &mut State, limit: Duration) -> Result<(), AwsError> {
    let n = s.name.clone();
    if let Some(vpc) = s.components.get("vpc").cloned() {
        if api::vpc_exists(ctx, &vpc).await? {
            let live = api::live(ctx, &vpc).await?;
            for f in &live.flow_logs {
                api::delete_flow_log(ctx, f.flow_log_id.as_deref().unwrap_or_default()).await?;
            }
            s.components.remove("flow_log");
            let nats: Vec<String> = live
                .nats
                .iter()
                .filter_map(|x| x.nat_gateway_id.clone())
                .collect();
            for id in &nats {
                api::delete_nat(ctx, id).await?;
            }
            wait_nats(ctx, &nats, true, limit).await?;
            s.components.retain(|k, _| !k.starts_with("nat_"));
            let eips: Vec<(String, String)> = s
                .components
                .iter()
                .filter(|(k, _)| k.starts_with("eip_"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            for (k, a) in eips {
                api::release_eip(ctx, &a).await?;
                s.components.remove(&k);
            }
            for rt in &live.route_tables {
                api::delete_route_table(ctx, rt).await?;
            }
            s.components.retain(|k, _| !k.starts_with("route_table_"));
            for sn in &live.subnets {
                api::delete_subnet(ctx, sn.subnet_id.as_deref().unwrap_or_default()).await?;
            }
            s.components.retain(|k, _| !k.starts_with("subnet_"));
            for g in &live.igws {
                api::delete_igw(
                    ctx,
                    g.internet_gateway_id.as_deref().unwrap_or_default(),
                    Some(&vpc),
                )
                .await?;
            }
            s.components.remove("internet_gateway");
            api::delete_vpc(ctx, &vpc).await?;
            s.components.remove("vpc");
        } else {
            // The VPC is gone; its addresses may not be.
            let eips: Vec<String> = s
                .components
                .iter()
                .filter(|(k, _)| k.starts_with("eip_"))
                .map(|(_, v)| v.clone())
                .collect();
            for a in eips {
                api::release_eip(ctx, &a).await?;
            }
        }
    }
    // What a create cut short may have left outside the VPC: a detached gateway, an address
    // whose NAT gateway was never made (found by tag, not by state).
    let (igws, eips) = api::tagged_loose_objects(ctx, &n).await?;
    for g in igws {
        api::delete_igw(ctx, &g, None).await?;
    }
    for a in eips {
        api::release_eip(ctx, &a).await?;
    }
    s.components.retain(|k, _| {
        matches!(
            k.as_str(),
            "kms_key" | "kms_alias" | "log_group" | "flow_log_role"
        )
    });
    s.vpc_id = None;
    logs::delete_group(ctx, &bp::log_group_name(&n)).await?;
    s.components.remove("log_group");
    iam::delete_role(ctx, &bp::role_name(&n)).await?;
    s.components.remove("flow_log_role");
    kms::delete_alias(ctx, &bp::alias_name(&n)).await?;
    s.components.remove("kms_alias");
    if let Some(k) = s.components.remove("kms_key") {
        let env = Environment::parse(&s.environment).unwrap_or(Environment::Production);
        kms::schedule_key_deletion(ctx, &k, env.key_deletion_window_days()).await?;
    }
    Ok(())
}
