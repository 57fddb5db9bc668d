# Plan-only checks of the wiring and the validations, with a mocked provider: no AWS needed. The
# ids the wiring hands across are given at plan (as the provider plans or AWS makes them), so that the
# wiring and the data tier's validations of them can be checked.
mock_provider "prod" {
  override_during = plan

  mock_resource "prod_network" {
    defaults = {
      private_subnet_ids = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
      public_subnet_ids  = ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"]
    }
  }

  mock_resource "prod_cluster" {
    defaults = {
      id                = "shop"
      security_group_id = "sg-0123456789abcdef0"
      watch             = { kind = "cluster", name = "shop" }
    }
  }
}

variables {
  name            = "shop"
  image_id        = "ami-0123456789abcdef0"
  certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
}

run "one_service_named_alike_and_wired_together" {
  command = plan

  assert {
    condition     = prod_network.this.name == "shop" && prod_cluster.this.name == "shop" && prod_alerting.this.name == "shop"
    error_message = "The network, the cluster and the alerting carry the stack's name (the data tier's tests check the stores')."
  }
  assert {
    condition     = prod_cluster.this.app_port == 8080 && prod_cluster.this.image_id == var.image_id && prod_cluster.this.certificate_arn == var.certificate_arn
    error_message = "The cluster runs the given image behind the given certificate, on port 8080 by default."
  }
  assert {
    condition     = length(prod_alerting.this.watch) == 3 && prod_alerting.this.watch[0] == prod_cluster.this.watch && prod_alerting.this.cluster_ids == null
    error_message = "The alerting watches the cluster (and the data tier) by reference."
  }
  assert {
    condition     = prod_cluster.this.subnet_ids == prod_network.this.private_subnet_ids && prod_cluster.this.public_subnet_ids == prod_network.this.public_subnet_ids
    error_message = "Instances in the private subnets, the load balancer in the public ones."
  }
  assert {
    condition     = length(prod_alerting.this.notify) == 0
    error_message = "No alert_email, no subscription."
  }
}

run "an_alert_email_subscribes_to_the_critical_topic" {
  command = plan

  variables {
    alert_email = "oncall@example.com"
  }

  assert {
    condition     = length(prod_alerting.this.notify) == 1 && prod_alerting.this.notify[0].severity == "critical" && prod_alerting.this.notify[0].endpoint == "oncall@example.com"
    error_message = "alert_email subscribes to the critical topic by email."
  }
}

run "a_name_the_load_balancer_cannot_carry_is_refused" {
  command = plan

  variables {
    name = "a-very-long-service-name-indeed"
  }

  expect_failures = [var.name]
}

run "an_image_that_is_not_an_ami_is_refused" {
  command = plan

  variables {
    image_id = "ubuntu-24.04"
  }

  expect_failures = [var.image_id]
}

run "a_privileged_app_port_is_refused" {
  command = plan

  variables {
    app_port = 80
  }

  expect_failures = [var.app_port]
}

run "sizing_and_alarms_pass_through_and_unset_stays_to_the_profile" {
  command = plan

  variables {
    cluster = {
      min_size         = 5
      max_size         = 10
      desired_capacity = 5
    }
    database = {
      replicas   = 2
      parameters = { max_connections = "400" }
    }
    cache = {
      replicas_per_shard = 2
    }
    alerting = {
      notify = [{ severity = "warning", protocol = "email", endpoint = "team@example.com" }]
      alarms = [{
        name        = "queue-depth"
        namespace   = "AWS/SQS"
        metric_name = "ApproximateNumberOfMessagesVisible"
        comparison  = "GreaterThanThreshold"
        threshold   = 1000
        severity    = "warning"
      }]
    }
  }

  assert {
    condition     = prod_cluster.this.min_size == 5 && prod_cluster.this.max_size == 10 && prod_cluster.this.desired_capacity == 5
    error_message = "The cluster's sizes pass through."
  }
  assert {
    condition     = length(prod_alerting.this.alarm) == 1 && prod_alerting.this.alarm[0].name == "queue-depth" && prod_alerting.this.notify[0].severity == "warning"
    error_message = "Custom alarms and subscriptions pass through."
  }
}

run "the_names_an_older_version_gave_are_kept_when_asked" {
  command = plan

  variables {
    database = { name = "shop-db" }
    cache    = { name = "shop-cache" }
    alerting = { name = "shop-ops" }
  }

  assert {
    condition     = prod_alerting.this.name == "shop-ops" && prod_network.this.name == "shop" && prod_cluster.this.name == "shop"
    error_message = "alerting.name overrides the stack's name; the network and the cluster keep it."
  }
}
