package ebmigrate_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// laggyWorld lists a task 2 s after DescribeTasks shows it. As on ECS, a
// task takes longer than that to start (pulling its image).
func laggyWorld(s *localaws.Seed) {
	s.Consistency = localaws.Consistency{ListLagMS: 2000, RegisterLagMS: 500, LogIngestDelayMS: 300, LogBatchMS: 300, EmptyLogPages: 0.3}
	s.Timing.PendingMS = 2500
}

// migrateAtOnce runs the inputs at the same moment and returns their results.
func migrateAtOnce(t *testing.T, c ebmigrate.Clients, ins []ebmigrate.MigrateInput) ([]*ebmigrate.Result, []error) {
	t.Helper()
	res := make([]*ebmigrate.Result, len(ins))
	errs := make([]error, len(ins))
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range ins {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-gate
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			res[i], errs[i] = ebmigrate.Migrate(ctx, c, ins[i], &recorder{})
		}(i)
	}
	close(gate)
	wg.Wait()
	return res, errs
}

// Two applies of the same run at once, ListTasks lagging 2 s: one revision
// is registered, one task runs and both record it.
func TestSimultaneousSameRunWithListLag(t *testing.T) {
	srv, c := fixture(t, laggyWorld)
	in := migrateInput("sh", "-c", "sleep 0.3; echo migrated")
	res, errs := migrateAtOnce(t, c, []ebmigrate.MigrateInput{in, in})
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("errors: %v", errs)
	}
	if res[0].TaskArn != res[1].TaskArn || res[0].TaskDefinitionArn != res[1].TaskDefinitionArn {
		t.Errorf("two runs: %s (%s) and %s (%s)", res[0].TaskArn, res[0].TaskDefinitionArn, res[1].TaskArn, res[1].TaskDefinitionArn)
	}
	if ran := assertNoOverlap(t, srv); ran != 1 {
		t.Errorf("%d migration tasks ran, want 1", ran)
	}
	active, err := c.ECS.ListTaskDefinitions(testCtx(t), &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(ebmigrate.DerivedFamily(localaws.FixtureEnv)), Status: ecstypes.TaskDefinitionStatusActive})
	if err != nil || len(active.TaskDefinitionArns) != 1 {
		t.Errorf("ACTIVE revisions of the migration family: %v %v, want 1", err, active)
	}
}

// Two applies of different runs at once, ListTasks lagging 2 s: both run,
// one after the other, never at once (task times from localaws).
func TestSimultaneousOtherRunsWithListLag(t *testing.T) {
	srv, c := fixture(t, laggyWorld)
	a, b := migrateInput("sh", "-c", "sleep 0.3; echo a"), migrateInput("sh", "-c", "sleep 0.3; echo b")
	b.VersionLabel = "v2"
	_, errs := migrateAtOnce(t, c, []ebmigrate.MigrateInput{a, b})
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("errors: %v", errs)
	}
	if ran := assertNoOverlap(t, srv); ran != 2 {
		t.Errorf("%d migration tasks ran, want 2", ran)
	}
}

// A task that never reaches RUNNING is stopped at task.start_timeout and the
// apply fails saying so; the next run is not blocked by it.
func TestNeverStartedTaskStopsAtStartTimeout(t *testing.T) {
	srv, c := fixture(t, func(s *localaws.Seed) {
		s.Faults = []localaws.Fault{{Task: "never_start", Family: "ebmigrate-", Count: 1}}
	})
	in := migrateInput("sh", "-c", "echo ran")
	in.StartTimeout = time.Second
	_, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	var st *ebmigrate.StartTimeoutError
	if !errors.As(err, &st) || !st.Stopped || !strings.Contains(err.Error(), "did not start within task.start_timeout (1s)") {
		t.Fatalf("err = %v", err)
	}
	if !srv.WaitTasksStopped(10 * time.Second) {
		t.Fatal("the task did not stop")
	}
	tasks := migrationTasks(srv)
	if len(tasks) != 1 || tasks[0].StartedAt != nil || !strings.Contains(tasks[0].StoppedReason, "task.start_timeout") {
		t.Fatalf("tasks = %+v", tasks)
	}
	if _, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{}); err != nil {
		t.Errorf("the next apply: %v", err)
	}
}

// An earlier run's task stuck before RUNNING longer than its apply's
// task.start_timeout (recorded in the lock; the later apply's own is not
// the stuck task's), with no log stream, is stopped instead of blocking a
// later run for ever.
func TestStuckTaskOfAnotherRunDoesNotBlock(t *testing.T) {
	srv, c := fixture(t, func(s *localaws.Seed) {
		s.Faults = []localaws.Fault{{Task: "never_start", Family: "ebmigrate-", Count: 1}}
	})
	stuck := migrateInput("sh", "-c", "echo stuck")
	stuck.StartTimeout = 2 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	var ie *ebmigrate.InterruptedError
	if _, err := ebmigrate.Migrate(ctx, c, stuck, &recorder{}); !errors.As(err, &ie) {
		t.Fatalf("first apply: %v", err)
	}
	later := migrateInput("sh", "-c", "echo later")
	later.VersionLabel = "v2"
	later.StartTimeout = time.Hour
	rec := &recorder{}
	if _, err := ebmigrate.Migrate(testCtx(t), c, later, rec); err != nil || rec.lines() != "later" {
		t.Fatalf("later apply: %v, output %q", err, rec.lines())
	}
	if ran := assertNoOverlap(t, srv); ran != 1 {
		t.Errorf("%d migration tasks ran, want 1", ran)
	}
}
