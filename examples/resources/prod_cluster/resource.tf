resource "prod_cluster" "web" {
  name              = "payments-production"
  image_id          = "ami-0123456789abcdef0"
  subnet_ids        = prod_network.main.private_subnet_ids # instances: at least 2 zones
  public_subnet_ids = prod_network.main.public_subnet_ids  # load balancer
  certificate_arn   = "arn:aws:acm:us-east-1:123456789012:certificate/0b8e7a7e-1111-2222-3333-444455556666"

  # Optional; the profile decides otherwise:
  # instance_type       = "m6i.large"
  # min_size            = 3
  # max_size            = 9
  # desired_capacity    = 3      # set on create and when changed here; scaling owns it otherwise
  # app_port            = 8080
  # ingress_cidr_blocks = ["0.0.0.0/0"]
  # rate_limit          = 2000   # web ACL: requests per client IP in 5 minutes
  # blocked_countries   = ["KP"] # web ACL: ISO 3166 alpha-2 codes
  # allowed_cidr_blocks = ["203.0.113.0/24"] # bypass the web ACL's other rules
  # force_destroy_logs  = false  # outside development destroy keeps the log bucket
  user_data = <<-EOT
    #!/bin/sh
    systemctl start app
  EOT

  # The target group's health check; each setting has a default (these are they).
  health_check {
    path                = "/health"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
    matcher             = "200-399"
  }

  tags = {
    service = "payments"
  }
}
