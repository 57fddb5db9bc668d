# A production alerting set: encrypted topics per severity, an on-call address for critical alarms,
# a chat webhook for warnings, and one alarm of each tier.
terraform {
  required_providers {
    prod = {
      source = "hardened/prod"
    }
  }
}

provider "prod" {
  region      = "us-east-1"
  environment = var.environment
  default_tags = {
    team = "platform"
  }
}

variable "environment" {
  type    = string
  default = "development"
}

variable "cpu_critical" {
  type    = number
  default = 90
}

resource "prod_alerting" "ops" {
  name = "ops-${var.environment}"
  tags = {
    service = "payments"
  }

  notify {
    severity = "critical"
    protocol = "email"
    endpoint = "oncall@example.com"
  }

  notify {
    severity = "warning"
    protocol = "https"
    endpoint = "https://chat.example.com/hooks/alerts"
  }

  alarm {
    name        = "api-cpu-warning"
    namespace   = "AWS/EC2"
    metric_name = "CPUUtilization"
    dimensions = {
      AutoScalingGroupName = "api"
    }
    comparison = "GreaterThanThreshold"
    threshold  = 80
    severity   = "warning"
  }

  alarm {
    name               = "api-cpu-critical"
    namespace          = "AWS/EC2"
    metric_name        = "CPUUtilization"
    dimensions         = { AutoScalingGroupName = "api" }
    comparison         = "GreaterThanThreshold"
    threshold          = var.cpu_critical
    severity           = "critical"
    treat_missing_data = "notBreaching"
  }
}

output "critical_topic_arn" {
  value = prod_alerting.ops.critical_topic_arn
}

output "warning_topic_arn" {
  value = prod_alerting.ops.warning_topic_arn
}

output "components" {
  value = prod_alerting.ops.components
}

output "posture" {
  value = prod_alerting.ops.posture
}
