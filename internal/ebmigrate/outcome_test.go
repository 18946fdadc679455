package ebmigrate_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

func TestClassify(t *testing.T) {
	task := func(stop ecstypes.TaskStopCode, reason string, exit *int32, ctrReason string) ecstypes.Task {
		return ecstypes.Task{StopCode: stop, StoppedReason: aws.String(reason), Containers: []ecstypes.Container{
			{Name: aws.String("web"), ExitCode: exit, Reason: aws.String(ctrReason)},
			{Name: aws.String("sidecar"), ExitCode: aws.Int32(0)},
		}}
	}
	exited := ecstypes.TaskStopCodeEssentialContainerExited
	cases := []struct {
		name      string
		task      ecstypes.Task
		container string
		want      ebmigrate.OutcomeKind
	}{
		{"exit 0", task(exited, "Essential container in task exited", aws.Int32(0), ""), "web", ebmigrate.Succeeded},
		{"exit 3", task(exited, "Essential container in task exited", aws.Int32(3), ""), "web", ebmigrate.NonZeroExit},
		{"exit 137 without OOM", task(exited, "Essential container in task exited", aws.Int32(137), ""), "web", ebmigrate.NonZeroExit},
		{"oom", task(exited, "Essential container in task exited", aws.Int32(137), "OutOfMemoryError: Container killed due to memory usage"), "web", ebmigrate.OutOfMemory},
		{"no exit code", task(exited, "Essential container in task exited", nil, ""), "web", ebmigrate.NoExitCode},
		{"failed to start", task(ecstypes.TaskStopCodeTaskFailedToStart, "ResourceInitializationError: unable to pull secrets", nil, ""), "web", ebmigrate.FailedToStart},
		{"pull error", task(ecstypes.TaskStopCodeTaskFailedToStart, "CannotPullContainerError: pull image manifest has been retried", nil, ""), "web", ebmigrate.PullError},
		{"stopped by user, exit 0", task(ecstypes.TaskStopCodeUserInitiated, "Task stopped by user", aws.Int32(0), ""), "web", ebmigrate.Interrupted},
		{"spot", task(ecstypes.TaskStopCodeSpotInterruption, "Your Spot Task was interrupted.", aws.Int32(143), ""), "web", ebmigrate.Interrupted},
		{"infrastructure health, exit 143", task(ecstypes.TaskStopCodeInfrastructureHealth, "Task stopped due to infrastructure health", aws.Int32(143), ""), "web", ebmigrate.Interrupted},
		{"container missing from task", task(exited, "Essential container in task exited", aws.Int32(0), ""), "migrate", ebmigrate.NoExitCode},
		{"empty task", ecstypes.Task{}, "web", ebmigrate.NoExitCode},
	}
	for _, tc := range cases {
		got := ebmigrate.Classify(tc.task, tc.container)
		if got.Kind != tc.want {
			t.Errorf("%s: kind = %s, want %s", tc.name, got.Kind, tc.want)
		}
		if got.Success() != (tc.want == ebmigrate.Succeeded) {
			t.Errorf("%s: Success() = %v", tc.name, got.Success())
		}
		if !got.Success() && (got.Describe() == "" || got.Hint() == "") {
			t.Errorf("%s: a failure without description or hint", tc.name)
		}
	}
}
