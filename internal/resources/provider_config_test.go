package resources_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// TestAccProvider_configurationRefused: like the AWS provider, an
// assume_role without a known role_arn and an endpoint known only after
// apply are errors, not a silent fallback to other credentials or to AWS.
func TestAccProvider_configurationRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	migrate := fmt.Sprintf(`
resource "ebmigrate_run" "migrate" {
  environment_name = %q
  version_label    = "v1"
}
`, localaws.FixtureEnv)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`
provider "ebmigrate" {
  region = "us-east-1"
  assume_role {}
  endpoints {
    ecs              = %[1]q
    elasticbeanstalk = %[1]q
  }
}
`, w.srv.URL()) + migrate,
				ExpectError: words("Missing Role ARN", "Set role_arn"),
			},
			{
				Config: fmt.Sprintf(`
resource "terraform_data" "role" {
  input = "arn:aws:iam::123456789012:role/migrate"
}

provider "ebmigrate" {
  region = "us-east-1"
  assume_role {
    role_arn = terraform_data.role.output
  }
  endpoints {
    ecs              = %[1]q
    elasticbeanstalk = %[1]q
  }
}
`, w.srv.URL()) + migrate,
				ExpectError: words("Role ARN Not Known", "known only after apply"),
			},
			{
				Config: `
resource "terraform_data" "localaws" {
  input = "http://127.0.0.1:1"
}

provider "ebmigrate" {
  region = "us-east-1"
  endpoints {
    ecs              = terraform_data.localaws.output
    elasticbeanstalk = terraform_data.localaws.output
  }
}
` + migrate,
				ExpectError: words("Endpoint Not Known", "endpoints.ecs"),
			},
		},
	})
	if n := w.migrationTasks(); n != 0 {
		t.Errorf("%d tasks ran", n)
	}
}

// TestAccProvider_accountIDs: allowed_account_ids and forbidden_account_ids
// are checked against sts:GetCallerIdentity before anything runs.
func TestAccProvider_accountIDs(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cfg := func(accounts string) string {
		return fmt.Sprintf(`
provider "ebmigrate" {
  region = "us-east-1"
  %[2]s
  endpoints {
    ecs              = %[1]q
    elasticbeanstalk = %[1]q
    logs             = %[1]q
    s3               = %[1]q
    sts              = %[1]q
  }
}

resource "ebmigrate_run" "migrate" {
  environment_name = %[3]q
  version_label    = "v1"
  command          = ["sh", "-c", "echo ok"]
}
`, w.srv.URL(), accounts, localaws.FixtureEnv)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{Config: cfg(`allowed_account_ids = ["111111111111"]`), ExpectError: words("AWS Account Not Allowed", "123456789012", "111111111111")},
			{Config: cfg(`forbidden_account_ids = ["123456789012"]`), ExpectError: words("AWS Account Forbidden", "123456789012")},
			{Config: cfg(`allowed_account_ids = ["12345"]`), PlanOnly: true, ExpectError: words("12-digit AWS account ID")},
			{Config: cfg(`allowed_account_ids = ["123456789012"]`), Check: w.expectMigrationTasks(1)},
		},
	})
	if n := w.srv.Calls("sts:GetCallerIdentity"); n == 0 {
		t.Error("the account was never checked with sts:GetCallerIdentity")
	}
}
