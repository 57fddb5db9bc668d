//! AWS Backup of the database: once it exists (Aurora: the cluster), the backup role, vault (and
//! Vault Lock), backup plan and selection wherever a restore check (`restore_check`) or a second
//! region (`recovery.region`: the rule copies each recovery point to the vault there) needs them,
//! then the restore test's isolated group, restore testing plan and selection, each recorded once
//! made (`restore_check.rs`). Neither needed, they are removed, and so on destroy; a vault stays
//! while it holds recovery points that are to be kept.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::framework::wait::{wait_until, Backoff};
use crate::provider::aws::{arn_region, Place};
use crate::provider::ec2;
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::{iam, retry, ProviderData};
use crate::resources::database::aws::backup::{self as api, CopyTo, TestSelection};
use crate::resources::database::aws::Tags;
use crate::resources::database::blueprint as bp;
use crate::resources::database::model::State;
use crate::resources::database::restore_check::{
    self as rc, Want, COMPONENTS, PLAN_COMPONENT, REMOTE_VAULT_COMPONENT, ROLE_COMPONENT,
    SELECTION_COMPONENT, SELECTION_NAME, SG_COMPONENT, TEST_PLAN_COMPONENT,
    TEST_SELECTION_COMPONENT, VAULT_COMPONENT,
};

use super::Desired;

/// Where the database's recovery points come from and go.
pub struct Where<'a> {
    /// The database's ARN (Aurora: the cluster's).
    pub resource: &'a str,
    /// Its key, which encrypts the vault.
    pub key: &'a str,
    /// Its VPC, for the isolated group.
    pub vpc: &'a str,
    /// The second region's key of the database, where `recovery.region` is declared.
    pub remote_key: Option<&'a str>,
}

/// Converge, once the database exists: AWS Backup's vault, role, plan and selection wherever a
/// restore check or a second region needs them (the plan's rule copying to the second region's
/// vault), then the restore test, or none of it.
pub async fn ensure(
    ctx: &ProviderData,
    place: &Place,
    d: &Desired,
    p: &mut State,
    at: &Where<'_>,
    limit: Duration,
) -> Result<(), AwsError> {
    let cron = rc::effective(d.args.restore_check.as_ref(), d.environment);
    let region = bp::declared_region(&d.args).filter(|_| at.remote_key.is_some());
    let retain = d.args.retain_automated_backups;
    if cron.is_none() && region.is_none() {
        return remove(ctx, p, retain, limit).await;
    }
    let n = d.args.name.as_str();
    let locked = d.environment == Environment::Production;
    // The second region's vault, under the database's key there (locked in production).
    let copy = match (region, at.remote_key) {
        (Some(r), Some(remote_key)) => {
            let days = rc::remote_days(
                d.args.remote_retention_days,
                d.environment,
                d.args.backup_retention_days,
            );
            let remote = ctx.in_region(r);
            let vault = ensure_vault(&remote, &rc::vault_name(n), remote_key, &d.tags).await?;
            p.components
                .insert(REMOTE_VAULT_COMPONENT.into(), vault.arn.clone());
            lock(&remote, &rc::vault_name(n), &vault, locked.then_some(days)).await?;
            Some(CopyTo {
                vault_arn: vault.arn,
                delete_after_days: Some(days),
            })
        }
        _ => None,
    };
    let want = Want {
        name: n,
        engine: &d.args.engine,
        cron: cron.as_deref(),
        copy,
        retention_days: d.args.backup_retention_days,
        locked,
        resource: Some(at.resource),
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
    let vault = ensure_vault(ctx, &vault_name, at.key, &d.tags).await?;
    p.components
        .insert(VAULT_COMPONENT.into(), vault.arn.clone());
    let keep_days = want.locked.then_some(want.retention_days);
    lock(ctx, &vault_name, &vault, keep_days).await?;

    // The backup plan's one rule, and its selection of the database.
    let selection = ensure_plan(ctx, p, d, &want, &role, at.resource).await?;
    p.components.insert(SELECTION_COMPONENT.into(), selection);
    // A second region no longer declared (the rule copies there no more): its vault is left
    // with its copies where backups are kept, else emptied and deleted.
    leave_remote_vault(ctx, p, region, retain, limit).await?;

    // The restore test, or none.
    if want.cron.is_none() {
        return remove_test(ctx, p, limit).await;
    }
    ensure_test(ctx, p, d, &want, &role, &vault.arn, at).await
}

/// The isolated group (no rule in or out), the restore testing plan and its selection.
async fn ensure_test(
    ctx: &ProviderData,
    p: &mut State,
    d: &Desired,
    want: &Want<'_>,
    role: &str,
    vault_arn: &str,
    at: &Where<'_>,
) -> Result<(), AwsError> {
    let n = d.args.name.as_str();
    let sg = match ec2::find_sg(ctx, at.vpc, &rc::sg_name(n)).await? {
        Some(id) => id,
        None => {
            ec2::create_sg(
                ctx,
                at.vpc,
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
    let test_name = rc::test_plan_name(n);
    let wanted = rc::test_plan(want, vault_arn);
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
        resources: vec![at.resource.to_string()],
        role: role.to_string(),
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

/// The backup plan `<name>` with its one rule (made or set back), and its selection of
/// `resource` working as `role` (made anew where it selects another or works as another role);
/// the selection's id.
async fn ensure_plan(
    ctx: &ProviderData,
    p: &mut State,
    d: &Desired,
    want: &Want<'_>,
    role: &str,
    resource: &str,
) -> Result<String, AwsError> {
    let rule = rc::rule(want);
    let plan_name = rc::plan_name(&d.args.name);
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
    let keep = selection
        .as_ref()
        .filter(|s| s.resources == [resource.to_string()] && s.role.as_deref() == Some(role));
    match (keep, selection.as_ref()) {
        (Some(s), _) => Ok(s.id.clone()),
        (None, stale) => {
            if let Some(s) = stale {
                api::delete_selection(ctx, &plan_id, &s.id).await?;
            }
            // The role may be moments old.
            retry::settle(ctx, "backup selection", || {
                api::create_selection(ctx, &plan_id, SELECTION_NAME, role, resource)
            })
            .await
        }
    }
}

/// The vault `name` under `key`, made where there is none.
async fn ensure_vault(
    ctx: &ProviderData,
    name: &str,
    key: &str,
    tags: &Tags,
) -> Result<api::Vault, AwsError> {
    if let Some(v) = api::vault(ctx, name).await? {
        return Ok(v);
    }
    api::create_vault(ctx, name, key, tags).await?;
    api::vault(ctx, name)
        .await?
        .ok_or_else(|| crate::resources::datastore::invalid("backup vault", "vanished"))
}

/// The vault's Vault Lock (governance) set to keep points at least `days`, or lifted (`None`).
async fn lock(
    ctx: &ProviderData,
    name: &str,
    vault: &api::Vault,
    days: Option<i64>,
) -> Result<(), AwsError> {
    match (days, vault.min_retention_days) {
        (Some(d), have) if have != Some(d) => api::lock_vault(ctx, name, d).await,
        (None, Some(_)) => api::unlock_vault(ctx, name).await,
        _ => Ok(()),
    }
}

/// A recorded second-region vault in a region other than `region` (or with none declared): left
/// with its copies where `retain` keeps backups (deleted where it holds none), else emptied and
/// deleted; forgotten either way.
async fn leave_remote_vault(
    ctx: &ProviderData,
    p: &mut State,
    region: Option<&str>,
    retain: bool,
    limit: Duration,
) -> Result<(), AwsError> {
    let Some(old) = p
        .components
        .get(REMOTE_VAULT_COMPONENT)
        .and_then(|a| arn_region(a))
        .map(str::to_string)
    else {
        return Ok(());
    };
    if Some(old.as_str()) == region {
        return Ok(());
    }
    remove_vault(
        &ctx.in_region(&old),
        &rc::vault_name(&p.name),
        retain,
        limit,
    )
    .await?;
    p.components.remove(REMOTE_VAULT_COMPONENT);
    Ok(())
}

/// Removes the restore test: its plan and selection, and the isolated group.
async fn remove_test(ctx: &ProviderData, p: &mut State, limit: Duration) -> Result<(), AwsError> {
    let n = p.name.clone();
    if p.components.contains_key(TEST_PLAN_COMPONENT)
        || p.components.contains_key(TEST_SELECTION_COMPONENT)
    {
        api::delete_test_plan(ctx, &rc::test_plan_name(&n), SELECTION_NAME).await?;
    }
    p.components.remove(TEST_SELECTION_COMPONENT);
    p.components.remove(TEST_PLAN_COMPONENT);
    if let Some(sg) = p.components.get(SG_COMPONENT).cloned() {
        // A restored copy being deleted may hold the group a while.
        retry::while_in_use(ctx, "restore check security group deletion", limit, || {
            ec2::delete_sg(ctx, &sg)
        })
        .await?;
    }
    p.components.remove(SG_COMPONENT);
    Ok(())
}

/// Removes what AWS Backup keeps of the database, as recorded: the restore test, the backup plan,
/// the role; the vaults (here and in the second region) too, unless one holds recovery points and
/// `retain` keeps them (they expire by their lifecycle), in which case it is left (and no longer
/// recorded).
pub async fn remove(
    ctx: &ProviderData,
    p: &mut State,
    retain: bool,
    limit: Duration,
) -> Result<(), AwsError> {
    let recorded = COMPONENTS
        .iter()
        .chain(&[REMOTE_VAULT_COMPONENT])
        .any(|c| p.components.contains_key(*c));
    if !recorded {
        return Ok(());
    }
    let n = p.name.clone();
    remove_test(ctx, p, limit).await?;
    if p.components.contains_key(PLAN_COMPONENT) || p.components.contains_key(SELECTION_COMPONENT) {
        if let Some(id) = api::plan_id(ctx, &rc::plan_name(&n)).await? {
            api::delete_plan(ctx, &id).await?;
        }
    }
    p.components.remove(SELECTION_COMPONENT);
    p.components.remove(PLAN_COMPONENT);
    if p.components.contains_key(VAULT_COMPONENT) {
        remove_vault(ctx, &rc::vault_name(&n), retain, limit).await?;
    }
    p.components.remove(VAULT_COMPONENT);
    leave_remote_vault(ctx, p, None, retain, limit).await?;
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
