package localaws_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

func TestOperationFaults(t *testing.T) {
	c := world(t, func(s *localaws.Seed) {
		s.Faults = []localaws.Fault{
			{Operation: "ecs:ListClusters", Error: "ThrottlingException", Count: 2},
			{Operation: "elasticbeanstalk:DescribeEnvironments", Error: "Throttling", Count: 1},
		}
	})
	for i := 0; i < 2; i++ {
		if _, err := c.ecs.ListClusters(ctx(t), &ecs.ListClustersInput{}); errCode(err) != "ThrottlingException" {
			t.Errorf("call %d: %v, want ThrottlingException", i+1, err)
		}
	}
	if _, err := c.ecs.ListClusters(ctx(t), &ecs.ListClustersInput{}); err != nil {
		t.Errorf("third call: %v", err)
	}
	if _, err := c.eb.DescribeEnvironments(ctx(t), &elasticbeanstalk.DescribeEnvironmentsInput{}); errCode(err) != "Throttling" {
		t.Errorf("EB throttling: %v", err)
	}
	if err := c.srv.AddFault(localaws.Fault{Operation: "ecs:DescribeClusters", Error: "500"}); err != nil {
		t.Fatal(err)
	}
	_, err := c.ecs.DescribeClusters(ctx(t), &ecs.DescribeClustersInput{})
	if err == nil || !strings.Contains(err.Error(), "StatusCode: 500") {
		t.Errorf("HTTP 500 fault: %v", err)
	}
	c.srv.ClearFaults()
	if err := c.srv.AddFault(localaws.Fault{Operation: "ecs:ListClusters", LatencyMS: 150}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := c.ecs.ListClusters(ctx(t), &ecs.ListClustersInput{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("latency fault: call took %s", d)
	}
	if n := c.srv.Calls("ecs:ListClusters"); n != 4 {
		t.Errorf("ListClusters calls = %d, want 4 (faulted ones count)", n)
	}
	// skip: the first calls pass, then count calls fail.
	c.srv.ClearFaults()
	if err := c.srv.AddFault(localaws.Fault{Operation: "ecs:ListClusters", Error: "ThrottlingException", Count: 1, Skip: 1}); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"", "ThrottlingException", ""} {
		if _, err := c.ecs.ListClusters(ctx(t), &ecs.ListClustersInput{}); errCode(err) != want {
			t.Errorf("skip 1, count 1: call %d: %v, want %q", i+1, err, want)
		}
	}
	if err := c.srv.AddFault(localaws.Fault{Task: "bogus"}); err == nil {
		t.Error("an unknown task fault kind was accepted")
	}
}

func TestFractionFault(t *testing.T) {
	c := world(t, func(s *localaws.Seed) {
		s.Faults = []localaws.Fault{{Operation: "ecs:ListClusters", Error: "ThrottlingException", Fraction: 0.3}}
		// 200 calls in a row exceed ListClusters' account quota; this test
		// counts the injected fault alone.
		s.Quotas = &localaws.QuotaSeed{Off: true}
	})
	failed := 0
	for i := 0; i < 200; i++ {
		if _, err := c.ecs.ListClusters(ctx(t), &ecs.ListClustersInput{}); err != nil {
			failed++
		}
	}
	if failed < 30 || failed > 90 {
		t.Errorf("%d of 200 calls failed with a 30%% fault", failed)
	}
}

func TestTaskFaults(t *testing.T) {
	c := world(t)
	td := c.registerTaskDef(t, "migrate", "sh", "-c", "sleep 5")

	if err := c.srv.AddFault(localaws.Fault{Task: "placement_failure", Reason: "RESOURCE:MEMORY", Count: 1}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ecs.RunTask(ctx(t), &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: aws.String(td)})
	if err != nil || len(out.Tasks) != 0 || len(out.Failures) != 1 || aws.ToString(out.Failures[0].Reason) != "RESOURCE:MEMORY" {
		t.Fatalf("placement failure: %v %+v", err, out)
	}

	t.Run("oom", func(t *testing.T) {
		if err := c.srv.AddFault(localaws.Fault{Task: "oom", DurationMS: 100, Count: 1}); err != nil {
			t.Fatal(err)
		}
		stopped := c.waitStopped(t, aws.ToString(c.runTask(t, td).TaskArn))
		ctr := stopped.Containers[0]
		if ctr.ExitCode == nil || *ctr.ExitCode != 137 || !strings.HasPrefix(aws.ToString(ctr.Reason), "OutOfMemoryError") {
			t.Errorf("oom: exit %v reason %q", ctr.ExitCode, aws.ToString(ctr.Reason))
		}
	})
	t.Run("pull error", func(t *testing.T) {
		if err := c.srv.AddFault(localaws.Fault{Task: "pull_error", Count: 1}); err != nil {
			t.Fatal(err)
		}
		stopped := c.waitStopped(t, aws.ToString(c.runTask(t, td).TaskArn))
		if stopped.StopCode != ecstypes.TaskStopCodeTaskFailedToStart || !strings.HasPrefix(aws.ToString(stopped.StoppedReason), "CannotPullContainerError") || stopped.Containers[0].ExitCode != nil {
			t.Errorf("pull error: %s %q exit %v", stopped.StopCode, aws.ToString(stopped.StoppedReason), stopped.Containers[0].ExitCode)
		}
	})
	t.Run("unknown image", func(t *testing.T) {
		reg, err := c.ecs.RegisterTaskDefinition(ctx(t), &ecs.RegisterTaskDefinitionInput{
			Family:               aws.String("noimage"),
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("example/missing:v1"), Memory: aws.Int32(64), Command: []string{"true"}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		c.waitKnown(t, aws.ToString(reg.TaskDefinition.TaskDefinitionArn))
		stopped := c.waitStopped(t, aws.ToString(c.runTask(t, aws.ToString(reg.TaskDefinition.TaskDefinitionArn)).TaskArn))
		if stopped.StopCode != ecstypes.TaskStopCodeTaskFailedToStart || !strings.Contains(aws.ToString(stopped.StoppedReason), "CannotPullContainerError") {
			t.Errorf("unknown image: %s %q", stopped.StopCode, aws.ToString(stopped.StoppedReason))
		}
	})
	t.Run("slow start", func(t *testing.T) {
		if err := c.srv.AddFault(localaws.Fault{Task: "slow_start", DurationMS: 400, Count: 1}); err != nil {
			t.Fatal(err)
		}
		quick := c.registerTaskDef(t, "quick", "true")
		start := time.Now()
		task := c.runTask(t, quick)
		sawPending := false
		for aws.ToString(task.LastStatus) != "STOPPED" {
			time.Sleep(20 * time.Millisecond)
			out, err := c.ecs.DescribeTasks(ctx(t), &ecs.DescribeTasksInput{Cluster: aws.String(localaws.FixtureCluster()), Tasks: []string{aws.ToString(task.TaskArn)}})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Tasks) == 1 {
				task = out.Tasks[0]
				sawPending = sawPending || aws.ToString(task.LastStatus) == "PENDING"
			}
		}
		if !sawPending || time.Since(start) < 400*time.Millisecond {
			t.Errorf("slow start: saw PENDING %v, took %s", sawPending, time.Since(start))
		}
	})
	t.Run("never start", func(t *testing.T) {
		if err := c.srv.AddFault(localaws.Fault{Task: "never_start", Count: 1}); err != nil {
			t.Fatal(err)
		}
		task := c.runTask(t, td)
		time.Sleep(400 * time.Millisecond)
		out, err := c.ecs.DescribeTasks(ctx(t), &ecs.DescribeTasksInput{Cluster: aws.String(localaws.FixtureCluster()), Tasks: []string{aws.ToString(task.TaskArn)}})
		if err != nil || aws.ToString(out.Tasks[0].LastStatus) != "PENDING" {
			t.Fatalf("never start: %v %+v", err, out.Tasks)
		}
		if _, err := c.ecs.StopTask(ctx(t), &ecs.StopTaskInput{Cluster: aws.String(localaws.FixtureCluster()), Task: task.TaskArn}); err != nil {
			t.Fatal(err)
		}
		stopped := c.waitStopped(t, aws.ToString(task.TaskArn))
		if stopped.StartedAt != nil || stopped.Containers[0].ExitCode != nil {
			t.Errorf("a task that never started has startedAt %v exit %v", stopped.StartedAt, stopped.Containers[0].ExitCode)
		}
	})
}

// A fault with after carries the call out and loses its response: a RunTask
// retried with the same clientToken gets the task the lost call started.
func TestLostResponseFault(t *testing.T) {
	c := world(t)
	td := c.registerTaskDef(t, "migrate", "true")
	if err := c.srv.AddFault(localaws.Fault{Operation: "ecs:RunTask", Error: "500", Count: 1, After: true}); err != nil {
		t.Fatal(err)
	}
	in := &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: aws.String(td), ClientToken: aws.String("lost-1")}
	if _, err := c.ecs.RunTask(ctx(t), in); err == nil {
		t.Fatal("the faulted call succeeded")
	}
	out, err := c.ecs.RunTask(ctx(t), in)
	if err != nil || len(out.Tasks) != 1 {
		t.Fatalf("retry: %v %+v", err, out)
	}
	if n := len(c.srv.Stats().Tasks) - 2; n != 1 { // 2 are EB's web tasks
		t.Errorf("%d tasks started, want 1", n)
	}
}

// An access-denied fault answers as ECS does for a caller IAM does not
// allow: the SDK's modelled AccessDeniedException with IAM's message.
func TestAccessDeniedFault(t *testing.T) {
	c := world(t, func(s *localaws.Seed) {
		s.Faults = []localaws.Fault{{Operation: "ecs:RunTask", Error: "AccessDeniedException"}}
	})
	_, err := c.ecs.RunTask(ctx(t), &ecs.RunTaskInput{TaskDefinition: aws.String("x")})
	var denied *ecstypes.AccessDeniedException
	if !errors.As(err, &denied) {
		t.Fatalf("RunTask: %v, want *types.AccessDeniedException", err)
	}
	if msg := denied.ErrorMessage(); !strings.Contains(msg, "is not authorized to perform: ecs:RunTask") || !strings.Contains(msg, "arn:aws:iam::") {
		t.Errorf("message = %q, want IAM's not-authorized message for ecs:RunTask", msg)
	}
}
