//! AWS Backup calls (`restore_check`): the vault and its lock, the backup plan and its selection,
//! recovery points, the restore testing plan and its selection.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_backup::types::{
    BackupPlanInput, BackupRuleInput, BackupSelection, CopyAction, Lifecycle,
    RestoreTestingPlanForCreate, RestoreTestingPlanForUpdate, RestoreTestingRecoveryPointSelection,
    RestoreTestingRecoveryPointSelectionAlgorithm, RestoreTestingRecoveryPointType,
    RestoreTestingSelectionForCreate, RestoreTestingSelectionForUpdate,
};

use crate::provider::error::{found, ok_if_missing, AwsError};
use crate::provider::ProviderData;
use crate::resources::datastore::invalid;

use super::{i32_of, Tags};

const C: &str = "backup";

/// A vault as AWS Backup describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vault {
    pub arn: String,
    pub key_arn: Option<String>,
    /// The Vault Lock's minimum retention, where it has one.
    pub min_retention_days: Option<i64>,
    pub points: i64,
}

/// A backup plan's rule, as far as the provider sets it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rule {
    pub name: String,
    pub vault: String,
    pub schedule: String,
    pub delete_after_days: Option<i64>,
    pub start_window: i64,
    pub completion_window: i64,
    /// Copies of each recovery point to other vaults (another region's).
    pub copies: Vec<CopyTo>,
}

/// A rule's copy of each recovery point: to the vault `vault_arn`, kept `delete_after_days`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CopyTo {
    pub vault_arn: String,
    pub delete_after_days: Option<i64>,
}

/// A backup plan: its id, ARN and rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub id: String,
    pub arn: String,
    pub rules: Vec<Rule>,
}

/// A backup selection: its id, role and resources.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub id: String,
    pub role: Option<String>,
    pub resources: Vec<String>,
}

/// A restore testing plan, as far as the provider sets it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TestPlan {
    pub arn: String,
    pub schedule: String,
    pub start_window_hours: i64,
    pub algorithm: String,
    pub vaults: Vec<String>,
    pub point_types: Vec<String>,
    pub window_days: i64,
}

/// A restore testing selection, as far as the provider sets it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TestSelection {
    pub resource_type: String,
    pub resources: Vec<String>,
    pub role: String,
    pub overrides: BTreeMap<String, String>,
    pub validation_window_hours: i64,
}

fn hash(tags: &Tags) -> HashMap<String, String> {
    tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// The vault `name`, `None` when there is none.
pub async fn vault(ctx: &ProviderData, name: &str) -> Result<Option<Vault>, AwsError> {
    let out = ctx
        .call(
            C,
            ctx.backup()
                .describe_backup_vault()
                .backup_vault_name(name)
                .send(),
        )
        .await;
    Ok(found(out)?.map(|v| Vault {
        arn: v.backup_vault_arn.unwrap_or_default(),
        key_arn: v.encryption_key_arn,
        // Present while a Vault Lock is configured, governance or compliance.
        min_retention_days: v.min_retention_days,
        points: v.number_of_recovery_points,
    }))
}

/// Makes the vault, encrypted with `key`, tagged; its ARN.
pub async fn create_vault(
    ctx: &ProviderData,
    name: &str,
    key: &str,
    tags: &Tags,
) -> Result<String, AwsError> {
    let out = ctx
        .call(
            C,
            ctx.backup()
                .create_backup_vault()
                .backup_vault_name(name)
                .encryption_key_arn(key)
                .set_backup_vault_tags(Some(hash(tags)))
                .send(),
        )
        .await?;
    out.backup_vault_arn
        .ok_or_else(|| invalid(C, "no vault ARN"))
}

/// A Vault Lock in governance mode (no grace time): recovery points kept at least `days`.
pub async fn lock_vault(ctx: &ProviderData, name: &str, days: i64) -> Result<(), AwsError> {
    ctx.call(
        C,
        ctx.backup()
            .put_backup_vault_lock_configuration()
            .backup_vault_name(name)
            .min_retention_days(days)
            .send(),
    )
    .await
    .map(|_| ())
}

/// Removes a governance-mode Vault Lock.
pub async fn unlock_vault(ctx: &ProviderData, name: &str) -> Result<(), AwsError> {
    ok_if_missing(
        ctx.call(
            C,
            ctx.backup()
                .delete_backup_vault_lock_configuration()
                .backup_vault_name(name)
                .send(),
        )
        .await
        .map(|_| ()),
    )
}

/// Deletes the vault (it must hold no recovery point); gone already counts as done.
pub async fn delete_vault(ctx: &ProviderData, name: &str) -> Result<(), AwsError> {
    ok_if_missing(
        ctx.call(
            C,
            ctx.backup()
                .delete_backup_vault()
                .backup_vault_name(name)
                .send(),
        )
        .await
        .map(|_| ()),
    )
}

/// The ARNs of every recovery point in the vault.
pub async fn recovery_points(ctx: &ProviderData, vault: &str) -> Result<Vec<String>, AwsError> {
    let mut arns = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let out = ctx
            .call(
                C,
                ctx.backup()
                    .list_recovery_points_by_backup_vault()
                    .backup_vault_name(vault)
                    .set_next_token(next.clone())
                    .send(),
            )
            .await;
        let Some(out) = found(out)? else {
            return Ok(arns);
        };
        arns.extend(
            out.recovery_points
                .unwrap_or_default()
                .into_iter()
                .filter_map(|p| p.recovery_point_arn),
        );
        next = out.next_token;
        if next.is_none() {
            return Ok(arns);
        }
    }
}

/// Deletes one recovery point; gone already counts as done.
pub async fn delete_recovery_point(
    ctx: &ProviderData,
    vault: &str,
    arn: &str,
) -> Result<(), AwsError> {
    ok_if_missing(
        ctx.call(
            C,
            ctx.backup()
                .delete_recovery_point()
                .backup_vault_name(vault)
                .recovery_point_arn(arn)
                .send(),
        )
        .await
        .map(|_| ()),
    )
}

/// The id of the backup plan named `name`, `None` when there is none.
pub async fn plan_id(ctx: &ProviderData, name: &str) -> Result<Option<String>, AwsError> {
    let mut next: Option<String> = None;
    loop {
        let out = ctx
            .call(
                C,
                ctx.backup()
                    .list_backup_plans()
                    .set_next_token(next.clone())
                    .send(),
            )
            .await?;
        let hit = out
            .backup_plans_list
            .unwrap_or_default()
            .into_iter()
            .find(|p| p.backup_plan_name.as_deref() == Some(name) && p.deletion_date.is_none())
            .and_then(|p| p.backup_plan_id);
        if hit.is_some() {
            return Ok(hit);
        }
        next = out.next_token;
        if next.is_none() {
            return Ok(None);
        }
    }
}

/// The backup plan `id`, `None` when there is none.
pub async fn plan(ctx: &ProviderData, id: &str) -> Result<Option<Plan>, AwsError> {
    let out = ctx
        .call(C, ctx.backup().get_backup_plan().backup_plan_id(id).send())
        .await;
    let Some(out) = found(out)? else {
        return Ok(None);
    };
    if out.deletion_date.is_some() {
        return Ok(None);
    }
    let rules = out
        .backup_plan
        .map(|p| p.rules)
        .unwrap_or_default()
        .into_iter()
        .map(|r| Rule {
            name: r.rule_name,
            vault: r.target_backup_vault_name,
            schedule: r.schedule_expression.unwrap_or_default(),
            delete_after_days: r.lifecycle.and_then(|l| l.delete_after_days),
            start_window: r.start_window_minutes.unwrap_or_default(),
            completion_window: r.completion_window_minutes.unwrap_or_default(),
            copies: r
                .copy_actions
                .unwrap_or_default()
                .into_iter()
                .map(|c| CopyTo {
                    vault_arn: c.destination_backup_vault_arn,
                    delete_after_days: c.lifecycle.and_then(|l| l.delete_after_days),
                })
                .collect(),
        })
        .collect();
    Ok(Some(Plan {
        id: id.to_string(),
        arn: out.backup_plan_arn.unwrap_or_default(),
        rules,
    }))
}

fn plan_input(name: &str, rule: &Rule) -> Result<BackupPlanInput, AwsError> {
    let copies = rule
        .copies
        .iter()
        .map(|c| {
            CopyAction::builder()
                .destination_backup_vault_arn(&c.vault_arn)
                .lifecycle(
                    Lifecycle::builder()
                        .set_delete_after_days(c.delete_after_days)
                        .build(),
                )
                .build()
                .map_err(|e| invalid(C, e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let r = BackupRuleInput::builder()
        .rule_name(&rule.name)
        .target_backup_vault_name(&rule.vault)
        .schedule_expression(&rule.schedule)
        .start_window_minutes(rule.start_window)
        .completion_window_minutes(rule.completion_window)
        .lifecycle(
            Lifecycle::builder()
                .set_delete_after_days(rule.delete_after_days)
                .build(),
        )
        .set_copy_actions((!copies.is_empty()).then_some(copies))
        .build()
        .map_err(|e| invalid(C, e.to_string()))?;
    BackupPlanInput::builder()
        .backup_plan_name(name)
        .rules(r)
        .build()
        .map_err(|e| invalid(C, e.to_string()))
}

/// Makes the backup plan with its one rule, tagged; (id, ARN).
pub async fn create_plan(
    ctx: &ProviderData,
    name: &str,
    rule: &Rule,
    tags: &Tags,
) -> Result<(String, String), AwsError> {
    let out = ctx
        .call(
            C,
            ctx.backup()
                .create_backup_plan()
                .backup_plan(plan_input(name, rule)?)
                .set_backup_plan_tags(Some(hash(tags)))
                .send(),
        )
        .await?;
    Ok((
        out.backup_plan_id.unwrap_or_default(),
        out.backup_plan_arn.unwrap_or_default(),
    ))
}

/// Sets the plan's rules to the one `rule`.
pub async fn update_plan(
    ctx: &ProviderData,
    id: &str,
    name: &str,
    rule: &Rule,
) -> Result<(), AwsError> {
    ctx.call(
        C,
        ctx.backup()
            .update_backup_plan()
            .backup_plan_id(id)
            .backup_plan(plan_input(name, rule)?)
            .send(),
    )
    .await
    .map(|_| ())
}

/// Deletes the plan (its selections first); gone already counts as done.
pub async fn delete_plan(ctx: &ProviderData, id: &str) -> Result<(), AwsError> {
    for s in selections(ctx, id).await? {
        delete_selection(ctx, id, &s.0).await?;
    }
    ok_if_missing(
        ctx.call(
            C,
            ctx.backup().delete_backup_plan().backup_plan_id(id).send(),
        )
        .await
        .map(|_| ()),
    )
}

/// The plan's selections: (id, name).
pub async fn selections(ctx: &ProviderData, plan: &str) -> Result<Vec<(String, String)>, AwsError> {
    let out = ctx
        .call(
            C,
            ctx.backup()
                .list_backup_selections()
                .backup_plan_id(plan)
                .send(),
        )
        .await;
    Ok(found(out)?
        .and_then(|o| o.backup_selections_list)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|s| Some((s.selection_id?, s.selection_name.unwrap_or_default())))
        .collect())
}

/// The selection named `name` of the plan, `None` when there is none.
pub async fn selection(
    ctx: &ProviderData,
    plan: &str,
    name: &str,
) -> Result<Option<Selection>, AwsError> {
    let Some((id, _)) = selections(ctx, plan)
        .await?
        .into_iter()
        .find(|(_, n)| n == name)
    else {
        return Ok(None);
    };
    let out = ctx
        .call(
            C,
            ctx.backup()
                .get_backup_selection()
                .backup_plan_id(plan)
                .selection_id(&id)
                .send(),
        )
        .await;
    Ok(found(out)?
        .and_then(|o| o.backup_selection)
        .map(|s| Selection {
            id,
            role: Some(s.iam_role_arn),
            resources: s.resources.unwrap_or_default(),
        }))
}

/// Selects `resource` into the plan, AWS Backup working as `role`; the selection's id.
pub async fn create_selection(
    ctx: &ProviderData,
    plan: &str,
    name: &str,
    role: &str,
    resource: &str,
) -> Result<String, AwsError> {
    let s = BackupSelection::builder()
        .selection_name(name)
        .iam_role_arn(role)
        .resources(resource)
        .build()
        .map_err(|e| invalid(C, e.to_string()))?;
    let out = ctx
        .call(
            C,
            ctx.backup()
                .create_backup_selection()
                .backup_plan_id(plan)
                .backup_selection(s)
                .send(),
        )
        .await?;
    Ok(out.selection_id.unwrap_or_default())
}

/// Deletes a selection; gone already counts as done.
pub async fn delete_selection(ctx: &ProviderData, plan: &str, id: &str) -> Result<(), AwsError> {
    ok_if_missing(
        ctx.call(
            C,
            ctx.backup()
                .delete_backup_selection()
                .backup_plan_id(plan)
                .selection_id(id)
                .send(),
        )
        .await
        .map(|_| ()),
    )
}

fn point_selection(t: &TestPlan) -> RestoreTestingRecoveryPointSelection {
    RestoreTestingRecoveryPointSelection::builder()
        .algorithm(RestoreTestingRecoveryPointSelectionAlgorithm::from(
            t.algorithm.as_str(),
        ))
        .set_include_vaults(Some(t.vaults.clone()))
        .set_recovery_point_types(Some(
            t.point_types
                .iter()
                .map(|p| RestoreTestingRecoveryPointType::from(p.as_str()))
                .collect(),
        ))
        .selection_window_days(i32_of(t.window_days))
        .build()
}

/// The restore testing plan `name`, `None` when there is none.
pub async fn test_plan(ctx: &ProviderData, name: &str) -> Result<Option<TestPlan>, AwsError> {
    let out = ctx
        .call(
            C,
            ctx.backup()
                .get_restore_testing_plan()
                .restore_testing_plan_name(name)
                .send(),
        )
        .await;
    Ok(found(out)?.and_then(|o| o.restore_testing_plan).map(|p| {
        let sel = p
            .recovery_point_selection
            .unwrap_or_else(|| RestoreTestingRecoveryPointSelection::builder().build());
        TestPlan {
            arn: p.restore_testing_plan_arn,
            schedule: p.schedule_expression,
            start_window_hours: i64::from(p.start_window_hours),
            algorithm: sel
                .algorithm
                .map(|a| a.as_str().to_string())
                .unwrap_or_default(),
            vaults: sel.include_vaults.unwrap_or_default(),
            point_types: sel
                .recovery_point_types
                .unwrap_or_default()
                .iter()
                .map(|t| t.as_str().to_string())
                .collect(),
            window_days: i64::from(sel.selection_window_days),
        }
    }))
}

/// Makes the restore testing plan, tagged; its ARN.
pub async fn create_test_plan(
    ctx: &ProviderData,
    name: &str,
    t: &TestPlan,
    tags: &Tags,
) -> Result<String, AwsError> {
    let plan = RestoreTestingPlanForCreate::builder()
        .restore_testing_plan_name(name)
        .schedule_expression(&t.schedule)
        .start_window_hours(i32_of(t.start_window_hours))
        .recovery_point_selection(point_selection(t))
        .build()
        .map_err(|e| invalid(C, e.to_string()))?;
    let out = ctx
        .call(
            C,
            ctx.backup()
                .create_restore_testing_plan()
                .restore_testing_plan(plan)
                .set_tags(Some(hash(tags)))
                .send(),
        )
        .await?;
    Ok(out.restore_testing_plan_arn)
}

/// Sets the restore testing plan to `t`.
pub async fn update_test_plan(
    ctx: &ProviderData,
    name: &str,
    t: &TestPlan,
) -> Result<(), AwsError> {
    let plan = RestoreTestingPlanForUpdate::builder()
        .schedule_expression(&t.schedule)
        .start_window_hours(i32_of(t.start_window_hours))
        .recovery_point_selection(point_selection(t))
        .build();
    ctx.call(
        C,
        ctx.backup()
            .update_restore_testing_plan()
            .restore_testing_plan_name(name)
            .restore_testing_plan(plan)
            .send(),
    )
    .await
    .map(|_| ())
}

/// Deletes the restore testing plan (its selection first); gone already counts as done.
pub async fn delete_test_plan(
    ctx: &ProviderData,
    name: &str,
    selection: &str,
) -> Result<(), AwsError> {
    delete_test_selection(ctx, name, selection).await?;
    ok_if_missing(
        ctx.call(
            C,
            ctx.backup()
                .delete_restore_testing_plan()
                .restore_testing_plan_name(name)
                .send(),
        )
        .await
        .map(|_| ()),
    )
}

/// The restore testing selection `name` of the plan, `None` when there is none.
pub async fn test_selection(
    ctx: &ProviderData,
    plan: &str,
    name: &str,
) -> Result<Option<TestSelection>, AwsError> {
    let out = ctx
        .call(
            C,
            ctx.backup()
                .get_restore_testing_selection()
                .restore_testing_plan_name(plan)
                .restore_testing_selection_name(name)
                .send(),
        )
        .await;
    Ok(found(out)?
        .and_then(|o| o.restore_testing_selection)
        .map(|s| TestSelection {
            resource_type: s.protected_resource_type,
            resources: s.protected_resource_arns.unwrap_or_default(),
            role: s.iam_role_arn,
            overrides: s
                .restore_metadata_overrides
                .unwrap_or_default()
                .into_iter()
                .collect(),
            validation_window_hours: i64::from(s.validation_window_hours),
        }))
}

/// Makes the restore testing selection.
pub async fn create_test_selection(
    ctx: &ProviderData,
    plan: &str,
    name: &str,
    s: &TestSelection,
) -> Result<(), AwsError> {
    let sel = RestoreTestingSelectionForCreate::builder()
        .restore_testing_selection_name(name)
        .protected_resource_type(&s.resource_type)
        .set_protected_resource_arns(Some(s.resources.clone()))
        .iam_role_arn(&s.role)
        .set_restore_metadata_overrides(Some(s.overrides.clone().into_iter().collect()))
        .validation_window_hours(i32_of(s.validation_window_hours))
        .build()
        .map_err(|e| invalid(C, e.to_string()))?;
    ctx.call(
        C,
        ctx.backup()
            .create_restore_testing_selection()
            .restore_testing_plan_name(plan)
            .restore_testing_selection(sel)
            .send(),
    )
    .await
    .map(|_| ())
}

/// Sets the restore testing selection to `s` (its resource type cannot change).
pub async fn update_test_selection(
    ctx: &ProviderData,
    plan: &str,
    name: &str,
    s: &TestSelection,
) -> Result<(), AwsError> {
    let sel = RestoreTestingSelectionForUpdate::builder()
        .set_protected_resource_arns(Some(s.resources.clone()))
        .iam_role_arn(&s.role)
        .set_restore_metadata_overrides(Some(s.overrides.clone().into_iter().collect()))
        .validation_window_hours(i32_of(s.validation_window_hours))
        .build();
    ctx.call(
        C,
        ctx.backup()
            .update_restore_testing_selection()
            .restore_testing_plan_name(plan)
            .restore_testing_selection_name(name)
            .restore_testing_selection(sel)
            .send(),
    )
    .await
    .map(|_| ())
}

/// Deletes the restore testing selection; gone already counts as done.
pub async fn delete_test_selection(
    ctx: &ProviderData,
    plan: &str,
    name: &str,
) -> Result<(), AwsError> {
    ok_if_missing(
        ctx.call(
            C,
            ctx.backup()
                .delete_restore_testing_selection()
                .restore_testing_plan_name(plan)
                .restore_testing_selection_name(name)
                .send(),
        )
        .await
        .map(|_| ()),
    )
}

/// Moves the tags of an AWS Backup resource (vault, plan, restore testing plan) from `old` to
/// `new`: keys no longer wanted removed, the rest set.
pub async fn retag(ctx: &ProviderData, arn: &str, old: &Tags, new: &Tags) -> Result<(), AwsError> {
    let gone: Vec<String> = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    if !gone.is_empty() {
        ctx.call(
            C,
            ctx.backup()
                .untag_resource()
                .resource_arn(arn)
                .set_tag_key_list(Some(gone))
                .send(),
        )
        .await?;
    }
    if new.is_empty() {
        return Ok(());
    }
    ctx.call(
        C,
        ctx.backup()
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(hash(new)))
            .send(),
    )
    .await
    .map(|_| ())
}
