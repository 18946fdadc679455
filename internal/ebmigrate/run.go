package ebmigrate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// MigrateInput is one migration: which environment, what to run.
type MigrateInput struct {
	Discover     DiscoverInput
	Derive       DeriveSpec
	VersionLabel string
	// LogLines is how many of the last log lines a failure shows.
	LogLines int
	// StopOnTimeout stops the task when the wait times out; otherwise it is
	// left running for the next apply to attach to.
	StopOnTimeout bool
	// Nonce, when set, makes this run distinct from every other (read-only
	// queries are never attached to).
	Nonce string
	// KeepRevisions, when above 0, deregisters all but the newest
	// KeepRevisions ACTIVE revisions of the derived family after a success.
	KeepRevisions int
	// CollectOutput keeps every line the container prints (up to
	// MaxCollectedLines) in Result.Output.
	CollectOutput bool
	Poll          PollSchedule
	// Query marks a read-only query (the pending migrations at plan time):
	// its tasks have a startedBy of their own, so that a query never waits
	// for a migration nor holds one up, while queries of the same content
	// still attach to each other.
	Query bool
}

// guardKey is the startedBy of this input's tasks.
func (in MigrateInput) guardKey(envID string) string {
	if in.Query {
		return QueryStartedBy(envID)
	}
	return StartedBy(envID)
}

// MaxCollectedLines bounds Result.Output.
const MaxCollectedLines = 100000

// Result is what a finished migration task left.
type Result struct {
	EnvironmentID     string
	ClusterArn        string
	SourceTaskDefArn  string
	TaskDefinitionArn string
	TaskArn           string
	Container         string
	Image             string
	// ImageSource says where Image came from.
	ImageSource   string
	ExitCode      int32
	StoppedReason string
	StartedAt     time.Time
	StoppedAt     time.Time
	Logs          LogLocation
	Outcome       Outcome
	// Attached is true when the task was started by an earlier or concurrent
	// apply of the same run, and this one only waited for it.
	Attached bool
	// Output is what the container printed, with CollectOutput.
	Output []string
	// Deregistered are the old revisions KeepRevisions removed; PruneError
	// says why pruning failed (the migration itself succeeded).
	Deregistered []string
	PruneError   error
}

// StartedBy is the startedBy of every migration task of an environment, so
// that they can be found with ListTasks (at most 36 characters).
func StartedBy(envID string) string { return "ebmigrate-" + envID }

// QueryStartedBy is the startedBy of the read-only query tasks of an
// environment: apart from its migrations.
func QueryStartedBy(envID string) string { return "ebmigrate-q-" + envID }

// RunID identifies one run: the same environment, version, command and task
// definition make the same run.
func RunID(envID, version, taskDefArn string, command []string) string {
	sum := sha256.Sum256([]byte(strings.Join(append([]string{envID, version, taskDefArn}, command...), "\x00")))
	return hex.EncodeToString(sum[:12])
}

// Migrate waits for a deploy in progress, discovers the environment, derives
// and registers the migration task definition, runs it once and waits for
// it. A migration that does not succeed is a *MigrationError.
func Migrate(ctx context.Context, c Clients, in MigrateInput, log Logger) (*Result, error) {
	poll := in.Poll.withDefaults()
	env, err := waitEnvironmentReady(ctx, c.EB, in.Discover.EnvironmentName, poll, log)
	if err != nil {
		return nil, err
	}
	t, err := discoverFrom(ctx, c, in.Discover, env)
	if err != nil {
		return nil, err
	}
	spec, imageSource, err := ResolveImage(ctx, c, t, in.Derive, in.VersionLabel)
	if err != nil {
		return nil, err
	}
	d, err := DeriveTaskDefinition(t, spec)
	if err != nil {
		return nil, err
	}
	if _, err := ResolveNetwork(t, d, spec.Placement); err != nil {
		return nil, err
	}
	log.Info("migration image", map[string]any{"image": d.Image, "from": imageSource})
	arn, registered, err := EnsureTaskDefinition(ctx, c.ECS, t, d)
	if err != nil {
		return nil, err
	}
	log.Info("migration task definition", map[string]any{"task_definition": arn, "registered": registered, "source": aws.ToString(t.SourceTaskDefinition.TaskDefinitionArn)})
	r, err := Run(ctx, c, t, d, arn, in, log)
	if r != nil {
		r.ImageSource = imageSource
	}
	if err == nil && in.KeepRevisions > 0 {
		r.Deregistered, r.PruneError = PruneRevisions(ctx, c.ECS, aws.ToString(d.Input.Family), in.KeepRevisions, arn)
		if len(r.Deregistered) > 0 {
			log.Info("deregistered old migration task definitions", map[string]any{"task_definitions": r.Deregistered})
		}
	}
	return r, err
}

// waitEnvironmentReady waits while the environment is Launching or Updating
// (a deploy in progress) and returns its last description (nil when there is
// no such environment); other states are left to discovery to judge.
func waitEnvironmentReady(ctx context.Context, eb EB, name string, poll PollSchedule, log Logger) (*ebtypes.EnvironmentDescription, error) {
	start := time.Now()
	interval := poll.Normal
	for {
		env, err := DescribeEnvironment(ctx, eb, name)
		if err != nil || env == nil {
			return nil, err
		}
		if env.Status != ebtypes.EnvironmentStatusUpdating && env.Status != ebtypes.EnvironmentStatusLaunching {
			return env, nil
		}
		log.Info("waiting for the environment to be Ready", map[string]any{"environment": name, "status": string(env.Status)})
		interval = poll.Interval(time.Since(start)+poll.FastFor, interval)
		if !sleep(ctx, interval) {
			return nil, &InterruptedError{Environment: name, Waiting: fmt.Sprintf("for the environment to leave status %s", env.Status), Cause: ctx.Err()}
		}
	}
}

// Run starts the migration task, unless one of the same run is already
// running (then it attaches to it), after any other migration of the
// environment has finished, and waits for its outcome.
func Run(ctx context.Context, c Clients, t *Target, d *Derived, taskDefArn string, in MigrateInput, log Logger) (*Result, error) {
	poll := in.Poll.withDefaults()
	runID := RunID(t.EnvironmentID, in.VersionLabel+in.Nonce, taskDefArn, d.Input.ContainerDefinitions[0].Command)
	for {
		active, err := activeMigrations(ctx, c.ECS, t, in.guardKey(t.EnvironmentID))
		if err != nil {
			return nil, err
		}
		if len(active) > 0 {
			first := active[0]
			if first.run == runID {
				log.Info("attaching to the running migration task of the same run", map[string]any{"task": first.arn})
				return watch(ctx, c, t, d, first.arn, true, in, poll, log)
			}
			if err := waitOther(ctx, c, t, first, poll, log); err != nil {
				return nil, err
			}
			continue
		}
		ours, err := start(ctx, c, t, d, taskDefArn, runID, in.guardKey(t.EnvironmentID), in.Derive.Placement, log)
		if err != nil {
			return nil, err
		}
		first, err := firstStarted(ctx, c, t, ours, in.guardKey(t.EnvironmentID), poll)
		if err != nil {
			return nil, interruptedOr(ctx, t, ours, "", err)
		}
		if first.arn == ours {
			return watch(ctx, c, t, d, ours, false, in, poll, log)
		}
		// Another run started first: ours steps back before it gets to run.
		log.Info("another migration of the environment started first; stopping ours", map[string]any{"ours": ours, "first": first.arn})
		if _, err := c.ECS.StopTask(ctx, &ecs.StopTaskInput{
			Cluster: aws.String(t.ClusterArn), Task: aws.String(ours),
			Reason: aws.String("ebmigrate: migration task " + first.arn + " of this environment started first"),
		}); err != nil {
			return nil, fmt.Errorf("stopping migration task %s, which started after %s: %w", ours, first.arn, err)
		}
		if first.run == runID {
			return watch(ctx, c, t, d, first.arn, true, in, poll, log)
		}
		if err := waitOther(ctx, c, t, first, poll, log); err != nil {
			return nil, err
		}
	}
}

func start(ctx context.Context, c Clients, t *Target, d *Derived, taskDefArn, runID, startedBy string, placement Placement, log Logger) (string, error) {
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
	if err := placeRunTask(runIn, t, d, placement); err != nil {
		return "", err
	}
	// The SDK gives RunTask one clientToken for all its retries, so a
	// retried call whose response was lost does not start a second task.
	out, err := c.ECS.RunTask(ctx, runIn)
	if err != nil {
		return "", fmt.Errorf("starting the migration task for environment %q on cluster %s: %w", t.EnvironmentName, t.ClusterArn, err)
	}
	if len(out.Failures) > 0 {
		return "", placementProblem(t, out.Failures)
	}
	if len(out.Tasks) != 1 {
		return "", fmt.Errorf("RunTask for environment %q returned %d tasks and no failures", t.EnvironmentName, len(out.Tasks))
	}
	arn := aws.ToString(out.Tasks[0].TaskArn)
	log.Info("migration task started", map[string]any{"task": arn, "cluster": t.ClusterArn, "run": runID})
	return arn, nil
}

// waitOther waits for another run's migration task to stop.
func waitOther(ctx context.Context, c Clients, t *Target, other migrationTask, poll PollSchedule, log Logger) error {
	log.Info("another migration of the environment is running; waiting for it to finish", map[string]any{"task": other.arn, "status": other.status})
	last, err := pollTask(ctx, c.ECS, t.ClusterArn, other.arn, poll, NopLogger, func(task ecstypes.Task) bool {
		return aws.ToString(task.LastStatus) == "STOPPED"
	})
	if err != nil {
		if ctx.Err() != nil {
			return &InterruptedError{Environment: t.EnvironmentName, Waiting: "for migration task " + other.arn + " of another run to finish (ours was not started)", LastStatus: last, Cause: ctx.Err()}
		}
		return err
	}
	return nil
}

func placementProblem(t *Target, failures []ecstypes.Failure) error {
	var reasons []string
	advice := "Free capacity in the cluster, or run the migration on another cluster (cluster)."
	for _, f := range failures {
		r := aws.ToString(f.Reason)
		reasons = append(reasons, fmt.Sprintf("%s (%s)", r, aws.ToString(f.Arn)))
		switch {
		case strings.HasPrefix(r, "RESOURCE:MEMORY"), strings.HasPrefix(r, "RESOURCE:CPU"):
			advice = "No container instance has enough free memory or CPU: give the migration container less memory or cpu, add capacity, or run it on another cluster (cluster)."
		case strings.HasPrefix(r, "RESOURCE:PORTS"):
			advice = "The task needs a host port that is already taken on every instance."
		case strings.HasPrefix(r, "AGENT"):
			advice = "The ECS agent on the instances is not connected: check the instances' health in the ECS console."
		}
	}
	return problem("Migration Task Not Placed",
		"ECS could not place the migration task for environment %q on cluster %s: %s. %s",
		t.EnvironmentName, t.ClusterArn, strings.Join(reasons, "; "), advice)
}

// interruptedOr turns a wait ended by ctx into an InterruptedError.
func interruptedOr(ctx context.Context, t *Target, taskArn, lastStatus string, err error) error {
	if ctx.Err() == nil {
		return err
	}
	return &InterruptedError{Environment: t.EnvironmentName, TaskArn: taskArn, LastStatus: lastStatus, Cause: ctx.Err()}
}

// InterruptedError is a wait cut short by a timeout or cancellation.
type InterruptedError struct {
	Environment string
	// TaskArn is the migration task that was left running ("" if none was started).
	TaskArn    string
	LastStatus string
	// Waiting says what was being waited for, when it was not our task.
	Waiting string
	// Stopped is true when the task was stopped (stop_on_timeout).
	Stopped bool
	Cause   error
}

// TimedOut tells a timeout from a cancellation.
func (e *InterruptedError) TimedOut() bool { return errors.Is(e.Cause, context.DeadlineExceeded) }

func (e *InterruptedError) Error() string {
	what := "was cancelled"
	if e.TimedOut() {
		what = "timed out"
	}
	switch {
	case e.Waiting != "":
		return fmt.Sprintf("waiting %s in environment %q %s (last status %s)", e.Waiting, e.Environment, what, orNone(e.LastStatus))
	case e.Stopped:
		return fmt.Sprintf("waiting for migration task %s of environment %q %s (last status %s); the task was stopped (StopTask), as stop_on_timeout asks. The next apply runs the migration again",
			e.TaskArn, e.Environment, what, orNone(e.LastStatus))
	}
	return fmt.Sprintf("waiting for migration task %s of environment %q %s (last status %s); the task was left running. The next apply waits for it instead of starting another, and records its result when it is the same run",
		e.TaskArn, e.Environment, what, orNone(e.LastStatus))
}

func (e *InterruptedError) Unwrap() error { return e.Cause }
