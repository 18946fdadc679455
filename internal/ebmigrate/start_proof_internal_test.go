package ebmigrate

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Only a blocking awslogs stream with a prefix is recorded in the lock as
// proof of a start; any other mode, and a record of an earlier build that
// recorded a prefix whatever the mode, cannot be checked.
func TestStartOfRecordsProofOnlyForBlocking(t *testing.T) {
	const arn = "arn:aws:ecs:us-east-1:123456789012:task/c/abc"
	for mode, proves := range map[string]bool{"blocking": true, "non-blocking": false, "": false} {
		opts := map[string]string{"awslogs-group": "/g", "awslogs-stream-prefix": "ebmigrate"}
		if mode != "" {
			opts["mode"] = mode
		}
		c := ecstypes.ContainerDefinition{Name: aws.String("app"), LogConfiguration: &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: opts}}
		h := startOf(&c, time.Minute)
		loc, ok := h.taskLogs(arn)
		if ok != proves || h.StreamProvesStart != proves || (ok && loc.Stream != "ebmigrate/app/abc") {
			t.Errorf("mode %q: recorded %+v, taskLogs %+v %v; want proof %v", mode, h, loc, ok, proves)
		}
		if !proves && !strings.Contains(uncheckableStart(&c), "non-blocking") {
			t.Errorf("mode %q: reason %q does not name the mode", mode, uncheckableStart(&c))
		}
	}
	earlier := holderStart{StartTimeoutSeconds: 60, LogGroup: "/g", LogStreamPrefix: "ebmigrate/app"}
	if _, ok := earlier.taskLogs(arn); ok {
		t.Error("an earlier build's record, which does not say its mode, was taken as proof of a start")
	}
}

// A wait that ran out on a task whose start could not be checked names the
// task, its last status, why it was not stopped, and what to do.
func TestUncheckedWaitSaysWhatToDo(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	m := &migration{obj: &lockObject{bucket: "b", key: "k"}, t: &Target{EnvironmentName: "prod"}}
	rec := &lockRecord{TaskArn: "arn:aws:ecs:us-east-1:1:task/c/abc", Cluster: "arn:aws:ecs:us-east-1:1:cluster/c", Environment: "prod", holderStart: holderStart{StartTimeoutSeconds: 60}}
	msg := m.interruptedWaiting(ctx, rec, "PENDING", "unknown").Error()
	for _, want := range []string{rec.TaskArn, "last status PENDING", "cannot be checked", "aws ecs stop-task --cluster " + rec.Cluster + " --task " + rec.TaskArn} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}
