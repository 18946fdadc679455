package ebmigrate

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// OutcomeKind is how a stopped migration task ended.
type OutcomeKind string

const (
	Succeeded     OutcomeKind = "succeeded"
	NonZeroExit   OutcomeKind = "non_zero_exit"
	NoExitCode    OutcomeKind = "no_exit_code"
	FailedToStart OutcomeKind = "failed_to_start"
	OutOfMemory   OutcomeKind = "out_of_memory"
	PullError     OutcomeKind = "image_pull_error"
	Interrupted   OutcomeKind = "interrupted"
)

// Outcome is the classification of a stopped task, as far as the migration
// container is concerned.
type Outcome struct {
	Kind            OutcomeKind
	ExitCode        *int32
	StopCode        string
	StoppedReason   string
	ContainerReason string
}

// Success reports whether the migration succeeded: its container exited 0.
func (o Outcome) Success() bool { return o.Kind == Succeeded }

// Classify decides how a STOPPED task ended for the named container. It is a
// pure function of what DescribeTasks returned.
func Classify(task ecstypes.Task, container string) Outcome {
	o := Outcome{StopCode: string(task.StopCode), StoppedReason: aws.ToString(task.StoppedReason)}
	found := false
	for _, c := range task.Containers {
		if aws.ToString(c.Name) == container {
			found = true
			o.ExitCode = c.ExitCode
			o.ContainerReason = aws.ToString(c.Reason)
		}
	}
	reasons := o.StoppedReason + " " + o.ContainerReason
	switch {
	case strings.Contains(reasons, "CannotPullContainerError"):
		o.Kind = PullError
	case strings.HasPrefix(o.ContainerReason, "OutOfMemoryError") || strings.Contains(o.StoppedReason, "OutOfMemoryError"):
		o.Kind = OutOfMemory
	case task.StopCode == ecstypes.TaskStopCodeTaskFailedToStart:
		o.Kind = FailedToStart
	case task.StopCode == ecstypes.TaskStopCodeUserInitiated ||
		task.StopCode == ecstypes.TaskStopCodeServiceSchedulerInitiated ||
		task.StopCode == ecstypes.TaskStopCodeSpotInterruption ||
		task.StopCode == ecstypes.TaskStopCodeTerminationNotice ||
		// ECS stopped the task for the health of its infrastructure (the
		// SDK's TaskStopCode enum; ECS guide, "Amazon ECS stopped task error
		// codes"): the container's exit is ECS's doing, not the command's.
		task.StopCode == ecstypes.TaskStopCodeInfrastructureHealth:
		o.Kind = Interrupted
	case !found || o.ExitCode == nil:
		o.Kind = NoExitCode
	case *o.ExitCode != 0:
		o.Kind = NonZeroExit
	default:
		o.Kind = Succeeded
	}
	return o
}

// Describe says in a few words how the task ended, after "the migration task …".
func (o Outcome) Describe() string {
	switch o.Kind {
	case Succeeded:
		return "succeeded"
	case NonZeroExit:
		return fmt.Sprintf("failed with exit code %d", *o.ExitCode)
	case OutOfMemory:
		return "was killed because it ran out of memory"
	case PullError:
		return "could not pull its container image"
	case FailedToStart:
		return "failed to start"
	case Interrupted:
		return "was stopped before it finished"
	default:
		return "stopped without an exit code"
	}
}

// Reason is ECS's own explanation: the container's reason, else the task's.
func (o Outcome) Reason() string {
	if o.ContainerReason != "" && o.ContainerReason != o.StoppedReason {
		if o.StoppedReason == "" {
			return o.ContainerReason
		}
		return o.StoppedReason + " (container: " + o.ContainerReason + ")"
	}
	return o.StoppedReason
}

// QueryHint says what to do about a failed query (a read-only command run
// at plan time): as Hint says, but a plan runs it again, and nothing was
// migrated.
func (o Outcome) QueryHint() string {
	switch o.Kind {
	case NonZeroExit:
		if *o.ExitCode == 137 {
			return "Exit code 137 means the process was killed (SIGKILL), often for memory: raise the container's memory (container.memory) or look for what stopped it, then plan again."
		}
		return "The query command itself failed (it prints what migrate would do and changes nothing): read its output below, fix the cause, and plan again."
	case OutOfMemory:
		return "Give the query's container more memory (container.memory or container.memory_reservation), then plan again."
	case Interrupted, NoExitCode:
		return "The query's result is unknown; nothing was migrated. Plan again to run the query again."
	}
	return o.Hint()
}

// Hint says what to do about a failure.
func (o Outcome) Hint() string {
	switch o.Kind {
	case NonZeroExit:
		if *o.ExitCode == 137 {
			return "Exit code 137 means the process was killed (SIGKILL), often for memory: raise the container's memory or look for what stopped it."
		}
		return "The migration command itself failed: read its output below, fix the cause, and apply again (the next apply runs the migration again)."
	case OutOfMemory:
		return "Give the migration container more memory (the task definition's memory or memoryReservation), then apply again."
	case PullError:
		return "Check that the image exists and that the task's execution role (or the instance role) may pull it."
	case FailedToStart:
		return "ECS could not start the task; the reason above says why (secrets, log group, network or image)."
	case Interrupted:
		if o.StopCode == string(ecstypes.TaskStopCodeInfrastructureHealth) {
			return "ECS stopped the task because of its infrastructure's health (stop code InfrastructureHealth), not because the command failed; the migration may have been cut short. Apply again to run the migration again."
		}
		return "Something stopped the task (a user, a deployment, or a Spot interruption). Apply again to run the migration again."
	case NoExitCode:
		return "ECS reported no exit code for the migration container, so its result is unknown. Look at the task in the ECS console, then apply again."
	}
	return ""
}
