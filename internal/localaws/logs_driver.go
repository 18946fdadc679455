package localaws

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// The awslogs log driver: how a container's output reaches CloudWatch
// Logs, from the driver's own source (moby daemon/logger/awslogs
// cloudwatchlogs.go: collectBatch, processEvent, publishBatch; moby
// daemon/logger/copier.go) and, on Fargate, from AWS's shim logger, which
// runs the same driver in a process of its own
// (aws/shim-loggers-for-containerd logger/common.go, sendLogs).
//
//   - Docker's copier stamps each line with the time it read it; the
//     driver sends no event for an empty line (processEvent loops over the
//     line's bytes), and splits a line longer than 262,118 bytes
//     (maximumBytesPerEvent) into several events.
//   - collectBatch sends its batch every 5 s (a ticker started with the
//     driver; awslogs-force-flush-interval-seconds, default 5), or at once
//     when the next event would overflow 10,000 events or 1,048,576 bytes.
//     It sends one PutLogEvents at a time, from one goroutine.
//   - With awslogs-multiline-pattern, lines are joined (each followed by
//     "\n") into one event until a line matches the pattern; a tick sends a
//     joined event older than the flush interval.
//   - On EC2, Docker closes the driver once the container exited and its
//     output was copied (daemon/container/monitor.go Reset), and closing
//     sends the last batch at once ("Flush event buffer and release
//     resources"), though nothing waits for it: ECS may show the task
//     STOPPED before CloudWatch shows the batch.
//   - On Fargate the shim logger reads a line into a buffer of 16 KiB
//     (DefaultBufSizeInBytes) and hands a longer one to the driver in
//     pieces of that size, each an event of its own.
//   - On Fargate (platform 1.4) the shim logger never closes the driver:
//     once the container's pipes close it sleeps its cleanup time ("to
//     allow enough time for the last few log messages be flushed to
//     destination like CloudWatch", 5 s by default), so the last batch goes
//     at the driver's next tick, up to 5 s after the container exited, and
//     nothing documents that ECS waits for it before showing STOPPED.

// maxDriverEventBytes is moby's maximumBytesPerEvent (262,144 - 26);
// shimLoggerLineBytes the shim logger's line buffer.
const (
	maxDriverEventBytes = 262144 - putEventOverhead
	shimLoggerLineBytes = 16 * 1024
)

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
}

// startDriver starts the awslogs driver of a container whose stream
// exists. s.mu is held.
func (s *Server) startDriver(c *taskContainer, fargate bool) *awslogsDriver {
	d := &awslogsDriver{s: s, group: c.logGroup, stream: c.logStream, fargate: fargate, lines: make(chan driverLine, 4096)}
	if lc := c.def.LogConfiguration; lc != nil && lc.Options["awslogs-multiline-pattern"] != "" {
		// RegisterTaskDefinition does not check the pattern; Docker refuses
		// to start a container whose pattern does not compile. Here it is
		// then simply not applied.
		d.multiline, _ = regexp.Compile(lc.Options["awslogs-multiline-pattern"])
	}
	go d.run(ms(s.consistency.LogBatchMS))
	return d
}

// log hands the driver a line the container printed (without its "\n"),
// as Docker's copier does; it blocks while the driver's queue is full
// (awslogs' default blocking mode).
func (d *awslogsDriver) log(text string) {
	select {
	case d.lines <- driverLine{at: time.Now(), text: text}:
	case <-d.s.closing:
	}
}

// close is the end of the container's output: the pipes closed.
func (d *awslogsDriver) close() { close(d.lines) }

func (d *awslogsDriver) run(every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	var batch []logEvent
	size := 0
	flush := func() {
		if len(batch) > 0 {
			d.put(batch)
			batch, size = nil, 0
		}
	}
	most := maxDriverEventBytes
	if d.fargate {
		most = shimLoggerLineBytes
	}
	add := func(at time.Time, text string) {
		for _, piece := range splitEvent(text, most) {
			if len(batch) >= 10000 || size+len(piece)+putEventOverhead > maxPutBatchBytes {
				flush()
			}
			batch = append(batch, logEvent{ts: at.UnixMilli(), msg: piece})
			size += len(piece) + putEventOverhead
		}
	}
	var joined strings.Builder
	var joinedAt time.Time
	flushJoined := func() {
		if joined.Len() > 0 {
			add(joinedAt, joined.String())
			joined.Reset()
		}
	}
	for {
		select {
		case <-d.s.closing:
			return
		case now := <-tick.C:
			if now.Sub(joinedAt) >= every {
				flushJoined()
			}
			flush()
		case l, ok := <-d.lines:
			switch {
			case !ok:
				if d.fargate {
					select {
					case <-tick.C:
					case <-d.s.closing:
						return
					}
				}
				flushJoined()
				flush()
				return
			case d.multiline == nil:
				add(l.at, l.text)
			default:
				if d.multiline.MatchString(l.text) || joined.Len()+len(l.text) > maxDriverEventBytes {
					flushJoined()
				}
				if joined.Len() == 0 {
					joinedAt = l.at
				}
				joined.WriteString(l.text + "\n")
			}
		}
	}
}

// put is one PutLogEvents call of the driver.
func (d *awslogsDriver) put(batch []logEvent) {
	d.s.mu.Lock()
	defer d.s.mu.Unlock()
	if st, err := d.s.findStream(d.group, d.stream); err == nil {
		d.s.acceptEvents(st, batch, time.Now())
	}
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
