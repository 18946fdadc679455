package localaws

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// ECS task definition listing, deregistration and deletion, with ListX pagination.

func (s *Server) ecsListTaskDefinitions(body []byte) (any, error) {
	var in struct {
		FamilyPrefix string `json:"familyPrefix"`
		Status       string `json:"status"`
		Sort         string `json:"sort"`
		page
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	status := orDefault(in.Status, "ACTIVE")
	s.mu.Lock()
	defer s.mu.Unlock()
	var arns []string
	for _, name := range sortedKeys(s.families) {
		// "The full family name": unlike ListTaskDefinitionFamilies' prefix,
		// it matches one family (botocore ecs ListTaskDefinitionsRequest.familyPrefix).
		if in.FamilyPrefix != "" && name != in.FamilyPrefix {
			continue
		}
		now := time.Now()
		for _, td := range s.families[name].revisions {
			listed := s.listedTaskDefStatus(td, now)
			// "By setting this parameter to INACTIVE, you can view task
			// definitions that are INACTIVE as long as an active task or
			// service still references them" (botocore ecs
			// ListTaskDefinitionsRequest.status): one nothing runs is not
			// listed at all.
			if listed == status && (listed != "INACTIVE" || s.referenced(td)) {
				arns = append(arns, td.arn)
			}
		}
	}
	if in.Sort == "DESC" {
		slices.Reverse(arns)
	}
	items, next, err := in.apply(arns, 100)
	if err != nil {
		return nil, err
	}
	return map[string]any{"taskDefinitionArns": items, "nextToken": next}, nil
}

func (s *Server) ecsListTaskDefinitionFamilies(body []byte) (any, error) {
	var in struct {
		FamilyPrefix string `json:"familyPrefix"`
		Status       string `json:"status"`
		page
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	// "By default, both ACTIVE and INACTIVE task definition families are
	// listed" (botocore ecs ListTaskDefinitionFamiliesRequest.status).
	status := orDefault(in.Status, "ALL")
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, name := range sortedKeys(s.families) {
		if in.FamilyPrefix != "" && !strings.HasPrefix(name, in.FamilyPrefix) {
			continue
		}
		active := slices.ContainsFunc(s.families[name].revisions, func(td *taskDef) bool { return td.status == "ACTIVE" })
		if status == "ALL" || (status == "ACTIVE") == active {
			names = append(names, name)
		}
	}
	items, next, err := in.apply(names, 100)
	if err != nil {
		return nil, err
	}
	return map[string]any{"families": items, "nextToken": next}, nil
}

func (s *Server) ecsDeregisterTaskDefinition(body []byte) (any, error) {
	var in struct {
		TaskDefinition string `json:"taskDefinition"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !strings.Contains(strings.TrimPrefix(in.TaskDefinition, "arn:aws:ecs:"), ":") && !strings.HasPrefix(in.TaskDefinition, "arn:") {
		return nil, clientErr("ClientException", "The specified task definition identifier is invalid. Specify family:revision or a full ARN.")
	}
	td, err := s.resolveTaskDef(in.TaskDefinition)
	if err != nil {
		return nil, err
	}
	if td.status == "ACTIVE" {
		td.status = "INACTIVE"
		td.deregisteredAt = time.Now()
	}
	return map[string]any{"taskDefinition": td.describe()}, nil
}

func (s *Server) ecsDeleteTaskDefinitions(body []byte) (any, error) {
	var in struct {
		TaskDefinitions []string `json:"taskDefinitions"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if len(in.TaskDefinitions) == 0 || len(in.TaskDefinitions) > 10 {
		return nil, clientErr("InvalidParameterException", "taskDefinitions must name 1 to 10 task definitions.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	deleted := []map[string]any{}
	failures := []map[string]string{}
	for _, ref := range in.TaskDefinitions {
		td, err := s.resolveTaskDef(ref)
		switch {
		case err != nil || !strings.Contains(ref, ":"):
			failures = append(failures, map[string]string{"arn": ref, "reason": "The specified task definition does not exist."})
		case td.status == "ACTIVE" || td.status == "INACTIVE" && time.Now().Before(td.deregisteredAt.Add(ms(s.consistency.DeregisterLagMS))):
			// A revision deregistered a moment ago may still read ACTIVE
			// (Consistency.DeregisterLagMS).
			failures = append(failures, map[string]string{"arn": td.arn, "reason": "The specified task definition is still in ACTIVE status. Please deregister the target and try again."})
		default:
			td.status = "DELETE_IN_PROGRESS"
			deleted = append(deleted, td.describe())
		}
	}
	return map[string]any{"taskDefinitions": deleted, "failures": failures}, nil
}

// page is the nextToken/maxResults pair of ECS list operations.
type page struct {
	NextToken  string `json:"nextToken"`
	MaxResults int    `json:"maxResults"`
}

func (p page) apply(items []string, limit int) ([]string, *string, error) {
	start := 0
	if p.NextToken != "" {
		n, err := strconv.Atoi(p.NextToken)
		if err != nil || n < 0 || n > len(items) {
			return nil, nil, clientErr("InvalidParameterException", "Invalid nextToken.")
		}
		start = n
	}
	size := p.MaxResults
	if size <= 0 || size > limit {
		size = limit
	}
	end := min(start+size, len(items))
	out := append([]string{}, items[start:end]...)
	if end < len(items) {
		next := strconv.Itoa(end)
		return out, &next, nil
	}
	return out, nil, nil
}

// listedTaskDefStatus is the status ListTaskDefinitions files a revision
// under: a revision deregistered less than ListLagMS ago is still listed as
// ACTIVE, as ListTasks lags a task's desired status. The ECS API "follows an
// eventual consistency model ... the result of an API command you run that
// affects your Amazon ECS resources might not be immediately visible to all
// subsequent commands you run" (botocore ecs service-2.json, RunTask and
// others). DescribeTaskDefinition shows the new status at once.
func (s *Server) listedTaskDefStatus(td *taskDef, now time.Time) string {
	if td.status == "INACTIVE" && !td.deregisteredAt.IsZero() && now.Before(td.deregisteredAt.Add(ms(s.consistency.ListLagMS))) {
		return "ACTIVE"
	}
	return td.status
}
