package ebmigrate

import (
	"fmt"
	"slices"
	"strings"
)

// ECS's rules for a capacity provider strategy, checked before anything is
// registered. Source: botocore ecs CapacityProviderStrategyItem.weight: "The
// default value is 0 if not specified", "At least one capacity provider must
// have a weight greater than zero", "Capacity providers with weight of 0
// cannot place tasks", and "If you specify multiple capacity providers in a
// strategy that all have a weight of 0, any RunTask or CreateService actions
// using the capacity provider strategy will fail"; .base: "Only one capacity
// provider in a capacity provider strategy can have a base defined". A single
// provider left at weight 0 fails too ("There are no capacity providers with
// a weight value greater than zero defined in the default capacity provider
// strategy", terraform-aws-modules/terraform-aws-ecs#27).

// argStrategy is the argument a strategy of the user's comes from.
const argStrategy = "task.capacity_provider_strategy"

// checkStrategy refuses a strategy RunTask would refuse; arg names where it
// comes from (argStrategy, or the cluster's default strategy).
func checkStrategy(items []CapacityProvider, arg string) error {
	if len(items) == 0 {
		return nil
	}
	var names, based []string
	weighted := false
	for _, cp := range items {
		names = append(names, cp.Name)
		weighted = weighted || cp.Weight > 0
		if cp.Base > 0 {
			based = append(based, fmt.Sprintf("%s (base %d)", cp.Name, cp.Base))
		}
	}
	fixWeight, fixBase := "Give the provider that should run the migration a weight, for example weight = 1.", "Keep base on one provider, or on none (the migration is one task)."
	if arg != argStrategy {
		fix := " RunTask uses it because task.launch_type and task.capacity_provider_strategy are unset: fix the cluster's default (aws ecs put-cluster-capacity-providers), or set either argument."
		fixWeight, fixBase = "Give one of its providers a weight."+fix, "Keep a base on one provider."+fix
	}
	if !weighted {
		return problem("Capacity Provider Strategy Without Weight",
			"%s gives none of its capacity providers (%s) a weight above 0 (weight defaults to 0), and ECS places no task on a provider of weight 0: RunTask would refuse it after the migration's task definition was registered. %s",
			arg, strings.Join(names, ", "), fixWeight)
	}
	if len(based) > 1 {
		return problem("Capacity Provider Strategy With Several Bases",
			"%s sets a base on %d capacity providers (%s), and ECS allows a base on only one provider of a strategy: RunTask would refuse it. %s",
			arg, len(based), strings.Join(based, ", "), fixBase)
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
