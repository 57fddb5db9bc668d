# The import ID is the database's name (its primary carries the tag prod:resource = prod_database_ha.<name>).
terraform import prod_database_ha.main payments-production
