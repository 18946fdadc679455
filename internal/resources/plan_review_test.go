package resources_test

import (
	"fmt"
	"os/exec"
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

// reviewConfig migrates to version with the pending migrations of that
// version's code passed in; extra goes into ebmigrate_run's review.
func reviewConfig(w *world, version string, extra ...string) string {
	return w.providerConfig() + fmt.Sprintf(`
data "ebmigrate_pending_migrations" "this" {
  environment_name = %[1]q
  version_label    = %[2]q
}

resource "ebmigrate_run" "migrate" {
  environment_name = %[1]q
  version_label    = %[2]q
  review = {
    pending    = data.ebmigrate_pending_migrations.this.pending
    operations = data.ebmigrate_pending_migrations.this.operations
    %[3]s
  }
}
`, localaws.FixtureEnv, version, strings.Join(extra, "\n    "))
}

func stringList(names ...string) knownvalue.Check {
	checks := []knownvalue.Check{}
	for _, n := range names {
		checks = append(checks, knownvalue.StringExact(n))
	}
	return knownvalue.ListExact(checks)
}

// appliedMigrations is what Django recorded in the world's SQLite database.
func appliedMigrations(t *testing.T, db string) string {
	t.Helper()
	out, err := exec.Command("/usr/bin/python3", "-c",
		"import sqlite3,sys; print(','.join(a+'.'+n for a,n in sqlite3.connect(sys.argv[1]).execute('select app, name from django_migrations order by id')))", db).CombinedOutput()
	if err != nil {
		t.Fatalf("reading django_migrations: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestAccPendingMigrations_migrateThenDeploy: v2 is not deployed; the data
// source asked for v2 runs v2's code and lists its migration, the apply runs
// it, and the next plan is empty: the list that became empty is no change,
// and the state keeps the migrations the last run applied.
func TestAccPendingMigrations_migrateThenDeploy(t *testing.T) {
	t.Parallel()
	w, db := djangoWorldDB(t)
	const ds = "data.ebmigrate_pending_migrations.this"
	const addr = "ebmigrate_run.migrate"
	runs := 0
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{Config: reviewConfig(w, "v1")},
			{
				Config: reviewConfig(w, "v2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("pending"), stringList("shop.0002_product_price_cents")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("operations"), knownvalue.MapExact(map[string]knownvalue.Check{
						"shop.0002_product_price_cents": stringList("Add field price_cents to product"),
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("image"), knownvalue.StringExact("example/app:v2")),
				},
				Check: func(*terraform.State) error {
					if got := appliedMigrations(t, db); !strings.HasSuffix(got, "shop.0002_product_price_cents") {
						return fmt.Errorf("django_migrations: %s", got)
					}
					runs = migrationRuns(w)
					return nil
				},
			},
			{
				// Nothing pending any more, and v2 still not deployed: no
				// change, and nothing runs.
				Config: reviewConfig(w, "v2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("pending"), stringList()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("review").AtMapKey("pending"), stringList("shop.0002_product_price_cents")),
				},
				Check: func(*terraform.State) error {
					if n := migrationRuns(w); n != runs {
						return fmt.Errorf("%d migration tasks ran, want still %d", n, runs)
					}
					return nil
				},
			},
		},
	})
	if got := appliedMigrations(t, db); strings.Count(got, "shop.0002_product_price_cents") != 1 {
		t.Errorf("django_migrations: %s", got)
	}
}

// TestAccRun_destructiveChanges: v4 drops a field. With deny the plan fails
// naming it, until allow_destructive lists its migration.
func TestAccRun_destructiveChanges(t *testing.T) {
	t.Parallel()
	w, db := djangoWorldDB(t)
	const ds = "data.ebmigrate_pending_migrations.this"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{Config: reviewConfig(w, "v2")},
			{
				Config:      reviewConfig(w, "v4", `destructive_changes = "deny"`),
				ExpectError: words("Destructive Migration Denied", "shop.0003_remove_product_sku: Remove field sku from product", `allow_destructive = ["shop.0003_remove_product_sku"]`),
			},
			{
				Config: reviewConfig(w, "v4", `destructive_changes = "deny"`, `allow_destructive = ["shop.0003_remove_product_sku"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("destructive"), stringList("shop.0003_remove_product_sku")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("operations"), knownvalue.MapExact(map[string]knownvalue.Check{
						"shop.0003_remove_product_sku": stringList("Remove field sku from product"),
					})),
				},
				Check: func(*terraform.State) error {
					if got := appliedMigrations(t, db); !strings.HasSuffix(got, "shop.0003_remove_product_sku") {
						return fmt.Errorf("django_migrations: %s", got)
					}
					return nil
				},
			},
			{
				Config: reviewConfig(w, "v4", `destructive_changes = "deny"`, `allow_destructive = ["shop.0003_remove_product_sku"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

// migrationRuns counts the migration tasks (not the queries) the provider started.
func migrationRuns(w *world) int {
	n := 0
	for _, ti := range w.srv.Stats().Tasks {
		if ti.StartedBy == "ebmigrate-"+localaws.FixtureEnvID {
			n++
		}
	}
	return n
}
