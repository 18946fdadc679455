package resources

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

var (
	_ resource.Resource                     = (*runResource)(nil)
	_ resource.ResourceWithConfigure        = (*runResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*runResource)(nil)
	_ resource.ResourceWithImportState      = (*runResource)(nil)
	_ resource.ResourceWithConfigValidators = (*runResource)(nil)
	_ resource.ResourceWithUpgradeState     = (*runResource)(nil)
)

// DefaultCommand is the migration command when none is configured.
var DefaultCommand = []string{"./manage.py", "migrate", "--noinput"}

const (
	defaultLogLines = 50
	// defaultKeepRevisions is how many migration task definition revisions stay ACTIVE.
	defaultKeepRevisions = 5
	defaultTimeout       = 30 * time.Minute
)

// NewRunResource is the ebmigrate_run resource.
func NewRunResource() resource.Resource { return &runResource{} }

type runResource struct {
	clients *ebmigrate.Clients
}

func (r *runResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_run"
}

func (r *runResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = runSchema(ctx)
	addReviewAttributes(&resp.Schema)
	addRunTaskOptions(&resp.Schema)
}

func (r *runResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.Conflicting(path.MatchRoot("launch_type"), path.MatchRoot("capacity_provider_strategy")),
		fargatePlacementValidator{},
		fargateExecPlatformValidator{},
	}
}

func (r *runResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = clientsFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *runResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m runModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := m.Timeouts.Create(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.migrate(ctx, &m, "create", timeout)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Read checks only that the environment is still the one the migration ran
// in (one Elastic Beanstalk call, no ECS call): when it is terminated, or
// another environment now has its name, the resource leaves the state so
// that the next apply migrates the new one. An environment that is not found
// at all keeps the state with a warning: a wrong region or account (or
// credentials) looks the same, and dropping the state would run the
// migration again. A migration that ran stays run.
func (r *runResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	// Only the two attributes refresh checks, not the whole model: resp.State
	// starts as the current state, and nothing else in it is refreshed.
	var m struct{ EnvironmentName, EnvironmentID types.String }
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("environment_name"), &m.EnvironmentName)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("environment_id"), &m.EnvironmentID)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.clients != nil {
		env, err := ebmigrate.DescribeEnvironment(ctx, r.clients.EB, m.EnvironmentName.ValueString())
		if err != nil {
			addEngineError(&resp.Diagnostics, fmt.Sprintf("reading Elastic Beanstalk environment %q for ebmigrate_run", m.EnvironmentName.ValueString()), err)
			return
		}
		id := m.EnvironmentID.ValueString()
		if env == nil {
			resp.Diagnostics.AddWarning("Migrated Environment Not Found", environmentNotFound(m.EnvironmentName.ValueString(), id, r.clients.Region))
			return
		}
		if env.Status == ebtypes.EnvironmentStatusTerminated || (id != "" && aws.ToString(env.EnvironmentId) != id) {
			tflog.Info(ctx, "the environment the migration ran in is gone; removing ebmigrate_run from the state", map[string]any{"environment": m.EnvironmentName.ValueString(), "environment_id": id})
			resp.Diagnostics.AddWarning("Migrated Environment Gone", environmentGone(m.EnvironmentName.ValueString(), id, env))
			resp.State.RemoveResource(ctx)
			return
		}
	}
}

func (r *runResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state runModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	changes := runChanges(plan, state)
	if adopting(ctx, req.Private, &resp.Diagnostics) {
		changes = adoptionChanges(changes)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateAdopting, nil)...)
	}
	if len(changes) > 0 {
		timeout, diags := plan.Timeouts.Update(ctx, defaultTimeout)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		// A failed run returns before State.Set: the previous state stays,
		// so the next apply runs the migration again.
		resp.Diagnostics.Append(r.migrate(ctx, &plan, "update", timeout)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete runs nothing: a migration cannot be un-run. It deregisters and
// deletes the migration task definitions derived for the environment, so
// that no revision outlives the resource.
func (r *runResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m runModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.deleteDerived(ctx, m)...)
}

// ModifyPlan decides whether the plan runs the migration. If it does, the
// results of the run are unknown until apply, and a warning says what will
// run, from read-only AWS calls; if not, the plan keeps the state's values
// and calls nothing.
func (r *runResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy: nothing runs
	}
	if req.Plan.Raw.Equal(req.State.Raw) {
		// Nothing changed (computed results are carried by UseStateForUnknown):
		// what follows would decode three copies of the model by reflection
		// only to set the same plan again, the larger part of a no-change
		// plan's cost (pprof of PlanResourceChange over 50 resources).
		return
	}
	var plan runModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var prior *runModel
	var changes []string
	if !req.State.Raw.IsNull() {
		var state runModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		changes = runChanges(plan, state)
		if adopting(ctx, req.Private, &resp.Diagnostics) {
			changes = adoptionChanges(changes)
		}
		if len(changes) == 0 {
			plan.keepResults(state)
			plan.keepReviewOfLastRun(state)
			resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
			return
		}
		plan.markResultsUnknown()
		prior = &state
	}
	// A run: the container, image and log group left to their defaults are
	// known after apply, configured ones are the configuration's.
	plan.usedAsAsked()
	r.previewRun(ctx, &plan, prior, changes, plan.unknownArguments(), &resp.Diagnostics)
	reviewPlannedRun(ctx, plan, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// ImportState adopts an environment's migrations without running anything:
// the state records its deployed version as migrated, and the next apply
// adopts whatever command, container, environment and triggers are
// configured (see adopting), running nothing unless version_label differs.
func (r *runResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	name := req.ID
	if !envNameRe.MatchString(name) {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("%q is not an Elastic Beanstalk environment name. Import ebmigrate_run by the environment's name, for example: terraform import ebmigrate_run.migrate myapp-prod", name))
		return
	}
	if r.clients == nil {
		resp.Diagnostics.AddError("Provider Not Configured", "The ebmigrate provider must be configured to import ebmigrate_run.")
		return
	}
	env, err := ebmigrate.DescribeEnvironment(ctx, r.clients.EB, name)
	if err != nil {
		addEngineError(&resp.Diagnostics, fmt.Sprintf("importing ebmigrate_run for environment %q", name), err)
		return
	}
	if env == nil || env.Status == ebtypes.EnvironmentStatusTerminated {
		resp.Diagnostics.AddError("Elastic Beanstalk Environment Not Found",
			fmt.Sprintf("No live Elastic Beanstalk environment named %q exists in region %s, so there is nothing to import.", name, r.clients.Region))
		return
	}
	m := importedModel(name, aws.ToString(env.EnvironmentId), aws.ToString(env.VersionLabel))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateAdopting, []byte("true"))...)
}

// migrate runs the migration the model describes and records its result in it.
// op ("create" or "update") names the timeout that applies.
func (r *runResource) migrate(ctx context.Context, m *runModel, op string, timeout time.Duration) diag.Diagnostics {
	var diags diag.Diagnostics
	if r.clients == nil {
		diags.AddError("Provider Not Configured", "The ebmigrate provider was not configured before ebmigrate_run was applied. This is a bug in the provider; please report it.")
		return diags
	}
	if r.clients.DefaultTagsUnknown {
		diags.AddError("Default Tags Not Known", "The provider's default_tags still depend on values known only after apply, so the migration task definition and task cannot be tagged as configured. "+
			"Apply what those values come from first (for example with -target), then apply again.")
		return diags
	}
	in, d := m.migrateInput(ctx)
	diags.Append(d...)
	diags.Append(m.checkDestructiveAtApply(ctx)...)
	if diags.HasError() {
		return diags
	}
	in.Derive.Tags = mergeTags(r.clients.DefaultTags, m.Tags)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := ebmigrate.Migrate(ctx, *r.clients, in, tfLogger{ctx})
	if err != nil {
		doing := fmt.Sprintf("running the migration of ebmigrate_run for environment %q (version %s)", m.EnvironmentName.ValueString(), m.VersionLabel.ValueString())
		var ie *ebmigrate.InterruptedError
		if errors.As(err, &ie) && ie.TimedOut() || errors.Is(err, context.DeadlineExceeded) {
			doing += fmt.Sprintf(", the %s timeout (%s, set in timeouts { %s = ... }) ran out", op, timeout, op)
		}
		addEngineError(&diags, doing, err)
		return diags
	}
	m.setResult(res)
	diags.Append(migrationOutput(*m, res, outputLines(res))...)
	diags.Append(runWarnings(res)...)
	if res.PruneError != nil {
		diags.AddWarning("Old Task Definitions Not Deregistered",
			fmt.Sprintf("The migration succeeded, but deregistering old revisions (keep_revisions = %d) failed; they stay ACTIVE until the next successful run: %v", m.KeepRevisions.ValueInt64(), res.PruneError))
	}
	return diags
}

// runChanges names the arguments whose change from state to plan runs the
// migration: everything that changes what runs or where; log_lines,
// log_group, sizing, keep_revisions, stop_on_timeout and timeouts do not. A
// container_name or image left to its default, or set to the one the last
// run used, is not a change. An empty result means no run.
func runChanges(plan, state runModel) []string {
	var changed []string
	for _, c := range []struct {
		name    string
		changed bool
	}{
		{"environment_name", !plan.EnvironmentName.Equal(state.EnvironmentName)},
		{"version_label", !plan.VersionLabel.Equal(state.VersionLabel)},
		{"triggers", !plan.Triggers.Equal(state.Triggers)},
		{"pending", pendingRuns(plan, state)},
		{"command", !plan.Command.Equal(state.Command)},
		{"container_name", !plan.ContainerName.IsNull() && !plan.ContainerName.Equal(lastUsed(state.ContainerUsed, state.ContainerName))},
		{"image", !plan.Image.IsNull() && !plan.Image.Equal(lastUsed(state.ImageUsed, state.Image))},
		{"environment", !plan.Environment.Equal(state.Environment)},
		{"cluster", !plan.Cluster.Equal(state.Cluster)},
		{"source_task_definition", !plan.SourceTaskDefinition.Equal(state.SourceTaskDefinition)},
		{"launch_type", !plan.LaunchType.Equal(state.LaunchType)},
		{"platform_version", !plan.PlatformVersion.Equal(state.PlatformVersion)},
		{"capacity_provider_strategy", !plan.CapacityProviderStrategy.Equal(state.CapacityProviderStrategy)},
		{"network_configuration", !plan.NetworkConfiguration.Equal(state.NetworkConfiguration)},
		{"task_role_arn", !plan.TaskRoleArn.Equal(state.TaskRoleArn)},
		{"execution_role_arn", !plan.ExecutionRoleArn.Equal(state.ExecutionRoleArn)},
	} {
		if c.changed {
			changed = append(changed, c.name)
		}
	}
	return changed
}

func runSchema(ctx context.Context) schema.Schema {
	reruns := " A change re-runs the migration."
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc, PlanModifiers: keep}
	}
	return schema.Schema{
		// Version of the state's shape: see run_upgrade.go before changing it.
		Version: runSchemaVersion,
		MarkdownDescription: "Runs a database migration (by default Django's `./manage.py migrate --noinput`) for an AWS Elastic Beanstalk environment on the ECS platform, " +
			"once, as a one-off ECS task derived from the environment's own app task definition, and fails the apply when the migration fails.\n\n" +
			"Create runs the migration. An update runs it again when `version_label`, `triggers`, `command`, `container_name`, `image`, `environment`, `cluster`, " +
			"`source_task_definition`, `launch_type`, `capacity_provider_strategy`, `platform_version`, `network_configuration`, `task_role_arn` or `execution_role_arn` change, or `pending` changes to a list that is not empty; changes of `tags`, `log_lines`, `log_group`, `log_retention_days`, `cpu`, `memory`, `memory_reservation`, `keep_revisions`, `stop_on_timeout`, `enable_execute_command`, `placement_constraints`, `placement_strategy`, `operations`, `destructive_changes`, `allow_destructive` and `timeouts` only update the state. " +
			"Destroying the resource runs nothing; it deregisters and deletes the migration task definitions derived for the environment (families `ebmigrate-<environment name>` and `ebmigrate-<environment name>-query`). " +
			"The environment's property values and `environment` reach the task as RunTask container overrides, never a task definition revision (unless they exceed ECS's 8192-character override limit, with a warning). " +
			"A failed run leaves the previous state, so the next apply runs the migration again. " +
			"A successful run's last `log_lines` lines are shown after the apply in a `Migration Output (<environment name>)` warning and kept in `output`, the environment's values redacted.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The environment name, as on every object of this provider (the environment id is `environment_id`).",
				PlanModifiers:       keep,
			},
			"environment_name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the Elastic Beanstalk environment, which must run on the ECS platform. A change replaces the resource, which runs the migration in the new environment.",
				Validators: []validator.String{
					envNameValidator(),
				},
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
					listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)),
					commandSizeValidator{},
				},
			},
			"container_name": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The container of the environment's task definition to run the migration in. Defaults to its one essential container; among several, the one the others `links` to or `dependsOn`, else the one without host port mappings; when that still leaves several, the plan fails and lists them. " +
					"The container a run used is `container_used`. A change re-runs the migration, unless it names the container the last run used; removing it does not re-run the migration (the next run uses the default).",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 255)},
			},
			"environment": schema.MapAttribute{
				ElementType: types.StringType,
				Optional:    true,
				Sensitive:   true,
				MarkdownDescription: "Extra environment variables for the migration, on top of the environment's own properties (these win on equal names). " +
					"Values are kept in the Terraform state like any argument (marked sensitive); keep secrets in Elastic Beanstalk properties or secrets instead, which never reach the state." + reruns,
				Validators: []validator.Map{mapvalidator.KeysAre(stringvalidator.LengthAtLeast(1))},
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
			"triggers": schema.MapAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Arbitrary values that re-run the migration when they change, for example a hash of the migrations directory." + reruns,
				Validators:          []validator.Map{mapvalidator.KeysAre(stringvalidator.LengthAtLeast(1))},
			},
			"cluster": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Name or ARN of the ECS cluster to run the migration on. Defaults to the environment's own cluster (`awseb-<environment name>-…`)." + reruns,
				Validators: []validator.String{
					clusterValidator(),
				},
			},
			"source_task_definition": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Family, `family:revision` or ARN of the task definition to derive the migration task from. Defaults to the one the environment's tasks run, else the latest ACTIVE revision of `awseb-<environment name>-<environment id>`." + reruns,
				Validators: []validator.String{
					taskDefinitionValidator(),
				},
			},
			"log_lines": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(defaultLogLines),
				MarkdownDescription: fmt.Sprintf("How many of the migration's last log lines a failure shows, and a success shows (a \"Migration Output\" warning after the apply) and keeps in `output`. Defaults to %d; `0` shows and keeps none; at most %d (each line is cut at %d bytes, so state and the warning hold at most about %d MB). A change does not re-run the migration: it applies from the next run.", defaultLogLines, maxLogLines, maxOutputLineBytes, maxLogLines*maxOutputLineBytes/1000000),
				Validators:          []validator.Int64{int64validator.Between(0, maxLogLines)},
			},
			"launch_type": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Where the migration task runs: `EC2` (the environment's own instances) or `FARGATE`. Defaults to the cluster's default, which for Elastic Beanstalk's clusters is EC2. " +
					"On Fargate the migration task definition is made Fargate-ready (awsvpc, task-level `cpu` and `memory`, default 256 and 512), or the plan says which setting of the source blocks it. " +
					"Conflicts with `capacity_provider_strategy`." + reruns,
				Validators: []validator.String{stringvalidator.OneOf("EC2", "FARGATE")},
			},
			"platform_version": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Fargate platform version, such as `1.4.0` or `LATEST`. Defaults to `LATEST`. With `enable_execute_command`, at least `1.4.0` (ECS Exec needs it)." + reruns,
			},
			"image": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The image the migration runs. Set it to choose one; left unset, it is the image the environment's task definition has when `version_label` is the deployed version, " +
					"and otherwise the image the `Dockerrun.aws.json` of that application version's source bundle gives the container (so that a migration before the deploy runs the new code). " +
					"The image a run used is `image_used`. A change of a set image re-runs the migration, unless it is the image the last run used; removing it does not re-run the migration (the next run uses the default).",
			},
			"image_source": computed("Where `image_used` came from: the image argument, the deployed task definition, or an application version's source bundle (with its S3 location)."),
			"log_group": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The CloudWatch Logs group of the migration's output (the group a run used is `log_group_used`). Left unset, a container that logs with awslogs keeps its group, and one that does not (Elastic Beanstalk's stock shape) gets an awslogs configuration with " +
					"`/aws/elasticbeanstalk/<environment name>/ebmigrate`, which the provider creates when missing (retention `log_retention_days`) and Elastic Beanstalk's default instance role may write to. " +
					"Set, the migration container logs to this group (which must exist: the plan warns and the apply fails before running anything when it does not), in the provider's region, stream prefix `ebmigrate`, mode `blocking`; " +
					"outside `/aws/elasticbeanstalk*`, the instance profile's role (the execution role on Fargate) needs `logs:CreateLogStream` and `logs:PutLogEvents` on it. " +
					"A change does not re-run the migration.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 512)},
			},
			"cpu": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "CPU units (1024 = one vCPU) for the migration container, instead of its own. A change does not re-run the migration.",
				Validators:          []validator.Int64{int64validator.Between(0, 196608)},
			},
			"memory": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Hard memory limit of the migration container in MiB, instead of its own; the container is killed (out of memory) above it. A change does not re-run the migration.",
				Validators:          []validator.Int64{int64validator.AtLeast(6)},
			},
			"memory_reservation": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Soft memory limit of the migration container in MiB, instead of its own: what ECS reserves on the instance to place it. A change does not re-run the migration.",
				Validators:          []validator.Int64{int64validator.AtLeast(4)},
			},
			"keep_revisions": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(defaultKeepRevisions),
				MarkdownDescription: fmt.Sprintf("How many ACTIVE revisions of the migration task definition family (`ebmigrate-<environment name>`) to keep; older ones are deregistered after a successful run. Defaults to %d. A change does not re-run the migration.", defaultKeepRevisions),
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"task_role_arn":      roleAttribute("task role (`taskRoleArn`), the IAM role the migration's code runs with", reruns),
			"execution_role_arn": roleAttribute("task execution role (`executionRoleArn`), which ECS uses to pull ECR images, fetch secrets and send awslogs output (required on Fargate for an ECR image or awslogs)", reruns),
			"log_retention_days": logRetentionAttribute(),
			"start_timeout": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(defaultStartTimeout),
				MarkdownDescription: startTimeoutDescription,
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
			"environment_id":             computed("ID of the Elastic Beanstalk environment (`e-…`) the migration ran in."),
			"cluster_arn":                computed("ARN of the ECS cluster the migration ran on."),
			"source_task_definition_arn": computed("ARN of the task definition the migration task definition was derived from."),
			"task_definition_arn":        computed("ARN of the migration task definition that ran, in family `ebmigrate-<environment name>`."),
			"task_arn":                   computed("ARN of the ECS task of the last successful run. A run that fails ends the apply with an error and never reaches the state, so there is no exit code to record: it was 0."),
			"container_used":             computed("The container the last successful run ran in: `container_name`, or the default one. Null after an import until a run."),
			"image_used":                 computed("The image the last successful run ran: `image`, or the default one (`image_source` says where it came from). Null after an import until a run."),
			"log_group_used":             computed("The CloudWatch Logs group of the last successful run's output: `log_group`, the container's own awslogs group, or the default `/aws/elasticbeanstalk/<environment name>/ebmigrate`. Null after an import until a run."),
			"stopped_reason":             computed("ECS's stopped reason of the last successful run's task."),
			"started_at":                 computed("When the last successful run's task started (RFC 3339)."),
			"stopped_at":                 computed("When the last successful run's task stopped (RFC 3339)."),
			"planned_cluster": schema.StringAttribute{Computed: true, MarkdownDescription: "ARN of the ECS cluster the migration will run on, known at plan when `cluster` is set (so that a saved plan names it); " +
				"otherwise known after apply, since the same apply may replace the environment and its cluster."},
			"planned_source_task_definition": schema.StringAttribute{Computed: true, MarkdownDescription: "ARN of the task definition the migration will derive from, known at plan when `source_task_definition` names a revision; " +
				"otherwise known after apply, since the same apply may deploy or reconfigure the environment, and Elastic Beanstalk then registers a new revision."},
			"planned_container": schema.StringAttribute{Computed: true, MarkdownDescription: "The container the plan found the migration will run in, known after apply when the plan could not know it."},
			"planned_image": schema.StringAttribute{Computed: true, MarkdownDescription: "The image the plan found the migration will run: the `image` argument, the deployed image when `version_label` is deployed, " +
				"or the image of that application version's `Dockerrun.aws.json`. Known after apply when the plan could not know it (for example an application version that this apply creates): never a guess."},
			"log_stream": computed("CloudWatch Logs stream of the last successful run's output (in `log_group_used`)."),
			"output":     outputAttribute(),
		},
		Blocks: map[string]schema.Block{
			"capacity_provider_strategy": schema.ListNestedBlock{
				MarkdownDescription: "Capacity providers to run the migration task with, instead of a launch type (for example `FARGATE` and `FARGATE_SPOT`, or an Auto Scaling group's provider). Each must be associated with the cluster, which the plan checks: Elastic Beanstalk's cluster has only its Auto Scaling group provider, so associate `FARGATE`/`FARGATE_SPOT` first (`aws ecs put-cluster-capacity-providers`) or use `launch_type = \"FARGATE\"`. Conflicts with `launch_type`." + reruns,
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"capacity_provider": schema.StringAttribute{Required: true, MarkdownDescription: "Name of the capacity provider."},
					"weight":            schema.Int64Attribute{Optional: true, MarkdownDescription: "Relative share of tasks for this provider.", Validators: []validator.Int64{int64validator.Between(0, 1000)}},
					"base":              schema.Int64Attribute{Optional: true, MarkdownDescription: "Tasks to place on this provider first.", Validators: []validator.Int64{int64validator.Between(0, 100000)}},
				}},
				Validators: []validator.List{listvalidator.SizeAtMost(20)},
			},
			"network_configuration": schema.SingleNestedBlock{
				MarkdownDescription: "The awsvpc network of the migration task (Fargate, or a task definition in awsvpc mode). Subnets and security groups default to the environment's own " +
					"(`aws:ec2:vpc` Subnets and the launch configuration's SecurityGroups that are IDs)." + reruns,
				Attributes: map[string]schema.Attribute{
					"subnets":          schema.ListAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: "Subnet IDs."},
					"security_groups":  schema.ListAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: "Security group IDs."},
					"assign_public_ip": schema.BoolAttribute{Optional: true, MarkdownDescription: "Whether the task gets a public IP (needed on Fargate in public subnets without a NAT, to pull images). Defaults to the environment's `aws:ec2:vpc` `AssociatePublicIpAddress`."},
				},
			},
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create:            true,
				Update:            true,
				CreateDescription: "How long a create may wait for the migration, as a duration such as `45m`. Defaults to `30m`. A change does not re-run the migration.",
				UpdateDescription: "How long an update may wait for the migration. Defaults to `30m`. A change does not re-run the migration.",
			}),
		},
	}
}
