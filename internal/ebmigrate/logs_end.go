package ebmigrate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// The end of a stopped task's log. What CloudWatch Logs and the awslogs
// driver document, and no more:
//
//   - CloudWatch promises no time by which an event is readable, and no
//     order among PutLogEvents calls ("You can use parallel PutLogEvents
//     actions on the same log stream", botocore logs PutLogEvents): a batch
//     sent later may be readable first, and a reader that went on from a
//     token past it may never see an earlier one.
//   - Docker's awslogs driver sends a container's lines in batches (every
//     5 s, or when full; moby daemon/logger/awslogs cloudwatchlogs.go), the
//     last one as the driver is closed after the container exited, and
//     nothing waits for it before the task shows STOPPED. On Fargate AWS's
//     shim logger never closes the driver: the last batch goes at its next
//     tick, up to 5 s after the exit (aws/shim-loggers-for-containerd,
//     sendLogs: "Sleep sometime ... to allow enough time for the last few
//     log messages be flushed").
//
// So the end is proven only for a command that says where its output ends:
// a command the provider composes runs under the output relay
// (logs_proof.go), whose numbered lines and end line prove the output
// whole. A user's migration command (any image, perhaps without a shell)
// cannot be wrapped: its log is read until a while after the stop (the
// grace, on Fargate longer by the driver's flush interval, and longer
// still when CloudWatch was seen accepting lines late), its last lines are
// then read again from the stream's end, and the note says that they are
// what CloudWatch showed by then, not that they are all.
// What is read is never called complete when it was not proven.

// nonBlocking tells a container whose awslogs driver runs in non-blocking
// mode (botocore ecs LogConfiguration options: mode "non-blocking" buffers
// lines in memory and drops them when the buffer is full).
func nonBlocking(c *ecstypes.ContainerDefinition) bool {
	lc := c.LogConfiguration
	return lc != nil && lc.Options["mode"] == "non-blocking"
}

// containerCreated tells whether Docker created any container of the task
// (DescribeTasks shows a runtimeId once it did).
func containerCreated(task ecstypes.Task) bool {
	for _, c := range task.Containers {
		if aws.ToString(c.RuntimeId) != "" {
			return true
		}
	}
	return task.StartedAt != nil
}

// logEnd is how a stopped task's log is read to its end.
type logEnd struct {
	poll PollSchedule
	// fargate: the shim logger sends the last batch up to a flush interval
	// after the exit.
	fargate bool
	// needProof: the output is parsed (a proven command that succeeded), so
	// the proof is waited for up to poll.LogEndWithin; otherwise only as
	// long as an unproven log is read.
	needProof bool
}

// floor is how long after the stop an unproven log is read at least.
func (e logEnd) floor() time.Duration {
	if e.fargate {
		return e.poll.LogGrace + e.poll.LogFlush
	}
	return e.poll.LogGrace
}

// finish reads the stopped task's log as far as it can be known. proven is
// true when the output is proven complete (a proven command's, or a
// container that never started); otherwise window is how long after the
// stop it was read, for the note that says what could not be proven.
func (f *logFollower) finish(ctx context.Context, task ecstypes.Task, e logEnd) (proven bool, window time.Duration, err error) {
	stopSeen := time.Now()
	if !containerCreated(task) {
		// Docker never created the container: it printed nothing.
		return true, 0, nil
	}
	if f.proof != nil {
		within := e.floor()
		if e.needProof {
			within = e.poll.LogEndWithin
		}
		err := f.readToProof(ctx, stopSeen, within, e.poll)
		if err == nil {
			f.provenTail()
			return true, 0, nil
		}
		if e.needProof || ctx.Err() != nil {
			return false, 0, err
		}
		// A failed command: its last lines as far as they show.
	}
	if window, err = f.settle(ctx, stopSeen, e.floor(), e.poll.LogFlush, e.poll.LogEndWithin); err != nil {
		return false, window, err
	}
	return false, window, f.readTail(ctx)
}

// readToProof reads until the proof holds every line of the output, for at
// most within after the stop; reads that keep failing give up sooner. A
// stream that holds the end line but misses a line is read again from
// before the gap; one without the end line, now and then (the end line may
// show behind the token).
func (f *logFollower) readToProof(ctx context.Context, stopSeen time.Time, within time.Duration, poll PollSchedule) error {
	var failingSince time.Time
	lastReread := stopSeen
	interval := poll.Fast
	for {
		_, more, err := f.read(ctx)
		f.mu.Lock()
		complete, ended, problem := f.proof.complete(), f.proof.ended(), f.proof.problem()
		f.mu.Unlock()
		switch {
		case complete:
			return nil
		case err != nil && ctx.Err() != nil:
			return err
		case err == nil:
			failingSince = time.Time{}
		case failingSince.IsZero():
			failingSince = time.Now()
		}
		if !failingSince.IsZero() && time.Since(failingSince) >= 3*poll.LogGrace {
			return fmt.Errorf("reading it failed for %s after the stop: %w", 3*poll.LogGrace, err)
		}
		if time.Since(stopSeen) >= within && err != nil {
			return fmt.Errorf("within %s of the stop, %s (the last read failed: %w)", within, problem, err)
		}
		if time.Since(stopSeen) >= within {
			return fmt.Errorf("within %s of the stop, %s", within, problem)
		}
		if more {
			continue
		}
		if !sleep(ctx, interval) {
			return ctx.Err()
		}
		interval = min(interval+interval/2, 2*poll.Fast)
		if err == nil && (ended || time.Since(lastReread) >= poll.LogGrace) {
			f.rereadFromGap()
			lastReread = time.Now()
		}
	}
}

// rereadFromGap makes the next read start again from before the first
// line the proof misses.
func (f *logFollower) rereadFromGap() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.token, f.rereading, f.readFrom = nil, true, nil
	if at, ok := f.proof.rereadFrom(); ok {
		f.readFrom = aws.Int64(at)
	}
}

// provenTail makes the tail the proven output's last lines, in the order
// printed, and collects the output when collecting.
func (f *logFollower) provenTail() {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.proof.lines()
	if f.collect > 0 {
		f.all = out
		if len(out) > f.collect {
			f.all, f.truncated = out[:f.collect], true
		}
	}
	f.tail = nil
	for _, l := range out[max(0, len(out)-f.keep):] {
		f.tail = append(f.tail, BoundLine(f.redact.line(l)))
	}
}

// settle reads a stopped task's log until a while after the stop: floor,
// plus half as long again as CloudWatch was seen accepting a line later
// than the driver's batching explains (the longest delay between an
// event's timestamp and its ingestionTime, less the driver's flush
// interval: a line waits up to that long in the driver's batch), up to
// most. It reads when the stop is seen and when that time has passed, not
// in between: a read in between proves nothing, and fifty migrations share
// one read budget. It returns how long after the stop it read.
func (f *logFollower) settle(ctx context.Context, stopSeen time.Time, floor, flush, most time.Duration) (time.Duration, error) {
	for {
		readAt := time.Now()
		if err := f.readAll(ctx); err != nil {
			return readAt.Sub(stopSeen), err
		}
		f.mu.Lock()
		delay := f.maxDelay
		f.mu.Unlock()
		wait := settleWait(floor, flush, most, delay)
		if readAt.Sub(stopSeen) >= wait {
			return readAt.Sub(stopSeen), nil
		}
		if !sleep(ctx, time.Until(stopSeen.Add(wait))) {
			return time.Since(stopSeen), ctx.Err()
		}
	}
}

// settleWait is how long after the stop an unproven log is read, given the
// longest delay seen between an event's timestamp and its ingestion
// (settle).
func settleWait(floor, flush, most, delay time.Duration) time.Duration {
	if late := delay - flush; late > 0 {
		return min(floor+late+late/2, most)
	}
	return floor
}

// readAll reads on until the stream's end (bounded reads, one after the
// other).
func (f *logFollower) readAll(ctx context.Context) error {
	for {
		_, more, err := f.read(ctx)
		if err != nil || !more {
			return err
		}
	}
}

// readTail reads the stream's last lines again, from its end backwards
// (GetLogEvents without startFromHead: "the latest log events are returned
// first"): a line that showed behind the forward token is among them. The
// lines not shown yet are shown, and the tail becomes these last lines.
func (f *logFollower) readTail(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.keep == 0 {
		return nil
	}
	var events []logtypes.OutputLogEvent
	var token *string
	lines := 0
	for page := 0; page < maxPagesPerRead; page++ {
		if page == urgentPages {
			ctx = context.WithValue(ctx, urgentKey{}, false)
		}
		in := &cloudwatchlogs.GetLogEventsInput{
			LogGroupName:  aws.String(f.loc.Group),
			LogStreamName: aws.String(f.loc.Stream),
			StartFromHead: aws.Bool(false),
			Limit:         aws.Int32(int32(min(f.keep, 10000))),
			NextToken:     token,
		}
		if token == nil {
			in.StartTime = f.startTime
		}
		f.calls++
		out, err := f.api.GetLogEvents(ctx, in)
		var nf *logtypes.ResourceNotFoundException
		switch {
		case errors.As(err, &nf):
			return nil
		case err != nil:
			return err
		}
		events = append(slices.Clone(out.Events), events...)
		for _, e := range out.Events {
			lines += len(f.linesOf(aws.ToString(e.Message), aws.ToInt64(e.Timestamp)))
		}
		if lines >= f.keep || aws.ToString(out.NextBackwardToken) == aws.ToString(token) {
			break
		}
		token = out.NextBackwardToken
	}
	seen := map[eventKey]int{}
	for _, k := range f.recent {
		seen[k]++
	}
	var tail []string
	for _, e := range events {
		k := eventKey{aws.ToInt64(e.Timestamp), aws.ToInt64(e.IngestionTime), aws.ToString(e.Message)}
		shown := seen[k] > 0
		seen[k]--
		for _, l := range f.linesOf(k.message, k.ts) {
			line := f.redact.line(l)
			if !shown {
				// It showed after the forward read had passed it.
				f.log.Output(line)
				f.lines++
			}
			tail = append(tail, BoundLine(line))
		}
	}
	f.tail = tail[max(0, len(tail)-f.keep):]
	return nil
}

// linesOf are the lines an event shows: for a proven command, each relayed
// line's text (or a line the relay did not print, as it is).
func (f *logFollower) linesOf(msg string, ts int64) []string {
	if f.proof == nil {
		return []string{msg}
	}
	var out []string
	for _, line := range eventLines(msg) {
		text, relayed, _ := f.proof.relayed(line, ts)
		switch {
		case !relayed:
			out = append(out, line)
		case relayed && !isEndLine(line):
			out = append(out, text)
		}
	}
	return out
}

// isEndLine tells the relay's end line.
func isEndLine(line string) bool {
	return strings.HasPrefix(line, relayPrefix+"end:")
}

// unprovenNote says what could not be proven of a log read until window
// after the stop.
func unprovenNote(loc LogLocation, lines int, window time.Duration, fargate, nonBlockingMode bool) string {
	why := "CloudWatch Logs does not say when a line becomes readable"
	if fargate {
		why += ", and on Fargate the last lines are sent up to 5 s after the container exits"
	}
	if nonBlockingMode {
		why += "; in awslogs non-blocking mode Docker may also drop lines"
	}
	window = window.Round(100 * time.Millisecond)
	if lines == 0 {
		return fmt.Sprintf("CloudWatch Logs showed no line of the container within %s of the task's stop (group %s, stream %s). That it printed nothing cannot be proven: %s, so lines printed at exit may show later, in that stream.",
			window, loc.Group, loc.Stream, why)
	}
	return fmt.Sprintf("These are the lines CloudWatch Logs showed within %s of the task's stop (group %s, stream %s). That they are the last ones cannot be proven: %s, so a line printed at exit may show later, in that stream.",
		window, loc.Group, loc.Stream, why)
}
