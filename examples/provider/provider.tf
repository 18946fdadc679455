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

  # Optional: assume a role for every call.
  # assume_role {
  #   role_arn = "arn:aws:iam::123456789012:role/deployer"
  # }
}
