package resources_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// manyEnvironments replaces the fixture's environment by n copies of it,
// scale-00, scale-01, …, each with one EB web task.
func manyEnvironments(n int) func(*localaws.Seed) {
	return func(s *localaws.Seed) {
		base := s.Environments[0]
		s.Environments = nil
		for i := 0; i < n; i++ {
			env := base
			env.Name = fmt.Sprintf("scale-%02d", i)
			env.ID = fmt.Sprintf("e-scale%05d", i)
			env.Instances = 1
			s.Environments = append(s.Environments, env)
		}
	}
}

// Twenty environments migrated in one apply against localaws's default
// account quotas (AWS's ECS token buckets, GetLogEvents' 25 a second, EB's
// describe bucket): every migration runs once and succeeds, none fails from
// throttling, and a second plan is empty.
func TestAccRun_twentyEnvironmentsAtOnce(t *testing.T) {
	const n = 20
	t.Setenv("TF_CLI_ARGS_apply", fmt.Sprintf("-parallelism=%d", n))
	w := newWorld(t, manyEnvironments(n)) // the seed leaves quotas at their defaults
	var names []string
	for i := 0; i < n; i++ {
		names = append(names, fmt.Sprintf("%q", fmt.Sprintf("scale-%02d", i)))
	}
	config := w.providerConfig() + fmt.Sprintf(`
locals {
  environments = [%s]
}

resource "ebmigrate_run" "migrate" {
  count            = length(local.environments)
  environment_name = local.environments[count.index]
  version_label    = "v1"
  command          = ["sh", "-c", "echo migrating; sleep 1; echo done"]
}
`, strings.Join(names, ", "))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					st := w.srv.Stats()
					t.Logf("calls: %v", st.Calls)
					t.Logf("throttled by localaws (absorbed by the provider's retries): %v", st.Throttled)
					ran := map[string]int{}
					for _, ti := range st.Tasks {
						if !strings.HasPrefix(ti.StartedBy, "ebmigrate-") {
							continue
						}
						ran[ti.Family]++
						if ti.LastStatus != "STOPPED" || len(ti.Containers) != 1 || ti.Containers[0].ExitCode == nil || *ti.Containers[0].ExitCode != 0 {
							return fmt.Errorf("migration task %s: %s, containers %+v", ti.TaskArn, ti.LastStatus, ti.Containers)
						}
					}
					if len(ran) != n {
						return fmt.Errorf("migrations ran in %d task definition families, want %d: %v", len(ran), n, ran)
					}
					for family, runs := range ran {
						if runs != 1 {
							return fmt.Errorf("family %s ran %d times, want once", family, runs)
						}
					}
					for i := 0; i < n; i++ {
						addr := fmt.Sprintf("ebmigrate_run.migrate.%d", i)
						r, ok := s.RootModule().Resources[addr]
						if !ok || r.Primary.Attributes["last_run.task_arn"] == "" || r.Primary.Attributes["output.1"] != "done" {
							return fmt.Errorf("%s is not in state with a task and its output", addr)
						}
					}
					return nil
				},
			},
			{
				PreConfig: w.srv.ResetStats,
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}
