package ebmigrate

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// watch waits for a migration task to stop, following its logs, and
// classifies how it ended.
func watch(ctx context.Context, c Clients, t *Target, d *Derived, taskArn string, attached bool, in MigrateInput, poll PollSchedule, log Logger) (*Result, error) {
	container := d.Input.ContainerDefinitions[0]
	taskID := taskArn[strings.LastIndex(taskArn, "/")+1:]
	loc, hasLogs := ContainerLogs(&container, taskID)
	var follower *logFollower
	if hasLogs {
		follower = newLogFollower(c.Logs, loc, log, in.LogLines)
		if in.CollectOutput {
			follower.collect = MaxCollectedLines
		}
	}
	var stopped ecstypes.Task
	last, err := pollTask(ctx, c.ECS, t.ClusterArn, taskArn, poll, log, func(task ecstypes.Task) bool {
		if follower != nil {
			if _, err := follower.poll(ctx); err != nil && ctx.Err() == nil {
				log.Info("reading the migration's log failed; will try again", map[string]any{"error": err.Error()})
			}
		}
		stopped = task
		return aws.ToString(task.LastStatus) == "STOPPED"
	})
	if err != nil {
		if ctx.Err() == nil {
			return nil, err
		}
		ie := &InterruptedError{Environment: t.EnvironmentName, TaskArn: taskArn, LastStatus: last, Cause: ctx.Err()}
		if in.StopOnTimeout && ie.TimedOut() {
			ie.Stopped = stopTimedOut(c, t, taskArn, log)
		}
		return nil, ie
	}
	r, err := finish(ctx, t, d, stopped, loc, follower)
	if r != nil {
		r.Attached = attached
		if follower != nil {
			r.Output = follower.all
		}
	}
	return r, err
}

// stopTimedOut stops a task whose wait timed out; ctx is done, so it gets a
// short context of its own.
func stopTimedOut(c Clients, t *Target, taskArn string, log Logger) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := c.ECS.StopTask(ctx, &ecs.StopTaskInput{
		Cluster: aws.String(t.ClusterArn), Task: aws.String(taskArn),
		Reason: aws.String("ebmigrate: the apply timed out (stop_on_timeout)"),
	})
	if err != nil {
		log.Info("stopping the timed-out migration task failed", map[string]any{"task": taskArn, "error": err.Error()})
		return false
	}
	return true
}

func finish(ctx context.Context, t *Target, d *Derived, task ecstypes.Task, loc LogLocation, follower *logFollower) (*Result, error) {
	container := aws.ToString(d.Input.ContainerDefinitions[0].Name)
	if follower != nil {
		_ = follower.drain(ctx, 1000)
	}
	o := Classify(task, container)
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
	}
	if o.ExitCode != nil {
		r.ExitCode = *o.ExitCode
	}
	if o.Success() {
		return r, nil
	}
	me := &MigrationError{Environment: t.EnvironmentName, Cluster: t.ClusterArn, TaskArn: r.TaskArn, Container: container, Outcome: o}
	if follower != nil {
		me.LogLines = follower.tail
		if len(me.LogLines) == 0 {
			me.LogsNote = fmt.Sprintf("The container printed nothing to CloudWatch Logs (group %s, stream %s).", loc.Group, loc.Stream)
		}
	} else {
		me.LogsNote = "No log lines can be shown: the migration container has no awslogs log configuration with an awslogs-stream-prefix. Give the app container an awslogs configuration to see its output here."
	}
	return r, me
}
