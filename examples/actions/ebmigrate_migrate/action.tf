# Terraform 1.14 or later. Three ways to run the migration with the action:

# 1. Migrate, then deploy: before_update of the environment runs the
#    migration with the code of the version about to be deployed, while the
#    old version still serves; a failed migration stops the apply before
#    Elastic Beanstalk deploys anything. (before_update fires on every
#    in-place update of the environment; a migration with nothing pending
#    changes nothing.)
action "ebmigrate_migrate" "before_deploy" {
  config {
    environment_name = "myapp-prod"
    version_label    = aws_elastic_beanstalk_application_version.app.name
  }
}

resource "aws_elastic_beanstalk_environment" "web" {
  name                = "myapp-prod"
  application         = "myapp"
  solution_stack_name = "64bit Amazon Linux 2023 v4.4.0 running ECS"
  version_label       = aws_elastic_beanstalk_application_version.app.name

  lifecycle {
    action_trigger {
      events  = [before_update]
      actions = [action.ebmigrate_migrate.before_deploy]
    }
  }
}

# 2. Deploy, then migrate: after_update runs the migration once Elastic
#    Beanstalk has deployed the new version (for migrations that only add,
#    which the old code tolerates). With version_label set, the plan names
#    the image that will run; left unset, it is the version deployed when
#    the action runs.
action "ebmigrate_migrate" "after_deploy" {
  config {
    environment_name = "myapp-staging"
    version_label    = aws_elastic_beanstalk_application_version.app.name
    command          = ["./manage.py", "migrate", "--noinput"]
    logs = {
      lines = 100
    }
    timeouts = {
      invoke = "45m"
    }
  }
}

resource "aws_elastic_beanstalk_environment" "staging" {
  name                = "myapp-staging"
  application         = "myapp"
  solution_stack_name = "64bit Amazon Linux 2023 v4.4.0 running ECS"
  version_label       = aws_elastic_beanstalk_application_version.app.name

  lifecycle {
    action_trigger {
      events  = [after_update]
      actions = [action.ebmigrate_migrate.after_deploy]
    }
  }
}

# 3. On demand, with no resource in state:
#      terraform apply -invoke=action.ebmigrate_migrate.showmigrations
action "ebmigrate_migrate" "showmigrations" {
  config {
    environment_name = "myapp-prod"
    command          = ["./manage.py", "showmigrations", "--plan"]
    container = {
      name = "web"
      environment = {
        DJANGO_LOG_LEVEL = "INFO"
      }
    }
  }
}
