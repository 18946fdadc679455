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

// TestAccRun_tags: the provider's default_tags and the resource's tags (which
// win) are on the registered task definition and on the task.
func TestAccRun_tags(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	config := strings.Replace(w.providerConfig(), `region = "us-east-1"`, `region = "us-east-1"
  default_tags {
    tags = { team = "platform", cost-center = "42" }
  }`, 1) + fmt.Sprintf(`
resource "ebmigrate_run" "migrate" {
  environment_name = %q
  version_label    = "v1"
  command          = ["sh", "-c", "echo ok"]
  tags             = { team = "data", service = "myapp" }
}
`, localaws.FixtureEnv)
	want := map[string]string{"team": "data", "cost-center": "42", "service": "myapp"}
	has := func(what string, tags []ecstypes.Tag) error {
		got := map[string]string{}
		for _, tg := range tags {
			got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		for k, v := range want {
			if got[k] != v {
				return fmt.Errorf("%s tags %v, want %v among them", what, got, want)
			}
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config:      strings.Replace(config, `service = "myapp"`, `"aws:owner" = "x"`, 1),
				PlanOnly:    true,
				ExpectError: words("Reserved Tag Key", "aws:owner"),
			},
			{
				Config: config,
				Check: func(s *terraform.State) error {
					attrs := s.RootModule().Resources[addr].Primary.Attributes
					td, err := w.ecs.DescribeTaskDefinition(w.ctx(), &ecs.DescribeTaskDefinitionInput{
						TaskDefinition: aws.String(attrs["last_run.task_definition_arn"]), Include: []ecstypes.TaskDefinitionField{ecstypes.TaskDefinitionFieldTags}})
					if err != nil {
						return err
					}
					if err := has("task definition", td.Tags); err != nil {
						return err
					}
					tasks, err := w.ecs.DescribeTasks(w.ctx(), &ecs.DescribeTasksInput{Cluster: aws.String(attrs["last_run.cluster_arn"]),
						Tasks: []string{attrs["last_run.task_arn"]}, Include: []ecstypes.TaskField{ecstypes.TaskFieldTags}})
					if err != nil || len(tasks.Tasks) != 1 {
						return fmt.Errorf("describe task: %v %+v", err, tasks)
					}
					return has("task", tasks.Tasks[0].Tags)
				},
			},
		},
	})
}
