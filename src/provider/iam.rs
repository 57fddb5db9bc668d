//! IAM roles and instance profiles the resources own: made or adopted by name, their policies put
//! in place on every apply, and removed with everything attached to them.

use std::collections::BTreeMap;

use super::error::{found, ok_if_missing, AwsError};
use super::ProviderData;

/// What a role carries besides its trust policy.
pub struct RoleSpec<'a> {
    pub name: &'a str,
    pub trust: String,
    /// Inline policies: (policy name, document).
    pub inline: Vec<(&'a str, String)>,
    /// Attached managed policy ARNs.
    pub managed: Vec<String>,
}

fn iam_tags(tags: &BTreeMap<String, String>) -> Vec<aws_sdk_iam::types::Tag> {
    tags.iter()
        .filter_map(|(k, v)| {
            aws_sdk_iam::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
                .ok()
        })
        .collect()
}

fn invalid(component: &str, message: &str) -> AwsError {
    AwsError::Invalid {
        component: component.to_string(),
        message: message.to_string(),
    }
}

/// Creates the role (or adopts one of that name), then sets its trust policy, inline and managed
/// policies to exactly `spec`. Returns the role ARN.
pub async fn ensure_role(
    ctx: &ProviderData,
    spec: &RoleSpec<'_>,
    tags: &BTreeMap<String, String>,
) -> Result<String, AwsError> {
    let name = spec.name;
    let c = format!("iam role {name}");
    let arn = match ctx
        .call(
            &c,
            ctx.iam()
                .create_role()
                .role_name(name)
                .assume_role_policy_document(spec.trust.clone())
                .set_tags(Some(iam_tags(tags)))
                .send(),
        )
        .await
    {
        Ok(out) => out
            .role
            .map(|r| r.arn)
            .ok_or_else(|| invalid(&c, "no role"))?,
        Err(e) if e.code() == Some("EntityAlreadyExists") => {
            ctx.call(
                &c,
                ctx.iam()
                    .update_assume_role_policy()
                    .role_name(name)
                    .policy_document(spec.trust.clone())
                    .send(),
            )
            .await?;
            role_arn(ctx, name)
                .await?
                .ok_or_else(|| invalid(&c, "role vanished"))?
        }
        Err(e) => return Err(e),
    };
    for (policy, doc) in &spec.inline {
        // The role may be moments old.
        super::retry::settle(ctx, &c, || {
            ctx.call(
                &c,
                ctx.iam()
                    .put_role_policy()
                    .role_name(name)
                    .policy_name(*policy)
                    .policy_document(doc.clone())
                    .send(),
            )
        })
        .await?;
    }
    let attached = attached_policies(ctx, name).await?;
    for m in spec.managed.iter().filter(|m| !attached.contains(m)) {
        super::retry::settle(ctx, &c, || {
            ctx.call(
                &c,
                ctx.iam()
                    .attach_role_policy()
                    .role_name(name)
                    .policy_arn(m)
                    .send(),
            )
        })
        .await?;
    }
    Ok(arn)
}

pub async fn role_arn(ctx: &ProviderData, name: &str) -> Result<Option<String>, AwsError> {
    Ok(found(
        ctx.call(
            &format!("iam role {name}"),
            ctx.iam().get_role().role_name(name).send(),
        )
        .await,
    )?
    .and_then(|out| out.role.map(|r| r.arn)))
}

async fn attached_policies(ctx: &ProviderData, role: &str) -> Result<Vec<String>, AwsError> {
    let out = ctx
        .call(
            &format!("iam role {role}"),
            ctx.iam()
                .list_attached_role_policies()
                .role_name(role)
                .send(),
        )
        .await?;
    Ok(out
        .attached_policies
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| p.policy_arn)
        .collect())
}

/// Deletes the role with its inline policies, managed attachments and instance-profile memberships.
pub async fn delete_role(ctx: &ProviderData, name: &str) -> Result<(), AwsError> {
    let c = format!("iam role {name}");
    let Some(out) = found(
        ctx.call(&c, ctx.iam().list_role_policies().role_name(name).send())
            .await,
    )?
    else {
        return Ok(());
    };
    let inline = out.policy_names;
    for p in inline {
        ok_if_missing(
            ctx.call(
                &c,
                ctx.iam()
                    .delete_role_policy()
                    .role_name(name)
                    .policy_name(p)
                    .send(),
            )
            .await
            .map(|_| ()),
        )?;
    }
    for m in attached_policies(ctx, name).await? {
        ok_if_missing(
            ctx.call(
                &c,
                ctx.iam()
                    .detach_role_policy()
                    .role_name(name)
                    .policy_arn(m)
                    .send(),
            )
            .await
            .map(|_| ()),
        )?;
    }
    let profiles = ctx
        .call(
            &c,
            ctx.iam()
                .list_instance_profiles_for_role()
                .role_name(name)
                .send(),
        )
        .await?;
    for p in profiles.instance_profiles {
        ok_if_missing(
            ctx.call(
                &c,
                ctx.iam()
                    .remove_role_from_instance_profile()
                    .instance_profile_name(p.instance_profile_name)
                    .role_name(name)
                    .send(),
            )
            .await
            .map(|_| ()),
        )?;
    }
    ok_if_missing(
        ctx.call(&c, ctx.iam().delete_role().role_name(name).send())
            .await
            .map(|_| ()),
    )
}

/// An instance profile: its ARN and the roles in it.
pub struct ProfileFacts {
    pub arn: String,
    pub roles: Vec<String>,
}

pub async fn instance_profile(
    ctx: &ProviderData,
    name: &str,
) -> Result<Option<ProfileFacts>, AwsError> {
    Ok(found(
        ctx.call(
            &format!("instance profile {name}"),
            ctx.iam()
                .get_instance_profile()
                .instance_profile_name(name)
                .send(),
        )
        .await,
    )?
    .and_then(|out| {
        out.instance_profile.map(|p| ProfileFacts {
            arn: p.arn,
            roles: p.roles.into_iter().map(|r| r.role_name).collect(),
        })
    }))
}

/// Creates the instance profile (or adopts it) holding exactly `role`. Returns its ARN.
pub async fn ensure_instance_profile(
    ctx: &ProviderData,
    name: &str,
    role: &str,
    tags: &BTreeMap<String, String>,
) -> Result<String, AwsError> {
    let c = format!("instance profile {name}");
    let facts = match instance_profile(ctx, name).await? {
        Some(f) => f,
        None => {
            let out = ctx
                .call(
                    &c,
                    ctx.iam()
                        .create_instance_profile()
                        .instance_profile_name(name)
                        .set_tags(Some(iam_tags(tags)))
                        .send(),
                )
                .await?;
            let arn = out
                .instance_profile
                .map(|p| p.arn)
                .ok_or_else(|| invalid(&c, "no instance profile"))?;
            ProfileFacts { arn, roles: vec![] }
        }
    };
    for other in facts.roles.iter().filter(|r| r.as_str() != role) {
        ctx.call(
            &c,
            ctx.iam()
                .remove_role_from_instance_profile()
                .instance_profile_name(name)
                .role_name(other)
                .send(),
        )
        .await?;
    }
    if !facts.roles.iter().any(|r| r == role) {
        // Profile and role may be moments old.
        super::retry::settle(ctx, &c, || {
            ctx.call(
                &c,
                ctx.iam()
                    .add_role_to_instance_profile()
                    .instance_profile_name(name)
                    .role_name(role)
                    .send(),
            )
        })
        .await?;
    }
    Ok(facts.arn)
}

pub async fn delete_instance_profile(ctx: &ProviderData, name: &str) -> Result<(), AwsError> {
    let c = format!("instance profile {name}");
    if let Some(f) = instance_profile(ctx, name).await? {
        for r in f.roles {
            ok_if_missing(
                ctx.call(
                    &c,
                    ctx.iam()
                        .remove_role_from_instance_profile()
                        .instance_profile_name(name)
                        .role_name(r)
                        .send(),
                )
                .await
                .map(|_| ()),
            )?;
        }
    }
    ok_if_missing(
        ctx.call(
            &c,
            ctx.iam()
                .delete_instance_profile()
                .instance_profile_name(name)
                .send(),
        )
        .await
        .map(|_| ()),
    )
}

/// Retags a role from `old` to `new` (keys no longer wanted are removed).
pub async fn tag_role(
    ctx: &ProviderData,
    name: &str,
    old: &BTreeMap<String, String>,
    tags: &BTreeMap<String, String>,
) -> Result<(), AwsError> {
    let c = format!("iam role {name}");
    let stale = super::tags::stale_keys(old, tags);
    if !stale.is_empty() {
        ctx.call(
            &c,
            ctx.iam()
                .untag_role()
                .role_name(name)
                .set_tag_keys(Some(stale))
                .send(),
        )
        .await?;
    }
    ctx.call(
        &c,
        ctx.iam()
            .tag_role()
            .role_name(name)
            .set_tags(Some(iam_tags(tags)))
            .send(),
    )
    .await
    .map(|_| ())
}

/// Makes sure the account has the service-linked role of `service` (e.g.
/// `autoscaling.amazonaws.com`), which key policies name as a principal. It belongs to the account,
/// is shared by everything there, and is never deleted here.
pub async fn ensure_service_linked_role(ctx: &ProviderData, service: &str) -> Result<(), AwsError> {
    match ctx
        .call(
            &format!("service-linked role for {service}"),
            ctx.iam()
                .create_service_linked_role()
                .aws_service_name(service)
                .send(),
        )
        .await
    {
        // "has been taken in this account": it exists already.
        Err(e) if !matches!(e.code(), Some("InvalidInput" | "EntityAlreadyExists")) => Err(e),
        _ => Ok(()),
    }
}
