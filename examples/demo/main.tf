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
  description = "The application version to migrate to: the deployed one, or one about to be deployed."
  type        = string
}

variable "destructive_changes" {
  description = "What a plan with destructive migration operations does: allow, warn or deny."
  type        = string
  default     = "warn"
}

variable "allow_destructive" {
  description = "Migrations whose destructive operations were reviewed."
  type        = list(string)
  default     = []
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

# Starts a read-only "migrate --plan" task during plan, with the code of the
# version about to be migrated (deployed or not).
data "ebmigrate_pending_migrations" "web" {
  environment_name = "myapp-prod"
  version_label    = var.app_version
}

resource "ebmigrate_run" "migrate" {
  environment_name = "myapp-prod"
  version_label    = var.app_version

  logs = {
    lines = 8
  }

  review = {
    pending             = data.ebmigrate_pending_migrations.web.pending
    operations          = data.ebmigrate_pending_migrations.web.operations
    destructive_changes = var.destructive_changes
    allow_destructive   = var.allow_destructive
  }
}

output "pending_migrations" {
  value = data.ebmigrate_pending_migrations.web.pending
}

output "destructive_migrations" {
  value = data.ebmigrate_pending_migrations.web.destructive
}
