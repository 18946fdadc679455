package resources

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// migrateActionModel is ebmigrate_migrate's configuration. The nested
// objects carry the names ebmigrate_run uses for the same things
// (container, task, logs, review, timeouts); they are decoded only when
// needed, so that a plan with unknown parts still says what it knows.
type migrateActionModel struct {
	EnvironmentName types.String `tfsdk:"environment_name"`
	VersionLabel    types.String `tfsdk:"version_label"`
	Command         types.List   `tfsdk:"command"`
	Container       types.Object `tfsdk:"container"`
	Task            types.Object `tfsdk:"task"`
	Logs            types.Object `tfsdk:"logs"`
	Review          types.Object `tfsdk:"review"`
	Timeouts        types.Object `tfsdk:"timeouts"`
}

type actionContainerModel struct {
	Name              types.String `tfsdk:"name"`
	Image             types.String `tfsdk:"image"`
	Environment       types.Map    `tfsdk:"environment"`
	CPU               types.Int64  `tfsdk:"cpu"`
	Memory            types.Int64  `tfsdk:"memory"`
	MemoryReservation types.Int64  `tfsdk:"memory_reservation"`
}

type actionTaskModel struct {
	Cluster              types.String `tfsdk:"cluster"`
	TaskDefinition       types.String `tfsdk:"task_definition"`
	LaunchType           types.String `tfsdk:"launch_type"`
	PlatformVersion      types.String `tfsdk:"platform_version"`
	NetworkConfiguration types.Object `tfsdk:"network_configuration"`
	EnableExecuteCommand types.Bool   `tfsdk:"enable_execute_command"`
	TaskRoleArn          types.String `tfsdk:"task_role_arn"`
	ExecutionRoleArn     types.String `tfsdk:"execution_role_arn"`
	KeepRevisions        types.Int64  `tfsdk:"keep_revisions"`
}

type actionNetworkModel struct {
	Subnets        types.List `tfsdk:"subnets"`
	SecurityGroups types.List `tfsdk:"security_groups"`
	AssignPublicIP types.Bool `tfsdk:"assign_public_ip"`
}

type actionLogsModel struct {
	Group           types.String `tfsdk:"group"`
	RetentionInDays types.Int64  `tfsdk:"retention_in_days"`
	Lines           types.Int64  `tfsdk:"lines"`
}

type actionReviewModel struct {
	Pending            types.List   `tfsdk:"pending"`
	Operations         types.Map    `tfsdk:"operations"`
	DestructiveChanges types.String `tfsdk:"destructive_changes"`
	AllowDestructive   types.List   `tfsdk:"allow_destructive"`
}

type actionTimeoutsModel struct {
	Invoke types.String `tfsdk:"invoke"`
	Start  types.String `tfsdk:"start"`
}

// asEmpty decodes a null or unknown object as its zero model (every
// attribute null): what is unknown is then told to the preview by name.
var asEmpty = basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true}

// actionParts is the configuration's nested objects, decoded.
type actionParts struct {
	container actionContainerModel
	task      actionTaskModel
	network   actionNetworkModel
	logs      actionLogsModel
	review    actionReviewModel
	timeouts  actionTimeoutsModel
}

func (m *migrateActionModel) parts(ctx context.Context) (actionParts, diag.Diagnostics) {
	var p actionParts
	var diags diag.Diagnostics
	diags.Append(m.Container.As(ctx, &p.container, asEmpty)...)
	diags.Append(m.Task.As(ctx, &p.task, asEmpty)...)
	if !p.task.NetworkConfiguration.IsNull() {
		diags.Append(p.task.NetworkConfiguration.As(ctx, &p.network, asEmpty)...)
	}
	diags.Append(m.Logs.As(ctx, &p.logs, asEmpty)...)
	diags.Append(m.Review.As(ctx, &p.review, asEmpty)...)
	diags.Append(m.Timeouts.As(ctx, &p.timeouts, asEmpty)...)
	return p, diags
}

// migrateInput is what the engine needs from the configuration, and the
// arguments the plan does not know yet (for the engine's Preview), under
// ebmigrate_run's argument names.
func (m *migrateActionModel) migrateInput(ctx context.Context, p actionParts) (ebmigrate.MigrateInput, map[string]bool) {
	command := DefaultCommand
	if !m.Command.IsNull() {
		command, _ = knownStrings(m.Command.Elements())
	}
	env := map[string]string{}
	for k, v := range p.container.Environment.Elements() {
		if s, ok := v.(types.String); ok && !s.IsUnknown() && !s.IsNull() {
			env[k] = s.ValueString()
		}
	}
	t := p.task
	placement := ebmigrate.Placement{
		LaunchType:      knownString(t.LaunchType),
		PlatformVersion: knownString(t.PlatformVersion),
		ExecuteCommand:  t.EnableExecuteCommand.ValueBool(),
	}
	if !t.NetworkConfiguration.IsNull() && !t.NetworkConfiguration.IsUnknown() {
		subnets, _ := knownStrings(p.network.Subnets.Elements())
		groups, _ := knownStrings(p.network.SecurityGroups.Elements())
		placement.Network = &ebmigrate.Network{Subnets: subnets, SecurityGroups: groups}
		if !p.network.AssignPublicIP.IsNull() && !p.network.AssignPublicIP.IsUnknown() {
			placement.Network.AssignPublicIP = aws.Bool(p.network.AssignPublicIP.ValueBool())
		}
	}
	c := p.container
	if placement.Fargate() {
		if cpu := optionalInt32(c.CPU); cpu != nil {
			placement.TaskCPU = fmt.Sprint(*cpu)
		}
		if mem := optionalInt32(c.Memory); mem != nil {
			placement.TaskMemory = fmt.Sprint(*mem)
		}
	}
	retention := int32(ebmigrate.DefaultLogRetentionDays)
	if v := optionalInt32(p.logs.RetentionInDays); v != nil {
		retention = *v
	}
	keep := defaultKeepRevisions
	if !t.KeepRevisions.IsNull() && !t.KeepRevisions.IsUnknown() {
		keep = int(t.KeepRevisions.ValueInt64())
	}
	in := ebmigrate.MigrateInput{
		Discover: ebmigrate.DiscoverInput{
			EnvironmentName:      m.EnvironmentName.ValueString(),
			Cluster:              knownString(t.Cluster),
			SourceTaskDefinition: knownString(t.TaskDefinition),
		},
		Derive: ebmigrate.DeriveSpec{
			Container:         knownString(c.Name),
			Image:             knownString(c.Image),
			Command:           command,
			Environment:       env,
			LogGroup:          knownString(p.logs.Group),
			CPU:               optionalInt32(c.CPU),
			Memory:            optionalInt32(c.Memory),
			MemoryReservation: optionalInt32(c.MemoryReservation),
			Placement:         placement,
			TaskRoleArn:       knownString(t.TaskRoleArn),
			ExecutionRoleArn:  knownString(t.ExecutionRoleArn),
			LogRetentionDays:  retention,
		},
		KeepRevisions: keep,
		VersionLabel:  knownString(m.VersionLabel),
		LogLines:      int(m.logLines(p)),
		StartTimeout:  startTimeout(p.timeouts.Start),
		Poll:          pollSchedule,
	}
	unknown := map[string]bool{
		ebmigrate.ArgEnvironmentName:      m.EnvironmentName.IsUnknown(),
		ebmigrate.ArgVersionLabel:         m.VersionLabel.IsUnknown(),
		ebmigrate.ArgCluster:              t.Cluster.IsUnknown() || m.Task.IsUnknown(),
		ebmigrate.ArgSourceTaskDefinition: t.TaskDefinition.IsUnknown() || m.Task.IsUnknown(),
		ebmigrate.ArgContainerName:        c.Name.IsUnknown() || m.Container.IsUnknown(),
		ebmigrate.ArgImage:                c.Image.IsUnknown() || m.Container.IsUnknown(),
		ebmigrate.ArgTaskRoleArn:          t.TaskRoleArn.IsUnknown() || m.Task.IsUnknown(),
	}
	return in, unknown
}

// logLines is logs.lines, defaultLogLines when unset.
func (m *migrateActionModel) logLines(p actionParts) int64 {
	if p.logs.Lines.IsNull() || p.logs.Lines.IsUnknown() {
		return defaultLogLines
	}
	return p.logs.Lines.ValueInt64()
}

// invokeTimeout is timeouts.invoke, defaultTimeout when unset.
func (p actionParts) invokeTimeout() time.Duration {
	if d, err := time.ParseDuration(p.timeouts.Invoke.ValueString()); err == nil && d > 0 {
		return d
	}
	return defaultTimeout
}

// reviewModel is the review as ebmigrate_run's review code reads it, so that
// the plan and the destructive_changes policy say the same for both.
func (m *migrateActionModel) reviewModel(p actionParts) runModel {
	policy := p.review.DestructiveChanges
	if policy.IsNull() {
		policy = types.StringValue(defaultDestructiveChanges)
	}
	review, _ := types.ObjectValueFrom(context.Background(), reviewAttrTypes, reviewModel{
		Pending:            nullIfUnset(p.review.Pending),
		Operations:         nullMapIfUnset(p.review.Operations, types.ListType{ElemType: types.StringType}),
		DestructiveChanges: policy,
		AllowDestructive:   nullIfUnset(p.review.AllowDestructive),
	})
	return runModel{EnvironmentName: m.EnvironmentName, Review: review}
}

// nullIfUnset is a list decoded from an absent object (no element type) as
// a null list of strings.
func nullIfUnset(l types.List) types.List {
	if l.ElementType(context.Background()) == nil {
		return types.ListNull(types.StringType)
	}
	return l
}

func nullMapIfUnset(m types.Map, elem attr.Type) types.Map {
	if m.ElementType(context.Background()) == nil {
		return types.MapNull(elem)
	}
	return m
}
