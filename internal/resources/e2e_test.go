package resources_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/tfcli"
)

// These tests run the terraform CLI itself on a built provider binary (through
// dev_overrides), to see what a user sees: the plan's warnings, and Ctrl-C.

var providerBinary struct {
	once sync.Once
	dir  string
	err  error
}

// buildProvider builds the provider once per test binary.
func buildProvider(t *testing.T) string {
	t.Helper()
	providerBinary.once.Do(func() {
		providerBinary.dir, providerBinary.err = os.MkdirTemp("", "ebmigrate-provider-")
		if providerBinary.err != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(providerBinary.dir, "terraform-provider-ebmigrate"),
			"github.com/ebmigrate/terraform-provider-ebmigrate").CombinedOutput()
		if err != nil {
			providerBinary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if providerBinary.err != nil {
		t.Fatal(providerBinary.err)
	}
	return providerBinary.dir
}

// cli is a terraform working directory using the built provider.
type cli struct {
	t *testing.T
	*tfcli.Dir
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || bin == "" {
		t.Skip("set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make test does) to run the terraform CLI tests")
	}
	d, err := tfcli.New(bin, buildProvider(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &cli{t: t, Dir: d}
}

// write replaces main.tf with config (a provider block and resources), adding
// the required_providers block the CLI needs.
func (c *cli) write(config string) {
	c.t.Helper()
	full := "terraform {\n  required_providers {\n    ebmigrate = { source = \"ebmigrate/ebmigrate\" }\n  }\n}\n" + config
	if err := c.Write(full); err != nil {
		c.t.Fatal(err)
	}
}

// run runs terraform and returns its combined output and error.
func (c *cli) run(args ...string) (string, error) {
	out, _, err := c.Run(args...)
	return out, err
}

// apply runs terraform apply, which must succeed (what names it in the
// failure), and returns its output.
func (c *cli) apply(what string) string {
	c.t.Helper()
	out, err := c.run("apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		c.t.Fatalf("%s: %v\n%s", what, err, out)
	}
	return out
}

type jsonDiagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Address  string `json:"address"`
}

// planJSON runs terraform plan -json and returns its diagnostics and whether
// it planned changes.
func (c *cli) planJSON() ([]jsonDiagnostic, bool) {
	c.t.Helper()
	out, err := c.Command("plan", "-json", "-input=false").Output()
	if err != nil {
		c.t.Fatalf("terraform plan: %v\n%s", err, out)
	}
	var diags []jsonDiagnostic
	changes := false
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var msg struct {
			Type       string          `json:"type"`
			Diagnostic *jsonDiagnostic `json:"diagnostic"`
			Changes    struct {
				Add, Change, Remove int
			} `json:"changes"`
		}
		if json.Unmarshal(sc.Bytes(), &msg) != nil {
			continue
		}
		if msg.Diagnostic != nil && msg.Diagnostic.Summary != "" {
			diags = append(diags, *msg.Diagnostic)
		}
		if msg.Type == "change_summary" {
			changes = msg.Changes.Add+msg.Changes.Change+msg.Changes.Remove > 0
		}
	}
	return diags, changes
}

func runWarnings(diags []jsonDiagnostic) []jsonDiagnostic {
	var out []jsonDiagnostic
	for _, d := range diags {
		if d.Summary == "Migration Will Run" {
			out = append(out, d)
		}
	}
	return out
}

// TestAccCLI_planWarning: the plan of a run says exactly what will run,
// naming the resource; a plan with nothing to run says nothing.
func TestAccCLI_planWarning(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newCLI(t)
	c.write(w.run("v1", okCommand))
	c.apply("apply")
	c.write(w.run("v2", okCommand))
	w.srv.ResetStats()
	diags, changes := c.planJSON()
	warnings := runWarnings(diags)
	if !changes || len(warnings) != 1 {
		t.Fatalf("changes %v, warnings %+v (all: %+v)", changes, warnings, diags)
	}
	want := fmt.Sprintf("ebmigrate_run will run `sh -c …` (see the command attribute) in environment myapp-prod (version v1 -> v2), container web, image example/app:v2 (from application version v2 (s3://elasticbeanstalk-us-east-1-123456789012/myapp/v2.zip)). The environment has version v1 deployed. "+
		"Today the environment has cluster %s (unless this apply replaces or redeploys it first). "+
		"Known after apply: the task definition it derives from (version v2 is not deployed yet; if this apply deploys it first, Elastic Beanstalk registers a new revision).",
		localaws.FixtureCluster())
	if got := warnings[0]; got.Detail != want || got.Severity != "warning" || got.Address != "ebmigrate_run.migrate" {
		t.Errorf("warning = %+v\nwant detail %s", got, want)
	}
	for _, op := range mutating {
		if n := w.srv.Calls(op); n != 0 {
			t.Errorf("the plan made %d %s calls", n, op)
		}
	}

	c.write(w.run("v2", okCommand, `triggers = { schema = "2" }`))
	diags, _ = c.planJSON()
	if warnings := runWarnings(diags); len(warnings) != 1 || !strings.Contains(warnings[0].Detail, "(version v1 -> v2), because triggers changed, container web") {
		t.Errorf("a plan for a new version and triggers: %+v", warnings)
	}

	c.write(w.run("v1", okCommand))
	diags, changes = c.planJSON()
	if changes || len(runWarnings(diags)) != 0 {
		t.Errorf("a plan with nothing to run: changes %v, diagnostics %+v", changes, diags)
	}
}

// TestAccCLI_interrupt: Ctrl-C during an apply leaves the task running and
// says so; the next apply attaches to it and records its result.
func TestAccCLI_interrupt(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newCLI(t)
	// Long enough to be still running when the next apply looks.
	c.write(w.run("v1", []string{"sh", "-c", "sleep 8; echo migrated"}))
	apply := c.Command("apply", "-auto-approve", "-input=false", "-no-color")
	var out bytes.Buffer
	apply.Stdout, apply.Stderr = &out, &out
	if err := apply.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for !w.migrationRunning() {
		if time.Now().After(deadline) {
			_ = apply.Process.Kill()
			t.Fatalf("no migration task ran\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := apply.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := apply.Wait()
	text := out.String()
	if err == nil {
		t.Fatalf("the interrupted apply succeeded\n%s", text)
	}
	for _, part := range []string{"Migration Wait Interrupted", "was cancelled", "left running"} {
		if !strings.Contains(strings.Join(strings.Fields(text), " "), part) {
			t.Errorf("the interrupted apply does not say %q:\n%s", part, text)
		}
	}
	c.apply("the next apply")
	if n := w.migrationTasks(); n != 1 {
		t.Errorf("%d migration tasks started, want 1", n)
	}
	state, err := c.run("state", "show", "-no-color", "ebmigrate_run.migrate")
	if err != nil || !strings.Contains(state, "last_run") || !strings.Contains(state, w.firstMigrationTask()) {
		t.Errorf("state after the second apply: %v\n%s", err, state)
	}
}

func (w *world) migrationRunning() bool {
	for _, ti := range w.srv.Stats().Tasks {
		if strings.HasPrefix(ti.StartedBy, "ebmigrate-") && ti.LastStatus == "RUNNING" {
			return true
		}
	}
	return false
}

func (w *world) firstMigrationTask() string {
	for _, ti := range w.srv.Stats().Tasks {
		if strings.HasPrefix(ti.StartedBy, "ebmigrate-") {
			return ti.TaskArn
		}
	}
	return "(none)"
}
