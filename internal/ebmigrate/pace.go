package ebmigrate

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/smithy-go/middleware"
)

// Account quotas are token buckets that AWS refills at a fixed rate; a
// provider process that polls fifty migrations at once must stay under
// them rather than be throttled and retried. The SDK offers no client-side
// request pacing (its adaptive retry mode only slows a whole client down
// after a call was throttled), so the calls that are polled go through a token bucket of
// the client's own, below AWS's, leaving room for the account's other
// callers (EB itself, consoles, pipelines). A lone migration never waits:
// its polls fit in the burst and the rate.

// clusterReads is the engine's share of ECS's "cluster resource read"
// bucket, which DescribeTasks and ListTasks draw from (Amazon ECS API
// Reference, "Request throttling for the Amazon ECS API": capacity 100,
// refill 20 a second, per account and Region): three quarters of each.
var clusterReads = bucketSize{burst: 75, rate: 15}

// taskDefinitionWrites is ECS's "task definition modify" bucket (the same
// page: capacity 20, refill 1 a second), taken nearly whole: a first apply
// of fifty registers fifty revisions, and a smaller share would only start
// the last migration later than ECS itself would. Registering at ECS's pace
// instead of into its throttling spares the retries' backoff, which
// overshoots it. The burst is half a call short of ECS's:
// calls granted a second apart reach ECS a few milliseconds more or less
// apart, and with no slack one in a few found ECS's bucket short (17 of 50
// registrations throttled in make bench at parallelism 50); half a token
// left in ECS's bucket absorbs that jitter for good, at the cost of half a
// second once.
var taskDefinitionWrites = bucketSize{burst: 19.5, rate: 1}

// logReadsIn is the engine's share, four fifths, of GetLogEvents' quota in
// a Region. CloudWatch Logs quotas (the User Guide's "CloudWatch Logs
// quotas" table, 2026-04-08, not adjustable): "us-west-2: 10 per second,
// ap-northeast-3: 10, ap-southeast-3: 10, ca-west-1: 10, eu-central-1: 10,
// eu-west-1: 10, eu-west-3: 30, il-central-1: 10, Each of the other
// supported Regions: 25 per second".
func logReadsIn(region string) bucketSize {
	quota := 25.0
	switch region {
	case "us-west-2", "ap-northeast-3", "ap-southeast-3", "ca-west-1", "eu-central-1", "eu-west-1", "il-central-1":
		quota = 10
	case "eu-west-3":
		quota = 30
	}
	return bucketSize{burst: quota * 0.8, rate: quota * 0.8}
}

// The log group calls of a first apply (one of each per migration, fifty
// at once for fifty environments) at four fifths of their quotas (the same
// table: DescribeLogGroups 10 a second, CreateLogGroup 10, PutRetentionPolicy
// 5); AWS states no burst, so one second's worth.
var (
	logGroupReads    = bucketSize{burst: 8, rate: 8}
	logGroupCreates  = bucketSize{burst: 8, rate: 8}
	logRetentionPuts = bucketSize{burst: 4, rate: 4}
)

// environmentReads paces Elastic Beanstalk's describe calls. EB publishes no
// request rate ("Some API calls can be made dozens of times per second,
// while others are limited to a few allowed calls per second", AWS
// knowledge center, "How can I resolve API throttling or 'Rate exceeded'
// errors when I use AWS Elastic Beanstalk?"), so this is a conservative
// guess: 20 at once, then 8 a second. A first apply of fifty reads fifty
// environments' settings at plan and fifty again at apply; unpaced, a third
// of them were throttled and retried with backoff, which delayed the
// registrations that bound such an apply.
var environmentReads = bucketSize{burst: 20, rate: 8}

type bucketSize struct {
	burst float64
	rate  float64 // tokens a second
}

// pacer is a token bucket that makes callers wait for a token instead of
// failing: calls go out at most burst at once and rate a second after that.
// Waiting callers are served in the order they asked, except that an urgent
// call (urgent: one that holds up a migration's start or its outcome) goes
// before the polls already waiting: when fifty migrations poll at once, the
// polls fill the bucket's rate, and a migration's guard, read just before
// its RunTask, queued behind a second of them (make bench, fifty
// environments: the last task was created a second after its revision was
// known), as did the reads that name what ran alongside a migration that
// had stopped (make bench, stop detection of a silent task: 0.7 to 0.9 s).
type pacer struct {
	mu         sync.Mutex
	size       bucketSize
	tokens     float64
	at         time.Time
	queue      []*paceWaiter // urgent ones first, each kind in arrival order
	dispatched bool          // a dispatch goroutine serves the queue
	wake       chan struct{} // wakes the dispatcher early: the queue or the tokens changed
	urgentRun  int           // urgent grants in a row while polls waited
}

// maxUrgentRun bounds how many urgent callers in a row go before a waiting
// poll: one poll goes after that many, so that polls are not starved while
// many migrations start.
const maxUrgentRun = 4

type paceWaiter struct {
	urgent  bool
	granted chan struct{}
}

func newPacer(size bucketSize) *pacer {
	return &pacer{size: size, tokens: size.burst, at: time.Now(), wake: make(chan struct{}, 1)}
}

// urgentKey marks a context whose paced calls are urgent (urgent).
type urgentKey struct{}

// urgent marks ctx's paced calls as urgent: one-off reads that a migration's
// start or outcome waits for (the guard's reads before RunTask, the reads
// after the stop) go before waiting status polls, which come again anyway.
func urgent(ctx context.Context) context.Context {
	return context.WithValue(ctx, urgentKey{}, true)
}

func isUrgent(ctx context.Context) bool {
	u, _ := ctx.Value(urgentKey{}).(bool)
	return u
}

// refill adds the tokens accrued since p.at. p.mu is held.
func (p *pacer) refill(now time.Time) {
	p.tokens = min(p.size.burst, p.tokens+now.Sub(p.at).Seconds()*p.size.rate)
	p.at = now
}

// throttled empties the bucket: AWS throttled an attempt, so the account's
// bucket is empty whatever this one counted (another provider process, such
// as the plan's before an apply's, or another client drew from it), and the
// next call waits for the refill rather than being throttled too. Elastic
// Beanstalk publishes no rate and AWS asks clients "to dynamically adjust
// the rate you use the API" (knowledge center, "How can I resolve API
// throttling or 'Rate exceeded' errors when I use AWS Elastic Beanstalk?").
func (p *pacer) throttled() {
	p.mu.Lock()
	p.refill(time.Now())
	p.tokens = 0 // never below: a token is only taken whole
	p.mu.Unlock()
}

// wait takes a token, waiting for it when the bucket is empty; false when
// ctx ended first (no token is then taken).
func (p *pacer) wait(ctx context.Context) bool {
	p.mu.Lock()
	p.refill(time.Now())
	if len(p.queue) == 0 && p.tokens >= 1 {
		p.tokens--
		p.mu.Unlock()
		return true
	}
	w := &paceWaiter{urgent: isUrgent(ctx), granted: make(chan struct{})}
	at := len(p.queue)
	if w.urgent {
		at = 0
		for at < len(p.queue) && p.queue[at].urgent {
			at++
		}
	}
	p.queue = slices.Insert(p.queue, at, w)
	if !p.dispatched {
		p.dispatched = true
		go p.dispatch()
	}
	p.mu.Unlock()
	select {
	case <-w.granted:
		return true
	case <-ctx.Done():
	}
	p.mu.Lock()
	if i := slices.Index(p.queue, w); i >= 0 {
		p.queue = slices.Delete(p.queue, i, i+1)
	} else {
		// Granted as ctx ended: give it back, within the burst.
		p.refill(time.Now())
		p.tokens = min(p.size.burst, p.tokens+1)
	}
	p.mu.Unlock()
	p.nudge()
	return false
}

// nudge wakes the dispatcher, if it sleeps, to look at the queue again.
func (p *pacer) nudge() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// next is the waiter the next token goes to: the first, unless
// maxUrgentRun urgent callers in a row went before a waiting poll.
// p.mu is held and the queue is not empty.
func (p *pacer) next() int {
	if !p.queue[0].urgent {
		return 0
	}
	if p.urgentRun >= maxUrgentRun {
		if i := slices.IndexFunc(p.queue, func(w *paceWaiter) bool { return !w.urgent }); i >= 0 {
			return i
		}
	}
	return 0
}

// dispatch grants tokens to the queue as they accrue, until it is empty.
func (p *pacer) dispatch() {
	for {
		p.mu.Lock()
		p.refill(time.Now())
		for len(p.queue) > 0 && p.tokens >= 1 {
			i := p.next()
			w := p.queue[i]
			if w.urgent && slices.ContainsFunc(p.queue, func(w *paceWaiter) bool { return !w.urgent }) {
				p.urgentRun++
			} else {
				p.urgentRun = 0
			}
			p.tokens--
			close(w.granted)
			p.queue = slices.Delete(p.queue, i, i+1)
		}
		if len(p.queue) == 0 {
			p.dispatched = false
			p.mu.Unlock()
			return
		}
		short := time.Duration((1 - p.tokens) / p.size.rate * float64(time.Second))
		p.mu.Unlock()
		timer := time.NewTimer(short)
		select {
		case <-timer.C:
		case <-p.wake:
			timer.Stop()
		}
	}
}

// paceEachAttempt makes each attempt of a call, the SDK's retries of a
// throttled or failed call included, wait for a token of p: it goes in the
// Finalize step after the SDK's retry middleware (which retries the steps
// after it) and before the credentials are resolved and the request signed,
// so that a request that waited is signed, with fresh credentials, when it
// goes. Paced at the call instead, a retry went out unpaced, into the
// very bucket that had just throttled the call. It also looks at what the
// service answered each attempt (throttleSeen), to empty p on a throttle.
func paceEachAttempt(p *pacer) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		if _, ok := stack.Finalize.Get(pacedAttemptID); ok {
			return nil // one pace per call: a client wrapped twice is not paced twice
		}
		before := "ResolveAuthScheme"
		if _, ok := stack.Finalize.Get(before); !ok {
			before = "Signing"
		}
		if err := stack.Finalize.Insert(pacedAttempt{p}, before, middleware.Before); err != nil {
			return err
		}
		// First in the Deserialize step, so that it sees the error the
		// service answered, deserialized, and nothing else: a credentials
		// provider's own throttling (STS, while the Finalize step resolves
		// the identity) never gets here, and empties no bucket of ours.
		return stack.Deserialize.Add(throttleSeen{p}, middleware.Before)
	}
}

// ecsPaced, logsPaced and ebPaced are a call's options with each attempt
// paced by p (a copy: the caller's slice is not appended to).
func ecsPaced(p *pacer, optFns []func(*ecs.Options)) []func(*ecs.Options) {
	return append(slices.Clip(optFns), func(o *ecs.Options) { o.APIOptions = append(o.APIOptions, paceEachAttempt(p)) })
}

func logsPaced(p *pacer, optFns []func(*cloudwatchlogs.Options)) []func(*cloudwatchlogs.Options) {
	return append(slices.Clip(optFns), func(o *cloudwatchlogs.Options) { o.APIOptions = append(o.APIOptions, paceEachAttempt(p)) })
}

func ebPaced(p *pacer, optFns []func(*elasticbeanstalk.Options)) []func(*elasticbeanstalk.Options) {
	return append(slices.Clip(optFns), func(o *elasticbeanstalk.Options) { o.APIOptions = append(o.APIOptions, paceEachAttempt(p)) })
}

type pacedAttempt struct{ p *pacer }

const pacedAttemptID = "ebmigrate:PacedAttempt"

func (pacedAttempt) ID() string { return pacedAttemptID }

func (a pacedAttempt) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	if !a.p.wait(ctx) {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, ctx.Err()
	}
	return next.HandleFinalize(ctx, in)
}

// throttleSeen empties p's bucket when the service throttled the attempt
// (pacer.throttled).
type throttleSeen struct{ p *pacer }

func (throttleSeen) ID() string { return "ebmigrate:ThrottleSeen" }

func (t throttleSeen) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleDeserialize(ctx, in)
	if err != nil && throttles.IsErrorThrottle(err) == aws.TrueTernary {
		t.p.throttled()
	}
	return out, md, err
}

// throttles tells an attempt AWS throttled for its request rate: the SDK's
// default throttle checks (its throttle codes, and HTTP 429) but for
// LimitExceededException, which CloudWatch Logs' CreateLogGroup answers when
// the account holds as many log groups as its quota allows: a count, not a
// rate, so the bucket is not emptied for it.
var throttles = func() retry.IsErrorThrottles {
	var out retry.IsErrorThrottles
	for _, t := range retry.DefaultThrottles {
		if c, ok := t.(retry.ThrottleErrorCode); ok {
			codes := maps.Clone(c.Codes)
			delete(codes, "LimitExceededException")
			t = retry.ThrottleErrorCode{Codes: codes}
		}
		out = append(out, t)
	}
	return out
}()

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
	return p.ECS.RegisterTaskDefinition(ctx, in, ecsPaced(p.registers, optFns)...)
}

// DeregisterTaskDefinition draws from the same ECS bucket as
// RegisterTaskDefinition (task definition modify actions).
func (p *pacedECS) DeregisterTaskDefinition(ctx context.Context, in *ecs.DeregisterTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.DeregisterTaskDefinitionOutput, error) {
	return p.ECS.DeregisterTaskDefinition(ctx, in, ecsPaced(p.registers, optFns)...)
}

func (p *pacedECS) DescribeTasks(ctx context.Context, in *ecs.DescribeTasksInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error) {
	return p.ECS.DescribeTasks(ctx, in, ecsPaced(p.reads, optFns)...)
}

func (p *pacedECS) ListTasks(ctx context.Context, in *ecs.ListTasksInput, optFns ...func(*ecs.Options)) (*ecs.ListTasksOutput, error) {
	return p.ECS.ListTasks(ctx, in, ecsPaced(p.reads, optFns)...)
}

// PaceLogReads makes a CloudWatch Logs client for region whose GetLogEvents
// calls go through a token bucket below the Region's quota (logReadsIn),
// and whose log group calls each through one below theirs.
func PaceLogReads(api Logs, region string) Logs {
	return &pacedLogs{Logs: api, reads: newPacer(logReadsIn(region)),
		groupReads: newPacer(logGroupReads), groupCreates: newPacer(logGroupCreates), retentions: newPacer(logRetentionPuts)}
}

type pacedLogs struct {
	Logs
	reads, groupReads, groupCreates, retentions *pacer
}

func (p *pacedLogs) GetLogEvents(ctx context.Context, in *cloudwatchlogs.GetLogEventsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetLogEventsOutput, error) {
	return p.Logs.GetLogEvents(ctx, in, logsPaced(p.reads, optFns)...)
}

func (p *pacedLogs) DescribeLogGroups(ctx context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
	return p.Logs.DescribeLogGroups(ctx, in, logsPaced(p.groupReads, optFns)...)
}

func (p *pacedLogs) CreateLogGroup(ctx context.Context, in *cloudwatchlogs.CreateLogGroupInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error) {
	return p.Logs.CreateLogGroup(ctx, in, logsPaced(p.groupCreates, optFns)...)
}

func (p *pacedLogs) PutRetentionPolicy(ctx context.Context, in *cloudwatchlogs.PutRetentionPolicyInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutRetentionPolicyOutput, error) {
	return p.Logs.PutRetentionPolicy(ctx, in, logsPaced(p.retentions, optFns)...)
}

// PaceEnvironmentReads makes an Elastic Beanstalk client whose describe
// calls share one token bucket (environmentReads). The provider puts it
// under BatchEnvironmentDescribes, so that what is paced is what reaches
// EB: a reused settings read is not paced, and DescribeEnvironments calls
// that arrive while one waits for a token are merged into the next request.
func PaceEnvironmentReads(api EB) EB {
	return &pacedEB{EB: api, reads: newPacer(environmentReads)}
}

type pacedEB struct {
	EB
	reads *pacer
}

func (p *pacedEB) DescribeEnvironments(ctx context.Context, in *elasticbeanstalk.DescribeEnvironmentsInput, optFns ...func(*elasticbeanstalk.Options)) (*elasticbeanstalk.DescribeEnvironmentsOutput, error) {
	return p.EB.DescribeEnvironments(ctx, in, ebPaced(p.reads, optFns)...)
}

func (p *pacedEB) DescribeConfigurationSettings(ctx context.Context, in *elasticbeanstalk.DescribeConfigurationSettingsInput, optFns ...func(*elasticbeanstalk.Options)) (*elasticbeanstalk.DescribeConfigurationSettingsOutput, error) {
	return p.EB.DescribeConfigurationSettings(ctx, in, ebPaced(p.reads, optFns)...)
}

func (p *pacedEB) DescribeApplicationVersions(ctx context.Context, in *elasticbeanstalk.DescribeApplicationVersionsInput, optFns ...func(*elasticbeanstalk.Options)) (*elasticbeanstalk.DescribeApplicationVersionsOutput, error) {
	return p.EB.DescribeApplicationVersions(ctx, in, ebPaced(p.reads, optFns)...)
}
