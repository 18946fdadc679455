package resources_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/tfcli"
)

// newIdentityCLI is a working directory on a Terraform with resource
// identities (1.12 and later): EBMIGRATE_TF114, else TF_ACC_TERRAFORM_PATH
// when it is one; otherwise the test skips, saying why.
func newIdentityCLI(t *testing.T) *cli {
	t.Helper()
	bin := os.Getenv("EBMIGRATE_TF114")
	if bin == "" {
		bin = os.Getenv("TF_ACC_TERRAFORM_PATH")
		if v := terraformUnderTestVersion(t); bin == "" || versionBelow(v, 1, 12) {
			t.Skipf("resource identities need Terraform 1.12 or later; TF_ACC_TERRAFORM_PATH is %s: set EBMIGRATE_TF114 (make testacc114 does)", v)
		}
	}
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 and EBMIGRATE_TF114 to run the identity tests")
	}
	d, err := tfcli.New(bin, buildProvider(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &cli{t: t, Dir: d}
}

// TestAccCLI_identity: ebmigrate_run's identity (environment_name and name)
// is in `terraform providers schema -json`, every applied resource carries
// it in `terraform show -json`, and `import { identity = {...} }` adopts
// the environment's migration of that name, running nothing.
func TestAccCLI_identity(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newIdentityCLI(t)
	c.write(w.run("v1", okCommand, `name = "cache"`))
	raw, err := c.Command("providers", "schema", "-json").Output()
	if err != nil {
		t.Fatalf("providers schema -json: %v", err)
	}
	var schemas struct {
		Providers map[string]struct {
			Identities map[string]struct {
				Attributes map[string]struct {
					RequiredForImport bool `json:"required_for_import"`
					OptionalForImport bool `json:"optional_for_import"`
				} `json:"attributes"`
			} `json:"resource_identity_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal(raw, &schemas); err != nil {
		t.Fatal(err)
	}
	id := schemas.Providers["registry.terraform.io/ebmigrate/ebmigrate"].Identities["ebmigrate_run"].Attributes
	if !id["environment_name"].RequiredForImport || !id["name"].OptionalForImport || len(id) != 2 {
		t.Errorf("ebmigrate_run's identity schema: %+v", id)
	}

	c.apply("a named migration")
	if got := c.identity("ebmigrate_run.migrate"); got["environment_name"] != localaws.FixtureEnv || got["name"] != "cache" {
		t.Errorf("identity after apply: %v", got)
	}

	// Import by identity into a new working directory: the state records the
	// deployed version as migrated; nothing runs.
	tasks := w.migrationTasks()
	imp := newIdentityCLI(t)
	imp.write(w.run("v1", okCommand, `name = "cache"`) + fmt.Sprintf(`
import {
  to = ebmigrate_run.migrate
  identity = {
    environment_name = %q
    name             = "cache"
  }
}
`, localaws.FixtureEnv))
	out := imp.apply("import by identity")
	if !strings.Contains(out, "1 imported") {
		t.Errorf("the apply did not import:\n%s", out)
	}
	values, _ := imp.stateResource()
	if values["id"] != localaws.FixtureEnv+"/cache" || values["version_label"] != "v1" {
		t.Errorf("imported state: %v", values)
	}
	if strings.Contains(out, "Imported Migration Never Ran Here") {
		t.Errorf("the import warns that a migration that ran never ran:\n%s", out)
	}
	if n := w.migrationTasks(); n != tasks {
		t.Errorf("the import ran %d migrations", n-tasks)
	}
}

// TestAccCLI_importNeverRan: importing a name no migration ever ran for
// (no revision of its family) records the deployed version as migrated, as
// adopting does, and says so, with what to do if the migration never ran.
func TestAccCLI_importNeverRan(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newCLI(t)
	c.write(w.run("v1", okCommand, `name = "reports"`))
	out, err := c.run("import", "-no-color", "ebmigrate_run.migrate", localaws.FixtureEnv+"/reports")
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, part := range []string{"Imported Migration Never Ran Here", "No task definition of family ebmigrate-myapp-prod_reports exists", "records the deployed version (v1) as migrated", "terraform state rm"} {
		if !strings.Contains(flat, part) {
			t.Errorf("the import does not say %q:\n%s", part, out)
		}
	}
	if n := w.migrationTasks(); n != 0 {
		t.Errorf("the import ran %d migrations", n)
	}
}

// identity is a resource's identity in terraform show -json.
func (c *cli) identity(address string) map[string]any {
	c.t.Helper()
	raw, err := c.Command("show", "-json").Output()
	if err != nil {
		c.t.Fatalf("show -json: %v", err)
	}
	var state struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address  string         `json:"address"`
					Identity map[string]any `json:"identity"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal(raw, &state); err != nil {
		c.t.Fatal(err)
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Address == address {
			return r.Identity
		}
	}
	return nil
}
