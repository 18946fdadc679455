package provider

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// NewRetryer is the retry strategy of one service's client, and so the one
// client-side rate limit that every resource and data source of a provider
// process shares for that service: Configure builds each client once, and
// the SDK calls the config's Retryer function once per client.
//
// It is the SDK's adaptive mode (aws/retry.NewAdaptiveMode): the standard
// exponential backoff with jitter, plus a token bucket that starts
// unrestricted and, once the service answers with a throttling error
// (ThrottlingException, Throttling, SlowDown, ...), measures the rate the
// account is getting through and makes every caller wait for a token at
// that rate, raising it again (CUBIC) as throttling stops. Fifty migrations
// polling one account's ECS quota thus slow down together instead of each
// burning its retries.
//
// No retry quota (ratelimit.None): the standard mode's quota stops retrying
// after a run of failures across the client, which under a shared, contended
// account quota would fail an apply that only had to wait.
func NewRetryer(maxRetries int) aws.Retryer {
	return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
		o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
			so.MaxAttempts = maxRetries + 1
			so.RateLimiter = ratelimit.None
		})
	})
}
