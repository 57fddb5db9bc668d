output "vpc_id" {
  description = "The network's VPC."
  value       = prod_network.this.vpc_id
}

output "load_balancer_dns_name" {
  description = "DNS name of the application's load balancer (HTTPS; HTTP redirects)."
  value       = prod_cluster.this.load_balancer_dns_name
}

output "app_security_group_id" {
  description = "Security group of the application instances (the data stores admit it)."
  value       = prod_cluster.this.security_group_id
}

output "database_endpoint" {
  description = "The database's writer endpoint (host:port)."
  value       = module.data.database_endpoint
}

output "database_reader_endpoint" {
  description = "The database's reader endpoint (host:port); null without replicas."
  value       = module.data.database_reader_endpoint
}

output "database_secret_arn" {
  description = "Secrets Manager secret with the database's master credentials."
  value       = module.data.database_secret_arn
}

output "redis_endpoint" {
  description = "The cache's primary endpoint, or its configuration endpoint in cluster mode."
  value       = module.data.redis_endpoint
}

output "redis_auth_secret_arn" {
  description = "Secrets Manager secret with the cache's AUTH token."
  value       = module.data.redis_auth_secret_arn
}

output "critical_topic_arn" {
  description = "SNS topic of critical alarms."
  value       = prod_alerting.this.critical_topic_arn
}

output "warning_topic_arn" {
  description = "SNS topic of warning alarms."
  value       = prod_alerting.this.warning_topic_arn
}
