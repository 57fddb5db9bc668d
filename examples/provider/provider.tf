terraform {
  required_providers {
    prod = {
      source = "hardened/prod"
    }
  }
}

provider "prod" {
  region      = "us-east-1"
  environment = "production"

  default_tags = {
    team = "platform"
  }
}
