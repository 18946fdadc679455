package localaws_test

import (
	"errors"
	"strings"
	"testing"
	"time"

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

// DeleteTaskDefinitions right after DeregisterTaskDefinition may still read
// the revision ACTIVE (botocore ecs DeregisterTaskDefinition: "up to a
// 10-minute window following deregistration"), and deletes it once the
// deregistration has taken effect (consistency.deregister_lag_ms).
func TestDeleteRightAfterDeregisterReadsActive(t *testing.T) {
	c := world(t, func(s *localaws.Seed) {
		s.Consistency = localaws.TestConsistency
		s.Consistency.DeregisterLagMS = 400
	})
	arn := c.registerTaskDef(t, "lagging", "true")
	if _, err := c.ecs.DeregisterTaskDefinition(ctx(t), &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	del := func() *ecs.DeleteTaskDefinitionsOutput {
		out, err := c.ecs.DeleteTaskDefinitions(ctx(t), &ecs.DeleteTaskDefinitionsInput{TaskDefinitions: []string{arn}})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if out := del(); len(out.Failures) != 1 || !strings.Contains(aws.ToString(out.Failures[0].Reason), "still in ACTIVE status") {
		t.Errorf("right after deregistering: deleted %d, failures %+v; want it refused as still ACTIVE", len(out.TaskDefinitions), out.Failures)
	}
	time.Sleep(500 * time.Millisecond)
	if out := del(); len(out.TaskDefinitions) != 1 || len(out.Failures) != 0 {
		t.Errorf("after the lag: deleted %d, failures %+v", len(out.TaskDefinitions), out.Failures)
	}
}
