// Package ebmigrate is the engine behind ebmigrate_run: it discovers an
// Elastic Beanstalk environment's ECS cluster and app task definition,
// derives a migration task definition from it, runs it once, waits for it,
// follows its logs and classifies the outcome.
//
// It talks to AWS only through the narrow interfaces below and must not
// import any Terraform package, so that it can be tested with plain Go tests
// against localaws and reused outside Terraform.
package ebmigrate

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
)

// EB is the part of the Elastic Beanstalk API the engine uses (read-only).
type EB interface {
	DescribeEnvironments(context.Context, *elasticbeanstalk.DescribeEnvironmentsInput, ...func(*elasticbeanstalk.Options)) (*elasticbeanstalk.DescribeEnvironmentsOutput, error)
	DescribeConfigurationSettings(context.Context, *elasticbeanstalk.DescribeConfigurationSettingsInput, ...func(*elasticbeanstalk.Options)) (*elasticbeanstalk.DescribeConfigurationSettingsOutput, error)
	DescribeApplicationVersions(context.Context, *elasticbeanstalk.DescribeApplicationVersionsInput, ...func(*elasticbeanstalk.Options)) (*elasticbeanstalk.DescribeApplicationVersionsOutput, error)
}

// ECS is the part of the ECS API the engine uses.
type ECS interface {
	ListClusters(context.Context, *ecs.ListClustersInput, ...func(*ecs.Options)) (*ecs.ListClustersOutput, error)
	DescribeClusters(context.Context, *ecs.DescribeClustersInput, ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error)
	ListTasks(context.Context, *ecs.ListTasksInput, ...func(*ecs.Options)) (*ecs.ListTasksOutput, error)
	DescribeTasks(context.Context, *ecs.DescribeTasksInput, ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error)
	DescribeTaskDefinition(context.Context, *ecs.DescribeTaskDefinitionInput, ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error)
	RegisterTaskDefinition(context.Context, *ecs.RegisterTaskDefinitionInput, ...func(*ecs.Options)) (*ecs.RegisterTaskDefinitionOutput, error)
	ListTaskDefinitions(context.Context, *ecs.ListTaskDefinitionsInput, ...func(*ecs.Options)) (*ecs.ListTaskDefinitionsOutput, error)
	// ListTaskDefinitionFamilies finds the named runs' families (guard.go).
	ListTaskDefinitionFamilies(context.Context, *ecs.ListTaskDefinitionFamiliesInput, ...func(*ecs.Options)) (*ecs.ListTaskDefinitionFamiliesOutput, error)
	DeregisterTaskDefinition(context.Context, *ecs.DeregisterTaskDefinitionInput, ...func(*ecs.Options)) (*ecs.DeregisterTaskDefinitionOutput, error)
	DeleteTaskDefinitions(context.Context, *ecs.DeleteTaskDefinitionsInput, ...func(*ecs.Options)) (*ecs.DeleteTaskDefinitionsOutput, error)
	RunTask(context.Context, *ecs.RunTaskInput, ...func(*ecs.Options)) (*ecs.RunTaskOutput, error)
	StopTask(context.Context, *ecs.StopTaskInput, ...func(*ecs.Options)) (*ecs.StopTaskOutput, error)
}

// Logs is the part of the CloudWatch Logs API the engine uses: it reads the
// migration's output and creates the default log group when it is missing.
type Logs interface {
	GetLogEvents(context.Context, *cloudwatchlogs.GetLogEventsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetLogEventsOutput, error)
	DescribeLogGroups(context.Context, *cloudwatchlogs.DescribeLogGroupsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
	CreateLogGroup(context.Context, *cloudwatchlogs.CreateLogGroupInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error)
	PutRetentionPolicy(context.Context, *cloudwatchlogs.PutRetentionPolicyInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutRetentionPolicyOutput, error)
}

// Clients are the AWS clients of one provider configuration.
type Clients struct {
	EB   EB
	ECS  ECS
	Logs Logs
	S3   S3
	// Locks is where the migration locks live (lock.go).
	Locks  *LockPlace
	Region string
	// DefaultTags are the provider's default_tags, for every task
	// definition and task the engine creates (a resource's tags win).
	DefaultTags map[string]string
	// DefaultTagsUnknown is set while default_tags depend on values known
	// only after apply (at plan): nothing may be registered or run then.
	DefaultTagsUnknown bool
	// Bundles, when set, keeps the source bundles already read, so that
	// a provider process reads each at most once.
	Bundles *BundleCache
	// Discovered, when set, keeps each environment's cluster and source
	// task definition while its DateUpdated holds (DiscoveryCache).
	Discovered *DiscoveryCache
}

// Logger receives what the engine has to say while it works. Messages never
// hold environment values: only names, ARNs, statuses and the task's own
// output lines.
type Logger interface {
	Info(msg string, fields map[string]any)
	// Output is one line the migration container printed.
	Output(line string)
}

type nopLogger struct{}

func (nopLogger) Info(string, map[string]any) {}
func (nopLogger) Output(string)               {}

// NopLogger discards everything.
var NopLogger Logger = nopLogger{}
