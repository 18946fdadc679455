package ebmigrate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// attachRecorded attaches to the task a running lock of this run (on this
// cluster) records: an earlier apply of the run was interrupted or killed,
// or one runs at the same time. errReadAgain with v.stale: there is nothing
// to attach to; take the lock over. A task that already stopped without
// succeeding (it failed, or never started) is not attached to: the run
// starts anew, as a re-apply after a failure does; nor is one ECS no longer
// shows (forgotten: whether it ran is not known).
//
// A starting lock of this run is waited for like any other (lock_wait.go):
// its holder may live and still change its clientToken after a refusal, so
// only an apply that holds the lock may use the token (protocol.go, fence).
func (m *migration) attachRecorded(ctx context.Context, snap snapshot) (verdict, *Result, error) {
	arn := snap.rec.TaskArn
	out, err := m.c.ECS.DescribeTasks(urgent(ctx), &ecs.DescribeTasksInput{Cluster: aws.String(snap.rec.Cluster), Tasks: []string{arn}})
	if err != nil {
		return verdict{}, nil, fmt.Errorf("describing migration task %s, which the migration lock %s records: %w", arn, m.obj.where(), err)
	}
	if len(out.Tasks) == 0 && forgottenBy(snap.modified) {
		m.log.Info("ECS no longer shows the same run's task, recorded over an hour ago; running the migration again", map[string]any{"task": arn})
		return verdict{stale: true, snap: snap}, nil, errReadAgain
	}
	if len(out.Tasks) == 1 && aws.ToString(out.Tasks[0].LastStatus) == "STOPPED" &&
		!Classify(out.Tasks[0], aws.ToString(m.d.Input.ContainerDefinitions[0].Name)).Success() {
		m.log.Info("the same run's task stopped without succeeding; running the migration again", map[string]any{"task": arn})
		return verdict{stale: true, snap: snap}, nil, errReadAgain
	}
	m.log.Info("attaching to the running migration task of the same run", map[string]any{"task": arn})
	r, err := m.watchAndRelease(ctx, heldFrom(m.obj, snap, m.log), arn, true)
	var ee *EngineError
	if errors.As(err, &ee) && ee.Summary == missingSummary {
		return verdict{stale: true, snap: snap}, nil, errReadAgain
	}
	return verdict{}, r, err
}

// forgottenBy: a task recorded at modified (S3's clock) that ECS does not
// show can no longer be one ECS has yet to show: ECS shows stopped tasks
// "for at least 1 hour" (botocore ecs DescribeTasks), and a new one within
// minutes. Five minutes allow for the clocks' skew.
func forgottenBy(modified time.Time) bool {
	return !modified.IsZero() && time.Since(modified) > 65*time.Minute
}
