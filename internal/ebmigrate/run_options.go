package ebmigrate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// RunTask options that change how the migration task runs, not what runs:
// ECS Exec (enableExecuteCommand) and task placement (placementConstraints,
// placementStrategy). They are Placement's ExecuteCommand, Constraints and
// Strategy.

// PlacementConstraint is one RunTask placement constraint.
type PlacementConstraint struct {
	Type       string // distinctInstance or memberOf
	Expression string // cluster query language; memberOf only
}

// PlacementStrategy is one RunTask placement strategy rule.
type PlacementStrategy struct {
	Type  string // random, spread or binpack
	Field string
}

// Limits and values of botocore's ecs service-2.json: RunTaskRequest.
// placementConstraints ("up to 10 constraints for each task (including
// constraints in the task definition and those specified at runtime)"),
// placementStrategy ("a maximum of 5 strategy rules for each task"),
// PlacementConstraint.expression ("a maximum length of 2000 characters"),
// and the PlacementConstraintType and PlacementStrategyType enums.
const (
	MaxPlacementConstraints = 10
	MaxPlacementStrategies  = 5
	MaxConstraintExpression = 2000
)

var (
	PlacementConstraintTypes = []string{string(ecstypes.PlacementConstraintTypeDistinctInstance), string(ecstypes.PlacementConstraintTypeMemberOf)}
	PlacementStrategyTypes   = []string{string(ecstypes.PlacementStrategyTypeRandom), string(ecstypes.PlacementStrategyTypeSpread), string(ecstypes.PlacementStrategyTypeBinpack)}
)

// ConstraintProblem says what is wrong with a placement constraint ("" when
// nothing): "You can't specify an expression if the constraint type is
// distinctInstance" (botocore PlacementConstraint.expression), and memberOf
// selects instances by its expression, so it needs one.
func ConstraintProblem(c PlacementConstraint) string {
	switch c.Type {
	case string(ecstypes.PlacementConstraintTypeDistinctInstance):
		if c.Expression != "" {
			return "a distinctInstance constraint takes no expression: remove it"
		}
	case string(ecstypes.PlacementConstraintTypeMemberOf):
		if strings.TrimSpace(c.Expression) == "" {
			return "a memberOf constraint needs an expression in the cluster query language, for example \"attribute:ecs.instance-type == t3.large\""
		}
		if len(c.Expression) > MaxConstraintExpression {
			return fmt.Sprintf("an expression may have at most %d characters", MaxConstraintExpression)
		}
	default:
		return fmt.Sprintf("type %q is not one of %s", c.Type, strings.Join(PlacementConstraintTypes, ", "))
	}
	return ""
}

// StrategyProblem says what is wrong with a placement strategy rule ("" when
// nothing). botocore PlacementStrategy.field: "For the spread placement
// strategy, valid values are instanceId (or host, which has the same
// effect), or any platform or custom attribute that's applied to a container
// instance, such as attribute:ecs.availability-zone. For the binpack
// placement strategy, valid values are cpu and memory. For the random
// placement strategy, this field is not used."
func StrategyProblem(s PlacementStrategy) string {
	switch s.Type {
	case string(ecstypes.PlacementStrategyTypeRandom):
		if s.Field != "" {
			return "a random strategy takes no field: remove it"
		}
	case string(ecstypes.PlacementStrategyTypeBinpack):
		if s.Field != "cpu" && s.Field != "memory" {
			return fmt.Sprintf("a binpack strategy's field is cpu or memory, not %q", s.Field)
		}
	case string(ecstypes.PlacementStrategyTypeSpread):
		if s.Field != "instanceId" && s.Field != "host" && !strings.HasPrefix(s.Field, "attribute:") {
			return fmt.Sprintf("a spread strategy's field is instanceId, host or attribute:<name> (such as attribute:ecs.availability-zone), not %q", s.Field)
		}
	default:
		return fmt.Sprintf("type %q is not one of %s", s.Type, strings.Join(PlacementStrategyTypes, ", "))
	}
	return ""
}

// checkRunTaskOptions refuses, before anything is registered or run, the
// options RunTask would refuse for the derived definition: placement on
// Fargate, more constraints than ECS allows together with the definition's
// own, and ECS Exec without a task role (unless the role is roleUnknown, to
// be known at apply).
func checkRunTaskOptions(d *Derived, p Placement, roleUnknown bool) error {
	if err := checkPlatformVersion(p); err != nil {
		return err
	}
	if units, err := strconv.Atoi(aws.ToString(d.Input.Cpu)); err == nil && p.PlatformVersion != "" && slices.Contains(d.Input.RequiresCompatibilities, ecstypes.CompatibilityFargate) {
		if msg := TaskSizePlatformProblem(units, p.PlatformVersion); msg != "" {
			return problemAt(ArgPlatformVersion, "Platform Version Too Old", "%s", msg)
		}
	}
	if p.Fargate() && (len(p.Constraints) > 0 || len(p.Strategy) > 0) {
		// ECS guide, Amazon ECS task placement: "Task placement strategies
		// and constraints aren't supported for tasks using the Fargate
		// launch type."
		return problemAt(ArgPlacementConstraints, "Not Possible On Fargate",
			"task.placement_constraints and task.placement_strategy place tasks on EC2 container instances; Fargate does not support them. Remove them, or run the migration with task.launch_type = \"EC2\".")
	}
	if n := len(d.Input.PlacementConstraints); n+len(p.Constraints) > MaxPlacementConstraints {
		return problemAt(ArgPlacementConstraints, "Too Many Placement Constraints",
			"The migration task would have %d placement constraints, %d of them from its task definition; ECS allows at most %d per task. Remove %d from task.placement_constraints.",
			n+len(p.Constraints), n, MaxPlacementConstraints, n+len(p.Constraints)-MaxPlacementConstraints)
	}
	for i, c := range p.Constraints {
		if msg := ConstraintProblem(c); msg != "" {
			return problemAt(ArgPlacementConstraints, "Invalid Placement Constraint", "task.placement_constraints[%d]: %s.", i, msg)
		}
	}
	for i, s := range p.Strategy {
		if msg := StrategyProblem(s); msg != "" {
			return problemAt(ArgPlacementStrategy, "Invalid Placement Strategy", "task.placement_strategy[%d]: %s.", i, msg)
		}
	}
	// botocore RunTaskRequest.enableExecuteCommand: "If true, then the task
	// definition must have a task role, or you must provide one as an
	// override"; RunTask refuses it otherwise (InvalidParameterException,
	// "The execute command failed because a valid task role is not being
	// used", boto/boto3#3173).
	if p.ExecuteCommand && aws.ToString(d.Input.TaskRoleArn) == "" && !roleUnknown {
		return problemAt(ArgExecuteCommand, "Task Role Required For ECS Exec",
			"task.enable_execute_command needs a task role, and the migration task definition has none (the environment's task definition sets no taskRoleArn: Elastic Beanstalk adds none unless the Dockerrun.aws.json does). "+
				"Set task.task_role_arn to a role that ECS tasks may assume (ecs-tasks.amazonaws.com) and that allows ssmmessages:CreateControlChannel, ssmmessages:CreateDataChannel, ssmmessages:OpenControlChannel and ssmmessages:OpenDataChannel, "+
				"or set task.enable_execute_command = false.")
	}
	return nil
}

// applyRunTaskOptions fills RunTask's enableExecuteCommand,
// placementConstraints and placementStrategy.
func applyRunTaskOptions(in *ecs.RunTaskInput, p Placement) {
	in.EnableExecuteCommand = p.ExecuteCommand
	for _, c := range p.Constraints {
		pc := ecstypes.PlacementConstraint{Type: ecstypes.PlacementConstraintType(c.Type)}
		if c.Expression != "" {
			pc.Expression = aws.String(c.Expression)
		}
		in.PlacementConstraints = append(in.PlacementConstraints, pc)
	}
	for _, s := range p.Strategy {
		ps := ecstypes.PlacementStrategy{Type: ecstypes.PlacementStrategyType(s.Type)}
		if s.Field != "" {
			ps.Field = aws.String(s.Field)
		}
		in.PlacementStrategy = append(in.PlacementStrategy, ps)
	}
}

// ExecuteCommand is the AWS CLI command that opens a shell in the migration
// container of a running task (ECS Exec; the session needs the Session
// Manager plugin and ecs:ExecuteCommand). task is a task id or ARN, or a
// shell expression that gives one.
func ExecuteCommand(region, cluster, task, container string) string {
	return fmt.Sprintf("aws ecs execute-command%s --cluster %s --task %s --container %s --interactive --command /bin/sh", regionFlag(region), shortArn(cluster), task, container)
}

// executeCommandAtPlan is ExecuteCommand for a task not started yet: the
// task is the environment's running migration task, found by its startedBy.
func executeCommandAtPlan(region string, t *Target, d *Derived) string {
	find := fmt.Sprintf("$(aws ecs list-tasks%s --cluster %s --started-by %s --query 'taskArns[0]' --output text)",
		regionFlag(region), shortArn(t.ClusterArn), StartedBy(t.EnvironmentID))
	return ExecuteCommand(region, t.ClusterArn, find, d.Container)
}

func regionFlag(region string) string {
	if region == "" {
		return ""
	}
	return " --region " + region
}

// memberOfAdvice explains a "MemberOf placement constraint unsatisfied."
// RunTask failure: which constraints no container instance met, and how to
// see which instances each selects.
func memberOfAdvice(t *Target, p Placement) string {
	var exprs []string
	for _, c := range p.Constraints {
		if c.Type == string(ecstypes.PlacementConstraintTypeMemberOf) {
			exprs = append(exprs, fmt.Sprintf("%q", c.Expression))
		}
	}
	if len(exprs) == 0 {
		return "No container instance met a memberOf placement constraint of the migration task definition (placementConstraints of the source task definition): check it against the cluster's instances."
	}
	return fmt.Sprintf("No container instance of the cluster met task.placement_constraints memberOf %s (together with any memberOf in the source task definition's placementConstraints, which ECS applies too). "+
		"See which instances an expression selects with aws ecs list-container-instances --cluster %s --filter '<expression>'; then correct the expression, remove the constraint, or add capacity that matches it. Nothing ran.",
		strings.Join(exprs, " and "), shortArn(t.ClusterArn))
}
