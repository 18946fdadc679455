# Migrate after Elastic Beanstalk has deployed the version: the migration runs
# the environment's own (new) task definition, once, and a failed migration
# fails the apply.
resource "ebmigrate_run" "migrate" {
  environment_name = aws_elastic_beanstalk_environment.web.name
  version_label    = aws_elastic_beanstalk_environment.web.version_label

  # These are the defaults. The last log_lines lines of a successful run are
  # shown after the apply (a "Migration Output" warning) and kept in output.
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

  # Default: containers without awslogs log to
  # /aws/elasticbeanstalk/myapp-prod/ebmigrate, created when missing, which
  # EB's default instance role may write to. Another group must exist, and
  # outside /aws/elasticbeanstalk* the instance role needs
  # logs:CreateLogStream and logs:PutLogEvents on it.
  log_group          = "/aws/elasticbeanstalk/myapp-prod/migrations"
  log_retention_days = 30 # of the default group, when the provider creates it

  # Size the migration container apart from the web container.
  memory = 1024

  # ECS Exec, to open a shell in a long migration (the plan prints the
  # command). It needs a task role with the ssmmessages permissions.
  enable_execute_command = true
  task_role_arn          = "arn:aws:iam::123456789012:role/myapp-migrate"

  # Keep the migration off an instance that is about to be replaced.
  placement_constraints {
    type       = "memberOf"
    expression = "ec2InstanceId != i-0123456789abcdef0"
  }

  # Stop the task when the timeout runs out (default: leave it running
  # for the next apply to wait for).
  stop_on_timeout = false

  timeouts {
    create = "45m"
    update = "45m"
  }
}

# What the last run used (container_name, image and log_group are only what
# is asked for) and the last lines it printed.
output "migration" {
  value = {
    container = ebmigrate_run.migrate.container_used
    image     = ebmigrate_run.migrate.image_used
    log_group = ebmigrate_run.migrate.log_group_used
    # output is sensitive (a plan that re-runs would print the previous lines).
    output = nonsensitive(ebmigrate_run.migrate.output)
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

  # Fargate pulls ECR images and sends awslogs output with an execution
  # role; Elastic Beanstalk's task definition has none.
  execution_role_arn = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"

  # Defaults to the environment's own subnets and security groups.
  network_configuration {
    subnets          = ["subnet-0123456789abcdef0"]
    assign_public_ip = false # defaults to the environment's AssociatePublicIpAddress
  }
}

# Or with capacity providers, keeping fewer old revisions of the migration
# task definition. Only providers associated with the cluster can be used, and
# Elastic Beanstalk's cluster has only its Auto Scaling group provider:
# associate Fargate Spot first (the plan checks), keeping the existing ones:
#   aws ecs put-cluster-capacity-providers --cluster awseb-myapp-preview-... \
#     --capacity-providers <the cluster's provider> FARGATE_SPOT \
#     --default-capacity-provider-strategy '[]'
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
  execution_role_arn = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"

  # The default log group, /aws/elasticbeanstalk/myapp-preview/ebmigrate, is
  # created when missing with this retention.
  log_retention_days = 14
}
