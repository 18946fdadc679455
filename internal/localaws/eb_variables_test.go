package localaws_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// By default (render_variables), EB's task definition holds the
// environment's properties in each container's environment (a property
// replaces the Dockerrun's variable of its name) and its secrets as
// references; with "render_variables": false, neither.
func TestEBRendersVariables(t *testing.T) {
	c := world(t, func(s *localaws.Seed) {
		s.Environments[0].Properties["PORT"] = "9000"
	})
	out, err := c.ecs.DescribeTaskDefinition(ctx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(localaws.FixtureFamily())})
	if err != nil {
		t.Fatal(err)
	}
	for _, ctr := range out.TaskDefinition.ContainerDefinitions {
		env := map[string]string{}
		for _, kv := range ctr.Environment {
			env[aws.ToString(kv.Name)] = aws.ToString(kv.Value)
		}
		if env["DATABASE_PASSWORD"] != localaws.FixturePropSecret || env["PORT"] != "9000" {
			t.Errorf("container %s: environment %v, want the properties (PORT replaced)", aws.ToString(ctr.Name), env)
		}
		if len(ctr.Secrets) != 1 || aws.ToString(ctr.Secrets[0].Name) != "API_KEY" || aws.ToString(ctr.Secrets[0].ValueFrom) != localaws.FixtureSecretArn {
			t.Errorf("container %s: secrets %+v, want API_KEY's reference", aws.ToString(ctr.Name), ctr.Secrets)
		}
	}
	off := false
	plain := world(t, func(s *localaws.Seed) { s.Environments[0].RenderVariables = &off })
	out, err = plain.ecs.DescribeTaskDefinition(ctx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(localaws.FixtureFamily())})
	if err != nil {
		t.Fatal(err)
	}
	if web := out.TaskDefinition.ContainerDefinitions[0]; len(web.Environment) != 1 || len(web.Secrets) != 0 {
		t.Errorf("without render_variables: environment %+v, secrets %+v", web.Environment, web.Secrets)
	}
}
