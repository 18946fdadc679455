# Where and as what the migration runs, once for both: the query runs where
# and as the migration does (a migration on Fargate queries on Fargate).
locals {
  migration_task = {
    launch_type        = "FARGATE"
    execution_role_arn = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
  }
  migration_container = {
    cpu    = 512
    memory = 1024
  }
}

# Runs "./manage.py migrate --plan" (read-only) as a one-off ECS task during
# plan, with the code of the version about to be migrated (deployed or not).
data "ebmigrate_pending_migrations" "web" {
  environment_name = "myapp-prod"
  version_label    = "v42"
  task             = local.migration_task
  container        = local.migration_container
}

output "pending_migrations" {
  value = data.ebmigrate_pending_migrations.web.pending
}

output "destructive_migrations" {
  value = data.ebmigrate_pending_migrations.web.destructive
}

# The plan lists each pending migration's operations, runs the migration only
# while something is pending, and fails on destructive operations that were
# not reviewed.
resource "ebmigrate_run" "migrate" {
  environment_name = "myapp-prod"
  version_label    = "v42"
  task             = local.migration_task
  container        = local.migration_container

  review = {
    pending             = data.ebmigrate_pending_migrations.web.pending
    operations          = data.ebmigrate_pending_migrations.web.operations
    destructive_changes = "deny"
    allow_destructive   = ["shop.0003_remove_product_sku"]
  }
}
