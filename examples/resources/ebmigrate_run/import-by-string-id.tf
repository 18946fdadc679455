# Terraform 1.5 and later: adopt the environment in a plain plan and apply.
import {
  to = ebmigrate_run.migrate
  id = "myapp-prod"
}
