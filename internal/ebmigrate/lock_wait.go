package ebmigrate

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// Waiting for the lock's holder (protocol.go): before anything is started,
// until its migration has stopped or the lock is provably stale.

// lockReadEvery is how often a waiter reads the lock while it watches the
// holder's task, to see a release (or a takeover) without waiting for ECS.
const lockReadEvery = time.Second

// verdict is what a wait for the holder found: the lock changed (read it
// again), or the holder is gone and snap may be taken over (If-Match).
type verdict struct {
	stale bool
	snap  snapshot
}

// waitHolder waits for the holder of a held lock, as snap shows it.
func (m *migration) waitHolder(ctx context.Context, snap snapshot) (verdict, error) {
	rec := snap.rec
	// Said once per holder and state: a starting lock's renewals change
	// its ETag every third of a lease, and each change is read anew.
	if seen := rec.Holder + "/" + rec.State + "/" + rec.TaskArn; seen != m.waitingFor {
		m.waitingFor = seen
		m.log.Info("another migration holds the lock; waiting for it before starting anything", map[string]any{
			"lock": m.obj.where(), "state": rec.State, "environment": rec.Environment, "task": rec.TaskArn,
			"operation": rec.Operation, "since": rec.Since.Format(time.RFC3339),
		})
	}
	if rec.State == lockRunning {
		return m.waitTask(ctx, snap)
	}
	return m.waitLease(ctx, snap)
}

// waitTask waits until the holder's task has stopped: the lock then rests
// on nothing, whether its holder released it or died. A task that has not
// started within task.start_timeout of its creation never will: it is stopped
// (StopTask is idempotent here) and then waited for. A task ECS has not
// shown for MissingFor is gone (ECS forgets stopped tasks after an hour).
func (m *migration) waitTask(ctx context.Context, snap snapshot) (verdict, error) {
	rec := snap.rec
	interval, errorsInARow := m.poll.Fast, 0
	var missingSince, running time.Time
	lastRead := snap.readAt
	stopAsked := false
	for {
		out, err := m.c.ECS.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(rec.Cluster), Tasks: []string{rec.TaskArn}})
		switch {
		case err != nil && ctx.Err() != nil:
			return verdict{}, m.interruptedWaiting(ctx, rec, "")
		case err != nil:
			if errorsInARow++; errorsInARow >= m.poll.MaxErrors {
				return verdict{}, fmt.Errorf("reading migration task %s, which holds the migration lock %s: %w", rec.TaskArn, m.obj.where(), err)
			}
		case len(out.Tasks) == 0:
			errorsInARow = 0
			if missingSince.IsZero() {
				missingSince = time.Now()
			}
			if time.Since(missingSince) > m.poll.MissingFor || forgottenBy(snap.modified) {
				m.log.Info("the task that holds the migration lock is not shown by ECS any more; taking the lock over", map[string]any{"task": rec.TaskArn})
				return verdict{stale: true, snap: snap}, nil
			}
		default:
			errorsInARow, missingSince = 0, time.Time{}
			task := out.Tasks[0]
			if aws.ToString(task.LastStatus) == "STOPPED" {
				return verdict{stale: true, snap: snap}, nil
			}
			if running.IsZero() && task.StartedAt != nil {
				running = time.Now()
			}
			if !stopAsked && task.StartedAt == nil && notStartedFor(task) > m.in.startTimeout() {
				stopAsked = true
				started := rec.LogStream != "" && streamExists(ctx, m.c.Logs, LogLocation{Group: rec.LogGroup, Stream: rec.LogStream})
				if started {
					m.log.Info("the task that holds the lock is not shown started yet, but its log stream exists: it started, and is not stopped", map[string]any{"task": rec.TaskArn})
				}
				if !started {
					m.log.Info("the migration task that holds the lock never started within task.start_timeout; stopping it", map[string]any{"task": rec.TaskArn})
					if _, err := stopTask(m.c, rec.Cluster, rec.TaskArn, startTimeoutReason(m.in.startTimeout())); err != nil {
						return verdict{}, fmt.Errorf("stopping migration task %s, which holds the migration lock and did not start within task.start_timeout (%s): %w", rec.TaskArn, m.in.startTimeout(), err)
					}
				}
			}
		}
		if time.Since(lastRead) >= lockReadEvery {
			now, err := m.obj.read(ctx)
			if err != nil {
				return verdict{}, err
			}
			if now.etag != snap.etag {
				return verdict{snap: now}, nil
			}
			lastRead = now.readAt
		}
		if running.IsZero() {
			interval = min(m.poll.Normal, 4*m.poll.Fast)
		} else {
			interval = m.poll.Interval(time.Since(running), interval)
		}
		if !sleep(ctx, min(interval, lockReadEvery)) {
			return verdict{}, m.interruptedWaiting(ctx, rec, "")
		}
	}
}

// waitLease waits on a lock whose holder has not recorded a task: its
// holder renews it every third of its lease while it lives, and sends no
// RunTask later than half a lease after a renewal. The same ETag seen for a
// whole lease, on this process's monotonic clock, from the first read that
// showed it, proves the holder gone.
func (m *migration) waitLease(ctx context.Context, snap snapshot) (verdict, error) {
	lease := snap.rec.lease()
	for {
		if time.Since(snap.readAt) >= lease {
			m.log.Info("the migration lock's holder stopped renewing it before it recorded a task; taking the lock over", map[string]any{
				"lock": m.obj.where(), "holder": snap.rec.Holder, "environment": snap.rec.Environment, "lease": lease.String(),
			})
			return verdict{stale: true, snap: snap}, nil
		}
		if !sleep(ctx, min(lease/4, lockReadEvery)) {
			return verdict{}, m.interruptedWaiting(ctx, snap.rec, "")
		}
		now, err := m.obj.read(ctx)
		if err != nil {
			return verdict{}, err
		}
		if now.etag != snap.etag {
			return verdict{snap: now}, nil
		}
	}
}

func (m *migration) interruptedWaiting(ctx context.Context, rec *lockRecord, lastStatus string) error {
	what := "the migration lock " + m.obj.where() + ", held by "
	if rec.TaskArn != "" {
		what += "migration task " + rec.TaskArn + " of environment " + rec.Environment
	} else {
		what += "an apply of environment " + rec.Environment + " that is starting its migration"
	}
	return &InterruptedError{Environment: m.t.EnvironmentName, Waiting: "for " + what + " (ours was not started)", LastStatus: lastStatus, Cause: ctx.Err()}
}
