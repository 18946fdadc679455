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
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
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
