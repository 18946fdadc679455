package resources

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

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

type runModel struct {
	ID                       types.String   `tfsdk:"id"`
	EnvironmentName          types.String   `tfsdk:"environment_name"`
	VersionLabel             types.String   `tfsdk:"version_label"`
	Command                  types.List     `tfsdk:"command"`
	ContainerName            types.String   `tfsdk:"container_name"`
	Environment              types.Map      `tfsdk:"environment"`
	Triggers                 types.Map      `tfsdk:"triggers"`
	Cluster                  types.String   `tfsdk:"cluster"`
	SourceTaskDefinition     types.String   `tfsdk:"source_task_definition"`
	LogLines                 types.Int64    `tfsdk:"log_lines"`
	StopOnTimeout            types.Bool     `tfsdk:"stop_on_timeout"`
	StartTimeout             types.String   `tfsdk:"start_timeout"`
	LaunchType               types.String   `tfsdk:"launch_type"`
	PlatformVersion          types.String   `tfsdk:"platform_version"`
	CapacityProviderStrategy types.List     `tfsdk:"capacity_provider_strategy"`
	NetworkConfiguration     types.Object   `tfsdk:"network_configuration"`
	Image                    types.String   `tfsdk:"image"`
	ImageSource              types.String   `tfsdk:"image_source"`
	CPU                      types.Int64    `tfsdk:"cpu"`
	Memory                   types.Int64    `tfsdk:"memory"`
	MemoryReservation        types.Int64    `tfsdk:"memory_reservation"`
	KeepRevisions            types.Int64    `tfsdk:"keep_revisions"`
	Timeouts                 timeouts.Value `tfsdk:"timeouts"`
	EnvironmentID            types.String   `tfsdk:"environment_id"`
	ClusterArn               types.String   `tfsdk:"cluster_arn"`
	SourceTaskDefinitionArn  types.String   `tfsdk:"source_task_definition_arn"`
	TaskDefinitionArn        types.String   `tfsdk:"task_definition_arn"`
	TaskArn                  types.String   `tfsdk:"task_arn"`
	StoppedReason            types.String   `tfsdk:"stopped_reason"`
	StartedAt                types.String   `tfsdk:"started_at"`
	StoppedAt                types.String   `tfsdk:"stopped_at"`
	LogGroup                 types.String   `tfsdk:"log_group"`
	LogStream                types.String   `tfsdk:"log_stream"`
	Pending                  types.List     `tfsdk:"pending"`
	Operations               types.Map      `tfsdk:"operations"`
	DestructiveChanges       types.String   `tfsdk:"destructive_changes"`
	AllowDestructive         types.List     `tfsdk:"allow_destructive"`
	TaskRoleArn              types.String   `tfsdk:"task_role_arn"`
	ExecutionRoleArn         types.String   `tfsdk:"execution_role_arn"`
	LogRetentionDays         types.Int64    `tfsdk:"log_retention_days"`
	Tags                     types.Map      `tfsdk:"tags"`
	// RunTask options (run_task_options.go).
	EnableExecuteCommand types.Bool `tfsdk:"enable_execute_command"`
	PlacementConstraints types.List `tfsdk:"placement_constraints"`
	PlacementStrategy    types.List `tfsdk:"placement_strategy"`
	// What the plan knew would run (unknown in the plan when it did not).
	PlannedCluster              types.String `tfsdk:"planned_cluster"`
	PlannedSourceTaskDefinition types.String `tfsdk:"planned_source_task_definition"`
	PlannedContainer            types.String `tfsdk:"planned_container"`
	PlannedImage                types.String `tfsdk:"planned_image"`
	// What the last run used (container_name, image and log_group are only
	// what is asked for, null when left to the default), and its last lines.
	ContainerUsed types.String `tfsdk:"container_used"`
	ImageUsed     types.String `tfsdk:"image_used"`
	LogGroupUsed  types.String `tfsdk:"log_group_used"`
	Output        types.List   `tfsdk:"output"`
}

// migrateInput is what the engine needs from the model.
func (m *runModel) migrateInput(ctx context.Context) (ebmigrate.MigrateInput, diag.Diagnostics) {
	var diags diag.Diagnostics
	// At plan time any of these may be unknown: the preview is told so.
	command, _ := knownStrings(m.Command.Elements())
	env := map[string]string{}
	if !m.Environment.IsNull() && !m.Environment.IsUnknown() {
		for k, v := range m.Environment.Elements() {
			if s, ok := v.(types.String); ok && !s.IsUnknown() && !s.IsNull() {
				env[k] = s.ValueString()
			}
		}
	}
	placement, d := m.placement(ctx)
	diags.Append(d...)
	return ebmigrate.MigrateInput{
		Discover: ebmigrate.DiscoverInput{
			EnvironmentName:      m.EnvironmentName.ValueString(),
			Cluster:              m.Cluster.ValueString(),
			SourceTaskDefinition: m.SourceTaskDefinition.ValueString(),
		},
		Derive: ebmigrate.DeriveSpec{
			Container:         knownString(m.ContainerName),
			Image:             knownString(m.Image),
			Command:           command,
			Environment:       env,
			LogGroup:          m.LogGroup.ValueString(),
			CPU:               optionalInt32(m.CPU),
			Memory:            optionalInt32(m.Memory),
			MemoryReservation: optionalInt32(m.MemoryReservation),
			Placement:         placement,
			TaskRoleArn:       knownString(m.TaskRoleArn),
			ExecutionRoleArn:  knownString(m.ExecutionRoleArn),
			LogRetentionDays:  int32(m.LogRetentionDays.ValueInt64()),
		},
		KeepRevisions: int(m.KeepRevisions.ValueInt64()),
		// Derive.Tags: mergeTags, with the provider's default_tags.
		VersionLabel:  m.VersionLabel.ValueString(),
		LogLines:      int(m.LogLines.ValueInt64()),
		StopOnTimeout: m.StopOnTimeout.ValueBool(),
		StartTimeout:  startTimeout(m.StartTimeout),
		Poll:          pollSchedule,
	}, diags
}

// setResult records a successful run.
func (m *runModel) setResult(r *ebmigrate.Result) {
	m.ID = m.EnvironmentName
	m.ContainerUsed = types.StringValue(r.Container)
	m.ImageUsed = types.StringValue(r.Image)
	m.ImageSource = types.StringValue(r.ImageSource)
	m.EnvironmentID = types.StringValue(r.EnvironmentID)
	m.ClusterArn = types.StringValue(r.ClusterArn)
	m.SourceTaskDefinitionArn = types.StringValue(r.SourceTaskDefArn)
	m.TaskDefinitionArn = types.StringValue(r.TaskDefinitionArn)
	m.TaskArn = types.StringValue(r.TaskArn)
	m.StoppedReason = types.StringValue(r.StoppedReason)
	m.StartedAt = types.StringValue(rfc3339(r.StartedAt))
	m.StoppedAt = types.StringValue(rfc3339(r.StoppedAt))
	m.LogGroupUsed = types.StringValue(r.Logs.Group)
	m.LogStream = types.StringValue(r.Logs.Stream)
	m.Output = outputList(outputLines(r))
	// What the plan knew stays; what it did not is what ran.
	for _, f := range []struct {
		v   *types.String
		ran string
	}{{&m.PlannedCluster, r.ClusterArn}, {&m.PlannedSourceTaskDefinition, r.SourceTaskDefArn}, {&m.PlannedContainer, r.Container}, {&m.PlannedImage, r.Image}} {
		if f.v.IsUnknown() || f.v.IsNull() {
			*f.v = types.StringValue(f.ran)
		}
	}
}

// unknownArguments names the arguments the plan does not know yet, for the
// engine's Preview.
func (m *runModel) unknownArguments() map[string]bool {
	unknown := map[string]bool{
		ebmigrate.ArgEnvironmentName:      m.EnvironmentName.IsUnknown(),
		ebmigrate.ArgVersionLabel:         m.VersionLabel.IsUnknown(),
		ebmigrate.ArgCluster:              m.Cluster.IsUnknown(),
		ebmigrate.ArgSourceTaskDefinition: m.SourceTaskDefinition.IsUnknown(),
		ebmigrate.ArgContainerName:        m.ContainerName.IsUnknown(),
		ebmigrate.ArgImage:                m.Image.IsUnknown(),
		ebmigrate.ArgTaskRoleArn:          m.TaskRoleArn.IsUnknown(),
	}
	return unknown
}

// knownStrings is a list's strings, false when it or an element is unknown.
func knownStrings(elems []attr.Value) ([]string, bool) {
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() || s.IsNull() {
			return nil, false
		}
		out = append(out, s.ValueString())
	}
	return out, true
}

// keepResults is the plan of an update that runs nothing: the results stay
// what they are in the state, null included.
func (m *runModel) keepResults(state runModel) {
	m.ContainerUsed = state.ContainerUsed
	m.ImageUsed = state.ImageUsed
	m.LogGroupUsed = state.LogGroupUsed
	m.ImageSource = state.ImageSource
	m.EnvironmentID = state.EnvironmentID
	m.ClusterArn = state.ClusterArn
	m.SourceTaskDefinitionArn = state.SourceTaskDefinitionArn
	m.TaskDefinitionArn = state.TaskDefinitionArn
	m.TaskArn = state.TaskArn
	m.StoppedReason = state.StoppedReason
	m.StartedAt = state.StartedAt
	m.StoppedAt = state.StoppedAt
	m.LogStream = state.LogStream
	m.Output = state.Output
	m.PlannedCluster = state.PlannedCluster
	m.PlannedSourceTaskDefinition = state.PlannedSourceTaskDefinition
	m.PlannedContainer = state.PlannedContainer
	m.PlannedImage = state.PlannedImage
}

// importedModel is the state of an adopted environment: its deployed version
// counts as migrated with the default command; no run is recorded.
func importedModel(name, envID, version string) runModel {
	m := runModel{
		Tags:                     types.MapNull(types.StringType),
		ID:                       types.StringValue(name),
		EnvironmentName:          types.StringValue(name),
		VersionLabel:             types.StringValue(version),
		Command:                  defaultCommandList(),
		Environment:              types.MapNull(types.StringType),
		Triggers:                 types.MapNull(types.StringType),
		LogLines:                 types.Int64Value(defaultLogLines),
		StopOnTimeout:            types.BoolValue(false),
		StartTimeout:             types.StringValue(defaultStartTimeout),
		KeepRevisions:            types.Int64Value(defaultKeepRevisions),
		LogRetentionDays:         types.Int64Value(ebmigrate.DefaultLogRetentionDays),
		EnvironmentID:            types.StringValue(envID),
		Timeouts:                 timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"create": types.StringType, "update": types.StringType})},
		CapacityProviderStrategy: types.ListNull(capacityProviderType),
		NetworkConfiguration:     types.ObjectNull(networkAttrTypes),
		Pending:                  types.ListNull(types.StringType),
		Operations:               types.MapNull(types.ListType{ElemType: types.StringType}),
		DestructiveChanges:       types.StringValue(defaultDestructiveChanges),
		AllowDestructive:         types.ListNull(types.StringType),
		EnableExecuteCommand:     types.BoolValue(false),
		PlacementConstraints:     types.ListNull(placementConstraintType),
		PlacementStrategy:        types.ListNull(placementStrategyType),
		Output:                   types.ListNull(types.StringType),
	}
	return m
}

// markResultsUnknown is the plan of a run: its results are known after apply.
func (m *runModel) markResultsUnknown() {
	for _, s := range []*types.String{&m.EnvironmentID, &m.ClusterArn, &m.SourceTaskDefinitionArn, &m.TaskDefinitionArn,
		&m.TaskArn, &m.StoppedReason, &m.StartedAt, &m.StoppedAt, &m.LogStream, &m.ImageSource,
		&m.ContainerUsed, &m.ImageUsed, &m.LogGroupUsed} {
		*s = types.StringUnknown()
	}
	m.Output = types.ListUnknown(types.StringType)
}

// usedAsAsked is the plan of a run whose container, image or log group the
// configuration names: the engine uses them as they are, so what it will
// use is known (unknown where the configuration is).
func (m *runModel) usedAsAsked() {
	for _, f := range []struct{ used, asked *types.String }{{&m.ContainerUsed, &m.ContainerName}, {&m.ImageUsed, &m.Image}, {&m.LogGroupUsed, &m.LogGroup}} {
		if !f.asked.IsNull() {
			*f.used = *f.asked
		}
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

func optionalInt32(v types.Int64) *int32 {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	n := int32(v.ValueInt64())
	return &n
}

var (
	capacityProviderType = types.ObjectType{AttrTypes: map[string]attr.Type{"capacity_provider": types.StringType, "weight": types.Int64Type, "base": types.Int64Type}}
	networkAttrTypes     = map[string]attr.Type{"subnets": types.ListType{ElemType: types.StringType}, "security_groups": types.ListType{ElemType: types.StringType}, "assign_public_ip": types.BoolType}
)

type capacityProviderModel struct {
	CapacityProvider types.String `tfsdk:"capacity_provider"`
	Weight           types.Int64  `tfsdk:"weight"`
	Base             types.Int64  `tfsdk:"base"`
}

type networkModel struct {
	Subnets        []string   `tfsdk:"subnets"`
	SecurityGroups []string   `tfsdk:"security_groups"`
	AssignPublicIP types.Bool `tfsdk:"assign_public_ip"`
}

// placement is where the model says the task runs.
func (m *runModel) placement(ctx context.Context) (ebmigrate.Placement, diag.Diagnostics) {
	var diags diag.Diagnostics
	p := ebmigrate.Placement{LaunchType: knownString(m.LaunchType), PlatformVersion: knownString(m.PlatformVersion)}
	if !m.CapacityProviderStrategy.IsNull() && !m.CapacityProviderStrategy.IsUnknown() {
		var cps []capacityProviderModel
		diags.Append(m.CapacityProviderStrategy.ElementsAs(ctx, &cps, false)...)
		for _, cp := range cps {
			p.CapacityProvider = append(p.CapacityProvider, ebmigrate.CapacityProvider{
				Name: cp.CapacityProvider.ValueString(), Weight: int32(cp.Weight.ValueInt64()), Base: int32(cp.Base.ValueInt64()),
			})
		}
	}
	if !m.NetworkConfiguration.IsNull() && !m.NetworkConfiguration.IsUnknown() {
		var n networkModel
		diags.Append(m.NetworkConfiguration.As(ctx, &n, basetypes.ObjectAsOptions{})...)
		p.Network = &ebmigrate.Network{Subnets: n.Subnets, SecurityGroups: n.SecurityGroups}
		if !n.AssignPublicIP.IsNull() && !n.AssignPublicIP.IsUnknown() {
			p.Network.AssignPublicIP = aws.Bool(n.AssignPublicIP.ValueBool())
		}
	}
	diags.Append(m.runTaskOptions(ctx, &p)...)
	if p.Fargate() {
		if cpu := optionalInt32(m.CPU); cpu != nil {
			p.TaskCPU = fmt.Sprint(*cpu)
		}
		if mem := optionalInt32(m.Memory); mem != nil {
			p.TaskMemory = fmt.Sprint(*mem)
		}
	}
	return p, diags
}

// mergeTags is the provider's default_tags with the resource's tags on top.
func mergeTags(defaults map[string]string, tags types.Map) map[string]string {
	out := map[string]string{}
	for k, v := range defaults {
		out[k] = v
	}
	if !tags.IsNull() && !tags.IsUnknown() {
		for k, v := range tags.Elements() {
			if s, ok := v.(types.String); ok && !s.IsUnknown() && !s.IsNull() {
				out[k] = s.ValueString()
			}
		}
	}
	return out
}
