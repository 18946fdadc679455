package localaws

import (
	"strings"
	"time"
)

// Eventual consistency, as AWS documents it. Every behaviour here is on by
// default with values close to AWS's; a seed may shorten them (tests do) but
// a zero value takes the default, so none can be switched off by accident.

// Consistency is the seed's "consistency" block, in milliseconds.
type Consistency struct {
	// ListLagMS is how long after a task shows in DescribeTasks it shows in
	// ListTasks, and how long a task whose desired status changed keeps being
	// listed under the old one. ListTasks reads a separate, eventually
	// consistent index (ECS RunTask doc, botocore ecs service-2.json: "the
	// results of describe or list commands might not be accurate right away").
	ListLagMS int `json:"list_lag_ms"`
	// ListJitterMS adds to each task's list lag an amount of its own, drawn
	// from [0, ListJitterMS): ECS documents no order in which new tasks
	// become visible to ListTasks, so a task created later can be listed
	// before one created earlier.
	ListJitterMS int `json:"list_jitter_ms"`
	// RegisterLagMS is how long a newly registered revision is unknown to
	// RunTask and DescribeTaskDefinition (ClientException "Unable to describe
	// task definition."), the same eventual consistency.
	RegisterLagMS int `json:"register_lag_ms"`
	// DeregisterLagMS is how long after DeregisterTaskDefinition
	// DeleteTaskDefinitions still sees the revision ACTIVE and refuses it
	// ("The specified task definition is still in ACTIVE status"). botocore
	// ecs DeregisterTaskDefinition: "there may be up to a 10-minute window
	// following deregistration where these restrictions have not yet taken
	// effect", and the API's reads are eventually consistent (RunTask's
	// documentation).
	DeregisterLagMS int `json:"deregister_lag_ms"`
	// LogIngestDelayMS bounds how long after CloudWatch accepted a
	// PutLogEvents call its events become readable, but for the tail below.
	// Each call, the awslogs driver's batches and any other writer's, draws
	// its own delay, uniform between a quarter of this and this, independent
	// of every earlier call: "You can use parallel PutLogEvents actions on
	// the same log stream" (botocore logs PutLogEvents) promises no order in
	// which calls become readable, so a batch accepted later may be readable
	// first (logs_put.go, logs_read.go).
	LogIngestDelayMS int `json:"log_ingest_delay_ms"`
	// LogIngestTail is the fraction (0..1] of PutLogEvents calls whose delay
	// is instead drawn from a heavy tail, log-uniform between
	// LogIngestDelayMS and LogIngestTailMS: neither PutLogEvents nor
	// GetLogEvents (botocore logs) states any time by which an accepted
	// event is readable, so no reader may count on one; AWS publishes no
	// figure, and the default (1 call in 100, up to 30 times
	// LogIngestDelayMS) is a guess on the unkind side, past the engine's
	// 5 s grace.
	LogIngestTail float64 `json:"log_ingest_tail"`
	// LogIngestTailMS is the longest delay of the tail; unset, 30 times
	// LogIngestDelayMS.
	LogIngestTailMS int `json:"log_ingest_tail_ms"`
	// LogBatchMS is the awslogs driver's flush interval: Docker's driver
	// sends what a container printed every 5 s ("awslogs-force-flush-
	// interval-seconds", default 5 s, moby daemon/logger/awslogs
	// cloudwatchlogs.go), or at once when a batch is full; on Fargate the
	// shim logger never closes the driver, so the container's last batch
	// waits for the next flush, after the container exited (logs_driver.go).
	LogBatchMS int `json:"log_batch_ms"`
	// ShimCleanupMS is how long Fargate's shim logger lives after the
	// container's pipes closed before its process exits, the driver never
	// closed: "Sleeping %s for cleanning up" (aws/shim-loggers-for-containerd
	// logger/common.go sendLogs; args.go defaultCleanupTime "5s"). What the
	// driver has not sent by then is lost (logs_driver.go). Unset, it is
	// LogBatchMS: both are 5 s on AWS, and a seed that shortens one shortens
	// both.
	ShimCleanupMS int `json:"shim_cleanup_ms"`
	// EmptyLogPages is the fraction (0..1] of GetLogEvents calls that return an
	// empty page with an advancing forward token although later events exist:
	// "Partially full or empty pages don't necessarily mean that pagination is
	// finished" (botocore logs service-2.json, GetLogEvents).
	EmptyLogPages float64 `json:"empty_log_pages"`
	// S3WriteMS is how long a conditional PutObject is in progress: of
	// conditional writes of one key in progress at once the first to finish
	// wins and the others get 412; a plain write or delete of the key
	// meanwhile ends them with 409 ConditionalRequestConflict
	// (s3_conditional.go).
	S3WriteMS int `json:"s3_write_ms"`
}

// Realistic defaults, for cmd/localaws and any seed that leaves them out.
const (
	defaultListLagMS        = 1000
	defaultListJitterMS     = 2000
	defaultS3WriteMS        = 40
	defaultRegisterLagMS    = 1000
	defaultDeregisterLagMS  = 2000
	defaultLogIngestDelayMS = 2000
	defaultLogBatchMS       = 5000
	defaultEmptyLogPages    = 0.3
	defaultLogIngestTail    = 0.01
	// defaultTailTimes is LogIngestTailMS unset, in LogIngestDelayMS.
	defaultTailTimes = 30
)

func (c Consistency) withDefaults() Consistency {
	def := func(v, d int) int {
		if v <= 0 {
			return d
		}
		return v
	}
	c.ListLagMS = def(c.ListLagMS, defaultListLagMS)
	c.ListJitterMS = def(c.ListJitterMS, defaultListJitterMS)
	c.S3WriteMS = def(c.S3WriteMS, defaultS3WriteMS)
	c.RegisterLagMS = def(c.RegisterLagMS, defaultRegisterLagMS)
	c.DeregisterLagMS = def(c.DeregisterLagMS, defaultDeregisterLagMS)
	c.LogIngestDelayMS = def(c.LogIngestDelayMS, defaultLogIngestDelayMS)
	c.LogBatchMS = def(c.LogBatchMS, defaultLogBatchMS)
	c.ShimCleanupMS = def(c.ShimCleanupMS, c.LogBatchMS)
	c.LogIngestTailMS = max(def(c.LogIngestTailMS, defaultTailTimes*c.LogIngestDelayMS), c.LogIngestDelayMS)
	if c.LogIngestTail <= 0 {
		c.LogIngestTail = defaultLogIngestTail
	}
	c.LogIngestTail = min(c.LogIngestTail, 1)
	if c.EmptyLogPages <= 0 {
		c.EmptyLogPages = defaultEmptyLogPages
	}
	if c.EmptyLogPages > 1 {
		c.EmptyLogPages = 1
	}
	return c
}

// TestConsistency is what Start gives a seed without a consistency block:
// every behaviour on, with times short enough for a test suite. Its
// ingestion tail stays under the 1 s grace the suite's engine reads an
// unproven log with after the stop (as the 5 s grace is to AWS's usual
// delays), so that a test's last lines do not depend on a draw; the tests
// of the tail itself set it past that (TestLateTailIsSaid).
var TestConsistency = Consistency{ListLagMS: 100, ListJitterMS: 200, RegisterLagMS: 200, DeregisterLagMS: 200, LogIngestDelayMS: 300, LogBatchMS: 300, EmptyLogPages: 0.3,
	LogIngestTail: defaultLogIngestTail, LogIngestTailMS: 900, S3WriteMS: 20}

// testStopGraceMS is what Start gives a seed's unset stop grace: shorter than
// ECS's 30 s, still a grace a process that ignores SIGTERM must sit out.
const testStopGraceMS = 2000

// listedAt is when ListTasks starts to list a task: its list lag and its
// own jitter after DescribeTasks shows it.
func (s *Server) listedAt(t *task) time.Time {
	return t.visibleAt.Add(ms(s.consistency.ListLagMS) + t.listJitter)
}

// listedDesired is the desired status ListTasks files a task under at now:
// the previous one until the list index catches up with a change.
func (s *Server) listedDesired(t *task, now time.Time) string {
	if t.prevDesired != "" && now.Before(t.desiredChangedAt.Add(ms(s.consistency.ListLagMS))) {
		return t.prevDesired
	}
	return t.desiredStatus
}

// setDesired changes a task's desired status, remembering the old one for
// the list index's lag.
func (t *task) setDesired(status string) {
	if t.desiredStatus == status {
		return
	}
	t.prevDesired, t.desiredStatus, t.desiredChangedAt = t.desiredStatus, status, time.Now()
}

// forgotten: ECS keeps a stopped task visible for at least an hour (ECS
// DescribeTasks doc: "Recently stopped tasks might appear in the returned
// results" / "stopped tasks ... appear for at least 1 hour"); after that it
// answers MISSING.
func (s *Server) forgotten(t *task, now time.Time) bool {
	return t.stopped() && !t.stoppedAt.IsZero() && now.After(t.stoppedAt.Add(ms(s.timing.StoppedRetentionMS)))
}

// resolveVisibleTaskDef is resolveTaskDef as RunTask and
// DescribeTaskDefinition see it: a revision registered less than
// RegisterLagMS ago is unknown, and a family resolves to its latest ACTIVE
// revision that is known.
func (s *Server) resolveVisibleTaskDef(ref string) (*taskDef, error) {
	td, err := s.resolveTaskDef(ref)
	now := time.Now()
	if err != nil || !now.Before(td.visibleAt) {
		return td, err
	}
	notFound := clientErr("ClientException", "Unable to describe task definition.")
	if strings.Contains(strings.TrimPrefix(ref, "arn:aws:ecs:"), ":") {
		return nil, notFound // a revision named exactly
	}
	revs := s.families[td.family].revisions
	for i := len(revs) - 1; i >= 0; i-- {
		if revs[i].status == "ACTIVE" && !now.Before(revs[i].visibleAt) {
			return revs[i], nil
		}
	}
	return nil, notFound
}

// jitter is a random duration in [0, n) milliseconds, from the seed's
// random source. The caller holds s.mu.
func (s *Server) jitter(n int) time.Duration {
	if n <= 0 {
		return 0
	}
	return ms(s.rng.Intn(n))
}
