# The whole stack in the development profile: network, compute behind TLS, PostgreSQL, Valkey and
# alerting, from one module. `scripts/demo` applies this against the local AWS.
terraform {
  required_providers {
    prod = {
      source = "hardened/prod"
    }
  }
}

provider "prod" {
  region      = "us-east-1"
  environment = "development"

  default_tags = {
    team = "platform"
  }
}

variable "image_id" {
  description = "AMI of the application instances."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate of the HTTPS listener."
  type        = string
}

module "stack" {
  source = "../../modules/service-stack"

  name            = "shop-development"
  image_id        = var.image_id
  certificate_arn = var.certificate_arn
  alert_email     = "oncall@example.com"

  tags = {
    service = "shop"
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

output "secrets" {
  value = {
    database = module.stack.database_secret_arn
    redis    = module.stack.redis_auth_secret_arn
  }
}

output "alert_topics" {
  value = {
    critical = module.stack.critical_topic_arn
    warning  = module.stack.warning_topic_arn
  }
}
