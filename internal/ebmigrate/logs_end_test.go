package ebmigrate_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

const unproven = "the end of the migration's log cannot be proven; waiting for it to stay quiet instead"

// lateIngestion: lines show 3 s after they are printed, and every first
// page is empty, while the quiet grace is far shorter: only the end mark
// can tell when the last line is in.
func lateIngestion(s *localaws.Seed) {
	s.Consistency = localaws.Consistency{ListLagMS: 150, RegisterLagMS: 200, LogIngestDelayMS: 3000, EmptyLogPages: 1}
}

// Every line printed at exit is read although CloudWatch ingests it long
// after the quiet grace would have ended: the end mark, not a timer, says
// the log is complete, and it is not shown as the migration's own line.
func TestEndMarkProvesLastLinesAtExit(t *testing.T) {
	srv, c := friendly(t, lateIngestion)
	in := migrateInput("sh", "-c", `echo "Operations to perform:"; echo "  Apply all migrations: app"; echo "Applying app.0002_more... OK"`)
	in.Poll.LogGrace = 50 * time.Millisecond
	in.CollectOutput = true
	rec := &recorder{}
	res, err := ebmigrate.Migrate(testCtx(t), c, in, rec)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Operations to perform:", "  Apply all migrations: app", "Applying app.0002_more... OK"}
	if !slices.Equal(res.RawOutput, want) || !slices.Equal(res.LogTail, want) || rec.lines() != strings.Join(want, "\n") {
		t.Errorf("output = %q, tail = %q, logged = %q; want %q", res.RawOutput, res.LogTail, rec.lines(), want)
	}
	if !res.LogsComplete || res.LogsNote != "" {
		t.Errorf("complete = %v, note = %q", res.LogsComplete, res.LogsNote)
	}
	if n := srv.Calls("logs:PutLogEvents"); n != 1 {
		t.Errorf("PutLogEvents calls = %d, want the one end mark", n)
	}
	if slices.Contains(rec.infos, unproven) {
		t.Errorf("fell back to the grace: %q", rec.infos)
	}
}

// A task that printed nothing is proven silent by its end mark, without
// waiting for a grace.
func TestEndMarkProvesSilence(t *testing.T) {
	srv, c := friendly(t, lateIngestion)
	rec := &recorder{}
	res, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("true"), rec)
	if err != nil {
		t.Fatal(err)
	}
	if !res.LogsComplete || len(res.LogTail) != 0 || rec.lines() != "" {
		t.Errorf("complete = %v, tail = %q, logged = %q", res.LogsComplete, res.LogTail, rec.lines())
	}
	if !strings.Contains(res.LogsNote, "printed nothing") {
		t.Errorf("note = %q", res.LogsNote)
	}
	if n := srv.Calls("logs:PutLogEvents"); n != 1 || slices.Contains(rec.infos, unproven) {
		t.Errorf("PutLogEvents calls = %d, infos = %q: want the end mark, no grace", n, rec.infos)
	}
}

// A container that never started has no stream (Docker creates it as the
// container is created): nothing to wait for.
func TestNoStreamNeverStarted(t *testing.T) {
	_, c := friendly(t, func(s *localaws.Seed) {
		s.Faults = []localaws.Fault{{Task: "pull_error", Family: ebmigrate.DerivedFamily(localaws.FixtureEnv)}}
	})
	rec := &recorder{}
	_, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("true"), rec)
	var me *ebmigrate.MigrationError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v", err)
	}
	if slices.Contains(rec.infos, unproven) {
		t.Errorf("waited for a grace: %q", rec.infos)
	}
}

// Without logs:PutLogEvents, or with awslogs in non-blocking mode, the end
// cannot be proven: the wait falls back to the quiet grace, says why, and
// still reads the lines printed at exit when the grace covers ingestion.
func TestEndUnprovenFallsBackToGrace(t *testing.T) {
	cases := map[string]func(*localaws.Seed){
		"no PutLogEvents permission": func(s *localaws.Seed) {
			s.Faults = []localaws.Fault{{Operation: "logs:PutLogEvents", Error: "AccessDeniedException"}}
		},
		"non-blocking mode": func(s *localaws.Seed) {
			var web map[string]any
			if err := json.Unmarshal(s.Environments[0].Containers[0], &web); err != nil {
				t.Fatal(err)
			}
			web["logConfiguration"].(map[string]any)["options"].(map[string]any)["mode"] = "non-blocking"
			s.Environments[0].Containers[0], _ = json.Marshal(web)
		},
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			srv, c := friendly(t, mutate)
			rec := &recorder{}
			in := migrateInput("sh", "-c", `echo one; echo two`)
			in.Poll.LogGrace = 2 * time.Second
			res, err := ebmigrate.Migrate(testCtx(t), c, in, rec)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(rec.infos, unproven) {
				t.Errorf("no fallback said: %q", rec.infos)
			}
			if rec.lines() != "one\ntwo" || !res.LogsComplete {
				t.Errorf("logged %q, complete = %v", rec.lines(), res.LogsComplete)
			}
			if name == "non-blocking mode" && srv.Calls("logs:PutLogEvents") != 0 {
				t.Errorf("PutLogEvents called in non-blocking mode")
			}
		})
	}
}

// Only an end mark exactly as the engine writes it is skipped: a line of
// the migration's own that merely starts the same way is output.
func TestIsEndMark(t *testing.T) {
	for line, want := range map[string]bool{
		"ebmigrate: end of log 0123456789abcdef0123456789abcdef":  true,
		"ebmigrate: end of log 0123456789abcdef0123456789abcde":   false,
		"ebmigrate: end of log 0123456789abcdef0123456789abcdefg": false,
		"ebmigrate: end of log not-a-nonce-of-32-characters-xyz":  false,
		"Applying app.0002_more... OK":                            false,
		" ebmigrate: end of log 0123456789abcdef0123456789abcdef": false,
	} {
		if got := ebmigrate.IsEndMark(line); got != want {
			t.Errorf("IsEndMark(%q) = %v, want %v", line, got, want)
		}
	}
}
