package localaws

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Stats is what localaws observed: calls per operation ("ecs:RunTask") and
// every task it started, EB's own web tasks included.
type Stats struct {
	Calls map[string]int `json:"calls"`
	// Throttled counts the calls of each operation that got a throttling
	// error from an account quota (see quotas.go); they are in Calls too.
	Throttled map[string]int `json:"throttled"`
	Tasks     []TaskInfo     `json:"tasks"`
	// Workloads are the web tasks' workloads (workload.go), in the order
	// they started.
	Workloads []WorkloadInfo `json:"workloads"`
}

// TaskInfo is one task as the stats report it.
type TaskInfo struct {
	TaskArn           string     `json:"task_arn"`
	Cluster           string     `json:"cluster"`
	TaskDefinitionArn string     `json:"task_definition_arn"`
	Family            string     `json:"family"`
	Group             string     `json:"group"`
	StartedBy         string     `json:"started_by"`
	LaunchType        string     `json:"launch_type"`
	Subnets           []string   `json:"subnets,omitempty"`
	SecurityGroups    []string   `json:"security_groups,omitempty"`
	AssignPublicIP    string     `json:"assign_public_ip,omitempty"`
	LastStatus        string     `json:"last_status"`
	StopCode          string     `json:"stop_code,omitempty"`
	StoppedReason     string     `json:"stopped_reason,omitempty"`
	CreatedAt         time.Time  `json:"created_at"`
	StartedAt         *time.Time `json:"started_at,omitempty"`
	StoppedAt         *time.Time `json:"stopped_at,omitempty"`
	// ProcessStartedAt and ProcessStoppedAt are when the task's processes
	// really ran: DescribeTasks shows the start late (Timing.StartReportLagMS).
	ProcessStartedAt *time.Time      `json:"process_started_at,omitempty"`
	ProcessStoppedAt *time.Time      `json:"process_stopped_at,omitempty"`
	Containers       []ContainerInfo `json:"containers"`
	// RunTags are the tags RunTask gave the task (StopTask deletes a task's
	// tags; these stay).
	RunTags map[string]string `json:"run_tags,omitempty"`
	// ContainerInstance and EC2InstanceID are where an EC2 task was placed.
	ContainerInstance string `json:"container_instance,omitempty"`
	EC2InstanceID     string `json:"ec2_instance_id,omitempty"`
	// The RunTask options (ecs_runtask_options.go): DescribeTasks returns
	// enableExecuteCommand, and no placement fields.
	EnableExecuteCommand bool                      `json:"enable_execute_command"`
	PlacementConstraints []PlacementConstraintInfo `json:"placement_constraints,omitempty"`
	PlacementStrategy    []PlacementStrategyInfo   `json:"placement_strategy,omitempty"`
}

// ContainerInfo is one container of a task in the stats.
type ContainerInfo struct {
	Name     string `json:"name"`
	Image    string `json:"image"`
	ExitCode *int   `json:"exit_code,omitempty"`
	Reason   string `json:"reason,omitempty"`
	// RuntimeID is the container's runtimeId; LogStream its awslogs stream.
	RuntimeID string `json:"runtime_id,omitempty"`
	LogStream string `json:"log_stream,omitempty"`
}

// Stats returns a snapshot of the calls and tasks so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Calls: make(map[string]int, len(s.calls)), Throttled: s.throttledCopy(), Tasks: []TaskInfo{}}
	for k, v := range s.calls {
		st.Calls[k] = v
	}
	for _, t := range s.taskOrder {
		ti := TaskInfo{
			TaskArn: t.arn, Cluster: t.cluster.name, TaskDefinitionArn: t.td.arn, Family: t.td.family,
			Group: t.group, StartedBy: t.startedBy, LaunchType: t.launchType, LastStatus: t.lastStatus,
			StopCode: t.stopCode, StoppedReason: t.stoppedReason, CreatedAt: t.createdAt,
			StartedAt: timePtr(t.startedAt), StoppedAt: timePtr(t.stoppedAt),
			ProcessStartedAt: timePtr(t.procStartedAt), ProcessStoppedAt: timePtr(t.procStoppedAt),
			RunTags: tagMap(t.runTags),
		}
		ti.EnableExecuteCommand, ti.PlacementConstraints, ti.PlacementStrategy = t.opts.executeCommand, t.opts.constraints, t.opts.strategy
		if i := slices.Index(t.cluster.instances, t.instance); i >= 0 {
			ti.ContainerInstance, ti.EC2InstanceID = t.instance, t.cluster.ec2InstanceID(i)
		}
		if t.network != nil {
			ti.Subnets, ti.SecurityGroups, ti.AssignPublicIP = t.network.Subnets, t.network.SecurityGroups, t.network.AssignPublicIP
		}
		if !t.stopped() {
			// The stop code and reason of a task still stopping are not final.
			ti.StopCode, ti.StoppedReason = "", ""
		}
		for _, c := range t.containers {
			ti.Containers = append(ti.Containers, ContainerInfo{Name: c.def.Name, Image: c.def.Image, ExitCode: c.exitCode, Reason: c.reason,
				RuntimeID: c.runtimeID, LogStream: c.logStream})
		}
		st.Tasks = append(st.Tasks, ti)
	}
	st.Workloads = s.workloadsLocked()
	return st
}

// Calls is how many calls of op ("ecs:RunTask") localaws has served since the
// start or the last ResetStats, faulted ones included.
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// ResetStats sets the call counters to zero; tasks stay.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
	if s.quotas != nil {
		s.quotas.throttled = map[string]int{}
	}
}

// WaitTasksStopped waits until every task that is not EB's own has stopped,
// or the timeout passes; it reports whether they all stopped.
func (s *Server) WaitTasksStopped(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		s.mu.Lock()
		busy := false
		for _, t := range s.taskOrder {
			if t.startedBy != "elasticbeanstalk" && !t.stopped() {
				busy = true
			}
		}
		s.mu.Unlock()
		if !busy {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// OperationsBy lists, sorted, the operations that clients with an app id
// (app/<id> in the User-Agent, as aws-sdk-go-v2 sends it) have called.
func (s *Server) OperationsBy(app string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sortedKeys(s.byApp[app])
}

// appID is the app/<id> token of a User-Agent.
func appID(userAgent string) string {
	for _, f := range strings.Fields(userAgent) {
		if id, ok := strings.CutPrefix(f, "app/"); ok {
			return id
		}
	}
	return ""
}

// TaskDefinitionStatus is a revision's status as ECS holds it (ACTIVE,
// INACTIVE, DELETE_IN_PROGRESS), "" for one that never existed: what no ECS
// call shows of an INACTIVE revision nothing runs (ListTaskDefinitions and
// DescribeTaskDefinition show INACTIVE revisions only while a task or
// service references them), for tests that must see every revision left.
func (s *Server) TaskDefinitionStatus(arn string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, j := strings.LastIndex(arn, "task-definition/"), strings.LastIndex(arn, ":")
	if i < 0 || j < i {
		return ""
	}
	f := s.families[arn[i+len("task-definition/"):j]]
	rev, err := strconv.Atoi(arn[j+1:])
	if f == nil || err != nil || rev < 1 || rev > len(f.revisions) {
		return ""
	}
	return f.revisions[rev-1].status
}
