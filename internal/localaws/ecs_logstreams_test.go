package localaws_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

var (
	dockerID  = regexp.MustCompile(`^[0-9a-f]{64}$`)
	fargateID = regexp.MustCompile(`^([0-9a-f]{32})-[0-9]+$`)
)

// describeUntil polls the task until done says so, returning every
// container state seen on the way.
func (c clients) describeUntil(t *testing.T, arn string, done func(ecstypes.Task) bool) []ecstypes.Container {
	t.Helper()
	var seen []ecstypes.Container
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		out, err := c.ecs.DescribeTasks(ctx(t), &ecs.DescribeTasksInput{Cluster: aws.String(localaws.FixtureCluster()), Tasks: []string{arn}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Tasks) == 1 {
			seen = append(seen, out.Tasks[0].Containers...)
			if done(out.Tasks[0]) {
				return seen
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("task %s: condition not reached", arn)
	return nil
}

// Without awslogs-stream-prefix (optional on EC2) the stream is named after
// the Docker container ID, which DescribeTasks returns as runtimeId once
// the container has started: 64 hex digits on EC2.
func TestAwslogsWithoutPrefixOnEC2(t *testing.T) {
	c := world(t)
	out, err := c.ecs.RegisterTaskDefinition(ctx(t), &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("noprefix"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name: aws.String("web"), Image: aws.String("example/app:v1"), Memory: aws.Int32(64),
			Command: []string{"sh", "-c", "sleep 0.3; echo from the container"},
			LogConfiguration: &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: map[string]string{
				"awslogs-group": localaws.FixtureLogGroup, "awslogs-region": "us-east-1",
			}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	c.waitKnown(t, arn)
	task := c.runTask(t, arn)
	if id := aws.ToString(task.Containers[0].RuntimeId); id != "" {
		t.Errorf("RunTask shows runtimeId %q for a container that has not started", id)
	}
	seen := c.describeUntil(t, aws.ToString(task.TaskArn), func(tk ecstypes.Task) bool { return aws.ToString(tk.LastStatus) == "STOPPED" })
	runtimeID := ""
	for _, ct := range seen {
		id, status := aws.ToString(ct.RuntimeId), aws.ToString(ct.LastStatus)
		switch {
		case status == "PENDING" && id != "":
			t.Errorf("a PENDING container shows runtimeId %q", id)
		case status != "PENDING" && id == "":
			t.Errorf("a %s container shows no runtimeId", status)
		case id != "":
			runtimeID = id
		}
	}
	if !dockerID.MatchString(runtimeID) {
		t.Fatalf("runtimeId = %q, want a Docker container ID (64 hex digits)", runtimeID)
	}
	events, _ := c.readLog(t, runtimeID, 1)
	if len(events) != 1 || aws.ToString(events[0].Message) != "from the container" {
		t.Errorf("stream %s holds %+v", runtimeID, events)
	}
}

// A container that never started (its image could not be pulled) has no
// runtimeId.
func TestNoRuntimeIDWithoutStart(t *testing.T) {
	c := world(t, func(s *localaws.Seed) { s.Faults = []localaws.Fault{{Task: "pull_error", Family: "pull"}} })
	task := c.runTask(t, c.registerTaskDef(t, "pull", "true"))
	stopped := c.waitStopped(t, aws.ToString(task.TaskArn))
	if id := aws.ToString(stopped.Containers[0].RuntimeId); id != "" {
		t.Errorf("a container that never started shows runtimeId %q", id)
	}
}

// On Fargate the runtimeId is the task ID, a hyphen and a number, and a
// task definition for Fargate must give awslogs a stream prefix.
func TestRuntimeIDOnFargate(t *testing.T) {
	c := world(t)
	def := func(options map[string]string) *ecs.RegisterTaskDefinitionInput {
		return &ecs.RegisterTaskDefinitionInput{
			Family: aws.String("onfargate"), NetworkMode: ecstypes.NetworkModeAwsvpc,
			RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
			Cpu:                     aws.String("256"), Memory: aws.String("512"),
			ContainerDefinitions: []ecstypes.ContainerDefinition{{
				Name: aws.String("web"), Image: aws.String("example/app:v1"), Command: []string{"sh", "-c", "sleep 0.3"},
				LogConfiguration: &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: options},
			}},
		}
	}
	_, err := c.ecs.RegisterTaskDefinition(ctx(t), def(map[string]string{"awslogs-group": localaws.FixtureLogGroup, "awslogs-region": "us-east-1"}))
	var ce *ecstypes.ClientException
	if !errors.As(err, &ce) || !strings.Contains(ce.ErrorMessage(), "Fargate requires log configuration options to include awslogs-stream-prefix") {
		t.Errorf("Fargate definition without a stream prefix: %v, want ClientException", err)
	}
	out, err := c.ecs.RegisterTaskDefinition(ctx(t), def(map[string]string{"awslogs-group": localaws.FixtureLogGroup, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app"}))
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	c.waitKnown(t, arn)
	task := c.runTask(t, arn, func(in *ecs.RunTaskInput) {
		in.LaunchType = ecstypes.LaunchTypeFargate
		in.NetworkConfiguration = &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{"subnet-0aaa1111"}}}
	})
	seen := c.describeUntil(t, aws.ToString(task.TaskArn), func(tk ecstypes.Task) bool { return aws.ToString(tk.LastStatus) == "RUNNING" })
	id := aws.ToString(seen[len(seen)-1].RuntimeId)
	m := fargateID.FindStringSubmatch(id)
	if m == nil || m[1] != taskID(aws.ToString(task.TaskArn)) {
		t.Errorf("runtimeId = %q, want <task id>-<number> for task %s", id, aws.ToString(task.TaskArn))
	}
}
