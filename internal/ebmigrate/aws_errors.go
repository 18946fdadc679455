package ebmigrate

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// AWSFailure describes an error from a call to AWS: which service and
// operation, what AWS answered, and what to do about it. It is how an AWS
// error is told from the engine's own conditions (EngineError) and from
// everything else.
type AWSFailure struct {
	// Summary is "AWS Error" for an error AWS returned; a call that never
	// got an answer (no credentials, no connection) says so instead.
	Summary   string
	Service   string // "ECS", "Elastic Beanstalk", ...
	Operation string // "RunTask"
	Code      string // AWS's error code ("AccessDeniedException"), "" without an answer
	Message   string
	Status    int // HTTP status, 0 without an answer
	RequestID string
	// Attempts is how many times the SDK tried (0: unknown).
	Attempts int
	// Remedy says what to do; it depends on the kind of error.
	Remedy string
}

// Call is "ECS RunTask", or "an AWS call" when the operation is not known.
func (f AWSFailure) Call() string {
	if f.Operation == "" {
		return "an AWS call"
	}
	return strings.TrimSpace(f.Service + " " + f.Operation)
}

// Detail is one paragraph: the call, AWS's answer, the remedy.
func (f AWSFailure) Detail() string {
	var b strings.Builder
	switch {
	case f.Code != "":
		fmt.Fprintf(&b, "%s failed: AWS answered %s", f.Call(), f.Code)
		if f.Status != 0 {
			fmt.Fprintf(&b, " (HTTP %d", f.Status)
			if f.RequestID != "" {
				fmt.Fprintf(&b, ", request ID %s", f.RequestID)
			}
			b.WriteString(")")
		}
		if f.Message != "" {
			fmt.Fprintf(&b, ": %s", f.Message)
		}
		b.WriteString(".")
	default:
		fmt.Fprintf(&b, "%s failed without an answer from AWS.", f.Call())
	}
	if f.Attempts > 1 {
		fmt.Fprintf(&b, " The call was tried %d times.", f.Attempts)
	}
	if f.Remedy != "" {
		b.WriteString(" " + f.Remedy)
	}
	return b.String()
}

// credentialCodes are AWS's error codes for a caller it does not know or
// does not allow: the provider's credentials, region or permissions are the
// place to look.
var credentialCodes = map[string]string{
	"AccessDenied":                  "denied",
	"AccessDeniedException":         "denied",
	"UnauthorizedOperation":         "denied",
	"AuthorizationError":            "denied",
	"NotAuthorized":                 "denied",
	"UnrecognizedClientException":   "unknown",
	"InvalidClientTokenId":          "unknown",
	"InvalidAccessKeyId":            "unknown",
	"InvalidSignatureException":     "unknown",
	"SignatureDoesNotMatch":         "unknown",
	"IncompleteSignature":           "unknown",
	"MissingAuthenticationToken":    "unknown",
	"AuthFailure":                   "unknown",
	"ExpiredToken":                  "expired",
	"ExpiredTokenException":         "expired",
	"RequestExpired":                "expired",
	"TokenRefreshRequired":          "expired",
	"InvalidToken":                  "expired",
	"OptInRequired":                 "denied",
	"SubscriptionRequiredException": "denied",
}

// AsAWSFailure tells whether err came from a call to AWS (a smithy
// OperationError or APIError, anywhere in its chain) and describes it.
func AsAWSFailure(err error) (AWSFailure, bool) {
	var op *smithy.OperationError
	var api smithy.APIError
	hasOp, hasAPI := errors.As(err, &op), errors.As(err, &api)
	if !hasOp && !hasAPI {
		return AWSFailure{}, false
	}
	f := AWSFailure{Summary: "AWS Error"}
	if hasOp {
		f.Service, f.Operation = op.ServiceID, op.OperationName
	}
	var resp *awshttp.ResponseError
	if errors.As(err, &resp) {
		f.Status, f.RequestID = resp.HTTPStatusCode(), resp.ServiceRequestID()
	}
	var attempts *retry.MaxAttemptsError
	if errors.As(err, &attempts) {
		f.Attempts = attempts.Attempt
	}
	if !hasAPI {
		var signing *v4.SigningError
		var netErr net.Error
		switch {
		case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
			// Not AWS's doing (a context error is also a net.Error).
			f.Summary = "AWS Call Interrupted"
			f.Remedy = "The apply's timeout ran out, or the apply was cancelled, during the call. Run it again; raise timeouts.create or timeouts.update (timeouts.invoke for ebmigrate_migrate, timeouts.read for ebmigrate_pending_migrations) when it ran out."
		case errors.As(err, &signing) || identityFailed(err):
			f.Summary = "AWS Credentials Not Available"
			f.Remedy = "The provider found no usable AWS credentials to sign the call: set the provider's profile or the AWS_* environment variables, or give the machine a role."
		case errors.As(err, &netErr):
			f.Summary = "AWS Not Reachable"
			f.Remedy = "The call did not reach AWS: check the network, the provider's region and any endpoints overrides, then apply again."
		default:
			f.Remedy = "Apply again; if it keeps failing, run with TF_LOG=DEBUG to see the call."
		}
		f.Message = err.Error()
		return f, true
	}
	f.Code, f.Message = api.ErrorCode(), api.ErrorMessage()
	_, throttled := retry.DefaultThrottleErrorCodes[f.Code]
	switch {
	case credentialCodes[f.Code] == "denied":
		if action := deniedAction(f.Message); action != "" {
			f.Remedy = fmt.Sprintf("The provider's credentials are not allowed to perform %s, which %s needs: grant the permission to the provider's role or user (the README lists the policy), and check the provider's region and account.", action, f.Call())
		} else {
			f.Remedy = fmt.Sprintf("The provider's credentials are not allowed to call %s: grant the permission to the provider's role or user (the README lists the policy), and check the provider's region and account.", f.Call())
		}
	case credentialCodes[f.Code] == "unknown":
		f.Remedy = "AWS does not recognise the provider's credentials: check the access key, profile and region the provider uses."
	case credentialCodes[f.Code] == "expired":
		f.Remedy = "The provider's credentials have expired: refresh them (a new session or role assumption) and apply again."
	case f.Code == "LimitExceededException":
		// A quota, though retry.DefaultThrottleErrorCodes lists the code:
		// botocore ecs service-2.json, LimitExceededException, "The limit for
		// the resource was exceeded." (RegisterTaskDefinition, TagResource).
		f.Remedy = "An AWS quota was reached (AWS's message above names it): raise it in Service Quotas, or clean up what counts against it; for ECS task definition revisions, deregister old ones (task.keep_revisions keeps fewer of the migration's)."
	case throttled:
		f.Remedy = "AWS throttled the call, and the SDK's retries (the provider's max_retries) were used up: apply again when the account is less busy, run fewer migrations at once, or raise max_retries."
	case f.Status >= 500 || api.ErrorFault() == smithy.FaultServer:
		f.Remedy = "AWS had an internal error; apply again."
	default:
		f.Remedy = "AWS refused the call as made: its message above says why."
	}
	return f, true
}

// deniedAction is the IAM action an access-denied message names ("User: arn
// is not authorized to perform: iam:PassRole on resource: ...", IAM User
// Guide, "Troubleshoot access denied error messages"), or "". It is not
// always the call's own: RunTask with a task role also needs iam:PassRole.
func deniedAction(message string) string {
	m := deniedActionPattern.FindStringSubmatch(message)
	if m == nil {
		return ""
	}
	return strings.TrimRight(m[1], ".,;")
}

var deniedActionPattern = regexp.MustCompile(`is not authorized to perform: (\S+)`)

// identityFailed tells whether a call failed in the SDK's auth step, before
// anything was sent: the service client's getIdentityMiddleware wraps the
// credentials provider's error as fmt.Errorf("get identity: %w", err)
// (service/ecs/auth.go, and the same in every generated client), and
// internal/auth/smithy's adapter as "get credentials: %w". The SDK has no
// typed error for it (aws.CredentialsCache adds only "failed to refresh cached
// credentials, %w"), so the wrapper's words are matched, on one link of the
// chain rather than the whole text. It is checked before net.Error: when the
// default chain's last provider (EC2 IMDS) is out of reach, the chain also
// holds the IMDS client's network error, yet the trouble is the credentials.
// v4.SigningError is still recognised for clients that sign with the
// deprecated SignHTTPRequestMiddleware.
func identityFailed(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.HasPrefix(e.Error(), "get identity: ") {
			return true
		}
	}
	return false
}
