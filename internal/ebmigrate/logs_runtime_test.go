package ebmigrate_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

var dockerID = regexp.MustCompile(`^[0-9a-f]{64}$`)

func noPrefix(t *testing.T, mutate ...func(*localaws.Seed)) (*localaws.Server, ebmigrate.Clients) {
	t.Helper()
	return world(t, localaws.NoPrefixSeed(t.TempDir()), mutate...)
}

// Without awslogs-stream-prefix the engine follows the stream named after
// the container's runtimeId, as soon as DescribeTasks shows it: the lines
// are streamed while the task runs, and a failure shows its traceback.
func TestLogsWithoutStreamPrefix(t *testing.T) {
	t.Run("success", func(t *testing.T) {
		_, c := noPrefix(t)
		rec := &recorder{}
		res, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("sh", "-c", `echo "Applying app.0001_initial... OK"; sleep 0.5; echo "Applying app.0002_more... OK"`), rec)
		if err != nil {
			t.Fatal(err)
		}
		if !dockerID.MatchString(res.Logs.Stream) || res.Logs.Group != localaws.FixtureLogGroup || !res.Logs.ByRuntimeID {
			t.Errorf("logs = %+v, want the stream named after the container's Docker ID", res.Logs)
		}
		if got := rec.lines(); got != "Applying app.0001_initial... OK\nApplying app.0002_more... OK" {
			t.Errorf("log lines = %q", got)
		}
		if res.LogsComplete {
			t.Errorf("a user's command's log called complete")
		}
	})
	t.Run("failure", func(t *testing.T) {
		_, c := noPrefix(t)
		in := migrateInput("sh", "-c", `echo "Traceback (most recent call last):"; echo "django.db.utils.ProgrammingError: relation does not exist" >&2; exit 1`)
		_, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
		var me *ebmigrate.MigrationError
		if !errors.As(err, &me) {
			t.Fatalf("err = %v", err)
		}
		if got := strings.Join(me.LogLines, "\n"); !strings.Contains(got, "Traceback") || !strings.Contains(got, "ProgrammingError") {
			t.Errorf("log lines = %q, want the traceback", got)
		}
	})
	t.Run("never started", func(t *testing.T) {
		_, c := noPrefix(t, func(s *localaws.Seed) {
			s.Faults = []localaws.Fault{{Task: "pull_error", Family: ebmigrate.DerivedFamily(localaws.FixtureEnv)}}
		})
		_, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("true"), &recorder{})
		var me *ebmigrate.MigrationError
		if !errors.As(err, &me) {
			t.Fatalf("err = %v", err)
		}
		for _, p := range []string{"no awslogs-stream-prefix", "runtime ID", "never started", "Add awslogs-stream-prefix"} {
			if !strings.Contains(me.LogsNote, p) {
				t.Errorf("note lacks %q: %s", p, me.LogsNote)
			}
		}
	})
}

// On Fargate ECS requires a stream prefix: the migration's definition adds
// its own, and the plan says so.
func TestFargateAddsStreamPrefix(t *testing.T) {
	_, c := noPrefix(t, func(s *localaws.Seed) {
		var web map[string]any
		if err := json.Unmarshal(s.Environments[0].Containers[0], &web); err != nil {
			t.Fatal(err)
		}
		delete(web, "mountPoints") // a host path, which Fargate cannot have
		s.Environments[0].Containers[0], _ = json.Marshal(web)
	})
	in := migrateInput("true")
	in.Derive.Placement.LaunchType = "FARGATE"
	p, err := ebmigrate.PreviewMigration(testCtx(t), c, ebmigrate.PreviewInput{MigrateInput: in})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Derived.Input.ContainerDefinitions[0].LogConfiguration.Options["awslogs-stream-prefix"]; got != ebmigrate.LogStreamPrefix {
		t.Errorf("derived awslogs-stream-prefix = %q, want %q", got, ebmigrate.LogStreamPrefix)
	}
	if w := strings.Join(p.Warnings, "\n"); !strings.Contains(w, "without awslogs-stream-prefix, which ECS requires on Fargate") || !strings.Contains(w, "ebmigrate/web/<task id>") {
		t.Errorf("warnings = %q, want the added prefix explained", w)
	}
	res, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Logs.Stream, "ebmigrate/web/") {
		t.Errorf("stream = %q", res.Logs.Stream)
	}
}
