# Migrate after Elastic Beanstalk has deployed the version: the migration runs
# the environment's own (new) task definition, once, and a failed migration
# fails the apply.
resource "ebmigrate_run" "migrate" {
  environment_name = aws_elastic_beanstalk_environment.web.name
  version_label    = aws_elastic_beanstalk_environment.web.version_label

  # These are the defaults:
  # command   = ["./manage.py", "migrate", "--noinput"]
  # log_lines = 50

  # Extra variables on top of the environment's own properties.
  environment = {
    DJANGO_LOG_LEVEL = "INFO"
  }

  # Run the migration again whenever the migrations change, even without a
  # new version, and in the new environment when this apply replaces it (its
  # id is unknown in the plan of a replacement, which plans the migration).
  triggers = {
    migrations     = filesha256("${path.module}/app/migrations.lock")
    environment_id = aws_elastic_beanstalk_environment.web.id
  }

  # Default: the deployed task definition's image, or for a version not
  # deployed yet, the image its Dockerrun.aws.json names.
  # image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/myapp:v42"

  # For containers that log to files on the host: send the migration's
  # output to CloudWatch Logs, so that a failure can show it.
  log_group = "/ebmigrate/myapp-prod"

  # Size the migration container apart from the web container.
  memory = 1024

  # Stop the task when the timeout runs out (default: leave it running
  # for the next apply to wait for).
  stop_on_timeout = false

  timeouts {
    create = "45m"
    update = "45m"
  }
}

# Run the migration on Fargate in the environment's VPC instead of on its
# instances (which may have no room for one more task).
resource "ebmigrate_run" "migrate_on_fargate" {
  environment_name = "myapp-staging"
  version_label    = "v42"

  launch_type = "FARGATE"
  cpu         = 512
  memory      = 1024

  # Defaults to the environment's own subnets and security groups.
  network_configuration {
    subnets          = ["subnet-0123456789abcdef0"]
    assign_public_ip = false
  }
}

# Or with capacity providers (here Fargate Spot), keeping fewer old
# revisions of the migration task definition.
resource "ebmigrate_run" "migrate_on_spot" {
  environment_name = "myapp-preview"
  version_label    = "v42"

  capacity_provider_strategy {
    capacity_provider = "FARGATE_SPOT"
    weight            = 1
  }
  platform_version   = "1.4.0"
  memory_reservation = 256
  keep_revisions     = 3
}
