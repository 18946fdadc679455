package ebmigrate_test

import (
	"context"
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

// Aborting, LinkingFrom and LinkingTo are changes in progress too: the
// migration waits for Ready.
func TestWaitsWhileAbortingOrLinking(t *testing.T) {
	for _, status := range []string{"Aborting", "LinkingFrom", "LinkingTo"} {
		t.Run(status, func(t *testing.T) {
			_, c := fixture(t, func(s *localaws.Seed) {
				s.Environments[0].Status = status
				s.Timing.DeployMS = 500
			})
			rec := &recorder{}
			if _, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("true"), rec); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(rec.infos, "\n"), "waiting for the environment to be Ready") {
				t.Errorf("no wait while %s: %v", status, rec.infos)
			}
		})
	}
}

// The cluster is found by its exact name first (no scan); a cluster named
// otherwise (older environments) is found by the scan.
func TestClusterByExactNameThenScan(t *testing.T) {
	srv, c := fixture(t)
	target, err := ebmigrate.Discover(testCtx(t), c, ebmigrate.DiscoverInput{EnvironmentName: localaws.FixtureEnv})
	if err != nil || !strings.HasSuffix(target.ClusterArn, ":cluster/awseb-myapp-prod-abc123xyz") {
		t.Fatalf("exact name: %v %v", err, target)
	}
	if n := srv.Calls("ecs:ListClusters"); n != 0 {
		t.Errorf("ListClusters calls = %d, want none when the exact name exists", n)
	}
	srv, c = fixture(t, func(s *localaws.Seed) { s.Environments[0].Cluster = "awseb-myapp-prod-Legacy0123" })
	target, err = ebmigrate.Discover(testCtx(t), c, ebmigrate.DiscoverInput{EnvironmentName: localaws.FixtureEnv})
	if err != nil || !strings.HasSuffix(target.ClusterArn, ":cluster/awseb-myapp-prod-Legacy0123") {
		t.Fatalf("scan: %v %v", err, target)
	}
	if n := srv.Calls("ecs:ListClusters"); n != 1 {
		t.Errorf("ListClusters calls = %d, want 1", n)
	}
}

// A task asked to stop whose container still runs (it ignores SIGTERM for
// the stop grace) still counts: another run waits for it to stop. So does
// one of another family of the environment (a named ebmigrate_run's,
// ebmigrate-<env>_<name>): the guard looks at every migration family of the
// environment, not only the default one.
func TestStoppingTaskStillCounts(t *testing.T) {
	for name, family := range map[string]string{
		"default family": "",
		"named family":   ebmigrate.DerivedFamily(localaws.FixtureEnv) + "_reports",
	} {
		t.Run(name, func(t *testing.T) {
			srv, c := fixture(t, func(s *localaws.Seed) { s.Timing.StopGraceMS = 2500 })
			first := migrateInput("sh", "-c", `trap "" TERM; echo first; sleep 5; echo first done`)
			first.Derive.Family = family
			first.StopOnTimeout = true
			ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
			defer cancel()
			var ie *ebmigrate.InterruptedError
			if _, err := ebmigrate.Migrate(ctx, c, first, &recorder{}); !errors.As(err, &ie) || !ie.Stopped {
				t.Fatalf("first apply: %v", err)
			}
			// Once ListTasks caught up (list lag 100 ms), the first task is no
			// longer listed as RUNNING, though its container runs until SIGKILL.
			time.Sleep(500 * time.Millisecond)
			second := migrateInput("sh", "-c", "echo second")
			second.VersionLabel = "v2"
			if _, err := ebmigrate.Migrate(testCtx(t), c, second, &recorder{}); err != nil {
				t.Fatal(err)
			}
			if ran := assertNoOverlap(t, srv); ran != 2 {
				t.Errorf("%d migration tasks ran, want 2", ran)
			}
		})
	}
}
