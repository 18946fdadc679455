package awsacc_test

import (
	"fmt"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/provider"
)

// The real account and environment, from the environment:
//
//	EBMIGRATE_ACC_ENVIRONMENT  an EB environment on the ECS platform (required)
//	EBMIGRATE_ACC_REGION       its region (default: AWS_REGION)
//	EBMIGRATE_ACC_PROFILE      a shared config profile (default: AWS_PROFILE / the SDK chain)
//	EBMIGRATE_ACC_DJANGO=1     the app is Django: also read pending migrations
var (
	accEnvironment = os.Getenv("EBMIGRATE_ACC_ENVIRONMENT")
	accRegion      = os.Getenv("EBMIGRATE_ACC_REGION")
	accProfile     = os.Getenv("EBMIGRATE_ACC_PROFILE")
)

var factories = map[string]func() (tfprotov6.ProviderServer, error){
	"ebmigrate": func() (tfprotov6.ProviderServer, error) { return provider.Server("acc")(), nil },
}

// preCheck skips, saying why, unless a real environment is named.
func preCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 (make testacc-aws does) to run the acceptance tests against AWS")
	}
	if accEnvironment == "" {
		t.Skip("set EBMIGRATE_ACC_ENVIRONMENT to an Elastic Beanstalk environment on the ECS platform (and EBMIGRATE_ACC_REGION, EBMIGRATE_ACC_PROFILE) to run the acceptance tests against AWS")
	}
}

func providerConfig() string {
	cfg := "provider \"ebmigrate\" {\n"
	if accRegion != "" {
		cfg += fmt.Sprintf("  region = %q\n", accRegion)
	}
	if accProfile != "" {
		cfg += fmt.Sprintf("  profile = %q\n", accProfile)
	}
	return cfg + "}\n"
}

// run is an ebmigrate_run of the deployed version with command, re-run by a
// nonce so that every test run starts a task.
func run(command string) string {
	return providerConfig() + fmt.Sprintf(`
data "ebmigrate_environment" "this" {
  name = %[1]q
}

resource "ebmigrate_run" "acc" {
  environment_name = %[1]q
  version_label    = data.ebmigrate_environment.this.version_label
  command          = %[2]s
  triggers         = { nonce = %[3]q }
}
`, accEnvironment, command, fmt.Sprint(time.Now().UnixNano()))
}

// TestAccAWS_echo: a harmless command runs with the defaults (default
// container, default log group) and succeeds; destroy deletes its revisions.
func TestAccAWS_echo(t *testing.T) {
	preCheck(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: run(`["echo", "ebmigrate acceptance test"]`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("ebmigrate_run.acc", tfjsonpath.New("output"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("ebmigrate acceptance test")})),
				statecheck.ExpectKnownValue("ebmigrate_run.acc", tfjsonpath.New("log_stream"), knownvalue.StringRegexp(regexp.MustCompile(`^.+/.+/[0-9a-f]{32}$`))),
			},
		}},
	})
}

// TestAccAWS_failure: a failing command fails the apply with its exit code
// and its output.
func TestAccAWS_failure(t *testing.T) {
	preCheck(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config:      run(`["sh", "-c", "echo ebmigrate-acceptance-failure; exit 3"]`),
			ExpectError: regexp.MustCompile(`(?s)Migration Failed.*exit code 3.*ebmigrate-acceptance-failure`),
		}},
	})
}

// TestAccAWS_pendingMigrations: the pending data source runs showmigrations
// during plan (Django apps only).
func TestAccAWS_pendingMigrations(t *testing.T) {
	preCheck(t)
	if os.Getenv("EBMIGRATE_ACC_DJANGO") != "1" {
		t.Skip("set EBMIGRATE_ACC_DJANGO=1 when the environment's app is Django to read its pending migrations")
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: providerConfig() + fmt.Sprintf(`data "ebmigrate_pending_migrations" "acc" { environment_name = %q }`, accEnvironment),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.ebmigrate_pending_migrations.acc", tfjsonpath.New("pending"), knownvalue.NotNull()),
			},
		}},
	})
}
