package resources_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAccAction_writeOnlyEnvironment: the action's container.environment_wo
// takes an ephemeral variable (Terraform 1.14 accepts ephemeral values only
// in write-only action arguments) and keeps it out of the saved plan
// (terraform show -json), the state and everything Terraform prints, while
// the migration gets it.
func TestAccAction_writeOnlyEnvironment(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newActionCLI(t)
	const secret = "wo-s3cret-8c1f27"
	// The migration prints the value's SHA-256, never the value.
	const digest = "3b0653d4ee1f691f94a79c6f9eb5c804efcc7cf181949473b2c7cebebb266d3c"
	c.write(`variable "token" {
  type      = string
  ephemeral = true
}
` + w.migrateAction("", []string{"sh", "-c", `printf %s "$MIGRATION_TOKEN" | sha256sum`},
		"container = {\n      environment_wo = { MIGRATION_TOKEN = var.token }\n    }"))
	out, err := c.run("plan", "-input=false", "-no-color", "-invoke=action.ebmigrate_migrate.x", "-out=tfplan", "-var", "token="+secret)
	if err != nil {
		t.Fatalf("plan -invoke: %v\n%s", err, out)
	}
	shown, err := c.Command("show", "-json", "tfplan").CombinedOutput()
	if err != nil {
		t.Fatalf("show -json tfplan: %v\n%s", err, shown)
	}
	if strings.Contains(out, secret) {
		t.Errorf("the write-only value is in the plan's output:\n%s", out)
	}
	if i := strings.Index(string(shown), secret); i >= 0 {
		t.Errorf("the write-only value is in the saved plan (terraform show -json): …%s…", shown[max(0, i-300):min(len(shown), i+100)])
	}
	applied, err := c.run("apply", "-input=false", "-no-color", "-var", "token="+secret, "tfplan")
	if err != nil {
		t.Fatalf("apply of the saved plan: %v\n%s", err, applied)
	}
	if !strings.Contains(applied, digest) {
		t.Errorf("the migration did not get the write-only value:\n%s", applied)
	}
	if strings.Contains(applied, secret) {
		t.Errorf("the write-only value is in the apply's output:\n%s", applied)
	}
	if raw, err := os.ReadFile(filepath.Join(c.Path, "terraform.tfstate")); err == nil && strings.Contains(string(raw), secret) {
		t.Errorf("the write-only value is in the state")
	}
	if n := w.migrationTasks(); n != 1 {
		t.Errorf("%d migrations ran, want 1", n)
	}
}
