package ebmigrate_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// blockedUntil is a command that runs until the test creates file gate.
func blockedUntil(gate, then string) []string {
	return []string{"sh", "-c", "while [ ! -e " + gate + " ]; do sleep 0.02; done; echo " + then}
}

func queryInput(command ...string) ebmigrate.MigrateInput {
	in := migrateInput(command...)
	in.Query = true
	in.Derive.Family = ebmigrate.QueryFamily(localaws.FixtureEnv)
	in.CollectOutput = true
	in.ProveOutput = true
	return in
}

func release(t *testing.T, gate string) {
	t.Helper()
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

func taskInfo(t *testing.T, srv *localaws.Server, arn string) localaws.TaskInfo {
	t.Helper()
	for _, ti := range srv.Stats().Tasks {
		if ti.TaskArn == arn {
			return ti
		}
	}
	t.Fatalf("localaws has no task %s", arn)
	return localaws.TaskInfo{}
}

// runningQuery starts a plan's query that runs until the test releases gate,
// and returns once its task runs; done receives the query's error.
func runningQuery(t *testing.T) (*localaws.Server, ebmigrate.Clients, string, <-chan error) {
	t.Helper()
	srv, c := fixture(t)
	gate := filepath.Join(t.TempDir(), "go")
	done := make(chan error, 1)
	go func() {
		_, err := ebmigrate.Migrate(testCtx(t), c, queryInput(blockedUntil(gate, "Planned operations:")...), &recorder{})
		done <- err
	}()
	waitForRunningMigration(t, srv)
	return srv, c, gate, done
}

// A plan's query while a migration runs: the query runs and ends while the
// migration is still running (it does not wait), and the migration goes on
// in the same task to its own end (it is not held up or stopped).
func TestQueryDoesNotWaitForMigration(t *testing.T) {
	srv, c := fixture(t)
	gate := filepath.Join(t.TempDir(), "go")
	done := make(chan error, 1)
	var mig *ebmigrate.Result
	go func() {
		var err error
		mig, err = ebmigrate.Migrate(testCtx(t), c, migrateInput(blockedUntil(gate, "migrated")...), &recorder{})
		done <- err
	}()
	waitForRunningMigration(t, srv)
	q, err := ebmigrate.Migrate(testCtx(t), c, queryInput("echo", "Planned operations:"), &recorder{})
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	if !strings.Contains(strings.Join(q.RawOutput, "\n"), "Planned operations:") {
		t.Errorf("query output %q", q.RawOutput)
	}
	qi := taskInfo(t, srv, q.TaskArn)
	if qi.StartedBy != ebmigrate.QueryStartedBy(localaws.FixtureEnvID) {
		t.Errorf("query startedBy %q", qi.StartedBy)
	}
	var running []string
	for _, ti := range migrationTasks(srv) {
		if ti.StartedBy == ebmigrate.StartedBy(localaws.FixtureEnvID) && ti.StoppedAt == nil {
			running = append(running, ti.TaskArn)
		}
	}
	if len(running) != 1 {
		t.Fatalf("when the query had finished, %d migration tasks were running (want the one that was running before it)", len(running))
	}
	// It took no lock, and says that a migration held it.
	if !strings.Contains(q.MigrationRunning, running[0]) {
		t.Errorf("the query's note of the running migration: %q, want it to name %s", q.MigrationRunning, running[0])
	}
	release(t, gate)
	if err := <-done; err != nil {
		t.Fatalf("migration: %v", err)
	}
	mi := taskInfo(t, srv, mig.TaskArn)
	if mig.TaskArn != running[0] || mi.StopCode != "EssentialContainerExited" || mig.ExitCode != 0 {
		t.Errorf("the migration task %s (stop code %s, exit %d) is not the one that was running (%s)", mig.TaskArn, mi.StopCode, mig.ExitCode, running[0])
	}
	if !qi.StartedAt.Before(*mi.StoppedAt) || !qi.StoppedAt.Before(*mi.StoppedAt) {
		t.Errorf("query task [%s, %s] did not run inside the migration task's [%s, %s]", qi.StartedAt, qi.StoppedAt, mi.StartedAt, mi.StoppedAt)
	}
	if n := len(migrationTasks(srv)); n != 2 {
		t.Errorf("%d tasks started, want 2 (the migration and the query)", n)
	}
}

// A migration while a plan's query runs starts at once and ends while the
// query is still running.
func TestMigrationDoesNotWaitForQuery(t *testing.T) {
	srv, c, gate, done := runningQuery(t)
	mig, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("echo", "migrated"), &recorder{})
	if err != nil {
		t.Fatalf("migration: %v", err)
	}
	for _, ti := range migrationTasks(srv) {
		if ti.StartedBy == ebmigrate.QueryStartedBy(localaws.FixtureEnvID) && ti.StoppedAt != nil {
			t.Errorf("the migration finished only after the query task %s stopped", ti.TaskArn)
		}
	}
	release(t, gate)
	if err := <-done; err != nil {
		t.Fatalf("query: %v", err)
	}
	if mig.Attached {
		t.Error("the migration attached to the query's task")
	}
}

// Two plans asking the same at once share one query task.
func TestSameQueryAttaches(t *testing.T) {
	srv, c := fixture(t)
	gate := filepath.Join(t.TempDir(), "go")
	in := queryInput(blockedUntil(gate, "Planned operations:")...)
	done := make(chan *ebmigrate.Result, 1)
	go func() {
		r, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
		if err != nil {
			t.Errorf("first query: %v", err)
		}
		done <- r
	}()
	waitForRunningMigration(t, srv)
	second := make(chan *ebmigrate.Result, 1)
	rec := &recorder{}
	go func() {
		r, err := ebmigrate.Migrate(testCtx(t), c, in, rec)
		if err != nil {
			t.Errorf("second query: %v", err)
		}
		second <- r
	}()
	// Released once the second has attached, or has started a task of its
	// own, which the task count catches.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && !rec.told("attaching to the running migration task", "migration task started"); {
		time.Sleep(10 * time.Millisecond)
	}
	release(t, gate)
	a, b := <-done, <-second
	if a == nil || b == nil {
		t.FailNow()
	}
	if a.TaskArn != b.TaskArn || a.Attached == b.Attached {
		t.Errorf("first %s (attached %v), second %s (attached %v)", a.TaskArn, a.Attached, b.TaskArn, b.Attached)
	}
	if n := len(migrationTasks(srv)); n != 1 {
		t.Errorf("%d query tasks started, want 1", n)
	}
}

// Two plans asking different things at once (two versions' pending
// migrations): read-only, so the second runs while the first still runs,
// instead of waiting for it.
func TestQueriesOfOtherContentRunSideBySide(t *testing.T) {
	srv, c, gate, done := runningQuery(t)
	rec := &recorder{}
	second, err := ebmigrate.Migrate(testCtx(t), c, queryInput("echo", "Planned operations:"), rec)
	if err != nil {
		t.Fatalf("second query: %v", err)
	}
	if second.Attached || rec.told("another migration of the environment is running") {
		t.Errorf("the second query (attached %v) waited for or attached to the first: %s", second.Attached, rec.lines())
	}
	for _, ti := range migrationTasks(srv) {
		if ti.TaskArn != second.TaskArn && ti.StoppedAt != nil {
			t.Errorf("the second query finished only after the first (%s) stopped", ti.TaskArn)
		}
	}
	release(t, gate)
	if err := <-done; err != nil {
		t.Fatalf("first query: %v", err)
	}
	if n := len(migrationTasks(srv)); n != 2 {
		t.Errorf("%d query tasks started, want 2", n)
	}
}

// told tells whether the logger was told any of these messages.
func (r *recorder) told(prefixes ...string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.infos {
		for _, p := range prefixes {
			if strings.HasPrefix(m, p) {
				return true
			}
		}
	}
	return false
}

// The query family keeps its newest revisions, like the migration family,
// and pruning it leaves the migration family alone.
func TestQueryFamilyPruned(t *testing.T) {
	_, c := fixture(t)
	if _, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("echo", "migrated"), &recorder{}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 7; i++ {
		in := queryInput("echo", "Planned operations:", fmt.Sprint(i)) // a new revision each
		in.KeepRevisions = 5
		r, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
		if err != nil {
			t.Fatalf("query %d: %v", i, err)
		}
		if r.PruneError != nil {
			t.Fatalf("query %d: pruning: %v", i, r.PruneError)
		}
	}
	active := func(family string) int {
		out, err := c.ECS.ListTaskDefinitions(testCtx(t), &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(family), Status: ecstypes.TaskDefinitionStatusActive})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, arn := range out.TaskDefinitionArns {
			if strings.Contains(arn, ":task-definition/"+family+":") {
				n++
			}
		}
		return n
	}
	// ListTaskDefinitions lags a deregistration (eventual consistency).
	for deadline := time.Now().Add(5 * time.Second); active(ebmigrate.QueryFamily(localaws.FixtureEnv)) != 5 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	if n := active(ebmigrate.QueryFamily(localaws.FixtureEnv)); n != 5 {
		t.Errorf("%d ACTIVE query revisions, want 5", n)
	}
	if n := active(ebmigrate.DerivedFamily(localaws.FixtureEnv)); n != 1 {
		t.Errorf("%d ACTIVE migration revisions, want 1", n)
	}
}
