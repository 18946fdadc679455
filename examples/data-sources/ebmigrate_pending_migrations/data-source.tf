# Runs "./manage.py showmigrations --plan" as a one-off ECS task during plan.
data "ebmigrate_pending_migrations" "web" {
  environment_name = "myapp-prod"
}

output "pending_migrations" {
  value = data.ebmigrate_pending_migrations.web.pending
}

# The plan lists the migrations the apply will run, and plans no run while
# nothing is pending. (Once the apply has applied them the list is empty,
# which changes triggers: the next plan runs the now empty migration once.)
resource "ebmigrate_run" "migrate" {
  environment_name = "myapp-prod"
  version_label    = "v42"

  triggers = {
    pending = join(",", data.ebmigrate_pending_migrations.web.pending)
  }
}
