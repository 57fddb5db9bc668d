# The data tier of a service: a highly available database and a cache in the same private subnets,
# each admitting only the given security groups. Profiles decide replicas, sizes, retention and guards.
# Both carry the tier's name: each resource suffixes the AWS objects around it (`<name>-db` and
# `<name>-redis` security groups, and so on), so one name never repeats a suffix.

locals {
  # Unset keeps each profile's default (on outside development); decommissioning lifts it.
  deletion_protection = var.decommission ? false : null
  # No tags is null, not {}: what an imported resource reads back, so adopting it plans no change.
  tags = length(var.tags) > 0 ? var.tags : null
}

resource "prod_database_ha" "this" {
  name                       = coalesce(var.database.name, var.name)
  engine                     = var.database_engine
  subnet_ids                 = var.subnet_ids
  allowed_security_group_ids = var.allowed_security_group_ids
  deletion_protection        = local.deletion_protection
  environment                = var.environment
  tags                       = local.tags

  # Unset (null) leaves each to the profile.
  engine_version        = var.database.engine_version
  instance_class        = var.database.instance_class
  allocated_storage     = var.database.allocated_storage
  max_allocated_storage = var.database.max_allocated_storage
  replicas              = var.database.replicas
  multi_az              = var.database.multi_az
  backup_retention_days = var.database.backup_retention_days
  backup_window         = var.database.backup_window
  maintenance_window    = var.database.maintenance_window
  final_snapshot        = var.database.final_snapshot
  kms_key_arn           = var.database.kms_key_arn
  master_username       = var.database.master_username
  parameters            = var.database.parameters
}

resource "prod_redis_cluster" "this" {
  name                       = coalesce(var.cache.name, var.name)
  engine                     = var.redis_engine
  subnet_ids                 = var.subnet_ids
  allowed_security_group_ids = var.allowed_security_group_ids
  deletion_protection        = local.deletion_protection
  environment                = var.environment
  tags                       = local.tags

  engine_version          = var.cache.engine_version
  node_type               = var.cache.node_type
  shards                  = var.cache.shards
  replicas_per_shard      = var.cache.replicas_per_shard
  snapshot_retention_days = var.cache.snapshot_retention_days
  snapshot_window         = var.cache.snapshot_window
  maintenance_window      = var.cache.maintenance_window
  kms_key_arn             = var.cache.kms_key_arn
  parameters              = var.cache.parameters
}
