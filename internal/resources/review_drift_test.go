package resources_test

import (
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// TestAccCLI_reviewPlanEmptyAfterMigration: after an apply that ran the
// pending migrations fed from ebmigrate_pending_migrations, the data source
// finds nothing pending, and the next plan is empty (exit code 0 of
// -detailed-exitcode), with and without -refresh=false: no update that
// records the emptied list.
func TestAccCLI_reviewPlanEmptyAfterMigration(t *testing.T) {
	t.Parallel()
	w, db := djangoWorldDB(t)
	c := newCLI(t)
	c.write(reviewConfig(w, "v1"))
	c.apply("the first migration")
	c.write(reviewConfig(w, "v2"))
	c.apply("the migration of v2")
	if got := appliedMigrations(t, db); !strings.HasSuffix(got, "shop.0002_product_price_cents") {
		t.Fatalf("django_migrations: %s", got)
	}
	runs := migrationRuns(w)
	for _, args := range [][]string{
		{"plan", "-detailed-exitcode", "-input=false", "-no-color"},
		{"plan", "-detailed-exitcode", "-input=false", "-no-color", "-refresh=false"},
	} {
		out, err := c.run(args...)
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit) && exit.ExitCode() == 2:
			t.Errorf("terraform %s plans changes after the migration:\n%s", strings.Join(args, " "), out)
		case err != nil:
			t.Errorf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	// The plans and a further apply run nothing, and the state keeps the
	// review of the migrations the last run applied.
	c.apply("the apply after the migration")
	if n := migrationRuns(w); n != runs {
		t.Errorf("%d migration tasks ran, want still %d", n, runs)
	}
	state, err := c.run("state", "show", "-no-color", "ebmigrate_run.migrate")
	if err != nil || !strings.Contains(state, "shop.0002_product_price_cents") {
		t.Errorf("the state does not keep the reviewed migration (%v):\n%s", err, state)
	}
}

// TestAccCLI_environmentNotFoundKeepsState: a provider that now looks in
// another region or account (here another localaws, without the environment)
// finds no environment of the name: the refresh keeps the state and warns,
// naming the environment and the region, the plan is empty, and back in the
// right place nothing runs again.
func TestAccCLI_environmentNotFoundKeepsState(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	elsewhere := newWorld(t, func(s *localaws.Seed) { s.Environments = nil })
	c := newCLI(t)
	config := func(w *world) string { return w.run("v1", okCommand) }
	c.write(config(w))
	c.apply("apply")
	c.write(config(elsewhere))
	diags, changes := c.planJSON()
	var found []jsonDiagnostic
	for _, d := range diags {
		if d.Summary == "Migrated Environment Not Found" {
			found = append(found, d)
		}
	}
	if changes || len(found) != 1 || !strings.Contains(found[0].Detail, `"myapp-prod" (last migrated as `+localaws.FixtureEnvID+`) is visible in region us-east-1`) ||
		!strings.Contains(found[0].Detail, "keeps its state") || !strings.Contains(found[0].Detail, "account") {
		t.Errorf("changes %v, diagnostics %+v", changes, diags)
	}
	c.apply("the apply in the wrong place")
	c.write(config(w))
	if _, changes := c.planJSON(); changes {
		t.Error("back in the environment's region, the plan is not empty")
	}
	c.apply("the apply back in the right place")
	if n := w.migrationTasks(); n != 1 {
		t.Errorf("%d migrations ran, want 1", n)
	}
}
