package ebmigrate_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// After a rejected configuration change EB returns the failed draft beside
// the deployed set: the migration runs with the deployed values only.
func TestFailedDraftSettingsIgnored(t *testing.T) {
	for _, status := range []string{"failed", "pending"} {
		t.Run(status, func(t *testing.T) {
			_, c := fixture(t, func(s *localaws.Seed) {
				s.Environments[0].Draft = &localaws.DraftSeed{Status: status,
					Properties: map[string]string{"DEBUG": "true", "ONLY_IN_DRAFT": "leaked"}}
			})
			rec := &recorder{}
			if _, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("sh", "-c", `echo "DEBUG=$DEBUG draft=${ONLY_IN_DRAFT:-none}"`), rec); err != nil {
				t.Fatal(err)
			}
			if got := rec.lines(); got != "DEBUG=false draft=none" {
				t.Errorf("the migration saw %q, want the deployed set's values only", got)
			}
		})
	}
}

// CloudWatch ingests lines 3 s after they are printed and returns empty
// pages before later events: the failure diagnostic still ends with the
// traceback, printed right before the container exited.
func TestTracebackSurvivesLateIngestionAndEmptyPages(t *testing.T) {
	_, c := fixture(t, func(s *localaws.Seed) {
		s.Consistency = localaws.Consistency{ListLagMS: 150, RegisterLagMS: 200, LogIngestDelayMS: 3000, EmptyLogPages: 1}
	})
	in := migrateInput("sh", "-c", `echo "Operations to perform:"; echo "Traceback (most recent call last):"; echo "django.db.utils.ProgrammingError: relation does not exist"; exit 1`)
	in.Poll.LogGrace = 4 * time.Second
	_, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	var me *ebmigrate.MigrationError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v", err)
	}
	if len(me.LogLines) != 3 || me.LogLines[2] != "django.db.utils.ProgrammingError: relation does not exist" {
		t.Errorf("log lines = %q", me.LogLines)
	}
	if strings.Contains(err.Error(), "may be incomplete") || strings.Contains(err.Error(), "printed nothing") {
		t.Errorf("diagnostic: %v", err)
	}
}

// A log that cannot be read to its end says so in the diagnostic and in
// Result.LogsComplete, never "printed nothing".
func TestUnreadableLogIsReportedAsSuch(t *testing.T) {
	_, c := fixture(t, func(s *localaws.Seed) {
		s.Faults = []localaws.Fault{{Operation: "logs:GetLogEvents", Error: "AccessDeniedException"}}
	})
	in := migrateInput("sh", "-c", `echo boom; exit 2`)
	in.Poll.LogGrace = 300 * time.Millisecond
	_, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	var me *ebmigrate.MigrationError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(me.LogsNote, "Could not read the log") || strings.Contains(err.Error(), "printed nothing") {
		t.Errorf("diagnostic: %v", err)
	}
}

// A migration container reserving more memory than any instance has free is
// not placed: ECS says RESOURCE:MEMORY and the diagnostic says what to do.
func TestNotPlacedForMemory(t *testing.T) {
	srv, c := fixture(t, func(s *localaws.Seed) { s.InstanceMemoryMB = 1024 })
	in := migrateInput("true")
	in.Derive.Memory = aws.Int32(900)
	_, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	var p *ebmigrate.ProblemError
	if !errors.As(err, &p) || p.Summary != "Migration Task Not Placed" || !strings.Contains(p.Detail, "RESOURCE:MEMORY") || !strings.Contains(p.Detail, "enough free memory") {
		t.Fatalf("err = %v", err)
	}
	if n := len(migrationTasks(srv)); n != 0 {
		t.Errorf("%d tasks started", n)
	}
}
