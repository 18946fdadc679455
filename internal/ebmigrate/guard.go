package ebmigrate

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// The run protocol's reads of ECS by startedBy (protocol.go): every
// migration task of an environment has the same startedBy, and a run tag.
// They find a task of the same run to attach to, and a migration that runs
// without the lock (an older provider version's); the lock, not these
// reads, keeps two migrations of a lock key from running at once, since
// ListTasks is eventually consistent and lists new tasks in no promised
// order. Tasks are ordered by AWS's createdAt and task ARN, never by the
// local clock.

// migrationTask is a not-yet-stopped migration task of the environment.
type migrationTask struct {
	arn       string
	run       string
	createdAt time.Time
	started   bool
	status    string
	// stopping: asked to stop (desired STOPPED); it may still run for the
	// stop grace, but it is not a task to attach to.
	stopping bool
}

// activeMigrations lists the environment's migration tasks that have not
// stopped, oldest first by createdAt. A task asked to stop but not stopped
// yet still counts: its container may still be running.
func activeMigrations(ctx context.Context, api ECS, t *Target, startedBy string) ([]migrationTask, error) {
	arns, err := listStartedBy(ctx, api, t, startedBy)
	if err != nil {
		return nil, err
	}
	return describeActive(ctx, api, t, startedBy, arns)
}

// listStartedBy lists the environment's migration tasks whose desired status
// is RUNNING: startedBy "must be the only filter" (ListTasks), and the
// default desired status is RUNNING.
func listStartedBy(ctx context.Context, api ECS, t *Target, startedBy string) ([]string, error) {
	arns, err := listTasks(ctx, api, &ecs.ListTasksInput{Cluster: aws.String(t.ClusterArn), StartedBy: aws.String(startedBy)})
	if err != nil {
		return nil, fmt.Errorf("listing migration tasks of environment %q: %w", t.EnvironmentName, err)
	}
	return arns, nil
}

// describeActive completes activeMigrations from the tasks listed by
// startedBy (arns): it adds the tasks asked to stop and describes them all.
func describeActive(ctx context.Context, api ECS, t *Target, startedBy string, arns []string) ([]migrationTask, error) {
	// A task asked to stop leaves the RUNNING list while its container may
	// still run (ECS's stop grace is 30 s): look among the migration
	// families' tasks whose desired status is STOPPED too. startedBy "must
	// be the only filter", so the scan goes family by family.
	// A query's tasks and a migration's never wait for each other (their
	// startedBy differ, and tasks of the other are passed over below), so
	// only the families of the same kind are scanned.
	families := []string{QueryFamily(t.EnvironmentName)}
	if startedBy != QueryStartedBy(t.EnvironmentID) {
		var err error
		if families, err = migrationFamilies(ctx, api, t.EnvironmentName); err != nil {
			return nil, err
		}
	}
	for _, family := range families {
		stopping, err := listTasks(ctx, api, &ecs.ListTasksInput{Cluster: aws.String(t.ClusterArn), Family: aws.String(family), DesiredStatus: ecstypes.DesiredStatusStopped})
		if err != nil {
			return nil, fmt.Errorf("listing stopping migration tasks of environment %q: %w", t.EnvironmentName, err)
		}
		for _, arn := range stopping {
			if !slices.Contains(arns, arn) {
				arns = append(arns, arn)
			}
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
			if aws.ToString(task.LastStatus) == "STOPPED" || aws.ToString(task.StartedBy) != startedBy {
				continue
			}
			mt := migrationTask{arn: aws.ToString(task.TaskArn), createdAt: aws.ToTime(task.CreatedAt), started: task.StartedAt != nil, status: aws.ToString(task.LastStatus), stopping: aws.ToString(task.DesiredStatus) == "STOPPED"}
			for _, tg := range task.Tags {
				if aws.ToString(tg.Key) == TagRun {
					mt.run = aws.ToString(tg.Value)
				}
			}
			tasks = append(tasks, mt)
		}
	}
	sort.Slice(tasks, func(i, j int) bool {
		if !tasks[i].createdAt.Equal(tasks[j].createdAt) {
			return tasks[i].createdAt.Before(tasks[j].createdAt)
		}
		return tasks[i].arn < tasks[j].arn
	})
	return tasks, nil
}

// migrationFamilies are the environment's migration task definition
// families: the default one and every named ebmigrate_run's
// (ebmigrate-<env>_<name>). ListTaskDefinitionFamilies' familyPrefix is a
// true prefix (unlike ListTaskDefinitions'), and lists INACTIVE families
// only with status ALL: a family whose revisions were all deregistered may
// still have a stopping task. EB environment names have no "_", so the
// prefix ebmigrate-<env>_ matches no other environment's family; it matches
// the environment's query family, which is passed over.
func migrationFamilies(ctx context.Context, api ECS, env string) ([]string, error) {
	derived := DerivedFamily(env)
	families := []string{derived}
	p := ecs.NewListTaskDefinitionFamiliesPaginator(api, &ecs.ListTaskDefinitionFamiliesInput{
		FamilyPrefix: aws.String(derived + "_"), Status: ecstypes.TaskDefinitionFamilyStatusAll,
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the migration task definition families of environment %q: %w", env, err)
		}
		for _, f := range out.Families {
			if f != QueryFamily(env) { // ebmigrate-<env>__query is the queries'
				families = append(families, f)
			}
		}
	}
	return families, nil
}

// listTasks pages through ListTasks.
func listTasks(ctx context.Context, api ECS, in *ecs.ListTasksInput) ([]string, error) {
	var arns []string
	for {
		out, err := api.ListTasks(ctx, in)
		if err != nil {
			return nil, err
		}
		arns = append(arns, out.TaskArns...)
		if in.NextToken = out.NextToken; in.NextToken == nil {
			return arns, nil
		}
	}
}

// ranAlongside names the tasks of the migration family that ran while r's
// task ran (started before it stopped, and stopped after it started or not
// at all). ListTasks by family, under both desired statuses: startedBy can
// not be combined with desiredStatus, and stopped tasks are listed under
// STOPPED for at least an hour. ListTasks lags: it is read until it lists
// our own task (for at most poll.ListFor), so that every task created before
// ours is listed too; of two that started at once, the younger's apply is
// the one sure to see both.
func ranAlongside(ctx context.Context, api ECS, t *Target, family string, r *Result, poll PollSchedule) ([]string, error) {
	var arns []string
	for start := time.Now(); ; {
		arns = arns[:0]
		ours := false
		for _, desired := range []ecstypes.DesiredStatus{ecstypes.DesiredStatusRunning, ecstypes.DesiredStatusStopped} {
			listed, err := listTasks(ctx, api, &ecs.ListTasksInput{Cluster: aws.String(t.ClusterArn), Family: aws.String(family), DesiredStatus: desired})
			if err != nil {
				return nil, err
			}
			for _, arn := range listed {
				ours = ours || arn == r.TaskArn
				if arn != r.TaskArn && !slices.Contains(arns, arn) {
					arns = append(arns, arn)
				}
			}
		}
		if ours || time.Since(start) > poll.ListFor || !sleep(ctx, poll.Fast) {
			break
		}
	}
	var others []string
	for len(arns) > 0 {
		batch := arns[:min(len(arns), 100)]
		arns = arns[len(batch):]
		out, err := api.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(t.ClusterArn), Tasks: batch})
		if err != nil {
			return others, err
		}
		for _, task := range out.Tasks {
			started, stopped := task.StartedAt, task.StoppedAt
			if started == nil || !started.Before(r.StoppedAt) || (stopped != nil && !stopped.After(r.StartedAt)) {
				continue
			}
			others = append(others, aws.ToString(task.TaskArn))
		}
	}
	return others, nil
}
