package localaws_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// registerLogged registers a one-container definition logging to group
// with the given awslogs mode ("" leaves it to the default).
func (c clients) registerLogged(t *testing.T, group, mode string, argv ...string) string {
	t.Helper()
	opts := map[string]string{"awslogs-group": group, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "migrate"}
	if mode != "" {
		opts["mode"] = mode
	}
	out, err := c.ecs.RegisterTaskDefinition(ctx(t), &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("migrate-" + mode),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name: aws.String("web"), Image: aws.String("example/app:v1"), Essential: aws.Bool(true), Memory: aws.Int32(256), Command: argv,
			LogConfiguration: &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: opts},
		}},
	})
	if err != nil {
		t.Fatalf("RegisterTaskDefinition: %v", err)
	}
	arn := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	c.waitKnown(t, arn)
	return arn
}

func waitFile(t *testing.T, path string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the process never started")
		}
	}
}

func (c clients) streamExists(t *testing.T, stream string) bool {
	t.Helper()
	_, err := c.logs.GetLogEvents(ctx(t), &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamName: aws.String(stream), Limit: aws.Int32(1)})
	if err != nil && errCode(err) != "ResourceNotFoundException" {
		t.Fatalf("GetLogEvents: %v", err)
	}
	return err == nil
}

// An awslogs container without "mode" is non-blocking (ECS's default since
// June 2025): its process runs before its log stream exists, the stream
// comes later, and the lines printed meanwhile reach it then. With "mode":
// "blocking" the stream exists before the process starts.
func TestNonBlockingStreamCreatedAfterStart(t *testing.T) {
	t.Parallel()
	c := world(t, func(s *localaws.Seed) {
		s.Timing.StreamCreateLagMS, s.Timing.StreamCreateJitterMS = 600, 1
		s.Timing.StartReportLagMS, s.Timing.StartReportJitterMS = 50, 1
	})
	for _, mode := range []string{"", "blocking"} {
		marker := filepath.Join(t.TempDir(), "started")
		td := c.registerLogged(t, localaws.FixtureLogGroup, mode, "sh", "-c", "touch "+marker+"; echo early; sleep 1")
		arn := aws.ToString(c.runTask(t, td).TaskArn)
		stream := "migrate/web/" + taskID(arn)
		waitFile(t, marker)
		exists := c.streamExists(t, stream)
		if mode == "" && exists {
			t.Errorf("non-blocking: the stream exists as the process starts; want it created about 600 ms later")
		}
		if mode == "blocking" && !exists {
			t.Errorf("blocking: no stream as the process starts; want it created before")
		}
		if events, _ := c.readLog(t, stream, 1); len(events) != 1 || aws.ToString(events[0].Message) != "early" {
			t.Errorf("mode %q: events %v, want the line printed before the stream existed", mode, events)
		}
		if st := c.waitStopped(t, arn); st.StartedAt == nil || st.Containers[0].ExitCode == nil || *st.Containers[0].ExitCode != 0 {
			t.Errorf("mode %q: stopped %s, exit %v", mode, aws.ToString(st.StoppedReason), st.Containers[0].ExitCode)
		}
	}
}

// A log group that does not exist fails a blocking container's start
// (ResourceInitializationError); a non-blocking one runs regardless, with
// no stream at all.
func TestNonBlockingRunsWithoutItsGroup(t *testing.T) {
	t.Parallel()
	c := world(t, func(s *localaws.Seed) { s.Timing.StreamCreateLagMS, s.Timing.StreamCreateJitterMS = 50, 1 })
	for _, mode := range []string{"non-blocking", "blocking"} {
		td := c.registerLogged(t, "/no/such/group", mode, "sh", "-c", "echo lost")
		st := c.waitStopped(t, aws.ToString(c.runTask(t, td).TaskArn))
		ran := st.StartedAt != nil && st.Containers[0].ExitCode != nil && *st.Containers[0].ExitCode == 0
		if mode == "blocking" && (ran || st.StopCode != ecstypes.TaskStopCodeTaskFailedToStart) {
			t.Errorf("blocking: stop code %s, reason %s; want TaskFailedToStart", st.StopCode, aws.ToString(st.StoppedReason))
		}
		if mode == "non-blocking" && !ran {
			t.Errorf("non-blocking: stop code %s, reason %s; want it run to exit 0", st.StopCode, aws.ToString(st.StoppedReason))
		}
	}
	if _, err := c.logs.DescribeLogStreams(ctx(t), &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/no/such/group")}); errCode(err) != "ResourceNotFoundException" {
		t.Errorf("DescribeLogStreams of the missing group: %v; want ResourceNotFoundException", err)
	}
}
