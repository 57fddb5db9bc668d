# One real apply against the AWS the provider is pointed at (the local AWS in the tests), in the
# development profile: the stores are made, read back through the module's outputs, and destroyed
# by `terraform test` at the end. The name, the subnets and the security group are given on the
# command line: `terraform test -filter=tests/apply.tftest.hcl -var=name=… -var='subnet_ids=[…]'
# -var='allowed_security_group_ids=[…]'`.
provider "prod" {
  region      = "us-east-1"
  environment = "development"
}

run "the_data_tier_applies_and_reads_back" {
  command = apply

  assert {
    condition     = output.database_id == var.name && output.redis_id == var.name
    error_message = "The outputs name the stores."
  }
  assert {
    condition     = startswith(output.database_secret_arn, "arn:aws:secretsmanager:") && startswith(output.redis_auth_secret_arn, "arn:aws:secretsmanager:")
    error_message = "Both secrets are in Secrets Manager."
  }
  assert {
    condition     = length(output.database_endpoint) > 0 && length(output.redis_endpoint) > 0
    error_message = "Both endpoints are known after apply."
  }
  assert {
    condition     = prod_database_ha.this.posture["RDS.3"] == "pass" && prod_redis_cluster.this.posture["ElastiCache.4"] == "pass"
    error_message = "Storage is encrypted in both stores (posture read back from AWS)."
  }
}
