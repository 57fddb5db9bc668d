variable "name" {
  description = "Name of the stack; every AWS name derives from it (put the environment in it so workspaces never collide)."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,22}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "name must be 2 to 24 lowercase letters, digits and hyphens, start with a letter, end with a letter or digit, and hold no two hyphens in a row (the cluster's load balancer name limits it)."
  }
}

variable "environment" {
  description = "Environment profile for every resource: development, staging or production. Null uses the provider's."
  type        = string
  default     = null
  validation {
    condition     = var.environment == null || contains(["development", "staging", "production"], coalesce(var.environment, "development"))
    error_message = "environment must be development, staging or production."
  }
}

variable "cidr_block" {
  description = "The VPC's IPv4 range, /16 to /24."
  type        = string
  default     = "10.20.0.0/16"
  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && tonumber(split("/", var.cidr_block)[1]) >= 16 && tonumber(split("/", var.cidr_block)[1]) <= 24
    error_message = "cidr_block must be an IPv4 CIDR such as 10.20.0.0/16, with a prefix from /16 to /24."
  }
}

variable "image_id" {
  description = "AMI the application instances run."
  type        = string
  validation {
    condition     = can(regex("^ami-[0-9a-f]{8,17}$", var.image_id))
    error_message = "image_id must be an AMI id such as ami-0123456789abcdef0."
  }
}

variable "certificate_arn" {
  description = "ACM certificate of the load balancer's HTTPS listener."
  type        = string
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)."
  }
}

variable "app_port" {
  description = "Port the application listens on behind the load balancer."
  type        = number
  default     = 8080
  validation {
    condition     = var.app_port >= 1024 && var.app_port <= 65535 && floor(var.app_port) == var.app_port
    error_message = "app_port must be a whole number from 1024 to 65535."
  }
}

variable "database_engine" {
  description = "Engine of the database: postgres, mysql, aurora-postgresql or aurora-mysql."
  type        = string
  default     = "postgres"
  validation {
    condition     = contains(["postgres", "mysql", "aurora-postgresql", "aurora-mysql"], var.database_engine)
    error_message = "database_engine must be postgres, mysql, aurora-postgresql or aurora-mysql."
  }
}

variable "redis_engine" {
  description = "Engine of the cache: valkey or redis."
  type        = string
  default     = "valkey"
  validation {
    condition     = contains(["valkey", "redis"], var.redis_engine)
    error_message = "redis_engine must be valkey or redis."
  }
}

variable "alert_email" {
  description = "Address that receives critical alarms (null: none)."
  type        = string
  default     = null
  validation {
    condition     = var.alert_email == null || can(regex("^[^@ ]+@[^@ ]+\\.[^@ ]+$", coalesce(var.alert_email, "x@y.z")))
    error_message = "alert_email must be an email address such as oncall@example.com."
  }
}

variable "decommission" {
  description = "Lift the deletion guards of the database and the cache (apply this first, then destroy). False keeps each profile's default."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every AWS object of the stack."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "cluster" {
  description = "The cluster's own arguments, each optional: `instance_type`, `min_size`, `max_size`, `desired_capacity`, `health_check_path`, `user_data`, `ingress_cidr_blocks`, `root_volume_size`, `tls_policy`, `metadata_http_tokens`, `kms_key_arn`. Unset, the profile decides, as `prod_cluster` documents."
  type = object({
    instance_type        = optional(string)
    min_size             = optional(number)
    max_size             = optional(number)
    desired_capacity     = optional(number)
    health_check_path    = optional(string)
    user_data            = optional(string)
    ingress_cidr_blocks  = optional(list(string))
    root_volume_size     = optional(number)
    tls_policy           = optional(string)
    metadata_http_tokens = optional(string)
    kms_key_arn          = optional(string)
  })
  default  = {}
  nullable = false
}

variable "database" {
  description = "The database's own arguments, each optional (`engine` defaults to `database_engine`, `name` to the stack's `name`: set `\"<name>-db\"` to keep a database made by an older version of this module): `name`, `engine`, `engine_version`, `instance_class`, `allocated_storage`, `max_allocated_storage`, `replicas`, `multi_az`, `backup_retention_days`, `backup_window`, `maintenance_window`, `final_snapshot`, `kms_key_arn`, `master_username`, `parameters` (strings in the engine's units, see docs/guides/parameters.md). Unset, the profile decides."
  type = object({
    name                  = optional(string)
    engine                = optional(string)
    engine_version        = optional(string)
    instance_class        = optional(string)
    allocated_storage     = optional(number)
    max_allocated_storage = optional(number)
    replicas              = optional(number)
    multi_az              = optional(bool)
    backup_retention_days = optional(number)
    backup_window         = optional(string)
    maintenance_window    = optional(string)
    final_snapshot        = optional(bool)
    kms_key_arn           = optional(string)
    master_username       = optional(string)
    parameters            = optional(map(string))
  })
  default  = {}
  nullable = false
}

variable "cache" {
  description = "The cache's own arguments, each optional (`engine` defaults to `redis_engine`, `name` to the stack's `name`: set `\"<name>-cache\"` to keep a cache made by an older version of this module): `name`, `engine`, `engine_version`, `node_type`, `shards`, `replicas_per_shard`, `snapshot_retention_days`, `snapshot_window`, `maintenance_window`, `kms_key_arn`, `parameters`. Unset, the profile decides."
  type = object({
    name                    = optional(string)
    engine                  = optional(string)
    engine_version          = optional(string)
    node_type               = optional(string)
    shards                  = optional(number)
    replicas_per_shard      = optional(number)
    snapshot_retention_days = optional(number)
    snapshot_window         = optional(string)
    maintenance_window      = optional(string)
    kms_key_arn             = optional(string)
    parameters              = optional(map(string))
  })
  default  = {}
  nullable = false
}

variable "alerting" {
  description = "The alerting's own arguments: `name` (default: the stack's `name`; set `\"<name>-ops\"` to keep an alerting made by an older version of this module), `notify` (subscriptions: `severity`, `protocol`, `endpoint`; added to `alert_email`'s), `alarms` (custom alarms as `prod_alerting`'s `alarm` blocks, beside the packs) and `kms_key_arn`."
  type = object({
    name = optional(string)
    notify = optional(list(object({
      severity = string
      protocol = string
      endpoint = string
    })), [])
    alarms = optional(list(object({
      name               = string
      namespace          = string
      metric_name        = string
      dimensions         = optional(map(string))
      statistic          = optional(string)
      period             = optional(number)
      evaluation_periods = optional(number)
      comparison         = string
      threshold          = number
      severity           = string
      treat_missing_data = optional(string)
    })), [])
    kms_key_arn = optional(string)
  })
  default  = {}
  nullable = false
}
