package ebmigrate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// Forty status reads at once, as forty migrations polling together make,
// against an account whose cluster-read bucket holds ten: unpaced, ECS
// throttles some; through PaceClusterReads (a bucket below the account's)
// none is throttled and each is answered.
func TestPaceClusterReadsStaysUnderTheQuota(t *testing.T) {
	account := localaws.Quota{Burst: 10, Rate: 10}
	defer func(old bucketSize) { clusterReads = old }(clusterReads)
	clusterReads = bucketSize{burst: 8, rate: 8}
	run := func(paced bool) (failed int, throttled int) {
		seed := localaws.FriendlySeed(t.TempDir())
		seed.Quotas = &localaws.QuotaSeed{Buckets: map[string]localaws.Quota{"ecs:cluster-resource-read": account}}
		srv := localaws.Start(t, seed)
		cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 1}
		var api ECS = ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
		if paced {
			api = PaceClusterReads(api)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := api.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(localaws.FixtureCluster()), Tasks: []string{"arn:aws:ecs:us-east-1:123456789012:task/x/0123"}})
				if err != nil {
					mu.Lock()
					failed++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		return failed, srv.Throttled()["ecs:DescribeTasks"]
	}
	if failed, throttled := run(false); throttled == 0 || failed == 0 {
		t.Fatalf("unpaced: %d failed, %d throttled: the account's bucket should have throttled some", failed, throttled)
	}
	if failed, throttled := run(true); throttled != 0 || failed != 0 {
		t.Errorf("paced: %d failed, %d throttled, want none", failed, throttled)
	}
}

// A caller whose context ends while it waits for a token leaves the queue
// and takes nothing; one granted a token as its context ended gives it back.
func TestPacerGivesBackOnCancel(t *testing.T) {
	p := newPacer(bucketSize{burst: 1, rate: 0.001})
	if !p.wait(context.Background()) {
		t.Fatal("the first call should go at once")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if p.wait(ctx) {
		t.Fatal("a cancelled caller got a token from an empty bucket")
	}
	p.mu.Lock()
	queued, tokens := len(p.queue), p.tokens
	p.mu.Unlock()
	if queued != 0 || tokens < -0.01 || tokens > 0.01 {
		t.Errorf("after the cancelled wait: %d queued, %.3f tokens; want 0 and 0", queued, tokens)
	}

	// Granted as its context ended: the dispatcher took the token and took
	// it off the queue, then the caller saw its context end first.
	ctx, cancel = context.WithCancel(context.Background())
	done := make(chan bool)
	go func() { done <- p.wait(ctx) }()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		p.mu.Lock()
		if len(p.queue) == 1 {
			p.tokens = 1 // a token accrued...
			p.tokens--   // ...and went to it
			p.queue = nil
			p.mu.Unlock()
			break
		}
		p.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatal("the caller never queued")
		}
	}
	cancel()
	if <-done {
		t.Fatal("wait returned true for a caller whose context ended")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tokens < 0.99 || p.tokens > 1.01 {
		t.Errorf("tokens = %.3f after a granted caller's context ended, want its token (1) given back", p.tokens)
	}
}

// GetLogEvents' quota differs by Region (CloudWatch Logs quotas table):
// the engine's share stays under each.
func TestLogReadsFollowTheRegionsQuota(t *testing.T) {
	for region, quota := range map[string]float64{
		"us-east-1": 25, "eu-west-2": 25, "us-west-2": 10, "eu-west-1": 10, "eu-central-1": 10,
		"ap-northeast-3": 10, "ap-southeast-3": 10, "ca-west-1": 10, "il-central-1": 10, "eu-west-3": 30,
	} {
		got := logReadsIn(region)
		if got.rate >= quota || got.burst >= quota || got.rate < quota/2 {
			t.Errorf("%s: GetLogEvents paced at %v a second (burst %v); the quota is %v", region, got.rate, got.burst, quota)
		}
	}
}

// An urgent read (a migration's guard just before RunTask, the reads after
// its stop) goes before the polls already waiting for the bucket, waiting
// polls are served in the order they asked, and a poll goes after
// maxUrgentRun urgent reads in a row.
func TestUrgentReadsGoBeforeWaitingPolls(t *testing.T) {
	p := newPacer(bucketSize{burst: 1, rate: 0.001}) // no token accrues while they queue
	if !p.wait(context.Background()) {
		t.Fatal("the first call should go at once")
	}
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	queued := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
			p.mu.Lock()
			got := len(p.queue)
			p.mu.Unlock()
			if got >= n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d callers queued, want %d", got, n)
			}
		}
	}
	call := func(ctx context.Context, name string) {
		defer wg.Done()
		if !p.wait(ctx) {
			t.Errorf("%s: no token", name)
			return
		}
		mu.Lock()
		order = append(order, name)
		mu.Unlock()
	}
	names := []string{"poll 1", "poll 2", "urgent 1", "urgent 2", "urgent 3", "urgent 4", "urgent 5", "poll 3"}
	for i, name := range names {
		wg.Add(1)
		ctx := context.Background()
		if strings.HasPrefix(name, "urgent") {
			ctx = urgent(ctx)
		}
		go call(ctx, name)
		queued(i + 1)
	}
	p.mu.Lock()
	// Now tokens come, 50 ms apart: each caller records its place after its
	// token, and a busy machine may pause a goroutine for longer than 1 ms.
	p.size.rate = 20
	p.mu.Unlock()
	p.nudge()
	wg.Wait()
	want := []string{"urgent 1", "urgent 2", "urgent 3", "urgent 4", "poll 1", "urgent 5", "poll 2", "poll 3"}
	if !slices.Equal(order, want) {
		t.Errorf("tokens went to %q, want %q", order, want)
	}
}

// The SDK's retry of a throttled call waits for a token too: each attempt
// is paced, not only the call, so that a retry does not go out unpaced into
// the bucket that just throttled the call. And a throttled attempt empties
// the bucket (the account's is empty, whatever this one counted), so each
// retry waits for a token's refill, with no backoff of the SDK's here.
func TestRetriedAttemptsArePaced(t *testing.T) {
	srv := localaws.Start(t, localaws.FriendlySeed(t.TempDir()))
	if err := srv.AddFault(localaws.Fault{Operation: "ecs:DescribeTasks", Error: "ThrottlingException", Count: 2}); err != nil {
		t.Fatal(err)
	}
	noBackoff := retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts, o.Backoff = 5, noBackoff })
		}}
	api := PaceClusterReads(ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = aws.String(srv.URL()) })).(*pacedECS)
	const rate = 10.0
	api.reads = newPacer(bucketSize{burst: 10, rate: rate})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	if _, err := api.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(localaws.FixtureCluster()), Tasks: []string{"arn:aws:ecs:us-east-1:123456789012:task/x/0123"}}); err != nil {
		t.Fatalf("DescribeTasks after two throttled attempts: %v", err)
	}
	took := time.Since(start)
	if got := srv.Calls("ecs:DescribeTasks"); got != 3 {
		t.Fatalf("%d attempts reached ECS, want 3 (two throttled, then one answered)", got)
	}
	// Each throttle emptied the bucket: the two retries each waited for a
	// token to accrue (1/rate), from a bucket that had nine left.
	if want := time.Duration(2 / rate * float64(time.Second)); took < want-10*time.Millisecond {
		t.Errorf("the call took %v: its retries did not wait for the refill after each throttle (want at least %v)", took, want)
	}
	api.reads.mu.Lock()
	left := api.reads.tokens
	api.reads.mu.Unlock()
	if left >= 1 {
		t.Errorf("%.2f tokens left after a throttled attempt and its retries, want less than 1", left)
	}
}

// What empties a bucket: AWS's rate throttles (ECS's and Logs'
// ThrottlingException, EB's Throttling, an unmodelled 429), not a count
// quota (Logs' LimitExceededException at the log group quota) nor another
// error.
func TestThrottlesAreRateThrottles(t *testing.T) {
	for code, want := range map[string]bool{"ThrottlingException": true, "Throttling": true, "RequestLimitExceeded": true,
		"LimitExceededException": false, "ClientException": false, "ResourceAlreadyExistsException": false} {
		if got := throttles.IsErrorThrottle(&smithy.GenericAPIError{Code: code}) == aws.TrueTernary; got != want {
			t.Errorf("%s: throttle %v, want %v", code, got, want)
		}
	}
	tooMany := &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 429}}, Err: errors.New("unmodelled")}
	if throttles.IsErrorThrottle(tooMany) != aws.TrueTernary {
		t.Error("an unmodelled 429 is not a throttle")
	}
}

// A credentials provider's own throttling (STS answering Throttling while
// the identity is resolved) is not the service's: it empties no bucket.
func TestCredentialThrottlingEmptiesNoBucket(t *testing.T) {
	srv := localaws.Start(t, localaws.FriendlySeed(t.TempDir()))
	throttled := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, fmt.Errorf("refreshing credentials: %w", &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"})
	})
	cfg := aws.Config{Region: "us-east-1", Credentials: throttled, RetryMaxAttempts: 1}
	api := PaceClusterReads(ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = aws.String(srv.URL()) })).(*pacedECS)
	api.reads = newPacer(bucketSize{burst: 10, rate: 0.001})
	if _, err := api.DescribeTasks(context.Background(), &ecs.DescribeTasksInput{Cluster: aws.String(localaws.FixtureCluster()), Tasks: []string{"arn:aws:ecs:us-east-1:123456789012:task/x/0123"}}); err == nil {
		t.Fatal("DescribeTasks without credentials succeeded")
	}
	if got := srv.Calls("ecs:DescribeTasks"); got != 0 {
		t.Fatalf("%d calls reached ECS without credentials", got)
	}
	api.reads.mu.Lock()
	left := api.reads.tokens
	api.reads.mu.Unlock()
	if left < 8.9 {
		t.Errorf("%.2f tokens left after one attempt that failed for credentials, want 9: the bucket was emptied", left)
	}
}

// Elastic Beanstalk's throttle (query protocol, "Throttling") and
// CloudWatch Logs' (JSON, ThrottlingException), as localaws answers them on
// the wire, empty the bucket of the client that got them, as ECS's does
// (TestRetriedAttemptsArePaced).
func TestEBAndLogsThrottlesEmptyTheirBuckets(t *testing.T) {
	srv := localaws.Start(t, localaws.FriendlySeed(t.TempDir()))
	for _, f := range []localaws.Fault{
		{Operation: "elasticbeanstalk:DescribeConfigurationSettings", Error: "Throttling", Count: 1},
		{Operation: "logs:GetLogEvents", Error: "ThrottlingException", Count: 1},
	} {
		if err := srv.AddFault(f); err != nil {
			t.Fatal(err)
		}
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 1}
	eb := PaceEnvironmentReads(elasticbeanstalk.NewFromConfig(cfg, func(o *elasticbeanstalk.Options) { o.BaseEndpoint = aws.String(srv.URL()) })).(*pacedEB)
	logs := PaceLogReads(cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = aws.String(srv.URL()) }), "us-east-1").(*pacedLogs)
	ctx := context.Background()
	_, ebErr := eb.DescribeConfigurationSettings(ctx, &elasticbeanstalk.DescribeConfigurationSettingsInput{ApplicationName: aws.String(localaws.FixtureApp), EnvironmentName: aws.String(localaws.FixtureEnv)})
	_, logsErr := logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/aws/elasticbeanstalk/x"), LogStreamName: aws.String("x")})
	for _, c := range []struct {
		name string
		err  error
		p    *pacer
	}{{"elasticbeanstalk:DescribeConfigurationSettings", ebErr, eb.reads}, {"logs:GetLogEvents", logsErr, logs.reads}} {
		if throttles.IsErrorThrottle(c.err) != aws.TrueTernary {
			t.Fatalf("%s: %v, want the injected throttle", c.name, c.err)
		}
		c.p.mu.Lock()
		left := c.p.tokens
		c.p.mu.Unlock()
		if left >= 1 {
			t.Errorf("%s: %.2f tokens left after a throttled attempt, want less than 1", c.name, left)
		}
	}
}
