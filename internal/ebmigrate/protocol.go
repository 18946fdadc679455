package ebmigrate

// The run protocol: at most one migration of an environment runs at a time,
// and every apply that means to run one starts a task of its own.
//
//	look     List the environment's migration tasks that have not stopped
//	         (activeMigrations; ordered by AWS's createdAt, then task ARN).
//	         - one of this run (run tag), not being stopped -> attach: watch it.
//	         - another -> wait until it stops (stopping it only when it never
//	           started within task.start_timeout) -> look.
//	         - none -> start.
//	start    RunTask with a fresh clientToken. The token only makes the SDK's
//	         retries of this one call safe: ECS replays a token's original
//	         response (the task as created) for 24 h, so it is never used for
//	         another attempt, run or query.
//	order    While ECS provisions our task, wait until ListTasks lists it, then
//	         take the oldest migration task that has not stopped.
//	         - ours -> watch it.
//	         - another, and DescribeTasks, read just before StopTask, shows ours
//	           has not started (PROVISIONING or PENDING, no container started)
//	           -> give way: stop ours; attach when the other is of this run,
//	           else wait for it -> look.
//	         - another, and ours has started -> never stop a started migration:
//	           watch ours to its end.
//	watched  After a migration ends, any other migration of the environment
//	         that ran at the same time is named, with ours, in the result.
//
// A read-only query (MigrateInput.Query: the pending migrations at plan
// time) has a startedBy of its own and goes through the same steps, except
// that it never waits for, nor gives way to, a query of other content:
// read-only tasks may run side by side. Queries of the same content still
// attach to each other.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// maxGiveWays bounds how often one apply stops its own task because another
// migration's task was created first: contention, not earlier runs.
const maxGiveWays = 20

// Run starts the migration task, unless one of the same run is already
// running (then it attaches to it), after any other migration of the
// environment has finished, and waits for its outcome.
func Run(ctx context.Context, c Clients, t *Target, d *Derived, taskDefArn string, in MigrateInput, log Logger) (*Result, error) {
	poll := in.Poll.withDefaults()
	runID := RunID(t.EnvironmentID, in.VersionLabel+in.Nonce, d.Hash, d.Input.ContainerDefinitions[0].Command)
	key := in.guardKey(t.EnvironmentID)
	for gaveWay := 0; ; {
		// The guard's reads go before the polls of other migrations waiting
		// for the provider's read bucket: they hold up this one's RunTask.
		active, err := activeMigrations(urgent(ctx), c.ECS, t, key)
		if err != nil {
			return nil, err
		}
		if len(active) > 0 {
			if same := sameRun(active, runID); same != nil {
				log.Info("attaching to the running migration task of the same run", map[string]any{"task": same.arn})
				return watchToEnd(ctx, c, t, d, same.arn, true, in, poll, log)
			}
			if !in.Query {
				if err := waitOther(ctx, c, t, active[0], in.startTimeout(), poll, log); err != nil {
					return nil, err
				}
				continue
			}
		}
		ours, err := start(ctx, c, t, d, taskDefArn, runID, key, in.Derive.Placement, poll, log)
		if err != nil {
			return nil, err
		}
		first, err := firstStarted(ctx, c, t, ours, key, poll)
		if err != nil {
			return nil, interruptedOr(ctx, t, ours, "", err)
		}
		// A read-only query waits for no other query: only one of the same
		// content, created first, is attached to instead of run twice.
		if first.arn == ours || (in.Query && first.run != runID) {
			return watchToEnd(ctx, c, t, d, ours, false, in, poll, log)
		}
		waiting, err := notStarted(ctx, c, t, ours)
		if err != nil {
			return nil, interruptedOr(ctx, t, ours, "", err)
		}
		if !waiting {
			log.Info("another migration of the environment was created first, but ours has started: a started migration is never stopped", map[string]any{"ours": ours, "first": first.arn})
			return watchToEnd(ctx, c, t, d, ours, false, in, poll, log)
		}
		log.Info("another migration of the environment was created first; ours has not started and gives way", map[string]any{"ours": ours, "first": first.arn})
		if _, err := c.ECS.StopTask(ctx, &ecs.StopTaskInput{
			Cluster: aws.String(t.ClusterArn), Task: aws.String(ours),
			Reason: aws.String("ebmigrate: gave way before it started to migration task " + first.arn + ", created first"),
		}); err != nil {
			return nil, fmt.Errorf("stopping migration task %s, which had not started and gives way to %s: %w", ours, first.arn, err)
		}
		if gaveWay++; gaveWay >= maxGiveWays {
			return nil, engineError(nil, "Migration Not Started",
				"The migration of environment %q gave way %d times to another migration of the environment created just before it, and was not started. Look for the applies or pipelines that migrate this environment at the same time (ECS console: tasks started by %s), let them finish, then apply again.",
				t.EnvironmentName, gaveWay, key)
		}
		if first.run == runID && !first.stopping {
			log.Info("attaching to the migration task of the same run that another apply started", map[string]any{"task": first.arn})
			return watchToEnd(ctx, c, t, d, first.arn, true, in, poll, log)
		}
		if err := waitOther(ctx, c, t, first, in.startTimeout(), poll, log); err != nil {
			return nil, err
		}
	}
}

// sameRun is the first task of run runID that is not being stopped.
func sameRun(active []migrationTask, runID string) *migrationTask {
	i := slices.IndexFunc(active, func(mt migrationTask) bool { return mt.run == runID && !mt.stopping })
	if i < 0 {
		return nil
	}
	return &active[i]
}

// watchToEnd watches a migration task to its end; a migration (not a
// read-only query) that ran alongside another is then named with it.
func watchToEnd(ctx context.Context, c Clients, t *Target, d *Derived, arn string, attached bool, in MigrateInput, poll PollSchedule, log Logger) (*Result, error) {
	r, err := watch(ctx, c, t, d, arn, attached, in, poll, log)
	if in.Query || r == nil || r.StartedAt.IsZero() {
		return r, err
	}
	// The outcome waits for these reads: they go before waiting polls.
	others, lookErr := ranAlongside(urgent(ctx), c.ECS, t, aws.ToString(d.Input.Family), r, poll)
	if lookErr != nil {
		log.Info("could not check whether another migration ran at the same time", map[string]any{"error": lookErr.Error()})
	}
	for _, other := range others {
		w := fmt.Sprintf("Two migrations of environment %q ran at the same time: task %s (this apply's) and task %s. Both started before either could see the other; check that both sets of migrations applied as intended.", t.EnvironmentName, arn, other)
		r.Warnings = append(r.Warnings, w)
		log.Info(w, nil)
	}
	var me *MigrationError
	if len(others) > 0 && errors.As(err, &me) {
		err = fmt.Errorf("%w\n\nTask %s, another migration of the environment, ran at the same time", err, others[0])
	}
	return r, err
}

// newClientToken is a RunTask clientToken for one call: 32 hex digits, in
// ECS's range (up to 64 characters of 33-126).
func newClientToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "ebm-" + hex.EncodeToString(b), nil
}

// start runs the migration task with one RunTask call and returns its ARN
// (runTaskKnown sets its clientToken).
func start(ctx context.Context, c Clients, t *Target, d *Derived, taskDefArn, runID, startedBy string, placement Placement, poll PollSchedule, log Logger) (string, error) {
	runIn := &ecs.RunTaskInput{
		Cluster:        aws.String(t.ClusterArn),
		TaskDefinition: aws.String(taskDefArn),
		Count:          aws.Int32(1),
		StartedBy:      aws.String(startedBy),
		Tags: []ecstypes.Tag{
			{Key: aws.String(TagRun), Value: aws.String(runID)},
			{Key: aws.String(TagEnvID), Value: aws.String(t.EnvironmentID)},
		},
	}
	runIn.Tags = append(runIn.Tags, userTags(d.Tags)...)
	if err := placeRunTask(runIn, t, d, placement); err != nil {
		return "", err
	}
	withOverrides(runIn, d)
	out, err := runTaskKnown(ctx, c.ECS, runIn, poll)
	if err != nil {
		return "", fmt.Errorf("starting the migration task for environment %q on cluster %s: %w", t.EnvironmentName, t.ClusterArn, err)
	}
	if len(out.Failures) > 0 {
		return "", placementProblem(t, out.Failures, placement)
	}
	if len(out.Tasks) != 1 {
		return "", engineError(nil, "Unexpected RunTask Answer",
			"RunTask for environment %q on cluster %s asked for one task and ECS answered with %d tasks and no failures, so which one is the migration cannot be told; nothing was waited for. Look at the cluster's tasks started by %s in the ECS console and stop any that should not run, then apply again.",
			t.EnvironmentName, t.ClusterArn, len(out.Tasks), startedBy)
	}
	arn := aws.ToString(out.Tasks[0].TaskArn)
	log.Info("migration task started", map[string]any{"task": arn, "cluster": t.ClusterArn, "run": runID})
	if placement.ExecuteCommand {
		log.Info("ECS Exec is on: once the task runs, open a shell in it with", map[string]any{"command": ExecuteCommand(c.Region, t.ClusterArn, taskIDOf(arn), d.Container)})
	}
	return arn, nil
}
