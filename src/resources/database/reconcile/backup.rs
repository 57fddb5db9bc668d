//! Restore verification (`restore_check`): once the database (Aurora: the cluster) exists, its
//! backup role, vault (and Vault Lock), isolated group, backup plan and selection, and restore
//! testing plan and selection are brought to the blueprint (`restore_check.rs`), each recorded
//! once made. Turned off, they are removed, and so on destroy; the vault stays while it holds
//! recovery points that are to be kept.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::framework::wait::{wait_until, Backoff};
use crate::provider::aws::Place;
use crate::provider::ec2;
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::{iam, retry, ProviderData};
use crate::resources::database::aws::backup::{self as api, TestSelection};
use crate::resources::database::model::State;
use crate::resources::database::restore_check::{
    self as rc, Want, COMPONENTS, PLAN_COMPONENT, ROLE_COMPONENT, SELECTION_COMPONENT,
    SELECTION_NAME, SG_COMPONENT, TEST_PLAN_COMPONENT, TEST_SELECTION_COMPONENT, VAULT_COMPONENT,
};

use super::Desired;

/// Converge, once the database `resource` (its ARN) exists, encrypted with `key`, in `vpc`.
#[allow(clippy::too_many_arguments)]
pub async fn ensure(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
    resource: &str,
    key: &str,
    vpc: &str,
    limit: Duration,
) -> Result<(), AwsError> {
    let Some(cron) = rc::effective(d.args.restore_check.as_ref(), d.environment) else {
        return remove(ctx, p, d.args.retain_automated_backups, limit).await;
    };
    let n = d.args.name.as_str();
    let want = Want {
        name: n,
        engine: &d.args.engine,
        cron: &cron,
        retention_days: d.args.backup_retention_days,
        locked: d.environment == Environment::Production,
        resource: Some(resource),
        key: Some(key),
        security_group: None,
    };
    // The role AWS Backup works as.
    let role = iam::ensure_role(
        ctx,
        &iam::RoleSpec {
            name: &rc::role_name(n),
            trust: rc::trust_policy(place),
            inline: vec![],
            managed: rc::MANAGED_POLICIES.map(String::from).to_vec(),
        },
        &d.tags,
    )
    .await?;
    p.components.insert(ROLE_COMPONENT.into(), role.clone());

    // The vault, with its lock in production.
    let vault_name = rc::vault_name(n);
    let vault = match api::vault(ctx, &vault_name).await? {
        Some(v) => v,
        None => {
            api::create_vault(ctx, &vault_name, key, &d.tags).await?;
            api::vault(ctx, &vault_name)
                .await?
                .ok_or_else(|| crate::resources::datastore::invalid("backup vault", "vanished"))?
        }
    };
    p.components
        .insert(VAULT_COMPONENT.into(), vault.arn.clone());
    match (want.locked, vault.min_retention_days) {
        (true, have) if have != Some(want.retention_days) => {
            api::lock_vault(ctx, &vault_name, want.retention_days).await?
        }
        (false, Some(_)) => api::unlock_vault(ctx, &vault_name).await?,
        _ => {}
    }

    // The isolated group: no rule in or out.
    let sg = match ec2::find_sg(ctx, vpc, &rc::sg_name(n)).await? {
        Some(id) => id,
        None => {
            ec2::create_sg(
                ctx,
                vpc,
                &rc::sg_name(n),
                "prod_database_ha restore check: the restored copy, isolated (no rules)",
                &d.tags,
            )
            .await?
        }
    };
    p.components.insert(SG_COMPONENT.into(), sg.clone());
    let mut rules = ec2::sg_rules(ctx, std::slice::from_ref(&sg)).await?;
    if let Some((have_in, have_out)) = rules.remove(&sg) {
        let none = BTreeSet::new();
        ec2::sync_rules(ctx, &sg, true, &none, &have_in).await?;
        ec2::sync_rules(ctx, &sg, false, &none, &have_out).await?;
    }

    // The backup plan's one rule, and its selection of the database.
    let rule = rc::rule(&want);
    let plan_name = rc::plan_name(n);
    let live_plan = match api::plan_id(ctx, &plan_name).await? {
        Some(id) => api::plan(ctx, &id).await?,
        None => None,
    };
    let plan_id = match live_plan {
        None => {
            let (id, arn) = api::create_plan(ctx, &plan_name, &rule, &d.tags).await?;
            p.components.insert(PLAN_COMPONENT.into(), arn);
            id
        }
        Some(live) => {
            p.components.insert(PLAN_COMPONENT.into(), live.arn.clone());
            if live.rules != [rule.clone()] {
                api::update_plan(ctx, &live.id, &plan_name, &rule).await?;
            }
            live.id
        }
    };
    let selection = api::selection(ctx, &plan_id, SELECTION_NAME).await?;
    let keep = selection.as_ref().filter(|s| {
        s.resources == [resource.to_string()] && s.role.as_deref() == Some(role.as_str())
    });
    let selection_id = match (keep, selection.as_ref()) {
        (Some(s), _) => s.id.clone(),
        (None, stale) => {
            if let Some(s) = stale {
                api::delete_selection(ctx, &plan_id, &s.id).await?;
            }
            // The role may be moments old.
            retry::settle(ctx, "backup selection", || {
                api::create_selection(ctx, &plan_id, SELECTION_NAME, &role, resource)
            })
            .await?
        }
    };
    p.components
        .insert(SELECTION_COMPONENT.into(), selection_id);

    // The restore testing plan and its selection.
    let test_name = rc::test_plan_name(n);
    let wanted = rc::test_plan(&want, &vault.arn);
    match api::test_plan(ctx, &test_name).await? {
        None => {
            let arn = api::create_test_plan(ctx, &test_name, &wanted, &d.tags).await?;
            p.components.insert(TEST_PLAN_COMPONENT.into(), arn);
        }
        Some(live) => {
            p.components
                .insert(TEST_PLAN_COMPONENT.into(), live.arn.clone());
            if !rc::same_test_plan(&live, &wanted) {
                api::update_test_plan(ctx, &test_name, &wanted).await?;
            }
        }
    }
    let sel = TestSelection {
        resource_type: rc::resource_type(&d.args.engine).to_string(),
        resources: vec![resource.to_string()],
        role: role.clone(),
        overrides: rc::overrides(&d.args.engine, n, &sg),
        validation_window_hours: rc::VALIDATION_WINDOW_HOURS,
    };
    match api::test_selection(ctx, &test_name, SELECTION_NAME).await? {
        None => {
            retry::settle(ctx, "restore testing selection", || {
                api::create_test_selection(ctx, &test_name, SELECTION_NAME, &sel)
            })
            .await?
        }
        Some(live) if live.resource_type != sel.resource_type => {
            api::delete_test_selection(ctx, &test_name, SELECTION_NAME).await?;
            api::create_test_selection(ctx, &test_name, SELECTION_NAME, &sel).await?;
        }
        Some(live) if live != sel => {
            api::update_test_selection(ctx, &test_name, SELECTION_NAME, &sel).await?
        }
        Some(_) => {}
    }
    p.components
        .insert(TEST_SELECTION_COMPONENT.into(), SELECTION_NAME.to_string());
    Ok(())
}

/// Removes what restore verification recorded: the restore test, the backup plan, the isolated
/// group and the role; the vault too, unless it holds recovery points and `retain` keeps them
/// (they expire by their lifecycle), in which case it is left (and no longer recorded).
pub async fn remove(
    ctx: &ProviderData,
    p: &mut State,
    retain: bool,
    limit: Duration,
) -> Result<(), AwsError> {
    if !COMPONENTS.iter().any(|c| p.components.contains_key(*c)) {
        return Ok(());
    }
    let n = p.name.clone();
    let test_name = rc::test_plan_name(&n);
    if p.components.contains_key(TEST_PLAN_COMPONENT)
        || p.components.contains_key(TEST_SELECTION_COMPONENT)
    {
        api::delete_test_plan(ctx, &test_name, SELECTION_NAME).await?;
    }
    p.components.remove(TEST_SELECTION_COMPONENT);
    p.components.remove(TEST_PLAN_COMPONENT);
    if p.components.contains_key(PLAN_COMPONENT) || p.components.contains_key(SELECTION_COMPONENT) {
        if let Some(id) = api::plan_id(ctx, &rc::plan_name(&n)).await? {
            api::delete_plan(ctx, &id).await?;
        }
    }
    p.components.remove(SELECTION_COMPONENT);
    p.components.remove(PLAN_COMPONENT);
    if let Some(sg) = p.components.get(SG_COMPONENT).cloned() {
        // A restored copy being deleted may hold the group a while.
        retry::while_in_use(ctx, "restore check security group deletion", limit, || {
            ec2::delete_sg(ctx, &sg)
        })
        .await?;
    }
    p.components.remove(SG_COMPONENT);
    if p.components.contains_key(VAULT_COMPONENT) {
        remove_vault(ctx, &rc::vault_name(&n), retain, limit).await?;
    }
    p.components.remove(VAULT_COMPONENT);
    if p.components.contains_key(ROLE_COMPONENT) {
        iam::delete_role(ctx, &rc::role_name(&n)).await?;
    }
    p.components.remove(ROLE_COMPONENT);
    Ok(())
}

/// The vault deleted, its recovery points first, unless it holds some and `retain` keeps them.
async fn remove_vault(
    ctx: &ProviderData,
    name: &str,
    retain: bool,
    limit: Duration,
) -> Result<(), AwsError> {
    let Some(vault) = api::vault(ctx, name).await? else {
        return Ok(());
    };
    if vault.points > 0 && retain {
        return Ok(());
    }
    if vault.min_retention_days.is_some() {
        api::unlock_vault(ctx, name).await?;
    }
    for arn in api::recovery_points(ctx, name).await? {
        api::delete_recovery_point(ctx, name, &arn).await?;
    }
    // A deleted recovery point counts in its vault until AWS Backup has removed it.
    wait_until(
        &format!("backup vault {name} to be emptied"),
        ctx.stop_token(),
        limit,
        Backoff::polling(),
        || async {
            let left = api::vault(ctx, name).await?.map_or(0, |v| v.points);
            Ok::<_, AwsError>((left == 0).then_some(()))
        },
    )
    .await
    .map_err(|e| AwsError::from_wait("backup vault", e))?;
    api::delete_vault(ctx, name).await
}

/// What restore verification of an existing database is called by name, for import.
pub async fn imported(
    ctx: &ProviderData,
    name: &str,
    components: &mut std::collections::BTreeMap<String, String>,
) -> Result<(), AwsError> {
    // The isolated group is looked for in the database's VPC (its subnet group's).
    let vpc = match crate::resources::database::aws::subnet_group(ctx, name).await? {
        Some(ids) if !ids.is_empty() => ec2::subnets(ctx, &ids[..1])
            .await?
            .into_iter()
            .next()
            .map(|s| s.vpc),
        _ => None,
    };
    if let Some(v) = api::vault(ctx, &rc::vault_name(name)).await? {
        components.insert(VAULT_COMPONENT.into(), v.arn);
    }
    if let Some(id) = api::plan_id(ctx, &rc::plan_name(name)).await? {
        if let Some(plan) = api::plan(ctx, &id).await? {
            components.insert(PLAN_COMPONENT.into(), plan.arn);
        }
        if let Some(s) = api::selection(ctx, &id, SELECTION_NAME).await? {
            components.insert(SELECTION_COMPONENT.into(), s.id);
        }
    }
    if let Some(t) = api::test_plan(ctx, &rc::test_plan_name(name)).await? {
        components.insert(TEST_PLAN_COMPONENT.into(), t.arn);
        if api::test_selection(ctx, &rc::test_plan_name(name), SELECTION_NAME)
            .await?
            .is_some()
        {
            components.insert(TEST_SELECTION_COMPONENT.into(), SELECTION_NAME.into());
        }
    }
    if let Some(vpc) = vpc {
        if let Some(sg) = ec2::find_sg(ctx, &vpc, &rc::sg_name(name)).await? {
            components.insert(SG_COMPONENT.into(), sg);
        }
    }
    if let Some(role) = iam::role_arn(ctx, &rc::role_name(name)).await? {
        components.insert(ROLE_COMPONENT.into(), role);
    }
    Ok(())
}
