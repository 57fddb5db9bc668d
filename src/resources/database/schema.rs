//! The `prod_database_ha` schema.

use crate::framework::{Attribute, Block, Schema, Type};

pub const TYPE_NAME: &str = "prod_database_ha";
pub const ENGINES: [&str; 4] = ["postgres", "mysql", "aurora-postgresql", "aurora-mysql"];
/// Multi-AZ databases take 15-40 minutes to create; deleting with a final snapshot takes long too.
pub const DEFAULT_TIMEOUT: &str = "90m";

pub fn schema() -> Schema {
    let s = |n: &str, d: &str| Attribute::computed(n, Type::String, d);
    Schema {
        version: 0,
        block: Block::new(
            "A highly-available PostgreSQL or MySQL database (RDS or Aurora): Multi-AZ primary, read replicas in the other zones, KMS encryption, backups in the 02:00 window with point-in-time recovery, deletion protection, a final snapshot on destroy, a parameter group forcing TLS, a managed master password in Secrets Manager, enhanced monitoring and log exports.",
        )
        .attr(Attribute::computed("id", Type::String, "Same as `name`."))
        .attr(Attribute::required("name", Type::String, "Name of the database (at most 50 characters: letters, digits and hyphens, starting with a letter); the primary is called this, replicas `<name>-replica-<n>`. Changing it replaces the database, which `deletion_protection` refuses."))
        .attr(Attribute::required("engine", Type::String, "`postgres`, `mysql`, `aurora-postgresql` or `aurora-mysql`. Changing it replaces the database, which `deletion_protection` refuses."))
        .attr(Attribute::required("subnet_ids", Type::list(Type::String), "Private subnets for the database, spanning at least 2 availability zones (3 recommended in production)."))
        .attr(Attribute::required("allowed_security_group_ids", Type::list(Type::String), "Security groups whose members may connect on the engine port (e.g. `prod_cluster.web.security_group_id`); no one else can."))
        .attr(Attribute::defaulted("engine_version", Type::String, "Major (or major.minor) version to pin: `16` for PostgreSQL, `8.0` for MySQL by default. Automatic minor upgrades never show as a diff (see `engine_version_actual`); a new major upgrades in place."))
        .attr(Attribute::defaulted("instance_class", Type::String, "Instance class (profile default: db.t4g.medium in development, db.r6g.large otherwise). Changes in place."))
        .attr(Attribute::defaulted("allocated_storage", Type::Number, "Storage in GiB (profile default 20 / 50 / 100). Grows in place; it cannot shrink. Not used by Aurora, whose storage grows by itself (reads 0)."))
        .attr(Attribute::defaulted("max_allocated_storage", Type::Number, "Storage autoscaling ceiling in GiB (profile default 100 / 500 / 1000). Not used by Aurora (reads 0)."))
        .attr(Attribute::defaulted("replicas", Type::Number, "Read replicas, spread over the other zones (profile default 0 / 1 / 2). Changes in place."))
        .attr(Attribute::defaulted("multi_az", Type::Bool, "Synchronous standby in another zone (profile default: off in development, on otherwise; production refuses false). For Aurora it means readers in other zones, so it follows `replicas`."))
        .attr(Attribute::defaulted("backup_retention_days", Type::Number, "Days of automated backups and point-in-time recovery (profile default 1 / 7 / 30; production refuses fewer than 7)."))
        .attr(Attribute::defaulted("backup_window", Type::String, "Daily backup window, UTC (default `02:00-03:00`)."))
        .attr(Attribute::defaulted("maintenance_window", Type::String, "Weekly maintenance window, UTC (default `sun:03:30-sun:04:30`)."))
        .attr(Attribute::defaulted("deletion_protection", Type::Bool, "Refuse deletion (profile default: off in development, on otherwise). While on, a plan that would destroy or replace the database is refused; set it to false and apply first to decommission."))
        .attr(Attribute::defaulted("final_snapshot", Type::Bool, "Take a snapshot `<name>-final-<UTC time>` on destroy (profile default: off in development, on otherwise; production refuses false)."))
        .attr(Attribute::defaulted("kms_key_arn", Type::String, "KMS key for storage, snapshots, Performance Insights and the master secret. Unset, the database makes its own (rotation on, alias `alias/<name>-db`) and this shows its ARN. Changing it replaces the database."))
        .attr(Attribute::defaulted("master_username", Type::String, "Administrator user name (default `app_admin`; not `admin`, `postgres` or `root`). The password is generated into Secrets Manager (`master_secret_arn`), never in state, plan or logs."))
        .attr(Attribute::optional("parameters", Type::map(Type::String), "Engine parameters merged over the hardened ones (TLS required, connection and slow-query logging). Turning TLS off is refused."))
        .attr(Attribute::defaulted("environment", Type::String, "Environment profile: `development`, `staging` or `production`. Defaults to the provider's."))
        .attr(Attribute::optional("tags", Type::map(Type::String), "Tags for every AWS object of this database (snapshots inherit them)."))
        .attr(Attribute::computed("tags_all", Type::map(Type::String), "Effective tags: provider `default_tags`, `tags`, and the provider's `prod:*` tags."))
        .attr(s("endpoint", "Writer endpoint, `host:port` (Aurora: the cluster endpoint)."))
        .attr(s("reader_endpoint", "Aurora's reader endpoint, or for RDS the first replica's (`host:port`); null without replicas."))
        .attr(Attribute::computed("replica_endpoints", Type::list(Type::String), "Every replica's endpoint, in replica order."))
        .attr(Attribute::computed("port", Type::Number, "Engine port (5432 PostgreSQL, 3306 MySQL)."))
        .attr(s("engine_version_actual", "The exact version running (minor upgrades included)."))
        .attr(s("master_secret_arn", "Secrets Manager secret holding the master user's password (managed by RDS, rotated by it)."))
        .attr(s("security_group_id", "The database's security group (`<name>-db`)."))
        .attr(Attribute::computed("instance_ids", Type::list(Type::String), "Instance identifiers: the primary (Aurora: the writer) first, then the replicas."))
        .attr(s("subnet_group_name", "DB subnet group (`<name>`)."))
        .attr(s("parameter_group_name", "Parameter group (`<name>-<family>`; for Aurora the cluster parameter group)."))
        .attr(Attribute::computed("components", Type::map(Type::String), "Every AWS object this database owns: role → identifier."))
        .attr(Attribute::computed("posture", Type::map(Type::String), "Security controls → `pass` or `fail: <reason>`, from what AWS reports: for `postgres` and `mysql` instances RDS.2, .3, .5, .6, .8, .9, .10, .11, .13, .17, .18, .25; for Aurora clusters RDS.2, .6, .7, .12, .15, .16, .18, .24, .27, .35, .34 (Aurora MySQL) or .37 (Aurora PostgreSQL) and `backups`; and KMS.4, TLS, ingress."))
        .single_block("timeouts", crate::framework::schema::timeouts_block(DEFAULT_TIMEOUT)),
    }
}
