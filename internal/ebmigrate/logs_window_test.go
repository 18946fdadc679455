package ebmigrate_test

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// How long an unproven log is read after the stop, and what it shows.

var windowRe = regexp.MustCompile(`within ([0-9.]+m?s) of the task's stop`)

// window is how long after the stop the note says the log was read.
func window(t *testing.T, note string) time.Duration {
	t.Helper()
	m := windowRe.FindStringSubmatch(note)
	if m == nil {
		t.Fatalf("note %q says no window", note)
	}
	d, err := time.ParseDuration(m[1])
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// failedMigration runs in and returns its MigrationError.
func failedMigration(t *testing.T, c ebmigrate.Clients, in ebmigrate.MigrateInput) (*ebmigrate.Result, *ebmigrate.MigrationError) {
	t.Helper()
	res, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	var me *ebmigrate.MigrationError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want a MigrationError", err)
	}
	return res, me
}

// On Fargate the shim logger sends the last batch up to a flush interval
// after the exit: the log is read that much longer, unless ECS's own
// timestamps show the task stopped later than that after its containers
// exited (executionStoppedAt to stoppedAt: DEPROVISIONING).
func TestFargateFlushWaitSkippedAfterALongDeprovisioning(t *testing.T) {
	for _, c := range []struct {
		name           string
		deprovisioning int
		short          bool
	}{{"short", 20, false}, {"long", 2500, true}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, clients := friendly(t, localaws.WithoutHostVolume, func(s *localaws.Seed) { s.Timing.DeprovisioningMS = c.deprovisioning })
			in := migrateInput(tracebackAtExit...)
			onFargate(&in)
			in.Poll.LogFlush = 2 * time.Second
			_, me := failedMigration(t, clients, in)
			if !slices.Contains(me.LogLines, lastTracebackLine) {
				t.Errorf("lines %q lack the traceback's last line", me.LogLines)
			}
			w := window(t, me.LogsNote)
			if c.short && w >= 2*time.Second || !c.short && w < 3*time.Second {
				t.Errorf("read until %s after the stop (deprovisioning %d ms); want the grace (1 s) after a deprovisioning longer than the flush interval (2 s), the grace and the flush interval otherwise", w, c.deprovisioning)
			}
		})
	}
}

// With a multiline pattern that rarely matches, Docker's driver sends lines
// long after the timestamp of the line that opened their event: that says
// nothing of when CloudWatch makes them readable, and the read after the
// stop does not grow with it.
func TestUnprovenWindowIgnoresDriverLateness(t *testing.T) {
	t.Parallel()
	_, c := friendly(t, localaws.WithoutHostVolume, webLogOption("awslogs-multiline-pattern", `^NEVER`))
	in := migrateInput("sh", "-c", `for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do echo "line $i"; sleep 0.1; done; exit 1`)
	_, me := failedMigration(t, c, in)
	if w := window(t, me.LogsNote); w >= 2*time.Second {
		t.Errorf("read until %s after the stop, want the 1 s grace (and the time a read takes)", w)
	}
}

// A host whose clock is behind ECS's stamps lines before the task's
// createdAt: they are read all the same (the stream is the task's own).
func TestHostClockBehindECS(t *testing.T) {
	t.Parallel()
	_, c := friendly(t, localaws.WithoutHostVolume, func(s *localaws.Seed) { s.Timing.HostClockSkewMS = -5000 })
	_, me := failedMigration(t, c, migrateInput(tracebackAtExit...))
	if !slices.Contains(me.LogLines, "Operations to perform:") || !slices.Contains(me.LogLines, lastTracebackLine) {
		t.Errorf("lines %q, note %q: want every line", me.LogLines, me.LogsNote)
	}
}

// A batch the driver could not send (every attempt throttled) is a gap no
// read fills: the diagnostic shows what showed and says the end is
// unproven.
func TestDroppedBatchIsAGapSaid(t *testing.T) {
	t.Parallel()
	_, c := friendly(t, localaws.WithoutHostVolume, func(s *localaws.Seed) {
		s.Faults = []localaws.Fault{{Operation: "logs:PutLogEvents", Error: "ThrottlingException", Count: 3}}
	})
	_, me := failedMigration(t, c, migrateInput(tracebackAtExit...))
	if slices.Contains(me.LogLines, "Operations to perform:") || !slices.Contains(me.LogLines, lastTracebackLine) || !strings.Contains(me.LogsNote, "cannot be proven") {
		t.Errorf("lines %q, note %q: want the first batch's line gone, the last batch's shown, and the end said unproven", me.LogLines, me.LogsNote)
	}
}

// With CloudWatch's heavy tail well past the grace (every call drawn from
// it here), a migration's last line may show after the log was read: the
// note says the end is unproven, and every line readable before the last
// read is shown.
func TestLateTailIsSaid(t *testing.T) {
	t.Parallel()
	var late, missing atomic.Int32
	repeated(func(i int) {
		srv, c := friendly(t, localaws.WithoutHostVolume, randomSeed(i), func(s *localaws.Seed) {
			s.Consistency = localaws.Consistency{ListLagMS: 100, RegisterLagMS: 200, LogIngestDelayMS: 300, LogIngestTail: 1, LogIngestTailMS: 3000, LogBatchMS: 300, EmptyLogPages: 0.3}
		})
		res, me := failedMigration(t, c, migrateInput(tracebackAtExit...))
		returned := time.Now()
		if !strings.Contains(me.LogsNote, "cannot be proven") {
			t.Errorf("run %d: note %q", i, me.LogsNote)
		}
		if slices.Contains(me.LogLines, lastTracebackLine) {
			return
		}
		missing.Add(1)
		readable, ok := srv.LastReadable(res.Logs.Group, res.Logs.Stream)
		if !ok || readable.Before(returned.Add(-500*time.Millisecond)) {
			t.Errorf("run %d: the traceback's last line was readable at %s, before the last read (returned %s), and is not shown: %q", i, readable.Format(time.StampMilli), returned.Format(time.StampMilli), me.LogLines)
			return
		}
		late.Add(1)
	})
	t.Logf("the traceback's last line missing in %d of %d runs, each readable only after the log was read (%d)", missing.Load(), lateRuns, late.Load())
}
