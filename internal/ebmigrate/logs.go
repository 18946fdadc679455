package ebmigrate

import (
	"context"
	"errors"
	"fmt"
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

// maxPagesPerRead bounds one read of the stream (10,000 events a page).
const maxPagesPerRead = 1000

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
	// startTime skips events before the task was created (GetLogEvents startTime).
	startTime *int64
	tail      []string
	keep      int
	calls     int
	lines     int
	// lastTS is the timestamp of the newest event read.
	lastTS int64
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
	// endMark is the end mark this run wrote (logs_end.go); endSeen is true
	// once it was read back.
	endMark string
	endSeen bool
}

func newLogFollower(api Logs, loc LogLocation, log Logger, keep int, createdAt time.Time) *logFollower {
	f := &logFollower{api: api, loc: loc, log: log, keep: keep, maxDelay: -1}
	if !createdAt.IsZero() {
		f.startTime = aws.Int64(createdAt.UnixMilli())
	}
	return f
}

// read pages forward until the forward token comes back unchanged (at most
// maxPagesPerRead pages) and reports how many events it read. A stream that
// does not exist yet holds nothing yet (awslogs creates it with the first line).
func (f *logFollower) read(ctx context.Context) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for i := 0; i < maxPagesPerRead; i++ {
		f.calls++
		in := &cloudwatchlogs.GetLogEventsInput{
			LogGroupName:  aws.String(f.loc.Group),
			LogStreamName: aws.String(f.loc.Stream),
			StartFromHead: aws.Bool(true),
			NextToken:     f.token,
		}
		if f.token == nil {
			in.StartTime = f.startTime
		}
		out, err := f.api.GetLogEvents(ctx, in)
		if err != nil {
			var nf *logtypes.ResourceNotFoundException
			if errors.As(err, &nf) {
				f.readErr = nil
				return n, nil
			}
			f.readErr = err
			return n, err
		}
		f.readErr = nil
		for _, e := range out.Events {
			if msg := aws.ToString(e.Message); IsEndMark(msg) {
				// Not the container's: ours proves the end, another
				// apply's is skipped.
				f.endSeen = f.endSeen || msg == f.endMark
				continue
			}
			f.add(aws.ToString(e.Message), aws.ToInt64(e.Timestamp))
			if d := time.Duration(aws.ToInt64(e.IngestionTime)-aws.ToInt64(e.Timestamp)) * time.Millisecond; d > f.maxDelay {
				f.maxDelay = d
			}
		}
		n += len(out.Events)
		same := aws.ToString(out.NextForwardToken) == aws.ToString(f.token)
		f.token = out.NextForwardToken
		if same || out.NextForwardToken == nil {
			return n, nil
		}
	}
	return n, nil
}

func (f *logFollower) add(raw string, ts int64) {
	// Parsing reads the raw line: a value that also appears in an app label
	// or migration name must not hide it (see Result.RawOutput).
	if f.collect > 0 {
		if len(f.all) < f.collect {
			f.all = append(f.all, raw)
		} else {
			f.truncated = true
		}
	}
	line := f.redact.line(raw)
	f.log.Output(line)
	f.lines++
	if ts > f.lastTS {
		f.lastTS = ts
	}
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
		n, err := f.read(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			f.log.Info("could not read the migration's log; will try again", map[string]any{"error": err.Error()})
		case n > 0:
			interval = every
		default:
			interval = min(interval+interval/2, longest)
		}
	}
}

// finish reads after the task stopped until the stream is provably
// complete: until the end mark it writes shows (logs_end.go), or, when it
// could not write one, until a line stamped at or after the container
// stopped was read, or a read was made late enough after the stop that every
// line printed before it has been ingested (quiet). It reports whether it
// got there; when not, why.
func (f *logFollower) finish(ctx context.Context, task ecstypes.Task, nonBlockingMode bool, poll PollSchedule) (bool, error) {
	why := "the container's awslogs mode is non-blocking"
	if !nonBlockingMode {
		var proof endProof
		switch proof, why = f.markEnd(ctx, task); proof {
		case endEmpty:
			return true, nil
		case endMarked:
			return f.readToMark(ctx, poll.Fast, poll.LogEndWithin, 3*poll.LogGrace)
		}
	}
	f.log.Info("the end of the migration's log cannot be proven; waiting for it to stay quiet instead", map[string]any{"why": why, "grace": poll.LogGrace.String()})
	return f.quiet(ctx, aws.ToTime(task.ExecutionStoppedAt), poll.LogGrace, min(2*poll.Fast, poll.LogGrace), poll.Fast)
}

// quiet is finish without an end mark: the log counts as complete once a
// line stamped at or after the container stopped was read, or once a read
// was made late enough after the stop: the longest ingestion delay seen so
// far, half again, plus floor (at most grace), or grace when no line was seen.
func (f *logFollower) quiet(ctx context.Context, stoppedAt time.Time, grace, floor, every time.Duration) (bool, error) {
	stopSeen := time.Now()
	for {
		readAt := time.Now()
		_, err := f.read(ctx)
		f.mu.Lock()
		last, delay := f.lastTS, f.maxDelay
		f.mu.Unlock()
		wait := grace
		if delay >= 0 {
			wait = min(delay+delay/2+floor, grace)
		}
		switch {
		case err != nil && ctx.Err() != nil:
			return false, err
		case err != nil:
			// A failed read is not silence: it proves nothing.
		case !stoppedAt.IsZero() && last >= stoppedAt.UnixMilli():
			return true, nil
		case readAt.Sub(stopSeen) >= wait:
			return true, nil
		}
		if time.Since(stopSeen) >= 3*grace {
			return false, fmt.Errorf("the log could not be read to its end within %s of the stop: %w", 3*grace, errOr(err))
		}
		if !sleep(ctx, every) {
			return false, ctx.Err()
		}
	}
}

func errOr(err error) error {
	if err == nil {
		return errors.New("no error, but no proof of its end either")
	}
	return err
}

// noLogsNote says why a failed migration shows no log lines although the
// task was followed, and what to do.
func noLogsNote(loc LogLocation) string {
	if loc.ByRuntimeID {
		return fmt.Sprintf("No log lines can be shown: the container's awslogs configuration has no awslogs-stream-prefix, so ECS names its stream (in group %s) after the container's runtime ID, and DescribeTasks showed none: the container never started. Add awslogs-stream-prefix to the container's awslogs options (or set logs.group, which gives the migration a prefix of its own) so that the stream can be found from the task alone.", loc.Group)
	}
	return "No log lines can be shown: the migration container has no awslogs log configuration. Give the app container an awslogs configuration, or set logs.group, to see its output here."
}
