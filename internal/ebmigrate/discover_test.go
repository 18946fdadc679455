package ebmigrate_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

func TestDiscover(t *testing.T) {
	srv, c := friendly(t)
	target, err := ebmigrate.Discover(testCtx(t), c, ebmigrate.DiscoverInput{EnvironmentName: localaws.FixtureEnv})
	if err != nil {
		t.Fatal(err)
	}
	if target.EnvironmentID != localaws.FixtureEnvID || target.VersionLabel != "v1" || target.ApplicationName != localaws.FixtureApp {
		t.Errorf("target = %+v", target)
	}
	if !strings.HasSuffix(target.ClusterArn, ":cluster/"+localaws.FixtureCluster()) {
		t.Errorf("cluster = %s", target.ClusterArn)
	}
	if got := aws.ToString(target.SourceTaskDefinition.TaskDefinitionArn); !strings.HasSuffix(got, "task-definition/"+localaws.FixtureFamily()+":1") {
		t.Errorf("source task definition = %s", got)
	}
	if target.Properties["DATABASE_PASSWORD"] != localaws.FixturePropSecret || target.Secrets["API_KEY"] != localaws.FixtureSecretArn {
		t.Errorf("properties/secrets not read")
	}
	if strings.Join(target.Subnets, ",") != "subnet-0aaa1111,subnet-0bbb2222" || strings.Join(target.SecurityGroups, ",") != "sg-0ccc3333" {
		t.Errorf("network = %v %v", target.Subnets, target.SecurityGroups)
	}
	for _, op := range []string{"ecs:RunTask", "ecs:RegisterTaskDefinition", "ecs:StopTask"} {
		if n := srv.Calls(op); n != 0 {
			t.Errorf("discovery made %d %s calls", n, op)
		}
	}
}

func TestDiscoverProblems(t *testing.T) {
	_, c := fixture(t)
	cases := []struct {
		in          ebmigrate.DiscoverInput
		summary     string
		detailParts []string
		arg         string
	}{
		// Arg is the argument at fault, as every object of the provider
		// spells it; a cluster named without an ARN is in the provider's
		// region, said as a region.
		{ebmigrate.DiscoverInput{EnvironmentName: "nope"}, "Elastic Beanstalk Environment Not Found", []string{`"nope"`, "us-east-1"}, ebmigrate.ArgEnvironmentName},
		{ebmigrate.DiscoverInput{EnvironmentName: "myapp-old"}, "Elastic Beanstalk Environment Terminated", []string{`"myapp-old"`, "terminated"}, ebmigrate.ArgEnvironmentName},
		{ebmigrate.DiscoverInput{EnvironmentName: localaws.FixtureNonECSEnv}, "Not An ECS Platform", []string{"PHP 8.3 running on 64bit Amazon Linux 2023", "leader_only"}, ebmigrate.ArgEnvironmentName},
		{ebmigrate.DiscoverInput{EnvironmentName: localaws.FixtureEnv, Cluster: "other"}, "ECS Cluster Not Found", []string{`"other"`, "given in task.cluster does not exist or is not ACTIVE in region us-east-1."}, ebmigrate.ArgCluster},
		{ebmigrate.DiscoverInput{EnvironmentName: localaws.FixtureEnv, SourceTaskDefinition: "nope:3"}, "Task Definition Not Found", []string{`"nope:3"`, "given in task.task_definition"}, ebmigrate.ArgSourceTaskDefinition},
	}
	// In parallel: a task definition ECS does not know is asked for again
	// for a few seconds (it may have been registered a moment ago).
	for _, tc := range cases {
		t.Run(tc.summary, func(t *testing.T) {
			t.Parallel()
			_, err := ebmigrate.Discover(testCtx(t), c, tc.in)
			var p *ebmigrate.ProblemError
			if !errors.As(err, &p) || p.Summary != tc.summary {
				t.Fatalf("%+v: got %v, want %q", tc.in, err, tc.summary)
			}
			for _, part := range tc.detailParts {
				if !strings.Contains(p.Detail, part) {
					t.Errorf("%+v: detail %q does not mention %s", tc.in, p.Detail, part)
				}
			}
			if p.Arg != tc.arg {
				t.Errorf("%+v: the problem is about %q, want %q", tc.in, p.Arg, tc.arg)
			}
		})
	}
}

func TestDiscoverOverrides(t *testing.T) {
	_, c := fixture(t)
	target, err := ebmigrate.Discover(testCtx(t), c, ebmigrate.DiscoverInput{
		EnvironmentName: localaws.FixtureEnv, Cluster: localaws.FixtureCluster(), SourceTaskDefinition: localaws.FixtureFamily() + ":1",
	})
	if err != nil {
		t.Fatal(err)
	}
	if target.SourceTaskDefinition.Revision != 1 {
		t.Errorf("revision = %d", target.SourceTaskDefinition.Revision)
	}
}

// EB's ECS platforms under each name they have had, older ones included.
func TestIsECSPlatform(t *testing.T) {
	for arn, want := range map[string]bool{
		"arn:aws:elasticbeanstalk:us-east-1::platform/ECS running on 64bit Amazon Linux 2023/4.4.0":                true,
		"arn:aws:elasticbeanstalk:us-east-1::platform/ECS running on 64bit Amazon Linux 2/3.2.0":                   true,
		"arn:aws:elasticbeanstalk:us-east-1::platform/Multi-container Docker running on 64bit Amazon Linux/2.26.0": true,
		"arn:aws:elasticbeanstalk:us-east-1::platform/multicontainer Docker running on 64bit Amazon Linux/2.11.0":  true,
		"arn:aws:elasticbeanstalk:us-east-1::platform/Docker running on 64bit Amazon Linux 2023/4.3.0":             false,
		"arn:aws:elasticbeanstalk:us-east-1::platform/PHP 8.3 running on 64bit Amazon Linux 2023/4.3.0":            false,
	} {
		if got := ebmigrate.IsECSPlatform(arn); got != want {
			t.Errorf("IsECSPlatform(%q) = %v, want %v", arn, got, want)
		}
	}
}

// TestDiscoverSourceJustRegistered: a task definition registered a moment
// before (an aws_ecs_task_definition in the same apply) is unknown to ECS
// for about a second (eventual consistency: localaws's register lag, at
// its realistic default here); the engine asks again instead of calling it
// missing.
func TestDiscoverSourceJustRegistered(t *testing.T) {
	_, c := fixture(t, func(s *localaws.Seed) { s.Consistency = localaws.Consistency{RegisterLagMS: 1000} })
	src, err := c.ECS.DescribeTaskDefinition(testCtx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(localaws.FixtureFamily())})
	if err != nil {
		t.Fatal(err)
	}
	td := src.TaskDefinition
	reg, err := c.ECS.RegisterTaskDefinition(testCtx(t), &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("myapp-migrations-source"), ContainerDefinitions: td.ContainerDefinitions, Volumes: td.Volumes, NetworkMode: td.NetworkMode,
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(reg.TaskDefinition.TaskDefinitionArn)
	target, err := ebmigrate.Discover(testCtx(t), c, ebmigrate.DiscoverInput{EnvironmentName: localaws.FixtureEnv, SourceTaskDefinition: arn})
	if err != nil {
		t.Fatalf("a revision registered a moment before: %v", err)
	}
	if got := aws.ToString(target.SourceTaskDefinition.TaskDefinitionArn); got != arn {
		t.Errorf("source task definition = %s, want %s", got, arn)
	}
}
