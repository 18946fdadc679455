package ebmigrate_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// Without task.launch_type or task.capacity_provider_strategy, RunTask
// places the migration by the cluster's default capacity provider strategy:
// the derived definition follows it (Fargate-ready on a FARGATE default, as
// it is; EC2 on an Auto Scaling group's), and a default ECS would refuse is
// refused at plan, before anything is registered.
func TestClusterDefaultPlacement(t *testing.T) {
	asg := localaws.EBCapacityProvider(localaws.EBClusterName(localaws.FixtureEnv, localaws.FixtureEnvID))
	for _, tc := range []struct {
		name    string
		def     localaws.StrategyItem
		launch  ecstypes.LaunchType
		refused string
	}{
		{name: "FARGATE", def: localaws.StrategyItem{CapacityProvider: "FARGATE", Weight: 1}, launch: ecstypes.LaunchTypeFargate},
		{name: "Auto Scaling group", def: localaws.StrategyItem{CapacityProvider: asg, Weight: 1}, launch: ecstypes.LaunchTypeEc2},
		{name: "without weight", def: localaws.StrategyItem{CapacityProvider: "FARGATE"}, refused: "Capacity Provider Strategy Without Weight"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, c := friendly(t, localaws.WithoutHostVolume, func(s *localaws.Seed) {
				s.Environments[0].CapacityProviders = []string{asg, "FARGATE"}
				s.Environments[0].DefaultCapacityProviderStrategy = []localaws.StrategyItem{tc.def}
			})
			in := migrateInput("true")
			_, planErr := ebmigrate.PreviewMigration(testCtx(t), c, ebmigrate.PreviewInput{MigrateInput: in})
			res, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
			if tc.refused != "" {
				for when, err := range map[string]error{"plan": planErr, "apply": err} {
					var p *ebmigrate.ProblemError
					if !errors.As(err, &p) || p.Summary != tc.refused || !strings.Contains(p.Detail, "default capacity provider strategy of cluster") {
						t.Errorf("%s: %v, want %s naming the cluster's default strategy", when, err, tc.refused)
					}
				}
				if n := srv.Calls("ecs:RegisterTaskDefinition") + srv.Calls("ecs:RunTask"); n != 0 {
					t.Errorf("%d registrations or runs", n)
				}
				return
			}
			if planErr != nil || err != nil {
				t.Fatalf("plan: %v; apply: %v", planErr, err)
			}
			td, err := c.ECS.DescribeTaskDefinition(testCtx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(res.TaskDefinitionArn)})
			if err != nil {
				t.Fatal(err)
			}
			fargate := slices.Contains(td.TaskDefinition.RequiresCompatibilities, ecstypes.CompatibilityFargate)
			tasks, err := c.ECS.DescribeTasks(testCtx(t), &ecs.DescribeTasksInput{Cluster: aws.String(res.ClusterArn), Tasks: []string{res.TaskArn}})
			if err != nil || len(tasks.Tasks) != 1 {
				t.Fatalf("DescribeTasks: %v", err)
			}
			if task := tasks.Tasks[0]; task.LaunchType != tc.launch || aws.ToString(task.CapacityProviderName) != tc.def.CapacityProvider || fargate != (tc.launch == ecstypes.LaunchTypeFargate) {
				t.Errorf("ran with launch type %s by %s, Fargate-ready definition %v; want %s by %s", task.LaunchType, aws.ToString(task.CapacityProviderName), fargate, tc.launch, tc.def.CapacityProvider)
			}
		})
	}
}

// The cluster's associated capacity providers are read with the cluster:
// placing by its default strategy (or by task.capacity_provider_strategy)
// checks the associations without describing the cluster again.
func TestCapacityProvidersReadWithTheCluster(t *testing.T) {
	asg := localaws.EBCapacityProvider(localaws.EBClusterName(localaws.FixtureEnv, localaws.FixtureEnvID))
	for name, placement := range map[string]ebmigrate.Placement{
		"the cluster's default":       {},
		"capacity_provider_strategy":  {CapacityProvider: []ebmigrate.CapacityProvider{{Name: "FARGATE", Weight: 1}}},
		"a provider it does not have": {CapacityProvider: []ebmigrate.CapacityProvider{{Name: "FARGATE_SPOT", Weight: 1}}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, c := friendly(t, localaws.WithoutHostVolume, func(s *localaws.Seed) {
				s.Environments[0].CapacityProviders = []string{asg, "FARGATE"}
				s.Environments[0].DefaultCapacityProviderStrategy = []localaws.StrategyItem{{CapacityProvider: "FARGATE", Weight: 1}}
			})
			in := migrateInput("true")
			in.Derive.Placement = placement
			_, err := ebmigrate.PreviewMigration(testCtx(t), c, ebmigrate.PreviewInput{MigrateInput: in})
			var p *ebmigrate.ProblemError
			if notAssociated := errors.As(err, &p) && p.Summary == "Capacity Provider Not Associated"; notAssociated != (name == "a provider it does not have") {
				t.Errorf("plan: %v", err)
			}
			if n := srv.Calls("ecs:DescribeClusters"); n != 1 {
				t.Errorf("the plan described the cluster %d times, want once", n)
			}
		})
	}
}
