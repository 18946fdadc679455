package ebmigrate

import (
	"fmt"
	"maps"
	"path"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// What the migration's definition changes in the source container so that
// the command runs once, without a terminal, and its output reaches
// CloudWatch Logs line by line.

// runOnce leaves out of the migration container:
//
//   - restartPolicy: ECS "can restart the container if it exits, without
//     needing to replace the task" (botocore ecs ContainerRestartPolicy),
//     essential containers too, exit code 0 included unless ignored, once
//     it ran restartAttemptPeriod (300 s by default): a migration would run
//     again, and a proven command's numbering would start over in the same
//     stream;
//   - pseudoTerminal and interactive: a terminal ends each line with
//     "\r\n" and joins stderr to stdout, and an open stdin lets a prompt
//     wait for input nobody gives.
func runOnce(c *ecstypes.ContainerDefinition) {
	c.RestartPolicy = nil
	c.PseudoTerminal = nil
	c.Interactive = nil
}

// multilineOptions are the awslogs options that make Docker's driver join
// lines into one event (moby daemon/logger/awslogs cloudwatchlogs.go
// parseMultilineOptions).
var multilineOptions = []string{"awslogs-multiline-pattern", "awslogs-datetime-format"}

// provenLogOptions leaves the multiline options out of a proven command's
// awslogs configuration: the relay's lines delimit themselves, and with
// either option the driver sends a joined event at a tick only once it is
// a flush interval old (collectBatch, eventBufferExpired), while Fargate's
// shim logger exits 5 s after the output ends without closing the driver
// (aws/shim-loggers-for-containerd logger/common.go sendLogs): the end line,
// printed last, would mostly be lost.
func provenLogOptions(c *ecstypes.ContainerDefinition) {
	lc := c.LogConfiguration
	if lc == nil || lc.LogDriver != ecstypes.LogDriverAwslogs {
		return
	}
	copied := *lc
	copied.Options = maps.Clone(lc.Options)
	for _, k := range multilineOptions {
		delete(copied.Options, k)
	}
	c.LogConfiguration = &copied
}

// checkProvenEntryPoint refuses an entryPoint that ends in a shell's -c:
// the shell runs the command's first word as its script and passes the
// rest as arguments, so under the relay it would run python3 alone,
// reading an empty stdin, print nothing and exit 0.
func checkProvenEntryPoint(c *ecstypes.ContainerDefinition, src *ecstypes.TaskDefinition) error {
	ep := c.EntryPoint
	if len(ep) < 2 {
		return nil
	}
	shell := path.Base(ep[0])
	flag := ep[len(ep)-1]
	isShell := map[string]bool{"sh": true, "bash": true, "dash": true, "ash": true, "ksh": true, "zsh": true}[shell]
	if !isShell || !strings.HasPrefix(flag, "-") || strings.HasPrefix(flag, "--") || !strings.Contains(flag, "c") {
		return nil
	}
	quoted := make([]string, len(ep))
	for i, w := range ep {
		quoted[i] = fmt.Sprintf("%q", w)
	}
	return problem("Entry Point Runs No Command",
		"Container %q of task definition %s has entryPoint [%s], which runs the first word of the command it is given as a shell script and passes the others as its arguments. A command the provider composes (the pending-migrations query; with phase, the introspection and the before_deploy migrations) runs under a short Python relay that proves its output complete (python3 -I -c <relay>, then the command), so this entryPoint would run python3 alone, which reads an empty stdin and prints nothing. Give the container an entryPoint that runs the command it is given (exec \"$@\") or none, or set %s to a task definition whose container does.",
		aws.ToString(c.Name), aws.ToString(src.TaskDefinitionArn), strings.Join(quoted, ", "), ArgSourceTaskDefinition)
}

// restartPolicyNote is the plan's note that the source container's restart
// policy is left out; "" when it has none enabled.
func restartPolicyNote(t *Target, d *Derived) string {
	if t.SourceTaskDefinition == nil {
		return ""
	}
	for _, c := range t.SourceTaskDefinition.ContainerDefinitions {
		if aws.ToString(c.Name) != d.Container || c.RestartPolicy == nil || !aws.ToBool(c.RestartPolicy.Enabled) {
			continue
		}
		return fmt.Sprintf("Container %q of task definition %s has a restart policy (restartPolicy.enabled): ECS restarts a container that exits after running restartAttemptPeriod (300 s unless set), exit code 0 included, within the same task, so the migration would run again. The migration's task definition leaves restartPolicy out: it runs once.",
			d.Container, aws.ToString(t.SourceTaskDefinition.TaskDefinitionArn))
	}
	return ""
}

// fargateMultilineNote is the plan's note that a migration on Fargate whose
// awslogs configuration joins lines will likely lose its last lines; ""
// otherwise. The option is the user's and stays (a proven command's is
// left out: provenLogOptions).
func fargateMultilineNote(d *Derived, p Placement) string {
	lc := d.Input.ContainerDefinitions[0].LogConfiguration
	if !p.Fargate() || lc == nil || lc.LogDriver != ecstypes.LogDriverAwslogs {
		return ""
	}
	for _, k := range multilineOptions {
		if lc.Options[k] == "" {
			continue
		}
		return fmt.Sprintf("Container %q logs with %s on Fargate: Docker's awslogs driver sends lines it joined into one event only once the first of them is 5 s old, and Fargate's shim logger exits 5 s after the container's output ends without sending what it holds, so the migration's last lines (a traceback, joined by the pattern) will likely be lost from CloudWatch Logs and from this provider's diagnostics. Remove %s from the container's awslogs options, or set %s (the migration then logs to that group without it), to keep them.",
			d.Container, k, k, ArgLogGroup)
	}
	return ""
}
