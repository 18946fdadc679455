package ebmigrate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// LogLocation is where a container's awslogs output goes.
type LogLocation struct {
	Group  string
	Stream string
	// ByRuntimeID: the awslogs configuration has no stream prefix, so the
	// stream is named after the container's runtimeId, which DescribeTasks
	// shows once the container has started; Stream is "" until then.
	ByRuntimeID bool
}

// ContainerLogs tells where the named container of a task logs to, from its
// awslogs configuration; ok is false when it has none. Without
// awslogs-stream-prefix (optional on EC2), "the log stream is named after
// the container ID that's assigned by the Docker daemon" (botocore ecs
// LogConfiguration options), which DescribeTasks returns as the container's
// runtimeId: the location is ByRuntimeID and its stream is found with
// streamOf.
func ContainerLogs(c *ecstypes.ContainerDefinition, taskID string) (LogLocation, bool) {
	lc := c.LogConfiguration
	if lc == nil || lc.LogDriver != ecstypes.LogDriverAwslogs {
		return LogLocation{}, false
	}
	group, prefix := lc.Options["awslogs-group"], lc.Options["awslogs-stream-prefix"]
	switch {
	case group == "":
		return LogLocation{}, false
	case prefix == "":
		return LogLocation{Group: group, ByRuntimeID: true}, true
	}
	return LogLocation{Group: group, Stream: prefix + "/" + aws.ToString(c.Name) + "/" + taskID}, true
}

// streamOf is the location with its stream known from the task, when the
// stream is named after the container's runtimeId; ok is false while
// DescribeTasks does not show one (the container has not started).
func (l LogLocation) streamOf(task ecstypes.Task, container string) (LogLocation, bool) {
	if !l.ByRuntimeID || l.Stream != "" {
		return l, true
	}
	for _, c := range task.Containers {
		if aws.ToString(c.Name) == container && aws.ToString(c.RuntimeId) != "" {
			l.Stream = aws.ToString(c.RuntimeId)
			return l, true
		}
	}
	return l, false
}

// One read of a stream is bounded, so that a stream with a long backlog
// does not hold the provider's GetLogEvents budget (PaceLogReads, shared
// by every migration of the provider process; 1000 pages took 50 s of it)
// while other migrations wait to read their last lines: a read stops after
// maxPagesPerRead pages or maxReadFor, whichever comes first, and the
// caller reads on later from its token. Only a read's first urgentPages
// pages keep its urgency (pace.go: the reads an outcome waits for go
// before polls), enough for a stream's last page and the page that
// confirms its end; the pages of a backlog after them, and every page of a
// read that goes on from a bounded one, wait behind other migrations'
// urgent reads, as polls do.
const (
	maxPagesPerRead = 10
	maxReadFor      = 2 * time.Second
	urgentPages     = 2
)

// logFollower reads a log stream forward, handing each line to the logger
// and keeping the last lines for the run's diagnostic (failed or not). CloudWatch Logs
// ingests late and may return empty pages before later events ("Partially
// full or empty pages don't necessarily mean that pagination is finished",
// GetLogEvents): only a repeated forward token ends a read.
type logFollower struct {
	mu    sync.Mutex
	api   Logs
	loc   LogLocation
	log   Logger
	token *string
	// startTime skips events before the task was created (GetLogEvents
	// startTime); readFrom, when set, is the startTime of a read again
	// from before the token (rereadFrom).
	startTime *int64
	readFrom  *int64
	// rereading: a read again is under way; lines already shown are not
	// shown again.
	rereading bool
	// backlog: the last read stopped at its bound, with more to read.
	backlog bool
	tail    []string
	keep    int
	calls   int
	lines   int
	// maxDelay is the longest time between an event's timestamp and its
	// ingestion seen so far (-1: no event seen).
	maxDelay time.Duration
	// readErr is the last failed read, cleared by a good one.
	readErr error
	// all holds every line when collecting (collect > 0), up to collect
	// lines, as printed: unredacted, for parsing only (see Result.RawOutput).
	all     []string
	collect int
	// truncated: collect lines were not enough.
	truncated bool
	// redact takes the environment's values out of each line that is shown
	// (the provider log, tail); all keeps the lines as printed.
	redact *redactor
	// proof collects a proven command's relayed lines (logs_proof.go); nil
	// when the command does not run under the relay.
	proof *outputProof
	// recent are the last events read, to tell which lines of a final read
	// of the tail were not shown yet (readTail).
	recent []eventKey
}

// eventKey tells an event from another: GetLogEvents gives events no id.
type eventKey struct {
	ts, ingested int64
	message      string
}

func newLogFollower(api Logs, loc LogLocation, log Logger, keep int, createdAt time.Time) *logFollower {
	f := &logFollower{api: api, loc: loc, log: log, keep: keep, maxDelay: -1}
	if !createdAt.IsZero() {
		f.startTime = aws.Int64(createdAt.UnixMilli())
	}
	return f
}

// read pages forward from the token until the forward token comes back
// unchanged, or the read's bound (maxPagesPerRead, maxReadFor) is reached:
// more is then true, and the next read goes on from there. A stream that
// does not exist yet holds nothing yet (awslogs creates it with the first
// line).
func (f *logFollower) read(ctx context.Context) (n int, more bool, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	defer func() { f.backlog = more }()
	start := time.Now()
	for page := 0; ; page++ {
		if page == maxPagesPerRead || time.Since(start) >= maxReadFor {
			return n, true, nil
		}
		if page == urgentPages || f.backlog && page == 0 {
			ctx = context.WithValue(ctx, urgentKey{}, false)
		}
		f.calls++
		in := &cloudwatchlogs.GetLogEventsInput{
			LogGroupName:  aws.String(f.loc.Group),
			LogStreamName: aws.String(f.loc.Stream),
			StartFromHead: aws.Bool(true),
			NextToken:     f.token,
		}
		if f.token == nil {
			in.StartTime = f.startTime
			if f.readFrom != nil {
				in.StartTime = f.readFrom
			}
		}
		out, err := f.api.GetLogEvents(ctx, in)
		if err != nil {
			var nf *logtypes.ResourceNotFoundException
			if errors.As(err, &nf) {
				f.readErr = nil
				return n, false, nil
			}
			f.readErr = err
			return n, false, err
		}
		f.readErr = nil
		for _, e := range out.Events {
			f.take(e)
		}
		n += len(out.Events)
		same := aws.ToString(out.NextForwardToken) == aws.ToString(f.token)
		f.token = out.NextForwardToken
		if same || out.NextForwardToken == nil {
			f.rereading, f.readFrom = false, nil
			return n, false, nil
		}
	}
}

// take handles one event read forward. f.mu is held.
func (f *logFollower) take(e logtypes.OutputLogEvent) {
	msg, ts := aws.ToString(e.Message), aws.ToInt64(e.Timestamp)
	if d := time.Duration(aws.ToInt64(e.IngestionTime)-ts) * time.Millisecond; d > f.maxDelay {
		f.maxDelay = d
	}
	if f.proof == nil {
		if !f.rereading {
			f.remember(e)
			f.add(msg)
		}
		return
	}
	f.remember(e)
	for _, line := range eventLines(msg) {
		text, relayed, fresh := f.proof.relayed(line, ts)
		switch {
		case relayed && fresh:
			f.show(text)
		case !relayed && !f.rereading:
			// Not the command's output (an entrypoint's line): shown, not parsed.
			f.show(line)
		}
	}
}

// eventLines are the lines of one event: with awslogs-multiline-pattern
// Docker's driver joins lines into one event, each followed by "\n".
func eventLines(msg string) []string {
	return strings.Split(strings.TrimSuffix(msg, "\n"), "\n")
}

// remember keeps the event's key among the recent ones. f.mu is held.
func (f *logFollower) remember(e logtypes.OutputLogEvent) {
	if f.keep == 0 {
		return
	}
	f.recent = append(f.recent, eventKey{aws.ToInt64(e.Timestamp), aws.ToInt64(e.IngestionTime), aws.ToString(e.Message)})
	if len(f.recent) > 2*f.keep+100 {
		f.recent = f.recent[len(f.recent)-2*f.keep-100:]
	}
}

// add is a line the container printed, collected as printed and shown.
func (f *logFollower) add(raw string) {
	// Parsing reads the raw line: a value that also appears in an app label
	// or migration name must not hide it (see Result.RawOutput).
	if f.collect > 0 {
		if len(f.all) < f.collect {
			f.all = append(f.all, raw)
		} else {
			f.truncated = true
		}
	}
	f.show(raw)
}

// show hands a line to the logger, redacted, and keeps it in the tail.
func (f *logFollower) show(raw string) {
	line := f.redact.line(raw)
	f.log.Output(line)
	f.lines++
	if f.keep > 0 {
		f.tail = append(f.tail, BoundLine(line))
		if len(f.tail) > f.keep {
			f.tail = f.tail[len(f.tail)-f.keep:]
		}
	}
}

// follow reads the stream while the task runs, apart from its status: about
// once a second while lines come, less often (up to longest) while it is quiet.
// It returns when ctx is done.
func (f *logFollower) follow(ctx context.Context, every, longest time.Duration) {
	interval := every
	for sleep(ctx, interval) {
		n, more, err := f.read(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			f.log.Info("could not read the migration's log; will try again", map[string]any{"error": err.Error()})
		case n > 0 || more:
			interval = every
		default:
			interval = min(interval+interval/2, longest)
		}
	}
}

// noLogsNote says why a failed migration shows no log lines although the
// task was followed, and what to do.
func noLogsNote(loc LogLocation) string {
	if loc.ByRuntimeID {
		return fmt.Sprintf("No log lines can be shown: the container's awslogs configuration has no awslogs-stream-prefix, so ECS names its stream (in group %s) after the container's runtime ID, and DescribeTasks showed none: the container never started. Add awslogs-stream-prefix to the container's awslogs options (or set logs.group, which gives the migration a prefix of its own) so that the stream can be found from the task alone.", loc.Group)
	}
	return "No log lines can be shown: the migration container has no awslogs log configuration. Give the app container an awslogs configuration, or set logs.group, to see its output here."
}
