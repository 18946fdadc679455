package localaws_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// A new task shows in DescribeTasks before ListTasks lists it, and a stopped
// task stays listed under RUNNING for the same lag.
func TestListTasksLagsDescribeTasks(t *testing.T) {
	c := world(t, func(s *localaws.Seed) {
		s.Consistency = localaws.Consistency{ListLagMS: 1500, RegisterLagMS: 1, LogIngestDelayMS: 1, LogBatchMS: 300, EmptyLogPages: 0.01}
	})
	td := c.registerTaskDef(t, "sleeper", "sleep", "30")
	arn := aws.ToString(c.runTask(t, td, func(in *ecs.RunTaskInput) { in.StartedBy = aws.String("lag") }).TaskArn)
	described := false
	for !described {
		out, err := c.ecs.DescribeTasks(ctx(t), &ecs.DescribeTasksInput{Cluster: aws.String(localaws.FixtureCluster()), Tasks: []string{arn}})
		if err != nil {
			t.Fatal(err)
		}
		described = len(out.Tasks) == 1
		time.Sleep(10 * time.Millisecond)
	}
	list := &ecs.ListTasksInput{Cluster: aws.String(localaws.FixtureCluster()), StartedBy: aws.String("lag")}
	if out, err := c.ecs.ListTasks(ctx(t), list); err != nil || len(out.TaskArns) != 0 {
		t.Errorf("ListTasks right after DescribeTasks saw it: %v %v (want not listed yet)", err, out)
	}
	c.listUntil(t, &ecs.ListTasksInput{StartedBy: aws.String("lag")}, 1)
	if _, err := c.ecs.StopTask(ctx(t), &ecs.StopTaskInput{Cluster: aws.String(localaws.FixtureCluster()), Task: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if out, err := c.ecs.ListTasks(ctx(t), list); err != nil || len(out.TaskArns) != 1 {
		t.Errorf("ListTasks right after StopTask: %v %v (want still listed)", err, out)
	}
	c.listUntil(t, &ecs.ListTasksInput{StartedBy: aws.String("lag")}, 0)
}

// A container's last lines are readable only some time after the driver
// sent them (at most log_ingest_delay_ms), also after the task stopped;
// empty pages with a new token come before events.
func TestLogsIngestLateWithEmptyPages(t *testing.T) {
	c := world(t, func(s *localaws.Seed) {
		s.Consistency = localaws.Consistency{ListLagMS: 1, RegisterLagMS: 1, LogIngestDelayMS: 1500, LogBatchMS: 300, EmptyLogPages: 1}
	})
	// Blocking: the stream exists before the start (logs_mode.go).
	td := c.registerLogged(t, localaws.FixtureLogGroup, "blocking", "sh", "-c", "echo first; echo last")
	arn := aws.ToString(c.runTask(t, td).TaskArn)
	stopped := c.waitStopped(t, arn)
	stream := "migrate/web/" + arn[strings.LastIndex(arn, "/")+1:]
	in := &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamName: aws.String(stream), StartFromHead: aws.Bool(true)}
	early, err := c.logs.GetLogEvents(ctx(t), in)
	if err != nil || len(early.Events) != 0 {
		t.Fatalf("right after STOPPED: %v %+v (want no event ingested yet)", err, early)
	}
	for time.Since(aws.ToTime(stopped.StoppedAt)) < 1600*time.Millisecond {
		time.Sleep(50 * time.Millisecond)
	}
	first, err := c.logs.GetLogEvents(ctx(t), in)
	if err != nil || len(first.Events) != 0 || aws.ToString(first.NextForwardToken) == "" {
		t.Fatalf("first page: %v %+v (want empty, with a token)", err, first)
	}
	in.NextToken = first.NextForwardToken
	second, err := c.logs.GetLogEvents(ctx(t), in)
	if err != nil || len(second.Events) != 2 || aws.ToString(second.Events[1].Message) != "last" {
		t.Fatalf("page after the empty one: %v %+v", err, second)
	}
	in.NextToken = second.NextForwardToken
	end, err := c.logs.GetLogEvents(ctx(t), in)
	if err != nil || len(end.Events) != 0 || aws.ToString(end.NextForwardToken) != aws.ToString(second.NextForwardToken) {
		t.Errorf("end of stream: %v %+v (want the same token back)", err, end)
	}
}

// A stopped task answers MISSING once ECS forgot it (an hour by default).
func TestStoppedTaskForgotten(t *testing.T) {
	c := world(t, func(s *localaws.Seed) { s.Timing.StoppedRetentionMS = 300 })
	td := c.registerTaskDef(t, "migrate", "true")
	arn := aws.ToString(c.runTask(t, td).TaskArn)
	stopped := c.waitStopped(t, arn)
	for time.Since(aws.ToTime(stopped.StoppedAt)) < 400*time.Millisecond {
		time.Sleep(50 * time.Millisecond)
	}
	out, err := c.ecs.DescribeTasks(ctx(t), &ecs.DescribeTasksInput{Cluster: aws.String(localaws.FixtureCluster()), Tasks: []string{arn}})
	if err != nil || len(out.Tasks) != 0 || len(out.Failures) != 1 || aws.ToString(out.Failures[0].Reason) != "MISSING" {
		t.Errorf("forgotten task: %v %+v", err, out)
	}
}

// ListTaskDefinitions.familyPrefix is "the full family name".
func TestListTaskDefinitionsFamilyPrefixIsTheFamily(t *testing.T) {
	c := world(t)
	c.registerTaskDef(t, "migrate", "true")
	c.registerTaskDef(t, "migrate-query", "true")
	out, err := c.ecs.ListTaskDefinitions(ctx(t), &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("migrate")})
	if err != nil || len(out.TaskDefinitionArns) != 1 || !strings.HasSuffix(out.TaskDefinitionArns[0], "/migrate:1") {
		t.Errorf("familyPrefix migrate: %v %v", err, out)
	}
	fams, err := c.ecs.ListTaskDefinitionFamilies(ctx(t), &ecs.ListTaskDefinitionFamiliesInput{FamilyPrefix: aws.String("migrate"), Status: ecstypes.TaskDefinitionFamilyStatusActive})
	if err != nil || len(fams.Families) != 2 {
		t.Errorf("ListTaskDefinitionFamilies is a prefix: %v %v", err, fams)
	}
}
