output "environment" {
  description = "The profile this workspace applies."
  value       = local.environment

  # Any other workspace is refused at plan, naming the ones that exist.
  precondition {
    condition     = contains(["development", "staging", "production"], local.environment)
    error_message = "Workspace \"${terraform.workspace}\" is not an environment: use default (development), development, staging or production."
  }
}

output "load_balancer_dns_name" {
  value = module.stack.load_balancer_dns_name
}

output "database_endpoint" {
  value = module.stack.database_endpoint
}

output "redis_endpoint" {
  value = module.stack.redis_endpoint
}
