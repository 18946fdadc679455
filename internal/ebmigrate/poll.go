package ebmigrate

import (
	"context"
	"fmt"
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

// pollTask reads a task on the schedule until visit returns true or ctx is
// done. A task MISSING for longer than MissingFor, or MaxErrors failed reads
// in a row, end it with an error; shorter spells are waited out. lastStatus
// is the task's last status seen, for an interrupted wait's message.
func pollTask(ctx context.Context, api ECS, cluster, taskArn string, poll PollSchedule, log Logger, visit func(ecstypes.Task) bool) (lastStatus string, err error) {
	start := time.Now()
	interval := poll.Fast
	errorsInARow := 0
	for {
		out, err := api.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: []string{taskArn}})
		switch {
		case err != nil && ctx.Err() != nil:
			return lastStatus, ctx.Err()
		case err != nil:
			errorsInARow++
			log.Info("reading the migration task failed; will try again", map[string]any{"task": taskArn, "error": err.Error()})
			if errorsInARow >= poll.MaxErrors {
				return lastStatus, fmt.Errorf("reading migration task %s failed %d times in a row: %w", taskArn, errorsInARow, err)
			}
		case len(out.Tasks) == 0:
			errorsInARow = 0
			if time.Since(start) > poll.MissingFor {
				return lastStatus, fmt.Errorf("ECS has not known migration task %s for %s after it was started (DescribeTasks says MISSING); look for it in the ECS console before applying again", taskArn, poll.MissingFor)
			}
		default:
			errorsInARow = 0
			task := out.Tasks[0]
			if s := aws.ToString(task.LastStatus); s != lastStatus {
				lastStatus = s
				log.Info("migration task status", map[string]any{"task": taskArn, "status": s})
			}
			if visit(task) {
				return lastStatus, nil
			}
		}
		interval = poll.Interval(time.Since(start), interval)
		if !sleep(ctx, interval) {
			return lastStatus, ctx.Err()
		}
	}
}
