package localaws

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// The awslogs log driver: how a container's output reaches CloudWatch
// Logs, from the driver's own source (moby daemon/logger/awslogs
// cloudwatchlogs.go: collectBatch, processEvent, publishBatch,
// parseMultilineOptions; moby daemon/logger/copier.go) and, on Fargate,
// from AWS's shim logger, which runs the same driver in a process of its
// own (aws/shim-loggers-for-containerd logger/common.go, sendLogs;
// logger/awslogs/logger.go, RunLogDriver).
//
//   - Docker's copier stamps each line with the host's time as it reads it
//     (Timing.HostClockSkewMS: the host's clock against ECS's); the driver
//     sends no event for an empty line (processEvent loops over the line's
//     bytes), and a line longer than 262,118 bytes (maximumBytesPerEvent)
//     is several events. The shim logger reads lines into a buffer of that
//     same size (WithBufferSizeInBytes(maximumBytesPerEvent), since
//     shim-loggers aa11f7a, 2020), so a long line is cut alike on Fargate.
//   - collectBatch sends its batch every 5 s (a ticker started with the
//     driver; awslogs-force-flush-interval-seconds, default 5), or at once
//     when the next event would overflow 10,000 events or 1,048,576 bytes.
//     It sends one PutLogEvents at a time, from one goroutine, with the
//     SDK's standard retries; publishBatch logs a call that still fails and
//     drops the batch.
//   - With awslogs-multiline-pattern (or awslogs-datetime-format, which
//     parseMultilineOptions turns into a pattern), lines are joined (each
//     followed by "\n") into one event until a line matches. A tick sends
//     the joined event only when it is at least the flush interval old
//     (eventBufferExpired), its age counted from the timestamp of the line
//     that opened the buffer, which only a matching line (or an overflow)
//     renews: after a tick sent the buffer, the lines joined next keep the
//     old timestamp.
//   - On EC2, Docker closes the driver once the container exited and its
//     output was copied (daemon/container/monitor.go Reset), and closing
//     sends the joined event and the last batch at once ("Flush event
//     buffer and release resources"), though nothing waits for it: ECS may
//     show the task STOPPED before CloudWatch shows the batch.
//   - On Fargate (platform 1.4) the shim logger never closes the driver:
//     once the container's pipes close it sleeps its cleanup time ("to
//     allow enough time for the last few log messages be flushed to
//     destination like CloudWatch", 5 s by default) and the process exits.
//     What the driver's ticks sent by then is sent; the rest is lost: a
//     joined event younger than the flush interval at the last tick (with a
//     multiline pattern, mostly the container's last lines), and a batch
//     whose tick comes just too late. Nothing documents that ECS waits for
//     any of it before showing STOPPED.

// maxDriverEventBytes is moby's maximumBytesPerEvent (262,144 - 26), at
// which Docker's copier, the shim logger and the driver cut a line.
const maxDriverEventBytes = 262144 - putEventOverhead

// driverPutAttempts is the SDK's standard retryer's attempts (aws-sdk-go-v2
// aws/retry DefaultMaxAttempts), which the driver's client keeps.
const driverPutAttempts = 3

type driverLine struct {
	at   time.Time
	text string
}

// awslogsDriver is one container's awslogs driver.
type awslogsDriver struct {
	s             *Server
	group, stream string
	fargate       bool
	multiline     *regexp.Regexp
	lines         chan driverLine
	// nonBlocking drops a line the queue has no room for (logs_mode.go);
	// created is closed once the stream exists (or its creation gave up),
	// closed once the container's output ended.
	nonBlocking     bool
	created, closed chan struct{}
	// every is the flush interval, cleanup the shim logger's cleanup time,
	// skew the host's clock against ECS's.
	every, cleanup, skew time.Duration
	// exitAt is when the shim logger exits (Fargate, once the pipes closed).
	exitAt time.Time
}

// startDriver starts the awslogs driver of a container as its process
// starts: in blocking mode its stream exists, in non-blocking mode it is
// created in the background (logs_mode.go). s.mu is held.
func (s *Server) startDriver(c *taskContainer, fargate bool) *awslogsDriver {
	d := &awslogsDriver{
		s: s, group: c.logGroup, stream: c.logStream, fargate: fargate, lines: make(chan driverLine, 4096),
		every: ms(s.consistency.LogBatchMS), cleanup: ms(s.consistency.ShimCleanupMS), skew: ms(s.timing.HostClockSkewMS),
		created: make(chan struct{}), closed: make(chan struct{}),
	}
	if blockingMode(c.def.LogConfiguration) {
		close(d.created) // prepare created the stream before the start
	} else {
		d.nonBlocking = true
		s.createStreamLater(d, c)
	}
	if lc := c.def.LogConfiguration; lc != nil {
		// RegisterTaskDefinition does not check the pattern; Docker refuses
		// to start a container whose pattern does not compile. Here it is
		// then simply not applied.
		d.multiline, _ = multilinePattern(lc.Options)
	}
	go d.run()
	return d
}

// multilinePattern is the pattern that starts a new event: the
// awslogs-multiline-pattern, or the awslogs-datetime-format turned into
// one, each strftime field a pattern of its digits or letters
// (parseMultilineOptions; its pattern is not anchored, and neither is
// this).
func multilinePattern(opts map[string]string) (*regexp.Regexp, error) {
	if format := opts["awslogs-datetime-format"]; format != "" {
		var b strings.Builder
		for i := 0; i < len(format); i++ {
			if format[i] != '%' || i+1 == len(format) {
				b.WriteString(regexp.QuoteMeta(format[i : i+1]))
				continue
			}
			i++
			switch format[i] {
			case 'Y':
				b.WriteString(`\d{4}`)
			case 'f':
				b.WriteString(`\d{6}`)
			case 'L':
				b.WriteString(`\.\d{3}`)
			case 'j':
				b.WriteString(`\d{3}`)
			case 'w':
				b.WriteString(`\d`)
			case 'z':
				b.WriteString(`[+-]\d{4}`)
			case 'a', 'A', 'b', 'B', 'p', 'Z':
				b.WriteString(`[A-Za-z]+`)
			default:
				b.WriteString(`\d{2}`)
			}
		}
		return regexp.Compile(b.String())
	}
	if p := opts["awslogs-multiline-pattern"]; p != "" {
		return regexp.Compile(p)
	}
	return nil, nil
}

// log hands the driver a line the container printed (without its "\n"),
// as Docker's copier does; it blocks while the driver's queue is full in
// blocking mode, and drops the line in non-blocking mode (logs_mode.go).
func (d *awslogsDriver) log(text string) {
	if d.nonBlocking {
		select {
		case d.lines <- driverLine{at: time.Now(), text: text}:
		default:
		}
		return
	}
	select {
	case d.lines <- driverLine{at: time.Now(), text: text}:
	case <-d.s.closing:
	}
}

// close is the end of the container's output: the pipes closed.
func (d *awslogsDriver) close() { close(d.closed); close(d.lines) }

// run is collectBatch: it returns when the driver is closed (EC2) or the
// shim logger exits (Fargate).
func (d *awslogsDriver) run() {
	// collectBatch starts once the stream's creation is done.
	select {
	case <-d.created:
	case <-d.s.closing:
		return
	}
	tick := time.NewTicker(d.every)
	defer tick.Stop()
	var batch []logEvent
	size := 0
	flush := func() {
		if len(batch) > 0 {
			d.put(batch)
			batch, size = nil, 0
		}
	}
	add := func(at time.Time, text string) {
		for _, piece := range splitEvent(text, maxDriverEventBytes) {
			if len(batch) >= 10000 || size+len(piece)+putEventOverhead > maxPutBatchBytes {
				flush()
			}
			batch = append(batch, logEvent{ts: at.Add(d.skew).UnixMilli(), msg: piece})
			size += len(piece) + putEventOverhead
		}
	}
	// buffer is the joined event (eventBuffer), opened at bufferAt
	// (eventBufferTimestamp).
	var buffer strings.Builder
	var bufferAt time.Time
	flushBuffer := func() {
		if buffer.Len() > 0 {
			add(bufferAt, buffer.String())
			buffer.Reset()
		}
	}
	lines := d.lines
	var shimExit <-chan time.Time
	for {
		select {
		case <-d.s.closing:
			return
		case <-shimExit:
			// The shim logger's process exits: what is not sent is lost.
			return
		case now := <-tick.C:
			if age := now.Sub(bufferAt); !bufferAt.IsZero() && (age >= d.every || age < 0) {
				flushBuffer()
			}
			flush()
		case l, ok := <-lines:
			switch {
			case !ok && d.fargate:
				lines, shimExit, d.exitAt = nil, time.After(d.cleanup), time.Now().Add(d.cleanup)
			case !ok:
				flushBuffer()
				flush()
				return
			case d.multiline == nil:
				add(l.at, l.text)
			default:
				if bufferAt.IsZero() {
					bufferAt = l.at
				}
				if d.multiline.MatchString(l.text) || buffer.Len()+len(l.text) > maxDriverEventBytes {
					flushBuffer()
					bufferAt = l.at
				}
				buffer.WriteString(l.text)
				if len(l.text) < maxDriverEventBytes {
					buffer.WriteString("\n")
				}
			}
		}
	}
}

// put is publishBatch: one PutLogEvents call of the driver, through
// localaws's faults and quotas as any caller's, retried as the SDK's
// standard retryer does (3 attempts for throttling and 5xx, a jittered
// backoff of up to 2^attempt s, aws-sdk-go-v2 aws/retry
// ExponentialJitterBackoff, its second scaled as log_batch_ms scales the
// driver's 5 s); a call that still fails drops the batch.
func (d *awslogsDriver) put(batch []logEvent) {
	const op = "logs:PutLogEvents"
	for attempt := 1; ; attempt++ {
		err, after := d.s.callFault(op, "")
		if err == nil {
			err = d.s.throttle(op, "")
		}
		if err == nil || after {
			if !d.exitAt.IsZero() && !time.Now().Before(d.exitAt) {
				return // the shim logger exited first
			}
			d.s.mu.Lock()
			if st, ferr := d.s.findStream(d.group, d.stream); ferr == nil {
				d.s.acceptEvents(st, batch, time.Now())
			}
			d.s.mu.Unlock()
			if err == nil {
				return
			}
			// Accepted, but the answer was lost: the retry sends it again.
		}
		if attempt == driverPutAttempts || !err.retryable() {
			return
		}
		d.s.mu.Lock()
		backoff := time.Duration(d.s.rng.Float64() * float64(int64(1)<<attempt) * float64(d.every) / 5)
		d.s.mu.Unlock()
		if !d.exitAt.IsZero() && time.Now().Add(backoff).After(d.exitAt) {
			return // the shim logger exits first
		}
		select {
		case <-time.After(backoff):
		case <-d.s.closing:
			return
		}
	}
}

// retryable tells an error the SDK's standard retryer retries: throttling
// and 5xx (aws-sdk-go-v2 aws/retry: DefaultRetryableHTTPStatusCodes 500, 502,
// 503 and 504, and DefaultThrottleErrorCodes).
func (e *apiError) retryable() bool {
	switch e.Code {
	case "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
		"ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
		"BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException":
		return true
	}
	return e.Status == 500 || e.Status == 502 || e.Status == 503 || e.Status == 504
}

// splitEvent cuts a line into events of at most most bytes, at character
// boundaries (moby findValidSplit); an empty line is no event.
func splitEvent(text string, most int) []string {
	var out []string
	for len(text) > most {
		cut := most
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		out = append(out, text[:cut])
		text = text[cut:]
	}
	if text != "" {
		out = append(out, text)
	}
	return out
}
