package localaws_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// How a container's lines, and any other writer's events, become readable
// (logs_driver.go, logs_put.go, logs_read.go), through the SDK's client.

// delivery sets the delays; the ingestion tail is no longer than the usual
// delays, so that the times these tests assert hold for every call
// (TestIngestDelayHeavyTail tests the tail).
func delivery(ingestMS, batchMS int) func(*localaws.Seed) {
	return func(s *localaws.Seed) {
		s.Consistency = localaws.Consistency{ListLagMS: 50, RegisterLagMS: 50, LogIngestDelayMS: ingestMS, LogIngestTailMS: ingestMS, LogBatchMS: batchMS, EmptyLogPages: 0.01}
	}
}

// headRead reads a whole stream from its head, once.
func headRead(c clients, t *testing.T, stream string) []string {
	t.Helper()
	var got []string
	var token *string
	for {
		out, err := c.logs.GetLogEvents(ctx(t), &cloudwatchlogs.GetLogEventsInput{
			LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamName: aws.String(stream), StartFromHead: aws.Bool(true), NextToken: token,
		})
		if err != nil {
			t.Fatalf("GetLogEvents %s: %v", stream, err)
		}
		for _, e := range out.Events {
			got = append(got, aws.ToString(e.Message))
		}
		if aws.ToString(out.NextForwardToken) == aws.ToString(token) {
			return got
		}
		token = out.NextForwardToken
	}
}

// Two PutLogEvents calls on one stream become readable each after a delay
// of its own: in some streams the later call shows first. A reader that
// went on from a token past it never sees the earlier event; a read from
// the head does. Every event is readable within log_ingest_delay_ms.
func TestPutLogEventsCallsReadableInNoOrder(t *testing.T) {
	c := world(t, delivery(600, 300), func(s *localaws.Seed) {
		// Twenty readers polling at once, over GetLogEvents' 25 a second.
		s.Quotas = &localaws.QuotaSeed{Buckets: map[string]localaws.Quota{"logs:GetLogEvents": {Burst: 2000, Rate: 2000}}}
	})
	const streams = 20
	put := func(stream, msg string, ts time.Time) {
		if _, err := putEvents(c, t, stream, event(ts, msg)); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	laterFirst := map[string]*string{} // stream -> forward token after "later"
	var wg sync.WaitGroup
	for i := range streams {
		stream := fmt.Sprintf("s%d", i)
		if _, err := c.logs.CreateLogStream(ctx(t), &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamName: aws.String(stream)}); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			put(stream, "earlier", time.Now().Add(-time.Second))
			put(stream, "later", time.Now())
			accepted := time.Now()
			for time.Since(accepted) < 700*time.Millisecond {
				out, err := c.logs.GetLogEvents(ctx(t), &cloudwatchlogs.GetLogEventsInput{
					LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamName: aws.String(stream), StartFromHead: aws.Bool(true), Limit: aws.Int32(10),
				})
				if err == nil && len(out.Events) == 1 && aws.ToString(out.Events[0].Message) == "later" {
					mu.Lock()
					laterFirst[stream] = out.NextForwardToken
					mu.Unlock()
					return
				}
				time.Sleep(15 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	if len(laterFirst) == 0 {
		t.Fatalf("in none of %d streams was the later call readable before the earlier one", streams)
	}
	time.Sleep(700 * time.Millisecond) // every call readable by now
	for i := range streams {
		stream := fmt.Sprintf("s%d", i)
		if got := headRead(c, t, stream); strings.Join(got, ",") != "earlier,later" {
			t.Errorf("%s from the head after log_ingest_delay_ms: %q", stream, got)
		}
	}
	for stream, token := range laterFirst {
		out, err := c.logs.GetLogEvents(ctx(t), &cloudwatchlogs.GetLogEventsInput{
			LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamName: aws.String(stream), StartFromHead: aws.Bool(true), NextToken: token,
		})
		if err != nil || len(out.Events) != 0 || aws.ToString(out.NextForwardToken) != aws.ToString(token) {
			t.Errorf("%s: going on from the token past \"later\": %v %+v, want no event and the same token", stream, err, out)
		}
	}
	t.Logf("the later call showed first in %d of %d streams", len(laterFirst), streams)
}

// A blocking driver sends a line printed as the container starts at its
// first tick, log_batch_ms later, not at once; on EC2, closing the driver sends
// the last batch as the container exits, and ECS may show the task STOPPED
// before CloudWatch shows it.
func TestDriverBatchesLinesOnEC2(t *testing.T) {
	c := world(t, delivery(500, 1000), func(s *localaws.Seed) { s.Timing.DeprovisioningMS = 1 })
	// Blocking: the ticker starts with the container, not with a
	// non-blocking stream's later creation (logs_mode.go).
	td := c.registerLogged(t, localaws.FixtureLogGroup, "blocking", "sh", "-c", "echo first; sleep 1.5; echo last")
	arn := aws.ToString(c.runTask(t, td).TaskArn)
	stopped := c.waitStopped(t, arn)
	stream := "migrate/web/" + taskID(arn)
	if got := headRead(c, t, stream); len(got) == 2 {
		t.Errorf("right after STOPPED every line was readable (%q): the last batch showed no later than STOPPED", got)
	}
	events, _ := c.readLog(t, stream, 2)
	first, last := events[0], events[1]
	if d := aws.ToInt64(first.IngestionTime) - aws.ToInt64(first.Timestamp); d < 900 || d > 1200 {
		t.Errorf("the first line went %d ms after it was printed, want at the driver's first tick (1000 ms)", d)
	}
	stoppedAt := aws.ToTime(stopped.StoppedAt).UnixMilli()
	if d := aws.ToInt64(last.IngestionTime) - aws.ToInt64(last.Timestamp); d > 300 || aws.ToInt64(last.IngestionTime) > stoppedAt+50 {
		t.Errorf("the last line went %d ms after it was printed (accepted at %d, STOPPED at %d), want as the driver closed at exit", d, aws.ToInt64(last.IngestionTime), stoppedAt)
	}
}

// On Fargate the shim logger never closes the driver: the last batch goes
// at the driver's next tick, after the container exited, and shows after
// the task is STOPPED. A line longer than 262,118 bytes (the buffer the
// shim reads lines into, moby's maximumBytesPerEvent) is two events.
func TestFargateLastBatchAfterStopped(t *testing.T) {
	c := world(t, delivery(100, 1500), func(s *localaws.Seed) { s.Timing.DeprovisioningMS = 1 })
	c = withLogRetries(c) // the long line's page: aws/aws-sdk-go-v2#1825
	td := c.registerFargate(t, "fargate-printer", nil, "echo Traceback; head -c 300000 /dev/zero | tr '\\0' x; echo; echo boom; exit 1")
	arn := aws.ToString(c.runFargate(t, td).TaskArn)
	stopped := c.waitStopped(t, arn)
	stream := "migrate/web/" + taskID(arn)
	if got := headRead(c, t, stream); len(got) != 0 {
		t.Errorf("right after STOPPED: %d events, want the last batch still in the shim logger", len(got))
	}
	events, _ := c.readLog(t, stream, 4)
	stoppedAt := aws.ToTime(stopped.StoppedAt).UnixMilli()
	if at := aws.ToInt64(events[3].IngestionTime); at <= stoppedAt {
		t.Errorf("the last batch was accepted at %d, not after STOPPED (%d)", at, stoppedAt)
	}
	const most = 262144 - 26
	if len(events) != 4 || len(aws.ToString(events[1].Message)) != most || len(aws.ToString(events[2].Message)) != 300000-most {
		t.Errorf("%d events, the long line's pieces %d and %d bytes, want %d and %d", len(events), len(aws.ToString(events[1].Message)), len(aws.ToString(events[2].Message)), most, 300000-most)
	}
}

// withLogRetries gives c a Logs client with the SDK's standard retries: the
// SDK closes a request's body as its response comes, and with a large page
// answered at once over loopback the transport now and then closes the
// connection under it ("use of closed network connection",
// aws/aws-sdk-go-v2#1825), which the SDK retries.
func withLogRetries(c clients) clients {
	c.logs = cloudwatchlogs.NewFromConfig(aws.Config{
		Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 3,
	}, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = aws.String(c.srv.URL()) })
	return c
}

// registerFargate registers a Fargate task definition whose container runs
// script under sh, logging with the given awslogs options besides group,
// region and prefix.
func (c clients) registerFargate(t *testing.T, family string, options map[string]string, script string) string {
	t.Helper()
	// Blocking, as the provider derives it: these tests are about delivery
	// once the stream exists (logs_mode.go).
	opts := map[string]string{"awslogs-group": localaws.FixtureLogGroup, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "migrate", "mode": "blocking"}
	for k, v := range options {
		opts[k] = v
	}
	out, err := c.ecs.RegisterTaskDefinition(ctx(t), &ecs.RegisterTaskDefinitionInput{
		Family: aws.String(family), RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		NetworkMode: ecstypes.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
		ExecutionRoleArn: aws.String("arn:aws:iam::123456789012:role/exec"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name: aws.String("web"), Image: aws.String("example/app:v1"), Essential: aws.Bool(true),
			Command:          []string{"sh", "-c", script},
			LogConfiguration: &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: opts},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	td := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	c.waitKnown(t, td)
	return td
}

// runFargate runs a Fargate task definition.
func (c clients) runFargate(t *testing.T, td string) ecstypes.Task {
	t.Helper()
	return c.runTask(t, td, func(in *ecs.RunTaskInput) {
		in.LaunchType = ecstypes.LaunchTypeFargate
		in.NetworkConfiguration = &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{"subnet-0aaa1111"}}}
	})
}

// awslogs-multiline-pattern joins lines into one event until a line
// matches; an empty line outside it is no event at all.
func TestDriverJoinsMultilineAndDropsEmptyLines(t *testing.T) {
	c := world(t, delivery(50, 200))
	run := func(family string, options map[string]string, script string) []string {
		t.Helper()
		opts := map[string]string{"awslogs-group": localaws.FixtureLogGroup, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "migrate"}
		for k, v := range options {
			opts[k] = v
		}
		out, err := c.ecs.RegisterTaskDefinition(ctx(t), &ecs.RegisterTaskDefinitionInput{
			Family: aws.String(family),
			ContainerDefinitions: []ecstypes.ContainerDefinition{{
				Name: aws.String("web"), Image: aws.String("example/app:v1"), Essential: aws.Bool(true), Memory: aws.Int32(256),
				Command:          []string{"sh", "-c", script},
				LogConfiguration: &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: opts},
			}},
		})
		if err != nil {
			t.Fatal(err)
		}
		td := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
		c.waitKnown(t, td)
		arn := aws.ToString(c.runTask(t, td).TaskArn)
		c.waitStopped(t, arn)
		time.Sleep(100 * time.Millisecond)
		events, _ := c.readLog(t, "migrate/web/"+taskID(arn), 1)
		var got []string
		for _, e := range events {
			got = append(got, aws.ToString(e.Message))
		}
		return got
	}
	got := run("multiline", map[string]string{"awslogs-multiline-pattern": `^\[`}, `printf '[1] Traceback\n  File "x"\nError\n[2] next\n'`)
	if want := []string{"[1] Traceback\n  File \"x\"\nError\n", "[2] next\n"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("multiline events = %q, want %q", got, want)
	}
	got = run("plain", nil, `printf 'one\n\ntwo\n'`)
	if strings.Join(got, "|") != "one|two" {
		t.Errorf("events = %q, want the empty line dropped", got)
	}
}

// A backward read without a token returns the newest readable events, and
// its backward token pages on towards the head.
func TestGetLogEventsBackward(t *testing.T) {
	c := world(t, delivery(50, 200))
	if _, err := c.logs.CreateLogStream(ctx(t), &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamName: aws.String("b")}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var batch []logtypes.InputLogEvent
	for i := range 5 {
		batch = append(batch, event(now.Add(time.Duration(i)*time.Millisecond), fmt.Sprint(i)))
	}
	if _, err := putEvents(c, t, "b", batch...); err != nil {
		t.Fatal(err)
	}
	c.readLog(t, "b", 5)
	in := &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamName: aws.String("b"), Limit: aws.Int32(2)}
	var pages []string
	for range 4 {
		out, err := c.logs.GetLogEvents(ctx(t), in)
		if err != nil {
			t.Fatal(err)
		}
		var page []string
		for _, e := range out.Events {
			page = append(page, aws.ToString(e.Message))
		}
		pages = append(pages, strings.Join(page, ","))
		if aws.ToString(out.NextBackwardToken) == aws.ToString(in.NextToken) {
			break
		}
		in.NextToken = out.NextBackwardToken
	}
	if got := strings.Join(pages, "|"); got != "3,4|1,2|0|" {
		t.Errorf("backward pages = %q, want 3,4|1,2|0| (the last: the same token back)", got)
	}
}
