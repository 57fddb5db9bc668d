# Adopting a stack that already runs: its state was lost, or it moves from another configuration into
# this one. `imports.tf` says which existing objects the module's resources are; the first plan shows
# "5 to import" (and any difference between what runs and this configuration, to be repaired by the
# same apply); nothing is created or destroyed.
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
  description = "Name of the running stack (its network and cluster; the module derives the others)."
  type        = string
}

variable "environment" {
  description = "Profile the stack was made with."
  type        = string
  default     = "development"
}

variable "image_id" {
  description = "AMI the application instances run."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate of the HTTPS listener."
  type        = string
}

module "stack" {
  source = "../../modules/service-stack"

  name            = var.name
  image_id        = var.image_id
  certificate_arn = var.certificate_arn
}
