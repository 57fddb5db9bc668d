resource "prod_alerting" "ops" {
  name = "ops-production"
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
    name        = "api-cpu"
    namespace   = "AWS/EC2"
    metric_name = "CPUUtilization"
    dimensions = {
      AutoScalingGroupName = "api"
    }
    comparison = "GreaterThanThreshold"
    threshold  = 90
    severity   = "critical"
  }

  timeouts {
    create = "10m"
  }
}
