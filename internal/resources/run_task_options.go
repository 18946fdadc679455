package resources

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
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

type placementConstraintModel struct {
	Type       types.String `tfsdk:"type"`
	Expression types.String `tfsdk:"expression"`
}

type placementStrategyModel struct {
	Type  types.String `tfsdk:"type"`
	Field types.String `tfsdk:"field"`
}

// taskAttribute is the RunTask options (names as aws_ecs_task_execution's
// and aws_ecs_task_definition's for the same ECS concepts).
func taskAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional:            true,
		Computed:            true,
		Default:             objectdefault.StaticValue(defaultTask()),
		MarkdownDescription: "How and where the migration task runs (RunTask options, named as `aws_ecs_task_execution`'s). Each left unset is the environment's own.",
		Attributes: map[string]schema.Attribute{
			"cluster": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Name or ARN of the ECS cluster to run the migration on. Defaults to the environment's own cluster (`awseb-<environment name>-…`)." + reruns,
				Validators:          []validator.String{clusterValidator()},
			},
			"task_definition": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Family, `family:revision` or ARN of the task definition to derive the migration task from. Defaults to the one the environment's tasks run, else the latest ACTIVE revision of `awseb-<environment name>-<environment id>`." + reruns,
				Validators:          []validator.String{taskDefinitionValidator()},
			},
			"launch_type": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Where the migration task runs: `EC2` (the environment's own instances) or `FARGATE`. Defaults to the cluster's default, which for Elastic Beanstalk's clusters is EC2. " +
					"On Fargate the migration task definition is made Fargate-ready (awsvpc, task-level `cpu` and `memory` from `container`, default 256 and 512), or the plan says which setting of the source blocks it. " +
					"Conflicts with `capacity_provider_strategy`." + reruns,
				Validators: []validator.String{stringvalidator.OneOf("EC2", "FARGATE")},
			},
			"platform_version": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Fargate platform version, such as `1.4.0` or `LATEST`. Defaults to `LATEST`. With `enable_execute_command`, at least `1.4.0` (ECS Exec needs it)." + reruns,
				Validators:          []validator.String{notEmpty("task.platform_version", "remove it to use LATEST")},
			},
			"capacity_provider_strategy": schema.ListNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Capacity providers to run the migration task with, instead of a launch type (for example `FARGATE` and `FARGATE_SPOT`, or an Auto Scaling group's provider). Each must be associated with the cluster, which the plan checks: Elastic Beanstalk's cluster has only its Auto Scaling group provider, so associate `FARGATE`/`FARGATE_SPOT` first (`aws ecs put-cluster-capacity-providers`) or use `launch_type = \"FARGATE\"`. Conflicts with `launch_type`." + reruns,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"capacity_provider": schema.StringAttribute{Required: true, MarkdownDescription: "Name of the capacity provider.", Validators: []validator.String{notEmpty("capacity_provider", "name a capacity provider")}},
					"weight":            schema.Int64Attribute{Optional: true, MarkdownDescription: "Relative share of tasks for this provider.", Validators: []validator.Int64{int64validator.Between(0, 1000)}},
					"base":              schema.Int64Attribute{Optional: true, MarkdownDescription: "Tasks to place on this provider first.", Validators: []validator.Int64{int64validator.Between(0, 100000)}},
				}},
				Validators: []validator.List{listvalidator.SizeBetween(1, 20)},
			},
			"network_configuration": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "The awsvpc network of the migration task (Fargate, or a task definition in awsvpc mode). Subnets and security groups left unset are the environment's own " +
					"(`aws:ec2:vpc` Subnets and the launch configuration's SecurityGroups that are IDs)." + reruns,
				Attributes: map[string]schema.Attribute{
					"subnets": schema.ListAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: "Subnet IDs; at least one (remove it to use the environment's).",
						Validators: []validator.List{notEmptyList("task.network_configuration.subnets", "remove it to use the environment's subnets"), listvalidator.ValueStringsAre(notEmpty("a subnet ID", "remove it"))}},
					"security_groups": schema.ListAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: "Security group IDs; at least one (remove it to use the environment's).",
						Validators: []validator.List{notEmptyList("task.network_configuration.security_groups", "remove it to use the environment's security groups"), listvalidator.ValueStringsAre(notEmpty("a security group ID", "remove it"))}},
					"assign_public_ip": schema.BoolAttribute{Optional: true, MarkdownDescription: "Whether the task gets a public IP (needed on Fargate in public subnets without a NAT, to pull images). Defaults to the environment's `aws:ec2:vpc` `AssociatePublicIpAddress`."},
				},
			},
			"placement_constraints": schema.ListNestedAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Placement constraints for the migration task (RunTask `placementConstraints`), for example to keep it off an instance Elastic Beanstalk is about to replace. "+
					"At most %d, together with the task definition's own. Not supported on Fargate (the plan fails). "+
					"When no container instance meets a `memberOf` constraint, the apply fails naming it and nothing runs.", ebmigrate.MaxPlacementConstraints) + notRerun,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"type": schema.StringAttribute{Required: true, MarkdownDescription: "`distinctInstance` (each task of the group on a different instance) or `memberOf` (only the instances the expression selects).",
							Validators: []validator.String{stringvalidator.OneOf(ebmigrate.PlacementConstraintTypes...)}},
						"expression": schema.StringAttribute{Optional: true, MarkdownDescription: fmt.Sprintf("A [cluster query language](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html) expression, for example `ec2InstanceId != i-0123456789abcdef0` or `attribute:ecs.instance-type == t3.large`. Required for `memberOf`, not allowed for `distinctInstance`; at most %d characters.", ebmigrate.MaxConstraintExpression),
							Validators: []validator.String{stringvalidator.LengthBetween(1, ebmigrate.MaxConstraintExpression)}},
					},
					Validators: []validator.Object{constraintValidator{}},
				},
				Validators: []validator.List{listvalidator.SizeAtMost(ebmigrate.MaxPlacementConstraints)},
			},
			"placement_strategy": schema.ListNestedAttribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("Placement strategy rules for the migration task (RunTask `placementStrategy`), applied in order; at most %d. Not supported on Fargate (the plan fails).", ebmigrate.MaxPlacementStrategies) + notRerun,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"type": schema.StringAttribute{Required: true, MarkdownDescription: "`random`, `spread` or `binpack`.",
							Validators: []validator.String{stringvalidator.OneOf(ebmigrate.PlacementStrategyTypes...)}},
						"field": schema.StringAttribute{Optional: true, MarkdownDescription: "For `binpack`, `cpu` or `memory`; for `spread`, `instanceId`, `host` or `attribute:<name>` (such as `attribute:ecs.availability-zone`); none for `random`."},
					},
					Validators: []validator.Object{strategyValidator{}},
				},
				Validators: []validator.List{listvalidator.SizeAtMost(ebmigrate.MaxPlacementStrategies)},
			},
			"enable_execute_command": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Whether to turn on ECS Exec for the migration task (RunTask `enableExecuteCommand`), so that you can open a shell in a long migration while it runs. Defaults to `false`. " +
					"ECS requires a task role for it: the environment's task definition's `taskRoleArn`, or `task_role_arn`, a role that `ecs-tasks.amazonaws.com` may assume and that allows " +
					"`ssmmessages:CreateControlChannel`, `ssmmessages:CreateDataChannel`, `ssmmessages:OpenControlChannel` and `ssmmessages:OpenDataChannel`; without one the plan warns and the apply fails before running anything. " +
					"On Fargate it needs platform version 1.4.0 or later: an older `platform_version` fails the plan. " +
					"The plan's warning and the provider's log (INFO) give the `aws ecs execute-command … --interactive --command /bin/sh` that opens the shell (it needs the Session Manager plugin and `ecs:ExecuteCommand`)." + notRerun,
			},
			"task_role_arn":      roleAttribute("task role (`taskRoleArn`), the IAM role the migration's code runs with", reruns),
			"execution_role_arn": roleAttribute("task execution role (`executionRoleArn`), which ECS uses to pull ECR images, fetch secrets and send awslogs output (required on Fargate for an ECR image or awslogs)", reruns),
			"keep_revisions": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(defaultKeepRevisions),
				MarkdownDescription: fmt.Sprintf("How many ACTIVE revisions of this resource's migration task definition family to keep; older ones are deregistered and deleted after a successful run. Defaults to %d. A change does not re-run the migration.", defaultKeepRevisions),
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
		},
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
	return "task.placement_constraints and task.placement_strategy are not supported on Fargate"
}

func (v fargatePlacementValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (fargatePlacementValidator) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var constraints, strategy types.List
	for name, dst := range map[string]any{"placement_constraints": &constraints, "placement_strategy": &strategy} {
		if d := req.Config.GetAttribute(ctx, path.Root("task").AtName(name), dst); d.HasError() {
			return
		}
	}
	if p, ok := configPlacement(ctx, req); !ok || !p.Fargate() {
		return
	}
	for name, l := range map[string]types.List{"placement_constraints": constraints, "placement_strategy": strategy} {
		if len(l.Elements()) > 0 {
			resp.Diagnostics.AddAttributeError(path.Root("task").AtName(name), "Not Possible On Fargate",
				"task."+name+" place tasks on EC2 container instances, and the migration runs on Fargate (task.launch_type or task.capacity_provider_strategy), which does not support them. Remove task."+name+", or run the migration with task.launch_type = \"EC2\".")
		}
	}
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
