package resources

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// migrateActionSchema is ebmigrate_migrate's schema: ebmigrate_run's
// arguments under the same names, minus what only a resource has (triggers,
// results, tags), with the defaults written out since an action's schema
// has none.
func migrateActionSchema() schema.Schema {
	str := func(desc string, v ...validator.String) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, MarkdownDescription: desc, Validators: v}
	}
	roleArn := stringvalidator.RegexMatches(roleArnRe, "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)")
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
			"lock_key": str(lockKeyDescription, lockKeyValidators()...),
			"version_label": str("The application version the migration runs the code of: the version being deployed. Before a deploy (`before_update`), set it to the version about to be deployed, " +
				"so that the migration runs its image (from its `Dockerrun.aws.json`). Left unset, the version the environment has deployed."),
			"command": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "The migration command, as an exec-form list; it replaces the container's command and is passed to its `entryPoint`, if it has one. " +
					"Defaults to `[\"./manage.py\", \"migrate\", \"--noinput\"]`.",
				Validators: []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)), commandSizeValidator{}},
			},
			"container": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "The migration container, as in `ebmigrate_run`.",
				Attributes: map[string]schema.Attribute{
					"name": str("Name of the container of the environment's task definition to run the migration in. Defaults to its one essential container (as `ebmigrate_run` chooses it).",
						stringvalidator.LengthBetween(1, 255)),
					"image": str("The image the migration runs. Defaults to the deployed image when `version_label` is the deployed version (or unset), and otherwise to the image the `Dockerrun.aws.json` of that application version gives the container."),
					"environment": schema.MapAttribute{
						ElementType: types.StringType,
						Optional:    true,
						MarkdownDescription: "Extra environment variables for the migration, on top of the environment's own properties (these win on equal names), passed as RunTask overrides. " +
							"An action keeps nothing in state, but its arguments are in the plan, and Terraform cannot mark them sensitive (nor write-only: Terraform 1.14 does not allow write-only action arguments): " +
							"pass secrets from a `sensitive` variable, which the plan hides, or better keep them in Elastic Beanstalk properties or secrets, which never reach Terraform.",
						Validators: []validator.Map{mapvalidator.KeysAre(stringvalidator.LengthAtLeast(1))},
					},
					"cpu": schema.Int64Attribute{Optional: true, MarkdownDescription: "CPU units (1024 = one vCPU) for the migration container, instead of its own.",
						Validators: []validator.Int64{int64validator.Between(0, 196608)}},
					"memory": schema.Int64Attribute{Optional: true, MarkdownDescription: "Hard memory limit of the migration container in MiB, instead of its own.",
						Validators: []validator.Int64{int64validator.AtLeast(6)}},
					"memory_reservation": schema.Int64Attribute{Optional: true, MarkdownDescription: "Soft memory limit of the migration container in MiB, instead of its own.",
						Validators: []validator.Int64{int64validator.AtLeast(4)}},
				},
			},
			"task": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "RunTask options, as in `ebmigrate_run`. (Capacity provider strategy and placement constraints and strategy are `ebmigrate_run`'s only, for now.)",
				Attributes: map[string]schema.Attribute{
					"cluster": str("Name or ARN of the ECS cluster to run the migration on. Defaults to the environment's own cluster.", clusterValidator()),
					"task_definition": str("Family, `family:revision` or ARN of the task definition to derive the migration task from. Defaults to the one the environment's tasks run.",
						taskDefinitionValidator()),
					"launch_type":      str("`EC2` or `FARGATE`. Defaults to the cluster's default (EC2 for Elastic Beanstalk's clusters).", stringvalidator.OneOf("EC2", "FARGATE")),
					"platform_version": str("Fargate platform version, such as `1.4.0` or `LATEST`. Defaults to `LATEST`."),
					"network_configuration": schema.SingleNestedAttribute{
						Optional:            true,
						MarkdownDescription: "The awsvpc network of the migration task. Subnets and security groups default to the environment's own.",
						Attributes: map[string]schema.Attribute{
							"subnets":          schema.ListAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: "Subnet IDs."},
							"security_groups":  schema.ListAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: "Security group IDs."},
							"assign_public_ip": schema.BoolAttribute{Optional: true, MarkdownDescription: "Whether the task gets a public IP. Defaults to the environment's `aws:ec2:vpc` `AssociatePublicIpAddress`."},
						},
					},
					"enable_execute_command": schema.BoolAttribute{Optional: true, MarkdownDescription: "Whether to turn on ECS Exec for the migration task. Defaults to `false`."},
					"task_role_arn":          str("ARN of the task role the migration's code runs with, instead of the task definition's.", roleArn),
					"execution_role_arn":     str("ARN of the task execution role, instead of the task definition's.", roleArn),
					"keep_revisions": schema.Int64Attribute{Optional: true,
						MarkdownDescription: fmt.Sprintf("How many ACTIVE revisions of the migration task definition family to keep. Defaults to %d.", defaultKeepRevisions),
						Validators:          []validator.Int64{int64validator.AtLeast(1)}},
				},
			},
			"logs": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Where the migration's output goes and how much of it a failure shows, as in `ebmigrate_run`.",
				Attributes: map[string]schema.Attribute{
					"group": str("The CloudWatch Logs group of the migration's output. Defaults to the container's own awslogs group, else `/aws/elasticbeanstalk/<environment name>/ebmigrate` (created when missing).",
						stringvalidator.LengthBetween(1, 512)),
					"retention_in_days": schema.Int64Attribute{Optional: true,
						MarkdownDescription: fmt.Sprintf("Retention of the default log group when the provider creates it. Defaults to %d. One of CloudWatch Logs' values: %v.", ebmigrate.DefaultLogRetentionDays, retentionDays),
						Validators:          []validator.Int64{int64validator.OneOf(retentionDays...)}},
					"lines": schema.Int64Attribute{Optional: true,
						MarkdownDescription: fmt.Sprintf("How many of the migration's last log lines a failure shows. Defaults to %d; at most %d. Every line is also shown as progress while the migration runs.", defaultLogLines, maxLogLines),
						Validators:          []validator.Int64{int64validator.Between(0, maxLogLines)}},
				},
			},
			"review": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "The pending migrations, usually from `data.ebmigrate_pending_migrations`: shown in the plan and judged by `destructive_changes`, as in `ebmigrate_run`.",
				Attributes: map[string]schema.Attribute{
					"pending": schema.ListAttribute{ElementType: types.StringType, Optional: true,
						MarkdownDescription: "The migrations that are pending, usually `data.ebmigrate_pending_migrations.<name>.pending`."},
					"operations": schema.MapAttribute{ElementType: types.ListType{ElemType: types.StringType}, Optional: true,
						MarkdownDescription: "Each pending migration's operations, usually `data.ebmigrate_pending_migrations.<name>.operations`."},
					"destructive_changes": str(fmt.Sprintf("`allow`, `warn` or `deny` destructive operations in `operations` (`deny` fails the plan unless the migration is in `allow_destructive`). Defaults to `%s`.", defaultDestructiveChanges),
						stringvalidator.OneOf(destructiveChangesValues...)),
					"allow_destructive": schema.ListAttribute{ElementType: types.StringType, Optional: true,
						MarkdownDescription: "Migrations (`app.migration`) whose destructive operations were reviewed and may run under `destructive_changes = \"deny\"`."},
				},
			},
			"timeouts": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "How long the invocation may take.",
				Attributes: map[string]schema.Attribute{
					"invoke": str("How long an invocation may wait for the migration, as a duration such as `45m`. Defaults to `30m`; the task is left running when it runs out, and the next invocation waits for it.",
						durationValidator{}),
					"start": str("How long the migration task may take to reach `RUNNING` (image pull, placement) before it is stopped and the invocation fails; a task that never started never ran. Defaults to `\""+defaultStartTimeout+"\"`.",
						durationValidator{}),
				},
			},
		},
	}
}
