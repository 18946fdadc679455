package resources_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

const cacheAddr = "ebmigrate_run.cache"

// familyRevisions are the ACTIVE revisions of one task definition family.
func (w *world) familyRevisions(family string) []string {
	out, err := w.ecs.ListTaskDefinitions(w.ctx(), &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(family), Status: ecstypes.TaskDefinitionStatusActive})
	if err != nil {
		w.t.Fatal(err)
	}
	var arns []string
	for _, arn := range out.TaskDefinitionArns {
		if strings.Contains(arn, "task-definition/"+family+":") {
			arns = append(arns, arn)
		}
	}
	return arns
}

// twoRuns is the default migration and a named one (createcachetable) of
// the fixture environment; without cache, the default only.
func (w *world) twoRuns(version string, cache bool) string {
	config := w.run(version, []string{"sh", "-c", "sleep 1; echo migrated " + version})
	if cache {
		config += fmt.Sprintf(`
resource "ebmigrate_run" "cache" {
  environment_name = %q
  name             = "createcachetable"
  version_label    = %q
  command          = ["sh", "-c", "sleep 1; echo created cache table"]
}
`, localaws.FixtureEnv, version)
	}
	return config
}

// TestAccRun_severalPerEnvironment: two ebmigrate_run for one environment
// have their own family, id and import address; they never run at the same
// time (the guard is the environment's); destroying one leaves the other's
// revisions alone.
func TestAccRun_severalPerEnvironment(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	defaultFamily, cacheFamily := "ebmigrate-"+localaws.FixtureEnv, "ebmigrate-"+localaws.FixtureEnv+"_createcachetable"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: w.twoRuns("v1", true),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(localaws.FixtureEnv)),
					statecheck.ExpectKnownValue(cacheAddr, tfjsonpath.New("id"), knownvalue.StringExact(localaws.FixtureEnv+"/createcachetable")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("task_definition_arn"), knownvalue.StringRegexp(regexpOf(`:task-definition/`+defaultFamily+`:1$`))),
					statecheck.ExpectKnownValue(cacheAddr, tfjsonpath.New("last_run").AtMapKey("task_definition_arn"), knownvalue.StringRegexp(regexpOf(`:task-definition/`+cacheFamily+`:1$`))),
				},
				Check: func(*terraform.State) error {
					if ran, overlaps := w.overlaps(); ran != 2 || len(overlaps) > 0 {
						return fmt.Errorf("%d migrations ran, overlapping: %v", ran, overlaps)
					}
					return nil
				},
			},
			{
				// Import by <environment>/<name>.
				Config: w.twoRuns("v1", true), ResourceName: cacheAddr, ImportState: true,
				ImportStateId: localaws.FixtureEnv + "/createcachetable",
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].Attributes["name"] != "createcachetable" || states[0].Attributes["id"] != localaws.FixtureEnv+"/createcachetable" {
						return fmt.Errorf("imported %+v", states)
					}
					return nil
				},
			},
			{
				Config: w.twoRuns("v1", false),
				Check: func(*terraform.State) error {
					if got := w.familyRevisions(cacheFamily); len(got) != 0 {
						return fmt.Errorf("destroying ebmigrate_run.cache left %v", got)
					}
					if got := w.familyRevisions(defaultFamily); len(got) != 1 {
						return fmt.Errorf("destroying ebmigrate_run.cache left the default family with %v, want its one revision", got)
					}
					return nil
				},
			},
		},
	})
}
