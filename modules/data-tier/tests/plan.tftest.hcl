# Plan-only checks of the wiring and the validations, with a mocked provider: no AWS needed.
mock_provider "prod" {}

variables {
  name                       = "shop"
  subnet_ids                 = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  allowed_security_group_ids = ["sg-0123456789abcdef0"]
}

run "both_stores_in_the_given_subnets_admitting_only_the_given_groups" {
  command = plan

  assert {
    condition     = prod_database_ha.this.name == "shop" && prod_redis_cluster.this.name == "shop"
    error_message = "Both stores carry the tier's name (their resources suffix the objects around them)."
  }
  assert {
    condition     = prod_database_ha.this.subnet_ids == var.subnet_ids && prod_redis_cluster.this.subnet_ids == var.subnet_ids
    error_message = "Both stores sit in the given subnets."
  }
  assert {
    condition     = prod_database_ha.this.allowed_security_group_ids == var.allowed_security_group_ids && prod_redis_cluster.this.allowed_security_group_ids == var.allowed_security_group_ids
    error_message = "Both stores admit only the given security groups."
  }
  assert {
    condition     = prod_database_ha.this.engine == "postgres" && prod_redis_cluster.this.engine == "valkey"
    error_message = "The default engines are postgres and valkey."
  }
  assert {
    condition     = prod_database_ha.this.tags == null
    error_message = "No tags is null, so that an imported store plans no change."
  }
}

run "decommission_lifts_both_guards" {
  command = plan

  variables {
    decommission = true
  }

  assert {
    condition     = prod_database_ha.this.deletion_protection == false && prod_redis_cluster.this.deletion_protection == false
    error_message = "decommission = true turns deletion_protection off on both stores."
  }
}

run "a_name_the_cache_cannot_carry_is_refused" {
  command = plan

  variables {
    name = "Shop_1"
  }

  expect_failures = [var.name]
}

run "one_subnet_is_refused" {
  command = plan

  variables {
    subnet_ids = ["subnet-0123456789abcdef0"]
  }

  expect_failures = [var.subnet_ids]
}

run "an_unknown_engine_is_refused" {
  command = plan

  variables {
    database_engine = "oracle"
  }

  expect_failures = [var.database_engine]
}

run "the_names_an_older_version_gave_are_kept_when_asked" {
  command = plan

  variables {
    database = { name = "shop-db" }
    cache    = { name = "shop-cache" }
  }

  assert {
    condition     = prod_database_ha.this.name == "shop-db" && prod_redis_cluster.this.name == "shop-cache"
    error_message = "database.name and cache.name override the tier's name."
  }
}
