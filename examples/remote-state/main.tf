# State a team shares: an S3 bucket holds it, and `use_lockfile` takes a lock object beside it
# (`<key>.tflock`, written only if absent) for every operation that writes, so two people applying at
# once cannot both win. Bucket, key and region come from a backend file (`-backend-config=`); see
# README.md for the local AWS and for a real account.
terraform {
  backend "s3" {
    use_lockfile = true
    encrypt      = true
  }

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
  description = "Name of the shared network."
  type        = string
  default     = "platform-development"
}

variable "environment" {
  description = "Profile of the network."
  type        = string
  default     = "development"
}

resource "prod_network" "shared" {
  name = var.name
}

# Other configurations read these with a `terraform_remote_state` data source on the same bucket/key.
output "vpc_id" {
  value = prod_network.shared.vpc_id
}

output "private_subnet_ids" {
  value = prod_network.shared.private_subnet_ids
}
