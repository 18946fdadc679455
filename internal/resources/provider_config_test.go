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
