package resources_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

const addr = "ebmigrate_run.migrate"

var okCommand = []string{"sh", "-c", "echo Applying app.0001_initial... OK"}

// TestAccRun_basic: one apply runs one task; the same configuration plans
// nothing and calls no ECS API; a new version runs again; log_lines does not.
func TestAccRun_basic(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: w.run("v1", okCommand),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("task_arn"), knownvalue.StringRegexp(regexp.MustCompile(`^arn:aws:ecs:us-east-1:123456789012:task/`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("environment_id"), knownvalue.StringExact(localaws.FixtureEnvID)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("container"), knownvalue.StringExact("web")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("container"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(localaws.FixtureEnv)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("log_group"), knownvalue.StringExact("/aws/elasticbeanstalk/"+localaws.FixtureEnv+"/ebmigrate")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("logs").AtMapKey("group"), knownvalue.Null()),
				},
				Check: func(s *terraform.State) error {
					// RunTask may be retried while ECS does not know the new
					// revision yet; one task is started.
					if n := w.migrationTasks(); n != 1 {
						return fmt.Errorf("%d migration tasks started, want 1", n)
					}
					return w.checkDerivedTaskDefinition(s.RootModule().Resources[addr].Primary.Attributes["last_run.task_definition_arn"])
				},
			},
			{
				PreConfig: w.srv.ResetStats,
				Config:    w.run("v1", okCommand),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					if calls := w.ecsCalls(); len(calls) != 0 {
						return fmt.Errorf("a plan with nothing to run called ECS: %v", calls)
					}
					return nil
				},
			},
			{
				Config: w.run("v2", okCommand),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("last_run")),
					},
				},
				Check: w.expectMigrationTasks(2),
			},
			{
				Config: w.run("v2", okCommand, logsArgs("lines = 10")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("task_arn"), knownvalue.NotNull()),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("logs").AtMapKey("lines"), knownvalue.Int64Exact(10)),
				},
				Check: w.expectMigrationTasks(2),
			},
			{
				Config: w.run("v2", okCommand, `triggers = { schema = "abc" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownValue(addr, tfjsonpath.New("last_run"))},
				},
				Check: w.expectMigrationTasks(3),
			},
		},
	})
}

func (w *world) expectMigrationTasks(want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := w.migrationTasks(); n != want {
			return fmt.Errorf("%d migration tasks ran in all, want %d", n, want)
		}
		return nil
	}
}

// checkDerivedTaskDefinition looks at what ECS registered: one container,
// the command, EB's properties, no port mappings.
func (w *world) checkDerivedTaskDefinition(arn string) error {
	out, err := w.ecs.DescribeTaskDefinition(w.ctx(), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn)})
	if err != nil {
		return err
	}
	cds := out.TaskDefinition.ContainerDefinitions
	if len(cds) != 1 {
		return fmt.Errorf("derived task definition has %d containers", len(cds))
	}
	c := cds[0]
	if strings.Join(c.Command, " ") != strings.Join(okCommand, " ") {
		return fmt.Errorf("command = %v", c.Command)
	}
	if len(c.PortMappings) != 0 {
		return fmt.Errorf("port mappings = %v", c.PortMappings)
	}
	// EB's properties reach the task as RunTask overrides, never the revision.
	raw, _ := json.Marshal(out.TaskDefinition)
	if strings.Contains(string(raw), localaws.FixturePropSecret) {
		return fmt.Errorf("the derived revision holds an EB property value: %s", raw)
	}
	env := map[string]string{}
	for _, kv := range c.Environment {
		env[aws.ToString(kv.Name)] = aws.ToString(kv.Value)
	}
	if len(env) != 1 || env["PORT"] != "8000" {
		return fmt.Errorf("derived revision environment = %v, want the container's own PORT only", keys(env))
	}
	return nil
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestAccRun_failureKeepsState: a failing migration fails the apply with its
// exit code and output, the state keeps the previous version, and fixing the
// command and applying again succeeds.
func TestAccRun_failureKeepsState(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	failing := []string{"sh", "-c", "echo 'Applying shop.0002_price...'; echo 'django.db.utils.ProgrammingError: column \"price\" already exists'; exit 3"}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{Config: w.run("v1", okCommand)},
			{
				Config:      w.run("v2", failing),
				ExpectError: regexp.MustCompile(`(?s)Migration Failed.*failed with exit code 3.*Exit code:\s+3.*EssentialContainerExited.*Applying shop.0002_price.*column "price" already exists`),
			},
			{
				// The failed update left the state at v1: nothing to do for v1.
				Config: w.run("v1", okCommand),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				Config: w.run("v2", okCommand),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("version_label"), knownvalue.StringExact("v2")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("task_arn"), knownvalue.NotNull()),
				},
				Check: w.expectMigrationTasks(3),
			},
		},
	})
}

// TestAccRun_secretsStayOut: neither an EB property value nor a secret value
// reaches the state or the provider log, even at TF_LOG=TRACE.
func TestAccRun_secretsStayOut(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "terraform.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", logPath)
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	w := newWorld(t)
	secrets := []string{localaws.FixturePropSecret, localaws.FixtureSecretValue}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			// The process sees the password (it prints its length), the config never names it.
			// It also prints the password, which is redacted from its output.
			Config: w.run("v1", []string{"sh", "-c", `echo "password length ${#DATABASE_PASSWORD}"; echo "password $DATABASE_PASSWORD"`}),
			Check: func(s *terraform.State) error {
				raw, err := json.Marshal(s)
				if err != nil {
					return err
				}
				for _, secret := range secrets {
					if strings.Contains(string(raw), secret) {
						return fmt.Errorf("a secret value is in the state")
					}
				}
				return nil
			},
		}},
	})
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("no log written: %v", err)
	}
	log := string(raw)
	if !strings.Contains(log, "migration task started") || !strings.Contains(log, fmt.Sprintf("migration | password length %d", len(localaws.FixturePropSecret))) ||
		!strings.Contains(log, "migration | password (sensitive value)") {
		t.Fatalf("the provider's log lines are not in %s (%d bytes): the check below would prove nothing", logPath, len(raw))
	}
	for _, secret := range secrets {
		if strings.Contains(log, secret) {
			t.Errorf("a secret value is in the TRACE log")
		}
	}
}

// TestAccRun_problems: what the user can get wrong gets a diagnostic that
// names it.
func TestAccRun_problems(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cfg := func(env, extra string) string {
		return w.providerConfig() + fmt.Sprintf(`
resource "ebmigrate_run" "migrate" {
  environment_name = %q
  version_label    = "v1"
  %s
}
`, env, extra)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{Config: cfg("myapp-missing", ""), ExpectError: regexp.MustCompile(`(?s)Elastic Beanstalk Environment Not Found.*"myapp-missing"`)},
			{Config: cfg(localaws.FixtureNonECSEnv, ""), ExpectError: regexp.MustCompile(`(?s)Not An ECS Platform.*PHP 8.3 running on`)},
			{Config: cfg(localaws.FixtureEnv, `container = { name = "db" }`), ExpectError: regexp.MustCompile(`(?s)Container Not Found.*"db".*web, nginx`)},
			{Config: cfg("a b", ""), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)environment_name.*4 to 40 letters`)},
			{Config: cfg(localaws.FixtureEnv, `command = []`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)command.*at least 1`)},
			{Config: cfg(localaws.FixtureEnv, `logs = { lines = -1 }`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)logs.lines.*between 0 and 1000`)},
			{Config: cfg(localaws.FixtureEnv, `logs = { lines = 100000 }`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)logs.lines.*between 0 and 1000, got: 100000`)},
			{Config: cfg(localaws.FixtureEnv, `command = ["./manage.py", ""]`), PlanOnly: true, ExpectError: words("command[1]: an empty string", `("") for a command word`)},
			{Config: cfg(localaws.FixtureEnv, `task = { cluster = "arn:aws:ecs:us-east-1:123:cluster/x" }`), PlanOnly: true, ExpectError: words("task.cluster", "must be an ECS cluster name")},
			{Config: cfg(localaws.FixtureEnv, `task = { task_definition = "app/web" }`), PlanOnly: true, ExpectError: words("task.task_definition", "must be a task definition family")},
			{Config: cfg(localaws.FixtureEnv, `triggers = { "" = "x" }`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)triggers.*length must be at least 1`)},
			{Config: cfg(localaws.FixtureEnv, `container = { environment = { "" = "x" } }`), PlanOnly: true, ExpectError: words(`container.environment`, `an empty string ("") for an environment variable name`)},
		},
	})
	if n := w.migrationTasks(); n != 0 {
		t.Errorf("%d tasks ran for bad configurations", n)
	}
}

// TestAccRun_emptyValuesRefused: no "" or [] means a default: each is
// refused at plan, naming the argument and how to get the default (before,
// image = "" ran the default image, then failed as an inconsistent result
// and tainted the resource).
func TestAccRun_emptyValuesRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	var steps []resource.TestStep
	for _, tc := range []struct{ extra, path, hint string }{
		{`container = { image = "" }`, "container.image", "remove it to run the environment's"},
		{`container = { name = "" }`, "container.name", "remove it to use the default container"},
		{`task = { platform_version = "" }`, "task.platform_version", "remove it to use LATEST"},
		{`task = { network_configuration = { subnets = [] } }`, "task.network_configuration.subnets", "remove it to use the environment's subnets"},
		{`task = { network_configuration = { security_groups = [] } }`, "task.network_configuration.security_groups", "remove it to use the environment's security groups"},
		{`logs = { group = "" }`, "logs.group", "remove it to use the container's own or the default group"},
		{`name = ""`, "name", "must be 1 to 64 letters"},
	} {
		steps = append(steps, resource.TestStep{
			Config: w.run("v1", okCommand, tc.extra), PlanOnly: true,
			ExpectError: words(tc.path, tc.hint),
		})
	}
	steps = append(steps, resource.TestStep{
		Config: w.providerConfig() + `
data "ebmigrate_pending_migrations" "this" {
  environment_name = "` + localaws.FixtureEnv + `"
  container        = { name = "" }
}
`, PlanOnly: true, ExpectError: words("container.name", "remove it to use the default container")})
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: factories, Steps: steps})
	if n := w.migrationTasks(); n != 0 {
		t.Errorf("%d tasks ran for empty values", n)
	}
}
