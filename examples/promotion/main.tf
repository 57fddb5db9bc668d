# One configuration, three environments: the workspace chooses the profile. `default` is development;
# `terraform workspace new staging` / `production` apply the stricter profiles with no code change.
# Every AWS name carries the environment, so the workspaces never collide.
terraform {
  required_providers {
    prod = {
      source = "hardened/prod"
    }
  }
}

locals {
  environment = terraform.workspace == "default" ? "development" : terraform.workspace
}

provider "prod" {
  region      = var.region
  environment = local.environment

  default_tags = {
    team        = "platform"
    environment = local.environment
  }
}

module "stack" {
  source = "../../modules/service-stack"

  name            = "${var.service}-${local.environment}"
  image_id        = var.image_id
  certificate_arn = var.certificate_arn
  alert_email     = var.alert_email
  decommission    = var.decommission

  tags = {
    service = var.service
  }
}
