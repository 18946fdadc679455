package ebmigrate_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// migrationTasks are the tasks the engine started, from localaws's records.
func migrationTasks(srv *localaws.Server) []localaws.TaskInfo {
	var out []localaws.TaskInfo
	for _, ti := range srv.Stats().Tasks {
		if strings.HasPrefix(ti.StartedBy, "ebmigrate-") {
			out = append(out, ti)
		}
	}
	return out
}

// assertNoOverlap fails when two migration tasks' processes ran at once,
// judged from when localaws really ran them (ECS reports a start late), and
// returns how many ran at all.
func assertNoOverlap(t *testing.T, srv *localaws.Server) (ran int) {
	t.Helper()
	tasks := migrationTasks(srv)
	for i, a := range tasks {
		if a.ProcessStartedAt == nil {
			continue
		}
		ran++
		for _, b := range tasks[i+1:] {
			if b.ProcessStartedAt == nil {
				continue
			}
			if a.ProcessStoppedAt == nil || b.ProcessStoppedAt == nil {
				t.Fatalf("a migration task has not stopped: %+v %+v", a, b)
			}
			if a.ProcessStartedAt.Before(*b.ProcessStoppedAt) && b.ProcessStartedAt.Before(*a.ProcessStoppedAt) {
				t.Errorf("migration tasks ran at once: %s [%s, %s] and %s [%s, %s]", a.TaskArn, a.ProcessStartedAt, a.ProcessStoppedAt, b.TaskArn, b.ProcessStartedAt, b.ProcessStoppedAt)
			}
		}
	}
	return ran
}

func waitForRunningMigration(t *testing.T, srv *localaws.Server) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, ti := range migrationTasks(srv) {
			if ti.LastStatus == "RUNNING" {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no migration task ever ran")
}

func TestSameRunAttaches(t *testing.T) {
	srv, c := fixture(t)
	// The task runs until the second Migrate has attached (or started a
	// task of its own, which the count catches): a fixed sleep let the task
	// stop first on a busy machine, and the second then ran it again.
	gate := filepath.Join(t.TempDir(), "go")
	in := migrateInput(blockedUntil(gate, "done")...)
	var first, second *ebmigrate.Result
	var firstErr, err error
	done, secondDone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		first, firstErr = ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	}()
	waitForRunningMigration(t, srv)
	rec := &recorder{}
	go func() {
		defer close(secondDone)
		second, err = ebmigrate.Migrate(testCtx(t), c, in, rec)
	}()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && !rec.told("attaching to the running migration task", "migration task started"); {
		time.Sleep(10 * time.Millisecond)
	}
	release(t, gate)
	<-done
	<-secondDone
	if err != nil || firstErr != nil {
		t.Fatalf("errors: %v / %v", firstErr, err)
	}
	if first.TaskArn != second.TaskArn || !second.Attached || first.Attached {
		t.Errorf("first %s (attached %v), second %s (attached %v)", first.TaskArn, first.Attached, second.TaskArn, second.Attached)
	}
	if n := len(migrationTasks(srv)); n != 1 {
		t.Errorf("%d migration tasks started, want 1", n)
	}
}

func TestOtherRunWaits(t *testing.T) {
	srv, c := fixture(t)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, cmd := range []string{"sleep 0.4; echo first", "sleep 0.4; echo second"} {
		wg.Add(1)
		go func(i int, cmd string) {
			defer wg.Done()
			in := migrateInput("sh", "-c", cmd)
			in.VersionLabel = []string{"v2", "v3"}[i]
			_, errs[i] = ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
		}(i, cmd)
		if i == 0 {
			waitForRunningMigration(t, srv)
		}
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("errors: %v", errs)
	}
	if ran := assertNoOverlap(t, srv); ran != 2 {
		t.Errorf("%d migration tasks ran, want 2", ran)
	}
}

// Runs started at the same moment: the later one steps back before it runs.
func TestSimultaneousStartsNeverOverlap(t *testing.T) {
	// Four runs polling every 20 ms exceed ECS's account quota, which
	// localaws enforces: throttled calls are retried, as the provider does,
	// and a retry's backoff (up to a second) can outlast localaws's default
	// 150 ms of PENDING, the window in which the guard stops a run that
	// started second. On ECS that window is the image pull, seconds.
	srv, _ := fixture(t, func(s *localaws.Seed) { s.Timing.PendingMS = 3000 })
	c := withRetries(srv)
	const runs = 4
	var wg sync.WaitGroup
	gate := make(chan struct{})
	errs := make([]error, runs)
	for i := 0; i < runs; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			in := migrateInput("sh", "-c", fmt.Sprintf("sleep 0.2; echo run %d", i))
			<-gate
			_, errs[i] = ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
		}(i)
	}
	close(gate)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("run %d: %v", i, err)
		}
	}
	if ran := assertNoOverlap(t, srv); ran != runs {
		t.Errorf("%d migration tasks ran, want %d", ran, runs)
	}
}

func TestTimeoutLeavesTaskForTheNextRun(t *testing.T) {
	srv, c := fixture(t)
	in := migrateInput("sh", "-c", "sleep 2.5; echo finished")
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	_, err := ebmigrate.Migrate(ctx, c, in, &recorder{})
	var ie *ebmigrate.InterruptedError
	if !errors.As(err, &ie) || !ie.TimedOut() || ie.TaskArn == "" || ie.Stopped {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "left running") || !strings.Contains(err.Error(), "RUNNING") {
		t.Errorf("message: %v", err)
	}
	rec := &recorder{}
	res, err := ebmigrate.Migrate(testCtx(t), c, in, rec)
	if err != nil {
		t.Fatal(err)
	}
	if res.TaskArn != ie.TaskArn || !res.Attached || !strings.Contains(rec.lines(), "finished") {
		t.Errorf("next run: %+v, output %q", res, rec.lines())
	}
	if n := len(migrationTasks(srv)); n != 1 {
		t.Errorf("%d migration tasks started, want 1", n)
	}
}

func TestStopOnTimeout(t *testing.T) {
	srv, c := fixture(t)
	in := migrateInput("sleep", "30")
	in.StopOnTimeout = true
	ctx, cancel := context.WithTimeout(context.Background(), 1200*time.Millisecond)
	defer cancel()
	_, err := ebmigrate.Migrate(ctx, c, in, &recorder{})
	var ie *ebmigrate.InterruptedError
	if !errors.As(err, &ie) || !ie.Stopped || !strings.Contains(err.Error(), "task.stop_on_timeout") {
		t.Fatalf("err = %v", err)
	}
	if n := srv.Calls("ecs:StopTask"); n != 1 {
		t.Errorf("StopTask calls = %d", n)
	}
	if !srv.WaitTasksStopped(10 * time.Second) {
		t.Fatal("the task did not stop")
	}
	if ti := migrationTasks(srv)[0]; ti.StopCode != "UserInitiated" || !strings.Contains(ti.StoppedReason, "task.stop_on_timeout") {
		t.Errorf("task = %+v", ti)
	}
}

func TestWaitsForDeployInProgress(t *testing.T) {
	srv, c := fixture(t, func(s *localaws.Seed) {
		s.Environments[0].Status = "Updating"
		s.Timing.DeployMS = 600
	})
	rec := &recorder{}
	start := time.Now()
	if _, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("true"), rec); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(rec.infos, "\n"), "waiting for the environment to be Ready") {
		t.Errorf("no wait logged: %v", rec.infos)
	}
	started := migrationTasks(srv)[0].CreatedAt
	if started.Sub(start) < 500*time.Millisecond {
		t.Errorf("the task started %s after the call, before the deploy ended", started.Sub(start))
	}
}

func TestMissingTooLongIsAnError(t *testing.T) {
	_, c := fixture(t, func(s *localaws.Seed) { s.Timing.MissingMS = 60000 })
	in := migrateInput("true")
	in.Poll.MissingFor = 300 * time.Millisecond
	_, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	if err == nil || !strings.Contains(err.Error(), "MISSING") {
		t.Fatalf("err = %v, want an error about MISSING", err)
	}
}

// A RunTask whose response is lost is retried by the SDK with the same
// clientToken, and ECS returns the task already started: one task.
func TestLostRunTaskResponseStartsOneTask(t *testing.T) {
	srv, _ := fixture(t, func(s *localaws.Seed) {
		s.Faults = []localaws.Fault{{Operation: "ecs:RunTask", Error: "500", Count: 1, After: true}}
	})
	c := withRetries(srv)
	if _, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("true"), &recorder{}); err != nil {
		t.Fatal(err)
	}
	if n := srv.Calls("ecs:RunTask"); n < 2 {
		t.Errorf("RunTask calls = %d, want the lost one and its retry", n)
	}
	if n := len(migrationTasks(srv)); n != 1 {
		t.Errorf("%d tasks started, want 1", n)
	}
}
