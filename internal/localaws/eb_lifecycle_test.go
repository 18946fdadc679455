package localaws_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// An environment replaced through the API: terminated, then created again
// under its name with a new id, cluster and task definition from the
// version's Dockerrun.aws.json.
func TestReplaceEnvironment(t *testing.T) {
	c := world(t)
	if _, err := c.eb.CreateEnvironment(ctx(t), &elasticbeanstalk.CreateEnvironmentInput{
		ApplicationName: aws.String(localaws.FixtureApp), EnvironmentName: aws.String(localaws.FixtureEnv), VersionLabel: aws.String("v2"),
		SolutionStackName: aws.String("64bit Amazon Linux 2023 v4.3.0 running ECS"),
	}); errCode(err) != "InvalidParameterValue" {
		t.Errorf("creating over a live environment: %v", err)
	}
	if _, err := c.eb.TerminateEnvironment(ctx(t), &elasticbeanstalk.TerminateEnvironmentInput{EnvironmentName: aws.String(localaws.FixtureEnv)}); err != nil {
		t.Fatal(err)
	}
	out, err := c.eb.CreateEnvironment(ctx(t), &elasticbeanstalk.CreateEnvironmentInput{
		ApplicationName: aws.String(localaws.FixtureApp), EnvironmentName: aws.String(localaws.FixtureEnv), VersionLabel: aws.String("v2"),
		SolutionStackName: aws.String("64bit Amazon Linux 2023 v4.3.0 running ECS"),
		OptionSettings:    []ebtypes.ConfigurationOptionSetting{{Namespace: aws.String("aws:elasticbeanstalk:application:environment"), OptionName: aws.String("DEBUG"), Value: aws.String("true")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.EnvironmentId)
	if id == localaws.FixtureEnvID || !strings.HasPrefix(id, "e-") || out.Status != ebtypes.EnvironmentStatusLaunching {
		t.Errorf("created %s in status %s", id, out.Status)
	}
	waitReady(t, c)
	td, err := c.ecs.DescribeTaskDefinition(ctx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(localaws.EBTaskFamily(localaws.FixtureEnv, id))})
	if err != nil {
		t.Fatal(err)
	}
	if img := aws.ToString(td.TaskDefinition.ContainerDefinitions[0].Image); img != "example/app:v2" {
		t.Errorf("new environment's image %s", img)
	}
}
