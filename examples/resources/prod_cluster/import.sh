# The import ID is the cluster's name (its load balancer carries the tag prod:resource = prod_cluster.<name>).
terraform import prod_cluster.web payments-production
