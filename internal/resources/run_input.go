package resources

import (
	"context"
	"fmt"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// What a migration runs, as the nested attributes container, task and logs
// give it: shared by ebmigrate_run and (later) the ebmigrate_migrate action,
// which use the same names for the same things. A null attribute is its
// default; "" and [] are refused at plan (see run_validators.go), so that no
// value means something other than what it says.

// defaultName is ebmigrate_run's name when none is configured. It keeps the
// family, id and import address of a resource written before name existed.
const defaultName = "migrate"

// nameRe is a resource name: it goes into the task definition family
// (ECS: up to 255 letters, digits, hyphens and underscores).
var nameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// migrationFamily is the task definition family of one ebmigrate_run: the
// environment's family for the default name (as before names existed), and
// ebmigrate-<environment>_<name> for another. Environment names have no
// underscore and names start with a letter or digit, so no two
// (environment, name) pairs share a family, nor does any share the queries'
// ebmigrate-<environment>__query (ebmigrate.QueryFamily).
func migrationFamily(env, name string) string {
	if name == "" || name == defaultName {
		return ebmigrate.DerivedFamily(env)
	}
	return ebmigrate.DerivedFamily(env) + "_" + name
}

// runID is the id and import address of one ebmigrate_run.
func runID(env, name string) string {
	if name == "" || name == defaultName {
		return env
	}
	return env + "/" + name
}

type runContainer struct {
	Name                 types.String `tfsdk:"name"`
	Image                types.String `tfsdk:"image"`
	Environment          types.Map    `tfsdk:"environment"`
	EnvironmentWO        types.Map    `tfsdk:"environment_wo"`
	EnvironmentWOVersion types.Int64  `tfsdk:"environment_wo_version"`
	CPU                  types.Int64  `tfsdk:"cpu"`
	Memory               types.Int64  `tfsdk:"memory"`
	MemoryReservation    types.Int64  `tfsdk:"memory_reservation"`
}

type runTask struct {
	Cluster                  types.String `tfsdk:"cluster"`
	TaskDefinition           types.String `tfsdk:"task_definition"`
	LaunchType               types.String `tfsdk:"launch_type"`
	PlatformVersion          types.String `tfsdk:"platform_version"`
	CapacityProviderStrategy types.List   `tfsdk:"capacity_provider_strategy"`
	NetworkConfiguration     types.Object `tfsdk:"network_configuration"`
	PlacementConstraints     types.List   `tfsdk:"placement_constraints"`
	PlacementStrategy        types.List   `tfsdk:"placement_strategy"`
	EnableExecuteCommand     types.Bool   `tfsdk:"enable_execute_command"`
	TaskRoleArn              types.String `tfsdk:"task_role_arn"`
	ExecutionRoleArn         types.String `tfsdk:"execution_role_arn"`
	KeepRevisions            types.Int64  `tfsdk:"keep_revisions"`
	StartTimeout             types.String `tfsdk:"start_timeout"`
	StopOnTimeout            types.Bool   `tfsdk:"stop_on_timeout"`
}

type runLogs struct {
	Group           types.String `tfsdk:"group"`
	RetentionInDays types.Int64  `tfsdk:"retention_in_days"`
	Lines           types.Int64  `tfsdk:"lines"`
}

type capacityProviderModel struct {
	CapacityProvider types.String `tfsdk:"capacity_provider"`
	Weight           types.Int64  `tfsdk:"weight"`
	Base             types.Int64  `tfsdk:"base"`
}

type networkModel struct {
	Subnets        types.List `tfsdk:"subnets"`
	SecurityGroups types.List `tfsdk:"security_groups"`
	AssignPublicIP types.Bool `tfsdk:"assign_public_ip"`
}

// The attribute types of container, task and logs as ebmigrate_run has them
// (TestArgTypesMatchModels holds them to migration_args.go's specs): the
// action's and the data source's are widened to these (widenObject), so
// that all three convert to the engine's input by one function.
var (
	capacityProviderType    = types.ObjectType{AttrTypes: map[string]attr.Type{"capacity_provider": types.StringType, "weight": types.Int64Type, "base": types.Int64Type}}
	networkAttrTypes        = map[string]attr.Type{"subnets": types.ListType{ElemType: types.StringType}, "security_groups": types.ListType{ElemType: types.StringType}, "assign_public_ip": types.BoolType}
	placementConstraintType = types.ObjectType{AttrTypes: map[string]attr.Type{"type": types.StringType, "expression": types.StringType}}
	placementStrategyType   = types.ObjectType{AttrTypes: map[string]attr.Type{"type": types.StringType, "field": types.StringType}}

	containerAttrTypes = map[string]attr.Type{
		"name": types.StringType, "image": types.StringType,
		"environment": types.MapType{ElemType: types.StringType}, "environment_wo": types.MapType{ElemType: types.StringType}, "environment_wo_version": types.Int64Type,
		"cpu": types.Int64Type, "memory": types.Int64Type, "memory_reservation": types.Int64Type,
	}
	taskAttrTypes = map[string]attr.Type{
		"cluster": types.StringType, "task_definition": types.StringType, "launch_type": types.StringType, "platform_version": types.StringType,
		"capacity_provider_strategy": types.ListType{ElemType: capacityProviderType},
		"network_configuration":      types.ObjectType{AttrTypes: networkAttrTypes},
		"placement_constraints":      types.ListType{ElemType: placementConstraintType},
		"placement_strategy":         types.ListType{ElemType: placementStrategyType},
		"enable_execute_command":     types.BoolType, "task_role_arn": types.StringType, "execution_role_arn": types.StringType, "keep_revisions": types.Int64Type,
		"start_timeout": types.StringType, "stop_on_timeout": types.BoolType,
	}
	logsAttrTypes = map[string]attr.Type{"group": types.StringType, "retention_in_days": types.Int64Type, "lines": types.Int64Type}
)

// objectAs decodes a nested attribute; a null object is the zero model
// (every attribute null, that is its default), and known is false while the
// object is unknown.
func objectAs[T any](ctx context.Context, o types.Object) (m T, known bool, diags diag.Diagnostics) {
	known = !o.IsUnknown()
	if o.IsNull() || o.IsUnknown() {
		// Typed nulls, not zero values: a zero list, map or object equals
		// nothing, not even another zero one.
		o = objectOrNull(o.AttributeTypes(ctx), nil, false)
	}
	diags = o.As(ctx, &m, basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true})
	return m, known, diags
}

// runArgs are the arguments a migration is made of, as the resource and the
// action configure them. EnvironmentWO is the write-only environment, read
// from the configuration (plan and state never have it).
type runArgs struct {
	EnvironmentName types.String
	Name            types.String
	VersionLabel    types.String
	Command         types.List
	Phase           types.String
	CodeOperations  types.String
	Container       types.Object
	Task            types.Object
	Logs            types.Object
	Tags            types.Map
	EnvironmentWO   types.Map
	LockKey         types.String
	// Operation names the Terraform object in the lock's record.
	Operation string
}

// migrateInput is what the engine needs from the arguments. At plan time any
// of them may be unknown: the preview is told so (unknownArguments).
func (a runArgs) migrateInput(ctx context.Context) (ebmigrate.MigrateInput, diag.Diagnostics) {
	var diags diag.Diagnostics
	c, _, d := objectAs[runContainer](ctx, a.Container)
	diags.Append(d...)
	t, _, d := objectAs[runTask](ctx, a.Task)
	diags.Append(d...)
	l, _, d := objectAs[runLogs](ctx, a.Logs)
	diags.Append(d...)
	command, _ := knownStrings(a.Command.Elements())
	if a.Command.IsNull() {
		command = append([]string{}, DefaultCommand...)
	}
	env := knownMap(c.Environment)
	for k, v := range knownMap(a.EnvironmentWO) {
		env[k] = v // the write-only values win: they are the secret ones
	}
	placement, d := t.placement(ctx, c)
	diags.Append(d...)
	lines := int64(defaultLogLines)
	if !l.Lines.IsNull() && !l.Lines.IsUnknown() {
		lines = l.Lines.ValueInt64()
	}
	keep := int64(defaultKeepRevisions)
	if !t.KeepRevisions.IsNull() && !t.KeepRevisions.IsUnknown() {
		keep = t.KeepRevisions.ValueInt64()
	}
	retention := int64(ebmigrate.DefaultLogRetentionDays)
	if !l.RetentionInDays.IsNull() && !l.RetentionInDays.IsUnknown() {
		retention = l.RetentionInDays.ValueInt64()
	}
	envName := a.EnvironmentName.ValueString()
	return ebmigrate.MigrateInput{
		Discover: ebmigrate.DiscoverInput{
			EnvironmentName:      envName,
			Cluster:              knownString(t.Cluster),
			SourceTaskDefinition: knownString(t.TaskDefinition),
		},
		Derive: ebmigrate.DeriveSpec{
			Container:         knownString(c.Name),
			Image:             knownString(c.Image),
			Command:           command,
			Environment:       env,
			Family:            migrationFamily(envName, knownString(a.Name)),
			LogGroup:          knownString(l.Group),
			CPU:               optionalInt32(c.CPU),
			Memory:            optionalInt32(c.Memory),
			MemoryReservation: optionalInt32(c.MemoryReservation),
			Placement:         placement,
			TaskRoleArn:       knownString(t.TaskRoleArn),
			ExecutionRoleArn:  knownString(t.ExecutionRoleArn),
			LogRetentionDays:  logRetention(retention),
		},
		KeepRevisions: int(keep),
		// Derive.Tags: mergeTags, with the provider's default_tags.
		VersionLabel:  a.VersionLabel.ValueString(),
		LogLines:      int(lines),
		StopOnTimeout: t.StopOnTimeout.ValueBool(),
		StartTimeout:  startTimeout(t.StartTimeout),
		Poll:          pollSchedule,
		LockKey:       knownLockKey(a.LockKey),
		Operation:     a.Operation,
	}, diags
}

// unknownArguments names the arguments the plan does not know yet, for the
// engine's Preview.
func (a runArgs) unknownArguments(ctx context.Context) map[string]bool {
	c, cKnown, _ := objectAs[runContainer](ctx, a.Container)
	t, tKnown, _ := objectAs[runTask](ctx, a.Task)
	return map[string]bool{
		ebmigrate.ArgEnvironmentName:      a.EnvironmentName.IsUnknown(),
		ebmigrate.ArgVersionLabel:         a.VersionLabel.IsUnknown(),
		ebmigrate.ArgCluster:              !tKnown || t.Cluster.IsUnknown(),
		ebmigrate.ArgSourceTaskDefinition: !tKnown || t.TaskDefinition.IsUnknown(),
		ebmigrate.ArgContainerName:        !cKnown || c.Name.IsUnknown(),
		ebmigrate.ArgImage:                !cKnown || c.Image.IsUnknown(),
		ebmigrate.ArgTaskRoleArn:          !tKnown || t.TaskRoleArn.IsUnknown(),
	}
}

// placement is where the task options say the task runs; on Fargate the
// container's cpu and memory size the task.
func (t runTask) placement(ctx context.Context, c runContainer) (ebmigrate.Placement, diag.Diagnostics) {
	var diags diag.Diagnostics
	p := ebmigrate.Placement{LaunchType: knownString(t.LaunchType), PlatformVersion: knownString(t.PlatformVersion)}
	if !t.CapacityProviderStrategy.IsNull() && !t.CapacityProviderStrategy.IsUnknown() {
		var cps []capacityProviderModel
		diags.Append(t.CapacityProviderStrategy.ElementsAs(ctx, &cps, false)...)
		for _, cp := range cps {
			p.CapacityProvider = append(p.CapacityProvider, ebmigrate.CapacityProvider{
				Name: cp.CapacityProvider.ValueString(), Weight: int32(cp.Weight.ValueInt64()), Base: int32(cp.Base.ValueInt64()),
			})
		}
	}
	if n, known, d := objectAs[networkModel](ctx, t.NetworkConfiguration); known && !t.NetworkConfiguration.IsNull() {
		diags.Append(d...)
		subnets, _ := knownStrings(n.Subnets.Elements())
		groups, _ := knownStrings(n.SecurityGroups.Elements())
		p.Network = &ebmigrate.Network{Subnets: subnets, SecurityGroups: groups}
		if !n.AssignPublicIP.IsNull() && !n.AssignPublicIP.IsUnknown() {
			p.Network.AssignPublicIP = aws.Bool(n.AssignPublicIP.ValueBool())
		}
	}
	diags.Append(t.runTaskOptions(ctx, &p)...)
	if p.Fargate() {
		if cpu := optionalInt32(c.CPU); cpu != nil {
			p.TaskCPU = fmt.Sprint(*cpu)
		}
		if mem := optionalInt32(c.Memory); mem != nil {
			p.TaskMemory = fmt.Sprint(*mem)
		}
	}
	return p, diags
}

// knownMap is a map's known string values.
func knownMap(m types.Map) map[string]string {
	out := map[string]string{}
	if m.IsNull() || m.IsUnknown() {
		return out
	}
	for k, v := range m.Elements() {
		if s, ok := v.(types.String); ok && !s.IsUnknown() && !s.IsNull() {
			out[k] = s.ValueString()
		}
	}
	return out
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

func optionalInt32(v types.Int64) *int32 {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	n := int32(v.ValueInt64())
	return &n
}

// mergeTags is the provider's default_tags with the resource's tags on top.
func mergeTags(defaults map[string]string, tags types.Map) map[string]string {
	out := map[string]string{}
	for k, v := range defaults {
		out[k] = v
	}
	for k, v := range knownMap(tags) {
		out[k] = v
	}
	return out
}

// logRetention is logs.retention_in_days as the engine takes it: 0 keeps
// the events forever (no retention policy).
func logRetention(days int64) int32 {
	if days == 0 {
		return ebmigrate.LogRetentionNeverExpire
	}
	return int32(days)
}
