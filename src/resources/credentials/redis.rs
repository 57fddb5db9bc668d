//! `prod_redis_credentials`: the endpoint and AUTH token of a `prod_redis_cluster`, read from
//! ElastiCache and from the token's secret.

use async_trait::async_trait;

use super::{aws_failed, secret_string, userinfo, Credentials};
use crate::framework::decode::Tri;
use crate::framework::{Attribute, Diagnostic, Value};
use crate::provider::error::{found, AwsError};
use crate::provider::ProviderData;
use crate::resources::redis::blueprint::secret_name;

crate::attributes! {
    /// The opened credentials.
    pub struct Creds;
    /// The configuration, as given.
    pub struct Config;
    fields {
        redis_cluster_id: String = required("The `prod_redis_cluster` to connect to: its `id`."),
        host: String = computed("Endpoint host name: the configuration endpoint in cluster mode, else the primary endpoint."),
        port: i64 = computed("Port."),
        token: String = computed("The AUTH token, read from its secret (`<name>-auth`) at the moment Terraform opens this resource; never in plan or state.").sensitive(),
        uri: String = computed("A connection URI over TLS: `rediss://:token@host:port`.").sensitive(),
    }
}

pub struct Redis;

#[async_trait]
impl Credentials for Redis {
    const TYPE_NAME: &'static str = "prod_redis_credentials";

    const DESCRIPTION: &'static str = "The endpoint and AUTH token of a `prod_redis_cluster`, read at run time from ElastiCache and the token's secret (ephemeral: Terraform 1.10 or later keeps them out of plan and state).";
    const ID: (&'static str, &'static str, &'static str) =
        ("redis_cluster_id", "Redis cluster", PASS);

    fn attributes() -> Vec<Attribute> {
        Creds::attributes()
    }
    fn id(config: &Value) -> Tri<String> {
        Config::decode(config).redis_cluster_id
    }

    async fn read(ctx: &ProviderData, config: &Value) -> Result<Value, Diagnostic> {
        let id = Config::decode(config)
            .redis_cluster_id
            .into_known()
            .unwrap_or_default();
        let Some((host, port)) = endpoint(ctx, &id)
            .await
            .map_err(|e| aws_failed("Redis cluster", &e))?
        else {
            // Not made yet: a plan that creates the group opens this before it exists.
            return Ok(Config {
                redis_cluster_id: Tri::Known(id),
                host: Tri::Unknown,
                port: Tri::Unknown,
                token: Tri::Unknown,
                uri: Tri::Unknown,
            }
            .encode());
        };
        let token = secret_string(ctx, &secret_name(&id))
            .await
            .map_err(|e| aws_failed("Redis cluster's AUTH secret", &e))?;
        let uri = format!("rediss://:{}@{host}:{port}", userinfo(&token));
        Ok(Creds {
            redis_cluster_id: id,
            host,
            port,
            token,
            uri,
        }
        .encode())
    }
}

const PASS: &str = "prod_redis_cluster.<name>.id";

/// The group's endpoint (configuration endpoint in cluster mode, else the primary), `None` when
/// no group is named `id`.
async fn endpoint(ctx: &ProviderData, id: &str) -> Result<Option<(String, i64)>, AwsError> {
    let out = found(
        ctx.call(
            "replication group",
            ctx.elasticache()
                .describe_replication_groups()
                .replication_group_id(id)
                .send(),
        )
        .await,
    )?;
    Ok(out
        .and_then(|o| o.replication_groups.and_then(|v| v.into_iter().next()))
        .map(|g| {
            let e = g.configuration_endpoint.or_else(|| {
                g.node_groups
                    .and_then(|n| n.into_iter().next())
                    .and_then(|n| n.primary_endpoint)
            });
            (
                e.as_ref()
                    .and_then(|e| e.address.clone())
                    .unwrap_or_default(),
                e.and_then(|e| e.port).map_or(0, i64::from),
            )
        }))
}
