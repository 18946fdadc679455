package ebmigrate_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// The lock's acceptance (issue 30): with starts reported late, ListTasks
// lagging each task by its own jitter and instances that have the image
// cached (a task runs milliseconds after RunTask), concurrent applies never
// run two migrations of one lock key at once, never stop a migration whose
// process started, all succeed, and run each migration once. Judged from
// localaws's record of when each process really ran.

// environments replaces the fixture's environment by n copies, shop-00, …,
// each with its own cluster and instances.
func environments(n int) func(*localaws.Seed) {
	return func(s *localaws.Seed) {
		base := s.Environments[0]
		s.Environments = nil
		for i := 0; i < n; i++ {
			e := base
			e.Name, e.ID = shopEnv(i), shopID(i)
			s.Environments = append(s.Environments, e)
		}
	}
}

func shopEnv(i int) string { return fmt.Sprintf("shop-%02d", i) }
func shopID(i int) string  { return fmt.Sprintf("e-shop%05d", i) }

// shopCluster is the cluster of environment shop-NN.
func shopCluster(env string) string {
	var i int
	_, _ = fmt.Sscanf(env, "shop-%d", &i)
	return localaws.EBClusterName(env, shopID(i))
}

// unkindStarts: the image is cached (a task's process starts 5 ms after
// RunTask), its start is reported 100-300 ms late, and ListTasks lists a
// task 100-300 ms after DescribeTasks shows it: localaws's test timings,
// whose proportions are AWS's (a start reported 1-3 s late, listed 1-3 s
// after it shows, on instances that start a cached image at once).
func unkindStarts(s *localaws.Seed) {
	s.Timing.ImageCached = true
	s.Consistency = localaws.TestConsistency
}

// apply is one concurrent apply: its input and what came of it.
type apply struct {
	in  ebmigrate.MigrateInput
	res *ebmigrate.Result
	err error
}

// applyAtOnce runs the applies at the same moment, each with a context of
// its own, and waits for them all.
func applyAtOnce(c ebmigrate.Clients, applies []*apply) {
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for _, a := range applies {
		wg.Add(1)
		go func(a *apply) {
			defer wg.Done()
			<-gate
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			a.res, a.err = ebmigrate.Migrate(ctx, c, a.in, &recorder{})
		}(a)
	}
	close(gate)
	wg.Wait()
}

// judgeRounds checks what the acceptance asks of a world after its
// applies: every apply succeeded, each migration (by the marker line it
// prints last) ran exactly once, no two processes of one lock group ran at
// once, and no task whose process started was stopped. It returns a line
// per group that failed.
func judgeRounds(t *testing.T, srv *localaws.Server, applies []*apply, group func(localaws.TaskInfo) string) (failed []string) {
	t.Helper()
	if !srv.WaitTasksStopped(30 * time.Second) {
		t.Fatal("migration tasks did not stop")
	}
	tasks := migrationTasks(srv)
	bad := map[string][]string{}
	groupOf := func(a *apply) string {
		return group(localaws.TaskInfo{Cluster: shopCluster(a.in.Discover.EnvironmentName)})
	}
	for _, a := range applies {
		if a.err != nil {
			bad[groupOf(a)] = append(bad[groupOf(a)], "an apply failed: "+a.err.Error())
		}
	}
	for i, x := range tasks {
		if x.ProcessStartedAt != nil && x.StopCode == "UserInitiated" {
			bad[group(x)] = append(bad[group(x)], fmt.Sprintf("task %s was stopped after its process started (%s)", x.TaskArn, x.StoppedReason))
		}
		for _, y := range tasks[i+1:] {
			if group(x) != group(y) || x.ProcessStartedAt == nil || y.ProcessStartedAt == nil {
				continue
			}
			if x.ProcessStartedAt.Before(*y.ProcessStoppedAt) && y.ProcessStartedAt.Before(*x.ProcessStoppedAt) {
				bad[group(x)] = append(bad[group(x)], fmt.Sprintf("%s and %s ran at once", x.TaskArn, y.TaskArn))
			}
		}
	}
	for _, a := range applies {
		if a.res == nil {
			continue
		}
		run := runOf(srv, a.res.TaskArn)
		n := 0
		for _, x := range tasks {
			if x.ProcessStartedAt != nil && x.RunTags[ebmigrate.TagRun] == run {
				n++
			}
		}
		if n != 1 {
			bad[groupOf(a)] = append(bad[groupOf(a)], fmt.Sprintf("the migration of %s %s ran %d times", a.in.Discover.EnvironmentName, a.in.VersionLabel, n))
		}
	}
	for g, lines := range bad {
		failed = append(failed, g+": "+strings.Join(lines, "; "))
	}
	return failed
}

// runOf is the run tag RunTask gave a task.
func runOf(srv *localaws.Server, arn string) string {
	for _, x := range srv.Stats().Tasks {
		if x.TaskArn == arn {
			return x.RunTags[ebmigrate.TagRun]
		}
	}
	return ""
}

// pairCommand is every run's command: one revision serves the runs of an
// environment, so that two applies reach RunTask at the same moment.
var pairCommand = []string{"sh", "-c", "sleep 0.3; echo migrated"}

// pairInput is a migration of env at version.
func pairInput(env, version string) ebmigrate.MigrateInput {
	in := migrateInput(pairCommand...)
	in.Discover.EnvironmentName = env
	in.VersionLabel = version
	in.Poll.Fast = 50 * time.Millisecond
	return in
}

// registered runs a first migration (v1) of each apply's environment and
// lock key, so that its revision is registered and known before the applies
// under test.
func registered(t *testing.T, c ebmigrate.Clients, under []*apply) {
	t.Helper()
	var applies []*apply
	seen := map[string]bool{}
	for _, a := range under {
		if env := a.in.Discover.EnvironmentName; !seen[env] {
			seen[env] = true
			in := a.in
			in.VersionLabel = "v1"
			applies = append(applies, &apply{in: in})
		}
	}
	applyAtOnce(c, applies)
	for _, a := range applies {
		if a.err != nil {
			t.Fatalf("the first migration of %s: %v", a.in.Discover.EnvironmentName, a.err)
		}
	}
}

// Twenty pairs of applies of different runs on one environment at once (a
// pair per environment, all twenty at once).
func TestLockDifferentRunsNeverOverlap(t *testing.T) {
	t.Parallel()
	const rounds = 20
	srv, _ := fixture(t, environments(rounds), unkindStarts)
	c := withRetries(srv)
	var applies []*apply
	for i := 0; i < rounds; i++ {
		applies = append(applies, &apply{in: pairInput(shopEnv(i), "v2")}, &apply{in: pairInput(shopEnv(i), "v3")})
	}
	registered(t, c, applies)
	applyAtOnce(c, applies)
	byEnv := func(x localaws.TaskInfo) string { return x.Cluster }
	if failed := judgeRounds(t, srv, applies, byEnv); len(failed) > 0 {
		t.Errorf("%d of %d rounds failed:\n  %s", len(failed), rounds, strings.Join(failed, "\n  "))
	}
}

// Ten applies of two environments that share a lock key (blue/green on one
// database): five pairs, each an apply of blue and one of green at once.
func TestLockSharedKeyNeverOverlaps(t *testing.T) {
	t.Parallel()
	const pairs = 5
	srv, _ := fixture(t, environments(2*pairs), unkindStarts)
	c := withRetries(srv)
	var applies []*apply
	lockOf := map[string]string{}
	for i := 0; i < pairs; i++ {
		key := fmt.Sprintf("shop-db-%d", i)
		for _, j := range []int{2 * i, 2*i + 1} {
			in := pairInput(shopEnv(j), "v2")
			in.LockKey = key
			applies = append(applies, &apply{in: in})
			lockOf[shopCluster(shopEnv(j))] = key
		}
	}
	registered(t, c, applies)
	applyAtOnce(c, applies)
	byKey := func(x localaws.TaskInfo) string { return lockOf[x.Cluster] }
	if failed := judgeRounds(t, srv, applies, byKey); len(failed) > 0 {
		t.Errorf("%d of %d pairs failed:\n  %s", len(failed), pairs, strings.Join(failed, "\n  "))
	}
}
