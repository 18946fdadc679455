package ebmigrate

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// One read of a stream is bounded (maxPagesPerRead, maxReadFor) and only
// its first pages are urgent: a stream with a long backlog does not hold
// the provider's GetLogEvents budget while other migrations wait to read
// their last lines.

// countingLogs counts GetLogEvents calls per stream.
type countingLogs struct {
	Logs
	mu    sync.Mutex
	calls map[string]int
}

func (c *countingLogs) GetLogEvents(ctx context.Context, in *cloudwatchlogs.GetLogEventsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetLogEventsOutput, error) {
	c.mu.Lock()
	c.calls[aws.ToString(in.LogStreamName)]++
	c.mu.Unlock()
	return c.Logs.GetLogEvents(ctx, in, optFns...)
}

func (c *countingLogs) count(prefix string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for s, k := range c.calls {
		if strings.HasPrefix(s, prefix) {
			n += k
		}
	}
	return n
}

// backlogWorld is localaws with streams of pages pages each (two events of
// half a megabyte a page: GetLogEvents returns at most 1 MB) and a stream
// "small" of one line, and its Logs client paced at rate a second.
func backlogWorld(t *testing.T, rate float64, pages int, streams ...string) *countingLogs {
	t.Helper()
	seed := localaws.FriendlySeed(t.TempDir())
	seed.Consistency = localaws.Consistency{ListLagMS: 10, RegisterLagMS: 10, LogIngestDelayMS: 10, LogBatchMS: 100, EmptyLogPages: 0.01}
	seed.Quotas = &localaws.QuotaSeed{Off: true}
	srv := localaws.Start(t, seed)
	// The SDK's standard retries, as the provider has them: the SDK closes
	// a request's body as its response comes, and with a megabyte answered
	// at once over loopback the transport now and then closes the
	// connection under it ("use of closed network connection",
	// aws/aws-sdk-go-v2#1825), which the SDK retries.
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 3}
	raw := cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
	ctx := context.Background()
	big := strings.Repeat("x", 500_000)
	for _, stream := range append(streams, "small") {
		if _, err := raw.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamName: aws.String(stream)}); err != nil {
			t.Fatal(err)
		}
		n, msg := pages, big
		if stream == "small" {
			n, msg = 1, "Applying shop.0002_price... OK"
		}
		for i := range n {
			ts := time.Now().UnixMilli() + int64(i)
			events := []logtypes.InputLogEvent{{Timestamp: aws.Int64(ts), Message: aws.String(msg)}}
			if stream != "small" {
				events = append(events, logtypes.InputLogEvent{Timestamp: aws.Int64(ts), Message: aws.String(msg)})
			}
			if _, err := raw.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamName: aws.String(stream), LogEvents: events}); err != nil {
				t.Fatal(err)
			}
		}
	}
	time.Sleep(50 * time.Millisecond) // every call readable
	paced := PaceLogReads(raw, "us-east-1").(*pacedLogs)
	paced.reads = newPacer(bucketSize{burst: 1, rate: rate})
	return &countingLogs{Logs: paced, calls: map[string]int{}}
}

func follower(api Logs, stream string) *logFollower {
	return newLogFollower(api, LogLocation{Group: localaws.FixtureLogGroup, Stream: stream}, NopLogger, 0, time.Time{})
}

// A read stops after maxPagesPerRead pages, and the next one goes on from
// its token.
func TestReadStopsAfterMaxPages(t *testing.T) {
	api := backlogWorld(t, 1000, 15, "big")
	f := follower(api, "big")
	n, more, err := f.read(urgent(context.Background()))
	if err != nil || !more || n != 2*maxPagesPerRead || api.count("big") != maxPagesPerRead {
		t.Fatalf("first read: %d events, more %v, err %v, %d calls; want %d events in %d pages and more to read", n, more, err, api.count("big"), 2*maxPagesPerRead, maxPagesPerRead)
	}
	n, more, err = f.read(urgent(context.Background()))
	if err != nil || more || n != 2*(15-maxPagesPerRead) {
		t.Errorf("second read: %d events, more %v, err %v; want the other %d events and the end", n, more, err, 2*(15-maxPagesPerRead))
	}
}

// A read whose pages wait for the budget stops after maxReadFor.
func TestReadStopsAfterMaxReadFor(t *testing.T) {
	api := backlogWorld(t, 3, 15, "big")
	f := follower(api, "big")
	start := time.Now()
	_, more, err := f.read(urgent(context.Background()))
	took := time.Since(start)
	if err != nil || !more || api.count("big") >= maxPagesPerRead || took > maxReadFor+time.Second {
		t.Errorf("read: more %v, err %v, %d pages in %s; want it to stop after about %s, before %d pages", more, err, api.count("big"), took, maxReadFor, maxPagesPerRead)
	}
}

// Three migrations read long backlogs to their ends (urgent: they hold up
// their outcomes) while a fourth reads its one last line: only their first
// pages are urgent, so the fourth's read (its page and the one that
// confirms the end) waits for at most the one page already granted, not
// for a page of each of them.
func TestBacklogReadsDoNotStarveEndOfLogReads(t *testing.T) {
	api := backlogWorld(t, 5, 8, "big-1", "big-2", "big-3")
	ctx, cancel := context.WithCancel(urgent(context.Background()))
	defer cancel()
	var wg sync.WaitGroup
	for _, s := range []string{"big-1", "big-2", "big-3"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = follower(api, s).readAll(ctx)
		}()
	}
	defer wg.Wait()
	// Past their urgent first pages: each has asked for a page after them.
	for api.count("big-1") < urgentPages+2 || api.count("big-2") < urgentPages+2 || api.count("big-3") < urgentPages+2 {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	before := api.count("big-")
	if _, _, err := follower(api, "small").read(urgent(context.Background())); err != nil {
		t.Fatal(err)
	}
	if between := api.count("big-") - before; between > 1 {
		t.Errorf("%d backlog pages went before the last line's read, want at most the one already granted", between)
	}
	cancel()
}
