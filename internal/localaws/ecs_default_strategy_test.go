package localaws_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// PutClusterCapacityProviders sets the cluster's default strategy, which
// DescribeClusters shows and RunTask uses when given neither a launch type
// nor a strategy (botocore ecs PutClusterCapacityProviders,
// RunTaskRequest.capacityProviderStrategy); a default without weight is
// accepted and the RunTask that uses it refused, with ECS's message.
func TestClusterDefaultCapacityProviderStrategy(t *testing.T) {
	c := stockWorld(t)
	cluster := aws.String(localaws.FixtureCluster())
	asg := localaws.EBCapacityProvider(localaws.FixtureCluster())
	put := func(providers []string, strategy ...ecstypes.CapacityProviderStrategyItem) error {
		_, err := c.ecs.PutClusterCapacityProviders(ctx(t), &ecs.PutClusterCapacityProvidersInput{
			Cluster: cluster, CapacityProviders: providers, DefaultCapacityProviderStrategy: append([]ecstypes.CapacityProviderStrategyItem{}, strategy...),
		})
		return err
	}
	item := func(name string, weight, base int32) ecstypes.CapacityProviderStrategyItem {
		return ecstypes.CapacityProviderStrategyItem{CapacityProvider: aws.String(name), Weight: weight, Base: base}
	}
	if err := put([]string{asg}, item("FARGATE", 1, 0)); errCode(err) != "InvalidParameterException" {
		t.Errorf("a default naming a provider it does not associate: %v, want InvalidParameterException", err)
	}
	if err := put([]string{asg, "FARGATE"}, item("FARGATE", 1, 0)); err != nil {
		t.Fatal(err)
	}
	out, err := c.ecs.DescribeClusters(ctx(t), &ecs.DescribeClustersInput{Clusters: []string{*cluster}})
	if err != nil || len(out.Clusters) != 1 {
		t.Fatal(err)
	}
	if d := out.Clusters[0].DefaultCapacityProviderStrategy; len(d) != 1 || aws.ToString(d[0].CapacityProvider) != "FARGATE" || d[0].Weight != 1 {
		t.Errorf("defaultCapacityProviderStrategy = %+v", d)
	}
	probe := aws.ToString(registerProbe(t, c).TaskDefinition.TaskDefinitionArn)
	run := func() (*ecs.RunTaskOutput, error) {
		return c.ecs.RunTask(ctx(t), &ecs.RunTaskInput{Cluster: cluster, TaskDefinition: aws.String(probe), NetworkConfiguration: awsvpc([]string{"subnet-0aaa1111"}, nil)})
	}
	if _, err := run(); err == nil || !strings.Contains(err.Error(), "does not support launch_type FARGATE") {
		t.Errorf("an EC2-only definition on a FARGATE default: %v", err)
	}
	if err := put([]string{asg, "FARGATE"}, item(asg, 1, 0)); err != nil {
		t.Fatal(err)
	}
	sleeper, err := c.ecs.RegisterTaskDefinition(ctx(t), &ecs.RegisterTaskDefinitionInput{Family: aws.String("sleeper"), ContainerDefinitions: []ecstypes.ContainerDefinition{
		{Name: aws.String("sleeper"), Image: aws.String("example/app:v1"), Memory: aws.Int32(64), Command: []string{"sleep", "30"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	c.waitKnown(t, aws.ToString(sleeper.TaskDefinition.TaskDefinitionArn))
	task, err := c.ecs.RunTask(ctx(t), &ecs.RunTaskInput{Cluster: cluster, TaskDefinition: sleeper.TaskDefinition.TaskDefinitionArn})
	if err != nil || len(task.Tasks) != 1 || task.Tasks[0].LaunchType != ecstypes.LaunchTypeEc2 || aws.ToString(task.Tasks[0].CapacityProviderName) != asg {
		t.Errorf("on the Auto Scaling group default: %v, %+v", err, task)
	} else if err := put([]string{"FARGATE"}, item("FARGATE", 1, 0)); errCode(err) != "ResourceInUseException" {
		t.Errorf("disassociating a provider a running task uses: %v, want ResourceInUseException", err)
	}
	if err == nil && len(task.Tasks) == 1 {
		_, _ = c.ecs.StopTask(ctx(t), &ecs.StopTaskInput{Cluster: cluster, Task: task.Tasks[0].TaskArn})
	}
	if err := put([]string{asg, "FARGATE"}, item(asg, 0, 0)); err != nil {
		t.Fatalf("a default without weight: %v (ECS accepts it)", err)
	}
	if _, err := run(); errCode(err) != "InvalidParameterException" || !strings.Contains(err.Error(), "no capacity providers with a weight value greater than zero defined in the default capacity provider strategy") {
		t.Errorf("RunTask on a default without weight: %v", err)
	}
}

// A strategy of Fargate and Auto Scaling group providers together is
// refused, by RunTask and as a cluster's default, with ECS's message (ECS
// guide, Amazon ECS capacity providers: "A capacity provider strategy can
// only contain Auto Scaling group capacity providers or Fargate capacity
// providers").
func TestCapacityProviderStrategyOfOneKind(t *testing.T) {
	c := world(t)
	cluster := aws.String(localaws.FixtureCluster())
	asg := localaws.EBCapacityProvider(localaws.FixtureCluster())
	mixed := []ecstypes.CapacityProviderStrategyItem{
		{CapacityProvider: aws.String("FARGATE"), Weight: 1}, {CapacityProvider: aws.String(asg), Weight: 1},
	}
	const mix = "cannot contain a mix of capacity providers using Auto Scaling groups and Fargate providers"
	_, err := c.ecs.PutClusterCapacityProviders(ctx(t), &ecs.PutClusterCapacityProvidersInput{
		Cluster: cluster, CapacityProviders: []string{asg, "FARGATE"}, DefaultCapacityProviderStrategy: mixed,
	})
	if errCode(err) != "InvalidParameterException" || !strings.Contains(err.Error(), mix) {
		t.Errorf("a mixed default: %v, want InvalidParameterException %q", err, mix)
	}
	if _, err := c.ecs.PutClusterCapacityProviders(ctx(t), &ecs.PutClusterCapacityProvidersInput{
		Cluster: cluster, CapacityProviders: []string{asg, "FARGATE"}, DefaultCapacityProviderStrategy: []ecstypes.CapacityProviderStrategyItem{},
	}); err != nil {
		t.Fatalf("associating both kinds (a cluster may have both): %v", err)
	}
	td := c.registerTaskDef(t, "migrate", "true")
	_, err = c.ecs.RunTask(ctx(t), &ecs.RunTaskInput{Cluster: cluster, TaskDefinition: aws.String(td), CapacityProviderStrategy: mixed})
	if errCode(err) != "InvalidParameterException" || !strings.Contains(err.Error(), mix) {
		t.Errorf("RunTask with a mixed strategy: %v, want InvalidParameterException %q", err, mix)
	}
}
