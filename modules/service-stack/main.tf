# One service's production deployment: network → compute → data tier (database and cache, from
# `modules/data-tier`) → alerting, wired together (security groups handed across, an alarm pack on
# every component). The network and the cluster are `<name>`, the database `<name>-db`, the cache
# `<name>-cache`, the alerting `<name>-ops` (distinct names keep the alarm packs' names apart).

locals {
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

module "data" {
  source = "../data-tier"

  name                       = var.name
  database_engine            = var.database_engine
  redis_engine               = var.redis_engine
  subnet_ids                 = prod_network.this.private_subnet_ids
  allowed_security_group_ids = [prod_cluster.this.security_group_id]
  decommission               = var.decommission
  environment                = var.environment
  tags                       = var.tags
}

# The data stores lived in this module before `modules/data-tier` held them.
moved {
  from = prod_database_ha.this
  to   = module.data.prod_database_ha.this
}

moved {
  from = prod_redis_cluster.this
  to   = module.data.prod_redis_cluster.this
}

resource "prod_alerting" "this" {
  name              = "${var.name}-ops"
  cluster_ids       = [prod_cluster.this.id]
  database_ids      = [module.data.database_id]
  redis_cluster_ids = [module.data.redis_id]
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
