# Terraform 1.12 and later: import by the resource's identity (its
# environment and name; name defaults to "migrate").
import {
  to = ebmigrate_run.cache_table
  identity = {
    environment_name = "myapp-prod"
    name             = "createcachetable"
  }
}
