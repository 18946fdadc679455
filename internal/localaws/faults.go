package localaws

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Fault is an injected misbehaviour, from the seed's "faults" or AddFault.
//
// An operation fault ("operation" set) delays calls of that operation by
// latency_ms and/or fails them with error: the next count calls, a fraction of
// calls, or (neither given) every call, after the first skip calls. Error is an AWS error code
// ("ThrottlingException", "Throttling", "AccessDeniedException" with IAM's
// message, naming action when set, else the operation: an ecs:RunTask fault
// with action iam:PassRole is RunTask refused for want of iam:PassRole on
// the task role; "LimitExceededException", a quota reached) or "500" for an
// HTTP 500. With after,
// the call is carried out first and its response replaced by the error, as
// when a response is lost on the way back.
//
// A task fault ("task" set) changes the next count tasks started by RunTask
// (every task when count is 0) whose task definition family starts with
// family: "placement_failure" (RunTask returns failures[] with reason),
// "slow_start" (PENDING for duration_ms more), "never_start" (PENDING until
// stopped), "oom" (killed for memory after duration_ms of RUNNING),
// "pull_error" (CannotPullContainerError).
type Fault struct {
	Operation  string  `json:"operation,omitempty"`
	Error      string  `json:"error,omitempty"`
	Count      int     `json:"count,omitempty"`
	Fraction   float64 `json:"fraction,omitempty"`
	LatencyMS  int     `json:"latency_ms,omitempty"`
	After      bool    `json:"after,omitempty"`
	Task       string  `json:"task,omitempty"`
	Reason     string  `json:"reason,omitempty"`
	DurationMS int     `json:"duration_ms,omitempty"`
	Family     string  `json:"family,omitempty"`
	Skip       int     `json:"skip,omitempty"`
	Action     string  `json:"action,omitempty"`
}

var taskFaultKinds = []string{"placement_failure", "slow_start", "never_start", "oom", "pull_error"}

func (f Fault) validate() error {
	switch {
	case f.Operation != "" && f.Task != "":
		return fmt.Errorf("a fault has either operation or task, not both")
	case f.Operation != "":
		if !strings.Contains(f.Operation, ":") {
			return fmt.Errorf("operation %q must be service:Operation, for example ecs:RunTask", f.Operation)
		}
		if f.Error == "" && f.LatencyMS == 0 {
			return fmt.Errorf("operation fault %s needs error or latency_ms", f.Operation)
		}
	case f.Task != "":
		if !slices.Contains(taskFaultKinds, f.Task) {
			return fmt.Errorf("task fault %q is not one of %s", f.Task, strings.Join(taskFaultKinds, ", "))
		}
		if f.Task == "placement_failure" && f.Reason == "" {
			return fmt.Errorf("placement_failure needs a reason, for example RESOURCE:MEMORY")
		}
	default:
		return fmt.Errorf("a fault needs operation or task")
	}
	if f.Fraction < 0 || f.Fraction > 1 {
		return fmt.Errorf("fraction must be between 0 and 1")
	}
	return nil
}

type activeFault struct {
	Fault
	used, skipped int
}

// AddFault injects a fault from Go.
func (s *Server) AddFault(f Fault) error {
	if err := f.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &activeFault{Fault: f})
	return nil
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// fires decides whether a fault applies to this call or task, and counts it.
func (s *Server) fires(f *activeFault) bool {
	if f.skipped < f.Skip {
		f.skipped++
		return false
	}
	switch {
	case f.Count > 0:
		if f.used >= f.Count {
			return false
		}
	case f.Fraction > 0:
		if s.rng.Float64() >= f.Fraction {
			return false
		}
	}
	f.used++
	return true
}

// callFault counts a call of op and applies operation faults: it sleeps for
// injected latency and returns the injected error, if any, and whether that
// error replaces the response of the call carried out (after).
func (s *Server) callFault(op, userAgent string) (*apiError, bool) {
	s.mu.Lock()
	s.calls[op]++
	if app := appID(userAgent); app != "" {
		if s.byApp[app] == nil {
			s.byApp[app] = map[string]bool{}
		}
		s.byApp[app][op] = true
	}
	var delay time.Duration
	var fail *apiError
	after := false
	for _, f := range s.faults {
		if f.Operation != op || !s.fires(f) {
			continue
		}
		delay += ms(f.LatencyMS)
		if f.Error != "" && fail == nil {
			action := op
			if f.Action != "" {
				action = f.Action
			}
			fail, after = s.faultError(f.Error, action), f.After
		}
	}
	s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	return fail, after
}

// faultError is the error AWS answers with that code, for a call that needs
// the IAM action op ("ecs:RunTask" as localaws names operations, or another
// action such as "iam:PassRole"). An access-denied code
// carries IAM's message for an identity-based policy that does not allow the
// action ("User: <arn> is not authorized to perform: <action> because no
// identity-based policy allows the <action> action", IAM User Guide,
// "Troubleshoot access denied error messages"); ECS and CloudWatch Logs send
// AccessDeniedException with HTTP 400 (botocore ecs/logs service-2.json
// AccessDeniedException has no httpStatusCode, so the JSON protocol's 400),
// the query protocol services AccessDenied with 403.
func (s *Server) faultError(code, op string) *apiError {
	switch code {
	case "AccessDeniedException", "AccessDenied":
		action := op
		if i := strings.Index(op, ":"); i >= 0 {
			action = strings.ToLower(op[:i]) + op[i:]
		}
		status := http.StatusBadRequest
		if code == "AccessDenied" {
			status = http.StatusForbidden
		}
		return &apiError{Status: status, Code: code, Message: fmt.Sprintf(
			"User: arn:aws:iam::%s:user/%s is not authorized to perform: %s because no identity-based policy allows the %s action (injected by localaws)",
			s.account, CallerUser, action, action)}
	case "500", "InternalFailure", "ServerException", "InternalServerError":
		c := code
		if c == "500" {
			c = "InternalFailure"
		}
		return &apiError{Status: http.StatusInternalServerError, Code: c, Message: "We encountered an internal error. Please try again. (injected by localaws)"}
	case "LimitExceededException":
		// botocore ecs service-2.json, LimitExceededException: "The limit for
		// the resource was exceeded." (RegisterTaskDefinition, TagResource,
		// ...); the message naming the quota is localaws's own wording.
		return &apiError{Status: http.StatusBadRequest, Code: code, Message: "The limit for the resource was exceeded: task definition revisions per family (injected by localaws)"}
	case "ConditionalRequestConflict":
		// A conditional S3 write that met a conflicting operation in
		// progress: "S3 returns a 409 ConditionalRequestConflict response"
		// (botocore s3 PutObjectRequest.IfMatch, IfNoneMatch); the message
		// is S3's (s3_conditional.go).
		return &apiError{Status: http.StatusConflict, Code: code, Message: errConditionalConflict.message + " (injected by localaws)"}
	case "503", "ServiceUnavailable":
		return &apiError{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable", Message: "Service is unavailable. (injected by localaws)"}
	}
	return &apiError{Status: http.StatusBadRequest, Code: code, Message: "Rate exceeded (injected by localaws)"}
}

// taskFault picks the task fault (other than a placement failure) for a new task of family.
func (s *Server) taskFault(family string) *Fault {
	for _, f := range s.faults {
		if f.Task != "" && f.Task != "placement_failure" && strings.HasPrefix(family, f.Family) && s.fires(f) {
			out := f.Fault
			return &out
		}
	}
	return nil
}

// placementFault returns an injected placement failure reason for a task of family.
func (s *Server) placementFault(family string) string {
	for _, f := range s.faults {
		if f.Task == "placement_failure" && strings.HasPrefix(family, f.Family) && s.fires(f) {
			return f.Reason
		}
	}
	return ""
}
