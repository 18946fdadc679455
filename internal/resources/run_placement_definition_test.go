package resources_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// withDefinitionMemberOf registers a revision of the environment's task
// definition with a memberOf placement constraint and returns its ARN.
func (w *world) withDefinitionMemberOf(expr string) string {
	w.t.Helper()
	d, err := w.ecs.DescribeTaskDefinition(w.ctx(), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(localaws.FixtureFamily())})
	if err != nil {
		w.t.Fatal(err)
	}
	td := d.TaskDefinition
	out, err := w.ecs.RegisterTaskDefinition(w.ctx(), &ecs.RegisterTaskDefinitionInput{
		Family: td.Family, ContainerDefinitions: td.ContainerDefinitions, Volumes: td.Volumes, NetworkMode: td.NetworkMode,
		TaskRoleArn: td.TaskRoleArn, ExecutionRoleArn: td.ExecutionRoleArn, RequiresCompatibilities: td.RequiresCompatibilities, Cpu: td.Cpu, Memory: td.Memory,
		PlacementConstraints: []ecstypes.TaskDefinitionPlacementConstraint{{Type: ecstypes.TaskDefinitionPlacementConstraintTypeMemberOf, Expression: aws.String(expr)}},
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
}

// TestAccRun_placementUnsatisfiedByDefinition: the source task definition's
// own memberOf constraint binds (ECS applies it with RunTask's); when no
// instance meets it, the apply fails pointing at the task definition, and
// nothing runs.
func TestAccRun_placementUnsatisfiedByDefinition(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	arn := w.withDefinitionMemberOf("ec2InstanceId == i-0notinthiscluster")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config:      w.run("v1", okCommand, taskArgs(`task_definition = "`+arn+`"`)),
			ExpectError: words("Migration Task Not Placed", "MemberOf placement constraint unsatisfied.", "memberOf placement constraint of the migration task definition", "placementConstraints of the source task definition"),
		}},
	})
	if n := w.migrationTasks(); n != 0 {
		t.Errorf("%d tasks ran", n)
	}
}
