package localaws

import (
	"sort"
	"strings"
	"time"
)

// CloudWatch Logs: groups, streams and events, written by task processes as
// their lines come and by PutLogEvents.

type logGroup struct {
	name    string
	created time.Time
	streams map[string]*logStream
	// retentionDays is 0 when the group has no retention policy.
	retentionDays int
}

type logStream struct {
	name    string
	created time.Time
	events  []logEvent
	// accepted counts the events CloudWatch accepted into the stream (their ids).
	accepted int64
}

// logEvent is one event of a stream. Streams hold their events in
// GetLogEvents' order, by timestamp and then by the order CloudWatch
// accepted them (id); ingest is when CloudWatch accepted the event (its
// ingestionTime) and readable when GetLogEvents and FilterLogEvents first
// return it (logs_put.go).
type logEvent struct {
	ts, id, ingest, readable int64
	msg                      string
}

func (s *Server) ensureLogGroup(name string) *logGroup {
	if g := s.logGroups[name]; g != nil {
		return g
	}
	g := &logGroup{name: name, created: time.Now(), streams: map[string]*logStream{}}
	s.logGroups[name] = g
	return g
}

func (g *logGroup) stream(name string) *logStream {
	if st := g.streams[name]; st != nil {
		return st
	}
	st := &logStream{name: name, created: time.Now()}
	g.streams[name] = st
	return st
}

func (s *Server) findStream(group, stream string) (*logStream, error) {
	g := s.logGroups[group]
	if g == nil {
		return nil, clientErr("ResourceNotFoundException", "The specified log group does not exist.")
	}
	st := g.streams[stream]
	if st == nil {
		return nil, clientErr("ResourceNotFoundException", "The specified log stream does not exist.")
	}
	return st, nil
}

func (s *Server) logsDescribeLogStreams(body []byte) (any, error) {
	var in struct {
		LogGroupName        string `json:"logGroupName"`
		LogStreamNamePrefix string `json:"logStreamNamePrefix"`
		OrderBy             string `json:"orderBy"`
		Descending          bool   `json:"descending"`
		NextToken           string `json:"nextToken"`
		Limit               int    `json:"limit"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.OrderBy == "LastEventTime" && in.LogStreamNamePrefix != "" {
		return nil, clientErr("InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.logGroups[in.LogGroupName]
	if g == nil {
		return nil, clientErr("ResourceNotFoundException", "The specified log group does not exist.")
	}
	var streams []*logStream
	for _, name := range sortedKeys(g.streams) {
		if strings.HasPrefix(name, in.LogStreamNamePrefix) {
			streams = append(streams, g.streams[name])
		}
	}
	last := func(st *logStream) int64 {
		if len(st.events) == 0 {
			return 0
		}
		return st.events[len(st.events)-1].ts
	}
	if in.OrderBy == "LastEventTime" {
		sort.SliceStable(streams, func(i, j int) bool { return last(streams[i]) < last(streams[j]) })
	}
	names := make([]string, len(streams))
	for i, st := range streams {
		names[i] = st.name
	}
	if in.Descending {
		for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
			names[i], names[j] = names[j], names[i]
		}
	}
	items, next, err := page{NextToken: in.NextToken, MaxResults: in.Limit}.apply(names, 50)
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for _, name := range items {
		st := g.streams[name]
		m := map[string]any{
			"logStreamName": st.name,
			"creationTime":  st.created.UnixMilli(),
			"arn":           s.arn("logs", "log-group:"+g.name+":log-stream:"+st.name),
			"storedBytes":   0,
		}
		if len(st.events) > 0 {
			m["firstEventTimestamp"] = st.events[0].ts
			m["lastEventTimestamp"] = last(st)
			m["lastIngestionTime"] = st.events[len(st.events)-1].ingest
		}
		out = append(out, m)
	}
	return map[string]any{"logStreams": out, "nextToken": next}, nil
}

func (s *Server) logsDescribeLogGroups(body []byte) (any, error) {
	var in struct {
		LogGroupNamePrefix string `json:"logGroupNamePrefix"`
		NextToken          string `json:"nextToken"`
		Limit              int    `json:"limit"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, name := range sortedKeys(s.logGroups) {
		if strings.HasPrefix(name, in.LogGroupNamePrefix) {
			names = append(names, name)
		}
	}
	items, next, err := page{NextToken: in.NextToken, MaxResults: in.Limit}.apply(names, 50)
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for _, name := range items {
		g := s.logGroups[name]
		desc := map[string]any{"logGroupName": g.name, "creationTime": g.created.UnixMilli(), "arn": s.arn("logs", "log-group:"+g.name+":*"), "storedBytes": 0}
		if g.retentionDays > 0 {
			desc["retentionInDays"] = g.retentionDays
		}
		out = append(out, desc)
	}
	return map[string]any{"logGroups": out, "nextToken": next}, nil
}

func (s *Server) logsCreateLogGroup(body []byte) (any, error) {
	var in struct {
		LogGroupName string `json:"logGroupName"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkLogGroupName(in.LogGroupName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.logGroups[in.LogGroupName] != nil {
		return nil, clientErr("ResourceAlreadyExistsException", "The specified log group already exists")
	}
	s.ensureLogGroup(in.LogGroupName)
	return map[string]any{}, nil
}

func (s *Server) logsCreateLogStream(body []byte) (any, error) {
	var in struct {
		LogGroupName  string `json:"logGroupName"`
		LogStreamName string `json:"logStreamName"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.LogStreamName == "" || strings.ContainsAny(in.LogStreamName, ":*") {
		return nil, clientErr("InvalidParameterException", "logStreamName must be 1 to 512 characters, without ':' or '*'.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.logGroups[in.LogGroupName]
	if g == nil {
		return nil, clientErr("ResourceNotFoundException", "The specified log group does not exist.")
	}
	if g.streams[in.LogStreamName] != nil {
		return nil, clientErr("ResourceAlreadyExistsException", "The specified log stream already exists")
	}
	g.stream(in.LogStreamName)
	return map[string]any{}, nil
}

// checkLogGroupName: botocore logs LogGroupName, min 1, max 512, pattern
// "[\.\-_/#A-Za-z0-9]+"; CreateLogGroup: "Log group names can't start with
// the string aws/".
func checkLogGroupName(name string) error {
	allowed := func(r rune) bool {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-/#", r)
	}
	bad := strings.IndexFunc(name, func(r rune) bool { return !allowed(r) }) >= 0
	if name == "" || len(name) > 512 || bad {
		return clientErr("InvalidParameterException", "1 validation error detected: Value '%s' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+", name)
	}
	if strings.HasPrefix(name, "aws/") {
		return clientErr("InvalidParameterException", "Log group names can't start with the string aws/.")
	}
	return nil
}

// maxKeptOutput bounds the lines TaskOutput keeps of each container.
const maxKeptOutput = 10000

// recordOutput keeps a line a container printed, for TaskOutput.
func (s *Server) recordOutput(c *taskContainer, line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(c.output) == maxKeptOutput {
		c.output = c.output[1:]
	}
	c.output = append(c.output, line)
}

// TaskOutput is what a task's containers printed (their last 10,000 lines
// each), wherever they log: for tests that tell which migration a task ran.
func (s *Server) TaskOutput(taskArn string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tasks[taskArn]
	if t == nil {
		return nil
	}
	var out []string
	for _, c := range t.containers {
		out = append(out, c.output...)
	}
	return out
}
