package ebmigrate_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// twoTasks is ECS answering RunTask for one task with the task twice, an
// answer ECS documents nothing like (so localaws has no fault for it): the
// engine must not guess which one to wait for.
type twoTasks struct{ ebmigrate.ECS }

func (e twoTasks) RunTask(ctx context.Context, in *ecs.RunTaskInput, opts ...func(*ecs.Options)) (*ecs.RunTaskOutput, error) {
	out, err := e.ECS.RunTask(ctx, in, opts...)
	if err == nil && len(out.Tasks) == 1 {
		out.Tasks = append(out.Tasks, out.Tasks[0])
	}
	return out, err
}

func TestEngineErrors(t *testing.T) {
	t.Run("missing", func(t *testing.T) {
		_, c := fixture(t, func(s *localaws.Seed) { s.Timing.MissingMS = 60000 })
		in := migrateInput("true")
		in.Poll.MissingFor = 300 * time.Millisecond
		_, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
		_ = expectEngineError(t, err, "Migration Task Missing", "MISSING", "stopped and forgotten", "after at least an hour", "next apply runs it again")
	})
	t.Run("failed polls", func(t *testing.T) {
		_, c := fixture(t, func(s *localaws.Seed) {
			s.Faults = []localaws.Fault{{Operation: "ecs:DescribeTasks", Error: "ServerException"}}
		})
		in := migrateInput("true")
		in.Discover.SourceTaskDefinition = localaws.FixtureFamily()
		in.Poll.MaxErrors = 2
		_, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
		ee := expectEngineError(t, err, "Migration Task Unreadable", "failed 2 times in a row")
		if f, ok := ebmigrate.AsAWSFailure(ee.Cause); !ok || f.Operation != "DescribeTasks" || f.Code != "ServerException" {
			t.Errorf("cause = %+v (AWS: %v), want ECS DescribeTasks ServerException", ee.Cause, ok)
		}
	})
	t.Run("two tasks", func(t *testing.T) {
		_, c := fixture(t)
		c.ECS = twoTasks{c.ECS}
		_, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("true"), &recorder{})
		_ = expectEngineError(t, err, "Unexpected RunTask Answer", "answered with 2 tasks", "stop any that should not run")
	})
}

func expectEngineError(t *testing.T, err error, summary string, phrases ...string) *ebmigrate.EngineError {
	t.Helper()
	var ee *ebmigrate.EngineError
	if !errors.As(err, &ee) {
		t.Fatalf("err = %v, want an EngineError %q", err, summary)
	}
	if ee.Summary != summary {
		t.Errorf("summary = %q, want %q", ee.Summary, summary)
	}
	for _, p := range phrases {
		if !strings.Contains(ee.Detail, p) {
			t.Errorf("detail lacks %q: %s", p, ee.Detail)
		}
	}
	if _, isAWS := ebmigrate.AsAWSFailure(err); isAWS && ee.Cause == nil {
		t.Errorf("an engine condition reads as an AWS error: %v", err)
	}
	return ee
}
