package localaws

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Reading a stream: GetLogEvents and FilterLogEvents, as botocore's logs
// model documents them, and no kinder.
//
//   - An event is readable only from its own readable time on (logs_put.go):
//     calls accepted later may be readable first, so a reader can see a
//     later event before an earlier one.
//   - GetLogEvents returns a stream by timestamp, and its tokens are
//     positions in that order: a forward token stands after the last event
//     it returned. An event that becomes readable behind that position (an
//     earlier timestamp, from a call readable late) is never returned to a
//     reader that goes on from the token; only a read from the head again
//     (startTime, no token) sees it. CloudWatch's own tokens look like
//     positions too ("f/<number>/s"), and nothing documents otherwise.
//   - "A returned page might only be partially full, or even empty ...
//     Partially full or empty pages don't necessarily mean that pagination
//     is finished": EmptyLogPages of forward pages are empty although
//     readable events follow, with a token that moved on; "If you have
//     reached the end of the stream, it returns the same token you passed
//     in", and only that ends a read.

// position is a place in a stream's GetLogEvents order, between events:
// after (forward) or before (backward) the event with this key.
type position struct{ ts, id int64 }

var (
	streamHead = position{math.MinInt64, 0}
	streamTail = position{math.MaxInt64, 0}
)

func (e logEvent) key() position { return position{e.ts, e.id} }

func (p position) less(q position) bool {
	return p.ts < q.ts || p.ts == q.ts && p.id < q.id
}

// parseToken reads a token this server gave: "f/<ts>/<id>" or
// "b/<ts>/<id>", "/e" appended to a forward token that came with an empty
// page.
func parseToken(tok string) (forward bool, at position, afterEmpty bool, err error) {
	parts := strings.Split(tok, "/")
	if len(parts) < 3 || len(parts) > 4 || (parts[0] != "f" && parts[0] != "b") || (len(parts) == 4 && parts[3] != "e") {
		return false, at, false, clientErr("InvalidParameterException", "The specified nextToken is invalid.")
	}
	ts, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return false, at, false, clientErr("InvalidParameterException", "The specified nextToken is invalid.")
	}
	return parts[0] == "f", position{ts, id}, len(parts) == 4, nil
}

func token(dir string, p position) string { return fmt.Sprintf("%s/%d/%d", dir, p.ts, p.id) }

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
	forward, at, afterEmpty := in.StartFromHead, streamTail, false
	if forward {
		at = streamHead
	}
	if in.NextToken != "" {
		var err error
		if forward, at, afterEmpty, err = parseToken(in.NextToken); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.findStream(group, in.LogStreamName)
	if err != nil {
		return nil, err
	}
	now := time.Now().UnixMilli()
	visible := func(e logEvent) bool { return e.readable <= now && inRange(e.ts, in.StartTime, in.EndTime) }
	// The first event after the position, forward, or the one just before it.
	first := sort.Search(len(st.events), func(i int) bool { return at.less(st.events[i].key()) })
	if forward && !afterEmpty && slices.ContainsFunc(st.events[first:], visible) && s.rng.Float64() < s.consistency.EmptyLogPages {
		// An empty page, and a token that moved on although later events
		// exist (only its mark moved: the position is the same).
		return map[string]any{"events": []eventJSON{}, "nextForwardToken": token("f", at) + "/e", "nextBackwardToken": token("b", at)}, nil
	}
	// Up to limit readable events (and at most 1 MB), forward after the
	// position or backward before it.
	var idx []int
	size := 0
	take := func(i int) bool {
		e := st.events[i]
		if !visible(e) {
			return true
		}
		size += len(e.msg) + putEventOverhead
		if len(idx) >= limit || size > 1<<20 {
			return false
		}
		idx = append(idx, i)
		return true
	}
	if forward {
		for i := first; i < len(st.events) && take(i); i++ {
		}
	} else {
		before := sort.Search(len(st.events), func(i int) bool { return !st.events[i].key().less(at) })
		for i := before - 1; i >= 0 && take(i); i-- {
		}
		sort.Ints(idx)
	}
	events := make([]eventJSON, 0, len(idx))
	for _, i := range idx {
		e := st.events[i]
		events = append(events, eventJSON{Timestamp: e.ts, Message: e.msg, IngestionTime: e.ingest})
	}
	if len(idx) == 0 {
		// The end of the stream in this direction: the same token back.
		fwd, bwd := token("f", at), token("b", at)
		switch {
		case in.NextToken != "" && forward:
			fwd = in.NextToken
		case in.NextToken != "":
			bwd = in.NextToken
		}
		return map[string]any{"events": events, "nextForwardToken": fwd, "nextBackwardToken": bwd}, nil
	}
	return map[string]any{
		"events":            events,
		"nextForwardToken":  token("f", st.events[idx[len(idx)-1]].key()),
		"nextBackwardToken": token("b", st.events[idx[0]].key()),
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
	now := time.Now().UnixMilli()
	var all []eventJSON
	for _, name := range sortedKeys(g.streams) {
		if (len(in.LogStreamNames) > 0 && !slices.Contains(in.LogStreamNames, name)) || !strings.HasPrefix(name, in.LogStreamNamePrefix) {
			continue
		}
		for _, e := range g.streams[name].events {
			if e.readable <= now && inRange(e.ts, in.StartTime, in.EndTime) && strings.Contains(e.msg, pattern) {
				all = append(all, eventJSON{LogStreamName: name, Timestamp: e.ts, Message: e.msg, IngestionTime: e.ingest, EventID: fmt.Sprintf("%s-%d", name, e.id)})
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

// LastReadable is when the last event of a stream to become readable did
// (or will), for the benchmark's stop detection: GetLogEvents does not say
// when an event became readable, only when it was accepted. ok is false for
// a stream that holds no event.
func (s *Server) LastReadable(group, stream string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.findStream(group, stream)
	if err != nil || len(st.events) == 0 {
		return time.Time{}, false
	}
	var last int64
	for _, e := range st.events {
		last = max(last, e.readable)
	}
	return time.UnixMilli(last), true
}
