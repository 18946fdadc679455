package ebmigrate

import (
	"fmt"
	"slices"
	"strings"
)

// ECS's rules for a capacity provider strategy, checked before anything is
// registered, and at validate for task.capacity_provider_strategy (the
// resources package calls CapacityStrategyProblem). Sources: ECS developer
// guide, Amazon ECS capacity providers: "A capacity provider strategy can only
// contain Auto Scaling group capacity providers or Fargate capacity
// providers"; botocore ecs CapacityProviderStrategyItem.weight: "The default
// value is 0 if not specified", "At least one capacity provider must have a
// weight greater than zero" and "Capacity providers with weight of 0 cannot
// place tasks" (of one provider as of several: a single provider left at
// weight 0 fails too, "There are no capacity providers with a weight value
// greater than zero defined in the default capacity provider strategy",
// terraform-aws-modules/terraform-aws-ecs#27); .base: "Only one capacity
// provider in a capacity provider strategy can have a base defined".

// IsFargateProvider tells Fargate's capacity providers, FARGATE and
// FARGATE_SPOT ("To use a Fargate capacity provider, specify either the
// FARGATE or FARGATE_SPOT capacity providers", botocore ecs
// CapacityProviderStrategyItem), from Auto Scaling group providers, whose
// names cannot start with "fargate" (CreateCapacityProviderRequest.name).
func IsFargateProvider(name string) bool { return name == "FARGATE" || name == "FARGATE_SPOT" }

// CapacityStrategyProblem says what ECS refuses in a capacity provider
// strategy (a summary and a message), "" when it takes it. arg names the
// strategy: ArgCapacityProviders, or the cluster's default strategy, which
// RunTask uses when neither task.launch_type nor
// task.capacity_provider_strategy is set.
func CapacityStrategyProblem(items []CapacityProvider, arg string) (summary, msg string) {
	var fargate, asg, based []string
	weighted := false
	for _, cp := range items {
		if IsFargateProvider(cp.Name) {
			fargate = append(fargate, cp.Name)
		} else {
			asg = append(asg, cp.Name)
		}
		weighted = weighted || cp.Weight > 0
		if cp.Base > 0 {
			based = append(based, fmt.Sprintf("%s (base %d)", cp.Name, cp.Base))
		}
	}
	fixKind, fixWeight, fixBase := "Keep providers of one kind.", "Give the provider that should run the migration a weight, for example weight = 1.", "Keep base on one provider, or on none (the migration is one task)."
	if arg != ArgCapacityProviders {
		fix := " RunTask uses it because task.launch_type and task.capacity_provider_strategy are unset: fix the cluster's default (aws ecs put-cluster-capacity-providers), or set either argument."
		fixKind, fixWeight, fixBase = "Keep providers of one kind."+fix, "Give one of its providers a weight."+fix, "Keep a base on one provider."+fix
	}
	switch {
	case len(items) == 0:
		return "", ""
	case len(fargate) > 0 && len(asg) > 0:
		return "Capacity Provider Strategy Of Two Kinds", fmt.Sprintf("%s names %s (Fargate) and %s (Auto Scaling group), and ECS takes a strategy of Fargate providers or of Auto Scaling group providers, never both: RunTask would refuse it. %s",
			arg, strings.Join(fargate, ", "), strings.Join(asg, ", "), fixKind)
	case len(based) > 1:
		return "Capacity Provider Strategy With Several Bases", fmt.Sprintf("%s sets a base on %d capacity providers (%s), and ECS allows a base on only one provider of a strategy: RunTask would refuse it. %s",
			arg, len(based), strings.Join(based, ", "), fixBase)
	case !weighted:
		var names []string
		for _, cp := range items {
			names = append(names, cp.Name)
		}
		return "Capacity Provider Strategy Without Weight", fmt.Sprintf("%s gives none of its capacity providers (%s) a weight above 0 (weight defaults to 0), and ECS places no task on a provider of weight 0: RunTask would refuse it. %s",
			arg, strings.Join(names, ", "), fixWeight)
	}
	return "", ""
}

// checkStrategy refuses a strategy RunTask would refuse
// (CapacityStrategyProblem).
func checkStrategy(items []CapacityProvider, arg string) error {
	if summary, msg := CapacityStrategyProblem(items, arg); summary != "" {
		if arg == ArgCapacityProviders {
			return problemAt(arg, summary, "%s", msg)
		}
		return problem(summary, "%s", msg)
	}
	return nil
}

// clusterDefault is where a run that names neither task.launch_type nor
// task.capacity_provider_strategy runs: RunTask then places it with the
// cluster's default capacity provider strategy ("If no
// capacityProviderStrategy or launchType is specified, the
// defaultCapacityProviderStrategy for the cluster is used", botocore ecs
// RunTaskRequest.capacityProviderStrategy), and only without one with the EC2
// launch type. The derivation follows it (Fargate-ready when the default
// places on Fargate), and a default ECS would refuse is refused at plan.
// RunTask is still sent without a strategy, so that ECS applies its own
// default.
func clusterDefault(p Placement, t *Target) (Placement, error) {
	if p.LaunchType != "" || len(p.CapacityProvider) > 0 || len(t.DefaultStrategy) == 0 {
		return p, nil
	}
	if err := checkStrategy(t.DefaultStrategy, "The default capacity provider strategy of cluster "+shortArn(t.ClusterArn)); err != nil {
		return p, err
	}
	p.CapacityProvider = slices.Clone(t.DefaultStrategy)
	return p, nil
}
