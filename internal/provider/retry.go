package provider

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// NewRetryer is the retry strategy of one service's client: the SDK's
// standard mode (aws/retry.NewStandard), exponential backoff with jitter,
// for every resource and data source of a provider process.
//
// Not the adaptive mode: its client-side rate limit is one per client, while
// AWS throttles per bucket (ECS alone has eight, per action category), so
// one throttled RegisterTaskDefinition slowed every DescribeTasks poll of
// the apply too. The calls that many migrations make at once are paced
// below their buckets instead (ebmigrate.PaceClusterReads, PaceLogReads,
// PaceEnvironmentReads); what AWS still throttles (the account's other
// callers draw from the same buckets) is retried with backoff, each retry
// waiting for a token of the same pace as the first attempt.
//
// No retry quota (ratelimit.None): the standard mode's quota stops retrying
// after a run of failures across the client, which under a shared, contended
// account quota would fail an apply that only had to wait.
//
// LimitExceededException is a quota, not throttling, for the services the
// provider calls (botocore ecs service-2.json: "The limit for the resource
// was exceeded", e.g. task definition revisions; logs: CreateLogGroup's
// log-group quota), though the SDK's DefaultThrottleErrorCodes lists it:
// retrying cannot help, and counting it as throttling would slow every
// caller of the client. It fails at once, and is not taken as throttling.
func NewRetryer(maxRetries int) aws.Retryer {
	return retry.NewStandard(func(so *retry.StandardOptions) {
		so.MaxAttempts = maxRetries + 1
		so.RateLimiter = ratelimit.None
		so.Retryables = append([]retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
			return quotaNotThrottle(err)
		})}, so.Retryables...)
		so.Throttles = append([]retry.IsErrorThrottle{retry.IsErrorThrottleFunc(func(err error) aws.Ternary {
			return quotaNotThrottle(err)
		})}, so.Throttles...)
	})
}

// quotaNotThrottle is FalseTernary for LimitExceededException, and leaves
// every other error to the SDK's own rules.
func quotaNotThrottle(err error) aws.Ternary {
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == "LimitExceededException" {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
}
