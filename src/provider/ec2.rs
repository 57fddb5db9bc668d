//! EC2 calls every resource with EC2 objects makes the same way: subnet lookups, security groups
//! and their rules, tags.

use std::collections::BTreeMap;

use std::collections::BTreeSet;
use std::future::Future;

use aws_sdk_ec2::types::{
    Filter, IpPermission, IpRange, ResourceType, Tag, TagSpecification, UserIdGroupPair,
};

use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::error::{ok_if_missing, AwsError};
use super::tags::stale_keys;
use super::ProviderData;

/// Retags EC2 objects from `old` to `new`: keys no longer wanted are removed, the rest set.
pub async fn retag(
    ctx: &ProviderData,
    ids: Vec<String>,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Result<(), AwsError> {
    if ids.is_empty() {
        return Ok(());
    }
    let stale = stale_keys(old, new);
    if !stale.is_empty() {
        ctx.call(
            "ec2 tags",
            ctx.ec2()
                .delete_tags()
                .set_resources(Some(ids.clone()))
                .set_tags(Some(
                    stale
                        .iter()
                        .map(|k| Tag::builder().key(k).build())
                        .collect(),
                ))
                .send(),
        )
        .await?;
    }
    let t: Vec<Tag> = new
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect();
    ctx.call(
        "ec2 tags",
        ctx.ec2()
            .create_tags()
            .set_resources(Some(ids))
            .set_tags(Some(t))
            .send(),
    )
    .await
    .map(|_| ())
}

/// A security-group rule, for comparing what is wanted with what is there.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rule {
    /// "tcp", or "-1" for all.
    pub protocol: String,
    pub from: i32,
    pub to: i32,
    pub peer: Peer,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Peer {
    Cidr(String),
    Group(String),
}

/// As a user reads it: the CIDR block or the security group id.
impl std::fmt::Display for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Peer::Cidr(c) => f.write_str(c),
            Peer::Group(g) => f.write_str(g),
        }
    }
}

pub fn tcp(port: i32, peer: Peer) -> Rule {
    Rule {
        protocol: "tcp".into(),
        from: port,
        to: port,
        peer,
    }
}

/// Where a subnet is.
#[derive(Clone, Debug)]
pub struct SubnetFacts {
    pub id: String,
    pub vpc: String,
    pub zone: String,
}

/// The subnets named, in one call. A missing subnet is an error naming it.
pub async fn subnets(ctx: &ProviderData, ids: &[String]) -> Result<Vec<SubnetFacts>, AwsError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let out = ctx
        .call(
            "subnets",
            ctx.ec2()
                .describe_subnets()
                .set_subnet_ids(Some(ids.to_vec()))
                .send(),
        )
        .await?;
    Ok(out
        .subnets
        .unwrap_or_default()
        .into_iter()
        .map(|s| SubnetFacts {
            id: s.subnet_id.unwrap_or_default(),
            vpc: s.vpc_id.unwrap_or_default(),
            zone: s.availability_zone.unwrap_or_default(),
        })
        .collect())
}

// ---- security groups ----

pub async fn find_sg(
    ctx: &ProviderData,
    vpc: &str,
    name: &str,
) -> Result<Option<String>, AwsError> {
    let out = ctx
        .call(
            &format!("security group {name}"),
            ctx.ec2()
                .describe_security_groups()
                .filters(filter("vpc-id", vpc))
                .filters(filter("group-name", name))
                .send(),
        )
        .await?;
    Ok(out
        .security_groups
        .unwrap_or_default()
        .into_iter()
        .find(|g| g.group_name.as_deref() == Some(name) && g.vpc_id.as_deref() == Some(vpc))
        .and_then(|g| g.group_id))
}

pub async fn create_sg(
    ctx: &ProviderData,
    vpc: &str,
    name: &str,
    description: &str,
    tags: &BTreeMap<String, String>,
) -> Result<String, AwsError> {
    let c = format!("security group {name}");
    let out = ctx
        .call(
            &c,
            ctx.ec2()
                .create_security_group()
                .group_name(name)
                .description(description)
                .vpc_id(vpc)
                .tag_specifications(tag_spec(ResourceType::SecurityGroup, tags, name))
                .send(),
        )
        .await?;
    out.group_id.ok_or_else(|| invalid(&c, "no group id"))
}

/// A group's rules: (inbound, outbound).
pub type Rules = (BTreeSet<Rule>, BTreeSet<Rule>);

/// The rules of a group's permissions in one direction.
pub fn rules_of(perms: &[IpPermission]) -> BTreeSet<Rule> {
    let mut out = BTreeSet::new();
    for p in perms {
        let protocol = p.ip_protocol.clone().unwrap_or_else(|| "-1".into());
        let (from, to) = if protocol == "-1" {
            (-1, -1)
        } else {
            (p.from_port.unwrap_or(-1), p.to_port.unwrap_or(-1))
        };
        let mut add = |peer| {
            out.insert(Rule {
                protocol: protocol.clone(),
                from,
                to,
                peer,
            });
        };
        for r in p.ip_ranges.iter().flatten() {
            add(Peer::Cidr(r.cidr_ip.clone().unwrap_or_default()));
        }
        for r in p.ipv6_ranges.iter().flatten() {
            add(Peer::Cidr(r.cidr_ipv6.clone().unwrap_or_default()));
        }
        for g in p.user_id_group_pairs.iter().flatten() {
            add(Peer::Group(g.group_id.clone().unwrap_or_default()));
        }
        for l in p.prefix_list_ids.iter().flatten() {
            add(Peer::Cidr(l.prefix_list_id.clone().unwrap_or_default()));
        }
    }
    out
}

/// The rules of every group named, in one call; a group that does not exist is absent.
pub async fn sg_rules(
    ctx: &ProviderData,
    ids: &[String],
) -> Result<BTreeMap<String, Rules>, AwsError> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let out = match ctx
        .call(
            "security groups",
            ctx.ec2()
                .describe_security_groups()
                .filters(
                    Filter::builder()
                        .name("group-id")
                        .set_values(Some(ids.to_vec()))
                        .build(),
                )
                .send(),
        )
        .await
    {
        Ok(o) => o,
        Err(e) if e.is_not_found() => return Ok(BTreeMap::new()),
        Err(e) => return Err(e),
    };
    Ok(out
        .security_groups
        .unwrap_or_default()
        .into_iter()
        .filter(|g| g.group_id.as_ref().is_some_and(|id| ids.contains(id)))
        .map(|g| {
            (
                g.group_id.clone().unwrap_or_default(),
                (
                    rules_of(g.ip_permissions()),
                    rules_of(g.ip_permissions_egress()),
                ),
            )
        })
        .collect())
}

fn permission(r: &Rule) -> IpPermission {
    let b = IpPermission::builder()
        .ip_protocol(&r.protocol)
        .from_port(r.from)
        .to_port(r.to);
    match &r.peer {
        Peer::Cidr(c) => b.ip_ranges(IpRange::builder().cidr_ip(c).build()),
        Peer::Group(g) => b.user_id_group_pairs(UserIdGroupPair::builder().group_id(g).build()),
    }
    .build()
}

/// A data store's rules: `port` from each allowed group, nothing out.
pub fn port_from_groups(port: i64, allowed: &[String]) -> (BTreeSet<Rule>, BTreeSet<Rule>) {
    let inbound = allowed
        .iter()
        .map(|g| tcp(port as i32, Peer::Group(g.clone())))
        .collect();
    (inbound, BTreeSet::new())
}

/// The `ingress` fact of a data store's group (`whose` names it: "the database's"): why its rules
/// are not exactly `port` from the allowed groups, and, on import (no allowed groups known), the
/// groups the rules admit.
pub fn ingress_fact(
    whose: &str,
    port: i64,
    allowed: &[String],
    sg_rules: Option<&Rules>,
) -> (Option<String>, Option<Vec<String>>) {
    let Some((have_in, have_out)) = sg_rules else {
        return (Some(format!("{whose} security group is missing")), None);
    };
    if allowed.is_empty() {
        let found: Vec<String> = have_in
            .iter()
            .filter(|r| r.from as i64 == port)
            .filter_map(|r| match &r.peer {
                Peer::Group(g) => Some(g.clone()),
                Peer::Cidr(_) => None,
            })
            .collect();
        if !found.is_empty() {
            let (why, _) = ingress_fact(whose, port, &found, sg_rules);
            return (why, Some(found));
        }
    }
    let (want_in, want_out) = port_from_groups(port, allowed);
    let extra: Vec<String> = have_in
        .difference(&want_in)
        .chain(have_out.difference(&want_out))
        .map(|r| format!("{} {}-{} from {}", r.protocol, r.from, r.to, r.peer))
        .collect();
    let missing = want_in.difference(have_in).count();
    let why = if !extra.is_empty() {
        Some(format!(
            "rules beyond the allowed groups: {}",
            extra.join(", ")
        ))
    } else if missing > 0 {
        Some(format!("{missing} allowed group(s) lack their rule"))
    } else {
        None
    };
    (why, None)
}

/// Makes a group's rules in one direction exactly `want`: missing ones added, extra ones revoked.
pub async fn sync_rules(
    ctx: &ProviderData,
    sg: &str,
    inbound: bool,
    want: &BTreeSet<Rule>,
    have: &BTreeSet<Rule>,
) -> Result<(), AwsError> {
    let c = format!("security group {sg}");
    let add: Vec<IpPermission> = want.difference(have).map(permission).collect();
    let remove: Vec<IpPermission> = have.difference(want).map(permission).collect();
    // Revoking and adding at once: the two touch different rules.
    let revoke = async {
        if !remove.is_empty() {
            if inbound {
                ctx.call(
                    &c,
                    ctx.ec2()
                        .revoke_security_group_ingress()
                        .group_id(sg)
                        .set_ip_permissions(Some(remove))
                        .send(),
                )
                .await?;
            } else {
                ctx.call(
                    &c,
                    ctx.ec2()
                        .revoke_security_group_egress()
                        .group_id(sg)
                        .set_ip_permissions(Some(remove))
                        .send(),
                )
                .await?;
            }
        }
        Ok::<(), AwsError>(())
    };
    let authorize = async {
        if !add.is_empty() {
            if inbound {
                // The group may be moments old.
                super::retry::settle(ctx, &c, || {
                    ctx.call(
                        &c,
                        ctx.ec2()
                            .authorize_security_group_ingress()
                            .group_id(sg)
                            .set_ip_permissions(Some(add.clone()))
                            .send(),
                    )
                })
                .await?;
            } else {
                // The group may be moments old.
                super::retry::settle(ctx, &c, || {
                    ctx.call(
                        &c,
                        ctx.ec2()
                            .authorize_security_group_egress()
                            .group_id(sg)
                            .set_ip_permissions(Some(add.clone()))
                            .send(),
                    )
                })
                .await?;
            }
        }
        Ok::<(), AwsError>(())
    };
    let (revoked, authorized) = tokio::join!(revoke, authorize);
    revoked.and(authorized)
}

pub async fn delete_sg(ctx: &ProviderData, id: &str) -> Result<(), AwsError> {
    removed(
        ctx,
        &format!("security group {id}"),
        ctx.ec2().delete_security_group().group_id(id).send(),
    )
    .await
}

/// A describe call's filter: `name` is `value`.
pub fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

/// The tags of an EC2 object: `tags`, and `Name` = `name`.
pub fn ec2_tags(tags: &BTreeMap<String, String>, name: &str) -> Vec<Tag> {
    let mut v: Vec<Tag> = tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect();
    v.push(Tag::builder().key("Name").value(name).build());
    v
}

/// The tags a new EC2 object of `kind` is made with: `tags`, and `Name` = `name`.
pub fn tag_spec(
    kind: ResourceType,
    tags: &BTreeMap<String, String>,
    name: &str,
) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(kind)
        .set_tags(Some(ec2_tags(tags, name)))
        .build()
}

/// Makes an object with the call `create` (named `c` in errors); `id` picks the new object's
/// identifier out of the answer, and an answer without one is an error saying `missing`.
pub async fn created<O, E, T>(
    ctx: &ProviderData,
    c: &str,
    create: impl Future<Output = Result<O, E>>,
    id: impl FnOnce(O) -> Option<T>,
    missing: &str,
) -> Result<T, AwsError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    id(ctx.call(c, create).await?).ok_or_else(|| invalid(c, missing))
}

/// Makes the call `call` (named `c` in errors), whose answer holds nothing needed.
pub async fn sent<O, E>(
    ctx: &ProviderData,
    c: &str,
    call: impl Future<Output = Result<O, E>>,
) -> Result<(), AwsError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    ctx.call(c, call).await.map(|_| ())
}

/// Deletes (or detaches) an object with the call `remove` (named `c` in errors): done too when
/// AWS says it is already gone.
pub async fn removed<O, E>(
    ctx: &ProviderData,
    c: &str,
    remove: impl Future<Output = Result<O, E>>,
) -> Result<(), AwsError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    ok_if_missing(sent(ctx, c, remove).await)
}

fn invalid(component: &str, message: &str) -> AwsError {
    AwsError::Invalid {
        component: component.to_string(),
        message: message.to_string(),
    }
}
