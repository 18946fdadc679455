package ebmigrate

import (
	"fmt"
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

// checkStrategy refuses a strategy RunTask would refuse; arg names where it
// comes from (the argument, or the cluster's default strategy).
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
	if !weighted {
		return problem("Capacity Provider Strategy Without Weight",
			"%s gives none of its capacity providers (%s) a weight above 0 (weight defaults to 0), and ECS places no task on a provider of weight 0: RunTask would refuse it after the migration's task definition was registered. Give the provider that should run the migration a weight, for example weight = 1.",
			arg, strings.Join(names, ", "))
	}
	if len(based) > 1 {
		return problem("Capacity Provider Strategy With Several Bases",
			"%s sets a base on %d capacity providers (%s), and ECS allows a base on only one provider of a strategy: RunTask would refuse it. Keep base on one provider, or on none (the migration is one task).",
			arg, len(based), strings.Join(based, ", "))
	}
	return nil
}
