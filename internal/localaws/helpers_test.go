package localaws_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/smithy-go"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

type clients struct {
	srv  *localaws.Server
	ecs  *ecs.Client
	eb   *elasticbeanstalk.Client
	logs *cloudwatchlogs.Client
}

// world starts the friendly fixture world (its log group and secret serve
// the tests' own task definitions) and real SDK clients pointed at it, with
// retries off so that every call is one request.
func world(t *testing.T, mutate ...func(*localaws.Seed)) clients {
	t.Helper()
	return worldOf(t, localaws.FriendlySeed(t.TempDir()), mutate...)
}

// stockWorld starts the stock fixture world (EB as AWS's Dockerrun v2
// example shapes it).
func stockWorld(t *testing.T, mutate ...func(*localaws.Seed)) clients {
	t.Helper()
	return worldOf(t, localaws.FixtureSeed(t.TempDir()), mutate...)
}

func worldOf(t *testing.T, seed localaws.Seed, mutate ...func(*localaws.Seed)) clients {
	t.Helper()
	for _, m := range mutate {
		m(&seed)
	}
	srv := localaws.Start(t, seed)
	c := clientsFor(srv.URL())
	c.srv = srv
	return c
}

// clientsFor makes real SDK clients for a localaws URL, retries off.
func clientsFor(endpoint string) clients {
	cfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
		RetryMaxAttempts: 1,
	}
	url := aws.String(endpoint)
	return clients{
		ecs:  ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = url }),
		eb:   elasticbeanstalk.NewFromConfig(cfg, func(o *elasticbeanstalk.Options) { o.BaseEndpoint = url }),
		logs: cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = url }),
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// migrationTaskDef registers a one-container task definition that runs argv.
func (c clients) registerTaskDef(t *testing.T, family string, argv ...string) string {
	t.Helper()
	out, err := c.ecs.RegisterTaskDefinition(ctx(t), &ecs.RegisterTaskDefinitionInput{
		Family: aws.String(family),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name: aws.String("web"), Image: aws.String("example/app:v1"), Essential: aws.Bool(true),
			Memory: aws.Int32(256), Command: argv,
			LogConfiguration: &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: map[string]string{
				"awslogs-group": localaws.FixtureLogGroup, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "migrate",
			}},
		}},
	})
	if err != nil {
		t.Fatalf("RegisterTaskDefinition: %v", err)
	}
	arn := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	c.waitKnown(t, arn)
	return arn
}

// waitKnown waits out the register lag: until DescribeTaskDefinition knows arn.
func (c clients) waitKnown(t *testing.T, arn string) {
	t.Helper()
	for i := 0; ; i++ {
		_, err := c.ecs.DescribeTaskDefinition(ctx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn)})
		if err == nil {
			return
		}
		if errCode(err) != "ClientException" || i > 500 {
			t.Fatalf("DescribeTaskDefinition %s: %v", arn, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (c clients) runTask(t *testing.T, taskDef string, mod ...func(*ecs.RunTaskInput)) ecstypes.Task {
	t.Helper()
	in := &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: aws.String(taskDef), StartedBy: aws.String("test")}
	for _, m := range mod {
		m(in)
	}
	out, err := c.ecs.RunTask(ctx(t), in)
	if err != nil {
		t.Fatalf("RunTask: %v", err)
	}
	if len(out.Failures) > 0 || len(out.Tasks) != 1 {
		t.Fatalf("RunTask: %d tasks, failures %+v", len(out.Tasks), out.Failures)
	}
	return out.Tasks[0]
}

// waitStopped polls DescribeTasks until the task is STOPPED, tolerating MISSING.
func (c clients) waitStopped(t *testing.T, arn string) ecstypes.Task {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		out, err := c.ecs.DescribeTasks(ctx(t), &ecs.DescribeTasksInput{Cluster: aws.String(localaws.FixtureCluster()), Tasks: []string{arn}})
		if err != nil {
			t.Fatalf("DescribeTasks: %v", err)
		}
		if len(out.Tasks) == 1 && aws.ToString(out.Tasks[0].LastStatus) == "STOPPED" {
			return out.Tasks[0]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("task %s did not stop", arn)
	return ecstypes.Task{}
}

func taskID(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

// readLog reads a stream from its head until it holds at least want
// events, and returns them with the forward token of the last page. Each
// try reads the whole stream again: calls become readable in no promised
// order, and a forward token never goes back for an event that became
// readable behind it (logs_read.go).
func (c clients) readLog(t *testing.T, stream string, want int) ([]logtypes.OutputLogEvent, *string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var events []logtypes.OutputLogEvent
		var token *string
		for {
			out, err := c.logs.GetLogEvents(ctx(t), &cloudwatchlogs.GetLogEventsInput{
				LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamName: aws.String(stream), StartFromHead: aws.Bool(true), NextToken: token,
			})
			if err != nil && errCode(err) != "ResourceNotFoundException" {
				t.Fatalf("GetLogEvents %s: %v", stream, err)
			}
			if err != nil {
				break
			}
			events = append(events, out.Events...)
			same := aws.ToString(out.NextForwardToken) == aws.ToString(token)
			token = out.NextForwardToken
			if same {
				break
			}
		}
		if len(events) >= want {
			return events, token
		}
		if time.Now().After(deadline) {
			t.Fatalf("stream %s: %d events after 10 s, want %d", stream, len(events), want)
		}
		time.Sleep(100 * time.Millisecond) // under GetLogEvents' quota (25 a second)
	}
}

// listUntil lists the fixture cluster's tasks until want are listed: ListTasks
// lags DescribeTasks (consistency.list_lag_ms).
func (c clients) listUntil(t *testing.T, in *ecs.ListTasksInput, want int) []string {
	t.Helper()
	in.Cluster = aws.String(localaws.FixtureCluster())
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := c.ecs.ListTasks(ctx(t), in)
		if err != nil {
			t.Fatalf("ListTasks: %v", err)
		}
		if len(out.TaskArns) == want {
			return out.TaskArns
		}
		if time.Now().After(deadline) {
			t.Fatalf("ListTasks lists %v, want %d tasks", out.TaskArns, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitVisible waits until DescribeTasks shows a task (it is MISSING right
// after RunTask).
func (c clients) waitVisible(t *testing.T, arn string) {
	t.Helper()
	for i := 0; ; i++ {
		out, err := c.ecs.DescribeTasks(ctx(t), &ecs.DescribeTasksInput{Cluster: aws.String(localaws.FixtureCluster()), Tasks: []string{arn}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Tasks) == 1 {
			return
		}
		if i > 500 {
			t.Fatalf("task %s never visible", arn)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
