package resources_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// TestAccCLI_repeatedPendingPlans: identical `terraform plan`s reading the
// pending migrations of one unchanged version each start a new query task,
// and each succeeds, on localaws's documented RunTask replay (a reused
// clientToken would answer with a task as it was created). The engine test
// TestIdenticalQueriesEachStartATask runs 30 in a row.
func TestAccCLI_repeatedPendingPlans(t *testing.T) {
	t.Parallel()
	w := djangoWorld(t)
	c := newCLI(t)
	c.write(w.providerConfig() + fmt.Sprintf(`
data "ebmigrate_pending_migrations" "this" {
  environment_name = %q
}

output "pending" {
  value = data.ebmigrate_pending_migrations.this.pending
}
`, localaws.FixtureEnv))
	const plans = 5
	seen := map[string]bool{}
	for i := 1; i <= plans; i++ {
		out, err := c.run("plan", "-input=false", "-no-color")
		if err != nil {
			t.Fatalf("plan %d: %v\n%s", i, err, out)
		}
		if !strings.Contains(out, "notes.0001_initial") {
			t.Errorf("plan %d does not show the pending migrations:\n%s", i, out)
		}
		queries := 0
		for _, ti := range w.srv.Stats().Tasks {
			if !strings.HasPrefix(ti.StartedBy, "ebmigrate-q-") {
				continue
			}
			queries++
			if len(ti.Containers) == 0 || ti.Containers[0].ExitCode == nil || *ti.Containers[0].ExitCode != 0 {
				t.Errorf("query task %s did not exit 0: %+v", ti.TaskArn, ti)
			}
			seen[ti.TaskArn] = true
		}
		if queries != i {
			t.Errorf("after plan %d: %d query tasks, want %d (one new task per plan)", i, queries, i)
		}
	}
	if len(seen) != plans {
		t.Errorf("%d distinct query tasks, want %d", len(seen), plans)
	}
}
