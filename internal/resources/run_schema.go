package resources

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// runSchema is ebmigrate_run's schema: 18 top-level attributes. The
// arguments that say what runs are at the top (environment_name, name,
// version_label, command, phase, code_operations, triggers, tags, and
// lock_key: with whom it must not run at once); how it runs is grouped as the
// ECS concepts it is (container, task: migration_args.go, shared with the
// action and the pending migrations data source) or as the provider's own
// (logs, review); timeouts are the operations' deadlines
// (terraform-plugin-framework-timeouts); the results are environment_id,
// last_run and output.
func runSchema(ctx context.Context) schema.Schema {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	return schema.Schema{
		// Version of the state's shape: see run_upgrade.go before changing it.
		Version: runSchemaVersion,
		MarkdownDescription: "Runs a database migration (by default Django's `./manage.py migrate --noinput`) for an AWS Elastic Beanstalk environment on the ECS platform, " +
			"once, as a one-off ECS task derived from the environment's own app task definition, and fails the apply when the migration fails.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The environment name, or `<environment name>/<name>` when `name` is not `migrate` (`myapp-prod/before_deploy` for a phase): the import address (`terraform import ebmigrate_run.cache myapp-prod/createcachetable`).",
				PlanModifiers:       keep,
			},
			"environment_name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the Elastic Beanstalk environment, which must run on the ECS platform. A change replaces the resource, which runs the migration in the new environment.",
				Validators:          []validator.String{envNameValidator()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Which of the environment's migrations this is, when several `ebmigrate_run` migrate one environment (for example `createcachetable` beside the default `migrate`, or the two phases of a release): " +
					"it names the task definition family (`ebmigrate-<environment name>_<name>`; `migrate` keeps `ebmigrate-<environment name>`), the id and the import address. " +
					"Up to 64 letters, digits, hyphens and underscores. Defaults to `phase` when it is set (`before_deploy`, `after_deploy`), else to `migrate`. A change (of the default too) replaces the resource, which runs the migration.",
				Validators:    []validator.String{stringvalidator.RegexMatches(nameRe, "must be 1 to 64 letters, digits, hyphens and underscores, starting with a letter or digit")},
				PlanModifiers: []planmodifier.String{phaseName{}, stringplanmodifier.RequiresReplace()},
			},
			"version_label": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The Elastic Beanstalk application version the migration belongs to, usually `aws_elastic_beanstalk_environment.<name>.version_label` or the version being deployed." + reruns,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, maxVersionLabel)},
			},
			"command": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				Computed:            true,
				Default:             listdefault.StaticValue(defaultCommandList()),
				MarkdownDescription: "The migration command, as an exec-form list; it replaces the container's command and is passed to its `entryPoint`, if it has one. Defaults to `[\"./manage.py\", \"migrate\", \"--noinput\"]`." + reruns,
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(notEmpty("a command word", "remove the empty word"), noNULValidator("a command word")),
					commandSizeValidator{},
				},
			},
			"phase":           phaseSpec(runObject).runAttribute(),
			"code_operations": codeOperationsSpec(runObject).runAttribute(),
			"triggers": schema.MapAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Arbitrary values that re-run the migration when they change, for example a hash of the migrations directory." + reruns,
				Validators:          []validator.Map{mapvalidator.KeysAre(stringvalidator.LengthAtLeast(1))},
			},
			"lock_key": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: lockKeyDescription + " A change does not re-run the migration.",
				Validators:          lockKeyValidators(),
			},
			"tags": schema.MapAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: fmt.Sprintf("Tags for the migration task definition and task, on top of the provider's `default_tags` (these win on equal keys). At most %d together; keys may not start with `aws:` or `ebmigrate:`. "+
					"A change does not re-run the migration: it applies from the next run. "+
					"There is no `tags_all`: it exists on the AWS provider's resources to show drift of the tags of a long-lived AWS resource, and this resource is a record of runs, "+
					"whose task definition revisions and tasks are made anew by each run with the tags of that moment; what a run tagged is on its revision and task.", ebmigrate.MaxUserTags),
				Validators: []validator.Map{
					mapvalidator.SizeAtMost(ebmigrate.MaxUserTags),
					mapvalidator.KeysAre(stringvalidator.LengthBetween(1, 128), tagKeyValidator{}),
					mapvalidator.ValueStringsAre(stringvalidator.LengthAtMost(256)),
				},
			},
			"container": containerSpec(runObject).runAttribute(),
			"task":      taskSpec(runObject).runAttribute(),
			"logs":      logsSpec(runObject).runAttribute(),
			"review":    reviewSpec().runAttribute(),
			"timeouts":  runTimeoutsAttribute(ctx),
			"environment_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "ID of the Elastic Beanstalk environment (`e-…`) the last run ran in. Known after apply when the plan runs the migration.",
				PlanModifiers:       keep,
			},
			"last_run": lastRunAttribute(),
			"output":   outputAttribute(),
		},
	}
}

func lastRunAttribute() schema.SingleNestedAttribute {
	s := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	return schema.SingleNestedAttribute{
		Computed: true,
		MarkdownDescription: "What the last successful run used and did. Null after an import until a run; known after apply when the plan runs the migration " +
			"(the plan's \"Migration Will Run\" warning says what the plan found: the cluster, task definition, container and image).",
		PlanModifiers: []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
		Attributes: map[string]schema.Attribute{
			"task_arn":                   s("ARN of the ECS task of the last successful run. A run that fails ends the apply with an error and never reaches the state, so there is no exit code to record: it was 0."),
			"task_definition_arn":        s("ARN of the migration task definition that ran."),
			"cluster_arn":                s("ARN of the ECS cluster the migration ran on."),
			"source_task_definition_arn": s("ARN of the task definition the migration task definition was derived from."),
			"container":                  s("The container the run ran in: `container.name`, or the default one."),
			"image":                      s("The image the run ran: `container.image`, or the default one (`image_source` says where it came from)."),
			"image_source":               s("Where `image` came from: the image argument, the deployed task definition, or an application version's source bundle (with its S3 location)."),
			"log_group":                  s("The CloudWatch Logs group of the run's output: `logs.group`, the container's own awslogs group, or the default `/aws/elasticbeanstalk/<environment name>/ebmigrate`."),
			"log_stream":                 s("CloudWatch Logs stream of the run's output (in `log_group`)."),
			"started_at":                 s("When the run's task started (RFC 3339)."),
			"stopped_at":                 s("When the run's task stopped (RFC 3339)."),
			"stopped_reason":             s("ECS's stopped reason of the run's task."),
		},
	}
}
