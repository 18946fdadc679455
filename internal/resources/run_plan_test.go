package resources_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// mutating are the calls a plan must never make.
var mutating = []string{"ecs:RunTask", "ecs:RegisterTaskDefinition", "ecs:StopTask", "ecs:TagResource",
	"ecs:DeregisterTaskDefinition", "ecs:DeleteTaskDefinitions", "elasticbeanstalk:UpdateEnvironment"}

func (w *world) expectNoMutatingCalls(t *testing.T) func() {
	return func() {
		for _, op := range mutating {
			if n := w.srv.Calls(op); n != 0 {
				t.Errorf("a plan made %d %s calls", n, op)
			}
		}
		w.srv.ResetStats()
	}
}

// TestAccRun_planMakesNoChanges: planning a run (create or a new version)
// makes read-only calls only.
func TestAccRun_planMakesNoChanges(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{PreConfig: w.srv.ResetStats, Config: w.run("v1", okCommand), PlanOnly: true, ExpectNonEmptyPlan: true},
			{PreConfig: w.expectNoMutatingCalls(t), Config: w.run("v1", okCommand)},
			{PreConfig: w.srv.ResetStats, Config: w.run("v2", okCommand), PlanOnly: true, ExpectNonEmptyPlan: true},
			{
				PreConfig: func() {
					if w.srv.Calls("ecs:DescribeTaskDefinition") == 0 {
						t.Error("the plan of a run did not look at the task definition it will derive from")
					}
					w.expectNoMutatingCalls(t)()
				},
				Config: w.run("v2", okCommand),
			},
		},
	})
}

// TestAccRun_import: terraform import adopts an environment without running
// anything, and a plan with its deployed version is then empty.
func TestAccRun_import(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config:             w.run("v1", []string{"./manage.py", "migrate", "--noinput"}),
				ResourceName:       addr,
				ImportState:        true,
				ImportStateId:      localaws.FixtureEnv,
				ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].Attributes["version_label"] != "v1" || states[0].Attributes["environment_id"] != localaws.FixtureEnvID {
						return fmt.Errorf("imported %+v", states)
					}
					return nil
				},
			},
			{
				Config: w.run("v1", []string{"./manage.py", "migrate", "--noinput"}),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: w.expectMigrationTasks(0),
			},
			{
				Config:        w.run("v1", []string{"./manage.py", "migrate", "--noinput"}),
				ResourceName:  addr,
				ImportState:   true,
				ImportStateId: "not an environment",
				ExpectError:   words("Invalid Import ID", "terraform import ebmigrate_run.migrate myapp-prod"),
			},
		},
	})
}

// TestAccRun_importBlock: an import {} block adopts the environment in a
// plain apply, without running anything.
func TestAccRun_importBlock(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	config := w.run("v1", []string{"./manage.py", "migrate", "--noinput"}) + fmt.Sprintf(`
import {
  to = ebmigrate_run.migrate
  id = %q
}
`, localaws.FixtureEnv)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("version_label"), knownvalue.StringExact("v1")),
				},
				Check: w.expectMigrationTasks(0),
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// TestAccRun_environmentReplaced: when the environment is replaced by a new
// one of the same name, refresh drops the resource and the next apply
// migrates the new environment.
func TestAccRun_environmentReplaced(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	replacement := localaws.FixtureSeed(t.TempDir()).Environments[0]
	replacement.ID = "e-new0000001"
	replacement.Cluster = "awseb-myapp-prod-newcluster"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{Config: w.run("v1", okCommand)},
			{
				PreConfig: func() {
					if err := w.srv.TerminateEnvironment(localaws.FixtureEnv); err != nil {
						t.Fatal(err)
					}
					if err := w.srv.AddEnvironment(replacement); err != nil {
						t.Fatal(err)
					}
				},
				Config: w.run("v1", okCommand),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("environment_id"), knownvalue.StringExact("e-new0000001")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("cluster_arn"), knownvalue.StringRegexp(regexpOf(`cluster/awseb-myapp-prod-newcluster$`))),
				},
				Check: w.expectMigrationTasks(2),
			},
		},
	})
}

// TestAccRun_overrides: task.cluster and task.task_definition replace discovery.
func TestAccRun_overrides(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: w.run("v1", okCommand, taskArgs(
				fmt.Sprintf("cluster = %q", localaws.FixtureCluster()),
				fmt.Sprintf("task_definition = %q", localaws.FixtureFamily()+":1"))),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("source_task_definition_arn"), knownvalue.StringRegexp(regexpOf(localaws.FixtureFamily()+`:1$`))),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("task_arn"), knownvalue.NotNull()),
			},
		}},
	})
}
