package localaws_test

import (
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// s3Client is a real SDK S3 client for srv, path-style, retries off, with
// app id app in its User-Agent.
func s3Client(srv *localaws.Server, app string) *s3.Client {
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 1, AppID: app}
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL()); o.UsePathStyle = true })
}

// status is the HTTP status of an SDK error, 0 for none.
func status(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func put(t *testing.T, c *s3.Client, bucket, key, body string, mod ...func(*s3.PutObjectInput)) (*s3.PutObjectOutput, error) {
	t.Helper()
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)}
	for _, m := range mod {
		m(in)
	}
	return c.PutObject(ctx(t), in)
}

func ifNoneMatch(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String("*") }

func ifMatch(etag string) func(*s3.PutObjectInput) {
	return func(in *s3.PutObjectInput) { in.IfMatch = aws.String(etag) }
}

const lockBucket = "locks"

func lockWorld(t *testing.T, mutate ...func(*localaws.Seed)) clients {
	t.Helper()
	return world(t, append([]func(*localaws.Seed){func(s *localaws.Seed) { s.S3Buckets = []string{lockBucket} }}, mutate...)...)
}

// If-None-Match: * creates a key once (412 PreconditionFailed after); If-Match
// is a compare-and-swap (412 on a stale ETag, NoSuchKey on no object); a read
// after a write sees it, GetObject and HeadObject with its ETag.
func TestS3ConditionalWrites(t *testing.T) {
	c := lockWorld(t)
	api := s3Client(c.srv, "")
	first, err := put(t, api, lockBucket, "k", "one", ifNoneMatch)
	if err != nil {
		t.Fatal(err)
	}
	_, err = put(t, api, lockBucket, "k", "two", ifNoneMatch)
	if errCode(err) != "PreconditionFailed" || status(err) != http.StatusPreconditionFailed {
		t.Errorf("If-None-Match on an existing key: %v (status %d), want 412 PreconditionFailed", err, status(err))
	}
	second, err := put(t, api, lockBucket, "k", "two", ifMatch(aws.ToString(first.ETag)))
	if err != nil {
		t.Fatalf("If-Match with the current ETag: %v", err)
	}
	if _, err := put(t, api, lockBucket, "k", "three", ifMatch(aws.ToString(first.ETag))); errCode(err) != "PreconditionFailed" {
		t.Errorf("If-Match with a stale ETag: %v, want 412 PreconditionFailed", err)
	}
	if _, err := put(t, api, lockBucket, "absent", "x", ifMatch(aws.ToString(first.ETag))); errCode(err) != "NoSuchKey" || status(err) != http.StatusNotFound {
		t.Errorf("If-Match on a key with no object: %v, want 404 NoSuchKey", err)
	}
	got, err := api.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String(lockBucket), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	if string(body) != "two" || aws.ToString(got.ETag) != aws.ToString(second.ETag) || got.LastModified == nil {
		t.Errorf("read after the write: %q, ETag %s (want %s), last modified %v", body, aws.ToString(got.ETag), aws.ToString(second.ETag), got.LastModified)
	}
	head, err := api.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: aws.String(lockBucket), Key: aws.String("k")})
	if err != nil || aws.ToString(head.ETag) != aws.ToString(second.ETag) {
		t.Errorf("HeadObject: %v, ETag %v", err, head)
	}
	var nf *s3types.NotFound
	if _, err := api.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: aws.String(lockBucket), Key: aws.String("absent")}); !errors.As(err, &nf) {
		t.Errorf("HeadObject of no object: %v, want NotFound", err)
	}
	if _, err := put(t, api, "no-such-bucket", "k", "x", ifNoneMatch); errCode(err) != "NoSuchBucket" {
		t.Errorf("a bucket that does not exist: %v, want NoSuchBucket", err)
	}
}

// Conditional writes racing on one key: the first to finish wins and the
// other gets 412 (S3 User Guide, conditional writes), whether both create
// (If-None-Match) or both replace one version (If-Match); a plain write or a
// delete that lands during a conditional upload ends it with 409
// ConditionalRequestConflict.
func TestS3ConditionalWriteConflicts(t *testing.T) {
	c := lockWorld(t, func(s *localaws.Seed) {
		s.Consistency = localaws.TestConsistency
		s.Consistency.S3WriteMS = 400
	})
	api := s3Client(c.srv, "")
	// race starts first, waits 100 ms (within S3WriteMS), then runs second.
	race := func(first func() error, second func() error) (firstErr, secondErr error) {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); firstErr = first() }()
		time.Sleep(100 * time.Millisecond)
		secondErr = second()
		wg.Wait()
		return firstErr, secondErr
	}
	putErr := func(key, body string, mod ...func(*s3.PutObjectInput)) func() error {
		return func() error { _, err := put(t, api, lockBucket, key, body, mod...); return err }
	}
	firstErr, err := race(putErr("race", "a", ifNoneMatch), putErr("race", "b", ifNoneMatch))
	if firstErr != nil || errCode(err) != "PreconditionFailed" || status(err) != http.StatusPreconditionFailed {
		t.Errorf("two creates at once: first %v, second %v (status %d); want the first to finish to win, the other 412", firstErr, err, status(err))
	}
	if obj, _ := c.srv.Object(lockBucket, "race"); string(obj) != "a" {
		t.Errorf("after the race: %q, want the winner's", obj)
	}
	cur, err := api.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: aws.String(lockBucket), Key: aws.String("race")})
	if err != nil {
		t.Fatal(err)
	}
	etag := aws.ToString(cur.ETag)
	// Two compare-and-swaps of one version, even with the same bytes.
	firstErr, err = race(putErr("race", "c", ifMatch(etag)), putErr("race", "c", ifMatch(etag)))
	if firstErr != nil || errCode(err) != "PreconditionFailed" {
		t.Errorf("two If-Match writes of one version at once: first %v, second %v; want the first to finish to win, the other 412", firstErr, err)
	}
	firstErr, err = race(putErr("plain", "a", ifNoneMatch), putErr("plain", "b"))
	if err != nil || errCode(firstErr) != "ConditionalRequestConflict" || status(firstErr) != http.StatusConflict {
		t.Errorf("a conditional write overtaken by a plain one: %v (plain write %v), want 409 ConditionalRequestConflict", firstErr, err)
	}
	firstErr, err = race(putErr("plain", "c", ifMatch(`"`+md5hex("b")+`"`)), func() error {
		_, err := api.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: aws.String(lockBucket), Key: aws.String("plain")})
		return err
	})
	if err != nil || errCode(firstErr) != "ConditionalRequestConflict" {
		t.Errorf("a delete that succeeds during a conditional write: %v (delete %v), want 409", firstErr, err)
	}
	// Retried as S3 says, the write now finds no object.
	if _, err := put(t, api, lockBucket, "plain", "c", ifMatch(`"`+md5hex("b")+`"`)); errCode(err) != "NoSuchKey" {
		t.Errorf("the retry: %v, want 404 NoSuchKey", err)
	}
}

func md5hex(s string) string { return fmt.Sprintf("%x", md5.Sum([]byte(s))) }

// DeleteObject with If-Match deletes only the object with that ETag; a plain
// delete of no object is still 204.
func TestS3ConditionalDelete(t *testing.T) {
	c := lockWorld(t)
	api := s3Client(c.srv, "")
	first, err := put(t, api, lockBucket, "k", "one")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := put(t, api, lockBucket, "k", "two"); err != nil {
		t.Fatal(err)
	}
	del := func(key, etag string) error {
		in := &s3.DeleteObjectInput{Bucket: aws.String(lockBucket), Key: aws.String(key)}
		if etag != "" {
			in.IfMatch = aws.String(etag)
		}
		_, err := api.DeleteObject(ctx(t), in)
		return err
	}
	if err := del("k", aws.ToString(first.ETag)); errCode(err) != "PreconditionFailed" {
		t.Errorf("delete with a stale ETag: %v, want 412", err)
	}
	if _, ok := c.srv.Object(lockBucket, "k"); !ok {
		t.Fatal("a refused delete deleted the object")
	}
	if err := del("k", "*"); err != nil {
		t.Fatalf("delete If-Match *: %v", err)
	}
	if _, ok := c.srv.Object(lockBucket, "k"); ok {
		t.Error("the object is still there")
	}
	if err := del("k", "*"); errCode(err) != "NoSuchKey" {
		t.Errorf("If-Match on no object: %v, want NoSuchKey", err)
	}
	if err := del("k", ""); err != nil {
		t.Errorf("plain delete of no object: %v, want 204", err)
	}
}

// CreateStorageLocation returns Elastic Beanstalk's bucket and creates it
// when the account has none yet (here the versions live in another bucket).
func TestCreateStorageLocation(t *testing.T) {
	c := world(t, func(s *localaws.Seed) { s.Environments[0].BundleBucket = "my-releases" })
	api := s3Client(c.srv, "")
	ebBucket := "elasticbeanstalk-us-east-1-123456789012"
	if _, err := put(t, api, ebBucket, "k", "x"); errCode(err) != "NoSuchBucket" {
		t.Fatalf("before CreateStorageLocation: %v, want NoSuchBucket", err)
	}
	for i := 0; i < 2; i++ {
		out, err := c.eb.CreateStorageLocation(ctx(t), &elasticbeanstalk.CreateStorageLocationInput{})
		if err != nil || aws.ToString(out.S3Bucket) != ebBucket {
			t.Fatalf("CreateStorageLocation: %v %+v", err, out)
		}
	}
	if _, err := put(t, api, ebBucket, "k", "x"); err != nil {
		t.Errorf("after CreateStorageLocation: %v", err)
	}
}

// An enforced policy refuses the S3 calls of the client it is for outside
// what it allows, with S3's AccessDenied (403); other clients are not judged.
func TestS3EnforcedPolicy(t *testing.T) {
	c := lockWorld(t)
	c.srv.EnforcePolicy("judged", func(r localaws.AuthzRequest) bool {
		return strings.HasPrefix(r.Resource, "arn:aws:s3:::"+lockBucket+"/allowed/")
	})
	judged := s3Client(c.srv, "judged")
	if _, err := put(t, judged, lockBucket, "allowed/k", "x"); err != nil {
		t.Errorf("allowed key: %v", err)
	}
	_, err := put(t, judged, lockBucket, "other/k", "x")
	if errCode(err) != "AccessDenied" || status(err) != http.StatusForbidden || !strings.Contains(err.Error(), "s3:PutObject") {
		t.Errorf("key outside the policy: %v, want 403 AccessDenied naming s3:PutObject", err)
	}
	if _, err := put(t, s3Client(c.srv, ""), lockBucket, "other/k", "x"); err != nil {
		t.Errorf("another client: %v", err)
	}
	reqs := c.srv.AuthzRequests("judged")
	if len(reqs) != 1 || reqs[0].Action != "s3:PutObject" || reqs[0].Resource != "arn:aws:s3:::locks/allowed/k" {
		t.Errorf("recorded: %+v", reqs)
	}
}

// An after fault on S3 lands the write and loses its answer: the SDK's
// retry of a conditional PUT then meets its own first attempt (412), and
// the object holds what was sent.
func TestS3AfterFaultLandsTheWrite(t *testing.T) {
	t.Parallel()
	c := lockWorld(t)
	if err := c.srv.AddFault(localaws.Fault{Operation: "s3:PutObject", Error: "500", After: true, Count: 1}); err != nil {
		t.Fatal(err)
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 3}
	retrying := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(c.srv.URL()); o.UsePathStyle = true })
	_, err := put(t, retrying, lockBucket, "k", "first", ifNoneMatch)
	if status(err) != http.StatusPreconditionFailed {
		t.Fatalf("PutObject whose first answer was lost: %v, want the retry's 412", err)
	}
	if raw, ok := c.srv.Object(lockBucket, "k"); !ok || string(raw) != "first" {
		t.Errorf("object %q (%v), want the first attempt's write", raw, ok)
	}
	if n := c.srv.Calls("s3:PutObject"); n != 2 {
		t.Errorf("PutObject calls %d, want 2 (the lost one and the retry)", n)
	}
}

// A ConditionalRequestConflict fault is S3's 409 (botocore s3
// PutObjectRequest.IfMatch), with its code, on the retry of a write whose
// first attempt landed: what the engine's lock looks at as it does a 412.
func TestS3ConflictFaultIs409(t *testing.T) {
	t.Parallel()
	c := lockWorld(t)
	for _, f := range []localaws.Fault{
		{Operation: "s3:PutObject", Error: "500", After: true, Count: 1},
		{Operation: "s3:PutObject", Error: "ConditionalRequestConflict", Skip: 1, Count: 1},
	} {
		if err := c.srv.AddFault(f); err != nil {
			t.Fatal(err)
		}
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 3}
	retrying := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(c.srv.URL()); o.UsePathStyle = true })
	_, err := put(t, retrying, lockBucket, "k", "first", ifNoneMatch)
	if status(err) != http.StatusConflict || errCode(err) != "ConditionalRequestConflict" {
		t.Fatalf("PutObject whose retry met the fault: %v, want 409 ConditionalRequestConflict", err)
	}
	if raw, ok := c.srv.Object(lockBucket, "k"); !ok || string(raw) != "first" {
		t.Errorf("object %q (%v), want the first attempt's write", raw, ok)
	}
}
