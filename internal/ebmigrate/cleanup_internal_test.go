package ebmigrate

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// A revision DeleteTaskDefinitions still reads ACTIVE after its
// deregistration is asked again for as long as the patience allows, and
// then named, with the command that deletes it later.
func TestDeleteRevisionsNamesWhatStaysActive(t *testing.T) {
	seed := localaws.FixtureSeed(t.TempDir())
	seed.Consistency = localaws.TestConsistency
	seed.Consistency.DeregisterLagMS = 60000
	srv := localaws.Start(t, seed)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 1}
	api := ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := api.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("lagging"), ContainerDefinitions: []ecstypes.ContainerDefinition{{
		Name: aws.String("web"), Image: aws.String("example/app:v1"), Memory: aws.Int32(128),
	}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	time.Sleep(300 * time.Millisecond) // past the register lag
	if _, err := api.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	deleted, err := deleteRevisions(ctx, api, []string{arn}, 600*time.Millisecond)
	if len(deleted) != 0 || err == nil || !strings.Contains(err.Error(), "aws ecs delete-task-definitions --task-definitions "+arn) {
		t.Errorf("deleted %v, err %v: want nothing deleted and %s named with the command that deletes it", deleted, err, arn)
	}
	if n := srv.Calls("ecs:DeleteTaskDefinitions"); n < 2 {
		t.Errorf("%d DeleteTaskDefinitions calls: the lagging revision was not asked again", n)
	}
}
