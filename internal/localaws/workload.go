package localaws

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// An environment's web tasks serving: a seeded workload command, run as a
// process per web task in place of the app's server, that reads and writes
// the app's database as the deployed version's code does and prints a line
// per query. localaws counts its successes and failures per task, so that a
// test can show that a release kept (or did not keep) both versions working
// while it was migrated and deployed.
//
// Elastic Beanstalk passes the environment properties to the application as
// environment variables (Elastic Beanstalk Developer Guide, "Environment
// properties and other software settings"): the workload gets them, with
// its image's environment and its container definition's.

// WorkloadSeed is what an environment's web tasks run.
type WorkloadSeed struct {
	// Container is the container of EB's task definition that runs it ("":
	// the first one); it runs in the directory of that container's image
	// in the version the task runs.
	Container string `json:"container"`
	// Command is the process, argv.
	Command []string `json:"command"`
}

// The workload's protocol: a line that starts with WorkloadOK counts a query
// that succeeded, one that starts with WorkloadFailed one that failed (the
// rest of the line says why). Other lines are only logged.
const (
	WorkloadOK     = "WORKLOAD OK"
	WorkloadFailed = "WORKLOAD FAILED"
)

// MaxWorkloadFailures is how many failure lines a workload keeps, each cut
// at maxWorkloadFailureBytes.
const (
	MaxWorkloadFailures     = 20
	maxWorkloadFailureBytes = 300
)

// WorkloadInfo is one web task's workload as the stats report it.
type WorkloadInfo struct {
	TaskArn      string     `json:"task_arn"`
	Environment  string     `json:"environment"`
	VersionLabel string     `json:"version_label"`
	StartedAt    time.Time  `json:"started_at"`
	StoppedAt    *time.Time `json:"stopped_at,omitempty"`
	OK           int        `json:"ok"`
	Failed       int        `json:"failed"`
	FirstOKAt    *time.Time `json:"first_ok_at,omitempty"`
	LastOKAt     *time.Time `json:"last_ok_at,omitempty"`
	// Failures are the first MaxWorkloadFailures failures: the workload's
	// lines, or that it did not start or exited while its task ran.
	Failures []string `json:"failures"`
	ExitCode *int     `json:"exit_code,omitempty"`
}

// workloadSpec is what a deploy gives its web tasks to run.
type workloadSpec struct {
	seed       WorkloadSeed
	env        string
	version    string
	properties map[string]string
	secretRefs map[string]string
}

type workloadRun struct{ WorkloadInfo }

func (w *workloadRun) fail(why string) {
	w.Failed++
	if len(w.Failures) < MaxWorkloadFailures {
		if len(why) > maxWorkloadFailureBytes {
			why = why[:maxWorkloadFailureBytes]
		}
		w.Failures = append(w.Failures, why)
	}
}

// workloadFor is what a deploy of label makes an environment's web tasks run.
func (e *environment) workloadFor(label string) *workloadSpec {
	if e.workload == nil || len(e.workload.Command) == 0 {
		return nil
	}
	return &workloadSpec{seed: *e.workload, env: e.name, version: label, properties: copyMap(e.properties), secretRefs: copyMap(e.secretRefs)}
}

// startWorkload starts the workload of a web task in the launch of its
// container; a workload that cannot start is a failure of it, and its
// container stays a placeholder. Called with s.mu held.
func (s *Server) startWorkload(t *task, launches []*launch) {
	spec := t.workloadSpec
	w := &workloadRun{WorkloadInfo: WorkloadInfo{TaskArn: t.arn, Environment: spec.env, VersionLabel: spec.version, StartedAt: time.Now(), Failures: []string{}}}
	s.workloads = append(s.workloads, w)
	i := slices.IndexFunc(launches, func(l *launch) bool { return spec.seed.Container == "" || l.c.def.Name == spec.seed.Container })
	if i < 0 {
		w.fail(fmt.Sprintf("the workload did not start: the task has no container %q", spec.seed.Container))
		return
	}
	l := launches[i]
	img, ok := s.images[l.c.def.Image]
	if !ok || img.Dir == "" {
		w.fail(fmt.Sprintf("the workload did not start: image %s has no directory in the seed", l.c.def.Image))
		return
	}
	env := map[string]string{}
	for k, v := range img.Env {
		env[k] = v
	}
	for _, e := range l.c.def.Environment {
		env[e.Name] = e.Value
	}
	for k, v := range spec.properties {
		env[k] = v
	}
	for k, arn := range spec.secretRefs {
		v, ok := s.secrets[arn]
		if !ok {
			w.fail(fmt.Sprintf("the workload did not start: secret %s of %s does not exist", arn, k))
			return
		}
		env[k] = v
	}
	if _, ok := env["PATH"]; !ok {
		env["PATH"] = os.Getenv("PATH")
	}
	path, err := lookPath(spec.seed.Command[0], env["PATH"], img.Dir)
	if err != nil {
		w.fail(fmt.Sprintf("the workload did not start: %s: %v", spec.seed.Command[0], err))
		return
	}
	cmd := exec.Command(path, spec.seed.Command[1:]...)
	cmd.Dir = img.Dir
	for _, k := range sortedKeys(env) {
		cmd.Env = append(cmd.Env, k+"="+env[k])
	}
	setProcAttrs(cmd)
	stdout, err1 := cmd.StdoutPipe()
	stderr, err2 := cmd.StderrPipe()
	if err := errors.Join(err1, err2, cmd.Start()); err != nil {
		w.fail("the workload did not start: " + err.Error())
		return
	}
	l.cmd, l.pipes, l.workload = cmd, []io.Reader{stdout, stderr}, w
}

// workloadLine counts one line the workload printed.
func (s *Server) workloadLine(w *workloadRun, line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case strings.HasPrefix(line, WorkloadOK):
		now := time.Now()
		w.OK++
		if w.FirstOKAt == nil {
			w.FirstOKAt = &now
		}
		w.LastOKAt = &now
	case strings.HasPrefix(line, WorkloadFailed):
		w.fail(strings.TrimSpace(strings.TrimPrefix(line, WorkloadFailed)))
	}
}

// workloadExit records the end of the workload's process: a failure unless
// its task was being stopped (a deploy replacing it, StopTask, Close).
func (s *Server) workloadExit(t *task, w *workloadRun, code int) {
	stopping := false
	select {
	case <-t.stopRequested:
		stopping = true
	default:
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	w.StoppedAt, w.ExitCode = &now, &code
	if !stopping {
		w.fail(fmt.Sprintf("the workload exited with code %d while its task ran", code))
	}
}

// Workloads are the web tasks' workloads so far, in the order they started.
func (s *Server) Workloads() []WorkloadInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.workloadsLocked()
}

func (s *Server) workloadsLocked() []WorkloadInfo {
	out := make([]WorkloadInfo, 0, len(s.workloads))
	for _, w := range s.workloads {
		wi := w.WorkloadInfo
		wi.Failures = slices.Clone(w.Failures)
		out = append(out, wi)
	}
	return out
}
