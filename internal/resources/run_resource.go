package resources

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

var (
	_ resource.Resource                   = (*runResource)(nil)
	_ resource.ResourceWithConfigure      = (*runResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*runResource)(nil)
	_ resource.ResourceWithImportState    = (*runResource)(nil)
	_ resource.ResourceWithValidateConfig = (*runResource)(nil)
	_ resource.ResourceWithUpgradeState   = (*runResource)(nil)
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
	walk    *walkState
}

func (r *runResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_run"
}

func (r *runResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = runSchema(ctx)
}

// ValidateConfig applies the rules between arguments that the
// configuration alone decides (config_rules.go).
func (r *runResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	resp.Diagnostics.Append(validateMigrationConfig(ctx, req.Config, runObject)...)
}

func (r *runResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = clientsFrom(req.ProviderData, &resp.Diagnostics)
	r.walk = walkFrom(req.ProviderData)
}

func (r *runResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m runModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.migrate(ctx, &m, writeOnlyEnvironment(ctx, req.Config, &resp.Diagnostics), "create")...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, m.EnvironmentName, m.Name)...)
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
	var m struct{ EnvironmentName, Name, EnvironmentID types.String }
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("environment_name"), &m.EnvironmentName)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("name"), &m.Name)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("environment_id"), &m.EnvironmentID)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// State written before identities (or by Terraform before 1.12) has
	// none: every refresh sets it.
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, m.EnvironmentName, m.Name)...)
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
	changes := runChanges(ctx, plan, state)
	if adopting(ctx, req.Private, &resp.Diagnostics) {
		changes = adoptionChanges(changes)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateAdopting, nil)...)
	}
	if len(changes) > 0 {
		// A failed run returns before State.Set: the previous state stays,
		// so the next apply runs the migration again.
		resp.Diagnostics.Append(r.migrate(ctx, &plan, writeOnlyEnvironment(ctx, req.Config, &resp.Diagnostics), "update")...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, plan.EnvironmentName, plan.Name)...)
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
	resp.Diagnostics.Append(r.claimID(ctx, req, resp)...)
	if resp.Diagnostics.HasError() {
		return
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
		changes = runChanges(ctx, plan, state)
		if adopting(ctx, req.Private, &resp.Diagnostics) {
			changes = adoptionChanges(changes)
		}
		if len(changes) == 0 {
			plan.keepResults(state)
			resp.Diagnostics.Append(plan.keepReviewOfLastRun(ctx, state)...)
			resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
			return
		}
		plan.markResultsUnknown()
		prior = &state
	}
	if req.State.Raw.IsNull() {
		plan.ID = types.StringUnknown()
		plan.markResultsUnknown()
	}
	in, d := plan.migrateInput(ctx, types.MapNull(types.StringType))
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.previewRun(ctx, &plan, in, prior, changes, plan.args(types.MapNull(types.StringType)).unknownArguments(ctx), applyTimePlan(req.ClientCapabilities.DeferralAllowed), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	reviewPlannedRun(ctx, plan, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// migrate runs the migration the model describes and records its result in it.
// wo is the write-only environment (from the configuration); op ("create"
// or "update") names the timeout that applies.
func (r *runResource) migrate(ctx context.Context, m *runModel, wo types.Map, op string) diag.Diagnostics {
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
	timeout := m.timeout(ctx, op)
	in, d := m.migrateInput(ctx, wo)
	diags.Append(d...)
	p, d := m.phaseArgs(ctx)
	diags.Append(d...)
	diags.Append(m.checkDestructiveAtApply(ctx)...)
	if diags.HasError() {
		return diags
	}
	in.Derive.Tags = mergeTags(r.clients.DefaultTags, m.Tags)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := migratePhased(ctx, *r.clients, in, p, tfLogger{ctx})
	if err != nil {
		doing := fmt.Sprintf("running %s of ebmigrate_run for environment %q (version %s)", phaseDoing(p), m.EnvironmentName.ValueString(), m.VersionLabel.ValueString())
		var ie *ebmigrate.InterruptedError
		if errors.As(err, &ie) && ie.TimedOut() || errors.Is(err, context.DeadlineExceeded) {
			doing += fmt.Sprintf(", the %s timeout (%s, set in timeouts = { %s = ... }) ran out", op, timeout, op)
		}
		addEngineError(&diags, doing, err)
		return diags
	}
	m.setResult(res)
	diags.Append(migrationOutput(ctx, *m, res, outputLines(res))...)
	diags.Append(runWarnings(res)...)
	if res.PruneError != nil {
		diags.AddWarning("Old Task Definitions Not Deregistered",
			fmt.Sprintf("The migration succeeded, but pruning old revisions (task.keep_revisions = %d) failed: %v", in.KeepRevisions, res.PruneError))
	}
	return diags
}

// runChanges names the arguments whose change from state to plan runs the
// migration: everything that changes what runs or where (phase included);
// logs, sizing, keep_revisions, the RunTask placement options,
// code_operations, the review policy and timeouts do not. A container.name or container.image left to its default,
// or set to the one the last run used, is not a change. An empty result
// means no run.
func runChanges(ctx context.Context, plan, state runModel) []string {
	pc, pcKnown, _ := objectAs[runContainer](ctx, plan.Container)
	sc, _, _ := objectAs[runContainer](ctx, state.Container)
	pt, ptKnown, _ := objectAs[runTask](ctx, plan.Task)
	st, _, _ := objectAs[runTask](ctx, state.Task)
	last, _, _ := objectAs[lastRunModel](ctx, state.LastRun)
	var changed []string
	for _, c := range []struct {
		name    string
		changed bool
	}{
		{"environment_name", !plan.EnvironmentName.Equal(state.EnvironmentName)},
		{"version_label", !plan.VersionLabel.Equal(state.VersionLabel)},
		{"triggers", !plan.Triggers.Equal(state.Triggers)},
		{"review.pending", pendingRuns(ctx, plan, state)},
		{"command", !plan.Command.Equal(state.Command)},
		{"phase", !plan.Phase.Equal(state.Phase)},
		{"container", !pcKnown},
		{"task", !ptKnown},
		{"container.name", !pc.Name.IsNull() && !pc.Name.Equal(lastUsed(last.Container, sc.Name))},
		{"container.image", !pc.Image.IsNull() && !pc.Image.Equal(lastUsed(last.Image, sc.Image))},
		{"container.environment", !pc.Environment.Equal(sc.Environment)},
		{"container.environment_wo_version", !pc.EnvironmentWOVersion.Equal(sc.EnvironmentWOVersion)},
		{"task.cluster", !pt.Cluster.Equal(st.Cluster)},
		{"task.task_definition", !pt.TaskDefinition.Equal(st.TaskDefinition)},
		{"task.launch_type", !pt.LaunchType.Equal(st.LaunchType)},
		{"task.platform_version", !pt.PlatformVersion.Equal(st.PlatformVersion)},
		{"task.capacity_provider_strategy", !pt.CapacityProviderStrategy.Equal(st.CapacityProviderStrategy)},
		{"task.network_configuration", !pt.NetworkConfiguration.Equal(st.NetworkConfiguration)},
		{"task.task_role_arn", !pt.TaskRoleArn.Equal(st.TaskRoleArn)},
		{"task.execution_role_arn", !pt.ExecutionRoleArn.Equal(st.ExecutionRoleArn)},
	} {
		if c.changed {
			changed = append(changed, c.name)
		}
	}
	return changed
}

// writeOnlyEnvironment is container.environment_wo from the configuration:
// write-only values are never in the plan or the state.
func writeOnlyEnvironment(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) types.Map {
	var wo types.Map
	d := config.GetAttribute(ctx, path.Root("container").AtName("environment_wo"), &wo)
	if d.HasError() {
		// A null container has no attribute to read: no write-only values.
		return types.MapNull(types.StringType)
	}
	return wo
}
