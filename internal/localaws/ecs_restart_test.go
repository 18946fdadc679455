package localaws_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// registerShaped registers an EC2 task definition whose one container runs
// script under sh and logs with awslogs, shaped by shape.
func (c clients) registerShaped(t *testing.T, family, script string, shape func(*ecstypes.ContainerDefinition)) string {
	t.Helper()
	def := ecstypes.ContainerDefinition{
		Name: aws.String("web"), Image: aws.String("example/app:v1"), Essential: aws.Bool(true), Memory: aws.Int32(256),
		Command: []string{"sh", "-c", script},
		LogConfiguration: &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: map[string]string{
			"awslogs-group": localaws.FixtureLogGroup, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "migrate",
		}},
	}
	shape(&def)
	out, err := c.ecs.RegisterTaskDefinition(ctx(t), &ecs.RegisterTaskDefinitionInput{Family: aws.String(family), ContainerDefinitions: []ecstypes.ContainerDefinition{def}})
	if err != nil {
		t.Fatal(err)
	}
	td := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	c.waitKnown(t, td)
	return td
}

// A container with a restart policy that exits after running at least
// restartAttemptPeriod is started again in the same task, exit code 0
// included, until the task is stopped; one that exits sooner, or with an
// ignored exit code, is not.
func TestRestartPolicyRestartsTheContainer(t *testing.T) {
	t.Parallel()
	c := world(t, delivery(50, 100), func(s *localaws.Seed) { s.Timing.RestartSecondMS = 2 }) // 60 s: 120 ms
	policy := func(ignored ...int32) func(*ecstypes.ContainerDefinition) {
		return func(d *ecstypes.ContainerDefinition) {
			d.RestartPolicy = &ecstypes.ContainerRestartPolicy{Enabled: aws.Bool(true), RestartAttemptPeriod: aws.Int32(60), IgnoredExitCodes: ignored}
		}
	}
	restarted := aws.ToString(c.runTask(t, c.registerShaped(t, "restarted", "echo run; sleep 0.2", policy())).TaskArn)
	once := aws.ToString(c.runTask(t, c.registerShaped(t, "ignored", "echo run; sleep 0.2", policy(0))).TaskArn)
	quick := aws.ToString(c.runTask(t, c.registerShaped(t, "quick", "echo run; exit 3", policy())).TaskArn)
	events, _ := c.readLog(t, "migrate/web/"+taskID(restarted), 3)
	if got := messages(events); slices.ContainsFunc(got, func(m string) bool { return m != "run" }) {
		t.Errorf("restarted container's lines %q", got)
	}
	if _, err := c.ecs.StopTask(ctx(t), &ecs.StopTaskInput{Cluster: aws.String(localaws.FixtureCluster()), Task: aws.String(restarted)}); err != nil {
		t.Fatal(err)
	}
	c.waitStopped(t, restarted)
	for _, arn := range []string{once, quick} {
		c.waitStopped(t, arn)
		time.Sleep(300 * time.Millisecond)
		if events, _ := c.readLog(t, "migrate/web/"+taskID(arn), 1); len(events) != 1 {
			t.Errorf("task %s: lines %q, want one run", arn, messages(events))
		}
	}
}

// With pseudoTerminal a terminal writes each "\n" as "\r\n", and Docker
// cuts lines at "\n": every line's event ends with "\r". executionStoppedAt
// is when the containers exited, before DEPROVISIONING ends at stoppedAt.
func TestPseudoTerminalLinesEndWithCR(t *testing.T) {
	t.Parallel()
	c := world(t, delivery(50, 100), func(s *localaws.Seed) { s.Timing.DeprovisioningMS = 300 })
	td := c.registerShaped(t, "tty", "echo one; echo two >&2", func(d *ecstypes.ContainerDefinition) { d.PseudoTerminal = aws.Bool(true) })
	arn := aws.ToString(c.runTask(t, td).TaskArn)
	stopped := c.waitStopped(t, arn)
	events, _ := c.readLog(t, "migrate/web/"+taskID(arn), 2)
	if got := messages(events); strings.Join(got, "|") != "one\r|two\r" && strings.Join(got, "|") != "two\r|one\r" {
		t.Errorf("events %q, want each line ending in \\r", got)
	}
	if d := aws.ToTime(stopped.StoppedAt).Sub(aws.ToTime(stopped.ExecutionStoppedAt)); d < 300*time.Millisecond {
		t.Errorf("stoppedAt - executionStoppedAt = %s, want the deprovisioning (300 ms) at least", d)
	}
}
