resource "prod_redis_cluster" "sessions" {
  name                       = "sessions-production"
  engine                     = "valkey" # redis | valkey
  subnet_ids                 = prod_network.main.private_subnet_ids
  allowed_security_group_ids = [prod_cluster.web.security_group_id]

  # Optional; the profile decides otherwise:
  # engine_version          = "8.0"
  # node_type               = "cache.r6g.large"
  # shards                  = 1   # more than 1 turns cluster mode on
  # replicas_per_shard      = 2
  # snapshot_retention_days = 7
  # deletion_protection     = true   # set false and apply first to decommission

  parameters = {
    "maxmemory-policy" = "allkeys-lru"
  }

  tags = {
    service = "sessions"
  }
}

# Clients read the AUTH token from Secrets Manager:
#   aws secretsmanager get-secret-value --secret-id sessions-production-auth
output "sessions_endpoint" {
  value = prod_redis_cluster.sessions.primary_endpoint
}

# An AUTH token you bring (Terraform 1.11+): write-only, so it is sent to ElastiCache and the
# `<name>-auth` secret but never stored in state or plan. Bump the version to rotate it in place.
variable "queue_auth_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "prod_redis_cluster" "queue" {
  name                       = "queue-production"
  subnet_ids                 = prod_network.main.private_subnet_ids
  allowed_security_group_ids = [prod_cluster.web.security_group_id]

  auth_token_wo         = var.queue_auth_token
  auth_token_wo_version = 1
}
