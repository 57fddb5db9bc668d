output "database_id" {
  description = "The database's id."
  value       = prod_database_ha.this.id
}

output "database_endpoint" {
  description = "The database's writer endpoint (host:port)."
  value       = prod_database_ha.this.endpoint
}

output "database_reader_endpoint" {
  description = "The database's reader endpoint (host:port); null without replicas."
  value       = prod_database_ha.this.reader_endpoint
}

output "database_secret_arn" {
  description = "Secrets Manager secret with the database's master credentials."
  value       = prod_database_ha.this.master_secret_arn
}

output "database_security_group_id" {
  description = "The database's security group."
  value       = prod_database_ha.this.security_group_id
}

output "redis_id" {
  description = "The cache's id."
  value       = prod_redis_cluster.this.id
}

output "redis_endpoint" {
  description = "The cache's primary endpoint, or its configuration endpoint in cluster mode."
  value       = coalesce(prod_redis_cluster.this.primary_endpoint, prod_redis_cluster.this.configuration_endpoint)
}

output "redis_auth_secret_arn" {
  description = "Secrets Manager secret with the cache's AUTH token."
  value       = prod_redis_cluster.this.auth_secret_arn
}

output "redis_security_group_id" {
  description = "The cache's security group."
  value       = prod_redis_cluster.this.security_group_id
}

output "database_watch" {
  description = "What `prod_alerting` needs to watch the database (for its `watch`)."
  value       = prod_database_ha.this.watch
}

output "redis_watch" {
  description = "What `prod_alerting` needs to watch the cache (for its `watch`)."
  value       = prod_redis_cluster.this.watch
}
