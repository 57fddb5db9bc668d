# A chat agent as its deployment guide describes it, with modules/service-stack alone: sessions in
# Redis (Valkey) evicting the least recently used, a small database for conversations, and sizes
# chosen per environment (the profile decides the rest: replicas, retention, guards).
terraform {
  required_providers {
    prod = {
      source = "hardened/prod"
    }
  }
}

provider "prod" {
  region      = "us-east-1"
  environment = var.environment
}

variable "name" {
  description = "The service's name; AWS names are <name>-<environment>."
  type        = string
  default     = "agent"
}

variable "environment" {
  description = "development, staging or production."
  type        = string
  default     = "development"
}

variable "image_id" {
  description = "AMI of the agent's instances."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate of the HTTPS listener."
  type        = string
}

variable "decommission" {
  description = "Lift the database's and the cache's deletion guards (apply this first, then destroy)."
  type        = bool
  default     = false
}

locals {
  # What this service sizes itself; everything else is the profile's.
  sizes = {
    development = { instances = 1, max = 2, db_class = "db.t4g.small", node_type = "cache.t4g.small" }
    staging     = { instances = 2, max = 4, db_class = "db.t4g.medium", node_type = "cache.t4g.medium" }
    production  = { instances = 3, max = 12, db_class = "db.r6g.large", node_type = "cache.r6g.large" }
  }
  size = local.sizes[var.environment]
}

module "agent" {
  source = "../../modules/service-stack"

  name            = "${var.name}-${var.environment}"
  environment     = var.environment
  image_id        = var.image_id
  certificate_arn = var.certificate_arn
  decommission    = var.decommission

  cluster = {
    min_size         = local.size.instances
    desired_capacity = local.size.instances
    max_size         = local.size.max
    instance_type    = "t3.small"
  }

  database = {
    instance_class    = local.size.db_class
    allocated_storage = 20
  }

  # Sessions: evict the least recently used when memory is full; idle clients dropped after 5 min.
  cache = {
    node_type  = local.size.node_type
    parameters = { maxmemory-policy = "allkeys-lru", timeout = "300" }
  }

  tags = {
    service = "agent"
  }
}

output "load_balancer_dns_name" {
  value = module.agent.load_balancer_dns_name
}

output "redis_endpoint" {
  value = module.agent.redis_endpoint
}

output "database_endpoint" {
  value = module.agent.database_endpoint
}
