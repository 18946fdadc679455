package resources_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// TestAccCLI_queryAtDestroy: Terraform reads ebmigrate_pending_migrations
// in every plan, -refresh=false's and terraform destroy's included, so a
// query that fails fails those too; its error says so and how to go on,
// and terraform destroy -refresh=false, which reads no data source,
// destroys without it.
func TestAccCLI_queryAtDestroy(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newCLI(t)
	config := func(query string) string {
		return w.providerConfig() + fmt.Sprintf(`
data "ebmigrate_pending_migrations" "this" {
  environment_name = %[1]q
  command          = ["sh", "-c", %[2]q]
}

resource "ebmigrate_run" "migrate" {
  environment_name = %[1]q
  version_label    = "v1"
  command          = ["sh", "-c", "echo migrated"]
  review           = { pending = data.ebmigrate_pending_migrations.this.pending }
}
`, localaws.FixtureEnv, query)
	}
	c.write(config("echo 'Planned operations:'; echo '  No planned migration operations.'"))
	c.apply("a migration reviewed by the query")
	c.write(config("echo the database is down; exit 3"))
	queries := func() int { return w.srv.Calls("ecs:RunTask") }
	for _, args := range [][]string{{"plan", "-refresh=false"}, {"destroy", "-auto-approve"}} {
		before := queries()
		out, err := c.run(append(args, "-input=false", "-no-color")...)
		flat := strings.Join(strings.Fields(out), " ")
		if err == nil || !strings.Contains(flat, "Pending Migrations Query Failed") || !strings.Contains(flat, "terraform destroy's and -refresh=false's included") ||
			!strings.Contains(flat, "terraform destroy -refresh=false") || !strings.Contains(flat, "plan again") {
			t.Errorf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		if queries() == before {
			t.Errorf("terraform %s ran no query", strings.Join(args, " "))
		}
	}
	before := queries()
	out, err := c.run("destroy", "-auto-approve", "-refresh=false", "-input=false", "-no-color")
	if err != nil || !strings.Contains(out, "1 destroyed") {
		t.Errorf("destroy -refresh=false: %v\n%s", err, out)
	}
	if queries() != before {
		t.Errorf("destroy -refresh=false ran a query")
	}
}
