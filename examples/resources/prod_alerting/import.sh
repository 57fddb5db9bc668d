# The import ID is the resource's name.
terraform import prod_alerting.ops ops-production
