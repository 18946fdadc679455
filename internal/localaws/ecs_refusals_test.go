package localaws_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// RunTask's ClientExceptions, as ECS words them: a revision not known yet
// ("Unable to describe task definition."), an INACTIVE one ("TaskDefinition
// is inactive"; botocore ecs DeregisterTaskDefinition: "You can't use an
// INACTIVE task definition to run new tasks"), and one not compatible with
// the launch type. Only the first is eventual consistency.
func TestRunTaskRefusalsOfARevision(t *testing.T) {
	c := world(t)
	fresh, err := c.ecs.RegisterTaskDefinition(ctx(t), &ecs.RegisterTaskDefinitionInput{Family: aws.String("fresh"), ContainerDefinitions: []ecstypes.ContainerDefinition{{
		Name: aws.String("web"), Image: aws.String("example/app:v1"), Memory: aws.Int32(128),
	}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ecs.RunTask(ctx(t), &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: fresh.TaskDefinition.TaskDefinitionArn})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ClientException" || ae.ErrorMessage() != "Unable to describe task definition." {
		t.Errorf("just registered: %v, want ClientException \"Unable to describe task definition.\"", err)
	}
	gone, ec2Only := c.registerTaskDef(t, "gone", "true"), c.registerTaskDef(t, "ec2-only", "true")
	if _, err := c.ecs.DeregisterTaskDefinition(ctx(t), &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(gone)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, arn string
		launch    ecstypes.LaunchType
		message   string
	}{
		{"inactive", gone, "", "TaskDefinition is inactive"},
		{"EC2 only, on Fargate", ec2Only, ecstypes.LaunchTypeFargate, "Task definition does not support launch_type FARGATE."},
	} {
		in := &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: aws.String(tc.arn), LaunchType: tc.launch,
			NetworkConfiguration: awsvpc([]string{"subnet-0aaa1111"}, nil)}
		if tc.launch == "" {
			in.NetworkConfiguration = nil
		}
		_, err := c.ecs.RunTask(ctx(t), in)
		if !errors.As(err, &ae) || ae.ErrorCode() != "ClientException" || !strings.HasPrefix(ae.ErrorMessage(), tc.message) {
			t.Errorf("%s: %v, want ClientException %q", tc.name, err, tc.message)
		}
	}
}
