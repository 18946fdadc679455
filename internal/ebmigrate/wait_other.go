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
// this apply first seeing it) never will, when its container's blocking
// log stream provably does not exist: it is stopped (it never ran, so that
// is safe) instead of blocking this run. One whose start cannot be checked
// (its definition's awslogs mode not blocking, which another build's
// definition without a mode is not: start_proof.go; no awslogs stream
// prefix; a read that failed) is waited for, and not stopped: it may be
// running its migration.
func waitOther(ctx context.Context, c Clients, t *Target, other migrationTask, container string, startTimeout time.Duration, poll PollSchedule, log Logger) error {
	log.Info("another migration of the environment is running; waiting for it to finish", map[string]any{"task": other.arn, "status": other.status})
	var stopErr error
	stopped, said, seen := false, false, time.Now()
	why := "its task definition could not be read"
	last, err := pollTask(ctx, c.ECS, t.ClusterArn, other.arn, poll, NopLogger, func(task ecstypes.Task) bool {
		if !stopped && aws.ToString(task.LastStatus) != "STOPPED" && task.StartedAt == nil && notStartedFor(task) > startTimeout && time.Since(seen) > startTimeout {
			loc, named, reason := otherTaskLogs(ctx, c.ECS, task, container)
			if reason != "" {
				why = reason
			}
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
					if named {
						why = "its log stream could not be read"
					}
					log.Info(fmt.Sprintf("the other migration task is not shown started within task.start_timeout (%s), and whether it started cannot be checked (%s); waiting for it rather than stopping it; %s", startTimeout, why, stopByHand(t.ClusterArn, other.arn)),
						map[string]any{"task": other.arn, "last_status": aws.ToString(task.LastStatus)})
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
			ie := &InterruptedError{Environment: t.EnvironmentName, Waiting: "for migration task " + other.arn + ", which runs without the migration lock, to finish (ours was not started)", LastStatus: last, Cause: ctx.Err()}
			if said && last != "RUNNING" {
				ie.Unchecked = why + "; " + stopByHand(t.ClusterArn, other.arn)
			}
			return ie
		}
		return err
	}
	return nil
}

// otherTaskLogs is the log stream that shows whether the container of a
// task started without the lock started, from its task definition; false,
// and why, when its start cannot be checked before ECS shows it
// (startProvable; the definition unreadable).
func otherTaskLogs(ctx context.Context, api ECS, task ecstypes.Task, container string) (LogLocation, bool, string) {
	out, err := api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: task.TaskDefinitionArn})
	if err != nil || out.TaskDefinition == nil {
		return LogLocation{}, false, ""
	}
	defs := out.TaskDefinition.ContainerDefinitions
	i := slices.IndexFunc(defs, func(c ecstypes.ContainerDefinition) bool { return aws.ToString(c.Name) == container })
	if i < 0 {
		return LogLocation{}, false, fmt.Sprintf("its task definition has no container %q", container)
	}
	loc, ok := startProvable(&defs[i], taskIDOf(aws.ToString(task.TaskArn)))
	if !ok {
		return LogLocation{}, false, uncheckableStart(&defs[i])
	}
	return loc, true, ""
}
