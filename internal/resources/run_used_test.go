package resources_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// TestAccRun_usedApartFromAsked: container and logs stay what the
// configuration asks (null when unset), last_run says what ran; the plan after the apply is empty; asking
// for what the last run used updates the state without running; there is
// no exit_code; id is the environment name.
func TestAccRun_usedApartFromAsked(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	defaultGroup := "/aws/elasticbeanstalk/" + localaws.FixtureEnv + "/ebmigrate"
	asked := containerArgs(`name = "web"`, `image = "example/app:v1"`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: w.run("v1", okCommand),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("container"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("logs").AtMapKey("group"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("container"), knownvalue.StringExact("web")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("image"), knownvalue.StringExact("example/app:v1")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("log_group"), knownvalue.StringExact(defaultGroup)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("image_source"), knownvalue.StringExact("the deployed task definition "+localaws.FixtureFamily()+":1")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(localaws.FixtureEnv)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("environment_id"), knownvalue.StringExact(localaws.FixtureEnvID)),
				},
				Check: func(s *terraform.State) error {
					if v, ok := s.RootModule().Resources[addr].Primary.Attributes["exit_code"]; ok {
						return fmt.Errorf("exit_code is still in the state (%q)", v)
					}
					return nil
				},
			},
			{
				Config:           w.run("v1", okCommand),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// Asking for what ran: the state records the request, nothing runs.
				Config: w.run("v1", okCommand, asked),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("task_arn"), knownvalue.NotNull()),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("container").AtMapKey("name"), knownvalue.StringExact("web")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("container").AtMapKey("image"), knownvalue.StringExact("example/app:v1")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("container"), knownvalue.StringExact("web")),
				},
				Check: w.expectMigrationTasks(1),
			},
			{
				Config:           w.run("v1", okCommand, asked),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// Another image runs: the plan has what the configuration asks
				// for, and the results are known after apply (nothing from AWS
				// is claimed at plan).
				Config: w.run("v1", okCommand, containerArgs(`name = "web"`, `image = "example/app:v2"`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("container").AtMapKey("image"), knownvalue.StringExact("example/app:v2")),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("last_run")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("image"), knownvalue.StringExact("example/app:v2")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("image_source"), knownvalue.StringExact("the image argument")),
				},
				Check: w.expectMigrationTasks(2),
			},
			{
				// Back to the defaults: no run, the results stay.
				Config: w.run("v1", okCommand),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("container"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("image"), knownvalue.StringExact("example/app:v2")),
				},
				Check: w.expectMigrationTasks(2),
			},
		},
	})
}

// TestAccCLI_stateSchemaVersion: Terraform records schema version 1 (the
// nested attributes; 0 was the flat schema) and reads the state back
// (UpgradeResourceState at the same version) into an empty plan.
// TestRunSchemaVersionAndUpgraders checks the schema against
// runSchemaVersion and the upgraders; TestAccCLI_upgradeFromV0 the upgrade.
func TestAccCLI_stateSchemaVersion(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newCLI(t)
	c.write(w.run("v1", okCommand))
	c.apply("apply")
	raw, err := os.ReadFile(filepath.Join(c.Path, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				SchemaVersion *int           `json:"schema_version"`
				Attributes    map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &state); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range state.Resources {
		if r.Type != "ebmigrate_run" {
			continue
		}
		for _, in := range r.Instances {
			found = true
			if in.SchemaVersion == nil || *in.SchemaVersion != 2 {
				t.Errorf("schema_version = %v, want 2", in.SchemaVersion)
			}
			lastRun, _ := in.Attributes["last_run"].(map[string]any)
			if lastRun["container"] != "web" || in.Attributes["id"] != localaws.FixtureEnv {
				t.Errorf("attributes = %v", in.Attributes)
			}
		}
	}
	if !found {
		t.Fatalf("no ebmigrate_run in the state:\n%s", raw)
	}
	if out, err := c.run("plan", "-detailed-exitcode", "-input=false", "-no-color"); err != nil {
		t.Errorf("the plan after the apply is not empty: %v\n%s", err, out)
	}
}
