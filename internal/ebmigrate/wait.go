package ebmigrate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// watch waits for a migration task to stop, following its logs apart from
// its status, and classifies how it ended. A task that has not started
// RUNNING within in.StartTimeout of its creation, and whose start can be
// checked (start_proof.go) and provably did not happen, is stopped (it never
// ran, so stopping it is safe) and the wait fails saying so. One whose start
// cannot be checked is never stopped for it: the agent's report of a start
// is retried with a backoff of up to 30 s until it gets through, so no wait
// past task.start_timeout proves it never started. Once it is not shown
// started agentReportBackoff past the timeout, the apply says so, and waits
// on, bounded by its own timeouts.
func watch(ctx context.Context, c Clients, t *Target, d *Derived, taskArn string, attached bool, in MigrateInput, poll PollSchedule, log Logger) (*Result, error) {
	container := d.Input.ContainerDefinitions[0]
	taskID := taskArn[strings.LastIndex(taskArn, "/")+1:]
	loc, hasLogs := ContainerLogs(&container, taskID)
	var follower *logFollower
	stopFollowing := func() {}
	var stopped ecstypes.Task
	startTimeout := in.startTimeout()
	var neverStarted *StartTimeoutError
	loggedStart, saidUnchecked := false, false
	proofLoc, provable := startProvable(&container, taskID)
	last, err := pollTask(ctx, c.ECS, t.ClusterArn, taskArn, poll, log, func(task ecstypes.Task) bool {
		found := false
		if follower == nil && hasLogs {
			loc, found = loc.streamOf(task, aws.ToString(container.Name))
		}
		if follower == nil && found {
			follower = newLogFollower(c.Logs, loc, log, in.LogLines)
			follower.redact = newRedactor(t, in.Derive.Environment, CommandValues(in.Derive.Command)...)
			if in.CollectOutput {
				follower.collect = MaxCollectedLines
			}
			if in.ProveOutput {
				follower.proof = newOutputProof(MaxCollectedLines)
			}
			fctx, cancel := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { defer close(done); follower.follow(fctx, poll.Logs, poll.LogsQuiet) }()
			stopFollowing = func() { cancel(); <-done }
		}
		stopped = task
		status := aws.ToString(task.LastStatus)
		if status != "STOPPED" && task.StartedAt == nil && notStartedFor(task) > startTimeout && !loggedStart {
			// ECS shows a start when the agent's state change reaches it
			// (retried with a backoff of up to 30 s): a container whose
			// blocking awslogs stream exists has started, whatever
			// DescribeTasks says yet, and a started migration is never
			// stopped.
			if !provable {
				if !saidUnchecked && notStartedFor(task) > startTimeout+agentReportBackoff {
					saidUnchecked = true
					log.Info(fmt.Sprintf("the migration task is not shown started %s after task.start_timeout (%s), and whether it started cannot be checked (%s): it is waited for, not stopped, until the apply's own timeout; %s",
						agentReportBackoff, startTimeout, uncheckableStart(&container), stopByHand(t.ClusterArn, taskArn)), map[string]any{"task": taskArn, "last_status": status})
				}
				return false
			}
			exists, known := streamExists(ctx, c.Logs, proofLoc)
			if loggedStart = exists; exists {
				log.Info("the task is not shown started yet, but its container's log stream exists: it started, and is not stopped", map[string]any{"task": taskArn, "log_stream": proofLoc.Stream})
				return false
			}
			if !known {
				log.Info("could not check whether the task's log stream exists; checking again before stopping it", map[string]any{"task": taskArn, "log_stream": proofLoc.Stream})
				return false
			}
			neverStarted = &StartTimeoutError{Environment: t.EnvironmentName, TaskArn: taskArn, LastStatus: status, Timeout: startTimeout}
			return true
		}
		return status == "STOPPED"
	})
	stopFollowing()
	// Stopped at task.start_timeout by another apply waiting on it (it never
	// started): the same failure as this apply's own stop.
	if neverStarted == nil && err == nil && stopped.StartedAt == nil && strings.HasPrefix(aws.ToString(stopped.StoppedReason), startTimeoutPrefix) {
		return nil, &StartTimeoutError{Environment: t.EnvironmentName, TaskArn: taskArn, LastStatus: aws.ToString(stopped.LastStatus), Timeout: stoppedAfter(aws.ToString(stopped.StoppedReason), startTimeout), Stopped: true}
	}
	if neverStarted != nil {
		neverStarted.Stopped, neverStarted.StopErr = stopTask(c, t.ClusterArn, taskArn, startTimeoutReason(startTimeout))
		return nil, neverStarted
	}
	if err != nil {
		if ctx.Err() == nil {
			return nil, err
		}
		ie := &InterruptedError{Environment: t.EnvironmentName, TaskArn: taskArn, LastStatus: last, Cause: ctx.Err()}
		if in.StopOnTimeout && ie.TimedOut() {
			ie.Stopped = stopTimedOut(c, t, taskArn, log)
		}
		if !provable && !ie.Stopped && stopped.StartedAt == nil && notStartedFor(stopped) > startTimeout {
			ie.Unchecked = uncheckableStart(&container) + "; " + stopByHand(t.ClusterArn, taskArn)
		}
		return nil, ie
	}
	r, err := finish(ctx, t, d, stopped, loc, follower, in, poll)
	if r != nil {
		r.Attached = attached
		if follower != nil {
			r.RawOutput = follower.all
			r.redact = follower.redact
			r.LogTail = follower.tail
		}
	}
	return r, err
}

// agentReportBackoff is the ECS agent's longest backoff between attempts
// to submit a state change (amazon-ecs-agent agent/eventhandler
// task_handler.go, submitStateBackoffMax): how long past task.start_timeout
// an apply waits before it says that a task whose start it cannot check is
// still not shown started.
const agentReportBackoff = 30 * time.Second

// notStartedFor is how long a task has existed without starting.
func notStartedFor(task ecstypes.Task) time.Duration {
	if task.CreatedAt == nil {
		return 0
	}
	return time.Since(*task.CreatedAt)
}

// stopTask stops a task with a context of its own (the caller's may be
// done). It is idempotent: StopTask deletes the task's tags ("Any tags
// associated with the task will be deleted", botocore ecs StopTask), so a
// second StopTask of a task (two applies timing out on one stuck task, or
// one attached to a task its starter stopped) may be denied by a policy that
// allows StopTask only on tasks with the run tag; a task already asked to
// stop, or stopped, is not a failure.
func stopTask(c Clients, cluster, taskArn, reason string) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := c.ECS.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String(cluster), Task: aws.String(taskArn), Reason: aws.String(reason)})
	if err == nil {
		return true, nil
	}
	out, derr := c.ECS.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: []string{taskArn}})
	if derr == nil && len(out.Tasks) == 1 && (aws.ToString(out.Tasks[0].DesiredStatus) == "STOPPED" || aws.ToString(out.Tasks[0].LastStatus) == "STOPPED") {
		return true, nil
	}
	return false, err
}

// startTimeoutPrefix begins the stop reason of a task stopped because it
// did not start within task.start_timeout.
const startTimeoutPrefix = "ebmigrate: the task did not start within task.start_timeout"

func startTimeoutReason(d time.Duration) string {
	return fmt.Sprintf("%s (%s)", startTimeoutPrefix, d)
}

// stoppedAfter is the start timeout a stop reason of startTimeoutReason
// names (the one the stopping apply judged by), else d.
func stoppedAfter(reason string, d time.Duration) time.Duration {
	inner, ok := strings.CutPrefix(reason, startTimeoutPrefix+" (")
	if got, err := time.ParseDuration(strings.TrimSuffix(inner, ")")); ok && err == nil && got > 0 {
		return got
	}
	return d
}

// StartTimeoutError is a migration task that never reached RUNNING within
// task.start_timeout; it was stopped.
type StartTimeoutError struct {
	Environment string
	TaskArn     string
	LastStatus  string
	Timeout     time.Duration
	Stopped     bool
	StopErr     error
}

func (e *StartTimeoutError) Error() string {
	stopped := "it was stopped (it never ran, so stopping it is safe)"
	if !e.Stopped {
		stopped = fmt.Sprintf("stopping it failed (%v); stop it in the ECS console", e.StopErr)
	}
	return fmt.Sprintf("migration task %s of environment %q did not start within task.start_timeout (%s): it was still %s, and %s. Look at the cluster's capacity and the task's image pull (CannotPullContainerError, no container instance with room), or raise task.start_timeout; the next apply runs the migration again",
		e.TaskArn, e.Environment, e.Timeout, orNone(e.LastStatus), stopped)
}

// stopTimedOut stops a task whose wait timed out (stopTask: idempotent).
func stopTimedOut(c Clients, t *Target, taskArn string, log Logger) bool {
	stopped, err := stopTask(c, t.ClusterArn, taskArn, "ebmigrate: the apply timed out (task.stop_on_timeout)")
	if err != nil {
		log.Info("stopping the timed-out migration task failed", map[string]any{"task": taskArn, "error": err.Error()})
	}
	return stopped
}

func finish(ctx context.Context, t *Target, d *Derived, task ecstypes.Task, loc LogLocation, follower *logFollower, in MigrateInput, poll PollSchedule) (*Result, error) {
	container := aws.ToString(d.Input.ContainerDefinitions[0].Name)
	o := Classify(task, container)
	fargate := task.LaunchType == ecstypes.LaunchTypeFargate
	nonBlockingMode := nonBlocking(&d.Input.ContainerDefinitions[0])
	var proven bool
	var window time.Duration
	var logErr error
	if follower != nil {
		// The outcome waits for these reads: they go before waiting polls.
		end := logEnd{poll: poll, fargate: fargate && !flushedBeforeStop(task, poll.LogFlush), needProof: o.Success() && follower.proof != nil}
		proven, window, logErr = follower.finish(urgent(ctx), task, end)
	}
	r := &Result{
		EnvironmentID:     t.EnvironmentID,
		ClusterArn:        t.ClusterArn,
		SourceTaskDefArn:  aws.ToString(t.SourceTaskDefinition.TaskDefinitionArn),
		TaskDefinitionArn: aws.ToString(task.TaskDefinitionArn),
		TaskArn:           aws.ToString(task.TaskArn),
		Container:         container,
		Image:             d.Image,
		StoppedReason:     o.StoppedReason,
		StartedAt:         aws.ToTime(task.StartedAt),
		StoppedAt:         aws.ToTime(task.StoppedAt),
		Logs:              loc,
		Outcome:           o,
		LogsComplete:      proven && (follower == nil || !follower.truncated),
	}
	switch {
	case logErr != nil:
		r.LogsProblem = logErr.Error()
	case follower != nil && !proven:
		r.LogsProblem = fmt.Sprintf("the end of the log cannot be proven: it was read until %s after the stop", window.Round(100*time.Millisecond))
	}
	if o.ExitCode != nil {
		r.ExitCode = *o.ExitCode
	}
	r.LogsNote = logsNote(follower, loc, proven, window, logErr, fargate, nonBlockingMode)
	if o.Success() {
		return r, nil
	}
	me := &MigrationError{Environment: t.EnvironmentName, Cluster: t.ClusterArn, TaskArn: r.TaskArn, Container: container, Outcome: o, LogsNote: r.LogsNote, Query: in.Query}
	if follower != nil {
		me.LogLines = follower.tail
	}
	return r, me
}

// logsNote says why a run's last log lines are missing, or what could not
// be proven of them ("" when they are proven whole), for a failure and a
// success alike.
func logsNote(follower *logFollower, loc LogLocation, proven bool, window time.Duration, logErr error, fargate, nonBlockingMode bool) string {
	if follower == nil {
		return noLogsNote(loc)
	}
	switch {
	case follower.lines == 0 && logErr != nil:
		return fmt.Sprintf("Could not read the log (group %s, stream %s): %v", loc.Group, loc.Stream, logErr)
	case proven && follower.lines == 0:
		return fmt.Sprintf("The container printed nothing to CloudWatch Logs (group %s, stream %s).", loc.Group, loc.Stream)
	case proven, follower.keep == 0 && logErr == nil:
		// Whole, or no line is kept to be incomplete.
		return ""
	case logErr != nil:
		return fmt.Sprintf("The log may be incomplete: its tail could not be read (group %s, stream %s): %v", loc.Group, loc.Stream, logErr)
	}
	return unprovenNote(loc, follower.lines, window, fargate, nonBlockingMode)
}

// streamExists tells whether a log stream exists: a blocking awslogs
// driver creates a container's stream before the container starts
// (start_proof.go). known is false
// when the read failed otherwise than with ResourceNotFoundException
// (throttled, denied, no answer): whether it started is not known, and the
// caller asks again at its next poll rather than take it for not started.
func streamExists(ctx context.Context, api Logs, loc LogLocation) (exists, known bool) {
	_, err := api.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{
		LogGroupName: aws.String(loc.Group), LogStreamName: aws.String(loc.Stream), Limit: aws.Int32(1), StartFromHead: aws.Bool(true),
	})
	var nf *logtypes.ResourceNotFoundException
	switch {
	case err == nil:
		return true, true
	case errors.As(err, &nf):
		return false, true
	}
	return false, false
}
