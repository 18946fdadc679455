package resources_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// withFargate associates FARGATE and FARGATE_SPOT with the environment's
// cluster, beside EB's Auto Scaling group provider.
func withFargate(s *localaws.Seed) {
	s.Environments[0].CapacityProviders = []string{localaws.EBCapacityProvider(localaws.FixtureCluster()), "FARGATE", "FARGATE_SPOT"}
}

const executionRole = `execution_role_arn = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"`

// lastMigration is the newest migration task localaws ran.
func (w *world) lastMigration() localaws.TaskInfo {
	var last localaws.TaskInfo
	for _, ti := range w.srv.Stats().Tasks {
		if strings.HasPrefix(ti.StartedBy, "ebmigrate-") {
			last = ti
		}
	}
	return last
}

// TestAccRun_fargate: on Fargate the task gets the environment's own subnets
// and security groups unless network_configuration says otherwise; capacity
// providers work the same way.
func TestAccRun_fargate(t *testing.T) {
	t.Parallel()
	w := newWorld(t, localaws.WithoutHostVolume, withFargate)
	expect := func(launch, subnets, groups string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			ti := w.lastMigration()
			if ti.LaunchType != launch || strings.Join(ti.Subnets, ",") != subnets || strings.Join(ti.SecurityGroups, ",") != groups {
				return fmt.Errorf("task ran with launch type %s, subnets %v, security groups %v; want %s, %s, %s", ti.LaunchType, ti.Subnets, ti.SecurityGroups, launch, subnets, groups)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config:      w.run("v1", okCommand, taskArgs(`launch_type = "EC2"`, `capacity_provider_strategy = [{ capacity_provider = "FARGATE" }]`)),
				PlanOnly:    true,
				ExpectError: words("Conflicting Arguments", "task.launch_type and task.capacity_provider_strategy", "Remove one of them"),
			},
			{
				Config: w.run("v1", okCommand, taskArgs(`launch_type = "FARGATE"`, executionRole)),
				Check:  expect("FARGATE", "subnet-0aaa1111,subnet-0bbb2222", "sg-0ccc3333"),
			},
			{
				Config: w.run("v1", okCommand, taskArgs(`launch_type = "FARGATE"`, executionRole, `network_configuration = {
      subnets          = ["subnet-0ddd4444"]
      assign_public_ip = true
    }`)),
				Check: expect("FARGATE", "subnet-0ddd4444", "sg-0ccc3333"),
			},
			{
				Config: w.run("v1", okCommand, taskArgs(`capacity_provider_strategy = [{
      capacity_provider = "FARGATE_SPOT"
      weight            = 1
    }]`, executionRole), containerArgs("cpu = 512", "memory = 1024")),
				Check: expect("FARGATE", "subnet-0aaa1111,subnet-0bbb2222", "sg-0ccc3333"),
			},
		},
	})
}

// TestAccRun_fargateProblems: what Fargate cannot run fails the apply, before
// anything is registered or run, saying which setting blocks it (the plan
// only warns: the same apply may change the environment).
func TestAccRun_fargateProblems(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	noSubnets := newWorld(t, localaws.WithoutHostVolume, func(s *localaws.Seed) { s.Environments[0].VPC.Subnets = nil })
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config:      w.run("v1", okCommand, taskArgs(`launch_type = "FARGATE"`)),
				ExpectError: words("Not Possible On Fargate", `volume "static"`, "/var/app/current/static", `task.launch_type = "EC2"`),
			},
			{
				Config:      noSubnets.run("v1", okCommand, taskArgs(`launch_type = "FARGATE"`)),
				ExpectError: words("Subnets Required", "task.network_configuration = { subnets"),
			},
		},
	})
	if n := w.migrationTasks() + noSubnets.migrationTasks(); n != 0 {
		t.Errorf("%d tasks ran", n)
	}
}
