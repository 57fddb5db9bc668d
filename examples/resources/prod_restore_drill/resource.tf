# A restore drill of the database: its latest recovery point restored into an isolated throwaway
# copy, timed against the database's RTO, then deleted. Run it again (the quarterly drill) with
#   terraform apply -replace=prod_restore_drill.quarterly
resource "prod_restore_drill" "quarterly" {
  database_id = prod_database_ha.main.id

  # Optional:
  # restore_time = "2026-12-01T02:30:00Z"  # a point in time, within the backups kept
  # region       = "us-west-2"             # drill from the backups replicated there (recovery.region)
}

output "drill" {
  value = {
    measured_rto_seconds = prod_restore_drill.quarterly.measured_rto_seconds
    met_rto              = prod_restore_drill.quarterly.met_rto
    restored_from        = prod_restore_drill.quarterly.restored_from
  }
}
