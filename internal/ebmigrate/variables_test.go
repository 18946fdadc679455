package ebmigrate_test

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// Whether or not Elastic Beanstalk renders the environment's properties and
// secrets into its own task definition (localaws's render_variables), no
// property or secret value reaches a derived revision: the properties reach
// the container as RunTask overrides, the secrets as references ECS
// resolves with the execution role.
func TestRenderedVariablesStayOutOfRevisions(t *testing.T) {
	for _, render := range []bool{false, true} {
		t.Run(fmt.Sprintf("render_variables=%v", render), func(t *testing.T) {
			t.Parallel()
			_, c := friendly(t, func(s *localaws.Seed) { s.Environments[0].RenderVariables = &render })
			source, err := c.ECS.DescribeTaskDefinition(testCtx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(localaws.FixtureFamily())})
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := json.Marshal(source.TaskDefinition)
			if rendered := strings.Contains(string(raw), localaws.FixturePropSecret) && strings.Contains(string(raw), localaws.FixtureSecretArn); rendered != render {
				t.Fatalf("EB's task definition holds the property value and the secret's ARN: %v, want %v", rendered, render)
			}
			// The command names the values by digest: it is written into the revision.
			digest := func(v string) string { return fmt.Sprintf("%x", sha256.Sum256([]byte(v))) }
			check := `test "$(printf %s "$DATABASE_PASSWORD$API_KEY" | sha256sum | cut -c1-64)" = ` + digest(localaws.FixturePropSecret+localaws.FixtureSecretValue)
			res, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("sh", "-c", check), &recorder{})
			if err != nil {
				t.Fatalf("the migration did not get the property and the secret: %v", err)
			}
			out, err := c.ECS.DescribeTaskDefinition(testCtx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(res.TaskDefinitionArn)})
			if err != nil {
				t.Fatal(err)
			}
			raw, _ = json.Marshal(out.TaskDefinition)
			for _, value := range []string{localaws.FixturePropSecret, localaws.FixtureSecretValue} {
				if strings.Contains(string(raw), value) {
					t.Errorf("the migration's revision holds a value of the environment: %s", raw)
				}
			}
			if s := out.TaskDefinition.ContainerDefinitions[0].Secrets; len(s) != 1 || aws.ToString(s[0].ValueFrom) != localaws.FixtureSecretArn {
				t.Errorf("secrets = %+v, want API_KEY's reference", s)
			}
		})
	}
}
