//! `prod_database_credentials`: the endpoint and master credentials of a `prod_database_ha`, read
//! from RDS and from the secret RDS manages.

use async_trait::async_trait;

use super::{aws_failed, secret_string, userinfo, Credentials};
use crate::framework::decode::Tri;
use crate::framework::{Attribute, Diagnostic, Value};
use crate::provider::error::found;
use crate::provider::ProviderData;

crate::attributes! {
    /// The opened credentials.
    pub struct Creds;
    /// The configuration, as given.
    pub struct Config;
    fields {
        database_id: String = required("The `prod_database_ha` to connect to: its `id`."),
        reader: Option<bool> = optional("Connect to the readers instead of the writer: Aurora's reader endpoint, or for RDS the first replica (`<name>-replica-1`). Default false."),
        host: String = computed("Endpoint host name."),
        port: i64 = computed("Engine port."),
        username: String = computed("The master user name."),
        password: String = computed("The master user's password, read from the secret RDS manages at the moment Terraform opens this resource; never in plan or state.").sensitive(),
        database: Option<String> = computed("The database to connect to: `postgres` for the PostgreSQL engines, null for MySQL (no database is made)."),
        uri: String = computed("A connection URI with TLS required: `postgresql://user:password@host:port/postgres?sslmode=require` or `mysql://user:password@host:port/?ssl-mode=REQUIRED`.").sensitive(),
    }
}

/// The store as RDS reports it: engine, endpoint, user, managed secret.
struct Facts {
    engine: String,
    host: String,
    port: i64,
    username: String,
    secret_arn: Option<String>,
}

pub struct Database;

#[async_trait]
impl Credentials for Database {
    const TYPE_NAME: &'static str = "prod_database_credentials";

    const DESCRIPTION: &'static str = "The connection details and master credentials of a `prod_database_ha`, read at run time from RDS and the master-password secret RDS manages (ephemeral: Terraform 1.10 or later keeps them out of plan and state).";
    const ID: (&'static str, &'static str, &'static str) =
        ("database_id", "database", "prod_database_ha.<name>.id");

    fn attributes() -> Vec<Attribute> {
        Creds::attributes()
    }
    fn id(config: &Value) -> Tri<String> {
        Config::decode(config).database_id
    }

    async fn read(ctx: &ProviderData, config: &Value) -> Result<Value, Diagnostic> {
        let cfg = Config::decode(config);
        let id = cfg.database_id.into_known().unwrap_or_default();
        let reader = cfg.reader == Tri::Known(true);
        let cfg_reader = cfg.reader.clone();
        let Some(facts) = facts(ctx, &id, reader)
            .await
            .map_err(|e| aws_failed("database", &e))?
        else {
            // Not made yet: a plan that creates the database opens this before it exists.
            return Ok(not_yet(cfg_reader, id));
        };
        let arn = facts.secret_arn.clone().ok_or_else(|| {
            Diagnostic::error(
                "The database has no managed master secret",
                format!("{id} does not keep its master password in Secrets Manager; prod_database_ha makes databases that do. Was it made outside this provider?"),
            )
        })?;
        let secret = secret_string(ctx, &arn)
            .await
            .map_err(|e| aws_failed("database's master secret", &e))?;
        let password = serde_json::from_str::<serde_json::Value>(&secret)
            .ok()
            .and_then(|v| {
                v.get("password")
                    .and_then(|p| p.as_str().map(str::to_string))
            })
            .ok_or_else(|| {
                Diagnostic::error(
                    "The master secret holds no password",
                    format!("The secret {arn} is not the JSON RDS writes (username and password)."),
                )
            })?;
        Ok(result(id, cfg_reader.known().copied(), facts, password).encode())
    }
}

/// The result while the database does not exist yet: every value known after apply.
fn not_yet(reader: Tri<bool>, id: String) -> Value {
    Config {
        database_id: Tri::Known(id),
        reader,
        host: Tri::Unknown,
        port: Tri::Unknown,
        username: Tri::Unknown,
        password: Tri::Unknown,
        database: Tri::Unknown,
        uri: Tri::Unknown,
    }
    .encode()
}

/// The opened result of `facts` with `password`.
fn result(id: String, reader: Option<bool>, f: Facts, password: String) -> Creds {
    let postgres = f.engine.contains("postgres");
    let database = postgres.then(|| "postgres".to_string());
    let user = userinfo(&f.username);
    let pass = userinfo(&password);
    let uri = if postgres {
        format!(
            "postgresql://{user}:{pass}@{}:{}/postgres?sslmode=require",
            f.host, f.port
        )
    } else {
        format!(
            "mysql://{user}:{pass}@{}:{}/?ssl-mode=REQUIRED",
            f.host, f.port
        )
    };
    Creds {
        database_id: id,
        reader,
        host: f.host,
        port: f.port,
        username: f.username,
        password,
        database,
        uri,
    }
}

/// The instance (RDS) or cluster (Aurora) named `id`, `None` when neither exists.
async fn facts(
    ctx: &ProviderData,
    id: &str,
    reader: bool,
) -> Result<Option<Facts>, crate::provider::error::AwsError> {
    let out = found(
        ctx.call(
            "database instance",
            ctx.rds()
                .describe_db_instances()
                .db_instance_identifier(id)
                .send(),
        )
        .await,
    )?;
    if let Some(i) = out.and_then(|o| o.db_instances.and_then(|v| v.into_iter().next())) {
        let mut f = Facts {
            engine: i.engine.unwrap_or_default(),
            host: i
                .endpoint
                .as_ref()
                .and_then(|e| e.address.clone())
                .unwrap_or_default(),
            port: i
                .endpoint
                .as_ref()
                .and_then(|e| e.port)
                .map_or(0, i64::from),
            username: i.master_username.unwrap_or_default(),
            secret_arn: i.master_user_secret.and_then(|s| s.secret_arn),
        };
        if reader && i.db_cluster_identifier.is_none() {
            let replica = crate::resources::database::blueprint::replica_id(id, 1);
            let r = found(
                ctx.call(
                    "database replica",
                    ctx.rds()
                        .describe_db_instances()
                        .db_instance_identifier(&replica)
                        .send(),
                )
                .await,
            )?
            .and_then(|o| o.db_instances.and_then(|v| v.into_iter().next()));
            let Some(r) = r else {
                return Ok(None);
            };
            f.host = r
                .endpoint
                .as_ref()
                .and_then(|e| e.address.clone())
                .unwrap_or_default();
        }
        return Ok(Some(f));
    }
    let out = found(
        ctx.call(
            "database cluster",
            ctx.rds()
                .describe_db_clusters()
                .db_cluster_identifier(id)
                .send(),
        )
        .await,
    )?;
    Ok(out
        .and_then(|o| o.db_clusters.and_then(|v| v.into_iter().next()))
        .map(|c| Facts {
            engine: c.engine.unwrap_or_default(),
            host: if reader {
                c.reader_endpoint
            } else {
                c.endpoint
            }
            .unwrap_or_default(),
            port: c.port.map_or(0, i64::from),
            username: c.master_username.unwrap_or_default(),
            secret_arn: c.master_user_secret.and_then(|s| s.secret_arn),
        }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(engine: &str) -> Facts {
        Facts {
            engine: engine.into(),
            host: "db.example".into(),
            port: 5433,
            username: "app_admin".into(),
            secret_arn: None,
        }
    }

    #[test]
    fn uri_per_engine_requires_tls() {
        struct Case {
            name: &'static str,
            engine: &'static str,
            want_uri: &'static str,
            want_database: Option<&'static str>,
        }
        for c in [
            Case {
                name: "postgres",
                engine: "postgres",
                want_uri: "postgresql://app_admin:p%40ss@db.example:5433/postgres?sslmode=require",
                want_database: Some("postgres"),
            },
            Case {
                name: "aurora postgres",
                engine: "aurora-postgresql",
                want_uri: "postgresql://app_admin:p%40ss@db.example:5433/postgres?sslmode=require",
                want_database: Some("postgres"),
            },
            Case {
                name: "mysql",
                engine: "mysql",
                want_uri: "mysql://app_admin:p%40ss@db.example:5433/?ssl-mode=REQUIRED",
                want_database: None,
            },
        ] {
            let r = result("db".into(), None, facts(c.engine), "p@ss".into());
            assert_eq!(r.uri, c.want_uri, "{}", c.name);
            assert_eq!(r.database.as_deref(), c.want_database, "{}", c.name);
            assert_eq!(r.password, "p@ss", "{}", c.name);
        }
    }
}
