//! The `prod_database_ha` attributes, declared once: schema, typed state and typed configuration.

use std::collections::BTreeMap;

use crate::framework::attrs::{PartialList, PartialMap};

use super::pooling::{Given as PoolingGiven, Stated as PoolingStated};
use super::restore_check::{Given as RestoreCheckGiven, Stated as RestoreCheckStated};
use crate::resources::datastore::recovery::{Given as RecoveryGiven, Stated as RecoveryStated};
use crate::resources::log_retention::{
    self, Given as LogRetentionGiven, Stated as LogRetentionStated,
};

crate::attributes! {
    resource "prod_database_ha";
    common {
        tags as PartialMap = "Tags for every AWS object of this database (snapshots inherit them).",
        components = "Every AWS object this database owns: role → identifier.",
        posture = "Security controls → `pass` or `fail: <reason>`, from what AWS reports: for `postgres` and `mysql` instances RDS.2, .3, .5, .6, .8, .9, .10, .11, .13, .17, .18, .23, .25; for Aurora clusters RDS.2, .6, .7, .12, .15, .16, .18, .23, .24, .27, .35, .34 (Aurora MySQL) or .37 (Aurora PostgreSQL) and `backups`; and CloudWatch.16 (the exported logs' groups exist, are encrypted and kept their `log_retention` tier), KMS.4, TLS, ingress, `master_secret`: the master secret's resource policy denies other accounts and requests without TLS; `audit`: `audit_logging`'s auditing holds; and `recovery`: the recovery objectives in force are met (see `recovery_plan`).",
    }
    fields {
        name: String = required("Name of the database (at most 50 characters: letters, digits and hyphens, starting with a letter); the primary is called this, replicas `<name>-replica-<n>` (so a new database named `<…>-replica-<n>` is refused). Changing it replaces the database, which `deletion_protection` refuses."),
        engine: String = required("`postgres`, `mysql`, `aurora-postgresql` or `aurora-mysql`. Changing it replaces the database, which `deletion_protection` refuses."),
        engine_version: String = defaulted("Major (or major.minor) version to pin: `16` for PostgreSQL, `8.0` for MySQL by default. Automatic minor upgrades never show as a diff (see `engine_version_actual`); a new major upgrades in place."),
        subnet_ids: Vec<String> as PartialList = required("Private subnets for the database, spanning at least 2 availability zones (3 recommended in production)."),
        allowed_security_group_ids: Vec<String> as PartialList = required("Security groups whose members may connect on the engine port (e.g. `prod_cluster.web.security_group_id`); no one else can."),
        instance_class: String = defaulted("Instance class (profile default: db.t4g.medium in development, db.r6g.large otherwise). Changes in place."),
        allocated_storage: i64 = defaulted("Storage in GiB (profile default 20 / 50 / 100). Grows in place; it cannot shrink. Not used by Aurora, whose storage grows by itself (reads 0)."),
        max_allocated_storage: i64 = defaulted("Storage autoscaling ceiling in GiB (profile default 100 / 500 / 1000). Not used by Aurora (reads 0)."),
        replicas: i64 = defaulted("Read replicas, spread over the other zones (profile default 0 / 1 / 2). Changes in place."),
        multi_az: bool = defaulted("Synchronous standby in another zone (profile default: off in development, on otherwise; production refuses false). For Aurora it means readers in other zones, so it follows `replicas`."),
        backup_retention_days: i64 = defaulted("Days of automated backups and point-in-time recovery (profile default 1 / 7 / 30; production refuses fewer than 7)."),
        backup_window: String = defaulted("Daily backup window, UTC (default `02:00-03:00`)."),
        maintenance_window: String = defaulted("Weekly maintenance window, UTC (default `sun:03:30-sun:04:30`)."),
        deletion_protection: bool = defaulted("Refuse deletion (profile default: off in development, on otherwise). While on, a plan that would destroy or replace the database is refused; set it to false and apply first to decommission."),
        final_snapshot: bool = defaulted("Take a snapshot `<name>-final-<UTC time>` on destroy (profile default: off in development, on otherwise; production refuses false)."),
        audit_logging: bool = defaulted("Record security-relevant events (logins, privilege and role changes, DDL and writes, by every user) in the database's exported logs, on every instance (profile default: off in development, on otherwise; production refuses false). PostgreSQL (RDS and Aurora): pgAudit is preloaded beside `pg_stat_statements` (or beside the `shared_preload_libraries` you set) with `pgaudit.log = \"ddl,role,write\"`, written to the exported `postgresql` log; for per-object detail also run `CREATE EXTENSION pgaudit` in the database. PostgreSQL loads the library when it starts: turned on for an existing database it takes effect at its next reboot (the plan warns). Aurora MySQL: advanced auditing (`server_audit_logging = 1`, `server_audit_events = CONNECT,QUERY_DCL,QUERY_DDL,QUERY_DML`) to the exported `audit` log. MySQL: the MariaDB audit plugin (`SERVER_AUDIT_EVENTS = CONNECT,QUERY_DCL,QUERY_DDL,QUERY_DML_NO_SELECT`) in the option group `<name>-audit-mysql<major>` (e.g. `-audit-mysql8-0`) every instance joins, to the exported `audit` log. While on, parameters that narrow what is audited (fewer classes or events, a list of users) are refused. Turned off, the parameters are set back (`pgaudit.log = none`, the libraries without pgAudit, `server_audit_logging = 0`) and MySQL's instances return to AWS's default option group. Removed or narrowed outside Terraform (a parameter, the plugin or its users, an instance out of the group, an export), it shows in the plan (posture `audit`) and apply restores it."),
        retain_automated_backups: bool = defaulted("Keep the automated backups (point-in-time recovery within their retention) after destroy, until their retention ends (default: as `final_snapshot`). False deletes them with the database."),
        remote_retention_days: Option<i64> = defaulted("Days the second region (`recovery.region`) keeps each day's copy of the database's recovery point, made by AWS Backup into the vault `<name>` there, encrypted with the database's key of that region (1 to 36500; profile default: 90 in production, as the guides' \"30 days local, 90 days remote\"; `backup_retention_days` otherwise). In production the vault there has a Vault Lock (governance) of that minimum. Null without `recovery.region`, where setting it is refused."),
        kms_key_arn: Option<String> = defaulted("KMS key for storage, snapshots, Performance Insights, the master secret and the exported logs' groups (its policy must let CloudWatch Logs, `logs.<region>.amazonaws.com`, use it for `/aws/rds/instance/<name>*` and `/aws/rds/cluster/<name>/*`). Unset, the database makes its own (rotation on, alias `alias/<name>-db`) and this shows its ARN. Changing it replaces the database."),
        master_username: String = defaulted("Administrator user name (default `app_admin`; not `admin`, `postgres` or `root`). The password is generated into Secrets Manager (`master_secret_arn`), never in state, plan or logs."),
        port: Option<i64> = defaulted("Port the database listens on, and the only one its security group opens. Profile default: the engine's own in development (5432 PostgreSQL, 3306 MySQL), another in staging and production (5433, 3307: Security Hub RDS.23); production refuses the engine's own. A database that already exists keeps the port it has. Changes in place: RDS restarts the instances on the new port (the endpoints change with it)."),
        parameters: Option<BTreeMap<String, String>> as PartialMap = optional("Engine parameters merged over the hardened ones (TLS required, connection and slow-query logging). Turning TLS off is refused. Values are strings in the engine's own units, as RDS stores them: PostgreSQL `shared_buffers` and `effective_cache_size` in 8 kB pages (256 MB is `\"32768\"`), `work_mem` and `maintenance_work_mem` in kB, `max_wal_size` in MB, durations in ms unless the parameter says otherwise; MySQL sizes in bytes. The parameters guide lists them per engine."),
        watch: BTreeMap<String, String> as PartialMap = computed("What `prod_alerting` needs to watch this database; pass it in `watch` of `prod_alerting`. Keys: `kind` (`database`), `name`, `instance` (the primary's instance: the name, or Aurora's writer `<name>-writer`), `engine`, `instance_class`, `allocated_storage`, `max_connections` (the configured parameter, else the engine's default for the class) and `replicas` (the replicas' instance ids, comma-separated; empty for Aurora). Known at plan from the configuration."),
        endpoint: Option<String> = computed("Writer endpoint, `host:port` (Aurora: the cluster endpoint)."),
        reader_endpoint: Option<String> = computed("Aurora's reader endpoint, or for RDS the first replica's (`host:port`); null without replicas."),
        replica_endpoints: Vec<String> = computed("Every replica's endpoint, in replica order."),
        engine_version_actual: Option<String> = computed("The exact version running (minor upgrades included)."),
        master_secret_arn: Option<String> = computed("Secrets Manager secret holding the master user's password (managed by RDS, rotated by it). Its resource policy denies every principal outside the account and every request without TLS."),
        security_group_id: Option<String> = computed("The database's security group (`<name>-db`)."),
        instance_ids: Vec<String> = computed("Instance identifiers: the primary (Aurora: the writer) first, then the replicas."),
        subnet_group_name: Option<String> = computed("DB subnet group (`<name>`)."),
        parameter_group_name: Option<String> = computed("Parameter group (`<name>-<family>`; for Aurora the cluster parameter group)."),
        proxy_endpoint: Option<String> = computed("The RDS Proxy's endpoint, `host:port` (the engine's port: 5432 or 3306), while `pooling` is on; null otherwise. Clients connect with TLS and an IAM authentication token for the master user (or a user they are granted)."),
        proxy_reader_endpoint: Option<String> = computed("Aurora: the proxy's read-only endpoint `<name>-read` over the readers (`host:port`) while `pooling` is on. Null for `postgres` and `mysql`, whose proxy fronts the primary only (RDS Proxy balances reads over Aurora readers alone): read from `reader_endpoint` or `replica_endpoints`."),
        recovery_plan: BTreeMap<String, String> as PartialMap = computed("What recovers the database, and its worst case: `rpo` (point-in-time restore within the backups kept: ≤ 5 minutes), `rto` (a Multi-AZ failover or, for Aurora, a failover to a reader: ≤ 2 minutes; without a standby a restore from backup, ≈ 45 minutes, or for Aurora a new writer on the cluster volume, ≈ 10 minutes), `regional_loss` (with `recovery.region`, a point-in-time restore in that region from the replicated backups or, for Aurora, a restore from the latest daily copy, ≈ 45 minutes; without it, not covered) and `objectives`: the objectives in force (see `recovery`) and whether they are met. From the configuration at plan, from what AWS reports at read."),
    }
    single {
        recovery: RecoveryStated / RecoveryGiven = single(crate::resources::datastore::recovery::DESCRIPTION),
        log_retention: LogRetentionStated / LogRetentionGiven = single(log_retention::DESCRIPTION),
        pooling: PoolingStated / PoolingGiven = single(super::pooling::DESCRIPTION),
        restore_check: RestoreCheckStated / RestoreCheckGiven = single(super::restore_check::DESCRIPTION),
    }
    raw { timeouts }
    internal { create_incomplete: bool }
}

crate::store_model!(Config, State);
