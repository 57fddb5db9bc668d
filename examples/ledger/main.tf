# A payments ledger as its production guide describes it, with modules/service-stack alone:
# PostgreSQL with two replicas and tuned parameters, Valkey on three nodes, five to ten instances
# behind TLS, and alerts routed by severity (critical pages on-call, warnings go to the team).
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
  default     = "ledger"
}

variable "environment" {
  description = "Profile of the whole ledger: production by default."
  type        = string
  default     = "production"
}

variable "image_id" {
  description = "AMI of the ledger's application instances."
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

module "ledger" {
  source = "../../modules/service-stack"

  name            = "${var.name}-${var.environment}"
  environment     = var.environment
  image_id        = var.image_id
  certificate_arn = var.certificate_arn
  decommission    = var.decommission

  cluster = {
    min_size         = 5
    desired_capacity = 5
    max_size         = 10
  }

  database = {
    replicas = 2
    # Dynamic parameters, applied without a restart (values in PostgreSQL's units: kB, ms).
    parameters = {
      work_mem                            = "16384"
      log_min_duration_statement          = "500"
      idle_in_transaction_session_timeout = "60000"
    }
  }

  # One primary and two replicas: three nodes.
  cache = {
    replicas_per_shard = 2
  }

  alerting = {
    notify = [
      { severity = "critical", protocol = "email", endpoint = "ledger-oncall@example.com" },
      { severity = "warning", protocol = "email", endpoint = "ledger-team@example.com" },
    ]
  }

  tags = {
    service = "ledger"
  }
}

output "load_balancer_dns_name" {
  value = module.ledger.load_balancer_dns_name
}

output "database_endpoint" {
  value = module.ledger.database_endpoint
}

output "database_reader_endpoint" {
  value = module.ledger.database_reader_endpoint
}

output "redis_endpoint" {
  value = module.ledger.redis_endpoint
}
