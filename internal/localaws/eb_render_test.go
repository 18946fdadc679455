package localaws_test

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// EB renders the stock Dockerrun v2 as AWS documents: one awseb-logs-<name>
// host volume per container, and no roles or awslogs it was not given.
func TestEBRendersDockerrunV2(t *testing.T) {
	c := stockWorld(t)
	out, err := c.ecs.DescribeTaskDefinition(ctx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(localaws.FixtureFamily())})
	if err != nil {
		t.Fatal(err)
	}
	td := out.TaskDefinition
	for _, name := range []string{"web", localaws.FixtureProxy} {
		i := slices.IndexFunc(td.Volumes, func(v ecstypes.Volume) bool { return aws.ToString(v.Name) == "awseb-logs-"+name })
		if i < 0 || aws.ToString(td.Volumes[i].Host.SourcePath) != "/var/log/containers/"+name {
			t.Errorf("no awseb-logs-%s host volume: %+v", name, td.Volumes)
		}
	}
	if td.TaskRoleArn != nil || td.ExecutionRoleArn != nil {
		t.Errorf("roles the Dockerrun does not set: %v %v", td.TaskRoleArn, td.ExecutionRoleArn)
	}
	for _, ctr := range td.ContainerDefinitions {
		if ctr.LogConfiguration != nil || !aws.ToBool(ctr.Essential) {
			t.Errorf("container %s: log configuration %+v, essential %v", aws.ToString(ctr.Name), ctr.LogConfiguration, ctr.Essential)
		}
	}
}

// EB's cluster has its Auto Scaling group provider associated, and only it;
// RunTask refuses a strategy naming another, as ECS does.
func TestClusterCapacityProviders(t *testing.T) {
	c := stockWorld(t)
	cluster := localaws.FixtureCluster()
	out, err := c.ecs.DescribeClusters(ctx(t), &ecs.DescribeClustersInput{Clusters: []string{cluster}})
	if err != nil || len(out.Clusters) != 1 {
		t.Fatal(err)
	}
	if got := out.Clusters[0].CapacityProviders; !slices.Equal(got, []string{localaws.EBCapacityProvider(cluster)}) {
		t.Errorf("capacity providers = %v", got)
	}
	// EB's own definition holds host port 80 on every instance: run another.
	reg := registerProbe(t, c)
	family := reg.TaskDefinition.TaskDefinitionArn
	_, err = c.ecs.RunTask(ctx(t), &ecs.RunTaskInput{Cluster: aws.String(cluster), TaskDefinition: family,
		CapacityProviderStrategy: []ecstypes.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE_SPOT"), Weight: 1}}})
	var ipe *ecstypes.InvalidParameterException
	if !errors.As(err, &ipe) {
		t.Errorf("FARGATE_SPOT on EB's cluster: %v", err)
	}
	run, err := c.ecs.RunTask(ctx(t), &ecs.RunTaskInput{Cluster: aws.String(cluster), TaskDefinition: family,
		CapacityProviderStrategy: []ecstypes.CapacityProviderStrategyItem{{CapacityProvider: aws.String(localaws.EBCapacityProvider(cluster)), Weight: 1}}})
	if err != nil || len(run.Tasks) != 1 {
		t.Errorf("the associated provider: %v %+v", err, run)
	}
}

// An application version's bundle may live in any bucket.
func TestBundleInAnyBucket(t *testing.T) {
	c := stockWorld(t, func(s *localaws.Seed) { s.Environments[0].BundleBucket = "my-artifacts" })
	eb := elasticbeanstalk.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 1},
		func(o *elasticbeanstalk.Options) { o.BaseEndpoint = aws.String(c.srv.URL()) })
	v, err := eb.DescribeApplicationVersions(ctx(t), &elasticbeanstalk.DescribeApplicationVersionsInput{ApplicationName: aws.String(localaws.FixtureApp), VersionLabels: []string{"v2"}})
	if err != nil || len(v.ApplicationVersions) != 1 || aws.ToString(v.ApplicationVersions[0].SourceBundle.S3Bucket) != "my-artifacts" {
		t.Fatalf("versions: %v %+v", err, v)
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 1}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(c.srv.URL()); o.UsePathStyle = true })
	obj, err := client.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String("my-artifacts"), Key: v.ApplicationVersions[0].SourceBundle.S3Key})
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := io.ReadAll(obj.Body); len(raw) == 0 {
		t.Error("empty bundle")
	}
}

func TestPutRetentionPolicy(t *testing.T) {
	c := stockWorld(t)
	group := aws.String("/aws/elasticbeanstalk/myapp-prod/ebmigrate")
	var nf interface{ ErrorCode() string }
	if _, err := c.logs.PutRetentionPolicy(ctx(t), &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: group, RetentionInDays: aws.Int32(30)}); !errors.As(err, &nf) || nf.ErrorCode() != "ResourceNotFoundException" {
		t.Errorf("missing group: %v", err)
	}
	if _, err := c.logs.CreateLogGroup(ctx(t), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: group}); err != nil {
		t.Fatal(err)
	}
	var ae smithy.APIError
	if _, err := c.logs.PutRetentionPolicy(ctx(t), &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: group, RetentionInDays: aws.Int32(31)}); !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterException" {
		t.Errorf("31 days: %v", err)
	}
	desc, err := c.logs.DescribeLogGroups(ctx(t), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: group})
	if err != nil || len(desc.LogGroups) != 1 || desc.LogGroups[0].RetentionInDays != nil {
		t.Fatalf("a new group never expires: %v %+v", err, desc)
	}
	if _, err := c.logs.PutRetentionPolicy(ctx(t), &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: group, RetentionInDays: aws.Int32(30)}); err != nil {
		t.Fatal(err)
	}
	desc, err = c.logs.DescribeLogGroups(ctx(t), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: group})
	if err != nil || aws.ToInt32(desc.LogGroups[0].RetentionInDays) != 30 {
		t.Errorf("retention: %v %+v", err, desc.LogGroups)
	}
}

// RunTask refuses overrides above ECS's 8192 characters.
func TestRunTaskOverridesLimit(t *testing.T) {
	c := world(t)
	reg := registerProbe(t, c)
	over := func(n int) *ecstypes.TaskOverride {
		return &ecstypes.TaskOverride{ContainerOverrides: []ecstypes.ContainerOverride{{Name: aws.String("probe"),
			Environment: []ecstypes.KeyValuePair{{Name: aws.String("BIG"), Value: aws.String(strings.Repeat("x", n))}}}}}
	}
	run := func(n int) error {
		_, err := c.ecs.RunTask(ctx(t), &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: reg.TaskDefinition.TaskDefinitionArn, Overrides: over(n)})
		return err
	}
	var ipe *ecstypes.InvalidParameterException
	if err := run(8192); !errors.As(err, &ipe) {
		t.Errorf("8192 characters of value: %v", err)
	}
	if err := run(1000); err != nil {
		t.Errorf("1000 characters of value: %v", err)
	}
}

// registerProbe registers a one-container definition and waits until ECS
// knows it (register_lag_ms).
func registerProbe(t *testing.T, c clients) *ecs.RegisterTaskDefinitionOutput {
	t.Helper()
	reg, err := c.ecs.RegisterTaskDefinition(ctx(t), &ecs.RegisterTaskDefinitionInput{Family: aws.String("probe"), ContainerDefinitions: []ecstypes.ContainerDefinition{
		{Name: aws.String("probe"), Image: aws.String("example/app:v1"), Memory: aws.Int32(64), Command: []string{"true"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	c.waitKnown(t, aws.ToString(reg.TaskDefinition.TaskDefinitionArn)) // register lag
	return reg
}
