variable "region" {
  description = "AWS region of every environment."
  type        = string
  default     = "us-east-1"
}

variable "service" {
  description = "Service name; AWS names are `<service>-<environment>`."
  type        = string
  default     = "shop"
}

variable "image_id" {
  description = "AMI of the application instances."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate of the HTTPS listener."
  type        = string
}

variable "alert_email" {
  description = "Address of critical alarms (null: none; production warns without one)."
  type        = string
  default     = null
}

variable "decommission" {
  description = "Lift the data stores' deletion guards so this workspace can be destroyed (apply, then destroy)."
  type        = bool
  default     = false
}
