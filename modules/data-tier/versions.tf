terraform {
  required_version = ">= 1.11"
  required_providers {
    prod = {
      source = "hardened/prod"
    }
  }
}
