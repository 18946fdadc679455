# A release without downtime, wired with actions (Terraform 1.14 or later):
# the environment's update triggers the before_deploy phase before Elastic
# Beanstalk deploys the new version, and the after_deploy phase after.

# The application version CI created (aws elasticbeanstalk
# create-application-version) before terraform plan, so that the plan can
# read its migrations: a data source that depends on a resource this apply
# changes is read only while applying.
variable "app_version" {
  description = "The application version to deploy, such as v42."
  type        = string
}

# Optional: the plan shows both phases' migrations and why, and fails a
# release that cannot be split (a read-only ECS task during plan).
data "ebmigrate_pending_migrations" "release" {
  environment_name = "myapp-prod"
  version_label    = var.app_version
  phase            = "before_deploy"
}

action "ebmigrate_migrate" "before_deploy" {
  config {
    environment_name = "myapp-prod"
    # The version about to be deployed: the phase runs its code.
    version_label = var.app_version
    phase         = "before_deploy"
    review = {
      pending    = data.ebmigrate_pending_migrations.release.pending
      operations = data.ebmigrate_pending_migrations.release.operations
      reasons    = data.ebmigrate_pending_migrations.release.phases.reasons
    }
  }
}

action "ebmigrate_migrate" "after_deploy" {
  config {
    environment_name = "myapp-prod"
    version_label    = var.app_version
    phase            = "after_deploy"
    review = {
      pending    = data.ebmigrate_pending_migrations.release.phases.after_deploy
      operations = data.ebmigrate_pending_migrations.release.operations
      reasons    = data.ebmigrate_pending_migrations.release.phases.reasons
    }
  }
}

resource "aws_elastic_beanstalk_environment" "prod" {
  name                = "myapp-prod"
  application         = "myapp"
  solution_stack_name = "64bit Amazon Linux 2023 v4.4.0 running ECS"
  version_label       = var.app_version

  lifecycle {
    # A failed before_deploy stops the apply before the update (the deploy).
    action_trigger {
      events  = [before_update]
      actions = [action.ebmigrate_migrate.before_deploy]
    }
    action_trigger {
      events  = [after_update]
      actions = [action.ebmigrate_migrate.after_deploy]
    }
  }
}
