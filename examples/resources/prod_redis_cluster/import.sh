# The import ID is the group's name (it carries the tag prod:resource = prod_redis_cluster.<name>).
terraform import prod_redis_cluster.sessions sessions-production
