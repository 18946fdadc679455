package ebmigrate_test

import (
	"testing"
	"time"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// The fence after a crash (protocol.go): what the apply that takes a dead
// holder's lock over finds of the holder's task.

// As above, with ListTasks listing the killed apply's task only 20 s after
// RunTask, after the takeover (about 11 s: the held write, then the killed
// apply's 4.5 s lease): the apply that took over looks for it until ListFor
// (15 s) has passed, finds it, and waits for it (it ran alongside before).
func TestLockTakeoverWhileListTasksHidesTheTask(t *testing.T) {
	t.Parallel()
	srv, c := fixture(t, environments(2), knownAtOnce, func(s *localaws.Seed) { s.Consistency.ListLagMS = 20000 })
	child(t, srv, "v1", "sleep 25; echo blue", "migration task started", heldRecord(srv), "EBMIGRATE_LOCK_ENV="+shopEnv(0), "EBMIGRATE_LOCK_KEY=shop-db")
	time.Sleep(5500 * time.Millisecond) // the killed apply's held write fails server-side
	srv.ClearFaults()
	in := leased(pairInput(shopEnv(1), "v1"))
	in.LockKey, in.Poll.ListFor = "shop-db", 15*time.Second
	mustMigrate(t, c, in)
	if ran := assertNoOverlap(t, srv); ran != 2 {
		t.Errorf("%d tasks ran, want 2: blue's orphan, then green's", ran)
	}
	if state, _ := lockState(t, srv, "shop-db"); state != "released" {
		t.Errorf("lock %q at the end, want released", state)
	}
}

// Killed before RunTask, then the taker's own RunTask with the dead
// holder's token (its fence) loses its answer: ECS's replay of the taker's
// own call, a second later, is its task, told by its lock-holder tag,
// however old (judged by createdAt against the local clock, a replay more
// than a quarter lease old was taken for the dead holder's task, recorded
// under its run, waited for and run again: two tasks).
func TestLockFencedReplayOfOwnLostAttempt(t *testing.T) {
	t.Parallel()
	srv, c := fixture(t, knownAtOnce)
	if err := srv.AddFault(localaws.Fault{Operation: "ecs:ListTasks", LatencyMS: 3000, Count: 1}); err != nil {
		t.Fatal(err)
	}
	child(t, srv, "v2", "echo older", "took the migration lock", nil)
	if state, _ := lockState(t, srv, localaws.FixtureEnv); state != "starting" || len(migrationTasks(srv)) != 0 {
		t.Fatalf("after the kill: lock %q, %d tasks; want starting and none", state, len(migrationTasks(srv)))
	}
	srv.ClearFaults()
	if err := srv.AddFault(localaws.Fault{Operation: "ecs:RunTask", Error: "500", After: true, Count: 1}); err != nil {
		t.Fatal(err)
	}
	r := mustMigrate(t, c, leased(migrateInput("sh", "-c", "echo migrated")))
	if tasks := migrationTasks(srv); len(tasks) != 1 || r.TaskArn != tasks[0].TaskArn || r.Attached {
		t.Errorf("%d tasks, result %s (attached %v); want the one task this apply started", len(tasks), r.TaskArn, r.Attached)
	}
	if state, _ := lockState(t, srv, localaws.FixtureEnv); state != "released" {
		t.Errorf("lock %q at the end, want released", state)
	}
}

// Killed before RunTask, then the taker's RunTask with the dead holder's
// token (its fence) creates a task that DescribeTasks shows only 3 s later
// (ECS's eventual consistency after RunTask, which botocore's RunTask doc
// says to ride out with DescribeTasks "increasing gradually up to five
// minutes"): the taker asks until it sees the task's lock-holder tag, its
// lock renewed meanwhile, and watches its own task (it gave up after three
// DescribeTasks half a second apart: the apply failed, its task unwatched,
// the lock left starting).
func TestLockFencedTaskShownLate(t *testing.T) {
	t.Parallel()
	srv, c := fixture(t, knownAtOnce, func(s *localaws.Seed) { s.Timing.MissingMS = 3000 })
	if err := srv.AddFault(localaws.Fault{Operation: "ecs:ListTasks", LatencyMS: 3000, Count: 1}); err != nil {
		t.Fatal(err)
	}
	child(t, srv, "v1", "echo migrated", "took the migration lock", nil)
	srv.ClearFaults()
	r := mustMigrate(t, c, leased(migrateInput("sh", "-c", "echo migrated")))
	if tasks := migrationTasks(srv); len(tasks) != 1 || r.TaskArn != tasks[0].TaskArn || r.Attached {
		t.Errorf("%d tasks, result %s (attached %v); want the one task this apply started", len(tasks), r.TaskArn, r.Attached)
	}
	if state, _ := lockState(t, srv, localaws.FixtureEnv); state != "released" {
		t.Errorf("lock %q at the end, want released", state)
	}
}
