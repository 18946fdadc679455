package localaws

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ECS tasks: RunTask, DescribeTasks, ListTasks, StopTask. The lifecycle of a
// started task (and its processes) is in runner.go.

type task struct {
	arn, id    string
	cluster    *cluster
	td         *taskDef
	launchType string
	startedBy  string
	group      string
	instance   string // container instance ARN, "" on Fargate
	network    *awsvpcConfig
	platform   string
	overrides  json.RawMessage
	tags       []tag
	containers []*taskContainer
	fault      *Fault
	// placeholder: no container runs a process (EB's web tasks).
	placeholder bool

	createdAt, startedAt, stoppingAt, stoppedAt time.Time
	visibleAt                                   time.Time
	lastStatus, desiredStatus                   string
	stopCode, stoppedReason                     string

	stopRequested chan struct{} // closed by StopTask or Close
	killNow       bool          // Close: no grace period
	done          chan struct{} // closed when STOPPED
}

type taskContainer struct {
	def        containerDef
	arn        string
	runtimeID  string
	lastStatus string
	exitCode   *int
	reason     string
	logGroup   string
	logStream  string
}

type awsvpcConfig struct {
	Subnets        []string `json:"subnets"`
	SecurityGroups []string `json:"securityGroups"`
	AssignPublicIP string   `json:"assignPublicIp"`
}

type containerOverride struct {
	Name              string   `json:"name"`
	Command           []string `json:"command"`
	Environment       []kv     `json:"environment"`
	Memory            *int     `json:"memory"`
	MemoryReservation *int     `json:"memoryReservation"`
}

type taskOverrides struct {
	ContainerOverrides []containerOverride `json:"containerOverrides"`
}

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
	// placeholder runs no process: EB's own web tasks, which only need to
	// hold their instance and host ports.
	placeholder bool
}

type clientTokenRecord struct {
	params string
	tasks  []*task
}

// kill stops the task's processes at once; used when the server closes.
func (t *task) kill() {
	t.killNow = true
	t.requestStop()
}

func (t *task) requestStop() {
	select {
	case <-t.stopRequested:
	default:
		close(t.stopRequested)
	}
}

func (t *task) stopped() bool { return t.lastStatus == "STOPPED" }

func (s *Server) ecsRunTask(body []byte) (any, error) {
	var in struct {
		Cluster                  string `json:"cluster"`
		TaskDefinition           string `json:"taskDefinition"`
		Count                    int    `json:"count"`
		StartedBy                string `json:"startedBy"`
		Group                    string `json:"group"`
		LaunchType               string `json:"launchType"`
		CapacityProviderStrategy []struct {
			CapacityProvider string `json:"capacityProvider"`
		} `json:"capacityProviderStrategy"`
		PlatformVersion      string `json:"platformVersion"`
		NetworkConfiguration *struct {
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
	case len(in.StartedBy) > 128:
		return nil, clientErr("InvalidParameterException", "startedBy must be at most 128 characters.")
	case len(in.Group) > 255:
		return nil, clientErr("InvalidParameterException", "group must be at most 255 characters.")
	case len(in.ClientToken) > 64:
		return nil, clientErr("InvalidParameterException", "clientToken must be at most 64 characters.")
	case in.LaunchType != "" && len(in.CapacityProviderStrategy) > 0:
		return nil, clientErr("InvalidParameterException", "Specifying both a launchType and capacityProviderStrategy is not supported.")
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
	if in.ClientToken != "" {
		if rec, ok := s.tokens[c.arn+"/"+in.ClientToken]; ok {
			if rec.params != params {
				return nil, clientErr("ConflictException", "The clientToken %s was already used with different parameters.", in.ClientToken)
			}
			return s.runTaskResponse(rec.tasks, nil), nil
		}
	}
	td, err := s.resolveTaskDef(in.TaskDefinition)
	if err != nil {
		return nil, err
	}
	if td.status != "ACTIVE" {
		return nil, clientErr("ClientException", "TaskDefinition is inactive")
	}
	launch := in.LaunchType
	for _, cp := range in.CapacityProviderStrategy {
		if strings.HasPrefix(cp.CapacityProvider, "FARGATE") {
			launch = "FARGATE"
		}
	}
	if launch == "" {
		launch = "EC2"
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
	case launch == "EC2" && len(c.instances) == 0:
		return nil, clientErr("InvalidParameterException", "No Container Instances were found in your cluster.")
	}
	var ov taskOverrides
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
		cluster: c, taskDef: td, launchType: launch, startedBy: in.StartedBy,
		group: orDefault(in.Group, "family:"+td.family), network: network,
		platform: in.PlatformVersion, overrides: in.Overrides, tags: tags,
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
	if in.ClientToken != "" && len(started) > 0 {
		s.tokens[c.arn+"/"+in.ClientToken] = &clientTokenRecord{params: params, tasks: started}
	}
	return s.runTaskResponse(started, failures), nil
}

func (s *Server) someInstance(c *cluster) string {
	if len(c.instances) > 0 {
		return c.instances[0]
	}
	return c.arn
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
// failure reason ("RESOURCE:PORTS") instead when no instance can host it.
func (s *Server) startTask(req runRequest) (*task, string) {
	td := req.taskDef
	instance := ""
	if req.launchType == "EC2" {
		instance = s.placeOnInstance(req.cluster, td)
		if instance == "" {
			return nil, "RESOURCE:PORTS"
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
		createdAt:     now,
		visibleAt:     now.Add(ms(s.timing.MissingMS)),
		lastStatus:    "PROVISIONING",
		desiredStatus: "RUNNING",
		stopRequested: make(chan struct{}),
		done:          make(chan struct{}),
		placeholder:   req.placeholder,
	}
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
			runtimeID:  id + "-" + fmt.Sprint(s.nextID()),
			lastStatus: "PENDING",
		}
		if lc := def.LogConfiguration; lc != nil && lc.LogDriver == "awslogs" {
			tc.logGroup = lc.Options["awslogs-group"]
			tc.logStream = tc.runtimeID
			if p := lc.Options["awslogs-stream-prefix"]; p != "" {
				tc.logStream = p + "/" + def.Name + "/" + id
			}
		}
		if req.placeholder {
			tc.lastStatus = "RUNNING"
		}
		t.containers = append(t.containers, tc)
	}
	s.tasks[t.arn] = t
	s.taskOrder = append(s.taskOrder, t)
	s.procs.Add(1)
	go s.runLifecycle(t)
	return t, ""
}

// placeOnInstance picks the container instance with the fewest tasks whose
// static host ports are free, or "" when there is none.
func (s *Server) placeOnInstance(c *cluster, td *taskDef) string {
	var want []int
	if td.networkMode == "bridge" || td.networkMode == "host" {
		for _, cd := range td.containers {
			for _, p := range cd.PortMappings {
				hp := p.HostPort
				if td.networkMode == "host" && hp == 0 {
					hp = p.ContainerPort
				}
				if hp != 0 {
					want = append(want, hp)
				}
			}
		}
	}
	best, bestCount := "", -1
	for _, inst := range c.instances {
		count, clash := 0, false
		for _, t := range s.taskOrder {
			// A task being stopped gives up its ports, as EB's deploys assume.
			if t.instance != inst || t.stopped() || t.desiredStatus == "STOPPED" {
				continue
			}
			count++
			for _, cd := range t.td.containers {
				for _, p := range cd.PortMappings {
					if (p.HostPort != 0 && slices.Contains(want, p.HostPort)) ||
						(t.td.networkMode == "host" && slices.Contains(want, p.ContainerPort)) {
						clash = true
					}
				}
			}
		}
		if !clash && (bestCount < 0 || count < bestCount) {
			best, bestCount = inst, count
		}
	}
	return best
}

func (s *Server) taskJSON(t *task, withTags bool) map[string]any {
	containers := make([]map[string]any, 0, len(t.containers))
	for _, c := range t.containers {
		cj := map[string]any{
			"containerArn": c.arn,
			"taskArn":      t.arn,
			"name":         c.def.Name,
			"image":        c.def.Image,
			"lastStatus":   c.lastStatus,
			"runtimeId":    c.runtimeID,
		}
		if c.exitCode != nil {
			cj["exitCode"] = *c.exitCode
		}
		if c.reason != "" {
			cj["reason"] = c.reason
		}
		containers = append(containers, cj)
	}
	out := map[string]any{
		"taskArn":           t.arn,
		"clusterArn":        t.cluster.arn,
		"taskDefinitionArn": t.td.arn,
		"lastStatus":        t.lastStatus,
		"desiredStatus":     t.desiredStatus,
		"launchType":        t.launchType,
		"group":             t.group,
		"containers":        containers,
		"createdAt":         epoch(t.createdAt),
		"version":           1,
		"overrides":         json.RawMessage(orDefault(string(t.overrides), `{"containerOverrides":[]}`)),
	}
	if t.startedBy != "" {
		out["startedBy"] = t.startedBy
	}
	if t.instance != "" {
		out["containerInstanceArn"] = t.instance
	}
	if t.platform != "" {
		out["platformVersion"] = t.platform
	}
	if t.network != nil {
		out["attachments"] = []map[string]any{{
			"type": "ElasticNetworkInterface", "status": "ATTACHED",
			"details": []kv{{Name: "subnetId", Value: t.network.Subnets[0]}},
		}}
	}
	for k, v := range map[string]time.Time{"startedAt": t.startedAt, "stoppingAt": t.stoppingAt, "stoppedAt": t.stoppedAt, "executionStoppedAt": t.stoppedAt} {
		if p := epochPtr(v); p != nil {
			out[k] = p
		}
	}
	if t.stopCode != "" {
		out["stopCode"] = t.stopCode
	}
	if t.stoppedReason != "" {
		out["stoppedReason"] = t.stoppedReason
	}
	if withTags {
		out["tags"] = nonNilTags(t.tags)
	}
	return out
}

// findTask resolves a task ARN or id within a cluster, or nil.
func (s *Server) findTask(c *cluster, ref string) *task {
	if t := s.tasks[ref]; t != nil && t.cluster == c {
		return t
	}
	for _, t := range s.taskOrder {
		if t.cluster == c && t.id == ref {
			return t
		}
	}
	return nil
}

func (s *Server) ecsDescribeTasks(body []byte) (any, error) {
	var in struct {
		Cluster string   `json:"cluster"`
		Tasks   []string `json:"tasks"`
		Include []string `json:"include"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if len(in.Tasks) == 0 || len(in.Tasks) > 100 {
		return nil, clientErr("InvalidParameterException", "Tasks cannot be empty and can name at most 100 tasks.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.findCluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tasks := []map[string]any{}
	failures := []map[string]string{}
	for _, ref := range in.Tasks {
		t := s.findTask(c, ref)
		if t == nil || now.Before(t.visibleAt) {
			failures = append(failures, map[string]string{"arn": ref, "reason": "MISSING"})
			continue
		}
		tasks = append(tasks, s.taskJSON(t, slices.Contains(in.Include, "TAGS")))
	}
	return map[string]any{"tasks": tasks, "failures": failures}, nil
}

func (s *Server) ecsListTasks(body []byte) (any, error) {
	var in struct {
		Cluster           string `json:"cluster"`
		Family            string `json:"family"`
		StartedBy         string `json:"startedBy"`
		ServiceName       string `json:"serviceName"`
		ContainerInstance string `json:"containerInstance"`
		DesiredStatus     string `json:"desiredStatus"`
		LaunchType        string `json:"launchType"`
		page
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.StartedBy != "" && (in.Family != "" || in.ServiceName != "" || in.ContainerInstance != "") {
		return nil, clientErr("InvalidParameterException", "When you specify startedBy as the filter, it must be the only filter parameter.")
	}
	desired := orDefault(in.DesiredStatus, "RUNNING")
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.findCluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	var arns []string
	for _, t := range s.taskOrder {
		switch {
		case t.cluster != c, now.Before(t.visibleAt),
			t.desiredStatus != desired,
			in.Family != "" && t.td.family != in.Family,
			in.StartedBy != "" && t.startedBy != in.StartedBy,
			in.ContainerInstance != "" && t.instance != in.ContainerInstance,
			in.LaunchType != "" && t.launchType != in.LaunchType:
			continue
		}
		arns = append(arns, t.arn)
	}
	items, next, err := in.apply(arns, 100)
	if err != nil {
		return nil, err
	}
	return map[string]any{"taskArns": items, "nextToken": next}, nil
}

func (s *Server) ecsStopTask(body []byte) (any, error) {
	var in struct {
		Cluster string `json:"cluster"`
		Task    string `json:"task"`
		Reason  string `json:"reason"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if len(in.Reason) > 255 {
		return nil, clientErr("InvalidParameterException", "reason must be at most 255 characters.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.findCluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	t := s.findTask(c, in.Task)
	if t == nil {
		return nil, clientErr("InvalidParameterException", "The referenced task was not found.")
	}
	s.stopTask(t, "UserInitiated", orDefault(in.Reason, "Task stopped by user"))
	return map[string]any{"task": s.taskJSON(t, false)}, nil
}

// stopTask asks a task to stop, as StopTask does: desired STOPPED, SIGTERM,
// SIGKILL after the grace period.
func (s *Server) stopTask(t *task, code, reason string) {
	if t.stopped() || t.desiredStatus == "STOPPED" {
		return
	}
	t.desiredStatus = "STOPPED"
	t.stopCode = code
	t.stoppedReason = reason
	t.requestStop()
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
