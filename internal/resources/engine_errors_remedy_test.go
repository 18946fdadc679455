package resources_test

import (
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// TestAccRun_awsErrorPassRoleDenied: RunTask with a task role also needs
// iam:PassRole; when AWS's message names that action, the remedy names it
// rather than the call.
func TestAccRun_awsErrorPassRoleDenied(t *testing.T) {
	t.Parallel()
	failsWithFault(t, localaws.Fault{Operation: "ecs:RunTask", Error: "AccessDeniedException", Action: "iam:PassRole"},
		func(w *world) string {
			return w.noRetries(w.run("v1", []string{"sh", "-c", "echo migrated"}, taskArgs(taskRole)))
		},
		words("Error: AWS Error", "ECS RunTask failed: AWS answered AccessDeniedException",
			"is not authorized to perform: iam:PassRole", "not allowed to perform iam:PassRole", "ECS RunTask", "grant the permission"))
}

// TestAccRun_awsErrorLimitExceeded: LimitExceededException is a quota (botocore
// ecs: "The limit for the resource was exceeded."), not throttling, though
// the SDK retries it as throttling: the remedy is the quota, not max_retries.
func TestAccRun_awsErrorLimitExceeded(t *testing.T) {
	t.Parallel()
	failsWithFault(t, localaws.Fault{Operation: "ecs:RegisterTaskDefinition", Error: "LimitExceededException"},
		func(w *world) string { return w.noRetries(w.run("v1", []string{"sh", "-c", "echo migrated"})) },
		words("Error: AWS Error", "ECS RegisterTaskDefinition failed: AWS answered LimitExceededException",
			"task definition revisions per family", "quota", "Service Quotas", "keep_revisions"))
}
