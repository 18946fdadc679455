package ebmigrate_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// The log's last lines with localaws's CloudWatch at its test timings, all
// on: every PutLogEvents call readable after a delay of its own (the
// driver's batches, in no promised order), the driver's batches every
// log_batch_ms, and on Fargate the container's last batch sent at the
// driver's next tick, after the container exited and, mostly, after the
// task shows STOPPED. Twenty runs each, in parallel, each in a world of
// its own.

const lateRuns = 20

// lastTracebackLine is what a failed migration prints last.
const lastTracebackLine = "django.db.utils.OperationalError: no such table: shop_product"

// tracebackAtExit prints a line, then, a driver tick later, a traceback as
// it exits: the traceback goes in the driver's last batch.
var tracebackAtExit = []string{"sh", "-c", `echo "Operations to perform:"; sleep 0.4; ` +
	`echo "Traceback (most recent call last):"; echo '  File "/app/manage.py", line 22, in <module>'; echo "` + lastTracebackLine + `"; exit 1`}

// randomSeed gives each run's world delays of its own: worlds seeded
// alike draw the same delays, and twenty runs would be one.
func randomSeed(i int) func(*localaws.Seed) {
	return func(s *localaws.Seed) { s.RandomSeed = int64(1000 + i) }
}

// onFargate runs the migration on Fargate.
func onFargate(in *ebmigrate.MigrateInput) {
	in.Derive.Placement = ebmigrate.Placement{LaunchType: "FARGATE"}
	in.Derive.ExecutionRoleArn = "arn:aws:iam::123456789012:role/exec"
}

// repeated runs run(i) lateRuns times at once, each in a world of its
// own: goroutines, not parallel subtests, which go test runs only
// GOMAXPROCS at a time.
func repeated(run func(i int)) {
	var wg sync.WaitGroup
	for i := range lateRuns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(i)
		}()
	}
	wg.Wait()
}

// The failure diagnostic of a migration whose traceback is printed at exit
// shows the traceback's last line, on EC2 and on Fargate; a note never
// says that the container printed nothing when it printed lines, nor is
// the log called complete.
func TestTracebackAtExitIsShown(t *testing.T) {
	for _, launch := range []string{"EC2", "FARGATE"} {
		t.Run(launch, func(t *testing.T) {
			t.Parallel()
			var missing atomic.Int32
			repeated(func(i int) {
				_, c := friendly(t, localaws.WithoutHostVolume, randomSeed(i))
				in := migrateInput(tracebackAtExit...)
				if launch == "FARGATE" {
					onFargate(&in)
				}
				res, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
				var me *ebmigrate.MigrationError
				if !errors.As(err, &me) {
					t.Errorf("run %d: err = %v, want a MigrationError", i, err)
					return
				}
				if !slices.Contains(me.LogLines, lastTracebackLine) {
					missing.Add(1)
					t.Errorf("run %d: the diagnostic lacks the traceback's last line: lines %q, note %q", i, me.LogLines, me.LogsNote)
				}
				if res.LogsComplete || !strings.Contains(me.LogsNote, "cannot be proven") || strings.Contains(me.LogsNote, "printed nothing to") {
					t.Errorf("run %d: complete = %v, note %q: want what could not be proven said", i, res.LogsComplete, me.LogsNote)
				}
			})
			t.Logf("%s: the traceback's last line missing in %d of %d runs", launch, missing.Load(), lateRuns)
		})
	}
}

// pendingTwelve prints migrate --plan's output for twelve migrations, the
// last six a driver tick after the first six, as it exits.
func pendingTwelve() []string {
	var first, last strings.Builder
	for i := 1; i <= 12; i++ {
		b := &first
		if i > 6 {
			b = &last
		}
		fmt.Fprintf(b, "echo 'shop.%04d_step'; echo '    Add field f%d to product'; ", i, i)
	}
	return []string{"sh", "-c", "echo 'Planned operations:'; " + first.String() + "sleep 0.4; " + last.String() + "true"}
}

// A version with twelve pending migrations is listed with all twelve, or
// the output is said to be incomplete; never fewer. The query runs under
// the output relay (queryInput: ProveOutput), whose proof holds here every
// time.
func TestPendingListNeverShorter(t *testing.T) {
	t.Parallel()
	var fewer, incomplete atomic.Int32
	repeated(func(i int) {
		_, c := fixture(t, randomSeed(i))
		in := queryInput(pendingTwelve()...)
		res, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
		if err != nil {
			t.Errorf("run %d: %v", i, err)
			return
		}
		if !res.LogsComplete {
			incomplete.Add(1)
			t.Errorf("run %d: the output was not proven complete: %s", i, res.LogsProblem)
			return
		}
		plan, err := res.MigratePlan()
		if err != nil || len(plan.Pending()) != 12 {
			fewer.Add(1)
			t.Errorf("run %d: the output was called complete, and lists %d pending migrations (err %v), want 12", i, len(plan.Pending()), err)
		}
	})
	t.Logf("fewer than twelve listed in %d of %d plans, output said incomplete in %d", fewer.Load(), lateRuns, incomplete.Load())
}
