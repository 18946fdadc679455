package ebmigrate

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// On Fargate the shim logger's last tick came before the stop only when ECS
// shows the task STOPPED at least a flush interval after its containers
// exited; without both timestamps nothing is known.
func TestFlushedBeforeStop(t *testing.T) {
	exit := time.Unix(1700000000, 0)
	task := func(deprovisioning time.Duration, withExit bool) ecstypes.Task {
		tk := ecstypes.Task{StoppedAt: aws.Time(exit.Add(deprovisioning))}
		if withExit {
			tk.ExecutionStoppedAt = aws.Time(exit)
		}
		return tk
	}
	for _, tc := range []struct {
		task ecstypes.Task
		want bool
	}{
		{task(20*time.Millisecond, true), false},
		{task(5*time.Second, true), true},
		{task(30*time.Second, true), true},
		{task(30*time.Second, false), false},
	} {
		if got := flushedBeforeStop(tc.task, 5*time.Second); got != tc.want {
			t.Errorf("flushedBeforeStop(stoppedAt %v, executionStoppedAt %v) = %v, want %v", tc.task.StoppedAt, tc.task.ExecutionStoppedAt, got, tc.want)
		}
	}
}

// A container with an exit code ran, even when DescribeTasks shows neither
// its runtimeId nor the task's startedAt.
func TestContainerCreated(t *testing.T) {
	if containerCreated(ecstypes.Task{Containers: []ecstypes.Container{{Name: aws.String("web")}}}) {
		t.Error("a container without runtimeId, exit code or startedAt counted as created")
	}
	if !containerCreated(ecstypes.Task{Containers: []ecstypes.Container{{Name: aws.String("web"), ExitCode: aws.Int32(1)}}}) {
		t.Error("a container with an exit code did not count as created")
	}
}

// Reading the tail's lines leaves the proof as the forward reads made it.
func TestLinesOfOnlyReads(t *testing.T) {
	f := &logFollower{proof: newOutputProof(10)}
	got := f.linesOf("ebmigrate:1:first\nebmigrate:end:1\nplain\n")
	if len(got) != 2 || got[0] != "first" || got[1] != "plain" {
		t.Errorf("lines %q, want [first plain]", got)
	}
	if f.proof.ended() || len(f.proof.pieces) != 0 {
		t.Errorf("linesOf changed the proof: ended %v, pieces %v", f.proof.ended(), f.proof.pieces)
	}
}
