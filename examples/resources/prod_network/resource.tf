resource "prod_network" "main" {
  name       = "payments-production"
  cidr_block = "10.20.0.0/16"
  # az_count = 3   # profile default: 2 in development and staging, 3 in production

  tags = {
    service = "payments"
  }
}
