package resources_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

const woSecret = "wo-secret-value-0123456789"

// terraformUnderTestVersion is the version of the Terraform under test.
func terraformUnderTestVersion(t *testing.T) string {
	t.Helper()
	out, err := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), "version", "-json").Output()
	if err != nil {
		t.Fatalf("terraform version: %v", err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	return v.Version
}

// versionBelow tells whether version x.y.z is below major.minor.
func versionBelow(v string, major, minor int) bool {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return false
	}
	x, _ := strconv.Atoi(parts[0])
	y, _ := strconv.Atoi(parts[1])
	return x < major || x == major && y < minor
}

// writeOnlyConfig passes woSecret as a write-only variable; the command
// proves that the container got it without printing it (nor having it in
// one piece: the command is in the state).
// The value comes from an ephemeral variable (TF_VAR_wo_secret), as a
// secret would: a literal would be in the plan's configuration.
func (w *world) writeOnlyConfig(version string, woVersion int) string {
	return w.run(version, []string{"sh", "-c", `test "$WO_SECRET" = "$(printf %s%s ` + woSecret[:10] + " " + woSecret[10:] + `)" && echo wo-ok`},
		containerArgs(`environment_wo = { WO_SECRET = var.wo_secret }`, "environment_wo_version = "+strconv.Itoa(woVersion))) + `
variable "wo_secret" {
  type      = string
  ephemeral = true
}
`
}

// TestAccCLI_writeOnlyEnvironment: container.environment_wo reaches the
// migration (Terraform 1.11 and later) and never the plan or the state;
// environment_wo_version re-runs it. An older Terraform gets a clear error.
func TestAccCLI_writeOnlyEnvironment(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newCLI(t)
	c.Env = append(c.Env, "TF_VAR_wo_secret="+woSecret)
	if versionBelow(terraformUnderTestVersion(t), 1, 11) {
		c.write(w.run("v1", okCommand, containerArgs(`environment_wo = { WO_SECRET = "x" }`)))
		out, err := c.run("plan", "-input=false", "-no-color")
		if err == nil || !words("WriteOnly Attribute Not Allowed", "container.environment_wo", "only supported in Terraform 1.11 and later").MatchString(out) {
			t.Errorf("a write-only environment on Terraform %s: %v\n%s", terraformUnderTestVersion(t), err, out)
		}
		t.Skipf("Terraform %s has no write-only attributes (1.11 and later): checked that it says so", terraformUnderTestVersion(t))
	}
	c.write(w.writeOnlyConfig("v1", 1))
	if _, err := c.run("plan", "-input=false", "-no-color", "-out=tfplan"); err != nil {
		t.Fatal(err)
	}
	plan, err := c.Command("show", "-json", "tfplan").Output()
	if err != nil {
		t.Fatal(err)
	}
	if i := strings.Index(string(plan), woSecret); i >= 0 {
		t.Errorf("the write-only value is in the plan JSON: %s", string(plan)[max(0, i-300):i+50])
	}
	if out, err := c.run("apply", "-input=false", "-no-color", "tfplan"); err != nil || !strings.Contains(out, "wo-ok") {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	for _, file := range []string{"terraform.tfstate", "tfplan"} {
		raw, err := os.ReadFile(c.Path + "/" + file)
		if err != nil {
			t.Fatal(err)
		}
		if i := strings.Index(string(raw), woSecret); i >= 0 {
			t.Errorf("the write-only value is in %s: %s", file, string(raw)[max(0, i-400):i+50])
		}
	}
	if _, changes := c.planJSON(); changes {
		t.Error("the plan after the apply is not empty")
	}
	c.write(w.writeOnlyConfig("v1", 2))
	c.apply("environment_wo_version 2")
	if n := w.migrationTasks(); n != 2 {
		t.Errorf("%d migrations ran, want 2 (a new environment_wo_version re-runs)", n)
	}
}
