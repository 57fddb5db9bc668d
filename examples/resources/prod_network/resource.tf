resource "prod_network" "main" {
  name       = "payments-production"
  cidr_block = "10.20.0.0/16"
  # az_count = 3   # profile default: 2 in development and staging, 3 in production
  # endpoints = ["s3", "dynamodb", "ssm", "ssmmessages", "ec2messages"]
  #                 # profile default: s3 and dynamodb gateways in development; in staging and
  #                 # production also ec2, ssm, ssmmessages, ec2messages, logs, monitoring, kms,
  #                 # secretsmanager and sts interface endpoints

  tags = {
    service = "payments"
  }
}
