package ebmigrate

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
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
	var missingSince, running, notSeen time.Time
	lastRead := snap.readAt
	stopAsked, said, lastStatus := false, "", ""
	for {
		out, err := m.c.ECS.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(rec.Cluster), Tasks: []string{rec.TaskArn}})
		switch {
		case err != nil && ctx.Err() != nil:
			return verdict{}, m.interruptedWaiting(ctx, rec, lastStatus, said)
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
			lastStatus = aws.ToString(task.LastStatus)
			if aws.ToString(task.LastStatus) == "STOPPED" {
				return verdict{stale: true, snap: snap}, nil
			}
			if running.IsZero() && task.StartedAt != nil {
				running = time.Now()
			}
			if notSeen.IsZero() && task.StartedAt == nil {
				notSeen = time.Now()
			}
			if !stopAsked && task.StartedAt == nil && m.neverStarted(ctx, rec, task, notSeen, &said) {
				stopAsked = true
				timeout, _ := rec.startTimeout()
				m.log.Info("the migration task that holds the lock never started within its apply's task.start_timeout, and its log stream does not exist; stopping it", map[string]any{"task": rec.TaskArn, "start_timeout": timeout.String()})
				if _, err := stopTask(m.c, rec.Cluster, rec.TaskArn, startTimeoutReason(timeout)); err != nil {
					return verdict{}, fmt.Errorf("stopping migration task %s, which holds the migration lock and did not start within its apply's task.start_timeout (%s): %w", rec.TaskArn, timeout, err)
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
			return verdict{}, m.interruptedWaiting(ctx, rec, lastStatus, said)
		}
	}
}

// neverStarted tells whether the holder's task, not shown started, never
// will: judged by its holder's task.start_timeout (recorded in the lock),
// counted from ECS's createdAt and, against a clock ahead of ECS's, from
// when this waiter first saw it not started (notSeen); and only when its
// container's log stream provably does not exist (ResourceNotFoundException)
// and proves a start (the holder recorded it so: a blocking awslogs driver
// creates it before the container starts, whatever ECS shows yet,
// start_proof.go). A task whose start cannot be checked (no timeout or
// stream recorded: a mode other than blocking, a stream named by its
// runtime ID, an earlier build's record; a read that failed) is not
// stopped: the waiter waits, bounded by its own timeouts, and says so once
// per reason (said).
func (m *migration) neverStarted(ctx context.Context, rec *lockRecord, task ecstypes.Task, notSeen time.Time, said *string) bool {
	if *said == "started" {
		return false
	}
	timeout, ok := rec.startTimeout()
	if ok && (notStartedFor(task) <= timeout || time.Since(notSeen) <= timeout) {
		return false
	}
	loc, named := rec.taskLogs(rec.TaskArn)
	if ok && named {
		exists, known := streamExists(ctx, m.c.Logs, loc)
		switch {
		case exists:
			*said = "started"
			m.log.Info("the task that holds the lock is not shown started yet, but its log stream exists: it started, and is not stopped", map[string]any{"task": rec.TaskArn, "log_stream": loc.Stream})
			return false
		case known:
			return true
		}
		if *said != "retrying" {
			*said = "retrying"
			m.log.Info("could not check whether the log stream of the task that holds the lock exists; checking again before stopping it", map[string]any{"task": rec.TaskArn, "log_stream": loc.Stream})
		}
		return false
	}
	if *said == "" {
		*said = "unknown"
		m.log.Info(fmt.Sprintf("the migration task %s that holds the lock is not shown started (last status %s), and whether it started cannot be checked (%s); waiting for it to stop rather than stopping it; %s",
			rec.TaskArn, orNone(aws.ToString(task.LastStatus)), uncheckableHolder(rec), stopByHand(rec.Cluster, rec.TaskArn)), map[string]any{"task": rec.TaskArn, "last_status": aws.ToString(task.LastStatus)})
	}
	return false
}

// uncheckableHolder is why the start of the holder's task cannot be
// checked, from its record.
func uncheckableHolder(rec *lockRecord) string {
	if _, ok := rec.startTimeout(); !ok {
		return "its apply, of an earlier provider build, recorded no task.start_timeout"
	}
	return "its apply recorded no log stream that proves a start: its container's awslogs mode is not blocking, its stream is named by the container's runtime ID, or the apply is of an earlier provider build"
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
			return verdict{}, m.interruptedWaiting(ctx, snap.rec, "", "")
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

// interruptedWaiting is a wait for the lock's holder that ran out: what it
// waited for, the holder task's last status, and, when its start could not
// be checked (said is "unknown"), why it was not stopped and what to do.
func (m *migration) interruptedWaiting(ctx context.Context, rec *lockRecord, lastStatus, said string) error {
	what := "the migration lock " + m.obj.where() + ", held by "
	if rec.TaskArn != "" {
		what += "migration task " + rec.TaskArn + " of environment " + rec.Environment
	} else {
		what += "an apply of environment " + rec.Environment + " that is starting its migration"
	}
	ie := &InterruptedError{Environment: m.t.EnvironmentName, Waiting: "for " + what + " (ours was not started)", LastStatus: lastStatus, Cause: ctx.Err()}
	if said == "unknown" && lastStatus != "RUNNING" {
		ie.Unchecked = uncheckableHolder(rec) + "; " + stopByHand(rec.Cluster, rec.TaskArn)
	}
	return ie
}
