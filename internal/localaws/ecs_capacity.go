package localaws

import (
	"fmt"
	"slices"
)

// Capacity providers associated with a cluster, and its default strategy.
//
// Source: botocore ecs service-2.json, CapacityProviderStrategyItem: "Only
// capacity providers that are already associated with a cluster and have an
// ACTIVE or UPDATING status can be used in a capacity provider strategy. The
// PutClusterCapacityProviders API is used to associate a capacity provider
// with a cluster." and "The Fargate capacity providers are available to all
// accounts and only need to be associated with a cluster to be used";
// PutClusterCapacityProviders: "You must specify both the available capacity
// providers and a default capacity provider strategy for the cluster. If the
// specified cluster has existing capacity providers associated with it, you
// must specify all existing capacity providers in addition to any new ones
// you want to add. Any existing capacity providers that are associated with a
// cluster that are omitted from a PutClusterCapacityProviders API call will
// be disassociated with the cluster. You can only disassociate an existing
// capacity provider from a cluster if it's not being used by any existing
// tasks. When creating a service or running a task on a cluster, if no
// capacity provider or launch type is specified, then the cluster's default
// capacity provider strategy is used."

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

// isFargateProvider: FARGATE and FARGATE_SPOT are Fargate's providers; any
// other is an Auto Scaling group's, on the cluster's EC2 instances.
func isFargateProvider(name string) bool { return name == "FARGATE" || name == "FARGATE_SPOT" }

// chooseProvider is the provider a strategy places one task on: the one with
// a base ("The minimum number of tasks specified by the base value are
// placed on that capacity provider"), else one of those with a weight, in
// proportion to it ("Capacity providers with weight of 0 cannot place
// tasks"). The strategy was checked (checkStrategyOf).
func (s *Server) chooseProvider(items []capacityStrategyItem) string {
	total := 0
	for _, it := range items {
		if it.Base > 0 {
			return it.CapacityProvider
		}
		total += it.Weight
	}
	pick := s.rng.Intn(total)
	for _, it := range items {
		if pick -= it.Weight; pick < 0 {
			return it.CapacityProvider
		}
	}
	return items[len(items)-1].CapacityProvider
}

func init() { jsonOps["ecs:PutClusterCapacityProviders"] = (*Server).ecsPutClusterCapacityProviders }

func (s *Server) ecsPutClusterCapacityProviders(body []byte) (any, error) {
	var in struct {
		Cluster                         string                 `json:"cluster"`
		CapacityProviders               []string               `json:"capacityProviders"`
		DefaultCapacityProviderStrategy []capacityStrategyItem `json:"defaultCapacityProviderStrategy"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	// All three members are required (PutClusterCapacityProvidersRequest);
	// "[]" bypasses a default strategy.
	if in.Cluster == "" || in.CapacityProviders == nil || in.DefaultCapacityProviderStrategy == nil {
		return nil, clientErr("InvalidParameterException", "cluster, capacityProviders and defaultCapacityProviderStrategy are required; specify an empty array ([]) to bypass defining a default strategy.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.findCluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	for _, name := range in.CapacityProviders {
		if !isFargateProvider(name) && !s.knownProvider(name) {
			return nil, clientErr("InvalidParameterException", "The specified capacity provider %s does not exist. Create it with CreateCapacityProvider, or specify FARGATE or FARGATE_SPOT.", name)
		}
	}
	for _, old := range c.capacityProviders {
		if !slices.Contains(in.CapacityProviders, old) && s.providerInUse(c, old) {
			return nil, clientErr("ResourceInUseException", "The specified capacity provider %s is in use and cannot be removed.", old)
		}
	}
	var names []string
	for _, it := range in.DefaultCapacityProviderStrategy {
		names = append(names, it.CapacityProvider)
	}
	probe := &cluster{capacityProviders: in.CapacityProviders}
	if err := checkCapacityProviders(probe, names); err != nil {
		return nil, err
	}
	// The strategy's own rules, except that no provider has a weight: ECS
	// accepts such a default and refuses the RunTask that uses it
	// (terraform-aws-modules/terraform-aws-ecs#27).
	if err := checkStrategyOf(in.DefaultCapacityProviderStrategy, "", "", false); err != nil {
		return nil, err
	}
	c.capacityProviders = slices.Clone(in.CapacityProviders)
	c.defaultStrategy = slices.Clone(in.DefaultCapacityProviderStrategy)
	return map[string]any{"cluster": s.clusterJSON(c, false)}, nil
}

// knownProvider: an Auto Scaling group provider exists when some cluster
// of the world has it associated (localaws does not model
// CreateCapacityProvider). The caller holds s.mu.
func (s *Server) knownProvider(name string) bool {
	for _, c := range s.clusters {
		if slices.Contains(c.capacityProviders, name) {
			return true
		}
	}
	return false
}

// providerInUse: a task of the cluster that has not stopped was placed by
// the provider. The caller holds s.mu.
func (s *Server) providerInUse(c *cluster, name string) bool {
	for _, t := range s.taskOrder {
		if t.cluster == c && t.capacityProvider == name && !t.stopped() {
			return true
		}
	}
	return false
}

// checkDefaultStrategy refuses a seed's default strategy that
// PutClusterCapacityProviders would refuse: naming a provider the cluster
// has not associated, or breaking a strategy's rules (checkStrategyOf).
func (c *cluster) checkDefaultStrategy() error {
	for _, it := range c.defaultStrategy {
		if !slices.Contains(c.capacityProviders, it.CapacityProvider) {
			return fmt.Errorf("cluster %s: default_capacity_provider_strategy names %s, which is not among its capacity_providers %v", c.name, it.CapacityProvider, c.capacityProviders)
		}
	}
	if err := checkStrategyOf(c.defaultStrategy, "", "", false); err != nil {
		return fmt.Errorf("cluster %s: default_capacity_provider_strategy: %w", c.name, err)
	}
	return nil
}

// strategyOf is a seed's strategy.
func strategyOf(items []StrategyItem) []capacityStrategyItem {
	var out []capacityStrategyItem
	for _, it := range items {
		out = append(out, capacityStrategyItem(it))
	}
	return out
}

func nonNilStrategy(v []capacityStrategyItem) []capacityStrategyItem {
	if v == nil {
		return []capacityStrategyItem{}
	}
	return v
}

func nonNilStrings(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}
