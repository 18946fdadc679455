package resources

import (
	aschema "github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// One vocabulary: the arguments of a migration (container, task, logs) are
// defined once, as argSpecs, and converted to each framework schema package:
// ebmigrate_run's (resource), ebmigrate_migrate's (action) and
// ebmigrate_pending_migrations' (data source). A name, its type, its rules
// and its words cannot drift apart between them, and a configuration can
// pass one local object to all three.

// object is which object a spec is converted for: what only one of them has
// (defaults and change semantics for the resource, write-only values for
// the resource and the action) depends on it.
type object int

const (
	runObject    object = iota // ebmigrate_run
	actionObject               // ebmigrate_migrate
	queryObject                // ebmigrate_pending_migrations
)

type argKind int

const (
	argString argKind = iota
	argInt64
	argBool
	argStrings       // list of strings
	argStringMap     // map of strings
	argStringListMap // map of lists of strings
	argObject        // single nested object
	argObjects       // list of nested objects
)

// argSpec is one argument as every object that takes it spells it.
type argSpec struct {
	kind argKind
	// desc is what it is and does, in whole sentences; per adds what one
	// object says more (ebmigrate_run: what a change of it does).
	desc      string
	per       map[object]string
	required  bool
	sensitive bool // never for an action (Terraform has no sensitive action arguments)
	writeOnly bool
	str       []validator.String
	i64       []validator.Int64
	list      []validator.List
	maps      []validator.Map
	obj       []validator.Object // argObject; each element of argObjects
	attrs     map[string]argSpec // argObject, argObjects
	// def is ebmigrate_run's default (the attribute is then computed too).
	def attr.Value
}

func (a argSpec) description(o object) string { return a.desc + a.per[o] }

// attrType is the spec's value type for o (the attributes o has).
func (a argSpec) attrType(o object) attr.Type {
	switch a.kind {
	case argInt64:
		return types.Int64Type
	case argBool:
		return types.BoolType
	case argStrings:
		return types.ListType{ElemType: types.StringType}
	case argStringMap:
		return types.MapType{ElemType: types.StringType}
	case argStringListMap:
		return types.MapType{ElemType: types.ListType{ElemType: types.StringType}}
	case argObject:
		return types.ObjectType{AttrTypes: attrTypesOf(a.attrs, o)}
	case argObjects:
		return types.ListType{ElemType: types.ObjectType{AttrTypes: attrTypesOf(a.attrs, o)}}
	}
	return types.StringType
}

func attrTypesOf(attrs map[string]argSpec, o object) map[string]attr.Type {
	out := make(map[string]attr.Type, len(attrs))
	for name, a := range attrs {
		out[name] = a.attrType(o)
	}
	return out
}

// runAttribute is the spec as an ebmigrate_run attribute.
func (a argSpec) runAttribute() rschema.Attribute {
	desc, optional, computed := a.description(runObject), !a.required, a.def != nil
	switch a.kind {
	case argString:
		s := rschema.StringAttribute{Required: a.required, Optional: optional, Computed: computed, Sensitive: a.sensitive, WriteOnly: a.writeOnly, MarkdownDescription: desc, Validators: a.str}
		if computed {
			s.Default = stringdefault.StaticString(a.def.(types.String).ValueString())
		}
		return s
	case argInt64:
		s := rschema.Int64Attribute{Required: a.required, Optional: optional, Computed: computed, Sensitive: a.sensitive, WriteOnly: a.writeOnly, MarkdownDescription: desc, Validators: a.i64}
		if computed {
			s.Default = int64default.StaticInt64(a.def.(types.Int64).ValueInt64())
		}
		return s
	case argBool:
		s := rschema.BoolAttribute{Required: a.required, Optional: optional, Computed: computed, Sensitive: a.sensitive, WriteOnly: a.writeOnly, MarkdownDescription: desc}
		if computed {
			s.Default = booldefault.StaticBool(a.def.(types.Bool).ValueBool())
		}
		return s
	case argStrings:
		return rschema.ListAttribute{ElementType: types.StringType, Required: a.required, Optional: optional, Sensitive: a.sensitive, WriteOnly: a.writeOnly, MarkdownDescription: desc, Validators: a.list}
	case argStringMap:
		return rschema.MapAttribute{ElementType: types.StringType, Required: a.required, Optional: optional, Sensitive: a.sensitive, WriteOnly: a.writeOnly, MarkdownDescription: desc, Validators: a.maps}
	case argStringListMap:
		return rschema.MapAttribute{ElementType: types.ListType{ElemType: types.StringType}, Required: a.required, Optional: optional, MarkdownDescription: desc, Validators: a.maps}
	case argObject:
		s := rschema.SingleNestedAttribute{Required: a.required, Optional: optional, Computed: computed, MarkdownDescription: desc, Attributes: runAttributes(a.attrs), Validators: a.obj}
		if computed {
			s.Default = objectdefault.StaticValue(a.def.(types.Object))
		}
		return s
	case argObjects:
		return rschema.ListNestedAttribute{Required: a.required, Optional: optional, MarkdownDescription: desc, Validators: a.list,
			NestedObject: rschema.NestedAttributeObject{Attributes: runAttributes(a.attrs), Validators: a.obj}}
	}
	panic("argSpec: unknown kind")
}

func runAttributes(attrs map[string]argSpec) map[string]rschema.Attribute {
	out := make(map[string]rschema.Attribute, len(attrs))
	for name, a := range attrs {
		out[name] = a.runAttribute()
	}
	return out
}

// queryAttribute is the spec as an ebmigrate_pending_migrations attribute
// (a data source has no defaults and no write-only arguments).
func (a argSpec) queryAttribute() dschema.Attribute {
	desc, optional := a.description(queryObject), !a.required
	switch a.kind {
	case argString:
		return dschema.StringAttribute{Required: a.required, Optional: optional, Sensitive: a.sensitive, MarkdownDescription: desc, Validators: a.str}
	case argInt64:
		return dschema.Int64Attribute{Required: a.required, Optional: optional, Sensitive: a.sensitive, MarkdownDescription: desc, Validators: a.i64}
	case argBool:
		return dschema.BoolAttribute{Required: a.required, Optional: optional, Sensitive: a.sensitive, MarkdownDescription: desc}
	case argStrings:
		return dschema.ListAttribute{ElementType: types.StringType, Required: a.required, Optional: optional, Sensitive: a.sensitive, MarkdownDescription: desc, Validators: a.list}
	case argStringMap:
		return dschema.MapAttribute{ElementType: types.StringType, Required: a.required, Optional: optional, Sensitive: a.sensitive, MarkdownDescription: desc, Validators: a.maps}
	case argStringListMap:
		return dschema.MapAttribute{ElementType: types.ListType{ElemType: types.StringType}, Required: a.required, Optional: optional, MarkdownDescription: desc, Validators: a.maps}
	case argObject:
		return dschema.SingleNestedAttribute{Required: a.required, Optional: optional, MarkdownDescription: desc, Attributes: queryAttributes(a.attrs), Validators: a.obj}
	case argObjects:
		return dschema.ListNestedAttribute{Required: a.required, Optional: optional, MarkdownDescription: desc, Validators: a.list,
			NestedObject: dschema.NestedAttributeObject{Attributes: queryAttributes(a.attrs), Validators: a.obj}}
	}
	panic("argSpec: unknown kind")
}

func queryAttributes(attrs map[string]argSpec) map[string]dschema.Attribute {
	out := make(map[string]dschema.Attribute, len(attrs))
	for name, a := range attrs {
		out[name] = a.queryAttribute()
	}
	return out
}

// actionAttribute is the spec as an ebmigrate_migrate attribute (an action
// has no defaults and no sensitive arguments; write-only ones it has).
func (a argSpec) actionAttribute() aschema.Attribute {
	desc, optional := a.description(actionObject), !a.required
	switch a.kind {
	case argString:
		return aschema.StringAttribute{Required: a.required, Optional: optional, WriteOnly: a.writeOnly, MarkdownDescription: desc, Validators: a.str}
	case argInt64:
		return aschema.Int64Attribute{Required: a.required, Optional: optional, WriteOnly: a.writeOnly, MarkdownDescription: desc, Validators: a.i64}
	case argBool:
		return aschema.BoolAttribute{Required: a.required, Optional: optional, WriteOnly: a.writeOnly, MarkdownDescription: desc}
	case argStrings:
		return aschema.ListAttribute{ElementType: types.StringType, Required: a.required, Optional: optional, WriteOnly: a.writeOnly, MarkdownDescription: desc, Validators: a.list}
	case argStringMap:
		return aschema.MapAttribute{ElementType: types.StringType, Required: a.required, Optional: optional, WriteOnly: a.writeOnly, MarkdownDescription: desc, Validators: a.maps}
	case argStringListMap:
		return aschema.MapAttribute{ElementType: types.ListType{ElemType: types.StringType}, Required: a.required, Optional: optional, MarkdownDescription: desc, Validators: a.maps}
	case argObject:
		return aschema.SingleNestedAttribute{Required: a.required, Optional: optional, MarkdownDescription: desc, Attributes: actionAttributes(a.attrs), Validators: a.obj}
	case argObjects:
		return aschema.ListNestedAttribute{Required: a.required, Optional: optional, MarkdownDescription: desc, Validators: a.list,
			NestedObject: aschema.NestedAttributeObject{Attributes: actionAttributes(a.attrs), Validators: a.obj}}
	}
	panic("argSpec: unknown kind")
}

func actionAttributes(attrs map[string]argSpec) map[string]aschema.Attribute {
	out := make(map[string]aschema.Attribute, len(attrs))
	for name, a := range attrs {
		out[name] = a.actionAttribute()
	}
	return out
}
