package resources_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// TestAccAction_beforeUpdate: a plan that updates the environment's version
// says what the action will run; the apply migrates with the new version's
// image while the environment still serves the old version, then deploys.
func TestAccAction_beforeUpdate(t *testing.T) {
	t.Parallel()
	needCurl(t)
	w := newWorld(t)
	c := newActionCLI(t)
	c.write(w.deployWithAction("v1", w.seenVersionCommand(), "before_update"))
	c.apply("create")
	if n := w.migrationTasks(); n != 0 {
		t.Fatalf("creating the environment ran %d migrations; before_update runs none", n)
	}
	if v := w.deployedVersion(); v != "v1" {
		t.Fatalf("deployed %s after the first apply", v)
	}

	c.write(w.deployWithAction("v2", w.seenVersionCommand(), "before_update"))
	diags, changes := c.planJSON()
	warning := actionRunWarning(diags)
	if !changes || warning == "" {
		t.Fatalf("changes %v, no Migration Will Run warning: %+v", changes, diags)
	}
	for _, part := range []string{"ebmigrate_migrate will run `sh -c …`", "environment myapp-prod (version v2)", "container web", "image example/app:v2 (from application version v2", "The environment has version v1 deployed."} {
		if !strings.Contains(warning, part) {
			t.Errorf("the plan's warning does not say %q: %s", part, warning)
		}
	}
	if n := w.srv.Calls("ecs:RunTask"); n != 0 {
		t.Errorf("the plan made %d RunTask calls", n)
	}

	out := c.apply("deploy v2")
	if n := w.migrationTasks(); n != 1 {
		t.Fatalf("%d migration tasks, want 1\n%s", n, out)
	}
	if images := w.migratedImages(); len(images) != 1 || images[0] != "example/app:v2" {
		t.Errorf("the migration ran %v, want the new version's image example/app:v2", images)
	}
	flat := strings.Join(strings.Fields(out), " ")
	if !strings.Contains(flat, "| serving <VersionLabel>v1</VersionLabel>") {
		t.Errorf("the migration did not see v1 served while it ran (or its line was not shown as progress):\n%s", out)
	}
	// Terraform runs the action before the update, and the deploy after it.
	action, update := strings.Index(out, "Action complete: action.ebmigrate_migrate.x"), strings.Index(out, "terraform_data.environment: Modifying")
	if action < 0 || update < 0 || action > update {
		t.Errorf("the action did not complete before the environment's update (at %d, %d):\n%s", action, update, out)
	}
	if v := w.deployedVersion(); v != "v2" {
		t.Errorf("deployed %s after the apply, want v2", v)
	}
	if _, changes := c.planJSON(); changes {
		t.Errorf("the plan after the apply is not empty")
	}
}

// TestAccAction_failureStopsDeploy: a migration that fails fails the apply
// with the resource's diagnostic, before the environment is updated or
// deployed; the next apply runs it again.
func TestAccAction_failureStopsDeploy(t *testing.T) {
	t.Parallel()
	needCurl(t)
	w := newWorld(t)
	c := newActionCLI(t)
	fail := []string{"sh", "-c", "echo 'django.db.utils.OperationalError: no such table'; exit 3"}
	c.write(w.deployWithAction("v1", fail, "before_update"))
	c.apply("create")
	if v := w.deployedVersion(); v != "v1" {
		t.Fatalf("deployed %s after the first apply", v)
	}
	deploys := w.srv.Calls("elasticbeanstalk:UpdateEnvironment")

	c.write(w.deployWithAction("v2", fail, "before_update"))
	out, err := c.run("apply", "-auto-approve", "-input=false", "-no-color")
	if err == nil {
		t.Fatalf("the apply of a failing migration succeeded:\n%s", out)
	}
	if !words("Migration Failed", "running the migration of ebmigrate_migrate", `environment "myapp-prod" (version v2)`, "Exit code: 3", "no such table").MatchString(out) {
		t.Errorf("the failure does not say what failed:\n%s", out)
	}
	if n := w.srv.Calls("elasticbeanstalk:UpdateEnvironment"); n != deploys {
		t.Errorf("%d UpdateEnvironment calls after the failed migration, want none", n-deploys)
	}
	if v := w.deployedVersion(); v != "v1" {
		t.Errorf("the environment serves %s after the failed migration, want v1", v)
	}
	if state, err := c.run("state", "show", "-no-color", "terraform_data.environment"); err != nil || !strings.Contains(state, `input  = "v1"`) {
		t.Errorf("terraform_data.environment was updated despite the failure: %v\n%s", err, state)
	}
	if _, err := c.run("apply", "-auto-approve", "-input=false", "-no-color"); err == nil {
		t.Error("the next apply succeeded without a migration that succeeds")
	}
	if n := w.migrationTasks(); n != 2 {
		t.Errorf("%d migration tasks after two failed applies, want 2", n)
	}
}

// TestAccAction_invoke: terraform apply -invoke runs the migration on
// demand, each time; its lines arrive as progress while the task runs (the
// task waits for the test to see its first line); an environment value
// from a sensitive variable reaches the task and nothing Terraform prints.
func TestAccAction_invoke(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newActionCLI(t)
	release := filepath.Join(t.TempDir(), "release")
	secret := "s3cr3t-token-value-9431"
	c.write(w.migrateAction("", []string{"sh", "-c", fmt.Sprintf("echo first; [ -n \"$API_TOKEN\" ] && echo has-token; while [ ! -e %s ]; do sleep 0.1; done; echo second", release)},
		"container = { environment = { API_TOKEN = var.api_token } }") + fmt.Sprintf(`
variable "api_token" {
  type      = string
  sensitive = true
  default   = %q
}
`, secret))

	var progress []string
	sawFirstWhileRunning := false
	err := c.invoke(func(e actionEvent) {
		if strings.Contains(e.Message, secret) || strings.Contains(e.Hook.Message, secret) {
			t.Errorf("terraform printed the sensitive value: %s", e.Message)
		}
		if e.Type != "action_progress" {
			return
		}
		progress = append(progress, e.Hook.Message)
		if e.Hook.Message == "| first" {
			sawFirstWhileRunning = w.migrationRunning()
			if err := os.WriteFile(release, nil, 0o600); err != nil {
				t.Error(err)
			}
		}
	})
	if err != nil {
		t.Fatalf("terraform apply -invoke: %v\nprogress: %q", err, progress)
	}
	if !sawFirstWhileRunning {
		t.Errorf("the first line did not arrive as progress while the task ran: %q", progress)
	}
	joined := strings.Join(progress, "\n")
	for _, part := range []string{"ebmigrate_migrate will run `sh -c …` (see the command attribute) in environment myapp-prod (the deployed version)", "migration task started", "| has-token", "| second", "succeeded in task"} {
		if !strings.Contains(joined, part) {
			t.Errorf("no progress event says %q: %q", part, progress)
		}
	}
	if images := w.migratedImages(); len(images) != 1 || images[0] != "example/app:v1" {
		t.Errorf("the migration ran %v, want the deployed image example/app:v1", images)
	}

	// On demand means each time: a second invoke runs again.
	if err := c.invoke(func(actionEvent) {}); err != nil {
		t.Fatalf("the second invoke: %v", err)
	}
	if n := w.migrationTasks(); n != 2 {
		t.Errorf("%d migration tasks after two invokes, want 2", n)
	}
}

// TestAccAction_concurrentInvokes: two invokes at once, from two working
// directories, each succeed, and their migration tasks never run at the
// same time.
func TestAccAction_concurrentInvokes(t *testing.T) {
	t.Parallel()
	// The image cached: a task runs milliseconds after RunTask, before
	// ListTasks lists it and before DescribeTasks shows it started; two
	// provider processes share only the migration lock.
	w := newWorld(t, func(s *localaws.Seed) { s.Timing.ImageCached = true })
	errs := make(chan error, 2)
	for _, name := range []string{"a", "b"} {
		c := newActionCLI(t)
		c.write(w.migrateAction("", []string{"sh", "-c", "echo start " + name + "; sleep 2; echo end " + name}))
		go func() {
			var failed []string
			err := c.invoke(func(e actionEvent) {
				if e.Diagnostic != nil && e.Diagnostic.Severity == "error" {
					failed = append(failed, e.Diagnostic.Summary+": "+e.Diagnostic.Detail)
				}
			})
			if err != nil {
				err = fmt.Errorf("invoke %s: %v %q", name, err, failed)
			}
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	ran, overlaps := w.overlaps()
	if ran != 2 || len(overlaps) > 0 {
		t.Errorf("%d migration tasks ran (want 2); ran at once: %v", ran, overlaps)
	}
}

// TestAccAction_reviewDeny: with review wired as from
// data.ebmigrate_pending_migrations, the plan lists the pending migrations,
// and destructive_changes = "deny" fails it naming the operation, as
// ebmigrate_run's does; nothing runs.
func TestAccAction_reviewDeny(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newActionCLI(t)
	review := func(policy string) string {
		return fmt.Sprintf(`review = {
      pending    = ["shop.0003_remove_product_sku"]
      operations = { "shop.0003_remove_product_sku" = ["Remove field sku from product"] }
      destructive_changes = %q
    }`, policy)
	}
	c.write(w.migrateAction("v1", okCommand, review("warn")))
	out, err := c.run("plan", "-invoke=action.ebmigrate_migrate.x", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	if !words("Migration Will Run", "Pending migrations and their operations:", "shop.0003_remove_product_sku", "Remove field sku from product [destructive]").MatchString(out) {
		t.Errorf("the plan does not list the pending migration:\n%s", out)
	}
	c.write(w.migrateAction("v1", okCommand, review("deny")))
	out, err = c.run("plan", "-invoke=action.ebmigrate_migrate.x", "-input=false", "-no-color")
	if err == nil || !words("Destructive Migration Denied", "shop.0003_remove_product_sku: Remove field sku from product").MatchString(out) {
		t.Errorf("a plan with destructive_changes = \"deny\": %v\n%s", err, out)
	}
	if n := w.migrationTasks(); n != 0 {
		t.Errorf("%d migration tasks ran", n)
	}
}
