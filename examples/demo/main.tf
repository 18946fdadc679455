# The demo's Terraform configuration: migrate the Elastic Beanstalk
# environment "myapp-prod" (served by localaws) for the deployed version.
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
  description = "The application version Elastic Beanstalk has deployed."
  type        = string
}

provider "ebmigrate" {
  region = "us-east-1"
  endpoints {
    ecs              = var.endpoint
    elasticbeanstalk = var.endpoint
    logs             = var.endpoint
  }
}

# Starts a read-only "showmigrations --plan" task during plan.
data "ebmigrate_pending_migrations" "web" {
  environment_name = "myapp-prod"
}

resource "ebmigrate_run" "migrate" {
  environment_name = "myapp-prod"
  version_label    = var.app_version
  log_lines        = 8
}

output "pending_migrations" {
  value = data.ebmigrate_pending_migrations.web.pending
}
