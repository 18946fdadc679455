package ebmigrate

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// The migration lock's object in S3 and the two writes it rests on (the
// protocol is in protocol.go): a PutObject with If-None-Match: * creates it
// only where there is none, a PutObject with If-Match: <ETag> replaces only
// the version read. Anything else (412 Precondition Failed, 409
// ConditionalRequestConflict, 404 NoSuchKey on If-Match) means another
// apply wrote first, the writer reads again and decides anew; except a 412
// or 409 after which the lock holds exactly what was written (landed).

// LockPrefix is where lock objects live in their bucket.
const LockPrefix = "ebmigrate/locks/"

// LockKeyPattern is what a lock key may be: an S3 key's safe characters, no
// "/", so that a key names one object under LockPrefix.
var LockKeyPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// DefaultLockLease is how long a lock that names no task yet ("starting")
// may go without its holder renewing it before another apply may take it
// over. Its holder renews it every third of that, and sends no RunTask later
// than half of it after its last renewal was sent.
const DefaultLockLease = 30 * time.Second

// StorageLocator finds Elastic Beanstalk's storage bucket.
type StorageLocator interface {
	CreateStorageLocation(context.Context, *elasticbeanstalk.CreateStorageLocationInput, ...func(*elasticbeanstalk.Options)) (*elasticbeanstalk.CreateStorageLocationOutput, error)
}

// LockPlace is the bucket the locks live in: the one configured, else
// Elastic Beanstalk's storage bucket (elasticbeanstalk-<region>-<account>),
// which CreateStorageLocation returns, creating it when the account has
// none; asked once per provider process.
type LockPlace struct {
	mu     sync.Mutex
	bucket string
	eb     StorageLocator
}

// NewLockPlace is a place for the locks: bucket when set, else EB's.
func NewLockPlace(bucket string, eb StorageLocator) *LockPlace {
	return &LockPlace{bucket: bucket, eb: eb}
}

// Bucket is the locks' bucket.
func (p *LockPlace) Bucket(ctx context.Context) (string, error) {
	if p == nil {
		return "", errors.New("no place for the migration lock was configured (Clients.Locks)")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bucket != "" {
		return p.bucket, nil
	}
	out, err := p.eb.CreateStorageLocation(ctx, &elasticbeanstalk.CreateStorageLocationInput{})
	if err != nil {
		return "", fmt.Errorf("finding Elastic Beanstalk's storage bucket for the migration lock (elasticbeanstalk:CreateStorageLocation; set lock.bucket in the provider to use a bucket of your own): %w", err)
	}
	p.bucket = aws.ToString(out.S3Bucket)
	return p.bucket, nil
}

// Lookup is the locks' bucket for a reader that must create nothing (a
// plan's pending-migrations query): the configured bucket, or the one
// already found; else Elastic Beanstalk's storage bucket by its name for the
// account and region of clusterArn, elasticbeanstalk-<region>-<account> (the
// EB API Reference's CreateStorageLocation sample answer), without calling
// CreateStorageLocation, which "Creates a bucket in Amazon S3" when the
// account has none in the region (botocore elasticbeanstalk). That bucket
// may not exist: then no migration holds a lock in it. "" when clusterArn is
// no ARN.
func (p *LockPlace) Lookup(clusterArn string) string {
	if p == nil {
		return ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bucket != "" {
		return p.bucket
	}
	a, err := arn.Parse(clusterArn)
	if err != nil || a.Region == "" || a.AccountID == "" {
		return ""
	}
	return "elasticbeanstalk-" + a.Region + "-" + a.AccountID
}

// Lock states.
const (
	lockStarting = "starting" // held; the holder's task is not recorded yet
	lockRunning  = "running"  // held until task_arn has stopped
	lockReleased = "released" // free; the record says who held it last
)

// lockRecord is the lock object's content. Small, and nothing secret: who
// holds the lock for what, and the RunTask clientToken the holder uses,
// written before it calls RunTask, so that every crash leaves what the
// next apply needs to find the task (protocol.go).
type lockRecord struct {
	Format        int    `json:"format"`
	State         string `json:"state"`
	Holder        string `json:"holder"`
	Run           string `json:"run"`
	Environment   string `json:"environment"`
	EnvironmentID string `json:"environment_id"`
	LockKey       string `json:"lock_key"`
	Operation     string `json:"operation,omitempty"`
	// Since is when the holder took the lock, by its clock: for people.
	Since       time.Time `json:"since"`
	Cluster     string    `json:"cluster"`
	ClientToken string    `json:"client_token"`
	TaskArn     string    `json:"task_arn,omitempty"`
	// holderStart is how the holder judges its task's start, written when
	// it takes the lock: a waiter judges the task by it, not by its own.
	holderStart
	// LogStream is the task's stream once known (running).
	LogStream string `json:"log_stream,omitempty"`
	// LeaseSeconds: a starting lock not rewritten for this long, as the
	// reader measures it, may be taken over.
	LeaseSeconds float64 `json:"lease_seconds"`
	// Renewal counts the holder's renewals; each changes the ETag.
	Renewal int `json:"renewal"`
	// FencedFrom is the starting lock this one took over: its holder's
	// token is this holder's first clientToken (protocol.go, "fence").
	FencedFrom *fencedHolder `json:"fenced_from,omitempty"`
}

// fencedHolder is a holder gone before it recorded a task: the next holder
// reuses its clientToken on its cluster (protocol.go, "fence").
type fencedHolder struct {
	Holder        string    `json:"holder"`
	Cluster       string    `json:"cluster"`
	ClientToken   string    `json:"client_token"`
	Run           string    `json:"run"`
	Environment   string    `json:"environment"`
	EnvironmentID string    `json:"environment_id"`
	Operation     string    `json:"operation,omitempty"`
	Since         time.Time `json:"since"`
	holderStart
}

// holderStart is what a waiter needs to judge whether the holder's task
// started (lock_wait.go): the holder's task.start_timeout, and where its
// container logs, when that stream proves a start (start_proof.go: a
// blocking awslogs driver creates it before the container starts, whatever
// DescribeTasks shows yet). The stream is named LogStreamPrefix/<task id>;
// the group and prefix are recorded, and StreamProvesStart set, only for a
// container whose awslogs mode is blocking and that has a stream prefix:
// for any other, and for a record of an earlier build (which recorded a
// prefix whatever the mode), the start cannot be checked, and no waiter
// stops the task.
type holderStart struct {
	StartTimeoutSeconds float64 `json:"start_timeout_seconds,omitempty"`
	LogGroup            string  `json:"log_group,omitempty"`
	LogStreamPrefix     string  `json:"log_stream_prefix,omitempty"`
	StreamProvesStart   bool    `json:"stream_proves_start,omitempty"`
}

// startTimeout is the holder's task.start_timeout; false when the record
// does not say (a record of an earlier build).
func (h holderStart) startTimeout() (time.Duration, bool) {
	return time.Duration(h.StartTimeoutSeconds * float64(time.Second)), h.StartTimeoutSeconds > 0
}

// taskLogs is where the holder's task taskArn logs; false when its stream
// cannot be named before ECS shows the start.
func (h holderStart) taskLogs(taskArn string) (LogLocation, bool) {
	if !h.StreamProvesStart || h.LogGroup == "" || h.LogStreamPrefix == "" || taskArn == "" {
		return LogLocation{}, false
	}
	return LogLocation{Group: h.LogGroup, Stream: h.LogStreamPrefix + "/" + taskIDOf(taskArn)}, true
}

// startOf is how this apply's task's start is judged (holderStart).
func startOf(c *ecstypes.ContainerDefinition, startTimeout time.Duration) holderStart {
	h := holderStart{StartTimeoutSeconds: startTimeout.Seconds()}
	if loc, ok := startProvable(c, ""); ok {
		h.LogGroup, h.LogStreamPrefix = loc.Group, strings.TrimSuffix(loc.Stream, "/")
		h.StreamProvesStart = true
	}
	return h
}

const lockFormat = 1

func (r *lockRecord) held() bool {
	return r != nil && (r.State == lockStarting || r.State == lockRunning)
}

func (r lockRecord) lease() time.Duration {
	if r.LeaseSeconds <= 0 {
		return DefaultLockLease
	}
	return time.Duration(r.LeaseSeconds * float64(time.Second))
}

// lockObject is one lock's object.
type lockObject struct {
	api    S3
	bucket string
	key    string // the lock key
	// denied tells a read S3 refused (403) from a lock that is unreadable
	// (lock_denied.go).
	denied deniedReads
}

func (l *lockObject) objectKey() string { return LockPrefix + l.key + ".json" }

// where names the object for messages.
func (l *lockObject) where() string { return "s3://" + l.bucket + "/" + l.objectKey() }

// snapshot is the lock as one read saw it. rec is nil when there is no lock
// object; readAt is when the answer came (a write it shows was made before).
type snapshot struct {
	rec    *lockRecord
	etag   string
	readAt time.Time
	// modified is S3's Last-Modified of the object (S3's clock).
	modified time.Time
}

// free: no one holds the lock.
func (s snapshot) free() bool { return !s.rec.held() }

// read reads the lock; S3 reads are strongly consistent, so it shows every
// write that returned before it was sent.
func (l *lockObject) read(ctx context.Context) (snapshot, error) {
	out, err := l.api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(l.bucket), Key: aws.String(l.objectKey())})
	now := time.Now()
	if err != nil {
		if s3Code(err) == "NoSuchKey" {
			return snapshot{readAt: now}, nil
		}
		if accessDenied(err) {
			// Absent, read without s3:ListBucket, or unreadable.
			return l.readRefused(now, err)
		}
		return snapshot{}, l.failed("reading", err)
	}
	l.denied.readable()
	defer out.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(out.Body, 64<<10))
	if err != nil {
		return snapshot{}, l.failed("reading", err)
	}
	var rec lockRecord
	if err := json.Unmarshal(raw, &rec); err != nil || rec.Format == 0 {
		return snapshot{}, engineError(err, "Migration Lock Unreadable",
			"The migration lock %s does not hold a lock record this provider can read, so whether a migration holds it cannot be told. If no migration of lock key %q runs, delete the object (aws s3 rm %s) and apply again.",
			l.where(), l.key, l.where())
	}
	return snapshot{rec: &rec, etag: aws.ToString(out.ETag), readAt: now, modified: aws.ToTime(out.LastModified)}, nil
}

// errLockMoved is a conditional write that found the lock other than read:
// another apply wrote it first. Read again.
var errLockMoved = errors.New("the migration lock was written by another apply first")

// errLockBusy is S3's 409 ConditionalRequestConflict: another write of the
// lock was in progress, and neither may have landed yet. "On a 409 failure
// you should fetch the object's ETag and retry the upload" (botocore s3
// PutObjectRequest.IfMatch). It is an errLockMoved to a writer that reads
// the lock again anyway.
var errLockBusy = fmt.Errorf("%w (409 ConditionalRequestConflict)", errLockMoved)

// write puts rec in place of the version prev read: If-None-Match: * when
// there was no object, If-Match: <its ETag> otherwise. It returns the new
// ETag, and errLockMoved when another write came first.
func (l *lockObject) write(ctx context.Context, prevETag string, rec lockRecord) (string, error) {
	rec.Format = lockFormat
	body, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	in := &s3.PutObjectInput{
		Bucket: aws.String(l.bucket), Key: aws.String(l.objectKey()),
		Body: bytes.NewReader(body), ContentType: aws.String("application/json"),
	}
	if prevETag == "" {
		in.IfNoneMatch = aws.String("*")
	} else {
		in.IfMatch = aws.String(prevETag)
	}
	out, err := l.api.PutObject(ctx, in)
	if err != nil {
		// S3 User Guide, conditional writes: 412 when the condition does
		// not hold, 409 when "a conflicting operation occurs during the
		// upload", and If-Match on a key with no object is 404 NoSuchKey.
		// Either may answer an SDK retry whose first attempt landed (or was
		// still in progress): landed looks first.
		switch {
		case s3Code(err) == "ConditionalRequestConflict" || httpStatus(err) == http.StatusConflict:
			if etag, ok := l.landed(ctx, body); ok {
				return etag, nil
			}
			return "", errLockBusy
		case s3Code(err) == "PreconditionFailed" || httpStatus(err) == http.StatusPreconditionFailed:
			if etag, ok := l.landed(ctx, body); ok {
				return etag, nil
			}
			if prevETag == "" {
				l.denied.createRefused()
			}
			return "", errLockMoved
		case s3Code(err) == "NoSuchKey":
			return "", errLockMoved
		}
		return "", l.failed("writing", err)
	}
	return aws.ToString(out.ETag), nil
}

// landed tells a 412 or 409 that answered our own write from one that
// answered another apply's: the SDK retries a PUT whose answer was lost (a
// dropped connection, a 5xx), and when the first attempt landed, the
// retry's condition no longer holds (412), or S3 saw it as a conflicting
// operation in progress (409). The lock then holds exactly what we wrote:
// it is ours, at the ETag read. Each record names its holder and counts its
// renewals, so another apply's write differs, with one exception that
// means the same: recordFencedTask writes the dead holder's record (its
// holder, run and task), which that holder's own late write of its task
// can equal byte for byte; either way the lock then leads every apply to
// that task.
func (l *lockObject) landed(ctx context.Context, body []byte) (string, bool) {
	now, err := l.read(ctx)
	if err != nil || now.rec == nil {
		return "", false
	}
	again, err := json.Marshal(now.rec)
	if err != nil || !bytes.Equal(again, body) {
		return "", false
	}
	return now.etag, true
}

// failed is an S3 error on the lock, with what to check.
func (l *lockObject) failed(doing string, err error) error {
	return fmt.Errorf("%s the migration lock %s (lock key %q; the provider needs s3:GetObject and s3:PutObject on it, see the IAM policy guide's MigrationLock statement): %w", doing, l.where(), l.key, err)
}

func s3Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// newHolderID names one apply's hold of a lock.
func newHolderID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
