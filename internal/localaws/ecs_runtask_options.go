package localaws

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// RunTask's enableExecuteCommand, placementConstraints and placementStrategy:
// validated as ECS documents them, recorded on the task (Stats; DescribeTasks
// returns enableExecuteCommand, the Task shape has no placement fields), and
// memberOf constraints honoured on EC2 placement (ecs_constraints.go).

// Sources: botocore ecs service-2.json, RunTaskRequest.placementConstraints
// ("You can specify up to 10 constraints for each task (including
// constraints in the task definition and those specified at runtime)") and
// .placementStrategy ("You can specify a maximum of 5 strategy rules for
// each task").
const (
	maxPlacementConstraints = 10
	maxPlacementStrategies  = 5
	// maxExpressionChars: PlacementConstraint.expression "can have a maximum
	// length of 2000 characters".
	maxExpressionChars = 2000
)

// PlacementConstraintInfo is one RunTask placement constraint.
type PlacementConstraintInfo struct {
	Type       string `json:"type"`
	Expression string `json:"expression,omitempty"`
}

// PlacementStrategyInfo is one RunTask placement strategy rule.
type PlacementStrategyInfo struct {
	Type  string `json:"type"`
	Field string `json:"field,omitempty"`
}

// runOptions are a RunTask's options that shape how its task runs.
type runOptions struct {
	executeCommand bool
	constraints    []PlacementConstraintInfo
	strategy       []PlacementStrategyInfo
	// definition are the task definition's own placementConstraints.
	definition []PlacementConstraintInfo
}

// placementConstraints are the constraints placement honours: the task
// definition's and RunTask's. Both bind (botocore ecs service-2.json,
// RunTaskRequest.placementConstraints counts "constraints in the task
// definition and those specified at runtime" together; a task whose
// definition's memberOf contradicts RunTask's is not placed, "MemberOf
// placement constraint unsatisfied.", aws/amazon-ecs-agent#3044).
func (o runOptions) placementConstraints() []PlacementConstraintInfo {
	return append(slices.Clone(o.definition), o.constraints...)
}

// execRoleMessage is ECS's refusal of enableExecuteCommand for a task
// without a task role. Source: botocore ecs service-2.json,
// RunTaskRequest.enableExecuteCommand ("If true, then the task definition
// must have a task role, or you must provide one as an override"); the
// message as RunTask returns it, InvalidParameterException, is quoted in
// boto/boto3 issue #3173.
const execRoleMessage = "The execute command failed because a valid task role is not being used. Specify a valid task role in your task definition or as a task override and try again."

// parseRunOptions reads and validates the options of a RunTask body for
// task definition td launched with launch ("EC2" or "FARGATE").
func parseRunOptions(body []byte, td *taskDef, launch string) (runOptions, error) {
	var in struct {
		EnableExecuteCommand bool                      `json:"enableExecuteCommand"`
		PlacementConstraints []PlacementConstraintInfo `json:"placementConstraints"`
		PlacementStrategy    []PlacementStrategyInfo   `json:"placementStrategy"`
		PlatformVersion      string                    `json:"platformVersion"`
		Overrides            struct {
			TaskRoleArn string `json:"taskRoleArn"`
		} `json:"overrides"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return runOptions{}, clientErr("SerializationException", "%v", err)
	}
	opts := runOptions{executeCommand: in.EnableExecuteCommand, constraints: in.PlacementConstraints, strategy: in.PlacementStrategy}
	if in.EnableExecuteCommand {
		role, _ := td.body["taskRoleArn"].(string)
		if role == "" && in.Overrides.TaskRoleArn == "" {
			return opts, clientErr("InvalidParameterException", "%s", execRoleMessage)
		}
		// ECS guide, "Running commands using ECS Exec", prerequisites: "If
		// you're using AWS Fargate, you must use platform version 1.4.0 or
		// higher (Linux)". The message is localaws's own wording.
		if launch == "FARGATE" && fargateVersionBelow(in.PlatformVersion, 1, 4) {
			return opts, clientErr("InvalidParameterException", "ECS Exec is supported on Fargate platform version 1.4.0 or later, not %s.", in.PlatformVersion)
		}
	}
	// botocore ecs RegisterTaskDefinitionRequest.memory: the 8 and 16 vCPU
	// Fargate sizes each require "Linux platform 1.4.0 or later". The
	// message is localaws's own wording.
	if cpu, _ := td.body["cpu"].(string); launch == "FARGATE" && (cpu == "8192" || cpu == "16384") && fargateVersionBelow(in.PlatformVersion, 1, 4) {
		return opts, clientErr("InvalidParameterException", "A Fargate task of %s CPU units requires platform version 1.4.0 or later, not %s.", cpu, in.PlatformVersion)
	}
	// PlacementConstraint and PlacementStrategy (botocore ecs service-2.json):
	// "If you're using the Fargate launch type, task placement constraints
	// aren't supported"; the ECS guide, Amazon ECS task placement: "Task
	// placement strategies and constraints aren't supported for tasks using
	// the Fargate launch type."
	// The constraints message is ECS's as published: "Placement constraints
	// are not supported with FARGATE launch type.", InvalidParameterException
	// (quoted from CreateService in GetSimpl/cloudlift#138; the title of
	// hashicorp/terraform-provider-aws#26337). No published text was found
	// for strategies: that message is localaws's own wording.
	if launch == "FARGATE" && len(in.PlacementConstraints) > 0 {
		return opts, clientErr("InvalidParameterException", "Placement constraints are not supported with FARGATE launch type.")
	}
	if launch == "FARGATE" && len(in.PlacementStrategy) > 0 {
		return opts, clientErr("InvalidParameterException", "Placement strategies are not supported with FARGATE launch type.")
	}
	// The messages below are localaws's own wording (no published ECS text
	// was found); the error codes are ECS's, and tests match only those.
	if v, ok := td.body["placementConstraints"].([]any); ok {
		for _, raw := range v {
			m, _ := raw.(map[string]any)
			typ, _ := m["type"].(string)
			expr, _ := m["expression"].(string)
			opts.definition = append(opts.definition, PlacementConstraintInfo{Type: typ, Expression: expr})
		}
	}
	inDefinition := len(opts.definition)
	if n := len(in.PlacementConstraints) + inDefinition; n > maxPlacementConstraints {
		return opts, clientErr("InvalidParameterException", "Too many placement constraints: %d (%d in the task definition), at most %d are allowed per task.", n, inDefinition, maxPlacementConstraints)
	}
	for _, pc := range in.PlacementConstraints {
		if err := validConstraint(pc); err != nil {
			return opts, err
		}
	}
	if len(in.PlacementStrategy) > maxPlacementStrategies {
		return opts, clientErr("InvalidParameterException", "Too many placement strategies: %d, at most %d are allowed.", len(in.PlacementStrategy), maxPlacementStrategies)
	}
	for _, ps := range in.PlacementStrategy {
		if err := validStrategy(ps); err != nil {
			return opts, err
		}
	}
	return opts, nil
}

// validConstraint: PlacementConstraintType is distinctInstance or memberOf;
// "You can't specify an expression if the constraint type is
// distinctInstance"; memberOf restricts to the instances its expression
// selects, so it needs one (ECS guide, task placement constraints).
func validConstraint(pc PlacementConstraintInfo) error {
	switch pc.Type {
	case "distinctInstance":
		if pc.Expression != "" {
			return clientErr("InvalidParameterException", "Expression is not allowed for placement constraint type distinctInstance.")
		}
	case "memberOf":
		if strings.TrimSpace(pc.Expression) == "" {
			return clientErr("InvalidParameterException", "Expression is required for placement constraint type memberOf.")
		}
		if len(pc.Expression) > maxExpressionChars {
			return clientErr("InvalidParameterException", "Placement constraint expression must be at most %d characters.", maxExpressionChars)
		}
	default:
		return clientErr("InvalidParameterException", "Invalid placement constraint type %q: must be distinctInstance or memberOf.", pc.Type)
	}
	return nil
}

// validStrategy: PlacementStrategy.field (botocore ecs service-2.json): "For
// the spread placement strategy, valid values are instanceId (or host, which
// has the same effect), or any platform or custom attribute that's applied
// to a container instance, such as attribute:ecs.availability-zone. For the
// binpack placement strategy, valid values are cpu and memory. For the
// random placement strategy, this field is not used."
func validStrategy(ps PlacementStrategyInfo) error {
	bad := func(format string, args ...any) error {
		return clientErr("InvalidParameterException", "%s", fmt.Sprintf(format, args...))
	}
	switch ps.Type {
	case "random":
		if ps.Field != "" {
			return bad("Field is not used by placement strategy type random.")
		}
	case "binpack":
		if ps.Field != "cpu" && ps.Field != "memory" {
			return bad("Invalid field %q for placement strategy type binpack: must be cpu or memory.", ps.Field)
		}
	case "spread":
		if ps.Field != "instanceId" && ps.Field != "host" && !strings.HasPrefix(ps.Field, "attribute:") {
			return bad("Invalid field %q for placement strategy type spread: must be instanceId, host or attribute:<name>.", ps.Field)
		}
	default:
		return bad("Invalid placement strategy type %q: must be random, spread or binpack.", ps.Type)
	}
	return nil
}

// fargateVersionBelow tells whether a Fargate platform version x.y.z is
// below major.minor; LATEST, "" and anything else are not.
func fargateVersionBelow(v string, major, minor int) bool {
	var x, y, z int
	if n, err := fmt.Sscanf(v, "%d.%d.%d", &x, &y, &z); err != nil || n != 3 {
		return false
	}
	return x < major || x == major && y < minor
}
