package resources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// Version 1 of ebmigrate_run's state: the nested attributes of version 2,
// but timeouts = { create, update, start, stop_on_timeout }, with the
// start timeout and stop-on-timeout that version 2 keeps in task.

// runModelV1 is the state of schema version 1.
type runModelV1 struct {
	ID              types.String `tfsdk:"id"`
	EnvironmentName types.String `tfsdk:"environment_name"`
	Name            types.String `tfsdk:"name"`
	VersionLabel    types.String `tfsdk:"version_label"`
	Command         types.List   `tfsdk:"command"`
	Triggers        types.Map    `tfsdk:"triggers"`
	Tags            types.Map    `tfsdk:"tags"`
	Container       types.Object `tfsdk:"container"`
	Task            types.Object `tfsdk:"task"`
	Logs            types.Object `tfsdk:"logs"`
	Review          types.Object `tfsdk:"review"`
	Timeouts        types.Object `tfsdk:"timeouts"`
	EnvironmentID   types.String `tfsdk:"environment_id"`
	LastRun         types.Object `tfsdk:"last_run"`
	Output          types.List   `tfsdk:"output"`
}

var (
	timeoutsAttrTypesV1 = map[string]attr.Type{"create": types.StringType, "update": types.StringType, "start": types.StringType, "stop_on_timeout": types.BoolType}
	taskAttrTypesV1     = withoutAttrs(taskAttrTypes, "start_timeout", "stop_on_timeout")
)

func withoutAttrs(types_ map[string]attr.Type, names ...string) map[string]attr.Type {
	out := make(map[string]attr.Type, len(types_))
	for k, v := range types_ {
		out[k] = v
	}
	for _, n := range names {
		delete(out, n)
	}
	return out
}

// runSchemaV1 is the types of schema version 1 (the state's shape is all an
// upgrade reads).
func runSchemaV1() schema.Schema {
	attrTypes := map[string]attr.Type{
		"id": types.StringType, "environment_name": types.StringType, "name": types.StringType, "version_label": types.StringType,
		"command": types.ListType{ElemType: types.StringType}, "triggers": types.MapType{ElemType: types.StringType}, "tags": types.MapType{ElemType: types.StringType},
		"container": types.ObjectType{AttrTypes: containerAttrTypes}, "task": types.ObjectType{AttrTypes: taskAttrTypesV1},
		"logs": types.ObjectType{AttrTypes: logsAttrTypes}, "review": types.ObjectType{AttrTypes: reviewAttrTypes},
		"timeouts": types.ObjectType{AttrTypes: timeoutsAttrTypesV1}, "environment_id": types.StringType,
		"last_run": types.ObjectType{AttrTypes: lastRunAttrTypes}, "output": types.ListType{ElemType: types.StringType},
	}
	return schema.Schema{Version: 1, Attributes: schemaOfTypes(attrTypes)}
}

// schemaOfTypes is optional attributes of the given types: a prior schema
// only describes the state's shape.
func schemaOfTypes(attrTypes map[string]attr.Type) map[string]schema.Attribute {
	out := make(map[string]schema.Attribute, len(attrTypes))
	for name, t := range attrTypes {
		switch t := t.(type) {
		case types.ObjectType:
			out[name] = schema.SingleNestedAttribute{Optional: true, Attributes: schemaOfTypes(t.AttrTypes)}
		case types.ListType:
			if o, ok := t.ElemType.(types.ObjectType); ok {
				out[name] = schema.ListNestedAttribute{Optional: true, NestedObject: schema.NestedAttributeObject{Attributes: schemaOfTypes(o.AttrTypes)}}
			} else {
				out[name] = schema.ListAttribute{Optional: true, ElementType: t.ElemType}
			}
		case types.MapType:
			out[name] = schema.MapAttribute{Optional: true, ElementType: t.ElemType}
		case basetypes.Int64Type:
			out[name] = schema.Int64Attribute{Optional: true}
		case basetypes.BoolType:
			out[name] = schema.BoolAttribute{Optional: true}
		default:
			out[name] = schema.StringAttribute{Optional: true}
		}
	}
	return out
}

// upgradeRunFromV1 moves timeouts.start and timeouts.stop_on_timeout into
// task (v1ToV2).
func upgradeRunFromV1(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
	var old runModelV1
	resp.Diagnostics.Append(req.State.Get(ctx, &old)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m, diags := v1ToV2(ctx, old)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// v1ToV2 is version 1 state in the current shape: timeouts.start becomes
// task.start_timeout and timeouts.stop_on_timeout task.stop_on_timeout (their
// defaults when null); timeouts keeps create and update, and is null when
// neither was set (as a configuration without timeouts plans it).
func v1ToV2(ctx context.Context, old runModelV1) (runModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	var t struct {
		Create        types.String `tfsdk:"create"`
		Update        types.String `tfsdk:"update"`
		Start         types.String `tfsdk:"start"`
		StopOnTimeout types.Bool   `tfsdk:"stop_on_timeout"`
	}
	if !old.Timeouts.IsNull() && !old.Timeouts.IsUnknown() {
		diags.Append(old.Timeouts.As(ctx, &t, basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true})...)
	}
	if t.Start.IsNull() || t.Start.IsUnknown() {
		t.Start = types.StringValue(defaultStartTimeout)
	}
	if t.StopOnTimeout.IsNull() || t.StopOnTimeout.IsUnknown() {
		t.StopOnTimeout = types.BoolValue(false)
	}
	task := map[string]attr.Value{}
	if !old.Task.IsNull() && !old.Task.IsUnknown() {
		for k, v := range old.Task.Attributes() {
			task[k] = v
		}
	} else {
		for k, v := range defaultTask().Attributes() {
			task[k] = v
		}
	}
	task["start_timeout"], task["stop_on_timeout"] = t.Start, t.StopOnTimeout
	m := runModel{
		ID: old.ID, EnvironmentName: old.EnvironmentName, Name: old.Name, VersionLabel: old.VersionLabel, Command: old.Command,
		Triggers: old.Triggers, Tags: old.Tags, Container: old.Container,
		Task: objectOrNull(taskAttrTypes, task, false),
		Logs: old.Logs, Review: old.Review,
		Timeouts:      timeouts.Value{Object: objectOrNull(runTimeoutsAttrTypes, map[string]attr.Value{"create": nullIfEmpty(t.Create), "update": nullIfEmpty(t.Update)}, true)},
		EnvironmentID: old.EnvironmentID, LastRun: old.LastRun, Output: old.Output,
	}
	if m.Name.IsNull() {
		m.Name = types.StringValue(defaultName)
	}
	return m, diags
}

// nullIfEmpty is a typed null for a zero (decoded from an absent object)
// string.
func nullIfEmpty(v types.String) types.String {
	if v.IsUnknown() || v.IsNull() {
		return types.StringNull()
	}
	return v
}
