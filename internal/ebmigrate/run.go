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
	// LogLines is how many of the last log lines a run keeps (Result.LogTail)
	// and a failure shows.
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
	// MaxCollectedLines) in Result.RawOutput.
	CollectOutput bool
	// StartTimeout is how long a migration task may take to reach RUNNING
	// before it is stopped (0: DefaultStartTimeout). A task of another run
	// stuck before RUNNING longer than that no longer blocks this one.
	StartTimeout time.Duration
	Poll         PollSchedule
	// ProveOutput runs Derive.Command under the output relay
	// (ProvenCommand, logs_proof.go), so that its output can be proven
	// complete: Result.LogsComplete is true only when every line it printed
	// was read. For commands the provider composes; the image needs python3.
	ProveOutput bool
	// Query marks a read-only query (the pending migrations at plan time):
	// its tasks have a startedBy of their own, so that a query never waits
	// for a migration nor holds one up, while queries of the same content
	// still attach to each other.
	Query bool
	// LockKey names the lock this migration takes (lock.go): migrations
	// with the same key never run at once. "" is the environment's name.
	LockKey string
	// Operation names what runs the migration ("ebmigrate_run", …), in
	// the lock's record, for people who find it held.
	Operation string
}

// lockKey is the key of the migration's lock: LockKey, else the
// environment's name.
func (in MigrateInput) lockKey(t *Target) string {
	if in.LockKey != "" {
		return in.LockKey
	}
	return t.EnvironmentName
}

// DefaultStartTimeout is task.start_timeout's default.
const DefaultStartTimeout = 10 * time.Minute

func (in MigrateInput) startTimeout() time.Duration {
	if in.StartTimeout > 0 {
		return in.StartTimeout
	}
	return DefaultStartTimeout
}

// MaxCollectedLines bounds Result.RawOutput.
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
	// RawOutput is what the container printed, with CollectOutput, NOT
	// redacted: it is for parsing only (MigratePlan, ShowMigrationsPlan),
	// never to be shown or stored; redact what is shown with Redact.
	RawOutput []string
	// redact is the run's redactor (nil: nothing to redact).
	redact *redactor
	// LogsComplete is true only when the log was proven read to its end:
	// the output of a command run with ProveOutput, every line of it read,
	// or a container that never started. A caller that parses RawOutput
	// must not trust it otherwise. LogsProblem says why it is false.
	LogsComplete bool
	LogsProblem  string
	// LogTail are the last LogLines lines the container printed, with the
	// environment's values redacted, each cut at MaxLineBytes; LogsNote says why there are none, or
	// that they may be incomplete ("" when they are all there).
	LogTail  []string
	LogsNote string
	// Deregistered are the old revisions KeepRevisions removed; PruneError
	// says why pruning failed (the migration itself succeeded).
	Deregistered []string
	PruneError   error
	// ValuesInRevision is true when the environment's values were written
	// into the task definition revision, because they were too large for
	// RunTask's overrides (MaxOverridesChars).
	ValuesInRevision bool
	// Warnings are CheckRun's: what may not go as the user expects.
	Warnings []string
	// MigrationRunning says, for a read-only query, that a migration held
	// the lock of its lock key while it ran ("" when none did).
	MigrationRunning string
}

// StartedBy is the startedBy of every migration task of an environment, so
// that they can be found with ListTasks (at most 36 characters).
func StartedBy(envID string) string { return "ebmigrate-" + envID }

// QueryStartedBy is the startedBy of the read-only query tasks of an
// environment: apart from its migrations.
func QueryStartedBy(envID string) string { return "ebmigrate-q-" + envID }

// RunID identifies one run by what runs: the same environment, version,
// command and derived content (the derivation's content hash, not a
// revision ARN, which two simultaneous applies may each register) make the
// same run.
func RunID(envID, version, contentHash string, command []string) string {
	sum := sha256.Sum256([]byte(strings.Join(append([]string{envID, version, contentHash}, command...), "\x00")))
	return hex.EncodeToString(sum[:12])
}

// Migrate waits for a deploy in progress, previews the migration (discover,
// image, derive, network: what a plan shows), registers the migration task
// definition, runs it once and waits for it. A migration that does not succeed is a *MigrationError.
func Migrate(ctx context.Context, c Clients, in MigrateInput, log Logger) (*Result, error) {
	poll := in.Poll.withDefaults()
	if in.ProveOutput && len(in.Derive.Command) == 0 {
		return nil, errors.New("ebmigrate: ProveOutput needs a command")
	}
	env, err := waitEnvironmentReady(ctx, c.EB, in.Discover.EnvironmentName, poll, log)
	if err != nil {
		return nil, err
	}
	p, err := preview(ctx, c, PreviewInput{MigrateInput: in}, env, false)
	if err != nil {
		return nil, err
	}
	t, d, imageSource := p.Target, p.Derived, p.ImageSource
	warnings := p.Warnings
	// The default log group and the task definition do not depend on each
	// other, and each may wait on a quota of its own (CloudWatch Logs'
	// PutRetentionPolicy, 5 a second; ECS's task definition bucket, 1 a
	// second after 20): they are ensured at once, and both before RunTask.
	logGroup := make(chan error, 1)
	go func() {
		if !d.DefaultLogGroup {
			logGroup <- nil
			return
		}
		created, err := EnsureLogGroup(ctx, c.Logs, d.LogGroup, in.Derive.LogRetentionDays)
		if created {
			log.Info("created the migration's log group", map[string]any{"log_group": d.LogGroup})
		}
		logGroup <- err
	}()
	log.Info("migration image", map[string]any{"image": d.Image, "from": imageSource})
	arn, registered, err := EnsureTaskDefinition(ctx, c.ECS, t, d)
	lgErr := <-logGroup
	if err != nil {
		return nil, err
	}
	if lgErr != nil {
		return nil, lgErr
	}
	log.Info("migration task definition", map[string]any{"task_definition": arn, "registered": registered, "source": aws.ToString(t.SourceTaskDefinition.TaskDefinitionArn)})
	r, err := Run(ctx, c, t, d, arn, in, log)
	if r != nil {
		r.ImageSource = imageSource
		r.ValuesInRevision = d.ValuesInRevision
		r.Warnings = append(warnings, r.Warnings...)
	}
	if err == nil && in.KeepRevisions > 0 {
		r.Deregistered, r.PruneError = PruneRevisions(ctx, c.ECS, aws.ToString(d.Input.Family), in.KeepRevisions, arn)
		if len(r.Deregistered) > 0 {
			log.Info("deregistered old migration task definitions", map[string]any{"task_definitions": r.Deregistered})
		}
	}
	return r, err
}

// recentlyDescribed is how old a description of the environment may be for
// a migration to start on it without describing it again (the re-plan just
// before it, in the same provider process).
const recentlyDescribed = time.Second

// deployInProgress are the statuses in which Elastic Beanstalk is still
// changing the environment (botocore elasticbeanstalk EnvironmentStatus).
var deployInProgress = map[ebtypes.EnvironmentStatus]bool{
	ebtypes.EnvironmentStatusLaunching:   true,
	ebtypes.EnvironmentStatusUpdating:    true,
	ebtypes.EnvironmentStatusAborting:    true,
	ebtypes.EnvironmentStatusLinkingFrom: true,
	ebtypes.EnvironmentStatusLinkingTo:   true,
}

// waitEnvironmentReady waits while a deploy is in progress and returns the
// environment's last description (nil when there is no such environment);
// other states are left to discovery to judge. Elastic Beanstalk is read no
// faster than every poll.EB, with jitter.
func waitEnvironmentReady(ctx context.Context, eb EB, name string, poll PollSchedule, log Logger) (*ebtypes.EnvironmentDescription, error) {
	// The apply's re-plan described the environment just before: a second
	// read within a second would only queue behind fifty re-plans' reads of
	// Elastic Beanstalk's shared bucket.
	if env, ok := recentEnvironment(eb, name, recentlyDescribed); ok && !deployInProgress[env.Status] {
		return env, nil
	}
	for {
		env, err := DescribeEnvironment(ctx, eb, name)
		if err != nil || env == nil {
			return nil, err
		}
		if !deployInProgress[env.Status] {
			return env, nil
		}
		log.Info("waiting for the environment to be Ready", map[string]any{"environment": name, "status": string(env.Status)})
		if !sleep(ctx, jitter(poll.EB)) {
			return nil, &InterruptedError{Environment: name, Waiting: fmt.Sprintf("for the environment to leave status %s", env.Status), Cause: ctx.Err()}
		}
	}
}

func taskIDOf(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

// runTaskKnown calls RunTask, retrying for poll.RegisterFor while ECS does not
// know the task definition yet: a revision just registered may be unknown
// to RunTask for a moment (ClientException). Each call gets a clientToken of
// its own, set once so that the SDK's retries of that call (a response lost
// in transit) carry it and ECS starts one task for them; a call ECS refused
// started no task, and a new token keeps ECS from answering the next call
// with the refusal it may have kept under the old one.
func runTaskKnown(ctx context.Context, api ECS, in *ecs.RunTaskInput, poll PollSchedule) (*ecs.RunTaskOutput, error) {
	start := time.Now()
	for {
		in.ClientToken = aws.String(newClientToken())
		out, err := api.RunTask(ctx, in)
		if !unknownTaskDefinition(err) || time.Since(start) > poll.RegisterFor {
			return out, err
		}
		// ECS learns a new revision within a second or so: ask again at
		// the fast poll rather than back off past the moment it is known
		// (a doubling interval started the task up to half a second late
		// once the revision was known). After the first few seconds, back off.
		interval := poll.Fast
		if since := time.Since(start); since > poll.FastFor/2 {
			interval = min(max(since/4, poll.Fast), poll.Max)
		}
		if !sleep(ctx, interval) {
			return nil, err
		}
	}
}

// unknownTaskDefinition is ECS's ClientException for a task definition it
// does not know (yet): "Unable to describe task definition."
// (DescribeTaskDefinition; quoted in hashicorp/terraform-provider-aws#29749)
// or "TaskDefinition not found." (the scheduler's answer right after a
// registration, remind101/empire#353). Only that answer may be eventual
// consistency; ECS's other refusals of a known definition ("TaskDefinition
// is inactive", "Task definition does not support launch_type FARGATE", …)
// stand, and asking again for a minute would only delay the failure.
func unknownTaskDefinition(err error) bool {
	var ce *ecstypes.ClientException
	if !errors.As(err, &ce) {
		return false
	}
	msg := strings.ToLower(strings.TrimSpace(ce.ErrorMessage()))
	return strings.HasPrefix(msg, "unable to describe task definition") || strings.HasPrefix(msg, "taskdefinition not found")
}

func placementProblem(t *Target, failures []ecstypes.Failure, placement Placement) error {
	var reasons []string
	advice := "Free capacity in the cluster, or run the migration on another cluster (task.cluster)."
	for _, f := range failures {
		r := aws.ToString(f.Reason)
		reasons = append(reasons, fmt.Sprintf("%s (%s)", r, aws.ToString(f.Arn)))
		switch {
		case strings.HasPrefix(r, "RESOURCE:MEMORY"), strings.HasPrefix(r, "RESOURCE:CPU"):
			advice = "No container instance has enough free memory or CPU: give the migration container less memory or CPU (container.memory_reservation, container.memory, container.cpu), add capacity, or run it on another cluster (task.cluster)."
		case strings.HasPrefix(r, "RESOURCE:PORTS"):
			advice = "The task needs a host port that is already taken on every instance."
		case strings.HasPrefix(r, "MemberOf placement constraint unsatisfied"):
			advice = memberOfAdvice(t, placement)
		case strings.HasPrefix(r, "DistinctInstance placement constraint unsatisfied"):
			advice = "Every container instance already runs a task of the migration's group, and task.placement_constraints has distinctInstance: remove it, or add capacity."
		case strings.HasPrefix(r, "AGENT"):
			advice = "The ECS agent on the instances is not connected: check the instances' health in the ECS console."
		}
	}
	return problem("Migration Task Not Placed",
		"ECS could not place the migration task for environment %q on cluster %s: %s. %s",
		t.EnvironmentName, t.ClusterArn, strings.Join(reasons, "; "), advice)
}

// InterruptedError is a wait cut short by a timeout or cancellation.
type InterruptedError struct {
	Environment string
	// TaskArn is the migration task that was left running ("" if none was started).
	TaskArn    string
	LastStatus string
	// Waiting says what was being waited for, when it was not our task.
	Waiting string
	// Stopped is true when the task was stopped (task.stop_on_timeout).
	Stopped bool
	// Unchecked says why the task's start could not be checked, and what
	// to do, when ECS never showed it started (start_proof.go).
	Unchecked string
	Cause     error
}

// TimedOut tells a timeout from a cancellation.
func (e *InterruptedError) TimedOut() bool { return errors.Is(e.Cause, context.DeadlineExceeded) }

func (e *InterruptedError) Error() string {
	msg := e.message()
	if e.Unchecked != "" {
		msg += fmt.Sprintf(". It was not shown started, and was waited for rather than stopped because whether it started cannot be checked: %s", e.Unchecked)
	}
	return msg
}

func (e *InterruptedError) message() string {
	what := "was cancelled"
	if e.TimedOut() {
		what = "timed out"
	}
	switch {
	case e.Waiting != "":
		return fmt.Sprintf("waiting %s in environment %q %s (last status %s)", e.Waiting, e.Environment, what, orNone(e.LastStatus))
	case e.Stopped:
		return fmt.Sprintf("waiting for migration task %s of environment %q %s (last status %s); the task was stopped (StopTask), as task.stop_on_timeout asks. The next apply runs the migration again",
			e.TaskArn, e.Environment, what, orNone(e.LastStatus))
	}
	return fmt.Sprintf("waiting for migration task %s of environment %q %s (last status %s); the task was left running. The next apply waits for it instead of starting another, and records its result when it is the same run",
		e.TaskArn, e.Environment, what, orNone(e.LastStatus))
}

func (e *InterruptedError) Unwrap() error { return e.Cause }
