package localaws

import "slices"

// CloudWatch Logs retention policies.
//
// Source: botocore logs service-2.json, Days: "The number of days to retain
// the log events in the specified log group. Possible values are: 1, 3, 5, 7,
// 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
// 2922, 3288, and 3653." PutRetentionPolicy requires logGroupName and
// retentionInDays; a group without a policy never expires its events and
// DescribeLogGroups then omits retentionInDays.

var retentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

func (s *Server) logsPutRetentionPolicy(body []byte) (any, error) {
	var in struct {
		LogGroupName    string `json:"logGroupName"`
		RetentionInDays int    `json:"retentionInDays"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if !slices.Contains(retentionDays, in.RetentionInDays) {
		return nil, clientErr("InvalidParameterException", "1 validation error detected: Value '%d' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: %v", in.RetentionInDays, retentionDays)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.logGroups[in.LogGroupName]
	if g == nil {
		return nil, clientErr("ResourceNotFoundException", "The specified log group does not exist.")
	}
	g.retentionDays = in.RetentionInDays
	return map[string]any{}, nil
}

// LogGroupRetention is a group's retention in days (0: never expires) and
// whether the group exists.
func (s *Server) LogGroupRetention(name string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.logGroups[name]
	if g == nil {
		return 0, false
	}
	return g.retentionDays, true
}
