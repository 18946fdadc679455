package resources_test

import (
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// TestAccCLI_placementTypeKnownAfterApply: a placement constraint or
// strategy whose type is known only after apply is checked at apply, not
// at plan as an empty type; at apply a wrong type is refused by name.
func TestAccCLI_placementTypeKnownAfterApply(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newCLI(t)
	first, second := localaws.FixtureInstanceID(0), localaws.FixtureInstanceID(1)
	config := func(constraint, strategy string) string {
		return w.run("v1", okCommand, taskArgs(`placement_constraints = [{
      type       = terraform_data.placement.output.constraint
      expression = "ec2InstanceId != `+first+`"
    }]`, `placement_strategy = [{
      type  = terraform_data.placement.output.strategy
      field = "memory"
    }]`)) + `
resource "terraform_data" "placement" {
  input = { constraint = "` + constraint + `", strategy = "` + strategy + `" }
}
`
	}
	c.write(config("memberOf", "binpack"))
	diags, _ := c.planJSON()
	for _, d := range diags {
		if d.Severity == "error" || strings.Contains(d.Detail, `type ""`) || strings.Contains(d.Detail, "is not one of") {
			t.Errorf("the plan checked a type known only after apply: %s: %s", d.Summary, d.Detail)
		}
	}
	c.apply("apply")
	ti := w.lastMigration()
	if ti.EC2InstanceID != second || len(ti.PlacementConstraints) != 1 || ti.PlacementConstraints[0].Type != "memberOf" ||
		len(ti.PlacementStrategy) != 1 || ti.PlacementStrategy[0].Type != "binpack" {
		t.Errorf("the task ran on %s with constraints %+v and strategy %+v", ti.EC2InstanceID, ti.PlacementConstraints, ti.PlacementStrategy)
	}
	// A wrong type, known only after apply, is refused by name at apply.
	c.write(config("memberOf", "binpak"))
	before := w.migrationTasks()
	if out, err := c.run("apply", "-auto-approve", "-input=false", "-no-color", "-replace=terraform_data.placement"); err == nil || !strings.Contains(out, `"binpak"`) {
		t.Errorf("apply with placement_strategy type binpak: %v\n%s", err, out)
	}
	if n := w.migrationTasks() - before; n != 0 {
		t.Errorf("%d tasks ran with a wrong placement type", n)
	}
}
