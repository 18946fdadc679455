package resources

import (
	"context"
	"fmt"

	atimeouts "github.com/hashicorp/terraform-plugin-framework-timeouts/action/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// migrateActionSchema is ebmigrate_migrate's schema: ebmigrate_run's
// arguments under the same names (container, task, logs and review from the
// same specs, migration_args.go), minus what only a resource has (name,
// triggers, tags, results, environment_wo_version), with the defaults
// written out since an action's schema has none.
func migrateActionSchema(ctx context.Context) schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Runs a database migration (by default Django's `./manage.py migrate --noinput`) for an AWS Elastic Beanstalk environment on the ECS platform, " +
			"as a one-off ECS task derived from the environment's own app task definition, and fails when the migration fails. " +
			"An action (Terraform 1.14 and later; not OpenTofu): it runs each time it is triggered and keeps nothing in state.",
		Attributes: map[string]schema.Attribute{
			"environment_name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the Elastic Beanstalk environment to migrate.",
				Validators:          []validator.String{envNameValidator()},
			},
			"lock_key": schema.StringAttribute{Optional: true, MarkdownDescription: lockKeyDescription, Validators: lockKeyValidators()},
			"version_label": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The application version the migration runs the code of: the version being deployed. Before a deploy (`before_update`), set it to the version about to be deployed, " +
					"so that the migration runs its image (from its `Dockerrun.aws.json`). Left unset, the version the environment has deployed.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, maxVersionLabel)},
			},
			"command": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "The migration command, as an exec-form list; it replaces the container's command and is passed to its `entryPoint`, if it has one. " +
					"Defaults to `[\"./manage.py\", \"migrate\", \"--noinput\"]`.",
				Validators: []validator.List{listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(notEmpty("a command word", "remove the empty word"), noNULValidator("a command word")), commandSizeValidator{}},
			},
			"phase":           phaseSpec(actionObject).actionAttribute(),
			"code_operations": codeOperationsSpec(actionObject).actionAttribute(),
			"container":       containerSpec(actionObject).actionAttribute(),
			"task":            taskSpec(actionObject).actionAttribute(),
			"logs":            logsSpec(actionObject).actionAttribute(),
			"review":          reviewSpec().actionAttribute(),
			"timeouts":        actionTimeoutsAttribute(ctx),
		},
	}
}

// actionTimeoutsAttribute is ebmigrate_migrate's timeouts = { invoke }.
func actionTimeoutsAttribute(ctx context.Context) schema.Attribute {
	a := atimeouts.Attributes(ctx).(schema.SingleNestedAttribute)
	a.MarkdownDescription = "How long an invocation may wait for the migration. What happens to a task still running then is `task.stop_on_timeout`."
	s := a.Attributes["invoke"].(schema.StringAttribute)
	s.Description = ""
	s.MarkdownDescription = fmt.Sprintf("How long an invocation may wait for the migration: a duration of at least %s, such as `\"45m\"`. Defaults to `%s`.", minRunTimeout, durationString(defaultTimeout))
	s.Validators = []validator.String{durationAtLeast(minRunTimeout)} // names the argument, as the framework's own does not
	a.Attributes["invoke"] = s
	return a
}
