package resources_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// The engine's guarantees, per phase: a failing phase fails the apply with
// the migration's diagnostic and keeps the state (a failed before_deploy
// before the deploy starts), Ctrl-C leaves the phase's task running and the
// next apply attaches to it, and a release that cannot be split fails the
// plan, naming both migrations, with nothing run. The phases run without
// the data source here (a query task per plan spared), as the release
// tests run them with it.

// Migrations of the release's variants (releaseVariant).
const (
	// failingData is a data migration that fails (its phase is
	// code_operations'), after dependency.
	failingData = `from django.db import migrations


def fail(apps, schema_editor):
    raise RuntimeError("price backfill failed")


class Migration(migrations.Migration):
    dependencies = [("shop", "%s")]
    operations = [migrations.RunPython(fail)]
`
	// tangled adds a nullable column (before_deploy) on top of the dropped
	// column (after_deploy).
	tangled = `from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0003_remove_product_sku")]
    operations = [migrations.AddField(model_name="product", name="currency", field=models.CharField(max_length=3, null=True))]
`
)

// slowMigration is one of the release's migrations made slow: a RunPython
// that sleeps, then its operations, in one transaction.
func slowMigration(dependency, operation string) string {
	return `import time

from django.db import migrations, models


def wait(apps, schema_editor):
    time.sleep(6)


class Migration(migrations.Migration):
    dependencies = [("shop", "` + dependency + `")]
    operations = [migrations.RunPython(wait), ` + operation + `]
`
}

func TestAccCLI_phaseFailure(t *testing.T) {
	t.Parallel()
	for phase, migrations := range map[string]map[string]string{
		// Before the column is dropped: a before_deploy migration may not
		// depend on an after_deploy one.
		"before_deploy": {
			"0002_prices.py":             fmt.Sprintf(failingData, "0002_product_price_cents"),
			"0003_remove_product_sku.py": strings.Replace(readFile(t, releaseDir("v2"), "shop/migrations/0003_remove_product_sku.py"), `"0002_product_price_cents"`, `"0002_prices"`, 1),
		},
		"after_deploy": {"0004_prices.py": fmt.Sprintf(failingData, "0003_remove_product_sku")},
	} {
		t.Run(phase, func(t *testing.T) {
			t.Parallel()
			w, db := releaseWorld(t, false, map[string]string{"v3": releaseVariant(t, migrations)})
			c := newCLI(t)
			c.withAWSStandIn()
			code := `code_operations = "` + phase + `"`
			c.write(w.providerConfig() + w.phases("v1", []string{code}, []string{code}))
			c.apply("v1")
			c.write(w.providerConfig() + w.phases("v3", []string{code}, []string{code}))
			out, err := c.run("apply", "-auto-approve", "-input=false", "-no-color")
			if err == nil {
				t.Fatalf("the apply of a failing %s phase succeeded:\n%s", phase, out)
			}
			if !words("Migration Failed", "running the "+phase+" phase of ebmigrate_run", `environment "myapp-prod" (version v3)`, "Exit code: 1", "RuntimeError: price backfill failed").MatchString(out) {
				t.Errorf("the failure does not say what failed:\n%s", out)
			}
			applied := appliedMigrations(t, db)
			deployed := w.deployedVersion()
			switch phase {
			case "before_deploy":
				// The phase's migrations before the failing one are applied
				// (each in its own transaction; all safe for v1), and the
				// deploy never started.
				if deployed != "v1" || !strings.HasSuffix(applied, "shop.0002_product_price_cents") {
					t.Errorf("after the failed before_deploy: deployed %s, applied %s", deployed, applied)
				}
			case "after_deploy":
				if deployed != "v3" || !strings.HasSuffix(applied, "shop.0003_remove_product_sku") {
					t.Errorf("after the failed after_deploy: deployed %s, applied %s", deployed, applied)
				}
			}
			// The failed phase kept its state: the next plan runs it again.
			plan, err := c.run("plan", "-input=false", "-no-color")
			if err != nil || !strings.Contains(plan, "ebmigrate_run."+phase+" will be updated in-place") {
				t.Errorf("the plan after the failure does not run %s again: %v\n%s", phase, err, plan)
			}
		})
	}
}

func TestAccCLI_phaseInterrupt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ phase, file, migration string }{
		{"before_deploy", "0002_product_price_cents.py", slowMigration("0001_initial", `migrations.AddField(model_name="product", name="price_cents", field=models.IntegerField(null=True))`)},
		{"after_deploy", "0003_remove_product_sku.py", slowMigration("0002_product_price_cents", `migrations.RemoveField(model_name="product", name="sku")`)},
	} {
		t.Run(tc.phase, func(t *testing.T) {
			t.Parallel()
			w, db := releaseWorld(t, false, map[string]string{"v3": releaseVariant(t, map[string]string{tc.file: tc.migration})})
			c := newCLI(t)
			c.withAWSStandIn()
			code := `code_operations = "` + tc.phase + `"`
			c.write(w.providerConfig() + w.phases("v1", []string{code}, []string{code}))
			c.apply("v1")
			c.write(w.providerConfig() + w.phases("v3", []string{code}, []string{code}))
			apply := c.Command("apply", "-auto-approve", "-input=false", "-no-color")
			var out bytes.Buffer
			apply.Stdout, apply.Stderr = &out, &out
			if err := apply.Start(); err != nil {
				t.Fatal(err)
			}
			running := func() bool {
				for _, ti := range w.phaseTasks("_" + tc.phase) {
					if ti.LastStatus == "RUNNING" {
						return true
					}
				}
				return false
			}
			for deadline := time.Now().Add(60 * time.Second); !running(); time.Sleep(50 * time.Millisecond) {
				if time.Now().After(deadline) {
					_ = apply.Process.Kill()
					t.Fatalf("no %s task ran\n%s", tc.phase, out.String())
				}
			}
			tasks := len(w.phaseTasks("_" + tc.phase))
			if err := apply.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			if err := apply.Wait(); err == nil {
				t.Fatalf("the interrupted apply succeeded\n%s", out.String())
			}
			if flat := strings.Join(strings.Fields(out.String()), " "); !strings.Contains(flat, "Migration Wait Interrupted") || !strings.Contains(flat, "left running") {
				t.Errorf("the interrupted apply does not say that the task was left running:\n%s", out.String())
			}
			c.apply("the next apply")
			if n := len(w.phaseTasks("_" + tc.phase)); n != tasks {
				t.Errorf("%d %s tasks after the next apply, want %d: it attaches to the one left running", n, tc.phase, tasks)
			}
			if applied := appliedMigrations(t, db); !strings.HasSuffix(applied, "shop.0002_product_price_cents,shop.0003_remove_product_sku") {
				t.Errorf("applied: %s", applied)
			}
			if v := w.deployedVersion(); v != "v3" {
				t.Errorf("deployed %s, want v3", v)
			}
		})
	}
}

// TestAccCLI_unsplittableRelease: a migration that must run before the
// deploy and depends on one that must run after fails the plan (the data
// source), naming both and what to do, with nothing run; without the data
// source, the before_deploy phase fails the apply the same way, before
// the deploy.
func TestAccCLI_unsplittableRelease(t *testing.T) {
	t.Parallel()
	w, db := releaseWorld(t, false, map[string]string{"v3": releaseVariant(t, map[string]string{"0004_product_currency.py": tangled})})
	c := newCLI(t)
	c.withAWSStandIn()
	c.write(w.providerConfig() + w.phases("v1", nil, nil))
	c.apply("v1")
	before := appliedMigrations(t, db)
	c.write(w.phasedResources("v3"))
	out, err := c.run("plan", "-input=false", "-no-color")
	says := words("Release Cannot Be Split Into Phases", "shop.0004_product_currency must run before the deploy",
		"depends on shop.0003_remove_product_sku, which runs after it", "No order keeps both versions of the code working", "deploy the breaking migration in a later release")
	if err == nil || !says.MatchString(out) {
		t.Errorf("the plan of an unsplittable release: %v\n%s", err, out)
	}
	c.write(w.providerConfig() + w.phases("v3", nil, nil))
	out, err = c.run("apply", "-auto-approve", "-input=false", "-no-color")
	if err == nil || !says.MatchString(out) {
		t.Errorf("the apply of an unsplittable release without the data source: %v\n%s", err, out)
	}
	if got := appliedMigrations(t, db); got != before {
		t.Errorf("applied %s, was %s", got, before)
	}
	if v := w.deployedVersion(); v != "v1" {
		t.Errorf("deployed %s, want v1", v)
	}
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAccAction_phaseFailureStopsDeploy: a failing before_deploy at the
// environment's before_update fails the apply before the update, so the
// deploy never starts and after_deploy never runs.
func TestAccAction_phaseFailureStopsDeploy(t *testing.T) {
	t.Parallel()
	w, db := releaseWorld(t, false, map[string]string{"v3": releaseVariant(t, map[string]string{
		"0002_prices.py":             fmt.Sprintf(failingData, "0002_product_price_cents"),
		"0003_remove_product_sku.py": strings.Replace(readFile(t, releaseDir("v2"), "shop/migrations/0003_remove_product_sku.py"), `"0002_product_price_cents"`, `"0002_prices"`, 1),
	})})
	c := newActionCLI(t)
	c.withAWSStandIn()
	config := func(version string) string {
		return w.providerConfig() + w.awsProvider() + fmt.Sprintf(`
action "ebmigrate_migrate" "before_deploy" {
  config {
    environment_name = %[1]q
    version_label    = %[2]q
    phase            = "before_deploy"
    code_operations  = "before_deploy"
  }
}

action "ebmigrate_migrate" "after_deploy" {
  config {
    environment_name = %[1]q
    version_label    = %[2]q
    phase            = "after_deploy"
    code_operations  = "before_deploy"
  }
}

resource "aws_elastic_beanstalk_environment" "app" {
  name          = %[1]q
  application   = "myapp"
  version_label = %[2]q
  lifecycle {
    action_trigger {
      events  = [before_update]
      actions = [action.ebmigrate_migrate.before_deploy]
    }
    action_trigger {
      events  = [after_update]
      actions = [action.ebmigrate_migrate.after_deploy]
    }
  }
}
`, localaws.FixtureEnv, version)
	}
	c.write(config("v1"))
	c.apply("v1")
	c.write(config("v3"))
	out, err := c.run("apply", "-auto-approve", "-input=false", "-no-color")
	if err == nil || !words("Migration Failed", "running the before_deploy phase of ebmigrate_migrate", "RuntimeError: price backfill failed").MatchString(out) {
		t.Fatalf("the apply of a failing before_deploy: %v\n%s", err, out)
	}
	if v := w.deployedVersion(); v != "v1" {
		t.Errorf("deployed %s after the failed before_deploy, want v1", v)
	}
	if n := len(w.phaseTasks("_after_deploy")); n != 0 {
		t.Errorf("%d after_deploy tasks ran", n)
	}
	if applied := appliedMigrations(t, db); !strings.HasSuffix(applied, "shop.0002_product_price_cents") {
		t.Errorf("applied: %s", applied)
	}
}
