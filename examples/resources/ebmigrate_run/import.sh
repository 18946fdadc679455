# Adopt an environment whose migrations already ran: nothing runs, and the
# environment's deployed version is recorded as migrated.
terraform import ebmigrate_run.migrate myapp-prod

# An ebmigrate_run with another name than "migrate": <environment>/<name>.
terraform import ebmigrate_run.cache_table myapp-prod/createcachetable
