//! The `prod_restore_drill` attributes, declared once: schema, typed state and typed configuration.

crate::attributes! {
    resource "prod_restore_drill";
    common {
        tags = "Tags for the drill's throwaway instance and security group while they exist.",
        components = "What the drill has in AWS while it runs: the throwaway instance (`instance`) and its security group (`security_group`), each by ARN. Empty once the create returns: nothing of the drill is left.",
        posture = "The drill's verdicts → `pass` or `fail: <reason>`: `restore` (the recovery point was restored and the copy became available), `rto` (the measured duration within the database's recovery time objective; `pass` when it declares none), `isolated` (the copy had no public address and a security group without rules), `cleaned_up` (nothing of the drill is left in AWS).",
    }
    fields {
        database_id: String = required("The `prod_database_ha` to drill: its `id` (the `name`); engines `postgres` and `mysql`. Changing it runs a new drill."),
        restore_time: Option<String> = optional("The point in time to restore, in RFC 3339 (e.g. `2026-12-01T02:30:00Z`), within the backups kept; unset, the latest restorable time. Changing it runs a new drill."),
        region: Option<String> = optional("Drill in the database's second region (its `recovery.region`) from the backups replicated there, into that region's default VPC; unset, in the database's own region, subnet group and VPC. Changing it runs a new drill."),
        name: String = computed("The throwaway instance's identifier, `<database_id>-drill-<yyyymmddhhmmss>` (UTC; the database part shortened to fit RDS's 63 characters): the drill's `id`."),
        measured_rto_seconds: i64 = computed("Seconds from the restore request until the copy was available."),
        rto_seconds: Option<i64> = computed("The recovery time objective the drill is judged against: the database's (its `recovery.rto`, else its profile's: 15 minutes in production), as its primary's `prod:rto_seconds` tag says (a database not applied since that tag came: its profile's); null when it declares none."),
        met_rto: Option<bool> = computed("Whether `measured_rto_seconds` is within `rto_seconds`; null when the database declares no RTO."),
        restored_from: String = computed("What was restored: the database and region, the recovery point (`latest restorable time` or `restore_time`), and for a second-region drill the replicated backups' ARN."),
        restored_to_time: String = computed("The point in time the copy holds, in RFC 3339."),
    }
    raw { timeouts }
}

crate::resource_state!(State);
