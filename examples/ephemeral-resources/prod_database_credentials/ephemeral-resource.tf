# The master credentials of a database, read when Terraform needs them and never stored: here a
# migration runs once the database exists, with the password only in its environment.
ephemeral "prod_database_credentials" "main" {
  database_id = prod_database_ha.main.id
}

resource "terraform_data" "migrate" {
  triggers_replace = [prod_database_ha.main.id]

  provisioner "local-exec" {
    command = "psql \"$DATABASE_URL\" -f schema.sql"
    environment = {
      DATABASE_URL = ephemeral.prod_database_credentials.main.uri
    }
  }
}
