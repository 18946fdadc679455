package resources

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestRunSchemaVersionAndUpgraders: the schema carries runSchemaVersion
// (2), and UpgradeState has an upgrader for every version below it, each
// with the prior schema of its own version, whose state decodes into that
// version's model.
func TestRunSchemaVersionAndUpgraders(t *testing.T) {
	ctx := context.Background()
	if runSchemaVersion < 2 {
		t.Fatalf("runSchemaVersion = %d: version 0 was the flat schema, 1 the nested one with timeouts.start, 2 the one with task.start_timeout", runSchemaVersion)
	}
	if got := runSchema(ctx).Version; got != runSchemaVersion {
		t.Errorf("runSchema(ctx).Version = %d, want runSchemaVersion %d", got, runSchemaVersion)
	}
	upgraders := (&runResource{}).UpgradeState(ctx)
	for v := int64(0); v < runSchemaVersion; v++ {
		u, ok := upgraders[v]
		switch {
		case !ok:
			t.Errorf("no state upgrader from version %d (runSchemaVersion is %d)", v, runSchemaVersion)
		case u.PriorSchema == nil || u.PriorSchema.Version != v:
			t.Errorf("the upgrader from version %d has a prior schema of another version: %+v", v, u.PriorSchema)
		case u.StateUpgrader == nil:
			t.Errorf("the upgrader from version %d has no StateUpgrader", v)
		}
	}
	for v := range upgraders {
		if v < 0 || v >= runSchemaVersion {
			t.Errorf("an upgrader from version %d, which is not below runSchemaVersion %d", v, runSchemaVersion)
		}
	}
	// Every attribute of the version 1 model is in its schema and back.
	v1 := runSchemaV1()
	if err := v1.ValidateImplementation(ctx); err != nil {
		t.Errorf("the version 1 schema is not valid: %v", err)
	}
	m1, d := v0ToV1(ctx, importedV0())
	if d.HasError() {
		t.Fatal(d)
	}
	state1 := tfsdk.State{Schema: v1, Raw: tftypes.NewValue(v1.Type().TerraformType(ctx), nil)}
	if d := state1.Set(ctx, &m1); d.HasError() {
		t.Errorf("runModelV1 does not match the version 1 schema: %v", d)
	}
	// Every attribute of the version 0 model is in its schema and back.
	v0 := runSchemaV0()
	if err := v0.ValidateImplementation(ctx); err != nil {
		t.Errorf("the version 0 schema is not valid: %v", err)
	}
	old, back := importedV0(), runModelV0{}
	state := tfsdk.State{Schema: v0, Raw: tftypes.NewValue(v0.Type().TerraformType(ctx), nil)}
	if d := state.Set(ctx, &old); d.HasError() {
		t.Errorf("runModelV0 does not match the version 0 schema: %v", d)
	} else if d := state.Get(ctx, &back); d.HasError() || !back.VersionLabel.Equal(old.VersionLabel) {
		t.Errorf("version 0 state does not read back: %v", d)
	}
}

// TestUpgradeRunFromV0Defaults: version 0's defaults become the current
// default objects (what a configuration that leaves them unset plans), and
// what was never set is null, timeouts included.
func TestUpgradeRunFromV0Defaults(t *testing.T) {
	ctx := context.Background()
	v0 := runSchemaV0()
	old := importedV0()
	state := tfsdk.State{Schema: v0, Raw: tftypes.NewValue(v0.Type().TerraformType(ctx), nil)}
	if d := state.Set(ctx, &old); d.HasError() {
		t.Fatal(d)
	}
	resp := resource.UpgradeStateResponse{State: tfsdk.State{Schema: runSchema(ctx), Raw: tftypes.NewValue(runSchema(ctx).Type().TerraformType(ctx), nil)}}
	upgradeRunFromV0(ctx, resource.UpgradeStateRequest{State: &state}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	var m runModel
	if d := resp.State.Get(ctx, &m); d.HasError() {
		t.Fatal(d)
	}
	for name, o := range map[string]types.Object{"container": m.Container, "last_run": m.LastRun} {
		if !o.IsNull() {
			t.Errorf("%s = %v after upgrading defaults, want null", name, o)
		}
	}
	if !m.Timeouts.IsNull() {
		t.Errorf("timeouts = %v after upgrading defaults, want null", m.Timeouts)
	}
	for name, c := range map[string][2]types.Object{"task": {m.Task, defaultTask()}, "logs": {m.Logs, defaultLogs()}, "review": {m.Review, defaultReview()}} {
		if !c[0].Equal(c[1]) {
			t.Errorf("%s = %v after upgrading defaults, want its default %v", name, c[0], c[1])
		}
	}
	if m.Name.ValueString() != defaultName || m.ID.ValueString() != "myapp-prod" {
		t.Errorf("name %s, id %s", m.Name, m.ID)
	}
}

// importedV0 is version 0 state with every default, as an import wrote it.
func importedV0() runModelV0 {
	s := func(v string) types.String { return types.StringValue(v) }
	null := types.StringNull()
	return runModelV0{
		ID: s("myapp-prod"), EnvironmentName: s("myapp-prod"), VersionLabel: s("v1"), Command: defaultCommandList(),
		ContainerName: null, Environment: types.MapNull(types.StringType), Triggers: types.MapNull(types.StringType), Tags: types.MapNull(types.StringType),
		Cluster: null, SourceTaskDefinition: null, LogLines: types.Int64Value(defaultLogLines), StopOnTimeout: types.BoolValue(false),
		StartTimeout: s(defaultStartTimeout), LaunchType: null, PlatformVersion: null,
		CapacityProviderStrategy: types.ListValueMust(capacityProviderType, nil), NetworkConfiguration: types.ObjectNull(networkAttrTypes),
		Image: null, ImageSource: null, CPU: types.Int64Null(), Memory: types.Int64Null(), MemoryReservation: types.Int64Null(),
		KeepRevisions: types.Int64Value(defaultKeepRevisions), Timeouts: types.ObjectNull(map[string]attr.Type{"create": types.StringType, "update": types.StringType}),
		EnvironmentID: s("e-1"), ClusterArn: null, SourceTaskDefinitionArn: null, TaskDefinitionArn: null, TaskArn: null,
		StoppedReason: null, StartedAt: null, StoppedAt: null, LogGroup: null, LogStream: null,
		Pending: types.ListNull(types.StringType), Operations: types.MapNull(types.ListType{ElemType: types.StringType}),
		DestructiveChanges: s(defaultDestructiveChanges), AllowDestructive: types.ListNull(types.StringType), TaskRoleArn: null, ExecutionRoleArn: null,
		LogRetentionDays: types.Int64Value(ebmigrate.DefaultLogRetentionDays), EnableExecuteCommand: types.BoolValue(false),
		PlacementConstraints: types.ListValueMust(placementConstraintType, nil), PlacementStrategy: types.ListValueMust(placementStrategyType, nil),
		PlannedCluster: null, PlannedSourceTaskDefinition: null, PlannedContainer: null, PlannedImage: null,
		ContainerUsed: null, ImageUsed: null, LogGroupUsed: null, Output: types.ListNull(types.StringType),
	}
}

// TestRunSchemaTopLevel: the schema stays small (issue 21): 18 top-level
// attributes (issue 33's phase and code_operations and issue 30's lock_key
// among them), no blocks; the CHANGELOG says why each stays.
func TestRunSchemaTopLevel(t *testing.T) {
	s := runSchema(context.Background())
	var names []string
	for name := range s.Attributes {
		names = append(names, name)
	}
	sort.Strings(names)
	want := "code_operations command container environment_id environment_name id last_run lock_key logs name output phase review tags task timeouts triggers version_label"
	if got := strings.Join(names, " "); got != want || len(s.Blocks) != 0 {
		t.Errorf("top-level attributes %s (blocks %d), want %s and no blocks", got, len(s.Blocks), want)
	}
}

// TestUpgradeV0EmptyValues: what version 0 accepted as "the default", ""
// and [] (platform_version = "", subnets = [], command = []), is null (or
// the default command) after the upgrade: a configuration rewritten for
// the current version leaves those unset, and would otherwise plan a
// re-run. Empty maps and lists the current version accepts stay.
func TestUpgradeV0EmptyValues(t *testing.T) {
	ctx := context.Background()
	old := importedV0()
	old.PlatformVersion, old.LaunchType, old.ContainerName = types.StringValue(""), types.StringValue("FARGATE"), types.StringValue("")
	old.Command = types.ListValueMust(types.StringType, nil)
	old.NetworkConfiguration = types.ObjectValueMust(networkAttrTypes, map[string]attr.Value{
		"subnets": types.ListValueMust(types.StringType, nil), "security_groups": types.ListValueMust(types.StringType, nil), "assign_public_ip": types.BoolNull(),
	})
	old.Pending = types.ListValueMust(types.StringType, nil)
	v1, d := v0ToV1(ctx, old)
	if d.HasError() {
		t.Fatal(d)
	}
	m, d := v1ToV2(ctx, v1)
	if d.HasError() {
		t.Fatal(d)
	}
	task, _, _ := objectAs[runTask](ctx, m.Task)
	review, _, _ := objectAs[reviewModel](ctx, m.Review)
	switch {
	case !task.PlatformVersion.IsNull():
		t.Errorf("task.platform_version = %v, want null", task.PlatformVersion)
	case task.LaunchType.ValueString() != "FARGATE":
		t.Errorf("task.launch_type = %v", task.LaunchType)
	case !task.NetworkConfiguration.IsNull():
		t.Errorf("task.network_configuration = %v, want null (subnets and security_groups were [])", task.NetworkConfiguration)
	case !m.Container.IsNull():
		t.Errorf("container = %v, want null (its name was \"\")", m.Container)
	case !m.Command.Equal(defaultCommandList()):
		t.Errorf("command = %v, want the default", m.Command)
	case review.Pending.IsNull() || len(review.Pending.Elements()) != 0:
		t.Errorf("review.pending = %v, want [] kept", review.Pending)
	}
}

// TestUpgradeV1MovesTimeouts: version 1's timeouts.start and
// timeouts.stop_on_timeout become task.start_timeout and
// task.stop_on_timeout; timeouts keeps create and update, and is null
// without them.
func TestUpgradeV1MovesTimeouts(t *testing.T) {
	ctx := context.Background()
	v1, d := v0ToV1(ctx, importedV0())
	if d.HasError() {
		t.Fatal(d)
	}
	v1.Timeouts = types.ObjectValueMust(timeoutsAttrTypesV1, map[string]attr.Value{
		"create": types.StringValue("45m"), "update": types.StringNull(), "start": types.StringValue("5m"), "stop_on_timeout": types.BoolValue(true),
	})
	m, d := v1ToV2(ctx, v1)
	if d.HasError() {
		t.Fatal(d)
	}
	task, _, _ := objectAs[runTask](ctx, m.Task)
	if task.StartTimeout.ValueString() != "5m" || !task.StopOnTimeout.ValueBool() || task.KeepRevisions.ValueInt64() != defaultKeepRevisions {
		t.Errorf("task = %v", m.Task)
	}
	attrs := m.Timeouts.Attributes()
	if m.Timeouts.IsNull() || attrs["create"].(types.String).ValueString() != "45m" || !attrs["update"].IsNull() {
		t.Errorf("timeouts = %v, want create 45m only", m.Timeouts)
	}
	v1.Timeouts = objectOrNull(timeoutsAttrTypesV1, map[string]attr.Value{"start": types.StringValue(defaultStartTimeout), "stop_on_timeout": types.BoolValue(false)}, false)
	if m, _ = v1ToV2(ctx, v1); !m.Timeouts.IsNull() || !m.Task.Equal(defaultTask()) {
		t.Errorf("defaults: timeouts %v, task %v; want null and the default task", m.Timeouts, m.Task)
	}
}
