# The AUTH token of a cache, read when Terraform needs it and never stored.
ephemeral "prod_redis_credentials" "sessions" {
  redis_cluster_id = prod_redis_cluster.sessions.id
}

resource "terraform_data" "warm_cache" {
  triggers_replace = [prod_redis_cluster.sessions.id]

  provisioner "local-exec" {
    command = "redis-cli -u \"$REDIS_URL\" --tls PING"
    environment = {
      REDIS_URL = ephemeral.prod_redis_credentials.sessions.uri
    }
  }
}
