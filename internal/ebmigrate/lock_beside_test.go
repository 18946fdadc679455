package ebmigrate_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// Beside an older provider build's apply, which takes no lock: its task
// started a moment before this apply's look, and not listed yet (ListTasks
// lags 3 s here), runs alongside this apply's, as the CHANGELOG and the
// guide say. Nothing is stopped, both run to their end, and this apply
// warns that two migrations ran at the same time, naming the other task.
func TestLockBesideOlderBuildOverlapIsReported(t *testing.T) {
	t.Parallel()
	srv, c := fixture(t, func(s *localaws.Seed) { s.Consistency.ListLagMS = 3000 })
	first := mustMigrate(t, c, migrateInput("sh", "-c", "echo migrated")) // registers the revision
	out, err := c.ECS.RunTask(testCtx(t), &ecs.RunTaskInput{
		Cluster: aws.String(first.ClusterArn), TaskDefinition: aws.String(first.TaskDefinitionArn),
		StartedBy: aws.String(ebmigrate.StartedBy(localaws.FixtureEnvID)),
		Tags:      []ecstypes.Tag{{Key: aws.String(ebmigrate.TagRun), Value: aws.String("an-older-build-run")}},
		Overrides: &ecstypes.TaskOverride{ContainerOverrides: []ecstypes.ContainerOverride{{Name: aws.String(first.Container), Command: []string{"sh", "-c", "sleep 4; echo older"}}}},
	})
	if err != nil || len(out.Tasks) != 1 {
		t.Fatalf("RunTask: %v", err)
	}
	older := aws.ToString(out.Tasks[0].TaskArn)
	in := migrateInput("sh", "-c", "sleep 2; echo migrated")
	in.VersionLabel = "v2"
	r := mustMigrate(t, c, in)
	if !strings.Contains(strings.Join(r.Warnings, "\n"), older) {
		t.Errorf("warnings %q, want one naming the older build's task %s", r.Warnings, older)
	}
	assertNoneStopped(t, srv)
	if n := len(migrationTasks(srv)); n != 3 {
		t.Errorf("%d tasks, want 3", n)
	}
}
