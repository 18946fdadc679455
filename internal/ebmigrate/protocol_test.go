package ebmigrate_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// These run on localaws's documented RunTask replay: a clientToken used
// again returns the original response (the task as created, PROVISIONING),
// so nothing here can pass by reading a stale task as a fresh one.

// Each identical pending-migrations query on one version starts a task of
// its own, and every one succeeds: no token chain, no budget spent on the
// queries before it.
func TestIdenticalQueriesEachStartATask(t *testing.T) {
	srv, _ := fixture(t, func(s *localaws.Seed) { s.Timing.ImageCached = true })
	c := withRetries(srv) // as the provider runs: the SDK's retries on
	const queries = 30
	seen := map[string]bool{}
	for i := 0; i < queries; i++ {
		rec := &recorder{}
		r, err := ebmigrate.Migrate(testCtx(t), c, queryInput("sh", "-c", "echo pending"), rec)
		if err != nil {
			t.Fatalf("query %d: %v", i+1, err)
		}
		if r.Attached || seen[r.TaskArn] || !strings.Contains(rec.lines(), "pending") {
			t.Fatalf("query %d: task %s (attached %v, seen before %v), output %q", i+1, r.TaskArn, r.Attached, seen[r.TaskArn], rec.lines())
		}
		seen[r.TaskArn] = true
	}
	if n := len(migrationTasks(srv)); n != queries {
		t.Errorf("%d tasks started, want %d", n, queries)
	}
}

// A migration fails (its database is down), the cause is fixed, and the
// same apply again runs a new task, which succeeds.
func TestRerunAfterFixedFailureStartsANewTask(t *testing.T) {
	srv, c := fixture(t)
	fixed := filepath.Join(t.TempDir(), "database-up")
	in := migrateInput("sh", "-c", fmt.Sprintf("test -e %s || { echo database down; exit 1; }; echo migrated", fixed))
	first, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	if err == nil {
		t.Fatal("the first apply succeeded with the database down")
	}
	release(t, fixed)
	rec := &recorder{}
	second, err := ebmigrate.Migrate(testCtx(t), c, in, rec)
	if err != nil {
		t.Fatalf("the re-apply after the fix: %v", err)
	}
	if second.TaskArn == first.TaskArn || second.Attached || !strings.Contains(rec.lines(), "migrated") {
		t.Errorf("re-apply: task %s (first %s, attached %v), output %q", second.TaskArn, first.TaskArn, second.Attached, rec.lines())
	}
	if n := len(migrationTasks(srv)); n != 2 {
		t.Errorf("%d tasks started, want 2", n)
	}
}

// A run repeated after a success (a triggers change: the same version,
// command and content) starts a new task.
func TestRepeatedRunAfterSuccessStartsANewTask(t *testing.T) {
	srv, c := fixture(t)
	in := migrateInput("sh", "-c", "echo migrated")
	first, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	second, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	if second.TaskArn == first.TaskArn || second.Attached {
		t.Errorf("the repeated run recorded task %s again (attached %v)", first.TaskArn, second.Attached)
	}
	if n := len(migrationTasks(srv)); n != 2 {
		t.Errorf("%d tasks started, want 2", n)
	}
}

// Two different runs at once on instances with the image cached: a task is
// RUNNING long before ListTasks shows it (a 1.5 s list lag, so that both
// start before either can see the other). No migration that started is stopped;
// both finish, and either they never ran at once or an apply names both.
func TestStartedMigrationIsNeverStopped(t *testing.T) {
	for round := 0; round < 2; round++ {
		srv, c := fixture(t, func(s *localaws.Seed) {
			s.Timing.ImageCached = true
			s.Consistency = localaws.Consistency{ListLagMS: 1500, RegisterLagMS: 200, LogIngestDelayMS: 300, LogBatchMS: 300, EmptyLogPages: 0.3}
		})
		// The same command for every run (other versions): its revision is
		// registered by a first run, so that the two at once reach RunTask
		// within the list lag of each other.
		command := []string{"sh", "-c", "sleep 0.3; echo migrated"}
		if _, err := ebmigrate.Migrate(testCtx(t), c, migrateInput(command...), &recorder{}); err != nil {
			t.Fatal(err)
		}
		var ins []ebmigrate.MigrateInput
		for _, v := range []string{"v2", "v3"} {
			in := migrateInput(command...)
			in.VersionLabel = v
			ins = append(ins, in)
		}
		res, errs := migrateAtOnce(t, c, ins)
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, run %d: %v", round, i, err)
			}
		}
		if !srv.WaitTasksStopped(10_000_000_000) {
			t.Fatal("tasks did not stop")
		}
		ran := 0
		for _, ti := range migrationTasks(srv) {
			if ti.StartedAt == nil {
				continue
			}
			ran++
			if ti.StopCode == "UserInitiated" || len(ti.Containers) == 0 || ti.Containers[0].ExitCode == nil || *ti.Containers[0].ExitCode != 0 {
				t.Errorf("round %d: a migration that started was stopped or did not finish: %+v", round, ti)
			}
		}
		if ran != 3 {
			t.Errorf("round %d: %d migrations ran, want 3 (the first, then the two at once)", round, ran)
		}
		t.Logf("round %d: %d tasks started, ran at once: %v", round, len(migrationTasks(srv)), overlapping(srv))
		if overlapping(srv) {
			named := false
			for _, r := range res {
				w := strings.Join(r.Warnings, "\n")
				if strings.Contains(w, res[0].TaskArn) && strings.Contains(w, res[1].TaskArn) {
					named = true
				}
			}
			if !named {
				t.Errorf("round %d: two migrations ran at once and no apply named both: %v / %v", round, res[0].Warnings, res[1].Warnings)
			}
		}
	}
}

// overlapping: two migration tasks' processes ran at once.
func overlapping(srv *localaws.Server) bool {
	tasks := migrationTasks(srv)
	for i, a := range tasks {
		for _, b := range tasks[i+1:] {
			if a.ProcessStartedAt != nil && b.ProcessStartedAt != nil && a.ProcessStoppedAt != nil && b.ProcessStoppedAt != nil &&
				a.ProcessStartedAt.Before(*b.ProcessStoppedAt) && b.ProcessStartedAt.Before(*a.ProcessStoppedAt) {
				return true
			}
		}
	}
	return false
}
