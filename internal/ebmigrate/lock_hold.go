package ebmigrate

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// held is this apply's hold of the migration lock: the record it last
// wrote and that write's ETag. Writes go one at a time (the renewer and the
// protocol share it), each If-Match the last ETag.
type held struct {
	obj *lockObject
	log Logger

	mu   sync.Mutex
	rec  lockRecord
	etag string
	// sentAt is when the last write that succeeded was sent: a reader that
	// saw it saw it later, so the lease it measures ends later than ours.
	sentAt time.Time
	moved  bool

	stop, stopped chan struct{}
}

// take writes rec in place of snap's version (none, a released lock, or
// one whose holder is gone). errLockMoved: another apply wrote first.
func take(ctx context.Context, obj *lockObject, snap snapshot, rec lockRecord, log Logger) (*held, error) {
	sent := time.Now()
	etag, err := obj.write(ctx, snap.etag, rec)
	if err != nil {
		return nil, err
	}
	return &held{obj: obj, log: log, rec: rec, etag: etag, sentAt: sent}, nil
}

// heldFrom is a hold of the lock as snap shows it, for an apply that did not
// take it (it attached to the same run's task) and may release it.
func heldFrom(obj *lockObject, snap snapshot, log Logger) *held {
	return &held{obj: obj, log: log, rec: *snap.rec, etag: snap.etag, sentAt: snap.readAt}
}

// update rewrites the record with change applied, If-Match the last ETag;
// errLockMoved when another apply wrote it meanwhile: the lock is not ours
// any more.
func (h *held) update(ctx context.Context, change func(*lockRecord)) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.moved {
		return errLockMoved
	}
	rec := h.rec
	change(&rec)
	for busy := 0; ; busy++ {
		sent := time.Now()
		etag, err := h.obj.write(ctx, h.etag, rec)
		if errors.Is(err, errLockBusy) && busy < maxBusyRetries {
			// Another write was in progress (an apply trying to take the
			// lock): still ours if it still has our ETag.
			now, rerr := h.obj.read(ctx)
			if rerr == nil && now.etag == h.etag && sleep(ctx, time.Duration(busy+1)*20*time.Millisecond) {
				continue
			}
		}
		if errors.Is(err, errLockMoved) {
			h.moved = true
		}
		if err != nil {
			return err
		}
		h.rec, h.etag, h.sentAt = rec, etag, sent
		return nil
	}
}

// maxBusyRetries bounds the retries of a write S3 answered 409.
const maxBusyRetries = 10

func (h *held) record() lockRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.rec
}

// runDeadline is the last moment this holder may send RunTask: half a lease
// after its last write was sent. Another apply takes a starting lock over
// only a whole lease after it first read that write, so that a RunTask sent
// in time has half a lease to reach ECS before anyone else may start one.
func (h *held) runDeadline() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sentAt.Add(h.rec.lease() / 2)
}

// renewForRun renews the lock right before a RunTask, with a conditional
// write: an apply that took it over meanwhile (this host suspended, its
// renewals lost) makes it fail (errLockMoved), and nothing is started. It
// renews once more if the deadline has passed by either clock since (a
// suspension during the write), and fails if it still has.
func (h *held) renewForRun(ctx context.Context) error {
	for range 2 {
		if err := h.update(ctx, func(r *lockRecord) { r.Renewal++ }); err != nil {
			return err
		}
		if h.inTime() {
			return nil
		}
	}
	return fmt.Errorf("the migration lock %s was renewed, but its RunTask deadline (half its lease after the renewal) had passed by the time the renewal answered", h.obj.where())
}

// inTime: runDeadline has not passed, on this process's monotonic clock nor
// on the wall clock. Go's monotonic clock does not advance while a host is
// suspended, and another apply (on another host) measures the lease on its
// own: a holder that slept through its lease sees its deadline passed by
// the wall clock only.
func (h *held) inTime() bool {
	h.mu.Lock()
	sent, half := h.sentAt, h.rec.lease()/2
	h.mu.Unlock()
	now := time.Now()
	return now.Before(sent.Add(half)) && now.Round(0).Before(sent.Round(0).Add(half))
}

// startRenewing renews a starting lock every third of its lease until
// stopRenewing, so that other applies see its holder alive.
func (h *held) startRenewing() {
	h.stop, h.stopped = make(chan struct{}), make(chan struct{})
	every := h.record().lease() / 3
	go func() {
		defer close(h.stopped)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-tick.C:
			}
			ctx, cancel := context.WithTimeout(context.Background(), every)
			err := h.update(ctx, func(r *lockRecord) { r.Renewal++ })
			cancel()
			switch {
			case errors.Is(err, errLockMoved):
				h.log.Info("the migration lock was taken over by another apply; this one starts nothing", map[string]any{"lock": h.obj.where()})
				return
			case err != nil:
				h.log.Info("renewing the migration lock failed; will try again", map[string]any{"lock": h.obj.where(), "error": err.Error()})
			}
		}
	}()
}

func (h *held) stopRenewing() {
	if h.stop != nil {
		close(h.stop)
		<-h.stopped
		h.stop = nil
	}
}

// release frees the lock: only once its task was seen STOPPED, or when no
// task was started. It has a context of its own (the apply's may be done);
// a failure leaves the lock to the next apply, which judges it by its task.
func (h *held) release() {
	h.stopRenewing()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := h.update(ctx, func(r *lockRecord) { r.State = lockReleased })
	switch {
	case err == nil:
		h.log.Info("released the migration lock", map[string]any{"lock": h.obj.where()})
	case errors.Is(err, errLockMoved):
		// Another apply saw the task stopped and took the lock already.
	default:
		h.log.Info("releasing the migration lock failed; the next apply takes it over once it sees the task stopped", map[string]any{"lock": h.obj.where(), "error": err.Error()})
	}
}
