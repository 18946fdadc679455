package resources_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// TestAccProvider_endpointNotAURL: an endpoint that is not a URL with a
// scheme and a host fails the plan naming the endpoint, before any call.
func TestAccProvider_endpointNotAURL(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config:      strings.Replace(w.run("v1", okCommand), fmt.Sprintf("ecs              = %q", w.srv.URL()), `ecs              = "not a url"`, 1),
			PlanOnly:    true,
			ExpectError: words("Invalid Endpoint", "endpoints.ecs is not an endpoint URL", "scheme"),
		}},
	})
	if n := len(w.srv.Stats().Calls); n != 0 {
		t.Errorf("the plan called localaws: %v", w.srv.Stats().Calls)
	}
}

// TestAccProvider_unknownDefaultTags: default_tags known only after apply
// plan without a "Value Conversion Error", and the apply tags the migration
// task definition with the values known then.
func TestAccProvider_unknownDefaultTags(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	config := `
resource "terraform_data" "team" {
  input = "platform"
}
` + strings.Replace(w.run("v1", okCommand), `region = "us-east-1"`, `region = "us-east-1"
  default_tags {
    tags = { team = terraform_data.team.output }
  }`, 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: config,
			Check: func(s *terraform.State) error {
				attrs := s.RootModule().Resources["ebmigrate_run.migrate"].Primary.Attributes
				td, err := w.ecs.DescribeTaskDefinition(w.ctx(), &ecs.DescribeTaskDefinitionInput{
					TaskDefinition: aws.String(attrs["last_run.task_definition_arn"]), Include: []ecstypes.TaskDefinitionField{ecstypes.TaskDefinitionFieldTags}})
				if err != nil {
					return err
				}
				for _, tg := range td.Tags {
					if aws.ToString(tg.Key) == "team" && aws.ToString(tg.Value) == "platform" {
						return nil
					}
				}
				return fmt.Errorf("task definition tags %+v, want team = platform among them", td.Tags)
			},
		}},
	})
}

// TestAccCLI_pendingMigrationsErrorHidesCommand: a failed query names its
// command by the first words and the attribute, never the values in it (here
// a sensitive variable's password).
func TestAccCLI_pendingMigrationsErrorHidesCommand(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newCLI(t)
	const password = "hunter2-s3cr3t-pw"
	c.write(w.providerConfig() + fmt.Sprintf(`
variable "db_password" {
  type      = string
  sensitive = true
  default   = %q
}

data "ebmigrate_pending_migrations" "this" {
  environment_name = %q
  command          = ["sh", "-c", "exit 3", var.db_password]
}
`, password, localaws.FixtureEnv))
	out, err := c.run("plan", "-input=false", "-no-color")
	if err == nil {
		t.Fatalf("the query that exits 3 did not fail the plan:\n%s", out)
	}
	out = strings.Join(strings.Fields(out), " ") // as Terraform wrapped it
	if !strings.Contains(out, "Pending Migrations Query Failed") || !strings.Contains(out, "(running `sh -c …` (see the command attribute))") || strings.Contains(out, password) {
		t.Errorf("the error must name the command by its first words, without the password:\n%s", out)
	}
}
