# Runs "./manage.py migrate --plan" (read-only) as a one-off ECS task during
# plan, with the code of the version about to be migrated (deployed or not).
data "ebmigrate_pending_migrations" "web" {
  environment_name = "myapp-prod"
  version_label    = "v42"
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

  review = {
    pending             = data.ebmigrate_pending_migrations.web.pending
    operations          = data.ebmigrate_pending_migrations.web.operations
    destructive_changes = "deny"
    allow_destructive   = ["shop.0003_remove_product_sku"]
  }
}
