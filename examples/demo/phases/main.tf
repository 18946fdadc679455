# The demo's zero-downtime step, on the environment "myapp-shop": the
# release that adds a column the new code writes and drops one the old code
# reads, migrated in two phases around the deploy in one terraform apply
# (examples/zero-downtime/resources with a stand-in for the environment).
# terraform_data.deploy stands for aws_elastic_beanstalk_environment: on a
# new version it makes Elastic Beanstalk deploy it (UpdateEnvironment) and
# waits until the environment is Ready with it, as the AWS provider does.
terraform {
  required_providers {
    ebmigrate = {
      source = "ebmigrate/ebmigrate"
    }
  }
}

variable "endpoint" {
  description = "localaws URL, set by demo.sh."
  type        = string
}

variable "app_version" {
  description = "The application version to release."
  type        = string
}

provider "ebmigrate" {
  region = "us-east-1"
  endpoints {
    ecs              = var.endpoint
    elasticbeanstalk = var.endpoint
    logs             = var.endpoint
    s3               = var.endpoint
  }
}

data "ebmigrate_pending_migrations" "release" {
  environment_name = "myapp-shop"
  version_label    = var.app_version
  phase            = "before_deploy"
}

resource "ebmigrate_run" "before_deploy" {
  environment_name = "myapp-shop"
  version_label    = var.app_version
  phase            = "before_deploy"
  logs = {
    lines = 5
  }
  review = {
    pending    = data.ebmigrate_pending_migrations.release.pending
    operations = data.ebmigrate_pending_migrations.release.operations
    reasons    = data.ebmigrate_pending_migrations.release.phases.reasons
  }
}

resource "terraform_data" "deploy" {
  triggers_replace = var.app_version
  provisioner "local-exec" {
    command = <<-EOT
      set -e
      describe() { curl -sf '${var.endpoint}/' -d 'Action=DescribeEnvironments&Version=2010-12-01&EnvironmentNames.member.1=myapp-shop' || true; }
      if ! describe | grep -q '<VersionLabel>${self.triggers_replace}</VersionLabel>'; then
        curl -sf -o /dev/null '${var.endpoint}/' -d 'Action=UpdateEnvironment&Version=2010-12-01&EnvironmentName=myapp-shop&VersionLabel=${self.triggers_replace}'
      fi
      for i in $(seq 300); do
        d=$(describe)
        case "$d" in *'<Status>Ready</Status>'*'<VersionLabel>${self.triggers_replace}</VersionLabel>'*|*'<VersionLabel>${self.triggers_replace}</VersionLabel>'*'<Status>Ready</Status>'*) exit 0 ;; esac
        sleep 0.2
      done
      echo 'myapp-shop did not become Ready with ${self.triggers_replace}' >&2
      exit 1
    EOT
  }
  depends_on = [ebmigrate_run.before_deploy]
}

resource "ebmigrate_run" "after_deploy" {
  environment_name = "myapp-shop"
  version_label    = var.app_version
  phase            = "after_deploy"
  logs = {
    lines = 5
  }
  review = {
    pending    = data.ebmigrate_pending_migrations.release.phases.after_deploy
    operations = data.ebmigrate_pending_migrations.release.operations
    reasons    = data.ebmigrate_pending_migrations.release.phases.reasons
  }
  depends_on = [terraform_data.deploy]
}
