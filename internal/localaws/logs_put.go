package localaws

import (
	"slices"
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
	batch := make([]logEvent, 0, len(valid))
	for _, i := range valid {
		batch = append(batch, logEvent{ts: *in.LogEvents[i].Timestamp, msg: *in.LogEvents[i].Message})
	}
	s.acceptEvents(st, batch, now)
	out := map[string]any{"nextSequenceToken": strconv.FormatInt(st.accepted, 10)}
	if len(rejected) > 0 {
		out["rejectedLogEventsInfo"] = rejected
	}
	return out, nil
}

// acceptEvents adds one PutLogEvents call's events to a stream, accepted
// (their ingestionTime) at now and readable after a delay of the call's
// own, drawn independently of every other call's: "You can use parallel
// PutLogEvents actions on the same log stream" (botocore logs
// PutLogEvents), and nothing promises that a call accepted later becomes
// readable no earlier than one accepted before it. GetLogEvents returns
// events by timestamp, so each goes in at its timestamp's place, after the
// events of the same timestamp accepted before it. s.mu is held.
func (s *Server) acceptEvents(st *logStream, batch []logEvent, now time.Time) {
	most := int64(s.consistency.LogIngestDelayMS)
	readable := now.UnixMilli() + most/4 + s.rng.Int63n(most-most/4+1)
	for _, e := range batch {
		st.accepted++
		e.id, e.ingest, e.readable = st.accepted, now.UnixMilli(), readable
		at := sort.Search(len(st.events), func(j int) bool { return e.key().less(st.events[j].key()) })
		st.events = slices.Insert(st.events, at, e)
	}
}
