variable "name" {
  description = "Name of the data tier, and of the database and the cache (each resource adds its own suffix to the AWS objects around it, so they never collide); `database.name` and `cache.name` override it."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,38}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "name must be 2 to 40 lowercase letters, digits and hyphens, start with a letter, end with a letter or digit, and hold no two hyphens in a row (the cache's name limits it)."
  }
}

variable "environment" {
  description = "Environment profile of both stores: development, staging or production. Null uses the provider's."
  type        = string
  default     = null
  validation {
    condition     = var.environment == null || contains(["development", "staging", "production"], coalesce(var.environment, "development"))
    error_message = "environment must be development, staging or production."
  }
}

variable "subnet_ids" {
  description = "Private subnets for both stores, spanning at least 2 availability zones (3 in production is recommended)."
  type        = list(string)
  validation {
    condition     = length(var.subnet_ids) >= 2 && alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))])
    error_message = "subnet_ids must hold at least 2 subnet ids such as subnet-0123456789abcdef0."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups whose members may connect to the database and the cache (the application's)."
  type        = list(string)
  validation {
    condition     = length(var.allowed_security_group_ids) >= 1 && alltrue([for g in var.allowed_security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", g))])
    error_message = "allowed_security_group_ids must hold at least one security group id such as sg-0123456789abcdef0."
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

variable "decommission" {
  description = "Lift the deletion guards of both stores (apply this first, then destroy). False keeps each profile's default."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every AWS object of the data tier."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "database" {
  description = "The database's own arguments, each optional: `name` (default: the tier's `name`; set `\"<name>-db\"` to keep a database made by an older version of this module), `engine_version`, `instance_class`, `allocated_storage`, `max_allocated_storage`, `replicas`, `multi_az`, `backup_retention_days`, `backup_window`, `maintenance_window`, `final_snapshot`, `kms_key_arn`, `master_username`, `parameters` (strings in the engine's units, see docs/guides/parameters.md). Unset, the profile decides, as `prod_database_ha` documents."
  type = object({
    name                  = optional(string)
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
  description = "The cache's own arguments, each optional: `name` (default: the tier's `name`; set `\"<name>-cache\"` to keep a cache made by an older version of this module), `engine_version`, `node_type`, `shards`, `replicas_per_shard`, `snapshot_retention_days`, `snapshot_window`, `maintenance_window`, `kms_key_arn`, `parameters`. Unset, the profile decides, as `prod_redis_cluster` documents."
  type = object({
    name                    = optional(string)
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
