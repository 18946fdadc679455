package resources

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
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

const notRerun = " A change does not re-run the migration: it applies from the next run."

var (
	placementConstraintType = types.ObjectType{AttrTypes: map[string]attr.Type{"type": types.StringType, "expression": types.StringType}}
	placementStrategyType   = types.ObjectType{AttrTypes: map[string]attr.Type{"type": types.StringType, "field": types.StringType}}
)

type placementConstraintModel struct {
	Type       types.String `tfsdk:"type"`
	Expression types.String `tfsdk:"expression"`
}

type placementStrategyModel struct {
	Type  types.String `tfsdk:"type"`
	Field types.String `tfsdk:"field"`
}

// addRunTaskOptions adds the arguments to the resource's schema.
func addRunTaskOptions(s *schema.Schema) {
	s.Attributes["enable_execute_command"] = schema.BoolAttribute{
		Optional: true,
		Computed: true,
		Default:  booldefault.StaticBool(false),
		MarkdownDescription: "Whether to turn on ECS Exec for the migration task (RunTask `enableExecuteCommand`), so that you can open a shell in a long migration while it runs. Defaults to `false`. " +
			"ECS requires a task role for it: the environment's task definition's `taskRoleArn`, or `task_role_arn`, a role that `ecs-tasks.amazonaws.com` may assume and that allows " +
			"`ssmmessages:CreateControlChannel`, `ssmmessages:CreateDataChannel`, `ssmmessages:OpenControlChannel` and `ssmmessages:OpenDataChannel`; without one the plan warns and the apply fails before running anything. " +
			"On Fargate it needs platform version 1.4.0 or later: an older `platform_version` fails the plan. " +
			"The plan's warning and the provider's log (INFO) give the `aws ecs execute-command … --interactive --command /bin/sh` that opens the shell (it needs the Session Manager plugin and `ecs:ExecuteCommand`)." + notRerun,
	}
	s.Blocks["placement_constraints"] = schema.ListNestedBlock{
		MarkdownDescription: fmt.Sprintf("Placement constraints for the migration task (RunTask `placementConstraints`), for example to keep it off an instance Elastic Beanstalk is about to replace. "+
			"At most %d, together with the task definition's own. Not supported on Fargate (the plan fails). "+
			"When no container instance meets a `memberOf` constraint, the apply fails naming it and nothing runs.", ebmigrate.MaxPlacementConstraints) + notRerun,
		NestedObject: schema.NestedBlockObject{
			Attributes: map[string]schema.Attribute{
				"type": schema.StringAttribute{Required: true, MarkdownDescription: "`distinctInstance` (each task of the group on a different instance) or `memberOf` (only the instances the expression selects).",
					Validators: []validator.String{stringvalidator.OneOf(ebmigrate.PlacementConstraintTypes...)}},
				"expression": schema.StringAttribute{Optional: true, MarkdownDescription: fmt.Sprintf("A [cluster query language](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html) expression, for example `ec2InstanceId != i-0123456789abcdef0` or `attribute:ecs.instance-type == t3.large`. Required for `memberOf`, not allowed for `distinctInstance`; at most %d characters.", ebmigrate.MaxConstraintExpression),
					Validators: []validator.String{stringvalidator.LengthBetween(1, ebmigrate.MaxConstraintExpression)}},
			},
			Validators: []validator.Object{constraintValidator{}},
		},
		Validators: []validator.List{listvalidator.SizeAtMost(ebmigrate.MaxPlacementConstraints)},
	}
	s.Blocks["placement_strategy"] = schema.ListNestedBlock{
		MarkdownDescription: fmt.Sprintf("Placement strategy rules for the migration task (RunTask `placementStrategy`), applied in order; at most %d. Not supported on Fargate (the plan fails).", ebmigrate.MaxPlacementStrategies) + notRerun,
		NestedObject: schema.NestedBlockObject{
			Attributes: map[string]schema.Attribute{
				"type": schema.StringAttribute{Required: true, MarkdownDescription: "`random`, `spread` or `binpack`.",
					Validators: []validator.String{stringvalidator.OneOf(ebmigrate.PlacementStrategyTypes...)}},
				"field": schema.StringAttribute{Optional: true, MarkdownDescription: "For `binpack`, `cpu` or `memory`; for `spread`, `instanceId`, `host` or `attribute:<name>` (such as `attribute:ecs.availability-zone`); none for `random`."},
			},
			Validators: []validator.Object{strategyValidator{}},
		},
		Validators: []validator.List{listvalidator.SizeAtMost(ebmigrate.MaxPlacementStrategies)},
	}
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
		m.Type.IsUnknown() || m.Expression.IsUnknown() {
		return
	}
	if msg := ebmigrate.ConstraintProblem(ebmigrate.PlacementConstraint{Type: m.Type.ValueString(), Expression: m.Expression.ValueString()}); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Placement Constraint", upperFirst(msg)+".")
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
		m.Type.IsUnknown() || m.Field.IsUnknown() {
		return
	}
	if msg := ebmigrate.StrategyProblem(ebmigrate.PlacementStrategy{Type: m.Type.ValueString(), Field: m.Field.ValueString()}); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Placement Strategy", upperFirst(msg)+".")
	}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// fargatePlacementValidator fails a plan whose configuration runs the
// migration on Fargate with placement options, which Fargate does not
// support (ECS guide, Amazon ECS task placement: "Task placement strategies
// and constraints aren't supported for tasks using the Fargate launch
// type").
type fargatePlacementValidator struct{}

func (fargatePlacementValidator) Description(context.Context) string {
	return "placement_constraints and placement_strategy are not supported on Fargate"
}

func (v fargatePlacementValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (fargatePlacementValidator) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var constraints, strategy types.List
	for name, dst := range map[string]any{"placement_constraints": &constraints, "placement_strategy": &strategy} {
		if d := req.Config.GetAttribute(ctx, path.Root(name), dst); d.HasError() {
			return
		}
	}
	if p, ok := configPlacement(ctx, req); !ok || !p.Fargate() {
		return
	}
	for name, l := range map[string]types.List{"placement_constraints": constraints, "placement_strategy": strategy} {
		if len(l.Elements()) > 0 {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Not Possible On Fargate",
				name+" place tasks on EC2 container instances, and the migration runs on Fargate (launch_type or capacity_provider_strategy), which does not support them. Remove "+name+", or run the migration with launch_type = \"EC2\".")
		}
	}
}

// runTaskOptions fills the RunTask options of p from the model.
func (m *runModel) runTaskOptions(ctx context.Context, p *ebmigrate.Placement) diag.Diagnostics {
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
