package localaws_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// tinyQuotas makes buckets that hold two calls and refill far too slowly
// for a third call in the test, so that throttling is certain.
func tinyQuotas(s *localaws.Seed) {
	slow := localaws.Quota{Burst: 2, Rate: 0.001}
	s.Quotas = &localaws.QuotaSeed{Buckets: map[string]localaws.Quota{
		"ecs:cluster-resource-read": slow, "logs:GetLogEvents": slow, "elasticbeanstalk:describe": slow, "s3:GET": slow,
	}}
}

// wantThrottled checks a throttled call's error as the SDK sees it: code,
// message and HTTP status.
func wantThrottled(t *testing.T, what string, err error, code string, status int) {
	t.Helper()
	var ae smithy.APIError
	var re *smithyhttp.ResponseError
	if err == nil || !errors.As(err, &ae) || !errors.As(err, &re) {
		t.Fatalf("%s: %v, want %s", what, err, code)
	}
	if ae.ErrorCode() != code || re.HTTPStatusCode() != status {
		t.Errorf("%s: code %s, HTTP %d; want %s, HTTP %d", what, ae.ErrorCode(), re.HTTPStatusCode(), code, status)
	}
	if code != "SlowDown" && ae.ErrorMessage() != "Rate exceeded" {
		t.Errorf("%s: message %q, want %q", what, ae.ErrorMessage(), "Rate exceeded")
	}
}

func TestQuotasThrottleEachServiceOnTheWire(t *testing.T) {
	c := world(t, tinyQuotas)
	cluster := aws.String(localaws.FixtureCluster())
	var err error
	for i := 0; i < 3; i++ {
		_, err = c.ecs.DescribeTasks(ctx(t), &ecs.DescribeTasksInput{Cluster: cluster, Tasks: []string{"x"}})
	}
	wantThrottled(t, "ecs:DescribeTasks", err, "ThrottlingException", 400)
	// ListTasks shares DescribeTasks' bucket ("Cluster resource read actions").
	_, err = c.ecs.ListTasks(ctx(t), &ecs.ListTasksInput{Cluster: cluster})
	wantThrottled(t, "ecs:ListTasks", err, "ThrottlingException", 400)
	// Another bucket is untouched.
	if _, err := c.ecs.ListClusters(ctx(t), &ecs.ListClustersInput{}); err != nil {
		t.Errorf("ecs:ListClusters (another bucket): %v", err)
	}
	for i := 0; i < 3; i++ {
		_, err = c.logs.GetLogEvents(ctx(t), &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamName: aws.String("none")})
	}
	wantThrottled(t, "logs:GetLogEvents", err, "ThrottlingException", 400)
	for i := 0; i < 3; i++ {
		_, err = c.eb.DescribeEnvironments(ctx(t), &elasticbeanstalk.DescribeEnvironmentsInput{})
	}
	wantThrottled(t, "elasticbeanstalk:DescribeEnvironments", err, "Throttling", 400)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 1}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(c.srv.URL()); o.UsePathStyle = true })
	for i := 0; i < 3; i++ {
		_, err = s3c.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String("elasticbeanstalk-us-east-1-123456789012"), Key: aws.String("myapp/v1.zip")})
	}
	wantThrottled(t, "s3:GetObject", err, "SlowDown", 503)
	// S3's rate is per prefix: another prefix has its own bucket.
	if _, err := s3c.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String("elasticbeanstalk-us-east-1-123456789012"), Key: aws.String("other/v1.zip")}); errCode(err) != "NoSuchKey" {
		t.Errorf("s3 GetObject under another prefix: %v, want NoSuchKey", err)
	}

	// /_localaws/stats counts throttled calls by operation, beside the calls.
	resp, err := http.Get(c.srv.URL() + "/_localaws/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st localaws.Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"ecs:DescribeTasks": 1, "ecs:ListTasks": 1, "logs:GetLogEvents": 1, "elasticbeanstalk:DescribeEnvironments": 1, "s3:GetObject": 1}
	for op, n := range want {
		if st.Throttled[op] != n {
			t.Errorf("stats throttled[%s] = %d, want %d (all: %v)", op, st.Throttled[op], n, st.Throttled)
		}
		if st.Calls[op] < n {
			t.Errorf("stats calls[%s] = %d: throttled calls must be counted as calls", op, st.Calls[op])
		}
	}
	c.srv.ResetStats()
	if th := c.srv.Throttled(); len(th) != 0 {
		t.Errorf("ResetStats left throttled counts %v", th)
	}
}

func TestQuotasAreOnByDefault(t *testing.T) {
	c := world(t) // the fixture seed says nothing of quotas
	// GetLogEvents: 25 a second, not raisable. 400 calls at once exceed
	// it unless they are spread over more than 15 seconds.
	var throttled, other atomic.Int32
	var wg sync.WaitGroup
	calls := make(chan struct{}, 400)
	for i := 0; i < 400; i++ {
		calls <- struct{}{}
	}
	close(calls)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range calls {
				_, err := c.logs.GetLogEvents(ctx(t), &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamName: aws.String("none")})
				switch code := errCode(err); {
				case code == "ThrottlingException":
					throttled.Add(1)
				case err != nil && code != "ResourceNotFoundException":
					other.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if throttled.Load() == 0 || other.Load() != 0 {
		t.Errorf("400 GetLogEvents at once: %d throttled, %d other errors; want some throttled, no other error", throttled.Load(), other.Load())
	}
	if n := c.srv.Throttled()["logs:GetLogEvents"]; n != int(throttled.Load()) {
		t.Errorf("localaws counted %d throttled calls, the client saw %d", n, throttled.Load())
	}
}

func TestQuotasOffAndBadSeed(t *testing.T) {
	c := world(t, func(s *localaws.Seed) {
		s.Quotas = &localaws.QuotaSeed{Off: true}
	})
	for i := 0; i < 60; i++ {
		if _, err := c.eb.DescribeEnvironments(ctx(t), &elasticbeanstalk.DescribeEnvironmentsInput{}); err != nil {
			t.Fatalf("call %d with quotas off: %v", i+1, err)
		}
	}
	seed := localaws.FixtureSeed(t.TempDir())
	seed.Quotas = &localaws.QuotaSeed{Buckets: map[string]localaws.Quota{"ecs:everything": {Burst: 1, Rate: 1}}}
	if _, err := localaws.New(seed); err == nil || !strings.Contains(err.Error(), "ecs:cluster-resource-read") {
		t.Errorf("an unknown bucket: %v, want an error that lists the buckets", err)
	}
	seed.Quotas = &localaws.QuotaSeed{Buckets: map[string]localaws.Quota{"ecs:cluster-read": {Burst: 0, Rate: 1}}}
	if _, err := localaws.New(seed); err == nil {
		t.Error("a bucket of burst 0 was accepted")
	}
}

func TestQuotasFromSeedFile(t *testing.T) {
	path := t.TempDir() + "/seed.json"
	raw := `{"quotas": {"buckets": {"ecs:cluster-read": {"burst": 1, "rate": 0.001}}}}`
	if err := os.WriteFile(path, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	seed, err := localaws.LoadSeed(path)
	if err != nil {
		t.Fatalf("LoadSeed: %v", err)
	}
	srv := localaws.Start(t, seed)
	c := clientsFor(srv.URL())
	if _, err := c.ecs.ListClusters(ctx(t), &ecs.ListClustersInput{}); err != nil {
		t.Fatalf("first call: %v", err)
	}
	_, err = c.ecs.DescribeClusters(ctx(t), &ecs.DescribeClustersInput{})
	wantThrottled(t, "ecs:DescribeClusters after a bucket of one", err, "ThrottlingException", 400)
}
