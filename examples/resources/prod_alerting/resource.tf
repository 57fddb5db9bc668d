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

  # CloudWatch's own: a percentile, "3 out of 5" data points, a unit.
  alarm {
    name        = "api-latency-p99"
    namespace   = "AWS/ApplicationELB"
    metric_name = "TargetResponseTime"
    dimensions = {
      LoadBalancer = "app/api/0123456789abcdef"
    }
    statistic           = "p99"
    unit                = "Seconds"
    datapoints_to_alarm = 3
    comparison          = "GreaterThanThreshold"
    threshold           = 0.5
    severity            = "warning"
  }

  # Metric math: the alarm watches `expression`, over the `metric` blocks.
  alarm {
    name       = "api-error-rate"
    expression = "100 * errors / requests"
    period     = 300
    comparison = "GreaterThanThreshold"
    threshold  = 2
    severity   = "critical"

    metric {
      id          = "errors"
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions = {
        LoadBalancer = "app/api/0123456789abcdef"
      }
      statistic = "Sum"
    }
    metric {
      id          = "requests"
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      dimensions = {
        LoadBalancer = "app/api/0123456789abcdef"
      }
      statistic = "Sum"
    }
  }

  timeouts {
    create = "10m"
  }
}
