package resources_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/resources"
)

// The engine-error tests shorten the engine's windows
// (resources.SetPollSchedule), so they do not run in parallel.

// noRetries is the world's provider configuration with the SDK's retries off,
// so that an injected error reaches the engine at the first call.
func (w *world) noRetries(cfg string) string {
	return strings.Replace(cfg, `region = "us-east-1"`, `region = "us-east-1"
  max_retries = 0`, 1)
}

// failsWithFault applies config (made for a world whose localaws answers
// fault) and expects the apply to fail with want, having run no task.
func failsWithFault(t *testing.T, fault localaws.Fault, config func(*world) string, want *regexp.Regexp) {
	t.Helper()
	w := newWorld(t, func(s *localaws.Seed) { s.Faults = append(s.Faults, fault) })
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps:                    []resource.TestStep{{Config: config(w), ExpectError: want}},
	})
	if n := w.migrationTasks(); n != 0 {
		t.Errorf("%d migration tasks ran", n)
	}
}

// TestAccRun_engineErrorMissingTask: a task ECS stops showing for longer
// than the engine's window is the engine's "Migration Task Missing", with
// where to look and what the next apply does, not an AWS error.
func TestAccRun_engineErrorMissingTask(t *testing.T) {
	resources.SetPollSchedule(t, ebmigrate.PollSchedule{MissingFor: 2 * time.Second})
	// ECS showing a new task only after 60 s: eventual consistency past the window.
	w := newWorld(t, func(s *localaws.Seed) { s.Timing.MissingMS = 60000 })
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config:      w.run("v1", []string{"sh", "-c", "echo migrated"}),
			ExpectError: words("Error: Migration Task Missing", "has not shown migration task", "for 2s", "MISSING", "stopped and forgotten", "cluster may have been deleted", "describe-tasks", "the next apply runs it again"),
		}},
	})
}

// TestAccRun_engineErrorFailedPolls: DescribeTasks failing poll after poll
// ends the wait as "Migration Task Unreadable", naming the last AWS error
// by service, operation and code.
func TestAccRun_engineErrorFailedPolls(t *testing.T) {
	resources.SetPollSchedule(t, ebmigrate.PollSchedule{MaxErrors: 3})
	w := newWorld(t, func(s *localaws.Seed) {
		s.Faults = append(s.Faults, localaws.Fault{Operation: "ecs:DescribeTasks", Error: "ServerException"})
	})
	// With task.task_definition, discovery does not describe EB's tasks:
	// the first DescribeTasks is the wait's.
	cfg := w.noRetries(w.run("v1", []string{"sh", "-c", "echo migrated"}, taskArgs(`task_definition = "`+localaws.FixtureFamily()+`"`)))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config:      cfg,
			ExpectError: words("Error: Migration Task Unreadable", "(DescribeTasks) failed 3 times in a row", "may still be running", "Last error: ECS DescribeTasks failed: AWS answered ServerException (HTTP 500", "internal error"),
		}},
	})
}

// TestAccRun_awsErrorAccessDenied: an error AWS returned is still an "AWS
// Error", and now says which call and which code, with the permissions
// remedy where it fits.
func TestAccRun_awsErrorAccessDenied(t *testing.T) {
	t.Parallel()
	failsWithFault(t, localaws.Fault{Operation: "ecs:RunTask", Error: "AccessDeniedException"},
		func(w *world) string { return w.noRetries(w.run("v1", []string{"sh", "-c", "echo migrated"})) },
		words("Error: AWS Error", "ECS RunTask failed: AWS answered AccessDeniedException (HTTP 400", "is not authorized to perform: ecs:RunTask", "grant the permission"))
}

// TestAccRun_awsErrorThrottled: a call AWS kept throttling past the SDK's
// retries is an "AWS Error" that says so, without sending anyone to their
// credentials.
func TestAccRun_awsErrorThrottled(t *testing.T) {
	t.Parallel()
	failsWithFault(t, localaws.Fault{Operation: "ecs:RunTask", Error: "ThrottlingException"},
		func(w *world) string {
			return strings.Replace(w.run("v1", []string{"sh", "-c", "echo migrated"}), `region = "us-east-1"`, `region = "us-east-1"
  max_retries = 1`, 1)
		},
		words("Error: AWS Error", "ECS RunTask failed: AWS answered ThrottlingException", "tried 2 times", "AWS throttled the call", "max_retries"))
}

// TestAccRun_bundleAccessDenied: a source bundle S3 refuses to read is an
// AWS failure that names S3 GetObject and its code, not a bundle without
// Dockerrun.aws.json, with the remedy for a denied call; nothing runs.
func TestAccRun_bundleAccessDenied(t *testing.T) {
	t.Parallel()
	failsWithFault(t, localaws.Fault{Operation: "s3:GetObject", Error: "AccessDenied"},
		func(w *world) string { return w.noRetries(w.run("v2", okCommand)) },
		words("Error: Source Bundle Not Readable", `version "v2"`, "S3 GetObject failed: AWS answered AccessDenied (HTTP 403", "s3:GetObject", "Set container.image"))
}
