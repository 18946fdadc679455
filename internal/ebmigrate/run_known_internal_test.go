package ebmigrate

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// runTaskKnown asks again only while ECS does not know the revision yet;
// ECS's other refusals of a revision it knows ("TaskDefinition is inactive",
// "Task definition does not support launch_type FARGATE") are returned at
// the first answer, not after RegisterFor (a minute).
func TestRunTaskKnownRetriesOnlyTheUnknown(t *testing.T) {
	srv := localaws.Start(t, localaws.FixtureSeed(t.TempDir()))
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 1}
	api := ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	register := func(family string) string {
		out, err := api.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String(family), ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name: aws.String("web"), Image: aws.String("example/app:v1"), Memory: aws.Int32(128), Command: []string{"true"},
		}}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	}
	run := func(arn string, launch ecstypes.LaunchType) error {
		in := &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: aws.String(arn), StartedBy: aws.String("test"), LaunchType: launch}
		if launch == ecstypes.LaunchTypeFargate {
			in.NetworkConfiguration = &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{"subnet-0aaa1111"}}}
		}
		_, err := runTaskKnown(ctx, api, in, PollSchedule{}.withDefaults())
		return err
	}
	// Just registered: unknown for RegisterLagMS, then run.
	if err := run(register("fresh"), ""); err != nil {
		t.Fatalf("a revision just registered: %v", err)
	}
	if srv.Calls("ecs:RunTask") < 2 {
		t.Fatalf("RunTask calls = %d: the revision was known at once, so this shows nothing about asking again", srv.Calls("ecs:RunTask"))
	}
	inactive, ec2Only := register("gone"), register("ec2-only")
	time.Sleep(time.Duration(localaws.TestConsistency.RegisterLagMS+100) * time.Millisecond) // past the register lag: known to RunTask
	if _, err := api.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(inactive)}); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		arn    string
		launch ecstypes.LaunchType
	}{"inactive": {inactive, ""}, "EC2 only on Fargate": {ec2Only, ecstypes.LaunchTypeFargate}} {
		srv.ResetStats()
		if err := run(c.arn, c.launch); err == nil {
			t.Errorf("%s: RunTask succeeded", name)
		}
		if n := srv.Calls("ecs:RunTask"); n != 1 {
			t.Errorf("%s: %d RunTask calls, want 1 (ECS's answer stands)", name, n)
		}
	}
}
