package resources_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// TestAccRun_execPlatformVersion: ECS Exec on Fargate needs platform version
// 1.4.0 or later (ECS guide, "Running commands using ECS Exec"); an older
// explicit platform_version fails the plan naming both, while 1.4.0,
// LATEST, and an old version without ECS Exec or on EC2 plan.
func TestAccRun_execPlatformVersion(t *testing.T) {
	t.Parallel()
	w := newWorld(t, localaws.WithoutHostVolume, withFargate)
	fargate := func(extra ...string) string {
		return w.run("v1", okCommand, taskArgs(append([]string{`launch_type = "FARGATE"`, executionRole, taskRole}, extra...)...))
	}
	plans := func(cfg string) resource.TestStep {
		return resource.TestStep{Config: cfg, PlanOnly: true, ExpectNonEmptyPlan: true}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config:      fargate("enable_execute_command = true", `platform_version = "1.3.0"`),
				PlanOnly:    true,
				ExpectError: words("ECS Exec Needs Platform Version 1.4.0", "task.enable_execute_command = true", `task.platform_version is "1.3.0"`, `task.platform_version = "1.4.0"`),
			},
			{
				Config:      w.run("v1", okCommand, taskArgs(`capacity_provider_strategy = [{ capacity_provider = "FARGATE_SPOT", weight = 1 }]`, executionRole, taskRole, "enable_execute_command = true", `platform_version = "1.2.0"`)),
				PlanOnly:    true,
				ExpectError: words("ECS Exec Needs Platform Version 1.4.0", `"1.2.0"`),
			},
			plans(fargate("enable_execute_command = true", `platform_version = "1.4.0"`)),
			plans(fargate("enable_execute_command = true", `platform_version = "LATEST"`)),
			plans(fargate(`platform_version = "1.3.0"`)),
		},
	})
}
