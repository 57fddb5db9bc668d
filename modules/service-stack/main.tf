# One service's production deployment: network → compute → database → cache → alerting, wired
# together (security groups handed across, an alarm pack on every component). The network and the
# cluster are `<name>`, the database `<name>-db`, the cache `<name>-cache`, the alerting `<name>-ops`
# (distinct names keep the alarm packs' names apart).

locals {
  # Unset keeps each profile's default (on outside development); decommissioning lifts it.
  deletion_protection = var.decommission ? false : null
  # No tags is null, not {}: what an imported resource reads back, so adopting a stack plans no change.
  tags = length(var.tags) > 0 ? var.tags : null
}

resource "prod_network" "this" {
  name        = var.name
  cidr_block  = var.cidr_block
  environment = var.environment
  tags        = local.tags
}

resource "prod_cluster" "this" {
  name              = var.name
  image_id          = var.image_id
  certificate_arn   = var.certificate_arn
  subnet_ids        = prod_network.this.private_subnet_ids
  public_subnet_ids = prod_network.this.public_subnet_ids
  app_port          = var.app_port
  environment       = var.environment
  tags              = local.tags
}

resource "prod_database_ha" "this" {
  name                       = "${var.name}-db"
  engine                     = var.database_engine
  subnet_ids                 = prod_network.this.private_subnet_ids
  allowed_security_group_ids = [prod_cluster.this.security_group_id]
  deletion_protection        = local.deletion_protection
  environment                = var.environment
  tags                       = local.tags
}

resource "prod_redis_cluster" "this" {
  name                       = "${var.name}-cache"
  engine                     = var.redis_engine
  subnet_ids                 = prod_network.this.private_subnet_ids
  allowed_security_group_ids = [prod_cluster.this.security_group_id]
  deletion_protection        = local.deletion_protection
  environment                = var.environment
  tags                       = local.tags
}

resource "prod_alerting" "this" {
  name              = "${var.name}-ops"
  cluster_ids       = [prod_cluster.this.id]
  database_ids      = [prod_database_ha.this.id]
  redis_cluster_ids = [prod_redis_cluster.this.id]
  environment       = var.environment
  tags              = local.tags

  dynamic "notify" {
    for_each = var.alert_email == null ? [] : [var.alert_email]
    content {
      severity = "critical"
      protocol = "email"
      endpoint = notify.value
    }
  }
}
