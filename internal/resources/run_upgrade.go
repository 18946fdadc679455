package resources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// runSchemaVersion is the version of ebmigrate_run's state: 2 is the
// schema of 1.0 (timeouts = { create, update } of
// terraform-plugin-framework-timeouts; task.start_timeout and
// task.stop_on_timeout); 1 had the nested attributes with
// timeouts = { create, update, start, stop_on_timeout }; 0 was the flat
// schema of 47 attributes and 5 blocks.
const runSchemaVersion = 2

// UpgradeState upgrades state written by an older schema version; each
// upgrader goes from its version straight to the current one (0 through
// 1's shape, run_upgrade_v1.go). To change the state's shape again: raise
// runSchemaVersion, keep the current schema's types as runSchemaV2 with its
// model, add an upgrader from 2, and make those from 0 and 1 produce the
// new shape, tested with state that the released provider wrote
// (testdata/).
func (r *runResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	v0, v1 := runSchemaV0(), runSchemaV1()
	return map[int64]resource.StateUpgrader{
		0: {PriorSchema: &v0, StateUpgrader: upgradeRunFromV0},
		1: {PriorSchema: &v1, StateUpgrader: upgradeRunFromV1},
	}
}

// runModelV0 is the state of schema version 0.
type runModelV0 struct {
	ID                          types.String `tfsdk:"id"`
	EnvironmentName             types.String `tfsdk:"environment_name"`
	VersionLabel                types.String `tfsdk:"version_label"`
	Command                     types.List   `tfsdk:"command"`
	ContainerName               types.String `tfsdk:"container_name"`
	Environment                 types.Map    `tfsdk:"environment"`
	Triggers                    types.Map    `tfsdk:"triggers"`
	Cluster                     types.String `tfsdk:"cluster"`
	SourceTaskDefinition        types.String `tfsdk:"source_task_definition"`
	LogLines                    types.Int64  `tfsdk:"log_lines"`
	StopOnTimeout               types.Bool   `tfsdk:"stop_on_timeout"`
	StartTimeout                types.String `tfsdk:"start_timeout"`
	LaunchType                  types.String `tfsdk:"launch_type"`
	PlatformVersion             types.String `tfsdk:"platform_version"`
	CapacityProviderStrategy    types.List   `tfsdk:"capacity_provider_strategy"`
	NetworkConfiguration        types.Object `tfsdk:"network_configuration"`
	Image                       types.String `tfsdk:"image"`
	ImageSource                 types.String `tfsdk:"image_source"`
	CPU                         types.Int64  `tfsdk:"cpu"`
	Memory                      types.Int64  `tfsdk:"memory"`
	MemoryReservation           types.Int64  `tfsdk:"memory_reservation"`
	KeepRevisions               types.Int64  `tfsdk:"keep_revisions"`
	Timeouts                    types.Object `tfsdk:"timeouts"`
	EnvironmentID               types.String `tfsdk:"environment_id"`
	ClusterArn                  types.String `tfsdk:"cluster_arn"`
	SourceTaskDefinitionArn     types.String `tfsdk:"source_task_definition_arn"`
	TaskDefinitionArn           types.String `tfsdk:"task_definition_arn"`
	TaskArn                     types.String `tfsdk:"task_arn"`
	StoppedReason               types.String `tfsdk:"stopped_reason"`
	StartedAt                   types.String `tfsdk:"started_at"`
	StoppedAt                   types.String `tfsdk:"stopped_at"`
	LogGroup                    types.String `tfsdk:"log_group"`
	LogStream                   types.String `tfsdk:"log_stream"`
	Pending                     types.List   `tfsdk:"pending"`
	Operations                  types.Map    `tfsdk:"operations"`
	DestructiveChanges          types.String `tfsdk:"destructive_changes"`
	AllowDestructive            types.List   `tfsdk:"allow_destructive"`
	TaskRoleArn                 types.String `tfsdk:"task_role_arn"`
	ExecutionRoleArn            types.String `tfsdk:"execution_role_arn"`
	LogRetentionDays            types.Int64  `tfsdk:"log_retention_days"`
	Tags                        types.Map    `tfsdk:"tags"`
	EnableExecuteCommand        types.Bool   `tfsdk:"enable_execute_command"`
	PlacementConstraints        types.List   `tfsdk:"placement_constraints"`
	PlacementStrategy           types.List   `tfsdk:"placement_strategy"`
	PlannedCluster              types.String `tfsdk:"planned_cluster"`
	PlannedSourceTaskDefinition types.String `tfsdk:"planned_source_task_definition"`
	PlannedContainer            types.String `tfsdk:"planned_container"`
	PlannedImage                types.String `tfsdk:"planned_image"`
	ContainerUsed               types.String `tfsdk:"container_used"`
	ImageUsed                   types.String `tfsdk:"image_used"`
	LogGroupUsed                types.String `tfsdk:"log_group_used"`
	Output                      types.List   `tfsdk:"output"`
}

// runSchemaV0 is the types of schema version 0 (the state's shape is all an
// upgrade reads; validators and descriptions are gone with it).
func runSchemaV0() schema.Schema {
	attrs := map[string]schema.Attribute{
		"environment_name":       schema.StringAttribute{Required: true},
		"version_label":          schema.StringAttribute{Required: true},
		"command":                schema.ListAttribute{ElementType: types.StringType, Optional: true, Computed: true},
		"environment":            schema.MapAttribute{ElementType: types.StringType, Optional: true, Sensitive: true},
		"tags":                   schema.MapAttribute{ElementType: types.StringType, Optional: true},
		"triggers":               schema.MapAttribute{ElementType: types.StringType, Optional: true},
		"cpu":                    schema.Int64Attribute{Optional: true},
		"memory":                 schema.Int64Attribute{Optional: true},
		"memory_reservation":     schema.Int64Attribute{Optional: true},
		"log_lines":              schema.Int64Attribute{Optional: true, Computed: true},
		"keep_revisions":         schema.Int64Attribute{Optional: true, Computed: true},
		"log_retention_days":     schema.Int64Attribute{Optional: true, Computed: true},
		"start_timeout":          schema.StringAttribute{Optional: true, Computed: true},
		"destructive_changes":    schema.StringAttribute{Optional: true, Computed: true},
		"stop_on_timeout":        schema.BoolAttribute{Optional: true, Computed: true},
		"enable_execute_command": schema.BoolAttribute{Optional: true, Computed: true},
		"pending":                schema.ListAttribute{ElementType: types.StringType, Optional: true},
		"allow_destructive":      schema.ListAttribute{ElementType: types.StringType, Optional: true},
		"operations":             schema.MapAttribute{ElementType: types.ListType{ElemType: types.StringType}, Optional: true},
		"output":                 schema.ListAttribute{ElementType: types.StringType, Computed: true, Sensitive: true},
	}
	for _, name := range []string{"container_name", "cluster", "source_task_definition", "launch_type", "platform_version", "image", "log_group", "task_role_arn", "execution_role_arn"} {
		attrs[name] = schema.StringAttribute{Optional: true}
	}
	for _, name := range []string{"id", "image_source", "environment_id", "cluster_arn", "source_task_definition_arn", "task_definition_arn", "task_arn",
		"container_used", "image_used", "log_group_used", "stopped_reason", "started_at", "stopped_at", "log_stream",
		"planned_cluster", "planned_source_task_definition", "planned_container", "planned_image"} {
		attrs[name] = schema.StringAttribute{Computed: true}
	}
	listBlock := func(a map[string]schema.Attribute) schema.ListNestedBlock {
		return schema.ListNestedBlock{NestedObject: schema.NestedBlockObject{Attributes: a}}
	}
	optString := schema.StringAttribute{Optional: true}
	return schema.Schema{
		Version:    0,
		Attributes: attrs,
		Blocks: map[string]schema.Block{
			"capacity_provider_strategy": listBlock(map[string]schema.Attribute{"capacity_provider": schema.StringAttribute{Required: true}, "weight": schema.Int64Attribute{Optional: true}, "base": schema.Int64Attribute{Optional: true}}),
			"placement_constraints":      listBlock(map[string]schema.Attribute{"type": schema.StringAttribute{Required: true}, "expression": optString}),
			"placement_strategy":         listBlock(map[string]schema.Attribute{"type": schema.StringAttribute{Required: true}, "field": optString}),
			"network_configuration": schema.SingleNestedBlock{Attributes: map[string]schema.Attribute{
				"subnets":          schema.ListAttribute{ElementType: types.StringType, Optional: true},
				"security_groups":  schema.ListAttribute{ElementType: types.StringType, Optional: true},
				"assign_public_ip": schema.BoolAttribute{Optional: true},
			}},
			"timeouts": schema.SingleNestedBlock{Attributes: map[string]schema.Attribute{"create": optString, "update": optString}},
		},
	}
}

// upgradeRunFromV0 moves the flat version 0 state into the nested
// attributes of version 1 (v0ToV1), then to the current version.
func upgradeRunFromV0(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
	var old runModelV0
	resp.Diagnostics.Append(req.State.Get(ctx, &old)...)
	if resp.Diagnostics.HasError() {
		return
	}
	v1, diags := v0ToV1(ctx, old)
	resp.Diagnostics.Append(diags...)
	m, diags := v1ToV2(ctx, v1)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// v0ToV1 is version 0 state in version 1's shape, values as they are but
// for what version 0 accepted as "the default" and version 1 refuses: ""
// for a string and [] for subnets or security groups (a configuration
// rewritten for version 1 leaves them unset, which is null), so that the
// first plan after upgrading is empty. Version 1 has the same defaults, in
// task, logs, review and timeouts (objects that are never null), so that a
// configuration that left them unset, or set them to their default, plans
// nothing after the upgrade; container, which has no defaults, is null
// when none of its attributes was set. The planned_* values are dropped
// (nothing replaces them: the plan's warning says what will run); the
// *_used values and the run's ARNs move to last_run.
func v0ToV1(ctx context.Context, old runModelV0) (runModelV1, diag.Diagnostics) {
	var diags diag.Diagnostics
	var timeouts struct {
		Create types.String `tfsdk:"create"`
		Update types.String `tfsdk:"update"`
	}
	if !old.Timeouts.IsNull() && !old.Timeouts.IsUnknown() {
		diags.Append(old.Timeouts.As(ctx, &timeouts, basetypes.ObjectAsOptions{})...)
	}
	network := old.NetworkConfiguration.Attributes()
	if network != nil {
		network = map[string]attr.Value{
			"subnets": emptyListNull(network["subnets"]), "security_groups": emptyListNull(network["security_groups"]), "assign_public_ip": network["assign_public_ip"],
		}
	}
	m := runModelV1{
		ID:              old.EnvironmentName,
		EnvironmentName: old.EnvironmentName,
		Name:            types.StringValue(defaultName),
		VersionLabel:    old.VersionLabel,
		Command:         old.Command,
		Triggers:        old.Triggers,
		Tags:            old.Tags,
		EnvironmentID:   old.EnvironmentID,
		Output:          old.Output,
		Container: objectOrNull(containerAttrTypes, map[string]attr.Value{
			"name": emptyNull(old.ContainerName), "image": emptyNull(old.Image), "environment": old.Environment,
			"environment_wo": types.MapNull(types.StringType), "environment_wo_version": types.Int64Null(),
			"cpu": old.CPU, "memory": old.Memory, "memory_reservation": old.MemoryReservation,
		}, true),
		Task: objectOrNull(taskAttrTypesV1, map[string]attr.Value{
			"cluster": emptyNull(old.Cluster), "task_definition": emptyNull(old.SourceTaskDefinition), "launch_type": emptyNull(old.LaunchType), "platform_version": emptyNull(old.PlatformVersion),
			"capacity_provider_strategy": listOrNull(old.CapacityProviderStrategy, capacityProviderType),
			"network_configuration":      objectOrNull(networkAttrTypes, network, true),
			"placement_constraints":      listOrNull(old.PlacementConstraints, placementConstraintType),
			"placement_strategy":         listOrNull(old.PlacementStrategy, placementStrategyType),
			"enable_execute_command":     old.EnableExecuteCommand,
			"task_role_arn":              emptyNull(old.TaskRoleArn), "execution_role_arn": emptyNull(old.ExecutionRoleArn),
			"keep_revisions": old.KeepRevisions,
		}, false),
		Logs: objectOrNull(logsAttrTypes, map[string]attr.Value{
			"group": emptyNull(old.LogGroup), "retention_in_days": old.LogRetentionDays, "lines": old.LogLines,
		}, false),
		Review: objectOrNull(reviewAttrTypes, map[string]attr.Value{
			"pending": old.Pending, "operations": old.Operations, "reasons": types.MapNull(types.StringType),
			"destructive_changes": old.DestructiveChanges, "allow_destructive": old.AllowDestructive,
		}, false),
		Timeouts: objectOrNull(timeoutsAttrTypesV1, map[string]attr.Value{
			"create": timeouts.Create, "update": timeouts.Update,
			"start": old.StartTimeout, "stop_on_timeout": old.StopOnTimeout,
		}, false),
		LastRun: types.ObjectNull(lastRunAttrTypes),
	}
	if !old.Command.IsNull() && !old.Command.IsUnknown() && len(old.Command.Elements()) == 0 {
		m.Command = defaultCommandList() // [] ran the default command
	}
	if !old.TaskArn.IsNull() {
		m.LastRun = types.ObjectValueMust(lastRunAttrTypes, map[string]attr.Value{
			"task_arn": old.TaskArn, "task_definition_arn": old.TaskDefinitionArn, "cluster_arn": old.ClusterArn,
			"source_task_definition_arn": old.SourceTaskDefinitionArn, "container": old.ContainerUsed, "image": old.ImageUsed,
			"image_source": old.ImageSource, "log_group": old.LogGroupUsed, "log_stream": old.LogStream,
			"started_at": old.StartedAt, "stopped_at": old.StoppedAt, "stopped_reason": old.StoppedReason,
		})
	}
	return m, diags
}

// emptyNull is null for "", which version 0 took for the default.
func emptyNull(v types.String) types.String {
	if !v.IsUnknown() && !v.IsNull() && v.ValueString() == "" {
		return types.StringNull()
	}
	return v
}

// emptyListNull is null for [], which version 0 took for the default.
func emptyListNull(v attr.Value) attr.Value {
	if l, ok := v.(types.List); ok && !l.IsNull() && !l.IsUnknown() && len(l.Elements()) == 0 {
		return types.ListNull(types.StringType)
	}
	return v
}

// objectOrNull is the object of the values, or, when nullable, null when
// every one is null (an unset nested attribute); a value missing from values
// is null.
func objectOrNull(types_ map[string]attr.Type, values map[string]attr.Value, nullable bool) types.Object {
	full := map[string]attr.Value{}
	allNull := true
	for name, t := range types_ {
		v, ok := values[name]
		if !ok || v == nil {
			v = nullOf(t)
		}
		full[name] = v
		allNull = allNull && v.IsNull()
	}
	if allNull && nullable {
		return types.ObjectNull(types_)
	}
	o, d := types.ObjectValue(types_, full)
	if d.HasError() {
		return types.ObjectNull(types_)
	}
	return o
}

// nullOf is the null value of an attribute type.
func nullOf(t attr.Type) attr.Value {
	switch t := t.(type) {
	case types.ListType:
		return types.ListNull(t.ElemType)
	case types.MapType:
		return types.MapNull(t.ElemType)
	case types.ObjectType:
		return types.ObjectNull(t.AttrTypes)
	case basetypes.Int64Type:
		return types.Int64Null()
	case basetypes.BoolType:
		return types.BoolNull()
	}
	return types.StringNull()
}

// listOrNull is a version 0 list block as a list attribute: no blocks is null.
func listOrNull(l types.List, elem attr.Type) types.List {
	if l.IsNull() || l.IsUnknown() || len(l.Elements()) == 0 {
		return types.ListNull(elem)
	}
	out, d := types.ListValue(elem, l.Elements())
	if d.HasError() {
		return types.ListNull(elem)
	}
	return out
}
