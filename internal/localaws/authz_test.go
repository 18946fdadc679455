package localaws_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// TestAuthzRequests: the resource-scoped ECS calls of a client app are
// recorded with what IAM evaluates: the resource ARN, its tags when the call
// came (a stopped task's tags, which StopTask deletes, included), the
// request's tags and the cluster; other apps' calls are not.
func TestAuthzRequests(t *testing.T) {
	// A new revision is visible to RunTask after RegisterLagMS, and a
	// deregistered one deletable after DeregisterLagMS (both shortened).
	c := stockWorld(t, func(s *localaws.Seed) { s.Consistency.RegisterLagMS, s.Consistency.DeregisterLagMS = 1, 1 })
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), AppID: "authz-test", RetryMaxAttempts: 1}
	api := ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = aws.String(c.srv.URL()) })
	reg, err := api.RegisterTaskDefinition(ctx(t), &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("ebmigrate-authz"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("example/app:v1"), Memory: aws.Int32(64),
			Command: []string{"sh", "-c", "sleep 30"}, Essential: aws.Bool(true)}},
		Tags: []ecstypes.Tag{{Key: aws.String("ebmigrate:content-hash"), Value: aws.String("h1")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(reg.TaskDefinition.TaskDefinitionArn)
	time.Sleep(10 * time.Millisecond)
	run, err := api.RunTask(ctx(t), &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: aws.String(arn),
		Tags: []ecstypes.Tag{{Key: aws.String("ebmigrate:run"), Value: aws.String("r1")}}})
	if err != nil || len(run.Tasks) != 1 {
		t.Fatalf("RunTask: %v %+v", err, run)
	}
	task := aws.ToString(run.Tasks[0].TaskArn)
	if _, err := api.StopTask(ctx(t), &ecs.StopTaskInput{Cluster: aws.String(localaws.FixtureCluster()), Task: aws.String(task)}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.DeregisterTaskDefinition(ctx(t), &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	if _, err := api.DeleteTaskDefinitions(ctx(t), &ecs.DeleteTaskDefinitionsInput{TaskDefinitions: []string{arn}}); err != nil {
		t.Fatal(err)
	}
	// Another app's call is not recorded under this one.
	if _, err := c.ecs.DeregisterTaskDefinition(ctx(t), &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(localaws.FixtureFamily() + ":1")}); err != nil {
		t.Fatal(err)
	}
	got := c.srv.AuthzRequests("authz-test")
	cluster := aws.ToString(run.Tasks[0].ClusterArn)
	want := []localaws.AuthzRequest{
		{Action: "ecs:RegisterTaskDefinition", Resource: arn, RequestTags: map[string]string{"ebmigrate:content-hash": "h1"}, ResourceTags: map[string]string{"ebmigrate:content-hash": "h1"}},
		{Action: "ecs:RunTask", Resource: arn, RequestTags: map[string]string{"ebmigrate:run": "r1"}, ResourceTags: map[string]string{"ebmigrate:content-hash": "h1"}, Cluster: cluster},
		{Action: "ecs:StopTask", Resource: task, ResourceTags: map[string]string{"ebmigrate:run": "r1"}, Cluster: cluster},
		{Action: "ecs:DeregisterTaskDefinition", Resource: arn, ResourceTags: map[string]string{"ebmigrate:content-hash": "h1"}},
		{Action: "ecs:DeleteTaskDefinitions", Resource: arn, ResourceTags: map[string]string{"ebmigrate:content-hash": "h1"}},
	}
	if len(got) != len(want) {
		t.Fatalf("recorded %+v, want %+v", got, want)
	}
	for i := range want {
		if !sameAuthz(got[i], want[i]) {
			t.Errorf("request %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func sameAuthz(a, b localaws.AuthzRequest) bool {
	eq := func(x, y map[string]string) bool {
		if len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if y[k] != v {
				return false
			}
		}
		return true
	}
	return a.Action == b.Action && a.Resource == b.Resource && a.Cluster == b.Cluster && eq(a.ResourceTags, b.ResourceTags) && eq(a.RequestTags, b.RequestTags)
}
