package resources_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// TestAccCLI_upgradeFromV0: state written by the released providers of
// schema versions 0 and 1 (testdata/v0-*.tfstate: main before the nested
// attributes; testdata/v1-*.tfstate: main before 1.0's timeouts; each
// applied with Terraform 1.11.4 against localaws's fixture environment)
// upgrades to the current version with the configuration rewritten to the
// new names, and the plan is empty (terraform plan -detailed-exitcode is 0;
// before Terraform 1.11, an update that changes no value, only sensitivity
// marks: the moved environment's for version 0, and for version 1 those
// Terraform 1.11 recorded on nested attributes, which Terraform 1.5.7 plans
// as an update with the released version 1 provider too): nothing runs. The run's
// results are in last_run, and the id and family stay the environment's.
// v0-empty has what version 0 accepted as "the default" and later versions
// refuse (platform_version = "", subnets = [], security_groups = []), with
// the empty maps and lists that stay allowed.
func TestAccCLI_upgradeFromV0(t *testing.T) {
	t.Parallel()
	settings := []string{
		containerArgs(`name = "web"`, `environment = { FEATURE = "on" }`, "cpu = 256", "memory_reservation = 384"),
		`triggers = { schema = "7" }`,
		`tags = { team = "data" }`,
		logsArgs("lines = 10", "retention_in_days = 30"),
		taskArgs("keep_revisions = 3", `placement_strategy = [{ type = "binpack", field = "memory" }]`, `placement_constraints = [{ type = "distinctInstance" }]`,
			`start_timeout = "5m"`, "stop_on_timeout = true"),
		timeoutsArgs(`create = "45m"`),
		reviewArgs(`destructive_changes = "deny"`, `allow_destructive = ["shop.0003_remove_product_sku"]`),
	}
	for _, tc := range []struct {
		fixture string
		extra   []string
		seed    []func(*localaws.Seed)
	}{
		{"v0-default", nil, nil},
		{"v0-settings", settings, nil},
		{"v0-empty", []string{
			containerArgs("environment = {}"), "triggers = {}", "tags = {}",
			taskArgs(`launch_type = "FARGATE"`, executionRole),
			reviewArgs("pending = []", "allow_destructive = []", "operations = {}"),
		}, []func(*localaws.Seed){localaws.WithoutHostVolume}},
		{"v1-default", nil, nil},
		{"v1-settings", settings, nil},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, tc.seed...)
			c := newCLI(t)
			raw, err := os.ReadFile(filepath.Join("testdata", tc.fixture+".tfstate"))
			if err != nil {
				t.Fatal(err)
			}
			if version := tc.fixture[1:2]; !strings.Contains(string(raw), `"schema_version": `+version) {
				t.Fatalf("%s is not state of schema version %s", tc.fixture, version)
			}
			if err := os.WriteFile(filepath.Join(c.Path, "terraform.tfstate"), raw, 0o600); err != nil {
				t.Fatal(err)
			}
			c.write(w.run("v1", okCommand, tc.extra...))
			out, err := c.run("plan", "-detailed-exitcode", "-input=false", "-no-color")
			var exit *exec.ExitError
			if errors.As(err, &exit) && exit.ExitCode() == 2 {
				// Terraform before 1.11 (seen on 1.5.7) plans an update when
				// only the state's sensitivity marks change: version 0 marked
				// the top-level environment, which moved into container. The
				// values must be the same, and the apply runs nothing.
				before, after := c.planChange()
				if !versionBelow(terraformUnderTestVersion(t), 1, 11) || before != after {
					t.Fatalf("the plan after the upgrade is not empty:\n%s\nbefore: %s\nafter:  %s", out, before, after)
				}
			} else if err != nil {
				t.Fatalf("plan after the upgrade: %v\n%s", err, out)
			}
			c.apply("apply after the upgrade")
			if out, err := c.run("plan", "-detailed-exitcode", "-input=false", "-no-color"); err != nil {
				t.Errorf("the plan after the first apply after the upgrade is not empty: %v\n%s", err, out)
			}
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
			if timeouts, _ := values["timeouts"].(map[string]any); timeouts != nil && (timeouts["start"] != nil || timeouts["stop_on_timeout"] != nil) {
				t.Errorf("timeouts still holds start or stop_on_timeout: %v", timeouts)
			}
			if n := w.migrationTasks(); n != 0 {
				t.Errorf("%d migrations ran after the upgrade", n)
			}
		})
	}
}

// planChange is ebmigrate_run.migrate's change in a saved plan, before and
// after, as JSON: what a plan that should be empty changes.
func (c *cli) planChange() (before, after string) {
	c.t.Helper()
	if out, err := c.run("plan", "-input=false", "-no-color", "-out=tfplan"); err != nil {
		c.t.Fatalf("plan -out: %v\n%s", err, out)
	}
	raw, err := c.Command("show", "-json", "tfplan").Output()
	if err != nil {
		c.t.Fatalf("show -json: %v", err)
	}
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Before json.RawMessage `json:"before"`
				After  json.RawMessage `json:"after"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal(raw, &plan); err != nil {
		c.t.Fatal(err)
	}
	for _, rc := range plan.ResourceChanges {
		if rc.Address == "ebmigrate_run.migrate" {
			return string(rc.Change.Before), string(rc.Change.After)
		}
	}
	return "", ""
}
