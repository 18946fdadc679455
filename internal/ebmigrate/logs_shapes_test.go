package ebmigrate_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// Container shapes that change how the output reaches CloudWatch Logs, or
// what runs: the engine's answer to each, against localaws's model of the
// awslogs driver, Fargate's shim logger and the ECS agent.

// webLogOption sets an awslogs option of the friendly seed's web container.
func webLogOption(key, value string) func(*localaws.Seed) {
	return func(s *localaws.Seed) {
		var web map[string]any
		if err := json.Unmarshal(s.Environments[0].Containers[0], &web); err != nil {
			panic(err)
		}
		web["logConfiguration"].(map[string]any)["options"].(map[string]any)[key] = value
		s.Environments[0].Containers[0], _ = json.Marshal(web)
	}
}

// imageDir is the fixture image's working directory.
func imageDir(dir *string) func(*localaws.Seed) {
	return func(s *localaws.Seed) { *dir = s.Images["example/app:v1"].Dir }
}

// On Fargate the shim logger exits 5 s after the container's output ends
// without closing the driver, and with awslogs-multiline-pattern or
// awslogs-datetime-format a tick sends the joined event only once it is 5 s
// old: the relay's end line, printed last, is mostly lost. The query's task
// logs without them, and its output is proven.
func TestProvenOutputOnFargateWithMultilineOptions(t *testing.T) {
	for key, value := range map[string]string{"awslogs-multiline-pattern": `^Planned`, "awslogs-datetime-format": "%Y-%m-%d %H:%M:%S"} {
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			_, c := friendly(t, localaws.WithoutHostVolume, webLogOption(key, value))
			in := queryInput("sh", "-c", `echo "Planned operations:"; echo "shop.0002_price"`)
			onFargate(&in)
			in.Poll.LogEndWithin = 3 * time.Second
			res, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"Planned operations:", "shop.0002_price"}; !res.LogsComplete || !slices.Equal(res.RawOutput, want) {
				t.Errorf("complete %v (%s), output %q, want %q", res.LogsComplete, res.LogsProblem, res.RawOutput, want)
			}
		})
	}
}

// A migration on Fargate with a multiline option keeps it (it is the user's
// own log), and the plan says what it costs.
func TestFargateMultilineMigrationIsNoted(t *testing.T) {
	t.Parallel()
	_, c := friendly(t, localaws.WithoutHostVolume, webLogOption("awslogs-multiline-pattern", `^\[`))
	in := migrateInput("true")
	onFargate(&in)
	p, err := ebmigrate.PreviewMigration(testCtx(t), c, ebmigrate.PreviewInput{MigrateInput: in})
	if err != nil {
		t.Fatal(err)
	}
	if p.Derived.Input.ContainerDefinitions[0].LogConfiguration.Options["awslogs-multiline-pattern"] != `^\[` {
		t.Error("the migration's own multiline pattern was dropped")
	}
	if !slices.ContainsFunc(p.Warnings, func(w string) bool {
		return strings.Contains(w, "awslogs-multiline-pattern") && strings.Contains(w, "lost")
	}) {
		t.Errorf("warnings %q: want the multiline pattern's cost on Fargate said", p.Warnings)
	}
}

// A restart policy (botocore ecs ContainerRestartPolicy) restarts a
// container that exits after running restartAttemptPeriod, exit code 0
// included, in the same task: a migration would run again. The migration's
// definition leaves it out, and the plan says so.
func TestRestartPolicyIsNotInherited(t *testing.T) {
	t.Parallel()
	var dir string
	_, c := fixture(t, imageDir(&dir), webField("restartPolicy", map[string]any{"enabled": true, "restartAttemptPeriod": 60}),
		func(s *localaws.Seed) { s.Timing.RestartSecondMS = 2 }) // 60 s: 120 ms
	// The first run outlasts the period; a second would not, so that a
	// restarted migration stops after it.
	in := migrateInput("sh", "-c", `echo run >> runs; [ "$(wc -l < runs)" -gt 1 ] || sleep 0.3`)
	p, err := ebmigrate.PreviewMigration(testCtx(t), c, ebmigrate.PreviewInput{MigrateInput: in})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(p.Warnings, func(w string) bool { return strings.Contains(w, "restartPolicy") }) {
		t.Errorf("warnings %q: want the restart policy left out said", p.Warnings)
	}
	if _, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{}); err != nil {
		t.Fatal(err)
	}
	runs, err := os.ReadFile(filepath.Join(dir, "runs"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(runs), "run"); n != 1 {
		t.Errorf("the migration ran %d times, want once", n)
	}
}

// With pseudoTerminal, a terminal ends every line with "\r\n": the relay's
// end line still counts, and no "\r" reaches the output. The migration's
// definition runs without a terminal nor an open stdin.
func TestProvenOutputWithPseudoTerminal(t *testing.T) {
	t.Parallel()
	_, c := fixture(t, webField("pseudoTerminal", true), webField("interactive", true))
	in := queryInput("sh", "-c", `echo "Planned operations:"; echo "shop.0002_price"`)
	in.Poll.LogEndWithin = 3 * time.Second
	p, err := ebmigrate.PreviewMigration(testCtx(t), c, ebmigrate.PreviewInput{MigrateInput: in})
	if err != nil {
		t.Fatal(err)
	}
	if def := p.Derived.Input.ContainerDefinitions[0]; def.PseudoTerminal != nil || def.Interactive != nil {
		t.Errorf("derived pseudoTerminal %v, interactive %v: want neither", def.PseudoTerminal, def.Interactive)
	}
	res, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Planned operations:", "shop.0002_price"}; !res.LogsComplete || !slices.Equal(res.RawOutput, want) {
		t.Errorf("complete %v (%s), output %q, want %q", res.LogsComplete, res.LogsProblem, res.RawOutput, want)
	}
}

// The relay reads the command's stdout and stderr apart: a stderr line
// printed while a stdout line is half written does not land inside it.
func TestProvenOutputKeepsStdoutAndStderrLinesWhole(t *testing.T) {
	t.Parallel()
	_, c := fixture(t)
	res, err := ebmigrate.Migrate(testCtx(t), c, queryInput("sh", "-c", `printf "    Add fi"; sleep 0.2; echo "warning" >&2; sleep 0.2; echo "eld price"`), &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.LogsComplete || !slices.Contains(res.RawOutput, "    Add field price") || !slices.Contains(res.RawOutput, "warning") {
		t.Errorf("complete %v (%s), output %q: want both lines whole", res.LogsComplete, res.LogsProblem, res.RawOutput)
	}
}

// A subprocess.py in the working directory (the current directory is on
// python3 -c's path) or a sitecustomize on PYTHONPATH does not replace the
// relay's modules.
func TestRelayIgnoresTheWorkingDirectorysModules(t *testing.T) {
	t.Parallel()
	var dir string
	_, c := fixture(t, imageDir(&dir))
	for _, name := range []string{"subprocess.py", "sitecustomize.py"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("raise SystemExit('shadowed')\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	in := queryInput("sh", "-c", `echo "Planned operations:"`)
	in.Derive.Environment = map[string]string{"PYTHONPATH": dir}
	in.Poll.LogEndWithin = 3 * time.Second
	res, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.LogsComplete || !slices.Equal(res.RawOutput, []string{"Planned operations:"}) {
		t.Errorf("complete %v (%s), output %q", res.LogsComplete, res.LogsProblem, res.RawOutput)
	}
}

// An entryPoint ending in a shell's -c runs the command's first word as
// its script: under the relay that is python3 alone, reading an empty
// stdin. The query refuses it before anything runs, naming it.
func TestProvenCommandRefusesShellDashCEntryPoint(t *testing.T) {
	t.Parallel()
	srv, c := fixture(t, webField("entryPoint", []string{"/bin/sh", "-c"}))
	_, err := ebmigrate.Migrate(testCtx(t), c, queryInput("./manage.py", "migrate", "--plan"), &recorder{})
	if err == nil || !strings.Contains(err.Error(), "entryPoint") || !strings.Contains(err.Error(), `"/bin/sh", "-c"`) {
		t.Fatalf("err = %v, want the entryPoint refused, named", err)
	}
	if n := srv.Calls("ecs:RunTask"); n != 0 {
		t.Errorf("RunTask calls = %d, want none", n)
	}
}

// A query whose image has no python3 on its PATH fails saying that the
// relay needs it.
func TestQueryWithoutPython3SaysTheRelayNeedsIt(t *testing.T) {
	t.Parallel()
	_, c := fixture(t)
	in := queryInput("./manage.py", "migrate", "--plan")
	in.Derive.Environment = map[string]string{"PATH": "/nonexistent"}
	_, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	var me *ebmigrate.MigrationError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "python3") || !strings.Contains(err.Error(), "relay") {
		t.Errorf("err = %v, want the relay's need for python3 said", err)
	}
}
