# A module sizes its inputs by the same profile table the resources use, at plan time.
terraform {
  required_providers {
    prod = { source = "hardened/prod" }
  }
}

variable "environment" {
  type    = string
  default = "staging"
}

locals {
  profile = provider::prod::profile(var.environment)
}

output "database_replicas" {
  value = local.profile.database.replicas
}

output "audit_log_retention_days" {
  value = local.profile.log_retention.audit
}
