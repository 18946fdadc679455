package localaws

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The lifecycle of a task: PROVISIONING -> PENDING -> RUNNING ->
// DEPROVISIONING -> STOPPED, with its containers run as local processes.

// launch is a container ready to start: a process, or a placeholder (no argv)
// that runs until the task stops.
type launch struct {
	c    *taskContainer
	argv []string
	dir  string
	env  []string
	// path is argv[0] found; cmd runs it.
	path string
	cmd  *exec.Cmd
	// pipes are the process's stdout and stderr.
	pipes []io.Reader
	// startedAt is when the process last started (a restart policy's
	// period counts from it).
	startedAt time.Time
	// workload counts its lines, for a web task's workload (workload.go).
	workload *workloadRun
}

type containerExit struct {
	idx  int
	code int
}

func (s *Server) runLifecycle(t *task) {
	defer s.procs.Done()
	defer close(t.done)

	if t.placeholder {
		launches := make([]*launch, len(t.containers))
		for i, c := range t.containers {
			launches[i] = &launch{c: c}
		}
		if t.workloadSpec != nil {
			s.mu.Lock()
			s.startWorkload(t, launches)
			s.mu.Unlock()
		}
		s.finish(t, s.supervise(t, launches))
		return
	}
	if !s.waitPhase(t, ms(s.timing.ProvisioningMS)) {
		s.finish(t, nil)
		return
	}
	s.setStatus(t, "PENDING")
	pending := ms(s.timing.PendingMS)
	if f := t.fault; f != nil {
		switch f.Task {
		case "slow_start":
			pending += ms(f.DurationMS)
		case "never_start":
			pending = 365 * 24 * time.Hour
		}
	}
	if !s.waitPhase(t, pending) {
		s.finish(t, nil)
		return
	}

	s.mu.Lock()
	launches, failure := s.prepare(t)
	if failure == "" {
		failure = startAll(launches)
	}
	if failure != "" {
		t.stopCode, t.stoppedReason = "TaskFailedToStart", failure
		t.setDesired("STOPPED")
		s.mu.Unlock()
		s.finish(t, nil)
		return
	}
	// The processes run from now, their output flows to the log drivers,
	// but ECS shows it only once the agent's state change reaches it
	// (reportStarted).
	t.procStartedAt = time.Now()
	t.startReportAt = t.procStartedAt.Add(ms(s.timing.StartReportLagMS) + s.jitter(s.timing.StartReportJitterMS))
	for _, l := range launches {
		if l.c.logGroup != "" && l.cmd != nil {
			l.c.driver = s.startDriver(l.c, t.launchType == "FARGATE")
		}
	}
	s.mu.Unlock()
	reported := make(chan struct{})
	go func() {
		defer close(reported)
		select {
		case <-time.After(time.Until(t.startReportAt)):
			s.reportStarted(t)
		case <-t.stopRequested:
		}
	}()

	codes := s.supervise(t, launches)
	<-reported
	s.finish(t, codes)
}

// reportStarted shows a started task as RUNNING, its containers with their
// runtimeId, as the agent's state change does when ECS gets it: the ECS
// agent batches container state changes until the next task state change
// (or a 20 s drain) and retries their submission with a backoff of 1 s up
// to 30 s (amazon-ecs-agent agent/eventhandler/task_handler.go:
// drainEventsFrequency, submitStateBackoffMin/Max). Until then DescribeTasks
// shows the task PENDING, with no startedAt, while its processes run.
func (s *Server) reportStarted(t *task) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !t.startedAt.IsZero() || t.procStartedAt.IsZero() {
		return
	}
	if t.lastStatus == "PENDING" {
		t.lastStatus = "RUNNING"
	}
	t.startedAt = time.Now()
	for _, c := range t.containers {
		if c.lastStatus == "PENDING" {
			c.lastStatus = "RUNNING"
		}
		c.started = true
	}
}

// waitPhase waits d, or until the task is asked to stop (false).
func (s *Server) waitPhase(t *task, d time.Duration) bool {
	select {
	case <-time.After(d):
		return true
	case <-t.stopRequested:
		return false
	}
}

func (s *Server) setStatus(t *task, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t.lastStatus = status
}

// prepare resolves what each container needs to start; a non-empty result is
// the reason the task failed to start, in ECS's words.
func (s *Server) prepare(t *task) ([]*launch, string) {
	var out []*launch
	for _, c := range t.containers {
		def := c.def
		img, ok := s.images[def.Image]
		if !ok || (t.fault != nil && t.fault.Task == "pull_error") {
			reason := fmt.Sprintf("CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref %s: not found", def.Image)
			c.lastStatus, c.reason = "STOPPED", reason
			return nil, reason
		}
		if reason := s.registryAuthProblem(t, def, img); reason != "" {
			c.lastStatus, c.reason = "STOPPED", reason
			return nil, reason
		}
		env := map[string]string{"AWS_EXECUTION_ENV": "AWS_ECS_" + t.launchType, "ECS_CONTAINER_METADATA_URI_V4": "http://169.254.170.2/v4/" + c.runtimeID}
		for k, v := range img.Env {
			env[k] = v
		}
		for _, e := range def.Environment {
			env[e.Name] = e.Value
		}
		for _, sec := range def.Secrets {
			v, ok := s.secrets[sec.ValueFrom]
			if !ok {
				reason := fmt.Sprintf("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret %s from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.", sec.ValueFrom)
				c.lastStatus, c.reason = "STOPPED", reason
				return nil, reason
			}
			env[sec.Name] = v
		}
		if _, ok := env["PATH"]; !ok {
			env["PATH"] = os.Getenv("PATH")
		}
		if c.logGroup != "" && blockingMode(c.def.LogConfiguration) {
			// Blocking mode: the stream before the start, or no start
			// (logs_mode.go; non-blocking creates it after the start).
			lg := s.logGroups[c.logGroup]
			if lg == nil && c.def.LogConfiguration.Options["awslogs-create-group"] == "true" {
				lg = s.ensureLogGroup(c.logGroup)
			}
			if lg == nil {
				reason := fmt.Sprintf("ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. (group %s)", c.logGroup)
				c.lastStatus, c.reason = "STOPPED", reason
				return nil, reason
			}
			lg.stream(c.logStream)
		}
		dir := img.Dir
		if def.WorkingDirectory != "" && dir != "" {
			if st, err := os.Stat(filepath.Join(dir, def.WorkingDirectory)); err == nil && st.IsDir() {
				dir = filepath.Join(dir, def.WorkingDirectory)
			}
		}
		argv := append(append([]string{}, def.EntryPoint...), def.Command...)
		if len(argv) == 0 {
			argv = img.Command
		}
		if t.placeholder {
			argv = nil
		}
		l := &launch{c: c, argv: argv, dir: dir}
		for _, k := range sortedKeys(env) {
			l.env = append(l.env, k+"="+env[k])
		}
		if len(argv) > 0 {
			path, err := lookPath(argv[0], env["PATH"], dir)
			if err != nil {
				reason := fmt.Sprintf("CannotStartContainerError: Error response from daemon: failed to create task for container: exec: %q: %v", argv[0], err)
				c.lastStatus, c.reason = "STOPPED", reason
				return nil, reason
			}
			l.path = path
			if err := l.command(); err != nil {
				c.lastStatus, c.reason = "STOPPED", "CannotStartContainerError: "+err.Error()
				return nil, c.reason
			}
		}
		out = append(out, l)
	}
	return out, ""
}

// command makes the process to start, with its output on pipes.
func (l *launch) command() error {
	l.cmd = exec.Command(l.path, l.argv[1:]...)
	l.cmd.Dir = l.dir
	l.cmd.Env = l.env
	setProcAttrs(l.cmd)
	stdout, err1 := l.cmd.StdoutPipe()
	stderr, err2 := l.cmd.StderrPipe()
	l.pipes = []io.Reader{stdout, stderr}
	return errors.Join(err1, err2)
}

// lookPath finds a program as a container would: a name with a slash is a
// path (relative to the working directory), anything else is looked up in the
// task's own PATH.
func lookPath(name, pathEnv, dir string) (string, error) {
	check := func(p string) bool {
		st, err := os.Stat(p)
		return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
	}
	if strings.Contains(name, "/") {
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if check(p) {
			return p, nil
		}
		return "", errors.New("no such file or directory, or not executable")
	}
	for _, d := range filepath.SplitList(pathEnv) {
		if d != "" && check(filepath.Join(d, name)) {
			return filepath.Join(d, name), nil
		}
	}
	return "", errors.New("executable file not found in $PATH")
}

// startAll starts every process; on a failure it kills the ones started.
func startAll(launches []*launch) string {
	for i, l := range launches {
		if l.cmd == nil {
			continue
		}
		l.startedAt = time.Now()
		if err := l.cmd.Start(); err != nil {
			for _, prev := range launches[:i] {
				if prev.cmd != nil && prev.cmd.Process != nil {
					signalProc(prev.cmd.Process, syscall.SIGKILL)
					_ = prev.cmd.Wait()
				}
			}
			reason := fmt.Sprintf("CannotStartContainerError: Error response from daemon: failed to create task for container: %v", err)
			l.c.lastStatus, l.c.reason = "STOPPED", reason
			return reason
		}
	}
	return ""
}

// supervise runs until the task ends: an essential container exits, the task
// is stopped, or a memory kill fault fires. It returns each container's exit code.
func (s *Server) supervise(t *task, launches []*launch) []int {
	codes := make([]int, len(launches))
	exits := make(chan containerExit, len(launches))
	running := 0
	for i, l := range launches {
		if l.cmd == nil {
			continue
		}
		running++
		go s.pump(t, i, l, exits)
	}
	exited := make([]bool, len(launches))
	var oom <-chan time.Time
	if t.fault != nil && t.fault.Task == "oom" {
		oom = time.After(ms(t.fault.DurationMS))
	}
	oomKilled := -1
	stopping := false
	stopReq := t.stopRequested
	var killAfter <-chan time.Time
	terminate := func(sig syscall.Signal) {
		for i, l := range launches {
			if l.cmd != nil && !exited[i] {
				signalProc(l.cmd.Process, sig)
			}
		}
	}
	for !stopping || running > 0 {
		select {
		case ex := <-exits:
			if !stopping && s.restartContainer(t, launches[ex.idx], ex, exits) {
				continue
			}
			exited[ex.idx] = true
			codes[ex.idx] = ex.code
			running--
			if launches[ex.idx].c.def.essential() && !stopping {
				stopping = true
				terminate(syscall.SIGTERM)
				killAfter = time.After(ms(s.timing.StopGraceMS))
			}
		case <-stopReq:
			stopReq = nil
			stopping = true
			if t.killNow {
				terminate(syscall.SIGKILL)
			} else {
				terminate(syscall.SIGTERM)
				killAfter = time.After(ms(s.timing.StopGraceMS))
			}
		case <-oom:
			oom = nil
			for i, l := range launches {
				if l.c.def.essential() && !exited[i] {
					oomKilled = i
					if l.cmd != nil {
						signalProc(l.cmd.Process, syscall.SIGKILL)
					}
					break
				}
			}
			if oomKilled >= 0 && launches[oomKilled].cmd == nil {
				exited[oomKilled], codes[oomKilled] = true, 137
			}
			stopping = true
			killAfter = time.After(ms(s.timing.StopGraceMS))
			terminate(syscall.SIGTERM)
		case <-killAfter:
			killAfter = nil
			terminate(syscall.SIGKILL)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, l := range launches {
		if l.cmd == nil && !exited[i] {
			codes[i] = 143 // a placeholder stops on SIGTERM
			if t.killNow {
				codes[i] = 137
			}
		}
		if i == oomKilled {
			codes[i] = 137
			l.c.reason = "OutOfMemoryError: Container killed due to memory usage"
		}
	}
	if t.stopCode == "" {
		t.stopCode, t.stoppedReason = "EssentialContainerExited", "Essential container in task exited"
	}
	return codes
}

// pump copies a process's output lines to its log stream as they come, then
// reports its exit.
func (s *Server) pump(t *task, idx int, l *launch, exits chan<- containerExit) {
	var wg sync.WaitGroup
	for _, r := range l.pipes {
		wg.Add(1)
		go func(r io.Reader) {
			defer wg.Done()
			br := bufio.NewReaderSize(r, 64<<10)
			for {
				line, err := br.ReadString('\n')
				if line != "" {
					s.recordOutput(l.c, strings.TrimRight(line, "\r\n"))
					if l.c.driver != nil {
						text, whole := strings.CutSuffix(line, "\n")
						if whole && l.c.def.PseudoTerminal {
							// A terminal's output processing (termios ONLCR,
							// on by default) writes each "\n" as "\r\n", and
							// Docker cuts lines at "\n" only (moby
							// daemon/logger/copier.go).
							text += "\r"
						}
						l.c.driver.log(text)
					}
					if l.workload != nil {
						s.workloadLine(l.workload, strings.TrimRight(line, "\r\n"))
					}
				}
				if err != nil {
					return
				}
			}
		}(r)
	}
	wg.Wait()
	if l.c.driver != nil {
		l.c.driver.close()
	}
	err := l.cmd.Wait()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = exitCodeOf(ee.ProcessState)
	} else if err != nil {
		code = 1
	}
	if l.workload != nil {
		s.workloadExit(t, l.workload, code)
	}
	exits <- containerExit{idx: idx, code: code}
}

// finish moves the task through DEPROVISIONING to STOPPED, recording exit codes.
func (s *Server) finish(t *task, codes []int) {
	s.mu.Lock()
	if !t.procStartedAt.IsZero() {
		t.procStoppedAt = time.Now()
	}
	wait := time.Until(t.startReportAt)
	s.mu.Unlock()
	// Processes that ended before ECS showed their start: the agent reports
	// the start, then the stop (its events are sent in order).
	if !t.procStartedAt.IsZero() && wait > 0 && !t.killNow {
		time.Sleep(wait)
	}
	s.reportStarted(t)
	s.mu.Lock()
	now := time.Now()
	t.executionStoppedAt = now
	t.lastStatus = "DEPROVISIONING"
	t.setDesired("STOPPED")
	t.stoppingAt = now
	if t.stopCode == "" {
		// Stopped before it started (StopTask or Close while pending).
		t.stopCode, t.stoppedReason = "UserInitiated", "Task stopped before it started"
	}
	for i, c := range t.containers {
		c.lastStatus = "STOPPED"
		if codes != nil && i < len(codes) {
			code := codes[i]
			c.exitCode = &code
		}
	}
	killNow := t.killNow
	s.mu.Unlock()
	if !killNow {
		time.Sleep(ms(s.timing.DeprovisioningMS))
	}
	s.mu.Lock()
	t.lastStatus = "STOPPED"
	t.stoppedAt = time.Now()
	s.mu.Unlock()
}
