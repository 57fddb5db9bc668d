# The data tier of a service: a highly available database and a cache in the same private subnets,
# each admitting only the given security groups. Profiles decide replicas, sizes, retention and guards.

locals {
  # Unset keeps each profile's default (on outside development); decommissioning lifts it.
  deletion_protection = var.decommission ? false : null
  # No tags is null, not {}: what an imported resource reads back, so adopting it plans no change.
  tags = length(var.tags) > 0 ? var.tags : null
}

resource "prod_database_ha" "this" {
  name                       = "${var.name}-db"
  engine                     = var.database_engine
  subnet_ids                 = var.subnet_ids
  allowed_security_group_ids = var.allowed_security_group_ids
  deletion_protection        = local.deletion_protection
  environment                = var.environment
  tags                       = local.tags
}

resource "prod_redis_cluster" "this" {
  name                       = "${var.name}-cache"
  engine                     = var.redis_engine
  subnet_ids                 = var.subnet_ids
  allowed_security_group_ids = var.allowed_security_group_ids
  deletion_protection        = local.deletion_protection
  environment                = var.environment
  tags                       = local.tags
}
