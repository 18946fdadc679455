terraform {
  required_providers {
    ebmigrate = {
      source = "ebmigrate/ebmigrate"
    }
  }
}

# Credentials come from the standard AWS chain (environment, shared files,
# SSO, instance or task role).
provider "ebmigrate" {
  region = "eu-west-1"

  # Optional: assume a role for every call (without a role_arn known at
  # plan, the block is an error).
  # assume_role {
  #   role_arn = "arn:aws:iam::123456789012:role/deployer"
  # }

  # Refuse credentials of any other account (sts:GetCallerIdentity).
  allowed_account_ids = ["123456789012"]

  # Optional: where the migration lock lives. Default: Elastic Beanstalk's
  # storage bucket of the region (elasticbeanstalk-<region>-<account>).
  # lock {
  #   bucket = "myapp-deploy-locks"
  # }

  # Tags for every migration task definition and task.
  default_tags {
    tags = {
      team = "platform"
    }
  }
}
