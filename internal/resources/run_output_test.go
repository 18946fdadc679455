package resources_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// outputCommand prints a few lines, an EB property's secret value and a
// value of the environment argument among them.
var outputCommand = []string{"sh", "-c", `echo "Operations to perform:"; echo "  Apply all migrations: shop"; echo "db password $DATABASE_PASSWORD"; echo "token $EXTRA_TOKEN"; echo "Applying shop.0002_price... OK"`}

const extraToken = "tok-only-in-the-environment-argument"

// stateResource is ebmigrate_run.migrate as `terraform show -json` gives
// it: its values and its sensitive_values (as JSON).
func (c *cli) stateResource() (map[string]any, string) {
	c.t.Helper()
	raw, err := c.Command("show", "-json").Output()
	if err != nil {
		c.t.Fatalf("show -json: %v", err)
	}
	var state struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address   string          `json:"address"`
					Values    map[string]any  `json:"values"`
					Sensitive json.RawMessage `json:"sensitive_values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal(raw, &state); err != nil {
		c.t.Fatal(err)
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Address == "ebmigrate_run.migrate" {
			return r.Values, string(r.Sensitive)
		}
	}
	c.t.Fatalf("no ebmigrate_run.migrate in the state: %s", raw)
	return nil, ""
}

// stateOutput is the output attribute of ebmigrate_run.migrate in the state.
func (c *cli) stateOutput() []string {
	c.t.Helper()
	values, _ := c.stateResource()
	list, ok := values["output"].([]any)
	if !ok {
		c.t.Fatalf("output in the state is %#v", values["output"])
	}
	out := make([]string, len(list))
	for i, v := range list {
		out[i], _ = v.(string)
	}
	return out
}

// sensitiveValues is the sensitive_values of ebmigrate_run.migrate in the
// state, as JSON.
func (c *cli) sensitiveValues() string {
	c.t.Helper()
	_, sensitive := c.stateResource()
	return sensitive
}

// afterApply is what terraform printed after the resource's apply (the
// diagnostics), without the plan, which shows the command.
func afterApply(out string) string {
	if i := strings.LastIndex(out, " complete after "); i >= 0 {
		return out[i:]
	}
	return ""
}

// TestAccCLI_migrationOutput: the apply of a successful run shows its last
// logs.lines lines in a "Migration Output" warning and keeps them in the
// output attribute, the environment's values redacted in both; an apply
// that does not re-run keeps them; logs.lines = 0 shows and keeps none.
func TestAccCLI_migrationOutput(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newCLI(t)
	env := `environment = { EXTRA_TOKEN = "` + extraToken + `" }`
	c.write(w.run("v1", outputCommand, containerArgs(env), logsArgs("lines = 4")))
	out := c.apply("apply")
	t.Logf("terraform apply printed:\n%s", out)
	want := []string{
		"  Apply all migrations: shop",
		"db password " + ebmigrate.Redacted,
		"token " + ebmigrate.Redacted,
		"Applying shop.0002_price... OK",
	}
	if !strings.Contains(out, "Warning: Migration Output ("+localaws.FixtureEnv+")") {
		t.Errorf("the apply does not show the Migration Output warning:\n%s", out)
	}
	// Each line as Terraform prints it (-no-color: without the box), unwrapped.
	for _, l := range want {
		if !strings.Contains(out, "\n  "+l+"\n") {
			t.Errorf("the apply does not show the line %q:\n%s", l, out)
		}
	}
	if strings.Contains(afterApply(out), "Operations to perform:") {
		t.Errorf("the apply shows more than logs.lines lines:\n%s", out)
	}
	got := c.stateOutput()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("output in the state = %q, want %q", got, want)
	}
	state, _ := c.Command("show", "-json").Output()
	for _, secret := range []string{localaws.FixturePropSecret, extraToken} {
		if strings.Contains(out, secret) {
			t.Errorf("the apply's output holds a secret value")
		}
		if strings.Contains(strings.ReplaceAll(string(state), `"EXTRA_TOKEN":"`+extraToken, ""), secret) {
			t.Errorf("the state holds a secret value outside the environment argument")
		}
	}

	// A plan that re-runs does not print the previous run's lines: output
	// is sensitive (the warning after the apply shows them).
	c.write(w.run("v2", outputCommand, containerArgs(env), logsArgs("lines = 4")))
	out, err := c.run("plan", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("plan v2: %v\n%s", err, out)
	}
	if strings.Contains(out, "Apply all migrations") || !regexp.MustCompile(`~ output\s+= \(sensitive value\)`).MatchString(out) {
		t.Errorf("the plan of a re-run does not hide output as sensitive:\n%s", out)
	}
	if !strings.Contains(c.sensitiveValues(), `"output":true`) {
		t.Errorf("the state does not mark output sensitive: %s", c.sensitiveValues())
	}

	// A change that does not re-run keeps the lines, and shows none.
	c.write(w.run("v1", outputCommand, containerArgs(env), logsArgs("lines = 2")))
	out = c.apply("apply logs.lines = 2")
	if strings.Contains(out, "Migration Output") || w.migrationTasks() != 1 {
		t.Errorf("an apply that runs nothing (%d tasks) shows output:\n%s", w.migrationTasks(), out)
	}
	if got := c.stateOutput(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("output after an update that runs nothing = %q, want the previous %q", got, want)
	}

	// -compact-warnings names the warning, without its lines.
	c.write(w.run("v2", outputCommand, containerArgs(env), logsArgs("lines = 2")))
	out, err = c.run("apply", "-auto-approve", "-input=false", "-no-color", "-compact-warnings")
	if err != nil {
		t.Fatalf("apply v2: %v\n%s", err, out)
	}
	t.Logf("terraform apply -compact-warnings printed:\n%s", out)
	if !strings.Contains(out, "- Migration Output ("+localaws.FixtureEnv+")") || strings.Contains(afterApply(out), "Applying shop") {
		t.Errorf("-compact-warnings does not name the warning alone:\n%s", out)
	}
	if got := c.stateOutput(); len(got) != 2 || got[1] != "Applying shop.0002_price... OK" {
		t.Errorf("output after v2 with logs.lines = 2: %q", got)
	}

	// logs.lines = 0: nothing shown, nothing kept.
	c.write(w.run("v3", outputCommand, containerArgs(env), logsArgs("lines = 0")))
	out = c.apply("apply v3")
	if strings.Contains(out, "Migration Output") || strings.Contains(afterApply(out), "Applying shop") {
		t.Errorf("logs.lines = 0 shows output:\n%s", out)
	}
	if got := c.stateOutput(); len(got) != 0 || w.migrationTasks() != 3 {
		t.Errorf("logs.lines = 0: output %q after %d runs", got, w.migrationTasks())
	}

	// A failure's last lines are redacted too.
	c.write(w.run("v2", []string{"sh", "-c", `echo "connecting with $DATABASE_PASSWORD and $EXTRA_TOKEN"; exit 4`}, containerArgs(env)))
	out, err = c.run("apply", "-auto-approve", "-input=false", "-no-color")
	if err == nil {
		t.Fatalf("a failing migration applied:\n%s", out)
	}
	if !strings.Contains(out, "Migration Failed") || !strings.Contains(out, "connecting with "+ebmigrate.Redacted+" and "+ebmigrate.Redacted) ||
		strings.Contains(out, localaws.FixturePropSecret) || strings.Contains(out, extraToken) {
		t.Errorf("the failure's lines are not redacted:\n%s", out)
	}
}

// TestAccCLI_migrationOutputEach: with several environments migrated in one
// apply, each one's output is shown in full, not folded into "similar
// warnings elsewhere".
func TestAccCLI_migrationOutputEach(t *testing.T) {
	t.Parallel()
	w := newWorld(t, manyEnvironments(2))
	c := newCLI(t)
	c.write(w.providerConfig() + `
resource "ebmigrate_run" "migrate" {
  for_each         = toset(["scale-00", "scale-01"])
  environment_name = each.key
  version_label    = "v1"
  command          = ["sh", "-c", "echo Applying shop.0002_price... OK in ${each.key}"]
}
`)
	out := c.apply("apply")
	for _, env := range []string{"scale-00", "scale-01"} {
		if !strings.Contains(out, "Warning: Migration Output ("+env+")") || !strings.Contains(out, "\n  Applying shop.0002_price... OK in "+env+"\n") {
			t.Errorf("the apply does not show %s's output:\n%s", env, out)
		}
	}
}

// TestAccCLI_migrationOutputUnreadable: a migration that succeeded but whose
// log cannot be read still applies; its warning says why there are no lines.
func TestAccCLI_migrationOutputUnreadable(t *testing.T) {
	t.Parallel()
	w := newWorld(t, func(s *localaws.Seed) {
		s.Faults = append(s.Faults, localaws.Fault{Operation: "logs:GetLogEvents", Error: "AccessDeniedException"})
	})
	c := newCLI(t)
	c.write(w.run("v1", outputCommand))
	out := c.apply("the apply of a migration that succeeded failed")
	after := strings.Join(strings.Fields(afterApply(out)), " ")
	if !strings.Contains(after, "Warning: Migration Output ("+localaws.FixtureEnv+")") || !strings.Contains(after, "Could not read the log") ||
		!strings.Contains(after, "AccessDeniedException") || strings.Contains(after, "Applying shop") {
		t.Errorf("the warning does not say the log could not be read:\n%s", out)
	}
	if got := c.stateOutput(); len(got) != 0 {
		t.Errorf("output = %q, want none", got)
	}
}

// TestAccCLI_longLinesBounded: a line longer than ebmigrate.MaxLineBytes is
// cut in output and the Migration Output warning, and in a failure's
// diagnostic alike.
func TestAccCLI_longLinesBounded(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newCLI(t)
	long := `printf 'x%.0s' $(seq 1 12000); echo`
	cut := strings.Repeat("x", ebmigrate.MaxLineBytes) + "… (9952 more bytes)"
	c.write(w.run("v1", []string{"sh", "-c", long + "; echo done"}))
	out := c.apply("apply")
	if got := c.stateOutput(); len(got) != 2 || got[0] != cut {
		t.Errorf("output in the state: %d lines, the first %d bytes", len(got), len(got[0]))
	}
	if !strings.Contains(out, "\n  "+cut+"\n") || strings.Contains(out, strings.Repeat("x", ebmigrate.MaxLineBytes+1)) {
		t.Errorf("the Migration Output warning does not cut the long line:\n%.3000s", afterApply(out))
	}
	c.write(w.run("v2", []string{"sh", "-c", long + "; exit 3"}))
	out, err := c.run("apply", "-auto-approve", "-input=false", "-no-color")
	if err == nil {
		t.Fatalf("a failing migration applied:\n%s", out)
	}
	if !strings.Contains(out, "Migration Failed") || !strings.Contains(out, "… (9952 more bytes)") || strings.Contains(out, strings.Repeat("x", ebmigrate.MaxLineBytes+1)) {
		t.Errorf("the failure does not cut the long line:\n%.3000s", out)
	}
}
