# What a migration for the environment would run on, without running anything.
data "ebmigrate_environment" "web" {
  environment_name = "myapp-prod"
}

output "migration_source" {
  value = {
    cluster         = data.ebmigrate_environment.web.cluster_arn
    task_definition = data.ebmigrate_environment.web.source_task_definition_arn
    containers      = data.ebmigrate_environment.web.containers
    # Names only: property values never enter Terraform.
    properties = data.ebmigrate_environment.web.property_names
  }
}
