package resources_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// The acceptance of issue 33: the release that adds a column v2's code
// writes and drops one v1's code reads, migrated, deployed and contracted
// in one terraform apply, while the environment's web task runs v1's
// traffic until the deploy replaces it and v2's after: not one query fails,
// with the phases wired as two resources around the environment (Terraform
// 1.5.7 and later, OpenTofu) or as two action triggers of the environment
// (Terraform 1.14). The same release migrated without phases fails v1's
// queries, so the check can fail.

// phasedResources is the resource wiring of examples/zero-downtime, for
// the fixture environment (the AWS provider's stand-in as the
// environment): the data source's lists in each phase's review. extra goes
// into the data source and both resources.
func (w *world) phasedResources(version string, extra ...string) string {
	review := func(pending string) string {
		return `review = {
    pending    = ` + pending + `
    operations = data.ebmigrate_pending_migrations.release.operations
    reasons    = data.ebmigrate_pending_migrations.release.phases.reasons
  }`
	}
	return w.providerConfig() + fmt.Sprintf(`
data "ebmigrate_pending_migrations" "release" {
  environment_name = %[1]q
  version_label    = %[2]q
  phase            = "before_deploy"
  %[3]s
}
`, localaws.FixtureEnv, version, strings.Join(extra, "\n  ")) + w.phases(version,
		append(extra, review("data.ebmigrate_pending_migrations.release.pending")),
		append(extra, review("data.ebmigrate_pending_migrations.release.phases.after_deploy")))
}

// phases are the two phases around the environment, without the data
// source; before and after go into each phase's resource.
func (w *world) phases(version string, before, after []string) string {
	return w.awsProvider() + fmt.Sprintf(`
resource "ebmigrate_run" "before_deploy" {
  environment_name = %[1]q
  version_label    = %[2]q
  phase            = "before_deploy"
  %[3]s
}

resource "aws_elastic_beanstalk_environment" "app" {
  name          = %[1]q
  application   = "myapp"
  version_label = %[2]q
  depends_on    = [ebmigrate_run.before_deploy]
}

resource "ebmigrate_run" "after_deploy" {
  environment_name = %[1]q
  version_label    = %[2]q
  phase            = "after_deploy"
  %[4]s
  depends_on = [aws_elastic_beanstalk_environment.app]
}
`, localaws.FixtureEnv, version, strings.Join(before, "\n  "), strings.Join(after, "\n  "))
}

// unphased is the same release migrated at once before the deploy.
func (w *world) unphased(version string) string {
	return w.providerConfig() + w.awsProvider() + fmt.Sprintf(`
resource "ebmigrate_run" "migrate" {
  environment_name = %[1]q
  version_label    = %[2]q
}

resource "aws_elastic_beanstalk_environment" "app" {
  name          = %[1]q
  application   = "myapp"
  version_label = %[2]q
  depends_on    = [ebmigrate_run.migrate]
}
`, localaws.FixtureEnv, version)
}

// TestAccCLI_zeroDowntimeRelease: examples/zero-downtime/resources, as a
// user writes it, releases v2 with 0 failed queries; the same release
// migrated at once before the deploy fails v1's.
func TestAccCLI_zeroDowntimeRelease(t *testing.T) {
	t.Parallel()
	t.Run("resources", func(t *testing.T) {
		t.Parallel()
		w, db := releaseWorld(t, true, nil)
		c := newCLI(t)
		c.withAWSStandIn()
		checkPhasedRelease(t, w, c, db, c.example(w, "resources"), "Migration Will Run")
	})
	t.Run("without phases", func(t *testing.T) {
		t.Parallel()
		w, db := releaseWorld(t, true, nil)
		c := newCLI(t)
		c.withAWSStandIn()
		c.write(w.unphased("v1"))
		c.apply("v1")
		w.waitServing(t, "v1")
		c.write(w.unphased("v2"))
		c.apply("v2 without phases")
		if got := appliedMigrations(t, db); !strings.HasSuffix(got, "shop.0002_product_price_cents,shop.0003_remove_product_sku") {
			t.Errorf("applied: %s", got)
		}
		for _, wl := range w.srv.Workloads() {
			if wl.VersionLabel == "v1" && (wl.Failed == 0 || !strings.Contains(wl.Failures[0], "no column named sku")) {
				t.Errorf("v1's queries failed %d times (%q): migrated at once before the deploy, they must fail on the dropped column", wl.Failed, wl.Failures)
			}
		}
	})
}

// TestAccAction_zeroDowntimeRelease: the same with
// examples/zero-downtime/actions, each phase an action trigger of the
// environment (before_update, after_update).
func TestAccAction_zeroDowntimeRelease(t *testing.T) {
	t.Parallel()
	w, db := releaseWorld(t, true, nil)
	c := newActionCLI(t)
	c.withAWSStandIn()
	// before_deploy runs the code of the version to deploy: it must be named.
	c.write(w.providerConfig() + `
action "ebmigrate_migrate" "x" {
  config {
    environment_name = "myapp-prod"
    phase            = "before_deploy"
  }
}
`)
	if out, err := c.run("validate", "-no-color"); err == nil || !words("Missing Version To Deploy", "without version_label (or container.image)", "Set version_label to the version being deployed").MatchString(out) {
		t.Errorf("validate of a before_deploy action without version_label: %v\n%s", err, out)
	}
	checkPhasedRelease(t, w, c, db, c.example(w, "actions"), "Warnings when planning action")
}

// example writes examples/zero-downtime/<wiring> into c's directory as a
// user's module, with the provider blocks pointed at w's localaws, and
// returns what sets its app_version.
func (c *cli) example(w *world, wiring string) func(version string) {
	c.t.Helper()
	root := filepath.Join("..", "..", "examples")
	files := map[string]string{
		"main.tf":     readFile(c.t, filepath.Join(root, "zero-downtime", wiring), "main.tf"),
		"provider.tf": readFile(c.t, filepath.Join(root, "provider"), "provider.tf"),
		// Terraform merges an override file into the provider block.
		"localaws_override.tf": fmt.Sprintf("provider \"ebmigrate\" {\n  region = \"us-east-1\"\n  endpoints {\n    ecs              = %[1]q\n    elasticbeanstalk = %[1]q\n    logs             = %[1]q\n    s3               = %[1]q\n    sts              = %[1]q\n  }\n}\n", w.srv.URL()),
		"localaws.tf":          w.awsProvider(),
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(c.Path, name), []byte(text), 0o600); err != nil {
			c.t.Fatal(err)
		}
	}
	env := c.Env
	return func(version string) {
		c.Env = append(append([]string{}, env...), "TF_VAR_app_version="+version)
	}
}

// checkPhasedRelease records v1, plans and applies v2 with the example,
// and checks what the plan showed, what ran when, and that no query of
// either version failed; a second apply runs nothing.
func checkPhasedRelease(t *testing.T, w *world, c *cli, db string, version func(string), runWarning string) {
	t.Helper()
	version("v1")
	c.apply("v1")
	w.waitServing(t, "v1")
	migrations := len(w.phaseTasks("_before_deploy")) + len(w.phaseTasks("_after_deploy"))

	version("v2")
	diags, changes := c.planJSON()
	var split string
	var will []string
	for _, d := range diags {
		if strings.Contains(d.Detail, "ebmigrate.phases.v1") || strings.Contains(d.Detail, "_ebmigrate_") {
			t.Errorf("the plan shows the introspection or the apply program: %s: %s", d.Summary, d.Detail)
		}
		switch d.Summary {
		case "Migration Phases":
			split = d.Detail
		case runWarning + " (before_deploy)", runWarning + " (after_deploy)", runWarning:
			will = append(will, d.Detail)
		}
	}
	t.Logf("Migration Phases:\n%s\n\n%s", split, strings.Join(will, "\n\n"))
	if !changes || len(will) != 2 {
		t.Fatalf("changes %v, %d %q warnings, want 2: %+v", changes, len(will), runWarning, diags)
	}
	for _, part := range []string{
		"has 2 pending migrations",
		"Before the deploy (before_deploy), while the old version still serves:\n  shop.0002_product_price_cents: AddField price_cents to shop.product: column price_cents is nullable",
		"After the deploy (after_deploy), once the new version serves:\n  shop.0003_remove_product_sku: RemoveField sku from shop.product: it drops column sku, which the old code reads",
	} {
		if !strings.Contains(split, part) {
			t.Errorf("the Migration Phases warning does not say %q:\n%s", part, split)
		}
	}
	all := strings.Join(will, "\n")
	for _, part := range []string{
		"run the before_deploy phase of `./manage.py migrate",
		"Pending migrations of the before_deploy phase, their operations, and why each is in it:\n  shop.0002_product_price_cents (AddField price_cents to shop.product: column price_cents is nullable",
		"Add field price_cents to product",
		"run the after_deploy phase of `./manage.py migrate",
		"The before_deploy phase reads the pending migrations of that code with a read-only manage.py shell task",
		"The after_deploy phase runs the command, which applies every migration still pending.",
		"shop.0003_remove_product_sku (RemoveField sku from shop.product: it drops column sku",
		"Remove field sku from product   [destructive]",
	} {
		if !strings.Contains(all, part) {
			t.Errorf("the plan's warnings do not say %q:\n%s", part, all)
		}
	}
	if n := len(w.phaseTasks("_before_deploy")) + len(w.phaseTasks("_after_deploy")); n != migrations {
		t.Errorf("the plan started %d migration tasks", n-migrations)
	}

	out := c.apply("v2 in phases")
	// The data source's results, as the apply's plan read them.
	state, err := c.run("state", "show", "-no-color", "data.ebmigrate_pending_migrations.release")
	flat := strings.Join(strings.Fields(state), " ")
	for _, part := range []string{
		`pending = [ "shop.0002_product_price_cents", ]`,
		`after_deploy = [ "shop.0003_remove_product_sku", ]`, `before_deploy = [ "shop.0002_product_price_cents", ]`,
		`"shop.0003_remove_product_sku" = "RemoveField sku from shop.product: it drops column sku, which the old code reads"`,
		`"shop.0003_remove_product_sku" = [ "Remove field sku from product", ]`,
		`destructive = []`, `hazards = []`,
	} {
		if err != nil || !strings.Contains(flat, part) {
			t.Errorf("the data source's state does not hold %s: %v\n%s", part, err, state)
		}
	}
	if got := appliedMigrations(t, db); !strings.HasSuffix(got, "shop.0002_product_price_cents,shop.0003_remove_product_sku") {
		t.Errorf("applied: %s", got)
	}
	w.waitServing(t, "v2")
	before, after := w.phaseTasks("_before_deploy"), w.phaseTasks("_after_deploy")
	if len(before) == 0 || len(after) == 0 || before[len(before)-1].StoppedAt == nil || after[len(after)-1].StartedAt == nil {
		t.Fatalf("phase tasks: before %+v, after %+v\n%s", before, after, out)
	}
	expanded, contracted := *before[len(before)-1].StoppedAt, *after[len(after)-1].StartedAt
	var v1, v2 *localaws.WorkloadInfo
	for _, wl := range w.srv.Workloads() {
		switch wl.VersionLabel {
		case "v1":
			v1 = &wl
		case "v2":
			v2 = &wl
		}
		if wl.Failed > 0 {
			t.Errorf("%s's queries failed %d times: %q", wl.VersionLabel, wl.Failed, wl.Failures)
		}
	}
	switch {
	case v1 == nil || v2 == nil:
		t.Fatalf("web tasks: %+v", w.srv.Workloads())
	case v1.StoppedAt == nil || v1.LastOKAt == nil || !v1.LastOKAt.After(expanded):
		t.Errorf("v1 did not serve after before_deploy (done %s) until the deploy: %+v", expanded, v1)
	case !v1.StoppedAt.Before(contracted):
		t.Errorf("after_deploy started at %s, before the deploy stopped v1 (%s)", contracted, v1.StoppedAt)
	case v2.LastOKAt == nil || !v2.LastOKAt.After(contracted):
		t.Errorf("v2 did not serve after after_deploy: %+v", v2)
	}

	if _, changes := c.planJSON(); changes {
		t.Error("the plan after the apply is not empty")
	}
	c.apply("again")
	if n := len(w.phaseTasks("_before_deploy")) + len(w.phaseTasks("_after_deploy")); n != len(before)+len(after) {
		t.Errorf("the second apply started %d migration tasks, want none", n-len(before)-len(after))
	}
}
