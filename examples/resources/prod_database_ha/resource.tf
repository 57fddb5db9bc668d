resource "prod_database_ha" "main" {
  name                       = "payments-production"
  engine                     = "postgres" # postgres | mysql | aurora-postgresql | aurora-mysql
  subnet_ids                 = prod_network.main.private_subnet_ids
  allowed_security_group_ids = [prod_cluster.web.security_group_id]

  # Optional; the profile decides otherwise:
  # engine_version        = "16"
  # instance_class        = "db.r6g.large"
  # replicas              = 2
  # backup_retention_days = 30
  # deletion_protection   = true   # set false and apply first to decommission

  parameters = {
    work_mem = "65536"
  }

  tags = {
    service = "payments"
  }
}
