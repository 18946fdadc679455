package localaws

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// ECS RunTask: parameters, clientToken idempotency, placement and start.

type runRequest struct {
	cluster    *cluster
	taskDef    *taskDef
	launchType string
	startedBy  string
	group      string
	network    *awsvpcConfig
	platform   string
	overrides  json.RawMessage
	tags       []tag
	opts       runOptions
	// placeholder runs no process: EB's own web tasks, which only need to
	// hold their instance and host ports.
	placeholder bool
	// workload is what a placeholder's container runs instead (workload.go).
	workload *workloadSpec
	// capacityProvider places it ("" with a launch type).
	capacityProvider string
}

// maxOverridesChars is RunTask's limit on overrides. Source: botocore ecs
// service-2.json, RunTaskRequest.overrides: "A total of 8192 characters are
// allowed for overrides. This limit includes the JSON formatting characters
// of the override structure."
const maxOverridesChars = 8192

func (s *Server) ecsRunTask(body []byte) (any, error) {
	var in struct {
		Cluster                  string                 `json:"cluster"`
		TaskDefinition           string                 `json:"taskDefinition"`
		Count                    int                    `json:"count"`
		StartedBy                string                 `json:"startedBy"`
		Group                    string                 `json:"group"`
		LaunchType               string                 `json:"launchType"`
		CapacityProviderStrategy []capacityStrategyItem `json:"capacityProviderStrategy"`
		PlatformVersion          string                 `json:"platformVersion"`
		NetworkConfiguration     *struct {
			AwsvpcConfiguration *awsvpcConfig `json:"awsvpcConfiguration"`
		} `json:"networkConfiguration"`
		Overrides     json.RawMessage `json:"overrides"`
		Tags          []tag           `json:"tags"`
		PropagateTags string          `json:"propagateTags"`
		ClientToken   string          `json:"clientToken"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.TaskDefinition == "" {
		return nil, clientErr("InvalidParameterException", "taskDefinition can not be blank.")
	}
	if in.Count == 0 {
		in.Count = 1
	}
	switch {
	case in.Count < 1 || in.Count > 10:
		return nil, clientErr("InvalidParameterException", "count must be between 1 and 10.")
	case len(in.Group) > 255:
		return nil, clientErr("InvalidParameterException", "group must be at most 255 characters.")
	case in.LaunchType != "" && len(in.CapacityProviderStrategy) > 0:
		return nil, clientErr("InvalidParameterException", "Specifying both a launchType and capacityProviderStrategy is not supported.")
	}
	checks := runTaskChecks{StartedBy: in.StartedBy, ClientToken: in.ClientToken, PropagateTags: in.PropagateTags, Strategy: in.CapacityProviderStrategy}
	if n := in.NetworkConfiguration; n != nil && n.AwsvpcConfiguration != nil {
		checks.Subnets, checks.SecGroups = len(n.AwsvpcConfiguration.Subnets), len(n.AwsvpcConfiguration.SecurityGroups)
	}
	if err := checks.check(); err != nil {
		return nil, err
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.findCluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	params := canonicalWithout(body, "clientToken")
	tokenKey := c.arn + "/" + in.ClientToken
	if in.ClientToken != "" {
		if resp, err, ok := s.replay(tokenKey, params); ok {
			return resp, err
		}
	}
	td, err := s.resolveVisibleTaskDef(in.TaskDefinition)
	if err != nil {
		return nil, err
	}
	if td.status != "ACTIVE" {
		return nil, clientErr("ClientException", "TaskDefinition is inactive")
	}
	items := in.CapacityProviderStrategy
	if in.LaunchType == "" && len(items) == 0 && len(c.defaultStrategy) > 0 {
		// "If no capacityProviderStrategy or launchType is specified, the
		// defaultCapacityProviderStrategy for the cluster is used" (botocore
		// ecs RunTaskRequest.capacityProviderStrategy); ECS's refusal of one
		// without weight is quoted in terraform-aws-modules/terraform-aws-ecs#27.
		items = c.defaultStrategy
		if err := checkStrategyOf(items, "default capacity provider strategy", "cluster's default capacity provider strategy", true); err != nil {
			return nil, err
		}
	}
	var strategy []string
	for _, cp := range items {
		strategy = append(strategy, cp.CapacityProvider)
	}
	if err := checkCapacityProviders(c, strategy); err != nil {
		return nil, err
	}
	launch, provider := in.LaunchType, ""
	if len(items) > 0 {
		// A Fargate provider runs the task on Fargate, an Auto Scaling group
		// provider on the cluster's instances.
		provider, launch = s.chooseProvider(items), "EC2"
		if isFargateProvider(provider) {
			launch = "FARGATE"
		}
	}
	if launch == "" {
		launch = "EC2" // neither a launch type nor a strategy, and no default
	}
	var network *awsvpcConfig
	if in.NetworkConfiguration != nil {
		network = in.NetworkConfiguration.AwsvpcConfiguration
	}
	switch {
	case launch == "FARGATE" && !slices.Contains(td.compat, "FARGATE"):
		return nil, clientErr("ClientException", "Task definition does not support launch_type FARGATE.")
	case td.networkMode == "awsvpc" && (network == nil || len(network.Subnets) == 0):
		return nil, clientErr("InvalidParameterException", "Network Configuration must be provided when networkMode 'awsvpc' is specified.")
	case td.networkMode != "awsvpc" && network != nil:
		return nil, clientErr("InvalidParameterException", "Network Configuration is not valid for the given networkMode of this task definition.")
	case launch == "EC2" && in.PlatformVersion != "":
		// botocore ecs RunTaskRequest.platformVersion: "A platform version
		// is only specified for tasks hosted on Fargate."
		return nil, clientErr("InvalidParameterException", "The platform version must be null when specifying an EC2 launch type.")
	case launch == "EC2" && len(c.instances) == 0:
		return nil, clientErr("InvalidParameterException", "No Container Instances were found in your cluster.")
	}
	opts, err := parseRunOptions(body, td, launch)
	if err != nil {
		return nil, err
	}
	var ov taskOverrides
	if jsonChars(in.Overrides) > maxOverridesChars {
		return nil, clientErr("InvalidParameterException", "Container Overrides length must be at most %d", maxOverridesChars)
	}
	if len(in.Overrides) > 0 {
		if err := json.Unmarshal(in.Overrides, &ov); err != nil {
			return nil, clientErr("SerializationException", "overrides: %v", err)
		}
		for _, o := range ov.ContainerOverrides {
			if !slices.ContainsFunc(td.containers, func(c containerDef) bool { return c.Name == o.Name }) {
				return nil, clientErr("InvalidParameterException", "Override for container named %s is not a container in the TaskDefinition.", o.Name)
			}
		}
	}
	tags := slices.Clone(in.Tags)
	if in.PropagateTags == "TASK_DEFINITION" {
		tags = append(tags, td.tags...)
	}
	req := runRequest{
		cluster: c, taskDef: td, launchType: launch, capacityProvider: provider, startedBy: in.StartedBy,
		group: orDefault(in.Group, "family:"+td.family), network: network,
		platform: in.PlatformVersion, overrides: in.Overrides, tags: tags, opts: opts,
	}
	var started []*task
	var failures []map[string]string
	for i := 0; i < in.Count; i++ {
		if reason := s.placementFault(td.family); reason != "" {
			failures = append(failures, map[string]string{"arn": s.someInstance(c), "reason": reason})
			continue
		}
		t, reason := s.startTask(req)
		if reason != "" {
			failures = append(failures, map[string]string{"arn": s.someInstance(c), "reason": reason})
			continue
		}
		started = append(started, t)
	}
	resp := s.runTaskResponse(started, failures)
	if in.ClientToken != "" {
		s.record(tokenKey, params, resp, started)
	}
	return resp, nil
}

func (s *Server) runTaskResponse(tasks []*task, failures []map[string]string) map[string]any {
	out := make([]map[string]any, 0, len(tasks))
	for _, t := range tasks {
		out = append(out, s.taskJSON(t, false))
	}
	if failures == nil {
		failures = []map[string]string{}
	}
	return map[string]any{"tasks": out, "failures": failures}
}

// startTask places a task and starts its lifecycle. It returns a placement
// failure reason ("RESOURCE:MEMORY", "RESOURCE:CPU", "RESOURCE:PORTS")
// instead when no instance can host it.
func (s *Server) startTask(req runRequest) (*task, string) {
	td := req.taskDef
	instance := ""
	if req.launchType == "EC2" {
		candidates, reason := s.constrainedInstances(req.cluster, req.group, req.opts.placementConstraints())
		if reason != "" {
			return nil, reason
		}
		if instance, reason = s.placeOnInstance(req.cluster, candidates, td, req.overrides); instance == "" {
			return nil, reason
		}
	}
	id := fmt.Sprintf("%016x%016x", s.rng.Uint64(), s.rng.Uint64())
	now := time.Now()
	t := &task{
		arn:           s.arn("ecs", "task/"+req.cluster.name+"/"+id),
		id:            id,
		cluster:       req.cluster,
		td:            td,
		launchType:    req.launchType,
		startedBy:     req.startedBy,
		group:         req.group,
		instance:      instance,
		network:       req.network,
		platform:      req.platform,
		overrides:     req.overrides,
		tags:          req.tags,
		runTags:       req.tags,
		opts:          req.opts,
		createdAt:     now,
		visibleAt:     now.Add(ms(s.timing.MissingMS)),
		listJitter:    s.jitter(s.consistency.ListJitterMS),
		lastStatus:    "PROVISIONING",
		desiredStatus: "RUNNING",
		stopRequested: make(chan struct{}),
		done:          make(chan struct{}),
		placeholder:   req.placeholder,
		workloadSpec:  req.workload,
	}
	t.capacityProvider = req.capacityProvider
	if req.placeholder {
		// EB reports a deploy done only once its tasks run, so they are
		// visible and RUNNING from the start.
		t.visibleAt = now
		t.lastStatus, t.startedAt = "RUNNING", now
	} else {
		t.fault = s.taskFault(td.family)
	}
	if req.launchType == "FARGATE" && req.platform == "" {
		t.platform = "1.4.0"
	}
	var ov taskOverrides
	_ = json.Unmarshal(req.overrides, &ov)
	for _, def := range td.containers {
		for _, o := range ov.ContainerOverrides {
			if o.Name != def.Name {
				continue
			}
			if o.Command != nil {
				def.Command = o.Command
			}
			def.Environment = append(slices.Clone(def.Environment), o.Environment...)
		}
		tc := &taskContainer{
			def:        def,
			arn:        s.arn("ecs", fmt.Sprintf("container/%s/%s/%032x", req.cluster.name, id, s.nextID())),
			runtimeID:  s.newRuntimeID(req.launchType, id),
			lastStatus: "PENDING",
		}
		if lc := def.LogConfiguration; lc != nil && lc.LogDriver == "awslogs" {
			tc.logGroup = lc.Options["awslogs-group"]
			tc.logStream = awslogsStream(lc.Options["awslogs-stream-prefix"], def.Name, id, tc.runtimeID)
		}
		if req.placeholder {
			tc.lastStatus, tc.started = "RUNNING", true
		}
		t.containers = append(t.containers, tc)
	}
	s.tasks[t.arn] = t
	s.taskOrder = append(s.taskOrder, t)
	s.procs.Add(1)
	go s.runLifecycle(t)
	return t, ""
}

// canonicalWithout re-encodes a JSON object without one key, with sorted keys,
// so that two requests can be compared for equal parameters.
func canonicalWithout(body []byte, key string) string {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return string(body)
	}
	delete(m, key)
	b, _ := json.Marshal(m)
	return string(b)
}
