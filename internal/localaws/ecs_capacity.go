package localaws

import "slices"

// Capacity providers associated with a cluster.
//
// Source: botocore ecs service-2.json, CapacityProviderStrategyItem: "Only
// capacity providers that are already associated with a cluster and have an
// ACTIVE or UPDATING status can be used in a capacity provider strategy. The
// PutClusterCapacityProviders API is used to associate a capacity provider
// with a cluster." and "The Fargate capacity providers are available to all
// accounts and only need to be associated with a cluster to be used".

// EBCapacityProvider is the name localaws gives the Auto Scaling group
// capacity provider of an EB environment's cluster. AWS does not document the
// name EB uses; capacity provider names may not start with "aws", "ecs" or
// "fargate" (CreateCapacityProvider's name), so it is not the cluster's name.
func EBCapacityProvider(clusterName string) string { return "asg-" + clusterName }

// checkCapacityProviders refuses a strategy naming a provider that is not
// associated with the cluster, with ECS's error.
func checkCapacityProviders(c *cluster, strategy []string) error {
	for _, name := range strategy {
		if !slices.Contains(c.capacityProviders, name) {
			return clientErr("InvalidParameterException",
				"The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.")
		}
	}
	return nil
}

func nonNilStrings(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}
