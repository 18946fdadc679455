package resources_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

func TestAccEnvironmentDataSource(t *testing.T) {
	t.Parallel()
	w := newWorld(t, func(s *localaws.Seed) {
		// An EB secret needs a task execution role in the Dockerrun (EB's
		// Dockerrun v2 guide, executionRoleArn): EB puts it into its task
		// definition, which ECS refuses without one.
		s.Environments[0].Secrets = map[string]string{"API_KEY": localaws.FixtureSecretArn}
		if s.Environments[0].TaskDefinition == nil {
			s.Environments[0].TaskDefinition = map[string]json.RawMessage{}
		}
		s.Environments[0].TaskDefinition["executionRoleArn"] = json.RawMessage(`"arn:aws:iam::123456789012:role/aws-elasticbeanstalk-ecs-execution"`)
	})
	const ds = "data.ebmigrate_environment.this"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: w.providerConfig() + fmt.Sprintf(`data "ebmigrate_environment" "this" { environment_name = %q }`, localaws.FixtureEnv),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("environment_id"), knownvalue.StringExact(localaws.FixtureEnvID)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("id"), knownvalue.StringExact(localaws.FixtureEnv)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("version_label"), knownvalue.StringExact("v1")),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("status"), knownvalue.StringExact("Ready")),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("cluster_arn"), knownvalue.StringRegexp(regexp.MustCompile(`cluster/`+localaws.FixtureCluster()+`$`))),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("source_task_definition_arn"), knownvalue.StringRegexp(regexp.MustCompile(`task-definition/`+localaws.FixtureFamily()+`:1$`))),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("containers"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{"name": knownvalue.StringExact("web"), "image": knownvalue.StringExact("example/app:v1"), "essential": knownvalue.Bool(true)}),
					knownvalue.ObjectExact(map[string]knownvalue.Check{"name": knownvalue.StringExact(localaws.FixtureProxy), "image": knownvalue.StringExact("example/nginx:1.27"), "essential": knownvalue.Bool(true)}),
				})),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("property_names"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("DATABASE_PASSWORD"), knownvalue.StringExact("DEBUG"), knownvalue.StringExact("DJANGO_SETTINGS_MODULE"),
				})),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("secret_names"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("API_KEY")})),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("subnets"), knownvalue.ListSizeExact(2)),
			},
			Check: func(s *terraform.State) error {
				raw, _ := json.Marshal(s)
				if strings.Contains(string(raw), localaws.FixturePropSecret) {
					return fmt.Errorf("a property value is in the state")
				}
				if n := w.migrationTasks(); n != 0 {
					return fmt.Errorf("the data source started %d tasks", n)
				}
				return nil
			},
		}},
	})
}

// requireDjango fails the test in CI (CI=true, as CI services and .ci/run
// set it), where a missing Django would otherwise turn every Django test into
// a silent skip, and elsewhere skips it saying why and what to install.
func requireDjango(t *testing.T) {
	t.Helper()
	out, err := exec.Command("/usr/bin/python3", "-c", "import django").CombinedOutput()
	if err == nil {
		return
	}
	why := fmt.Sprintf("Debian's python3-django is not importable by /usr/bin/python3 (%v: %s); 'make django' or 'apt-get install python3-django' installs it", err, lastLine(out))
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true and " + why)
	}
	t.Skip("skipping the Django test: " + why)
}

// djangoWorld is the fixture environment running the demo's Django project:
// example/app:vN is examples/demo/app/vN, with a SQLite database in a
// temporary directory named by the DATABASE_PATH property.
func djangoWorld(t *testing.T, mutate ...func(*localaws.Seed)) *world {
	t.Helper()
	w, _ := djangoWorldDB(t, mutate...)
	return w
}

// djangoWorldDB is djangoWorld and the path of its SQLite database.
func djangoWorldDB(t *testing.T, mutate ...func(*localaws.Seed)) (*world, string) {
	t.Helper()
	requireDjango(t)
	_, file, _, _ := runtime.Caller(0)
	apps := filepath.Join(filepath.Dir(file), "..", "..", "examples", "demo", "app")
	db := filepath.Join(t.TempDir(), "db.sqlite3")
	return newWorld(t, func(s *localaws.Seed) {
		for _, v := range []string{"v1", "v2", "v3", "v4"} {
			s.Images["example/app:"+v] = localaws.Image{Dir: filepath.Join(apps, v), Env: map[string]string{
				"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1", "HOME": os.TempDir(),
			}}
		}
		// v4 (which drops a field) is an application version, never deployed.
		v4 := map[string]string{}
		for name, image := range s.Environments[0].Versions["v3"] {
			v4[name] = strings.Replace(image, "example/app:v3", "example/app:v4", 1)
		}
		s.Environments[0].Versions["v4"] = v4
		s.Environments[0].Properties["DATABASE_PATH"] = db
		s.Environments[0].Properties["DJANGO_SETTINGS_MODULE"] = "demo.settings"
		for _, m := range mutate {
			m(s)
		}
	}), db
}

// TestAccPendingMigrations: the data source runs Django's migrate --plan
// through localaws and returns what is not applied, before and after
// ebmigrate_run migrates.
func TestAccPendingMigrations(t *testing.T) {
	t.Parallel()
	w := djangoWorld(t)
	const ds = "data.ebmigrate_pending_migrations.this"
	pending := w.providerConfig() + fmt.Sprintf(`
data "ebmigrate_pending_migrations" "this" {
  environment_name = %q
}
`, localaws.FixtureEnv)
	migrate := func(version string) string {
		return pending + fmt.Sprintf(`
resource "ebmigrate_run" "migrate" {
  environment_name = %q
  version_label    = %q
}
`, localaws.FixtureEnv, version)
	}
	list := func(names ...string) knownvalue.Check {
		checks := []knownvalue.Check{}
		for _, n := range names {
			checks = append(checks, knownvalue.StringExact(n))
		}
		return knownvalue.ListExact(checks)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: pending,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("pending"), list("notes.0001_initial", "shop.0001_initial")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("applied_count"), knownvalue.Null()),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("destructive"), list()),
				},
			},
			{
				Config: migrate("v1"),
				Check: func(*terraform.State) error {
					w.deploy("v2")
					return nil
				},
			},
			{
				// v2 is deployed now: its new migration is pending.
				Config: migrate("v1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("pending"), list("shop.0002_product_price_cents")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("operations"), knownvalue.MapExact(map[string]knownvalue.Check{
						"shop.0002_product_price_cents": list("Add field price_cents to product"),
					})),
				},
			},
			{
				Config: migrate("v2"),
				Check: func(*terraform.State) error {
					if n := w.migrationTasks(); n < 2 {
						return fmt.Errorf("%d tasks", n)
					}
					return nil
				},
			},
			{
				Config: migrate("v2"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("pending"), list()),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("operations"), knownvalue.MapExact(map[string]knownvalue.Check{})),
				},
			},
		},
	})
}

// deploy makes EB deploy a version and waits until the environment is Ready.
func (w *world) deploy(version string) {
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", "")}
	eb := elasticbeanstalk.NewFromConfig(cfg, func(o *elasticbeanstalk.Options) { o.BaseEndpoint = aws.String(w.srv.URL()) })
	if _, err := eb.UpdateEnvironment(w.ctx(), &elasticbeanstalk.UpdateEnvironmentInput{EnvironmentName: aws.String(localaws.FixtureEnv), VersionLabel: aws.String(version)}); err != nil {
		w.t.Fatalf("deploying %s: %v", version, err)
	}
	for i := 0; i < 200; i++ {
		out, err := eb.DescribeEnvironments(w.ctx(), &elasticbeanstalk.DescribeEnvironmentsInput{EnvironmentNames: []string{localaws.FixtureEnv}, IncludeDeleted: aws.Bool(false)})
		if err == nil && string(out.Environments[0].Status) == "Ready" && aws.ToString(out.Environments[0].VersionLabel) == version {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	w.t.Fatalf("the deploy of %s did not finish", version)
}

// TestAccPendingMigrations_incompleteLogFails: when the command's log cannot
// be read to its end, the data source fails instead of returning a list
// that may be missing migrations.
func TestAccPendingMigrations_incompleteLogFails(t *testing.T) {
	t.Parallel()
	w := djangoWorld(t, func(s *localaws.Seed) {
		s.Faults = append(s.Faults, localaws.Fault{Operation: "logs:GetLogEvents", Error: "AccessDeniedException"})
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: w.providerConfig() + fmt.Sprintf(`
data "ebmigrate_pending_migrations" "this" {
  environment_name = %q
}
`, localaws.FixtureEnv),
			ExpectError: words("Output Incomplete", "could not be proven complete", "AccessDeniedException"),
		}},
	})
}

// TestAccPendingMigrations_unprovenOutputFails: lines that look like a plan
// but do not prove themselves complete (an entrypoint prints them and exits
// without running the query's command) fail the plan saying the output is
// incomplete; no list is given, not even the one they show.
func TestAccPendingMigrations_unprovenOutputFails(t *testing.T) {
	t.Parallel()
	w := newWorld(t, func(s *localaws.Seed) {
		var web map[string]any
		if err := json.Unmarshal(s.Environments[0].Containers[0], &web); err != nil {
			t.Fatal(err)
		}
		web["entryPoint"] = []string{"sh", "-c", `echo "Planned operations:"; echo "shop.0001_initial"`}
		s.Environments[0].Containers[0], _ = json.Marshal(web)
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: w.providerConfig() + fmt.Sprintf(`
data "ebmigrate_pending_migrations" "this" {
  environment_name = %q
}
`, localaws.FixtureEnv),
			ExpectError: words("Output Incomplete", "could not be proven complete", "end line", "did not show", "none is given"),
		}},
	})
}

// lastLine is the last line of a command's output (Python's error).
func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}
