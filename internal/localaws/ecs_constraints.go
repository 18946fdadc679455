package localaws

import (
	"fmt"
	"slices"
	"strings"
)

// Placement constraints on EC2 container instances. A memberOf constraint
// keeps the instances its cluster query language expression selects; a
// distinctInstance constraint keeps the instances that run no task of the
// same group. When none is left, RunTask returns a failure with a
// container instance's ARN and ECS's reason, "MemberOf placement constraint
// unsatisfied." or "DistinctInstance placement constraint unsatisfied.".
// The strings are ECS's as published output shows them: a RunTask response
// printed by boto3 (failures [{arn: ...:container-instance/..., reason:
// "DistinctInstance placement constraint unsatisfied."}]) and service events
// ('container-instance ... encountered error "MemberOf placement constraint
// unsatisfied."').
// Strategies are a best effort (ECS guide, task
// placement: "Task placement strategies are a best effort ... task placement
// constraints are binding"): recorded, not applied.

const (
	reasonMemberOf         = "MemberOf placement constraint unsatisfied."
	reasonDistinctInstance = "DistinctInstance placement constraint unsatisfied."
	// defaultInstanceType is the instance type of EB's instances
	// (aws:autoscaling:launchconfiguration InstanceType in eb_config.go).
	defaultInstanceType = "t3.small"
)

// ec2InstanceID is the EC2 instance behind a container instance of c: for an
// Elastic Beanstalk environment's cluster the ids DescribeEnvironmentResources
// lists, else one made from the container instance id.
func (c *cluster) ec2InstanceID(i int) string {
	if i < len(c.ec2IDs) {
		return c.ec2IDs[i]
	}
	arn := c.instances[i]
	return "i-0" + arn[len(arn)-16:]
}

// ebInstanceID is the i-th EC2 instance of an environment, as
// DescribeEnvironmentResources lists it.
func ebInstanceID(envID string, i int) string {
	return fmt.Sprintf("i-%s%04d", strings.TrimPrefix(envID, "e-"), i)
}

// instanceAttribute is the value of a cluster query language attribute of
// container instance i, and whether localaws knows it.
func (c *cluster) instanceAttribute(i int, name string) (string, bool) {
	switch name {
	case "ec2InstanceId":
		return c.ec2InstanceID(i), true
	case "attribute:ecs.instance-type":
		return defaultInstanceType, true
	case "attribute:ecs.os-type":
		return "linux", true
	}
	return "", false
}

// constrainedInstances are the indexes of c's instances that every
// constraint allows, or nil and the failure reason of the first constraint
// that left none.
func (s *Server) constrainedInstances(c *cluster, group string, constraints []PlacementConstraintInfo) ([]int, string) {
	candidates := make([]int, len(c.instances))
	for i := range c.instances {
		candidates[i] = i
	}
	for _, pc := range constraints {
		var kept []int
		for _, i := range candidates {
			if pc.Type == "distinctInstance" && !s.runsGroup(c.instances[i], group) ||
				pc.Type == "memberOf" && c.matches(i, pc.Expression) {
				kept = append(kept, i)
			}
		}
		if len(kept) == 0 {
			if pc.Type == "distinctInstance" {
				return nil, reasonDistinctInstance
			}
			return nil, reasonMemberOf
		}
		candidates = kept
	}
	return candidates, ""
}

// runsGroup reports whether an instance runs a task of group that is not
// stopping (distinctInstance: "each task in a particular group is running
// on a different container instance", botocore PlacementConstraint.type).
func (s *Server) runsGroup(instance, group string) bool {
	return slices.ContainsFunc(s.taskOrder, func(t *task) bool {
		return t.instance == instance && t.group == group && !t.stopped() && t.desiredStatus != "STOPPED"
	})
}

// matches evaluates a subset of the cluster query language (ECS guide,
// "Create expressions to define container instances for Amazon ECS tasks"):
// subject operator value, with the operators ==/equals, !=/not_equals,
// in, not_in/!in, values and list items bare or in ' or " quotes (the guide's
// example: ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']), and expressions
// joined by the Boolean operators "&&, and" or "||, or" (and binds first).
// Subjects are ec2InstanceId, attribute:ecs.instance-type and
// attribute:ecs.os-type. Anything else matches every instance: localaws does
// not model it, and refusing the instances would report a placement failure
// AWS would not. That is a negated term ("!, not"), an expression with
// parentheses (as a whole: its precedence is not modelled), other
// attributes, the other operators (=~, exists, >, ...).
func (c *cluster) matches(i int, expr string) bool {
	if strings.ContainsAny(expr, "()") {
		return true
	}
	expr = strings.NewReplacer("&&", " and ", "||", " or ").Replace(expr)
	for _, alternative := range splitWord(expr, "or") {
		all := true
		for _, term := range splitWord(alternative, "and") {
			if !c.termMatches(i, term) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// termMatches evaluates one "subject operator value" term.
func (c *cluster) termMatches(i int, term string) bool {
	fields := strings.Fields(term)
	if len(fields) < 3 || strings.Contains(term, "*") || fields[0] == "not" || strings.HasPrefix(fields[0], "!") {
		return true // not modelled: see matches
	}
	subject, op, value := fields[0], fields[1], unquote(strings.Join(fields[2:], " "))
	have, known := c.instanceAttribute(i, subject)
	if !known {
		return true
	}
	switch op {
	case "==", "equals":
		return have == value
	case "!=", "not_equals":
		return have != value
	case "in", "not_in", "!in":
		list, ok := listValue(value)
		if !ok {
			return true
		}
		return slices.Contains(list, have) == (op == "in")
	}
	return true
}

// listValue reads "[a, b]", "[a,b]" or "['a', "b"]".
func listValue(v string) ([]string, bool) {
	v = strings.TrimSpace(v)
	if !strings.HasPrefix(v, "[") || !strings.HasSuffix(v, "]") {
		return nil, false
	}
	var out []string
	for _, s := range strings.Split(v[1:len(v)-1], ",") {
		if s = unquote(strings.TrimSpace(s)); s != "" {
			out = append(out, s)
		}
	}
	return out, true
}

// unquote strips one pair of ' or " quotes around a value.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// splitWord splits an expression at a lowercase word standing alone.
func splitWord(expr, word string) []string {
	fields := strings.Fields(expr)
	var parts []string
	start := 0
	for j, f := range fields {
		if f == word {
			parts = append(parts, strings.Join(fields[start:j], " "))
			start = j + 1
		}
	}
	return append(parts, strings.Join(fields[start:], " "))
}

// FixtureInstanceID is the EC2 instance id of the fixture environment's
// i-th instance (DescribeEnvironmentResources; the memberOf subject
// ec2InstanceId of its container instances).
func FixtureInstanceID(i int) string { return ebInstanceID(FixtureEnvID, i) }
