package resources

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

const reruns = " A change re-runs the migration."

// runSchema is ebmigrate_run's schema: 16 top-level attributes. The
// arguments that say what runs are at the top (environment_name, name,
// version_label, command, triggers, tags, and lock_key: with whom it must
// not run at once); how it runs is grouped as the
// ECS concepts it is (container, task) or as the provider's own (logs,
// review, timeouts); the results are environment_id, last_run and output.
func runSchema(_ context.Context) schema.Schema {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	return schema.Schema{
		// Version of the state's shape: see run_upgrade.go before changing it.
		Version: runSchemaVersion,
		MarkdownDescription: "Runs a database migration (by default Django's `./manage.py migrate --noinput`) for an AWS Elastic Beanstalk environment on the ECS platform, " +
			"once, as a one-off ECS task derived from the environment's own app task definition, and fails the apply when the migration fails.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The environment name, or `<environment name>/<name>` when `name` is not `migrate`: the import address (`terraform import ebmigrate_run.cache myapp-prod/createcachetable`).",
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
				Default:  stringdefault.StaticString(defaultName),
				MarkdownDescription: "Which of the environment's migrations this is, when several `ebmigrate_run` migrate one environment (for example `createcachetable` beside the default `migrate`): " +
					"it names the task definition family (`ebmigrate-<environment name>_<name>`; the default keeps `ebmigrate-<environment name>`), the id and the import address. " +
					"Up to 64 letters, digits, hyphens and underscores. Defaults to `migrate`. A change replaces the resource, which runs the migration.",
				Validators:    []validator.String{stringvalidator.RegexMatches(nameRe, "must be 1 to 64 letters, digits, hyphens and underscores, starting with a letter or digit")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
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
					listvalidator.ValueStringsAre(notEmpty("a command word", "remove the empty word")),
					commandSizeValidator{},
				},
			},
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
					"A change does not re-run the migration: it applies from the next run.", ebmigrate.MaxUserTags),
				Validators: []validator.Map{
					mapvalidator.SizeAtMost(ebmigrate.MaxUserTags),
					mapvalidator.KeysAre(stringvalidator.LengthBetween(1, 128), tagKeyValidator{}),
					mapvalidator.ValueStringsAre(stringvalidator.LengthAtMost(256)),
				},
			},
			"container": containerAttribute(),
			"task":      taskAttribute(),
			"logs":      logsAttribute(),
			"review":    reviewAttribute(),
			"timeouts":  timeoutsAttribute(),
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

func containerAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional:            true,
		MarkdownDescription: "The migration container: which container of the environment's task definition runs the migration, with what image, extra environment and size (RunTask container overrides, as `aws_ecs_task_execution`'s `overrides.container_overrides`). Each left unset is the environment's own.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The container of the environment's task definition to run the migration in. Defaults to its one essential container; among several, the one the others `links` to or `dependsOn`, else the one without host port mappings; when that still leaves several, the plan fails and lists them. " +
					"The container a run used is `last_run.container`. A change re-runs the migration, unless it names the container the last run used; removing it does not re-run the migration (the next run uses the default).",
				Validators: []validator.String{notEmpty("container.name", "remove it to use the default container"), stringvalidator.LengthAtMost(255)},
			},
			"image": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The image the migration runs. Left unset, it is the image the environment's task definition has when `version_label` is the deployed version, " +
					"and otherwise the image the `Dockerrun.aws.json` of that application version's source bundle gives the container (so that a migration before the deploy runs the new code). " +
					"The image a run used is `last_run.image`. A change of a set image re-runs the migration, unless it is the image the last run used; removing it does not re-run the migration (the next run uses the default).",
				Validators: []validator.String{notEmpty("container.image", "remove it to run the environment's (or the application version's) image")},
			},
			"environment": schema.MapAttribute{
				ElementType: types.StringType,
				Optional:    true,
				Sensitive:   true,
				MarkdownDescription: "Extra environment variables for the migration, on top of the environment's own properties (these win on equal names). " +
					"Values are kept in the Terraform state like any argument (marked sensitive); on Terraform 1.11 and later use `environment_wo`, which never reaches the state, or keep secrets in Elastic Beanstalk properties or secrets." + reruns,
				Validators: []validator.Map{mapvalidator.KeysAre(notEmpty("an environment variable name", "remove the entry"))},
			},
			"environment_wo": schema.MapAttribute{
				ElementType: types.StringType,
				Optional:    true,
				Sensitive:   true,
				WriteOnly:   true,
				MarkdownDescription: "Write-only extra environment variables (Terraform 1.11 and later): like `environment` (these win on equal names), but never stored in the plan or the state. " +
					"Terraform cannot tell a change of them: change `environment_wo_version` to re-run the migration with new values.",
				Validators: []validator.Map{mapvalidator.KeysAre(notEmpty("an environment variable name", "remove the entry"))},
			},
			"environment_wo_version": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "A number to change when `environment_wo` changes, so that the migration re-runs with the new values." + reruns,
			},
			"cpu": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "CPU units (1024 = one vCPU) for the migration container, instead of its own (on Fargate, the task's). A change does not re-run the migration.",
				Validators:          []validator.Int64{int64validator.Between(0, 196608)},
			},
			"memory": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Hard memory limit of the migration container in MiB, instead of its own (on Fargate, the task's); the container is killed (out of memory) above it. A change does not re-run the migration.",
				Validators:          []validator.Int64{int64validator.AtLeast(6)},
			},
			"memory_reservation": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Soft memory limit of the migration container in MiB, instead of its own: what ECS reserves on the instance to place it. A change does not re-run the migration.",
				Validators:          []validator.Int64{int64validator.AtLeast(4)},
			},
		},
	}
}

func logsAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional:            true,
		Computed:            true,
		Default:             objectdefault.StaticValue(defaultLogs()),
		MarkdownDescription: "Where the migration's output goes, and how much of it the apply shows and keeps. A change does not re-run the migration.",
		Attributes: map[string]schema.Attribute{
			"group": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The CloudWatch Logs group of the migration's output (the group a run used is `last_run.log_group`). Left unset, a container that logs with awslogs keeps its group, and one that does not (Elastic Beanstalk's stock shape) gets an awslogs configuration with " +
					"`/aws/elasticbeanstalk/<environment name>/ebmigrate`, which the provider creates when missing (retention `retention_in_days`) and Elastic Beanstalk's default instance role may write to. " +
					"Set, the migration container logs to this group (which must exist: the plan warns and the apply fails before running anything when it does not), in the provider's region, stream prefix `ebmigrate`, mode `blocking`; " +
					"outside `/aws/elasticbeanstalk*`, the instance profile's role (the execution role on Fargate) needs `logs:CreateLogStream` and `logs:PutLogEvents` on it.",
				Validators: []validator.String{notEmpty("logs.group", "remove it to use the container's own or the default group"), stringvalidator.LengthAtMost(512)},
			},
			"retention_in_days": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(ebmigrate.DefaultLogRetentionDays),
				MarkdownDescription: fmt.Sprintf("Retention in days of the default log group `/aws/elasticbeanstalk/<environment name>/ebmigrate`, set when the provider creates it (it never changes an existing group). "+
					"Defaults to %d. One of CloudWatch Logs' values: %v.", ebmigrate.DefaultLogRetentionDays, retentionDays),
				Validators: []validator.Int64{int64validator.OneOf(retentionDays...)},
			},
			"lines": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(defaultLogLines),
				MarkdownDescription: fmt.Sprintf("How many of the migration's last log lines a failure shows, and a success shows (a \"Migration Output\" warning after the apply) and keeps in `output`. Defaults to %d; `0` shows and keeps none; at most %d (each line is cut at %d bytes, so state and the warning hold at most about %d MB). It applies from the next run.",
					defaultLogLines, maxLogLines, maxOutputLineBytes, maxLogLines*maxOutputLineBytes/1000000),
				Validators: []validator.Int64{int64validator.Between(0, maxLogLines)},
			},
		},
	}
}

func timeoutsAttribute() schema.SingleNestedAttribute {
	duration := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, MarkdownDescription: desc + " A change does not re-run the migration.", Validators: []validator.String{durationValidator{}}}
	}
	return schema.SingleNestedAttribute{
		Optional:            true,
		Computed:            true,
		Default:             objectdefault.StaticValue(defaultTimeouts()),
		MarkdownDescription: "Every timeout of the migration, as Go durations such as `\"90s\"`, `\"45m\"` or `\"1h\"`, and what a timeout does to the task.",
		Attributes: map[string]schema.Attribute{
			"create": duration(fmt.Sprintf("How long a create may wait for the migration. Defaults to `%s`.", defaultTimeout)),
			"update": duration(fmt.Sprintf("How long an update may wait for the migration. Defaults to `%s`.", defaultTimeout)),
			"start": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(defaultStartTimeout),
				MarkdownDescription: startTimeoutDescription + " A change does not re-run the migration.",
				Validators:          []validator.String{durationValidator{}},
			},
			"stop_on_timeout": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Whether to stop the migration task (ECS StopTask) when the create or update timeout runs out. " +
					"Defaults to `false`: the task is left running, and the next apply waits for it instead of starting another, " +
					"recording its result when it is the same run. A cancelled apply (Ctrl-C) always leaves the task running. A change does not re-run the migration.",
			},
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
