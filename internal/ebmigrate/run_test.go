package ebmigrate_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

func TestMigrateSucceeds(t *testing.T) {
	srv, c := friendly(t)
	rec := &recorder{}
	res, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("sh", "-c", `echo "Applying app.0001_initial... OK"; echo "api key is set: ${API_KEY:+yes}"`), rec)
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 0 || !res.Outcome.Success() || res.TaskArn == "" || res.StoppedAt.IsZero() || res.Container != "web" {
		t.Errorf("result = %+v", res)
	}
	if got := rec.lines(); got != "Applying app.0001_initial... OK\napi key is set: yes" {
		t.Errorf("log lines = %q", got)
	}
	if n := len(migrationTasks(srv)); n != 1 {
		t.Errorf("%d migration tasks started, want 1", n)
	}
	if res.LogsComplete || !strings.Contains(res.LogsProblem, "cannot be proven") {
		t.Errorf("a user's command's log called complete (%v): %q", res.LogsComplete, res.LogsProblem)
	}
	if n := srv.Calls("elasticbeanstalk:DescribeEnvironments"); n != 1 {
		t.Errorf("DescribeEnvironments calls = %d, want 1 (the ready check's description serves discovery)", n)
	}
	if !strings.HasPrefix(res.Logs.Stream, "eb/web/") || res.Logs.Group != localaws.FixtureLogGroup {
		t.Errorf("logs = %+v", res.Logs)
	}
}

func TestMigrateFails(t *testing.T) {
	_, c := fixture(t)
	in := migrateInput("sh", "-c", `for i in 1 2 3 4 5; do echo "line $i"; done; sleep 0.2; echo "django.db.utils.OperationalError: no such table" >&2; exit 3`)
	in.LogLines = 3
	res, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	var me *ebmigrate.MigrationError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v", err)
	}
	if me.Outcome.Kind != ebmigrate.NonZeroExit || *me.Outcome.ExitCode != 3 || len(me.LogLines) != 3 || res == nil || res.ExitCode != 3 {
		t.Errorf("migration error = %+v", me)
	}
	msg := err.Error()
	for _, part := range []string{localaws.FixtureEnv, localaws.FixtureCluster(), me.TaskArn, "Container:   web", "Exit code:   3", "EssentialContainerExited", "OperationalError", "Last 3 log lines"} {
		if !strings.Contains(msg, part) {
			t.Errorf("message does not mention %q:\n%s", part, msg)
		}
	}
	if strings.Contains(msg, "line 1") {
		t.Errorf("message shows more than log_lines lines:\n%s", msg)
	}
}

func TestMigrateStartFailures(t *testing.T) {
	cases := []struct {
		fault localaws.Fault
		want  ebmigrate.OutcomeKind
		text  string
	}{
		{localaws.Fault{Task: "oom", DurationMS: 50}, ebmigrate.OutOfMemory, "OutOfMemoryError"},
		{localaws.Fault{Task: "pull_error"}, ebmigrate.PullError, "CannotPullContainerError"},
	}
	for _, tc := range cases {
		t.Run(string(tc.want), func(t *testing.T) {
			_, c := fixture(t, func(s *localaws.Seed) { s.Faults = []localaws.Fault{tc.fault} })
			_, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("sleep", "5"), &recorder{})
			var me *ebmigrate.MigrationError
			if !errors.As(err, &me) || me.Outcome.Kind != tc.want || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("err = %v", err)
			}
		})
	}
	t.Run("placement", func(t *testing.T) {
		_, c := fixture(t, func(s *localaws.Seed) {
			s.Faults = []localaws.Fault{{Task: "placement_failure", Reason: "RESOURCE:MEMORY"}}
		})
		_, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("true"), &recorder{})
		var p *ebmigrate.ProblemError
		if !errors.As(err, &p) || p.Summary != "Migration Task Not Placed" || !strings.Contains(p.Detail, "RESOURCE:MEMORY") || !strings.Contains(p.Detail, "less memory") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestMigrateToleratesMissingAndErrors(t *testing.T) {
	srv, c := fixture(t, func(s *localaws.Seed) { s.Timing.MissingMS = 300 })
	in := migrateInput("sh", "-c", "exit 0")
	target, err := ebmigrate.Discover(testCtx(t), c, in.Discover)
	if err != nil {
		t.Fatal(err)
	}
	d, err := ebmigrate.DeriveTaskDefinition(target, in.Derive)
	if err != nil {
		t.Fatal(err)
	}
	arn, _, err := ebmigrate.EnsureTaskDefinition(testCtx(t), c.ECS, target, d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ebmigrate.EnsureLogGroup(testCtx(t), c.Logs, d.LogGroup, 0); err != nil {
		t.Fatal(err)
	}
	// From here on, the first polls are throttled (no SDK retries in this test).
	srv.ResetStats()
	if err := srv.AddFault(localaws.Fault{Operation: "ecs:DescribeTasks", Error: "ThrottlingException", Count: 3}); err != nil {
		t.Fatal(err)
	}
	res, err := ebmigrate.Run(testCtx(t), c, target, d, arn, in, &recorder{})
	if err != nil || !res.Outcome.Success() {
		t.Fatalf("err = %v", err)
	}
	if n := srv.Calls("ecs:DescribeTasks"); n < 5 {
		t.Errorf("DescribeTasks calls = %d: the throttled and MISSING polls were not retried", n)
	}
}

func TestPollSchedule(t *testing.T) {
	p := ebmigrate.DefaultPoll
	prev := p.Fast
	for elapsed := 0 * p.Fast; elapsed < 10*p.NormalUntil; elapsed += prev {
		next := p.Interval(elapsed, prev)
		switch {
		case elapsed < p.NormalUntil && next > p.Normal:
			t.Fatalf("at %s the poll waits %s, more than %s before %s", elapsed, next, p.Normal, p.NormalUntil)
		case next > p.Max:
			t.Fatalf("at %s the poll waits %s, more than %s", elapsed, next, p.Max)
		}
		prev = next
	}
	if prev != p.Max {
		t.Errorf("after %s the poll waits %s, want it backed off to %s", 10*p.NormalUntil, prev, p.Max)
	}
}
