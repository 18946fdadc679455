package resources

import (
	"context"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// RunTask options that change how the migration task runs, not what runs
// (so a change does not re-run the migration): enable_execute_command,
// placement_constraints and placement_strategy. Their rules are the
// engine's (ebmigrate.ConstraintProblem, StrategyProblem), checked here at
// plan.

type placementConstraintModel struct {
	Type       types.String `tfsdk:"type"`
	Expression types.String `tfsdk:"expression"`
}

type placementStrategyModel struct {
	Type  types.String `tfsdk:"type"`
	Field types.String `tfsdk:"field"`
}

// constraintValidator applies ebmigrate.ConstraintProblem to a block whose
// values are known.
type constraintValidator struct{}

func (constraintValidator) Description(context.Context) string {
	return "expression is required for memberOf and not allowed for distinctInstance"
}

func (v constraintValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (constraintValidator) ValidateObject(ctx context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	var m placementConstraintModel
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || req.ConfigValue.As(ctx, &m, basetypes.ObjectAsOptions{}) != nil ||
		m.Type.IsUnknown() || m.Expression.IsUnknown() || !slices.Contains(ebmigrate.PlacementConstraintTypes, m.Type.ValueString()) {
		return // an unknown type is type's own validator's to say
	}
	if msg := ebmigrate.ConstraintProblem(ebmigrate.PlacementConstraint{Type: m.Type.ValueString(), Expression: m.Expression.ValueString()}); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Placement Constraint", req.Path.String()+": "+msg+".")
	}
}

// strategyValidator applies ebmigrate.StrategyProblem to a block whose
// values are known.
type strategyValidator struct{}

func (strategyValidator) Description(context.Context) string {
	return "field is cpu or memory for binpack, instanceId, host or attribute:<name> for spread, and none for random"
}

func (v strategyValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (strategyValidator) ValidateObject(ctx context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	var m placementStrategyModel
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || req.ConfigValue.As(ctx, &m, basetypes.ObjectAsOptions{}) != nil ||
		m.Type.IsUnknown() || m.Field.IsUnknown() || !slices.Contains(ebmigrate.PlacementStrategyTypes, m.Type.ValueString()) {
		return // an unknown type is type's own validator's to say
	}
	if msg := ebmigrate.StrategyProblem(ebmigrate.PlacementStrategy{Type: m.Type.ValueString(), Field: m.Field.ValueString()}); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Placement Strategy", req.Path.String()+": "+msg+".")
	}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// runTaskOptions fills the RunTask options of p from the task options.
func (m runTask) runTaskOptions(ctx context.Context, p *ebmigrate.Placement) diag.Diagnostics {
	var diags diag.Diagnostics
	p.ExecuteCommand = m.EnableExecuteCommand.ValueBool()
	if !m.PlacementConstraints.IsNull() && !m.PlacementConstraints.IsUnknown() {
		var cs []placementConstraintModel
		diags.Append(m.PlacementConstraints.ElementsAs(ctx, &cs, false)...)
		for _, c := range cs {
			if c.Type.IsUnknown() || c.Expression.IsUnknown() {
				continue // known at apply, checked then
			}
			p.Constraints = append(p.Constraints, ebmigrate.PlacementConstraint{Type: c.Type.ValueString(), Expression: c.Expression.ValueString()})
		}
	}
	if !m.PlacementStrategy.IsNull() && !m.PlacementStrategy.IsUnknown() {
		var ss []placementStrategyModel
		diags.Append(m.PlacementStrategy.ElementsAs(ctx, &ss, false)...)
		for _, s := range ss {
			if s.Type.IsUnknown() || s.Field.IsUnknown() {
				continue // known at apply, checked then
			}
			p.Strategy = append(p.Strategy, ebmigrate.PlacementStrategy{Type: s.Type.ValueString(), Field: s.Field.ValueString()})
		}
	}
	return diags
}
