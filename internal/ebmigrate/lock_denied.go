package ebmigrate

import (
	"net/http"
	"sync"
	"time"
)

// A read of the lock that S3 refuses. "If the object that you request
// doesn't exist, the error that Amazon S3 returns depends on whether you
// also have the s3:ListBucket permission. ... If you don't have the
// s3:ListBucket permission, Amazon S3 returns an HTTP status code 403 Access
// Denied error." (botocore s3 GetObject.) The least-privilege policy grants
// s3:GetObject and s3:PutObject on the lock objects only, so the first read
// of every lock key is a 403: the lock is absent, or it exists and cannot be
// read (no s3:GetObject on it, or no kms:Decrypt on an SSE-KMS bucket's key).
// The read takes it for absent, and the create that follows tells which:
// If-None-Match: * succeeds only where there is no object (this apply now
// holds the lock), and 412 Precondition Failed means an object exists. The
// next read then shows it, unless it is unreadable: a 403 after a 412 is
// the diagnostic below, never a guess.

// deniedReads is what the lock's refused reads and creates have shown.
type deniedReads struct {
	mu sync.Mutex
	// lastDenied: the last read was refused; refusedCreate: a create
	// (If-None-Match: *) after it found an object.
	lastDenied, refusedCreate bool
}

// readable: a read succeeded, the lock can be read.
func (d *deniedReads) readable() {
	d.mu.Lock()
	d.lastDenied, d.refusedCreate = false, false
	d.mu.Unlock()
}

// createRefused: a create found an object where a refused read could not
// tell.
func (d *deniedReads) createRefused() {
	d.mu.Lock()
	d.refusedCreate = d.lastDenied
	d.mu.Unlock()
}

// readRefused is the snapshot of a read S3 refused with 403: no lock (the
// create that follows proves it), or, after a create found an object, the
// diagnostic of a lock that exists and cannot be read.
func (l *lockObject) readRefused(now time.Time, err error) (snapshot, error) {
	l.denied.mu.Lock()
	unreadable := l.denied.lastDenied && l.denied.refusedCreate
	l.denied.lastDenied, l.denied.refusedCreate = true, false
	l.denied.mu.Unlock()
	if !unreadable {
		return snapshot{readAt: now}, nil
	}
	return snapshot{}, engineError(err, "Migration Lock Unreadable",
		"The migration lock %s (lock key %q) exists (creating it with If-None-Match: * got 412 Precondition Failed) but S3 refused to read it (403 Access Denied), so whether a migration holds it cannot be told. "+
			"Allow the provider's credentials s3:GetObject (and s3:PutObject) on arn:aws:s3:::%s/%s* (the IAM policy guide's MigrationLock statement), and kms:Decrypt and kms:GenerateDataKey on the bucket's KMS key if it uses SSE-KMS; then apply again.",
		l.where(), l.key, l.bucket, LockPrefix)
}

// accessDenied is S3's 403: AccessDenied with a body, or a bare 403 (a
// HEAD has no body).
func accessDenied(err error) bool {
	return s3Code(err) == "AccessDenied" || httpStatus(err) == http.StatusForbidden
}
