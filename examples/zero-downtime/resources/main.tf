# A release without downtime, wired with resources (Terraform 1.5.7 and
# later, OpenTofu): the migrations that are safe while the old version still
# serves run before Elastic Beanstalk deploys the new one, the rest after it,
# in one terraform apply.

# The application version CI created (aws elasticbeanstalk
# create-application-version) before terraform plan, so that the plan can
# read its migrations: a data source that depends on a resource this apply
# changes is read only while applying.
variable "app_version" {
  description = "The application version to deploy, such as v42."
  type        = string
}

# Optional, so that the plan shows which migrations each phase applies and
# why (it starts a read-only ECS task during plan), and fails, before
# anything runs, a release that cannot be split.
data "ebmigrate_pending_migrations" "release" {
  environment_name = "myapp-prod"
  version_label    = var.app_version
  phase            = "before_deploy"
}

# 1. Expand: new tables, nullable columns, indexes, with the new version's
#    code, while the old version still serves. Its id is
#    myapp-prod/before_deploy (name defaults to the phase).
resource "ebmigrate_run" "before_deploy" {
  environment_name = "myapp-prod"
  version_label    = var.app_version
  phase            = "before_deploy"

  review = {
    pending    = data.ebmigrate_pending_migrations.release.pending
    operations = data.ebmigrate_pending_migrations.release.operations
    reasons    = data.ebmigrate_pending_migrations.release.phases.reasons
  }
}

# 2. Deploy: waits for the expansion; a failed before_deploy stops the
#    apply here, with the old version serving.
resource "aws_elastic_beanstalk_environment" "prod" {
  name                = "myapp-prod"
  application         = "myapp"
  solution_stack_name = "64bit Amazon Linux 2023 v4.4.0 running ECS"
  version_label       = var.app_version

  depends_on = [ebmigrate_run.before_deploy]
}

# 3. Contract: dropped and renamed columns and tables, NOT NULL, type
#    changes, once the new version serves.
resource "ebmigrate_run" "after_deploy" {
  environment_name = "myapp-prod"
  version_label    = aws_elastic_beanstalk_environment.prod.version_label
  phase            = "after_deploy"

  review = {
    pending             = data.ebmigrate_pending_migrations.release.phases.after_deploy
    operations          = data.ebmigrate_pending_migrations.release.operations
    reasons             = data.ebmigrate_pending_migrations.release.phases.reasons
    destructive_changes = "warn"
  }

  depends_on = [aws_elastic_beanstalk_environment.prod]
}
