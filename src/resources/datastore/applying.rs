//! Apply as both stores do it: the start (validation, progress begun), the placement checked
//! before anything is made, the security group, and the calls both make the same way.

use std::collections::{BTreeMap, BTreeSet};

use super::{StoreConfig, StoreState};
use crate::framework::resource::ApplyRequest;
use crate::framework::{Diagnostics, Value};
use crate::provider::ec2;
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::ProviderData;
use crate::resources::concurrent::Made;
use crate::resources::lifecycle;

/// Where both stores' apply starts: the planned and prior states, the progress begun, the
/// environment, the key given, and the warnings found so far.
pub struct ApplyStart<S> {
    /// The configuration as given (write-only values are only here).
    pub config: Value,
    pub planned: S,
    pub prior: S,
    pub progress: S,
    pub env: Environment,
    /// The key configured (`None`: the store's own).
    pub given_key: Option<String>,
    pub diagnostics: Diagnostics,
}

/// Apply's first step, the same for both stores: the configuration validated again, the profile's
/// floors checked on the planned values (errors refuse the apply), then the progress begun.
/// `default_env` serves where the plan names no environment.
pub fn start_apply<C: StoreConfig, S: StoreState>(
    default_env: Environment,
    req: &ApplyRequest,
    validate: fn(&Value) -> Diagnostics,
    validate_profile: fn(&C, Environment, &mut Diagnostics),
) -> Result<ApplyStart<S>, Diagnostics> {
    let mut diagnostics = validate(&req.config);
    let config = C::read(&req.config);
    let planned = S::from_value(&req.planned_state);
    let env = Environment::parse(planned.environment()).unwrap_or(default_env);
    validate_profile(&C::read(&req.planned_state), env, &mut diagnostics);
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    let prior = S::from_value(&req.prior_state);
    let given_key = config.given_key();
    let progress = planned.start_progress(&prior, env, config.timeouts(), given_key.as_ref());
    Ok(ApplyStart {
        config: req.config.clone(),
        planned,
        prior,
        progress,
        env,
        given_key,
        diagnostics,
    })
}

/// An `AwsError::Invalid` of `component`: AWS answered, but not with what the store needs.
pub fn invalid(component: &str, message: impl Into<String>) -> AwsError {
    AwsError::Invalid {
        component: component.to_string(),
        message: message.into(),
    }
}

/// Apply-time placement, checked before anything is made: the subnets' VPC and their zones
/// (sorted), at least 2.
pub async fn placement(
    ctx: &ProviderData,
    subnet_ids: &[String],
) -> Result<(String, Vec<String>), AwsError> {
    let facts = ec2::subnets(ctx, subnet_ids).await?;
    for id in subnet_ids {
        if !facts.iter().any(|f| &f.id == id) {
            return Err(invalid("subnet_ids", format!("subnet {id} does not exist")));
        }
    }
    let vpcs: BTreeSet<&str> = facts.iter().map(|f| f.vpc.as_str()).collect();
    let zones: Vec<String> = facts
        .iter()
        .map(|f| f.zone.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if vpcs.len() != 1 || zones.len() < 2 {
        return Err(invalid(
            "subnet_ids",
            "the subnets must be in one VPC and span at least 2 availability zones",
        ));
    }
    let vpc = facts[0].vpc.clone();
    Ok((vpc, zones))
}

/// A store's security group: `name`, with `port` open to the `allowed` groups only.
pub struct SecurityGroup<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub port: i64,
    pub allowed: &'a [String],
    pub tags: &'a BTreeMap<String, String>,
}

/// The store's security group `sg` in `vpc` (found or made), with exactly its port from the allowed
/// groups in and nothing out, recorded in `made` as `security_group`. Returns its id.
pub async fn ensure_security_group(
    ctx: &ProviderData,
    vpc: &str,
    spec: &SecurityGroup<'_>,
    made: &Made,
) -> Result<String, AwsError> {
    let sg = match ec2::find_sg(ctx, vpc, spec.name).await? {
        Some(id) => id,
        None => ec2::create_sg(ctx, vpc, spec.name, spec.description, spec.tags).await?,
    };
    let (want_in, want_out) = ec2::port_from_groups(spec.port, spec.allowed);
    let (have_in, have_out) = ec2::sg_rules(ctx, std::slice::from_ref(&sg))
        .await?
        .remove(&sg)
        .unwrap_or_default();
    ec2::sync_rules(ctx, &sg, true, &want_in, &have_in).await?;
    ec2::sync_rules(ctx, &sg, false, &want_out, &have_out).await?;
    made.record("security_group", sg.clone());
    Ok(sg)
}

/// The subnets of the first subnet group a describe answered with (`None` without one): `subnets`
/// opens a group, `id` names a subnet.
pub fn first_group_subnets<G, S>(
    groups: Option<Vec<G>>,
    subnets: impl FnOnce(G) -> Option<Vec<S>>,
    id: impl Fn(S) -> Option<String>,
) -> Option<Vec<String>> {
    groups.unwrap_or_default().into_iter().next().map(|g| {
        subnets(g)
            .unwrap_or_default()
            .into_iter()
            .filter_map(id)
            .collect()
    })
}

/// The subnets a read records: the configured ones (in the user's order) while the `live` group
/// holds the same set, else the live ones.
pub fn read_subnets(configured: &[String], live: &[String]) -> Vec<String> {
    let same = live.iter().collect::<BTreeSet<_>>() == configured.iter().collect();
    if same {
        configured.to_vec()
    } else {
        live.to_vec()
    }
}

/// What an import finds beside a store: its security group `sg` and its own key (by `alias`),
/// each recorded in `components`; the key's ARN is returned for `kms_key_arn`.
pub async fn imported_parts(
    ctx: &ProviderData,
    sg: Option<&String>,
    alias: &str,
    components: &mut BTreeMap<String, String>,
) -> Result<Option<String>, AwsError> {
    if let Some(sg) = sg {
        components.insert("security_group".into(), sg.clone());
    }
    let key = lifecycle::imported_key(ctx, alias).await?;
    if let Some(k) = &key {
        components.insert("kms_key".into(), k.clone());
    }
    Ok(key)
}
