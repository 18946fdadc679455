package ebmigrate_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// The lock's crash paths (protocol.go): each leaves the lock in a state the
// next apply gets out of, with one task per run and the lock released at
// the end. A kill is a real SIGKILL of a process running the engine (this
// test binary, re-run as TestLockChild).

const ebBucket = "elasticbeanstalk-us-east-1-123456789012"

// lockState reads the lock of key from localaws: its state and task.
func lockState(t *testing.T, srv *localaws.Server, key string) (state, task string) {
	t.Helper()
	raw, ok := srv.Object(ebBucket, ebmigrate.LockPrefix+key+".json")
	if !ok {
		return "", ""
	}
	var rec struct {
		State   string `json:"state"`
		TaskArn string `json:"task_arn"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatalf("lock record %s: %v", raw, err)
	}
	return rec.State, rec.TaskArn
}

// shortLease is the lease the crash tests' applies hold the lock with;
// childLease the lease of the applies they kill.
const shortLease, childLease = 1500 * time.Millisecond, 4500 * time.Millisecond

// heldRecord makes the apply's write of its task into the lock (the second
// PutObject after it took the lock: the first renews it right before
// RunTask) wait 5 s and fail, in each of the SDK's attempts, so that a kill
// lands between RunTask and that record; a revision RunTask knows at once
// (no refusal, whose new token would be a PutObject first) and renewals a
// third of childLease apart keep it the next one.
func heldRecord(srv *localaws.Server) map[string]func() {
	return map[string]func(){"took the migration lock": func() {
		_ = srv.AddFault(localaws.Fault{Operation: "s3:PutObject", LatencyMS: 5000, Error: "500", Count: 3, Skip: 1})
	}}
}

// knownAtOnce is a world whose new revisions RunTask knows at once.
func knownAtOnce(s *localaws.Seed) {
	s.Consistency = localaws.TestConsistency
	s.Consistency.RegisterLagMS = 1
}

func leased(in ebmigrate.MigrateInput) ebmigrate.MigrateInput {
	in.Poll.LockLease = shortLease
	return in
}

// stepLogger prints the engine's messages, one a line, for a parent test.
type stepLogger struct{}

func (stepLogger) Info(msg string, _ map[string]any) { fmt.Println("STEP " + msg) }
func (stepLogger) Output(string)                     {}

// TestLockChild is an apply run by a crash test in a process of its own;
// it does nothing unless EBMIGRATE_LOCK_CHILD names localaws's URL.
func TestLockChild(t *testing.T) {
	url := os.Getenv("EBMIGRATE_LOCK_CHILD")
	if url == "" {
		t.Skip("run by the crash tests")
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 3}
	in := leased(migrateInput("sh", "-c", os.Getenv("EBMIGRATE_LOCK_COMMAND")))
	in.VersionLabel = os.Getenv("EBMIGRATE_LOCK_VERSION")
	// A lease long enough that its renewals (every third) come after the
	// write the crash tests hold up, which follows RunTask at once.
	in.Poll.LockLease = childLease
	if env := os.Getenv("EBMIGRATE_LOCK_ENV"); env != "" {
		in.Discover.EnvironmentName, in.LockKey = env, os.Getenv("EBMIGRATE_LOCK_KEY")
	}
	_, err := ebmigrate.Migrate(context.Background(), clientsWith(cfg, url), in, stepLogger{})
	fmt.Println("STEP done", err)
}

// child runs TestLockChild against srv and kills it (SIGKILL) once it has
// logged step; before that, at each step of at, it calls at's function.
func child(t *testing.T, srv *localaws.Server, version, command, step string, at map[string]func(), env ...string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockChild$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), "EBMIGRATE_LOCK_CHILD="+srv.URL(), "EBMIGRATE_LOCK_VERSION="+version, "EBMIGRATE_LOCK_COMMAND="+command), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	var seen []string
	for lines.Scan() {
		line := lines.Text()
		seen = append(seen, line)
		if f := at[strings.TrimPrefix(line, "STEP ")]; f != nil {
			f()
		}
		if line == "STEP "+step {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			_ = cmd.Wait()
			return
		}
	}
	_ = cmd.Wait()
	t.Fatalf("the apply never logged %q:\n%s", step, strings.Join(seen, "\n"))
}

// startedRuns counts the migration tasks whose process started, by run.
func startedRuns(srv *localaws.Server) map[string]int {
	out := map[string]int{}
	for _, ti := range migrationTasks(srv) {
		if ti.ProcessStartedAt != nil {
			out[ti.RunTags[ebmigrate.TagRun]]++
		}
	}
	return out
}

func mustMigrate(t *testing.T, c ebmigrate.Clients, in ebmigrate.MigrateInput) *ebmigrate.Result {
	t.Helper()
	r, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	if err != nil {
		t.Fatalf("apply %s: %v", in.VersionLabel, err)
	}
	return r
}

// Killed after taking the lock, before RunTask (its ListTasks look held up):
// the lock is left starting with no task. The same run's next apply waits
// out the lease, takes the lock over and runs the migration once.
func TestLockKilledBeforeRunTask(t *testing.T) {
	t.Parallel()
	srv, c := fixture(t)
	if err := srv.AddFault(localaws.Fault{Operation: "ecs:ListTasks", LatencyMS: 3000, Count: 1}); err != nil {
		t.Fatal(err)
	}
	child(t, srv, "v1", "echo migrated", "took the migration lock", nil)
	if state, _ := lockState(t, srv, localaws.FixtureEnv); state != "starting" || len(migrationTasks(srv)) != 0 {
		t.Fatalf("after the kill: lock %q, %d tasks; want starting and none", state, len(migrationTasks(srv)))
	}
	srv.ClearFaults()
	mustMigrate(t, c, leased(migrateInput("sh", "-c", "echo migrated")))
	runs := startedRuns(srv)
	if len(runs) != 1 || len(migrationTasks(srv)) != 1 {
		t.Errorf("tasks by run %v (%d tasks), want one task", runs, len(migrationTasks(srv)))
	}
	if state, _ := lockState(t, srv, localaws.FixtureEnv); state != "released" {
		t.Errorf("lock %q at the end, want released", state)
	}
}

// Killed after RunTask, before recording the task (its PutObject held up):
// the lock is left starting with the clientToken that started the task.
// The same run's next apply attaches to that task (one task); an apply of
// another run at the same time waits for it, then runs its own.
func TestLockKilledAfterRunTask(t *testing.T) {
	t.Parallel()
	srv, c := fixture(t, knownAtOnce)
	child(t, srv, "v1", "sleep 5; echo migrated", "migration task started", heldRecord(srv))
	time.Sleep(5500 * time.Millisecond) // the killed apply's held write fails server-side
	state, _ := lockState(t, srv, localaws.FixtureEnv)
	if state != "starting" || len(migrationTasks(srv)) != 1 {
		t.Fatalf("after the kill: lock %q, %d tasks; want starting and one", state, len(migrationTasks(srv)))
	}
	orphan := migrationTasks(srv)[0].TaskArn
	srv.ClearFaults()
	var wg sync.WaitGroup
	var same, other *ebmigrate.Result
	wg.Add(2)
	go func() {
		defer wg.Done()
		same = mustMigrate(t, c, leased(migrateInput("sh", "-c", "sleep 5; echo migrated")))
	}()
	go func() {
		defer wg.Done()
		in := leased(migrateInput("sh", "-c", "echo other"))
		in.VersionLabel = "v2"
		other = mustMigrate(t, c, in)
	}()
	wg.Wait()
	if same == nil || other == nil {
		t.FailNow()
	}
	if same.TaskArn != orphan || !same.Attached {
		t.Errorf("the same run's apply recorded task %s (attached %v), want the killed apply's %s", same.TaskArn, same.Attached, orphan)
	}
	if ran := assertNoOverlap(t, srv); ran != 2 || len(migrationTasks(srv)) != 2 {
		t.Errorf("%d tasks ran of %d, want 2: the orphan and the other run's", ran, len(migrationTasks(srv)))
	}
	if state, _ := lockState(t, srv, localaws.FixtureEnv); state != "released" {
		t.Errorf("lock %q at the end, want released", state)
	}
}

// Killed after RunTask before recording its task, on another environment
// that shares the lock key (blue/green): its clientToken cannot fence a
// RunTask on this cluster, so the apply that takes the lock over looks for
// its task on its cluster (by startedBy and run), waits for it, then runs.
func TestLockKilledAfterRunTaskOnAnotherCluster(t *testing.T) {
	t.Parallel()
	srv, c := fixture(t, environments(2), knownAtOnce)
	child(t, srv, "v1", "sleep 14; echo blue", "migration task started", heldRecord(srv), "EBMIGRATE_LOCK_ENV="+shopEnv(0), "EBMIGRATE_LOCK_KEY=shop-db")
	time.Sleep(5500 * time.Millisecond) // the killed apply's held write fails server-side
	if state, _ := lockState(t, srv, "shop-db"); state != "starting" || len(migrationTasks(srv)) != 1 {
		t.Fatalf("after the kill: lock %q, %d tasks; want starting and one", state, len(migrationTasks(srv)))
	}
	srv.ClearFaults()
	in := leased(pairInput(shopEnv(1), "v1"))
	in.LockKey = "shop-db"
	mustMigrate(t, c, in)
	if ran := assertNoOverlap(t, srv); ran != 2 {
		t.Errorf("%d tasks ran, want 2: blue's orphan, then green's", ran)
	}
	if state, _ := lockState(t, srv, "shop-db"); state != "released" {
		t.Errorf("lock %q at the end, want released", state)
	}
}

// Interrupted (SIGINT, a timeout) while its task runs: the lock stays
// running; the re-apply attaches to the task (one task) and releases it.
func TestLockInterruptedThenAttached(t *testing.T) {
	t.Parallel()
	srv, c := fixture(t)
	in := migrateInput("sh", "-c", "sleep 2; echo finished")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		waitForRunningMigration(t, srv)
		cancel() // as Terraform does on SIGINT
	}()
	_, err := ebmigrate.Migrate(ctx, c, in, &recorder{})
	if err == nil {
		t.Fatal("the interrupted apply succeeded")
	}
	if state, task := lockState(t, srv, localaws.FixtureEnv); state != "running" || task == "" {
		t.Fatalf("after the interruption: lock %q (task %q), want running", state, task)
	}
	r := mustMigrate(t, c, in)
	if !r.Attached || len(migrationTasks(srv)) != 1 {
		t.Errorf("re-apply: attached %v, %d tasks; want attached to the one task", r.Attached, len(migrationTasks(srv)))
	}
	if state, _ := lockState(t, srv, localaws.FixtureEnv); state != "released" {
		t.Errorf("lock %q at the end, want released", state)
	}
}

// A task that never starts is stopped at task.start_timeout, the apply fails,
// and the lock stays with the task until it is STOPPED; the same run's next
// apply then runs the migration anew, and an apply of another run waiting
// meanwhile stops nothing twice (StopTask is idempotent, the policy judged
// on the tags at call time).
func TestLockTaskNeverStarts(t *testing.T) {
	t.Parallel()
	srv, c := fixture(t, func(s *localaws.Seed) {
		s.Faults = []localaws.Fault{{Task: "never_start", Family: "ebmigrate-", Count: 1}}
	})
	// A policy that allows StopTask only on tasks with the run tag, judged
	// on the tags at call time (the IAM policy's StopMigrationTasks).
	srv.EnforcePolicy("", func(r localaws.AuthzRequest) bool {
		_, tagged := r.ResourceTags[ebmigrate.TagRun]
		return r.Action != "ecs:StopTask" || tagged
	})
	stuck := leased(migrateInput("sh", "-c", "echo ran"))
	stuck.StartTimeout = time.Second
	var wg sync.WaitGroup
	var stuckErr, otherErr error
	wg.Add(2)
	go func() { defer wg.Done(); _, stuckErr = ebmigrate.Migrate(testCtx(t), c, stuck, &recorder{}) }()
	go func() {
		defer wg.Done()
		waitForMigrationTask(t, srv)
		other := leased(migrateInput("sh", "-c", "echo other"))
		other.VersionLabel, other.StartTimeout = "v2", time.Second
		_, otherErr = ebmigrate.Migrate(testCtx(t), c, other, &recorder{})
	}()
	wg.Wait()
	var st *ebmigrate.StartTimeoutError
	if !asStartTimeout(stuckErr, &st) || !st.Stopped || st.Timeout != stuck.StartTimeout {
		t.Fatalf("the stuck apply: %v, want a start timeout of %s that stopped its task", stuckErr, stuck.StartTimeout)
	}
	if otherErr != nil {
		t.Fatalf("the other run's apply: %v", otherErr)
	}
	mustMigrate(t, c, stuck)
	if runs := startedRuns(srv); len(runs) != 2 || len(migrationTasks(srv)) != 3 {
		t.Errorf("runs started %v of %d tasks; want the stuck one never started, then one task of each run", runs, len(migrationTasks(srv)))
	}
	assertNoOverlap(t, srv)
	if state, _ := lockState(t, srv, localaws.FixtureEnv); state != "released" {
		t.Errorf("lock %q at the end, want released", state)
	}
}

func waitForMigrationTask(t *testing.T, srv *localaws.Server) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); len(migrationTasks(srv)) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Error("no migration task")
			return
		}
	}
}

func asStartTimeout(err error, st **ebmigrate.StartTimeoutError) bool {
	for err != nil {
		if e, ok := err.(*ebmigrate.StartTimeoutError); ok {
			*st = e
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

// revocable is credentials that stop working when revoked, as an expired
// SSO session or role session does: the SDK then sends nothing.
type revocable struct {
	mu      sync.Mutex
	revoked bool
}

func (r *revocable) Retrieve(context.Context) (aws.Credentials, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.revoked {
		return aws.Credentials{}, fmt.Errorf("the session has expired")
	}
	return aws.Credentials{AccessKeyID: "AKIDLOCAL", SecretAccessKey: "secret", CanExpire: true, Expires: time.Now().Add(50 * time.Millisecond)}, nil
}

func (r *revocable) revoke() { r.mu.Lock(); r.revoked = true; r.mu.Unlock() }

// revokingLogger revokes the credentials when the engine logs msg.
type revokingLogger struct {
	recorder
	msg   string
	creds *revocable
}

func (l *revokingLogger) Info(msg string, f map[string]any) {
	l.recorder.Info(msg, f)
	if msg == l.msg {
		l.creds.revoke()
	}
}

// An apply that loses its credentials, right after RunTask (before it
// records the task) or while it watches: it fails, and leaves the lock to
// the next apply, which judges it by the task (or by its lease and token):
// another run waits for the task, then runs its own; no overlap.
func TestLockCredentialsLost(t *testing.T) {
	t.Parallel()
	for _, at := range []string{"migration task started", "migration task status"} {
		t.Run(strings.ReplaceAll(at, " ", "_"), func(t *testing.T) {
			srv, good := fixture(t)
			creds := &revocable{}
			cfg := aws.Config{Region: "us-east-1", Credentials: creds, RetryMaxAttempts: 1}
			lost := clientsWith(cfg, srv.URL())
			in := leased(migrateInput("sh", "-c", "sleep 1.5; echo first"))
			in.Poll.MaxErrors = 3
			if _, err := ebmigrate.Migrate(testCtx(t), lost, in, &revokingLogger{msg: at, creds: creds}); err == nil || !strings.Contains(err.Error(), "expired") {
				t.Fatalf("the apply that lost its credentials: %v", err)
			}
			other := leased(migrateInput("sh", "-c", "echo second"))
			other.VersionLabel = "v2"
			mustMigrate(t, good, other)
			if ran := assertNoOverlap(t, srv); ran != 2 || len(migrationTasks(srv)) != 2 {
				t.Errorf("%d of %d tasks ran, want both", ran, len(migrationTasks(srv)))
			}
			if state, _ := lockState(t, srv, localaws.FixtureEnv); state != "released" {
				t.Errorf("lock %q at the end, want released", state)
			}
		})
	}
}

// RunTask whose answers are all lost in transit (ECS starts the task, the
// SDK's every attempt fails): the apply asks again with the same token, then
// finds its task by startedBy, and watches it: one task, the apply succeeds.
func TestLockRunTaskAnswersLost(t *testing.T) {
	t.Parallel()
	srv, _ := fixture(t, func(s *localaws.Seed) {
		s.Faults = []localaws.Fault{{Operation: "ecs:RunTask", Error: "500", After: true}}
	})
	c := withRetries(srv)
	r := mustMigrate(t, c, migrateInput("sh", "-c", "echo migrated"))
	if len(migrationTasks(srv)) != 1 || r.TaskArn != migrationTasks(srv)[0].TaskArn {
		t.Errorf("%d tasks, result %s", len(migrationTasks(srv)), r.TaskArn)
	}
	if n := srv.Calls("ecs:RunTask"); n < 3 {
		t.Errorf("RunTask calls = %d, want the lost ones asked again", n)
	}
	if state, _ := lockState(t, srv, localaws.FixtureEnv); state != "released" {
		t.Errorf("lock %q at the end, want released", state)
	}
}

// A migration task started without the lock (as an older provider
// version's apply starts it: RunTask alone): a new apply finds it by
// startedBy before RunTask, once ListTasks lists it, and waits for it.
func TestLockWaitsForTaskWithoutLock(t *testing.T) {
	t.Parallel()
	srv, c := fixture(t)
	first := mustMigrate(t, c, migrateInput("sh", "-c", "sleep 1.5; echo migrated")) // registers the revision
	out, err := c.ECS.RunTask(testCtx(t), &ecs.RunTaskInput{
		Cluster: aws.String(first.ClusterArn), TaskDefinition: aws.String(first.TaskDefinitionArn),
		StartedBy: aws.String(ebmigrate.StartedBy(localaws.FixtureEnvID)),
		Tags:      []ecstypes.Tag{{Key: aws.String(ebmigrate.TagRun), Value: aws.String("an-older-version-run")}},
	})
	if err != nil || len(out.Tasks) != 1 {
		t.Fatalf("RunTask: %v", err)
	}
	// ListTasks lags: a task it does not list yet is one the look cannot
	// see (the guide says so).
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		listed, err := c.ECS.ListTasks(testCtx(t), &ecs.ListTasksInput{Cluster: aws.String(first.ClusterArn), StartedBy: aws.String(ebmigrate.StartedBy(localaws.FixtureEnvID))})
		if err == nil && len(listed.TaskArns) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the task without the lock was never listed")
		}
	}
	in := migrateInput("sh", "-c", "sleep 1.5; echo migrated")
	in.VersionLabel = "v2"
	mustMigrate(t, c, in)
	if ran := assertNoOverlap(t, srv); ran != 3 {
		t.Errorf("%d tasks ran, want 3", ran)
	}
}

// StopTask deletes a task's tags, so that a second StopTask of one task is
// denied by a policy that allows StopTask only on tagged tasks: two applies
// of one run attached to a task that never starts both stop it at
// task.start_timeout, and neither fails for the other's stop.
func TestStopTaskIdempotent(t *testing.T) {
	t.Parallel()
	srv, c := fixture(t, func(s *localaws.Seed) {
		s.Faults = []localaws.Fault{{Task: "never_start", Family: "ebmigrate-", Count: 1}}
		s.Timing.DeprovisioningMS = 1000 // the window in which both see it not stopped
	})
	srv.EnforcePolicy("", func(r localaws.AuthzRequest) bool {
		_, tagged := r.ResourceTags[ebmigrate.TagRun]
		return r.Action != "ecs:StopTask" || tagged
	})
	in := migrateInput("sh", "-c", "echo ran")
	in.StartTimeout = time.Second
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func(i int) { defer wg.Done(); _, errs[i] = ebmigrate.Migrate(testCtx(t), c, in, &recorder{}) }(i)
	}
	wg.Wait()
	for i, err := range errs {
		var st *ebmigrate.StartTimeoutError
		if !asStartTimeout(err, &st) || !st.Stopped || st.Timeout != in.StartTimeout {
			t.Errorf("apply %d: %v; want a start timeout of %s whose task was stopped", i, err, in.StartTimeout)
		}
	}
	if n := srv.Calls("ecs:StopTask"); n != 2 || len(migrationTasks(srv)) != 1 {
		t.Errorf("StopTask calls %d on %d tasks; want both applies to stop the one task", n, len(migrationTasks(srv)))
	}
}

// RunTask throttled in every attempt started nothing: the apply fails with
// AWS's throttle and releases the lock (no task to look for, nothing left).
func TestLockRunTaskThrottled(t *testing.T) {
	t.Parallel()
	srv, _ := fixture(t, func(s *localaws.Seed) {
		s.Faults = []localaws.Fault{{Operation: "ecs:RunTask", Error: "ThrottlingException"}}
	})
	_, err := ebmigrate.Migrate(testCtx(t), withRetries(srv), migrateInput("echo", "migrated"), &recorder{})
	if err == nil || !strings.Contains(err.Error(), "ThrottlingException") || strings.Contains(err.Error(), "May Have Started") {
		t.Fatalf("err = %v, want the throttle", err)
	}
	if state, _ := lockState(t, srv, localaws.FixtureEnv); state != "released" || len(migrationTasks(srv)) != 0 {
		t.Errorf("lock %q, %d tasks; want released and none", state, len(migrationTasks(srv)))
	}
}

// A start ECS reports later than task.start_timeout (the agent's state
// change retried with its backoff): the container's log stream exists, so
// it started, and neither its apply nor one of another run waiting on the
// lock stops it; both migrations run to their end, one after the other.
func TestStartReportedAfterStartTimeout(t *testing.T) {
	t.Parallel()
	srv, c := fixture(t, func(s *localaws.Seed) { s.Timing.StartReportLagMS, s.Timing.StartReportJitterMS = 3000, 1 })
	in := migrateInput("sh", "-c", "sleep 2; echo migrated")
	in.StartTimeout = time.Second
	other := in
	other.VersionLabel = "v2"
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Add(2)
	go func() { defer wg.Done(); _, errs[0] = ebmigrate.Migrate(testCtx(t), c, in, &recorder{}) }()
	go func() {
		defer wg.Done()
		waitForMigrationTask(t, srv)
		_, errs[1] = ebmigrate.Migrate(testCtx(t), c, other, &recorder{})
	}()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("apply %d, its start reported late: %v", i, err)
		}
	}
	for _, ti := range migrationTasks(srv) {
		if ti.StopCode == "UserInitiated" || ti.ProcessStartedAt == nil {
			t.Errorf("task %s: stop code %s, process started %v; want it run to its end", ti.TaskArn, ti.StopCode, ti.ProcessStartedAt)
		}
	}
	if ran := assertNoOverlap(t, srv); ran != 2 {
		t.Errorf("%d tasks ran, want 2", ran)
	}
}
