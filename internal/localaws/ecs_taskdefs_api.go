package localaws

import "slices"

// The RegisterTaskDefinition and DescribeTaskDefinition operations.

// maxTaskDefinitionBytes is ECS's task definition size limit, 64 KiB
// (Amazon ECS service quotas, "Task definition size"), measured here on the
// request body; ECS's refusal reads "Actual length: '66420'. Max allowed
// length is '65536' bytes." (ClientException, quoted in
// awsdocs/amazon-ecs-developer-guide#149).
const maxTaskDefinitionBytes = 64 << 10

func (s *Server) ecsRegisterTaskDefinition(body []byte) (any, error) {
	if len(body) > maxTaskDefinitionBytes {
		return nil, clientErr("ClientException", "Actual length: '%d'. Max allowed length is '%d' bytes.", len(body), maxTaskDefinitionBytes)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	td, err := s.registerTaskDefinition(body, "arn:aws:iam::"+s.account+":user/localaws")
	if td != nil {
		td.visibleAt = td.registeredAt.Add(ms(s.consistency.RegisterLagMS))
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"taskDefinition": td.describe(), "tags": nonNilTags(td.tags)}, nil
}

func (s *Server) ecsDescribeTaskDefinition(body []byte) (any, error) {
	var in struct {
		TaskDefinition string   `json:"taskDefinition"`
		Include        []string `json:"include"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	td, err := s.resolveVisibleTaskDef(in.TaskDefinition)
	if err != nil {
		return nil, err
	}
	// botocore ecs DescribeTaskDefinition: "You can only describe INACTIVE
	// task definitions while an active task or service references them."
	if td.status == "INACTIVE" && !s.referenced(td) {
		return nil, clientErr("ClientException", "Unable to describe task definition.")
	}
	out := map[string]any{"taskDefinition": td.describe()}
	if slices.Contains(in.Include, "TAGS") {
		out["tags"] = nonNilTags(td.tags)
	}
	return out, nil
}

func nonNilTags(t []tag) []tag {
	if t == nil {
		return []tag{}
	}
	return t
}

// referenced: a task that has not stopped runs this revision. The caller
// holds s.mu.
func (s *Server) referenced(td *taskDef) bool {
	for _, t := range s.taskOrder {
		if t.td == td && !t.stopped() {
			return true
		}
	}
	return false
}
