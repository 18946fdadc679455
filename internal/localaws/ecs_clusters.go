package localaws

import (
	"fmt"
	"slices"
	"strings"
)

// ECS clusters and resource tags.

type cluster struct {
	name      string
	arn       string
	instances []string // container instance ARNs; none means Fargate only
	// ec2IDs are the EC2 instances behind them, when set (ecs_constraints.go).
	ec2IDs []string
	tags   []tag
	// capacityProviders are the providers associated with the cluster; a
	// RunTask strategy may name only these (see checkCapacityProviders).
	capacityProviders []string
	// defaultStrategy is the default capacity provider strategy, which
	// RunTask uses when given neither a launch type nor a strategy
	// (PutClusterCapacityProviders sets it; ecs_capacity.go).
	defaultStrategy []capacityStrategyItem
	// registryHosts are the registries the ECS agent of its instances has
	// credentials for (EB configures them from the Dockerrun's
	// authentication, a .dockercfg: registry_auth.go).
	registryHosts []string
}

func (s *Server) addCluster(name string, instances int, tags []tag) *cluster {
	if c, ok := s.clusters[name]; ok {
		return c
	}
	c := &cluster{name: name, arn: s.arn("ecs", "cluster/"+name), tags: tags}
	for i := 0; i < instances; i++ {
		c.instances = append(c.instances, s.arn("ecs", fmt.Sprintf("container-instance/%s/%032x", name, s.nextID())))
	}
	s.clusters[name] = c
	return c
}

// findCluster resolves a cluster name or ARN; an empty reference is "default".
func (s *Server) findCluster(ref string) (*cluster, error) {
	if ref == "" {
		ref = "default"
	}
	name := ref
	if strings.HasPrefix(ref, "arn:") {
		_, name, _ = strings.Cut(ref, ":cluster/")
	}
	if c, ok := s.clusters[name]; ok {
		return c, nil
	}
	return nil, clientErr("ClusterNotFoundException", "Cluster not found.")
}

func (s *Server) clusterJSON(c *cluster, withTags bool) map[string]any {
	running, pending := 0, 0
	for _, t := range s.taskOrder {
		if t.cluster != c {
			continue
		}
		switch t.lastStatus {
		case "RUNNING":
			running++
		case "PROVISIONING", "PENDING", "ACTIVATING":
			pending++
		}
	}
	out := map[string]any{
		"clusterArn":                        c.arn,
		"clusterName":                       c.name,
		"status":                            "ACTIVE",
		"registeredContainerInstancesCount": len(c.instances),
		"runningTasksCount":                 running,
		"pendingTasksCount":                 pending,
		"activeServicesCount":               0,
		"capacityProviders":                 nonNilStrings(c.capacityProviders),
		"defaultCapacityProviderStrategy":   nonNilStrategy(c.defaultStrategy),
	}
	if withTags {
		out["tags"] = nonNilTags(c.tags)
	}
	return out
}

func (s *Server) ecsDescribeClusters(body []byte) (any, error) {
	var in struct {
		Clusters []string `json:"clusters"`
		Include  []string `json:"include"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if len(in.Clusters) == 0 {
		in.Clusters = []string{"default"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	clusters := []map[string]any{}
	failures := []map[string]string{}
	for _, ref := range in.Clusters {
		c, err := s.findCluster(ref)
		if err != nil {
			arn := ref
			if !strings.HasPrefix(ref, "arn:") {
				arn = s.arn("ecs", "cluster/"+ref)
			}
			failures = append(failures, map[string]string{"arn": arn, "reason": "MISSING"})
			continue
		}
		clusters = append(clusters, s.clusterJSON(c, slices.Contains(in.Include, "TAGS")))
	}
	return map[string]any{"clusters": clusters, "failures": failures}, nil
}

func (s *Server) ecsListClusters(body []byte) (any, error) {
	var in page
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var arns []string
	for _, name := range sortedKeys(s.clusters) {
		arns = append(arns, s.clusters[name].arn)
	}
	items, next, err := in.apply(arns, 100)
	if err != nil {
		return nil, err
	}
	return map[string]any{"clusterArns": items, "nextToken": next}, nil
}

// taggable finds the tags of a cluster, task definition or task by ARN.
func (s *Server) taggable(arn string) (*[]tag, error) {
	switch {
	case strings.Contains(arn, ":cluster/"):
		for _, c := range s.clusters {
			if c.arn == arn {
				return &c.tags, nil
			}
		}
	case strings.Contains(arn, ":task-definition/"):
		if td, err := s.resolveTaskDef(arn); err == nil {
			return &td.tags, nil
		}
	case strings.Contains(arn, ":task/"):
		if t := s.tasks[arn]; t != nil {
			return &t.tags, nil
		}
	}
	return nil, clientErr("InvalidParameterException", "The specified resource is not found: %s", arn)
}

func (s *Server) ecsTagResource(body []byte) (any, error) {
	var in struct {
		ResourceArn string `json:"resourceArn"`
		Tags        []tag  `json:"tags"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tags, err := s.taggable(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	for _, nt := range in.Tags {
		i := slices.IndexFunc(*tags, func(t tag) bool { return t.Key == nt.Key })
		if i >= 0 {
			(*tags)[i] = nt
		} else {
			*tags = append(*tags, nt)
		}
	}
	if err := validateTags(*tags); err != nil {
		return nil, err
	}
	return map[string]any{}, nil
}

func (s *Server) ecsListTagsForResource(body []byte) (any, error) {
	var in struct {
		ResourceArn string `json:"resourceArn"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tags, err := s.taggable(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return map[string]any{"tags": nonNilTags(*tags)}, nil
}
