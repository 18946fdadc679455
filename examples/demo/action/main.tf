# The demo's action step (Terraform 1.14 and later), on the environment
# "myapp-staging": ebmigrate_migrate runs right before the environment's
# version changes. terraform_data.environment
# stands for aws_elastic_beanstalk_environment (its version_label changes in
# place: an update, so before_update fires), and terraform_data.deploy for
# what Elastic Beanstalk does on that update (UpdateEnvironment).
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
  description = "The application version to deploy."
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

action "ebmigrate_migrate" "web" {
  config {
    environment_name = "myapp-staging"
    # The version about to be deployed: the migration runs its code.
    version_label = var.app_version
  }
}

resource "terraform_data" "environment" {
  input = var.app_version
  lifecycle {
    action_trigger {
      events  = [before_update]
      actions = [action.ebmigrate_migrate.web]
    }
  }
}

resource "terraform_data" "deploy" {
  triggers_replace = terraform_data.environment.output
  provisioner "local-exec" {
    command = "curl -sf -o /dev/null ${var.endpoint}/ -d 'Action=UpdateEnvironment&Version=2010-12-01&EnvironmentName=myapp-staging&VersionLabel=${self.triggers_replace}'"
  }
}
