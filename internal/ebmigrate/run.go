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
)

// MigrateInput is one migration: which environment, what to run.
type MigrateInput struct {
	Discover     DiscoverInput
	Derive       DeriveSpec
	VersionLabel string
	// LogLines is how many of the last log lines a failure shows.
	LogLines int
	Poll     PollSchedule
}

// Result is what a finished migration task left.
type Result struct {
	EnvironmentID     string
	ClusterArn        string
	SourceTaskDefArn  string
	TaskDefinitionArn string
	TaskArn           string
	Container         string
	Image             string
	ExitCode          int32
	StoppedReason     string
	StartedAt         time.Time
	StoppedAt         time.Time
	Logs              LogLocation
	Outcome           Outcome
}

// PollSchedule is how often the task's status is read: Fast for the first
// FastFor, then every Normal until NormalUntil, then growing by half up to Max.
type PollSchedule struct {
	Fast        time.Duration
	FastFor     time.Duration
	Normal      time.Duration
	NormalUntil time.Duration
	Max         time.Duration
	// MissingFor is how long a task may be MISSING to DescribeTasks after
	// RunTask before that is an error (ECS is eventually consistent).
	MissingFor time.Duration
	// MaxErrors is how many polls in a row may fail before the wait gives up.
	MaxErrors int
}

// DefaultPoll sees a stop within a quarter second for the first 10 s, within
// a second for the first minute, and within 5 s after that.
var DefaultPoll = PollSchedule{
	Fast: 250 * time.Millisecond, FastFor: 10 * time.Second,
	Normal: time.Second, NormalUntil: time.Minute,
	Max: 5 * time.Second, MissingFor: 30 * time.Second, MaxErrors: 10,
}

func (p PollSchedule) withDefaults() PollSchedule {
	d := DefaultPoll
	if p.Fast > 0 {
		d.Fast = p.Fast
	}
	if p.FastFor > 0 {
		d.FastFor = p.FastFor
	}
	if p.Normal > 0 {
		d.Normal = p.Normal
	}
	if p.NormalUntil > 0 {
		d.NormalUntil = p.NormalUntil
	}
	if p.Max > 0 {
		d.Max = p.Max
	}
	if p.MissingFor > 0 {
		d.MissingFor = p.MissingFor
	}
	if p.MaxErrors > 0 {
		d.MaxErrors = p.MaxErrors
	}
	return d
}

// Interval is the wait before the next poll, elapsed after the start.
func (p PollSchedule) Interval(elapsed, previous time.Duration) time.Duration {
	switch {
	case elapsed < p.FastFor:
		return p.Fast
	case elapsed < p.NormalUntil:
		return p.Normal
	}
	next := previous + previous/2
	if next < p.Normal {
		next = p.Normal
	}
	if next > p.Max {
		next = p.Max
	}
	return next
}

// StartedBy is the startedBy of every migration task of an environment, so
// that they can be found with ListTasks (ECS allows 36 characters here for us).
func StartedBy(envID string) string { return "ebmigrate-" + envID }

// RunID identifies one run: the same environment, version, command and task
// definition make the same run.
func RunID(envID, version, taskDefArn string, command []string) string {
	sum := sha256.Sum256([]byte(strings.Join(append([]string{envID, version, taskDefArn}, command...), "\x00")))
	return hex.EncodeToString(sum[:12])
}

// Migrate discovers the environment, derives and registers the migration task
// definition, runs it once and waits for it. A migration that does not
// succeed is a *MigrationError.
func Migrate(ctx context.Context, c Clients, in MigrateInput, log Logger) (*Result, error) {
	t, err := Discover(ctx, c, in.Discover)
	if err != nil {
		return nil, err
	}
	d, err := DeriveTaskDefinition(t, in.Derive)
	if err != nil {
		return nil, err
	}
	arn, registered, err := EnsureTaskDefinition(ctx, c.ECS, t, d)
	if err != nil {
		return nil, err
	}
	log.Info("migration task definition", map[string]any{"task_definition": arn, "registered": registered, "source": aws.ToString(t.SourceTaskDefinition.TaskDefinitionArn)})
	return Run(ctx, c, t, d, arn, in, log)
}

// Run starts the migration task and waits for its outcome.
func Run(ctx context.Context, c Clients, t *Target, d *Derived, taskDefArn string, in MigrateInput, log Logger) (*Result, error) {
	poll := in.Poll.withDefaults()
	runID := RunID(t.EnvironmentID, in.VersionLabel, taskDefArn, d.Input.ContainerDefinitions[0].Command)
	runIn := &ecs.RunTaskInput{
		Cluster:        aws.String(t.ClusterArn),
		TaskDefinition: aws.String(taskDefArn),
		Count:          aws.Int32(1),
		StartedBy:      aws.String(StartedBy(t.EnvironmentID)),
		Tags: []ecstypes.Tag{
			{Key: aws.String(TagRun), Value: aws.String(runID)},
			{Key: aws.String(TagEnvID), Value: aws.String(t.EnvironmentID)},
		},
	}
	if d.Input.NetworkMode == ecstypes.NetworkModeAwsvpc {
		if len(t.Subnets) == 0 {
			return nil, problem("Subnets Required",
				"Task definition %s uses the awsvpc network mode, which needs subnets, and environment %q has none in aws:ec2:vpc Subnets.",
				taskDefArn, t.EnvironmentName)
		}
		runIn.NetworkConfiguration = &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
			Subnets: t.Subnets, SecurityGroups: t.SecurityGroups,
		}}
	}
	out, err := c.ECS.RunTask(ctx, runIn)
	if err != nil {
		return nil, fmt.Errorf("starting the migration task for environment %q on cluster %s: %w", t.EnvironmentName, t.ClusterArn, err)
	}
	if len(out.Failures) > 0 {
		return nil, placementProblem(t, out.Failures)
	}
	if len(out.Tasks) != 1 {
		return nil, fmt.Errorf("RunTask for environment %q returned %d tasks and no failures", t.EnvironmentName, len(out.Tasks))
	}
	taskArn := aws.ToString(out.Tasks[0].TaskArn)
	log.Info("migration task started", map[string]any{"task": taskArn, "cluster": t.ClusterArn, "run": runID})
	return wait(ctx, c, t, d, taskArn, in.LogLines, poll, log)
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

// wait polls the task until it stops, following its logs, and classifies it.
func wait(ctx context.Context, c Clients, t *Target, d *Derived, taskArn string, logLines int, poll PollSchedule, log Logger) (*Result, error) {
	container := d.Input.ContainerDefinitions[0]
	taskID := taskArn[strings.LastIndex(taskArn, "/")+1:]
	loc, hasLogs := ContainerLogs(&container, taskID)
	var follower *logFollower
	if hasLogs {
		follower = newLogFollower(c.Logs, loc, log, logLines)
	}
	start := time.Now()
	interval := poll.Fast
	errorsInARow := 0
	lastStatus := ""
	for {
		out, err := c.ECS.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(t.ClusterArn), Tasks: []string{taskArn}})
		switch {
		case err != nil && ctx.Err() != nil:
			return nil, interrupted(ctx, t, taskArn, lastStatus)
		case err != nil:
			errorsInARow++
			log.Info("describing the migration task failed; will try again", map[string]any{"task": taskArn, "error": err.Error()})
			if errorsInARow >= poll.MaxErrors {
				return nil, fmt.Errorf("describing migration task %s failed %d times in a row: %w", taskArn, errorsInARow, err)
			}
		case len(out.Tasks) == 0:
			errorsInARow = 0
			if time.Since(start) > poll.MissingFor {
				return nil, fmt.Errorf("ECS has not known migration task %s for %s since RunTask started it (DescribeTasks says MISSING); look for it in the ECS console before applying again", taskArn, poll.MissingFor)
			}
		default:
			errorsInARow = 0
			task := out.Tasks[0]
			if s := aws.ToString(task.LastStatus); s != lastStatus {
				lastStatus = s
				log.Info("migration task status", map[string]any{"task": taskArn, "status": s})
			}
			if follower != nil {
				if _, err := follower.poll(ctx); err != nil && ctx.Err() == nil {
					log.Info("reading the migration's log failed; will try again", map[string]any{"error": err.Error()})
				}
			}
			if lastStatus == "STOPPED" {
				return finish(ctx, t, d, task, loc, follower)
			}
		}
		elapsed := time.Since(start)
		interval = poll.Interval(elapsed, interval)
		select {
		case <-ctx.Done():
			return nil, interrupted(ctx, t, taskArn, lastStatus)
		case <-time.After(interval):
		}
	}
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

// InterruptedError is a wait cut short by a timeout or cancellation; the task
// may still be running.
type InterruptedError struct {
	Environment string
	TaskArn     string
	LastStatus  string
	Cause       error
}

func (e *InterruptedError) Error() string {
	what := "was cancelled"
	if errors.Is(e.Cause, context.DeadlineExceeded) {
		what = "timed out"
	}
	return fmt.Sprintf("waiting for the migration task of environment %q %s; task %s was last %s and was left running: look at it in the ECS console before applying again",
		e.Environment, what, e.TaskArn, orNone(e.LastStatus))
}

func (e *InterruptedError) Unwrap() error { return e.Cause }

func interrupted(ctx context.Context, t *Target, taskArn, lastStatus string) error {
	return &InterruptedError{Environment: t.EnvironmentName, TaskArn: taskArn, LastStatus: lastStatus, Cause: ctx.Err()}
}
