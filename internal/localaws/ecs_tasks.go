package localaws

import (
	"encoding/json"
	"slices"
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
	runTags    []tag // the tags RunTask gave it, for the stats
	opts       runOptions
	containers []*taskContainer
	fault      *Fault
	// placeholder: no container runs a process (EB's web tasks), unless
	// workloadSpec makes one run the environment's workload.
	placeholder  bool
	workloadSpec *workloadSpec
	// capacityProvider placed it ("" with a launch type).
	capacityProvider string

	createdAt, startedAt, stoppingAt, stoppedAt time.Time
	visibleAt                                   time.Time
	// listJitter is this task's own share of the list lag (consistency.go).
	listJitter time.Duration
	// procStartedAt is when its processes really started; startReportAt
	// when DescribeTasks shows that (runner.go, the late start report).
	// procStoppedAt is when they really ended.
	procStartedAt, procStoppedAt, startReportAt time.Time
	lastStatus, desiredStatus                   string
	// prevDesired and desiredChangedAt let ListTasks lag a change of the
	// desired status (consistency.go).
	prevDesired             string
	desiredChangedAt        time.Time
	stopCode, stoppedReason string

	stopRequested chan struct{} // closed by StopTask or Close
	killNow       bool          // Close: no grace period
	done          chan struct{} // closed when STOPPED

	// executionStoppedAt is when the task's containers had all exited.
	executionStoppedAt time.Time
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

	// started: the container runtime started it (runtimeIDShown).
	started bool
	// output is what it printed (TaskOutput).
	output []string
	// driver is its awslogs driver while it runs (logs_driver.go).
	driver *awslogsDriver
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
	Cpu               *int     `json:"cpu"`
}

type taskOverrides struct {
	ContainerOverrides []containerOverride `json:"containerOverrides"`
	Cpu                string              `json:"cpu"`
	Memory             string              `json:"memory"`
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

func (s *Server) taskJSON(t *task, withTags bool) map[string]any {
	containers := make([]map[string]any, 0, len(t.containers))
	for _, c := range t.containers {
		cj := map[string]any{
			"containerArn": c.arn,
			"taskArn":      t.arn,
			"name":         c.def.Name,
			"image":        c.def.Image,
			"lastStatus":   c.lastStatus,
		}
		if c.runtimeIDShown() {
			cj["runtimeId"] = c.runtimeID
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
		// botocore ecs Task.enableExecuteCommand: whether ECS Exec is on.
		"enableExecuteCommand": t.opts.executeCommand,
	}
	if t.capacityProvider != "" {
		out["capacityProviderName"] = t.capacityProvider
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
	for k, v := range map[string]time.Time{"startedAt": t.startedAt, "stoppingAt": t.stoppingAt, "stoppedAt": t.stoppedAt, "executionStoppedAt": t.executionStoppedAt} {
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
		if t == nil || now.Before(t.visibleAt) || s.forgotten(t, now) {
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
	// "When you specify startedBy as the filter, it must be the only filter
	// that you use" (botocore ecs ListTasksRequest.startedBy).
	if in.StartedBy != "" && (in.Family != "" || in.ServiceName != "" || in.ContainerInstance != "" || in.DesiredStatus != "" || in.LaunchType != "") {
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
		case t.cluster != c, now.Before(s.listedAt(t)), s.forgotten(t, now),
			s.listedDesired(t, now) != desired,
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
	t.setDesired("STOPPED")
	t.stopCode = code
	t.stoppedReason = reason
	// "Any tags associated with the task will be deleted" (botocore ecs StopTask).
	t.tags = nil
	t.requestStop()
}
