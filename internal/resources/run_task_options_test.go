package resources_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

const taskRole = `task_role_arn = "arn:aws:iam::123456789012:role/migrate"`

// ranTasks checks how many migration tasks localaws ran.
func (w *world) ranTasks(want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := w.migrationTasks(); n != want {
			return fmt.Errorf("%d migration tasks ran, want %d", n, want)
		}
		return nil
	}
}

// TestAccRun_enableExecuteCommand: RunTask gets enableExecuteCommand, and
// turning it off again changes how the next run runs, not whether one runs.
func TestAccRun_enableExecuteCommand(t *testing.T) {
	t.Parallel()
	w := newFriendlyWorld(t) // its task definition has a task role
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: w.run("v1", okCommand, taskArgs("enable_execute_command = true")),
				Check: resource.ComposeTestCheckFunc(w.ranTasks(1), func(*terraform.State) error {
					if !w.lastMigration().EnableExecuteCommand {
						return fmt.Errorf("the migration task ran without enableExecuteCommand")
					}
					return nil
				}),
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(addr, tfjsonpath.New("task").AtMapKey("enable_execute_command"), knownvalue.Bool(true))},
			},
			{
				Config:           w.run("v1", okCommand),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}},
				Check:            w.ranTasks(1),
			},
			{
				Config: w.run("v2", okCommand),
				Check: resource.ComposeTestCheckFunc(w.ranTasks(2), func(*terraform.State) error {
					if w.lastMigration().EnableExecuteCommand {
						return fmt.Errorf("the migration task ran with enableExecuteCommand, which is off")
					}
					return nil
				}),
			},
		},
	})
}

// TestAccRun_enableExecuteCommandNeedsTaskRole: ECS refuses ECS Exec without
// a task role; the apply says what to set before anything runs.
func TestAccRun_enableExecuteCommandNeedsTaskRole(t *testing.T) {
	t.Parallel()
	w := newWorld(t) // EB's stock task definition has no task role
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config:      w.run("v1", okCommand, taskArgs("enable_execute_command = true")),
				ExpectError: words("Task Role Required For ECS Exec", "task.task_role_arn", "ssmmessages:CreateControlChannel"),
			},
			{
				Config: w.run("v1", okCommand, taskArgs("enable_execute_command = true", taskRole)),
				Check: resource.ComposeTestCheckFunc(w.ranTasks(1), func(*terraform.State) error {
					if !w.lastMigration().EnableExecuteCommand {
						return fmt.Errorf("the migration task ran without enableExecuteCommand")
					}
					return nil
				}),
			},
		},
	})
}

const memberOfFirstExcluded = `{
      type       = "memberOf"
      expression = "ec2InstanceId != %s"
    }`

// TestAccRun_placement: the constraints and strategy reach RunTask, the
// memberOf constraint decides the instance, and a change of them does not
// re-run the migration.
func TestAccRun_placement(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	on := func(instance string, strategies int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			ti := w.lastMigration()
			if ti.EC2InstanceID != instance || len(ti.PlacementStrategy) != strategies {
				return fmt.Errorf("the task ran on %s with strategy %+v and constraints %+v; want %s and %d rules", ti.EC2InstanceID, ti.PlacementStrategy, ti.PlacementConstraints, instance, strategies)
			}
			return nil
		}
	}
	first, second := localaws.FixtureInstanceID(0), localaws.FixtureInstanceID(1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: w.run("v1", okCommand, taskArgs("placement_constraints = ["+fmt.Sprintf(memberOfFirstExcluded, first)+`, { type = "distinctInstance" }]`, `placement_strategy = [
      { type = "spread", field = "attribute:ecs.availability-zone" },
      { type = "binpack", field = "memory" },
    ]`)),
				Check: resource.ComposeTestCheckFunc(w.ranTasks(1), on(second, 2), func(*terraform.State) error {
					cs := w.lastMigration().PlacementConstraints
					if len(cs) != 2 || cs[0].Type != "memberOf" || cs[0].Expression != "ec2InstanceId != "+first || cs[1].Type != "distinctInstance" {
						return fmt.Errorf("constraints %+v", cs)
					}
					return nil
				}),
			},
			{
				Config:           w.run("v1", okCommand, taskArgs("placement_constraints = ["+fmt.Sprintf(memberOfFirstExcluded, second)+"]")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}},
				Check:            w.ranTasks(1),
			},
			{
				Config: w.run("v2", okCommand, taskArgs("placement_constraints = ["+fmt.Sprintf(memberOfFirstExcluded, second)+"]")),
				Check:  resource.ComposeTestCheckFunc(w.ranTasks(2), on(first, 0)),
			},
		},
	})
}

// TestAccRun_placementUnsatisfied: a memberOf constraint that excludes
// every instance fails the apply naming it, and nothing runs.
func TestAccRun_placementUnsatisfied(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	expr := fmt.Sprintf("ec2InstanceId not_in [%s, %s]", localaws.FixtureInstanceID(0), localaws.FixtureInstanceID(1))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: w.run("v1", okCommand, taskArgs(fmt.Sprintf(`placement_constraints = [{
      type       = "memberOf"
      expression = %q
    }]`, expr))),
			ExpectError: words("Migration Task Not Placed", "MemberOf placement constraint unsatisfied.", "memberOf", expr, "list-container-instances --cluster "+localaws.FixtureCluster()),
		}},
	})
	if n := w.migrationTasks(); n != 0 {
		t.Errorf("%d tasks ran", n)
	}
}

// TestAccRun_placementValidation: each rule of botocore's ecs model and the
// ECS guide fails the plan, naming the argument.
func TestAccRun_placementValidation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	repeat := func(name, object string, n int) string {
		return name + " = [" + strings.TrimSuffix(strings.Repeat(object+", ", n), ", ") + "]"
	}
	distinct := `placement_constraints = [{ type = "distinctInstance" }]`
	random := `placement_strategy = [{ type = "random" }]`
	var steps []resource.TestStep
	for _, tc := range []struct {
		extra []string
		want  []string
	}{
		{[]string{`placement_constraints = [{ type = "memberOf" }]`}, []string{"Invalid Placement Constraint", "memberOf constraint needs an expression"}},
		{[]string{`placement_constraints = [{ type = "distinctInstance", expression = "ec2InstanceId != i-0" }]`}, []string{"Invalid Placement Constraint", "distinctInstance constraint takes no expression"}},
		{[]string{`placement_constraints = [{ type = "sameInstance" }]`}, []string{"placement_constraints", "value must be one of"}},
		{[]string{repeat("placement_constraints", `{ type = "distinctInstance" }`, 11)}, []string{"placement_constraints", "at most 10"}},
		{[]string{repeat("placement_strategy", `{ type = "random" }`, 6)}, []string{"placement_strategy", "at most 5"}},
		{[]string{`placement_strategy = [{ type = "binpack", field = "disk" }]`}, []string{"Invalid Placement Strategy", "binpack strategy's field is cpu or memory"}},
		{[]string{`placement_strategy = [{ type = "spread" }]`}, []string{"Invalid Placement Strategy", "spread strategy's field is instanceId, host"}},
		{[]string{`placement_strategy = [{ type = "random", field = "cpu" }]`}, []string{"Invalid Placement Strategy", "random strategy takes no field"}},
		{[]string{`placement_strategy = [{ type = "sideways" }]`}, []string{"placement_strategy", "value must be one of"}},
		{[]string{`launch_type = "FARGATE"`, distinct}, []string{"Not Possible On Fargate", "task.placement_constraints", `task.launch_type = "EC2"`}},
		{[]string{`capacity_provider_strategy = [{ capacity_provider = "FARGATE_SPOT", weight = 1 }]`, random}, []string{"Not Possible On Fargate", "placement_strategy"}},
	} {
		steps = append(steps, resource.TestStep{Config: w.run("v1", okCommand, taskArgs(tc.extra...)), PlanOnly: true, ExpectError: words(tc.want...)})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: factories, Steps: steps})
	if n := w.srv.Calls("ecs:RunTask"); n != 0 {
		t.Errorf("%d RunTask calls", n)
	}
}

// TestAccCLI_executeCommandPlan: the plan says how to open a shell in the
// migration while it runs, and warns, checked at apply, when there is no
// task role.
func TestAccCLI_executeCommandPlan(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newCLI(t)
	c.write(w.run("v1", okCommand, taskArgs("enable_execute_command = true")))
	diags, _ := c.planJSON()
	if ws := runWarnings(diags); len(ws) != 1 || !strings.Contains(ws[0].Detail, "Checked at apply") || !strings.Contains(ws[0].Detail, "Task Role Required For ECS Exec") {
		t.Errorf("the plan did not warn of the missing task role: %+v", diags)
	}
	if out, err := c.run("apply", "-auto-approve", "-input=false", "-no-color"); err == nil || !strings.Contains(out, "Task Role Required For ECS Exec") {
		t.Errorf("apply without a task role: %v\n%s", err, out)
	}
	if n := w.migrationTasks(); n != 0 {
		t.Errorf("%d tasks ran", n)
	}
	// A task role this apply creates is no missing role.
	c.write(w.run("v1", okCommand, taskArgs("enable_execute_command = true", "task_role_arn = terraform_data.role.output")) + `
resource "terraform_data" "role" {
  input = "arn:aws:iam::123456789012:role/migrate"
}
`)
	diags, _ = c.planJSON()
	if ws := runWarnings(diags); len(ws) != 1 || strings.Contains(ws[0].Detail, "Task Role Required") || !strings.Contains(ws[0].Detail, "ECS Exec is on") {
		t.Errorf("a plan with a task role known after apply: %+v", diags)
	}
	c.write(w.run("v1", okCommand, taskArgs("enable_execute_command = true", taskRole)))
	diags, _ = c.planJSON()
	want := fmt.Sprintf("ECS Exec is on: while the migration runs, open a shell in it with aws ecs execute-command --region us-east-1 --cluster %[1]s --task $(aws ecs list-tasks --region us-east-1 --cluster %[1]s --started-by ebmigrate-%[2]s --query 'taskArns[0]' --output text) --container web --interactive --command /bin/sh",
		localaws.FixtureCluster(), localaws.FixtureEnvID)
	if ws := runWarnings(diags); len(ws) != 1 || !strings.Contains(ws[0].Detail, want) || strings.Contains(ws[0].Detail, "Checked at apply") {
		t.Errorf("plan warnings %+v\nwant one that says %s", diags, want)
	}
}
