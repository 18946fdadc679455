package resources

import (
	"context"
	"time"

	atimeouts "github.com/hashicorp/terraform-plugin-framework-timeouts/action/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// migrateActionModel is ebmigrate_migrate's configuration. The nested
// objects carry the names ebmigrate_run uses for the same things
// (container, task, logs, review); they are decoded only when needed, so
// that a plan with unknown parts still says what it knows.
type migrateActionModel struct {
	EnvironmentName types.String    `tfsdk:"environment_name"`
	VersionLabel    types.String    `tfsdk:"version_label"`
	LockKey         types.String    `tfsdk:"lock_key"`
	Command         types.List      `tfsdk:"command"`
	Phase           types.String    `tfsdk:"phase"`
	CodeOperations  types.String    `tfsdk:"code_operations"`
	Container       types.Object    `tfsdk:"container"`
	Task            types.Object    `tfsdk:"task"`
	Logs            types.Object    `tfsdk:"logs"`
	Review          types.Object    `tfsdk:"review"`
	Timeouts        atimeouts.Value `tfsdk:"timeouts"`
}

type actionReviewModel struct {
	Pending            types.List   `tfsdk:"pending"`
	Operations         types.Map    `tfsdk:"operations"`
	Reasons            types.Map    `tfsdk:"reasons"`
	DestructiveChanges types.String `tfsdk:"destructive_changes"`
	AllowDestructive   types.List   `tfsdk:"allow_destructive"`
}

// asEmpty decodes a null or unknown object as its zero model (every
// attribute null): what is unknown is then told to the preview by name.
var asEmpty = basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true}

// actionParts is the configuration's nested objects that only the action
// reads itself, decoded; container, task and logs go to the engine through
// ebmigrate_run's own conversion (runArgs).
type actionParts struct {
	review  actionReviewModel
	cluster types.String
	taskDef types.String
}

func (m *migrateActionModel) parts(ctx context.Context) (actionParts, diag.Diagnostics) {
	var p actionParts
	var diags diag.Diagnostics
	args, d := m.args(ctx)
	diags.Append(d...)
	t, _, d := objectAs[runTask](ctx, args.Task)
	diags.Append(d...)
	p.cluster, p.taskDef = t.Cluster, t.TaskDefinition
	diags.Append(m.Review.As(ctx, &p.review, asEmpty)...)
	return p, diags
}

// args are the action's arguments as ebmigrate_run's: its container, task
// and logs objects carry the resource's attributes but the resource's own
// (environment_wo_version), null, so that both convert to the engine's
// input by one function. The write-only environment is in the action's
// configuration (Terraform gives it at plan and at invoke, never storing
// it in the plan).
func (m *migrateActionModel) args(ctx context.Context) (runArgs, diag.Diagnostics) {
	var diags diag.Diagnostics
	widen := func(o types.Object, attrTypes map[string]attr.Type) types.Object {
		w, d := widenObject(ctx, o, attrTypes)
		diags.Append(d...)
		return w
	}
	wo := types.MapNull(types.StringType)
	if !m.Container.IsNull() && !m.Container.IsUnknown() {
		if v, ok := m.Container.Attributes()["environment_wo"].(types.Map); ok {
			wo = v
		}
	}
	return runArgs{
		EnvironmentName: m.EnvironmentName,
		// A phase has the family ebmigrate_run's of that phase has.
		Name:           m.Phase,
		VersionLabel:   m.VersionLabel,
		Command:        m.Command,
		Phase:          m.Phase,
		CodeOperations: m.CodeOperations,
		Container:      widen(m.Container, containerAttrTypes),
		Task:           widen(m.Task, taskAttrTypes),
		Logs:           widen(m.Logs, logsAttrTypes),
		Tags:           types.MapNull(types.StringType),
		EnvironmentWO:  wo,
		LockKey:        m.LockKey,
		Operation:      "ebmigrate_migrate",
	}, diags
}

// widenObject is o with the attribute types of a wider object: o's
// attributes, and null for those it lacks (a nested object's attribute
// types must match exactly).
func widenObject(ctx context.Context, o types.Object, attrTypes map[string]attr.Type) (types.Object, diag.Diagnostics) {
	if o.IsUnknown() {
		return types.ObjectUnknown(attrTypes), nil
	}
	if o.IsNull() {
		return types.ObjectNull(attrTypes), nil
	}
	values := map[string]attr.Value{}
	for name, t := range attrTypes {
		if v, ok := o.Attributes()[name]; ok {
			values[name] = v
		} else {
			values[name] = nullOf(t)
		}
	}
	return types.ObjectValue(attrTypes, values)
}

// migrateInput is what the engine needs from the configuration, and the
// arguments the plan does not know yet (for the engine's Preview): the
// conversion ebmigrate_run uses.
func (m *migrateActionModel) migrateInput(ctx context.Context) (ebmigrate.MigrateInput, map[string]bool, diag.Diagnostics) {
	args, diags := m.args(ctx)
	in, d := args.migrateInput(ctx)
	diags.Append(d...)
	return in, args.unknownArguments(ctx), diags
}

// invokeTimeout is timeouts.invoke, defaultTimeout when unset.
func (m *migrateActionModel) invokeTimeout(ctx context.Context) time.Duration {
	d, diags := m.Timeouts.Invoke(ctx, defaultTimeout)
	if diags.HasError() {
		return defaultTimeout
	}
	return d
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
		Reasons:            nullMapIfUnset(p.review.Reasons, types.StringType),
		DestructiveChanges: policy,
		AllowDestructive:   nullIfUnset(p.review.AllowDestructive),
	})
	return runModel{EnvironmentName: m.EnvironmentName, Review: review, Phase: m.Phase, CodeOperations: m.CodeOperations, Command: m.Command}
}

// phaseArgs is the action's phase, with review.pending as the list the
// reviewed plan showed.
func (m *migrateActionModel) phaseArgs(ctx context.Context, p actionParts) (phaseArgs, diag.Diagnostics) {
	rm := m.reviewModel(p)
	return rm.phaseArgs(ctx)
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
