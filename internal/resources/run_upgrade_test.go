package resources_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAccCLI_upgradeFromV0: state written by the provider of schema version
// 0 (testdata/v0-*.tfstate: main before the nested attributes, applied with
// Terraform against localaws's fixture environment) upgrades to version 1
// with the configuration rewritten to the new names, and the plan is empty
// (terraform plan -detailed-exitcode is 0): nothing runs. The run's results
// are in last_run, and the id and family stay the environment's.
func TestAccCLI_upgradeFromV0(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		fixture string
		extra   []string
	}{
		{"v0-default", nil},
		{"v0-settings", []string{
			containerArgs(`name = "web"`, `environment = { FEATURE = "on" }`, "cpu = 256", "memory_reservation = 384"),
			`triggers = { schema = "7" }`,
			`tags = { team = "data" }`,
			logsArgs("lines = 10", "retention_in_days = 30"),
			taskArgs("keep_revisions = 3", `placement_strategy = [{ type = "binpack", field = "memory" }]`, `placement_constraints = [{ type = "distinctInstance" }]`),
			timeoutsArgs(`create = "45m"`, `start = "5m"`, "stop_on_timeout = true"),
			reviewArgs(`destructive_changes = "deny"`, `allow_destructive = ["shop.0003_remove_product_sku"]`),
		}},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			c := newCLI(t)
			raw, err := os.ReadFile(filepath.Join("testdata", tc.fixture+".tfstate"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(raw), `"schema_version": 0`) {
				t.Fatalf("%s is not state of schema version 0", tc.fixture)
			}
			if err := os.WriteFile(filepath.Join(c.Path, "terraform.tfstate"), raw, 0o600); err != nil {
				t.Fatal(err)
			}
			c.write(w.run("v1", okCommand, tc.extra...))
			out, err := c.run("plan", "-detailed-exitcode", "-input=false", "-no-color")
			var exit *exec.ExitError
			if errors.As(err, &exit) && exit.ExitCode() == 2 || err != nil {
				t.Fatalf("the plan after the upgrade is not empty (%v):\n%s", err, out)
			}
			c.apply("apply after the upgrade")
			values, _ := c.stateResource()
			lastRun, _ := values["last_run"].(map[string]any)
			if values["name"] != "migrate" || values["id"] != "myapp-prod" || lastRun == nil ||
				!strings.Contains(lastRun["task_arn"].(string), ":task/") || lastRun["container"] != "web" {
				t.Errorf("upgraded state: %v", values)
			}
			for _, gone := range []string{"planned_image", "container_used", "log_lines", "start_timeout"} {
				if _, ok := values[gone]; ok {
					t.Errorf("%s is still in the upgraded state", gone)
				}
			}
			if n := w.migrationTasks(); n != 0 {
				t.Errorf("%d migrations ran after the upgrade", n)
			}
		})
	}
}
