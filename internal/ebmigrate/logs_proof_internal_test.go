package ebmigrate

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// The proof holds the output only when it has the end line and every
// numbered line below its count, in whatever order they came; a line not
// the relay's is never output.
func TestOutputProof(t *testing.T) {
	p := newOutputProof(100)
	feed := func(line string, ts int64) (string, bool, bool) { return p.relayed(line, ts) }
	if _, ok, _ := feed("Waiting for the database…", 1000); ok {
		t.Error("a line without the relay's prefix was taken as the relay's")
	}
	for _, bad := range []string{"ebmigrate:", "ebmigrate:x:y", "ebmigrate:0:zero", "ebmigrate:3", "ebmigrate:end:-1", "ebmigrate:end:x"} {
		if _, ok, _ := feed(bad, 1000); ok {
			t.Errorf("%q was taken as the relay's", bad)
		}
	}
	feed("ebmigrate:3:third", 3000)
	feed("ebmigrate:1+fir", 1000)
	if p.complete() || p.ended() {
		t.Fatal("complete or ended without the end line")
	}
	feed("ebmigrate:end:4", 4000)
	if p.complete() || p.firstMissing() != 2 || p.problem() != "line 2 of 4 did not show" {
		t.Fatalf("complete %v, first missing %d, problem %q: want line 2 missing", p.complete(), p.firstMissing(), p.problem())
	}
	if at, ok := p.rereadFrom(); !ok || at != 0 {
		t.Errorf("rereadFrom = %d %v, want line 1's timestamp less a second", at, ok)
	}
	if _, _, fresh := feed("ebmigrate:3:third", 3000); fresh {
		t.Error("a line read again was fresh")
	}
	feed("ebmigrate:2:st", 2000)
	feed("ebmigrate:4:", 3500)
	if !p.complete() || !slices.Equal(p.lines(), []string{"first", "third", ""}) {
		t.Errorf("complete %v, lines %q, want [first third \"\"]", p.complete(), p.lines())
	}
	small := newOutputProof(1)
	small.relayed("ebmigrate:1:a", 1)
	small.relayed("ebmigrate:2:b", 2)
	small.relayed("ebmigrate:end:2", 3)
	if small.complete() || small.problem() != "it has more than 1 lines" {
		t.Errorf("over the limit: complete %v, problem %q", small.complete(), small.problem())
	}
}

// A relayed line that becomes readable behind the reader's token (an
// earlier timestamp, sent in a later call) is found by reading again from
// before the gap, and only then is the output proven.
func TestProofReadsAgainBehindTheToken(t *testing.T) {
	seed := localaws.FriendlySeed(t.TempDir())
	seed.Consistency = localaws.Consistency{ListLagMS: 10, RegisterLagMS: 10, LogIngestDelayMS: 40, LogBatchMS: 100, EmptyLogPages: 0.3}
	srv := localaws.Start(t, seed)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 3}
	api := cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
	ctx := context.Background()
	group, stream := localaws.FixtureLogGroup, "relayed"
	if _, err := api.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}); err != nil {
		t.Fatal(err)
	}
	put := func(events ...logtypes.InputLogEvent) {
		t.Helper()
		if _, err := api.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: events}); err != nil {
			t.Fatal(err)
		}
	}
	ev := func(ts int64, msg string) logtypes.InputLogEvent {
		return logtypes.InputLogEvent{Timestamp: aws.Int64(ts), Message: aws.String(msg)}
	}
	t0 := time.Now().Add(-time.Minute).UnixMilli()
	put(ev(t0, "ebmigrate:1:Planned operations:"), ev(t0+10, "ebmigrate:2:shop.0001_initial"), ev(t0+30, "ebmigrate:4:shop.0003_more"), ev(t0+40, "ebmigrate:end:4"))
	f := newLogFollower(api, LogLocation{Group: group, Stream: stream}, NopLogger, 10, time.UnixMilli(t0-1000))
	f.proof = newOutputProof(100)
	poll := PollSchedule{Fast: 20 * time.Millisecond, LogGrace: time.Second}.withDefaults()
	for !f.proof.ended() {
		if err := f.readAll(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	put(ev(t0+20, "ebmigrate:3:shop.0002_price")) // behind the token
	if err := f.readToProof(ctx, time.Now(), 5*time.Second, poll); err != nil {
		t.Fatalf("not proven: %v", err)
	}
	if got := f.proof.lines(); !slices.Equal(got, []string{"Planned operations:", "shop.0001_initial", "shop.0002_price", "shop.0003_more"}) {
		t.Errorf("output %q", got)
	}
}
