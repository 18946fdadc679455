package localaws_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

func putEvents(c clients, t *testing.T, stream string, events ...logtypes.InputLogEvent) (*cloudwatchlogs.PutLogEventsOutput, error) {
	return c.logs.PutLogEvents(ctx(t), &cloudwatchlogs.PutLogEventsInput{
		LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamName: aws.String(stream), LogEvents: events,
	})
}

func event(ts time.Time, msg string) logtypes.InputLogEvent {
	return logtypes.InputLogEvent{Timestamp: aws.Int64(ts.UnixMilli()), Message: aws.String(msg)}
}

// PutLogEvents checks a batch as botocore's logs model documents it: the
// call fails for an empty, unordered, oversized or over-24-hours batch and
// for a missing stream; events too far in the future or past are rejected
// (rejectedLogEventsInfo) while the others are kept.
func TestPutLogEventsValidation(t *testing.T) {
	c := world(t)
	if _, err := c.logs.CreateLogStream(ctx(t), &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	failing := map[string][]logtypes.InputLogEvent{
		"empty":         {},
		"not in order":  {event(now, "b"), event(now.Add(-time.Second), "a")},
		"over 24 hours": {event(now.Add(-25*time.Hour), "a"), event(now, "b")},
		"over 1 MiB":    {event(now, strings.Repeat("x", 600<<10)), event(now, strings.Repeat("y", 600<<10))},
	}
	for name, events := range failing {
		if _, err := putEvents(c, t, "s", events...); errCode(err) != "InvalidParameterException" {
			t.Errorf("%s: err = %v, want InvalidParameterException", name, err)
		}
	}
	if _, err := putEvents(c, t, "missing", event(now, "a")); errCode(err) != "ResourceNotFoundException" {
		t.Errorf("missing stream: err = %v", err)
	}
	out, err := putEvents(c, t, "s", event(now.Add(-15*24*time.Hour+time.Hour), "old"), event(now, "kept"), event(now.Add(3*time.Hour), "new"))
	if err != nil {
		t.Fatal(err)
	}
	r := out.RejectedLogEventsInfo
	if r == nil || aws.ToInt32(r.TooOldLogEventEndIndex) != 1 || aws.ToInt32(r.TooNewLogEventStartIndex) != 2 {
		t.Errorf("rejected = %+v, want too old before 1 and too new from 2", r)
	}
	events, _ := c.readLog(t, "s", 1)
	if len(events) != 1 || aws.ToString(events[0].Message) != "kept" {
		t.Errorf("stream holds %d events, want only the valid one", len(events))
	}
}
