package ebmigrate

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// waitOther waits for a migration task that runs without the lock to stop.
// A task that has not started within startTimeout of its creation (and of
// this apply first seeing it) never will, when its container's log stream
// provably does not exist: it is stopped (it never ran, so that is safe)
// instead of blocking this run. One whose start cannot be checked (no
// awslogs stream prefix in its task definition, a read that failed) is
// waited for, and not stopped: it may be running its migration.
func waitOther(ctx context.Context, c Clients, t *Target, other migrationTask, container string, startTimeout time.Duration, poll PollSchedule, log Logger) error {
	log.Info("another migration of the environment is running; waiting for it to finish", map[string]any{"task": other.arn, "status": other.status})
	var stopErr error
	stopped, said, seen := false, false, time.Now()
	last, err := pollTask(ctx, c.ECS, t.ClusterArn, other.arn, poll, NopLogger, func(task ecstypes.Task) bool {
		if !stopped && aws.ToString(task.LastStatus) != "STOPPED" && task.StartedAt == nil && notStartedFor(task) > startTimeout && time.Since(seen) > startTimeout {
			loc, named := otherTaskLogs(ctx, c.ECS, task, container)
			exists, known := false, false
			if named {
				exists, known = streamExists(ctx, c.Logs, loc)
			}
			switch {
			case exists:
				stopped = true // started: waited for to its end
				log.Info("the other migration task is not shown started yet, but its log stream exists: it started, and is waited for", map[string]any{"task": other.arn})
			case !known:
				if !said {
					said = true
					log.Info("the other migration task is not shown started within task.start_timeout, and whether it started cannot be checked (no awslogs stream prefix, or the read failed); waiting for it rather than stopping it", map[string]any{"task": other.arn})
				}
			default:
				log.Info("the other migration task never started within task.start_timeout, and its log stream does not exist; stopping it", map[string]any{"task": other.arn})
				stopped = true
				if _, stopErr = stopTask(c, t.ClusterArn, other.arn, startTimeoutReason(startTimeout)); stopErr != nil {
					return true
				}
			}
		}
		return aws.ToString(task.LastStatus) == "STOPPED"
	})
	if stopErr != nil {
		return fmt.Errorf("stopping migration task %s, which did not start within task.start_timeout (%s): %w", other.arn, startTimeout, stopErr)
	}
	if err != nil {
		if ctx.Err() != nil {
			return &InterruptedError{Environment: t.EnvironmentName, Waiting: "for migration task " + other.arn + ", which runs without the migration lock, to finish (ours was not started)", LastStatus: last, Cause: ctx.Err()}
		}
		return err
	}
	return nil
}

// otherTaskLogs is where the container of a task started without the lock
// logs, from its task definition; false when that cannot be told before ECS
// shows the start (no awslogs stream prefix, the definition unreadable).
func otherTaskLogs(ctx context.Context, api ECS, task ecstypes.Task, container string) (LogLocation, bool) {
	out, err := api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: task.TaskDefinitionArn})
	if err != nil || out.TaskDefinition == nil {
		return LogLocation{}, false
	}
	defs := out.TaskDefinition.ContainerDefinitions
	i := slices.IndexFunc(defs, func(c ecstypes.ContainerDefinition) bool { return aws.ToString(c.Name) == container })
	if i < 0 {
		return LogLocation{}, false
	}
	loc, ok := ContainerLogs(&defs[i], taskIDOf(aws.ToString(task.TaskArn)))
	return loc, ok && !loc.ByRuntimeID
}
