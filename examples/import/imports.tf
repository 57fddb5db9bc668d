# Each import ID is the resource's name (the objects carry the tag prod:resource = <type>.<name>).
# The blocks may stay after the import: an object already in state is not imported again.
import {
  to = module.stack.prod_network.this
  id = var.name
}

import {
  to = module.stack.prod_cluster.this
  id = var.name
}

import {
  to = module.stack.module.data.prod_database_ha.this
  id = var.name
}

import {
  to = module.stack.module.data.prod_redis_cluster.this
  id = var.name
}

import {
  to = module.stack.prod_alerting.this
  id = var.name
}
