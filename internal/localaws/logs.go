package localaws

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
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
}

type logEvent struct {
	ts, ingest int64
	msg        string
}

const maxEventBytes = 256 * 1024

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

// appendLog records one line a container printed, now.
func (s *Server) appendLog(c *taskContainer, line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(c.output) == maxKeptOutput {
		c.output = c.output[1:]
	}
	c.output = append(c.output, line)
	if c.logGroup == "" {
		return
	}
	if len(line) > maxEventBytes-26 {
		line = line[:maxEventBytes-26]
	}
	g := s.logGroups[c.logGroup]
	if g == nil {
		return
	}
	now := time.Now().UnixMilli()
	st := g.stream(c.logStream)
	// Stamped when printed, readable LogIngestDelayMS later (consistency.go).
	st.events = append(st.events, logEvent{ts: now, ingest: now + int64(s.consistency.LogIngestDelayMS), msg: line})
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

type eventJSON struct {
	LogStreamName string `json:"logStreamName,omitempty"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId,omitempty"`
}

func inRange(ts, start, end int64) bool {
	return ts >= start && (end == 0 || ts < end)
}

func (s *Server) logsGetLogEvents(body []byte) (any, error) {
	var in struct {
		LogGroupName       string `json:"logGroupName"`
		LogGroupIdentifier string `json:"logGroupIdentifier"`
		LogStreamName      string `json:"logStreamName"`
		StartTime          int64  `json:"startTime"`
		EndTime            int64  `json:"endTime"`
		NextToken          string `json:"nextToken"`
		Limit              int    `json:"limit"`
		StartFromHead      bool   `json:"startFromHead"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	group := orDefault(in.LogGroupName, in.LogGroupIdentifier)
	if in.Limit < 0 || in.Limit > 10000 {
		return nil, clientErr("InvalidParameterException", "limit must be between 1 and 10000.")
	}
	limit := in.Limit
	if limit == 0 {
		limit = 10000
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.findStream(group, in.LogStreamName)
	if err != nil {
		return nil, err
	}
	n := readableEvents(st, time.Now().UnixMilli())
	forward := in.StartFromHead
	pos := 0
	if !forward {
		pos = n
	}
	skipped := false
	if in.NextToken != "" {
		dir, num, _ := strings.Cut(in.NextToken, "/")
		num, mark, _ := strings.Cut(num, "/")
		p, err := strconv.Atoi(num)
		if (dir != "f" && dir != "b") || err != nil || p < 0 || p > len(st.events) {
			return nil, clientErr("InvalidParameterException", "The specified nextToken is invalid.")
		}
		forward, pos, skipped = dir == "f", min(p, n), mark == "e"
	}
	if forward && !skipped && pos < n && s.rng.Float64() < s.consistency.EmptyLogPages {
		// An empty page, and a token that moved on although later events
		// exist: only a repeated token ends the stream (consistency.go).
		return map[string]any{
			"events":            []eventJSON{},
			"nextForwardToken":  fmt.Sprintf("f/%d/e", pos),
			"nextBackwardToken": fmt.Sprintf("b/%d", pos),
		}, nil
	}
	// Collect up to limit matching events (and at most 1 MB), forward from pos
	// or backward before pos.
	var idx []int
	size := 0
	take := func(i int) bool {
		e := st.events[i]
		if !inRange(e.ts, in.StartTime, in.EndTime) {
			return true
		}
		size += len(e.msg) + 26
		if len(idx) >= limit || size > 1<<20 {
			return false
		}
		idx = append(idx, i)
		return true
	}
	if forward {
		for i := pos; i < n && take(i); i++ {
		}
	} else {
		for i := pos - 1; i >= 0 && take(i); i-- {
		}
		sort.Ints(idx)
	}
	events := make([]eventJSON, 0, len(idx))
	for _, i := range idx {
		e := st.events[i]
		events = append(events, eventJSON{Timestamp: e.ts, Message: e.msg, IngestionTime: e.ingest})
	}
	fwd, bwd := pos, pos
	if len(idx) > 0 {
		fwd, bwd = idx[len(idx)-1]+1, idx[0]
	}
	return map[string]any{
		"events":            events,
		"nextForwardToken":  fmt.Sprintf("f/%d", fwd),
		"nextBackwardToken": fmt.Sprintf("b/%d", bwd),
	}, nil
}

func (s *Server) logsFilterLogEvents(body []byte) (any, error) {
	var in struct {
		LogGroupName        string   `json:"logGroupName"`
		LogStreamNames      []string `json:"logStreamNames"`
		LogStreamNamePrefix string   `json:"logStreamNamePrefix"`
		StartTime           int64    `json:"startTime"`
		EndTime             int64    `json:"endTime"`
		FilterPattern       string   `json:"filterPattern"`
		NextToken           string   `json:"nextToken"`
		Limit               int      `json:"limit"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != "" {
		return nil, clientErr("InvalidParameterException", "logStreamNames and logStreamNamePrefix are mutually exclusive.")
	}
	limit := in.Limit
	if limit <= 0 || limit > 10000 {
		limit = 10000
	}
	pattern := strings.Trim(in.FilterPattern, `"`)
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.logGroups[in.LogGroupName]
	if g == nil {
		return nil, clientErr("ResourceNotFoundException", "The specified log group does not exist.")
	}
	var all []eventJSON
	for _, name := range sortedKeys(g.streams) {
		if (len(in.LogStreamNames) > 0 && !slices.Contains(in.LogStreamNames, name)) || !strings.HasPrefix(name, in.LogStreamNamePrefix) {
			continue
		}
		st := g.streams[name]
		for i, e := range st.events[:readableEvents(st, time.Now().UnixMilli())] {
			if inRange(e.ts, in.StartTime, in.EndTime) && strings.Contains(e.msg, pattern) {
				all = append(all, eventJSON{LogStreamName: name, Timestamp: e.ts, Message: e.msg, IngestionTime: e.ingest, EventID: fmt.Sprintf("%s-%d", name, i)})
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Timestamp < all[j].Timestamp })
	start := 0
	if in.NextToken != "" {
		p, err := strconv.Atoi(in.NextToken)
		if err != nil || p < 0 || p > len(all) {
			return nil, clientErr("InvalidParameterException", "The specified nextToken is invalid.")
		}
		start = p
	}
	end := min(start+limit, len(all))
	out := map[string]any{"events": append([]eventJSON{}, all[start:end]...), "searchedLogStreams": []any{}}
	if end < len(all) {
		out["nextToken"] = strconv.Itoa(end)
	}
	return out, nil
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
