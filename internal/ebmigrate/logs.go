package ebmigrate

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// LogLocation is where a container's awslogs output goes.
type LogLocation struct {
	Group  string
	Stream string
}

// ContainerLogs tells where the named container of a task logs to, from its
// awslogs configuration; ok is false when it has none with a stream prefix.
func ContainerLogs(c *ecstypes.ContainerDefinition, taskID string) (LogLocation, bool) {
	lc := c.LogConfiguration
	if lc == nil || lc.LogDriver != ecstypes.LogDriverAwslogs {
		return LogLocation{}, false
	}
	group, prefix := lc.Options["awslogs-group"], lc.Options["awslogs-stream-prefix"]
	if group == "" || prefix == "" {
		return LogLocation{}, false
	}
	return LogLocation{Group: group, Stream: prefix + "/" + aws.ToString(c.Name) + "/" + taskID}, true
}

// logFollower reads a log stream forward, handing each line to the logger
// and keeping the last lines for a failure diagnostic.
type logFollower struct {
	api   Logs
	loc   LogLocation
	log   Logger
	token *string
	tail  []string
	keep  int
	calls int
	// all holds every line when collecting (collect > 0), up to collect lines.
	all     []string
	collect int
}

func newLogFollower(api Logs, loc LogLocation, log Logger, keep int) *logFollower {
	return &logFollower{api: api, loc: loc, log: log, keep: keep}
}

// poll reads one page of new events. It reports whether the stream may hold
// more right now (a full page came back).
func (f *logFollower) poll(ctx context.Context) (bool, error) {
	f.calls++
	out, err := f.api.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{
		LogGroupName:  aws.String(f.loc.Group),
		LogStreamName: aws.String(f.loc.Stream),
		StartFromHead: aws.Bool(true),
		NextToken:     f.token,
	})
	if err != nil {
		var nf *logtypes.ResourceNotFoundException
		if errors.As(err, &nf) {
			return false, nil // the stream appears with the first line
		}
		return false, err
	}
	for _, e := range out.Events {
		line := aws.ToString(e.Message)
		f.log.Output(line)
		if len(f.all) < f.collect {
			f.all = append(f.all, line)
		}
		if f.keep > 0 {
			f.tail = append(f.tail, line)
			if len(f.tail) > f.keep {
				f.tail = f.tail[len(f.tail)-f.keep:]
			}
		}
	}
	same := aws.ToString(out.NextForwardToken) == aws.ToString(f.token)
	f.token = out.NextForwardToken
	return len(out.Events) > 0 && !same, nil
}

// drain reads until the end of the stream (the same token comes back), at
// most maxCalls pages.
func (f *logFollower) drain(ctx context.Context, maxCalls int) error {
	for i := 0; i < maxCalls; i++ {
		more, err := f.poll(ctx)
		if err != nil || !more {
			return err
		}
	}
	return nil
}
