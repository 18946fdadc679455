package ebmigrate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// The end of a stopped task's log is read up to a mark, not waited for:
// once the task is STOPPED the engine writes one event of its own, an end
// mark with a nonce of this run, into the container's stream (PutLogEvents)
// and reads until it sees it. Why every line the container printed has then
// been read, and where that can fail:
//
//   - Docker hands every line to the awslogs driver and closes the driver
//     (which then sends its last batch) before it emits the container's "die"
//     event: moby daemon/monitor.go handleContainerExit calls c.Reset()
//     before LogContainerEventWithAttributes(c, events.ActionDie), and
//     daemon/container/monitor.go Reset waits for the log copier, then calls
//     LogDriver.Close(), on which awslogs' collectBatch sends what is left
//     (daemon/logger/awslogs/cloudwatchlogs.go). Close only closes the
//     driver's queue: collectBatch sends that last PutLogEvents as "die"
//     goes out, and nothing waits for it. The mark goes only after the ECS
//     agent reported the stop, ECS recorded STOPPED and the engine read it,
//     a head start for the driver's last batch but not a guarantee: a last
//     PutLogEvents slower than that path shows after the mark, and its lines
//     are missing from what the apply shows (the outcome, the exit code,
//     comes from ECS and is unaffected). Docker also cuts a log whose copier
//     has not drained 10 s after the exit (loggerCloseTimeout), and the
//     driver drops a batch CloudWatch rejects; no reader can recover those.
//   - The mark is stamped after every line (the container's stop, the last
//     line read, now), so GetLogEvents, which returns a stream by timestamp,
//     has it last.
//   - What one stream shows a reader follows the order CloudWatch accepted
//     it in (AWS does not say so; localaws models it): the mark, accepted
//     after the driver's last batch, shows only once that batch does.
//
// When the mark cannot prove it, the wait falls back to the quiet grace
// (logFollower.finish): the provider may not write to the stream (no
// logs:PutLogEvents), CloudWatch rejects the mark, or the container's
// awslogs mode is non-blocking (lines wait in a ring buffer Docker may
// drop from, and the stream is created asynchronously).

// endMarkPrefix starts every end mark; readers skip any line that is one
// (another apply attached to the same task writes its own).
const endMarkPrefix = "ebmigrate: end of log "

// newEndMark is an end mark with a fresh nonce.
func newEndMark() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return endMarkPrefix + hex.EncodeToString(b)
}

// IsEndMark tells an end mark (any run's) from a line the container printed.
func IsEndMark(line string) bool {
	rest, ok := strings.CutPrefix(line, endMarkPrefix)
	if !ok || len(rest) != 32 {
		return false
	}
	_, err := hex.DecodeString(rest)
	return err == nil
}

// nonBlocking tells a container whose awslogs driver runs in non-blocking
// mode (botocore ecs LogConfiguration options: mode "non-blocking" buffers
// lines in memory and drops them when the buffer is full).
func nonBlocking(c *ecstypes.ContainerDefinition) bool {
	lc := c.LogConfiguration
	return lc != nil && lc.Options["mode"] == "non-blocking"
}

// endProof is what writing the end mark gave.
type endProof int

const (
	// endMarked: the mark is in the stream; the log is complete once it is read.
	endMarked endProof = iota
	// endEmpty: the stream does not exist and the container never started,
	// so it printed nothing (Docker creates the stream before the container
	// starts).
	endEmpty
	// endUnproven: the mark could not be written; wait out the grace.
	endUnproven
)

// markEnd writes the end mark into the stopped task's stream. why says, for
// endUnproven, what went wrong.
func (f *logFollower) markEnd(ctx context.Context, task ecstypes.Task) (proof endProof, why string) {
	f.mu.Lock()
	after := max(f.lastTS+1, time.Now().UnixMilli())
	f.mu.Unlock()
	if t := task.ExecutionStoppedAt; t != nil {
		after = max(after, t.UnixMilli()+1)
	}
	if t := task.StoppedAt; t != nil {
		after = max(after, t.UnixMilli()+1)
	}
	mark := newEndMark()
	out, err := f.api.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{
		LogGroupName:  aws.String(f.loc.Group),
		LogStreamName: aws.String(f.loc.Stream),
		LogEvents:     []logtypes.InputLogEvent{{Timestamp: aws.Int64(after), Message: aws.String(mark)}},
	})
	var nf *logtypes.ResourceNotFoundException
	switch {
	case errors.As(err, &nf) && !containerCreated(task):
		return endEmpty, ""
	case err != nil:
		return endUnproven, fmt.Sprintf("writing the end-of-log mark (logs:PutLogEvents) failed: %v", err)
	case out.RejectedLogEventsInfo != nil:
		return endUnproven, fmt.Sprintf("CloudWatch Logs rejected the end-of-log mark stamped %s", time.UnixMilli(after).UTC().Format(time.RFC3339))
	}
	f.mu.Lock()
	f.endMark = mark
	f.mu.Unlock()
	return endMarked, ""
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

// readToMark reads until the end mark shows, about every `every` at first,
// then less often (up to 2×), for at most within; reads that keep failing
// give up sooner, after failing for failFor. It reports whether the mark
// was seen; err says why not.
func (f *logFollower) readToMark(ctx context.Context, every, within, failFor time.Duration) (bool, error) {
	start := time.Now()
	var failingSince time.Time
	interval := every
	for {
		_, err := f.read(ctx)
		f.mu.Lock()
		seen := f.endSeen
		f.mu.Unlock()
		switch {
		case seen:
			return true, nil
		case err != nil && ctx.Err() != nil:
			return false, err
		case err == nil:
			failingSince = time.Time{}
		case failingSince.IsZero():
			failingSince = time.Now()
		}
		if !failingSince.IsZero() && time.Since(failingSince) >= failFor {
			return false, fmt.Errorf("the log could not be read to its end: reading it failed for %s after the stop: %w", failFor, err)
		}
		if time.Since(start) >= within {
			return false, fmt.Errorf("the log could not be read to its end: the end-of-log mark written after the stop did not show within %s: %w", within, errOr(err))
		}
		if !sleep(ctx, interval) {
			return false, ctx.Err()
		}
		interval = min(interval+interval/2, 2*every)
	}
}
