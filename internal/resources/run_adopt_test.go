package resources_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// adoptedConfig configures everything an import cannot know.
func (w *world) adoptedConfig(version string) string {
	return w.run(version, okCommand, containerArgs(`name = "web"`, `environment = { FEATURE = "on" }`), `triggers = { schema = "7" }`)
}

// TestAccRun_importAdoptsConfiguration: after terraform import, an apply
// with the imported version runs nothing whatever command, container,
// environment and triggers are configured, and the plan after it is empty;
// a later change of them runs the migration again.
func TestAccRun_importAdoptsConfiguration(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: w.adoptedConfig("v1"), ResourceName: addr, ImportState: true,
				ImportStateId: localaws.FixtureEnv, ImportStatePersist: true,
			},
			{
				Config: w.adoptedConfig("v1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				Check: w.expectMigrationTasks(0),
			},
			{
				Config:           w.adoptedConfig("v1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            w.expectMigrationTasks(0),
			},
			{
				Config: w.run("v1", []string{"sh", "-c", "echo changed"}, containerArgs(`name = "web"`, `environment = { FEATURE = "on" }`), `triggers = { schema = "7" }`),
				Check:  w.expectMigrationTasks(1),
			},
		},
	})
}

// TestAccRun_importBlockAdoptsConfiguration: the same with an import {} block.
func TestAccRun_importBlockAdoptsConfiguration(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	config := w.adoptedConfig("v1") + fmt.Sprintf("\nimport {\n  to = ebmigrate_run.migrate\n  id = %q\n}\n", localaws.FixtureEnv)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		Steps: []resource.TestStep{
			{Config: config, Check: w.expectMigrationTasks(0)},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            w.expectMigrationTasks(0),
			},
		},
	})
}

// TestAccCLI_sensitiveCommand: a command value Terraform masks in the diff
// (from a sensitive variable) is not in the plan's warning, nor anywhere in
// what the plan prints.
func TestAccCLI_sensitiveCommand(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newCLI(t)
	const secret = "topsecret-db-url-9f8e7d"
	c.write(w.providerConfig() + fmt.Sprintf(`
variable "migrate_command" {
  type      = string
  sensitive = true
  default   = "DATABASE_URL=postgres://u:%[1]s@db/app ./manage.py migrate"
}

resource "ebmigrate_run" "migrate" {
  environment_name = %[2]q
  version_label    = "v1"
  command          = ["sh", "-c", var.migrate_command]
}
`, secret, localaws.FixtureEnv))
	diags, _ := c.planJSON()
	warnings := runWarnings(diags)
	if len(warnings) != 1 {
		t.Fatalf("warnings %+v", diags)
	}
	if !strings.Contains(warnings[0].Detail, "`sh -c …` (see the command attribute)") {
		t.Errorf("the warning does not name the command by its first words: %s", warnings[0].Detail)
	}
	out, err := c.run("plan", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	for _, text := range []string{warnings[0].Detail, out} {
		if strings.Contains(text, secret) {
			t.Errorf("the sensitive command value is printed:\n%s", text)
		}
	}
}
