package ebmigrate

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// DefaultLogRetentionDays is the retention of the default log group.
const DefaultLogRetentionDays = 30

// LogRetentionNeverExpire asks EnsureLogGroup for a group whose events never
// expire: one without a retention policy (botocore logs PutRetentionPolicy,
// retentionInDays: "To set a log group so that its log events do not
// expire, use DeleteRetentionPolicy"; a group CreateLogGroup makes has
// none). logs.retention_in_days = 0 is this.
const LogRetentionNeverExpire int32 = -1

// DefaultLogGroup is the awslogs group of a migration container that logs
// nowhere readable. It is under /aws/elasticbeanstalk/ because on EC2 the
// Docker awslogs driver writes with the instance profile, and EB's default
// instance role (AWSElasticBeanstalkWebTier) may write only to log groups
// named /aws/elasticbeanstalk*.
func DefaultLogGroup(envName string) string { return "/aws/elasticbeanstalk/" + envName + "/ebmigrate" }

// migrationLogGroup is the awslogs group the migration container writes to:
// the logs.group argument, else the container's own awslogs group, else the
// default group (default true).
func migrationLogGroup(c ecstypes.ContainerDefinition, t *Target, spec DeriveSpec) (string, bool) {
	if spec.LogGroup != "" {
		return spec.LogGroup, false
	}
	if lc := c.LogConfiguration; lc != nil && lc.LogDriver == ecstypes.LogDriverAwslogs && lc.Options["awslogs-group"] != "" {
		return lc.Options["awslogs-group"], false
	}
	return DefaultLogGroup(t.EnvironmentName), true
}

// LogGroupNameRe is CloudWatch Logs' LogGroupName (botocore logs
// service-2.json: min 1, max 512, pattern "[\.\-_/#A-Za-z0-9]+"):
// CreateLogGroup, DescribeLogGroups and the awslogs driver's writes refuse
// any other name. The resources package checks logs.group with it at
// validate.
var LogGroupNameRe = regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]{1,512}$`)

// LogGroupNameRule says what LogGroupNameRe allows, in the words of every
// message that refuses a name.
const LogGroupNameRule = "a CloudWatch Logs group name: 1 to 512 letters, digits, '.', '-', '_', '/' and '#' (no spaces)"

// checkLogGroupName refuses a migration log group CloudWatch Logs would
// refuse, naming where the name came from: logs.group, or the container's
// own awslogs-group (which ECS registers unchecked; the task would fail to
// start).
func checkLogGroupName(t *Target, d *Derived, spec DeriveSpec) error {
	if d.LogGroup == "" || LogGroupNameRe.MatchString(d.LogGroup) {
		return nil
	}
	where := fmt.Sprintf("logs.group = %q", d.LogGroup)
	advice := "Set logs.group to a valid name, or leave it unset to use the container's own or the default group"
	if spec.LogGroup == "" {
		where = fmt.Sprintf("The migration container's awslogs-group %q (task definition %s)", d.LogGroup, aws.ToString(t.SourceTaskDefinition.TaskDefinitionArn))
		advice = "Fix awslogs-group in the Dockerrun.aws.json, or set logs.group to a valid name"
	}
	return problem("Invalid Log Group Name",
		"%s is not %s; CloudWatch Logs refuses any other. %s.", where, LogGroupNameRule, advice)
}

// LogGroupExists tells whether a log group of exactly that name exists. It
// makes one read-only call.
func LogGroupExists(ctx context.Context, api Logs, name string) (bool, error) {
	out, err := api.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name), Limit: aws.Int32(50)})
	if err != nil {
		return false, fmt.Errorf("describing CloudWatch Logs group %s: %w", name, err)
	}
	for _, g := range out.LogGroups {
		if aws.ToString(g.LogGroupName) == name {
			return true, nil
		}
	}
	return false, nil
}

// EnsureLogGroup creates the default log group, with a retention (0:
// DefaultLogRetentionDays; LogRetentionNeverExpire: none, so that its
// events never expire), when it does not exist. It returns whether it
// created it.
func EnsureLogGroup(ctx context.Context, api Logs, name string, retentionDays int32) (bool, error) {
	exists, err := LogGroupExists(ctx, api, name)
	if err != nil || exists {
		return false, err
	}
	if retentionDays == 0 {
		retentionDays = DefaultLogRetentionDays
	}
	if _, err := api.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)}); err != nil {
		var exists *logstypes.ResourceAlreadyExistsException
		if !errors.As(err, &exists) {
			return false, fmt.Errorf("creating CloudWatch Logs group %s for the migration's output (logs.group overrides it): %w", name, err)
		}
		// Created by a concurrent apply, or by our own call whose response
		// was lost and which the SDK retried: either way the group may have
		// no retention yet, and ours is the same.
		if has, err := hasRetention(ctx, api, name); err != nil || has || retentionDays == LogRetentionNeverExpire {
			return false, err
		}
	}
	if retentionDays == LogRetentionNeverExpire {
		return true, nil
	}
	if _, err := api.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name), RetentionInDays: aws.Int32(retentionDays)}); err != nil {
		return true, fmt.Errorf("setting the retention of CloudWatch Logs group %s to %d days: %w", name, retentionDays, err)
	}
	return true, nil
}

// hasRetention tells whether the log group has a retention policy.
func hasRetention(ctx context.Context, api Logs, name string) (bool, error) {
	out, err := api.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name), Limit: aws.Int32(50)})
	if err != nil {
		return false, fmt.Errorf("describing CloudWatch Logs group %s: %w", name, err)
	}
	for _, g := range out.LogGroups {
		if aws.ToString(g.LogGroupName) == name {
			return g.RetentionInDays != nil, nil
		}
	}
	return false, nil
}
