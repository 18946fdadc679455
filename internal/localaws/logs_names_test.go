package localaws_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/smithy-go"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// CloudWatch Logs refuses log group and stream names its model's patterns
// and lengths do not allow, wherever they are a request's member (botocore
// logs LogGroupName "[\.\-_/#A-Za-z0-9]+" of 1 to 512, also DescribeLogGroups'
// logGroupNamePrefix; LogStreamName "[^:*]*"), with InvalidParameterException.
func TestLogsRefuseNamesOutsideTheModel(t *testing.T) {
	c := world(t)
	long := "/" + strings.Repeat("a", 512)
	for name, call := range map[string]func() error{
		"DescribeLogGroups prefix with a space": func() error {
			_, err := c.logs.DescribeLogGroups(ctx(t), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("my group")})
			return err
		},
		"DescribeLogGroups prefix and pattern": func() error {
			_, err := c.logs.DescribeLogGroups(ctx(t), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("a"), LogGroupNamePattern: aws.String("b")})
			return err
		},
		"CreateLogGroup with a colon": func() error {
			_, err := c.logs.CreateLogGroup(ctx(t), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("app:migrations")})
			return err
		},
		"PutRetentionPolicy of 513 characters": func() error {
			_, err := c.logs.PutRetentionPolicy(ctx(t), &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(long), RetentionInDays: aws.Int32(30)})
			return err
		},
		"GetLogEvents with an empty group": func() error {
			_, err := c.logs.GetLogEvents(ctx(t), &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(""), LogStreamName: aws.String("s")})
			return err
		},
		"DescribeLogStreams with a stream prefix of *": func() error {
			_, err := c.logs.DescribeLogStreams(ctx(t), &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamNamePrefix: aws.String("eb/*")})
			return err
		},
	} {
		var ae smithy.APIError
		if err := call(); !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterException" {
			t.Errorf("%s: %v, want InvalidParameterException", name, err)
		}
	}
	out, err := c.logs.DescribeLogGroups(ctx(t), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(localaws.FixtureLogGroup)})
	if err != nil || len(out.LogGroups) != 1 {
		t.Errorf("a valid prefix: %v, %d groups", err, len(out.LogGroups))
	}
}
