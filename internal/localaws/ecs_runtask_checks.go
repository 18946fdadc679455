package localaws

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf16"
)

// RunTask's input checks and clientToken records, as ECS documents them.

// clientTokenRecord is what ECS keeps of a RunTask call made with a
// clientToken: its parameters and its response, as they were.
//
// Source: "Ensuring idempotency", Amazon ECS API Reference
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/ECS_Idempotency.html),
// "Idempotency for RunTask": "If you retry a request that completed
// successfully using the same client token and the same request parameters,
// the original request's result is returned" — the tasks as RunTask first
// described them (PROVISIONING), not as they are now; "If you retry a
// successful request using the same client token, but one or more of the
// parameters are different, other than the Region or Availability Zone, the
// retry fails with a ConflictException"; "The RunTask client token is valid
// for 24 hours". The ConflictException's resourceIds are "the existing task
// ARNs which are already associated with the clientToken" (botocore ecs
// service-2.json, RunTask and ConflictException).
type clientTokenRecord struct {
	params   string
	response json.RawMessage
	arns     []string
	at       time.Time
}

// defaultClientTokenTTLMS is the RunTask clientToken's lifetime (24 h, the
// idempotency page above).
const defaultClientTokenTTLMS = 24 * 3600 * 1000

// replay answers a RunTask whose clientToken ECS still knows: the original
// response, or a ConflictException when the parameters differ. ok is false
// when the token is unknown or has expired. The caller holds s.mu.
func (s *Server) replay(key, params string) (resp any, err error, ok bool) {
	rec := s.tokens[key]
	if rec == nil {
		return nil, nil, false
	}
	if time.Since(rec.at) > ms(s.timing.ClientTokenTTLMS) {
		delete(s.tokens, key)
		return nil, nil, false
	}
	if rec.params != params {
		e := clientErr("ConflictException", "The clientToken was already used with different parameters.")
		e.Fields = map[string]any{"resourceIds": rec.arns}
		return nil, e, true
	}
	return rec.response, nil, true
}

// record keeps a RunTask response under its clientToken. The caller holds s.mu.
func (s *Server) record(key, params string, resp map[string]any, tasks []*task) {
	b, err := json.Marshal(resp)
	if err != nil {
		return
	}
	rec := &clientTokenRecord{params: params, response: b, at: time.Now(), arns: []string{}}
	for _, t := range tasks {
		rec.arns = append(rec.arns, t.arn)
	}
	s.tokens[key] = rec
}

// runTaskChecks are RunTask's documented input constraints.
type runTaskChecks struct {
	StartedBy     string
	ClientToken   string
	PropagateTags string
	Subnets       int
	SecGroups     int
	Strategy      []capacityStrategyItem
}

type capacityStrategyItem struct {
	CapacityProvider string `json:"capacityProvider"`
	Weight           int    `json:"weight"`
	Base             int    `json:"base"`
}

func (in runTaskChecks) check() error {
	// botocore ecs RunTaskRequest.startedBy: "Up to 128 letters (uppercase
	// and lowercase), numbers, hyphens (-), forward slash (/), and
	// underscores (_) are allowed."
	allowed := func(r rune) bool {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '/' || r == '_'
	}
	if len(in.StartedBy) > 128 || strings.IndexFunc(in.StartedBy, func(r rune) bool { return !allowed(r) }) >= 0 {
		return clientErr("InvalidParameterException", "startedBy can have up to 128 letters (uppercase and lowercase), numbers, hyphens, forward slashes and underscores.")
	}
	// botocore ecs RunTaskRequest.clientToken: "Up to 64 characters are
	// allowed. The valid characters are characters in the range of 33-126,
	// inclusive."
	if len(in.ClientToken) > 64 || strings.IndexFunc(in.ClientToken, func(r rune) bool { return r < 33 || r > 126 }) >= 0 {
		return clientErr("InvalidParameterException", "clientToken can have up to 64 ASCII characters in the range 33-126.")
	}
	// botocore ecs RunTaskRequest.propagateTags: "An error will be received
	// if you specify the SERVICE option when running a task."
	if in.PropagateTags == "SERVICE" {
		return clientErr("InvalidParameterException", "propagateTags SERVICE is not supported when running a task.")
	}
	// botocore ecs AwsVpcConfiguration: "There's a limit of 16 subnets" and
	// "a limit of 5 security groups that can be specified".
	if in.Subnets > 16 {
		return clientErr("InvalidParameterException", "There's a limit of 16 subnets that can be specified.")
	}
	if in.SecGroups > 5 {
		return clientErr("InvalidParameterException", "There's a limit of 5 security groups that can be specified.")
	}
	return checkStrategyWeights(in.Strategy)
}

// checkStrategyWeights: botocore ecs CapacityProviderStrategyItem.weight:
// "If you specify multiple capacity providers in a strategy that all have a
// weight of 0, any RunTask or CreateService actions using the capacity
// provider strategy will fail", and, of one provider as of several, "At least
// one capacity provider must have a weight greater than zero" ("The default
// value is 0 if not specified"); .base: "Only one capacity provider in a
// capacity provider strategy can have a base defined"; weight 0 to 1,000,
// base 0 to 100,000. The weight message is ECS's, as a one-provider default
// strategy drew it (terraform-aws-modules/terraform-aws-ecs#27).
func checkStrategyWeights(items []capacityStrategyItem) error {
	return checkStrategyOf(items, "capacity provider strategy", "capacity provider strategy", true)
}

// checkStrategyOf is checkStrategyWeights naming the strategy: "capacity
// provider strategy", or the cluster's "default capacity provider strategy";
// without requireWeight, a strategy whose providers all have weight 0 passes.
func checkStrategyOf(items []capacityStrategyItem, what, where string, requireWeight bool) error {
	if len(items) == 0 {
		return nil
	}
	if len(items) > 20 {
		return clientErr("InvalidParameterException", "A capacity provider strategy can contain a maximum of 20 capacity providers.")
	}
	// ECS developer guide, Amazon ECS capacity providers: "A capacity
	// provider strategy can only contain Auto Scaling group capacity
	// providers or Fargate capacity providers"; the message is ECS's, as
	// PutClusterCapacityProviders returned it (terraform-aws-modules/
	// terraform-aws-ecs#68).
	if slices.ContainsFunc(items, func(it capacityStrategyItem) bool { return isFargateProvider(it.CapacityProvider) }) &&
		slices.ContainsFunc(items, func(it capacityStrategyItem) bool { return !isFargateProvider(it.CapacityProvider) }) {
		return clientErr("InvalidParameterException", "A capacity provider strategy cannot contain a mix of capacity providers using Auto Scaling groups and Fargate providers. Specify one or the other and try again.")
	}
	weighted, bases := 0, 0
	for _, it := range items {
		if it.Weight < 0 || it.Weight > 1000 || it.Base < 0 || it.Base > 100000 {
			return clientErr("InvalidParameterException", "Capacity provider %s: weight must be 0 to 1000 and base 0 to 100000.", it.CapacityProvider)
		}
		if it.Weight > 0 {
			weighted++
		}
		if it.Base > 0 {
			bases++
		}
	}
	if bases > 1 {
		return clientErr("InvalidParameterException", "Only one capacity provider in a capacity provider strategy can have a base defined.")
	}
	if weighted == 0 && requireWeight {
		return clientErr("InvalidParameterException", "There are no capacity providers with a weight value greater than zero defined in the %s. At least one capacity provider must have a weight value greater than zero specified. Update the %s or specify a valid capacity provider strategy and try again.", what, where)
	}
	return nil
}

// jsonChars is the length of a request's JSON value in characters, as
// RunTask's "A total of 8192 characters are allowed for overrides" counts
// them: not bytes. A character outside the Basic Multilingual Plane counts
// two, as in Java's strings (UTF-16 code units), which ECS's "characters"
// are taken to be: AWS does not say.
func jsonChars(raw json.RawMessage) int {
	n := 0
	for _, r := range string(raw) {
		n += utf16.RuneLen(r)
	}
	return n
}
