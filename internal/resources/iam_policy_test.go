package resources_test

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/provider"
)

// The IAM policy of the user guide templates/guides/iam-policy.md.tmpl
// (rendered to docs/guides/iam-policy.md), parsed and evaluated as IAM
// would for the calls localaws served: Action, Resource and the Condition
// operators the policy uses (Null, StringEquals, StringLike, ArnLike);
// anything else fails closed.

type iamStatement struct {
	Sid       string
	Effect    string
	Action    any
	Resource  any
	Condition map[string]map[string]any
}

type iamPolicy struct {
	Statement []iamStatement
}

// iamPolicyGuide is the guide that holds the policy.
const iamPolicyGuide = "../../templates/guides/iam-policy.md.tmpl"

// guidePolicy is the JSON policy of the IAM policy guide's "## The policy"
// section.
// yourBuckets are the suite's own buckets for the guide's placeholders:
// the bundle buckets of run_stock_test.go and infra_test.go (my-artifacts,
// my-releases), lock_acc_test.go's lock bucket.
var yourBuckets = []string{"YOUR-BUNDLE-BUCKET", "my-*", "YOUR-LOCK-BUCKET", "deploy-locks"}

func guidePolicy() (iamPolicy, error) {
	var p iamPolicy
	raw, err := os.ReadFile(iamPolicyGuide)
	if err != nil {
		return p, err
	}
	_, section, ok := strings.Cut(string(raw), "\n## The policy\n")
	if !ok {
		return p, fmt.Errorf("%s: no \"## The policy\" section", iamPolicyGuide)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	_, block, ok := strings.Cut(section, "```json")
	if !ok {
		return p, fmt.Errorf("%s: no JSON block in \"## The policy\"", iamPolicyGuide)
	}
	block, _, _ = strings.Cut(block, "```")
	// The guide asks to replace its YOUR-* names with one's own: the
	// suite's are these.
	block = strings.NewReplacer(yourBuckets...).Replace(block)
	if err := json.Unmarshal([]byte(block), &p); err != nil {
		return p, fmt.Errorf("%s: the policy is not JSON: %w", iamPolicyGuide, err)
	}
	if len(p.Statement) == 0 {
		return p, fmt.Errorf("%s: the policy has no statement", iamPolicyGuide)
	}
	return p, nil
}

func strings1(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// iamMatch is IAM's wildcard match (* any characters, ? one), case-sensitive.
func iamMatch(pattern, s string) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	return regexp.MustCompile(re).MatchString(s)
}

// contextValue is a condition key's value for a request, and whether the
// key is present.
func contextValue(key string, r localaws.AuthzRequest) (string, bool) {
	switch {
	case strings.HasPrefix(key, "aws:RequestTag/"):
		v, ok := r.RequestTags[strings.TrimPrefix(key, "aws:RequestTag/")]
		return v, ok
	case strings.HasPrefix(key, "aws:ResourceTag/"), strings.HasPrefix(key, "ecs:ResourceTag/"):
		_, k, _ := strings.Cut(key, "/")
		v, ok := r.ResourceTags[k]
		return v, ok
	case key == "ecs:cluster":
		return r.Cluster, r.Cluster != ""
	case key == "s3:ResourceAccount":
		return r.ResourceAccount, r.ResourceAccount != ""
	}
	return "", false
}

func conditionsHold(cond map[string]map[string]any, r localaws.AuthzRequest) bool {
	for op, keys := range cond {
		for key, want := range keys {
			v, present := contextValue(key, r)
			values := strings1(want)
			switch op {
			case "Null":
				// "false": the key must be present; "true": absent.
				if len(values) != 1 || (values[0] == "false") != present {
					return false
				}
			case "StringEquals", "StringLike", "ArnLike", "ArnEquals":
				ok := false
				for _, w := range values {
					if present && (op == "StringEquals" || op == "ArnEquals") && v == w || present && (op == "StringLike" || op == "ArnLike") && iamMatch(w, v) {
						ok = true
					}
				}
				if !ok {
					return false
				}
			default:
				return false
			}
		}
	}
	return true
}

// allows tells which Allow statement permits a request, or "".
func (p iamPolicy) allows(r localaws.AuthzRequest) string {
	for _, st := range p.Statement {
		if st.Effect != "Allow" {
			continue
		}
		actionOK, resourceOK := false, false
		for _, a := range strings1(st.Action) {
			actionOK = actionOK || iamMatch(a, r.Action)
		}
		for _, res := range strings1(st.Resource) {
			resourceOK = resourceOK || iamMatch(res, r.Resource)
		}
		if actionOK && resourceOK && conditionsHold(st.Condition, r) {
			return st.Sid
		}
	}
	return ""
}

// lists tells whether a statement names the action (for the calls whose
// resource localaws does not record).
func (p iamPolicy) lists(action string) bool {
	for _, st := range p.Statement {
		for _, a := range strings1(st.Action) {
			if st.Effect == "Allow" && iamMatch(a, action) {
				return true
			}
		}
	}
	return false
}

// checkServedCalls checks every call the provider made on srv against p:
// each operation is listed, and each resource-scoped ECS call is allowed
// for its resource, tags and cluster.
func checkServedCalls(p iamPolicy, srv *localaws.Server) []string {
	var denied []string
	for _, op := range srv.OperationsBy(provider.AppID) {
		if !p.lists(op) && !noPermission[op] {
			denied = append(denied, op+" (not in the policy)")
		}
	}
	for _, r := range srv.AuthzRequests(provider.AppID) {
		if p.allows(r) == "" {
			denied = append(denied, fmt.Sprintf("%s on %s (resource tags %v, request tags %v, cluster %s)", r.Action, r.Resource, r.ResourceTags, r.RequestTags, r.Cluster))
		}
	}
	return denied
}

// TestAccIAMPolicy_allowsServedCalls: a migration, a re-run, a run stopped
// at its timeout and a destroy make every ECS call the provider makes on its
// own task definitions and tasks, and its lock's S3 calls; the IAM policy
// guide's policy allows each one for the resource it acted on (as localaws
// recorded it; StopTask and the S3 calls are judged as they come, on the
// tags at that moment), and refuses the same actions on Elastic Beanstalk's
// own task definitions and web tasks, a second StopTask of a task (its tags
// deleted by the first) and S3 writes outside the lock's keys.
func TestAccIAMPolicy_allowsServedCalls(t *testing.T) {
	t.Parallel()
	p, err := guidePolicy()
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t)
	w.srv.EnforcePolicy(provider.AppID, func(r localaws.AuthzRequest) bool { return p.allows(r) != "" })
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{Config: w.run("v1", okCommand)},
			{Config: w.run("v2", okCommand)},
			{
				Config:      w.run("v3", []string{"sleep", "60"}, taskArgs("stop_on_timeout = true"), timeoutsArgs(`update = "3s"`)),
				ExpectError: words("update timeout", "ran out"),
			},
		},
	})
	served := map[string]int{}
	for _, r := range w.srv.AuthzRequests(provider.AppID) {
		served[r.Action]++
	}
	for _, op := range []string{"ecs:RegisterTaskDefinition", "ecs:RunTask", "ecs:StopTask", "ecs:DeregisterTaskDefinition", "ecs:DeleteTaskDefinitions", "s3:PutObject", "s3:GetObject"} {
		if served[op] == 0 {
			t.Errorf("the run made no %s call to check the policy against (%v)", op, served)
		}
	}
	if denied := checkServedCalls(p, w.srv); len(denied) > 0 {
		t.Errorf("the IAM policy guide's policy denies calls the provider made:\n  %s", strings.Join(denied, "\n  "))
	}
	// The same actions on what is Elastic Beanstalk's, not the provider's.
	ebTaskDef := "arn:aws:ecs:us-east-1:123456789012:task-definition/" + localaws.EBTaskFamily(localaws.FixtureEnv, localaws.FixtureEnvID) + ":1"
	cluster := "arn:aws:ecs:us-east-1:123456789012:cluster/awseb-" + localaws.FixtureEnv + "-abc123xyz"
	for _, r := range []localaws.AuthzRequest{
		{Action: "ecs:StopTask", Resource: "arn:aws:ecs:us-east-1:123456789012:task/awseb-" + localaws.FixtureEnv + "-abc123xyz/0123456789abcdef", Cluster: cluster,
			ResourceTags: map[string]string{"elasticbeanstalk:environment-name": localaws.FixtureEnv}},
		{Action: "ecs:DeleteTaskDefinitions", Resource: ebTaskDef},
		{Action: "ecs:RegisterTaskDefinition", Resource: ebTaskDef, RequestTags: map[string]string{"ebmigrate:content-hash": "x"}},
		{Action: "ecs:RunTask", Resource: ebTaskDef, Cluster: cluster},
		// A migration task once stopped: StopTask deleted its tags.
		{Action: "ecs:StopTask", Resource: "arn:aws:ecs:us-east-1:123456789012:task/awseb-" + localaws.FixtureEnv + "-abc123xyz/0123456789abcdef", Cluster: cluster},
		{Action: "s3:PutObject", Resource: "arn:aws:s3:::elasticbeanstalk-us-east-1-123456789012/myapp/v9.zip", ResourceAccount: "123456789012"},
		{Action: "s3:PutObject", Resource: "arn:aws:s3:::elasticbeanstalk-us-east-1-123456789012/ebmigrate/other", ResourceAccount: "123456789012"},
		// Another account's bucket of the same name pattern: S3 ARNs carry
		// no account, s3:ResourceAccount does.
		{Action: "s3:PutObject", Resource: "arn:aws:s3:::elasticbeanstalk-us-east-1-999999999999/ebmigrate/locks/myapp-prod.json", ResourceAccount: "999999999999"},
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::elasticbeanstalk-us-east-1-999999999999/myapp/v1.zip", ResourceAccount: "999999999999"},
	} {
		if sid := p.allows(r); sid != "" {
			t.Errorf("statement %s allows %s on Elastic Beanstalk's %s", sid, r.Action, r.Resource)
		}
	}
}
