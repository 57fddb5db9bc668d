//! RDS Proxy calls (`pooling`): the proxy, its default target group's pool, its target (the
//! primary, or Aurora's cluster) and Aurora's read-only endpoint.

use aws_sdk_rds::types::{
    AuthScheme, ClientPasswordAuthType, ConnectionPoolConfiguration, DbProxyEndpointTargetRole,
    EngineFamily, IamAuthMode, UserAuthConfig,
};

use crate::provider::error::{found, ok_if_missing, AwsError};
use crate::provider::ProviderData;

use super::{i32_of, rds_tags, Tags};

const C: &str = "db proxy";
/// The target group every proxy has.
pub const DEFAULT_TARGET_GROUP: &str = "default";

/// A proxy as RDS describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Proxy {
    pub arn: String,
    pub status: String,
    /// The proxy's (read/write) host name.
    pub endpoint: Option<String>,
    pub require_tls: bool,
    pub idle_client_timeout: i64,
    /// `REQUIRED`, `ENABLED` or `DISABLED` for the first (only) auth entry.
    pub iam_auth: String,
    /// The secret the proxy logs in with.
    pub secret_arn: Option<String>,
    pub role_arn: Option<String>,
    pub security_groups: Vec<String>,
    pub subnets: Vec<String>,
    pub vpc: Option<String>,
    pub debug_logging: bool,
}

/// The default target group's pool, as RDS describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pool {
    pub max_connections_percent: i64,
    pub max_idle_connections_percent: i64,
    pub borrow_timeout: i64,
}

/// A registered target: the instance or cluster it names, and whether it is healthy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target {
    /// The instance id (`RDS_INSTANCE`) or the cluster id (`TRACKED_CLUSTER`).
    pub id: String,
    pub state: Option<String>,
    /// Why it is not available, as RDS Proxy says.
    pub reason: Option<String>,
}

/// A proxy endpoint other than the default one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Endpoint {
    pub name: String,
    pub arn: String,
    pub status: String,
    pub host: Option<String>,
    pub read_only: bool,
}

/// What a proxy is made or set to.
pub struct ProxySpec<'a> {
    pub name: &'a str,
    pub postgres: bool,
    pub role_arn: &'a str,
    pub secret_arn: &'a str,
    pub subnets: &'a [String],
    pub security_group: &'a str,
    pub idle_client_timeout: i64,
}

fn auth(spec: &ProxySpec<'_>) -> UserAuthConfig {
    UserAuthConfig::builder()
        .auth_scheme(AuthScheme::Secrets)
        .secret_arn(spec.secret_arn)
        .iam_auth(IamAuthMode::Required)
        .client_password_auth_type(if spec.postgres {
            ClientPasswordAuthType::PostgresScramSha256
        } else {
            ClientPasswordAuthType::MysqlCachingSha2Password
        })
        .description("the master user, through IAM authentication only")
        .build()
}

/// The proxy `name`, `None` when there is none.
pub async fn proxy(ctx: &ProviderData, name: &str) -> Result<Option<Proxy>, AwsError> {
    let out = ctx
        .call(
            C,
            ctx.rds().describe_db_proxies().db_proxy_name(name).send(),
        )
        .await;
    let Some(out) = found(out)? else {
        return Ok(None);
    };
    Ok(out
        .db_proxies
        .unwrap_or_default()
        .into_iter()
        .next()
        .map(|p| {
            let first = p.auth.unwrap_or_default().into_iter().next();
            Proxy {
                arn: p.db_proxy_arn.unwrap_or_default(),
                status: p.status.map(|s| s.as_str().to_string()).unwrap_or_default(),
                endpoint: p.endpoint,
                require_tls: p.require_tls.unwrap_or(false),
                idle_client_timeout: p.idle_client_timeout.map_or(0, i64::from),
                iam_auth: first
                    .as_ref()
                    .and_then(|a| a.iam_auth.as_ref())
                    .map(|m| m.as_str().to_string())
                    .unwrap_or_default(),
                secret_arn: first.and_then(|a| a.secret_arn),
                role_arn: p.role_arn,
                security_groups: p.vpc_security_group_ids.unwrap_or_default(),
                subnets: p.vpc_subnet_ids.unwrap_or_default(),
                vpc: p.vpc_id,
                debug_logging: p.debug_logging.unwrap_or(false),
            }
        }))
}

/// Makes the proxy (TLS required, IAM authentication required, the master secret), tagged.
pub async fn create_proxy(
    ctx: &ProviderData,
    spec: &ProxySpec<'_>,
    tags: &Tags,
) -> Result<String, AwsError> {
    let out = ctx
        .call(
            C,
            ctx.rds()
                .create_db_proxy()
                .db_proxy_name(spec.name)
                .engine_family(if spec.postgres {
                    EngineFamily::Postgresql
                } else {
                    EngineFamily::Mysql
                })
                .auth(auth(spec))
                .role_arn(spec.role_arn)
                .set_vpc_subnet_ids(Some(spec.subnets.to_vec()))
                .vpc_security_group_ids(spec.security_group)
                .require_tls(true)
                .idle_client_timeout(i32_of(spec.idle_client_timeout))
                .debug_logging(false)
                .set_tags(Some(rds_tags(tags)))
                .send(),
        )
        .await?;
    Ok(out
        .db_proxy
        .and_then(|p| p.db_proxy_arn)
        .unwrap_or_default())
}

/// Sets the proxy's TLS, authentication, role, security group and idle timeout to `spec`.
pub async fn modify_proxy(ctx: &ProviderData, spec: &ProxySpec<'_>) -> Result<(), AwsError> {
    ctx.call(
        C,
        ctx.rds()
            .modify_db_proxy()
            .db_proxy_name(spec.name)
            .auth(auth(spec))
            .role_arn(spec.role_arn)
            .security_groups(spec.security_group)
            .require_tls(true)
            .idle_client_timeout(i32_of(spec.idle_client_timeout))
            .debug_logging(false)
            .send(),
    )
    .await
    .map(|_| ())
}

/// Deletes the proxy (its endpoints and targets go with it); gone already counts as done.
pub async fn delete_proxy(ctx: &ProviderData, name: &str) -> Result<(), AwsError> {
    ok_if_missing(
        ctx.call(C, ctx.rds().delete_db_proxy().db_proxy_name(name).send())
            .await
            .map(|_| ()),
    )
}

/// The default target group's pool.
pub async fn pool(ctx: &ProviderData, name: &str) -> Result<Option<Pool>, AwsError> {
    let out = ctx
        .call(
            C,
            ctx.rds()
                .describe_db_proxy_target_groups()
                .db_proxy_name(name)
                .target_group_name(DEFAULT_TARGET_GROUP)
                .send(),
        )
        .await;
    let Some(out) = found(out)? else {
        return Ok(None);
    };
    Ok(out
        .target_groups
        .unwrap_or_default()
        .into_iter()
        .next()
        .and_then(|g| g.connection_pool_config)
        .map(|c| Pool {
            max_connections_percent: c.max_connections_percent.map_or(0, i64::from),
            max_idle_connections_percent: c.max_idle_connections_percent.map_or(0, i64::from),
            borrow_timeout: c.connection_borrow_timeout.map_or(0, i64::from),
        }))
}

/// Sets the default target group's pool.
pub async fn set_pool(ctx: &ProviderData, name: &str, want: &Pool) -> Result<(), AwsError> {
    ctx.call(
        C,
        ctx.rds()
            .modify_db_proxy_target_group()
            .db_proxy_name(name)
            .target_group_name(DEFAULT_TARGET_GROUP)
            .connection_pool_config(
                ConnectionPoolConfiguration::builder()
                    .max_connections_percent(i32_of(want.max_connections_percent))
                    .max_idle_connections_percent(i32_of(want.max_idle_connections_percent))
                    .connection_borrow_timeout(i32_of(want.borrow_timeout))
                    .build(),
            )
            .send(),
    )
    .await
    .map(|_| ())
}

/// The default target group's targets (a cluster's member instances not listed apart).
pub async fn targets(ctx: &ProviderData, name: &str) -> Result<Vec<Target>, AwsError> {
    let out = ctx
        .call(
            C,
            ctx.rds()
                .describe_db_proxy_targets()
                .db_proxy_name(name)
                .target_group_name(DEFAULT_TARGET_GROUP)
                .send(),
        )
        .await;
    let Some(out) = found(out)? else {
        return Ok(vec![]);
    };
    Ok(out
        .targets
        .unwrap_or_default()
        .into_iter()
        .filter_map(|t| {
            let kind = t.r#type.as_ref().map(|k| k.as_str().to_string());
            let id = match kind.as_deref() {
                Some("TRACKED_CLUSTER") => t.tracked_cluster_id.clone().or(t.rds_resource_id),
                Some("RDS_INSTANCE") if t.tracked_cluster_id.is_none() => t.rds_resource_id,
                _ => None,
            }?;
            let health = t.target_health;
            Some(Target {
                id,
                state: health
                    .as_ref()
                    .and_then(|h| h.state.as_ref())
                    .map(|s| s.as_str().to_string()),
                reason: health.and_then(|h| {
                    h.description
                        .or_else(|| h.reason.map(|r| r.as_str().to_string()))
                }),
            })
        })
        .collect())
}

/// Registers the instance (or, `cluster`, the Aurora cluster) `id` as the proxy's target.
pub async fn register(
    ctx: &ProviderData,
    name: &str,
    id: &str,
    cluster: bool,
) -> Result<(), AwsError> {
    let call = ctx
        .rds()
        .register_db_proxy_targets()
        .db_proxy_name(name)
        .target_group_name(DEFAULT_TARGET_GROUP);
    let call = if cluster {
        call.db_cluster_identifiers(id)
    } else {
        call.db_instance_identifiers(id)
    };
    ctx.call(C, call.send()).await.map(|_| ())
}

/// Deregisters the instance (or cluster) `id`.
pub async fn deregister(
    ctx: &ProviderData,
    name: &str,
    id: &str,
    cluster: bool,
) -> Result<(), AwsError> {
    let call = ctx
        .rds()
        .deregister_db_proxy_targets()
        .db_proxy_name(name)
        .target_group_name(DEFAULT_TARGET_GROUP);
    let call = if cluster {
        call.db_cluster_identifiers(id)
    } else {
        call.db_instance_identifiers(id)
    };
    ok_if_missing(ctx.call(C, call.send()).await.map(|_| ()))
}

/// The proxy's endpoints other than its default one.
pub async fn endpoints(ctx: &ProviderData, name: &str) -> Result<Vec<Endpoint>, AwsError> {
    let out = ctx
        .call(
            C,
            ctx.rds()
                .describe_db_proxy_endpoints()
                .db_proxy_name(name)
                .send(),
        )
        .await;
    let Some(out) = found(out)? else {
        return Ok(vec![]);
    };
    Ok(out
        .db_proxy_endpoints
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e.is_default != Some(true))
        .map(|e| Endpoint {
            name: e.db_proxy_endpoint_name.unwrap_or_default(),
            arn: e.db_proxy_endpoint_arn.unwrap_or_default(),
            status: e.status.map(|s| s.as_str().to_string()).unwrap_or_default(),
            host: e.endpoint,
            read_only: e.target_role == Some(DbProxyEndpointTargetRole::ReadOnly),
        })
        .collect())
}

/// Makes the read-only endpoint `endpoint` of proxy `name` in its subnets and group.
pub async fn create_reader(
    ctx: &ProviderData,
    name: &str,
    endpoint: &str,
    subnets: &[String],
    security_group: &str,
    tags: &Tags,
) -> Result<String, AwsError> {
    let out = ctx
        .call(
            C,
            ctx.rds()
                .create_db_proxy_endpoint()
                .db_proxy_name(name)
                .db_proxy_endpoint_name(endpoint)
                .set_vpc_subnet_ids(Some(subnets.to_vec()))
                .vpc_security_group_ids(security_group)
                .target_role(DbProxyEndpointTargetRole::ReadOnly)
                .set_tags(Some(rds_tags(tags)))
                .send(),
        )
        .await?;
    Ok(out
        .db_proxy_endpoint
        .and_then(|e| e.db_proxy_endpoint_arn)
        .unwrap_or_default())
}

/// Deletes the endpoint `endpoint`; gone already counts as done.
pub async fn delete_endpoint(ctx: &ProviderData, endpoint: &str) -> Result<(), AwsError> {
    ok_if_missing(
        ctx.call(
            C,
            ctx.rds()
                .delete_db_proxy_endpoint()
                .db_proxy_endpoint_name(endpoint)
                .send(),
        )
        .await
        .map(|_| ()),
    )
}
