package localaws

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// JSON 1.1 protocol (ECS, CloudWatch Logs): POST / with X-Amz-Target
// "<prefix>.<Operation>", a JSON body, and errors as {"__type": ..., "message": ...}.

type jsonHandler func(s *Server, body []byte) (any, error)

var jsonTargets = map[string]string{
	"AmazonEC2ContainerServiceV20141113": "ecs",
	"Logs_20140328":                      "logs",
}

var jsonOps = map[string]jsonHandler{
	"ecs:DescribeClusters":           (*Server).ecsDescribeClusters,
	"ecs:ListClusters":               (*Server).ecsListClusters,
	"ecs:RegisterTaskDefinition":     (*Server).ecsRegisterTaskDefinition,
	"ecs:DescribeTaskDefinition":     (*Server).ecsDescribeTaskDefinition,
	"ecs:ListTaskDefinitions":        (*Server).ecsListTaskDefinitions,
	"ecs:ListTaskDefinitionFamilies": (*Server).ecsListTaskDefinitionFamilies,
	"ecs:DeregisterTaskDefinition":   (*Server).ecsDeregisterTaskDefinition,
	"ecs:DeleteTaskDefinitions":      (*Server).ecsDeleteTaskDefinitions,
	"ecs:RunTask":                    (*Server).ecsRunTask,
	"ecs:DescribeTasks":              (*Server).ecsDescribeTasks,
	"ecs:ListTasks":                  (*Server).ecsListTasks,
	"ecs:StopTask":                   (*Server).ecsStopTask,
	"ecs:TagResource":                (*Server).ecsTagResource,
	"ecs:ListTagsForResource":        (*Server).ecsListTagsForResource,
	"logs:GetLogEvents":              (*Server).logsGetLogEvents,
	"logs:FilterLogEvents":           (*Server).logsFilterLogEvents,
	"logs:DescribeLogStreams":        (*Server).logsDescribeLogStreams,
	"logs:DescribeLogGroups":         (*Server).logsDescribeLogGroups,
	"logs:CreateLogGroup":            (*Server).logsCreateLogGroup,
	"logs:CreateLogStream":           (*Server).logsCreateLogStream,
	"logs:PutLogEvents":              (*Server).logsPutLogEvents,
	"logs:PutRetentionPolicy":        (*Server).logsPutRetentionPolicy,
}

func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request) {
	prefix, opName, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	service, ok := jsonTargets[prefix]
	if !ok {
		writeJSONError(w, clientErr("UnknownOperationException", "unknown target %q", r.Header.Get("X-Amz-Target")))
		return
	}
	op := service + ":" + opName
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		writeJSONError(w, clientErr("SerializationException", "reading body: %v", err))
		return
	}
	fe, after := s.callFault(op, r.Header.Get("User-Agent"))
	if fe != nil && !after {
		writeJSONError(w, fe)
		return
	}
	if te := s.throttle(op, ""); te != nil {
		writeJSONError(w, te)
		return
	}
	h, ok := jsonOps[op]
	if !ok {
		writeJSONError(w, clientErr("UnknownOperationException", "localaws does not implement %s", op))
		return
	}
	if err := checkLogsNames(op, body); err != nil {
		writeJSONError(w, asAPIError(err))
		return
	}
	var before map[string]map[string]string
	if authzOps[op] {
		before = s.authzBefore(op, body)
	}
	if op == "ecs:StopTask" {
		if ar, ok := s.stopTaskAuthz(body); ok {
			if denied := s.denied(r.Header.Get("User-Agent"), ar); denied != nil {
				writeJSONError(w, denied)
				return
			}
		}
	}
	out, err := h(s, body)
	if fe != nil {
		err = fe
	}
	if err != nil {
		writeJSONError(w, asAPIError(err))
		return
	}
	if app := appID(r.Header.Get("User-Agent")); authzOps[op] && app != "" {
		s.recordAuthz(app, op, body, out, before)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	writeJSON(w, http.StatusOK, out)
}

// decode reads a request body into v, as AWS does: unknown fields are ignored,
// malformed JSON is a SerializationException.
func decode(body []byte, v any) error {
	if len(body) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return clientErr("SerializationException", "could not parse request body: %v", err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(fmt.Sprintf(`{"__type":"InternalFailure","message":%q}`, err.Error()))
	}
	w.Header().Set("X-Amzn-Requestid", requestID())
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeJSONError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	body := map[string]any{"__type": e.Code, "message": e.Message}
	for k, v := range e.Fields {
		body[k] = v
	}
	writeJSON(w, e.Status, body)
}

// epoch is a time as JSON 1.1 carries it: seconds since the epoch, a number.
type epoch time.Time

func (e epoch) MarshalJSON() ([]byte, error) {
	t := time.Time(e)
	return []byte(fmt.Sprintf("%.3f", float64(t.UnixMilli())/1000)), nil
}

func epochPtr(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

var reqSeq atomic.Uint64

func requestID() string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", reqSeq.Add(1))
}
