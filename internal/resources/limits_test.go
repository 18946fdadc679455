package resources_test

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestAccRun_awsLimits: inputs AWS would refuse fail at plan, with their own
// message.
func TestAccRun_awsLimits(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{Config: w.run("", okCommand), PlanOnly: true, ExpectError: words("version_label", "string length must be between 1 and 100")},
			{Config: w.run(strings.Repeat("v", 101), okCommand), PlanOnly: true, ExpectError: words("version_label", "string length must be between 1 and 100")},
			{Config: w.run("v1", []string{"sh", "-c", strings.Repeat("x", 70000)}), PlanOnly: true, ExpectError: words("Command Too Long", "64 KiB", "script in the image")},
		},
	})
	if n := w.migrationTasks(); n != 0 {
		t.Errorf("%d tasks ran", n)
	}
}
