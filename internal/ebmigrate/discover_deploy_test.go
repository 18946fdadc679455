package ebmigrate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// Right after a deploy (an after_deploy migration, an after_update action
// trigger), the old version's web task may still be RUNNING while it stops
// (StopTask: SIGTERM, then up to the stop timeout for a graceful shutdown;
// DescribeTasks says desiredStatus STOPPED at once) and ListTasks may not
// list the new one yet (its index is eventually consistent): discovery takes
// the deployed version's task definition, not the stopping task's, so that
// the migration runs the new version's image.
func TestDiscoverRightAfterDeploy(t *testing.T) {
	dir := t.TempDir()
	// A server that shuts down gracefully: it ignores SIGTERM, as gunicorn
	// finishing its requests does, until StopTask's grace ends.
	if err := os.WriteFile(filepath.Join(dir, "serve.sh"), []byte("trap '' TERM\nwhile :; do sleep 0.05; done\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, c := friendly(t, func(s *localaws.Seed) {
		for _, v := range []string{"v1", "v2"} {
			img := s.Images["example/app:"+v]
			img.Dir = dir
			s.Images["example/app:"+v] = img
		}
		s.Environments[0].Instances = 1
		s.Environments[0].Workload = &localaws.WorkloadSeed{Command: []string{"sh", "serve.sh"}}
		// ECS's list index a second behind, as by default (consistency.go).
		s.Consistency = localaws.TestConsistency
		s.Consistency.ListLagMS = 1000
		// Long enough for the stopping task to be seen RUNNING; short for the test.
		s.Timing.StopGraceMS = 1000
	})
	// The environment has served a while: ECS lists its web task.
	ecsAPI := clientsFor(srv, 1).ECS.(*ecs.Client)
	for {
		l, err := ecsAPI.ListTasks(testCtx(t), &ecs.ListTasksInput{Cluster: aws.String(localaws.FixtureCluster()), Family: aws.String(localaws.FixtureFamily())})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.TaskArns) == 1 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	eb := clientsFor(srv, 1).EB.(*elasticbeanstalk.Client)
	if _, err := eb.UpdateEnvironment(testCtx(t), &elasticbeanstalk.UpdateEnvironmentInput{EnvironmentName: aws.String(localaws.FixtureEnv), VersionLabel: aws.String("v2")}); err != nil {
		t.Fatal(err)
	}
	for {
		env, err := ebmigrate.DescribeEnvironment(testCtx(t), c.EB, localaws.FixtureEnv)
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(env.VersionLabel) == "v2" && env.Status == "Ready" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	target, err := ebmigrate.Discover(testCtx(t), c, ebmigrate.DiscoverInput{EnvironmentName: localaws.FixtureEnv})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(target.SourceTaskDefinition.TaskDefinitionArn); !strings.HasSuffix(got, ":2") || aws.ToString(target.SourceTaskDefinition.ContainerDefinitions[0].Image) != "example/app:v2" {
		t.Errorf("right after the deploy of v2, discovery took %s (image %s)", got, aws.ToString(target.SourceTaskDefinition.ContainerDefinitions[0].Image))
	}
}
