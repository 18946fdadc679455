package localaws_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// The awslogs driver's timing rules (logs_driver.go), through the SDK.

// messages are the events' messages.
func messages(events []logtypes.OutputLogEvent) []string {
	var out []string
	for _, e := range events {
		out = append(out, aws.ToString(e.Message))
	}
	return out
}

// With a multiline pattern, a tick sends the joined event only once it is a
// flush interval old, and the lines joined after a tick sent it keep the
// timestamp of the line that opened it: a pattern that matches rarely makes
// events whose timestamps lag their sending more and more.
func TestDriverJoinedEventAgesFromItsOpeningLine(t *testing.T) {
	t.Parallel()
	c := world(t, delivery(50, 200))
	td := c.registerFargate(t, "joined", map[string]string{"awslogs-multiline-pattern": `^\[`}, `echo "[1] start"; for i in 1 2 3 4 5 6 7 8; do sleep 0.1; echo "  step $i"; done; sleep 0.5`)
	arn := aws.ToString(c.runFargate(t, td).TaskArn)
	c.waitStopped(t, arn)
	events, _ := c.readLog(t, "migrate/web/"+taskID(arn), 2)
	if len(events) < 2 {
		t.Fatalf("events %q: want the joined lines sent at two ticks or more", messages(events))
	}
	first := aws.ToInt64(events[0].Timestamp)
	for _, e := range events {
		if aws.ToInt64(e.Timestamp) != first {
			t.Errorf("event %q has timestamp %d, want the opening line's %d", aws.ToString(e.Message), aws.ToInt64(e.Timestamp), first)
		}
		if age := aws.ToInt64(e.IngestionTime) - first; age < 200 {
			t.Errorf("event %q sent %d ms after its timestamp, want at a tick at least the flush interval (200 ms) later", aws.ToString(e.Message), age)
		}
	}
	if got := strings.Join(messages(events), ""); !strings.HasPrefix(got, "[1] start\n  step 1\n") || !strings.HasSuffix(got, "  step 8\n") {
		t.Errorf("joined events %q: want every line, in order", got)
	}
}

// On Fargate the shim logger exits its cleanup time after the container's
// pipes closed, without closing the driver: a joined event younger than the
// flush interval at the last tick before that is lost. Docker on EC2 closes
// the driver, which sends it.
func TestFargateShimExitLosesTheLastJoinedEvent(t *testing.T) {
	t.Parallel()
	c := world(t, delivery(50, 300))
	script := `echo "[1] first"; sleep 0.7; echo "[2] Traceback"; echo "  boom"`
	lost := 0
	const runs = 3
	for i := range runs {
		td := c.registerFargate(t, fmt.Sprintf("shim-exit-%d", i), map[string]string{"awslogs-multiline-pattern": `^\[`}, script)
		arn := aws.ToString(c.runFargate(t, td).TaskArn)
		c.waitStopped(t, arn)
		time.Sleep(800 * time.Millisecond) // past the shim's exit and every ingestion delay
		events, _ := c.readLog(t, "migrate/web/"+taskID(arn), 1)
		switch got := messages(events); {
		case len(got) == 1 && got[0] == "[1] first\n":
			lost++
		case len(got) == 2 && got[1] == "[2] Traceback\n  boom\n":
			// Sent only by a tick at least the flush interval after its opening line.
			if age := aws.ToInt64(events[1].IngestionTime) - aws.ToInt64(events[1].Timestamp); age < 300 {
				t.Errorf("run %d: the last joined event was sent %d ms after it opened, before it was a flush interval old", i, age)
			}
		default:
			t.Errorf("run %d: events %q", i, got)
		}
	}
	if lost == 0 {
		t.Errorf("the last joined event was lost in none of %d runs", runs)
	}
	t.Logf("lost in %d of %d runs", lost, runs)

	td := c.registerShaped(t, "ec2-closes", `echo "[1] first"; echo "[2] Traceback"; echo "  boom"`, func(d *ecstypes.ContainerDefinition) {
		d.LogConfiguration.Options["awslogs-multiline-pattern"] = `^\[`
	})
	arn := aws.ToString(c.runTask(t, td).TaskArn)
	c.waitStopped(t, arn)
	if events, _ := c.readLog(t, "migrate/web/"+taskID(arn), 2); len(events) != 2 || aws.ToString(events[1].Message) != "[2] Traceback\n  boom\n" {
		t.Errorf("EC2: events %q, want the last joined event sent as the driver closed", messages(events))
	}
}

// awslogs-datetime-format is a multiline pattern too.
func TestDriverDatetimeFormatJoinsLines(t *testing.T) {
	t.Parallel()
	c := world(t, delivery(50, 200))
	td := c.registerFargate(t, "datetime", map[string]string{"awslogs-datetime-format": "%Y-%m-%d %H:%M:%S"},
		`echo "2025-01-02 03:04:05 Traceback"; echo "  File x"; echo "2025-01-02 03:04:06 next"; sleep 0.5`)
	arn := aws.ToString(c.runFargate(t, td).TaskArn)
	c.waitStopped(t, arn)
	events, _ := c.readLog(t, "migrate/web/"+taskID(arn), 2)
	if got := messages(events); strings.Join(got, "|") != "2025-01-02 03:04:05 Traceback\n  File x\n|2025-01-02 03:04:06 next\n" {
		t.Errorf("events %q", got)
	}
}

// A PutLogEvents of the driver goes through localaws's faults as any
// call: counted, retried as the SDK retries, and a batch whose every
// attempt fails is lost for good.
func TestDriverPutsMeetFaults(t *testing.T) {
	t.Parallel()
	c := world(t, delivery(50, 200), func(s *localaws.Seed) {
		s.Faults = []localaws.Fault{{Operation: "logs:PutLogEvents", Error: "ThrottlingException", Count: 3}}
	})
	td := c.registerTaskDef(t, "dropped", "sh", "-c", "echo lost; sleep 0.5; echo kept")
	arn := aws.ToString(c.runTask(t, td).TaskArn)
	c.waitStopped(t, arn)
	time.Sleep(300 * time.Millisecond)
	events, _ := c.readLog(t, "migrate/web/"+taskID(arn), 1)
	if got := messages(events); strings.Join(got, "|") != "kept" {
		t.Errorf("events %q, want the first batch dropped after three throttled attempts", got)
	}
	if n := c.srv.Calls("logs:PutLogEvents"); n != 4 {
		t.Errorf("PutLogEvents calls = %d, want 3 attempts of the first batch and 1 of the last", n)
	}
}

// A few calls are readable very late: log-uniform between
// log_ingest_delay_ms and log_ingest_tail_ms.
func TestIngestDelayHeavyTail(t *testing.T) {
	t.Parallel()
	c := world(t, func(s *localaws.Seed) {
		s.Consistency = localaws.Consistency{ListLagMS: 50, RegisterLagMS: 50, LogIngestDelayMS: 20, LogIngestTail: 0.5, LogIngestTailMS: 2000, LogBatchMS: 200, EmptyLogPages: 0.01}
	})
	const calls = 40
	for i := range calls {
		stream := fmt.Sprintf("tail-%d", i)
		if _, err := c.logs.CreateLogStream(ctx(t), &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamName: aws.String(stream)}); err != nil {
			t.Fatal(err)
		}
		if _, err := putEvents(c, t, stream, event(time.Now(), "x")); err != nil {
			t.Fatal(err)
		}
	}
	late, longest := 0, 0.0
	for i := range calls {
		at, ok := c.srv.LastReadable(localaws.FixtureLogGroup, fmt.Sprintf("tail-%d", i))
		if !ok {
			t.Fatalf("stream %d holds no event", i)
		}
		d := float64(time.Until(at).Milliseconds())
		longest = math.Max(longest, d)
		if d > 100 {
			late++
		}
	}
	if late == 0 || late == calls || longest > 2000 {
		t.Errorf("%d of %d calls readable over 100 ms late (the longest %.0f ms): want some, not all, none past 2000 ms", late, calls, longest)
	}
}

// A token goes on with the read that gave it: its startTime keeps out the
// events before it, also after an empty first page.
func TestGetLogEventsTokenKeepsStartTime(t *testing.T) {
	t.Parallel()
	c := world(t, func(s *localaws.Seed) {
		s.Consistency = localaws.Consistency{ListLagMS: 50, RegisterLagMS: 50, LogIngestDelayMS: 10, LogIngestTailMS: 10, LogBatchMS: 200, EmptyLogPages: 1}
	})
	if _, err := c.logs.CreateLogStream(ctx(t), &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := putEvents(c, t, "s", event(now.Add(-10*time.Second), "old"), event(now, "new")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	in := &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true), StartTime: aws.Int64(now.Add(-5 * time.Second).UnixMilli())}
	var got []string
	for range 10 {
		out, err := c.logs.GetLogEvents(ctx(t), in)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, messages(out.Events)...)
		if aws.ToString(out.NextForwardToken) == aws.ToString(in.NextToken) {
			break
		}
		in.NextToken, in.StartTime = out.NextForwardToken, nil
	}
	if strings.Join(got, ",") != "new" {
		t.Errorf("read from startTime, then by its tokens: %q, want only the event from startTime on", got)
	}
}
