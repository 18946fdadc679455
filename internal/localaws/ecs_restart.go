package localaws

import (
	"slices"
	"time"
)

// restartContainer restarts an exited container in its task, as the ECS
// agent does for a container with a restart policy (botocore ecs
// ContainerRestartPolicy: "Amazon ECS can restart the container if it
// exits, without needing to replace the task"; for essential and
// non-essential containers alike, ECS developer guide "Restart individual
// containers in Amazon ECS tasks with container restart policies"). The
// agent's rule (amazon-ecs-agent ecs-agent/api/container/restart
// restart_tracker.go ShouldRestart): the policy is enabled, the task is not
// being stopped, the exit code is not ignored (exit code 0 included, unless
// listed), and the container ran at least restartAttemptPeriod (300 s
// unset) since it last started. It reports whether it restarted it.
func (s *Server) restartContainer(t *task, l *launch, ex containerExit, exits chan<- containerExit) bool {
	p := l.c.def.RestartPolicy
	if p == nil || !p.Enabled || l.cmd == nil || slices.Contains(p.IgnoredExitCodes, ex.code) {
		return false
	}
	period := 300
	if p.RestartAttemptPeriod != nil {
		period = *p.RestartAttemptPeriod
	}
	if time.Since(l.startedAt) < time.Duration(period)*ms(s.timing.RestartSecondMS) {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.desiredStatus == "STOPPED" || l.command() != nil {
		return false
	}
	l.startedAt = time.Now()
	if l.cmd.Start() != nil {
		return false
	}
	if l.c.logGroup != "" {
		// Docker starts the container's log driver with each start, on the
		// same stream.
		l.c.driver = s.startDriver(l.c, t.launchType == "FARGATE")
	}
	go s.pump(t, ex.idx, l, exits)
	return true
}
