package localaws

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Account quotas: AWS throttles API calls per account and Region with token
// buckets, and so does localaws, by default. A bucket holds at most Burst
// tokens and gets Rate tokens back per second; each call takes one, and a
// call that finds the bucket empty fails with the error the service sends.

// Quota is one token bucket: Burst calls at once (the bucket's capacity),
// Rate calls a second sustained (its refill rate).
type Quota struct {
	Burst float64 `json:"burst"`
	Rate  float64 `json:"rate"`
}

// QuotaSeed is the seed's "quotas": off turns account quotas off; buckets
// replaces the default of a bucket by name (see DefaultQuotas for the names).
type QuotaSeed struct {
	Off     bool             `json:"off,omitempty"`
	Buckets map[string]Quota `json:"buckets,omitempty"`
}

// quotaGroups maps each operation to the bucket it draws from. Operations
// not listed here are not throttled by localaws.
//
// ECS: "Request throttling for the Amazon ECS API", Amazon ECS API Reference
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html),
// table "Request Token Bucket Sizes and Refill Rates": "All API actions in a
// category share the same token bucket", per account and Region.
var quotaGroups = map[string]string{
	"ecs:DescribeClusters":           "ecs:cluster-read",
	"ecs:ListClusters":               "ecs:cluster-read",
	"ecs:RegisterTaskDefinition":     "ecs:task-definition-modify",
	"ecs:DeregisterTaskDefinition":   "ecs:task-definition-modify",
	"ecs:DescribeTaskDefinition":     "ecs:task-definition-read",
	"ecs:ListTaskDefinitions":        "ecs:task-definition-read",
	"ecs:ListTaskDefinitionFamilies": "ecs:task-definition-read",
	"ecs:DeleteTaskDefinitions":      "ecs:task-definition-delete",
	"ecs:TagResource":                "ecs:tag-modify",
	"ecs:ListTagsForResource":        "ecs:tag-read",
	"ecs:RunTask":                    "ecs:cluster-resource-modify",
	"ecs:StopTask":                   "ecs:cluster-resource-modify",
	"ecs:DescribeTasks":              "ecs:cluster-resource-read",
	"ecs:ListTasks":                  "ecs:cluster-resource-read",

	// CloudWatch Logs quotas (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html)
	// and the knowledge-center article "How do I determine throttling in my
	// CloudWatch logs?": GetLogEvents and FilterLogEvents "have a hard limit,
	// and they don't qualify for a limit increase", each its own quota.
	"logs:GetLogEvents":    "logs:GetLogEvents",
	"logs:FilterLogEvents": "logs:FilterLogEvents",
	// The CloudWatch Logs quotas page lists a TPS quota per control-plane
	// operation, each its own: DescribeLogGroups, CreateLogGroup and
	// PutRetentionPolicy (which the engine calls at plan and apply).
	"logs:DescribeLogGroups":  "logs:DescribeLogGroups",
	"logs:CreateLogGroup":     "logs:CreateLogGroup",
	"logs:PutRetentionPolicy": "logs:PutRetentionPolicy",
	// The awslogs driver's calls (logs_driver.go) and any other writer's.
	"logs:PutLogEvents": "logs:PutLogEvents",

	// Elastic Beanstalk publishes no request rate; its describe calls share
	// one conservative bucket (see DefaultQuotas).
	"elasticbeanstalk:DescribeEnvironments":          "elasticbeanstalk:describe",
	"elasticbeanstalk:DescribeConfigurationSettings": "elasticbeanstalk:describe",
	"elasticbeanstalk:DescribeEnvironmentResources":  "elasticbeanstalk:describe",
	"elasticbeanstalk:DescribeApplicationVersions":   "elasticbeanstalk:describe",

	// S3: the bucket is per prefix, see quotaKey.
	"s3:GetObject":    "s3:GET",
	"s3:HeadObject":   "s3:GET",
	"s3:PutObject":    "s3:PUT",
	"s3:DeleteObject": "s3:PUT",
}

// DefaultQuotas are the buckets localaws starts with, by name.
func DefaultQuotas() map[string]Quota {
	return map[string]Quota{
		// ECS, from the table cited at quotaGroups: capacity (burst) and
		// refill rate (sustained) per action category.
		"ecs:cluster-read":            {Burst: 50, Rate: 20},
		"ecs:task-definition-modify":  {Burst: 20, Rate: 1},
		"ecs:task-definition-read":    {Burst: 50, Rate: 20},
		"ecs:task-definition-delete":  {Burst: 5, Rate: 1},
		"ecs:tag-modify":              {Burst: 20, Rate: 10},
		"ecs:tag-read":                {Burst: 50, Rate: 20},
		"ecs:cluster-resource-modify": {Burst: 100, Rate: 40},
		"ecs:cluster-resource-read":   {Burst: 100, Rate: 20},
		// CloudWatch Logs quotas table (2026-04-08): GetLogEvents "us-west-2:
		// 10 per second, ... eu-west-3: 30, ... Each of the other supported
		// Regions: 25 per second", not adjustable. localaws serves
		// us-east-1: 25. AWS states no burst, so the bucket holds one
		// second's worth.
		"logs:GetLogEvents": {Burst: 25, Rate: 25},
		// The knowledge-center article above: FilterLogEvents "has a default
		// quota of 5 transactions per second (TPS) per account/Region".
		"logs:FilterLogEvents": {Burst: 5, Rate: 5},
		// CloudWatch Logs User Guide, "CloudWatch Logs quotas"
		// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html,
		// the table as of 2026-04-08; the General Reference's "Amazon
		// CloudWatch Logs endpoints and quotas" agrees): "DescribeLogGroups throttle limit in
		// transactions per second ... Each supported Region: 10 per second",
		// CreateLogGroup "10 per second", PutRetentionPolicy "5 per second";
		// above them Logs answers ThrottlingException. No burst is stated:
		// one second's worth. (The archived 2020 page said 5 for
		// DescribeLogGroups and had no CreateLogGroup rate.)
		"logs:DescribeLogGroups":  {Burst: 10, Rate: 10},
		"logs:CreateLogGroup":     {Burst: 10, Rate: 10},
		"logs:PutRetentionPolicy": {Burst: 5, Rate: 5},
		// The same table: PutLogEvents "5,000 transactions per second per
		// account per Region" (adjustable). No burst is stated.
		"logs:PutLogEvents": {Burst: 5000, Rate: 5000},
		// Elastic Beanstalk: no published number, and the AWS provider's
		// history shows EB throttling describe-heavy polling readily
		// ("Throttling: Rate exceeded"). Half of ECS's read buckets.
		"elasticbeanstalk:describe": {Burst: 25, Rate: 10},
		// "Best practices design patterns: optimizing Amazon S3 performance":
		// "at least ... 5,500 GET/HEAD requests per second per partitioned
		// Amazon S3 prefix"; above it S3 answers 503 SlowDown.
		"s3:GET": {Burst: 5500, Rate: 5500},
		// The same page: "3,500 PUT/COPY/POST/DELETE ... requests per second
		// per partitioned Amazon S3 prefix".
		"s3:PUT": {Burst: 3500, Rate: 3500},
	}
}

// quotaBook is the account's buckets; nil means quotas are off.
type quotaBook struct {
	limits  map[string]Quota
	buckets map[string]*tokenBucket // by quotaKey
	// throttled counts throttled calls by operation; ResetStats clears it.
	throttled map[string]int
	now       func() time.Time
}

type tokenBucket struct {
	tokens float64
	at     time.Time
}

func newQuotaBook(seed *QuotaSeed) (*quotaBook, error) {
	if seed != nil && seed.Off {
		return nil, nil
	}
	limits := DefaultQuotas()
	if seed != nil {
		for name, q := range seed.Buckets {
			if _, ok := limits[name]; !ok {
				return nil, fmt.Errorf("quotas: no bucket %q; buckets are %s", name, strings.Join(sortedKeys(limits), ", "))
			}
			if q.Burst < 1 || q.Rate <= 0 {
				return nil, fmt.Errorf("quotas: bucket %q needs burst >= 1 and rate > 0", name)
			}
			limits[name] = q
		}
	}
	return &quotaBook{limits: limits, buckets: map[string]*tokenBucket{}, throttled: map[string]int{}, now: time.Now}, nil
}

// quotaKey is the bucket a call draws from: its group, and for S3 its
// prefix (S3's request rates are per prefix, not per account).
func quotaKey(op, prefix string) (group, key string) {
	group = quotaGroups[op]
	if group == "s3:GET" || group == "s3:PUT" {
		return group, group + ":" + prefix
	}
	return group, group
}

// take takes a token for a call of op, or reports that the call is
// throttled. The caller holds s.mu.
func (q *quotaBook) take(op, prefix string) bool {
	if q == nil {
		return true
	}
	group, key := quotaKey(op, prefix)
	limit, ok := q.limits[group]
	if !ok {
		return true
	}
	now := q.now()
	b := q.buckets[key]
	if b == nil {
		b = &tokenBucket{tokens: limit.Burst, at: now}
		q.buckets[key] = b
	}
	b.tokens = min(limit.Burst, b.tokens+now.Sub(b.at).Seconds()*limit.Rate)
	b.at = now
	if b.tokens < 1 {
		q.throttled[op]++
		return false
	}
	b.tokens--
	return true
}

// throttleError is what each service answers a call over its quota:
// ECS and CloudWatch Logs a ThrottlingException "Rate exceeded" (the ECS
// throttling page quotes it), Elastic Beanstalk the query protocol's
// Throttling code (botocore's retry config lists it for every service),
// S3 503 SlowDown "Please reduce your request rate." (S3 error responses).
func throttleError(op string) *apiError {
	switch {
	case strings.HasPrefix(op, "s3:"):
		return &apiError{Status: http.StatusServiceUnavailable, Code: "SlowDown", Message: "Please reduce your request rate."}
	case strings.HasPrefix(op, "elasticbeanstalk:"):
		return &apiError{Status: http.StatusBadRequest, Code: "Throttling", Message: "Rate exceeded"}
	}
	return &apiError{Status: http.StatusBadRequest, Code: "ThrottlingException", Message: "Rate exceeded"}
}

// throttle applies the account's quota to a call of op, already counted by
// callFault. prefix is the S3 prefix ("bucket/dir"), empty for other services.
func (s *Server) throttle(op, prefix string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.quotas.take(op, prefix) {
		return nil
	}
	return throttleError(op)
}

// Throttled is how many calls of each operation localaws has throttled
// since the start or the last ResetStats.
func (s *Server) Throttled() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttledCopy()
}

func (s *Server) throttledCopy() map[string]int {
	out := map[string]int{}
	if s.quotas != nil {
		for k, v := range s.quotas.throttled {
			out[k] = v
		}
	}
	return out
}

// QuotaNames lists the bucket names a seed's "quotas" can set.
func QuotaNames() []string {
	names := sortedKeys(DefaultQuotas())
	sort.Strings(names)
	return names
}
