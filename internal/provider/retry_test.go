package provider_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/provider"
)

// burst makes n DescribeTasks calls at once through one client and returns
// the errors.
func burst(t *testing.T, client *ecs.Client, n int) []error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = client.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(localaws.FixtureCluster()), Tasks: []string{"x"}})
		}(i)
	}
	wg.Wait()
	return errs
}

// A burst of calls far over the account's quota: without retries some fail
// with ThrottlingException; with the provider's retryer every call succeeds,
// and localaws shows that it did throttle them.
func TestRetryerAbsorbsAThrottledBurst(t *testing.T) {
	seed := localaws.FixtureSeed(t.TempDir())
	// ECS's "Cluster resource read actions" bucket scaled down 10x, so that a
	// burst of 60 is three times the bucket.
	seed.Quotas = &localaws.QuotaSeed{Buckets: map[string]localaws.Quota{"ecs:cluster-resource-read": {Burst: 10, Rate: 20}}}
	srv := localaws.Start(t, seed)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", "")}
	endpoint := func(o *ecs.Options) { o.BaseEndpoint = aws.String(srv.URL()) }

	bare := ecs.NewFromConfig(cfg, endpoint, func(o *ecs.Options) { o.RetryMaxAttempts = 1 })
	failed := 0
	for _, err := range burst(t, bare, 60) {
		if err != nil {
			failed++
		}
	}
	if failed == 0 {
		t.Fatal("60 calls at once against a bucket of 10: none was throttled, so this test shows nothing")
	}

	time.Sleep(time.Second) // the bucket refills
	srv.ResetStats()
	cfg.Retryer = func() aws.Retryer { return provider.NewRetryer(provider.DefaultMaxRetries) }
	shared := ecs.NewFromConfig(cfg, endpoint)
	for i, err := range burst(t, shared, 60) {
		if err != nil {
			t.Errorf("call %d failed through the provider's retryer: %v", i, err)
		}
	}
	if th := srv.Throttled()["ecs:DescribeTasks"]; th == 0 {
		t.Error("localaws throttled none of the burst: it was not absorbed, it was never throttled")
	}
	if n := srv.Calls("ecs:DescribeTasks"); n < 60 {
		t.Errorf("localaws saw %d DescribeTasks, want at least 60", n)
	}
}

// LimitExceededException is a quota (botocore ecs): the provider's retryer
// does not retry it as throttling, so the call fails at once, one request.
func TestRetryerDoesNotRetryAQuota(t *testing.T) {
	seed := localaws.FixtureSeed(t.TempDir())
	seed.Faults = []localaws.Fault{{Operation: "ecs:RegisterTaskDefinition", Error: "LimitExceededException"}}
	srv := localaws.Start(t, seed)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
		Retryer: func() aws.Retryer { return provider.NewRetryer(provider.DefaultMaxRetries) }}
	client := ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
	_, err := client.RegisterTaskDefinition(context.Background(), &ecs.RegisterTaskDefinitionInput{
		Family:               aws.String("quota"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("example/app:v1"), Memory: aws.Int32(128)}},
	})
	var quota *ecstypes.LimitExceededException
	if !errors.As(err, &quota) {
		t.Fatalf("err = %v, want LimitExceededException", err)
	}
	if n := srv.Calls("ecs:RegisterTaskDefinition"); n != 1 {
		t.Errorf("RegisterTaskDefinition calls = %d, want 1: a quota is not retried", n)
	}
}
