package localaws

import (
	"fmt"
)

// Where a container's awslogs output goes, and the container's runtimeId.
//
// botocore ecs service-2.json, LogConfiguration.options, awslogs-stream-prefix:
// "Required: Yes, when using Fargate. Optional when using EC2. ... If you
// specify a prefix with this option, then the log stream takes the format
// prefix-name/container-name/ecs-task-id. If you don't specify a prefix
// with this option, then the log stream is named after the container ID
// that's assigned by the Docker daemon on the container instance."
// Container.runtimeId: "The ID of the Docker container."

// awslogsStream is the stream a container's awslogs output goes to.
func awslogsStream(prefix, container, taskID, runtimeID string) string {
	if prefix == "" {
		return runtimeID
	}
	return prefix + "/" + container + "/" + taskID
}

// newRuntimeID is a container's runtimeId as ECS reports it. On EC2 it is
// the Docker container ID, 64 hex digits (Amazon ECS Developer Guide, "Task
// metadata v4 examples": "DockerId":
// "ea32192c8553fbff06c9340478a2ff089b2bb5646fb718b4ee206641c9086d66"); on
// Fargate it is the task ID, a hyphen and a number ("Task metadata v4
// examples for tasks on Fargate": "DockerId":
// "cd189a933e5849daa93386466019ab50-2495160603").
func (s *Server) newRuntimeID(launchType, taskID string) string {
	if launchType == "FARGATE" {
		return fmt.Sprintf("%s-%010d", taskID, s.rng.Uint32())
	}
	return fmt.Sprintf("%016x%016x%016x%016x", s.rng.Uint64(), s.rng.Uint64(), s.rng.Uint64(), s.rng.Uint64())
}

// runtimeIDShown tells whether DescribeTasks shows a container's runtimeId:
// the container agent reports it with the container's state change once the
// container runtime created and started it (ECS added runtimeId to
// DescribeTasks in August 2019, "the runtime container id for all the
// containers" that run), so a container still PENDING, or one that never
// started (an image that could not be pulled), has none.
func (c *taskContainer) runtimeIDShown() bool { return c.started }

// fargateLogsProblem is RegisterTaskDefinition's refusal of a Fargate task
// definition whose awslogs configuration has no stream prefix, in ECS's
// words (ClientException, as reported in aws/aws-cdk#1422: "Fargate requires
// log configuration options to include awslogs-stream-prefix to support log
// driver awslogs."); "" when there is none.
func fargateLogsProblem(containers []containerDef) string {
	for _, c := range containers {
		if lc := c.LogConfiguration; lc != nil && lc.LogDriver == "awslogs" && lc.Options["awslogs-stream-prefix"] == "" {
			return "Fargate requires log configuration options to include awslogs-stream-prefix to support log driver awslogs."
		}
	}
	return ""
}
