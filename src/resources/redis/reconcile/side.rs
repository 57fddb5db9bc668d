//! The objects around the replication group: the key and the AUTH token it encrypts (and the
//! token's rotation on a live group), the security group and the subnet group.

use std::collections::BTreeMap;
use std::time::Duration;

use super::super::aws as api;
use super::super::blueprint as bp;
use super::super::model::State;
use super::{wait_for, Desired};
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::secrets::SecretValue;
use crate::provider::{kms, secrets, ProviderData};
use crate::resources::concurrent::{keep_key_components, Made};
use crate::resources::datastore;

/// A new AUTH token on a live group, without cutting clients off: ElastiCache first accepts both
/// tokens (`ROTATE`), then the secret clients read moves to the new one, then only the new one is
/// accepted (`SET`). `current` is what the secret holds; a token already there is not sent again.
pub(super) async fn rotate_token(
    ctx: &ProviderData,
    n: &str,
    token: &SecretValue,
    current: &SecretValue,
    limit: Duration,
) -> Result<(), AwsError> {
    if token.expose() == current.expose() {
        return Ok(());
    }
    api::set_auth_token(ctx, n, token, api::TokenStep::Rotate).await?;
    wait_for(ctx, n, false, limit).await?;
    secrets::put(ctx, &bp::secret_name(n), token).await?;
    api::set_auth_token(ctx, n, token, api::TokenStep::Set).await?;
    wait_for(ctx, n, false, limit).await?;
    Ok(())
}

/// What the replication group is made with: the key, the AUTH token, the security group and the
/// subnets' zones.
pub(super) struct Side {
    pub(super) zones: Vec<String>,
    pub(super) key: String,
    pub(super) token: SecretValue,
    pub(super) sg: String,
}

/// The objects around the group: the subnets checked (before anything is made), then at once the
/// key with the AUTH token, the security group and the subnet group, each recorded once made,
/// whatever the others do.
pub(super) async fn side_objects(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
) -> Result<Side, AwsError> {
    let n = d.args.name.as_str();
    // 0. Where: the subnets' VPC and zones.
    let (vpc, zones) = datastore::placement(ctx, &d.args.subnet_ids).await?;
    // 1–3 at once.
    let made = Made::new();
    let mut key_components = p.components.clone();
    let sg_name = bp::sg_name(n);
    let sg = datastore::SecurityGroup {
        name: &sg_name,
        description: "prod_redis_cluster: the port from the allowed groups only",
        port: bp::port_of(&d.args),
        allowed: &d.args.allowed_security_group_ids,
        tags: &d.tags,
    };
    let (key_and_token, sg, subnet_group) = tokio::join!(
        key_and_token(ctx, place, d, &mut key_components, &made, &p.posture),
        datastore::ensure_security_group(ctx, &vpc, &sg, &made),
        subnet_group(ctx, place, d, &made),
    );
    keep_key_components(&key_components, &mut p.components);
    made.merge_into(&mut p.components);
    if let Some(sg) = p.components.get("security_group") {
        p.security_group_id = Some(sg.clone());
    }
    if p.components.contains_key("subnet_group") {
        p.subnet_group_name = Some(n.to_string());
    }
    if let Some(a) = p.components.get("auth_secret") {
        p.auth_secret_arn = Some(a.clone());
    }
    let (key, token) = key_and_token?;
    p.kms_key_arn = Some(key.clone());
    let sg = sg?;
    subnet_group?;
    Ok(Side {
        zones,
        key,
        token,
        sg,
    })
}

/// The key (the user's, or the group's own, its parts in `components`) and the AUTH token it
/// encrypts, in Secrets Manager: the one there (reused when it exists), else the user's or a
/// generated one. Returns both.
async fn key_and_token(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    components: &mut BTreeMap<String, String>,
    made: &Made,
    posture: &BTreeMap<String, String>,
) -> Result<(String, SecretValue), AwsError> {
    let n = d.args.name.as_str();
    let key = match &d.kms_key_arn {
        Some(k) => k.clone(),
        None => {
            kms::ensure_owned_key(
                ctx,
                place,
                components,
                &bp::alias_name(n),
                &format!(
                    "prod_redis_cluster {n}: encrypts the nodes, snapshots and the AUTH secret"
                ),
                bp::key_policy(place, n),
                &d.tags,
            )
            .await?
        }
    };
    let initial = match &d.auth_token {
        Some(t) => secrets::Initial::Given(t),
        None => secrets::Initial::Generated {
            length: bp::hardening(d.environment).auth_token_length,
        },
    };
    let (secret_arn, token) = secrets::ensure(
        ctx,
        &bp::secret_name(n),
        &format!("prod_redis_cluster {n}: AUTH token"),
        &key,
        initial,
        &d.tags,
    )
    .await?;
    made.record("auth_secret", secret_arn);
    datastore::secure_secret(ctx, place, posture, "auth_secret", &bp::secret_name(n)).await?;
    Ok((key, token))
}

/// The cache subnet group `<name>` over the configured subnets.
async fn subnet_group(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    made: &Made,
) -> Result<(), AwsError> {
    let n = d.args.name.as_str();
    api::ensure_subnet_group(ctx, n, &d.args.subnet_ids, &d.tags).await?;
    made.record(
        "subnet_group",
        place.arn("elasticache", &format!("subnetgroup:{n}")),
    );
    Ok(())
}
