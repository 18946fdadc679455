package ebmigrate_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// fixture starts the localaws fixture world and engine clients for it.
func fixture(t *testing.T, mutate ...func(*localaws.Seed)) (*localaws.Server, ebmigrate.Clients) {
	t.Helper()
	return world(t, localaws.FixtureSeed(t.TempDir()), mutate...)
}

// friendly starts the friendly fixture world (awslogs, roles, an EB secret).
func friendly(t *testing.T, mutate ...func(*localaws.Seed)) (*localaws.Server, ebmigrate.Clients) {
	t.Helper()
	return world(t, localaws.FriendlySeed(t.TempDir()), mutate...)
}

func world(t *testing.T, seed localaws.Seed, mutate ...func(*localaws.Seed)) (*localaws.Server, ebmigrate.Clients) {
	t.Helper()
	// These tests poll every 20 ms where the engine polls every 250 ms: the
	// account's quotas are scaled by the same factor, so that they bind as
	// they would at the engine's own pace (on, not switched off).
	seed.Quotas = &localaws.QuotaSeed{Buckets: map[string]localaws.Quota{}}
	for name, q := range localaws.DefaultQuotas() {
		seed.Quotas.Buckets[name] = localaws.Quota{Burst: q.Burst * 12.5, Rate: q.Rate * 12.5}
	}
	for _, m := range mutate {
		m(&seed)
	}
	srv := localaws.Start(t, seed)
	return srv, clientsFor(srv, 1)
}

// withRetries gives the clients the SDK's standard retries (3 attempts).
func withRetries(srv *localaws.Server) ebmigrate.Clients {
	return clientsFor(srv, 3)
}

func clientsFor(srv *localaws.Server, attempts int) ebmigrate.Clients {
	cfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
		RetryMaxAttempts: attempts,
	}
	return clientsWith(cfg, srv.URL())
}

// clientsWith are engine clients of cfg for a localaws URL, the lock in
// Elastic Beanstalk's storage bucket, as the provider makes them.
func clientsWith(cfg aws.Config, endpoint string) ebmigrate.Clients {
	url := aws.String(endpoint)
	eb := elasticbeanstalk.NewFromConfig(cfg, func(o *elasticbeanstalk.Options) { o.BaseEndpoint = url })
	return ebmigrate.Clients{
		Region: "us-east-1",
		EB:     eb,
		ECS:    ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = url }),
		Logs:   cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = url }),
		S3:     s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = url; o.UsePathStyle = true }),
		Locks:  ebmigrate.NewLockPlace("", eb),
	}
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// recorder is a Logger that keeps what it is told.
type recorder struct {
	mu     sync.Mutex
	infos  []string
	output []string
}

func (r *recorder) Info(msg string, fields map[string]any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.infos = append(r.infos, msg)
}

func (r *recorder) Output(line string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.output = append(r.output, line)
}

func (r *recorder) lines() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.output, "\n")
}

func migrateInput(command ...string) ebmigrate.MigrateInput {
	return ebmigrate.MigrateInput{
		Discover:     ebmigrate.DiscoverInput{EnvironmentName: localaws.FixtureEnv},
		Derive:       ebmigrate.DeriveSpec{Command: command},
		VersionLabel: "v1",
		LogLines:     50,
		// Shortened, not switched off: an unproven log is read until 1 s after
		// the stop (TestConsistency's batches are readable within 300 ms of
		// being sent, every 300 ms on Fargate; a margin for a loaded machine).
		Poll: ebmigrate.PollSchedule{Fast: 20 * time.Millisecond, LogGrace: time.Second, LogFlush: 300 * time.Millisecond, EB: 200 * time.Millisecond},
	}
}
