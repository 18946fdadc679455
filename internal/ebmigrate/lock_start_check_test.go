package ebmigrate_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// How an apply judges whether a task ECS does not show started yet did
// start (the agent reports starts with a backoff): no task whose start it
// cannot check is stopped.

// runPair runs holder, then (once its task exists) waiter, at once; both
// must succeed, and no migration task may be stopped by StopTask.
func runPair(t *testing.T, srv *localaws.Server, c ebmigrate.Clients, holder, waiter ebmigrate.MigrateInput, meanwhile func()) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Add(2)
	go func() { defer wg.Done(); _, errs[0] = ebmigrate.Migrate(testCtx(t), c, holder, &recorder{}) }()
	go func() {
		defer wg.Done()
		waitForMigrationTask(t, srv)
		_, errs[1] = ebmigrate.Migrate(testCtx(t), c, waiter, &recorder{})
	}()
	if meanwhile != nil {
		meanwhile()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("apply %d: %v", i, err)
		}
	}
	assertNoneStopped(t, srv)
	if ran := assertNoOverlap(t, srv); ran != 2 {
		t.Errorf("%d tasks ran, want 2", ran)
	}
}

func assertNoneStopped(t *testing.T, srv *localaws.Server) {
	t.Helper()
	for _, ti := range migrationTasks(srv) {
		if ti.StopCode == "UserInitiated" || ti.ProcessStartedAt == nil {
			t.Errorf("task %s: stop code %s, process started %v; want it run to its end", ti.TaskArn, ti.StopCode, ti.ProcessStartedAt)
		}
	}
}

// A waiter does not stop a holder's task whose start it cannot check: a
// stream named by the container's runtime ID cannot be looked for before
// ECS shows the start (3 s late here), and a waiter with a start_timeout
// (1 s) shorter than that stopped the holder's migration mid-run. The
// holder's own start_timeout is not what this proves (no stream can be
// checked here, so no timeout lets the waiter stop it). (The waiter gives
// up at 3 s, before its own task, which it could not check either, would
// start.)
func TestWaiterNeverStopsHolderItCannotCheck(t *testing.T) {
	t.Parallel()
	srv, c := noPrefix(t, func(s *localaws.Seed) { s.Timing.StartReportLagMS, s.Timing.StartReportJitterMS = 3000, 1 })
	holder := migrateInput("sh", "-c", "sleep 4; echo migrated")
	holder.StartTimeout = 20 * time.Second
	waiter := migrateInput("sh", "-c", "echo other")
	waiter.VersionLabel, waiter.StartTimeout = "v2", time.Second
	var wg sync.WaitGroup
	var holderErr, waiterErr error
	wg.Add(2)
	go func() { defer wg.Done(); _, holderErr = ebmigrate.Migrate(testCtx(t), c, holder, &recorder{}) }()
	go func() {
		defer wg.Done()
		waitForMigrationTask(t, srv)
		ctx, cancel := context.WithTimeout(testCtx(t), 3*time.Second)
		defer cancel()
		_, waiterErr = ebmigrate.Migrate(ctx, c, waiter, &recorder{})
	}()
	wg.Wait()
	if holderErr != nil {
		t.Errorf("the holder's apply: %v", holderErr)
	}
	var ie *ebmigrate.InterruptedError
	if !errors.As(waiterErr, &ie) || ie.TaskArn != "" {
		t.Errorf("the waiter's apply: %v; want it interrupted while it waited, its task not started", waiterErr)
	}
	assertNoneStopped(t, srv)
	if n := len(migrationTasks(srv)); n != 1 {
		t.Errorf("%d tasks, want the holder's alone", n)
	}
}

// A log stream read that fails otherwise than "no such stream" (a throttle)
// is not a start that never happened: the holder and a waiter check again
// at their next poll, and the started migration runs to its end.
func TestStartCheckThrottledIsNotAStop(t *testing.T) {
	t.Parallel()
	srv, c := fixture(t, func(s *localaws.Seed) { s.Timing.StartReportLagMS, s.Timing.StartReportJitterMS = 3000, 1 })
	if err := srv.AddFault(localaws.Fault{Operation: "logs:GetLogEvents", Error: "ThrottlingException"}); err != nil {
		t.Fatal(err)
	}
	holder := migrateInput("sh", "-c", "sleep 2; echo migrated")
	holder.StartTimeout = time.Second
	waiter := holder
	waiter.VersionLabel = "v2"
	runPair(t, srv, c, holder, waiter, func() {
		time.Sleep(2500 * time.Millisecond) // past both start timeouts, before ECS shows the start
		srv.ClearFaults()
	})
}

// A task started without the lock (an older provider build's apply) whose
// start ECS reports after this apply's task.start_timeout: its log stream
// exists, so it is waited for, not stopped.
func TestLateStartWithoutLockIsWaitedFor(t *testing.T) {
	t.Parallel()
	srv, c := fixture(t, func(s *localaws.Seed) { s.Timing.StartReportLagMS, s.Timing.StartReportJitterMS = 3000, 1 })
	first := mustMigrate(t, c, migrateInput("sh", "-c", "echo migrated")) // registers the revision
	migrateBesideOlderBuild(t, srv, c, first, first.TaskDefinitionArn)
}

// migrateBesideOlderBuild starts, without the lock, a task of an earlier
// build's run from taskDef (3 s long), waits until ListTasks lists it, then
// migrates v2 with a 1 s task.start_timeout: nothing may be stopped and no
// two tasks may overlap (the fixture's first migration, the older task, v2).
func migrateBesideOlderBuild(t *testing.T, srv *localaws.Server, c ebmigrate.Clients, first *ebmigrate.Result, taskDef string) {
	t.Helper()
	out, err := c.ECS.RunTask(testCtx(t), &ecs.RunTaskInput{
		Cluster: aws.String(first.ClusterArn), TaskDefinition: aws.String(taskDef),
		StartedBy: aws.String(ebmigrate.StartedBy(localaws.FixtureEnvID)),
		Tags:      []ecstypes.Tag{{Key: aws.String(ebmigrate.TagRun), Value: aws.String("an-older-build-run")}},
		Overrides: &ecstypes.TaskOverride{ContainerOverrides: []ecstypes.ContainerOverride{{Name: aws.String(first.Container), Command: []string{"sh", "-c", "sleep 3; echo older"}}}},
	})
	if err != nil || len(out.Tasks) != 1 {
		t.Fatalf("RunTask: %v", err)
	}
	waitListed(t, c, first.ClusterArn, 1)
	in := migrateInput("sh", "-c", "echo migrated")
	in.VersionLabel, in.StartTimeout = "v2", time.Second
	mustMigrate(t, c, in)
	assertNoneStopped(t, srv)
	if ran := assertNoOverlap(t, srv); ran != 3 {
		t.Errorf("%d tasks ran, want 3", ran)
	}
}

// waitListed waits until ListTasks lists n migration tasks of the fixture
// environment (ListTasks lags).
func waitListed(t *testing.T, c ebmigrate.Clients, cluster string, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		listed, err := c.ECS.ListTasks(testCtx(t), &ecs.ListTasksInput{Cluster: aws.String(cluster), StartedBy: aws.String(ebmigrate.StartedBy(localaws.FixtureEnvID))})
		if err == nil && len(listed.TaskArns) == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("ListTasks never listed %d tasks", n)
		}
	}
}
