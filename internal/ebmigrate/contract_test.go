package ebmigrate_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// withAwslogsOptions sets awslogs options of the friendly world's app
// container, and leaves its log group uncreated.
func withAwslogsOptions(opts map[string]string) func(*localaws.Seed) {
	return func(s *localaws.Seed) {
		s.LogGroups = nil
		var web map[string]any
		if err := json.Unmarshal(s.Environments[0].Containers[0], &web); err != nil {
			panic(err)
		}
		lc := web["logConfiguration"].(map[string]any)["options"].(map[string]any)
		for k, v := range opts {
			lc[k] = v
		}
		b, _ := json.Marshal(web)
		s.Environments[0].Containers[0] = b
	}
}

// awslogs-create-group "true": the driver creates the group (ECS awslogs
// documentation), so a missing group is no error; the run succeeds and its
// output is read from the group the driver created.
func TestAwslogsCreateGroupRuns(t *testing.T) {
	srv, c := friendly(t, withAwslogsOptions(map[string]string{"awslogs-create-group": "true"}))
	rec := &recorder{}
	r, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("sh", "-c", "echo migrated"), rec)
	if err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if !strings.Contains(rec.lines(), "migrated") || r.Logs.Group != localaws.FixtureLogGroup {
		t.Errorf("output %q from group %s", rec.lines(), r.Logs.Group)
	}
	if _, ok := srv.LogGroupRetention(localaws.FixtureLogGroup); !ok {
		t.Error("the awslogs driver did not create the group")
	}
}

// Without awslogs-create-group, a missing group fails the apply before
// anything is registered or run.
func TestMissingLogGroupFailsBeforeRegistering(t *testing.T) {
	srv, c := friendly(t, withAwslogsOptions(nil))
	_, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("sh", "-c", "echo migrated"), &recorder{})
	if err == nil || !strings.Contains(err.Error(), "Log Group Not Found") || !strings.Contains(err.Error(), "awslogs-create-group") {
		t.Fatalf("err = %v, want Log Group Not Found naming awslogs-create-group", err)
	}
	if n := srv.Calls("ecs:RegisterTaskDefinition") + srv.Calls("ecs:RunTask"); n != 0 {
		t.Errorf("%d RegisterTaskDefinition/RunTask calls before the error", n)
	}
}

// The derived container's awslogs gets mode "blocking" unless it has a mode:
// ECS's default is non-blocking, which may drop the lines the pending list
// is parsed from.
func TestDerivedAwslogsBlocks(t *testing.T) {
	for want, opts := range map[string]map[string]string{"blocking": nil, "non-blocking": {"mode": "non-blocking"}} {
		_, c := friendly(t, withAwslogsOptions(opts), func(s *localaws.Seed) { s.LogGroups = []string{localaws.FixtureLogGroup} })
		r, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("true"), &recorder{})
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.ECS.DescribeTaskDefinition(testCtx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(r.TaskDefinitionArn)})
		if err != nil {
			t.Fatal(err)
		}
		if got := out.TaskDefinition.ContainerDefinitions[0].LogConfiguration.Options["mode"]; got != want {
			t.Errorf("user options %v: mode = %q, want %q", opts, got, want)
		}
	}
}

// webField sets a field of the friendly world's app container.
func webField(key string, value any) func(*localaws.Seed) {
	return func(s *localaws.Seed) {
		var web map[string]any
		if err := json.Unmarshal(s.Environments[0].Containers[0], &web); err != nil {
			panic(err)
		}
		web[key] = value
		s.Environments[0].Containers[0], _ = json.Marshal(web)
	}
}

// A CreateLogGroup whose response is lost is retried by the SDK and answered
// ResourceAlreadyExistsException: the group still gets its retention.
func TestLostCreateLogGroupStillSetsRetention(t *testing.T) {
	srv, _ := fixture(t, func(s *localaws.Seed) {
		s.Faults = []localaws.Fault{{Operation: "logs:CreateLogGroup", Error: "500", Count: 1, After: true}}
	})
	c := withRetries(srv)
	if _, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("true"), &recorder{}); err != nil {
		t.Fatal(err)
	}
	if n := srv.Calls("logs:CreateLogGroup"); n < 2 {
		t.Fatalf("CreateLogGroup calls = %d: the lost call was not retried, so this shows nothing", n)
	}
	if days, ok := srv.LogGroupRetention(ebmigrate.DefaultLogGroup(localaws.FixtureEnv)); !ok || days != ebmigrate.DefaultLogRetentionDays {
		t.Errorf("default log group: exists %v, retention %d days, want %d", ok, days, ebmigrate.DefaultLogRetentionDays)
	}
}
