package localaws_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// A task's processes run before DescribeTasks shows it started: PENDING, no
// startedAt, no runtimeId, its container PENDING, for the start report's lag
// (the ECS agent's asynchronous state changes), then RUNNING.
func TestStartReportedLate(t *testing.T) {
	c := world(t, func(s *localaws.Seed) { s.Timing.StartReportLagMS, s.Timing.StartReportJitterMS = 800, 1 })
	marker := filepath.Join(t.TempDir(), "started")
	td := c.registerTaskDef(t, "migrate", "sh", "-c", "touch "+marker+"; sleep 3")
	arn := aws.ToString(c.runTask(t, td).TaskArn)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(marker); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the process never started")
		}
		time.Sleep(5 * time.Millisecond)
	}
	ran := time.Now()
	out, err := c.ecs.DescribeTasks(ctx(t), &ecs.DescribeTasksInput{Cluster: aws.String(localaws.FixtureCluster()), Tasks: []string{arn}})
	if err != nil || len(out.Tasks) != 1 {
		t.Fatalf("DescribeTasks: %v %+v", err, out)
	}
	task := out.Tasks[0]
	if aws.ToString(task.LastStatus) != "PENDING" || task.StartedAt != nil || task.Containers[0].RuntimeId != nil || aws.ToString(task.Containers[0].LastStatus) != "PENDING" {
		t.Errorf("while its process runs, unreported: status %s, startedAt %v, runtimeId %v, container %s; want PENDING and nothing started",
			aws.ToString(task.LastStatus), task.StartedAt, aws.ToString(task.Containers[0].RuntimeId), aws.ToString(task.Containers[0].LastStatus))
	}
	for aws.ToString(task.LastStatus) != "RUNNING" {
		if time.Now().After(deadline) {
			t.Fatal("never RUNNING")
		}
		time.Sleep(10 * time.Millisecond)
		out, err = c.ecs.DescribeTasks(ctx(t), &ecs.DescribeTasksInput{Cluster: aws.String(localaws.FixtureCluster()), Tasks: []string{arn}})
		if err != nil {
			t.Fatal(err)
		}
		task = out.Tasks[0]
	}
	if late := time.Since(ran); late < 600*time.Millisecond || task.StartedAt == nil || task.Containers[0].RuntimeId == nil {
		t.Errorf("RUNNING %s after the process started (want about 800 ms), startedAt %v, runtimeId %v", late, task.StartedAt, task.Containers[0].RuntimeId)
	}
	for _, ti := range c.srv.Stats().Tasks {
		if ti.TaskArn == arn && (ti.ProcessStartedAt == nil || !ti.ProcessStartedAt.Before(*ti.StartedAt)) {
			t.Errorf("stats: process started %v, reported %v", ti.ProcessStartedAt, ti.StartedAt)
		}
	}
}

// A process that ends before its start is reported: ECS shows the start,
// then the stop, never STOPPED without a start.
func TestQuickTaskReportsStartBeforeStop(t *testing.T) {
	c := world(t, func(s *localaws.Seed) { s.Timing.StartReportLagMS, s.Timing.StartReportJitterMS = 500, 1 })
	td := c.registerTaskDef(t, "migrate", "true")
	stopped := c.waitStopped(t, aws.ToString(c.runTask(t, td).TaskArn))
	if stopped.StartedAt == nil || stopped.StoppedAt == nil || stopped.StartedAt.After(*stopped.StoppedAt) || stopped.Containers[0].ExitCode == nil {
		t.Errorf("stopped task: startedAt %v stoppedAt %v exit %v", stopped.StartedAt, stopped.StoppedAt, stopped.Containers[0].ExitCode)
	}
}

// Each task has a list lag of its own: a task created later can be listed
// before one created earlier.
func TestListLagPerTask(t *testing.T) {
	c := world(t, func(s *localaws.Seed) {
		s.Consistency = localaws.TestConsistency
		s.Consistency.ListLagMS, s.Consistency.ListJitterMS = 100, 1500
		s.RandomSeed = 7
	})
	td := c.registerTaskDef(t, "sleeper", "sleep", "30")
	var created []string
	for i := 0; i < 6; i++ {
		created = append(created, aws.ToString(c.runTask(t, td, func(in *ecs.RunTaskInput) { in.StartedBy = aws.String("ebmigrate-x") }).TaskArn))
		time.Sleep(20 * time.Millisecond)
	}
	var order []string
	deadline := time.Now().Add(10 * time.Second)
	for len(order) < len(created) && time.Now().Before(deadline) {
		out, err := c.ecs.ListTasks(ctx(t), &ecs.ListTasksInput{Cluster: aws.String(localaws.FixtureCluster()), StartedBy: aws.String("ebmigrate-x")})
		if err != nil {
			t.Fatal(err)
		}
		for _, arn := range out.TaskArns {
			if !slices.Contains(order, arn) {
				order = append(order, arn)
			}
		}
		time.Sleep(60 * time.Millisecond) // within ECS's read quota
	}
	if len(order) != len(created) {
		t.Fatalf("listed %d of %d tasks", len(order), len(created))
	}
	if slices.Equal(order, created) {
		t.Errorf("ListTasks listed the tasks in the order they were created (%v): no task overtook an older one", order)
	}
}

// StopTask deletes the task's tags, so that a policy allowing StopTask only
// on tasks with a tag denies a second StopTask of the same task, judged on
// the tags when the call comes.
func TestStopTaskTagsAndEnforcedPolicy(t *testing.T) {
	c := world(t)
	c.srv.EnforcePolicy("judged", func(r localaws.AuthzRequest) bool {
		_, tagged := r.ResourceTags["ebmigrate:run"]
		return r.Action == "ecs:StopTask" && tagged
	})
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 1, AppID: "judged"}
	judged := ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = aws.String(c.srv.URL()) })
	td := c.registerTaskDef(t, "sleeper", "sleep", "30")
	arn := aws.ToString(c.runTask(t, td, func(in *ecs.RunTaskInput) {
		in.Tags = []ecstypes.Tag{{Key: aws.String("ebmigrate:run"), Value: aws.String("r1")}}
	}).TaskArn)
	c.waitVisible(t, arn)
	stop := &ecs.StopTaskInput{Cluster: aws.String(localaws.FixtureCluster()), Task: aws.String(arn)}
	if _, err := judged.StopTask(ctx(t), stop); err != nil {
		t.Fatalf("first StopTask: %v", err)
	}
	_, err := judged.StopTask(ctx(t), stop)
	var denied *ecstypes.AccessDeniedException
	if !errors.As(err, &denied) {
		t.Errorf("second StopTask, the tags gone: %v, want AccessDeniedException", err)
	}
	if reqs := c.srv.AuthzRequests("judged"); len(reqs) != 1 || reqs[0].ResourceTags["ebmigrate:run"] != "r1" {
		t.Errorf("recorded: %+v", reqs)
	}
}

// A RunTask fault with after and no count carries out every attempt and
// loses every answer: the SDK's retries (same clientToken) all fail, and
// ECS started one task.
func TestRunTaskLostInEveryAttempt(t *testing.T) {
	c := world(t)
	td := c.registerTaskDef(t, "migrate", "sleep", "1")
	if err := c.srv.AddFault(localaws.Fault{Operation: "ecs:RunTask", Error: "500", After: true}); err != nil {
		t.Fatal(err)
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 3}
	retrying := ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = aws.String(c.srv.URL()) })
	if _, err := retrying.RunTask(ctx(t), &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: aws.String(td), StartedBy: aws.String("test")}); err == nil {
		t.Fatal("RunTask succeeded")
	}
	if n := c.srv.Calls("ecs:RunTask"); n != 3 {
		t.Errorf("RunTask calls = %d, want the SDK's 3 attempts", n)
	}
	started := 0
	for _, ti := range c.srv.Stats().Tasks {
		if ti.StartedBy == "test" {
			started++
		}
	}
	if started != 1 {
		t.Errorf("%d tasks started, want 1", started)
	}
}
