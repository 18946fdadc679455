package localaws

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// The authorization context of the ECS calls whose IAM permission can be
// scoped to a resource, as IAM evaluates it, so that a test can check a
// policy's Resource and Condition elements against what a client really did
// (AWS Service Authorization Reference, Amazon ECS: RegisterTaskDefinition
// and RunTask on task-definition*, with aws:RequestTag and ecs:cluster;
// DeleteTaskDefinitions on task-definition* with aws:ResourceTag; StopTask
// on task* with aws:ResourceTag and ecs:cluster; DeregisterTaskDefinition
// has no resource type, so IAM sees "*"), and of the S3 object calls (the
// object's ARN, arn:aws:s3:::bucket/key; a DeleteObject with If-Match needs
// s3:GetObject as well, S3 User Guide, "How to perform conditional
// deletes").
//
// A test can also have localaws enforce a policy (EnforcePolicy): the calls
// of one client app that IAM would deny are answered AccessDenied, judged on
// what is true when the call comes, as IAM judges it. StopTask is judged on
// the task's tags at that moment, and "Any tags associated with the task
// will be deleted" by StopTask (botocore ecs StopTask): a second StopTask of
// a task whose tags a policy's condition names is denied.

// AuthzRequest is one resource an ECS call acted on, as IAM sees it.
type AuthzRequest struct {
	Action   string `json:"action"`
	Resource string `json:"resource"`
	// ResourceTags are the resource's tags when the call came
	// (aws:ResourceTag); RequestTags the tags the call sets (aws:RequestTag).
	ResourceTags map[string]string `json:"resource_tags,omitempty"`
	RequestTags  map[string]string `json:"request_tags,omitempty"`
	// Cluster is ecs:cluster, for RunTask and StopTask.
	Cluster string `json:"cluster,omitempty"`
	// ResourceAccount is s3:ResourceAccount for the S3 calls: the account
	// that owns the bucket (AWS What's New, 2020-12-21, "New IAM condition
	// keys for Amazon S3 limit requests to buckets owned by specific AWS
	// accounts"), which S3 ARNs do not carry. localaws's buckets are all its
	// own account's.
	ResourceAccount string `json:"resource_account,omitempty"`
}

// authzOps are the operations recorded.
var authzOps = map[string]bool{
	"ecs:RegisterTaskDefinition": true, "ecs:RunTask": true, "ecs:DeregisterTaskDefinition": true,
	"ecs:DeleteTaskDefinitions": true, "ecs:StopTask": true,
}

// Authorizer tells whether IAM allows a call (EnforcePolicy).
type Authorizer func(AuthzRequest) bool

// EnforcePolicy makes localaws answer AccessDenied to the calls of client
// app app (app/<id> in the User-Agent) that allow refuses: ECS StopTask and
// the S3 object calls, judged before they are carried out. Other calls are
// recorded (AuthzRequests) and can be judged after the fact.
func (s *Server) EnforcePolicy(app string, allow Authorizer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.enforced = map[string]Authorizer{app: allow}
}

// denied is IAM's refusal of a call of app that the enforced policy does
// not allow, or nil.
func (s *Server) denied(userAgent string, r AuthzRequest) *apiError {
	app := appID(userAgent)
	s.mu.Lock()
	allow := s.enforced[app]
	s.mu.Unlock()
	if allow == nil || allow(r) {
		return nil
	}
	e := s.faultError("AccessDeniedException", r.Action)
	e.Message = strings.Replace(e.Message, " because no identity-based policy", " on resource: "+r.Resource+" because no identity-based policy", 1)
	e.Message = strings.TrimSuffix(e.Message, " (injected by localaws)") + " (localaws: the enforced policy)"
	if strings.HasPrefix(r.Action, "s3:") {
		e.Code, e.Status = "AccessDenied", http.StatusForbidden
	}
	return e
}

// stopTaskAuthz is StopTask's authorization context before it is carried
// out: the task's tags now. ok is false when there is no such task.
func (s *Server) stopTaskAuthz(body []byte) (AuthzRequest, bool) {
	var in struct{ Cluster, Task string }
	if json.Unmarshal(body, &in) != nil {
		return AuthzRequest{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.findCluster(in.Cluster)
	if err != nil {
		return AuthzRequest{}, false
	}
	t := s.findTask(c, in.Task)
	if t == nil {
		return AuthzRequest{}, false
	}
	return AuthzRequest{Action: "ecs:StopTask", Resource: t.arn, ResourceTags: tagMap(t.tags), Cluster: c.arn}, true
}

// recordS3Authz records an S3 object call of a client app, and the caller
// answers AccessDenied when the enforced policy does not allow it (false).
func (s *Server) recordS3Authz(r *http.Request, op, bucket, key string) {
	app := appID(r.Header.Get("User-Agent"))
	if app == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authz[app] = append(s.authz[app], AuthzRequest{Action: op, Resource: s3ObjectArn(bucket, key), ResourceAccount: s.account})
}

func s3ObjectArn(bucket, key string) string { return "arn:aws:s3:::" + bucket + "/" + key }

// s3Denied is the enforced policy's refusal of an S3 object call, or nil.
func (s *Server) s3Denied(r *http.Request, op, bucket, key string) *apiError {
	return s.denied(r.Header.Get("User-Agent"), AuthzRequest{Action: op, Resource: s3ObjectArn(bucket, key), ResourceAccount: s.account})
}

// s3BucketDenied is the enforced policy's refusal of a bucket-level S3
// permission (s3:ListBucket), or nil.
func (s *Server) s3BucketDenied(r *http.Request, op, bucket string) *apiError {
	return s.denied(r.Header.Get("User-Agent"), AuthzRequest{Action: op, Resource: "arn:aws:s3:::" + bucket, ResourceAccount: s.account})
}

// AuthzRequests returns the authorization context of the calls of a client
// app (app/<id> in the User-Agent) that succeeded, in order.
func (s *Server) AuthzRequests(app string) []AuthzRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]AuthzRequest(nil), s.authz[app]...)
}

// authzBefore takes what the call will change from the state before it:
// the tags of the task StopTask is about to stop (StopTask deletes them).
func (s *Server) authzBefore(op string, body []byte) map[string]map[string]string {
	if op != "ecs:StopTask" {
		return nil
	}
	var in struct{ Cluster, Task string }
	if json.Unmarshal(body, &in) != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.findCluster(in.Cluster)
	if err != nil {
		return nil
	}
	t := s.findTask(c, in.Task)
	if t == nil {
		return nil
	}
	return map[string]map[string]string{t.arn: tagMap(t.tags)}
}

// recordAuthz records a successful call's authorization context, read from
// its request and response.
func (s *Server) recordAuthz(app, op string, body []byte, out any, before map[string]map[string]string) {
	raw, err := json.Marshal(out)
	if err != nil {
		return
	}
	var req struct {
		Tags []tag `json:"tags"`
	}
	_ = json.Unmarshal(body, &req)
	var resp struct {
		TaskDefinition  *struct{ TaskDefinitionArn string }              `json:"taskDefinition"`
		TaskDefinitions []struct{ TaskDefinitionArn string }             `json:"taskDefinitions"`
		Tasks           []struct{ TaskDefinitionArn, ClusterArn string } `json:"tasks"`
		Task            *struct{ TaskArn, ClusterArn string }            `json:"task"`
	}
	if json.Unmarshal(raw, &resp) != nil {
		return
	}
	var got []AuthzRequest
	switch op {
	case "ecs:RegisterTaskDefinition":
		if resp.TaskDefinition != nil {
			got = append(got, AuthzRequest{Resource: resp.TaskDefinition.TaskDefinitionArn, RequestTags: tagMap(req.Tags)})
		}
	case "ecs:RunTask":
		for _, t := range resp.Tasks {
			got = append(got, AuthzRequest{Resource: t.TaskDefinitionArn, RequestTags: tagMap(req.Tags), Cluster: t.ClusterArn})
		}
	case "ecs:DeregisterTaskDefinition":
		if resp.TaskDefinition != nil {
			got = append(got, AuthzRequest{Resource: resp.TaskDefinition.TaskDefinitionArn})
		}
	case "ecs:DeleteTaskDefinitions":
		for _, td := range resp.TaskDefinitions {
			got = append(got, AuthzRequest{Resource: td.TaskDefinitionArn})
		}
	case "ecs:StopTask":
		if resp.Task != nil {
			got = append(got, AuthzRequest{Resource: resp.Task.TaskArn, ResourceTags: before[resp.Task.TaskArn], Cluster: resp.Task.ClusterArn})
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range got {
		got[i].Action = op
		if got[i].ResourceTags == nil && op != "ecs:StopTask" {
			if td := s.taskDefByArn(got[i].Resource); td != nil {
				got[i].ResourceTags = tagMap(td.tags)
			}
		}
	}
	s.authz[app] = append(s.authz[app], got...)
}

func tagMap(tags []tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

// taskDefByArn is a revision by its ARN, whatever its status.
func (s *Server) taskDefByArn(arn string) *taskDef {
	_, ref, ok := strings.Cut(arn, ":task-definition/")
	if !ok {
		return nil
	}
	name, revStr, _ := strings.Cut(ref, ":")
	rev, err := strconv.Atoi(revStr)
	f := s.families[name]
	if err != nil || f == nil || rev < 1 || rev > len(f.revisions) {
		return nil
	}
	return f.revisions[rev-1]
}
