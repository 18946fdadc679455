package ebmigrate

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// The guard keeps migrations of one environment from running at once. Every
// migration task of an environment has the same startedBy, and a run tag.
// Before starting, a run waits for the environment's migration tasks that
// have not stopped (or attaches to one of its own run). After starting, it
// looks again: when two runs started at about the same time, the task created
// first goes on and the other is stopped before it gets to run, since ECS
// lists a task well before it has pulled its image and started.

// migrationTask is a not-yet-stopped migration task of the environment.
type migrationTask struct {
	arn       string
	run       string
	createdAt int64
	status    string
}

// activeMigrations lists the environment's migration tasks that have not stopped, oldest first.
func activeMigrations(ctx context.Context, api ECS, t *Target, startedBy string) ([]migrationTask, error) {
	var arns []string
	var next *string
	for {
		out, err := api.ListTasks(ctx, &ecs.ListTasksInput{
			Cluster:       aws.String(t.ClusterArn),
			StartedBy:     aws.String(startedBy),
			DesiredStatus: ecstypes.DesiredStatusRunning,
			NextToken:     next,
		})
		if err != nil {
			return nil, fmt.Errorf("listing migration tasks of environment %q: %w", t.EnvironmentName, err)
		}
		arns = append(arns, out.TaskArns...)
		if next = out.NextToken; next == nil {
			break
		}
	}
	var tasks []migrationTask
	for len(arns) > 0 {
		batch := arns[:min(len(arns), 100)]
		arns = arns[len(batch):]
		out, err := api.DescribeTasks(ctx, &ecs.DescribeTasksInput{
			Cluster: aws.String(t.ClusterArn), Tasks: batch, Include: []ecstypes.TaskField{ecstypes.TaskFieldTags},
		})
		if err != nil {
			return nil, fmt.Errorf("describing migration tasks of environment %q: %w", t.EnvironmentName, err)
		}
		for _, task := range out.Tasks {
			if aws.ToString(task.LastStatus) == "STOPPED" || aws.ToString(task.DesiredStatus) == "STOPPED" {
				continue
			}
			mt := migrationTask{arn: aws.ToString(task.TaskArn), createdAt: aws.ToTime(task.CreatedAt).UnixNano(), status: aws.ToString(task.LastStatus)}
			for _, tg := range task.Tags {
				if aws.ToString(tg.Key) == TagRun {
					mt.run = aws.ToString(tg.Value)
				}
			}
			tasks = append(tasks, mt)
		}
	}
	sort.Slice(tasks, func(i, j int) bool {
		if tasks[i].createdAt != tasks[j].createdAt {
			return tasks[i].createdAt < tasks[j].createdAt
		}
		return tasks[i].arn < tasks[j].arn
	})
	return tasks, nil
}

// firstStarted waits until ECS shows our new task, then returns the
// environment's oldest migration task that has not stopped: ours, or one that
// another run started before it.
func firstStarted(ctx context.Context, c Clients, t *Target, ours, startedBy string, poll PollSchedule) (migrationTask, error) {
	if _, err := pollTask(ctx, c.ECS, t.ClusterArn, ours, poll, NopLogger, func(ecstypes.Task) bool { return true }); err != nil {
		return migrationTask{}, err
	}
	active, err := activeMigrations(ctx, c.ECS, t, startedBy)
	if err != nil {
		return migrationTask{}, err
	}
	for _, mt := range active {
		if mt.arn == ours {
			return active[0], nil
		}
	}
	// Ours stopped already (it failed to start, or ran that fast): it went first.
	return migrationTask{arn: ours}, nil
}
