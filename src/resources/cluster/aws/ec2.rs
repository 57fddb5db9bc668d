//! EC2: subnets and images (looked up), security groups and their rules, the launch template.

use std::collections::BTreeSet;

use aws_sdk_ec2::types::{
    LaunchTemplateBlockDeviceMappingRequest, LaunchTemplateEbsBlockDeviceRequest,
    LaunchTemplateHttpTokensState, LaunchTemplateIamInstanceProfileSpecificationRequest,
    LaunchTemplateInstanceMetadataEndpointState, LaunchTemplateInstanceMetadataOptionsRequest,
    LaunchTemplateInstanceNetworkInterfaceSpecificationRequest,
    LaunchTemplateTagSpecificationRequest, LaunchTemplatesMonitoringRequest,
    RequestLaunchTemplateData, ResourceType, ResponseLaunchTemplateData, VolumeType,
};

use super::Tags;
pub use crate::provider::ec2::{
    create_sg, delete_sg, find_sg, sg_rules, subnets, sync_rules, Rules, SubnetFacts,
};
use crate::provider::ec2::{created, ec2_tags, tag_spec};
use crate::provider::error::{found, AwsError};
use crate::provider::ProviderData;
use crate::resources::cluster::blueprint::TemplateSpec;

/// The image's root device name (`/dev/xvda`, `/dev/sda1`), or `None` when there is no such image.
pub async fn root_device(ctx: &ProviderData, image: &str) -> Result<Option<String>, AwsError> {
    match found(
        ctx.call(
            &format!("image {image}"),
            ctx.ec2().describe_images().image_ids(image).send(),
        )
        .await,
    ) {
        Ok(out) => Ok(out.and_then(|out| {
            out.images
                .unwrap_or_default()
                .into_iter()
                .next()
                .map(|i| i.root_device_name.unwrap_or_else(|| "/dev/xvda".into()))
        })),
        // An id that is not even well formed names no image either.
        Err(e) if e.code() == Some("InvalidAMIID.Malformed") => Ok(None),
        Err(e) => Err(e),
    }
}

// ---- launch template ----

fn template_data(spec: &TemplateSpec, tags: &Tags, name: &str) -> RequestLaunchTemplateData {
    let tagged = |kind: ResourceType| {
        LaunchTemplateTagSpecificationRequest::builder()
            .resource_type(kind)
            .set_tags(Some(ec2_tags(tags, name)))
            .build()
    };
    RequestLaunchTemplateData::builder()
        .image_id(&spec.image_id)
        .instance_type(spec.instance_type.as_str().into())
        .set_user_data(spec.user_data.clone())
        .metadata_options(
            LaunchTemplateInstanceMetadataOptionsRequest::builder()
                .http_tokens(LaunchTemplateHttpTokensState::from(
                    spec.http_tokens.as_str(),
                ))
                .http_put_response_hop_limit(spec.hop_limit)
                .http_endpoint(if spec.http_endpoint_enabled {
                    LaunchTemplateInstanceMetadataEndpointState::Enabled
                } else {
                    LaunchTemplateInstanceMetadataEndpointState::Disabled
                })
                .build(),
        )
        .block_device_mappings(
            LaunchTemplateBlockDeviceMappingRequest::builder()
                .device_name(&spec.root_device)
                .ebs(
                    LaunchTemplateEbsBlockDeviceRequest::builder()
                        .volume_size(spec.volume_size)
                        .volume_type(VolumeType::from(spec.volume_type.as_str()))
                        .encrypted(spec.encrypted)
                        .set_kms_key_id(spec.kms_key.clone())
                        .delete_on_termination(true)
                        .build(),
                )
                .build(),
        )
        .network_interfaces(
            LaunchTemplateInstanceNetworkInterfaceSpecificationRequest::builder()
                .device_index(0)
                .associate_public_ip_address(spec.public_ip)
                .set_groups(Some(spec.security_groups.iter().cloned().collect()))
                .delete_on_termination(true)
                .build(),
        )
        .monitoring(
            LaunchTemplatesMonitoringRequest::builder()
                .enabled(spec.monitoring)
                .build(),
        )
        .set_iam_instance_profile(spec.instance_profile.as_ref().map(|arn| {
            LaunchTemplateIamInstanceProfileSpecificationRequest::builder()
                .arn(arn)
                .build()
        }))
        .tag_specifications(tagged(ResourceType::Instance))
        .tag_specifications(tagged(ResourceType::Volume))
        .build()
}

/// What a version holds, in the blueprint's terms.
pub fn spec_of(d: &ResponseLaunchTemplateData) -> TemplateSpec {
    let meta = d.metadata_options.as_ref();
    let root = d.block_device_mappings.iter().flatten().next();
    let ebs = root.and_then(|m| m.ebs.as_ref());
    let nic = d.network_interfaces.iter().flatten().next();
    let mut groups: BTreeSet<String> = nic
        .map(|n| n.groups().iter().cloned().collect())
        .unwrap_or_default();
    groups.extend(d.security_group_ids.iter().flatten().cloned());
    TemplateSpec {
        image_id: d.image_id.clone().unwrap_or_default(),
        instance_type: d
            .instance_type
            .as_ref()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        user_data: d.user_data.clone().filter(|u| !u.is_empty()),
        // Unset means AWS's default, which lets IMDSv1 answer.
        http_tokens: meta
            .and_then(|m| m.http_tokens.as_ref())
            .map(|t| t.as_str().to_string())
            .unwrap_or_else(|| "optional".into()),
        hop_limit: meta
            .and_then(|m| m.http_put_response_hop_limit)
            .unwrap_or(1),
        http_endpoint_enabled: meta
            .and_then(|m| m.http_endpoint.as_ref())
            .is_none_or(|e| *e == LaunchTemplateInstanceMetadataEndpointState::Enabled),
        root_device: root.and_then(|m| m.device_name.clone()).unwrap_or_default(),
        volume_size: ebs.and_then(|e| e.volume_size).unwrap_or_default(),
        volume_type: ebs
            .and_then(|e| e.volume_type.as_ref())
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        encrypted: ebs.and_then(|e| e.encrypted).unwrap_or(false),
        kms_key: ebs.and_then(|e| e.kms_key_id.clone()),
        // Unset follows the subnet's setting, which may give one.
        public_ip: nic
            .and_then(|n| n.associate_public_ip_address)
            .unwrap_or(true),
        security_groups: groups,
        monitoring: d
            .monitoring
            .as_ref()
            .and_then(|m| m.enabled)
            .unwrap_or(false),
        instance_profile: d
            .iam_instance_profile
            .as_ref()
            .and_then(|p| p.arn.clone().or(p.name.clone())),
    }
}

/// The template named: (id, default version, latest version).
pub async fn find_template(
    ctx: &ProviderData,
    name: &str,
) -> Result<Option<(String, i64, i64)>, AwsError> {
    // `found` covers `InvalidLaunchTemplateName.NotFoundException` (a "NotFound" code).
    Ok(found(
        ctx.call(
            &format!("launch template {name}"),
            ctx.ec2()
                .describe_launch_templates()
                .launch_template_names(name)
                .send(),
        )
        .await,
    )?
    .and_then(|out| {
        out.launch_templates
            .unwrap_or_default()
            .into_iter()
            .next()
            .map(|t| {
                (
                    t.launch_template_id.unwrap_or_default(),
                    t.default_version_number.unwrap_or(1),
                    t.latest_version_number.unwrap_or(1),
                )
            })
    }))
}

/// Creates the template with `spec` as version 1; returns its id.
pub async fn create_template(
    ctx: &ProviderData,
    name: &str,
    spec: &TemplateSpec,
    tags: &Tags,
) -> Result<String, AwsError> {
    created(
        ctx,
        &format!("launch template {name}"),
        ctx.ec2()
            .create_launch_template()
            .launch_template_name(name)
            .version_description("prod_cluster")
            .launch_template_data(template_data(spec, tags, name))
            .tag_specifications(tag_spec(ResourceType::LaunchTemplate, tags, name))
            .send(),
        |out| out.launch_template.and_then(|t| t.launch_template_id),
        "no template id",
    )
    .await
}

/// Adds a version holding exactly `spec` and makes it the default; returns its number.
pub async fn create_version(
    ctx: &ProviderData,
    id: &str,
    name: &str,
    spec: &TemplateSpec,
    tags: &Tags,
) -> Result<i64, AwsError> {
    let v = created(
        ctx,
        &format!("launch template {name}"),
        ctx.ec2()
            .create_launch_template_version()
            .launch_template_id(id)
            .version_description("prod_cluster")
            .launch_template_data(template_data(spec, tags, name))
            .send(),
        |out| out.launch_template_version.and_then(|v| v.version_number),
        "no version number",
    )
    .await?;
    set_default(ctx, id, name, v).await?;
    Ok(v)
}

/// Makes `version` the template's default.
pub async fn set_default(
    ctx: &ProviderData,
    id: &str,
    name: &str,
    version: i64,
) -> Result<(), AwsError> {
    ctx.call(
        &format!("launch template {name}"),
        ctx.ec2()
            .modify_launch_template()
            .launch_template_id(id)
            .default_version(version.to_string())
            .send(),
    )
    .await
    .map(|_| ())
}

/// A version as read: number, whether it is the default, and its settings.
#[derive(Clone, Debug)]
pub struct VersionFacts {
    pub number: i64,
    pub default: bool,
    pub spec: TemplateSpec,
}

/// The default version and `version`, in one call.
pub async fn versions(
    ctx: &ProviderData,
    id: &str,
    version: Option<i64>,
) -> Result<Vec<VersionFacts>, AwsError> {
    let mut wanted = vec!["$Default".to_string()];
    if let Some(v) = version {
        wanted.push(v.to_string());
    }
    // None when the template is gone: no versions.
    Ok(found(
        ctx.call(
            "launch template versions",
            ctx.ec2()
                .describe_launch_template_versions()
                .launch_template_id(id)
                .set_versions(Some(wanted))
                .send(),
        )
        .await,
    )?
    .map(|out| {
        out.launch_template_versions
            .unwrap_or_default()
            .into_iter()
            .map(|v| VersionFacts {
                number: v.version_number.unwrap_or_default(),
                default: v.default_version.unwrap_or(false),
                spec: v
                    .launch_template_data
                    .as_ref()
                    .map(spec_of)
                    .unwrap_or_default(),
            })
            .collect()
    })
    .unwrap_or_default())
}

/// Deletes the template named, if there is one (looked up first: deleting a missing one by name is
/// an error in some implementations).
pub async fn delete_template(ctx: &ProviderData, name: &str) -> Result<(), AwsError> {
    let Some((id, _, _)) = find_template(ctx, name).await? else {
        return Ok(());
    };
    match ctx
        .call(
            &format!("launch template {name}"),
            ctx.ec2()
                .delete_launch_template()
                .launch_template_id(id)
                .send(),
        )
        .await
    {
        Ok(_) => Ok(()),
        Err(e)
            if e.is_not_found()
                || e.code() == Some("InvalidLaunchTemplateName.NotFoundException") =>
        {
            Ok(())
        }
        Err(e) => Err(e),
    }
}
