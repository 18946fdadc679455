package resources

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// awsCallError is an error as the SDK returns it for an answer of AWS: an
// OperationError around the HTTP response error around the modelled error.
func awsCallError(service, op string, status int, apiErr error) error {
	return &smithy.OperationError{ServiceID: service, OperationName: op, Err: &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: apiErr},
		RequestID:     "req-1",
	}}
}

func TestErrorDiagnostic(t *testing.T) {
	denied := awsCallError("ECS", "RunTask", 400, &ecstypes.AccessDeniedException{Message: aws.String("User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecs:RunTask")})
	throttled := &smithy.OperationError{ServiceID: "ECS", OperationName: "DescribeTasks", Err: &retry.MaxAttemptsError{Attempt: 4,
		Err: &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 400}},
			Err: &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}}}}}
	expired := awsCallError("Elastic Beanstalk", "DescribeEnvironments", 403, &smithy.GenericAPIError{Code: "ExpiredToken", Message: "The security token included in the request is expired"})
	refused := awsCallError("ECS", "DescribeClusters", 400, &ecstypes.ClusterNotFoundException{Message: aws.String("Cluster not found.")})
	noCreds := noCredentialsError(t, "")
	noCredsIMDSUnreachable := noCredentialsError(t, unreachableURL(t))
	cases := []struct {
		name    string
		err     error
		summary string
		want    []string
		notWant []string
	}{
		{"missing task", &ebmigrate.EngineError{Summary: "Migration Task Missing", Detail: "ECS has not shown migration task x for 5m0s."},
			"Migration Task Missing", []string{"While applying: ECS has not shown"}, []string{"credentials", "AWS Error"}},
		{"polls failing, last error AWS's", fmt.Errorf("waiting: %w", &ebmigrate.EngineError{Summary: "Migration Task Unreadable", Detail: "Reading failed 10 times in a row.", Cause: throttled}),
			"Migration Task Unreadable", []string{"Reading failed 10 times", "ECS DescribeTasks failed: AWS answered ThrottlingException", "tried 4 times", "retries"}, []string{"permissions"}},
		{"access denied", fmt.Errorf("starting the migration task: %w", denied),
			"AWS Error", []string{"ECS RunTask failed: AWS answered AccessDeniedException (HTTP 400, request ID req-1)", "not authorized to perform: ecs:RunTask", "grant the permission", "region"}, nil},
		{"throttled past its retries", throttled,
			"AWS Error", []string{"ThrottlingException", "tried 4 times", "max_retries"}, []string{"permissions", "credentials"}},
		{"expired token", expired,
			"AWS Error", []string{"Elastic Beanstalk DescribeEnvironments failed: AWS answered ExpiredToken", "expired: refresh them"}, nil},
		{"refused for another reason", refused,
			"AWS Error", []string{"ECS DescribeClusters failed: AWS answered ClusterNotFoundException", "Cluster not found."}, []string{"credentials", "permission"}},
		{"no credentials", noCreds,
			"AWS Credentials Not Available", []string{"ECS ListTasks failed without an answer from AWS", "no usable AWS credentials"}, []string{"network"}},
		{"no credentials, EC2 IMDS out of reach", noCredsIMDSUnreachable,
			"AWS Credentials Not Available", []string{"ECS ListTasks failed without an answer from AWS", "no usable AWS credentials"}, []string{"check the network"}},
		{"cut short by the timeout", fmt.Errorf("listing migration tasks: %w", &smithy.OperationError{ServiceID: "ECS", OperationName: "ListTasks", Err: context.DeadlineExceeded}),
			"AWS Call Interrupted", []string{"ECS ListTasks failed without an answer from AWS", "timeout ran out"}, []string{"credentials", "network"}},
		{"something else", context.Canceled,
			"Migration Error", []string{"context canceled"}, []string{"AWS", "credentials"}},
		{"a problem keeps its words", &ebmigrate.ProblemError{Summary: "Container Not Found", Detail: "No container web."},
			"Container Not Found", []string{"No container web."}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			summary, detail, _ := errorDiagnostic("Migration Failed", "applying", tc.err)
			if summary != tc.summary {
				t.Errorf("summary = %q, want %q", summary, tc.summary)
			}
			for _, w := range tc.want {
				if !strings.Contains(detail, w) {
					t.Errorf("detail lacks %q:\n%s", w, detail)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(detail, w) {
					t.Errorf("detail has %q:\n%s", w, detail)
				}
			}
		})
	}
}
