# One service's production deployment: network → compute → data tier (database and cache, from
# `modules/data-tier`) → alerting, wired together (security groups handed across, an alarm pack on
# every component). Every part is `<name>`: each resource suffixes the AWS objects around it
# (`<name>-db`, `<name>-redis` and `<name>-app` security groups, `alias/<name>-alerting`, ...) and the
# alarm packs prefix theirs by kind, so nothing collides or repeats a suffix. `database.name`,
# `cache.name` and `alerting.name` override it (the names older versions gave: see the README).

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

  # Unset (null) leaves each to the profile.
  instance_type        = var.cluster.instance_type
  min_size             = var.cluster.min_size
  max_size             = var.cluster.max_size
  desired_capacity     = var.cluster.desired_capacity
  health_check_path    = var.cluster.health_check_path
  user_data            = var.cluster.user_data
  ingress_cidr_blocks  = var.cluster.ingress_cidr_blocks
  root_volume_size     = var.cluster.root_volume_size
  tls_policy           = var.cluster.tls_policy
  metadata_http_tokens = var.cluster.metadata_http_tokens
  kms_key_arn          = var.cluster.kms_key_arn
}

module "data" {
  source = "../data-tier"

  name                       = var.name
  database_engine            = coalesce(var.database.engine, var.database_engine)
  redis_engine               = coalesce(var.cache.engine, var.redis_engine)
  database                   = { for k, v in var.database : k => v if k != "engine" }
  cache                      = { for k, v in var.cache : k => v if k != "engine" }
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
  name        = coalesce(var.alerting.name, var.name)
  watch       = [prod_cluster.this.watch, module.data.database_watch, module.data.redis_watch]
  environment = var.environment
  tags        = local.tags
  kms_key_arn = var.alerting.kms_key_arn

  dynamic "notify" {
    for_each = var.alert_email == null ? [] : [var.alert_email]
    content {
      severity = "critical"
      protocol = "email"
      endpoint = notify.value
    }
  }

  dynamic "notify" {
    for_each = var.alerting.notify
    content {
      severity = notify.value.severity
      protocol = notify.value.protocol
      endpoint = notify.value.endpoint
    }
  }

  dynamic "alarm" {
    for_each = var.alerting.alarms
    content {
      name               = alarm.value.name
      namespace          = alarm.value.namespace
      metric_name        = alarm.value.metric_name
      dimensions         = alarm.value.dimensions
      statistic          = alarm.value.statistic
      period             = alarm.value.period
      evaluation_periods = alarm.value.evaluation_periods
      comparison         = alarm.value.comparison
      threshold          = alarm.value.threshold
      severity           = alarm.value.severity
      treat_missing_data = alarm.value.treat_missing_data
    }
  }
}
