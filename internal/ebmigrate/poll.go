package ebmigrate

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// PollSchedule is how often the task's status is read: Fast for the first
// FastFor, then every Normal until NormalUntil, then growing by half up to Max.
type PollSchedule struct {
	Fast        time.Duration
	FastFor     time.Duration
	Normal      time.Duration
	NormalUntil time.Duration
	Max         time.Duration
	// MissingFor is how long a task may be MISSING to DescribeTasks after
	// RunTask before that is an error: ECS is eventually consistent, and
	// RunTask's documentation says to keep describing "up to five minutes".
	MissingFor time.Duration
	// MaxErrors is how many polls in a row may fail before the wait gives up.
	MaxErrors int
	// Logs is how often the task's log is read while lines come (apart
	// from its status); LogsQuiet is the longest wait while it is quiet.
	Logs      time.Duration
	LogsQuiet time.Duration
	// LogGrace is how long after the stop a log whose end cannot be proven
	// is read at least (logs_end.go): CloudWatch ingests lines seconds after
	// they are printed, also after the task stopped.
	LogGrace time.Duration
	// LogFlush is the awslogs driver's flush interval (5 s, Docker's
	// default): on Fargate the container's last batch waits for it after the
	// exit, so an unproven log is read that much longer there.
	LogFlush time.Duration
	// LogEndWithin is how long after the stop a proven command's output may
	// take to show whole before it counts as incomplete, and the longest an
	// unproven log is read.
	LogEndWithin time.Duration
	// EB is the least time between two reads of an Elastic Beanstalk
	// environment while waiting for a deploy (a jitter of up to a fifth is
	// added); EB's own tools poll no faster.
	EB time.Duration
	// ListFor is how long, after RunTask, ListTasks may take to list our
	// own task before the guard gives up (ListTasks lags DescribeTasks).
	ListFor time.Duration
	// RegisterFor is how long a just-registered revision may stay unknown
	// to RunTask and DescribeTaskDefinition (ClientException).
	RegisterFor time.Duration
	// LockLease is how long a migration lock that names no task yet may go
	// without its holder renewing it before another apply takes it over
	// (DefaultLockLease; lock.go).
	LockLease time.Duration
	// SourceFor is how long a source task definition ECS does not know is
	// asked for again before it counts as missing. Unlike the engine's own
	// revisions (RegisterFor), it may never have existed (a typo), so the
	// wait is short; but it may also have been registered a moment ago, by
	// an aws_ecs_task_definition in the same apply or by EB's deploy, and
	// ECS learns a new revision after about a second.
	SourceFor time.Duration
}

// DefaultPoll sees a stop within a quarter second for the first 10 s of the
// task's run (within a second before it starts), within a second for the
// first ten minutes (most migrations), and within 5 s after that. Many migrations polling at once share the provider's read bucket
// (PaceClusterReads), so the pace stays under ECS's quota.
var DefaultPoll = PollSchedule{
	Fast: 250 * time.Millisecond, FastFor: 10 * time.Second,
	Normal: time.Second, NormalUntil: 10 * time.Minute,
	Max: 5 * time.Second, MissingFor: 5 * time.Minute, MaxErrors: 10,
	Logs: time.Second, LogsQuiet: 5 * time.Second, LogGrace: 5 * time.Second, LogFlush: 5 * time.Second, LogEndWithin: time.Minute,
	EB: 5 * time.Second, ListFor: 2 * time.Minute, RegisterFor: time.Minute, SourceFor: 5 * time.Second,
	LockLease: DefaultLockLease,
}

func (p PollSchedule) withDefaults() PollSchedule {
	d := DefaultPoll
	set := func(dst *time.Duration, v time.Duration) {
		if v > 0 {
			*dst = v
		}
	}
	set(&d.Fast, p.Fast)
	set(&d.FastFor, p.FastFor)
	set(&d.Normal, p.Normal)
	set(&d.NormalUntil, p.NormalUntil)
	set(&d.Max, p.Max)
	set(&d.MissingFor, p.MissingFor)
	set(&d.Logs, p.Logs)
	set(&d.LogsQuiet, p.LogsQuiet)
	set(&d.LogGrace, p.LogGrace)
	set(&d.LogFlush, p.LogFlush)
	set(&d.LogEndWithin, p.LogEndWithin)
	set(&d.EB, p.EB)
	set(&d.ListFor, p.ListFor)
	set(&d.RegisterFor, p.RegisterFor)
	set(&d.SourceFor, p.SourceFor)
	set(&d.LockLease, p.LockLease)
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

// jitter adds up to a fifth of d, so that applies started together spread out.
func jitter(d time.Duration) time.Duration {
	return d + time.Duration(rand.Int64N(int64(d)/5+1))
}

// sleep waits d or until ctx is done (false).
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// missingSummary is the summary of a task ECS stopped showing.
const missingSummary = "Migration Task Missing"

// pollTask reads a task on the schedule until visit returns true or ctx is
// done. A task MISSING for longer than MissingFor, or MaxErrors failed reads
// in a row, end it with an error; shorter spells are waited out. lastStatus
// is the task's last status seen, for an interrupted wait's message.
func pollTask(ctx context.Context, api ECS, cluster, taskArn string, poll PollSchedule, log Logger, visit func(ecstypes.Task) bool) (lastStatus string, err error) {
	start := time.Now()
	interval := poll.Fast
	errorsInARow := 0
	missing := false
	// The fast phase counts from when the task is first seen RUNNING: while
	// ECS provisions it and pulls its image (seconds) there is no stop to
	// see quickly, and fifty migrations' polls share one read budget.
	var running time.Time
	for {
		out, err := api.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: []string{taskArn}})
		switch {
		case err != nil && ctx.Err() != nil:
			return lastStatus, ctx.Err()
		case err != nil:
			errorsInARow++
			log.Info("reading the migration task failed; will try again", map[string]any{"task": taskArn, "error": err.Error()})
			if errorsInARow >= poll.MaxErrors {
				return lastStatus, engineError(err, "Migration Task Unreadable",
					"Reading migration task %s on cluster %s (DescribeTasks) failed %d times in a row, so the wait gave up; the task itself may still be running. Look at it in the ECS console; the next apply waits for it when it is still running, or runs the migration again when it failed. The last error says what AWS answered.",
					taskArn, cluster, errorsInARow)
			}
		case len(out.Tasks) == 0:
			errorsInARow = 0
			missing = true
			if time.Since(start) > poll.MissingFor {
				// botocore ecs DescribeTasks: "stopped tasks appear in the
				// returned results for at least one hour".
				return lastStatus, engineError(nil, missingSummary,
					"ECS has not shown migration task %s on cluster %s for %s after it was started (DescribeTasks answers MISSING). ECS may have stopped and forgotten it (it forgets stopped tasks after at least an hour), or the cluster may have been deleted or replaced. Look for the task, and its stopped reason, in the ECS console or with `aws ecs describe-tasks`, and at the migration's log; whether the migration ran is not known, so the next apply runs it again.",
					taskArn, cluster, poll.MissingFor)
			}
		default:
			errorsInARow = 0
			missing = false
			task := out.Tasks[0]
			if running.IsZero() && task.StartedAt != nil {
				running = time.Now()
			}
			if s := aws.ToString(task.LastStatus); s != lastStatus {
				lastStatus = s
				log.Info("migration task status", map[string]any{"task": taskArn, "status": s})
			}
			if visit(task) {
				return lastStatus, nil
			}
		}
		switch {
		case missing && time.Since(start) > poll.FastFor:
			// Still not visible: back off, as RunTask's documentation asks
			// (the first seconds stay fast: the guard decides then).
			interval = min(max(interval*2, poll.Fast), poll.Max)
		case missing:
			interval = poll.Fast
		case running.IsZero():
			// Not started yet: a stop before the start (a failed pull, a
			// start timeout) is seen within four fast polls (a second).
			interval = min(poll.Normal, 4*poll.Fast)
		default:
			interval = poll.Interval(time.Since(running), interval)
		}
		if !sleep(ctx, interval) {
			return lastStatus, ctx.Err()
		}
	}
}
