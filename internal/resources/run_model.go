package resources

import (
	"context"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// The argument formats shared by the resource and the data sources.
func envNameValidator() validator.String {
	return stringvalidator.RegexMatches(envNameRe, "must be 4 to 40 letters, digits and hyphens, not starting or ending with a hyphen, as Elastic Beanstalk requires")
}

func clusterValidator() validator.String {
	return stringvalidator.RegexMatches(clusterRe, "must be an ECS cluster name (up to 255 letters, digits, hyphens and underscores) or a cluster ARN (arn:aws:ecs:<region>:<account>:cluster/<name>)")
}

func taskDefinitionValidator() validator.String {
	return stringvalidator.RegexMatches(taskDefRe, "must be a task definition family, family:revision, or ARN (arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>)")
}

var (
	// envNameRe is what Elastic Beanstalk allows as an environment name.
	envNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{2,38}[A-Za-z0-9]$`)
	clusterRe = regexp.MustCompile(`^([a-zA-Z0-9_-]{1,255}|arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster/[a-zA-Z0-9_-]{1,255})$`)
	roleArnRe = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)
	taskDefRe = regexp.MustCompile(`^([a-zA-Z0-9_-]{1,255}(:[1-9]\d*)?|arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition/[a-zA-Z0-9_-]{1,255}:[1-9]\d*)$`)
)

// runModel is ebmigrate_run's state: arguments at the top and in container,
// task, logs, review and timeouts; results in environment_id, last_run and
// output. timeouts is null when unset (terraform-plugin-framework-timeouts).
type runModel struct {
	ID              types.String   `tfsdk:"id"`
	EnvironmentName types.String   `tfsdk:"environment_name"`
	Name            types.String   `tfsdk:"name"`
	VersionLabel    types.String   `tfsdk:"version_label"`
	Command         types.List     `tfsdk:"command"`
	Phase           types.String   `tfsdk:"phase"`
	CodeOperations  types.String   `tfsdk:"code_operations"`
	Triggers        types.Map      `tfsdk:"triggers"`
	Tags            types.Map      `tfsdk:"tags"`
	LockKey         types.String   `tfsdk:"lock_key"`
	Container       types.Object   `tfsdk:"container"`
	Task            types.Object   `tfsdk:"task"`
	Logs            types.Object   `tfsdk:"logs"`
	Review          types.Object   `tfsdk:"review"`
	Timeouts        timeouts.Value `tfsdk:"timeouts"`
	EnvironmentID   types.String   `tfsdk:"environment_id"`
	LastRun         types.Object   `tfsdk:"last_run"`
	Output          types.List     `tfsdk:"output"`
}

type reviewModel struct {
	Pending            types.List   `tfsdk:"pending"`
	Operations         types.Map    `tfsdk:"operations"`
	Reasons            types.Map    `tfsdk:"reasons"`
	DestructiveChanges types.String `tfsdk:"destructive_changes"`
	AllowDestructive   types.List   `tfsdk:"allow_destructive"`
}

// lastRunModel is what the last successful run used and did.
type lastRunModel struct {
	TaskArn                 types.String `tfsdk:"task_arn"`
	TaskDefinitionArn       types.String `tfsdk:"task_definition_arn"`
	ClusterArn              types.String `tfsdk:"cluster_arn"`
	SourceTaskDefinitionArn types.String `tfsdk:"source_task_definition_arn"`
	Container               types.String `tfsdk:"container"`
	Image                   types.String `tfsdk:"image"`
	ImageSource             types.String `tfsdk:"image_source"`
	LogGroup                types.String `tfsdk:"log_group"`
	LogStream               types.String `tfsdk:"log_stream"`
	StartedAt               types.String `tfsdk:"started_at"`
	StoppedAt               types.String `tfsdk:"stopped_at"`
	StoppedReason           types.String `tfsdk:"stopped_reason"`
}

var (
	reviewAttrTypes = map[string]attr.Type{
		"pending": types.ListType{ElemType: types.StringType}, "operations": types.MapType{ElemType: types.ListType{ElemType: types.StringType}}, "reasons": types.MapType{ElemType: types.StringType},
		"destructive_changes": types.StringType, "allow_destructive": types.ListType{ElemType: types.StringType},
	}
	lastRunAttrTypes = map[string]attr.Type{
		"task_arn": types.StringType, "task_definition_arn": types.StringType, "cluster_arn": types.StringType, "source_task_definition_arn": types.StringType,
		"container": types.StringType, "image": types.StringType, "image_source": types.StringType, "log_group": types.StringType, "log_stream": types.StringType,
		"started_at": types.StringType, "stopped_at": types.StringType, "stopped_reason": types.StringType,
	}
)

// args are the model's arguments as the engine's input is made of them;
// wo is the write-only environment from the configuration.
func (m *runModel) args(wo types.Map) runArgs {
	return runArgs{
		EnvironmentName: m.EnvironmentName, Name: m.Name, VersionLabel: m.VersionLabel, Command: m.Command,
		Phase: m.Phase, CodeOperations: m.CodeOperations, Container: m.Container, Task: m.Task, Logs: m.Logs, Tags: m.Tags, EnvironmentWO: wo,
		LockKey: m.LockKey, Operation: "ebmigrate_run",
	}
}

// migrateInput is the engine's input for the model (wo: the write-only
// environment from the configuration).
func (m *runModel) migrateInput(ctx context.Context, wo types.Map) (ebmigrate.MigrateInput, diag.Diagnostics) {
	return m.args(wo).migrateInput(ctx)
}

// logLines is logs.lines, or its default.
func (m *runModel) logLines(ctx context.Context) int64 {
	l, _, _ := objectAs[runLogs](ctx, m.Logs)
	if l.Lines.IsNull() || l.Lines.IsUnknown() {
		return defaultLogLines
	}
	return l.Lines.ValueInt64()
}

// setResult records a successful run.
func (m *runModel) setResult(r *ebmigrate.Result) {
	m.ID = types.StringValue(runID(m.EnvironmentName.ValueString(), m.Name.ValueString()))
	m.EnvironmentID = types.StringValue(r.EnvironmentID)
	m.LastRun = types.ObjectValueMust(lastRunAttrTypes, map[string]attr.Value{
		"task_arn":                   types.StringValue(r.TaskArn),
		"task_definition_arn":        types.StringValue(r.TaskDefinitionArn),
		"cluster_arn":                types.StringValue(r.ClusterArn),
		"source_task_definition_arn": types.StringValue(r.SourceTaskDefArn),
		"container":                  types.StringValue(r.Container),
		"image":                      types.StringValue(r.Image),
		"image_source":               types.StringValue(r.ImageSource),
		"log_group":                  types.StringValue(r.Logs.Group),
		"log_stream":                 types.StringValue(r.Logs.Stream),
		"started_at":                 types.StringValue(rfc3339(r.StartedAt)),
		"stopped_at":                 types.StringValue(rfc3339(r.StoppedAt)),
		"stopped_reason":             types.StringValue(r.StoppedReason),
	})
	m.Output = outputList(outputLines(r))
}

// keepResults is the plan of an update that runs nothing: the results stay
// what they are in the state, null included.
func (m *runModel) keepResults(state runModel) {
	m.ID = state.ID
	m.EnvironmentID = state.EnvironmentID
	m.LastRun = state.LastRun
	m.Output = state.Output
}

// markResultsUnknown is the plan of a run: its results are known after
// apply. Nothing AWS says at plan is claimed in them: the same apply may
// replace or redeploy the environment, and a value claimed at plan that the
// apply-time plan cannot repeat (an AWS call failing then) would be
// Terraform's "inconsistent final plan". The plan's warning says what the
// plan found.
func (m *runModel) markResultsUnknown() {
	m.EnvironmentID = types.StringUnknown()
	m.LastRun = types.ObjectUnknown(lastRunAttrTypes)
	m.Output = types.ListUnknown(types.StringType)
}

// importedModel is the state of an adopted environment: its deployed version
// counts as migrated with the default command; no run is recorded.
func importedModel(env, name, envID, version string) runModel {
	return runModel{
		ID:              types.StringValue(runID(env, name)),
		EnvironmentName: types.StringValue(env),
		Name:            types.StringValue(name),
		VersionLabel:    types.StringValue(version),
		Command:         defaultCommandList(),
		Phase:           types.StringNull(),
		CodeOperations:  types.StringNull(),
		Triggers:        types.MapNull(types.StringType),
		Tags:            types.MapNull(types.StringType),
		Container:       types.ObjectNull(containerAttrTypes),
		Task:            defaultTask(),
		Logs:            defaultLogs(),
		Review:          defaultReview(),
		Timeouts:        timeouts.Value{Object: types.ObjectNull(runTimeoutsAttrTypes)},
		EnvironmentID:   types.StringValue(envID),
		LastRun:         types.ObjectNull(lastRunAttrTypes),
		Output:          types.ListNull(types.StringType),
	}
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func defaultCommandList() types.List {
	command := make([]attr.Value, len(DefaultCommand))
	for i, s := range DefaultCommand {
		command[i] = types.StringValue(s)
	}
	return types.ListValueMust(types.StringType, command)
}
