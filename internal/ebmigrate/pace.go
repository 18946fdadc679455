package ebmigrate

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// Account quotas are token buckets that AWS refills at a fixed rate; a
// provider process that polls fifty migrations at once must stay under
// them rather than be throttled and retried. The SDK offers no client-side
// request pacing (its adaptive retry mode only slows down after a call was
// throttled), so the reads that are polled go through a token bucket of
// the client's own, below AWS's, leaving room for the account's other
// callers (EB itself, consoles, pipelines). A lone migration never waits:
// its polls fit in the burst and the rate.

// clusterReads is the engine's share of ECS's "cluster resource read"
// bucket, which DescribeTasks and ListTasks draw from (Amazon ECS API
// Reference, "Request throttling for the Amazon ECS API": capacity 100,
// refill 20 a second, per account and Region): three quarters of each.
var clusterReads = bucketSize{burst: 75, rate: 15}

// taskDefinitionWrites is ECS's "task definition modify" bucket (the same
// page: capacity 20, refill 1 a second), taken whole: a first apply of fifty
// registers fifty revisions, and a smaller share would only start the last
// migration later than ECS itself would. Registering at ECS's pace instead
// of into its throttling spares the retries' backoff, which overshoots it.
var taskDefinitionWrites = bucketSize{burst: 20, rate: 1}

// logReads is the engine's share of GetLogEvents' quota ("25 requests per
// second per account per Region. This quota can't be changed", CloudWatch
// Logs quotas).
var logReads = bucketSize{burst: 20, rate: 20}

type bucketSize struct {
	burst float64
	rate  float64 // tokens a second
}

// pacer is a token bucket that makes callers wait for a token instead of
// failing: calls go out at most burst at once and rate a second after that,
// in the order they asked.
type pacer struct {
	mu     sync.Mutex
	size   bucketSize
	tokens float64
	at     time.Time
}

func newPacer(size bucketSize) *pacer {
	return &pacer{size: size, tokens: size.burst, at: time.Now()}
}

// wait takes a token, waiting for it when the bucket is empty; false when
// ctx ended first (the token is then given back).
func (p *pacer) wait(ctx context.Context) bool {
	p.mu.Lock()
	now := time.Now()
	p.tokens = min(p.size.burst, p.tokens+now.Sub(p.at).Seconds()*p.size.rate)
	p.at = now
	p.tokens--
	short := -p.tokens
	p.mu.Unlock()
	if short <= 0 {
		return true
	}
	if sleep(ctx, time.Duration(short/p.size.rate*float64(time.Second))) {
		return true
	}
	p.mu.Lock()
	p.tokens++
	p.mu.Unlock()
	return false
}

// PaceClusterReads makes an ECS client whose DescribeTasks and ListTasks
// calls share one token bucket below ECS's (clusterReads), and whose
// RegisterTaskDefinition calls go at ECS's pace (taskDefinitionWrites);
// every other call passes through unchanged. The provider wraps its client
// once, so that every migration of an apply shares them.
func PaceClusterReads(api ECS) ECS {
	return &pacedECS{ECS: api, reads: newPacer(clusterReads), registers: newPacer(taskDefinitionWrites)}
}

type pacedECS struct {
	ECS
	reads, registers *pacer
}

func (p *pacedECS) RegisterTaskDefinition(ctx context.Context, in *ecs.RegisterTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.RegisterTaskDefinitionOutput, error) {
	if !p.registers.wait(ctx) {
		return nil, ctx.Err()
	}
	return p.ECS.RegisterTaskDefinition(ctx, in, optFns...)
}

func (p *pacedECS) DescribeTasks(ctx context.Context, in *ecs.DescribeTasksInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error) {
	if !p.reads.wait(ctx) {
		return nil, ctx.Err()
	}
	return p.ECS.DescribeTasks(ctx, in, optFns...)
}

func (p *pacedECS) ListTasks(ctx context.Context, in *ecs.ListTasksInput, optFns ...func(*ecs.Options)) (*ecs.ListTasksOutput, error) {
	if !p.reads.wait(ctx) {
		return nil, ctx.Err()
	}
	return p.ECS.ListTasks(ctx, in, optFns...)
}

// PaceLogReads makes a CloudWatch Logs client whose GetLogEvents calls go
// through a token bucket below the account's quota (logReads).
func PaceLogReads(api Logs) Logs {
	return &pacedLogs{Logs: api, reads: newPacer(logReads)}
}

type pacedLogs struct {
	Logs
	reads *pacer
}

func (p *pacedLogs) GetLogEvents(ctx context.Context, in *cloudwatchlogs.GetLogEventsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetLogEventsOutput, error) {
	if !p.reads.wait(ctx) {
		return nil, ctx.Err()
	}
	return p.Logs.GetLogEvents(ctx, in, optFns...)
}
