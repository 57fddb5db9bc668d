# The import ID is the network's name (its VPC carries the tag prod:resource = prod_network.<name>).
terraform import prod_network.main payments-production
