package localaws

import "time"

// The awslogs driver's delivery mode, and when it creates the container's
// log stream.
//
//   - "If you don't specify the mode option or configure the account
//     setting, Amazon ECS will default to the non-blocking mode" (botocore
//     ecs LogConfiguration options, "mode"; ECS changed the default from
//     blocking on June 25, 2025; account setting defaultLogDriverMode).
//     localaws has no account setting: a container without "mode" is
//     non-blocking.
//   - Blocking: Docker creates the stream in the driver's constructor,
//     before the container starts; a failure to create it (no group, a
//     denied CreateLogStream) fails the start (moby daemon/logger/awslogs
//     cloudwatchlogs.go New: "if err = containerStream.create(); err !=
//     nil { return nil, err }").
//   - Non-blocking: New returns at once and a goroutine creates the stream,
//     retrying with a backoff of 1 s doubling to 32 s until it succeeds or
//     the driver is closed, while the container already runs; the driver's
//     batches wait for it (collectBatch(creationDone)). So a stream that
//     does not exist does not prove that the container never started, and
//     one that is never created (no group) loses every line.
//   - Non-blocking lines go through a buffer that drops what does not fit
//     ("When the buffer fills up, further logs cannot be stored. Logs that
//     cannot be stored are lost.", botocore ecs, max-buffer-size). localaws
//     bounds it by the driver's queue (moby defaultMaxBufferedEvents, 4096
//     events), not by max-buffer-size bytes.

// blockingMode tells a log configuration whose driver blocks (creates the
// stream before the container starts).
func blockingMode(lc *logConfig) bool {
	return lc != nil && lc.Options["mode"] == "blocking"
}

// streamCreateBackoffMax is moby's maxBackoff for the non-blocking
// stream creation, in seconds.
const streamCreateBackoffMax = 32

// createStreamLater is the non-blocking driver's creation goroutine: after
// Timing.StreamCreateLagMS (plus jitter) it creates c's stream, retrying
// with moby's backoff while the group does not exist; it retries no more
// once the driver is closed, and then lets the batches go (to a stream
// that does not exist: lost). s.mu is held by the caller.
func (s *Server) createStreamLater(d *awslogsDriver, c *taskContainer) {
	wait := ms(s.timing.StreamCreateLagMS) + s.jitter(s.timing.StreamCreateJitterMS)
	createGroup := c.def.LogConfiguration != nil && c.def.LogConfiguration.Options["awslogs-create-group"] == "true"
	group, stream := c.logGroup, c.logStream
	go func() {
		defer close(d.created)
		backoff := 1
		var closed chan struct{} // nil: the first wait ignores it
		for {
			// The first attempt is made whatever happens to the container
			// meanwhile; a retry only while the driver is open.
			select {
			case <-time.After(wait):
			case <-closed:
				return
			case <-s.closing:
				return
			}
			closed = d.closed
			s.mu.Lock()
			lg := s.logGroups[group]
			if lg == nil && createGroup {
				lg = s.ensureLogGroup(group)
			}
			if lg != nil {
				lg.stream(stream)
			}
			s.mu.Unlock()
			if lg != nil {
				return
			}
			wait = time.Duration(backoff) * time.Second
			if backoff < streamCreateBackoffMax {
				backoff *= 2
			}
		}
	}()
}
