# Migrate after Elastic Beanstalk has deployed the version: the migration runs
# the environment's own (new) task definition, once, and a failed migration
# fails the apply.
resource "ebmigrate_run" "migrate" {
  environment_name = aws_elastic_beanstalk_environment.web.name
  version_label    = aws_elastic_beanstalk_environment.web.version_label

  # The default command:
  # command = ["./manage.py", "migrate", "--noinput"]

  # Run the migration again whenever the migrations change, even without a
  # new version, and in the new environment when this apply replaces it (its
  # id is unknown in the plan of a replacement, which plans the migration).
  triggers = {
    migrations     = filesha256("${path.module}/app/migrations.lock")
    environment_id = aws_elastic_beanstalk_environment.web.id
  }

  # Environments that share a database (blue/green) name the same lock key,
  # so that their migrations never run at the same time. Default: the
  # environment's name.
  # lock_key = "myapp-prod-db"

  # The migration container (RunTask container overrides). Each left unset
  # is the environment's own.
  container = {
    # Extra variables on top of the environment's own properties.
    environment = {
      DJANGO_LOG_LEVEL = "INFO"
    }
    # Terraform 1.11 and later: values that never reach the plan or the state
    # (an ephemeral variable, for example). Change environment_wo_version to
    # re-run the migration with new values.
    environment_wo         = { MIGRATION_TOKEN = var.migration_token }
    environment_wo_version = 1

    # Default: the deployed task definition's image, or for a version not
    # deployed yet, the image its Dockerrun.aws.json names.
    # image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/myapp:v42"

    # Size the migration container apart from the web container.
    memory = 1024
  }

  # How and where the task runs (RunTask options).
  task = {
    # ECS Exec, to open a shell in a long migration (the plan prints the
    # command). It needs a task role with the ssmmessages permissions.
    enable_execute_command = true
    task_role_arn          = "arn:aws:iam::123456789012:role/myapp-migrate"

    # Keep the migration off an instance that is about to be replaced.
    placement_constraints = [{
      type       = "memberOf"
      expression = "ec2InstanceId != i-0123456789abcdef0"
    }]

    # How long the task may take to reach RUNNING (image pull, placement)
    # before it is stopped: a task that never started never ran.
    start_timeout = "10m"
    # Stop the task when timeouts.create or timeouts.update runs out
    # (default: leave it running for the next apply to wait for).
    stop_on_timeout = false
  }

  logs = {
    # Default: containers without awslogs log to
    # /aws/elasticbeanstalk/myapp-prod/ebmigrate, created when missing (with
    # retention_in_days; 0 keeps the events forever), which EB's default
    # instance role may write to.
    # Another group must exist, and outside /aws/elasticbeanstalk* the
    # instance role needs logs:CreateLogStream and logs:PutLogEvents on it.
    group = "/aws/elasticbeanstalk/myapp-prod/migrations"
    # The last lines of a successful run are shown after the apply (a
    # "Migration Output" warning) and kept in output.
    lines = 50
  }

  # How long an apply may wait for the migration (default 30m).
  timeouts = {
    create = "45m"
    update = "45m"
  }
}

variable "migration_token" {
  type      = string
  ephemeral = true
}

# What the last run used and the last lines it printed. last_run is null
# after an import, until a migration runs.
output "migration" {
  value = {
    container = try(ebmigrate_run.migrate.last_run.container, null)
    image     = try(ebmigrate_run.migrate.last_run.image, null)
    log_group = try(ebmigrate_run.migrate.last_run.log_group, null)
    # output is sensitive (a plan that re-runs would print the previous lines).
    output = nonsensitive(ebmigrate_run.migrate.output)
  }
}

# A second command for the same environment: its own name, task definition
# family (ebmigrate-myapp-prod_createcachetable), id and import address
# (myapp-prod/createcachetable). It never runs at the same time as the
# environment's other migrations.
resource "ebmigrate_run" "cache_table" {
  environment_name = aws_elastic_beanstalk_environment.web.name
  name             = "createcachetable"
  version_label    = aws_elastic_beanstalk_environment.web.version_label
  command          = ["./manage.py", "createcachetable"]

  # Run after the schema migration.
  depends_on = [ebmigrate_run.migrate]
}

# Run the migration on Fargate in the environment's VPC instead of on its
# instances (which may have no room for one more task).
resource "ebmigrate_run" "migrate_on_fargate" {
  environment_name = "myapp-staging"
  version_label    = "v42"

  container = {
    cpu    = 512
    memory = 1024
  }

  task = {
    launch_type = "FARGATE"
    # Fargate pulls ECR images and sends awslogs output with an execution
    # role; Elastic Beanstalk's task definition has none.
    execution_role_arn = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"

    # Defaults to the environment's own subnets and security groups.
    network_configuration = {
      subnets          = ["subnet-0123456789abcdef0"]
      assign_public_ip = false # defaults to the environment's AssociatePublicIpAddress
    }
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

  container = {
    memory_reservation = 256
  }

  task = {
    capacity_provider_strategy = [{
      capacity_provider = "FARGATE_SPOT"
      weight            = 1
    }]
    platform_version   = "1.4.0"
    keep_revisions     = 3
    execution_role_arn = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
  }

  # The default log group, /aws/elasticbeanstalk/myapp-preview/ebmigrate, is
  # created when missing with this retention.
  logs = {
    retention_in_days = 14
  }
}
