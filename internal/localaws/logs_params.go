package localaws

import (
	"encoding/json"
	"fmt"
	"regexp"
)

// CloudWatch Logs' input constraints on log group and stream names, checked
// before the operation runs, as the service validates its model's members.
// Source: botocore logs service-2.json: LogGroupName (min 1, max 512,
// pattern "[\.\-_/#A-Za-z0-9]+"), which logGroupName and DescribeLogGroups'
// logGroupNamePrefix are; LogGroupNamePattern (max 512,
// "[\.\-_/#A-Za-z0-9]*"); LogGroupIdentifier (min 1, max 2048,
// "[\w#+=/:,.@-]*"); LogStreamName (min 1, max 512, "[^:*]*"). The messages
// are the service's: "1 validation error detected: Value 'x' at
// 'logGroupName' failed to satisfy constraint: Member must satisfy regular
// expression pattern: [\.\-_/#A-Za-z0-9]+", InvalidParameterException
// (quoted in awslabs/aws-embedded-metrics-node#160 and
// awslabs/aws-embedded-metrics-java#65).

type nameConstraint struct {
	min, max int
	pattern  string
}

var (
	logGroupNameRule        = nameConstraint{1, 512, `[\.\-_/#A-Za-z0-9]+`}
	logGroupNamePatternRule = nameConstraint{0, 512, `[\.\-_/#A-Za-z0-9]*`}
	logGroupIdentifierRule  = nameConstraint{1, 2048, `[\w#+=/:,.@-]*`}
	logStreamNameRule       = nameConstraint{1, 512, `[^:*]*`}
)

// logsNameMembers are the members each operation takes under those shapes.
var logsNameMembers = map[string]map[string]nameConstraint{
	"logs:CreateLogGroup":     {"logGroupName": logGroupNameRule},
	"logs:PutRetentionPolicy": {"logGroupName": logGroupNameRule},
	"logs:DescribeLogGroups":  {"logGroupNamePrefix": logGroupNameRule, "logGroupNamePattern": logGroupNamePatternRule},
	"logs:DescribeLogStreams": {"logGroupName": logGroupNameRule, "logGroupIdentifier": logGroupIdentifierRule, "logStreamNamePrefix": logStreamNameRule},
	"logs:GetLogEvents":       {"logGroupName": logGroupNameRule, "logGroupIdentifier": logGroupIdentifierRule, "logStreamName": logStreamNameRule},
	"logs:FilterLogEvents":    {"logGroupName": logGroupNameRule, "logGroupIdentifier": logGroupIdentifierRule, "logStreamNamePrefix": logStreamNameRule},
	"logs:CreateLogStream":    {"logGroupName": logGroupNameRule, "logStreamName": logStreamNameRule},
	"logs:PutLogEvents":       {"logGroupName": logGroupNameRule, "logStreamName": logStreamNameRule},
}

// exclusiveMembers: "logGroupNamePrefix and logGroupNamePattern are mutually
// exclusive" (DescribeLogGroupsRequest); "You must include either
// logGroupIdentifier or logGroupName, but not both" (GetLogEventsRequest,
// DescribeLogStreamsRequest, FilterLogEventsRequest).
var exclusiveMembers = map[string][2]string{
	"logs:DescribeLogGroups":  {"logGroupNamePrefix", "logGroupNamePattern"},
	"logs:DescribeLogStreams": {"logGroupName", "logGroupIdentifier"},
	"logs:GetLogEvents":       {"logGroupName", "logGroupIdentifier"},
	"logs:FilterLogEvents":    {"logGroupName", "logGroupIdentifier"},
}

var compiledRules = map[string]*regexp.Regexp{}

func init() {
	for _, r := range []nameConstraint{logGroupNameRule, logGroupNamePatternRule, logGroupIdentifierRule, logStreamNameRule} {
		compiledRules[r.pattern] = regexp.MustCompile(`^(?:` + r.pattern + `)$`)
	}
}

// checkLogsNames refuses a CloudWatch Logs request whose name members break
// the model's constraints. Other services' requests pass.
func checkLogsNames(op string, body []byte) error {
	rules, ok := logsNameMembers[op]
	if !ok || len(body) == 0 {
		return nil
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return clientErr("SerializationException", "could not parse request body: %v", err)
	}
	if pair, ok := exclusiveMembers[op]; ok && members[pair[0]] != nil && members[pair[1]] != nil {
		return clientErr("InvalidParameterException", "%s and %s are mutually exclusive. Only one of these parameters can be passed.", pair[0], pair[1])
	}
	var errs []string
	for _, name := range sortedKeys(rules) {
		raw, present := members[name]
		var v string
		if !present || json.Unmarshal(raw, &v) != nil {
			continue
		}
		r := rules[name]
		switch {
		case len(v) < r.min:
			errs = append(errs, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", v, name, r.min))
		case len(v) > r.max:
			errs = append(errs, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", v, name, r.max))
		case !compiledRules[r.pattern].MatchString(v):
			errs = append(errs, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", v, name, r.pattern))
		}
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return clientErr("InvalidParameterException", "1 validation error detected: %s", errs[0])
	}
	msg := fmt.Sprintf("%d validation errors detected: ", len(errs))
	for i, e := range errs {
		if i > 0 {
			msg += "; "
		}
		msg += e
	}
	return clientErr("InvalidParameterException", "%s", msg)
}
