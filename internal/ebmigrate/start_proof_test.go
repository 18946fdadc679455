package ebmigrate_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// A missing log stream proves "never started" only for a container whose
// awslogs driver blocks: in non-blocking mode (ECS's default since June
// 2025, for a container without "mode") Docker creates the stream in the
// background while the container already runs.

// A task of another build, started without the lock, whose definition
// leaves the awslogs mode to ECS's default (non-blocking): its stream comes
// 2 s after its process started, ECS shows the start 3 s after it, and this
// apply's task.start_timeout is 1 s. Its start cannot be checked: it is
// waited for, not stopped mid-migration.
func TestNonBlockingStartWithoutLockIsWaitedFor(t *testing.T) {
	t.Parallel()
	srv, c := fixture(t, func(s *localaws.Seed) {
		s.Timing.StartReportLagMS, s.Timing.StartReportJitterMS = 3000, 1
		s.Timing.StreamCreateLagMS, s.Timing.StreamCreateJitterMS = 2000, 1
	})
	first := mustMigrate(t, c, migrateInput("sh", "-c", "echo migrated")) // registers the revision
	td := registerNonBlocking(t, c, first.TaskDefinitionArn)
	migrateBesideOlderBuild(t, srv, c, first, td)
}

// The apply's own task, whose start it cannot check (a stream named by the
// container's runtime ID, unknown until ECS shows the start), shown started
// 2.5 s after its process started, past its task.start_timeout of 1 s: it is
// not stopped, and the migration runs once, to its end.
func TestOwnUncheckableStartIsNotStopped(t *testing.T) {
	t.Parallel()
	srv, c := noPrefix(t, func(s *localaws.Seed) { s.Timing.StartReportLagMS, s.Timing.StartReportJitterMS = 2500, 1 })
	in := migrateInput("sh", "-c", "sleep 2; echo migrated")
	in.StartTimeout = time.Second
	rec := &recorder{}
	if _, err := ebmigrate.Migrate(testCtx(t), c, in, rec); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	assertNoneStopped(t, srv)
	if ran := assertNoOverlap(t, srv); ran != 1 {
		t.Errorf("%d tasks ran, want 1", ran)
	}
}

// registerNonBlocking registers a revision of taskDef's family whose
// container's awslogs options have no mode: an older build's, or a user's,
// left to ECS's default.
func registerNonBlocking(t *testing.T, c ebmigrate.Clients, taskDef string) string {
	t.Helper()
	d, err := c.ECS.DescribeTaskDefinition(testCtx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(taskDef)})
	if err != nil {
		t.Fatal(err)
	}
	src := d.TaskDefinition
	defs := src.ContainerDefinitions
	for i := range defs {
		if lc := defs[i].LogConfiguration; lc != nil {
			if lc.Options["mode"] != "blocking" {
				t.Fatalf("the derived definition's awslogs mode is %q, want blocking", lc.Options["mode"])
			}
			delete(lc.Options, "mode")
		}
	}
	out, err := c.ECS.RegisterTaskDefinition(testCtx(t), &ecs.RegisterTaskDefinitionInput{
		Family: src.Family, ContainerDefinitions: defs, TaskRoleArn: src.TaskRoleArn, ExecutionRoleArn: src.ExecutionRoleArn,
		NetworkMode: src.NetworkMode, RequiresCompatibilities: src.RequiresCompatibilities, Cpu: src.Cpu, Memory: src.Memory, Volumes: src.Volumes,
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	for i := 0; ; i++ { // the register lag
		if _, err := c.ECS.DescribeTaskDefinition(testCtx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn)}); err == nil {
			return arn
		}
		if i > 200 {
			t.Fatalf("%s never became known", arn)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
