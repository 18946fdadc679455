package ebmigrate

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// maxBatchNames bounds the names of one merged DescribeEnvironments. AWS
// sets no bound on EnvironmentNames (botocore's EnvironmentNamesList has no
// max), and "If no MaxRecords is specified, all available environments are
// retrieved in a single response"; this keeps requests modest anyway.
const maxBatchNames = 100

// gatherWindow is how long a request by environment names waits, from its
// first call, for more calls to join it, during a burst of calls for several
// environments (the last call for another environment than the one before
// it came less than burstGap ago): Terraform refreshes ten resources at a
// time, but their reads reach the provider a few milliseconds apart, between
// other calls. Sent at once, a refresh of fifty resources made 33 requests
// (bench, plan at scale), more than Elastic Beanstalk's describe burst, so
// that plans run back to back waited seconds for its rate. A call after a
// quiet burstGap (the first read of a refresh) goes at once, and so do the
// calls for one environment only (a one-resource apply's refresh, plan and
// apply), which no other call could join.
const (
	gatherWindow = 20 * time.Millisecond
	burstGap     = time.Second
)

// BatchEnvironmentDescribes makes an EB client whose DescribeEnvironments
// calls by environment name share requests: the calls that arrive while a
// request is in flight, or within gatherWindow of the first during a burst
// of calls, go together as one request for all their names
// (DescribeEnvironments takes a list), each getting back the environments it
// named. A lone call goes at once. Calls with any other filter, or options,
// pass through unchanged.
func BatchEnvironmentDescribes(eb EB) EB {
	return &describeBatcher{EB: eb}
}

type describeBatcher struct {
	EB
	mu       sync.Mutex
	inFlight bool
	last     time.Time // when the last call by names came
	// lastNames are the names of that call, and varied when the last call
	// by names for other names than the call before it came (gather).
	lastNames []string
	varied    time.Time
	next      *describeBatch // gathering while a request is in flight
	// updated is each environment's DateUpdated as last described, and
	// settings the configuration settings read while it was that (see
	// DescribeConfigurationSettings).
	updated  map[string]time.Time
	settings map[string]settingsEntry
	// seen is each environment's last description by name, with when the
	// request that returned it was sent (recentEnvironment).
	seen map[string]seenEnvironment
}

type seenEnvironment struct {
	sent time.Time
	env  ebtypes.EnvironmentDescription
}

type settingsEntry struct {
	updated time.Time
	read    time.Time
	out     *elasticbeanstalk.DescribeConfigurationSettingsOutput
}

// settingsFresh bounds how long read settings are reused, on top of the
// environment's DateUpdated not having moved.
const settingsFresh = time.Minute

type describeBatch struct {
	ctx    context.Context // of the call that opened the batch, without its cancellation
	sendAt time.Time       // the end of its gathering window
	names  []string
	done   chan struct{}
	out    *elasticbeanstalk.DescribeEnvironmentsOutput
	err    error
}

// batchable: by names only, deleted ones included, as DescribeEnvironment asks.
func batchable(in *elasticbeanstalk.DescribeEnvironmentsInput, optFns []func(*elasticbeanstalk.Options)) bool {
	return len(optFns) == 0 && in != nil && len(in.EnvironmentNames) > 0 && aws.ToBool(in.IncludeDeleted) &&
		in.ApplicationName == nil && in.VersionLabel == nil && len(in.EnvironmentIds) == 0 &&
		in.IncludedDeletedBackTo == nil && in.MaxRecords == nil && in.NextToken == nil
}

func (b *describeBatcher) DescribeEnvironments(ctx context.Context, in *elasticbeanstalk.DescribeEnvironmentsInput, optFns ...func(*elasticbeanstalk.Options)) (*elasticbeanstalk.DescribeEnvironmentsOutput, error) {
	if !batchable(in, optFns) {
		out, err := b.EB.DescribeEnvironments(ctx, in, optFns...)
		if err == nil {
			b.observe(out)
		}
		return out, err
	}
	b.mu.Lock()
	burst := b.gather(in.EnvironmentNames, time.Now())
	var batch, full *describeBatch
	switch {
	case !b.inFlight:
		b.inFlight = true
		batch = newDescribeBatch(ctx, burst)
		batch.add(in.EnvironmentNames)
		b.next = batch
		go b.run()
	case b.next != nil && len(b.next.names)+len(in.EnvironmentNames) <= maxBatchNames:
		batch = b.next
		batch.add(in.EnvironmentNames)
	default:
		// The gathering batch is full: it goes as it is, and a new one
		// gathers behind it.
		full = b.next
		batch = newDescribeBatch(ctx, true)
		batch.add(in.EnvironmentNames)
		b.next = batch
	}
	b.mu.Unlock()
	if full != nil {
		go b.send(full)
	}
	select {
	case <-batch.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if batch.err != nil {
		return nil, batch.err
	}
	out := *batch.out
	out.Environments = nil
	for _, e := range batch.out.Environments {
		if slices.Contains(in.EnvironmentNames, aws.ToString(e.EnvironmentName)) {
			out.Environments = append(out.Environments, e)
		}
	}
	return &out, nil
}

// gather notes a call by names at now and tells whether its request should
// wait gatherWindow for others to join: only during a burst of calls for
// more than one environment. b.mu is held.
func (b *describeBatcher) gather(names []string, now time.Time) bool {
	if b.lastNames != nil && !slices.Equal(b.lastNames, names) {
		b.varied = now
	}
	burst := now.Sub(b.last) < burstGap && now.Sub(b.varied) < burstGap
	b.last, b.lastNames = now, slices.Clone(names)
	return burst
}

// newDescribeBatch opens a batch that gathers until gatherWindow from now, or
// not at all.
func newDescribeBatch(ctx context.Context, gather bool) *describeBatch {
	d := &describeBatch{ctx: context.WithoutCancel(ctx), done: make(chan struct{}), sendAt: time.Now()}
	if gather {
		d.sendAt = d.sendAt.Add(gatherWindow)
	}
	return d
}

func (d *describeBatch) add(names []string) {
	for _, n := range names {
		if !slices.Contains(d.names, n) {
			d.names = append(d.names, n)
		}
	}
}

// run sends the gathering batch at the end of its window, then each batch
// that gathered meanwhile, until none has.
func (b *describeBatcher) run() {
	for {
		b.mu.Lock()
		batch := b.next
		if batch == nil {
			b.inFlight = false
			b.mu.Unlock()
			return
		}
		wait := time.Until(batch.sendAt)
		b.mu.Unlock()
		if wait > 0 {
			time.Sleep(wait)
		}
		b.mu.Lock()
		if b.next != batch {
			// It filled up and went on its own (see DescribeEnvironments);
			// the batch gathering now is another.
			b.mu.Unlock()
			continue
		}
		b.next = nil
		b.mu.Unlock()
		b.send(batch)
	}
}

// send makes one request for every name of the batch, following pages.
func (b *describeBatcher) send(batch *describeBatch) {
	defer close(batch.done)
	// Bounded, since no caller's cancellation reaches it (each caller stops
	// waiting on its own context instead).
	ctx, cancel := context.WithTimeout(batch.ctx, 5*time.Minute)
	defer cancel()
	in := &elasticbeanstalk.DescribeEnvironmentsInput{EnvironmentNames: batch.names, IncludeDeleted: aws.Bool(true)}
	all := &elasticbeanstalk.DescribeEnvironmentsOutput{}
	for {
		sent := time.Now()
		out, err := b.EB.DescribeEnvironments(ctx, in)
		if err != nil {
			batch.err = err
			return
		}
		b.observe(out)
		b.see(out, sent)
		all.Environments = append(all.Environments, out.Environments...)
		all.ResultMetadata = out.ResultMetadata
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	batch.out = all
}

// observe notes each described environment's DateUpdated.
func (b *describeBatcher) observe(out *elasticbeanstalk.DescribeEnvironmentsOutput) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.updated == nil {
		b.updated = map[string]time.Time{}
	}
	for _, e := range out.Environments {
		if e.DateUpdated != nil {
			b.updated[aws.ToString(e.ApplicationName)+"/"+aws.ToString(e.EnvironmentName)] = *e.DateUpdated
		}
	}
}

// see notes each environment of a by-name description, as DescribeEnvironment
// picks among those of one name: a live one over a terminated one.
func (b *describeBatcher) see(out *elasticbeanstalk.DescribeEnvironmentsOutput, sent time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.seen == nil {
		b.seen = map[string]seenEnvironment{}
	}
	fresh := map[string]bool{}
	for _, e := range out.Environments {
		name := aws.ToString(e.EnvironmentName)
		if prev, ok := b.seen[name]; ok && fresh[name] && prev.env.Status != ebtypes.EnvironmentStatusTerminated && e.Status == ebtypes.EnvironmentStatusTerminated {
			continue
		}
		fresh[name] = true
		b.seen[name] = seenEnvironment{sent: sent, env: e}
	}
}

// recentEnvironment is the environment named name as described through
// eb's batcher by a request sent within the last `within`, if any. An
// apply's migration starts right after its re-plan described the
// environment; it need not ask again whether a deploy is in progress.
func recentEnvironment(eb EB, name string, within time.Duration) (*ebtypes.EnvironmentDescription, bool) {
	b, ok := eb.(*describeBatcher)
	if !ok {
		return nil, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	seen, ok := b.seen[name]
	if !ok || time.Since(seen.sent) > within {
		return nil, false
	}
	env := seen.env
	return &env, true
}

// DescribeConfigurationSettings of an environment by name reuses the
// settings read for it in the last minute while its DateUpdated, as
// described since, has not moved: Elastic Beanstalk updates it when a
// change to the environment starts and again when it is deployed. Every
// read of the settings follows a DescribeEnvironments of the environment,
// so an apply's re-plan and its migration (seconds apart, one provider
// process) read the settings once, against a bucket Elastic Beanstalk
// shares with the account's other callers. Other calls pass through.
func (b *describeBatcher) DescribeConfigurationSettings(ctx context.Context, in *elasticbeanstalk.DescribeConfigurationSettingsInput, optFns ...func(*elasticbeanstalk.Options)) (*elasticbeanstalk.DescribeConfigurationSettingsOutput, error) {
	if len(optFns) > 0 || in == nil || in.TemplateName != nil || in.EnvironmentName == nil || in.ApplicationName == nil {
		return b.EB.DescribeConfigurationSettings(ctx, in, optFns...)
	}
	key := aws.ToString(in.ApplicationName) + "/" + aws.ToString(in.EnvironmentName)
	b.mu.Lock()
	updated, known := b.updated[key]
	e, cached := b.settings[key]
	b.mu.Unlock()
	if cached && known && e.updated.Equal(updated) && time.Since(e.read) < settingsFresh {
		return e.out, nil
	}
	out, err := b.EB.DescribeConfigurationSettings(ctx, in, optFns...)
	if err != nil || !known {
		return out, err
	}
	b.mu.Lock()
	if b.settings == nil {
		b.settings = map[string]settingsEntry{}
	}
	b.settings[key] = settingsEntry{updated: updated, read: time.Now(), out: out}
	b.mu.Unlock()
	return out, nil
}
