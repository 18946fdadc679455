package ebmigrate

import (
	"fmt"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Whether a task ECS does not show started yet did start (the ECS agent
// reports a start with a backoff of 1 s up to 30 s, retried until it
// succeeds) can be told only from its container's log stream, and only when
// its awslogs driver blocks: Docker's driver then creates the stream before
// the container starts, and a failure to create it fails the start (moby
// daemon/logger/awslogs cloudwatchlogs.go New). In non-blocking mode, ECS's
// default since June 25, 2025 for a container without "mode" ("If you don't
// specify the mode option or configure the account setting, Amazon ECS will
// default to the non-blocking mode", botocore ecs LogConfiguration options),
// New creates the stream in a goroutine, retrying, while the container
// already runs: a stream that does not exist proves nothing. The migration's
// and the query's derived definitions set mode blocking unless the user set
// a mode (derive.go); another build's definition without one follows the
// account's defaultLogDriverMode, which this provider does not read: it
// cannot be checked.

// startProvable is where a container's start shows before ECS shows it: its
// awslogs stream, named before the start (awslogs-stream-prefix) and
// created before the start (mode blocking); false when its start cannot be
// checked.
func startProvable(c *ecstypes.ContainerDefinition, taskID string) (LogLocation, bool) {
	loc, ok := ContainerLogs(c, taskID)
	if !ok || loc.ByRuntimeID || c.LogConfiguration.Options["mode"] != "blocking" {
		return LogLocation{}, false
	}
	return loc, true
}

// uncheckableStart is why a task's start cannot be checked, for messages.
func uncheckableStart(c *ecstypes.ContainerDefinition) string {
	loc, ok := ContainerLogs(c, "")
	switch {
	case !ok:
		return "its container does not log with awslogs"
	case loc.ByRuntimeID:
		return "its awslogs stream is named by the container's runtime ID (no awslogs-stream-prefix), which ECS shows only with the start"
	}
	return fmt.Sprintf("its awslogs mode is %s, in which Docker creates the log stream after the container started", modeName(c.LogConfiguration.Options["mode"]))
}

func modeName(mode string) string {
	if mode == "" {
		return "unset (ECS's default, non-blocking, unless the account's defaultLogDriverMode says blocking)"
	}
	return fmt.Sprintf("%q", mode)
}

// stopByHand says what to do about a task whose start cannot be checked and
// that may be stuck.
func stopByHand(cluster, taskArn string) string {
	return fmt.Sprintf("if it is stuck (no capacity, an image that does not pull), stop it by hand: aws ecs stop-task --cluster %s --task %s", cluster, taskArn)
}
