package localaws

import (
	"sort"
	"strconv"
	"time"
)

// PutLogEvents, as botocore's logs service-2.json documents it (PutLogEvents,
// RejectedLogEventsInfo): the batch holds 1 to 10,000 events in
// chronological order, at most 1,048,576 bytes counting 26 bytes an event,
// each event at most 1 MB, spanning at most 24 hours (otherwise the call
// fails); events more than 2 hours in the future, more than 14 days old or
// older than the group's retention are rejected (rejectedLogEventsInfo)
// "while processing remaining valid events". The sequence token is ignored.
const (
	maxPutBatchBytes = 1048576
	maxPutEventBytes = 1 << 20
	putEventOverhead = 26
	maxPutFuture     = 2 * time.Hour
	maxPutPast       = 14 * 24 * time.Hour
	maxPutSpan       = 24 * time.Hour
)

func (s *Server) logsPutLogEvents(body []byte) (any, error) {
	var in struct {
		LogGroupName  string `json:"logGroupName"`
		LogStreamName string `json:"logStreamName"`
		LogEvents     []struct {
			Timestamp *int64  `json:"timestamp"`
			Message   *string `json:"message"`
		} `json:"logEvents"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.LogGroupName == "" || in.LogStreamName == "" {
		return nil, clientErr("InvalidParameterException", "logGroupName and logStreamName are required.")
	}
	if len(in.LogEvents) == 0 || len(in.LogEvents) > 10000 {
		return nil, clientErr("InvalidParameterException", "logEvents must hold 1 to 10000 events.")
	}
	size := 0
	for i, e := range in.LogEvents {
		// InputLogEvent: timestamp and message are required; message has a min length of 1.
		if e.Timestamp == nil || e.Message == nil || *e.Message == "" {
			return nil, clientErr("InvalidParameterException", "Each log event needs a timestamp and a message of at least 1 character.")
		}
		if len(*e.Message) > maxPutEventBytes {
			return nil, clientErr("InvalidParameterException", "Log event too large: each log event can be no larger than 1 MB.")
		}
		size += len(*e.Message) + putEventOverhead
		if i > 0 && *e.Timestamp < *in.LogEvents[i-1].Timestamp {
			return nil, clientErr("InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order.")
		}
	}
	if size > maxPutBatchBytes {
		return nil, clientErr("InvalidParameterException", "Upload too large: the maximum batch size is 1,048,576 bytes, counting 26 bytes for each log event.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.logGroups[in.LogGroupName]
	st, err := s.findStream(in.LogGroupName, in.LogStreamName)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	oldest := now.Add(-maxPutPast).UnixMilli()
	if g.retentionDays > 0 {
		oldest = max(oldest, now.AddDate(0, 0, -g.retentionDays).UnixMilli())
	}
	newest := now.Add(maxPutFuture).UnixMilli()
	rejected := map[string]int{}
	var valid []int
	for i, e := range in.LogEvents {
		switch ts := *e.Timestamp; {
		case ts > newest:
			if _, ok := rejected["tooNewLogEventStartIndex"]; !ok {
				rejected["tooNewLogEventStartIndex"] = i
			}
		case ts < oldest:
			rejected["tooOldLogEventEndIndex"] = i + 1
		default:
			valid = append(valid, i)
		}
	}
	if len(valid) > 1 && *in.LogEvents[valid[len(valid)-1]].Timestamp-*in.LogEvents[valid[0]].Timestamp > maxPutSpan.Milliseconds() {
		return nil, clientErr("InvalidParameterException", "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	// Readable no earlier than every event the stream already holds: what a
	// reader sees of one stream follows the order CloudWatch accepted it in
	// (the assumption the engine's end-of-log mark rests on; README "How it
	// works"). GetLogEvents returns events by timestamp, so each goes in at
	// its timestamp's place.
	ingest := now.UnixMilli()
	for _, e := range st.events {
		ingest = max(ingest, e.ingest)
	}
	for _, i := range valid {
		e := logEvent{ts: *in.LogEvents[i].Timestamp, ingest: ingest, msg: *in.LogEvents[i].Message}
		at := sort.Search(len(st.events), func(j int) bool { return st.events[j].ts > e.ts })
		st.events = append(st.events, logEvent{})
		copy(st.events[at+1:], st.events[at:])
		st.events[at] = e
	}
	out := map[string]any{"nextSequenceToken": strconv.Itoa(len(st.events))}
	if len(rejected) > 0 {
		out["rejectedLogEventsInfo"] = rejected
	}
	return out, nil
}
