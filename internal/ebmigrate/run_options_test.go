package ebmigrate_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// fieldRecorder keeps each Info message with its fields.
type fieldRecorder struct {
	mu    sync.Mutex
	infos []string
}

func (r *fieldRecorder) Info(msg string, fields map[string]any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.infos = append(r.infos, fmt.Sprint(msg, fields))
}

func (r *fieldRecorder) Output(string) {}

func (r *fieldRecorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.infos, "\n")
}

// ECS Exec reaches RunTask, and the log says how to open a shell in the
// task; without a task role the run is refused before anything registers.
func TestMigrateExecuteCommand(t *testing.T) {
	srv, c := friendly(t)
	in := migrateInput("true")
	in.Derive.Placement.ExecuteCommand = true
	rec := &fieldRecorder{}
	res, err := ebmigrate.Migrate(testCtx(t), c, in, rec)
	if err != nil {
		t.Fatal(err)
	}
	tasks := migrationTasks(srv)
	if len(tasks) != 1 || !tasks[0].EnableExecuteCommand {
		t.Fatalf("migration tasks %+v, want one with enableExecuteCommand", tasks)
	}
	want := "aws ecs execute-command --region us-east-1 --cluster " + localaws.FixtureCluster() + " --task " + res.TaskArn[strings.LastIndex(res.TaskArn, "/")+1:] + " --container web --interactive --command /bin/sh"
	if !strings.Contains(rec.text(), want) {
		t.Errorf("the log does not say %q:\n%s", want, rec.text())
	}

	srv, c = fixture(t) // EB's stock task definition has no task role
	in = migrateInput("true")
	in.Derive.Placement.ExecuteCommand = true
	_, err = ebmigrate.Migrate(testCtx(t), c, in, &fieldRecorder{})
	var p *ebmigrate.ProblemError
	if !errors.As(err, &p) || p.Summary != "Task Role Required For ECS Exec" || !strings.Contains(p.Detail, "task.task_role_arn") || !strings.Contains(p.Detail, "ssmmessages:") {
		t.Errorf("err = %v", err)
	}
	if n := srv.Calls("ecs:RegisterTaskDefinition") + srv.Calls("ecs:RunTask"); n != 0 {
		t.Errorf("%d registrations or runs before the refusal", n)
	}
	in.Derive.TaskRoleArn = "arn:aws:iam::123456789012:role/migrate"
	if _, err := ebmigrate.Migrate(testCtx(t), c, in, &fieldRecorder{}); err != nil {
		t.Errorf("with task.task_role_arn: %v", err)
	}
}

// Placement reaches RunTask; a memberOf constraint no instance meets fails
// the run with the constraint named, and nothing runs.
func TestMigratePlacement(t *testing.T) {
	srv, c := fixture(t)
	in := migrateInput("true")
	in.Derive.Placement.Constraints = []ebmigrate.PlacementConstraint{{Type: "memberOf", Expression: "ec2InstanceId != " + localaws.FixtureInstanceID(0)}}
	in.Derive.Placement.Strategy = []ebmigrate.PlacementStrategy{{Type: "binpack", Field: "memory"}}
	if _, err := ebmigrate.Migrate(testCtx(t), c, in, &fieldRecorder{}); err != nil {
		t.Fatal(err)
	}
	tasks := migrationTasks(srv)
	if len(tasks) != 1 || tasks[0].EC2InstanceID != localaws.FixtureInstanceID(1) || len(tasks[0].PlacementStrategy) != 1 || tasks[0].PlacementStrategy[0].Field != "memory" {
		t.Fatalf("migration tasks %+v, want one on %s with the binpack strategy", tasks, localaws.FixtureInstanceID(1))
	}

	srv, c = fixture(t)
	in = migrateInput("true")
	expr := "attribute:ecs.instance-type == m5.large"
	in.Derive.Placement.Constraints = []ebmigrate.PlacementConstraint{{Type: "memberOf", Expression: expr}}
	_, err := ebmigrate.Migrate(testCtx(t), c, in, &fieldRecorder{})
	var p *ebmigrate.ProblemError
	if !errors.As(err, &p) || p.Summary != "Migration Task Not Placed" ||
		!strings.Contains(p.Detail, "MemberOf placement constraint unsatisfied.") || !strings.Contains(p.Detail, fmt.Sprintf("%q", expr)) || !strings.Contains(p.Detail, "list-container-instances") {
		t.Errorf("err = %v", err)
	}
	if n := len(migrationTasks(srv)); n != 0 {
		t.Errorf("%d migration tasks ran", n)
	}
}

// What RunTask would refuse is refused before anything is registered.
func TestMigratePlacementChecks(t *testing.T) {
	for name, tc := range map[string]struct {
		p    ebmigrate.Placement
		want string
	}{
		"fargate": {ebmigrate.Placement{LaunchType: "FARGATE", Strategy: []ebmigrate.PlacementStrategy{{Type: "random"}}}, "Not Possible On Fargate"},
		"eleven": {ebmigrate.Placement{Constraints: func() []ebmigrate.PlacementConstraint {
			out := make([]ebmigrate.PlacementConstraint, 11)
			for i := range out {
				out[i] = ebmigrate.PlacementConstraint{Type: "distinctInstance"}
			}
			return out
		}()}, "Too Many Placement Constraints"},
		"expression":   {ebmigrate.Placement{Constraints: []ebmigrate.PlacementConstraint{{Type: "memberOf"}}}, "Invalid Placement Constraint"},
		"binpack disk": {ebmigrate.Placement{Strategy: []ebmigrate.PlacementStrategy{{Type: "binpack", Field: "disk"}}}, "Invalid Placement Strategy"},
	} {
		t.Run(name, func(t *testing.T) {
			srv, c := friendly(t, localaws.WithoutHostVolume)
			in := migrateInput("true")
			in.Derive.Placement = tc.p
			in.Derive.ExecutionRoleArn = "arn:aws:iam::123456789012:role/exec"
			_, err := ebmigrate.Migrate(testCtx(t), c, in, &fieldRecorder{})
			var p *ebmigrate.ProblemError
			if !errors.As(err, &p) || p.Summary != tc.want || !strings.Contains(strings.ToLower(p.Detail), "placement") {
				t.Errorf("err = %v, want %s", err, tc.want)
			}
			if n := srv.Calls("ecs:RegisterTaskDefinition") + srv.Calls("ecs:RunTask"); n != 0 {
				t.Errorf("%d registrations or runs", n)
			}
		})
	}
}
